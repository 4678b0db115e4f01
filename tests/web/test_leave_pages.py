"""Leave in the browser (R-3.1): the absent person's inbox says they are on leave, a head sees the open tasks
of a group whose members are all away and takes one over, nobody is offered an absent colleague, and the
leave page lists one's own requests and, for a head, who is away."""
from __future__ import annotations

import re
from datetime import date
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.acceptance.leave_desk import PASSWORD, LeaveDesk, leave_desk  # noqa: F401  (fixture)
from web.app import create_app

MONDAY, FRIDAY = date(2026, 3, 2), date(2026, 3, 6)


@pytest.fixture
def site(leave_desk: LeaveDesk) -> Iterator[Flask]:
    yield create_app({"TESTING": True, "CASEDESK": leave_desk.app, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})


def sign_in(site: Flask, username: str, language: str = "en") -> FlaskClient:
    client = site.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def away(desk: LeaveDesk, *people: str) -> None:
    for person in people:
        desk.decide(desk.request(person, MONDAY, FRIDAY), "cleo")


def test_r_3_1_the_inbox_of_someone_on_leave_says_so_in_their_language(site: Flask, leave_desk: LeaveDesk) -> None:
    assert "on-leave" not in page(sign_in(site, "alice"), "/inbox")
    away(leave_desk, "alice")
    inbox = page(sign_in(site, "alice"), "/inbox")
    assert "You are on leave until 2026-03-06." in inbox and "data-on-leave=" in inbox
    chinese = page(sign_in(site, "alice", "zh-Hans"), "/inbox")
    assert "您正在休假，至 2026-03-06 止。" in chinese and "You are on leave" not in chinese
    assert "on-leave" not in page(sign_in(site, "bob"), "/inbox")


def test_r_3_1_a_head_sees_the_tasks_of_a_group_all_away_and_works_one(site: Flask, leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    draft = desk.draft_held_by("alice")
    away(desk, "alice")
    cleo = sign_in(site, "cleo")
    assert "all-absent" not in page(cleo, "/inbox")  # bob is still at work

    away(desk, "bob")
    inbox = page(cleo, "/inbox")
    assert "All members of clerk are absent (alice, bob)" in inbox
    assert f'data-task="{draft.id}"' in inbox and "Take over" in inbox
    assert "所有" not in inbox
    chinese = page(sign_in(site, "cleo", "zh-Hant"), "/inbox")
    assert "的成員全部休假（alice, bob）" in chinese and "接手" in chinese

    taken = cleo.post(f"/tasks/{draft.id}/reassign", data={"to": "cleo", "next": "/inbox"})
    assert taken.status_code == 302 and taken.headers["Location"] == "/inbox"
    assert "claimed by cleo" in page(cleo, "/inbox")
    assert 'name="body"' in page(cleo, f"/tasks/{draft.id}")
    done = cleo.post(f"/tasks/{draft.id}", data={"body": "Prices for 2026"})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    assert desk.ready(draft.instance_id) == ["review"]


def test_r_3_1_an_absent_colleague_is_not_offered_and_is_refused(site: Flask, leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    draft = desk.draft_held_by("bob")
    desk.app.users.add_user("amy", PASSWORD, ["staff", "clerk"])
    away(desk, "alice")
    bob = sign_in(site, "bob")
    task_page = page(bob, f"/tasks/{draft.id}")
    assert '<option value="amy">' in task_page and '<option value="alice">' not in task_page
    refused = bob.post(f"/tasks/{draft.id}/delegate", data={"to": "alice"})
    assert refused.status_code == 422
    assert "alice is on leave until 2026-03-06" in refused.get_data(as_text=True)
    assert desk.task(draft.instance_id, "draft").assignee == "bob"


def test_r_3_1_someone_on_leave_is_offered_no_group_task_and_cannot_claim_one(site: Flask,
                                                                             leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    desk.app.runtime.start_instance("document_review", {"title": "Price list"}, actor="bob")
    [draft] = [t for t in desk.app.runtime.list_tasks(user="bob") if t.task_spec == "draft"]
    assert f'data-task="{draft.id}"' in page(sign_in(site, "alice"), "/inbox")
    away(desk, "alice")
    alice = sign_in(site, "alice", "zh-Hans")
    assert f'data-task="{draft.id}"' not in page(alice, "/inbox")
    refused = alice.post(f"/tasks/{draft.id}/claim", data={})
    assert refused.status_code == 409
    assert "您正在休假，至 2026-03-06 止，休假期间不能认领任务" in refused.get_data(as_text=True)
    api = site.test_client()
    token = api.post("/api/v1/auth/tokens", json={"username": "alice", "password": PASSWORD})
    assert token.status_code == 201, token.get_data(as_text=True)
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    answer = api.post(f"/api/v1/tasks/{draft.id}/claim", headers=bearer)
    assert answer.status_code == 409
    assert "alice is on leave until 2026-03-06" in answer.get_json()["error"]["message"]
    assert desk.task(draft.instance_id, "draft").assignee is None
    assert f'data-task="{draft.id}"' in page(sign_in(site, "bob"), "/inbox")


def test_r_3_1_a_claim_refused_while_away_is_said_on_the_task_page_which_offers_no_claim(site: Flask,
                                                                                        leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    started = desk.app.runtime.start_instance("document_review", {"title": "Price list"}, actor="bob")
    draft = desk.task(started.id, "draft")
    claim_button = f'formaction="/tasks/{draft.id}/claim"'
    assert claim_button in page(sign_in(site, "alice"), f"/tasks/{draft.id}")
    away(desk, "alice")
    alice = sign_in(site, "alice", "zh-Hant")
    shown = page(alice, f"/tasks/{draft.id}")
    assert "休假期間不能認領或完成此任務" in shown and claim_button not in shown
    assert claim_button in page(sign_in(site, "bob"), f"/tasks/{draft.id}")  # at work, bob may claim it

    # A claim posted anyway (a tab opened before the leave began) comes back to the task page, not to a page
    # telling of someone faster; the way back to work names the inbox as the menu does (待辦).
    refused = alice.post(f"/tasks/{draft.id}/claim", data={"next": f"/tasks/{draft.id}"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "休假期間不能認領任務" in text and "待辦中的任務「取消或縮短休假」" in text and "收件箱" not in text
    assert 'name="body"' in text and claim_button not in text
    assert "已被他人搶先處理" not in text and "已被他人更改" not in text
    assert desk.task(started.id, "draft").assignee is None


def test_r_3_1_someone_on_leave_cannot_complete_a_group_task_nobody_holds(site: Flask, leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    started = desk.app.runtime.start_instance("document_review", {"title": "Price list"}, actor="bob")
    draft = desk.task(started.id, "draft")
    away(desk, "alice")
    events = len(desk.app.history.events(started.id))

    alice = sign_in(site, "alice", "zh-Hans")
    assert "您正在休假，至 2026-03-06 止：休假期间不能认领或完成此任务。" in page(alice, f"/tasks/{draft.id}")
    assert "while away you cannot" not in page(sign_in(site, "bob"), f"/tasks/{draft.id}")
    refused = alice.post(f"/tasks/{draft.id}", data={"body": "typed while away 休假中"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409, text.split("<main")[-1][:800]
    assert "您正在休假（年假），至 2026-03-06 止" in text and "You are on leave" not in text
    assert "typed while away 休假中" in text  # what she typed is kept on the page
    english = sign_in(site, "alice").post(f"/tasks/{draft.id}", data={"body": "again"})
    assert english.status_code == 409
    assert "You are on leave (Annual leave) until 2026-03-06" in english.get_data(as_text=True)

    api = site.test_client()
    token = api.post("/api/v1/auth/tokens", json={"username": "alice", "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    answer = api.post(f"/api/v1/tasks/{draft.id}/complete", headers=bearer, json={"data": {"body": "by API"}})
    assert answer.status_code == 409, answer.get_json()
    assert "alice is on leave until 2026-03-06" in answer.get_json()["error"]["message"]

    desk.app.runtime.warm.clear()
    assert desk.task(started.id, "draft").assignee is None and desk.ready(started.id) == ["draft"]
    assert len(desk.app.history.events(started.id)) == events  # nothing stored
    # Bob, at work, completes it from the same page.
    assert sign_in(site, "bob").post(f"/tasks/{draft.id}", data={"body": "Prices"}).status_code == 302
    assert desk.ready(started.id) == ["review"]


def test_r_3_1_the_cover_reads_in_their_inbox_whom_they_cover_for(site: Flask, leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    draft = desk.draft_held_by("alice")
    desk.decide(desk.request("alice", MONDAY, FRIDAY, cover="bob"), "cleo")
    inbox = page(sign_in(site, "bob"), "/inbox")
    assert 'data-covering="alice"' in inbox and f'data-task="{draft.id}"' in inbox
    assert ("You cover for alice, on leave until 2026-03-06. Handed to you when the leave began: Draft the document."
            in inbox)
    chinese = page(sign_in(site, "bob", "zh-Hant"), "/inbox")
    assert "您正在代理 alice 的工作（休假至 2026-03-06）。" in chinese and "休假開始時交給您的任務：" in chinese
    assert "You cover" not in chinese
    assert "went to the colleague covering for you" in page(sign_in(site, "alice"), "/inbox")
    assert "data-covering" not in page(sign_in(site, "cleo"), "/inbox")


def test_r_3_1_the_cover_note_reads_as_chinese_sentences_listing_every_task_handed_over(
        site: Flask, leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    for _ in range(2):
        desk.draft_held_by("alice")
    desk.decide(desk.request("alice", MONDAY, FRIDAY, cover="bob"), "cleo")
    chinese = page(sign_in(site, "bob", "zh-Hant"), "/inbox")
    # One sentence after the other with no space between, the tasks listed with 、 (not an English comma).
    assert "您正在代理 alice 的工作（休假至 2026-03-06）。休假開始時交給您的任務：起草文件、起草文件。" in chinese
    english = page(sign_in(site, "bob"), "/inbox")
    assert ("You cover for alice, on leave until 2026-03-06. Handed to you when the leave began: Draft the document, "
            "Draft the document.") in english


def test_r_3_1_someone_on_leave_ends_it_from_their_inbox_and_works_again(site: Flask, leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    draft = desk.draft_held_by("alice")
    away(desk, "alice")
    alice = sign_in(site, "alice", "zh-Hant")
    inbox = page(alice, "/inbox")
    assert "取消或縮短休假" in inbox and f'data-task="{draft.id}"' not in inbox
    [change] = [t for t in desk.app.runtime.list_tasks(user="alice") if t.task_spec == "change_during"]
    form = page(alice, f"/tasks/{change.id}")
    assert "提前結束休假" in form and "新的請假結束日期" in form and "End the leave earlier" not in form
    sent = alice.post(f"/tasks/{change.id}", data={"leave_change": "cancel", "new_last_day": ""})
    assert sent.status_code == 302, sent.get_data(as_text=True).split("<main")[-1][:800]
    inbox = page(alice, "/inbox")
    assert "on-leave" not in inbox and f'data-task="{draft.id}"' in inbox  # her draft came back to her
    assert desk.task(draft.instance_id, "draft").assignee == "alice"
    assert "Ended early" in page(sign_in(site, "alice"), "/leave")


def test_r_3_1_the_leave_page_lists_my_requests_and_who_is_away_in_my_groups(site: Flask,
                                                                            leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    away(desk, "alice", "bob")
    later = desk.request("alice", date(2026, 4, 1), date(2026, 4, 3), leave_type="marriage")
    desk.decide(later, "cleo", "reject", "quarter-end closing")

    mine = page(sign_in(site, "alice"), "/leave")
    assert "Request leave" in mine and 'action="/start/leave_request"' in mine
    assert "Approved · <strong>away now</strong>" in mine
    assert "Marriage leave" in mine and "Not approved: amend or withdraw" in mine and "quarter-end closing" in mine
    assert "Who is away in the groups I lead" not in mine
    assert mine.count("My leave requests") == 1  # the heading names the table once, with no caption repeating it
    assert '<h2 id="my-leave">My leave requests</h2>' in mine and 'aria-labelledby="my-leave"' in mine

    head = page(sign_in(site, "cleo"), "/leave")
    assert "All members of clerk are absent" in head
    assert 'data-person="alice"' in head and 'data-person="bob"' in head
    assert "You have asked for no leave yet." in head
    assert page(sign_in(site, "cleo", "zh-Hans"), "/leave").count("正在休假") == 2

    start = sign_in(site, "sam").post("/start/leave_request", data={})
    assert start.status_code == 302 and "/tasks/" in start.headers["Location"]


def test_r_3_1_leave_is_requested_and_approved_through_the_task_pages(site: Flask, leave_desk: LeaveDesk) -> None:
    sam = sign_in(site, "sam", "zh-Hans")
    started = sam.post("/start/leave_request", data={})
    form_url = started.headers["Location"]
    form = page(sam, form_url)
    assert "申请请假" in form and "请假类别" in form and "年假" in form and "Kind of leave" not in form
    assert 'type="date"' in form
    sent = sam.post(form_url, data={"leave_type": "sick", "first_day": "2026-03-09", "last_day": "2026-03-10",
                                    "leave_reason": "operation 手术", "cover": "sid"})
    assert sent.status_code == 302, sent.get_data(as_text=True)[:800]

    sue = sign_in(site, "sue")
    [review] = [t for t in leave_desk.app.runtime.list_tasks(user="sue") if t.task_spec == "superior_review"]
    shown = page(sue, f"/tasks/{review.id}")
    assert "Approve the leave request" in shown and "Sick leave" in shown and "operation 手术" in shown
    assert sue.post(f"/tasks/{review.id}", data={"superior_decision": "approve", "superior_note": ""}
                    ).status_code == 302
    assert "Sick leave" in page(sign_in(site, "sam"), "/leave")
    assert leave_desk.record(review.instance_id).status == "approved"


def test_r_3_1_the_auditor_reads_the_release_at_leave_in_the_case_history(site: Flask, leave_desk: LeaveDesk) -> None:
    draft = leave_desk.draft_held_by("alice")
    away(leave_desk, "alice")
    leave_desk.app.users.add_user("aud", PASSWORD, ["auditor"])
    history = page(sign_in(site, "aud", "zh-Hant"), f"/audit/{draft.instance_id}")
    [row] = re.findall(r'<tr[^>]*data-type="task_released">.*?</tr>', history, re.S)
    assert "任務已退回組內" in row and "alice" in row


def test_r_3_1_a_leave_request_nobody_at_work_can_approve_is_shown_on_the_team_page(
        site: Flask, leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    desk.app.users.add_user("ada", PASSWORD, ["admin"])
    waiting = desk.request("sam", date(2026, 3, 16), date(2026, 3, 17))  # sam's head, sue, approves it
    assert "stalled-leave" not in page(sign_in(site, "ada"), "/team")

    desk.decide(desk.request("sue", MONDAY, FRIDAY), "leo")  # sue, the only sales head, is away all week
    team = page(sign_in(site, "ada"), "/team")
    assert f'data-leave="{waiting}"' in team
    assert ("The leave request of sam (2026-03-16 to 2026-03-17) waits for approval by sales_head, and everyone in "
            "that group is on leave (sue): nobody can approve it now.") in team
    assert "An administrator adds an approver to sales_head (a new request would go to leader)." in team
    chinese = page(sign_in(site, "sue", "zh-Hans"), "/team")  # the requester's head sees it too
    assert "sam 的请假申请（2026-03-16 至 2026-03-17）正等待" in chinese and "成员全部在休假（sue）" in chinese
    assert "现在无人能够审批。请管理员为" in chinese  # one sentence after the other, no space between them
    assert '<p class="warning stalled-leave" role="alert"' in team  # set apart from the page's text:
    assert re.search(r"^\.warning \{[^}]*background:[^}]*border", page(sign_in(site, "ada"), "/static/casedesk.css"), re.M)
    assert "nobody can approve it now. An administrator adds" in team
    assert "stalled-leave" not in page(sign_in(site, "cleo"), "/team")  # another group's head does not
    assert "nobody in sales_head is at work to approve it" in page(sign_in(site, "sam"), "/leave")

    desk.app.users.set_groups("sue", ["staff", "sales"])  # nobody is a sales head any more
    team = page(sign_in(site, "ada"), "/team")
    assert "waits for approval by sales_head, and nobody active is in that group: nobody can approve it." in team
    desk.app.users.set_groups("sid", ["staff", "sales_head"])  # a new head at work: the warning goes
    assert "stalled-leave" not in page(sign_in(site, "ada"), "/team")
    assert "stalled-leave" not in page(sign_in(site, "sam"), "/leave")
    desk.decide(waiting, "sid")
    assert desk.record(waiting).status == "approved"


def test_r_3_1_the_team_page_names_each_task_s_case_and_offers_a_reassignment_only_to_someone_at_work(
        site: Flask, leave_desk: LeaveDesk) -> None:
    from engine.runtime.references import references_of
    desk = leave_desk
    first, second = desk.draft_held_by("alice"), desk.draft_held_by("alice")
    with desk.app.db.unit_of_work(write=False) as session:
        references = references_of(session.connection(), [first.instance_id, second.instance_id])
    cleo = sign_in(site, "cleo")
    team = page(cleo, "/team")
    # Two tasks of the same name are told apart by their case numbers.
    for task in (first, second):
        row = team.split(f'data-task="{task.id}"')[1].split("</tr>")[0]
        assert f'<td class="case-number">{references[task.instance_id]}</td>' in row
        assert '<option value="bob">bob</option>' in row  # bob, at work, may be given alice's task
    away(desk, "bob")  # now alice is the only clerk at work: there is nobody else to give her tasks to
    team = page(cleo, "/team")
    row = team.split(f'data-task="{first.id}"')[1].split("</tr>")[0]
    assert 'name="to"' not in row and "Reassign" not in row and "Release the claim" in row


def test_r_3_1_nobody_is_given_the_leave_task_the_process_gave_the_requester_by_name(
        site: Flask, leave_desk: LeaveDesk) -> None:
    """Cancelling or shortening one's leave is the requester's own task: an administrator can neither hand it to a
    colleague (who could then cancel someone else's leave) nor release it to all staff."""
    from engine.access import ADMIN
    from engine.errors import Forbidden
    desk = leave_desk
    leave = desk.request("alice", MONDAY, FRIDAY)
    desk.decide(leave, "cleo")
    (change,) = desk.app.runtime.list_tasks(instance_id=leave)
    assert change.assignee == "alice"
    desk.app.users.add_user("root", PASSWORD, [ADMIN])
    root = sign_in(site, "root")
    row = page(root, "/team").split(f'data-task="{change.id}"')[1].split("</tr>")[0]
    assert "The process gave this task to alice by name" in row
    assert "Reassign" not in row and "Release the claim" not in row
    chinese = page(sign_in(site, "root", "zh-Hans"), "/team")
    assert "流程已按姓名把此任务交给 alice" in chinese
    assert root.post(f"/tasks/{change.id}/reassign", data={"to": "bob"}).status_code == 403
    assert root.post(f"/tasks/{change.id}/release").status_code == 403
    with pytest.raises(Forbidden, match="by name"):
        desk.app.handover.reassign(change.id, "bob", actor="root")
    assert [(t.id, t.assignee) for t in desk.app.runtime.list_tasks(instance_id=leave)] == [(change.id, "alice")]
    assert desk.events(leave, "task_reassigned") == [] and desk.events(leave, "task_released") == []
