"""Check that the built wheel and sdist carry every file an installed kiemtra needs.

Usage: python .ci/check_dist.py DIST_DIR (run from the repository root; reads ``git ls-files``).
Every tracked file of the packages (code, templates, static files, translations, migrations) must be in
the wheel, the top-level templates/ as app/templates/, the licence in the wheel's metadata, and all of
them in the sdist. Prints the wheel's size and what it holds.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from collections import Counter
from pathlib import Path, PurePosixPath

PACKAGES = ("app", "models", "workflows", "exports")


def tracked(*folders: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", "--", *folders], check=True, capture_output=True, text=True)  # noqa: S603, S607
    return [line for line in out.stdout.splitlines() if line]


def main(dist: Path) -> int:
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    wheel_names = set(zipfile.ZipFile(wheel).namelist())
    with tarfile.open(sdist) as archive:
        sdist_names = {str(PurePosixPath(*PurePosixPath(name).parts[1:])) for name in archive.getnames()}

    expected = {path: path for path in tracked(*PACKAGES)}
    expected |= {path: f"app/{path}" for path in tracked("templates")}
    missing_wheel = sorted(path for path, target in expected.items() if target not in wheel_names)
    missing_sdist = sorted(path for path in [*expected, "LICENSE"] if path not in sdist_names)
    if not any(name.endswith(".dist-info/licenses/LICENSE") for name in wheel_names):
        missing_wheel.append("LICENSE (in .dist-info/licenses)")
    stray = sorted(
        {name.split("/")[0] for name in wheel_names}
        - {*PACKAGES}
        - {n.split("/")[0] for n in wheel_names if ".dist-info" in n}
    )

    kinds = Counter(PurePosixPath(name).suffix or PurePosixPath(name).name for name in wheel_names)
    print(f"wheel {wheel.name}: {wheel.stat().st_size / 1024:.0f} KiB, {len(wheel_names)} files")
    print("  by kind: " + ", ".join(f"{kind} {count}" for kind, count in kinds.most_common()))
    print(f"sdist {sdist.name}: {sdist.stat().st_size / 1024:.0f} KiB, {len(sdist_names)} entries")
    for label, names in (
        ("missing from the wheel", missing_wheel),
        ("missing from the sdist", missing_sdist),
    ):
        for name in names:
            print(f"  {label}: {name}")
    for name in stray:
        print(f"  unexpected top-level entry in the wheel: {name}")
    return 1 if missing_wheel or missing_sdist or stray else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
