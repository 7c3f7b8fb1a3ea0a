"""Administration: the organisation tree with validity dates, and accounts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import Organization, User, db
from tests.conftest import PASSWORD


def _org_form(org: Organization | None = None, **overrides):
    data = {
        "name": org.name if org else "Ban Dân vận Huyện ủy Bù Đốp",
        "short_name": "",
        "code": org.code if org else "BDVHU-BUDOP",
        "doc_code": org.doc_code if org else "BDVHU",
        "kind": org.kind.value if org else "party_board",
        "parent_id": str(org.parent_id) if org and org.parent_id else "",
        "place_name": "Bù Đốp",
        "valid_from": "",
        "valid_to": "",
    }
    data.update(overrides)
    return data


def _by_code(code: str) -> Organization:
    return db.session.scalar(select(Organization).where(Organization.code == code))


def test_the_tree_shows_bodies_in_order_with_their_validity(login_as, world):
    world.other_district.valid_to = date(2025, 6, 30)
    db.session.commit()
    page = login_as(world.admin).get("/admin/organizations").get_data(as_text=True)
    assert (
        page.index("Tỉnh ủy Bình Phước")
        < page.index("Huyện ủy Bù Đốp")
        < page.index("Ban Tuyên giáo Huyện ủy Bù Đốp")
    )
    assert "30/06/2025" in page
    assert "hết hiệu lực" in page


def test_an_admin_adds_a_body_under_a_district(login_as, world):
    response = login_as(world.admin).post(
        "/admin/organizations/new", data=_org_form(parent_id=str(world.district.id))
    )
    assert response.status_code == 302
    org = _by_code("BDVHU-BUDOP")
    assert org.parent_id == world.district.id
    assert org.path == "/TU-BP/HU-BUDOP/BDVHU-BUDOP/"


def test_moving_a_body_moves_its_subtree(login_as, world):
    office = world.district_office
    data = _org_form(world.district, parent_id=str(world.other_district.id))
    assert (
        login_as(world.admin).post(f"/admin/organizations/{world.district.id}/edit", data=data).status_code
        == 302
    )
    db.session.expire_all()
    assert _by_code("HU-BUDOP").path == "/TU-BP/HU-LOCNINH/HU-BUDOP/"
    assert db.session.get(Organization, office.id).path == "/TU-BP/HU-LOCNINH/HU-BUDOP/BTGHU-BUDOP/"


def test_renaming_a_code_renames_the_paths_below(login_as, world):
    data = _org_form(world.district, code="HU-BD")
    login_as(world.admin).post(f"/admin/organizations/{world.district.id}/edit", data=data)
    db.session.expire_all()
    assert db.session.get(Organization, world.district_office.id).path == "/TU-BP/HU-BD/BTGHU-BUDOP/"


def test_a_body_cannot_go_under_its_own_subtree(login_as, world):
    data = _org_form(world.district, parent_id=str(world.district_office.id))
    page = (
        login_as(world.admin)
        .post(f"/admin/organizations/{world.district.id}/edit", data=data)
        .get_data(as_text=True)
    )
    assert "Lựa chọn không hợp lệ" in page or "không thể đặt" in page.lower()
    db.session.expire_all()
    assert _by_code("HU-BUDOP").parent_id == world.province.id


def test_bad_organisation_input_gets_messages(login_as, world):
    client = login_as(world.admin)
    cases = [
        (_org_form(parent_id=str(world.district.id), code="HU-LOCNINH"), "Mã HU-LOCNINH đã được dùng"),
        (
            _org_form(parent_id=str(world.district.id), valid_from="01/07/2025", valid_to="30/06/2025"),
            "không được trước",
        ),
        (_org_form(parent_id=str(world.district.id), valid_to="31/02/2025"), "không có trên lịch"),
        (_org_form(parent_id=str(world.district.id), name=""), "Chưa nhập tên."),
        (_org_form(parent_id=str(world.district.id), code="A/B"), "không được chứa dấu /"),
    ]
    for data, message in cases:
        page = client.post("/admin/organizations/new", data=data).get_data(as_text=True)
        assert message in page, message
    assert _by_code("BDVHU-BUDOP") is None


def test_validity_dates_record_a_merger_without_rewriting(login_as, world):
    data = _org_form(world.district, parent_id=str(world.province.id), valid_to="30/06/2025")
    login_as(world.admin).post(f"/admin/organizations/{world.district.id}/edit", data=data)
    db.session.expire_all()
    district = _by_code("HU-BUDOP")
    assert district.valid_to == date(2025, 6, 30)
    assert district.name == "Huyện ủy Bù Đốp"


def test_an_admin_cannot_reach_bodies_outside_the_subtree(login_as, world, elsewhere):
    client = login_as(world.admin)
    assert client.get(f"/admin/organizations/{elsewhere.district.id}/edit").status_code == 404
    assert "Tân Phú" not in client.get("/admin/organizations").get_data(as_text=True)
    data = _org_form(parent_id=str(elsewhere.province.id))
    assert client.post("/admin/organizations/new", data=data).status_code in (200, 404)
    assert _by_code("BDVHU-BUDOP") is None


# --- Accounts --------------------------------------------------------------------------------


def _user_form(**overrides):
    data = {
        "username": "vanphong2",
        "display_name": "Nguyễn Văn An",
        "email": "an@example.test",
        "role": "office",
        "organization_id": "",
        "locale": "vi",
        "is_active": "y",
        "password": "một mật khẩu dài",
    }
    data.update(overrides)
    return data


def test_an_admin_opens_an_account_that_can_sign_in(app, login_as, world):
    client = login_as(world.admin)
    response = client.post("/admin/users/new", data=_user_form(organization_id=str(world.district_office.id)))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "vanphong2"))
    assert user.password_hash.startswith("$argon2id$")
    fresh = app.test_client()
    assert (
        fresh.post("/login", data={"username": "vanphong2", "password": "một mật khẩu dài"}).status_code
        == 302
    )


def test_bad_account_input_gets_messages(login_as, world):
    client = login_as(world.admin)
    org = str(world.district_office.id)
    cases = [
        (_user_form(organization_id=org, password="ngắn"), "ít nhất 8 ký tự"),
        (_user_form(organization_id=org, password=""), "Cần đặt mật khẩu"),
        (_user_form(organization_id=org, username="office"), "Tên đăng nhập office đã có."),
        (_user_form(organization_id=org, username="có dấu cách"), "không được chứa khoảng trắng"),
        (_user_form(organization_id=org, email="khong-phai-thu"), "không hợp lệ"),
        (_user_form(organization_id=org, password="vanphong2"), "không được trùng tên đăng nhập"),
        (_user_form(organization_id=""), "Chưa chọn cơ quan, đơn vị."),
    ]
    for data, message in cases:
        page = client.post("/admin/users/new", data=data).get_data(as_text=True)
        assert message in page, message
    assert db.session.scalar(select(User).where(User.username == "vanphong2")) is None


def test_disabling_an_account_ends_its_sessions(app, login_as, world):
    office = app.test_client()
    office.post("/login", data={"username": "office", "password": PASSWORD})
    client = login_as(world.admin)
    data = _user_form(username="office", organization_id=str(world.district_office.id), password="")
    data.pop("is_active")
    assert client.post(f"/admin/users/{world.office.id}/edit", data=data).status_code == 302
    db.session.commit()
    with app.app_context():
        assert office.get("/").status_code == 302


def test_a_new_password_ends_the_old_sessions(app, login_as, world):
    office = app.test_client()
    office.post("/login", data={"username": "office", "password": PASSWORD})
    client = login_as(world.admin)
    data = _user_form(
        username="office", organization_id=str(world.district_office.id), password="mật khẩu mới 2026"
    )
    client.post(f"/admin/users/{world.office.id}/edit", data=data)
    db.session.commit()
    with app.app_context():
        assert office.get("/").status_code == 302
    db.session.refresh(world.office)
    assert world.office.check_password("mật khẩu mới 2026")


def test_an_admin_cannot_lock_themselves_out(login_as, world):
    client = login_as(world.admin)
    data = _user_form(username="admin", role="office", organization_id=str(world.province.id), password="")
    page = client.post(f"/admin/users/{world.admin.id}/edit", data=data).get_data(as_text=True)
    assert "Không thể tự khóa tài khoản" in page


def test_accounts_outside_the_subtree_are_not_found(login_as, world, elsewhere):
    client = login_as(world.admin)
    assert client.get(f"/admin/users/{elsewhere.inspector.id}/edit").status_code == 404
    assert "inspector-dn" not in client.get("/admin/users").get_data(as_text=True)


def test_the_account_list_searches_and_shows_the_last_sign_in(login_as, world):
    client = login_as(world.admin)
    page = client.get("/admin/users?q=bu+dop").get_data(as_text=True)
    assert "office" in page and "locninh" not in page
    assert "Đăng nhập gần nhất" in page
