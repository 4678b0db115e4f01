"""The engine's own refusals read in the requester's language on the error page, the task page and the API: a task in
a group the actor is not in (403, the task's name and the group's title in the reader's words), an instance no longer
running (409, its state in the reader's words), a task that does not exist (404); logs, events and the command line
keep the English sentence."""
from __future__ import annotations

import pytest
from flask import Flask

from engine.bootstrap import Casedesk
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.group_titles import GroupTitles
from tests.web.conftest import Scenario
from tests.web.test_casework_refusal_language import worded


def test_a_task_of_another_group_is_a_403_naming_task_and_group_in_the_readers_words(app: Casedesk,
                                                                                     web: Flask) -> None:
    GroupTitles(app.db).set_titles("reviewer", {"en": "Reviewers", "zh-Hans": "审核组", "zh-Hant": "審核組"})
    view = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="u_clerk")
    view = app.runtime.complete_task(view.ready_tasks[0].id, {"body": "Text"}, actor="u_clerk")
    task = view.ready_tasks[0]  # the review, the reviewers' to do
    with pytest.raises(Forbidden) as caught:
        app.runtime.complete_task(task.id, {"approved": True}, actor="alice")
    assert str(caught.value) == f"alice is not in group 'reviewer' of task '{task.title}'" == \
        "alice is not in group 'reviewer' of task 'Review the document'"
    assert worded(web, caught.value) == {  # English keeps the sentence as logged, the group's code in it
        "zh-CN": (403, "alice 不在任务“审核文件”的组“审核组”中"), "zh-TW": (403, "alice 不在任務「審核文件」的組「審核組」中"),
        "en": (403, "alice is not in group 'reviewer' of task 'Review the document'")}


def test_a_cancelled_instance_is_a_409_naming_its_state_in_the_readers_language(app: Casedesk, web: Flask) -> None:
    case = Scenario(app)
    app.runtime.cancel_instance(case.instance_id, actor="u_clerk")
    with pytest.raises(Conflict) as caught:
        app.runtime.cancel_instance(case.instance_id, actor="u_clerk")
    assert worded(web, caught.value) == {
        "zh-CN": (409, f"实例 {case.instance_id} 已取消"), "zh-TW": (409, f"實例 {case.instance_id} 已取消"),
        "en": (409, f"instance {case.instance_id} is cancelled")}
    with pytest.raises(Conflict) as caught:
        app.runtime.claim_task(case.task_id, actor="u_reviewer")
    assert worded(web, caught.value) == {
        "zh-CN": (409, f"任务 {case.task_id} 已不再待办"), "zh-TW": (409, f"任務 {case.task_id} 已不再待辦"),
        "en": (409, f"task {case.task_id} is no longer ready")}


def test_a_missing_task_is_a_404_in_the_readers_language(app: Casedesk, web: Flask) -> None:
    with pytest.raises(NotFound) as caught:
        app.runtime.claim_task("no-such-task", actor="u_reviewer")
    assert worded(web, caught.value) == {"zh-CN": (404, "没有任务 no-such-task"), "zh-TW": (404, "沒有任務 no-such-task"),
                                         "en": (404, "no task no-such-task")}


def test_a_handover_to_someone_outside_the_group_is_a_422_in_the_readers_words(app: Casedesk, web: Flask) -> None:
    GroupTitles(app.db).set_titles("reviewer", {"en": "Reviewers", "zh-Hans": "审核组", "zh-Hant": "審核組"})
    case = Scenario(app, claimed=True)
    with pytest.raises(InvalidInput) as caught:
        app.handover.delegate(case.task_id, "alice", actor="u_reviewer")
    assert worded(web, caught.value) == {
        "zh-CN": (422, "alice 不在任务“审核文件”的组“审核组”中"), "zh-TW": (422, "alice 不在任務「審核文件」的組「審核組」中"),
        "en": (422, "alice is not in group 'reviewer' of task 'Review the document'")}
    with pytest.raises(InvalidInput) as caught:
        app.handover.delegate(case.task_id, "u_reviewer", actor="u_reviewer")
    assert worded(web, caught.value)["zh-CN"] == (422, "请选择一位同事，而不是您自己")
