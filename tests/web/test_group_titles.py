"""Staff read group names in their language, never group codes (issue 13, item 6); administrators
rename groups per language on the users page; the demo organisation names its groups."""
from __future__ import annotations

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from casework.demo_org import GROUP_TITLES, seed_demo_org
from engine.group_titles import GroupTitles
from tests.web.conftest import LoginAs, Scenario


def test_an_administrator_names_a_group_and_staff_read_that_name_in_their_language(
        app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    admin = login_as("admin")
    answer = admin.post("/admin/groups/reviewer/titles",
                        data={"title_en": "Document reviewers", "title_zh-Hans": "文件审核组", "title_zh-Hant": "文件審核組"})
    assert answer.status_code == 302
    reviewer = login_as("reviewer")
    page = reviewer.get(f"/tasks/{scenario.task_id}").get_data(as_text=True)
    assert "Document reviewers" in page and "Group: reviewer" not in page
    assert "Document reviewers" in reviewer.get("/inbox").get_data(as_text=True)
    reviewer.get("/language/zh_Hans")
    assert "文件审核组" in reviewer.get(f"/tasks/{scenario.task_id}").get_data(as_text=True)
    reviewer.get("/language/zh_Hant")
    assert "文件審核組" in reviewer.get(f"/tasks/{scenario.task_id}").get_data(as_text=True)


def test_a_group_name_too_long_or_for_no_group_is_refused_and_nothing_changes(app: Casedesk, login_as: LoginAs) -> None:
    admin = login_as("admin")
    assert admin.post("/admin/groups/reviewer/titles", data={"title_en": "x" * 201}).status_code == 422
    assert admin.post("/admin/groups/nobody/titles", data={"title_en": "Ghosts"}).status_code == 404
    assert GroupTitles(app.db).all()["reviewer"] == {"en": "", "zh-Hans": "", "zh-Hant": ""}


def test_a_group_without_a_title_reads_as_its_english_title_or_its_code(app: Casedesk) -> None:
    titles = GroupTitles(app.db)
    titles.set_titles("reviewer", {"en": "Reviewers"})
    assert titles.title("reviewer", "zh-Hans") == "Reviewers"
    assert titles.title("clerk", "zh-Hans") == "clerk"


def test_the_demo_organisation_names_every_group_it_creates_and_keeps_an_administrators_names(
        app: Casedesk, clock: FakeClock) -> None:
    seeded = seed_demo_org(app.db, clock, "demo-pass-2026")
    groups = {name for _user, names in seeded for name in names}
    titles = GroupTitles(app.db)
    assert groups <= set(GROUP_TITLES)
    assert titles.title("sales_head", "zh-Hans") == "销售部主管" and titles.title("sales_head", "zh-Hant") == "銷售部主管"
    titles.set_titles("sales", {"en": "Sales department"})
    seed_demo_org(app.db, clock, "demo-pass-2026")
    assert GroupTitles(app.db).title("sales", "en") == "Sales department"


def test_the_start_page_names_who_starts_a_process_by_group_title_not_by_key(app: Casedesk, login_as: LoginAs) -> None:
    GroupTitles(app.db).set_titles("clerk", {"en": "Document clerks", "zh-Hans": "文件起草人"})
    clerk = login_as("clerk")
    page = clerk.get("/start").get_data(as_text=True)
    assert "Document clerks" in page and "document_review ·" not in page
    clerk.get("/language/zh_Hans")
    assert "文件起草人" in clerk.get("/start").get_data(as_text=True)
