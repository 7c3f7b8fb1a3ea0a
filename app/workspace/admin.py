"""Administration: the organisation tree with its validity dates, and the accounts."""

from __future__ import annotations

from typing import Any, cast

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from app.acting import Refused, on_field, run
from app.workspace.common import (
    bp,
    count_of,
    like_pattern,
    org_choices,
    page_args,
    paginate,
    search_tokens,
)
from app.workspace.forms import OrganizationForm, SuccessorForm, UserForm, as_int
from models import Organization, Person, User, db
from models.enums import OrgKind, Role
from workflows import admin as admin_flow
from workflows import people as people_flow
from workflows import reach, signin
from workflows.clock import local_today
from workflows.scope import in_subtree


def _orgs_in_scope() -> list[Organization]:
    root = current_user.organization
    return list(
        db.session.scalars(
            select(Organization).where(in_subtree(Organization.path, root)).order_by(Organization.path)
        )
    )


def _org_in_scope(org_id: int) -> Organization:
    org = db.session.get(Organization, org_id)
    if org is None or not current_user.in_scope(org):
        abort(404)
    return org


# --- Organisations ---------------------------------------------------------------------------


@bp.route("/admin/organizations")
def organization_list() -> ResponseReturnValue:
    """Show the organisation tree with validity dates and the number of accounts per body."""
    orgs = _orgs_in_scope()
    users = dict(
        db.session.execute(
            select(User.organization_id, func.count(User.id))
            .where(User.organization_id.in_([o.id for o in orgs]))
            .group_by(User.organization_id)
        ).all()
    )
    return render_template(
        "workspace/organization_list.html",
        orgs=orgs,
        users=users,
        today=local_today(),
        root=current_user.organization,
    )


def _organization_form(form: OrganizationForm, org: Organization | None) -> None:
    choices = _orgs_in_scope()
    if org is not None:
        choices = [o for o in choices if not org.contains(o)]
    # Only the root itself is without a parent; no form makes a second one.
    is_root = org is not None and org.parent_id is None
    form.parent_id.choices = org_choices(choices, blank=_("— cơ quan gốc —") if is_root else None)


def _save_organization(form: OrganizationForm, org: Organization | None) -> Organization | None:
    parent = _org_in_scope(int(form.parent_id.data)) if form.parent_id.data else None
    fields: dict[str, Any] = {
        "code": form.code.data,
        "doc_code": form.doc_code.data,
        "name": form.name.data,
        "kind": OrgKind(form.kind.data),
        "parent": parent,
        "short_name": form.short_name.data,
        "place_name": form.place_name.data,
        "valid_from": form.valid_from.data,
        "valid_to": form.valid_to.data,
    }

    def save() -> Organization:
        with on_field(form.code):
            if org is None:
                return admin_flow.create_organization(current_user, **fields)
            admin_flow.update_organization(org, current_user, **fields)
            return org

    try:
        return run(save)
    except Refused:
        return None


@bp.route("/admin/organizations/new", methods=["GET", "POST"])
def organization_create() -> ResponseReturnValue:
    """Add a body to the tree."""
    form = OrganizationForm()
    _organization_form(form, None)
    if request.method == "GET":
        form.parent_id.data = str(as_int(request.args.get("parent")) or current_user.organization_id)
    if form.validate_on_submit():
        org = _save_organization(form, None)
        if org is not None:
            flash(_("Đã thêm %(name)s.", name=org.name), "success")
            return redirect(url_for("workspace.organization_list") + f"#org-{org.id}")
    return render_template("workspace/organization_form.html", form=form, org=None)


@bp.route("/admin/organizations/<int:org_id>/edit", methods=["GET", "POST"])
def organization_edit(org_id: int) -> ResponseReturnValue:
    """Change a body: its names and codes, its place in the tree, its validity dates."""
    org = _org_in_scope(org_id)
    form = OrganizationForm(obj=org if request.method == "GET" else None)
    _organization_form(form, org)
    if request.method == "GET":
        form.kind.data = org.kind.value
        form.parent_id.data = str(org.parent_id) if org.parent_id else ""
    if form.validate_on_submit():
        saved = _save_organization(form, org)
        if saved is not None:
            flash(_("Đã lưu %(name)s.", name=saved.name), "success")
            return redirect(url_for("workspace.organization_list") + f"#org-{saved.id}")
    return render_template(
        "workspace/organization_form.html", form=form, org=org, successor_form=_successor_form(org)
    )


def _successor_form(org: Organization) -> SuccessorForm:
    form = SuccessorForm(formdata=None)
    form.successor_id.choices = [("", _("— không có —"))] + [
        (str(o.id), o.name) for o in _orgs_in_scope() if o.id != org.id and not org.contains(o)
    ]
    form.successor_id.data = str(org.successor_id) if org.successor_id else ""
    return form


@bp.route("/admin/organizations/<int:org_id>/successor", methods=["POST"])
def organization_successor(org_id: int) -> ResponseReturnValue:
    """Record (or clear) the unit that took over this one's work, moving its open tasks if asked."""
    org = _org_in_scope(org_id)
    chosen = as_int(request.form.get("successor_id"))
    successor = _org_in_scope(chosen) if chosen else None
    move = request.form.get("move_open_tasks") in ("y", "on", "1")
    back = url_for("workspace.organization_edit", org_id=org.id) + "#successor"
    try:
        moved = run(lambda: reach.record_successor(org, current_user, successor, move_open_tasks=move))
    except Refused:
        return redirect(back)
    if successor is None:
        flash(_("Đã bỏ đơn vị kế thừa của %(name)s.", name=org.name), "success")
    else:
        flash(
            _(
                "Đã ghi %(successor)s kế thừa %(name)s; đã chuyển %(count)d nhiệm vụ đang mở.",
                successor=successor.name,
                name=org.name,
                count=moved,
            ),
            "success",
        )
    return redirect(back)


# --- Accounts --------------------------------------------------------------------------------


@bp.route("/admin/users")
def user_list() -> ResponseReturnValue:
    """List the accounts of the administrator's subtree, with search and the last sign-in."""
    q = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or ""
    query = (
        select(User)
        .join(Organization, Organization.id == User.organization_id)
        .where(in_subtree(Organization.path, current_user.organization))
        .options(joinedload(User.organization))
        .order_by(Organization.path, User.username)
    )
    for token in search_tokens(q):
        pattern = like_pattern(token)
        query = query.where(
            User.username.like(pattern, escape="\\")
            | func.lower(User.display_name).like(pattern, escape="\\")
            | Organization.search_key.like(pattern, escape="\\")
        )
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    number, size = page_args()
    page = paginate(query, count_of(query), number, size)
    return render_template(
        "workspace/user_list.html",
        page=page,
        q=q,
        role=role,
        roles=list(Role),
        last_sign_in=signin.last_sign_in([u.id for u in page.items]),
    )


def _user_form(form: UserForm) -> None:
    orgs = _orgs_in_scope()
    form.organization_id.choices = org_choices(orgs, blank=_("— chọn —"))
    people = db.session.scalars(
        select(Person)
        .join(Organization, Organization.id == Person.organization_id)
        .where(in_subtree(Organization.path, current_user.organization))
        .options(joinedload(Person.organization))
        .order_by(Organization.path, Person.search_key)
    ).all()
    form.person_id.choices = [
        SelectChoice("", _("— chưa liên kết —")),
        SelectChoice("new", _("+ Thêm người mới vào danh bạ (theo họ và tên, chức vụ ở trên)")),
        *[
            SelectChoice(
                str(p.id),
                f"{p.full_name} – {p.position or ''} ({cast(Organization, p.organization).code})".replace(
                    " –  (", " ("
                ),
            )
            for p in people
        ],
    ]


def _person_for(form: UserForm, organization: Organization) -> Person | None:
    """The person the form links the account to, adding them to the directory if asked."""
    choice = form.person_id.data or ""
    if choice == "new":
        with on_field(form.display_name):
            return people_flow.add_person(
                current_user,
                full_name=form.display_name.data or "",
                position=form.position.data,
                organization=organization,
            )
    person = db.session.get(Person, as_int(choice)) if as_int(choice) else None
    if choice and (
        person is None or person.organization is None or not current_user.in_scope(person.organization)
    ):
        abort(404)
    return person


@bp.route("/admin/users/new", methods=["GET", "POST"])
def user_create() -> ResponseReturnValue:
    """Open an account."""
    form = UserForm()
    _user_form(form)
    if request.method == "GET":
        form.organization_id.data = str(as_int(request.args.get("org")) or current_user.organization_id)
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors = [_("Cần đặt mật khẩu cho tài khoản mới.")]
        else:

            def create() -> User:
                with on_field(form.password):
                    admin_flow.check_password(form.password.data, form.username.data or "")
                organization = _org_in_scope(int(form.organization_id.data))
                person = _person_for(form, organization)
                with on_field(form.username):
                    return admin_flow.create_user(
                        current_user,
                        username=form.username.data,
                        password=form.password.data,
                        role=Role(form.role.data),
                        organization=organization,
                        display_name=form.display_name.data,
                        email=form.email.data,
                        locale=form.locale.data,
                        person=person,
                    )

            try:
                user = run(create)
            except Refused:
                pass  # the messages are under the fields
            else:
                flash(_("Đã tạo tài khoản %(name)s.", name=user.username), "success")
                return redirect(url_for("workspace.user_list"))
    return render_template("workspace/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id: int) -> ResponseReturnValue:
    """Change an account; a new password or disabling it signs the user out everywhere."""
    user = db.session.get(User, user_id)
    if user is None or not current_user.in_scope(user.organization):
        abort(404)
    form = UserForm(obj=user if request.method == "GET" else None)
    _user_form(form)
    if request.method == "GET":
        form.role.data = user.role.value
        form.organization_id.data = str(user.organization_id)
        form.password.data = ""
        form.person_id.data = str(user.person_id) if user.person_id else ""
    if form.validate_on_submit():

        def save() -> None:
            if form.password.data:
                with on_field(form.password):
                    admin_flow.check_password(form.password.data, form.username.data or "")
            organization = _org_in_scope(int(form.organization_id.data))
            # A form sent without the field (an older page) leaves the link as it is.
            person = _person_for(form, organization) if form.person_id.raw_data else admin_flow.KEEP
            with on_field(form.username):
                admin_flow.update_user(
                    user,
                    current_user,
                    username=form.username.data,
                    role=Role(form.role.data),
                    organization=organization,
                    person=person,
                    is_active=bool(form.is_active.data),
                    display_name=form.display_name.data,
                    email=form.email.data,
                    locale=form.locale.data,
                    new_password=form.password.data or None,
                )

        try:
            run(save)
        except Refused:
            pass  # the messages are under the fields
        else:
            flash(_("Đã lưu tài khoản %(name)s.", name=user.username), "success")
            return redirect(url_for("workspace.user_list"))
    return render_template("workspace/user_form.html", form=form, user=user)
