"""Mutation check of the core: run mutmut, then fail on every mutant that survives and is not a
reviewed equivalent listed in ``tools/equivalent_mutants.txt``.

The mutmut configuration (modules mutated, tests run, pytest and Hypothesis options) is the
``[mutmut]`` section of ``setup.cfg``; this script adds the verdict. Run from the repository root::

    python tools/mutation.py                      # every core module, as many workers as CPUs
    python tools/mutation.py -j 2 shapes padding  # two modules, two workers
    python tools/mutation.py --no-run shapes      # judge the results already in mutants/
    python tools/mutation.py --show shapes        # print the diff of every unexplained survivor

A mutant is *explained* when it was killed, timed out (the mutant loops: a test noticed) or is
listed as equivalent. Everything else fails the check: survived, no test reaches it, suspicious,
segfault, not checked.

A listed mutant is matched by its function and the fingerprint of its change (a hash of the
changed lines), not by its number: mutmut numbers the mutants of a function in order, so an edit
elsewhere in the function renumbers them, while the change itself, and so the review, stays. A
list entry that matches no surviving mutant fails too: the mutant is now killed, or its change
differs from the one reviewed, and the entry must go or be reviewed afresh.

Format of ``tools/equivalent_mutants.txt``, one mutant per line, ``#`` starts a comment line::

    <mutant name> <fingerprint> <reason, one line>

A reason that starts with ``CuPy only:`` marks a mutant in code that runs only with CuPy on a
GPU: it is counted apart from the equivalent ones, and a run with a GPU would have to kill it.

``--show`` prints the fingerprint of each survivor next to its diff.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "tools" / "equivalent_mutants.txt"
CORE = ("shapes", "padding", "lphm", "fusion", "operators", "_operator", "_validation", "_memory", "_xp")

# mutmut's exit codes for a mutant (mutmut.stats.status_by_exit_code); anything else is "suspicious".
STATUS = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    36: "timeout",
    24: "timeout",
    -24: "timeout",
    152: "timeout",
    255: "timeout",
    -11: "segfault",
    -9: "segfault",
    37: "caught by type check",
    None: "not checked",
}
EXPLAINED = {"killed", "timeout", "caught by type check"}
# A listed mutant whose reason starts so is in code that runs only with CuPy, on a GPU: not
# equivalent, but out of reach of a run without one (CI has none). The score leaves it out too.
CUPY_ONLY = "CuPy only:"


def fingerprint(diff: str) -> str:
    """A short hash of the changed lines of a mutant's diff: not of its line numbers, its context,
    or a comment at the end of a line (one without quotes, so that no string is cut)."""
    changed = [
        re.sub(r"\s+#[^'\"]*$", "", line[1:]).strip()
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return hashlib.sha256("\n".join(changed).encode()).hexdigest()[:10]


def diff_of(name: str, module: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    return get_diff_for_mutant(name, path=Path("refimpl") / f"{module}.py")


def function_of(name: str) -> str:
    """``refimpl.padding.x_f__mutmut_12`` -> ``refimpl.padding.x_f``."""
    return name.rpartition("__mutmut_")[0]


def load_equivalents() -> dict[tuple[str, str], list[tuple[str, str]]]:
    """The list, keyed by (function, fingerprint); each value holds (name, reason) per entry."""
    entries: dict[tuple[str, str], list[tuple[str, str]]] = {}
    if not EQUIVALENTS.exists():
        return entries
    for number, line in enumerate(EQUIVALENTS.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            sys.exit(f"{EQUIVALENTS.name}:{number}: want '<mutant> <fingerprint> <reason>', got {line!r}")
        entries.setdefault((function_of(parts[0]), parts[1]), []).append((parts[0], parts[2]))
    return entries


def results(module: str) -> dict[str, str]:
    meta = ROOT / "mutants" / "refimpl" / f"{module}.py.meta"
    if not meta.exists():
        sys.exit(f"no results for {module}: {meta.relative_to(ROOT)} is missing (run without --no-run)")
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return {name: STATUS.get(code, "suspicious") for name, code in codes.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "modules", nargs="*", default=list(CORE), help=f"modules of refimpl (default: {' '.join(CORE)})"
    )
    parser.add_argument("-j", "--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--no-run", action="store_true", help="judge the results already in mutants/")
    parser.add_argument("--show", action="store_true", help="print the diff of every unexplained survivor")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.modules) - set(CORE))
    if unknown:
        parser.error(f"not core modules: {unknown}; the core is {list(CORE)}")
    os.chdir(ROOT)

    if not args.no_run:
        # The mutmut script, not `python -m mutmut`: mutmut warns that -m executes its module twice.
        script = Path(sys.executable).with_name("mutmut")
        command = [str(script) if script.exists() else "mutmut", "run", "--max-children", str(args.workers)]
        if set(args.modules) != set(CORE):
            command += [f"refimpl.{module}.*" for module in args.modules]
        env = dict(os.environ, REFIMPL_HYPOTHESIS_PROFILE="mutation")  # the [mutmut] options load it too
        returncode = subprocess.run(command, check=False, env=env).returncode
        if returncode != 0:
            print(f"mutmut run failed (exit status {returncode})", file=sys.stderr)
            return 2

    equivalents = load_equivalents()
    failures: list[str] = []
    print(
        f"{'module':<12} {'mutants':>7} {'killed':>6} {'timeout':>7} {'equiv.':>6} {'CuPy':>5} {'other':>5}  score"
    )
    for module in args.modules:
        statuses = results(module)
        counts = {"killed": 0, "timeout": 0, "equivalent": 0, "cupy": 0, "other": 0}
        for name, status in sorted(statuses.items()):
            if status in EXPLAINED:
                counts["killed" if status != "timeout" else "timeout"] += 1
                continue
            diff = diff_of(name, module)
            listed = equivalents.get((function_of(name), fingerprint(diff)))
            if listed:
                _, reason = listed.pop(0)
                counts["cupy" if reason.startswith(CUPY_ONLY) else "equivalent"] += 1
                continue
            counts["other"] += 1
            failures.append(f"{name}: {status}")
            if args.show:
                failures[-1] += f"  [fingerprint {fingerprint(diff)}]\n" + diff
        total = len(statuses)
        excluded = counts["equivalent"] + counts["cupy"]
        score = (counts["killed"] + counts["timeout"]) / max(total - excluded, 1)
        print(
            f"{module:<12} {total:>7} {counts['killed']:>6} {counts['timeout']:>7} "
            f"{counts['equivalent']:>6} {counts['cupy']:>5} {counts['other']:>5}  {score:.1%}"
        )
    modules = {f"refimpl.{module}." for module in args.modules}
    for (function, _), left in sorted(equivalents.items()):
        if any(function.startswith(prefix) for prefix in modules):
            failures += [
                f"{name}: listed as equivalent, but no surviving mutant of {function} has this change "
                "(killed now, or changed): remove the entry or review it afresh"
                for name, _ in left
            ]
    for failure in failures:
        print(failure)
    if failures:
        print(f"\n{len(failures)} mutants neither killed nor a reviewed equivalent", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
