"""PDF through LibreOffice: converted for real (CI installs it), checked with poppler's tools."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from exports.pdf import PdfError, PdfUnavailable, docx_to_pdf
from exports.summary import build_summary
from exports.visit_report import build_visit_report
from workflows.documents import summary_facts

pytestmark = pytest.mark.slow  # LibreOffice: left out of the fast subset (-m "not slow")

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler-utils is not installed: "
    "apt-get install libreoffice-writer-nogui poppler-utils",
)


def _pdf_tool(tool: str, pdf: bytes, tmp_path, *args: str) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@needs_soffice
def test_the_seed_report_prints_with_its_letterhead_and_numbers_from_page_two(demo, tmp_path):
    docx = build_visit_report(demo["visit"], issued_on=date(2023, 6, 14), number="12-BC/BTGTU")
    pdf = docx_to_pdf(docx)
    assert pdf.startswith(b"%PDF")
    pages = _pages(pdf, tmp_path)
    assert 2 <= pages <= 4
    first = _pdf_tool("pdftotext", pdf, tmp_path, "-layout", "-f", "1", "-l", "1")
    for text in ("TỈNH ỦY BÌNH PHƯỚC", "ĐẢNG CỘNG SẢN VIỆT NAM", "BAN TUYÊN GIÁO", "Số 12-BC/BTGTU"):
        assert text in first
    assert "Bình Phước, ngày 14 tháng 6 năm 2023" in first
    assert first.lstrip().startswith("TỈNH ỦY")  # no page number on page 1
    second = _pdf_tool("pdftotext", pdf, tmp_path, "-layout", "-f", "2", "-l", "2")
    assert second.strip().splitlines()[0].strip() == "2"
    everything = _pdf_tool("pdftotext", pdf, tmp_path)
    assert "Chín là," in everything and "Mạc Đình Huấn" in everything
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "document.pdf")], capture_output=True, text=True
    ).stdout
    assert "DejaVu" not in fonts  # Times New Roman or its metric twin, never a fallback face


@needs_soffice
def test_a_summary_without_tasks_prints_on_a_page_or_two(world, tmp_path):
    facts = summary_facts(world.province, date(2023, 1, 1), date(2023, 12, 31), date(2024, 1, 15))
    pdf = docx_to_pdf(build_summary(facts, issuer=world.province, issued_on=date(2024, 1, 15)))
    assert _pages(pdf, tmp_path) <= 2
    assert "chưa có nhiệm vụ nào được giao" in _pdf_tool("pdftotext", pdf, tmp_path)


def test_without_libreoffice_the_message_says_what_to_do():
    with pytest.raises(PdfUnavailable) as caught:
        docx_to_pdf(b"PK", soffice="/khong/co/soffice")
    assert "chưa cài LibreOffice" in caught.value.message
    assert "(.docx)" in caught.value.message


def test_a_conversion_that_hangs_is_stopped(tmp_path):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(0o755)
    with pytest.raises(PdfError, match="sau 1 giây"):
        docx_to_pdf(b"PK", soffice=str(fake), timeout=1)


def test_a_conversion_that_writes_nothing_is_an_error(tmp_path):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    with pytest.raises(PdfError, match="không tạo được tệp PDF"):
        docx_to_pdf(b"PK", soffice=str(fake))


def _small_docx(text: str) -> bytes:
    import io

    from docx import Document

    document = Document()
    for index in range(40):
        document.add_paragraph(f"{text} {index}: Tổ chức hội nghị quán triệt Quy định 85-QĐ/TW.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@needs_soffice
def test_conversions_after_the_first_go_through_one_running_libreoffice(tmp_path, monkeypatch):
    from exports import pdf as pdf_module

    if pdf_module.uno_python() is None:
        pytest.skip("no Python with LibreOffice's uno module (python3-uno)")
    monkeypatch.delenv("KIEMTRA_PDF_WARM", raising=False)
    program = pdf_module.find_soffice()
    first = docx_to_pdf(_small_docx("Lần một"))
    converter = pdf_module._warm[program]
    office = converter.office
    second = docx_to_pdf(_small_docx("Lần hai"))
    assert converter.office is office and converter.starts == 1
    assert "Lần một 0" in _pdf_tool("pdftotext", first, tmp_path)
    assert "Lần hai 39" in _pdf_tool("pdftotext", second, tmp_path)
    (tmp_path / "second.pdf").write_bytes(second)
    meta = subprocess.run(["pdfinfo", "-meta", str(tmp_path / "second.pdf")], capture_output=True, text=True)
    assert "<pdfaid:part>2</pdfaid:part>" in meta.stdout  # PDF/A-2b, as the one-shot conversion

    # LibreOffice dies: the next document starts it again and still comes out.
    converter.stop()
    office.wait()
    third = docx_to_pdf(_small_docx("Lần ba"))
    assert converter.starts == 2 and converter.running
    assert "Lần ba 1" in _pdf_tool("pdftotext", third, tmp_path)


@needs_soffice
def test_with_warm_conversion_off_each_document_runs_libreoffice_once(tmp_path, monkeypatch):
    from exports import pdf as pdf_module

    monkeypatch.setenv("KIEMTRA_PDF_WARM", "0")
    monkeypatch.setattr(pdf_module, "_warm", {})
    pdf = docx_to_pdf(_small_docx("Một lần"))
    assert pdf_module._warm == {}
    assert "Một lần 2" in _pdf_tool("pdftotext", pdf, tmp_path)


def _warm_or_skip(pdf_module):
    if pdf_module.uno_python() is None:
        pytest.skip("no Python with LibreOffice's uno module (python3-uno)")


@needs_soffice
def test_a_killed_libreoffice_is_started_again_for_the_next_document(tmp_path, monkeypatch):
    import os
    import signal

    from exports import pdf as pdf_module

    _warm_or_skip(pdf_module)
    monkeypatch.delenv("KIEMTRA_PDF_WARM", raising=False)
    monkeypatch.setattr(pdf_module, "_warm", {})
    docx_to_pdf(_small_docx("Trước"))
    converter = pdf_module._warm[pdf_module.find_soffice()]
    office = converter.office
    assert office is not None and converter.starts == 1
    os.killpg(office.pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    office.wait()

    after = docx_to_pdf(_small_docx("Sau khi khởi động lại"))

    assert converter.starts == 2 and converter.running and converter.office is not office
    assert "Sau khi khởi động lại 7" in _pdf_tool("pdftotext", after, tmp_path)
    converter.stop()


@needs_soffice
def test_when_the_warm_libreoffice_cannot_start_each_document_is_converted_once(tmp_path, monkeypatch):
    from exports import pdf as pdf_module

    broken = tmp_path / "python-without-uno"
    broken.write_text("#!/bin/sh\necho 'ImportError: No module named uno' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.delenv("KIEMTRA_PDF_WARM", raising=False)
    monkeypatch.setattr(pdf_module, "_warm", {})
    monkeypatch.setattr(pdf_module, "_uno_python", [str(broken)])

    first = docx_to_pdf(_small_docx("Dự phòng một"))
    converter = pdf_module._warm[pdf_module.find_soffice()]
    second = docx_to_pdf(_small_docx("Dự phòng hai"))

    assert "Dự phòng một 3" in _pdf_tool("pdftotext", first, tmp_path)
    assert "Dự phòng hai 4" in _pdf_tool("pdftotext", second, tmp_path)
    assert not converter.running and converter.office is None
    assert converter.starts == 1  # not tried again for a while: the second went straight to one-shot


@needs_soffice
def test_a_libreoffice_that_does_not_answer_is_stopped_with_a_message(tmp_path, monkeypatch):
    from exports import pdf as pdf_module

    mute = tmp_path / "python-that-hangs"
    mute.write_text('#!/bin/sh\necho \'{"ok": true, "ready": true}\'\nexec sleep 60\n')
    mute.chmod(0o755)
    monkeypatch.delenv("KIEMTRA_PDF_WARM", raising=False)
    monkeypatch.setattr(pdf_module, "_warm", {})
    monkeypatch.setattr(pdf_module, "_uno_python", [str(mute)])

    with pytest.raises(PdfError, match="sau 2 giây") as caught:
        docx_to_pdf(_small_docx("Treo"), timeout=2)

    converter = pdf_module._warm[pdf_module.find_soffice()]
    assert "thử lại" in caught.value.message
    assert not converter.running and converter.office is None and converter.folder is None


@needs_soffice
def test_documents_converted_at_once_from_several_threads_each_get_their_own_pdf(tmp_path, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from exports import pdf as pdf_module

    _warm_or_skip(pdf_module)
    monkeypatch.delenv("KIEMTRA_PDF_WARM", raising=False)
    monkeypatch.setattr(pdf_module, "_warm", {})
    names = [f"Văn bản số {n}" for n in range(6)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        pdfs = list(pool.map(lambda name: docx_to_pdf(_small_docx(name)), names))

    for name, pdf in zip(names, pdfs, strict=True):
        text = _pdf_tool("pdftotext", pdf, tmp_path)
        assert f"{name} 0" in text
        assert all(f"{other} 0" not in text for other in names if other != name)
    converter = pdf_module._warm[pdf_module.find_soffice()]
    assert converter.starts == 1
    converter.stop()


CONVERT_AND_EXIT = """
import os, signal, sys
from exports import pdf
docx = open(sys.argv[1], "rb").read()
pdf.docx_to_pdf(docx)
converter = pdf._warm[pdf.find_soffice()]
print(converter.office.pid, flush=True)
if sys.argv[2] == "killed":
    os.kill(os.getpid(), signal.SIGKILL)
"""


@needs_soffice
@pytest.mark.parametrize("ending", ["exits", "killed"])
def test_the_warm_libreoffice_ends_with_its_process(tmp_path, ending):
    import os
    import sys
    import time
    from pathlib import Path

    from exports import pdf as pdf_module

    _warm_or_skip(pdf_module)
    source = tmp_path / "document.docx"
    source.write_bytes(_small_docx("Kết thúc"))
    env = {k: v for k, v in os.environ.items() if k != "KIEMTRA_PDF_WARM"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    result = subprocess.run(
        [sys.executable, "-c", CONVERT_AND_EXIT, str(source), ending],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    office = int(result.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{office}").exists():
        time.sleep(0.1)
    assert not Path(f"/proc/{office}").exists(), f"LibreOffice {office} outlived its process ({ending})"
