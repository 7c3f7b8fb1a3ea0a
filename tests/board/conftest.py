"""Fixtures of the task board: evidence files of every kind (good and bad), a second office user of
the district office, and an upload folder per test."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from flask.testing import FlaskClient
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from app.auth import SESSION_TOKEN_KEY
from models import Task, User, db
from models.enums import Role
from tests.conftest import PASSWORD_HASH, World
from workflows import signin

VIETNAMESE_NAME = "Báo cáo đợt 1 – Đồng Phú.pdf"


@pytest.fixture(autouse=True)
def upload_folder(app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test stores evidence files in a folder of its own."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _each_request_signs_in_on_its_own(app: Any) -> Any:
    """Requests of a test share the test's app context, where Flask-Login caches the user in ``g``:
    forget it when a request starts, so two clients in one test act as two people."""
    from flask import g, request_started

    def forget_user(_sender: Any, **_extra: Any) -> None:
        g.pop("_login_user", None)

    request_started.connect(forget_user, app)
    yield
    request_started.disconnect(forget_user, app)


@pytest.fixture
def office2(world: World) -> User:
    """A second office user of the district office (the lead unit of the factory's tasks)."""
    user = User(
        username="office2",
        role=Role.OFFICE,
        organization=world.district_office,
        display_name="Chuyên viên thứ hai",
        email="office2@example.test",
    )
    user.password_hash = PASSWORD_HASH
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def client_for(app: Any) -> Callable[[User], FlaskClient]:
    """A separate signed-in client per user, for two people working at once.

    Signed in as ``login_as`` does (a real server-side session, without the argon2 check of the form,
    which the sign-in tests exercise)."""

    def sign_in(user: User) -> FlaskClient:
        client = app.test_client()
        token = signin.open_session(user, address="127.0.0.1", user_agent="pytest")
        db.session.commit()
        with client.session_transaction() as session:
            session[SESSION_TOKEN_KEY] = token
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return client

    return sign_in


# ------------------------------------------------------------------------------------ sample files


def pdf_bytes(text: str = "Báo cáo kết quả") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text.encode('ascii', 'ignore').decode()}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
        b"4 0 obj << /Length " + str(len(body)).encode() + b" >> stream\n" + body + b"\nendstream endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpg_bytes() -> bytes:
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
    )


def docx_bytes(text: str = "Biên bản hội nghị quán triệt") -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Số đảng viên tham dự"
    workbook.active["B1"] = 120
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>", zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"PE\x00\x00"


def macro_docx_bytes(extra_override: bool = False) -> bytes:
    """A macro-enabled Word document (.docm) whose extension was changed to .docx; with
    ``extra_override`` its manifest also declares the plain document type for another part."""
    data = io.BytesIO(docx_bytes())
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "[Content_Types].xml":
                content = content.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
                if extra_override:
                    content = content.replace(
                        b"</Types>",
                        b'<Override PartName="/word/extra.xml" ContentType="application/vnd.openxmlformats-'
                        b'officedocument.wordprocessingml.document.main+xml"/></Types>',
                    )
            target.writestr(item, content)
        target.writestr("word/vbaProject.bin", b"\x00" * 64)
    return out.getvalue()


def zip_bomb_bytes(kind: str = "ratio") -> bytes:
    """A docx with a trap: ``ratio`` 16 MB of zeros in 16 KB; ``entries`` 2,500 entries;
    ``claim`` a central directory that says 3 GB unpacked."""
    buffer = io.BytesIO(docx_bytes())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        if kind == "ratio":
            archive.writestr("word/media/padding.bin", b"\x00" * (16 * 1024 * 1024))
        elif kind == "entries":
            for index in range(2500):
                archive.writestr(f"customXml/extra{index}.xml", "<a/>")
        elif kind == "claim":
            archive.writestr("word/media/claim.bin", b"x" * 100)
    data = bytearray(buffer.getvalue())
    if kind == "claim":
        # Rewrite the uncompressed size of the last entry in the central directory to 3 GB.
        header = data.rindex(b"PK\x01\x02")
        data[header + 24 : header + 28] = struct.pack("<I", 3 * 1024**3)
    return bytes(data)


@pytest.fixture
def sample() -> dict[str, Callable[[], bytes]]:
    """Builders of good evidence files, by extension."""
    return {
        "pdf": pdf_bytes,
        "png": png_bytes,
        "jpg": jpg_bytes,
        "docx": docx_bytes,
        "xlsx": xlsx_bytes,
        "odt": odt_bytes,
    }


def post_files(
    client: FlaskClient,
    url: str,
    prefix: str,
    task: Task,
    files: list[tuple[bytes, str]] = (),  # type: ignore[assignment]
    **fields: Any,
) -> Any:
    """POST one of the task page's forms with files, as a browser would."""
    data: dict[str, Any] = {f"{prefix}-version": str(task.version)}
    data.update({f"{prefix}-{key}": value for key, value in fields.items()})
    if files:
        data[f"{prefix}-files"] = [
            FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream")
            for content, name in files
        ]
    # Encode in memory: werkzeug's test client spools large bodies to a temporary file it never closes.
    stream, length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(
        url,
        data=stream.read(),
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Content-Length": str(length)},
    )
