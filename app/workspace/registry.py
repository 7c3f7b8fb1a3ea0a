"""The registry of cited documents: list and search, a page per document with the directives citing it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import joinedload

from app.acting import Refused, run
from app.workspace.common import Page, bp, count_of, like_pattern, page_args, search_tokens
from app.workspace.forms import DocumentForm
from models import Directive, LegalDocument, Visit, db, directive_citation
from models.enums import LegalSystem, Role
from models.labels import label, translate
from models.vntext import search_key
from workflows import registry as registry_flow
from workflows.citations import type_word
from workflows.scope import visits_in_scope

SORTS: dict[str, tuple[Any, ...] | None] = {
    "code": (LegalDocument.type_code, LegalDocument.issuer_code, LegalDocument.code),
    "-issued": (LegalDocument.issued_on.desc(), LegalDocument.code),
    "issued": (LegalDocument.issued_on, LegalDocument.code),
    "-cited": None,  # by the number of citing directives, built in the view
}
SORT_LABELS = {
    "code": _l("Loại, cơ quan ban hành, số hiệu"),
    "-issued": _l("Ngày ban hành, mới nhất trước"),
    "issued": _l("Ngày ban hành, cũ nhất trước"),
    "-cited": _l("Được trích dẫn nhiều nhất"),
}


def _citing_counts() -> Any:
    return (
        select(directive_citation.c.legal_document_id, func.count().label("n"))
        .group_by(directive_citation.c.legal_document_id)
        .subquery()
    )


@dataclass(frozen=True)
class RegistrySearch:
    """The registry page's search, filters and order, as a query and in words."""

    q: str
    type_code: str
    issuer: str
    system: str
    sort: str
    base: Any
    query: Any

    def notes(self) -> list[str]:
        """The search in words, for the lines above an exported table."""
        parts = []
        if self.q:
            parts.append(_("Tìm: %(q)s", q=self.q))
        if self.type_code:
            parts.append(_("Loại: %(value)s", value=self.type_code))
        if self.issuer:
            parts.append(_("Cơ quan ban hành: %(value)s", value=self.issuer))
        if self.system:
            parts.append(_("Hệ thống: %(value)s", value=label(LegalSystem(self.system))))
        parts.append(_("Sắp xếp: %(value)s", value=SORT_LABELS[self.sort]))
        return [_("Bộ lọc: %(filters)s", filters="; ".join(parts))]


def registry_search() -> RegistrySearch:
    """Read the registry's search, filters and sort from the query string."""
    q = (request.args.get("q") or "").strip()[:200]
    type_code = request.args.get("type") or ""
    issuer = request.args.get("issuer") or ""
    system = request.args.get("system") or ""
    if system not in {s.value for s in LegalSystem}:
        system = ""
    sort = request.args.get("sort", "code") if request.args.get("sort") in SORTS else "code"
    conditions: list[Any] = []
    for token in search_tokens(q):
        pattern = like_pattern(token)
        conditions.append(
            or_(
                LegalDocument.search_key.like(pattern, escape="\\"),
                func.lower(LegalDocument.code).like(pattern, escape="\\"),
            )
        )
    if type_code:
        conditions.append(LegalDocument.type_code == type_code)
    if issuer:
        conditions.append(LegalDocument.issuer_code == issuer)
    if system:
        conditions.append(LegalDocument.system == LegalSystem(system))
    counts = _citing_counts()
    cited = func.coalesce(counts.c.n, 0)
    base = select(LegalDocument).where(and_(true(), *conditions))
    order = (cited.desc(), LegalDocument.code) if sort == "-cited" else SORTS[sort] or ()
    query = (
        select(LegalDocument, cited.label("cited"))
        .outerjoin(counts, counts.c.legal_document_id == LegalDocument.id)
        .where(and_(true(), *conditions))
        .order_by(*order)
    )
    return RegistrySearch(q, type_code, issuer, system, sort, base, query)


def _type_options(facets: Sequence[Any]) -> list[tuple[str, str]]:
    """Each type code in the registry with its word ("Nghị quyết (NQ)"), in the reader's language."""
    state_only = {row.type_code for row in facets if row.system is LegalSystem.STATE} - {
        row.type_code for row in facets if row.system is not LegalSystem.STATE
    }
    options = []
    for code in sorted({row.type_code for row in facets}):
        word = type_word(code, state=code in state_only)
        options.append((code, f"{translate(word)} ({code})" if word else code))
    return sorted(options, key=lambda option: search_key(option[1]))


def _issuer_options(facets: Sequence[Any]) -> list[tuple[str, str]]:
    """Each issuer code with the name its documents give it ("Ban Chấp hành Trung ương (TW)")."""
    names: dict[str, set[str]] = {}
    for row in facets:
        names.setdefault(row.issuer_code, set())
        if row.issuer_name:
            names[row.issuer_code].add(row.issuer_name)
    options = [(code, f"{min(found, key=len)} ({code})" if found else code) for code, found in names.items()]
    return sorted(options, key=lambda option: search_key(option[1]))


@bp.route("/registry")
def document_list() -> ResponseReturnValue:
    """List the registry with search (no tone marks needed), filters and pages."""
    search = registry_search()
    q, type_code, issuer, system, sort = search.q, search.type_code, search.issuer, search.system, search.sort
    base, query = search.base, search.query
    number, size = page_args()
    total = db.session.scalar(count_of(base)) or 0
    number = min(number, max(1, -(-total // size)))
    rows = db.session.execute(query.limit(size).offset((number - 1) * size)).all()
    page = Page(items=rows, number=number, size=size, total=total)
    facets = db.session.execute(
        select(
            LegalDocument.type_code,
            LegalDocument.issuer_code,
            LegalDocument.system,
            LegalDocument.issuer_name,
        ).distinct()
    ).all()
    return render_template(
        "workspace/document_list.html",
        page=page,
        q=q,
        type_code=type_code,
        issuer=issuer,
        system=system,
        sort=sort,
        sorts=SORT_LABELS,
        type_codes=_type_options(facets),
        issuers=_issuer_options(facets),
        can_edit=current_user.role in (Role.ADMIN, Role.INSPECTOR),
    )


@bp.route("/registry/<int:document_id>")
def document_detail(document_id: int) -> ResponseReturnValue:
    """Show a document and every directive in the user's scope that cites it."""
    document = db.get_or_404(LegalDocument, document_id)
    directives = db.session.scalars(
        select(Directive)
        .join(directive_citation, directive_citation.c.directive_id == Directive.id)
        .join(Visit, Visit.id == Directive.visit_id)
        .where(
            directive_citation.c.legal_document_id == document.id, visits_in_scope(current_user.organization)
        )
        .options(
            joinedload(Directive.visit).options(
                joinedload(Visit.inspected_org), joinedload(Visit.inspecting_org)
            )
        )
        .order_by(Visit.visited_on.desc(), Directive.number)
        .limit(500)
    ).all()
    return render_template(
        "workspace/document_detail.html",
        document=document,
        directives=directives,
        can_edit=registry_flow.can_edit(document, current_user),
    )


@bp.route("/registry/new", methods=["GET", "POST"])
def document_create() -> ResponseReturnValue:
    """Add a document to the registry by its code or a full citation."""
    form = DocumentForm()
    if form.validate_on_submit():
        if not form.citation.data:
            form.citation.errors = [_("Chưa nhập số hiệu văn bản.")]
        else:
            try:
                document = run(
                    lambda: registry_flow.add_document(
                        current_user,
                        citation=form.citation.data,
                        title=form.title.data,
                        issued_on=form.issued_on.data,
                        is_secret=bool(form.is_secret.data),
                    ),
                    form=form,
                    field="citation",
                )
            except Refused:
                pass  # the message is under the field
            else:
                flash(_("Đã thêm văn bản %(code)s vào danh mục.", code=document.code), "success")
                return redirect(url_for("workspace.document_detail", document_id=document.id))
    return render_template("workspace/document_form.html", form=form, document=None)


@bp.route("/registry/<int:document_id>/edit", methods=["GET", "POST"])
def document_edit(document_id: int) -> ResponseReturnValue:
    """Correct what the registry knows about a document; its code stays."""
    document = db.get_or_404(LegalDocument, document_id)
    if not registry_flow.can_edit(document, current_user):
        abort(403, description=_("Văn bản này do hệ thống tổ chức khác đưa vào danh mục; chỉ họ được sửa."))
    form = DocumentForm(obj=document if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            run(
                lambda: registry_flow.update_document(
                    document,
                    current_user,
                    title=form.title.data,
                    issued_on=form.issued_on.data,
                    type_name=form.type_name.data,
                    issuer_name=form.issuer_name.data,
                    is_secret=bool(form.is_secret.data),
                ),
                form=form,
                field="issued_on",
            )
        except Refused:
            pass  # the message is under the field
        else:
            flash(_("Đã lưu văn bản %(code)s.", code=document.code), "success")
            return redirect(url_for("workspace.document_detail", document_id=document.id))
    if request.method == "POST" and form.errors:
        flash(_("Chưa lưu: hãy sửa các chỗ được đánh dấu bên dưới."), "error")
    return render_template("workspace/document_form.html", form=form, document=document)
