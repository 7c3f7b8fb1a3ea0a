"""Administration from the command line: the first run, accounts, and bulk imports.

Every command acts as a :class:`~workflows.system.SystemActor` through the same workflows as the
admin pages, so the password rule, the checks and the audit entries are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from app.acting import run_command
from models import Organization, db
from models.enums import Role
from workflows import admin as admin_flow
from workflows import system
from workflows.errors import DomainError


def _ask(value: str | None, prompt: str, *, secret: bool = False, default: str | None = None) -> str:
    if value is not None:
        return value
    if secret:
        return str(click.prompt(prompt, hide_input=True, confirmation_prompt="Nhập lại mật khẩu"))
    return str(click.prompt(prompt, default=default, show_default=default is not None))


@click.command("setup")
@click.option("--org-code", help="Mã cơ quan gốc, duy nhất (ví dụ TU-BP).")
@click.option("--org-name", help="Tên cơ quan gốc (ví dụ Tỉnh ủy Bình Phước).")
@click.option("--doc-code", help="Ký hiệu dùng trong số văn bản (ví dụ TU).")
@click.option("--place", "place_name", help="Địa danh ghi ở dòng ngày tháng (ví dụ Bình Phước).")
@click.option("--username", help="Tên đăng nhập của quản trị viên đầu tiên.")
@click.option("--password", help="Mật khẩu (bỏ trống để nhập mà không hiện lên màn hình).")
@click.option("--email", help="Thư điện tử của quản trị viên.")
@with_appcontext
def setup_command(
    org_code: str | None,
    org_name: str | None,
    doc_code: str | None,
    place_name: str | None,
    username: str | None,
    password: str | None,
    email: str | None,
) -> None:
    """Prepare an empty database: the root organisation and the first administrator."""
    from flask_migrate import upgrade

    upgrade()
    if system.has_organizations():
        raise click.ClickException(
            "Cơ sở dữ liệu đã có cơ quan, đơn vị: kiemtra đã được thiết lập, không thiết lập lại. "
            "Hãy đăng nhập trang quản trị hoặc dùng kiemtra create-user."
        )
    code = _ask(org_code, "Mã cơ quan gốc (ví dụ TU-BP)")
    name = _ask(org_name, "Tên cơ quan gốc (ví dụ Tỉnh ủy Bình Phước)")
    symbol = _ask(doc_code, "Ký hiệu trong số văn bản (ví dụ TU)", default=code.split("-")[0].upper())
    place = _ask(place_name, "Địa danh ở dòng ngày tháng (ví dụ Bình Phước)")
    login = _ask(username, "Tên đăng nhập của quản trị viên", default="admin")
    secret = _ask(password, "Mật khẩu", secret=True)
    user = run_command(
        lambda: system.set_up_office(
            system.SystemActor("kiemtra setup"),
            code=code,
            name=name,
            doc_code=symbol,
            place_name=place,
            username=login,
            password=secret,
            email=email,
        )
    )
    root = user.organization
    click.echo(f"Đã tạo cơ quan gốc {root.code} – {root.name}.")
    click.echo(f"Đã tạo quản trị viên {user.username}.")
    click.echo("Đăng nhập rồi thêm đơn vị và tài khoản ở trang quản trị, hoặc nhập hàng loạt từ bảng tính:")
    click.echo("  kiemtra import-orgs TỆP    kiemtra import-people TỆP")


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--org", "org_code", required=True, help="Organisation code.")
@click.option("--email")
@click.option("--name", "display_name", default="")
@click.password_option()
@with_appcontext
def create_user_command(
    username: str, role: str, org_code: str, email: str | None, display_name: str, password: str
) -> None:
    """Create a user account (same password rule and audit entry as the admin page)."""
    org = db.session.scalar(select(Organization).where(Organization.code == org_code.strip().upper()))
    if org is None:
        raise click.ClickException(f"Không có cơ quan, đơn vị mã «{org_code}».")
    user = run_command(
        lambda: admin_flow.create_user(
            system.SystemActor("kiemtra create-user"),
            username=username,
            password=password,
            role=Role(role),
            organization=org,
            display_name=display_name,
            email=email,
        )
    )
    click.echo(f"Đã tạo tài khoản {user.username}.")


def _import(kind: str, path: str, dry_run: bool) -> None:
    from workflows.imports.kinds import KINDS

    spec, run = KINDS[kind].spec, KINDS[kind].run
    _import_file(spec, lambda sheet: run(system.SystemActor(f"kiemtra import-{kind}"), sheet), path, dry_run)


def _import_file(spec: Any, run: Callable[[Any], Any], path: str, dry_run: bool) -> None:
    """Read ``path`` against ``spec``, run the import, print each row's change or problem, and commit
    only a result without problems (never on a dry run)."""
    from workflows.imports.plan import CREATE, UNCHANGED, UPDATE
    from workflows.imports.sheet import read_sheet

    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_READ)
        sheet = read_sheet(data, path, spec)
        result = run(sheet)
    except DomainError as error:  # the file as a whole (SheetRefused) or a rule of the import
        db.session.rollback()
        raise click.ClickException(error.message) from None
    if not result.ok:
        db.session.rollback()
        for problem in sorted(result.problems, key=lambda p: p.row or 0):
            click.echo(problem.located(), err=True)
        raise click.ClickException(f"{len(result.problems)} lỗi; không ghi gì vào cơ sở dữ liệu.")
    words = {CREATE: "thêm", UPDATE: "sửa", UNCHANGED: "giữ nguyên"}
    for change in result.changes:
        click.echo(f"  dòng {change.row:>4}  {words[change.action]:<10} {change.record}")
        for field in change.fields:
            click.echo(f"{'':22}{field.label}: «{field.before}» → «{field.after}»")
    summary = ", ".join(f"{result.count(a)} {w}" for a, w in words.items())
    if dry_run:
        db.session.rollback()
        click.echo(f"Thử (--dry-run): {summary}; không ghi gì.")
        return
    db.session.commit()
    click.echo(f"Đã nhập: {summary}.")
    generated = [c for c in result.changes if c.note]
    if generated:
        click.echo("Mật khẩu ban đầu (chỉ hiện lần này; hãy trao riêng cho từng người):")
        for change in generated:
            click.echo(f"  dòng {change.row:>4}  {change.record}: {change.note}")


MAX_READ = 64 * 1024 * 1024  # read a little past the import limit, so a huge file is refused by size


@click.command("import-orgs")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và cho xem trước, không ghi.")
@with_appcontext
def import_orgs_command(path: str, dry_run: bool) -> None:
    """Create or update organisations from an .xlsx or .csv file (all or nothing)."""
    _import("orgs", path, dry_run)


@click.command("import-history")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "username", required=True, help="Tài khoản cán bộ kiểm tra nhập bù (tên đăng nhập).")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và cho xem trước, không ghi.")
@with_appcontext
def import_history_command(path: str, username: str, dry_run: bool) -> None:
    """Back-fill past visits and their tasks with their real days from an .xlsx or .csv file."""
    from models import User
    from workflows.clock import local_today
    from workflows.imports import history

    user = db.session.scalar(select(User).where(User.username == username, User.is_active.is_(True)))
    if user is None:
        raise click.ClickException(f"Không có tài khoản đang hoạt động tên {username}.")
    _import_file(
        history.SPEC, lambda sheet: history.import_history(user, sheet, local_today()), path, dry_run
    )


@click.command("import-people")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và cho xem trước, không ghi.")
@with_appcontext
def import_people_command(path: str, dry_run: bool) -> None:
    """Add people and their accounts from an .xlsx or .csv file (all or nothing)."""
    _import("people", path, dry_run)


def init_app(app: Flask) -> None:
    """Register the administration commands."""
    for command in (
        setup_command,
        create_user_command,
        import_orgs_command,
        import_people_command,
        import_history_command,
    ):
        app.cli.add_command(command)
