"""Administration: the organisation tree (with validity dates) and the accounts that sign in.

An administrator manages their own organisation's subtree; records outside it answer "not found".
Nothing here commits.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, TypeAlias

from sqlalchemy import select

from models import Organization, Person, User, db
from models.enums import OrgKind, Role
from models.vntext import nfc
from workflows import audit, signin
from workflows.errors import OutOfScope, PermissionDenied, ValidationFailed
from workflows.scope import in_subtree
from workflows.visits import require_text

if TYPE_CHECKING:
    from workflows.system import SystemActor

    Actor: TypeAlias = User | SystemActor

MIN_PASSWORD_LENGTH = 8  # OWASP ASVS 5.0 V6.2.1; no composition rules (V6.2.5)
MAX_PASSWORD_LENGTH = 200
LOCALES = ("vi", "en")
KEEP = object()  # an argument left as it is


def check_admin(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied("Chỉ quản trị viên được làm việc này.")


def check_org_in_scope(actor: Actor, org: Organization | None) -> None:
    if org is None or not actor.in_scope(org):
        raise OutOfScope("Không tìm thấy cơ quan, đơn vị.")


def _check_parent(actor: Actor, parent: Organization | None) -> None:
    if parent is None:
        if actor.organization is None:
            return  # the system actor of `kiemtra setup` makes the one root
        # A second root would lie outside every administrator's tree, its own creator's included.
        if actor.organization.parent_id is not None:
            raise PermissionDenied("Chỉ quản trị viên cấp cao nhất được tạo cơ quan gốc.")
        raise ValidationFailed("Hãy chọn cơ quan cấp trên: mỗi hệ thống chỉ có một cơ quan gốc.")
    check_org_in_scope(actor, parent)


def _check_validity(valid_from: date | None, valid_to: date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationFailed("Ngày hết hiệu lực không được trước ngày bắt đầu hiệu lực.")


def _check_code_free(code: str, org: Organization | None = None) -> str:
    code = require_text(code, "Chưa nhập mã cơ quan, đơn vị.").upper()
    if "/" in code or " " in code:
        raise ValidationFailed("Mã cơ quan, đơn vị không được chứa dấu / hay khoảng trắng.")
    taken = db.session.scalar(select(Organization.id).where(Organization.code == code))
    if taken is not None and (org is None or taken != org.id):
        raise ValidationFailed("Mã %(code)s đã được dùng cho cơ quan, đơn vị khác.", code=code)
    return code


def create_organization(
    actor: Actor,
    *,
    code: str,
    doc_code: str,
    name: str,
    kind: OrgKind,
    parent: Organization | None,
    short_name: str | None = None,
    place_name: str | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Organization:
    """Add a body under ``parent`` in the administrator's subtree."""
    check_admin(actor)
    _check_parent(actor, parent)
    _check_validity(valid_from, valid_to)
    org = Organization(
        code=_check_code_free(code),
        doc_code=require_text(doc_code, "Chưa nhập ký hiệu dùng trong số văn bản."),
        name=require_text(name, "Chưa nhập tên cơ quan, đơn vị."),
        short_name=nfc(short_name) or None,
        kind=kind,
        place_name=nfc(place_name) or None,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    org.place_path(parent)
    db.session.add(org)
    audit.record(actor, "organization.created", org, code=org.code)
    return org


def update_organization(
    org: Organization,
    actor: Actor,
    *,
    code: str,
    doc_code: str,
    name: str,
    kind: OrgKind,
    parent: Organization | None,
    short_name: str | None = None,
    place_name: str | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> None:
    """Change a body; moving it (or renaming its code) moves its whole subtree with it.

    A body merged or abolished gets a ``valid_to`` date instead of being rewritten, so that old
    visits keep reading as they were.
    """
    check_admin(actor)
    check_org_in_scope(actor, org)
    if org.id == actor.organization_id and parent is not org.parent:
        raise ValidationFailed("Không thể chuyển cơ quan của chính mình sang nơi khác.")
    if parent is not org.parent:
        _check_parent(actor, parent)
    if parent is not None and org.contains(parent):
        raise ValidationFailed("Không thể đặt một cơ quan dưới chính nó hoặc đơn vị cấp dưới của nó.")
    _check_validity(valid_from, valid_to)
    code = _check_code_free(code, org)
    old_path, old_code, old_parent = org.path, org.code, org.parent
    org.code = code
    org.doc_code = require_text(doc_code, "Chưa nhập ký hiệu dùng trong số văn bản.")
    org.name = require_text(name, "Chưa nhập tên cơ quan, đơn vị.")
    org.short_name = nfc(short_name) or None
    org.kind = kind
    org.place_name = nfc(place_name) or None
    org.valid_from = valid_from
    org.valid_to = valid_to
    if parent is not old_parent or code != old_code:
        descendants = db.session.scalars(
            select(Organization).where(in_subtree(Organization.path, org), Organization.id != org.id)
        ).all()
        org.place_path(parent)
        for child in descendants:
            child.path = org.path + child.path.removeprefix(old_path)
    audit.record(actor, "organization.updated", org, code=org.code)


def check_password(password: str, username: str) -> str:
    """Refuse a password that is too short, too long, or the username itself (ASVS V6.2)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed("Mật khẩu phải có ít nhất %(n)d ký tự.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed("Mật khẩu dài quá %(n)d ký tự.", n=MAX_PASSWORD_LENGTH)
    if password.casefold() == username.casefold():
        raise ValidationFailed("Mật khẩu không được trùng tên đăng nhập.")
    return password


def _check_person(actor: Actor, person: Person | None) -> None:
    """An account may be linked only to a person of the administrator's subtree."""
    if person is not None and person.organization is not None and not actor.in_scope(person.organization):
        raise OutOfScope("Không tìm thấy người này trong danh bạ.")


def _check_username_free(username: str, user: User | None = None) -> str:
    username = (nfc(username) or "").casefold()
    if not username:
        raise ValidationFailed("Chưa nhập tên đăng nhập.")
    if any(ch.isspace() for ch in username):
        raise ValidationFailed("Tên đăng nhập không được chứa khoảng trắng.")
    taken = db.session.scalar(select(User.id).where(User.username == username))
    if taken is not None and (user is None or taken != user.id):
        raise ValidationFailed("Tên đăng nhập %(name)s đã có.", name=username)
    return username


def create_user(
    actor: Actor,
    *,
    username: str,
    password: str,
    role: Role,
    organization: Organization,
    display_name: str | None = None,
    email: str | None = None,
    locale: str = "vi",
    person: Person | None = None,
) -> User:
    """Open an account in the administrator's subtree, linked to ``person`` if given."""
    check_admin(actor)
    check_org_in_scope(actor, organization)
    _check_person(actor, person)
    username = _check_username_free(username)
    user = User(
        username=username,
        role=role,
        organization=organization,
        display_name=nfc(display_name) or "",
        email=nfc(email) or None,
        locale=locale if locale in LOCALES else "vi",
        is_active=True,
        person=person,
    )
    user.set_password(check_password(password, username))
    db.session.add(user)
    audit.record(actor, "user.created", user, username=username, role=role.value)
    return user


def update_user(
    user: User,
    actor: Actor,
    *,
    username: str,
    role: Role,
    organization: Organization,
    is_active: bool,
    display_name: str | None = None,
    email: str | None = None,
    locale: str = "vi",
    new_password: str | None = None,
    person: Person | object | None = KEEP,
) -> None:
    """Change an account. A new password or a disabled account ends the user's open sessions."""
    check_admin(actor)
    check_org_in_scope(actor, user.organization)
    check_org_in_scope(actor, organization)
    changed_person = person is not KEEP and person is not user.person
    if changed_person:
        assert person is None or isinstance(person, Person)
        _check_person(actor, person)
        user.person = person
    if user.id == actor.id and (not is_active or role is not Role.ADMIN):
        raise ValidationFailed("Không thể tự khóa tài khoản hay bỏ quyền quản trị của chính mình.")
    user.username = _check_username_free(username, user)
    changed_role = user.role is not role
    user.role = role
    user.organization = organization
    user.display_name = nfc(display_name) or ""
    user.email = nfc(email) or None
    user.locale = locale if locale in LOCALES else user.locale
    ended = user.is_active and not is_active
    user.is_active = is_active
    if new_password:
        user.set_password(check_password(new_password, user.username))
    if ended or new_password:
        signin.end_all_sessions(user)
    audit.record(
        actor,
        "user.updated",
        user,
        role=role.value if changed_role else None,
        active=is_active,
        password_changed=bool(new_password),
        person=(user.person.full_name if user.person else "") if changed_person else None,
    )
