"""The command line acting for the office: the first run, and a system actor for the audit log.

On a fresh database nobody can sign in yet, so ``kiemtra setup`` creates the root organisation and
the first administrator through the same workflows as the admin pages, acting as a
:class:`SystemActor`. Nothing here commits.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field

from sqlalchemy import func, select

from models import Organization, User, db
from models.enums import OrgKind, Role
from workflows import admin
from workflows.errors import InvalidState


@dataclass(frozen=True)
class SystemActor:
    """An administrator over the whole tree who is not an account: a command run on the server.

    Audit entries it writes have no actor account and name the command and the operating-system
    user in their details.
    """

    command: str
    os_user: str = field(default_factory=lambda: _os_user())
    role: Role = Role.ADMIN
    organization: Organization | None = None
    organization_id: None = None
    id: None = None

    def in_scope(self, organization: Organization | None) -> bool:
        """The server's own commands reach every organisation."""
        return organization is not None

    @property
    def label(self) -> str:
        """How the audit log names this actor."""
        return f"{self.command} ({self.os_user})"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a container without a passwd entry
        return "?"


def has_organizations() -> bool:
    """Tell whether the database already holds an organisation tree."""
    return bool(db.session.scalar(select(func.count(Organization.id))))


def set_up_office(
    actor: SystemActor,
    *,
    code: str,
    name: str,
    doc_code: str,
    place_name: str | None,
    username: str,
    password: str,
    kind: OrgKind = OrgKind.PARTY_COMMITTEE,
    display_name: str | None = None,
    email: str | None = None,
) -> User:
    """Create the root organisation and its first administrator on an empty database."""
    if has_organizations():
        raise InvalidState(
            "Cơ sở dữ liệu đã có cơ quan, đơn vị: kiemtra đã được thiết lập. "
            "Hãy dùng trang quản trị hoặc kiemtra create-user."
        )
    root = admin.create_organization(
        actor, code=code, doc_code=doc_code, name=name, kind=kind, parent=None, place_name=place_name
    )
    return admin.create_user(
        actor,
        username=username,
        password=password,
        role=Role.ADMIN,
        organization=root,
        display_name=display_name,
        email=email,
    )
