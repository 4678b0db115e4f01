"""Scripts written for SpiffWorkflow find datetime, date and timedelta, and read the step's recorded clock."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from engine.sandbox.clock_names import clock_names
from engine.sandbox.policy import SandboxEnvironment, check_script

STEP = datetime(2026, 3, 31, 23, 30, tzinfo=timezone.utc)


def run(script: str, data: dict | None = None) -> dict:
    context = dict(data or {})
    SandboxEnvironment().execute(script, context, clock_names(STEP))
    return context


def test_now_and_today_are_the_step_clock() -> None:
    data = run("a = datetime.now()\nb = date.today()\nc = datetime.utcnow()\nd = datetime.today()\ne = now()")
    assert data == {"a": STEP, "b": date(2026, 3, 31), "c": datetime(2026, 3, 31, 23, 30), "d": STEP, "e": STEP}


def test_values_a_script_makes_are_plain_datetimes() -> None:
    data = run("a = datetime(2026, 1, 2, 3)\nb = datetime.fromisoformat('2026-01-02')\nc = date(2026, 5, 1)\n"
               "d = datetime.now() + timedelta(days=1)\ne = date.today() - timedelta(weeks=1)\n"
               "f = isinstance(a, datetime) and isinstance(c, date) and not isinstance(1, datetime)")
    assert [type(data[k]) for k in "abcde"] == [datetime, datetime, date, datetime, date]
    assert data["d"] == STEP + timedelta(days=1) and data["e"] == date(2026, 3, 24) and data["f"] is True


def test_the_real_classes_behind_the_names_stay_out_of_reach() -> None:
    # The stand-ins' base classes would read the wall clock; dunder access and type() are refused at deploy.
    assert check_script("real = datetime.__bases__[0].now()")
    assert check_script("real = type(datetime.now()).now()")
    assert check_script("real = datetime._real_type.now()")


def test_task_data_named_like_a_clock_name_keeps_its_value() -> None:
    from types import SimpleNamespace

    from engine.sandbox.scripting import CasedeskScriptEngine

    engine = CasedeskScriptEngine(SandboxEnvironment(), lambda *args: None, STEP)
    meeting = SimpleNamespace(data={"date": "2026-05-01"})
    assert "date" not in engine._names_for(meeting)  # type: ignore[arg-type]
    assert engine._names_for(SimpleNamespace(data={}))["date"].today() == date(2026, 3, 31)  # type: ignore[arg-type]
    assert "now" in engine._names_for(SimpleNamespace(data={"now": 1}))  # type: ignore[arg-type]  # as before


def test_code_naming_no_clock_name_gets_none_and_code_naming_one_gets_all() -> None:
    from types import SimpleNamespace

    from engine.sandbox.scripting import CasedeskScriptEngine

    engine = CasedeskScriptEngine(SandboxEnvironment(), lambda *args: None, STEP)
    task = SimpleNamespace(data={"decision": "approve"})
    assert engine._names_for(task, "decision == 'approve'") == {}  # type: ignore[arg-type]
    assert set(engine._names_for(task, "due = now() + timedelta(days=3)")) == {  # type: ignore[arg-type]
        "now", "datetime", "date", "timedelta"}
    # Python reads ｎｏｗ as now (NFKC): the full-width spelling gets the names too.
    assert "now" in engine._names_for(task, "due = ｎｏｗ()")  # type: ignore[arg-type]
    # Data holding `now` is refused by every script, as before, whether or not the script names it.
    assert "now" in engine._names_for(SimpleNamespace(data={"now": 1}), "x = 1")  # type: ignore[arg-type]


def test_a_full_width_clock_name_reads_the_step_clock() -> None:
    from types import SimpleNamespace

    from engine.sandbox.scripting import CasedeskScriptEngine

    engine = CasedeskScriptEngine(SandboxEnvironment(), lambda *args: None, STEP)
    task = SimpleNamespace(data={}, task_spec=SimpleNamespace(name="t", bpmn_id="t"))
    assert engine.environment.evaluate("ｎｏｗ()", {}, engine._names_for(task, "ｎｏｗ()")) == STEP  # type: ignore[arg-type]
