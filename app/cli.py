"""The ``kiemtra`` command line: a Flask CLI group that starts fast.

Listing the commands (``kiemtra --help``) imports none of them and builds no application: each command
is named in :data:`COMMANDS` with the module that defines it and the first line of its help (a test keeps
those equal to the commands' own). A command's module is imported when the command is asked for (its
``--help`` or a run), and the application is built only when the command runs, with the features that
command needs: the whole application unless it says less.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import secrets
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

if TYPE_CHECKING:
    from flask import Flask

ISO_DATE = click.DateTime(formats=["%Y-%m-%d"])


@dataclass(frozen=True)
class Entry:
    """Where a command lives, what ``kiemtra --help`` says of it, and what of the application it needs."""

    target: str  # "module:attribute"
    summary: str  # the first paragraph of the command's help
    features: tuple[str, ...] | None = None  # app.FEATURE_MODULES it needs; None: all of them
    migrations: bool = False  # Flask-Migrate (Alembic): for the commands that upgrade the database
    # The hooks every change of tasks needs (the kept counts, the attachments' files), without the
    # board's pages, for a command in a smaller application that may change tasks.
    task_hooks: bool = False

    def load(self) -> click.Command:
        module, _, attribute = self.target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


# Every kiemtra command, and Flask-Migrate's ``db``. The application a command runs in is the whole one
# unless the command says less: a command that changes tasks needs the kept counts' and the attachments'
# hooks (board), one that writes a link needs every page's route, a backup every feature's folder.
COMMANDS: dict[str, Entry] = {
    "backup": Entry(
        "app.backup.cli:backup_command",
        "Back up the database and the file folders into one archive (the app may keep running).",
        features=(),  # the folders' defaults are create_app's
    ),
    "create-user": Entry(
        "app.admin_cli:create_user_command",
        "Create a user account (same password rule and audit entry as the admin page).",
        features=(),
        task_hooks=True,
    ),
    "db": Entry("flask_migrate.cli:db", "Perform database migrations.", features=(), migrations=True),
    "demo": Entry(
        "app.cli:demo_command",
        "Create the database if needed, load the demo data and serve kiemtra.",
        migrations=True,
    ),
    "export": Entry("app.documents.cli:export_group", "Xuất văn bản ra tệp."),
    "import-article": Entry(
        "app.intake.cli:import_article_command",
        "Read an article (.txt, .html, .docx) into a draft visit; --save stores it as a planned visit.",
    ),
    "import-history": Entry(
        "app.admin_cli:import_history_command",
        "Back-fill past visits and their tasks with their real days from an .xlsx or .csv file.",
        features=(),
        task_hooks=True,
    ),
    "import-orgs": Entry(
        "app.admin_cli:import_orgs_command",
        "Create or update organisations from an .xlsx or .csv file (all or nothing).",
        features=(),
        task_hooks=True,
    ),
    "import-people": Entry(
        "app.admin_cli:import_people_command",
        "Add people and their accounts from an .xlsx or .csv file (all or nothing).",
        features=(),
        task_hooks=True,
    ),
    "load-demo": Entry(
        "app.cli:load_demo_command", "Load the demo data into the configured database (once)."
    ),
    "prune-uploads": Entry(
        "app.board.cli:prune_uploads_command",
        "Remove files of the upload folder that no evidence record names (left by a crash mid-save).",
        features=("board",),  # the upload folder and the evidence records
    ),
    "restore": Entry(
        "app.backup.cli:restore_command",
        "Restore an archive written by ``kiemtra backup`` into an empty database and empty folders.",
        features=(),  # the folders' defaults are create_app's
        migrations=True,
    ),
    "scan-deadlines": Entry(
        "app.reminders.cli:scan_deadlines_command",
        "Run one deadline scan, send the digests, and print what was created and sent.",
        features=("board", "reminders"),  # the e-mails link to the task's page and to the inbox
    ),
    "scheduler": Entry(
        "app.reminders.cli:scheduler_command",
        "Run the deadline scheduler alone, in the foreground (one such process per installation).",
    ),
    "serve": Entry("app.cli:serve_command", "Serve kiemtra with waitress on the configured database."),
    "setup": Entry(
        "app.admin_cli:setup_command",
        "Prepare an empty database: the root organisation and the first administrator.",
        features=(),
        migrations=True,
        task_hooks=True,
    ),
    "stats": Entry(
        "app.cli:stats_command",
        "Print the timeliness counts and both completion rates, as they stood at the end of a day.",
        features=(),  # reads the database only
    ),
    "verify-signature": Entry(
        "app.documents.cli:verify_signature_command",
        "Kiểm tra chữ ký số của một tệp PDF: ai ký, chữ ký có hợp lệ, văn bản có bị sửa sau khi ký.",
    ),
}


def _create_app(
    features: tuple[str, ...] | None = None, migrations: bool = True, task_hooks: bool = False
) -> Flask:
    """The application a command runs in: ``features`` (all by default), with Flask-Migrate or not,
    with the hooks of task changes when its features leave out the board's."""
    from app import FEATURE_MODULES, create_app
    from app.extensions import init_migrate

    app = create_app(command_line=True, features=FEATURE_MODULES if features is None else features)
    if migrations:
        init_migrate(app)
    if task_hooks:
        from app import database
        from workflows import attachments, counts

        # What the board's init_app installs (both idempotent): the kept counts follow every task
        # change, a file written in a transaction that does not commit is removed.
        attachments.install_cleanup()
        counts.install(reading_page=database.page_only_reads)
    return app


class KiemtraGroup(FlaskGroup):
    """Flask's group, but listing from :data:`COMMANDS` and loading a command only when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})  # Flask's own run, shell and routes, and ours

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:  # Flask's own, another package's plugin, or one added to app.cli by a feature
            return super().get_command(ctx, name)
        info = ctx.ensure_object(ScriptInfo)
        if info._loaded_app is None:
            info.create_app = functools.partial(
                _create_app, entry.features, entry.migrations, entry.task_hooks
            )
        return entry.load()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            entry = COMMANDS.get(name)
            if entry is not None:
                rows.append((name, click.Command(name, help=entry.summary).get_short_help_str(limit)))
            else:
                rows.append((name, self.commands[name].get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _demo_secret_key(app: Flask) -> None:
    """The demo signs with a key kept in its instance folder, made on first run, unless one is configured."""
    if not app.config.get("SECRET_KEY_IS_EPHEMERAL"):
        return
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    app.config["SECRET_KEY"] = path.read_text().strip()
    app.config["SECRET_KEY_IS_EPHEMERAL"] = False


@click.group(cls=KiemtraGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """kiemtra: theo dõi kết quả kiểm tra và việc thực hiện kết luận."""


def _as_date(value: object) -> date | None:
    return value.date() if value is not None else None  # type: ignore[attr-defined]


def _load_demo(today: date, force: bool = False) -> bool:
    """Load the demo data, turning a refusal into a message instead of a stack trace."""
    from app.acting import run_command
    from workflows.demo import foreign_organisations, load_demo

    foreign = foreign_organisations()
    if foreign and not force:
        # The demo adds accounts whose password is published: never into an office's database by accident.
        shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        raise click.ClickException(
            f"Cơ sở dữ liệu này đã có cơ quan, đơn vị không thuộc dữ liệu mẫu ({shown}). Dữ liệu mẫu tạo "
            "tài khoản với mật khẩu công khai; không nạp. Dùng --force nếu thật sự muốn nạp vào đây."
        )
    return run_command(lambda: load_demo(today=today))


def _serve(host: str, port: int, threads: int) -> None:
    import gc
    import logging

    from waitress import serve

    if not logging.getLogger().handlers:  # the request log and waitress's own messages on stderr
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(f"kiemtra: http://{host}:{port}/")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # What start-up made (modules, mappers, templates: about 180,000 objects) lives as long as the process;
    # frozen, the collector's full passes inside requests stop walking it (30-40 % of some profiled pages).
    gc.collect()
    gc.freeze()
    # Waitress drops X-Forwarded-* headers unless told otherwise; behind a proxy, ProxyFix reads them.
    proxied = bool(app.config.get("PROXY_COUNT"))
    serve(app, host=host, port=port, threads=threads, clear_untrusted_proxy_headers=not proxied)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--today", type=ISO_DATE, help="Load the demo as if today were this day (YYYY-MM-DD).")
@click.option("--no-serve", is_flag=True, help="Prepare the database and stop.")
@click.option("--no-scheduler", is_flag=True, help="Do not run the deadline scheduler in this process.")
@with_appcontext
def demo_command(host: str, port: int, today: object, no_serve: bool, no_scheduler: bool) -> None:
    """Create the database if needed, load the demo data and serve kiemtra."""
    # Imported here: alembic costs every other command a tenth of a second at start.
    from flask_migrate import upgrade

    from models import db
    from workflows.clock import local_today
    from workflows.demo import DEMO_PASSWORD

    _demo_secret_key(current_app)
    upgrade()
    created = _load_demo(_as_date(today) or local_today())
    db.session.commit()
    click.echo("Đã nạp dữ liệu mẫu." if created else "Dữ liệu mẫu đã có; không nạp lại.")
    click.echo(f"Cơ sở dữ liệu: {db.engine.url.render_as_string(hide_password=True)}")
    click.echo("Tài khoản dùng thử (chỉ cho dữ liệu mẫu):")
    for username, role in (
        ("admin", "admin"),
        ("inspector", "inspector"),
        ("office", "office"),
        ("leader", "leader"),
    ):
        click.echo(f"  {username:<10} / {DEMO_PASSWORD}   ({role})")
    if not no_serve:
        from app.reminders.scheduler import running_in_background

        with running_in_background(current_app._get_current_object(), enabled=not no_scheduler):  # type: ignore[attr-defined]
            _serve(host, port, threads=4)


@click.command("load-demo")
@click.option("--today", type=ISO_DATE, help="Load the demo as if today were this day (YYYY-MM-DD).")
@click.option("--force", is_flag=True, help="Load even into a database that holds other organisations.")
@with_appcontext
def load_demo_command(today: object, force: bool) -> None:
    """Load the demo data into the configured database (once)."""
    from models import db
    from workflows.clock import local_today

    created = _load_demo(_as_date(today) or local_today(), force=force)
    db.session.commit()
    click.echo("Đã nạp dữ liệu mẫu." if created else "Dữ liệu mẫu đã có; không nạp lại.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--no-scheduler", is_flag=True, help="Do not run the deadline scheduler in this process.")
@with_appcontext
def serve_command(host: str, port: int, threads: int, no_scheduler: bool) -> None:
    """Serve kiemtra with waitress on the configured database."""
    if current_app.config.get("SECRET_KEY_IS_EPHEMERAL"):
        raise click.ClickException("Cần đặt KIEMTRA_SECRET_KEY trước khi chạy máy chủ.")
    from app.reminders.scheduler import running_in_background

    with running_in_background(current_app._get_current_object(), enabled=not no_scheduler):  # type: ignore[attr-defined]
        _serve(host, port, threads)


@click.command("stats")
@click.option("--today", type=ISO_DATE, help="Count as of this day (YYYY-MM-DD); default today in Vietnam.")
@click.option("--org", "org_code", help="Only this organisation's subtree (its code, e.g. HU-BUDOP).")
@click.option("--from", "period_from", type=ISO_DATE, help="Only tasks assigned on or after this day.")
@click.option("--to", "period_to", type=ISO_DATE, help="Only tasks assigned on or before this day.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def stats_command(
    today: object, org_code: str | None, period_from: object, period_to: object, as_json: bool
) -> None:
    """Print the timeliness counts and both completion rates, as they stood at the end of a day."""
    from sqlalchemy import select

    from models import Organization, db
    from workflows.clock import local_today
    from workflows.errors import ValidationFailed
    from workflows.timeliness import Period, check_as_of, check_period, count_timeliness

    day = _as_date(today) or local_today()
    period = Period(_as_date(period_from), _as_date(period_to))
    try:
        check_as_of(db.session, day)
        check_period(period)
    except ValidationFailed as error:
        raise click.ClickException(error.template % error.params) from None
    scope = None
    if org_code:
        scope = db.session.scalar(select(Organization).where(Organization.code == org_code.strip().upper()))
        if scope is None:
            raise click.ClickException(f"Không có cơ quan, đơn vị mã «{org_code}».")
    counts = count_timeliness(db.session, day, scope, current_app.config["DUE_SOON_DAYS"], period)
    if as_json:
        payload = {
            "today": day.isoformat(),
            "org": scope.code if scope else None,
            "assigned_from": period.start.isoformat() if period.start else None,
            "assigned_to": period.end.isoformat() if period.end else None,
            **counts.as_dict(),
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(f"Tình hình thực hiện nhiệm vụ ngày {day:%d/%m/%Y}" + (f" – {scope.name}" if scope else ""))
    if period.start or period.end:
        first = f"{period.start:%d/%m/%Y}" if period.start else "…"
        last = f"{period.end:%d/%m/%Y}" if period.end else "…"
        click.echo(f"Nhiệm vụ giao từ {first} đến {last}")
    rows = [(word, getattr(counts, category)) for category, word in category_labels().items()]
    rows += [
        ("Tổng số nhiệm vụ (không tính đã hủy)", counts.total),
        ("Hoàn thành đúng hạn ban đầu (trước gia hạn)", counts.on_time_original),
    ]
    for word, value in rows:
        click.echo(f"  {word:<46} {value:>8}")
    click.echo(f"  {'Tỷ lệ hoàn thành = xong / (xong + quá hạn)':<46} {_percent(counts.completion_rate):>8}")
    for category, word in category_labels().items():
        click.echo(f"  {'Tỷ lệ ' + word.lower() + ' / tổng số':<46} {_percent(counts.share(category)):>8}")


def category_labels() -> dict[str, str]:
    """The counts ``kiemtra stats`` prints, each worded by its label (models/labels.py), in Vietnamese."""
    from models.enums import Timeliness, TimelinessGroup
    from models.labels import label

    return {
        category: label(key, "vi")
        for category, key in (
            ("on_time", TimelinessGroup.ON_TIME),
            ("late", TimelinessGroup.LATE),
            ("within", TimelinessGroup.OPEN_WITHIN),
            ("due_soon", TimelinessGroup.DUE_SOON),
            ("overdue", TimelinessGroup.OVERDUE),
            ("awaiting_on_time", Timeliness.AWAITING_ON_TIME),
            ("awaiting_late", Timeliness.AWAITING_LATE),
            ("no_deadline", TimelinessGroup.NO_DEADLINE),
        )
    }


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%".replace(".", ",")


def init_app(app: Flask) -> None:
    """Register kiemtra's commands on the app's CLI."""
    from app import admin_cli
    from app.backup.cli import COMMANDS as BACKUP_COMMANDS

    for command in (demo_command, load_demo_command, serve_command, stats_command, *BACKUP_COMMANDS):
        app.cli.add_command(command)
    admin_cli.init_app(app)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
