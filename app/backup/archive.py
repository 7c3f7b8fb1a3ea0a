"""The archive: a gzip'd tar of the database dump and the file folders, with ``manifest.json`` last.

The manifest names every other member with its size and sha256, the schema revision and the row count
of every table. Reading an archive extracts it into a private staging folder and checks every member
against the manifest before a caller may restore anything: a truncated, altered, padded or renamed
archive is refused there.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import IO, Any

from app.backup import BackupError, _

FORMAT = "kiemtra-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_PREFIX = "database/"
FILES_PREFIX = "files/"
# Level 1: the database compresses about as well as at 6 in a fraction of the time, and evidence
# files (PDF, JPEG, Office) barely compress at any level.
COMPRESS_LEVEL = 1
_CHUNK = 1024 * 1024


@dataclass
class Manifest:
    """What an archive holds (``manifest.json``)."""

    created_at: str
    kiemtra_version: str
    schema_revision: str | None
    backend: str  # "sqlite" or "postgresql"
    database_member: str
    database_info: dict[str, Any]
    row_counts: dict[str, int]
    folders: dict[str, dict[str, int]]  # name -> {"files": n, "bytes": b}
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # member -> {"size", "sha256"}

    def as_json(self) -> bytes:
        payload = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "kiemtra_version": self.kiemtra_version,
            "schema_revision": self.schema_revision,
            "database": {"backend": self.backend, "member": self.database_member, **self.database_info},
            "row_counts": self.row_counts,
            "folders": self.folders,
            "entries": [{"path": path, **entry} for path, entry in sorted(self.entries.items())],
        }
        return json.dumps(payload, ensure_ascii=False, indent=2).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            payload = json.loads(data)
            if payload.get("format") != FORMAT:
                raise ValueError("format")
            if payload.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    _(
                        "Bản sao lưu theo định dạng %(version)s, phiên bản này không đọc được.",
                        version=payload.get("format_version"),
                    )
                )
            database = dict(payload["database"])
            entries = {
                str(entry["path"]): {"size": int(entry["size"]), "sha256": str(entry["sha256"])}
                for entry in payload["entries"]
            }
            if len(entries) != len(payload["entries"]):
                raise ValueError("duplicate entries")
            return cls(
                created_at=str(payload["created_at"]),
                kiemtra_version=str(payload.get("kiemtra_version", "")),
                schema_revision=payload["schema_revision"],
                backend=str(database.pop("backend")),
                database_member=str(database.pop("member")),
                database_info=database,
                row_counts={str(k): int(v) for k, v in payload["row_counts"].items()},
                folders={str(k): dict(v) for k, v in payload["folders"].items()},
                entries=entries,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BackupError(_("Tệp kê khai (manifest.json) của bản sao lưu không hợp lệ.")) from None

    def folder_members(self, folder: str) -> Iterator[tuple[str, PurePosixPath]]:
        """The members of one file folder with their path inside the folder."""
        prefix = f"{FILES_PREFIX}{folder}/"
        for member in sorted(self.entries):
            if member.startswith(prefix):
                yield member, PurePosixPath(member.removeprefix(prefix))


class _HashingReader:
    """A read-only stream that hashes and counts what passes through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


class ArchiveWriter:
    """Adds members to a new archive, hashing each; ``close`` appends the manifest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # Closed by finish() or abort(): the writer outlives one block.
        self._tar = tarfile.open(  # noqa: SIM115
            path, "w:gz", compresslevel=COMPRESS_LEVEL, format=tarfile.PAX_FORMAT
        )
        self.entries: dict[str, dict[str, Any]] = {}

    def add_file(self, member: str, source: Path) -> int:
        """Add the file ``source`` as ``member``; return its size."""
        with source.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            info = tarfile.TarInfo(member)
            info.size = size
            info.mtime = int(time.time())
            info.mode = 0o600
            reader = _HashingReader(stream)
            self._tar.addfile(info, reader)
        if reader.size != size:  # the file changed under us; the archive would not match its manifest
            raise BackupError(_("Tệp %(name)s thay đổi trong khi sao lưu; hãy chạy lại.", name=source))
        self.entries[member] = {"size": size, "sha256": reader.digest.hexdigest()}
        return size

    def finish(self, manifest: Manifest) -> None:
        manifest.entries = self.entries
        data = manifest.as_json()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mtime = int(time.time())
        info.mode = 0o600
        self._tar.addfile(info, BytesIO(data))
        self._tar.close()

    def abort(self) -> None:
        self._tar.close()


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and "\\" not in name
        and all(part not in ("", ".", "..") for part in name.split("/"))
    )


def extract_verified(archive: Path, staging: Path) -> Manifest:
    """Extract ``archive`` into the empty folder ``staging`` and check every member against the
    manifest; raise BackupError at the first thing that does not match."""
    if not archive.is_file():
        raise BackupError(_("Không tìm thấy tệp sao lưu %(path)s.", path=archive))
    seen: dict[str, dict[str, Any]] = {}
    manifest_data: bytes | None = None
    try:
        with tarfile.open(archive, "r:*") as tar:
            for info in tar:
                name = info.name
                if not info.isfile() or not _safe_member_name(name) or name in seen:
                    raise BackupError(_("Bản sao lưu có mục lạ «%(name)s»; không khôi phục.", name=name))
                stream = tar.extractfile(info)
                assert stream is not None
                if name == MANIFEST:
                    manifest_data = stream.read()
                    seen[name] = {}
                    continue
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                reader = _HashingReader(stream)
                with target.open("wb") as out:
                    while chunk := reader.read(_CHUNK):
                        out.write(chunk)
                seen[name] = {"size": reader.size, "sha256": reader.digest.hexdigest()}
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(
            _("Bản sao lưu bị cắt cụt hoặc hỏng (%(error)s); không khôi phục gì.", error=error)
        ) from None
    if manifest_data is None:
        raise BackupError(_("Bản sao lưu không có tệp kê khai (manifest.json); không khôi phục gì."))
    manifest = Manifest.from_json(manifest_data)
    del seen[MANIFEST]
    for name in sorted(set(seen) | set(manifest.entries)):
        if name not in manifest.entries:
            raise BackupError(_("Bản sao lưu có tệp «%(name)s» không có trong kê khai.", name=name))
        if name not in seen:
            raise BackupError(_("Bản sao lưu thiếu tệp «%(name)s»; không khôi phục gì.", name=name))
        if seen[name] != manifest.entries[name]:
            raise BackupError(
                _("Mã băm của «%(name)s» không khớp kê khai: bản sao lưu đã bị sửa hoặc hỏng.", name=name)
            )
    if manifest.database_member not in manifest.entries:
        raise BackupError(_("Bản sao lưu không có cơ sở dữ liệu."))
    return manifest


def folder_files(folder: Path, skip_prefixes: tuple[str, ...]) -> list[Path]:
    """Every regular file under ``folder`` (sorted), leaving out files being written right now."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink() and not path.name.startswith(skip_prefixes)
    )
