"""Backups taken while the application writes restore to the same rows and files; damaged archives
and occupied targets are refused before anything is written; older archives are migrated up."""

from __future__ import annotations

import hashlib
import io
import secrets
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from app.backup import BackupError, dumps
from app.backup.service import FOLDERS, head_revision, restore_backup, take_backup
from models import Attachment, Person, Task, db
from tests.backup.conftest import sha256_of_folder
from tests.conftest import World


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def _holds_tables() -> bool:
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        return not dumps.sqlite_is_empty(url)
    return not dumps.postgresql_is_empty(db.engine)


def _folders(app: Flask) -> dict[str, Path]:
    return {folder.name: folder.locate(app) for folder in FOLDERS}


@pytest.fixture
def evidence(app: Flask, world: World, create_task: Callable[..., Task]) -> Iterator[list[Path]]:
    """Two evidence files with their records, a news photo and a file in a subfolder."""
    task = create_task()
    written: list[Path] = []
    folders = _folders(app)
    for index in range(2):
        data = secrets.token_bytes(2000 + index)
        name = f"{secrets.token_hex(16)}.pdf"
        path = Path(folders["uploads"]) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
        db.session.add(
            Attachment(
                task=task,
                original_name=f"Báo cáo {index}.pdf",
                stored_name=name,
                size=len(data),
                content_type="application/pdf",
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=world.office,
            )
        )
    for folder, relative in (
        ("news-images", f"{secrets.token_hex(16)}.jpg"),
        ("uploads", "2026/12/old.docx"),
    ):
        path = folders[folder] / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(secrets.token_bytes(500))
        written.append(path)
    db.session.commit()
    yield written
    for path in written:
        path.unlink(missing_ok=True)


def _busy_writer(
    app: Flask, org_id: int, stop: threading.Event, commits: list[int], failures: list[Exception]
) -> None:
    """Add people one transaction at a time until told to stop."""
    with app.app_context():
        try:
            while not stop.is_set():
                db.session.add(Person(full_name=f"Người thứ {len(commits)}", organization_id=org_id))
                db.session.commit()
                commits.append(1)
        except Exception as error:  # reported by the test thread
            failures.append(error)
        finally:
            db.session.remove()


def _wait_for(condition: Callable[[], bool], failures: list[Exception]) -> None:
    deadline = time.monotonic() + 120  # a guard against a hang, not a measurement
    while not condition():
        assert not failures, failures
        assert time.monotonic() < deadline, "the writer made no progress"
        time.sleep(0.01)


def test_a_backup_taken_while_a_writer_is_busy_restores_the_same_rows_and_files(
    app: Flask, world: World, evidence: list[Path], empty_installation: Callable[[], Flask], tmp_path: Path
) -> None:
    stop, commits, failures = threading.Event(), [], []
    board_id = world.board.id
    db.session.rollback()  # on SQLite this thread must not hold the write lock the writer needs
    writer = threading.Thread(target=_busy_writer, args=(app, board_id, stop, commits, failures))
    writer.start()
    try:
        _wait_for(lambda: len(commits) >= 5, failures)  # the writer is in full swing
        report = take_backup(app, tmp_path / "kiemtra.tar.gz")
        during = len(commits)
        _wait_for(lambda: len(commits) >= during + 5, failures)  # and the backup never stopped it
    finally:
        stop.set()
        writer.join()
    db.session.expire_all()
    source_counts = _row_counts()
    source_files = {name: sha256_of_folder(path) for name, path in _folders(app).items()}
    attachment_names = set(db.session.scalars(select(Attachment.stored_name)))

    target = empty_installation()
    with target.app_context():
        restored = restore_backup(target, report.path)
        restored_counts = _row_counts()
        restored_files = {name: sha256_of_folder(path) for name, path in _folders(target).items()}
        attachments = db.session.scalars(select(Attachment)).all()
        uploads = _folders(target)["uploads"]
        for attachment in attachments:
            assert (
                hashlib.sha256((uploads / attachment.stored_name).read_bytes()).hexdigest()
                == attachment.sha256
            )
        assert {a.stored_name for a in attachments} == attachment_names

    assert restored.written and restored.upgraded_to is None
    # The archive holds one consistent moment: the people the writer had added by then, and
    # everything else exactly as in the source.
    assert restored_counts["person"] == report.row_counts["person"]
    assert 5 + 2 <= restored_counts["person"] < source_counts["person"]
    assert {k: v for k, v in restored_counts.items() if k != "person"} == {
        k: v for k, v in source_counts.items() if k != "person"
    }
    assert restored_files == source_files
    assert restored_files["uploads"]["2026/12/old.docx"] == source_files["uploads"]["2026/12/old.docx"]
    assert report.schema_revision == head_revision()


@pytest.fixture
def archive(app: Flask, world: World, evidence: list[Path], tmp_path: Path) -> Path:
    """A good archive of the test database with its files."""
    return take_backup(app, tmp_path / "good.tar.gz").path


def _rewrite(
    source: Path, target: Path, change: Callable[[str, bytes], bytes | None], extra: bool = False
) -> Path:
    """Copy an archive member by member through ``change`` (None drops the member)."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for info in old:
            stream = old.extractfile(info)
            assert stream is not None
            data = change(info.name, stream.read())
            if data is None:
                continue
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
        if extra:
            info = tarfile.TarInfo("files/uploads/extra.pdf")
            info.size = 3
            new.addfile(info, io.BytesIO(b"abc"))
    return target


def _flip_a_byte_of_the_uploads(name: str, data: bytes) -> bytes:
    if name.startswith("files/uploads/"):
        return data[:100] + bytes([data[100] ^ 1]) + data[101:]
    return data


def _refused(target: Flask, archive: Path, expected: str) -> None:
    with target.app_context():
        with pytest.raises(BackupError) as refusal:
            restore_backup(target, archive)
        assert expected in refusal.value.message
        # Nothing was written: no table, no file.
        assert not _holds_tables()
        assert all(not sha256_of_folder(path) for path in _folders(target).values())


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("altered", "không khớp kê khai"),
        ("truncated", "bị cắt cụt hoặc hỏng"),
        ("extra member", "không có trong kê khai"),
        ("missing member", "thiếu tệp"),
        ("no manifest", "không có tệp kê khai"),
        ("garbage", "bị cắt cụt hoặc hỏng"),
    ],
)
def test_a_damaged_archive_is_refused_before_anything_is_restored(
    archive: Path, empty_installation: Callable[[], Flask], tmp_path: Path, damage: str, expected: str
) -> None:
    damaged = tmp_path / "damaged.tar.gz"
    if damage == "altered":
        _rewrite(archive, damaged, _flip_a_byte_of_the_uploads)
    elif damage == "truncated":
        data = archive.read_bytes()
        damaged.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "extra member":
        _rewrite(archive, damaged, lambda _name, data: data, extra=True)
    elif damage == "missing member":
        _rewrite(archive, damaged, lambda name, data: None if name.startswith("files/news-images/") else data)
    elif damage == "no manifest":
        _rewrite(archive, damaged, lambda name, data: None if name == "manifest.json" else data)
    else:
        damaged.write_bytes(b"PK\x03\x04 not a backup at all")
    _refused(empty_installation(), damaged, expected)


def test_a_target_holding_data_is_refused_unless_forced(
    app: Flask, archive: Path, empty_installation: Callable[[], Flask]
) -> None:
    source_people = db.session.scalar(select(func.count(Person.id)))
    target = empty_installation()
    with target.app_context():
        upgrade()
        db.session.add(Person(full_name="Người đã có trong đích"))
        db.session.commit()
        with pytest.raises(BackupError) as refusal:
            restore_backup(target, archive)
        assert "đã có dữ liệu" in refusal.value.message
        assert db.session.scalar(select(func.count(Person.id))) == 1

        restore_backup(target, archive, force=True)
        db.session.remove()
        names = db.session.scalars(select(Person.full_name)).all()
        assert len(names) == source_people and "Người đã có trong đích" not in names


def test_a_folder_holding_files_is_refused_unless_forced(
    archive: Path, empty_installation: Callable[[], Flask]
) -> None:
    target = empty_installation()
    stray = _folders(target)["uploads"] / "left-over.pdf"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"old")
    with target.app_context(), pytest.raises(BackupError) as refusal:
        restore_backup(target, archive)
    assert "đã có tệp" in refusal.value.message


def test_an_archive_from_an_older_schema_is_migrated_up(
    empty_installation: Callable[[], Flask], tmp_path: Path
) -> None:
    older = empty_installation()
    with older.app_context():
        upgrade(revision="573ea5873fa2")
        old_archive = take_backup(older, tmp_path / "older.tar.gz")
    assert old_archive.schema_revision == "573ea5873fa2"

    target = empty_installation()
    with target.app_context():
        report = restore_backup(target, old_archive.path)
        from alembic.migration import MigrationContext

        revision = MigrationContext.configure(db.session.connection()).get_current_revision()
    assert report.upgraded_to == head_revision() == revision


def test_an_archive_from_newer_code_is_refused(
    archive: Path, empty_installation: Callable[[], Flask], tmp_path: Path
) -> None:
    def future_revision(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        return data.replace(
            f'"schema_revision": "{head_revision()}"'.encode(), b'"schema_revision": "ffffffffffff"'
        )

    _refused(
        empty_installation(), _rewrite(archive, tmp_path / "future.tar.gz", future_revision), "không biết"
    )


def test_the_commands_back_up_check_and_restore(
    app: Flask, archive: Path, empty_installation: Callable[[], Flask], tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    written = tmp_path / "by-command.tar.gz"
    result = runner.invoke(args=["backup", "-o", str(written)])
    assert result.exit_code == 0, result.output
    assert "Đã sao lưu vào" in result.output
    again = runner.invoke(args=["backup", "-o", str(written)])
    assert again.exit_code == 1 and "đã có; hãy chọn tên khác" in again.output

    target = empty_installation()
    target_runner = target.test_cli_runner()
    # Commands run in the current app context: the target's, here.
    with target.app_context():
        checked = target_runner.invoke(args=["restore", "--check", str(written)])
        assert checked.exit_code == 0 and "khớp mã băm" in checked.output
        assert not _holds_tables()
        restored = target_runner.invoke(args=["restore", str(written)])
        assert restored.exit_code == 0, restored.output
        assert "Đã khôi phục" in restored.output
        refused = target_runner.invoke(args=["restore", str(written)])
        assert refused.exit_code == 1 and "đã có dữ liệu" in refused.output
        missing = target_runner.invoke(args=["restore", str(tmp_path / "none.tar.gz")])
        assert missing.exit_code == 1 and "Không tìm thấy tệp sao lưu" in missing.output


def test_the_messages_speak_english_when_configured(
    archive: Path, empty_installation: Callable[[], Flask]
) -> None:
    target = empty_installation()
    target.config["BABEL_DEFAULT_LOCALE"] = "en"
    stray = _folders(target)["uploads"] / "left-over.pdf"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"old")
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1 and "already holds files" in result.output


def _now(day: int) -> datetime:
    return datetime(2026, 12, day, 20, 0, tzinfo=UTC)


def test_the_daily_backup_runs_once_a_day_and_keeps_the_newest(
    app: Flask, world: World, tmp_path: Path
) -> None:
    from app.backup.job import backup_jobs, run_daily_backup

    folder = tmp_path / "daily"
    folder.mkdir()
    (folder / "notes.txt").write_text("not an archive of ours")
    app.config.update(BACKUP_DIR=str(folder), BACKUP_KEEP=2)
    try:
        assert [spec.id for spec in backup_jobs(app)] == ["daily-backup"]
        written = [run_daily_backup(app, _now(day)) for day in (1, 2, 3)]
        assert run_daily_backup(app, _now(3)) is None  # the day is already backed up
    finally:
        app.config.update(BACKUP_DIR=None, BACKUP_KEEP=7)
    assert backup_jobs(app) == ()
    assert all(path is not None for path in written)
    assert sorted(p.name for p in folder.iterdir()) == sorted([written[1].name, written[2].name, "notes.txt"])  # type: ignore[union-attr]
