"""PDF for printing and archiving (PDF/A-2b), converted from the Word file by LibreOffice headless.

Warm: the first conversion starts one LibreOffice that stays running, driven over UNO by
``exports/uno_bridge.py`` in a Python that has LibreOffice's ``uno`` module (Debian's python3-uno);
later conversions skip LibreOffice's start-up (a few seconds) and go one at a time through it. Each
process has its own LibreOffice, profile and work folder (a forked child starts its own), and a lock
lets one thread at a time use it; each document is written into a folder of its own and the answer
names the request it answers, so a document never gets another's PDF. A LibreOffice that died is
started again on the next conversion; one that does not answer in time is killed, the request gets a
message, and the next conversion starts afresh. LibreOffice is stopped when the process exits, and by
the bridge when its parent went away without exiting cleanly. Where no Python with ``uno`` exists, or
the warm instance cannot start (then not tried again for a minute), or ``KIEMTRA_PDF_WARM=0``, each
conversion runs LibreOffice once, as below.

One-shot: each conversion gets its own LibreOffice profile in a fresh temporary folder: LibreOffice
locks its profile, and two conversions sharing one fail silently. A timeout stops a hung conversion,
and the output file is checked, because LibreOffice exits 0 even when it wrote nothing.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

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
    converter = warm_converter(program)
    if converter is not None:
        try:
            return converter.convert(docx, timeout)
        except WarmUnavailable:
            pass  # the one-shot conversion below
    return _one_shot(program, docx, timeout)


def _one_shot(program: str, docx: bytes, timeout: float) -> bytes:
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


# --- the warm LibreOffice ----------------------------------------------------------------------------

BRIDGE = Path(__file__).resolve().parent / "uno_bridge.py"
START_TIMEOUT = 30.0  # seconds for a cold LibreOffice to accept its first connection
RETRY_START_AFTER = 60.0  # seconds of one-shot conversions after the warm instance failed to start
_UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python")
_warm: dict[str, WarmConverter] = {}
_warm_lock = threading.Lock()
_uno_python: list[str | None] = []


class WarmUnavailable(Exception):
    """The warm LibreOffice could not start or answer: convert once instead."""


def uno_python() -> str | None:
    """A Python that can ``import uno`` (``KIEMTRA_UNO_PYTHON``, else Debian's python3), found once."""
    if not _uno_python:
        candidates = [os.environ.get("KIEMTRA_UNO_PYTHON") or "", sys.executable, *_UNO_PYTHONS]
        found = None
        for candidate in dict.fromkeys(c for c in candidates if c and Path(c).is_file()):
            check = subprocess.run(  # noqa: S603 - a fixed interpreter and script
                [candidate, "-c", "import uno"], capture_output=True, timeout=30, check=False
            )
            if check.returncode == 0:
                found = candidate
                break
        _uno_python.append(found)
    return _uno_python[0]


def warm_converter(program: str) -> WarmConverter | None:
    """The process's warm converter for ``program``, or None when warm conversion is off or impossible."""
    if os.environ.get("KIEMTRA_PDF_WARM", "1") == "0":
        return None
    python = uno_python()
    if python is None:
        return None
    with _warm_lock:
        if program not in _warm:
            _warm[program] = WarmConverter(program, python)
        return _warm[program]


def _forget_after_fork() -> None:
    """A forked child starts its own LibreOffice on first use (the parent's stays the parent's)."""
    global _warm_lock
    _warm.clear()
    _warm_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


class WarmConverter:
    """One LibreOffice kept running, and the bridge that drives it; one conversion at a time."""

    def __init__(self, program: str, python: str) -> None:
        self.program = program
        self.python = python
        self.lock = threading.Lock()
        self.office: subprocess.Popen[bytes] | None = None
        self.bridge: subprocess.Popen[bytes] | None = None
        self.folder: tempfile.TemporaryDirectory[str] | None = None
        self.starts = 0
        self.requests = 0
        self.pid = os.getpid()  # a forked child must neither use nor stop its parent's LibreOffice
        self.start_failed_at: float | None = None
        atexit.register(self.stop)

    @property
    def running(self) -> bool:
        return all(p is not None and p.poll() is None for p in (self.office, self.bridge))

    def convert(self, docx: bytes, timeout: float) -> bytes:
        """The PDF of ``docx``; starts LibreOffice on first use and again after it died."""
        if not self.lock.acquire(timeout=timeout):
            raise PdfError(
                f"LibreOffice còn bận chuyển văn bản khác sau {int(timeout)} giây; vui lòng thử lại sau."
            )
        try:
            return self._convert(docx, timeout)
        finally:
            self.lock.release()

    def _convert(self, docx: bytes, timeout: float) -> bytes:
        if not self.running:
            failed = self.start_failed_at
            if failed is not None and time.monotonic() - failed < RETRY_START_AFTER:
                raise WarmUnavailable("the warm LibreOffice failed to start a moment ago")
            try:
                self._start(min(START_TIMEOUT, timeout))
            except WarmUnavailable:
                self.start_failed_at = time.monotonic()
                raise
            self.start_failed_at = None
        assert self.folder is not None
        # One conversion, in a folder of its own.
        work = Path(tempfile.mkdtemp(prefix="job-", dir=self.folder.name))
        try:
            source, output = work / "document.docx", work / "document.pdf"
            source.write_bytes(docx)
            self.requests += 1
            request = {"id": self.requests, "src": source.as_uri(), "dst": output.as_uri()}
            try:
                answer = self._ask(request, timeout)
                if answer is not None and answer.get("id") != request["id"]:
                    raise WarmUnavailable(f"answer to another request: {answer}")
            except WarmUnavailable:
                self.stop()
                raise
            if answer is None:  # no answer in time: a hung document; the next one starts afresh
                self.stop()
                raise PdfError(
                    f"LibreOffice không chuyển xong văn bản sang PDF sau {int(timeout)} giây; "
                    "vui lòng thử lại sau."
                )
            if not answer.get("ok") or not output.is_file() or output.stat().st_size == 0:
                raise PdfError("LibreOffice không tạo được tệp PDF từ văn bản này.")
            return output.read_bytes()
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _start(self, wait: float) -> None:
        try:
            self._launch(wait)
        except OSError as error:  # the program or the Python is gone
            self.stop()
            raise WarmUnavailable(str(error)) from None

    def _launch(self, wait: float) -> None:
        self.stop()
        self.starts += 1
        self.folder = tempfile.TemporaryDirectory(prefix="kiemtra-pdf-warm-")
        home = Path(self.folder.name)
        pipe_name = f"kiemtra-{os.getpid()}-{self.starts}-{home.name}"
        environment = {**os.environ, "HOME": str(home)}
        self.office = subprocess.Popen(  # noqa: S603 - a fixed program and arguments, no shell
            [
                self.program,
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                "--nolockcheck",
                f"-env:UserInstallation={(home / 'profile').as_uri()}",
                f"--accept=pipe,name={pipe_name};urp;StarOffice.ComponentContext",
            ],
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=environment,
        )
        self.bridge = subprocess.Popen(  # noqa: S603 - a fixed interpreter and script
            [self.python, str(BRIDGE), pipe_name, str(wait), str(self.office.pid)],
            cwd=home,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env={k: v for k, v in environment.items() if not k.startswith("PYTHON")},
        )
        try:
            ready = self._read(wait + 5)
        except WarmUnavailable:
            self.stop()
            raise
        if not ready or not ready.get("ready"):
            self.stop()
            raise WarmUnavailable(str(ready))

    def _ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        assert self.bridge is not None and self.bridge.stdin is not None
        try:
            self.bridge.stdin.write(json.dumps(request).encode() + b"\n")
            self.bridge.stdin.flush()
        except OSError as error:
            raise WarmUnavailable(str(error)) from None
        answer = self._read(timeout)
        if answer is None and not self.running:
            raise WarmUnavailable("LibreOffice stopped")
        return answer

    def _read(self, timeout: float) -> dict[str, Any] | None:
        """One JSON line from the bridge, or None after ``timeout`` seconds or when it ended."""
        assert self.bridge is not None
        stream: IO[bytes] | None = self.bridge.stdout
        assert stream is not None
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            readable, _, _ = select.select([stream], [], [], min(left, 0.5))
            if readable:
                line = stream.readline()
                if not line:
                    return None
                try:
                    answer = json.loads(line)
                except ValueError:
                    raise WarmUnavailable(f"not an answer: {line[:200]!r}") from None
                if not isinstance(answer, dict):
                    raise WarmUnavailable(f"not an answer: {line[:200]!r}")
                return answer
            if self.office is not None and self.office.poll() is not None:
                return None

    def stop(self) -> None:
        """Stop LibreOffice and the bridge (their whole process groups) and remove the work folder."""
        if self.pid != os.getpid():  # a forked child's copy: the processes are its parent's
            self.office = self.bridge = None
            self.folder = None
            return
        for process in (self.bridge, self.office):
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            if process is not None:
                process.wait()
                for stream in (process.stdin, process.stdout):
                    if stream is not None:
                        stream.close()
        self.office = self.bridge = None
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None
