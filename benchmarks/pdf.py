"""Time the PDF of a 3-page notice: the warm LibreOffice (first and next conversions) against one-shot.

The notice is the demo's conclusion notice on its first visit (``kiemtra export conclusion 1``: three
pages), made once in a temporary folder. Each round, in this order:

| row | what runs |
|-----|-----------|
| one-shot | ``soffice --convert-to pdf`` once, its own profile: what every PDF cost before the warm one |
| warm, first | the warm converter stopped, then one conversion: LibreOffice's start-up and the conversion |
| warm, next | three more conversions through the LibreOffice the first one started (each one a sample) |
| floor: one line, warm | a one-line document through the same warm LibreOffice: its cost per document |

Medians over the rounds; ratios of medians from the same run. The goal (issue 14): a notice in under
0.5 s after the first.

    python benchmarks/pdf.py               # 7 rounds
    python benchmarks/pdf.py --rounds 3

Writes ``benchmarks/results/pdf.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exports import pdf  # noqa: E402 - after the checkout is on the path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
KIEMTRA = [sys.executable, "-c", "import sys; from app import run_cli; sys.argv[0] = 'kiemtra'; run_cli()"]
DEMO_DAY = "2026-11-26"


def notice(folder: Path) -> bytes:
    """The demo's conclusion notice on its first visit, as Word bytes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIEMTRA_")}
    env["PYTHONPATH"] = str(ROOT)
    for command in (
        ["demo", "--no-serve", "--today", DEMO_DAY],
        ["export", "conclusion", "1", "--date", DEMO_DAY, "-o", "notice.docx"],
    ):
        subprocess.run([*KIEMTRA, *command], cwd=folder, env=env, check=True, capture_output=True)
    return (folder / "notice.docx").read_bytes()


def one_line() -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("Một dòng.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pages(data: bytes, folder: Path) -> int:
    path = folder / "out.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def timed(action: Callable[[], bytes]) -> tuple[float, bytes]:
    start = time.perf_counter()
    result = action()
    return (time.perf_counter() - start) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    program = pdf.find_soffice()
    python = pdf.uno_python()
    if program is None or python is None:
        raise SystemExit(
            "needs LibreOffice and a Python with uno: apt-get install libreoffice-writer-nogui python3-uno"
        )
    os.environ.pop("KIEMTRA_PDF_WARM", None)
    converter = pdf.warm_converter(program)
    assert converter is not None
    rows: dict[str, list[float]] = {
        "one-shot": [],
        "warm, first": [],
        "warm, next": [],
        "floor: one line, warm": [],
    }
    with tempfile.TemporaryDirectory(prefix="kiemtra-pdf-bench-") as folder:
        work = Path(folder)
        docx, line = notice(work), one_line()
        print(f"notice: {len(docx) // 1024} KB of Word, {pages(pdf.docx_to_pdf(docx), work)} pages")
        print(f"load average before: {os.getloadavg()[0]:.2f}; {args.rounds} rounds")
        for _ in range(args.rounds):
            elapsed, _pdf = timed(lambda: pdf._one_shot(program, docx, pdf.DEFAULT_TIMEOUT))
            rows["one-shot"].append(elapsed)
            converter.stop()
            elapsed, _pdf = timed(lambda: pdf.docx_to_pdf(docx))
            rows["warm, first"].append(elapsed)
            for _ in range(3):
                elapsed, result = timed(lambda: pdf.docx_to_pdf(docx))
                rows["warm, next"].append(elapsed)
            rows["floor: one line, warm"].append(timed(lambda: pdf.docx_to_pdf(line))[0])
        assert pages(result, work) == 3
        assert converter.starts == args.rounds + 1, "a warm conversion started LibreOffice again"
        converter.stop()
    medians = {name: statistics.median(values) for name, values in rows.items()}
    print("| row | median ms | min–max ms | samples |\n|---|---|---|---|")
    for name, values in rows.items():
        print(f"| {name} | {medians[name]:.0f} | {min(values):.0f}–{max(values):.0f} | {len(values)} |")
    print(
        f"warm next / one-shot: {medians['warm, next'] / medians['one-shot']:.3f}; "
        f"warm next / one-line floor: {medians['warm, next'] / medians['floor: one line, warm']:.2f}; "
        f"warm first / one-shot: {medians['warm, first'] / medians['one-shot']:.2f}"
    )
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "pdf.json").write_text(
        json.dumps({"rows": rows, "medians": medians, "load": load}, indent=2)
    )


if __name__ == "__main__":
    main()
