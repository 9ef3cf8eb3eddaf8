"""Draw the scaling series of a benchmark run: time and peak memory against N, m and r.

    python benchmarks/plot.py                                     # the quoted results
    python benchmarks/plot.py benchmarks/results/numpy-latest.json -o /tmp/scaling.png

By default it reads the committed results the docs quote, ``benchmarks/results/numpy.json``
(rewritten only by ``python benchmarks/run.py --update-quoted``), not the latest local run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

#: The results docs/performance.rst quotes (written by ``run.py --update-quoted``).
QUOTED = Path(__file__).resolve().parent / "results" / "numpy.json"


def plot(results: dict, out: Path) -> None:
    series = results["scaling"]
    fig, axes = plt.subplots(1, 5, figsize=(20, 3.8), constrained_layout=True)
    labels = {
        "N": "N (n = 2048, m = 256, r = 4)",
        "n": "n (N = 2048, m = 256, r = 4)",
        "m": "m (N = n = 2048, r = 4)",
        "r": "r (m = 256, N = n = 2048)",
    }
    for ax, vary in zip(axes[:4], ("N", "n", "m", "r")):
        points = [pt for pt in series if pt["vary"] == vary]
        xs = [pt[vary] for pt in points]
        ax.loglog(xs, [pt["structured_s"] * 1e3 for pt in points], "o-", label="structured (operator)")
        dense = [(pt[vary], pt["dense_s"] * 1e3) for pt in points if "dense_s" in pt]
        if dense:
            ax.loglog(*zip(*dense), "s--", label="literal (materialise W)")
        ax.set_xlabel(labels[vary])
        ax.set_ylabel("median time (ms)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend()
    ax = axes[4]
    points = [pt for pt in series if pt["vary"] == "n" and "structured_peak_bytes" in pt]
    xs = [pt["n"] for pt in points]
    ax.loglog(xs, [pt["structured_peak_bytes"] / 2**20 for pt in points], "o-", label="structured")
    dense = [(pt["n"], pt["dense_peak_bytes"] / 2**20) for pt in points if "dense_peak_bytes" in pt]
    if dense:
        ax.loglog(*zip(*dense), "s--", label="literal")
    ax.loglog(
        xs, [pt["m"] * pt["n"] * 8 / 2**20 for pt in points], ":", color="gray", label="bytes of the output"
    )
    ax.set_xlabel(labels["n"])
    ax.set_ylabel("peak memory beyond X (MiB)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    m = results["machine"]
    fig.suptitle(
        f"Dual-LPHM fusion, float64, {m['cpu_count']} cores, NumPy {m['numpy']} ({m.get('blas', 'BLAS')})"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "results",
        type=Path,
        nargs="?",
        default=QUOTED,
        help="a results file of benchmarks/run.py (default: the quoted benchmarks/results/numpy.json)",
    )
    parser.add_argument("-o", "--out", type=Path, default=Path("docs/_static/scaling.png"))
    args = parser.parse_args(argv)
    plot(json.loads(args.results.read_text()), args.out)
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
