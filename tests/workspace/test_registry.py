"""The document registry: search, a page per document with the directives citing it, and editing."""

from __future__ import annotations

from datetime import date

from flask_babel import refresh
from sqlalchemy import func, select

from models import LegalDocument, db
from workflows import visits as visit_flow


def _document(code: str) -> LegalDocument:
    return db.session.scalar(select(LegalDocument).where(LegalDocument.code == code))


def test_the_registry_is_searched_without_tone_marks(login_as, world, full_visit):
    full_visit()
    visit_flow.resolve_document("Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị")
    _document("85-QĐ/TW").title = "Quy định về trách nhiệm nêu gương trên mạng xã hội"
    db.session.commit()
    client = login_as(world.leader)
    found = client.get("/registry?q=quy+dinh+neu+guong").get_data(as_text=True)
    assert "85-QĐ/TW" in found and "05-CT/TW" not in found
    by_code = client.get("/registry?q=05-ct").get_data(as_text=True)
    assert "05-CT/TW" in by_code and "85-QĐ/TW" not in by_code
    by_type = client.get("/registry?type=CT").get_data(as_text=True)
    assert "05-CT/TW" in by_type and "85-QĐ/TW" not in by_type


def test_the_registry_counts_citations_and_sorts_by_them(login_as, world, full_visit):
    full_visit()
    full_visit()
    visit_flow.resolve_document("05-CT/TW")
    db.session.commit()
    page = login_as(world.inspector).get("/registry?sort=-cited").get_data(as_text=True)
    assert page.index("85-QĐ/TW") < page.index("05-CT/TW")
    assert '<td class="num">2</td>' in page


def test_a_document_page_lists_the_directives_citing_it_in_scope(login_as, world, full_visit):
    visit = full_visit()
    other = visit_flow.create_visit(
        world.other_inspector,
        title="Đợt của Ủy ban Kiểm tra",
        subject="công tác kiểm tra",
        visited_on=date(2023, 8, 1),
        inspecting_org=world.other_inspector.organization,
        inspected_org=world.other_district,
    )
    visit_flow.issue_directive(
        other, world.other_inspector, body="Thực hiện 85-QĐ/TW.", citations=["85-QĐ/TW"]
    )
    db.session.commit()
    document = _document("85-QĐ/TW")
    page = login_as(world.inspector).get(f"/registry/{document.id}").get_data(as_text=True)
    assert visit.title in page
    assert "Một là," in page
    assert "Đợt của Ủy ban Kiểm tra" not in page
    leader_page = login_as(world.leader).get(f"/registry/{document.id}").get_data(as_text=True)
    assert "Đợt của Ủy ban Kiểm tra" in leader_page


def test_an_admin_adds_a_document_from_a_full_citation(login_as, world):
    client = login_as(world.admin)
    response = client.post(
        "/registry/new",
        data={
            "citation": "Quy định số 85-QĐ/TW ngày 07/10/2022 của Ban Bí thư",
            "title": "Về trách nhiệm nêu gương của cán bộ, đảng viên",
        },
    )
    assert response.status_code == 302
    document = _document("85-QĐ/TW")
    assert document.issued_on == date(2022, 10, 7)
    assert document.title == "Về trách nhiệm nêu gương của cán bộ, đảng viên"
    again = client.post("/registry/new", data={"citation": "85-QĐ/TW"}).get_data(as_text=True)
    assert "Văn bản 85-QĐ/TW đã có trong danh mục." in again


def test_a_code_that_does_not_parse_is_refused_with_a_message(login_as, world):
    client = login_as(world.inspector)
    for typed, message in (
        ("", "Chưa nhập số hiệu văn bản."),
        ("Quy định 85", "Không tìm thấy số hiệu văn bản"),
    ):
        page = client.post("/registry/new", data={"citation": typed}).get_data(as_text=True)
        assert message in page
    assert db.session.scalar(select(func.count(LegalDocument.id))) == 0


def test_editing_a_document_keeps_its_code_and_checks_the_year(login_as, world):
    visit_flow.resolve_document("30/2020/NĐ-CP")
    db.session.commit()
    document = _document("30/2020/NĐ-CP")
    client = login_as(world.inspector)
    wrong = client.post(
        f"/registry/{document.id}/edit", data={"issued_on": "05/03/2021", "title": "Về công tác văn thư"}
    )
    assert "phải thuộc năm 2020" in wrong.get_data(as_text=True)
    client.post(
        f"/registry/{document.id}/edit",
        data={"issued_on": "05/03/2020", "title": "Về công tác văn thư", "is_secret": "y"},
    )
    db.session.refresh(document)
    assert document.code == "30/2020/NĐ-CP"
    assert document.issued_on == date(2020, 3, 5)
    assert document.is_secret


def test_a_leader_reads_the_registry_but_cannot_change_it(login_as, world):
    visit_flow.resolve_document("05-CT/TW")
    db.session.commit()
    client = login_as(world.leader)
    assert "Thêm văn bản" not in client.get("/registry").get_data(as_text=True)
    assert client.get("/registry/new").status_code == 403


def _other_tree_inspector():
    from models import Organization, User
    from models.enums import OrgKind, Role
    from tests.conftest import PASSWORD_HASH

    root = Organization(code="TU-DN", doc_code="TU", name="Tỉnh ủy Đồng Nai", kind=OrgKind.PARTY_COMMITTEE)
    root.place_path(None)
    board = Organization(code="BTGTU-DN", doc_code="BTGTU", name="Ban Tuyên giáo Tỉnh ủy Đồng Nai")
    board.kind = OrgKind.PARTY_BOARD
    board.place_path(root)
    user = User(username="dongnai", role=Role.INSPECTOR, organization=board, display_name="dongnai")
    user.email = "dongnai@example.test"
    user.password_hash = PASSWORD_HASH
    db.session.add_all([root, board, user])
    db.session.commit()
    return user


def test_an_inspector_of_another_tree_cannot_edit_a_registry_entry(login_as, world):
    mine = login_as(world.inspector)
    mine.post("/registry/new", data={"citation": "04-QC/BTGTU", "title": "Quy chế làm việc"})
    document = _document("04-QC/BTGTU")
    assert document is not None and document.owner_root_id == world.province.id
    outsider = login_as(_other_tree_inspector())
    page = outsider.get(f"/registry/{document.id}").get_data(as_text=True)
    assert "Quy chế làm việc" in page and f"/registry/{document.id}/edit" not in page
    assert outsider.get(f"/registry/{document.id}/edit").status_code == 403
    refused = outsider.post(f"/registry/{document.id}/edit", data={"title": "Đổi tên", "is_secret": "y"})
    assert refused.status_code == 403
    db.session.refresh(document)
    assert document.title == "Quy chế làm việc" and not document.is_secret


def test_a_document_first_cited_in_a_directive_belongs_to_the_citing_tree(login_as, world, full_visit):
    from workflows.citations import parse_citation

    visit = full_visit(directives=0)
    visit_flow.issue_directive(
        visit, world.inspector, body="Quán triệt quy chế làm việc.", citations=["09-QC/BTGTU"]
    )
    db.session.commit()
    document = _document("09-QC/BTGTU")
    assert document.owner_root_id == world.province.id
    outsider = _other_tree_inspector()
    # Citing it from the other tree, with a date and the secret mark, changes nothing of it.
    visit_flow.register_document(
        parse_citation("Quy chế số 09-QC/BTGTU ngày 02/03/2021 (Mật)"), owner=outsider
    )
    db.session.commit()
    db.session.refresh(document)
    assert document.issued_on is None and not document.is_secret
    client = login_as(outsider)
    page = client.get(f"/registry/{document.id}").get_data(as_text=True)
    assert "09-QC/BTGTU" in page and f"/registry/{document.id}/edit" not in page
    refused = client.post(f"/registry/{document.id}/edit", data={"title": "Đổi tên", "is_secret": "y"})
    assert refused.status_code == 403
    db.session.refresh(document)
    assert document.title is None and not document.is_secret
    # The citing tree's own inspector still completes it.
    mine = login_as(world.inspector)
    assert mine.post(f"/registry/{document.id}/edit", data={"title": "Quy chế làm việc"}).status_code == 302
    db.session.refresh(document)
    assert document.title == "Quy chế làm việc"


def test_the_filters_name_types_and_issuers_in_words_not_abbreviations(login_as, world, full_visit):
    full_visit()
    visit_flow.resolve_document("Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị")
    db.session.commit()
    client = login_as(world.leader)
    page = client.get("/registry?type=CT").get_data(as_text=True)
    assert '<option value="CT" selected>Chỉ thị (CT)</option>' in page
    assert (
        '<option value="QĐi">Quy định (QĐi)</option>' in page
        or '<option value="QĐ">Quyết định (QĐ)</option>' in page
    )
    assert '<option value="TW">Bộ Chính trị (TW)</option>' in page
    world.leader.locale = "en"
    db.session.commit()
    refresh()  # the tests share one app context, where Flask-Babel keeps the first request's language
    english = login_as(world.leader).get("/registry").get_data(as_text=True)
    assert '<option value="CT">Directive (CT)</option>' in english
