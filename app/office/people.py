"""The people directory: who is who, their positions over time, their accounts, and merging two
records of the same person."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload

from app.acting import Refused, run
from app.office.common import bp
from app.workspace.common import count_of, like_pattern, page_args, paginate, search_tokens
from models import AuditEntry, DelegationMember, Organization, Person, User, Visit, db
from models.enums import Role
from workflows import people as people_flow
from workflows.clock import LOCAL_ZONE
from workflows.scope import in_subtree

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement


def _scope_condition() -> ColumnElement[bool]:
    """People an administrator's subtree holds, or an inspector's whole province."""
    org = current_user.organization
    if current_user.role is Role.INSPECTOR:
        root = org.path.split("/")[1]
        return Organization.path.like(like_pattern(f"/{root}/").removeprefix("%"), escape="\\")
    return in_subtree(Organization.path, org)


def _people_query() -> Select[Person]:
    return (
        select(Person)
        .join(Organization, Organization.id == Person.organization_id)
        .where(_scope_condition())
        .options(joinedload(Person.organization))
    )


def _person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or not people_flow.reaches(current_user, person.organization):
        abort(404)
    return person


@bp.route("/people")
def people_list() -> ResponseReturnValue:
    """List the directory with search (no tone marks needed) and each person's accounts."""
    q = (request.args.get("q") or "").strip()[:100]
    query = _people_query().order_by(Organization.path, Person.search_key)
    for token in search_tokens(q):
        pattern = like_pattern(token)
        query = query.where(
            or_(
                Person.search_key.like(pattern, escape="\\"),
                Organization.search_key.like(pattern, escape="\\"),
                func.lower(func.coalesce(Person.position, "")).like(pattern, escape="\\"),
            )
        )
    number, size = page_args()
    page = paginate(query, count_of(query), number, size)
    accounts: dict[int, list[User]] = {}
    for user in db.session.scalars(select(User).where(User.person_id.in_([p.id for p in page.items]))):
        accounts.setdefault(user.person_id or 0, []).append(user)
    namesakes = _namesakes([p.search_key for p in page.items])
    return render_template("office/people_list.html", page=page, q=q, accounts=accounts, namesakes=namesakes)


def _namesakes(keys: list[str]) -> set[str]:
    """The folded names that more than one record in scope carries: candidates for merging."""
    if not keys:
        return set()
    rows = db.session.execute(
        select(Person.search_key)
        .join(Organization, Organization.id == Person.organization_id)
        .where(_scope_condition(), Person.search_key.in_(keys))
        .group_by(Person.search_key)
        .having(func.count() > 1)
    )
    return {key for (key,) in rows}


@dataclass(frozen=True)
class Step:
    """One dated line of a person's positions over time."""

    on: date
    position: str
    source: str  # what says so: a visit, the directory


def positions_over_time(person: Person) -> list[Step]:
    """The positions a person held, from the visits they sat in and the directory's changes."""
    steps: list[Step] = []
    members = db.session.execute(
        select(DelegationMember, Visit)
        .join(Visit, Visit.id == DelegationMember.visit_id)
        .where(DelegationMember.person_id == person.id)
    ).all()
    for member, visit in members:
        if member.position_on_day:
            steps.append(Step(visit.visited_on, member.position_on_day, f"{visit.reference} – {visit.title}"))
    entries = db.session.scalars(
        select(AuditEntry).where(
            and_(AuditEntry.object_type == "person", AuditEntry.object_id == person.id),
            AuditEntry.action.in_(("person.added", "person.position_changed")),
        )
    )
    for entry in entries:
        details = json.loads(entry.details or "{}")
        position = (
            details.get("after") if entry.action == "person.position_changed" else details.get("position")
        )
        if position:
            steps.append(Step(entry.created_at.astimezone(LOCAL_ZONE).date(), position, gettext("Danh bạ")))
    return sorted(steps, key=lambda s: s.on, reverse=True)


@bp.route("/people/<int:person_id>")
def person_detail(person_id: int) -> ResponseReturnValue:
    """Show a person: positions over time, visits, accounts, and records that may be the same person."""
    person = _person(person_id)
    accounts = db.session.scalars(
        select(User).where(User.person_id == person.id).order_by(User.username)
    ).all()
    visits = db.session.execute(
        select(DelegationMember, Visit)
        .join(Visit, Visit.id == DelegationMember.visit_id)
        .where(DelegationMember.person_id == person.id)
        .order_by(Visit.visited_on.desc())
    ).all()
    candidates = db.session.scalars(
        _people_query()
        .where(Person.search_key == person.search_key, Person.id != person.id)
        .order_by(Person.id)
    ).all()
    return render_template(
        "office/person_detail.html",
        person=person,
        accounts=accounts,
        visits=visits,
        steps=positions_over_time(person),
        candidates=candidates,
    )


@bp.route("/people/<int:person_id>/merge", methods=["POST"])
def person_merge(person_id: int) -> ResponseReturnValue:
    """Fold another record of the same person into this one."""
    keep = _person(person_id)
    other_id = request.form.get("other_id", type=int)
    other = _person(other_id) if other_id else None
    if other is None:
        abort(400)
    name = other.full_name
    try:
        run(lambda: people_flow.merge_people(keep, other, current_user))
    except Refused:
        pass  # run() has put the message in a flash
    else:
        flash(gettext("Đã gộp bản ghi %(name)s vào bản ghi này.", name=name), "success")
    return redirect(url_for("office.person_detail", person_id=keep.id))
