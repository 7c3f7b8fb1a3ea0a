"""The leadership summary and the follow-up letter: their facts, their tables and their queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from exports.followup import SUMMARY_LINE, build_followup
from exports.summary import build_summary
from models import db
from models.enums import FindingKind
from tests.conftest import at
from tests.documents.conftest import body_texts, open_docx, tables
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.documents import followup_facts, repeated_limitations, summary_facts
from workflows.errors import ValidationFailed

TODAY = date(2024, 1, 15)
PERIOD = (date(2023, 1, 1), date(2023, 12, 31))


def _summary(world, today=TODAY, scope=None):
    facts = summary_facts(scope or world.province, *PERIOD, today)
    return facts, open_docx(build_summary(facts, issuer=world.province, issued_on=today))


def test_a_summary_with_no_visits_and_no_tasks_says_so(world):
    facts, document = _summary(world)
    assert facts.visits == [] and facts.totals.total == 0 and facts.overdue == []
    texts = body_texts(document)
    assert "Trong kỳ báo cáo không có cuộc kiểm tra nào." in texts
    assert "Tính đến ngày 15/01/2024, chưa có nhiệm vụ nào được giao." in texts
    assert "Không có nhiệm vụ quá hạn chưa hoàn thành." in texts
    assert len(tables(document)) == 2  # the letterhead and the closing only
    assert "trong Đảng bộ tỉnh Bình Phước" in texts
    assert "từ ngày 01/01/2023 đến ngày 31/12/2023" in texts


def test_the_summary_tables_the_units_with_both_rates_and_lists_overdue_tasks(world, create_task):
    on_time = create_task(due_on=date(2023, 9, 30))
    task_flow.report_task_done(on_time, world.office, note="Xong.", now=at(date(2023, 9, 20)))
    task_flow.verify_task(on_time, world.inspector, now=at(date(2023, 9, 22)))
    create_task(due_on=date(2023, 12, 31), title="Lập tổ tuyên truyền viên ở chi bộ")  # overdue 15 days
    create_task(due_on=date(2024, 3, 31))  # open, within
    create_task(due_on=date(2023, 12, 1), lead_org=world.district_culture, title="In tài liệu <mới> & phát")
    db.session.commit()
    facts, document = _summary(world)
    assert [line.days_overdue for line in facts.overdue] == [45, 15]
    visits, units, overdue = tables(document)[1:4]
    assert visits[1] == [
        "1",
        "14/06/2023",
        "Huyện ủy Bù Đốp",
        "Ban Tuyên giáo Tỉnh ủy",
        "công tác tuyên giáo",
        "4",
    ]
    assert units[0][3:5] == ["Đã hoàn thành", "Đã hoàn thành"]  # a heading spanning two columns
    assert units[1][3:10] == [
        "Đúng hạn",
        "Quá hạn",
        "Trong hạn",
        "Quá hạn",
        "Chờ xác nhận",
        "Không thời hạn",
        "(1)",
    ]
    office_row = next(row for row in units if row[1] == "Ban Tuyên giáo Huyện ủy Bù Đốp")
    assert office_row[2:] == ["3", "1", "0", "1", "1", "0", "0", "50,0%", "33,3%"]
    assert units[-1][1:] == ["Tổng cộng", "4", "1", "0", "1", "2", "0", "0", "33,3%", "25,0%"]
    assert overdue[1][1:] == [
        "In tài liệu <mới> & phát",
        "Phòng Văn hóa và Thông tin huyện Bù Đốp",
        "Bốn là – Kiểm tra công tác tuyên giáo 6 tháng đầu năm 2023 (14/06/2023)",
        "01/12/2023",
        "45",
    ]
    assert overdue[2][1] == "Lập tổ tuyên truyền viên ở chi bộ"
    texts = body_texts(document)
    assert any("Tỷ lệ hoàn thành (1) đạt 33,3%" in t for t in texts)
    assert len(document.inline_shapes) == 1  # the chart


def test_the_summary_gathers_its_facts_in_the_same_number_of_queries_for_any_number_of_tasks(
    world, create_task, query_counter
):
    def queries_to_build() -> tuple[int, int]:
        db.session.commit()
        db.session.expire_all()
        assert world.province.path  # reload the scope outside the count
        with query_counter() as counted:
            facts = summary_facts(world.province, *PERIOD, TODAY)
            build_summary(facts, issuer=world.province, issued_on=TODAY)
        return counted.count, len(facts.overdue)

    create_task(due_on=date(2023, 10, 1))
    few = queries_to_build()
    for day in range(30):
        create_task(due_on=date(2023, 10, 1) + timedelta(days=day), lead_org=world.district_culture)
    many = queries_to_build()
    assert (few[1], many[1]) == (1, 31)
    assert few[0] == many[0] <= 8


def test_a_period_that_ends_before_it_starts_is_refused(world):
    with pytest.raises(ValidationFailed):
        summary_facts(world.province, date(2023, 12, 31), date(2023, 1, 1), TODAY)


def test_limitations_found_at_several_units_are_reported_as_repeated(world, create_visit):
    budop = create_visit()
    locninh = create_visit(inspected_org=world.other_district, title="Kiểm tra tại Lộc Ninh")
    visit_flow.add_finding(
        budop,
        world.inspector,
        kind=FindingKind.LIMITATION,
        text="Lực lượng làm công tác tuyên giáo còn mỏng.",
    )
    visit_flow.add_finding(
        locninh,
        world.inspector,
        kind=FindingKind.LIMITATION,
        text="Lực lượng làm công tác tuyên giáo ở cơ sở còn mỏng, kiêm nhiệm nhiều việc.",
    )
    visit_flow.add_finding(
        locninh, world.inspector, kind=FindingKind.LIMITATION, text="Trang tin cập nhật chậm."
    )
    db.session.commit()
    facts, document = _summary(world)
    assert [r.units for r in facts.repeated_limitations] == [("Huyện ủy Bù Đốp", "Huyện ủy Lộc Ninh")]
    assert any(
        t.startswith("- Lực lượng làm công tác tuyên giáo còn mỏng. (2 đơn vị:") for t in body_texts(document)
    )


def test_similar_limitations_of_one_unit_alone_are_not_repeated():
    items = [
        ("Cập nhật thông tin còn chậm.", "A"),
        ("Cập nhật thông tin còn chậm trễ.", "A"),
        ("Khác hẳn.", "B"),
    ]
    assert repeated_limitations(items) == []


def test_the_follow_up_letter_lists_the_units_overdue_tasks_with_their_directives_and_deadlines(
    world, create_task
):
    late = create_task(due_on=date(2023, 10, 31), title="Báo cáo dư luận xã hội")
    extension = task_flow.request_extension(
        late, world.office, new_due_on=date(2023, 11, 30), reason="Chờ số liệu.", now=at(date(2023, 10, 20))
    )
    task_flow.decide_extension(extension, world.inspector, approve=True, now=at(date(2023, 10, 21)))
    create_task(due_on=date(2024, 2, 1))  # not yet due
    create_task(due_on=date(2023, 9, 1), lead_org=world.other_office)  # another unit's
    db.session.commit()
    facts = followup_facts(world.district, TODAY)
    document = open_docx(
        build_followup(facts, issuer=world.province, issued_on=TODAY, report_due_on=date(2024, 1, 31))
    )
    header = tables(document)[0]
    assert header[1][0].splitlines() == [f"Số {' ' * 6}-CV/TU", SUMMARY_LINE]
    texts = body_texts(document)
    assert "Kính gửi: Ban Thường vụ Huyện ủy Bù Đốp" in texts
    rows = tables(document)[1]
    assert rows[0] == [
        "STT",
        "Nhiệm vụ",
        "Theo văn bản",
        "Hạn ban đầu",
        "Hạn hiện hành",
        "Số ngày quá hạn",
    ]
    assert rows[1:] == [
        [
            "1",
            "Báo cáo dư luận xã hội (Ban Tuyên giáo Huyện ủy Bù Đốp chủ trì)",
            "Một là – Kiểm tra công tác tuyên giáo 6 tháng đầu năm 2023 (14/06/2023)",
            "31/10/2023",
            "30/11/2023",
            "46",
        ]
    ]
    assert any("trước ngày 31/01/2024" in t for t in texts)


def test_a_follow_up_letter_to_a_unit_without_overdue_tasks_says_there_are_none(world):
    document = open_docx(
        build_followup(
            followup_facts(world.other_office, TODAY),
            issuer=world.province,
            issued_on=TODAY,
            report_due_on=TODAY,
        )
    )
    assert any("không còn nhiệm vụ nào quá hạn" in t for t in body_texts(document))
    assert len(tables(document)) == 2
