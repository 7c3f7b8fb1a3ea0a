"""The dashboard's monthly trend written as SVG text directly: no matplotlib in a web worker.

One stacked column per month of the four timeliness categories (the colours and hatchings of
``exports.charts``), an integer axis, the months below, and a legend that always lists the four.
Accessible by itself: the ``<svg>`` is an image named by its ``<title>`` and described by a ``<desc>``
that gives every month's figures in words, and each segment carries its month, category and count as a
``<title>`` (shown on hover). The same input gives the same bytes. Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from exports.charts import MonthPoint

FONT = "'Liberation Sans', Arial, 'DejaVu Sans', sans-serif"
LEFT, RIGHT, TOP = 64, 16, 44
PLOT_HEIGHT = 220
SLOT = 28  # px per month
INK = "#202020"
EDGE = f'stroke="{INK}" stroke-width="0.6"'  # a segment's edge, as in exports.charts
# The hatchings of exports.charts.HATCHES as SVG patterns, drawn over each category's colour.
PATTERNS = {
    "late": '<path d="M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6" stroke="#202020" stroke-width="0.8"/>',
    "open_within": '<circle cx="2" cy="2" r="0.9" fill="#202020"/>'
    '<circle cx="6" cy="6" r="0.9" fill="#202020"/>',
    "overdue": '<path d="M0,0 L8,8 M8,0 L0,8" stroke="#202020" stroke-width="0.7"/>',
}


def nice_step(largest: int, ticks: int = 5) -> int:
    """An integer step of 1, 2 or 5 times a power of ten giving at most ``ticks`` steps up to ``largest``."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor * ticks >= largest:
                return step * factor
        step *= 10


def monthly_trend_svg(
    points: Sequence[MonthPoint],
    *,
    title: str,
    categories: Sequence[tuple[str, str, str]],
    words: dict[str, str],
    id_prefix: str = "kt-trend",
) -> bytes:
    """The chart. ``categories``: (attribute, word, colour) in stacking order; ``words``: the axis
    (``axis``) and the empty note (``empty``) in the chart's language."""
    attributes = {
        "on_time": "done_on_time",
        "late": "done_late",
        "open_within": "open_within",
        "overdue": "overdue",
    }
    points = sorted(points, key=lambda p: p.month)
    totals = [sum(int(getattr(p, attributes[a])) for a, _, _ in categories) for p in points]
    largest = max(totals, default=0)
    rotate = len(points) > 8
    plot_width = max(480, SLOT * len(points))
    width = LEFT + plot_width + RIGHT
    axis_y = TOP + PLOT_HEIGHT
    legend_y = axis_y + (62 if rotate else 36)
    rows = -(-len(categories) // 2)
    height = legend_y + 22 * rows + 8
    step = nice_step(largest) if largest else 1
    # The axis ends on a tick, with room above the tallest column.
    top_value = (-(-largest * 21 // (20 * step))) * step if largest else 1

    def y_of(value: float) -> float:
        return axis_y - PLOT_HEIGHT * value / top_value

    def months_text(point: MonthPoint) -> str:
        return f"{point.month:%m/%Y}"

    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    sentences = [
        f"{months_text(p)}: "
        + ", ".join(f"{word} {int(getattr(p, attributes[a]))}" for a, word, _ in categories)
        + "."
        for p in points
    ]
    description = " ".join(sentences) if points and largest else words["empty"]
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{title_id}" aria-describedby="{desc_id}" '
        f'font-family="{FONT}" font-size="12">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        "<defs>",
        *(
            f'<pattern id="{id_prefix}-{name}" width="8" height="8" '
            f'patternUnits="userSpaceOnUse">{shape}</pattern>'
            for name, shape in PATTERNS.items()
        ),
        "</defs>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{LEFT - 56}" y="22" font-size="14" font-weight="bold" fill="{INK}">{escape(title)}</text>',
    ]
    # The value axis: grid lines and integer ticks, and its name turned up the side.
    if largest:
        for value in range(0, top_value + 1, step):
            y = round(y_of(value), 1)
            out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_width}" y1="{y}" y2="{y}" stroke="#d0d0d0"/>')
            out.append(f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end" fill="#333333">{value}</text>')
    middle = TOP + PLOT_HEIGHT / 2
    out.append(
        f'<text transform="translate(16 {middle}) rotate(-90)" text-anchor="middle" fill="#333333">'
        f"{escape(words['axis'])}</text>"
    )
    # The columns, one stacked segment per category, each with its figure as a tooltip.
    slot = plot_width / max(len(points), 1)
    bar = min(slot * 0.7, 48)
    for index, point in enumerate(points):
        x = LEFT + slot * index + (slot - bar) / 2
        base = 0
        out.append("<g>")
        for attribute, word, colour in categories:
            value = int(getattr(point, attributes[attribute]))
            if value:
                y0, y1 = y_of(base), y_of(base + value)
                box = f'x="{x:.1f}" y="{y1:.1f}" width="{bar:.1f}" height="{y0 - y1:.1f}"'
                tip = escape(f"{months_text(point)} · {word}: {value}")
                out.append(f'<rect {box} fill="{colour}" {EDGE}><title>{tip}</title></rect>')
                if attribute in PATTERNS:
                    out.append(f'<rect {box} fill="url(#{id_prefix}-{attribute})" pointer-events="none"/>')
                base += value
        out.append("</g>")
        label_x = LEFT + slot * index + slot / 2
        if rotate:
            out.append(
                f'<text transform="translate({label_x:.1f} {axis_y + 12}) rotate(-45)" text-anchor="end" '
                f'font-size="11" fill="#333333">{months_text(point)}</text>'
            )
        else:
            out.append(
                f'<text x="{label_x:.1f}" y="{axis_y + 16}" text-anchor="middle" '
                f'font-size="11" fill="#333333">'
                f"{months_text(point)}</text>"
            )
    out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_width}" y1="{axis_y}" y2="{axis_y}" stroke="#202020"/>')
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{axis_y}" stroke="#202020"/>')
    if not largest:
        out.append(
            f'<text x="{LEFT + plot_width / 2}" y="{middle}" text-anchor="middle" '
            f'font-size="15" fill="#555555">'
            f"{escape(words['empty'])}</text>"
        )
    # The legend: always the four categories, in two columns.
    column = (width - 2 * LEFT) / 2
    for index, (attribute, word, colour) in enumerate(categories):
        x = LEFT + column * (index % 2)
        y = legend_y + 22 * (index // 2)
        out.append(f'<rect x="{x:.1f}" y="{y}" width="22" height="14" fill="{colour}" {EDGE}/>')
        if attribute in PATTERNS:
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="22" height="14" fill="url(#{id_prefix}-{attribute})"/>'
            )
        out.append(f'<text x="{x + 30:.1f}" y="{y + 11}" fill="#202020">{escape(word)}</text>')
    out.append("</svg>")
    return "\n".join(out).encode("utf-8")
