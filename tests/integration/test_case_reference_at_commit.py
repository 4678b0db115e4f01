"""A start takes its case reference when its transaction commits: the day's counter is locked for the
commit only, not for the whole step, and a start that rolls back still takes no number (gap-free)."""
from __future__ import annotations

import pytest
from sqlalchemy import Connection, insert, select

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.runtime.references import SERIES, assign_reference, references_of
from engine.sequences import SEQUENCES


def _counter(conn: Connection, day: str) -> int | None:
    return conn.execute(select(SEQUENCES.c.last).where(SEQUENCES.c.series == SERIES,
                                                       SEQUENCES.c.period == day)).scalar()


def test_the_days_counter_is_untouched_until_the_start_commits(app: Casedesk, clock: FakeClock) -> None:
    day = clock.now().strftime("%Y%m%d")
    with app.db.transaction() as conn:
        assign_reference(conn, "first-instance", clock.now())
        assign_reference(conn, "second-instance", clock.now())
        assert _counter(conn, day) is None  # nothing locked while the step still runs
    with app.db.reading() as conn:
        assert references_of(conn, ["first-instance", "second-instance"]) == {
            "first-instance": f"C-{day}-0001", "second-instance": f"C-{day}-0002"}
        assert _counter(conn, day) == 2


def test_a_start_that_rolls_back_after_asking_takes_no_number(app: Casedesk, clock: FakeClock) -> None:
    day = clock.now().strftime("%Y%m%d")
    with pytest.raises(RuntimeError), app.db.transaction() as conn:
        assign_reference(conn, "rolled-back", clock.now())
        raise RuntimeError("the step failed")
    started = app.runtime.start_instance("document_review", {"title": "Kept"}, actor="alice")
    with app.db.reading() as conn:
        assert references_of(conn, ["rolled-back", started.id]) == {started.id: f"C-{day}-0001"}


def test_the_ten_thousandth_case_of_a_day_gets_five_digits(app: Casedesk, clock: FakeClock) -> None:
    day = clock.now().strftime("%Y%m%d")
    with app.db.transaction() as conn:
        conn.execute(insert(SEQUENCES).values(series=SERIES, period=day, last=9998))
    with app.db.transaction() as conn:
        assign_reference(conn, "9999th", clock.now())
        assign_reference(conn, "10000th", clock.now())
    with app.db.reading() as conn:
        assert references_of(conn, ["9999th", "10000th"]) == {"9999th": f"C-{day}-9999", "10000th": f"C-{day}-10000"}
