"""``kiemtra import-article FILE [--json] [--save --as USERNAME]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.acting import run_command
from models import User, db
from models.enums import Role
from models.vntext import format_date
from workflows.errors import DomainError

if TYPE_CHECKING:
    from workflows.intake import DraftVisit

DAY_PARTS = {"morning": "buổi sáng", "afternoon": "buổi chiều", "evening": "buổi tối", "full_day": "cả ngày"}
KINDS = {
    "achievement": "kết quả",
    "difficulty": "khó khăn",
    "limitation": "hạn chế",
    "cause": "nguyên nhân",
    "host_request": "kiến nghị",
}


@click.command("import-article")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--json", "as_json", is_flag=True, help="Print the draft as JSON, with the span of every field."
)
@click.option("--save", is_flag=True, help="Store the draft as a planned visit (needs --as).")
@click.option("--as", "username", help="The inspector account that saves the visit.")
@click.option("--allow-duplicate", is_flag=True, help="Save even if the same visit is already recorded.")
@with_appcontext
def import_article_command(
    path: Path, as_json: bool, save: bool, username: str | None, allow_duplicate: bool
) -> None:
    """Read an article (.txt, .html, .docx) into a draft visit; --save stores it as a planned visit."""
    # Imported here: the article parser costs every other command's start.
    from workflows.intake import parse_article
    from workflows.intake_save import review_from_draft, save_visit

    user = None
    if save:
        if not username:
            raise click.UsageError("Cần --as TÊN_ĐĂNG_NHẬP (một cán bộ kiểm tra) khi dùng --save.")
        user = db.session.scalar(select(User).where(User.username == username.strip().casefold()))
        if user is None or not user.is_active:
            raise click.ClickException(f"Không có tài khoản «{username}».")
        if user.role is not Role.INSPECTOR:
            raise click.ClickException(f"Tài khoản «{username}» không phải cán bộ kiểm tra; không thể lưu.")
    try:
        draft = parse_article(path.read_bytes(), path.name)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    if as_json:
        click.echo(json.dumps(draft.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(describe(draft))
    if user is None:
        return
    reviewed, problems = review_from_draft(draft, user)
    if reviewed is None:
        raise click.ClickException("Chưa lưu được:\n  - " + "\n  - ".join(problems))
    visit = run_command(lambda: save_visit(user, reviewed, allow_duplicate=allow_duplicate))
    click.echo(
        f"Đã lưu đợt kiểm tra {visit.reference} ({len(visit.directives)} yêu cầu).",
        err=as_json,  # keep standard output valid JSON
    )


def describe(draft: DraftVisit) -> str:
    """The draft as lines a person reads in a terminal."""

    def value(found: object) -> str:
        return "—" if found is None else str(found.value)  # type: ignore[attr-defined]

    lines = [f"Tiêu đề: {value(draft.title)}"]
    day = format_date(draft.visited_on.value) if draft.visited_on else "—"
    part = f" ({DAY_PARTS[draft.day_part.value.value]})" if draft.day_part else ""
    lines += [
        f"Ngày kiểm tra: {day}{part}",
        f"Cơ quan kiểm tra: {value(draft.inspecting_body)}",
        f"Đơn vị được kiểm tra: {value(draft.inspected_unit)}",
        f"Nội dung: {value(draft.subject)}" + (f" — {draft.period.label}" if draft.period else ""),
    ]
    for label, people in (
        ("Trưởng đoàn", [draft.head] if draft.head else []),
        ("Thành viên", draft.members),
        ("Phía đơn vị", draft.hosts),
    ):
        for person in people:
            titles = f"{person.party_titles}, " if person.party_titles else ""
            lines.append(
                f"{label}: {person.name}" + (f" — {titles}{person.position}" if person.position else "")
            )
    counts: dict[str, int] = {}
    for finding in draft.findings:
        counts[finding.kind.value] = counts.get(finding.kind.value, 0) + 1
    if counts:
        lines.append("Nhận xét: " + ", ".join(f"{n} {KINDS[k]}" for k, n in counts.items()))
    lines.append(f"Yêu cầu ({len(draft.directives)}):")
    for directive in draft.directives:
        codes = f" [{', '.join(c.code for c in directive.citations)}]" if directive.citations else ""
        first_line = directive.text.splitlines()[0]
        short = first_line if len(first_line) <= 90 else first_line[:89] + "…"
        lines.append(f"  {directive.marker}: {short}{codes}")
    if draft.author:
        lines.append(f"Tác giả: {draft.author.value}")
    if draft.warnings:
        lines.append("Lưu ý:")
        lines += [f"  - {w}" for w in draft.warnings]
    return "\n".join(lines)
