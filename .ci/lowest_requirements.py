"""Print one ``name==floor`` line per direct dependency in setup.cfg's install_requires.

Used by .ci/run's lowest-versions job as a constraints file: pip then installs the lowest version that
setup.cfg allows of every direct dependency (their own dependencies resolve as usual), so a floor the code
has outgrown fails the fast tests.
"""

from __future__ import annotations

import configparser
import re
import sys
from pathlib import Path

REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")


def floors(setup_cfg: Path) -> list[str]:
    parser = configparser.ConfigParser()
    parser.read(setup_cfg, encoding="utf-8")
    lines = []
    for line in parser["options"]["install_requires"].splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = REQUIREMENT.match(line)
        if match is None:
            raise SystemExit(f"cannot read the requirement {line!r}")
        floor = re.search(r">=\s*([^,;\s]+)", match[3])
        if floor is None:
            print(f"lowest: {match[1]} has no floor (>=); it resolves as usual", file=sys.stderr)
            continue
        lines.append(f"{match[1]}=={floor[1]}")
    return lines


if __name__ == "__main__":
    print("\n".join(floors(Path(sys.argv[1] if len(sys.argv) > 1 else "setup.cfg"))))
