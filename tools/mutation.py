"""Mutation testing of the core: mutmut changes the code, this script judges what survives.

Run from the repository root::

    python tools/mutation.py                    # CI's stage: the core functions changed since the record
    python tools/mutation.py --full --record    # every mutant of the core; on success, renew the record
    python tools/mutation.py --full shapes      # every mutant of some modules (the record is not touched)
    python tools/mutation.py --full --no-run    # judge the results already in mutants/
    python tools/mutation.py --show             # also print the diff of every unexplained survivor

**The record.** ``tools/mutation_record.json`` holds the last full run that passed: its date,
duration and mutmut version, and for every function of the core a hash of its source (its syntax
tree without the docstring: comments, formatting and docstrings do not count) with the verdicts
of its mutants. A function whose hash differs from the record's, or that the record lacks, has
*changed*; by default only the mutants of changed functions run, and an unchanged core runs
none. A changed function makes the record stale until the next full run renews it, and the
stage says so, naming the functions (and the test files of the mutation selection that changed,
on which the recorded verdicts of the unchanged functions no longer rest).

**The verdict.** A mutant is explained when it was killed, timed out (it made a test loop: a
test noticed) or is listed in ``tools/reviewed_mutants.txt``. Everything else fails the stage:
survived, no test reaches it, suspicious, segfault, not checked. Each listed mutant was reviewed
by reading the code, and has one of three kinds:

* ``equivalent``: no input tells it apart from the original;
* ``wording``: it changes only the wording of an error message, which still names every fact it
  must (the expected and the actual value, the way out); the tests check those facts, not the words;
* ``gpu``: the line runs only with CuPy on a GPU, which CI does not have; a run with one must kill it.

A listed mutant is matched by its function and the fingerprint of its change (a hash of the
changed lines), not by its number: mutmut numbers the mutants of a function in order, so an edit
elsewhere in the function renumbers them, while the change itself, and so the review, stays. An
entry that matches no surviving mutant of a judged function fails too (the mutant is killed now,
or its change is no longer the one reviewed), as does an entry whose function no longer exists.

Format of ``tools/reviewed_mutants.txt``, one mutant per line, ``#`` starts a comment line::

    <mutant name> <fingerprint> <kind> <reason, one line>

The mutmut configuration (modules mutated, tests run, pytest and Hypothesis options) is the
``[mutmut]`` section of ``setup.cfg``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REVIEWED = ROOT / "tools" / "reviewed_mutants.txt"
RECORD = ROOT / "tools" / "mutation_record.json"
#: The modules of the core, as mutmut names them under ``refimpl``. In a function's home, the class
#: of the function's story for the rest of the package (its name ends in ``Function``: what the
#: oracle, the command line and the plotting read) is left out: it is the oracle's, judged by its
#: own tests and the corpus, not by the core's.
CORE = (
    "shapes",
    "_validation",
    "_memory",
    "_xp",
    "operators._base",
    "operators.blocks",
    "operators.kronecker",
    "operators.algebra",
    "operators._row_blocks",
    "functions._concatenate",
    "functions._sparse",
    "functions.duplicated_padding",
    "functions.duplicated_diagonal_padding",
    "functions.dual_lphm",
    "functions.dual_lphm_fusion",
    "functions.concatenation_fusion",
)
KINDS = ("equivalent", "wording", "gpu")
RENEW = "python tools/mutation.py --full --record"

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
COLUMNS = ("mutants", "killed", "timeout", *KINDS, "unexplained")


# -- what the core is made of ---------------------------------------------------------------------


def module_path(module: str) -> Path:
    return ROOT / "refimpl" / f"{module.replace('.', '/')}.py"


def is_story(node: ast.ClassDef) -> bool:
    """A function's story for the rest of the package (``DualLphmFunction``): not the core."""
    return node.name.endswith("Function")


def mangled(module: str, name: str, class_name: str | None = None) -> str:
    """mutmut's name of a function: ``refimpl.padding.x_f``, ``refimpl.operators.xǁOpǁ_apply``."""
    local = f"xǁ{class_name}ǁ{name}" if class_name else f"x_{name}"
    return f"refimpl.{module}.{local}"


def _without_docstring(node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
    node = copy.deepcopy(node)
    first = node.body[0] if node.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        node.body = node.body[1:] or [ast.Pass()]
    return node


def function_hashes(module: str) -> dict[str, str]:
    """Every function and method of a core module, by mutmut's name, with the hash of its source."""
    tree = ast.parse(module_path(module).read_text(encoding="utf-8"))
    hashes: dict[str, str] = {}

    def visit(body: list[ast.stmt], class_name: str | None) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                dump = ast.dump(_without_docstring(node), annotate_fields=False)
                hashes[mangled(module, node.name, class_name)] = hashlib.sha256(dump.encode()).hexdigest()[
                    :12
                ]
            elif isinstance(node, ast.ClassDef) and not is_story(node):
                visit(node.body, node.name if class_name is None else f"{class_name}.{node.name}")

    visit(tree.body, None)
    return hashes


def mutants_of(modules: list[str]) -> dict[str, list[str]]:
    """The names of the mutants mutmut makes of each function of ``modules`` (none: absent)."""
    from mutmut.mutation.file_mutation import mutate_file_contents

    out: dict[str, list[str]] = {}
    for module in modules:
        path = module_path(module)
        for name in mutate_file_contents(str(path), path.read_text(encoding="utf-8")).mutant_names:
            qualified = f"refimpl.{module}.{name}"
            out.setdefault(function_of(qualified), []).append(qualified)
    return out


def function_of(name: str) -> str:
    """``refimpl.padding.x_f__mutmut_12`` -> ``refimpl.padding.x_f``."""
    return name.rpartition("__mutmut_")[0]


def module_of(function: str) -> str:
    """``refimpl.functions.dual_lphm.x_f`` -> ``functions.dual_lphm``."""
    match = re.match(r"refimpl\.(.+?)\.x[_\u01c1]", function)
    if match is None:
        raise ValueError(f"not a mutmut name of a core function: {function}")
    return match.group(1)


def fingerprint(diff: str) -> str:
    """A short hash of the changed lines of a mutant's diff: not of its line numbers, its context,
    or a comment at the end of a line (one without quotes, so that no string is cut)."""
    changed = [
        re.sub(r"\s+#[^'\"]*$", "", line[1:]).strip()
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return hashlib.sha256("\n".join(changed).encode()).hexdigest()[:10]


def diff_of(name: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    return get_diff_for_mutant(name, path=module_path(module_of(name)).relative_to(ROOT))


# -- the reviewed list and the record -------------------------------------------------------------


@dataclass
class Review:
    name: str
    kind: str
    reason: str


def load_reviewed() -> dict[tuple[str, str], list[Review]]:
    """The reviewed list, keyed by (function, fingerprint)."""
    entries: dict[tuple[str, str], list[Review]] = {}
    for number, line in enumerate(REVIEWED.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(None, 3)
        if len(parts) < 4 or parts[2] not in KINDS:
            sys.exit(
                f"{REVIEWED.name}:{number}: want '<mutant> <fingerprint> <kind: {'|'.join(KINDS)}> <reason>'"
            )
        entries.setdefault((function_of(parts[0]), parts[1]), []).append(Review(parts[0], parts[2], parts[3]))
    return entries


def load_record() -> dict[str, Any]:
    if not RECORD.exists():
        return {"functions": {}, "tests": {}}
    record: dict[str, Any] = json.loads(RECORD.read_text(encoding="utf-8"))
    return record


def selection_hashes() -> dict[str, str]:
    """The test files of the mutation selection (``setup.cfg``), each with the hash of its content."""
    import configparser

    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    files = parser["mutmut"]["pytest_add_cli_args_test_selection"].split()
    return {f: hashlib.sha256((ROOT / f).read_bytes()).hexdigest()[:12] for f in files}


# -- running mutmut and judging its results -------------------------------------------------------


def run_mutmut(patterns: list[str], workers: int) -> int:
    """``mutmut run`` on the mutants matching ``patterns`` (all of them when empty).

    Its progress (a spinner redrawn many times a second) goes to ``mutants/mutmut-run.log``;
    what it printed last is shown when it fails, and its rate when it succeeds.
    """
    script = Path(sys.executable).with_name("mutmut")  # not `python -m mutmut`, which runs its module twice
    command = [str(script) if script.exists() else "mutmut", "run", "--max-children", str(workers), *patterns]
    env = dict(os.environ, REFIMPL_HYPOTHESIS_PROFILE="mutation")  # the [mutmut] options load it too
    log = ROOT / "mutants" / "mutmut-run.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        returncode = subprocess.run(
            command, check=False, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        ).returncode
    # A spinner frame is a braille character and a status; keep each line's last frame.
    frames = (
        re.split("[\u280b\u2819\u2839\u2838\u283c\u2834\u2826\u2827\u2807\u280f]", line)[-1]
        for line in re.split(r"[\r\n]+", log.read_text(encoding="utf-8"))
    )
    lines: list[str] = []
    for line in (frame.strip() for frame in frames):
        if line and (not lines or line != lines[-1]):
            lines.append(line)
    shown = lines[-40:] if returncode else [line for line in lines if "mutations/second" in line]
    print("\n".join(f"  mutmut: {line}" for line in shown))
    return returncode


def statuses(modules: set[str]) -> dict[str, str]:
    """Each mutant's status in ``mutants/`` for ``modules``."""
    out: dict[str, str] = {}
    for module in sorted(modules):
        meta = ROOT / "mutants" / module_path(module).relative_to(ROOT).with_suffix(".py.meta")
        if not meta.exists():
            sys.exit(f"no results for {module}: {meta.relative_to(ROOT)} is missing (run without --no-run)")
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            out[name] = STATUS.get(code, "suspicious")
    return out


def judge(functions: list[str], show: bool) -> tuple[dict[str, Counter[str]], list[str]]:
    """Counts by function, and the failures: unexplained mutants and stale reviewed entries."""
    reviewed, wanted = load_reviewed(), set(functions)
    counts: dict[str, Counter[str]] = {f: Counter() for f in functions}
    failures: list[str] = []
    for name, status in sorted(statuses({module_of(f) for f in functions}).items()):
        function = function_of(name)
        if function not in wanted:
            continue
        counts[function]["mutants"] += 1
        if status in EXPLAINED:
            counts[function]["timeout" if status == "timeout" else "killed"] += 1
            continue
        diff = diff_of(name)
        listed = reviewed.get((function, fingerprint(diff)))
        if listed:
            counts[function][listed.pop(0).kind] += 1
            continue
        counts[function]["unexplained"] += 1
        failures.append(f"{name}: {status}")
        if show:
            failures[-1] += f"  [fingerprint {fingerprint(diff)}]\n{diff}"
    for (function, _), left in sorted(reviewed.items()):
        if function in wanted:
            failures += [
                f"{r.name}: listed as {r.kind}, but no surviving mutant of {function} has this change "
                "(killed now, or changed): remove the entry or review it afresh"
                for r in left
            ]
    return counts, failures


def print_table(counts: dict[str, Counter[str]]) -> None:
    by_module: dict[str, Counter[str]] = {}
    for function, c in counts.items():
        by_module.setdefault(module_of(function), Counter()).update(c)
    width = max(len("module"), *(len(m) for m in by_module))
    print(f"{'module':<{width}}" + "".join(f" {c:>11}" for c in COLUMNS))
    for module in sorted(by_module, key=lambda m: CORE.index(m)):
        print(f"{module:<{width}}" + "".join(f" {by_module[module][c]:>11}" for c in COLUMNS))


# -- the two modes --------------------------------------------------------------------------------


def check_reviewed_functions_exist(current: dict[str, str]) -> list[str]:
    return [
        f"{r.name}: listed as {r.kind}, but {function} is no longer a function of the core: remove the entry"
        for (function, _), entries in sorted(load_reviewed().items())
        for r in entries
        if function not in current
    ]


def incremental(args: argparse.Namespace, current: dict[str, str]) -> int:
    record = load_record()
    recorded = record["functions"]
    changed = sorted(f for f, h in current.items() if recorded.get(f, {}).get("hash") != h)
    removed = sorted(set(recorded) - set(current))
    tests = sorted(f for f, h in selection_hashes().items() if record["tests"].get(f) != h)
    run = record.get("run", {})
    print(
        f"record: the full run of {run.get('date', 'never')} ({RECORD.relative_to(ROOT)}); "
        f"{len(current)} functions in the core, {len(changed)} changed since, {len(removed)} removed"
    )
    failures = check_reviewed_functions_exist(current)
    if changed or removed or tests:
        print(
            f"STALE RECORD: renew it with `{RENEW}` (about {run.get('minutes', '?')} minutes) and commit it"
        )
        for function in changed:
            print(f"  changed: {function}" + ("" if function in recorded else " (new)"))
        for function in removed:
            print(f"  removed: {function}")
        for test in tests:
            print(
                f"  test file changed: {test} (the recorded verdicts of unchanged functions rest on the old one)"
            )
    mutants = mutants_of(sorted({module_of(f) for f in changed})) if changed else {}
    to_run = [f for f in changed if mutants.get(f)]
    if not to_run:
        print(
            f"{'no changed function has mutants' if changed else 'no core function changed'}: nothing to mutate"
        )
    else:
        print(f"mutating {sum(len(mutants[f]) for f in to_run)} mutants of {len(to_run)} changed functions")
        if not args.no_run and run_mutmut([f"{f}__mutmut_*" for f in to_run], args.workers) != 0:
            print("mutmut run failed", file=sys.stderr)
            return 2
        counts, more = judge(to_run, args.show)
        print_table(counts)
        failures += more
    return report(failures)


def full(args: argparse.Namespace, current: dict[str, str]) -> int:
    modules = args.modules or list(CORE)
    if args.record and set(modules) != set(CORE):
        sys.exit("--record renews the record of the whole core: give no modules")
    timing = ROOT / "mutants" / "full-run-seconds"  # so that --no-run --record can quote the run's time
    if not args.no_run:
        start = time.monotonic()
        patterns = [f"{f}__mutmut_*" for f in current if module_of(f) in modules]  # not the stories
        if run_mutmut(patterns, args.workers) != 0:
            print("mutmut run failed", file=sys.stderr)
            return 2
        finished = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        timing.write_text(f"{time.monotonic() - start:.0f} {finished}\n")
    seconds, _, finished = timing.read_text().strip().partition(" ") if timing.exists() else ("0", "", "")
    functions = [f for f in current if module_of(f) in modules]
    counts, failures = judge(functions, args.show)
    print_table(counts)
    failures += check_reviewed_functions_exist(current)
    if args.record and not failures:
        write_record(current, counts, float(seconds), finished, args.workers)
    return report(failures)


def write_record(
    current: dict[str, str], counts: dict[str, Counter[str]], seconds: float, finished: str, workers: int
) -> None:
    from importlib.metadata import version

    totals: Counter[str] = Counter()
    for c in counts.values():
        totals.update(c)
    functions = {
        f: {"hash": h, **{c: counts[f][c] for c in COLUMNS if counts[f][c]}}
        for f, h in sorted(current.items())
    }
    record = {
        "run": {
            "date": finished,
            "minutes": round(seconds / 60),
            "seconds": round(seconds),
            "workers": workers,
            "mutmut": version("mutmut"),
            "command": RENEW,
        },
        "totals": {c: totals[c] for c in COLUMNS},
        "tests": selection_hashes(),
        "functions": "FUNCTIONS",
    }
    # One line a function, so that a renewed record's diff shows the functions whose verdicts moved.
    text = json.dumps(record, indent=1, ensure_ascii=False)
    lines = ",\n".join(f"  {json.dumps(f)}: {json.dumps(v)}" for f, v in functions.items())
    RECORD.write_text(text.replace('"FUNCTIONS"', "{\n" + lines + "\n }") + "\n", encoding="utf-8")
    print(f"record renewed: {RECORD.relative_to(ROOT)} (commit it)")


def report(failures: list[str]) -> int:
    for failure in failures:
        print(failure)
    if failures:
        print(f"\n{len(failures)} mutants or entries neither killed nor reviewed", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "modules", nargs="*", help=f"with --full: modules of refimpl (default: {' '.join(CORE)})"
    )
    parser.add_argument(
        "--full", action="store_true", help="every mutant, not only those of changed functions"
    )
    parser.add_argument(
        "--record", action="store_true", help="with --full: renew the record when the run passes"
    )
    parser.add_argument("-j", "--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--no-run", action="store_true", help="judge the results already in mutants/")
    parser.add_argument("--show", action="store_true", help="print the diff of every unexplained survivor")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.modules) - set(CORE))
    if unknown:
        parser.error(f"not core modules: {unknown}; the core is {list(CORE)}")
    if (args.modules or args.record) and not args.full:
        parser.error("modules and --record go with --full")
    current = {f: h for module in CORE for f, h in function_hashes(module).items()}
    return full(args, current) if args.full else incremental(args, current)


if __name__ == "__main__":
    sys.exit(main())
