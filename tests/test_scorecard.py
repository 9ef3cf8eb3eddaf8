"""The oracle's scorecard: ``check`` on a corpus it has never seen, at its defaults unless a
candidate's entry names the options of its documented check (``nonfinite=True``, say).

``tests/oracle_corpus`` holds candidates written from SPEC without reading refimpl's code:
correct ones in varied styles and wrong ones (hand-written mistakes and mutants of a faithful
implementation). Every wrong one must fail, every correct one must pass, and a diagnosis may
name only the mistake planted (or nothing).

Print the scorecard table shown in ``docs/scorecard.rst``::

    python -m tests.test_scorecard
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field

import pytest

pytest.importorskip("torch", reason="the corpus holds PyTorch candidates; PyTorch is not installed")

from refimpl.oracle.mistakes import catalogue
from refimpl.testing import check
from tests.oracle_corpus import FUNCTIONS, Entry, load

ENTRIES = load()


@dataclass
class Outcome:
    """What ``check`` said about one candidate."""

    entry: Entry
    passed: bool | None  # None: check itself raised
    matches: list[str] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0

    @property
    def wrong_matches(self) -> list[str]:
        """Diagnosed mistakes other than the planted one."""
        names = {m.id: m.name for m in catalogue(self.entry.function)}
        allowed = {frozenset(names.get(i, i) for i in d.split("+")) for d in self.entry.diagnoses}
        return [m for m in self.matches if frozenset(m.split(" + ")) not in allowed]

    @property
    def right(self) -> bool:
        """The oracle's verdict is the expected one and its diagnosis names nothing wrong."""
        return (
            self.passed is not None
            and self.passed == (self.entry.expect == "pass")
            and not self.wrong_matches
        )


def run(entry: Entry, obj) -> Outcome:
    """``check`` on one candidate with its entry's options (the defaults for most), warnings silenced
    as in a user's script."""
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = check(obj, entry.function, raise_on_failure=False, **dict(entry.options))
    except Exception as exc:  # the oracle crashed: itself a finding
        return Outcome(
            entry,
            None,
            message=f"check raised {type(exc).__name__}: {exc}",
            seconds=time.perf_counter() - start,
        )
    matches = list(report.diagnosis.matches) if report.diagnosis is not None else []
    return Outcome(entry, report.passed, matches, report.failure, time.perf_counter() - start)


def _id(entry: Entry) -> str:
    return entry.name.split(".")[-1].replace(":", ".")


def test_corpus_size_and_catalogue_ids():
    """At least 40 correct and 100 wrong candidates; every planted diagnosis is a catalogue id."""
    assert sum(e.expect == "pass" for e, _ in ENTRIES) >= 40
    assert sum(e.expect == "fail" for e, _ in ENTRIES) >= 100
    for entry, _ in ENTRIES:
        ids = {m.id for m in catalogue(entry.function)}
        for diagnosis in entry.diagnoses:
            assert set(diagnosis.split("+")) <= ids, (entry.name, diagnosis)


@pytest.mark.parametrize(("entry", "obj"), ENTRIES, ids=[_id(e) for e, _ in ENTRIES])
def test_candidate(entry, obj):
    """The oracle's verdict on one candidate, and its diagnosis."""
    outcome = run(entry, obj)
    assert outcome.passed is not None, outcome.message
    if entry.expect == "pass":
        assert outcome.passed, f"a correct candidate failed:\n{outcome.message}"
    else:
        assert not outcome.passed, f"a wrong candidate passed ({entry.mistake})"
        assert not outcome.wrong_matches, (
            f"planted: {entry.mistake}; diagnosed: {outcome.wrong_matches}\n{outcome.message}"
        )


def table(outcomes: list[Outcome]) -> str:
    """The scorecard: per function, killed/total, false failures, wrong diagnoses, median time."""
    header = f"{'function':30s} {'killed':>9s} {'false failures':>15s} {'wrong diagnoses':>16s} {'right names':>12s} {'median s':>9s}"
    lines = [header, "-" * len(header)]
    for function in (*FUNCTIONS, None):
        group = [o for o in outcomes if function is None or o.entry.function == function]
        wrong = [o for o in group if o.entry.expect == "fail"]
        good = [o for o in group if o.entry.expect == "pass"]
        killed = sum(o.passed is False for o in wrong)
        false = sum(o.passed is not True for o in good)
        wrong_names = sum(bool(o.wrong_matches) for o in group)
        named = sum(bool(o.matches) and not o.wrong_matches for o in wrong if o.entry.diagnoses)
        planted = sum(bool(o.entry.diagnoses) for o in wrong)
        median = statistics.median(o.seconds for o in group) if group else 0.0
        lines.append(
            f"{function or 'all':30s} {f'{killed}/{len(wrong)}':>9s} {f'{false}/{len(good)}':>15s} "
            f"{wrong_names:>16d} {f'{named}/{planted}':>12s} {median:>9.2f}"
        )
    return "\n".join(lines)


def problems(outcomes: list[Outcome]) -> str:
    """Every candidate the oracle gets wrong, with the oracle's message."""
    out = []
    for o in outcomes:
        if o.right:
            continue
        if o.passed is None:
            what = "ORACLE CRASHED"
        elif o.entry.expect == "pass" and not o.passed:
            what = "FALSE FAILURE"
        elif o.entry.expect == "fail" and o.passed:
            what = f"PASSED WRONGLY ({o.entry.mistake})"
        else:
            what = f"WRONG DIAGNOSIS {o.wrong_matches} (planted: {o.entry.mistake})"
        message = "\n    ".join(o.message.splitlines()[:4])
        out.append(f"{what}: {o.entry.name}\n    {message}")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """Run the whole corpus, print the scorecard and every candidate the oracle gets wrong."""
    start = time.perf_counter()
    outcomes = []
    for entry, obj in ENTRIES:
        outcomes.append(run(entry, obj))
        if "-v" in argv:
            print(
                f"{'ok ' if outcomes[-1].right else 'BAD'} {outcomes[-1].seconds:6.2f}s {entry.name}",
                flush=True,
            )
    print(table(outcomes))
    print(f"\n{len(outcomes)} candidates in {time.perf_counter() - start:.0f} s")
    text = problems(outcomes)
    if text:
        print("\n" + text)
    return 0 if all(o.right for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
