"""Time how fast ``kiemtra`` commands start, against ``python -c "import flask, sqlalchemy"``.

Each row is a fresh process, timed from start to exit (``time.perf_counter`` around
``subprocess.run``) and by its CPU time (user and system, from ``getrusage``: on a shared machine the
wall time swings with the load, the CPU time much less), in runs that alternate with the floor: floor,
command, floor, command, …; each ratio is of two medians from the same loop. The rows:

- ``kiemtra --help`` and ``kiemtra <command> --help`` for every command of ``app.cli.COMMANDS``;
- a few real quick commands on a small database (the demo, loaded first into a temporary folder):
  ``stats``, ``stats --json --org``, ``db current``, ``prune-uploads --dry-run``, ``scan-deadlines``
  (the day's claim taken after the first run) and ``import-orgs --dry-run`` of a one-row sheet.

The goal (issue 14): every row within 3× the floor.

    python benchmarks/startup.py                     # this checkout, 15 alternating runs a row
    python benchmarks/startup.py --source /work/main --repeat 9   # another checkout (before/after)

``--source`` runs the code of another checkout (its folder first on ``PYTHONPATH``) with this Python.
Writes ``benchmarks/results/startup.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
FLOOR = [sys.executable, "-c", "import flask, sqlalchemy"]
# What the ``kiemtra`` console script runs (setup.cfg: kiemtra = app:run_cli).
KIEMTRA = [sys.executable, "-c", "import sys; from app import run_cli; sys.argv[0] = 'kiemtra'; run_cli()"]
DEMO_DAY = "2026-11-26"
REAL_COMMANDS = (
    ("stats", "--today", DEMO_DAY),
    ("stats", "--today", DEMO_DAY, "--json", "--org", "HU-BUDOP"),
    ("db", "current"),
    ("prune-uploads", "--dry-run"),
    # Commands that used to build the whole application (issue 14): the day's scan (after the first
    # run its claim is taken: the command's own work is a few statements) and an import's dry run.
    ("scan-deadlines", "--today", "2026-11-27"),
    ("import-orgs", "--dry-run", "orgs.csv"),
)
# A one-row organisation sheet under the demo's root, for ``import-orgs --dry-run``.
ORGS_CSV = "code,name,parent\nHU-STARTUP,Đơn vị thử khởi động,TU-BP\n"


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Run ``command`` once; its wall time and its CPU time (user and system), in ms. It must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[3:])} failed:\n{result.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
    return elapsed, cpu


def alternate(command: list[str], cwd: Path, env: dict[str, str], repeat: int) -> dict[str, object]:
    """Floor and command in turn, ``repeat`` times each after one untimed run of each."""
    timed(FLOOR, cwd, env)
    timed(command, cwd, env)
    floors, runs = [], []
    for _ in range(repeat):
        floors.append(timed(FLOOR, cwd, env))
        runs.append(timed(command, cwd, env))
    floor, median = statistics.median(f[0] for f in floors), statistics.median(r[0] for r in runs)
    floor_cpu, cpu = statistics.median(f[1] for f in floors), statistics.median(r[1] for r in runs)
    return {
        "floor_ms": round(floor, 1),
        "median_ms": round(median, 1),
        "min_ms": round(min(r[0] for r in runs), 1),
        "max_ms": round(max(r[0] for r in runs), 1),
        "ratio": round(median / floor, 2),
        "floor_cpu_ms": round(floor_cpu, 1),
        "cpu_ms": round(cpu, 1),
        "cpu_ratio": round(cpu / floor_cpu, 2),
    }


def command_names(source: Path, env: dict[str, str]) -> list[str]:
    """The commands ``kiemtra --help`` lists, read from its output (works for any checkout)."""
    result = subprocess.run(
        [*KIEMTRA, "--help"], cwd=source, env=env, capture_output=True, text=True, check=True
    )
    lines = result.stdout.split("Commands:", 1)[1].splitlines()
    names = [line.split()[0] for line in lines if line.startswith("  ") and not line.startswith("   ")]
    return [name for name in names if name not in {"run", "shell", "routes"}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of each row and of its floor")
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout whose kiemtra to time")
    parser.add_argument("--only", help="only the rows containing one of these, comma-separated (stats,db)")
    args = parser.parse_args()

    source = args.source.resolve()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIEMTRA_", "FLASK_"))}
    env["PYTHONPATH"] = str(source)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python keeps its compiled modules
    with tempfile.TemporaryDirectory(prefix="kiemtra-startup-") as folder:
        office = Path(folder)
        subprocess.run(
            [*KIEMTRA, "demo", "--no-serve", "--today", DEMO_DAY],
            cwd=office,
            env=env,
            check=True,
            capture_output=True,
        )
        (office / "orgs.csv").write_text(ORGS_CSV, encoding="utf-8")
        rows: list[tuple[str, list[str]]] = [("--help", ["--help"])]
        rows += [(f"{name} --help", [name, "--help"]) for name in command_names(source, env)]
        rows += [(" ".join(words), list(words)) for words in REAL_COMMANDS]
        if args.only:
            rows = [row for row in rows if any(word in row[0] for word in args.only.split(","))]
        results = []
        print(f"load average before: {os.getloadavg()[0]:.2f}; {args.repeat} alternating runs a row")
        print("| kiemtra … | floor ms | median ms (min–max) | ratio | CPU: floor, command ms | CPU ratio |")
        print("|---|---|---|---|---|---|")
        for label, words in rows:
            figures = alternate([*KIEMTRA, *words], office, env, args.repeat)
            results.append({"row": label, **figures})
            print(
                f"| `{label}` | {figures['floor_ms']:.0f} | {figures['median_ms']:.0f} "
                f"({figures['min_ms']:.0f}–{figures['max_ms']:.0f}) | {figures['ratio']:.2f}× "
                f"| {figures['floor_cpu_ms']:.0f}, {figures['cpu_ms']:.0f} | {figures['cpu_ratio']:.2f}× |",
                flush=True,
            )
        load = os.getloadavg()
        print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "startup.json").write_text(
        json.dumps({"source": str(source), "repeat": args.repeat, "rows": results, "load": load}, indent=2)
    )


if __name__ == "__main__":
    main()
