"""Risk management handlers (R-5): the register written by each assessment step, the indicator checks, the alerts.

Each writes through the step's connection, so what it records commits or rolls back with the step.
A refused value (unknown category, a risk in the wrong state) raises ValueError/LookupError: the
person's submission is refused and nothing is stored.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from casework import risk_indicators as indicators
from casework import risk_register as register
from engine.errors import N_, RefusedType

from .context import Handler, HandlerContext
from .notify import NotifySettings, keep_in_outbox, send_email


def _connection(ctx: HandlerContext) -> Connection:
    if ctx.connection is None:
        raise RuntimeError("risk handlers write through the step's connection; none was given")
    return ctx.connection


def register_risk(ctx: HandlerContext, category: str, title: str, description: str,
                  existing: str = "") -> dict[str, Any]:
    """R-5.1: an identified risk enters the register (or an approved entry is opened for reassessment)."""
    number = register.register_risk(_connection(ctx), ctx.now, ctx.instance_id, category, title, description,
                                    existing)
    return {"risk_number": number, "status": "identified"}


def assess_risk(ctx: HandlerContext, risk_number: str, level: str, impact: str, assessment: str) -> dict[str, Any]:
    """R-5.1: the risk's level and impact."""
    register.assess_risk(_connection(ctx), ctx.now, risk_number, level, impact, assessment)
    return {"risk_number": risk_number, "status": "assessed"}


def plan_risk_response(ctx: HandlerContext, risk_number: str, response: str, measures: str, department: str,
                       person: str) -> dict[str, Any]:
    """R-5.2: the response with its responsible department and person."""
    register.plan_response(_connection(ctx), ctx.now, risk_number, response, measures, department, person)
    return {"risk_number": risk_number, "status": "planned"}


def decide_risk_response(ctx: HandlerContext, risk_number: str, approved: bool, note: str) -> dict[str, Any]:
    """R-5.2: the leader's approval puts the plan in force; a plan sent back is revised."""
    if not isinstance(approved, bool):
        raise RefusedType(N_("%(field)s must be true or false"), field="approved")
    status = register.decide_response(_connection(ctx), ctx.now, risk_number, approved, note)
    return {"risk_number": risk_number, "status": status}


def check_risk_indicators(ctx: HandlerContext) -> list[dict[str, Any]]:
    """R-5.3: every computed indicator against its threshold; one entry per new crossing."""
    return indicators.check_computed(_connection(ctx), ctx.now, ctx.instance_id)


def record_risk_reading(ctx: HandlerContext, indicator: str, value: float, note: str) -> list[dict[str, Any]]:
    """R-5.3: an entered indicator's value; a list with the crossing it makes, if it makes one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RefusedType(N_("%(field)s must be a number"), field="value")
    crossing = indicators.record_reading(_connection(ctx), ctx.now, indicator, float(value), note, ctx.instance_id)
    return [crossing] if crossing else []


def record_warning_measures(ctx: HandlerContext, warning_number: str, measures: str) -> dict[str, Any]:
    """R-5.3: what the responsible person did about the warning, for the risk owner to verify."""
    indicators.record_measures(_connection(ctx), warning_number, measures)
    return {"warning_number": warning_number, "status": "measures_taken"}


def verify_warning_measures(ctx: HandlerContext, warning_number: str, effective: bool,
                            verification: str) -> dict[str, Any]:
    """The risk owner's check of the measures: effective closes the warning."""
    if not isinstance(effective, bool):
        raise RefusedType(N_("%(field)s must be true or false"), field="effective")
    status = indicators.record_verification(_connection(ctx), ctx.now, warning_number, effective, verification)
    return {"warning_number": warning_number, "status": status}


def alert_text(warning: dict[str, Any]) -> tuple[str, str]:
    name = f"{warning['indicator_name']} {indicators.NAMES_ZH.get(warning['indicator'], '')}".strip()
    subject = f"Risk warning 風險預警 {warning['warning_number']}: {name}"
    message = (f"{name} reached {warning['value']:g} "
               f"(warning threshold {warning['threshold']:g}).\n"
               f"指標已達預警值：{warning['value']:g}（預警值 {warning['threshold']:g}）。\n"
               f"Responsible 責任部門/責任人: {warning['responsible_department']} / "
               f"{warning['responsible_person']}.\n"
               "Take measures in casedesk (task “Take measures against the risk”). 請在系統中採取應對措施。")
    return subject, message


def make_alert_risk_warning(settings: NotifySettings) -> Handler:
    """The `alert_risk_warning` handler: e-mails the indicator's responsible person (or keeps it in the outbox)."""

    def alert_risk_warning(ctx: HandlerContext, warning: dict[str, Any]) -> dict[str, Any]:
        reference = f"{ctx.instance_id}/{ctx.task_spec}"
        subject, message = alert_text(warning)
        recipient = str(warning["alert_email"])
        if settings.transport == "outbox":
            receipt = keep_in_outbox(ctx, "email", recipient, subject, message, reference)
        else:
            receipt = send_email(settings, recipient, subject, message, reference, ctx.now)
        indicators.mark_alerted(_connection(ctx), warning["warning_number"], ctx.instance_id)
        return {"recipient": recipient, "sent_at": ctx.now.isoformat(), **receipt}

    return alert_risk_warning
