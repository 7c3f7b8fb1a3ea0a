"""PDF for printing and archiving (PDF/A-2b), converted from the Word file by LibreOffice headless.

Each conversion gets its own LibreOffice profile in a fresh temporary folder: LibreOffice locks its
profile, and two conversions sharing one fail silently. A timeout stops a hung conversion, and the
output file is checked, because LibreOffice exits 0 even when it wrote nothing.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from exports.errors import ExportError

DEFAULT_TIMEOUT = 120  # seconds; a 10-page report takes about one
# PDF/A-2b, the archival form: every font embedded, no external content, the PDF/A identification in
# the XMP metadata. LibreOffice (7.4 and later) reads export options written as JSON after the filter.
PDF_EXPORT_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
_CANDIDATES = ("soffice", "libreoffice")


class PdfError(ExportError):
    """The PDF could not be made; ``message`` is safe to show to the user."""


class PdfUnavailable(PdfError):
    """LibreOffice is not installed on the server."""


def find_soffice(configured: str | None = None) -> str | None:
    """The LibreOffice program to run: the configured path, else ``soffice`` on the PATH."""
    if configured:
        return configured if Path(configured).is_file() else shutil.which(configured)
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def docx_to_pdf(docx: bytes, *, timeout: float = DEFAULT_TIMEOUT, soffice: str | None = None) -> bytes:
    """Convert a .docx file to PDF and return the PDF's bytes."""
    program = find_soffice(soffice or os.environ.get("KIEMTRA_SOFFICE"))
    if program is None:
        raise PdfUnavailable(
            "Máy chủ chưa cài LibreOffice nên chưa xuất được PDF; hãy tải bản Word (.docx) "
            "hoặc cài gói libreoffice-writer-nogui."
        )
    with tempfile.TemporaryDirectory(prefix="kiemtra-pdf-") as folder:
        work = Path(folder)
        source = work / "document.docx"
        source.write_bytes(docx)
        profile = work / "profile"
        command = [
            program,
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            PDF_EXPORT_FILTER,
            "--outdir",
            str(work),
            str(source),
        ]
        _run(command, timeout, cwd=work)
        output = work / "document.pdf"
        if not output.is_file() or output.stat().st_size == 0:
            raise PdfError("LibreOffice không tạo được tệp PDF từ văn bản này.")
        return output.read_bytes()


def _run(command: list[str], timeout: float, cwd: Path) -> None:
    # A new session, so a timeout stops LibreOffice and every helper process it started.
    process = subprocess.Popen(  # noqa: S603 - a fixed program and arguments, no shell
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "HOME": str(cwd)},
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise PdfError(
            f"LibreOffice không chuyển xong văn bản sang PDF sau {int(timeout)} giây; vui lòng thử lại sau."
        ) from None
    if process.returncode != 0:
        detail = stderr.decode("utf-8", "replace").strip()[-300:]
        raise PdfError(f"LibreOffice báo lỗi khi chuyển sang PDF (mã {process.returncode}). {detail}".strip())
