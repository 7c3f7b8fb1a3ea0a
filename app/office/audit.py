"""The audit page: who did what to which record, and when, with filters and an export."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from io import BytesIO
from typing import Any, cast

from flask import abort, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from app.office.common import bp
from app.workspace.common import count_of, like_pattern, page_args, paginate
from exports.audit_log import audit_csv, audit_xlsx
from models import AuditEntry, Organization, User, db
from workflows.clock import LOCAL_ZONE, local_today, parse_date
from workflows.errors import ValidationFailed
from workflows.scope import in_subtree

EXPORT_LIMIT = 50_000
ACTIONS = {
    "directive.cited": _l("Trích dẫn văn bản trong yêu cầu"),
    "directive.issued": _l("Ban hành yêu cầu"),
    "directive.revised": _l("Sửa yêu cầu"),
    "directive.withdrawn": _l("Rút yêu cầu"),
    "document.added": _l("Thêm văn bản vào danh mục"),
    "document.issued": _l("Cấp số văn bản"),
    "document.updated": _l("Sửa văn bản trong danh mục"),
    "news.drafted": _l("Soạn tin bài"),
    "news.edited": _l("Sửa tin bài"),
    "news.image_added": _l("Thêm ảnh tin bài"),
    "news.image_removed": _l("Bỏ ảnh tin bài"),
    "news.published": _l("Đăng tin bài"),
    "news.unpublished": _l("Gỡ tin bài"),
    "organization.created": _l("Thêm cơ quan, đơn vị"),
    "organization.updated": _l("Sửa cơ quan, đơn vị"),
    "person.added": _l("Thêm người vào danh bạ"),
    "person.merged": _l("Gộp hai bản ghi một người"),
    "person.position_changed": _l("Đổi chức vụ"),
    "task.backfilled": _l("Nhập bù lịch sử nhiệm vụ"),
    "user.created": _l("Tạo tài khoản"),
    "user.updated": _l("Sửa tài khoản"),
    "visit.backfilled": _l("Nhập bù đợt kiểm tra đã qua"),
    "visit.closed": _l("Đóng đợt kiểm tra"),
    "visit.concluded": _l("Kết luận đợt kiểm tra"),
    "visit.conducted": _l("Ghi nhận đã tiến hành kiểm tra"),
    "visit.corrected": _l("Đính chính đợt kiểm tra"),
    "visit.created": _l("Tạo đợt kiểm tra"),
    "visit.finding_added": _l("Thêm nhận xét"),
    "visit.finding_changed": _l("Sửa nhận xét"),
    "visit.finding_removed": _l("Bỏ nhận xét"),
    "visit.imported_from_article": _l("Tạo đợt kiểm tra từ bài báo"),
    "visit.member_added": _l("Thêm thành viên đoàn"),
    "visit.member_changed": _l("Sửa thành viên đoàn"),
    "visit.member_removed": _l("Bỏ thành viên đoàn"),
    "visit.updated": _l("Sửa đợt kiểm tra"),
}
RECORDS = {
    "visit": _l("Đợt kiểm tra"),
    "directive": _l("Yêu cầu"),
    "task": _l("Nhiệm vụ"),
    "organization": _l("Cơ quan, đơn vị"),
    "user_account": _l("Tài khoản"),
    "person": _l("Người"),
    "legal_document": _l("Văn bản"),
    "issued_document": _l("Văn bản đã cấp số"),
    "news_post": _l("Tin bài"),
}


def action_label(action: str) -> str:
    """An action in the user's language (unknown ones as recorded)."""
    return str(ACTIONS.get(action, action))


def record_label(entry: AuditEntry) -> str:
    """The record an entry is about: its kind and number."""
    return f"{RECORDS.get(entry.object_type, entry.object_type)} #{entry.object_id}"


def record_url(entry: AuditEntry) -> str | None:
    """A link to the record, where it has a page."""
    targets = {
        "visit": ("workspace.visit_detail", "visit_id"),
        "organization": ("workspace.organization_edit", "org_id"),
        "user_account": ("workspace.user_edit", "user_id"),
        "person": ("office.person_detail", "person_id"),
    }
    target = targets.get(entry.object_type)
    return url_for(target[0], **cast(dict[str, Any], {target[1]: entry.object_id})) if target else None


def actor_label(entry: AuditEntry) -> str:
    """Who acted: an account, or the server command named in the details."""
    if entry.actor is not None:
        name = entry.actor.display_name
        return f"{entry.actor.username} ({name})" if name else entry.actor.username
    system = json.loads(entry.details or "{}").get("system")
    return gettext("Hệ thống: %(command)s", command=system) if system else gettext("Hệ thống")


def details_text(entry: AuditEntry) -> str:
    """The details as "key: value" pairs."""
    details = json.loads(entry.details or "{}")
    return "; ".join(f"{k}: {v}" for k, v in details.items() if k != "system" and v not in (None, ""))


def _filters() -> tuple[dict[str, str], list[str]]:
    names = ("actor", "action", "record", "record_id", "from", "to")
    values = {n: (request.args.get(n) or "").strip()[:100] for n in names}
    errors: list[str] = []
    for name in ("from", "to"):
        try:
            parse_date(values[name])
        except ValidationFailed:
            errors.append(
                gettext("Ngày «%(value)s» không đọc được; hãy ghi dạng dd/mm/yyyy.", value=values[name])
            )
            values[name] = ""
    if values["record_id"] and not values["record_id"].isdigit():
        errors.append(gettext("Số bản ghi phải là số."))
        values["record_id"] = ""
    return values, errors


def _query(values: dict[str, str]) -> Select[AuditEntry]:
    query = (
        select(AuditEntry)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    # An administrator sees what the accounts of their subtree did; the server's own commands only
    # the administrators at the top of the tree.
    mine = in_subtree(Organization.path, current_user.organization)
    if current_user.organization.parent_id is None:
        query = query.where(or_(AuditEntry.actor_id.is_(None), mine))
    else:
        query = query.where(mine)
    if values["actor"]:
        pattern = like_pattern(values["actor"].casefold())
        query = query.where(
            or_(
                User.username.like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
                AuditEntry.actor_id.is_(None) & func.lower(AuditEntry.details).like(pattern, escape="\\"),
            )
        )
    if values["action"]:
        query = query.where(AuditEntry.action == values["action"])
    if values["record"]:
        query = query.where(AuditEntry.object_type == values["record"])
    if values["record_id"]:
        query = query.where(AuditEntry.object_id == int(values["record_id"]))
    start, end = parse_date(values["from"]), parse_date(values["to"])
    if start:
        query = query.where(AuditEntry.created_at >= datetime.combine(start, time(), LOCAL_ZONE))
    if end:
        query = query.where(
            AuditEntry.created_at < datetime.combine(end + timedelta(days=1), time(), LOCAL_ZONE)
        )
    return query


def local(value: datetime) -> str:
    return value.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M:%S")


@bp.route("/admin/audit")
def audit_list() -> ResponseReturnValue:
    """List the audit entries, newest first, filtered by person, record, action and period."""
    values, errors = _filters()
    query = _query(values)
    number, size = page_args()
    page = paginate(query, count_of(query), number, size)
    actions = sorted(db.session.scalars(select(AuditEntry.action).distinct()), key=action_label)
    return render_template(
        "office/audit_list.html",
        page=page,
        values=values,
        errors=errors,
        actions=actions,
        records=RECORDS,
        action_label=action_label,
        record_label=record_label,
        record_url=record_url,
        actor_label=actor_label,
        details_text=details_text,
        local=local,
        export_args={k: v for k, v in values.items() if v},
    )


@bp.route("/admin/audit/export.<fmt>")
def audit_export(fmt: str) -> ResponseReturnValue:
    """Send the filtered entries as .xlsx or CSV."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    values, _errors = _filters()
    entries = db.session.scalars(_query(values).limit(EXPORT_LIMIT)).unique()
    headers = [gettext(h) for h in ("Thời điểm", "Người làm", "Việc", "Bản ghi", "Số", "Chi tiết")]
    rows: list[list[Any]] = [
        [
            local(e.created_at),
            actor_label(e),
            action_label(e.action),
            str(RECORDS.get(e.object_type, e.object_type)),
            e.object_id,
            details_text(e),
        ]
        for e in entries
    ]
    stamp = local_today().isoformat()
    if fmt == "xlsx":
        data = audit_xlsx(headers, rows, gettext("Nhật ký"))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data = audit_csv(headers, rows)
        mimetype = "text/csv"
    return send_file(
        BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"nhat-ky-{stamp}.{fmt}"
    )
