"""Evidence files: check an upload by size, extension and content, store it under a generated name,
and keep the disk in step with the database.

A file is checked completely before anything is written. It is then written under a random name
outside the static folder, and its path is remembered on the session: when the transaction commits
the file stays; when it rolls back (or the session closes without a commit) the file is removed, so a
failed save leaves neither a half-written record nor an orphan file. The listeners that do this are
installed once with :func:`install_cleanup`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from models import Attachment, Task, TaskEvent, User, db
from models.base import utcnow
from models.vntext import nfc
from workflows.errors import OutOfScope, PermissionDenied, ValidationFailed


@dataclass(frozen=True)
class FileKind:
    """One accepted type: its canonical extension, its MIME type and how its content is recognised."""

    extension: str
    content_type: str
    label: str


PDF = FileKind("pdf", "application/pdf", "PDF")
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX")
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX")
ODT = FileKind("odt", "application/vnd.oasis.opendocument.text", "ODT")
JPG = FileKind("jpg", "image/jpeg", "JPG")
PNG = FileKind("png", "image/png", "PNG")

# The allow-list, by the extension a user's file may have.
KINDS: dict[str, FileKind] = {
    "pdf": PDF,
    "docx": DOCX,
    "xlsx": XLSX,
    "odt": ODT,
    "jpg": JPG,
    "jpeg": JPG,
    "png": PNG,
}
# The types a browser shows by itself (the verification queue previews them, served inline); the
# content was checked against the type on upload, so none of them can be a page with scripts.
PREVIEWABLE = frozenset({PDF.content_type, JPG.content_type, PNG.content_type})
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in KINDS)  # for <input type=file accept=…>
ALLOWED_LABEL = "PDF, DOCX, XLSX, ODT, JPG, PNG"

MAX_FILES_PER_SAVE = 10
# Zip-bomb limits for docx/xlsx/odt, read from the central directory before anything is unpacked.
# Real office files stay far below them: a 20 MB report with photos unpacks to about 25 MB in a few
# dozen entries, and text compresses about tenfold.
MAX_ZIP_ENTRIES = 2000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_ABOVE_BYTES = 10 * 1024 * 1024  # tiny files may compress well without harm
_MAX_MANIFEST_BYTES = 1024 * 1024

_OOXML_MAIN_TYPES = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
_CHUNK = 1024 * 1024
_SESSION_KEY = "kiemtra_unsaved_files"
TEMPORARY_PREFIX = ".upload-"


class Upload(Protocol):
    """What a view hands over: the name the user's computer gave and a readable, seekable stream
    (werkzeug's ``FileStorage`` fits)."""

    filename: str | None
    stream: IO[bytes]


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, ready to be stored."""

    original_name: str
    kind: FileKind
    size: int
    sha256: str
    stream: IO[bytes]


def clean_name(filename: str | None) -> str:
    """The user's file name in NFC, without any folder part or control characters, at most 255 long."""
    name = nfc(filename) or ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = stem[: 254 - len(extension)] + dot + extension if dot and len(extension) < 16 else name[:255]
    return name


def check_uploads(uploads: Iterable[Upload], *, max_bytes: int) -> list[CheckedFile]:
    """Check every upload (empty file fields are skipped); refuse the whole lot on the first bad file."""
    present = [upload for upload in uploads if upload.filename]
    if len(present) > MAX_FILES_PER_SAVE:
        raise ValidationFailed("Mỗi lần chỉ gửi được tối đa %(count)d tệp.", count=MAX_FILES_PER_SAVE)
    return [check_upload(upload, max_bytes=max_bytes) for upload in present]


def check_upload(upload: Upload, *, max_bytes: int) -> CheckedFile:
    """Check one upload's size, extension and content; return what will be stored."""
    name = clean_name(upload.filename)
    stem, dot, extension = name.rpartition(".")
    kind = KINDS.get(extension.lower()) if dot and stem else None
    if kind is None:
        raise ValidationFailed(
            "Tệp «%(name)s» không thuộc loại được nhận (%(allowed)s).", name=name, allowed=ALLOWED_LABEL
        )
    stream = upload.stream
    stream.seek(0)
    digest = hashlib.sha256()
    size = 0
    head = b""
    while chunk := stream.read(_CHUNK):
        if not head:
            head = chunk[:16]
        size += len(chunk)
        if size > max_bytes:
            raise ValidationFailed(
                "Tệp «%(name)s» lớn hơn %(limit)s MB cho phép.", name=name, limit=_megabytes(max_bytes)
            )
        digest.update(chunk)
    if size == 0:
        raise ValidationFailed("Tệp «%(name)s» không có nội dung.", name=name)
    stream.seek(0)
    if not _content_matches(kind, head, stream, size, name):
        raise ValidationFailed(
            "Nội dung tệp «%(name)s» không phải là tệp %(label)s như phần mở rộng .%(ext)s cho biết.",
            name=name,
            label=kind.label,
            ext=extension.lower(),
        )
    stream.seek(0)
    return CheckedFile(original_name=name, kind=kind, size=size, sha256=digest.hexdigest(), stream=stream)


def _megabytes(max_bytes: int) -> str:
    value = max_bytes / (1024 * 1024)
    return str(int(value)) if value == int(value) else f"{value:.1f}".replace(".", ",")


def _content_matches(kind: FileKind, head: bytes, stream: IO[bytes], size: int, name: str) -> bool:
    if kind is PDF:
        return head.startswith(b"%PDF-") and not _looks_like_markup(stream)
    if kind is PNG:
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind is JPG:
        return head.startswith(b"\xff\xd8\xff")
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(stream) as archive:
            _refuse_zip_bomb(archive, size, name)
            return _office_structure_matches(kind, archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, KeyError):
        return False


# Markup a browser would render if it ever sniffed the file: a "%PDF-" line followed by HTML is a
# polyglot, not a scan. Real PDFs start with binary objects, not with tags.
_MARKUP = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|iframe|svg|img|meta|object|embed)\b", re.IGNORECASE
)
_MARKUP_WINDOW = 64 * 1024


def _looks_like_markup(stream: IO[bytes]) -> bool:
    stream.seek(0)
    start = stream.read(_MARKUP_WINDOW)
    stream.seek(0)
    return _MARKUP.search(start) is not None


def _refuse_zip_bomb(archive: zipfile.ZipFile, size: int, name: str) -> None:
    """Judge the archive by its central directory, before any entry is unpacked."""
    entries = archive.infolist()
    uncompressed = sum(entry.file_size for entry in entries)
    suspicious = (
        len(entries) > MAX_ZIP_ENTRIES
        or uncompressed > MAX_UNCOMPRESSED_BYTES
        or (uncompressed > RATIO_CHECKED_ABOVE_BYTES and uncompressed > MAX_COMPRESSION_RATIO * size)
    )
    if suspicious:
        raise ValidationFailed(
            "Tệp «%(name)s» có cấu trúc nén bất thường (quá nhiều phần hoặc giải nén quá lớn) "
            "nên không được nhận.",
            name=name,
        )


def _read_entry(archive: zipfile.ZipFile, entry_name: str) -> bytes:
    info = archive.getinfo(entry_name)
    if info.file_size > _MAX_MANIFEST_BYTES:
        return b""
    with archive.open(info) as entry:
        return entry.read(_MAX_MANIFEST_BYTES)


def _office_structure_matches(kind: FileKind, archive: zipfile.ZipFile) -> bool:
    names = set(archive.namelist())
    if kind is ODT:
        # OpenDocument: an uncompressed "mimetype" entry first, naming the document type.
        first = archive.infolist()[0]
        return (
            first.filename == "mimetype"
            and _read_entry(archive, "mimetype").strip() == ODT.content_type.encode()
            and "content.xml" in names
        )
    # Office Open XML: [Content_Types].xml declares the main part; macro-enabled documents name
    # another type and are refused with everything else that is not a plain document or workbook.
    if "[Content_Types].xml" not in names or _OOXML_PARTS[kind.extension] not in names:
        return False
    content_types = _read_entry(archive, "[Content_Types].xml")
    # A macro-enabled document stays one whatever else its manifest declares (an extra docx Override).
    if b"macroEnabled" in content_types or any(n.lower().endswith("vbaproject.bin") for n in names):
        return False
    return _OOXML_MAIN_TYPES[kind.extension] in content_types


def upload_dir(configured: str | os.PathLike[str]) -> Path:
    """The folder evidence files live in, created on first use."""
    folder = Path(configured)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_path(folder: str | os.PathLike[str], attachment: Attachment) -> Path:
    """Where an attachment's bytes are; the stored name is ours, never the user's."""
    return Path(folder) / attachment.stored_name


def attach_files(
    task: Task,
    event: TaskEvent,
    actor: User,
    files: Iterable[CheckedFile],
    *,
    folder: str | os.PathLike[str],
) -> list[Attachment]:
    """Store checked files as evidence of one entry of the task's history."""
    if not task.can_view(actor):
        raise OutOfScope("Không tìm thấy nhiệm vụ.")
    if not (task.can_comment(actor, check_state=False) or task.can_verify(actor, check_state=False)):
        raise PermissionDenied("Bạn không được gửi tệp cho nhiệm vụ này.")
    files = list(files)
    if not files:  # a note without a file never needs the folder, writable or not
        return []
    session = db.session()
    attachments = []
    try:
        target = upload_dir(folder)
        _sweep_temporaries(target)
        written = [(checked, _write(checked, target, session)) for checked in files]
    except OSError as error:
        # The caller rolls back: the files this save already wrote are removed with the transaction.
        raise _store_failed(error) from None
    for checked, stored_name in written:
        attachment = Attachment(
            task=task,
            event=event,
            original_name=checked.original_name,
            stored_name=stored_name,
            size=checked.size,
            content_type=checked.kind.content_type,
            sha256=checked.sha256,
            uploaded_by=actor,
            uploaded_at=event.created_at or utcnow(),
        )
        session.add(attachment)
        attachments.append(attachment)
    return attachments


TEMPORARY_KEPT_SECONDS = 600  # far longer than writing the largest file takes


def _store_failed(error: OSError) -> ValidationFailed:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return ValidationFailed(
            "Máy chủ đã hết chỗ lưu tệp nên chưa lưu được gì; nội dung bạn gõ vẫn còn. "
            "Hãy báo quản trị viên, hoặc gửi lại không kèm tệp."
        )
    return ValidationFailed(
        "Máy chủ không ghi được vào thư mục lưu tệp nên chưa lưu được gì; nội dung bạn gõ vẫn còn. "
        "Hãy báo quản trị viên, hoặc gửi lại không kèm tệp."
    )


def _sweep_temporaries(folder: Path) -> None:
    """Remove the temporary files that a process killed mid-write left (``_write`` removes its own
    otherwise), once they are older than any write takes: they never wait for ``prune-uploads``."""
    cutoff = time.time() - TEMPORARY_KEPT_SECONDS
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(TEMPORARY_PREFIX) and entry.is_file(follow_symlinks=False):
                try:
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                        os.unlink(entry.path)
                except FileNotFoundError:
                    pass  # another process swept it first


def _write(checked: CheckedFile, folder: Path, session: Session) -> str:
    """Write the file under a new random name and return the name; remember the file until the
    transaction ends.

    The bytes go to a temporary file in the same folder first, then are linked under the final name,
    which fails rather than overwrite should that name ever exist: a crash never leaves half a file
    under a stored name, and no save can replace another's evidence.
    """
    checked.stream.seek(0)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=TEMPORARY_PREFIX)
    try:
        with os.fdopen(descriptor, "wb") as out:
            while chunk := checked.stream.read(_CHUNK):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        while True:
            stored_name = f"{secrets.token_hex(16)}.{checked.kind.extension}"
            try:
                os.link(temporary, folder / stored_name)
                break
            except FileExistsError:
                continue
    finally:
        Path(temporary).unlink(missing_ok=True)
    session.info.setdefault(_SESSION_KEY, []).append(str(folder / stored_name))
    return stored_name


def orphan_files(
    folder: str | os.PathLike[str], stored_names: Iterable[str], *, older_than: float
) -> list[Path]:
    """Files in the upload folder that no attachment names, last changed more than ``older_than``
    seconds ago: left by a process that died between writing a file and committing its record."""
    root = Path(folder)
    if not root.is_dir():
        return []
    known = set(stored_names)
    cutoff = time.time() - older_than
    return sorted(
        path
        for path in root.iterdir()
        if path.is_file() and path.name not in known and path.stat().st_mtime < cutoff
    )


def _keep_files(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)


def _remove_unsaved_files(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint or subtransaction: wait for the outermost
        return
    for path in session.info.pop(_SESSION_KEY, []):
        Path(path).unlink(missing_ok=True)


def install_cleanup(session_class: Any = Session) -> None:
    """Keep written files when a transaction commits and delete them when it does not (idempotent)."""
    if not event.contains(session_class, "after_commit", _keep_files):
        event.listen(session_class, "after_commit", _keep_files)
        event.listen(session_class, "after_transaction_end", _remove_unsaved_files)
