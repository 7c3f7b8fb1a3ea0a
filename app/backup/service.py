"""``take_backup`` and ``restore_backup``: the database and every file folder, in one archive.

The database is dumped first and the folders are read after it: files are written before the record
that names them is committed, so every file the dumped records name is in the archive (a file saved
while the backup runs may come along without its record; ``kiemtra prune-uploads`` removes such files).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from flask import Flask

from app.backup import BackupError, _, dumps
from app.backup.archive import FILES_PREFIX, ArchiveWriter, Manifest, extract_verified, folder_files
from models import db

# Files being written right now (renamed into place when complete) stay out of the archive.
PARTIAL_PREFIXES = (".upload-", ".tmp-")


@dataclass(frozen=True)
class FileFolder:
    """A folder of files that belongs to the records: its name in the archive, and where it lives."""

    name: str
    locate: Callable[[Flask], Path]


def _news_images(app: Flask) -> Path:
    from app.news import storage

    with app.app_context():
        return storage.image_dir()


# Adding a folder here is all it takes for backups to carry it; the manifest lists folders by name.
FOLDERS: tuple[FileFolder, ...] = (
    FileFolder("uploads", lambda app: Path(app.config["UPLOAD_DIR"])),  # evidence files of tasks
    FileFolder("news-images", _news_images),
)
# Issued copies (the exact Word and PDF bytes under each number) are rows of ``issued_file``: the
# database dump carries them.


@dataclass
class BackupReport:
    """What a backup wrote."""

    path: Path
    size: int
    schema_revision: str | None
    row_counts: dict[str, int]
    folders: dict[str, dict[str, int]]
    seconds: float


@dataclass
class RestoreReport:
    """What a restore found in the archive and did."""

    manifest: Manifest
    written: bool
    upgraded_to: str | None = None
    row_counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _version() -> str:
    try:
        return metadata.version("kiemtra")
    except metadata.PackageNotFoundError:  # pragma: no cover - a checkout without install
        return "unknown"


def take_backup(app: Flask, output: Path) -> BackupReport:
    """Write one archive of the database and the file folders to ``output`` (which must not exist)."""
    started = time.perf_counter()
    output = output.resolve()
    if output.exists():
        raise BackupError(_("Tệp %(path)s đã có; hãy chọn tên khác.", path=output))
    if not output.parent.is_dir():
        raise BackupError(_("Không có thư mục %(path)s.", path=output.parent))
    url = db.engine.url
    backend = dumps.backend_of(url)
    # Written under a temporary name and renamed at the end: no half archive under the real name.
    handle, partial_name = tempfile.mkstemp(dir=output.parent, prefix=".tmp-", suffix=".partial")
    os.close(handle)
    partial = Path(partial_name)
    writer: ArchiveWriter | None = None
    try:
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".tmp-kiemtra-dump-") as work:
            dump = Path(work) / "database"
            if backend == "sqlite":
                snapshot = dumps.sqlite_snapshot(url, dump, app.config["SQLITE_BUSY_TIMEOUT_MS"])
                member = dumps.SQLITE_MEMBER
            else:
                snapshot = dumps.postgresql_snapshot(db.engine, dump, app.config.get("PG_BIN_DIR"))
                member = dumps.POSTGRESQL_MEMBER
            writer = ArchiveWriter(partial)
            writer.add_file(member, dump)
        folders: dict[str, dict[str, int]] = {}
        for folder in FOLDERS:
            root = folder.locate(app)
            count = total = 0
            for path in folder_files(root, PARTIAL_PREFIXES):
                total += writer.add_file(
                    f"{FILES_PREFIX}{folder.name}/{path.relative_to(root).as_posix()}", path
                )
                count += 1
            folders[folder.name] = {"files": count, "bytes": total}
        manifest = Manifest(
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            kiemtra_version=_version(),
            schema_revision=snapshot.schema_revision,
            backend=backend,
            database_member=member,
            database_info=snapshot.info,
            row_counts=snapshot.row_counts,
            folders=folders,
        )
        writer.finish(manifest)
        writer = None
        os.replace(partial, output)
    finally:
        if writer is not None:
            writer.abort()
        partial.unlink(missing_ok=True)
    return BackupReport(
        path=output,
        size=output.stat().st_size,
        schema_revision=snapshot.schema_revision,
        row_counts=snapshot.row_counts,
        folders=folders,
        seconds=time.perf_counter() - started,
    )


def _check_revision_known(revision: str | None) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from app.extensions import MIGRATIONS_DIR

    if revision is None:
        return
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    try:
        ScriptDirectory.from_config(config).get_revision(revision)
    except CommandError:
        raise BackupError(
            _(
                "Bản sao lưu ở phiên bản dữ liệu %(revision)s mà phần mềm này không biết (mới hơn?); "
                "hãy cập nhật kiemtra trước khi khôi phục.",
                revision=revision,
            )
        ) from None


def head_revision() -> str | None:
    """The newest migration this code knows."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from app.extensions import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return ScriptDirectory.from_config(config).get_current_head()


def _folder_targets(app: Flask, manifest: Manifest) -> dict[str, Path]:
    known = {folder.name: folder.locate(app) for folder in FOLDERS}
    unknown = sorted(set(manifest.folders) - set(known))
    if unknown:
        raise BackupError(
            _("Bản sao lưu có thư mục %(names)s mà phiên bản này không biết.", names=", ".join(unknown))
        )
    return {name: known[name] for name in manifest.folders}


def _check_targets_empty(app: Flask, targets: dict[str, Path], backend: str) -> None:
    url = db.engine.url
    database_empty = (
        dumps.sqlite_is_empty(url) if backend == "sqlite" else dumps.postgresql_is_empty(db.engine)
    )
    if not database_empty:
        raise BackupError(
            _(
                "Cơ sở dữ liệu đích %(url)s đã có dữ liệu; chỉ khôi phục vào cơ sở dữ liệu trống "
                "(hoặc thêm --force để ghi đè).",
                url=url.render_as_string(hide_password=True),
            )
        )
    for name, path in targets.items():
        if folder_files(path, ()):
            raise BackupError(
                _(
                    "Thư mục %(path)s (%(name)s) đã có tệp; chỉ khôi phục vào thư mục trống "
                    "(hoặc thêm --force để ghi đè).",
                    path=path,
                    name=name,
                )
            )


def _restore_files(staging: Path, manifest: Manifest, targets: dict[str, Path]) -> None:
    for name, root in targets.items():
        root.mkdir(parents=True, exist_ok=True)
        for member, relative in manifest.folder_members(name):
            target = root.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".tmp-{target.name}")
            shutil.copyfile(staging / member, partial)
            os.replace(partial, target)


def restore_backup(
    app: Flask, archive: Path, *, force: bool = False, check_only: bool = False
) -> RestoreReport:
    """Check ``archive`` completely, then restore it into this installation's database and folders.

    Refuses, before writing anything, an archive that does not match its manifest, one of the other
    database kind or from newer code, and a target that is not empty unless ``force``. An archive
    older than the code is migrated up after the restore.
    """
    started = time.perf_counter()
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=instance, prefix=".tmp-restore-") as work:
        staging = Path(work)
        manifest = extract_verified(archive.resolve(), staging)
        backend = dumps.backend_of(db.engine.url)
        if manifest.backend != backend:
            raise BackupError(
                _(
                    "Bản sao lưu là của %(archive)s, cơ sở dữ liệu đích là %(target)s; không khôi phục được.",
                    archive=manifest.backend,
                    target=backend,
                )
            )
        _check_revision_known(manifest.schema_revision)
        pg_restore = None
        if backend == "postgresql":
            dumped_by = int(manifest.database_info.get("pg_dump_major", 0))
            pg_restore = dumps.postgresql_check_restore_tool(app.config.get("PG_BIN_DIR"), dumped_by)
        targets = _folder_targets(app, manifest)
        if check_only:
            return RestoreReport(manifest, written=False, seconds=time.perf_counter() - started)
        if not force:
            _check_targets_empty(app, targets, backend)

        db.session.remove()
        db.engine.dispose()
        dump = staging / manifest.database_member
        if backend == "sqlite":
            counts = dumps.sqlite_restore(db.engine.url, dump, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        else:
            assert pg_restore is not None
            counts = dumps.postgresql_restore(db.engine, dump, pg_restore, wipe=force)
        if counts != manifest.row_counts:
            raise BackupError(
                _("Số dòng sau khi khôi phục không khớp kê khai; hãy kiểm tra cơ sở dữ liệu đích.")
            )
        _restore_files(staging, manifest, targets)

    report = RestoreReport(manifest, written=True, row_counts=counts)
    head = head_revision()
    if manifest.schema_revision != head:
        from flask_migrate import upgrade

        upgrade()
        report.upgraded_to = head
    report.seconds = time.perf_counter() - started
    return report
