"""Horizontal bar charts as plain geometry; templates draw them as inline SVG (no JavaScript)."""
from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH, BAR_WIDTH, ROW_HEIGHT = 330, 360, 28


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH

    @property
    def width(self) -> int:
        return self.label_width + self.bar_width + 80


def bar_chart(values: list[tuple[str, float]], unit: str, maximum: float | None = None) -> BarChart:
    top = maximum if maximum is not None else max((v for _, v in values), default=0.0)
    bars = []
    for index, (label, value) in enumerate(values):
        width = 0.0 if top <= 0 else BAR_WIDTH * min(value, top) / top
        text = f"{value:.0f}{unit}" if unit in ("", "%") else f"{value:.1f} {unit}"
        bars.append(Bar(label, value, text, index * ROW_HEIGHT, round(width, 1)))
    return BarChart(bars, max(len(bars), 1) * ROW_HEIGHT)


def duration_unit(longest_seconds: float) -> tuple[float, str]:
    """Seconds per unit and its short name, so the longest bar reads as a sensible number."""
    if longest_seconds < 2 * 3600:
        return 60.0, "min"
    if longest_seconds < 72 * 3600:
        return 3600.0, "h"
    return 86400.0, "d"
