"""ISO 8601 due times counted from the step's clock, and deploy-time checks of timers and retry policies."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions.timer import DurationTimerEventDefinition, TimeDateEventDefinition

from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.errors import InvalidInput
from engine.isotime import add, due_after, parse_cycle, parse_duration, parse_instant, parse_retry_policy
from engine.definitions.timer_events import StepStartCycle
from engine.jobs.timer_starts import StartTimer, occurrence
from engine.definitions.validation import validate_bundle

UTC = timezone.utc
START = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


def test_months_follow_the_calendar() -> None:
    assert add(START, parse_duration("P1M")) == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    assert add(START, parse_duration("P1M"), 2) == datetime(2026, 3, 31, 9, 0, tzinfo=UTC)


def test_a_duration_counts_from_the_given_moment_and_an_instant_stands_alone() -> None:
    assert due_after("PT90M", START) == START + timedelta(minutes=90)
    assert due_after("2026-02-01T08:00:00+08:00", START) == datetime(2026, 2, 1, 0, 0, tzinfo=UTC)
    assert parse_instant("2026-02-01") == datetime(2026, 2, 1, tzinfo=UTC)  # no offset: UTC


def test_cycles_anchored_or_counted_from_the_start() -> None:
    weekly = parse_cycle("R/2026-01-05T09:00:00+08:00/P7D", START)
    assert weekly.repetitions is None
    assert weekly.first_after(START) == (4, datetime(2026, 2, 2, 1, 0, tzinfo=UTC))
    assert parse_cycle("R3/PT1H", START).first == START + timedelta(hours=1)
    limited = parse_cycle("R2/2026-01-01T00:00:00Z/P1D", START)
    assert limited.first_after(START) is None  # both repetitions lie before START


@pytest.mark.parametrize("text", ["P", "PT", "3 days", "P-1D", "R/P1D/P2D/P3D"])
def test_bad_timer_text_is_refused_with_its_value_named(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_cycle(text, START) if text.startswith("R") else parse_duration(text)
    assert repr(text.split("/")[0]) in str(refused.value) or text in str(refused.value)


def test_retry_policy_doubles_its_delay() -> None:
    policy = parse_retry_policy("R3/PT1M")
    assert policy.retries == 3
    assert [policy.delay(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    with pytest.raises(InvalidInput):
        parse_retry_policy("three times")


def test_deploy_refuses_unparseable_timers_and_retry_policies() -> None:
    periodic = collect_files(PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "timer_start")["periodic.bpmn"]
    flaky = collect_files(PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "retries")["flaky.bpmn"]
    assert validate_bundle({"p.bpmn": periodic}, set()) == []

    problems = validate_bundle({"p.bpmn": periodic.replace(b"/P7D", b"/P7X")}, set())
    assert [(p.element_id, p.message) for p in problems] == [
        ("every_monday", "timer expression: not an ISO 8601 duration: 'P7X'. Write it as an ISO 8601 date, duration or "
                         "cycle in quotes, for example \"P3D\".")]
    problems = validate_bundle({"p.bpmn": periodic.replace(b'"R/2026-01-05T09:00:00Z/P7D"', b"weekly")}, set())
    assert "must be a quoted ISO 8601 text" in problems[0].message
    problems = validate_bundle({"f.bpmn": flaky.replace(b"R2/PT1M", b"twice")}, {"send_notice"})
    assert [(p.element_id, p.message) for p in problems] == [
        ("send", "property 'retry': a retry policy reads like R3/PT1M, not 'twice'. Correct the task's retry property, "
                 "for example R3/PT1M (three retries, the first after a minute).")]


@pytest.mark.parametrize("kind, value, expected", [
    (TimeDateEventDefinition, "2026-03-01T00:00:00Z", [datetime(2026, 3, 1, tzinfo=UTC), None]),
    (DurationTimerEventDefinition, "P2D", [START + timedelta(days=2), None]),
    (StepStartCycle, "R2/PT12H", [START + timedelta(hours=12), START + timedelta(hours=24), None]),
    (StepStartCycle, "R/2026-01-01T09:00:00Z/P1M", [datetime(2026, 2, 1, 9, tzinfo=UTC),
                                                    datetime(2026, 3, 1, 9, tzinfo=UTC),
                                                    datetime(2026, 4, 1, 9, tzinfo=UTC)]),
])
def test_timer_start_occurrences_count_from_the_deployment(kind: type, value: str,
                                                             expected: list[datetime | None]) -> None:
    timer = StartTimer("start", kind, value)
    assert [occurrence(timer, START, index) for index in range(len(expected))] == expected
