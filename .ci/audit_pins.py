"""Fail on a known advisory against any pinned version.

Reads ``name==version`` pins from requirements files (``-r FILE``) and/or the running environment
(``--environment``), asks the package index's project JSON for each package, and fails when a pinned
version has a known vulnerability.

pip-audit cannot be used here: it asks for the per-version JSON (``/pypi/NAME/VERSION/json``), which the
index reachable from this machine does not answer, so it skips every package and still reports success.
The project JSON is answered, and its ``vulnerabilities`` field lists the advisories that affect the
project's latest release. So a pin equal to the latest release is checked exactly, and every advisory
listed there is reported with its fix. A pin older than the latest release cannot be checked against
this index; it is counted and named as unverifiable, and ``--strict`` turns that into a failure (use it
when the pins were just resolved, as in CI's fresh environment and when the lock file is refreshed).

Exit status: 0 all clear, 1 a known advisory (or, with --strict, an unverifiable pin), 2 the index
could not be asked.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

INDEX_JSON = os.environ.get("KIEMTRA_AUDIT_INDEX", "https://pypi.org/pypi")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins_from_file(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[canonical(match[1])] = match[2]
    return pins


def pins_from_environment() -> dict[str, str]:
    pins = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and canonical(name) != "kiemtra":
            pins[canonical(name)] = dist.version
    return pins


def project_json(name: str) -> dict:
    with urllib.request.urlopen(f"{INDEX_JSON}/{name}/json", timeout=60) as response:  # noqa: S310 - fixed https index
        return json.load(response)


def audit(name: str, version: str) -> tuple[str, str, list[str]]:
    """Return (status, latest, findings) for one pin: status is 'ok', 'vulnerable' or 'unverifiable'."""
    data = project_json(name)
    latest = data["info"]["version"]
    findings = [
        f"{advisory.get('id')} ({', '.join(advisory.get('aliases') or [])}) fixed in "
        f"{', '.join(advisory.get('fixed_in') or ['—'])}"
        for advisory in data.get("vulnerabilities") or []
        if not advisory.get("withdrawn")
    ]
    if version == latest:
        return ("vulnerable" if findings else "ok"), latest, findings
    if version not in data.get("releases", {}):
        return "unverifiable", latest, [f"{version} is not a release of {name} on this index"]
    return "unverifiable", latest, []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--requirement", action="append", type=Path, default=[])
    parser.add_argument("--environment", action="store_true", help="check the running environment's versions")
    parser.add_argument("--strict", action="store_true", help="fail on a pin older than the latest release")
    args = parser.parse_args(argv)

    pins: dict[str, str] = {}
    for path in args.requirement:
        pins.update(pins_from_file(path))
    if args.environment:
        pins.update(pins_from_environment())
    if not pins:
        print("audit: no pinned versions found", file=sys.stderr)
        return 2

    names = sorted(pins)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = dict(zip(names, pool.map(lambda name: audit(name, pins[name]), names), strict=True))
    except OSError as error:
        print(f"audit: the package index could not be asked: {error}", file=sys.stderr)
        return 2

    counts = {"ok": 0, "vulnerable": 0, "unverifiable": 0}
    for name in names:
        status, latest, findings = results[name]
        counts[status] += 1
        if status == "vulnerable":
            for finding in findings:
                print(f"VULNERABLE {name}=={pins[name]}: {finding}")
        elif status == "unverifiable":
            detail = (
                "; ".join(findings)
                or f"latest is {latest}; only the latest release's advisories are known here"
            )
            print(f"unverifiable {name}=={pins[name]}: {detail}")
    print(
        f"audit: {len(names)} pinned versions, {counts['ok']} checked clean, "
        f"{counts['vulnerable']} with a known advisory, {counts['unverifiable']} unverifiable here"
    )
    if counts["vulnerable"] or (args.strict and counts["unverifiable"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
