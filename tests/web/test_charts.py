"""Report charts: bars scale to the largest value (or a fixed maximum) and durations pick a readable unit."""
from __future__ import annotations

from web.charts import BAR_WIDTH, bar_chart, duration_unit


def test_bars_scale_to_the_largest_value_and_a_percentage_to_100() -> None:
    chart = bar_chart([("Intake", 2.0), ("Processing", 4.0)], unit="")
    assert [b.width for b in chart.bars] == [BAR_WIDTH / 2, BAR_WIDTH]
    assert [b.text for b in chart.bars] == ["2", "4"]
    rate = bar_chart([("Processing", 50.0)], unit="%", maximum=100.0)
    assert rate.bars[0].width == BAR_WIDTH / 2 and rate.bars[0].text == "50%"
    assert bar_chart([], unit="").bars == []


def test_durations_are_shown_in_minutes_hours_or_days() -> None:
    assert duration_unit(30 * 60) == (60.0, "min")
    assert duration_unit(5 * 3600) == (3600.0, "h")
    assert duration_unit(10 * 86400) == (86400.0, "d")
