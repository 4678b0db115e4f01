"""Lists with nothing in them say so: a captioned table keeps its caption and headings with the message under
them, an uncaptioned one gives way to the message (the one list_table macro of the inbox, training and risk pages)."""
from __future__ import annotations

from flask import Flask

from casework.demo_org import seed_demo_org
from engine.bootstrap import Casedesk
from tests.web.conftest import PASSWORD, LoginAs, signed_in


def test_an_empty_risk_register_says_so_in_place_of_its_tables(login_as: LoginAs) -> None:
    html = login_as("admin").get("/risk").get_data(as_text=True)
    warnings = html.split('id="open-warnings"')[1].split("</section>")[0]
    risks = html.split('id="risks"')[1].split("</section>")[0]
    assert '<p class="empty">No open warnings.</p>' in warnings and "<table" not in warnings
    assert '<p class="empty">The register is empty' in risks and "<table" not in risks
    indicators = html.split('id="indicators"')[1].split("</section>")[0]  # the monitored indicators are listed
    assert '<th scope="col">Threshold</th>' in indicators and 'name="threshold"' in indicators


def test_an_empty_training_page_keeps_each_captioned_table_with_its_message(app: Casedesk, web: Flask) -> None:
    seed_demo_org(app.db, app.clock, PASSWORD)
    html = signed_in(web, "leo").get("/training").get_data(as_text=True)
    plans = html.split('id="training-plans"')[1].split("</section>")[0]
    assert "<caption>Training plans</caption>" in plans and '<th scope="col">Budget</th>' in plans
    assert '<tr><td colspan="10">No training plans yet.</td></tr>' in plans
    assert '<td colspan="9">No career plans yet.</td>' in html and "No training records yet." in html


def test_an_empty_inbox_says_no_task_matches(login_as: LoginAs) -> None:
    html = login_as("clerk").get("/inbox").get_data(as_text=True)
    assert '<p class="empty">No tasks match.</p>' in html and 'class="list inbox"' not in html
