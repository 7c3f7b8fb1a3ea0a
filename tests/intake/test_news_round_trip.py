"""A news post written by exports.news from a visit reads back to the same delegation, findings and
directives (the generator's HTML fragment and its plain-text export alike)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from exports.news import article_html, draft_from_visit, plain_text
from models import Person, Visit, db
from models.enums import DelegationRole, FindingKind
from workflows import visits as visit_flow
from workflows.demo import SEED_REFERENCE, load_demo
from workflows.intake import DraftVisit, parse_article

KIND_ORDER = [
    FindingKind.ACHIEVEMENT,
    FindingKind.DIFFICULTY,
    FindingKind.LIMITATION,
    FindingKind.CAUSE,
    FindingKind.HOST_REQUEST,
]


def _post(visit: Visit, form: str) -> str:
    # Kept: the round trip reads every citation back (a secret one is left out by default).
    news = draft_from_visit(visit, author_line="Minh Khang", keep_secret=True)
    parts = {
        "title": news.title,
        "day": visit.visited_on,
        "lead": news.lead,
        "body_html": news.body_html,
        "author_line": news.author_line,
    }
    return article_html(**parts) if form == "html" else plain_text(**parts)


def _delegation(visit: Visit) -> set[tuple]:
    return {
        (m.person.full_name, m.position_on_day, m.person.party_titles, m.role.value) for m in visit.members
    }


def _read_delegation(draft: DraftVisit) -> set[tuple]:
    return {(p.name, p.position, p.party_titles, p.role.value) for p in draft.people}


def _findings(visit: Visit) -> list[tuple]:
    public = [f for f in visit.findings if f.is_public]
    ordered = sorted(public, key=lambda f: (KIND_ORDER.index(f.kind), f.order))
    return [(f.kind.value, f.text) for f in ordered]


def _directives(visit: Visit) -> list[tuple]:
    return [
        (d.number, d.title, d.body, sorted(c.code for c in d.citations), d.due_period_label)
        for d in sorted(visit.directives, key=lambda d: d.number)
    ]


def _read_directives(draft: DraftVisit) -> list[tuple]:
    return [
        (d.number, d.title, d.text, sorted(c.code for c in d.citations), d.due_period_label)
        for d in draft.directives
    ]


def _check_round_trip(visit: Visit, form: str) -> None:
    draft = parse_article(_post(visit, form))
    assert _read_delegation(draft) == _delegation(visit)
    assert [(f.kind.value, f.text) for f in draft.findings] == _findings(visit)
    assert _read_directives(draft) == _directives(visit)
    assert draft.visited_on.value == visit.visited_on
    assert (draft.day_part.value if draft.day_part else None) is visit.day_part
    assert draft.inspecting_body.value == visit.inspecting_org.name
    assert draft.inspected_unit.value == visit.inspected_org.name
    assert draft.subject.value == visit.subject
    assert draft.period.label == visit.period_label
    assert draft.author.value == "Minh Khang"


@pytest.mark.parametrize("form", ["html", "text"])
def test_the_news_draft_of_the_demo_visit_reads_back_to_the_same_record(form):
    load_demo(date(2026, 11, 26))
    visit = db.session.scalar(select(Visit).where(Visit.reference == SEED_REFERENCE))
    assert len(visit.directives) == 9
    _check_round_trip(visit, form)


@pytest.mark.parametrize("form", ["html", "text"])
def test_every_role_and_every_kind_of_finding_survives_the_round_trip(form, world, create_visit):
    visit = create_visit(subject="công tác dân vận", period_label="năm 2023")
    people = [
        ("Trần Thị Bích Ngọc", "Phó Trưởng Ban Tuyên giáo Tỉnh ủy", None, DelegationRole.DEPUTY_HEAD),
        ("Lê Văn Bảy", "Chuyên viên Ban Tuyên giáo Tỉnh ủy", None, DelegationRole.MEMBER),
        ("Hoàng Minh Trí", "Chuyên viên Văn phòng Ban", None, DelegationRole.SECRETARY),
        ("Vũ Thị Hạnh", "Phó Bí thư Thường trực Huyện ủy Bù Đốp", "HUV", DelegationRole.HOST_PARTICIPANT),
    ]
    for name, position, titles, role in people:
        person = Person(full_name=name, position=position, party_titles=titles)
        visit_flow.add_delegation_member(visit, world.inspector, person=person, role=role)
    visit_flow.add_delegation_member(
        visit,
        world.inspector,
        person=world.host,
        role=DelegationRole.HOST_CHAIR,
        position_on_day="Bí thư Huyện ủy",
    )
    for kind, text in [
        (FindingKind.ACHIEVEMENT, "Tổ chức tốt các hội nghị đối thoại với Nhân dân ở 12 xã."),
        (FindingKind.ACHIEVEMENT, "Tuy địa bàn rộng nhưng đã vận động được 95% hộ dân tham gia."),
        (FindingKind.DIFFICULTY, "Kinh phí cho hoạt động dân vận ở cơ sở còn hạn hẹp."),
        (FindingKind.LIMITATION, "Một số chi bộ chưa đưa nội dung dân vận vào sinh hoạt định kỳ."),
        (FindingKind.CAUSE, "Cấp ủy một số nơi chưa thật sự quan tâm."),
        (FindingKind.HOST_REQUEST, "Đề nghị Tỉnh ủy hỗ trợ tập huấn cho cán bộ dân vận cơ sở."),
    ]:
        visit_flow.add_finding(visit, world.inspector, kind=kind, text=text, is_public=True)
    visit_flow.add_finding(
        visit, world.inspector, kind=FindingKind.LIMITATION, text="Một hạn chế nội bộ.", is_public=False
    )
    visit_flow.issue_directive(
        visit,
        world.inspector,
        title="Đối thoại",
        body="Duy trì đối thoại định kỳ giữa người đứng đầu cấp ủy với Nhân dân.",
        due_period_label="năm 2024",
    )
    visit_flow.issue_directive(
        visit,
        world.inspector,
        body="Thực hiện nghiêm Kết luận số 114-KL/TW ngày 14/7/2015 của Ban Bí thư.",
        citations=["Kết luận số 114-KL/TW ngày 14/7/2015 của Ban Bí thư"],
        due_period_label="năm 2024",
    )
    db.session.flush()
    _check_round_trip(visit, form)
