"""A .docx that unpacks to far more than it weighs (a zip bomb) or whose XML does not parse is refused
at once with a message, before it is inflated or parsed."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from docx import Document

from workflows.errors import ValidationFailed
from workflows.intake import parse_article

BOMB_XML_BYTES = 32 * 1024 * 1024


def _docx_with(document_xml: bytes) -> bytes:
    """A real Word file whose word/document.xml is replaced by ``document_xml`` (deflated)."""
    source = io.BytesIO()
    Document().save(source)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source.getvalue())) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as copy,
    ):
        for item in original.infolist():
            data = document_xml if item.filename == "word/document.xml" else original.read(item)
            copy.writestr(item.filename, data)
    return out.getvalue()


def _bomb() -> bytes:
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    )
    paragraph = b"<w:p><w:r><w:t>Ki\xe1\xbb\x83m tra</w:t></w:r></w:p>"
    tail = b"</w:body></w:document>"
    return _docx_with(head + paragraph * ((BOMB_XML_BYTES - len(head)) // len(paragraph)) + tail)


def test_a_small_docx_that_unpacks_to_32_mb_of_xml_is_refused_at_once():
    data = _bomb()
    assert len(data) < 300 * 1024
    began = time.monotonic()
    with pytest.raises(ValidationFailed) as refused:
        parse_article(data, "bai-viet.docx")
    assert time.monotonic() - began < 2
    assert "giải nén ra quá lớn" in refused.value.message


def test_a_docx_whose_xml_does_not_parse_is_refused_with_a_message():
    with pytest.raises(ValidationFailed) as refused:
        parse_article(_docx_with(b"<w:document><w:body><w:p>"), "bai-viet.docx")
    assert refused.value.message == "Tệp .docx bị hỏng hoặc không phải tài liệu Word."


def test_the_intake_page_answers_the_bomb_with_its_message(login_as, world):
    page = login_as(world.inspector).post(
        "/nhap-bai/",
        data={"file": (io.BytesIO(_bomb()), "bai-viet.docx")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 400
    assert "Tệp .docx giải nén ra quá lớn" in page.get_data(as_text=True)
