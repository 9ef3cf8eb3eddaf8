"""Fail when any module of the package is covered below the floor (default 90%).

coverage's own ``fail_under`` judges the total only; a reference implementation needs every
module above the floor. Run after the suite has written its data (``pytest --cov``)::

    python tools/coverage_floor.py            # every module >= 90%
    python tools/coverage_floor.py --floor 95

It prints every module's figure and, for each one under the floor, the lines no test ran.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--floor", type=float, default=90.0, help="least percentage per module")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "coverage.json"
        subprocess.run([sys.executable, "-m", "coverage", "json", "-q", "-o", str(report)], check=True)
        files = json.loads(report.read_text())["files"]
    under = []
    print(f"{'module':<40} {'statements':>10} {'missed':>6}  covered")
    for path, data in sorted(files.items()):
        summary = data["summary"]
        percent = summary["percent_covered"]
        print(f"{path:<40} {summary['num_statements']:>10} {summary['missing_lines']:>6}  {percent:6.1f}%")
        if percent < args.floor:
            under.append((path, percent, data["missing_lines"]))
    for path, percent, lines in under:
        print(f"{path}: {percent:.1f}% < {args.floor:g}%; lines not run: {_ranges(lines)}", file=sys.stderr)
    return 1 if under else 0


def _ranges(lines: list[int]) -> str:
    """``[1, 2, 3, 7]`` as ``"1-3, 7"``."""
    out: list[str] = []
    for line in lines:
        if out and out[-1].split("-")[-1] == str(line - 1):
            out[-1] = f"{out[-1].split('-')[0]}-{line}"
        else:
            out.append(str(line))
    return ", ".join(out)


if __name__ == "__main__":
    sys.exit(main())
