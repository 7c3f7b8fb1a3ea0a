"""The shared timeliness charts: readable, deterministic, and leaving no global state behind."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date

import matplotlib
import pytest
from matplotlib._pylab_helpers import Gcf

from exports.charts import BarCounts, MonthPoint, monthly_trend, timeliness_bars
from workflows.timeliness import TimelinessCounts

LEGENDS = (
    "Hoàn thành đúng hạn",
    "Hoàn thành quá hạn",
    "Chưa hoàn thành, trong hạn",  # the labels table's word (models/labels.py)
    "Chưa hoàn thành, quá hạn",
)
SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def _points() -> list[MonthPoint]:
    return [
        MonthPoint(date(2023, month, 1), month, month % 3, month // 4, 12 - month) for month in range(1, 13)
    ]


def test_the_monthly_trend_names_the_four_categories_in_vietnamese_and_the_months():
    texts = _texts(monthly_trend(_points(), title="Tình hình thực hiện nhiệm vụ năm 2023"))
    for legend in LEGENDS:
        assert legend in texts
    assert "Tình hình thực hiện nhiệm vụ năm 2023" in texts
    assert "06/2023" in texts and "12/2023" in texts


def test_unit_bars_accept_the_timeliness_counts_of_the_workflows_and_show_each_total():
    rows = [
        (
            "Ban Tuyên giáo Huyện ủy Bù Đốp",
            TimelinessCounts(on_time=3, late=1, within=1, due_soon=1, overdue=2),
        ),
        ("Đảng ủy xã Thiện Hưng", BarCounts(on_time=1, open_within=4)),
    ]
    texts = _texts(timeliness_bars(rows, title="Theo đơn vị chủ trì"))
    assert "Ban Tuyên giáo Huyện ủy Bù Đốp" in texts
    assert "Đảng ủy xã Thiện Hưng" in texts
    assert "8" in texts and "5" in texts  # 3+1+2 within or due soon+2, and 1+4
    for legend in LEGENDS:
        assert legend in texts


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_the_same_input_gives_the_same_bytes(fmt):
    first = monthly_trend(_points(), title="Xu hướng", fmt=fmt)
    second = monthly_trend(_points(), title="Xu hướng", fmt=fmt)
    assert first == second
    rows = [("Đơn vị A", BarCounts(1, 2, 3, 4))]
    assert timeliness_bars(rows, title="A", fmt=fmt) == timeliness_bars(rows, title="A", fmt=fmt)


def test_svg_output_carries_no_date_and_png_output_is_a_png():
    svg = monthly_trend(_points(), title="Xu hướng")
    assert b"<dc:date>" not in svg
    assert not re.search(rb"20\d\d-\d\d-\d\dT", svg)
    assert timeliness_bars([], title="A", fmt="png").startswith(b"\x89PNG\r\n\x1a\n")


def test_charts_without_data_still_say_so_and_keep_their_legend():
    for chart in (
        timeliness_bars([], title="Không có đơn vị"),
        monthly_trend([], title="Không có tháng"),
        timeliness_bars([("Đơn vị trống", BarCounts())], title="Đơn vị chưa có nhiệm vụ"),
    ):
        texts = _texts(chart)
        assert "Chưa có số liệu" in texts
        for legend in LEGENDS:
            assert legend in texts


def test_text_with_markup_characters_stays_well_formed():
    title = 'Đơn vị <A> & "B"'
    svg = timeliness_bars([(title, BarCounts(on_time=1))], title=title)
    assert title in _texts(svg)


def test_drawing_changes_no_global_setting_and_leaves_no_figure_open():
    before = dict(matplotlib.rcParams)
    monthly_trend(_points(), title="A", fmt="png")
    timeliness_bars([("B", BarCounts(1))], title="B")
    assert dict(matplotlib.rcParams) == before
    assert Gcf.get_num_fig_managers() == 0


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="format"):
        monthly_trend([], title="A", fmt="gif")  # type: ignore[arg-type]


def _grey(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue


def test_a_printed_chart_keeps_the_four_categories_apart_in_grey_and_uses_the_body_face():
    from exports.charts import CATEGORIES, HATCHES, PRINT_PT

    rows = [("Huyện ủy Bù Đốp", BarCounts(on_time=3, late=1, open_within=2, overdue=2))]
    svg = timeliness_bars(rows, title="Tình hình thực hiện", for_print=True)
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    # Two categories of close grey levels (within a fifth of the scale) differ in hatching.
    for i, (first, _, colour_a) in enumerate(CATEGORIES):
        for second, _, colour_b in CATEGORIES[i + 1 :]:
            if abs(_grey(colour_a) - _grey(colour_b)) < 0.2:
                assert HATCHES[first] != HATCHES[second], (first, second)
    assert len(root.findall(f".//{SVG}pattern")) == sum(1 for h in HATCHES.values() if h)
    width = float(root.get("width").removesuffix("pt"))
    assert width == pytest.approx(165 / 25.4 * 72, abs=1)  # drawn at the width it prints
    styles = " ".join(node.get("style", "") for node in root.iter(f"{SVG}text"))
    assert "Liberation Serif" in styles and "Liberation Sans" not in styles
    sizes = {float(size) for size in re.findall(r"font-size:\s*([0-9.]+)px", styles)}
    assert min(sizes) >= PRINT_PT


def test_the_trend_on_a_page_is_an_image_described_by_its_figures_in_words():
    svg = monthly_trend(_points()[:2], title="Xu hướng <A>")
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == "Xu hướng <A>"
    assert root.get("aria-labelledby") == title.get("id")
    assert desc is not None and root.get("aria-describedby") == desc.get("id")
    # _points(): January 1 on time, 1 late, 11 open within, 0 overdue; February 2, 2, 10, 0.
    assert desc.text == (
        "01/2023: Hoàn thành đúng hạn 1, Hoàn thành quá hạn 1, Chưa hoàn thành, trong hạn 11, "
        "Chưa hoàn thành, quá hạn 0. "
        "02/2023: Hoàn thành đúng hạn 2, Hoàn thành quá hạn 2, Chưa hoàn thành, trong hạn 10, "
        "Chưa hoàn thành, quá hạn 0."
    )
    tips = [
        "".join(node.itertext()) for node in root.iter(f"{SVG}rect") if node.find(f"{SVG}title") is not None
    ]
    assert "02/2023 · Chưa hoàn thành, trong hạn: 10" in tips


def test_the_trend_on_a_page_is_written_without_matplotlib():
    code = (
        "import sys; from datetime import date; from exports.charts import MonthPoint, monthly_trend; "
        "monthly_trend([MonthPoint(date(2024, 1, 1), 1, 2, 3, 4)], title='A'); "
        "print('matplotlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
