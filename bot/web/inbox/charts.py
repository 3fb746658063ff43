"""Bar charts as plain geometry for server-rendered inline SVG (templates/_chart.html).

No JavaScript and no external assets: the template draws rectangles and text from these
numbers, gives the SVG a title and description, and puts the same numbers in a table.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Tuple

WIDTH = 640
CHAR_PX = 7.2       # average width of a character at the chart's font size (13px)


@dataclass
class Bar:
    label: str
    value: Optional[float]
    display: str
    full: str = ""     # the label in full (tables), when the chart shows a short one
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0
    lx: float = 0      # label position
    ly: float = 0
    vx: float = 0      # value position
    vy: float = 0


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    kind: str           # "h" (horizontal bars) or "v" (columns)
    width: int
    height: int
    bars: List[Bar] = field(default_factory=list)
    axis: Tuple[float, float, float, float] = (0, 0, 0, 0)   # x1, y1, x2, y2 of the baseline
    value_header: str = "Count"
    label_header: str = ""
    empty: bool = False


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}"


def hbar(chart_id: str, title: str, rows: Sequence[Tuple[str, Optional[float]]], *, label_header: str,
         value_header: str = "Count", max_value: Optional[float] = None,
         fmt: Callable[[Optional[float]], str] = lambda v: "no answers" if v is None else _fmt(v)) -> Chart:
    """Horizontal bars, one row per label (good for long labels)."""
    row_h, bar_h, top = 26, 16, 8
    label_w = min(260, max([len(label) for label, _ in rows] + [4]) * CHAR_PX + 12)
    value_w = 80
    plot_w = WIDTH - label_w - value_w
    top_value = max_value if max_value is not None else max([v or 0 for _, v in rows] + [0])
    height = int(top + row_h * max(1, len(rows)) + 8)
    chart = Chart(chart_id, title, _desc(title, rows, fmt), "h", WIDTH, height, value_header=value_header,
                  label_header=label_header, empty=not any((v or 0) > 0 for _, v in rows))
    for i, (label, value) in enumerate(rows):
        v = value or 0
        w = plot_w * v / top_value if top_value else 0
        y = top + i * row_h
        chart.bars.append(Bar(label, value, fmt(value), full=label, x=label_w, y=y + (row_h - bar_h) / 2,
                              w=round(w, 1), h=bar_h, lx=label_w - 8, ly=y + row_h / 2 + 4.5,
                              vx=label_w + w + 6, vy=y + row_h / 2 + 4.5))
    chart.axis = (label_w, top, label_w, height - 8)
    return chart


def vbar(chart_id: str, title: str, rows: Sequence[Tuple[str, float]], *, label_header: str,
         value_header: str = "Count", short: Optional[Callable[[str], str]] = None) -> Chart:
    """Columns, one per label (good for a time series)."""
    height, top, bottom, left = 240, 24, 40, 16
    plot_h = height - top - bottom
    n = max(1, len(rows))
    slot = (WIDTH - 2 * left) / n
    bar_w = min(40, slot * 0.6)
    top_value = max([v for _, v in rows] + [0])
    chart = Chart(chart_id, title, _desc(title, rows, _fmt), "v", WIDTH, height, value_header=value_header,
                  label_header=label_header, empty=not any(v > 0 for _, v in rows))
    for i, (label, value) in enumerate(rows):
        h = plot_h * value / top_value if top_value else 0
        cx = left + slot * i + slot / 2
        chart.bars.append(Bar(short(label) if short else label, value, _fmt(value), full=label,
                              x=round(cx - bar_w / 2, 1),
                              y=round(top + plot_h - h, 1), w=round(bar_w, 1), h=round(h, 1), lx=round(cx, 1),
                              ly=height - bottom + 18, vx=round(cx, 1), vy=round(top + plot_h - h - 6, 1)))
    chart.axis = (left, top + plot_h, WIDTH - left, top + plot_h)
    return chart


def _desc(title: str, rows, fmt) -> str:
    if not any(v for _, v in rows):
        return "Bar chart with nothing to show yet: every value is zero."
    top = max(rows, key=lambda r: r[1] or 0)
    return (f"Bar chart of {len(rows)} values; the highest is {top[0]} with {fmt(top[1])}. "
            "The numbers are in the table that follows.")
