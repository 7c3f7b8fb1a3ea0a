"""``kiemtra prune-uploads``: remove evidence files no record names."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from models import Attachment, db
from workflows import attachments


@click.command("prune-uploads")
@click.option(
    "--older-than-hours",
    type=click.FloatRange(min=0),
    default=24,
    show_default=True,
    help="Leave files younger than this: a save may be writing them right now.",
)
@click.option("--dry-run", is_flag=True, help="List the files without removing them.")
@with_appcontext
def prune_uploads_command(older_than_hours: float, dry_run: bool) -> None:
    """Remove files of the upload folder that no evidence record names (left by a crash mid-save)."""
    folder = current_app.config["UPLOAD_DIR"]
    names = db.session.scalars(select(Attachment.stored_name))
    orphans = attachments.orphan_files(folder, names, older_than=older_than_hours * 3600)
    for path in orphans:
        click.echo(f"{'sẽ xóa' if dry_run else 'đã xóa'}: {path.name}")
        if not dry_run:
            path.unlink(missing_ok=True)
    click.echo(f"{len(orphans)} tệp không thuộc hồ sơ nào trong {folder}.")
