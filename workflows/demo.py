"""Demo data: the Bình Phước reference case and a few more visits, built through the workflows.

The facts of the 14/06/2023 visit to Bù Đốp (bodies, people, positions, date, nine directives and the
documents they cite) come from the public record; every sentence here is written for kiemtra.
Tasks are dated relative to the day the demo is loaded so that every status and every timeliness
category shows up on that day. Loading twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from models import Directive, Organization, Person, Task, User, Visit, db
from models.enums import DayPart, DelegationRole, FindingKind, RecurrencePeriod
from models.recurrence import add_months
from workflows import recurrence as duty_flow
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.clock import LOCAL_ZONE
from workflows.demo_data import ORGANISATIONS, SEED_DIRECTIVES, USERS
from workflows.errors import ValidationFailed

DEMO_PASSWORD = "kiemtra-demo"  # noqa: S105 - demo data only, printed by `kiemtra demo`
SEED_REFERENCE = "KT-BTGTU-2023-BUDOP"
EARLIEST_LOAD_DAY = date(2025, 8, 15)

__all__ = ["DEMO_PASSWORD", "SEED_DIRECTIVES", "SEED_REFERENCE", "foreign_organisations", "load_demo"]


@dataclass
class _Demo:
    orgs: dict[str, Organization]
    users: dict[str, User]
    today: date

    def at(self, day: date, hour: int = 9) -> datetime:
        """An instant on a local calendar day."""
        return datetime.combine(day, time(hour), LOCAL_ZONE).astimezone(UTC)


def foreign_organisations() -> list[str]:
    """Codes of the organisations in the database that the demo did not create (an office's own data)."""
    demo_codes = {row[0] for row in ORGANISATIONS}
    return sorted(code for code in db.session.scalars(select(Organization.code)) if code not in demo_codes)


def load_demo(today: date) -> bool:
    """Load the demo organisations, users and visits unless they are there; True if loaded."""
    if db.session.scalar(select(Visit.id).where(Visit.reference == SEED_REFERENCE)):
        return False
    if today < EARLIEST_LOAD_DAY:
        # The recent visit goes to a commune that exists only from 01/07/2025, 45 days before today.
        raise ValidationFailed(
            "Dữ liệu mẫu cần ngày hiện tại từ %(day)s trở đi.", day=EARLIEST_LOAD_DAY.strftime("%d/%m/%Y")
        )
    demo = _Demo(orgs=_organisations(), users={}, today=today)
    demo.users = _users(demo.orgs)
    _seed_visit(demo)
    _locninh_visit(demo)
    _commune_visit(demo)
    _planned_visit(demo)
    db.session.flush()
    return True


def _organisations() -> dict[str, Organization]:
    existing = {o.code: o for o in db.session.scalars(select(Organization))}
    for code, doc_code, name, kind, parent, place, valid_from, valid_to in ORGANISATIONS:
        if code in existing:
            continue
        org = Organization(
            code=code,
            doc_code=doc_code,
            name=name,
            kind=kind,
            place_name=place,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        org.place_path(existing[parent] if parent else None)
        db.session.add(org)
        existing[code] = org
    return existing


def _users(orgs: dict[str, Organization]) -> dict[str, User]:
    existing = {u.username: u for u in db.session.scalars(select(User))}
    for username, role, org_code, name in USERS:
        if username in existing:
            continue
        user = User(
            username=username,
            role=role,
            organization=orgs[org_code],
            display_name=name,
            email=f"{username}@kiemtra.invalid",
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        existing[username] = user
    db.session.flush()
    return existing


def _person(name: str, position: str, org: Organization, titles: str | None = None) -> Person:
    person = db.session.scalar(select(Person).where(Person.full_name == name))
    if person is None:
        person = Person(full_name=name, position=position, party_titles=titles, organization=org)
        db.session.add(person)
    return person


def _seed_visit(demo: _Demo) -> None:
    orgs, inspector = demo.orgs, demo.users["inspector"]
    visit = visit_flow.create_visit(
        inspector,
        reference=SEED_REFERENCE,
        title="Kiểm tra công tác tuyên giáo 6 tháng đầu năm 2023 tại huyện Bù Đốp",
        subject="công tác tuyên giáo",
        period_label="6 tháng đầu năm 2023",
        period_start_on=date(2023, 1, 1),
        period_end_on=date(2023, 6, 30),
        visited_on=date(2023, 6, 14),
        day_part=DayPart.MORNING,
        place="Huyện ủy Bù Đốp",
        inspecting_org=orgs["BTGTU-BP"],
        inspected_org=orgs["HU-BUDOP"],
        summary="Đoàn làm việc với Huyện ủy Bù Đốp về kết quả công tác tuyên giáo nửa đầu năm 2023.",
    )
    members = [
        ("Mạc Đình Huấn", "Phó Trưởng Ban Tuyên giáo Tỉnh ủy", "BTGTU-BP", None, DelegationRole.HEAD),
        (
            "Phan Duy Khiêm",
            "Trưởng phòng Thông tin - Khoa giáo, Ban Tuyên giáo Tỉnh ủy",
            "BTGTU-BP",
            None,
            DelegationRole.MEMBER,
        ),
        ("Dương Thanh Huân", "Bí thư Huyện ủy Bù Đốp", "HU-BUDOP", "TUV", DelegationRole.HOST_CHAIR),
    ]
    for name, position, org_code, titles, role in members:
        person = _person(name, position, orgs[org_code], titles)
        visit_flow.add_delegation_member(visit, inspector, person=person, role=role, position_on_day=position)
    for kind, text, public in [
        (
            FindingKind.ACHIEVEMENT,
            "Kiện toàn kịp thời Ban Chỉ đạo 35, Tổ thư ký, Tổ công tác 03, đội ngũ báo cáo "
            "viên, tuyên truyền viên và cộng tác viên dư luận xã hội.",
            True,
        ),
        (
            FindingKind.ACHIEVEMENT,
            "Tổ chức chu đáo các hoạt động kỷ niệm 20 năm thành lập huyện (2003–2023) và "
            "phát hành kỷ yếu lãnh đạo chủ chốt của huyện.",
            True,
        ),
        (
            FindingKind.ACHIEVEMENT,
            "Ban hành 08 kế hoạch, tổ chức học tập, quán triệt nghị quyết; thực hiện Chỉ thị "
            "05-CT/TW với nhiều mô hình mới.",
            True,
        ),
        (
            FindingKind.DIFFICULTY,
            "Tình hình dịch bệnh, tội phạm và tệ nạn xã hội còn diễn biến phức tạp.",
            True,
        ),
        (
            FindingKind.LIMITATION,
            "Một số nhiệm vụ tham mưu, đề xuất còn chậm; lực lượng làm công tác tuyên giáo còn mỏng.",
            False,
        ),
    ]:
        visit_flow.add_finding(visit, inspector, kind=kind, text=text, is_public=public)
    directives = [
        visit_flow.issue_directive(
            visit,
            inspector,
            title=title,
            body=body,
            citations=codes,
            due_period_label="6 tháng cuối năm 2023",
        )
        for title, body, codes in SEED_DIRECTIVES
    ]
    visit_flow.mark_conducted(visit, inspector)
    visit_flow.conclude_visit(visit, inspector)
    _seed_tasks(demo, directives)


def _seed_tasks(demo: _Demo, directives: list) -> None:
    """Tasks of 2023 at Bù Đốp: done on time, done late, extended then done, cancelled."""
    orgs, users = demo.orgs, demo.users
    inspector, office = users["inspector"], users["office.budop"]
    year_end = date(2023, 12, 31)
    plans = [
        # directive index, lead, coordinating, due, report day (None: not reported), extension
        (0, "BTGHU-BUDOP", [], year_end, date(2023, 12, 20), None),
        (1, "BTGHU-BUDOP", ["TTCT-BUDOP"], date(2023, 9, 30), date(2023, 10, 12), None),
        (3, "BTGHU-BUDOP", ["GDDT-BUDOP"], date(2023, 10, 31), date(2024, 1, 10), date(2024, 1, 15)),
        (6, "BTGHU-BUDOP", ["VHTT-BUDOP"], date(2023, 8, 31), date(2023, 8, 30), None),
        (7, "BTGHU-BUDOP", [], year_end, None, None),
    ]
    for index, lead, coordinating, due, reported_on, extended_to in plans:
        task = task_flow.assign_task(
            directives[index],
            inspector,
            lead_org=orgs[lead],
            due_on=due,
            coordinating=[orgs[c] for c in coordinating],
            now=demo.at(date(2023, 6, 20)),
        )
        db.session.flush()
        task_flow.start_task(task, office, now=demo.at(date(2023, 7, 3)))
        task_flow.record_progress(
            task, office, note="Đã xây dựng kế hoạch triển khai.", progress=30, now=demo.at(date(2023, 7, 10))
        )
        if extended_to:
            ext = task_flow.request_extension(
                task,
                office,
                new_due_on=extended_to,
                reason="Chờ số liệu tổng kết năm học.",
                now=demo.at(date(2023, 10, 25)),
            )
            task_flow.decide_extension(ext, inspector, approve=True, now=demo.at(date(2023, 10, 27)))
        if reported_on:
            task_flow.report_task_done(
                task, office, note="Đã hoàn thành; gửi kèm báo cáo kết quả.", now=demo.at(reported_on)
            )
            task_flow.verify_task(task, inspector, now=demo.at(reported_on + timedelta(days=3)))
        else:
            task_flow.cancel_task(
                task,
                inspector,
                reason="Nhập vào nhiệm vụ của đợt kiểm tra sau.",
                now=demo.at(date(2023, 11, 15)),
            )


def _locninh_visit(demo: _Demo) -> None:
    """A visit of 2024 to Lộc Ninh, finished and closed."""
    orgs, inspector, office = demo.orgs, demo.users["inspector"], demo.users["office.locninh"]
    visit = visit_flow.create_visit(
        inspector,
        reference="KT-BTGTU-2024-LOCNINH",
        title="Kiểm tra việc thực hiện Chỉ thị 05-CT/TW tại huyện Lộc Ninh",
        subject="học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        period_label="năm 2024",
        period_start_on=date(2024, 1, 1),
        period_end_on=date(2024, 12, 31),
        visited_on=date(2024, 9, 18),
        day_part=DayPart.AFTERNOON,
        place="Huyện ủy Lộc Ninh",
        inspecting_org=orgs["BTGTU-BP"],
        inspected_org=orgs["HU-LOCNINH"],
    )
    head = _person("Nguyễn Văn Thành", "Phó Trưởng Ban Tuyên giáo Tỉnh ủy", orgs["BTGTU-BP"])
    visit_flow.add_delegation_member(visit, inspector, person=head, role=DelegationRole.HEAD)
    visit_flow.add_finding(
        visit,
        inspector,
        kind=FindingKind.ACHIEVEMENT,
        is_public=True,
        text="Các chi bộ đưa nội dung làm theo Bác vào sinh hoạt định kỳ hằng tháng.",
    )
    directive = visit_flow.issue_directive(
        visit,
        inspector,
        title="Nhân rộng mô hình làm theo Bác",
        body="Chọn và nhân rộng hai mô hình làm theo Bác tiêu biểu ở cấp xã.",
        citations=["05-CT/TW"],
        due_on=date(2024, 12, 15),
    )
    visit_flow.conclude_visit(visit, inspector)
    task = task_flow.assign_task(
        directive,
        inspector,
        lead_org=orgs["BTGHU-LOCNINH"],
        due_on=date(2024, 12, 15),
        now=demo.at(date(2024, 9, 20)),
    )
    task_flow.report_task_done(
        task,
        office,
        note="Đã nhân rộng hai mô hình ở xã Lộc Thái và Lộc Hưng.",
        now=demo.at(date(2024, 12, 10)),
    )
    task_flow.verify_task(task, inspector, now=demo.at(date(2024, 12, 12)))
    visit_flow.close_visit(visit, inspector, evaluation="Đơn vị thực hiện đầy đủ, đúng hạn yêu cầu của Đoàn.")


def _commune_visit(demo: _Demo) -> None:
    """A recent visit to a commune whose tasks cover every status and timeliness on the load day."""
    orgs, users, today = demo.orgs, demo.users, demo.today
    inspector, office = users["inspector"], users["office"]
    visited_on = today - timedelta(days=45)
    visit = visit_flow.create_visit(
        inspector,
        reference=f"KT-BTGTU-{visited_on:%Y%m%d}-THIENHUNG",
        title="Kiểm tra công tác tuyên truyền tại xã Thiện Hưng",
        subject="công tác tuyên truyền và nắm bắt dư luận xã hội",
        period_label=f"năm {visited_on.year}",
        visited_on=visited_on,
        day_part=DayPart.MORNING,
        place="Đảng ủy xã Thiện Hưng",
        inspecting_org=orgs["BTGTU-BP"],
        inspected_org=orgs["DU-THIENHUNG"],
    )
    head = _person("Trần Thị Mai Hương", "Phó Trưởng Ban Tuyên giáo Tỉnh ủy", orgs["BTGTU-BP"])
    host = _person("Lê Văn Phúc", "Bí thư Đảng ủy xã Thiện Hưng", orgs["DU-THIENHUNG"])
    visit_flow.add_delegation_member(visit, inspector, person=head, role=DelegationRole.HEAD)
    visit_flow.add_delegation_member(visit, inspector, person=host, role=DelegationRole.HOST_CHAIR)
    visit_flow.add_finding(
        visit,
        inspector,
        kind=FindingKind.ACHIEVEMENT,
        is_public=True,
        text="Xã duy trì đều bản tin thời sự hằng tháng cho cán bộ, đảng viên.",
    )
    visit_flow.add_finding(
        visit,
        inspector,
        kind=FindingKind.LIMITATION,
        text="Trang cộng đồng của xã cập nhật thông tin chưa thường xuyên.",
    )
    bodies = [
        ("Cập nhật trang cộng đồng của xã", "Cập nhật trang cộng đồng của xã ít nhất ba lần mỗi tuần."),
        ("Lập tổ tuyên truyền viên ở các chi bộ", "Lập tổ tuyên truyền viên ở tất cả chi bộ trực thuộc."),
        (
            "Báo cáo dư luận xã hội hằng tháng",
            "Gửi báo cáo tình hình dư luận xã hội trước ngày 25 hằng tháng.",
        ),
        ("Quán triệt Quy định 85-QĐ/TW", "Tổ chức hội nghị quán triệt Quy định 85-QĐ/TW cho đảng viên."),
    ]
    directives = [
        visit_flow.issue_directive(
            visit, inspector, title=t, body=b, citations=["85-QĐ/TW"] if "85-QĐ" in t else []
        )
        for t, b in bodies
    ]
    visit_flow.conclude_visit(visit, inspector)
    assigned_at = demo.at(visited_on + timedelta(days=2))
    # due offset from today, final status, directive index
    plans = [
        (30, "assigned", 0),
        (20, "in_progress", 1),
        (2, "in_progress", 3),
        (-3, "in_progress", 3),
        (-12, "assigned", 0),
        (10, "reported", 1),
        (-4, "reported", 0),  # reported after its due date, waiting for verification
        (15, "returned", 1),
        (25, "paused", 3),
        (-5, "done_on_time", 0),
        (-20, "done_late", 1),
        (None, "in_progress", 0),
        (5, "extended", 3),
    ]
    for offset, outcome, index in plans:
        due = today + timedelta(days=offset) if offset is not None else None
        task = task_flow.assign_task(
            directives[index], inspector, lead_org=orgs["DU-THIENHUNG"], due_on=due, now=assigned_at
        )
        _advance(demo, task, outcome, inspector, office)
    _monthly_report(demo, directives[2], visited_on)


def _monthly_report(demo: _Demo, directive: Directive, visited_on: date) -> None:
    """The monthly public-opinion report as one recurring duty from the month after the visit: the
    scan gives each begun month its task; every month but the current one was reported on time."""
    orgs, inspector, office = demo.orgs, demo.users["inspector"], demo.users["office"]
    duty = duty_flow.set_recurrence(
        directive,
        inspector,
        period=RecurrencePeriod.MONTHLY,
        due_day=25,
        first_period=add_months(visited_on, 1),
        last_period=None,
        lead_org=orgs["DU-THIENHUNG"],
        coordinating=[orgs["UBND-THIENHUNG"]],
        now=demo.at(visited_on + timedelta(days=2)),
    )
    duty_flow.create_due_tasks(db.session, demo.today)
    db.session.expire(directive, ["tasks"])
    for task in directive.tasks:
        if task.recurrence_id != duty.id or task.due_on is None or task.due_on >= demo.today:
            continue
        reported = task.due_on - timedelta(days=2)
        task_flow.report_task_done(
            task, office, note="Đã gửi báo cáo dư luận xã hội của tháng.", now=demo.at(reported)
        )
        task_flow.verify_task(task, inspector, now=demo.at(reported + timedelta(days=1)))


def _advance(demo: _Demo, task: Task, outcome: str, inspector: User, office: User) -> None:
    today = demo.today
    if outcome == "assigned":
        return
    task_flow.start_task(task, office, now=demo.at(today - timedelta(days=30)))
    task_flow.record_progress(
        task,
        office,
        note="Đã phân công cán bộ phụ trách.",
        progress=40,
        now=demo.at(today - timedelta(days=25)),
    )
    if outcome == "reported":
        task_flow.report_task_done(
            task, office, note="Đã thực hiện xong, kèm minh chứng.", now=demo.at(today - timedelta(days=1))
        )
    elif outcome == "returned":
        task_flow.report_task_done(task, office, note="Đã thực hiện.", now=demo.at(today - timedelta(days=6)))
        task_flow.return_task(
            task,
            inspector,
            note="Thiếu danh sách tuyên truyền viên của từng chi bộ.",
            now=demo.at(today - timedelta(days=4)),
        )
    elif outcome == "paused":
        task_flow.pause_task(
            task,
            inspector,
            reason="Chờ hướng dẫn mới của Ban Tuyên giáo Trung ương.",
            now=demo.at(today - timedelta(days=8)),
        )
    elif outcome in ("done_on_time", "done_late"):
        assert task.due_on is not None
        shift = -2 if outcome == "done_on_time" else 3
        reported = task.due_on + timedelta(days=shift)
        task_flow.report_task_done(task, office, note="Đã hoàn thành.", now=demo.at(reported))
        task_flow.verify_task(task, inspector, now=demo.at(reported + timedelta(days=1)))
    elif outcome == "extended":
        assert task.due_on is not None
        ext = task_flow.request_extension(
            task,
            office,
            new_due_on=task.due_on + timedelta(days=14),
            reason="Chờ kinh phí in tài liệu.",
            now=demo.at(today - timedelta(days=3)),
        )
        task_flow.decide_extension(
            ext, inspector, approve=True, note="Đồng ý.", now=demo.at(today - timedelta(days=2))
        )


def _planned_visit(demo: _Demo) -> None:
    """A visit planned for next week, not yet held."""
    orgs = demo.orgs
    visited_on = demo.today + timedelta(days=7)
    visit = visit_flow.create_visit(
        demo.users["inspector"],
        reference=f"KT-BTGTU-{visited_on:%Y%m%d}-HUNGPHUOC",
        title="Kiểm tra việc thực hiện Quy định 85-QĐ/TW tại xã Hưng Phước",
        subject="thực hiện Quy định 85-QĐ/TW",
        visited_on=visited_on,
        day_part=DayPart.AFTERNOON,
        place="Đảng ủy xã Hưng Phước",
        inspecting_org=orgs["BTGTU-BP"],
        inspected_org=orgs["DU-HUNGPHUOC"],
    )
    db.session.add(visit)
