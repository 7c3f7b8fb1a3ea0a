"""The decision or plan a visit carries out: typed on the visit form, shown on the dossier, printed in
the opening sentence of the visit report and of the conclusion notice, and left out when absent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from exports.conclusion import build_conclusion
from exports.visit_report import build_visit_report
from models import Visit, db
from tests.documents.conftest import open_docx, paragraph_starting
from tests.workspace.forms import visit_form

DECISION = "Quyết định số 123-QĐ/BTGTU ngày 02/6/2023 của Ban Tuyên giáo Tỉnh ủy"


def _openings(visit):
    report = open_docx(build_visit_report(visit, issued_on=date(2023, 6, 20)))
    notice = open_docx(build_conclusion(visit, issued_on=date(2023, 6, 20), report_due_on=date(2023, 7, 20)))
    return paragraph_starting(report, "Thực hiện").text, paragraph_starting(notice, "Thực hiện").text


def test_the_report_and_the_notice_open_with_the_recorded_decision(conducted_visit):
    visit = conducted_visit(decision_ref=DECISION)
    for opening in _openings(visit):
        assert opening.startswith(f"Thực hiện {DECISION}, ")
        assert "chương trình, kế hoạch kiểm tra" not in opening


def test_a_plan_typed_without_its_issuer_is_the_inspecting_bodys(conducted_visit):
    visit = conducted_visit(decision_ref="Kế hoạch số 45-KH/BTGTU ngày 10/5/2023.")
    for opening in _openings(visit):
        assert opening.startswith(
            "Thực hiện Kế hoạch số 45-KH/BTGTU ngày 10/5/2023 của Ban Tuyên giáo Tỉnh ủy, "
        )


def test_without_a_decision_nothing_is_invented(conducted_visit):
    visit = conducted_visit()
    for opening in _openings(visit):
        assert opening.startswith("Thực hiện chương trình, kế hoạch kiểm tra của Ban Tuyên giáo Tỉnh ủy, ")
        assert "Quyết định" not in opening and "Kế hoạch số" not in opening


def test_the_form_keeps_the_decision_in_nfc_and_the_dossier_shows_it(login_as, world):
    decomposed = "Quye\u0302\u0301t đi\u0323nh so\u0302\u0301 123-QĐ/BTGTU ngày 02/6/2023"
    client = login_as(world.inspector)
    response = client.post("/visits/new", data=visit_form(world, decision_ref=decomposed))
    assert response.status_code == 302, response.get_data(as_text=True)
    visit = db.session.scalar(select(Visit))
    assert visit.decision_ref == "Quyết định số 123-QĐ/BTGTU ngày 02/6/2023"
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Căn cứ: Quyết định số 123-QĐ/BTGTU ngày 02/6/2023" in page
    edit = client.get(f"/visits/{visit.id}/edit").get_data(as_text=True)
    assert 'value="Quyết định số 123-QĐ/BTGTU ngày 02/6/2023"' in edit


def test_a_decision_reference_too_long_is_refused_on_the_form(login_as, world):
    response = login_as(world.inspector).post("/visits/new", data=visit_form(world, decision_ref="Q" * 301))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tối đa 300 ký tự." in page
    assert db.session.scalar(select(Visit)) is None
