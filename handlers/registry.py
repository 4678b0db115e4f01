"""The one place where operator names are bound to handler functions."""
from __future__ import annotations

from engine.config import Settings

from . import archive, finance, leave, risk, trade, training
from .case_number import make_case_number
from .consultation import make_notify_reply_deadline
from .context import Handler
from .documents import publish_document
from .notify import NotifySettings, make_notify_customer, make_staff_mailer
from .progress_mail import make_mail_progress_report
from .quality import close_quality_finding, quality_finding, quality_sample
from .reports import archive_inventory, weekly_progress_report


def build_registry(settings: Settings | None = None) -> dict[str, Handler]:
    settings = settings or Settings()
    return {
        "publish_document": publish_document,
        "file_materials": archive.file_materials,
        "file_case_records": archive.file_case_records,
        "file_unaccepted_case_records": archive.file_unaccepted_case_records,
        "request_archive_borrowing": archive.request_archive_borrowing,
        "grant_archive_borrowing": archive.grant_archive_borrowing,
        "reject_archive_borrowing": archive.reject_archive_borrowing,
        "remind_archive_borrower": archive.remind_archive_borrower,
        "mark_archive_overdue": archive.mark_archive_overdue,
        "return_archive_borrowing": archive.return_archive_borrowing,
        "weekly_progress_report": weekly_progress_report,
        "mail_progress_report": make_mail_progress_report(make_staff_mailer(notify_settings(settings)),
                                                          settings.public_url or f"http://{settings.bind}",
                                                          settings.staff_mail_domain),
        "archive_inventory": archive_inventory,
        "quality_sample": quality_sample,
        "quality_finding": quality_finding,
        "close_quality_finding": close_quality_finding,
        "case_number": make_case_number(settings.timezone),
        "notify_customer": make_notify_customer(notify_settings(settings)),
        "notify_reply_deadline": make_notify_reply_deadline(make_notify_customer(notify_settings(settings)),
                                                            settings.timezone),
        "register_risk": risk.register_risk,
        "record_risk_assessment": risk.assess_risk,
        "plan_risk_response": risk.plan_risk_response,
        "decide_risk_response": risk.decide_risk_response,
        "check_risk_indicators": risk.check_risk_indicators,
        "record_risk_reading": risk.record_risk_reading,
        "record_warning_measures": risk.record_warning_measures,
        "verify_warning_measures": risk.verify_warning_measures,
        "alert_risk_warning": risk.make_alert_risk_warning(notify_settings(settings)),
        "finance_review_period": finance.make_finance_review_period(settings.timezone),
        "check_finance_figures": finance.check_finance_figures,
        "file_finance_review": finance.file_finance_review,
        "leave_requester": leave.leave_requester,
        "record_leave_request": leave.make_record_leave_request(settings.timezone),
        "decide_leave": leave.decide_leave,
        "withdraw_leave": leave.withdraw_leave,
        "return_claimed_tasks": leave.return_claimed_tasks,
        "change_leave": leave.make_change_leave(settings.timezone),
        "give_back_tasks": leave.give_back_tasks,
        "tell_leave_requester": leave.make_tell_leave_requester(make_staff_mailer(notify_settings(settings)),
                                                                settings.staff_mail_domain),
        **training_handlers(settings),
        **trade_handlers(settings),
    }


def training_handlers(settings: Settings) -> dict[str, Handler]:
    """R-7: needs analysis, plans, sessions, career plans."""
    return {
        "training_survey_respondents": training.training_survey_respondents,
        "record_survey_answer": training.record_survey_answer,
        "propose_appraisal_needs": training.make_propose_appraisal_needs(settings.timezone),
        "record_interview_need": training.record_interview_need,
        "consolidate_training_needs": training.consolidate_training_needs,
        "latest_training_needs": training.latest_training_needs,
        "record_training_plan": training.record_training_plan,
        "decide_training_plan": training.decide_training_plan,
        "schedule_training_sessions": training.make_schedule_training_sessions(settings.timezone),
        "record_training_sign_in": training.record_training_sign_in,
        "record_training_assessment": training.record_training_assessment,
        "record_absence_follow_up": training.record_absence_follow_up,
        "person_training_record": training.person_training_record,
        "enter_career_plan": training.open_career_plan,
        "record_career_plan": training.record_career_plan,
        "record_career_agreement": training.agree_career_plan,
        "record_career_review": training.record_career_review,
    }


def trade_handlers(settings: Settings) -> dict[str, Handler]:
    """R-3.2.1 sales contracts and R-3.2.2 purchases."""
    return {
        "number_sales_contract": trade.number_sales_contract,
        "clear_sales_contract": trade.make_clear_sales_contract(settings.timezone),
        "record_sales_signing": trade.make_record_sales_signing(settings.timezone),
        "number_purchase": trade.number_purchase,
        "record_purchase_plan": trade.record_purchase_plan,
        "record_supplier_selection": trade.record_supplier_selection,
        "record_purchase_contract": trade.record_purchase_contract,
        "check_contract_item": trade.check_contract_item,
        "conclude_acceptance": trade.conclude_acceptance,
        "file_trade_archive": trade.file_trade_archive,
    }


def notify_settings(settings: Settings) -> NotifySettings:
    return NotifySettings(
        smtp_host=settings.smtp_host, smtp_port=settings.smtp_port, smtp_user=settings.smtp_user,
        smtp_password=settings.smtp_password, smtp_from=settings.smtp_from,
        smtp_starttls=settings.smtp_starttls, sms_gateway_url=settings.sms_gateway_url,
        sms_gateway_token=settings.sms_gateway_token, transport=settings.notify_transport,
    )
