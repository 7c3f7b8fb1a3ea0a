"""People and their accounts from a spreadsheet.

Each row is a person of an organisation (found by name in that organisation, or added to the
directory), with an optional account linked to them. An account whose username exists is updated
only when it already belongs to that person; otherwise the username is taken. Without a password
column, a new account gets a random first password, shown once in the result.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import select

from models import Organization, User, db
from models.enums import Role
from models.vntext import search_key
from workflows import admin, people
from workflows.errors import DomainError, ValidationFailed
from workflows.imports.plan import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Change,
    ImportResult,
    RowFailed,
    differences,
    on_row,
)
from workflows.imports.sheet import Column, SheetData, SheetRow, SheetSpec, rows_by

SPEC = SheetSpec(
    title="Người và tài khoản",
    columns=(
        Column(
            "full_name", "Họ và tên", ("họ tên", "tên", "name", "full name"), required=True, max_length=120
        ),
        Column(
            "position", "Chức vụ", ("chức danh", "position"), hint="Ví dụ Phó Trưởng Ban Tuyên giáo Tỉnh ủy."
        ),
        Column(
            "org_code",
            "Mã cơ quan, đơn vị",
            (
                "mã cơ quan",
                "mã đơn vị",
                "cơ quan, đơn vị",
                "cơ quan",
                "đơn vị",
                "organisation",
                "organization",
            ),
            required=True,
            max_length=200,
            hint="Mã của cơ quan (như trong tệp cơ quan, đơn vị), hoặc tên đầy đủ của cơ quan.",
        ),
        Column(
            "username",
            "Tên đăng nhập",
            ("tài khoản", "username", "login"),
            max_length=60,
            hint="Bỏ trống nếu người này không cần tài khoản.",
        ),
        Column(
            "role",
            "Vai trò",
            ("quyền", "role"),
            max_length=40,
            hint="Quản trị, Cán bộ kiểm tra, Văn phòng đơn vị hoặc Lãnh đạo (bắt buộc khi có tên đăng nhập).",
        ),
        Column("email", "Thư điện tử", ("email", "e-mail", "địa chỉ thư điện tử"), max_length=200),
        Column(
            "password",
            "Mật khẩu ban đầu",
            ("mật khẩu", "password"),
            hint="Ít nhất 8 ký tự; bỏ trống: kiemtra tạo mật khẩu ngẫu nhiên và hiện một lần sau khi nhập.",
        ),
    ),
    example=(
        (
            "Mạc Đình Huấn",
            "Phó Trưởng Ban Tuyên giáo Tỉnh ủy",
            "BTGTU-BP",
            "huan.md",
            "Cán bộ kiểm tra",
            "",
            "",
        ),
        ("Dương Thanh Huân", "Bí thư Huyện ủy Bù Đốp", "HU-BUDOP", "", "", "", ""),
    ),
)

_ROLE_WORDS = {
    Role.ADMIN: ("admin", "quan tri", "quan tri vien"),
    Role.INSPECTOR: ("inspector", "can bo kiem tra", "kiem tra", "thanh vien doan kiem tra"),
    Role.OFFICE: ("office", "van phong don vi", "van phong", "don vi", "don vi duoc kiem tra"),
    Role.LEADER: ("leader", "lanh dao"),
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COLUMN_OF = {
    "Tên đăng nhập %(name)s đã có.": "username",
    "Tên đăng nhập không được chứa khoảng trắng.": "username",
    "Chưa nhập họ và tên.": "full_name",
    "Không tìm thấy cơ quan, đơn vị.": "org_code",
}


def _column_of(error: DomainError) -> str:
    if "Mật khẩu" in error.template:
        return "password"
    return _COLUMN_OF.get(error.template, "username")


def parse_role(text: str | None) -> Role | None:
    """The role a cell names, by value or by its Vietnamese name (tone marks optional)."""
    key = search_key(text)
    return next((role for role, words in _ROLE_WORDS.items() if key in words), None)


def new_password() -> str:
    """A random first password the user is asked to change."""
    return secrets.token_urlsafe(9)


def import_people(actor: Any, sheet: SheetData) -> ImportResult:
    """Add or update a person for every row and open or update the account it names."""
    result = ImportResult(sheet)
    orgs = _organizations(sheet)
    for name, rows in rows_by(sheet.rows, "username").items():
        for row in rows[1:]:
            sheet.problem(
                row,
                "username",
                "Tên đăng nhập %(name)s đã có ở dòng %(first)d.",
                name=name,
                first=rows[0].number,
            )
    repeated = {id(row) for rows in rows_by(sheet.rows, "username").values() for row in rows[1:]}
    for row in sheet.rows:
        if id(row) in repeated:
            continue
        checked = _check_row(sheet, row, orgs)
        if checked is None:
            continue
        org, role = checked
        try:
            with on_row(sheet, row, _column_of):
                result.changes.append(_save(actor, row, org, role))
        except RowFailed:
            continue
    return result


def _organizations(sheet: SheetData) -> dict[str, Organization]:
    """The organisations the file names, by code and by folded name."""
    named = {str(r.get("org_code")) for r in sheet.rows if r.get("org_code")}
    codes = {n.upper() for n in named}
    keys = {search_key(n) for n in named}
    found: dict[str, Organization] = {}
    query = select(Organization).where(Organization.code.in_(codes) | Organization.search_key.in_(keys))
    for org in db.session.scalars(query.order_by(Organization.path)):
        found[org.code] = org
        found.setdefault(org.search_key, org)
    return found


def _check_row(
    sheet: SheetData, row: SheetRow, orgs: dict[str, Organization]
) -> tuple[Organization, Role | None] | None:
    before = len(sheet.problems)
    written = str(row.get("org_code") or "")
    org = orgs.get(written.upper()) or orgs.get(search_key(written))
    if written and org is None:
        sheet.problem(row, "org_code", "Không có cơ quan, đơn vị «%(value)s».", value=written)
    role = parse_role(row.get("role"))
    if row.get("role") and role is None:
        sheet.problem(
            row,
            "role",
            "Vai trò «%(value)s» không có; hãy ghi một trong: %(choices)s.",
            value=row.get("role"),
            choices="Quản trị, Cán bộ kiểm tra, Văn phòng đơn vị, Lãnh đạo",
        )
    if row.get("username") and not row.get("role"):
        sheet.problem(row, "role", "Có tên đăng nhập thì cần vai trò.")
    if not row.get("username"):
        for key in ("role", "email", "password"):
            if row.get(key):
                sheet.problem(
                    row, "username", "Có %(column)s thì cần tên đăng nhập.", column=sheet.where(key)
                )
                break
    if row.get("email") and not _EMAIL.match(row.get("email")):
        sheet.problem(row, "email", "Thư điện tử «%(value)s» không đúng dạng.", value=row.get("email"))
    if row.get("password") and row.get("username"):
        try:
            admin.check_password(row.get("password"), row.get("username"))
        except DomainError as error:
            sheet.problem(row, "password", error.template, **error.params)
    if len(sheet.problems) > before or org is None:
        return None
    return org, role


def _save(actor: Any, row: SheetRow, org: Organization, role: Role | None) -> Change:
    name, position = row.get("full_name"), row.get("position")
    person = people.find_person(name, org)
    label = f"{name} – {org.code}"
    if person is None:
        person = people.add_person(actor, full_name=name, position=position, organization=org)
        change = Change(row.number, CREATE, label, obj=person)
    else:
        changed = (
            differences([(SPEC.column("position").header, person.position, position)]) if position else []
        )
        if changed:
            people.change_position(person, actor, position)
        change = Change(row.number, UPDATE if changed else UNCHANGED, label, changed, obj=person)
    username = row.get("username")
    if not username or role is None:
        return change
    account = db.session.scalar(select(User).where(User.username == username.casefold()))
    if account is None:
        password = row.get("password") or new_password()
        admin.create_user(
            actor,
            username=username,
            password=password,
            role=role,
            organization=org,
            display_name=name,
            email=row.get("email"),
            person=person,
        )
        change.fields.append(differences([(SPEC.column("username").header, None, username.casefold())])[0])
        change.action = change.action if change.action == CREATE else UPDATE
        change.note = None if row.get("password") else password
        return change
    if account.person_id != person.id:
        raise ValidationFailed("Tên đăng nhập %(name)s đã có.", name=account.username)
    pairs = [
        (SPEC.column("role").header, account.role.value, role.value),
        (SPEC.column("email").header, account.email, row.get("email") or account.email),
        (SPEC.column("org_code").header, account.organization.code, org.code),
    ]
    account_changes = differences(pairs)
    password = row.get("password")
    if password and account.check_password(password):
        password = None  # the same file imported again changes nothing
    if password:
        account_changes.append(differences([(SPEC.column("password").header, "", "••••••••")])[0])
    if account_changes:
        admin.update_user(
            account,
            actor,
            username=account.username,
            role=role,
            organization=org,
            is_active=account.is_active,
            display_name=account.display_name or name,
            email=row.get("email") or account.email,
            locale=account.locale,
            new_password=password,
        )
        change.fields.extend(account_changes)
        if change.action == UNCHANGED:
            change.action = UPDATE
    return change
