"""Timeliness charts as SVG (for pages) or PNG (for Word documents), built with matplotlib; the
dashboard's monthly trend in SVG is written directly by ``exports.trend_svg`` (a web worker never
imports matplotlib for it: drawing cost 110–120 ms a chart, writing it a few ms).

The output is deterministic: the same input gives the same bytes on every run and every machine
with the same matplotlib. To get there the module

- draws on a private ``Figure`` (never ``pyplot``), so no figure or state is left behind;
- changes ``rcParams`` only inside ``rc_context`` (fixed ``svg.hashsalt``, text kept as text);
- lays text out with one font file chosen once: Liberation Sans when the installed copy has the
  Vietnamese letters (Debian's ``fonts-liberation2``), else the DejaVu Sans that ships with
  matplotlib; in SVG the text names Liberation Sans, then Arial (same metrics), then sans-serif;
- removes the dates and software names matplotlib writes into the file's metadata, and in SVG the
  whole RDF ``<metadata>`` element (not allowed in an SVG inside an HTML page).

Counts are read by attribute (``on_time``, ``late``, ``open_within``, ``overdue``), so
``workflows.timeliness.TimelinessCounts`` can be passed as it is, or the plain ``BarCounts`` below:
this module imports nothing from ``workflows``.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from models.enums import TimelinessGroup
from models.labels import N_, label, translate

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

# matplotlib is imported inside the functions that draw: it costs every process that merely
# imports this module (each `kiemtra` command, each web worker) seconds at start.

Format = Literal["svg", "png"]

# The Government Office's four categories, in the order they are stacked and listed.
# The colours differ in lightness as well as hue, and each category but the first has its own
# hatching, so the four stay apart on a black-and-white printer.
# Each category's word is its label (models/labels.py), in the language the chart is drawn in.
CATEGORIES: tuple[tuple[str, Word, str], ...] = (
    ("on_time", TimelinessGroup.ON_TIME, "#2e7d32"),
    ("late", TimelinessGroup.LATE, "#fdd835"),
    ("open_within", TimelinessGroup.OPEN_WITHIN, "#bbdefb"),
    ("overdue", TimelinessGroup.OVERDUE, "#e57373"),
)
HATCHES = {"on_time": "", "late": "////", "open_within": "...", "overdue": "xxx", "awaiting": "\\\\"}
# The bars of a table of units show every category its rows count, so the bars add up to the total.
BAR_CATEGORIES: tuple[tuple[str, Word, str], ...] = (
    *CATEGORIES,
    ("awaiting", N_("Đã báo cáo, chờ xác nhận"), "#80deea"),
    ("no_deadline", TimelinessGroup.NO_DEADLINE, "#e0e0e0"),
)
TASKS_AXIS = N_("Số nhiệm vụ")
# Printed charts are drawn at the width they print (the text width of an A4 page) in the body's
# serif face, so 11 pt in the chart is 11 pt on paper.
PRINT_WIDTH_IN = 165 / 25.4
PRINT_PT = 11
EMPTY_NOTE = N_("Chưa có số liệu")
# A category is named by its enum member (its label) or by a message id of its own.
Word = TimelinessGroup | str


def word(key: Word, language: str) -> str:
    """The word for ``key`` in ``language`` ("vi" for documents, the page's language on pages)."""
    return label(key, language) if isinstance(key, TimelinessGroup) else translate(key, language)


_CSS_FAMILIES = ["Liberation Sans", "Arial", "DejaVu Sans", "sans-serif"]
_VIETNAMESE_PROBE = (0x1EC7, 0x1EA1, 0x01B0, 0x0111)  # ệ ạ ư đ
_PNG_DPI = 150
_RC: dict[Any, object] = {
    "svg.hashsalt": "kiemtra-charts",
    "svg.fonttype": "none",
    "font.family": _CSS_FAMILIES,
    "axes.unicode_minus": False,
    "path.simplify": True,
}


@dataclass(frozen=True)
class MonthPoint:
    """The four counts of one month."""

    month: date  # first day of the month
    done_on_time: int
    done_late: int
    overdue: int  # open and overdue at the end of that month (or today for the current month)
    open_within: int


class TimelinessLike(Protocol):
    """What a bar needs; ``TimelinessCounts`` and ``BarCounts`` both fit."""

    @property
    def on_time(self) -> int: ...

    @property
    def late(self) -> int: ...

    @property
    def open_within(self) -> int: ...

    @property
    def overdue(self) -> int: ...

    @property
    def awaiting(self) -> int: ...

    @property
    def no_deadline(self) -> int: ...


@dataclass(frozen=True)
class BarCounts:
    """Plain counts for one bar, for callers without a ``TimelinessCounts``."""

    on_time: int = 0
    late: int = 0
    open_within: int = 0
    overdue: int = 0
    awaiting: int = 0
    no_deadline: int = 0


def monthly_trend(
    points: list[MonthPoint], *, title: str, fmt: Format = "svg", language: str = "vi"
) -> bytes:
    """Draw one stacked column per month of the four timeliness categories, worded in ``language``.

    SVG (the dashboard) is written directly by ``exports.trend_svg``, without matplotlib; PNG is drawn
    with matplotlib."""
    if fmt == "svg":
        from exports.trend_svg import monthly_trend_svg

        return monthly_trend_svg(
            points,
            title=title,
            categories=[(attribute, word(key, language), colour) for attribute, key, colour in CATEGORIES],
            words={"axis": word(TASKS_AXIS, language), "empty": word(EMPTY_NOTE, language)},
        )
    if fmt != "png":
        raise ValueError(f"unknown chart format {fmt!r}")
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    points = sorted(points, key=lambda p: p.month)
    series = [
        [p.done_on_time for p in points],
        [p.done_late for p in points],
        [p.open_within for p in points],
        [p.overdue for p in points],
    ]
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(max(6.4, 0.55 * len(points) + 2.5), 4.2), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(points)))
        bottoms = [0] * len(points)
        for (attribute, key, colour), values in zip(CATEGORIES, series, strict=True):
            axes.bar(
                positions,
                values,
                bottom=bottoms,
                width=0.7,
                color=colour,
                label=word(key, language),
                hatch=HATCHES.get(attribute, ""),
                edgecolor="#202020",
                linewidth=0.6,
            )
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        axes.set_xticks(
            positions, [f"{p.month:%m/%Y}" for p in points], rotation=45 if len(points) > 8 else 0
        )
        axes.set_ylabel(word(TASKS_AXIS, language), fontproperties=_font())
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        if not points or not any(bottoms):
            _empty_note(axes, language)
            axes.set_ylim(0, 1)
            axes.set_yticks([])
            if not points:
                axes.set_xticks([])
        else:
            axes.set_ylim(0, max(bottoms) * 1.1)
        _finish(figure, axes, title, grid="y", categories=CATEGORIES, language=language)
        return _render(figure, fmt)


def timeliness_bars(
    rows: Sequence[tuple[str, TimelinessLike]],
    *,
    title: str,
    fmt: Format = "svg",
    for_print: bool = False,
    language: str = "vi",
) -> bytes:
    """Draw one horizontal stacked bar per unit, first row on top, with its total at the end.

    ``for_print`` draws it for a Word document: as wide as the page's text, in the serif face of
    the body at a size read on paper."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = [_wrap(name, 28 if for_print else 34) for name, _ in rows]
    text_pt = PRINT_PT if for_print else 9
    serif = for_print
    with matplotlib.rc_context(_RC):
        line = 0.5 if for_print else 0.45
        height = 1.9 + line * max(len(rows), 2) + 0.16 * sum(label.count("\n") for label in labels)
        figure = Figure(figsize=(PRINT_WIDTH_IN if for_print else 8.0, height), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(rows)))
        lefts = [0] * len(rows)
        for attribute, key, colour in BAR_CATEGORIES:
            values = [int(getattr(counts, attribute)) for _, counts in rows]
            axes.barh(
                positions,
                values,
                left=lefts,
                height=0.6,
                color=colour,
                label=word(key, language),
                hatch=HATCHES.get(attribute, ""),
                edgecolor="#202020",
                linewidth=0.6,
            )
            lefts = [left + v for left, v in zip(lefts, values, strict=True)]
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel(word(TASKS_AXIS, language), fontproperties=_font(size=text_pt, serif=serif))
        largest = max(lefts, default=0)
        if largest == 0:
            _empty_note(axes, language)
            axes.set_xlim(0, 1)
            axes.set_xticks([])
        else:
            axes.set_xlim(0, largest * 1.12)
            for position, total in zip(positions, lefts, strict=True):
                axes.annotate(
                    str(total),
                    (total, position),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontproperties=_font(size=text_pt, serif=serif),
                )
        _finish(
            figure,
            axes,
            title,
            grid="x",
            text_pt=text_pt,
            serif=serif,
            categories=BAR_CATEGORIES,
            language=language,
        )
        return _render(figure, fmt)


def _finish(
    figure: Figure,
    axes: Axes,
    title: str,
    *,
    grid: Literal["x", "y"],
    text_pt: float = 9,
    serif: bool = False,
    categories: Sequence[tuple[str, Word, str]] = CATEGORIES,
    language: str = "vi",
) -> None:
    axes.set_title(
        _wrap(title, 55 if serif else 70),
        fontproperties=_font(size=text_pt + 1, bold=True, serif=serif),
        loc="center" if serif else "left",
    )
    for tick in (*axes.get_xticklabels(), *axes.get_yticklabels()):
        tick.set_fontproperties(_font(size=text_pt, serif=serif))
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis=grid, alpha=0.3)
    axes.set_axisbelow(True)
    from matplotlib.patches import Patch

    # The legend always lists the four categories, also when a chart has no data.
    handles = [
        Patch(
            facecolor=colour, label=word(key, language), hatch=HATCHES.get(attribute, ""), edgecolor="#202020"
        )
        for attribute, key, colour in categories
    ]
    figure.legend(
        handles=handles,
        loc="outside lower center",
        ncols=2,
        frameon=False,
        prop=_font(size=text_pt, serif=serif),
    )


def _empty_note(axes: Axes, language: str) -> None:
    axes.text(
        0.5,
        0.5,
        word(EMPTY_NOTE, language),
        transform=axes.transAxes,
        ha="center",
        va="center",
        color="#555555",
        fontproperties=_font(size=12),
    )


_SVG_METADATA = re.compile(rb"\s*<metadata>.*?</metadata>", re.DOTALL)


def _render(figure: Figure, fmt: Format) -> bytes:
    buffer = io.BytesIO()
    if fmt == "svg":
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        return _SVG_METADATA.sub(b"", buffer.getvalue(), count=1)
    elif fmt == "png":
        figure.savefig(buffer, format="png", dpi=_PNG_DPI, metadata={"Software": None})
    else:
        raise ValueError(f"unknown chart format {fmt!r}")
    return buffer.getvalue()


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True)) or text


@lru_cache(maxsize=16)
def _font(size: float = 10, bold: bool = False, serif: bool = False) -> FontProperties:
    """The chart face at ``size``: one file, the same on every run; ``serif`` for documents, whose
    body is Times New Roman (Liberation Serif has its metrics)."""
    from matplotlib.font_manager import FontProperties

    family = ["Liberation Serif", "Times New Roman", "serif"] if serif else _CSS_FAMILIES
    return FontProperties(family=family, fname=str(_font_file(bold, serif)), size=size)


@lru_cache(maxsize=4)
def _font_file(bold: bool, serif: bool = False) -> Path:
    import matplotlib
    from matplotlib.font_manager import fontManager

    weight = 700 if bold else 400
    family = "Liberation Serif" if serif else "Liberation Sans"
    candidates = sorted(
        (
            Path(entry.fname)
            for entry in fontManager.ttflist
            if entry.name == family and entry.style == "normal" and entry.weight == weight
        ),
        key=str,
    )
    # matplotlib's font cache may predate the fonts installed since; look for the files too.
    from matplotlib.font_manager import findSystemFonts

    wanted = f"{family.replace(' ', '')}-{'Bold' if bold else 'Regular'}.ttf"
    candidates += sorted(Path(name) for name in findSystemFonts(fontext="ttf") if Path(name).name == wanted)
    for path in candidates:
        if _has_vietnamese(path):
            return path
    bundled = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    face = "DejaVuSerif" if serif else "DejaVuSans"
    return bundled / (f"{face}-Bold.ttf" if bold else f"{face}.ttf")


def _has_vietnamese(path: Path) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(str(path)).get_charmap()
    except (OSError, RuntimeError):
        return False
    return all(code in charmap for code in _VIETNAMESE_PROBE)
