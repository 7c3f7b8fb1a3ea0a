"""``kiemtra backup`` and ``kiemtra restore``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.backup import BackupError, _
from app.backup.service import restore_backup, take_backup


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


@click.command("backup")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The archive to write.",
)
@with_appcontext
def backup_command(output: Path) -> None:
    """Back up the database and the file folders into one archive (the app may keep running)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        report = take_backup(app, output)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    click.echo(_("Đã sao lưu vào %(path)s (%(size)s).", path=report.path, size=_megabytes(report.size)))
    click.echo(_("  Phiên bản dữ liệu: %(revision)s", revision=report.schema_revision or "—"))
    click.echo(_("  Số dòng: %(rows)s", rows=sum(report.row_counts.values())))
    for name, folder in report.folders.items():
        click.echo(_("  Thư mục %(name)s: %(files)s tệp", name=name, files=folder["files"]))


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database and folders that already hold data.")
@click.option("--check", "check_only", is_flag=True, help="Check the archive's hashes and restore nothing.")
@with_appcontext
def restore_command(archive: Path, force: bool, check_only: bool) -> None:
    """Restore an archive written by ``kiemtra backup`` into an empty database and empty folders."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        report = restore_backup(app, archive, force=force, check_only=check_only)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    manifest = report.manifest
    entries = len(manifest.entries)
    if not report.written:
        click.echo(
            _(
                "Bản sao lưu nguyên vẹn: %(entries)s tệp khớp mã băm "
                "(tạo lúc %(created)s, phiên bản dữ liệu %(revision)s).",
                entries=entries,
                created=manifest.created_at,
                revision=manifest.schema_revision or "—",
            )
        )
        return
    click.echo(_("Đã khôi phục %(path)s: %(rows)s dòng.", path=archive, rows=sum(report.row_counts.values())))
    for name, folder in manifest.folders.items():
        click.echo(_("  Thư mục %(name)s: %(files)s tệp", name=name, files=folder["files"]))
    if report.upgraded_to:
        click.echo(_("  Đã nâng cấp dữ liệu lên phiên bản %(revision)s.", revision=report.upgraded_to))


COMMANDS = (backup_command, restore_command)
