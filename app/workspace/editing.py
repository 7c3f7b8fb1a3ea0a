"""Between the visit form and the workflows: fill the form from a visit, and save a submitted form
through the workflows, row by row, putting any refusal on the field it concerns."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from wtforms import Field

from app.acting import FormRejected, error_message, on_field
from app.workspace.forms import DirectiveForm, MemberForm, VisitForm, as_int
from models import DelegationMember, Directive, Organization, Person, Task, User, Visit, db
from models.enums import DayPart, DelegationRole, DelegationSide, FindingKind, TaskStatus
from workflows import people as people_flow
from workflows import revisions
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.clock import local_today

CANCEL_REASON = "Hủy khi sửa đợt kiểm tra."
KIND_ORDER = list(FindingKind)


# --- Filling the form ------------------------------------------------------------------------


def visit_form_data(visit: Visit) -> dict[str, Any]:
    """The form's data for an existing visit; tasks already started are shown, not edited."""

    def member(m: DelegationMember) -> dict[str, Any]:
        return {
            "id": str(m.id),
            "person_id": str(m.person_id),
            "position_on_day": m.position_on_day or "",
            "role": m.role.value,
        }

    def task(t: Task) -> dict[str, Any]:
        return {
            "id": str(t.id),
            "title": t.title,
            "lead_org_id": str(t.lead_org_id),
            "coordinating_ids": [str(o.id) for o in t.coordinating_orgs],
            "due_on": t.due_on,
        }

    return {
        "version": str(visit.version),
        "reference": visit.reference,
        "title": visit.title,
        "subject": visit.subject,
        "visited_on": visit.visited_on,
        "day_part": visit.day_part.value if visit.day_part else "",
        "place": visit.place or "",
        "decision_ref": visit.decision_ref or "",
        "period_label": visit.period_label or "",
        "period_start_on": visit.period_start_on,
        "period_end_on": visit.period_end_on,
        "inspecting_org_id": str(visit.inspecting_org_id),
        "inspected_org_id": str(visit.inspected_org_id),
        "summary": visit.summary or "",
        "inspecting": [member(m) for m in visit.members if m.side is DelegationSide.INSPECTING],
        "hosts": [member(m) for m in visit.members if m.side is DelegationSide.HOST],
        "findings": [
            {"id": str(f.id), "kind": f.kind.value, "text": f.text, "is_public": f.is_public}
            for f in sorted(visit.findings, key=lambda f: (KIND_ORDER.index(f.kind), f.order))
        ],
        "directives": [
            {
                "id": str(d.id),
                "title": d.title or "",
                "body": d.body,
                "due_on": d.due_on,
                "due_period_label": d.due_period_label or "",
                "citations": "; ".join(doc.code for doc in d.citations),
                "tasks": [task(t) for t in d.tasks if t.status is TaskStatus.ASSIGNED],
            }
            for d in visit.directives
        ],
    }


def add_blank_rows(form: VisitForm, *, new: bool) -> None:
    """Room to type: a new visit starts with a few empty rows, an existing one with one per list."""
    wanted = {"inspecting": 3, "hosts": 2, "findings": 2, "directives": 2} if new else {}
    for name in ("inspecting", "hosts", "findings", "directives"):
        entries = getattr(form, name)
        for _ in range(wanted.get(name, 1)):
            entry = entries.append_entry()
            if entry is None:  # the list is full
                break
            if new and name == "inspecting" and len(entries) == 1:
                entry.form.role.data = DelegationRole.HEAD.value
            elif name == "inspecting":
                entry.form.role.data = DelegationRole.MEMBER.value
            elif name == "hosts":
                first = len(entries) == 1
                chair, participant = DelegationRole.HOST_CHAIR, DelegationRole.HOST_PARTICIPANT
                entry.form.role.data = (chair if new and first else participant).value
            elif name == "findings":
                kinds = (FindingKind.ACHIEVEMENT, FindingKind.LIMITATION)
                entry.form.kind.data = (
                    kinds[min(len(entries) - 1, 1)].value if new else FindingKind.ACHIEVEMENT.value
                )
    for entry in form.directives:
        if not any(task.form.is_blank() for task in entry.form.tasks):
            entry.form.tasks.append_entry()


def _swap(first: Any, second: Any) -> None:
    """Swap the typed values of two rows of the same list."""
    for field_a, field_b in zip(first.form, second.form, strict=True):
        field_a.data, field_b.data = field_b.data, field_a.data
        field_a.raw_data, field_b.raw_data = field_b.raw_data, field_a.raw_data
        if hasattr(field_a, "raw_text"):
            field_a.raw_text, field_b.raw_text = field_b.raw_text, field_a.raw_text


def apply_row_action(form: VisitForm, action: str) -> bool:
    """Add a row or move a finding, as asked by a button of the form; True if something changed."""
    verb, _, target = action.partition(":")
    if verb == "add":
        if target in ("inspecting", "hosts", "findings", "directives"):
            entry = getattr(form, target).append_entry()
            if entry is None:
                form.form_errors.extend(form.overflowing_lists())
                return False
            if target == "inspecting":
                entry.form.role.data = DelegationRole.MEMBER.value
            if target == "hosts":
                entry.form.role.data = DelegationRole.HOST_PARTICIPANT.value
            if target == "directives":
                entry.form.tasks.append_entry()
            return True
        index = _directive_index(target, suffix="-tasks")
        if index is not None:
            if form.directives.entries[index].form.tasks.append_entry() is None:
                form.form_errors.extend(form.overflowing_lists())
                return False
            return True
        return False
    if verb in ("up", "down") and target.startswith("findings-"):
        index = as_int(target.removeprefix("findings-"))
        entries = form.findings.entries
        if index is None or not 0 <= index < len(entries):
            return False
        other = index - 1 if verb == "up" else index + 1
        if 0 <= other < len(entries):
            _swap(entries[index], entries[other])
        return True
    return False


def _directive_index(target: str, suffix: str) -> int | None:
    if not (target.startswith("directives-") and target.endswith(suffix)):
        return None
    return as_int(target.removeprefix("directives-").removesuffix(suffix))


# --- Saving the form -------------------------------------------------------------------------


def _ids(values: Any) -> set[int]:
    return {i for i in (as_int(v) for v in values) if i is not None}


def _load_organisations(form: VisitForm) -> dict[int, Organization]:
    wanted = _ids([form.inspecting_org_id.data, form.inspected_org_id.data])
    for entry in form.directives:
        for task in entry.form.tasks:
            wanted |= _ids([task.form.lead_org_id.data, *(task.form.coordinating_ids.data or [])])
    rows = db.session.scalars(select(Organization).where(Organization.id.in_(wanted)))
    return {org.id: org for org in rows}


def _load_people(form: VisitForm) -> dict[int, Person]:
    wanted = _ids(entry.form.person_id.data for entries in (form.inspecting, form.hosts) for entry in entries)
    return {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(wanted)))}


def _org(orgs: dict[int, Organization], field: Field) -> Organization:
    org = orgs.get(as_int(field.data) or 0)
    if org is None:
        field.errors = [*list(field.errors), gettext("Không tìm thấy cơ quan, đơn vị này.")]
        raise FormRejected(field.name)
    return org


def check_across_records(form: VisitForm) -> bool:
    """The rules across records a form can check before saving (a body that has ended by the visit's
    day), put under their fields so they come in the same round as the field rules; True if any failed."""
    day = form.visited_on.data
    if day is None:
        return False
    orgs = _load_organisations(form)
    failed = False
    for field in (form.inspecting_org_id, form.inspected_org_id):
        org = orgs.get(as_int(field.data) or 0)
        if org is not None and (ended := visit_flow.ended_before(org, day)) is not None:
            field.errors = [*list(field.errors), error_message(ended)]
            failed = True
    return failed


def save_visit_form(form: VisitForm, actor: User, visit: Visit | None) -> Visit:
    """Create or revise the visit from a validated form (nothing is committed here)."""
    orgs = _load_organisations(form)
    details = {
        "title": form.title.data,
        "subject": form.subject.data,
        "visited_on": form.visited_on.data,
        "inspecting_org": _org(orgs, form.inspecting_org_id),
        "inspected_org": _org(orgs, form.inspected_org_id),
        "period_label": form.period_label.data,
        "period_start_on": form.period_start_on.data,
        "period_end_on": form.period_end_on.data,
        "day_part": DayPart(form.day_part.data) if form.day_part.data else None,
        "place": form.place.data,
        "decision_ref": form.decision_ref.data,
        "summary": form.summary.data,
    }
    if visit is None:
        with on_field(form.title):
            visit = visit_flow.create_visit(actor, reference=form.reference.data or None, **details)
    else:
        with on_field(form.title):
            revisions.update_visit(visit, actor, **details)
    _save_members(form, visit, actor)
    _save_findings(form, visit, actor)
    for entry in form.directives:
        _save_directive(entry.form, visit, actor, orgs)
    revisions.mark_revised(visit)
    visit_flow.record_if_held(visit, actor, local_today())
    return visit


def _save_members(form: VisitForm, visit: Visit, actor: User) -> None:
    existing = {m.id: m for m in visit.members}
    people = _load_people(form)
    pending: list[tuple[MemberForm, DelegationMember | None, Organization, int]] = []
    for entries, org in ((form.inspecting, visit.inspecting_org), (form.hosts, visit.inspected_org)):
        order = 0
        for entry in entries:
            row: MemberForm = entry.form
            if row.is_blank():
                continue
            member = existing.pop(as_int(row.id.data) or 0, None)
            chosen = as_int(row.person_id.data)
            if row.remove.data or (member is not None and (chosen != member.person_id or row.new_name.data)):
                if member is not None:
                    with on_field(row.remove):
                        revisions.remove_member(member, actor)
                if row.remove.data:
                    continue
                member = None
            elif member is not None and member.role is DelegationRole.HEAD and row.role.data != "head":
                # Step the old head down first: the database allows one head per visit at any moment.
                with on_field(row.role):
                    revisions.update_member(
                        member,
                        actor,
                        role=DelegationRole(row.role.data),
                        position_on_day=row.position_on_day.data,
                        order=order,
                    )
            pending.append((row, member, org, order))
            order += 1
    db.session.flush()
    for row, member, org, order in pending:
        role = DelegationRole(row.role.data)
        if member is not None:
            with on_field(row.role):
                revisions.update_member(
                    member, actor, role=role, position_on_day=row.position_on_day.data, order=order
                )
            continue
        person = people.get(as_int(row.person_id.data) or 0)
        if person is None:
            if not row.new_name.data:
                row.person_id.errors = [*list(row.person_id.errors), gettext("Không tìm thấy người này.")]
                raise FormRejected(row.person_id.name)
            with on_field(row.new_name):
                person = people_flow.find_or_add_person(
                    actor, full_name=row.new_name.data, position=row.position_on_day.data, organization=org
                )
        with on_field(row.person_id if row.person_id.data else row.new_name):
            visit_flow.add_delegation_member(
                visit, actor, person=person, role=role, position_on_day=row.position_on_day.data, order=order
            )


def _save_findings(form: VisitForm, visit: Visit, actor: User) -> None:
    existing = {f.id: f for f in visit.findings}
    next_order: dict[FindingKind, int] = defaultdict(int)
    for entry in form.findings:
        row = entry.form
        if row.is_blank():
            continue
        finding = existing.get(as_int(row.id.data) or 0)
        if row.remove.data:
            if finding is not None:
                with on_field(row.remove):
                    revisions.remove_finding(finding, actor)
            continue
        kind = FindingKind(row.kind.data)
        order = next_order[kind]
        next_order[kind] += 1
        with on_field(row.text):
            if finding is not None:
                revisions.update_finding(
                    finding,
                    actor,
                    kind=kind,
                    text=row.text.data,
                    is_public=bool(row.is_public.data),
                    order=order,
                )
            else:
                added = visit_flow.add_finding(
                    visit, actor, kind=kind, text=row.text.data, is_public=bool(row.is_public.data)
                )
                added.order = order


def _save_directive(row: DirectiveForm, visit: Visit, actor: User, orgs: dict[int, Organization]) -> None:
    if row.is_blank():
        return
    existing = {d.id: d for d in visit.directives}
    directive: Directive | None = existing.get(as_int(row.id.data) or 0)
    if row.remove.data:
        if directive is not None:
            with on_field(row.remove):
                visit_flow.withdraw_directive(directive, actor)
        return
    fields = {
        "body": row.body.data,
        "title": row.title.data,
        "due_on": row.due_on.data,
        "due_period_label": row.due_period_label.data,
        "citations": row.citation_texts(),
    }
    with on_field(row.body):
        if directive is not None:
            revisions.revise_directive(directive, actor, **fields)
        else:
            directive = visit_flow.issue_directive(visit, actor, **fields)
    row.citations.data = "; ".join(row.citation_texts())
    row.citation_pick.data = ""
    tasks = {t.id: t for t in directive.tasks}
    for entry in row.tasks:
        task_row = entry.form
        if task_row.is_blank():
            continue
        task = tasks.get(as_int(task_row.id.data) or 0)
        if task_row.remove.data:
            if task is not None and task.is_open:
                with on_field(task_row.remove):
                    task_flow.cancel_task(task, actor, reason=CANCEL_REASON)
            continue
        lead = _org(orgs, task_row.lead_org_id)
        coordinating = [orgs[i] for i in _ids(task_row.coordinating_ids.data or []) if i in orgs]
        with on_field(task_row.lead_org_id):
            if task is not None:
                revisions.revise_task(
                    task,
                    actor,
                    lead_org=lead,
                    due_on=task_row.due_on.data,
                    title=task_row.title.data,
                    coordinating=coordinating,
                )
            else:
                task_flow.assign_task(
                    directive,
                    actor,
                    lead_org=lead,
                    due_on=task_row.due_on.data,
                    title=task_row.title.data,
                    coordinating=coordinating,
                )
