"""How long does the article intake take to read one article, and how right is it, field by field?

    python benchmarks/intake.py                 # every test article, 20 runs each
    python benchmarks/intake.py --repeat 100 --json

For each article of ``tests/intake/articles`` (and the seed article when ``../shared/seeds`` is there) it
times ``workflows.intake.parse_article`` on the file's bytes against two floors measured in the same run:
reading the same bytes, decoding them and normalising them to NFC, which any reader of the file must do;
and the intake's own read-and-normalise step (HTML or .docx to text, the working copy with its map back to
the shown text, the paragraphs), which every parse pays before reading a single field. It then compares
the draft with the article's expectation file, field by field, for the first seventeen articles and for
the articles written for issue 18 (numbers 18 and up) separately. Results go to the terminal and, with
``--json``, to ``benchmarks/results/intake.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.intake.expected import FIELDS, article_paths, compare, expected_for  # noqa: E402
from workflows.intake import parse_article, read_article  # noqa: E402
from workflows.intake.normalise import _State  # noqa: E402

SEED = ROOT.parent / "shared" / "seeds" / "000_6f18e75c22ead646.txt"
RESULTS = ROOT / "benchmarks" / "results" / "intake.json"


def _median_ms(action: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def _floor(path: Path) -> Callable[[], object]:
    def read() -> str:
        return unicodedata.normalize("NFC", path.read_bytes().decode("utf-8-sig"))

    return read


def _read_and_normalise(path: Path) -> Callable[[], object]:
    data = path.read_bytes()

    def read() -> object:
        text, kind, hints = read_article(data, path.name)
        return _State(text, kind, hints)

    return read


def _set_of(path: Path) -> str:
    return "issue 18" if path.name[:2].isdigit() and int(path.name[:2]) >= 18 else "first 17"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per article (median is reported)")
    parser.add_argument("--json", action="store_true", help=f"also write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    paths = article_paths() + ([SEED] if SEED.exists() else [])
    rows = []
    totals = {group: {name: [0, 0] for name in FIELDS} for group in ("first 17", "issue 18")}
    print(
        f"{'article':<34}{'KiB':>6}{'floor ms':>10}{'read+norm':>10}{'parse ms':>10}{'x r+n':>7}"
        "  fields right"
    )
    for path in paths:
        data = path.read_bytes()
        floor_ms = _median_ms(_floor(path), args.repeat)
        normalise_ms = _median_ms(_read_and_normalise(path), args.repeat)
        parse_ms = _median_ms(lambda p=path, d=data: parse_article(d, p.name), args.repeat)
        draft = parse_article(data, path.name)
        expectation = path.with_suffix(".expected.json")
        fields: dict[str, bool] = {}
        if expectation.exists():
            fields = {name: ok for name, (ok, _got, _want) in compare(draft, expected_for(path)).items()}
            for name, ok in fields.items():
                totals[_set_of(path)][name][0] += ok
                totals[_set_of(path)][name][1] += 1
        right = f"{sum(fields.values())}/{len(fields)}" if fields else "(no expectation file)"
        wrong = [name for name, ok in fields.items() if not ok]
        print(
            f"{path.stem[:33]:<34}{len(data) / 1024:>6.1f}{floor_ms:>10.3f}{normalise_ms:>10.2f}"
            f"{parse_ms:>10.2f}"
            f"{parse_ms / normalise_ms:>7.1f}  {right}" + (f"  wrong: {', '.join(wrong)}" if wrong else "")
        )
        rows.append(
            {
                "article": path.name,
                "bytes": len(data),
                "floor_ms": round(floor_ms, 4),
                "read_and_normalise_ms": round(normalise_ms, 3),
                "parse_ms": round(parse_ms, 3),
                "directives": len(draft.directives),
                "fields": fields,
            }
        )
    print(f"\n{'field':<19}{'first 17':>12}{'issue 18':>12}")
    for name in FIELDS:
        cells = []
        for group in ("first 17", "issue 18"):
            right, seen = totals[group][name]
            cells.append(f"{right:>5} / {seen:<4}" if seen else f"{'':>12}")
        print(f"{name:<19}" + "".join(f"{c:>12}" for c in cells))
    parse_times = [r["parse_ms"] for r in rows]
    floors = [r["read_and_normalise_ms"] for r in rows]
    print(
        f"\nparse time per article: median {statistics.median(parse_times):.2f} ms, "
        f"max {max(parse_times):.2f} ms; read-and-normalise floor median {statistics.median(floors):.2f} ms "
        f"({len(rows)} articles, {args.repeat} runs each)"
    )
    if args.json:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps({"articles": rows, "fields": totals}, ensure_ascii=False, indent=2))
        print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
