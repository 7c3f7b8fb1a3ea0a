"""The organisation tree from a spreadsheet: each row creates a body or updates the one with its code.

Rows may come in any order: a body is created after the parent it names, whether that parent is
in the file or already in kiemtra. A parent that exists nowhere, a cycle, a code given twice and
every refusal of the organisation workflows are problems of their row and column.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import Organization, db
from models.enums import OrgKind
from models.vntext import search_key
from workflows import admin
from workflows.errors import DomainError
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
from workflows.imports.sheet import Column, SheetData, SheetRow, SheetSpec

SPEC = SheetSpec(
    title="Cơ quan, đơn vị",
    columns=(
        Column(
            "code",
            "Mã",
            ("mã cơ quan", "mã đơn vị", "mã cơ quan, đơn vị", "code"),
            required=True,
            max_length=40,
            hint="Mã duy nhất, không dấu cách, không dấu /; ví dụ HU-BUDOP.",
        ),
        Column(
            "name",
            "Tên cơ quan, đơn vị",
            ("tên", "tên cơ quan", "tên đơn vị", "name"),
            required=True,
            hint="Tên đầy đủ; ví dụ Huyện ủy Bù Đốp.",
        ),
        Column(
            "parent_code",
            "Mã cấp trên",
            ("mã cơ quan cấp trên", "cấp trên", "trực thuộc", "parent code", "parent"),
            max_length=40,
            hint="Mã của cơ quan cấp trên (có trong tệp hoặc đã có trong hệ thống); bỏ trống: cơ quan gốc.",
        ),
        Column(
            "doc_code",
            "Ký hiệu văn bản",
            ("ký hiệu", "ký hiệu trong số văn bản", "document code"),
            max_length=20,
            hint="Ký hiệu sau dấu / trong số văn bản (HU, BTGTU); bỏ trống: phần đầu của mã.",
        ),
        Column(
            "place_name",
            "Địa danh",
            ("nơi ban hành", "place", "place name"),
            max_length=80,
            hint="Địa danh ở dòng ngày tháng của văn bản; ví dụ Bù Đốp.",
        ),
        Column(
            "valid_from",
            "Hiệu lực từ ngày",
            ("hiệu lực từ", "từ ngày", "valid from"),
            kind="date",
            hint="dd/mm/yyyy, hoặc ô ngày của Excel.",
        ),
        Column(
            "valid_to",
            "Hiệu lực đến ngày",
            ("hiệu lực đến", "đến ngày", "hết hiệu lực", "valid to"),
            kind="date",
            hint="Ngày cơ quan giải thể hoặc sáp nhập; bỏ trống nếu còn hoạt động.",
        ),
        Column(
            "kind",
            "Loại",
            ("loại cơ quan", "kind"),
            max_length=40,
            hint="Cấp ủy, Ban đảng, Chính quyền, Cơ quan nhà nước, Mặt trận đoàn thể, Khác; "
            "bỏ trống: đoán theo tên.",
        ),
        Column("short_name", "Tên viết tắt", ("tên ngắn", "short name"), max_length=80),
    ),
    example=(
        ("TU-BP", "Tỉnh ủy Bình Phước", "", "TU", "Bình Phước", "", "", "Cấp ủy", ""),
        ("HU-BUDOP", "Huyện ủy Bù Đốp", "TU-BP", "HU", "Bù Đốp", "01/01/2000", "", "", ""),
    ),
)

_KIND_WORDS = {
    OrgKind.PARTY_COMMITTEE: ("party_committee", "cap uy", "dang uy", "tinh uy", "huyen uy", "thanh uy"),
    OrgKind.PARTY_BOARD: ("party_board", "ban dang", "ban cua cap uy", "co quan dang"),
    OrgKind.GOVERNMENT: ("government", "chinh quyen", "ubnd", "uy ban nhan dan"),
    OrgKind.STATE_OFFICE: ("state_office", "co quan nha nuoc", "phong", "so", "trung tam"),
    OrgKind.MASS_ORGANISATION: ("mass_organisation", "mat tran doan the", "mat tran", "doan the"),
    OrgKind.OTHER: ("other", "khac"),
}
# Which column a refusal of the organisation workflows is about.
_COLUMN_OF = {
    "Chưa nhập mã cơ quan, đơn vị.": "code",
    "Mã cơ quan, đơn vị không được chứa dấu / hay khoảng trắng.": "code",
    "Mã %(code)s đã được dùng cho cơ quan, đơn vị khác.": "code",
    "Chưa nhập ký hiệu dùng trong số văn bản.": "doc_code",
    "Chưa nhập tên cơ quan, đơn vị.": "name",
    "Ngày hết hiệu lực không được trước ngày bắt đầu hiệu lực.": "valid_to",
}


def _column_of(error: DomainError) -> str:
    return _COLUMN_OF.get(error.template, "parent_code")


def guess_kind(name: str) -> OrgKind:
    """The kind a body's name suggests ("Ban Tuyên giáo …" is a Party board)."""
    key = search_key(name)
    if key.startswith(("tinh uy", "huyen uy", "thanh uy", "thi uy", "dang uy", "quan uy")):
        return OrgKind.PARTY_COMMITTEE
    if key.startswith(("ban ", "uy ban kiem tra", "van phong tinh uy", "van phong huyen uy")):
        return OrgKind.PARTY_BOARD
    if key.startswith(("uy ban nhan dan", "ubnd")):
        return OrgKind.GOVERNMENT
    if key.startswith(("phong ", "so ", "trung tam", "chi cuc", "cuc ")):
        return OrgKind.STATE_OFFICE
    if key.startswith(("mat tran", "hoi ", "doan ", "lien doan", "hoi lien hiep")):
        return OrgKind.MASS_ORGANISATION
    return OrgKind.OTHER


def _kind(sheet: SheetData, row: SheetRow) -> OrgKind | None:
    written = search_key(row.get("kind"))
    if not written:
        return guess_kind(row.get("name") or "")
    for kind, words in _KIND_WORDS.items():
        if written in words:
            return kind
    sheet.problem(
        row,
        "kind",
        "Loại «%(value)s» không có; hãy ghi một trong: %(choices)s.",
        value=row.get("kind"),
        choices="Cấp ủy, Ban đảng, Chính quyền, Cơ quan nhà nước, Mặt trận đoàn thể, Khác",
    )
    return None


def import_organizations(actor: Any, sheet: SheetData) -> ImportResult:
    """Create or update a body for every row, parents first; see :mod:`workflows.imports.plan`."""
    result = ImportResult(sheet)
    rows: dict[str, SheetRow] = {}
    for row in sheet.rows:
        code = (row.get("code") or "").upper()
        if not code:
            continue
        if code in rows:
            sheet.problem(
                row, "code", "Mã %(code)s đã có ở dòng %(first)d.", code=code, first=rows[code].number
            )
            continue
        rows[code] = row
    wanted = set(rows) | {(r.get("parent_code") or "").upper() for r in rows.values()} - {""}
    existing = {
        o.code: o for o in db.session.scalars(select(Organization).where(Organization.code.in_(wanted)))
    }
    order = _parents_first(sheet, rows, existing)
    failed: set[str] = set()
    for code in order:
        row = rows[code]
        parent_code = (row.get("parent_code") or "").upper()
        if parent_code in failed:
            failed.add(code)
            continue
        kind = _kind(sheet, row)
        if kind is None:
            failed.add(code)
            continue
        try:
            with on_row(sheet, row, _column_of):
                change = _save(actor, row, code, kind, existing, parent_code)
        except RowFailed:
            failed.add(code)
            continue
        result.changes.append(change)
        existing[code] = change.obj
    result.changes.sort(key=lambda c: c.row)
    return result


def _parents_first(
    sheet: SheetData, rows: dict[str, SheetRow], existing: dict[str, Organization]
) -> list[str]:
    """The codes of the file in an order where every parent comes before its children; rows with an
    unknown parent or in a cycle are left out, with their problem."""
    order: list[str] = []
    state: dict[str, str] = {}  # "visiting" or "done"

    def visit(code: str, trail: list[str]) -> bool:
        if state.get(code) == "done":
            return code in order
        if state.get(code) == "visiting":
            cycle = [*trail[trail.index(code) :], code]
            for member in cycle[:-1]:
                if state.get(member) != "done":
                    sheet.problem(
                        rows[member],
                        "parent_code",
                        "Vòng lặp trong cây tổ chức: %(chain)s.",
                        chain=" → ".join(cycle),
                    )
                    state[member] = "done"
            return False
        state[code] = "visiting"
        row = rows[code]
        parent = (row.get("parent_code") or "").upper()
        fine = True
        if parent == code:
            sheet.problem(row, "parent_code", "Một cơ quan không thể là cấp trên của chính nó.")
            fine = False
        elif parent in rows:
            fine = visit(parent, [*trail, code])
        elif parent and parent not in existing:
            sheet.problem(
                row,
                "parent_code",
                "Không có cơ quan cấp trên mã %(code)s, trong tệp hay trong hệ thống.",
                code=parent,
            )
            fine = False
        if state.get(code) == "done":  # marked as part of a cycle meanwhile
            return False
        state[code] = "done"
        if fine:
            order.append(code)
        return fine

    for code in rows:
        visit(code, [])
    return order


def _save(
    actor: Any, row: SheetRow, code: str, kind: OrgKind, existing: dict[str, Organization], parent_code: str
) -> Change:
    org = existing.get(code)
    parent = existing.get(parent_code) if parent_code else None

    def given(key: str, current: Any) -> Any:
        # A column the sheet does not have leaves an existing body's field as it is.
        return row.get(key) if row.has(key) or org is None else current

    fields = {
        "code": code,
        "doc_code": given("doc_code", org.doc_code if org else None) or code.split("-")[0],
        "name": row.get("name") or "",
        "kind": kind if row.get("kind") or org is None else org.kind,
        "parent": parent if row.has("parent_code") or org is None else org.parent,
        "short_name": given("short_name", org.short_name if org else None),
        "place_name": given("place_name", org.place_name if org else None),
        "valid_from": given("valid_from", org.valid_from if org else None),
        "valid_to": given("valid_to", org.valid_to if org else None),
    }
    label = f"{code} – {fields['name']}"
    if org is None:
        return Change(row.number, CREATE, label, obj=admin.create_organization(actor, **fields))
    new_parent = fields["parent"]
    pairs = [
        (SPEC.column("name").header, org.name, fields["name"]),
        (
            SPEC.column("parent_code").header,
            org.parent.code if org.parent else None,
            new_parent and new_parent.code,
        ),
        (SPEC.column("doc_code").header, org.doc_code, fields["doc_code"]),
        (SPEC.column("place_name").header, org.place_name, fields["place_name"]),
        (SPEC.column("valid_from").header, org.valid_from, fields["valid_from"]),
        (SPEC.column("valid_to").header, org.valid_to, fields["valid_to"]),
        (SPEC.column("kind").header, org.kind.value, fields["kind"].value),
        (SPEC.column("short_name").header, org.short_name, fields["short_name"]),
    ]
    changed = differences(pairs)
    if changed:
        admin.update_organization(org, actor, **fields)
    return Change(row.number, UPDATE if changed else UNCHANGED, label, changed, obj=org)
