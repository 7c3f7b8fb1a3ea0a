"""Issuing keeps the Word file and the PDF made from it under one number, as PDF/A-2b with its fonts
embedded; processes issuing at the same moment each get their own number for both forms."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from models import IssuedDocument, db
from tests.documents.conftest import open_docx, tables
from workflows.demo import SEED_REFERENCE

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The text of a PDF as pdftotext lays it out."""
    source = tmp_path / "copy.pdf"
    source.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_fonts(data: bytes, tmp_path: Path) -> list[list[str]]:
    """The rows of ``pdffonts``: name, type, encoding, embedded …"""
    source = tmp_path / "fonts.pdf"
    source.write_bytes(data)
    out = subprocess.run(["pdffonts", str(source)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def test_one_issue_keeps_the_word_file_and_its_archival_pdf_under_one_number(
    world, login_as, conducted_visit, tmp_path
):
    visit = conducted_visit()
    client = login_as(world.inspector)
    response = client.post(
        f"/van-ban/dot-kiem-tra/{visit.id}/bao-cao/cap-so",
        data={"ngay": "20/06/2023", "ly_do": "Vào sổ năm 2023", "dinh_dang": "pdf"},
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    document = db.session.scalar(select(IssuedDocument))
    assert document.symbol == "01-BC/BTGTU"
    assert {f.format for f in document.files} == {"docx", "pdf"}
    assert response.data == document.file("pdf").data
    assert "Số 01-BC/BTGTU" in pdf_text(response.data, tmp_path)
    word = client.get(f"/van-ban/so-van-ban/{document.id}.docx").data
    assert tables(open_docx(word))[0][1][0] == "Số 01-BC/BTGTU"
    # PDF/A-2b: the identification in the XMP metadata, every font embedded.
    assert re.search(rb"<pdfaid:part>2</pdfaid:part>", response.data)
    assert re.search(rb"<pdfaid:conformance>B</pdfaid:conformance>", response.data)
    fonts = pdf_fonts(response.data, tmp_path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts
    # The file properties travel into the PDF: the issuing body is its author.
    info = subprocess.run(
        ["pdfinfo", "-"], input=response.data, capture_output=True, check=True
    ).stdout.decode()
    assert re.search(r"Author:\s+Ban Tuyên giáo Tỉnh ủy", info), info
    assert client.get(f"/van-ban/so-van-ban/{document.id}.pdf").data == response.data


def test_processes_issuing_word_and_pdf_at_once_each_get_their_own_number_for_both(
    database_url, demo, tmp_path
):
    db.session.commit()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KIEMTRA_")},
        "KIEMTRA_DATABASE_URL": database_url,
        "KIEMTRA_SECRET_KEY": "cli",
        "KIEMTRA_INSTANCE_PATH": str(tmp_path),
    }
    outputs = [tmp_path / "bao-cao.docx", tmp_path / "bao-cao.pdf"]
    base = [sys.executable, "-m", "app.cli", "export", "visit-report", SEED_REFERENCE]
    options = ["--date", "2023-06-20", "--issue", "--user", "inspector", "--reason", "Vào sổ năm 2023"]
    processes = [
        subprocess.Popen(
            [*base, *options, "-o", str(output)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for output in outputs
    ]
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err + out
    documents = db.session.scalars(select(IssuedDocument).order_by(IssuedDocument.number)).all()
    assert [d.symbol for d in documents] == ["01-BC/BTGTU", "02-BC/BTGTU"]
    for document in documents:
        assert {f.format for f in document.files} == {"docx", "pdf"}
        number_line = f"Số {document.symbol}"
        assert tables(open_docx(document.file("docx").data))[0][1][0] == number_line
        assert number_line in pdf_text(document.file("pdf").data, tmp_path)
    word_number = tables(open_docx(outputs[0].read_bytes()))[0][1][0]
    pdf_number = re.search(r"Số \d\d-BC/BTGTU", pdf_text(outputs[1].read_bytes(), tmp_path)).group(0)
    assert {word_number, pdf_number} == {"Số 01-BC/BTGTU", "Số 02-BC/BTGTU"}
