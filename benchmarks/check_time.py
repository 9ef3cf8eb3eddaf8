"""How long a default check takes: ``check`` at its defaults on each function, correct and wrong.

    python benchmarks/check_time.py            # 5 runs of each, medians
    python benchmarks/check_time.py --runs 9

The correct candidate of each function is refimpl's own; the wrong one is the same with its
output's last entry changed (every case fails, as a typical wrong candidate does). Each check
runs once before the timed runs (imports, Hypothesis's first use). Prints one line per function
and the median over the five functions.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from refimpl.functions import FUNCTIONS
from refimpl.testing import check


def _wrong(f: Callable[..., Any]) -> Callable[..., Any]:
    def wrong(*args: Any, **kwargs: Any) -> Any:
        given = f(*args, **kwargs)
        out = np.array(given.toarray() if hasattr(given, "toarray") else given)
        if out.size:
            out.reshape(-1)[-1] += 1
        return out

    return wrong


def _seconds(candidate: Callable[..., Any], name: str, runs: int) -> tuple[float, bool]:
    check(candidate, name, raise_on_failure=False)
    times, passed = [], True
    for _ in range(runs):
        start = time.perf_counter()
        passed = check(candidate, name, raise_on_failure=False).passed
        times.append(time.perf_counter() - start)
    return statistics.median(times), passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    right, wrong = [], []
    print(f"{'function':30s} {'correct (s)':>12s} {'wrong (s)':>10s}")
    for name, spec in FUNCTIONS.items():
        good, passed = _seconds(spec.function, name, runs)
        bad, failed = _seconds(_wrong(spec.function), name, runs)
        assert passed and not failed, name
        right.append(good)
        wrong.append(bad)
        print(f"{name:30s} {good:12.2f} {bad:10.2f}")
    print(
        f"{'median over the functions':30s} {statistics.median(right):12.2f} {statistics.median(wrong):10.2f}"
    )


if __name__ == "__main__":
    main()
