"""Time the Word and PDF documents: a visit report with 30 directives and a summary of 1,000 tasks.

Builds a scratch SQLite database with the real migrations and fills it through the workflows (so every
row is one a user could have made), then times each step against floors measured in the same run:

| floor | what runs |
|-------|-----------|
| empty docx | ``docx.Document()`` saved to bytes: python-docx's own cost of a file |
| letterhead only | an ``OfficialDocument`` with the Party letterhead and nothing else: our page setup |
| one-line PDF | a one-line document converted by LibreOffice: start-up and conversion overhead |
| signing | pyHanko signing a one-page PDF (PAdES, visible field) with a throwaway certificate |

    python benchmarks/documents.py                 # default sizes, 5 builds and 3 PDF runs each
    python benchmarks/documents.py --repeat 9 --pdf-repeat 5 --tasks 2000

Prints a table and writes ``benchmarks/results/documents.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import docx
from flask_migrate import upgrade

from app import create_app
from exports.letterhead import letterhead_for
from exports.official import OfficialDocument
from exports.pdf import docx_to_pdf, find_soffice
from exports.signing import sign_pdf
from exports.summary import build_summary
from exports.visit_report import build_visit_report
from models import Organization, Person, User, db
from models.enums import DelegationRole, FindingKind, OrgKind, Role
from workflows import documents as flow
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.clock import LOCAL_ZONE

RESULTS = Path(__file__).resolve().parent / "results" / "documents.json"
TODAY = date(2024, 6, 30)
PERIOD = (date(2023, 1, 1), TODAY)
DISTRICTS = ("Bù Đốp", "Lộc Ninh", "Bù Gia Mập", "Đồng Phú", "Chơn Thành", "Hớn Quản", "Bù Đăng", "Phú Riềng")
UNITS = ("Ban Tuyên giáo Huyện ủy {}", "Trung tâm Chính trị huyện {}", "Phòng Văn hóa và Thông tin huyện {}")
BODY = (
    "Tiếp tục quán triệt, triển khai kịp thời các chỉ thị, nghị quyết, kết luận của Trung ương và của "
    "Tỉnh ủy; xây dựng kế hoạch cụ thể, phân công rõ người, rõ việc, rõ thời hạn và báo cáo kết quả "
    "định kỳ về Ban."
)


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, clock_time(hour), LOCAL_ZONE).astimezone(UTC)


def load(tasks: int) -> dict[str, Any]:
    """The province, a visit with 30 directives, and ``tasks`` tasks over 20 visits."""
    province = _org("TU-BP", "TU", "Tỉnh ủy Bình Phước", OrgKind.PARTY_COMMITTEE, None, "Bình Phước")
    board = _org("BTGTU-BP", "BTGTU", "Ban Tuyên giáo Tỉnh ủy", OrgKind.PARTY_BOARD, province, None)
    units: list[Organization] = []
    districts: list[Organization] = []
    for index, name in enumerate(DISTRICTS):
        district = _org(f"HU-{index}", "HU", f"Huyện ủy {name}", OrgKind.PARTY_COMMITTEE, province, name)
        districts.append(district)
        for number, unit in enumerate(UNITS):
            units.append(
                _org(f"U{number}-{index}", "U", unit.format(name), OrgKind.STATE_OFFICE, district, name)
            )
    # Nobody signs in to the scratch database: an unusable hash spares argon2's time.
    inspector = User(username="inspector", role=Role.INSPECTOR, organization=board, password_hash="!")  # noqa: S106
    office = User(username="office", role=Role.OFFICE, organization=province, password_hash="!")  # noqa: S106
    head = Person(full_name="Mạc Đình Huấn", position="Phó Trưởng Ban Tuyên giáo Tỉnh ủy", organization=board)
    host = Person(full_name="Dương Thanh Huân", position="Bí thư Huyện ủy Bù Đốp", party_titles="TUV")
    db.session.add_all([inspector, office, head, host])
    db.session.flush()

    report_visit = _visit(inspector, board, districts[0], date(2023, 6, 14), head, host, directives=30)
    directives = []
    for number in range(20):
        visit = _visit(
            inspector,
            board,
            districts[number % len(districts)],
            date(2023, 3, 1) + timedelta(days=20 * number),
            head,
            None,
            directives=5,
        )
        directives.extend(visit.directives)
    for number in range(tasks):
        directive = directives[number % len(directives)]
        visited_on = directive.visit.visited_on
        due = visited_on + timedelta(days=30 + (number * 37) % 400)
        task = task_flow.assign_task(
            directive,
            inspector,
            lead_org=units[number % len(units)],
            due_on=None if number % 25 == 0 else due,
            title=f"Nhiệm vụ {number + 1}: xây dựng kế hoạch khắc phục hạn chế",
            now=at(visited_on + timedelta(days=2)),
        )
        if number % 5 < 2 and task.due_on is not None:  # two in five are done, on time or a little late
            done_on = min(task.due_on + timedelta(days=(number % 3) * 4 - 4), TODAY - timedelta(days=1))
            done_on = max(done_on, visited_on + timedelta(days=3))
            task_flow.report_task_done(task, office, note="Đã hoàn thành.", now=at(done_on))
            task_flow.verify_task(task, inspector, now=at(done_on, 15))
    db.session.commit()
    return {"visit_id": report_visit.id, "province_id": province.id}


def _org(code: str, doc_code: str, name: str, kind: OrgKind, parent: Organization | None, place: str | None):
    org = Organization(code=code, doc_code=doc_code, name=name, kind=kind, place_name=place)
    org.place_path(parent)
    db.session.add(org)
    return org


def _visit(inspector, board, district, day, head, host, *, directives):
    visit = visit_flow.create_visit(
        inspector,
        title=f"Kiểm tra công tác tuyên giáo tại {district.name}",
        subject="công tác tuyên giáo",
        period_label=f"năm {day.year}",
        visited_on=day,
        inspecting_org=board,
        inspected_org=district,
    )
    visit_flow.add_delegation_member(visit, inspector, person=head, role=DelegationRole.HEAD)
    if host is not None:
        visit_flow.add_delegation_member(visit, inspector, person=host, role=DelegationRole.HOST_CHAIR)
    for kind in (FindingKind.ACHIEVEMENT, FindingKind.LIMITATION, FindingKind.CAUSE):
        for number in range(4):
            visit_flow.add_finding(visit, inspector, kind=kind, text=f"{kind.value} {number + 1}: {BODY}")
    for number in range(directives):
        visit_flow.issue_directive(
            visit,
            inspector,
            title=f"Nội dung trọng tâm số {number + 1}",
            body=BODY,
            due_on=day + timedelta(days=180),
        )
    visit_flow.mark_conducted(visit, inspector)
    visit_flow.conclude_visit(visit, inspector)
    db.session.flush()
    return visit


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Run ``fn`` once untimed, then ``repeat`` times; return the durations and the last result."""
    result = fn()
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        durations.append(time.perf_counter() - started)
    return durations, result


def empty_docx() -> bytes:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def one_line_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Một dòng chữ tiếng Việt.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pages(pdf: bytes) -> int | None:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        try:
            info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
    return next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="timed builds per row (after one warm-up)")
    parser.add_argument("--pdf-repeat", type=int, default=3, help="timed PDF conversions per row")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kiemtra-bench-docs-") as folder:
        app = create_app({"INSTANCE_PATH": folder, "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            ids = load(args.tasks)
            load_seconds = time.perf_counter() - started
            rows = measure(ids, args)
            db.engine.dispose()
    report(rows, args, load_seconds)


def measure(ids: dict[str, int], args: argparse.Namespace) -> list[dict[str, Any]]:
    visit = flow.load_visit(ids["visit_id"])
    province = flow.load_organization(ids["province_id"])
    assert visit is not None and province is not None
    facts = flow.summary_facts(province, *PERIOD, TODAY)
    assert facts.totals.total == args.tasks, facts.totals
    rows: list[dict[str, Any]] = []

    def row(name: str, durations: list[float], floor: str | None, **extra: Any) -> None:
        rows.append(
            {
                "name": name,
                "median": statistics.median(durations),
                "min": min(durations),
                "floor": floor,
                "runs": len(durations),
                **extra,
            }
        )

    def letterhead_only() -> bytes:
        document = OfficialDocument(draft=True)
        document.letterhead(letterhead_for(province, "BC", None, TODAY))
        return document.to_bytes()

    durations, _ = timed(empty_docx, args.repeat)
    row("floor: empty python-docx document", durations, None)
    durations, _ = timed(letterhead_only, args.repeat)
    row("floor: letterhead only (OfficialDocument)", durations, "floor: empty python-docx document")
    durations, report_docx = timed(lambda: build_visit_report(visit, issued_on=TODAY), args.repeat)
    row(
        "visit report, 30 directives: build",
        durations,
        "floor: letterhead only (OfficialDocument)",
        bytes=len(report_docx),
    )
    durations, _ = timed(lambda: flow.summary_facts(province, *PERIOD, TODAY), args.repeat)
    row(f"summary, {args.tasks} tasks: gather (6 queries)", durations, None, overdue=len(facts.overdue))
    durations, summary_docx = timed(
        lambda: build_summary(facts, issuer=province, issued_on=TODAY), args.repeat
    )
    row(
        f"summary, {args.tasks} tasks: build",
        durations,
        "floor: letterhead only (OfficialDocument)",
        bytes=len(summary_docx),
    )

    if find_soffice() is None:
        print("LibreOffice is not installed: PDF rows skipped.", file=sys.stderr)
        return rows
    durations, pdf = timed(lambda: docx_to_pdf(one_line_docx()), args.pdf_repeat)
    row("floor: one-line document to PDF", durations, None, pages=pages(pdf))
    durations, pdf = timed(lambda: docx_to_pdf(report_docx), args.pdf_repeat)
    row("visit report, 30 directives: PDF", durations, "floor: one-line document to PDF", pages=pages(pdf))
    durations, pdf = timed(lambda: docx_to_pdf(summary_docx), args.pdf_repeat)
    row(f"summary, {args.tasks} tasks: PDF", durations, "floor: one-line document to PDF", pages=pages(pdf))

    credentials = signing_credentials(visit.inspecting_org.name)
    one_page = docx_to_pdf(one_line_docx())
    durations, _ = timed(lambda: sign_pdf(one_page, credentials, signer_name="Mạc Đình Huấn"), args.repeat)
    row("floor: pyHanko signing a one-page PDF", durations, None)
    report_pdf = docx_to_pdf(report_docx)
    durations, _ = timed(lambda: sign_pdf(report_pdf, credentials, signer_name="Mạc Đình Huấn"), args.repeat)
    row(
        "visit report, 30 directives: sign (PAdES, visible field)",
        durations,
        "floor: pyHanko signing a one-page PDF",
    )
    return rows


def signing_credentials(body: str) -> Any:
    """A throwaway CA and a PKCS#12 file for ``body``, as the signing tests make them."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    from exports.signing import load_signer

    def name(text: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, text),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, text),
            ]
        )

    start = datetime(2020, 1, 1, tzinfo=UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("CA"))
        .issuer_name(name("CA"))
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=7000))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name(body))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=7000))
        .sign(ca_key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"k", key, certificate, [ca], serialization.BestAvailableEncryption(b"pw")
    )
    return load_signer(data, "pw", body_names=(body,), on=TODAY)


def report(rows: list[dict[str, Any]], args: argparse.Namespace, load_seconds: float) -> None:
    by_name = {r["name"]: r for r in rows}
    print(f"{'what':<48} {'median ms':>10} {'min ms':>9} {'× floor':>8}  notes")
    for r in rows:
        ratio = r["median"] / by_name[r["floor"]]["median"] if r["floor"] else None
        r["ratio_to_floor"] = ratio
        notes = ", ".join(f"{k} {v}" for k, v in r.items() if k in ("pages", "bytes", "overdue"))
        print(
            f"{r['name']:<48} {r['median'] * 1000:>10.1f} {r['min'] * 1000:>9.1f} "
            f"{'' if ratio is None else f'{ratio:.1f}':>8}  {notes}"
        )
    print(f"(data loaded through the workflows in {load_seconds:.1f} s)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "python": platform.python_version(),
                "python_docx": getattr(docx, "__version__", None),
                "args": vars(args),
                "rows": rows,
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
