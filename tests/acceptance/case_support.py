"""Drivers for the case-chain acceptance tests (R-2): a casedesk wired to real notice servers,
the case processes deployed and the demo organisation seeded, and a `Case` that works its tasks
the way staff do — from their own inbox."""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Iterator

import pytest

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from casework.demo_org import seed_demo_org
from engine.runtime.store import TaskView
from engine.runtime.service import InstanceView
from tests.support.notify_servers import Mailbox, SmsGateway, sms_gateway, smtp_server
from tests.support.steps import FORMS, PROCESSES, complete_cold, deploy_area  # noqa: F401 - FORMS, for tests deploying

PASSWORD = "demo-pass-2026"
CASE_PROCESSES = PROCESSES / "case"
SENDER = "casedesk@example.com"


@pytest.fixture(scope="session")
def _mail_server() -> Iterator[Mailbox]:
    with smtp_server() as mailbox:
        yield mailbox


@pytest.fixture(scope="session")
def _sms_server() -> Iterator[SmsGateway]:
    with sms_gateway() as gateway:
        yield gateway


@pytest.fixture
def mailbox(_mail_server: Mailbox) -> Mailbox:
    _mail_server.reset()
    return _mail_server


@pytest.fixture
def sms(_sms_server: SmsGateway) -> SmsGateway:
    _sms_server.reset()
    return _sms_server


@pytest.fixture
def desk(app: Casedesk, clock: FakeClock, mailbox: Mailbox, sms: SmsGateway) -> Iterator[Casedesk]:
    """The `app` database (so flow coverage sees every instance), wired through the composition
    root to the loopback SMTP server and SMS gateway, case processes deployed, demo users seeded."""
    settings = replace(app.settings, smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_from=SENDER,
                       sms_gateway_url=sms.url, sms_gateway_token=sms.token)
    casedesk = bootstrap(settings, clock=clock, run_migrations=False)
    deploy_area(casedesk, "case")
    seed_demo_org(casedesk.db, clock, PASSWORD)
    yield casedesk
    casedesk.close()


class Case:
    """One business case, worked task by task by named staff."""

    def __init__(self, desk: Casedesk, view: InstanceView):
        self.desk = desk
        self.id = view.id
        self.view = view

    @classmethod
    def open(cls, desk: Casedesk, clerk: str = "ivy") -> "Case":
        return cls(desk, desk.runtime.start_instance("business_case", {}, actor=clerk))

    def inbox(self, user: str) -> list[TaskView]:
        """This case's tasks in `user`'s inbox."""
        return self.desk.runtime.list_tasks(user=user, instance_id=self.id)

    def titles(self, user: str) -> list[str]:
        return [t.title for t in self.inbox(user)]

    def ready(self) -> list[TaskView]:
        return self.desk.runtime.list_tasks(instance_id=self.id)

    def task(self, user: str, spec: str) -> TaskView:
        found = [t for t in self.inbox(user) if t.task_spec == spec]
        assert found, f"{user} has no {spec!r} task; inbox: {[t.task_spec for t in self.inbox(user)]}"
        assert len(found) == 1
        return found[0]

    def work(self, user: str, spec: str, data: dict[str, Any]) -> InstanceView:
        """Complete the task from the user's own inbox, after dropping every warm workflow so
        that each step starts from the serialized state (the round trip a restart would make)."""
        self.view = complete_cold(self.desk, self.task(user, spec), user, data)
        return self.view

    @property
    def status(self) -> str:
        return self.desk.runtime.get_instance(self.id).status

    def events(self, type_: str) -> list[dict[str, Any]]:
        return [_payload(e) for e in self.desk.history.events(self.id) if e.type == type_]

    def service_results(self, operator: str) -> list[Any]:
        return [p["result"] for p in self.events("service_result") if p["operator"] == operator]

    def final_data(self) -> dict[str, Any]:
        completed = self.events("instance_completed")
        assert completed, "the case has not completed"
        return dict(completed[-1]["data"])


def _payload(event: Any) -> dict[str, Any]:
    payload = event.payload
    return json.loads(payload) if isinstance(payload, str) else dict(payload)


# -- the stages, as the staff of the demo organisation work them -------------------------------

CUSTOMER = {"customer_name": "王小明 Wang Xiaoming", "mobile": "+86 138 0000 0001", "email": "wang@example.com"}
FULL_MATERIALS = ["application_form", "identity_document", "contract"]
DEPARTMENT_STAFF = {"sales": ("sam", "sue"), "procurement": ("pat", "peg"),
                    "finance": ("fay", "fred"), "general": ("gus", "gil")}


def consult_and_apply(desk: Casedesk, business_type: str = "sales") -> Case:
    """R-2.1.1: a question answered on the spot by a customer who then applies."""
    case = Case.open(desk)
    case.work("ivy", "receive_consultation", {
        "customer_name": CUSTOMER["customer_name"], "business_type": business_type,
        "question": "How do I order? 如何下單？", "answered_now": True,
        "answer": "Fill in the application. 填寫申請表。", "wants_to_apply": True})
    return case


def application_data(business_type: str = "sales", channel: str = "email", **changes: Any) -> dict[str, Any]:
    data = {**CUSTOMER, "preferred_channel": channel, "business_type": business_type,
            "title": "Order 500 units 訂購500件", "description": "Delivery in December. 十二月交貨。",
            "materials": list(FULL_MATERIALS)}
    data.update(changes)
    return data


def case_at_prereview(desk: Casedesk, business_type: str = "sales", channel: str = "email") -> Case:
    """R-2.1.2: applied with complete materials; the intake clerk's pre-review is next."""
    case = consult_and_apply(desk, business_type)
    case.work("ivy", "fill_application", application_data(business_type, channel))
    return case


def accept(case: Case) -> Case:
    """R-2.1.3: the intake clerk finds the materials complete and accepts the case."""
    case.work("ivy", "prereview_materials", {"missing_items": [], "review_remarks": ""})
    return case


def accepted_case(desk: Casedesk, business_type: str = "sales", channel: str = "email") -> Case:
    """R-2.1.2, R-2.1.3: applied with complete materials and accepted."""
    return accept(case_at_prereview(desk, business_type, channel))


def handled_case(desk: Casedesk, business_type: str = "sales", channel: str = "email") -> Case:
    """R-2.2: accepted and handled by the assigned department without a problem."""
    case = accepted_case(desk, business_type, channel)
    handler, _head = DEPARTMENT_STAFF[business_type]
    case.work(handler, "handle_case", {"outcome": "done", "result": "Contract signed. 合同已簽訂。"})
    return case
