"""Downloading and issuing documents through the web: roles, scope, file names, error messages."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from models import IssuedDocument, db
from models.enums import FindingKind
from tests.documents.conftest import open_docx, tables
from workflows import visits as visit_flow

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def visit(conducted_visit):
    return conducted_visit(
        findings={FindingKind.ACHIEVEMENT: ["Duy trì sinh hoạt chi bộ chuyên đề."]},
        directives=[("Quán triệt Quy định 85-QĐ/TW", "Tổ chức hội nghị quán triệt cho đảng viên.")],
    )


def _visit_url(visit, kind="bao-cao", fmt="docx"):
    return f"/van-ban/dot-kiem-tra/{visit.id}/{kind}.{fmt}"


@pytest.mark.parametrize("role", ["inspector", "leader"])
def test_inspectors_and_leaders_download_a_draft_report_with_a_vietnamese_file_name(
    world, login_as, visit, role
):
    client = login_as(getattr(world, role))
    response = client.get(_visit_url(visit))
    assert response.status_code == 200
    assert response.mimetype == DOCX_TYPE
    disposition = response.headers["Content-Disposition"]
    expected = "Báo cáo kết quả kiểm tra (dự thảo) - Huyện ủy Bù Đốp"
    assert "filename*=UTF-8''" + quote(expected) in disposition
    assert disposition.startswith("attachment;")
    number = tables(open_docx(response.data))[0][1][0]
    assert number.startswith("Số ") and number.endswith("-BC/BTGTU")


def test_the_conclusion_draft_takes_its_date_and_deadline_from_the_query(world, login_as, visit):
    response = login_as(world.inspector).get(
        _visit_url(visit, "thong-bao-ket-luan") + "?ngay=05/02/2024&han=2024-03-01"
    )
    assert response.status_code == 200
    document = open_docx(response.data)
    assert tables(document)[0][1][1] == "Bình Phước, ngày 05 tháng 02 năm 2024"
    assert any("trước ngày 01/03/2024" in p.text for p in document.paragraphs)


def test_a_date_that_is_not_on_the_calendar_gets_a_clear_message(world, login_as, visit):
    client = login_as(world.inspector)
    response = client.get(
        _visit_url(visit) + "?ngay=31/02/2024", headers={"Referer": "http://localhost/van-ban/"}
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Ngày ban hành «31/02/2024» không có trên lịch." in page


def test_office_staff_are_refused_and_outsiders_do_not_learn_the_visit_exists(world, login_as, visit, client):
    assert login_as(world.office).get(_visit_url(visit)).status_code == 403
    client.post("/logout")
    assert login_as(world.other_inspector).get(_visit_url(visit)).status_code == 404
    assert client.get("/van-ban/dot-kiem-tra/999999/bao-cao.docx").status_code == 404
    assert client.get(f"/van-ban/dot-kiem-tra/{visit.id}/bao-cao.exe").status_code == 404
    assert client.get(f"/van-ban/dot-kiem-tra/{visit.id}/bien-ban.docx").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, visit):
    response = client.get(_visit_url(visit))
    assert response.status_code == 302 and "/login" in response.location


def test_an_inspector_issues_the_report_and_gets_the_numbered_copy(world, login_as, visit):
    client = login_as(world.inspector)
    response = client.post(
        f"/van-ban/dot-kiem-tra/{visit.id}/bao-cao/cap-so",
        data={"ngay": "14/06/2023", "ly_do": "Vào sổ năm 2023"},
    )
    assert response.status_code == 200
    assert tables(open_docx(response.data))[0][1][0] == "Số 01-BC/BTGTU"
    assert (
        quote("Báo cáo kết quả kiểm tra 01-BC-BTGTU - Huyện ủy Bù Đốp - 14-06-2023.docx")
        in response.headers["Content-Disposition"]
    )
    second = client.post(
        f"/van-ban/dot-kiem-tra/{visit.id}/bao-cao/cap-so",
        data={"ngay": "15/06/2023", "ly_do": "Vào sổ năm 2023"},
    )
    assert tables(open_docx(second.data))[0][1][0] == "Số 02-BC/BTGTU"
    issued = db.session.scalars(select(IssuedDocument).order_by(IssuedDocument.number)).all()
    assert [d.symbol for d in issued] == ["01-BC/BTGTU", "02-BC/BTGTU"]
    import hashlib

    assert issued[1].file_sha256 == hashlib.sha256(second.data).hexdigest()


def test_a_conclusion_before_the_visit_is_concluded_is_refused_with_a_message(world, login_as, visit):
    client = login_as(world.inspector)
    response = client.post(f"/van-ban/dot-kiem-tra/{visit.id}/thong-bao-ket-luan/cap-so", data={})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Đợt kiểm tra chưa kết luận; chưa thể ban hành thông báo kết luận." in page
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 0


def test_leaders_may_not_issue_visit_documents(world, login_as, visit):
    response = login_as(world.leader).post(f"/van-ban/dot-kiem-tra/{visit.id}/bao-cao/cap-so", data={})
    assert response.status_code == 403


def test_a_leader_downloads_and_issues_the_summary_of_a_subtree(world, login_as, create_task):
    create_task(due_on=date(2023, 9, 30))
    db.session.commit()
    client = login_as(world.leader)
    draft = client.get(f"/van-ban/tong-hop.docx?don_vi={world.district.id}&tu=01/01/2023&den=31/12/2023")
    assert draft.status_code == 200
    texts = [p.text for p in open_docx(draft.data).paragraphs]
    assert "trong Đảng bộ huyện Bù Đốp" in texts
    assert "từ ngày 01/01/2023 đến ngày 31/12/2023" in texts
    issued = client.post(
        "/van-ban/tong-hop/cap-so",
        data={"don_vi": world.district.id, "tu": "01/01/2023", "den": "31/12/2023"},
    )
    assert issued.status_code == 200
    assert tables(open_docx(issued.data))[0][1][0] == "Số 01-BC/TU"


def test_a_summary_outside_the_leaders_subtree_is_not_found_and_other_roles_are_refused(
    world, login_as, client
):
    from models import User
    from models.enums import Role
    from tests.conftest import PASSWORD_HASH

    district_leader = User(
        username="leader.budop", role=Role.LEADER, organization=world.district, password_hash=PASSWORD_HASH
    )
    db.session.add(district_leader)
    db.session.commit()
    leader = login_as(district_leader)
    assert leader.get(f"/van-ban/tong-hop.docx?don_vi={world.province.id}").status_code == 404
    assert leader.get(f"/van-ban/don-doc/{world.other_office.id}.docx").status_code == 404
    client.post("/logout")
    inspector = login_as(world.inspector)
    assert inspector.get(f"/van-ban/tong-hop.docx?don_vi={world.board.id}").status_code == 403
    assert inspector.post(f"/van-ban/don-doc/{world.board.id}/cap-so").status_code == 403


def test_a_period_in_the_wrong_order_gets_a_message(world, login_as):
    client = login_as(world.leader)
    response = client.get("/van-ban/tong-hop.docx?tu=31/12/2023&den=01/01/2023")
    assert response.status_code == 302
    assert "Ngày kết thúc kỳ báo cáo không được trước ngày bắt đầu." in client.get(
        response.location
    ).get_data(as_text=True)


def test_a_leader_issues_a_follow_up_letter_to_a_unit_with_overdue_tasks(world, login_as, create_task):
    create_task(due_on=date(2023, 9, 30), title="Báo cáo dư luận xã hội")
    db.session.commit()
    client = login_as(world.leader)
    page = client.get("/van-ban/").get_data(as_text=True)
    assert (
        "Ban Tuyên giáo Huyện ủy Bù Đốp" in page
        and f"/van-ban/don-doc/{world.district_office.id}.docx" in page
    )
    response = client.post(f"/van-ban/don-doc/{world.district_office.id}/cap-so", data={"han": "31/12/2099"})
    assert response.status_code == 200
    document = open_docx(response.data)
    # A routine reminder goes out from the inspecting Board, not the Standing Committee.
    assert tables(document)[0][1][0].startswith("Số 01-CV/BTGTU")
    assert tables(document)[1][1][1].startswith("Báo cáo dư luận xã hội")
    assert "01-CV/BTGTU" in client.get("/van-ban/").get_data(as_text=True)


def test_the_visit_buttons_show_drafts_to_readers_and_issuing_to_the_inspecting_body(world, app, visit):
    from flask import render_template_string
    from flask_login import login_user

    visit_flow.conclude_visit(visit, world.inspector)
    db.session.commit()
    template = '{% include "documents/_visit_buttons.html" %}'
    with app.test_request_context("/"):
        login_user(world.inspector)
        html = render_template_string(template, visit=visit)
    assert _visit_url(visit) in html and _visit_url(visit, "thong-bao-ket-luan", "pdf") in html
    assert f"/van-ban/dot-kiem-tra/{visit.id}/thong-bao-ket-luan/cap-so" in html
    with app.test_request_context("/"):
        login_user(world.leader)
        html = render_template_string(template, visit=visit)
    assert _visit_url(visit) in html and "cap-so" not in html
    for outsider in (world.office, world.other_inspector):
        with app.test_request_context("/"):
            login_user(outsider)
            assert render_template_string(template, visit=visit).strip() == ""


def test_the_dashboard_buttons_offer_the_summary_of_the_scope_and_period(world, app):
    from flask import render_template_string
    from flask_login import login_user

    template = '{% include "documents/_dashboard_buttons.html" %}'
    context = {"scope_org": world.district, "period_start": None, "period_end": date(2024, 5, 31)}
    with app.test_request_context("/"):
        login_user(world.leader)
        html = render_template_string(template, **context)
    assert 'value="01/01/2024"' in html and 'value="31/05/2024"' in html
    assert f'name="don_vi" value="{world.district.id}"' in html
    with app.test_request_context("/"):
        login_user(world.inspector)
        assert render_template_string(template, **context).strip() == ""


def test_the_documents_page_lists_what_each_role_may_make(world, login_as, visit, client):
    page = login_as(world.inspector).get("/van-ban/").get_data(as_text=True)
    assert visit.title in page and "Báo cáo tổng hợp tình hình" not in page
    client.post("/logout")
    page = login_as(world.leader).get("/van-ban/").get_data(as_text=True)
    assert "Báo cáo tổng hợp tình hình" in page and "Không có đơn vị nào có nhiệm vụ quá hạn." in page
    client.post("/logout")
    assert login_as(world.office).get("/van-ban/").status_code == 403
