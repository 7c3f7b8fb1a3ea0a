"""Corrections of a concluded visit: the recorded amendment, its history on the dossier, the refusals,
and the đính chính issued where the report or the conclusion notice already went out."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from exports.conclusion import build_conclusion
from models import AuditEntry, CorrectionChange, IssuedDocument, Visit, VisitCorrection, db
from models.enums import FindingKind
from tests.documents.conftest import body_texts, open_docx, tables
from workflows import corrections as flow
from workflows import visits as visit_flow
from workflows.documents import DocumentKind
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, StaleRecord, ValidationFailed
from workflows.issuing import issue_document

TYPO = "Tổ chức tốt việc hoc tập nghị quyết."
FIXED = "Tổ chức tốt việc học tập nghị quyết."


@pytest.fixture
def concluded(world, conducted_visit):
    visit = conducted_visit(
        findings={
            FindingKind.ACHIEVEMENT: ["Quán triệt kịp thời các nghị quyết.", TYPO],
            FindingKind.LIMITATION: ["Trang thông tin cập nhật chậm."],
            FindingKind.HOST_REQUEST: ["Đề nghị hỗ trợ kinh phí."],
        },
        directives=[
            (None, "Bám sát chương trình công tác năm 2023."),
            ("Quy định 85", "Triển khai Quy định 85."),
        ],
        place="Hội trường Huyện ủy",
    )
    visit_flow.conclude_visit(visit, world.inspector)
    db.session.commit()
    return visit


def _issue_conclusion(visit, actor):
    document = issue_document(
        actor,
        DocumentKind.CONCLUSION,
        issuer=visit.inspecting_org,
        issued_on=date(2023, 6, 20),
        visit=visit,
        subject=visit.inspected_org.name,
        build=lambda symbol: build_conclusion(
            visit, issued_on=date(2023, 6, 20), report_due_on=date(2023, 7, 20), number=symbol
        ),
        today=date(2023, 6, 20),
    )
    db.session.commit()
    return document


def _finding(visit, text):
    return next(f for f in visit.findings if f.text == text)


def _form(visit, **changes):
    """What the correction form sends back unchanged, with ``changes`` typed over it."""
    data = {
        "version": str(visit.version),
        "reason": "Sai chính tả khi soạn thảo.",
        "title": visit.title,
        "place": visit.place or "",
        "decision_ref": visit.decision_ref or "",
        "summary": visit.summary or "",
    }
    for finding in visit.findings:
        data[f"finding-{finding.id}"] = finding.text
    for directive in visit.directives:
        data[f"directive-{directive.id}-title"] = directive.title or ""
        data[f"directive-{directive.id}-body"] = directive.body
    data.update(changes)
    return data


def test_a_correction_keeps_who_when_why_and_the_original_words(world, concluded):
    finding = _finding(concluded, TYPO)
    directive = concluded.directives[1]
    correction = flow.correct_visit(
        concluded,
        world.inspector,
        reason="  Sai chính tả   khi soạn thảo. ",
        version=concluded.version,
        fields={"place": "Hội trường Huyện ủy Bù Đốp"},
        findings={finding.id: FIXED},
        directives={directive.id: flow.DirectiveText(title="Quy định 85-QĐ/TW", body=directive.body)},
    )
    db.session.commit()
    assert correction.made_by is world.inspector and correction.made_at is not None
    assert correction.reason == "Sai chính tả khi soạn thảo."
    assert [(c.location, c.old_value, c.new_value) for c in correction.changes] == [
        ("địa điểm", "Hội trường Huyện ủy", "Hội trường Huyện ủy Bù Đốp"),
        ("phần Ưu điểm, ý thứ 2", TYPO, FIXED),
        ("nội dung “Hai là”, phần tiêu đề", "Quy định 85", "Quy định 85-QĐ/TW"),
    ]
    db.session.expire_all()
    visit = db.session.get(Visit, concluded.id)
    assert visit.place == "Hội trường Huyện ủy Bù Đốp"
    assert FIXED in [f.text for f in visit.findings]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "visit.corrected"))
    assert json.loads(entry.details)["changes"][1] == {"field": "finding.text", "old": TYPO, "new": FIXED}
    assert entry.actor_id == world.inspector.id


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"reason": "   "}, ValidationFailed, "Hãy ghi lý do đính chính."),
        ({"fields": {"place": "Hội trường Huyện ủy"}}, ValidationFailed, "Không có nội dung nào thay đổi"),
        ({"version": 0}, StaleRecord, "vừa được người khác lưu"),
        ({"fields": {"title": " "}}, ValidationFailed, "Không được để trống phần “tiêu đề đợt kiểm tra”."),
    ],
)
def test_refusals_write_nothing(world, concluded, arguments, error, message):
    options = {"reason": "Sai chính tả.", "version": concluded.version, "fields": {"place": "Nơi khác"}}
    options.update(arguments)
    with pytest.raises(error, match=message):
        flow.correct_visit(concluded, world.inspector, **options)
    db.session.rollback()
    assert db.session.scalar(select(func.count(VisitCorrection.id))) == 0
    assert db.session.get(Visit, concluded.id).place == "Hội trường Huyện ủy"


def test_a_visit_not_concluded_is_edited_on_its_form_not_corrected(world, conducted_visit):
    visit = conducted_visit(place="Hội trường")
    with pytest.raises(InvalidState, match="chưa kết luận"):
        flow.correct_visit(
            visit, world.inspector, reason="x", version=visit.version, fields={"place": "Khác"}
        )


def test_only_the_inspecting_side_corrects(world, concluded):
    for user, error in (
        (world.office, OutOfScope),  # the district office does not see the visit
        (world.leader, PermissionDenied),
        (world.other_inspector, OutOfScope),
    ):
        with pytest.raises(error):
            flow.correct_visit(
                concluded, user, reason="x", version=concluded.version, fields={"place": "Khác"}
            )
    flow.correct_visit(
        concluded, world.admin, reason="Sai địa điểm.", version=concluded.version, fields={"place": "Khác"}
    )


def test_on_the_web_a_correction_shows_in_the_dossier_history(world, login_as, concluded):
    client = login_as(world.inspector)
    dossier = client.get(f"/visits/{concluded.id}").get_data(as_text=True)
    assert f'href="/visits/{concluded.id}/correct"' in dossier
    page = client.get(f"/visits/{concluded.id}/correct").get_data(as_text=True)
    assert TYPO in page and "Lý do đính chính" in page
    finding = _finding(concluded, TYPO)
    response = client.post(
        f"/visits/{concluded.id}/correct", data=_form(concluded, **{f"finding-{finding.id}": FIXED})
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    dossier = client.get(f"/visits/{concluded.id}").get_data(as_text=True)
    history = dossier[dossier.index('id="history"') :]
    assert "Sai chính tả khi soạn thảo." in history
    assert f"<del>{TYPO}</del>" in history and FIXED in history
    assert "phần Ưu điểm, ý thứ 2" in history
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 0  # nothing had been issued


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reason": ""}, "Hãy ghi lý do đính chính."),
        ({}, "Không có nội dung nào thay đổi; chưa ghi đính chính."),
        ({"version": "0", "place": "Nơi khác"}, "vừa được người khác lưu"),
    ],
)
def test_refusals_on_the_web_keep_the_typing_and_write_nothing(world, login_as, concluded, changes, message):
    client = login_as(world.inspector)
    finding = _finding(concluded, TYPO)
    data = (
        _form(concluded, **{f"finding-{finding.id}": "Đã gõ lại ý này."})
        if changes == {}
        else _form(concluded)
    )
    if changes == {}:
        data[f"finding-{finding.id}"] = TYPO
    data.update(changes)
    response = client.post(f"/visits/{concluded.id}/correct", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 409)
    assert message in page
    assert db.session.scalar(select(func.count(VisitCorrection.id))) == 0
    assert db.session.scalar(select(func.count(CorrectionChange.id))) == 0


def test_refusals_speak_english_when_asked(world, login_as, concluded):
    world.inspector.locale = "en"
    db.session.commit()
    client = login_as(world.inspector)
    page = client.post(f"/visits/{concluded.id}/correct", data=_form(concluded)).get_data(as_text=True)
    assert "Nothing was changed; no correction was recorded." in page
    page = client.post(f"/visits/{concluded.id}/correct", data=_form(concluded, reason="")).get_data(
        as_text=True
    )
    assert "Please give the reason for the correction." in page


def test_another_bodys_inspector_gets_404_and_an_office_403(world, login_as, concluded):
    assert (
        login_as(world.other_inspector)
        .post(f"/visits/{concluded.id}/correct", data=_form(concluded))
        .status_code
        == 404
    )
    assert login_as(world.office).get(f"/visits/{concluded.id}/correct").status_code == 403
    assert db.session.scalar(select(func.count(VisitCorrection.id))) == 0


def test_an_issued_conclusion_gets_its_own_numbered_correction_citing_it(world, login_as, concluded):
    original = _issue_conclusion(concluded, world.inspector)
    finding = _finding(concluded, TYPO)
    request_finding = _finding(concluded, "Đề nghị hỗ trợ kinh phí.")
    client = login_as(world.inspector)
    response = client.post(
        f"/visits/{concluded.id}/correct",
        data=_form(
            concluded,
            **{
                f"finding-{finding.id}": FIXED,
                f"finding-{request_finding.id}": "Đề nghị hỗ trợ kinh phí hoạt động.",  # not in the notice
                "place": "Hội trường Huyện ủy Bù Đốp",  # not printed
            },
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    notice = db.session.scalar(select(IssuedDocument).where(IssuedDocument.kind == "correction"))
    assert notice.cites_id == original.id
    assert notice.type_code == "TB" and notice.number >= 1 and notice.id != original.id
    document = open_docx(notice.file("docx").data)
    texts = body_texts(document)
    assert f"Số {notice.symbol}" in texts
    assert "THÔNG BÁO" in texts
    assert "đính chính Thông báo số 01-TB/BTGTU ngày 20/06/2023" in texts
    changes = [t for t in texts if t.startswith("- Tại ")]
    assert changes == [f"- Tại phần Ưu điểm, ý thứ 2: “{TYPO}” nay sửa lại là: “{FIXED}”."]
    assert "Lý do đính chính: Sai chính tả khi soạn thảo." in texts
    assert "Các nội dung khác của Thông báo số 01-TB/BTGTU ngày 20/06/2023 giữ nguyên." in texts
    recipients, signature = tables(document)[-1][0]
    assert "Nơi nhận:" in recipients and "Lưu" in recipients
    assert "TRƯỞNG BAN" in signature
    correction = db.session.scalar(select(VisitCorrection))
    assert [n.id for n in correction.notices] == [notice.id]
    dossier = client.get(f"/visits/{concluded.id}").get_data(as_text=True)
    assert notice.symbol in dossier[dossier.index('id="history"') :]
    register = client.get("/van-ban/so-van-ban").get_data(as_text=True)
    assert "đính chính văn bản số 01-TB/BTGTU" in register


def test_a_correction_printed_nowhere_issues_nothing(world, concluded):
    _issue_conclusion(concluded, world.inspector)
    correction = flow.correct_visit(
        concluded,
        world.inspector,
        reason="Sai địa điểm.",
        version=concluded.version,
        fields={"place": "Khác"},
    )
    assert flow.originals_to_correct(correction) == []


def test_each_issued_document_gets_a_correction_of_what_it_prints(world, login_as, concluded):
    from exports.visit_report import build_visit_report

    report = issue_document(
        world.inspector,
        DocumentKind.VISIT_REPORT,
        issuer=concluded.inspecting_org,
        issued_on=date(2023, 6, 16),
        visit=concluded,
        subject=concluded.inspected_org.name,
        build=lambda symbol: build_visit_report(concluded, issued_on=date(2023, 6, 16), number=symbol),
        today=date(2023, 6, 16),
    )
    conclusion = _issue_conclusion(concluded, world.inspector)
    limitation = _finding(concluded, "Trang thông tin cập nhật chậm.")
    response = login_as(world.inspector).post(
        f"/visits/{concluded.id}/correct",
        data=_form(
            concluded,
            summary="Đoàn nghe báo cáo và đối chiếu hồ sơ.",
            **{f"finding-{limitation.id}": "Trang thông tin điện tử cập nhật chậm."},
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    notices = {
        n.cites_id: n
        for n in db.session.scalars(select(IssuedDocument).where(IssuedDocument.kind == "correction"))
    }
    assert set(notices) == {report.id, conclusion.id}
    assert notices[report.id].symbol != notices[conclusion.id].symbol

    def change_lines(notice):
        return [t for t in body_texts(open_docx(notice.file("docx").data)) if t.startswith("- Tại ")]

    report_lines = change_lines(notices[report.id])
    assert [line.split(":")[0] for line in report_lines] == [
        "- Tại mục Kết quả kiểm tra",
        "- Tại phần Hạn chế, khuyết điểm, ý thứ 1",
    ]
    assert report_lines[0] == "- Tại mục Kết quả kiểm tra: bổ sung “Đoàn nghe báo cáo và đối chiếu hồ sơ.”."
    assert change_lines(notices[conclusion.id]) == [
        "- Tại phần Hạn chế, khuyết điểm, ý thứ 1: “Trang thông tin cập nhật chậm.” nay sửa lại là: "
        "“Trang thông tin điện tử cập nhật chậm.”."
    ]
    texts = body_texts(open_docx(notices[report.id].file("docx").data))
    assert f"đính chính Báo cáo số {report.symbol} ngày 16/06/2023" in texts
