"""Case data as people read it: values written in the page's language and time zone, labelled by the forms."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Mapping

from flask_babel import format_currency, format_date, format_datetime, format_decimal, format_timedelta
from flask_babel import gettext as _

from engine.access import Actor, is_admin, is_auditor
from engine.errors import InvalidInput
from engine.isotime import parse_duration
from forms.display import ShownValue, labelled_data, shown_data

from .i18n import bundle_text, language_tag


class PageFormatter:
    """forms.display's Formatter for the current request (Flask-Babel's locale and time zone)."""

    def date(self, value: dt.date) -> str:
        return str(format_date(value, "medium"))

    def date_time(self, value: dt.datetime) -> str:
        return str(format_datetime(value, "medium"))

    def money(self, value: Decimal, currency: str) -> str:
        return str(format_currency(value, currency))

    def number(self, value: int | float) -> str:
        return str(format_decimal(value))

    def yes_no(self, value: bool) -> str:
        return _("Yes") if value else _("No")

    def duration(self, value: str) -> str:
        try:
            period = parse_duration(value)
        except InvalidInput:
            return value
        if isinstance(period, dt.timedelta):
            return str(format_timedelta(period, threshold=1, granularity="minute"))
        return value  # months and years: the ISO text is exact, a conversion would not be


def task_case_data(schema: Mapping[str, Any], forms: Mapping[str, Mapping[str, Any]],
                   data: Mapping[str, Any]) -> list[ShownValue]:
    """What the task's form declares it needs to show (`x-show`)."""
    return shown_data(schema, forms, data, language_tag(), PageFormatter(), bundle_text)


def full_case_data(actor: Actor, forms: Mapping[str, Mapping[str, Any]],
                   data: Mapping[str, Any]) -> list[ShownValue] | None:
    """Every value of the case, labelled — for administrators and auditors only (None for anyone else)."""
    if not (is_admin(actor) or is_auditor(actor)):
        return None
    return labelled_data(forms, data, language_tag(), PageFormatter(), translate=bundle_text)


def case_page_data(actor: Actor, forms: Mapping[str, Mapping[str, Any]], data: Mapping[str, Any]) -> list[ShownValue]:
    """The case page's data: all of it for administrators and auditors, what the forms describe for staff."""
    described_only = not (is_admin(actor) or is_auditor(actor))
    return labelled_data(forms, data, language_tag(), PageFormatter(), described_only=described_only,
                         translate=bundle_text)
