"""Benchmarks: the structured operators side by side with the alternatives, in one run.

    python benchmarks/run.py                 # everything, a few minutes on 2 cores
    python benchmarks/run.py --quick         # small sizes only, seconds
    python benchmarks/run.py --backend cupy  # the same cases on the GPU
    python benchmarks/run.py --update-quoted # rewrite the results the docs quote
    python benchmarks/run.py --table-only    # the fusion's scaling table alone, about 20 s

An ordinary run leaves the working tree clean: it writes the untracked, git-ignored
``benchmarks/results/<backend>[-quick]-latest.json``. Only ``--update-quoted`` (or ``--out``
naming it) rewrites the committed ``benchmarks/results/<backend>.json`` that
docs/performance.rst quotes and ``benchmarks/plot.py`` draws by default.

Every case times each method several times (after a warm-up) and reports the median; ratios
are taken within the run, so they compare like with like: the structured path and its floors
are timed round-robin together, each alternative in a block of its own. Peak memory is measured with
``tracemalloc`` (NumPy reports its allocations to it) in a separate, untimed call. The table
is printed and saved as JSON with the machine and library versions.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import scipy.sparse as sp

import refimpl
from refimpl.operators._row_blocks import BLOCK_BYTES

HERE = Path(__file__).resolve().parent


# -- measuring -------------------------------------------------------------------------------


def _sync(xp: Any) -> Callable[[], None]:
    if xp.__name__ == "cupy":
        return lambda: xp.cuda.Device().synchronize()
    return lambda: None


def timeit(
    fns: dict[str, Callable[[], Any]], *, reps: int, budget: float, sync: Callable[[], None]
) -> dict[str, dict[str, float]]:
    """Median wall time of each function, timed round-robin so that all see the same machine state.

    Each round runs every function once; rounds go on until ``reps`` rounds are done, or at
    least 3 are done and ``budget`` seconds have passed.
    """
    for fn in fns.values():
        fn()
        sync()  # warm-up: first touch of pages, BLAS threads, CuPy kernels
    times: dict[str, list[float]] = {name: [] for name in fns}
    start = time.perf_counter()
    for round_ in range(reps):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            sync()
            times[name].append(time.perf_counter() - t0)
        if round_ >= 2 and time.perf_counter() - start > budget:
            break
    return {
        name: {"median_s": statistics.median(ts), "min_s": min(ts), "reps": len(ts)}
        for name, ts in times.items()
    }


def peak_bytes(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated (beyond what was live before) while ``fn`` runs and its result lives."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
        del result
    finally:
        tracemalloc.stop()
    return peak


class Table:
    """Rows of (case, method, seconds, ratios) printed at the end and saved as JSON."""

    def __init__(self) -> None:
        self.cases: list[dict[str, Any]] = []

    def case(
        self,
        name: str,
        params: dict[str, Any],
        methods: dict[str, Callable[[], Any]],
        *,
        xp: Any,
        reps: int,
        budget: float,
        reference: str,
        floors: tuple[str, ...] = (),
        memory: tuple[str, ...] = (),
        notes: str = "",
    ) -> dict[str, Any]:
        print(f"  {name} ...", flush=True)
        # The reference and its floors are timed round-robin, in the same machine state; each
        # alternative on its own, so that a slow one (seconds, GiB) does not disturb them.
        core = {k: f for k, f in methods.items() if k == reference or k in floors}
        results: dict[str, Any] = timeit(core, reps=reps, budget=budget, sync=_sync(xp))
        for method, fn in methods.items():
            if method not in core:
                results[method] = timeit({method: fn}, reps=reps, budget=budget, sync=_sync(xp))[method]
        results = {method: results[method] for method in methods}
        for method in memory:
            results[method]["peak_bytes"] = peak_bytes(methods[method])
        ref = results[reference]["median_s"]
        for r in results.values():
            r["x_slower_than_" + reference] = r["median_s"] / ref
            for floor in floors:
                r["x_" + floor] = r["median_s"] / results[floor]["median_s"]
        entry = {
            "case": name,
            "params": params,
            "reference": reference,
            "floors": list(floors),
            "results": results,
            "notes": notes,
        }
        self.cases.append(entry)
        return entry

    def render(self) -> str:
        lines = []
        for c in self.cases:
            params = ", ".join(f"{k}={v}" for k, v in c["params"].items())
            lines.append(f"\n{c['case']}  ({params})")
            ratios = [c["reference"], *c["floors"]]
            widths = [max(len(f"x {r}") + 2, 12) for r in ratios]
            has_peak = any("peak_bytes" in r for r in c["results"].values())
            head = f"  {'method':<36}{'median ms':>11}" + "".join(
                f"{'x ' + r:>{w}}" for r, w in zip(ratios, widths)
            )
            lines.append(head + (f"{'peak MiB':>10}" if has_peak else ""))
            for method, r in c["results"].items():
                keys = ["x_slower_than_" + c["reference"]] + ["x_" + f for f in c["floors"]]
                row = f"  {method:<36}{r['median_s'] * 1e3:>11.3f}" + "".join(
                    f"{r[k]:>{w - 1}.2f}x" for k, w in zip(keys, widths)
                )
                if "peak_bytes" in r:
                    row += f"{r['peak_bytes'] / 2**20:>10.1f}"
                lines.append(row)
            if c["notes"]:
                lines.append(f"  note: {c['notes']}")
        return "\n".join(lines)


# -- the cases -------------------------------------------------------------------------------


def lphm_w(rng: Any, xp: Any, N: int, n: int, p: int, q: int, r: int) -> Any:
    l = refimpl.dual_lphm_l(N, n, p, q, r)
    return xp.asarray(rng.standard_normal(l) / np.sqrt(r))


def fusion_case(
    table: Table,
    xp: Any,
    rng: Any,
    *,
    m: int,
    N: int,
    n: int,
    p: int,
    q: int,
    r: int,
    reps: int,
    budget: float,
    literal: bool = True,
    sparse: bool = True,
) -> dict[str, Any]:
    X = xp.asarray(rng.standard_normal((m, N)))
    w = lphm_w(rng, xp, N, n, p, q, r)
    kw = {"p": p, "q": q, "r": r, "n": n}
    methods: dict[str, Callable[[], Any]] = {
        "structured": lambda: refimpl.dual_lphm_fusion([X], w, **kw),
    }
    if literal:
        methods["literal (materialise W, X @ W)"] = lambda: refimpl.dual_lphm_fusion(
            [X], w, method="dense", **kw
        )
    if literal and xp is np:
        W = refimpl.dual_lphm(w, N, n, p, q, r)
        methods["X @ W (W given)"] = lambda: X @ W
    if sparse and xp is np:
        op = refimpl.dual_lphm_operator(w, N, n, p, q, r)
        A, B = op.P @ op.Q.T, op.S @ op.T_factor.T
        csr = sp.kron(sp.csr_array(A), sp.csr_array(B), format="csr")
        methods["scipy.sparse.kron CSR, X @ csr"] = lambda: X @ csr
        pylops = _pylops()
        if pylops is not None:
            K = pylops.Kronecker(pylops.MatrixMult(A.T), pylops.MatrixMult(B.T))
            methods["PyLops Kronecker"] = lambda: (K @ X.T).T
    methods["floor: read X, write out"] = lambda: X[:, :n] + 0.0 if N >= n else xp.zeros((m, n)) + X.sum()
    return table.case(
        "fusion X @ kron(PQ^T, ST^T)",
        {"m": m, "N": N, "n": n, "p": p, "q": q, "r": r, "dtype": "float64"},
        methods,
        xp=xp,
        reps=reps,
        budget=budget,
        reference="structured",
        floors=("floor: read X, write out",),
        memory=("structured",) if xp is np else (),
    )


def padding_case(
    table: Table,
    xp: Any,
    rng: Any,
    *,
    m: int,
    n: int,
    D: int,
    p: int,
    q: int,
    reps: int,
    budget: float,
    sparse: bool = True,
    literal: bool = False,
) -> dict[str, Any]:
    s, t, k = n // p, D // q, min(p, q)
    X = xp.asarray(rng.standard_normal((m, n)))
    w = xp.asarray(rng.standard_normal(s * t))
    op = refimpl.duplicated_diagonal_padding_operator(w, n, D, p, q)
    W = xp.reshape(w, (s, t))
    Xk = xp.reshape(X[:, : k * s], (m * k, s))
    methods: dict[str, Callable[[], Any]] = {"structured": lambda: X @ op}
    if literal:
        methods["literal (materialise, X @ psi)"] = lambda: (
            X @ refimpl.duplicated_diagonal_padding(w, n, D, p, q, format="dense")
        )
    if sparse:
        csr = refimpl.duplicated_diagonal_padding(w, n, D, p, q, format="csr")
        methods["scipy.sparse.kron CSR, X @ csr"] = lambda: X @ csr
        if xp is np:
            bsr = refimpl.duplicated_diagonal_padding(w, n, D, p, q, format="bsr")
            methods["scipy.sparse.kron BSR, X @ bsr"] = lambda: X @ bsr
            pylops = _pylops()
            if pylops is not None:
                K = (
                    pylops.Kronecker(pylops.Identity(p), pylops.MatrixMult(np.asarray(W).T))
                    if p == q
                    else None
                )
                if K is not None:
                    methods["PyLops Kronecker"] = lambda: (K @ X.T).T
    methods["floor: one GEMM (m*k, s) @ (s, t)"] = lambda: Xk @ W
    methods["floor: read X, write out"] = lambda: X[:, :D] + 0.0 if n >= D else xp.zeros((m, D)) + X.sum()
    return table.case(
        "padding X @ kron(eye(p, q), W)",
        {"m": m, "n": n, "D": D, "p": p, "q": q, "dtype": "float64"},
        methods,
        xp=xp,
        reps=reps,
        budget=budget,
        reference="structured",
        floors=("floor: one GEMM (m*k, s) @ (s, t)", "floor: read X, write out"),
        memory=("structured",) if xp is np else (),
    )


def materialise_case(
    table: Table, xp: Any, rng: Any, *, size: int, p: int, r: int, reps: int, budget: float
) -> dict[str, Any]:
    w = lphm_w(rng, xp, size, size, p, p, r)
    return table.case(
        "dense dual_lphm materialisation",
        {"n": size, "D": size, "p": p, "q": p, "r": r, "dtype": "float64"},
        {
            "dual_lphm (dense)": lambda: refimpl.dual_lphm(w, size, size, p, p, r),
            "floor: fill an n x D array": lambda: xp.full((size, size), 1.0),
        },
        xp=xp,
        reps=reps,
        budget=budget,
        reference="dual_lphm (dense)",
        floors=("floor: fill an n x D array",),
    )


def overhead_case(table: Table, xp: Any, rng: Any, *, reps: int) -> dict[str, Any]:
    X = xp.asarray(rng.standard_normal((1, 4)))
    w = lphm_w(rng, xp, 4, 4, 2, 2, 1)
    wp = xp.asarray(rng.standard_normal(4))
    op = refimpl.dual_lphm_operator(w, 4, 4, 2, 2, 1)
    return table.case(
        "fixed cost per call (tiny sizes)",
        {"m": 1, "N": 4, "n": 4, "p": 2, "q": 2, "r": 1},
        {
            "dual_lphm_fusion structured": lambda: refimpl.dual_lphm_fusion([X], w, p=2, r=1),
            "dual_lphm_fusion dense": lambda: refimpl.dual_lphm_fusion([X], w, p=2, r=1, method="dense"),
            "X @ op (operator built)": lambda: X @ op,
            "duplicated_padding": lambda: refimpl.duplicated_padding(wp, 4, 4, 2),
            "duplicated_diagonal_padding csr": lambda: refimpl.duplicated_diagonal_padding(wp, 4, 4, 2),
            "X @ X.T (NumPy floor)": lambda: X @ X.T,
        },
        xp=xp,
        reps=reps * 200,
        budget=1.0,
        reference="dual_lphm_fusion structured",
    )


# -- the fusion's scaling table (issue 21) -------------------------------------------------------

#: (m, N = n, p = q, r): the rows of the table; the widths are split in two inputs.
FUSION_TABLE = (
    (512, 4096, 64, 4),
    (512, 1024, 32, 4),
    (512, 16384, 128, 4),
    (64, 4096, 64, 4),
    (4096, 4096, 64, 4),
    (512, 4096, 64, 1),
    (512, 4096, 64, 16),
    (512, 4096, 64, 64),
)


def gemm_rate(xp: Any, rng: Any, *, reps: int, size: int = 1024) -> float:
    """Multiply-adds per second of one large square GEMM (``size``), median of ``reps``."""
    A = xp.asarray(rng.standard_normal((size, size)))
    B = xp.asarray(rng.standard_normal((size, size)))
    seconds = timeit({"gemm": lambda: A @ B}, reps=reps, budget=30.0, sync=_sync(xp))["gemm"]["median_s"]
    return size**3 / seconds


def contraction_macs(m: int, N: int, n: int, p: int, q: int, r: int) -> tuple[str, int]:
    """The order refimpl chooses for ``m`` rows and its multiply-adds (the copies left out)."""
    s, t = N // p, n // q
    order = refimpl.DualLphmOperator(
        np, np.ones((p, r)), np.ones((q, r)), np.ones((s, r)), np.ones((t, r))
    ).contraction_order(m)
    if order == "factored":
        return order, m * N * r + m * r * min(r * (p + q), p * q) + m * n * r
    if order == "blocks":
        return order, s * t * r + p * q * r + m * N * t + m * t * p * q
    return order, m * N * n


def _fusion_row(
    xp: Any, rng: Any, m: int, N: int, p: int, r: int, *, reps: int, rate: float, alternatives: bool
) -> dict[str, Any]:
    """One row of :func:`fusion_table`."""
    n, q = N, p
    A = [xp.asarray(rng.standard_normal((m, N // 2))) for _ in range(2)]
    X = xp.concat(A, axis=-1) if hasattr(xp, "concat") else xp.concatenate(A, axis=-1)
    w = lphm_w(rng, xp, N, n, p, q, r)
    buf, out = xp.empty((m, N)), xp.empty((m, n))
    kw = {"p": p, "q": q, "r": r, "n": n}

    def floor() -> None:
        buf[...] = X  # read X once
        out.fill(1.0)  # write the output once

    def floor_new() -> None:  # the same, into a new output: what a function returning one pays
        buf[...] = X
        xp.empty((m, n)).fill(1.0)

    timed = timeit(
        {
            "refimpl": lambda: refimpl.dual_lphm_fusion(A, w, **kw),
            "floor": floor,
            "floor_new": floor_new,
        },
        reps=reps,
        budget=60.0,
        sync=_sync(xp),
    )
    row: dict[str, Any] = {"m": m, "N": N, "n": n, "p": p, "q": q, "r": r}
    row.update({k + "_s": v["median_s"] for k, v in timed.items()})
    if alternatives:
        row["literal_s"] = timeit(
            {"literal": lambda: refimpl.dual_lphm_fusion(A, w, method="dense", **kw)},
            reps=reps,
            budget=60.0,
            sync=_sync(xp),
        )["literal"]["median_s"]
        pylops = _pylops()
        if pylops is not None and xp is np:
            op = refimpl.dual_lphm_fusion_operator([N // 2] * 2, w, **kw)
            K = pylops.Kronecker(
                pylops.MatrixMult((op.P @ op.Q.T).T), pylops.MatrixMult((op.S @ op.T_factor.T).T)
            )  # X @ W = (W^T X^T)^T
            row["pylops_s"] = timeit(
                {"pylops": lambda: (K @ np.concatenate(A, axis=-1).T).T},
                reps=reps,
                budget=60.0,
                sync=_sync(xp),
            )["pylops"]["median_s"]
        if xp is np:
            row["peak_bytes"] = peak_bytes(lambda: refimpl.dual_lphm_fusion(A, w, **kw))
            row["output_bytes"] = m * n * 8
    row["order"], macs = contraction_macs(m, N, n, p, q, r)
    row["compute_floor_s"] = macs / rate
    print(
        f"  m={m:<5} N=n={N:<6} p=q={p:<4} r={r:<3} refimpl {row['refimpl_s'] * 1e3:8.3f} ms  "
        f"floor {row['floor_s'] * 1e3:8.3f} ms  x{row['refimpl_s'] / row['floor_s']:.2f}  "
        f"new output {row['floor_new_s'] * 1e3:8.3f} ms  x{row['refimpl_s'] / row['floor_new_s']:.2f}",
        flush=True,
    )
    return row


def fusion_table(
    xp: Any, rng: Any, *, reps: int, rows: tuple[tuple[int, int, int, int], ...]
) -> dict[str, Any]:
    """The fusion against its floor (read X once: a copy into a preallocated buffer; write the
    output once: a fill), round-robin, medians of ``reps``; literal and PyLops on the first row;
    the compute floor (multiply-adds over one large GEMM's rate) on every row. The same floor
    with a new output (``empty`` then the fill) is timed in the same rounds: the issue's floor
    writes into memory allocated once, while a function that returns a new array also pays for
    the pages of it (the operating system zeroes each page at its first touch)."""
    rate = gemm_rate(xp, rng, reps=reps)
    print(f"  one 1024^3 GEMM: {2 * rate / 1e9:.1f} GFLOP/s", flush=True)
    out_rows = [
        _fusion_row(xp, rng, m, N, p, r, reps=reps, rate=rate, alternatives=i == 0)
        for i, (m, N, p, r) in enumerate(rows)
    ]
    return {"gemm_multiply_adds_per_s": rate, "rows": out_rows}


def tiny_case(xp: Any, rng: Any, *, reps: int) -> dict[str, Any]:
    """What a tiny call costs (property tests, the oracle): the fusion against the bare NumPy
    expression of its definition, and the diagonal padding against a bare ``scipy.sparse.kron``;
    round-robin, medians."""
    A = [xp.asarray(rng.standard_normal((1, 2))) for _ in range(2)]
    w = lphm_w(rng, xp, 4, 4, 2, 2, 1)
    op = refimpl.dual_lphm_operator(w, 4, 4, 2, 2, 1)
    P, Q, S, T = op.P, op.Q, op.S, op.T_factor
    wp = xp.asarray(rng.standard_normal(4))
    eye = sp.eye_array(2, 2)
    Wp = np.reshape(wp, (2, 2))
    timed = timeit(
        {
            "dual_lphm_fusion": lambda: refimpl.dual_lphm_fusion(A, w, p=2, r=1, n=4),
            "bare NumPy": lambda: np.concatenate(A, axis=-1) @ np.kron(P @ Q.T, S @ T.T),
            "duplicated_diagonal_padding": lambda: refimpl.duplicated_diagonal_padding(wp, 4, 4, 2),
            "bare scipy.sparse.kron": lambda: sp.kron(eye, np.reshape(wp, (2, 2)), format="csr"),
        },
        reps=reps * 200,
        budget=5.0,
        sync=_sync(xp),
    )
    del Wp
    result = {k: v["median_s"] for k, v in timed.items()}
    result["fusion_ratio"] = result["dual_lphm_fusion"] / result["bare NumPy"]
    result["padding_ratio"] = result["duplicated_diagonal_padding"] / result["bare scipy.sparse.kron"]
    return result


def render_fusion_table(table: dict[str, Any], tiny: dict[str, Any]) -> str:
    """The table as the issue asks for it, one line a row, then the tiny-size ratios."""

    def ms(row: dict[str, Any], key: str) -> str:
        return f"{row[key] * 1e3:.3g} ms" if key in row else ""

    lines = [
        "\nfusion X @ kron(PQ^T, ST^T), widths split in two inputs, float64, medians, round-robin",
        "| m | N = n | p = q | r | literal | PyLops Kronecker | refimpl | floor | refimpl / floor | compute floor "
        "| floor, new output | refimpl / it |",
    ]
    for row in table["rows"]:
        lines.append(
            f"| {row['m']} | {row['N']} | {row['p']} | {row['r']} | {ms(row, 'literal_s')} | "
            f"{ms(row, 'pylops_s')} | {ms(row, 'refimpl_s')} | {ms(row, 'floor_s')} | "
            f"{row['refimpl_s'] / row['floor_s']:.2f}x | {ms(row, 'compute_floor_s')} ({row['order']}) | "
            f"{ms(row, 'floor_new_s')} | {row['refimpl_s'] / row['floor_new_s']:.2f}x |"
        )
    first = table["rows"][0]
    if "literal_s" in first:
        lines.append(
            f"first row: literal {first['literal_s'] / first['refimpl_s']:.1f}x refimpl"
            + (f", PyLops {first['pylops_s'] / first['refimpl_s']:.1f}x" if "pylops_s" in first else "")
        )
    if "peak_bytes" in first:
        lines.append(
            f"first row: peak {first['peak_bytes'] / 2**20:.2f} MiB (tracemalloc), output "
            f"{first['output_bytes'] / 2**20:.2f} MiB, one block of rows at most "
            f"{BLOCK_BYTES / 2**20:.2f} MiB"
        )
    lines.append(
        f"tiny (m=1, two inputs of width 2, p=q=2, r=1): dual_lphm_fusion {tiny['dual_lphm_fusion'] * 1e6:.1f} us, "
        f"bare NumPy {tiny['bare NumPy'] * 1e6:.1f} us: {tiny['fusion_ratio']:.2f}x; "
        f"duplicated_diagonal_padding {tiny['duplicated_diagonal_padding'] * 1e6:.1f} us, bare scipy.sparse.kron "
        f"{tiny['bare scipy.sparse.kron'] * 1e6:.1f} us: {tiny['padding_ratio']:.2f}x"
    )
    return "\n".join(lines)


def broadcast_case() -> dict[str, Any]:
    """The guard on an input whose layout cannot be viewed as rows: a zero-stride broadcast
    ``X`` of 24 TiB is refused before anything is allocated; how long that takes."""
    X = np.broadcast_to(np.ones(3 * 2**20), (2**20, 3 * 2**20))
    w = np.ones(refimpl.dual_lphm_fusion_l([3 * 2**20], 1, 3, 1, 1))
    t0 = time.perf_counter()
    try:
        refimpl.dual_lphm_fusion([X], w, p=3, q=1, r=1, n=1)
    except refimpl.MemoryLimitError as exc:
        seconds, message = time.perf_counter() - t0, str(exc)
    else:
        raise AssertionError("the broadcast case was not refused")
    print(f"  broadcast X of 24 TiB refused in {seconds * 1e3:.2f} ms: {message[:100]}...", flush=True)
    return {"seconds": seconds, "message": message}


def _pylops() -> Any:
    try:
        import pylops
    except ImportError:
        return None
    return pylops


# -- scaling series --------------------------------------------------------------------------


def scaling(xp: Any, rng: Any, *, quick: bool, reps: int) -> list[dict[str, Any]]:
    """Time and peak memory of the structured and literal fusion as N, n, m and r grow, one at a time."""
    series = []
    base = {"m": 256, "N": 2048, "n": 2048, "r": 4}
    sizes = {
        "N": [256, 512, 1024, 2048] if quick else [256, 512, 1024, 2048, 4096, 8192, 16384],
        "n": [256, 512, 1024, 2048] if quick else [256, 512, 1024, 2048, 4096, 8192, 16384],
        "m": [16, 64, 256] if quick else [16, 64, 256, 1024, 4096],
        "r": [1, 2, 4] if quick else [1, 2, 4, 8, 16, 32],
    }
    for vary, values in sizes.items():
        for v in values:
            cfg = dict(base, **{vary: v})
            m, N, n, r = cfg["m"], cfg["N"], cfg["n"], cfg["r"]
            p, q = (2 ** (int(np.log2(x)) // 2) for x in (N, n))  # powers of two near the square roots
            X = xp.asarray(rng.standard_normal((m, N)))
            w = lphm_w(rng, xp, N, n, p, q, r)
            point: dict[str, Any] = {"vary": vary, "m": m, "N": N, "n": n, "p": p, "q": q, "r": r}
            for method in ("structured", "dense"):
                if method == "dense" and N * n > 8192 * 2048:
                    continue  # W alone would be over 128 MiB: the point of the operator
                fn = functools.partial(refimpl.dual_lphm_fusion, [X], w, p=p, q=q, r=r, n=n, method=method)
                point[method + "_s"] = timeit({method: fn}, reps=reps, budget=2.0, sync=_sync(xp))[method][
                    "median_s"
                ]
                if xp is np:
                    point[method + "_peak_bytes"] = peak_bytes(fn)
            print(
                f"  scaling {vary}={v:<6} structured {point['structured_s'] * 1e3:9.3f} ms"
                + (f"   dense {point['dense_s'] * 1e3:9.3f} ms" if "dense_s" in point else ""),
                flush=True,
            )
            series.append(point)
    return series


# -- beyond one machine: Dask ----------------------------------------------------------------


DASK_CODE = """
import json, resource, sys, time
import numpy as np, dask, dask.array as da, refimpl
rows, N, chunk, p, r = {rows}, {N}, {chunk}, {p}, {r}
rng = np.random.default_rng(0)
w = rng.standard_normal(refimpl.dual_lphm_l(N, N, p, p, r))
X = da.random.default_rng(1).standard_normal((rows, N), chunks=(chunk, N))
Y = refimpl.dual_lphm_fusion([X], w, p=p, r=r)          # lazy: nothing computed yet
t0 = time.perf_counter()
total = float((Y ** 2).sum().compute(scheduler="threads"))
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"seconds": elapsed, "peak_rss_bytes": peak, "x_bytes": rows * N * 8,
                  "chunk_bytes": chunk * N * 8, "sum_of_squares": total}}))
"""


def dask_case(*, rows: int, N: int, chunk: int, p: int, r: int) -> dict[str, Any] | None:
    """A fusion whose X (several GiB) is generated and reduced chunk by chunk, in a fresh process."""
    try:
        import dask  # noqa: F401
    except ImportError:
        print("  dask is not installed: skipping the out-of-core case")
        return None
    code = DASK_CODE.format(rows=rows, N=N, chunk=chunk, p=p, r=r)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result.update(rows=rows, N=N, chunk_rows=chunk, p=p, r=r)
    print(
        f"  dask: X of {result['x_bytes'] / 2**30:.1f} GiB in chunks of {result['chunk_bytes'] / 2**20:.0f} MiB: "
        f"{result['seconds']:.1f} s, peak RSS {result['peak_rss_bytes'] / 2**20:.0f} MiB",
        flush=True,
    )
    return result


# -- main ------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "refimpl": refimpl.__version__,
    }
    for name in ("pylops", "dask", "cupy", "torch"):
        try:
            info[name] = __import__(name).__version__
        except ImportError:
            pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["blas"] = f"{blas.get('name')} {blas.get('version')}"
    except Exception:
        pass
    return info


def output_path(
    backend: str, *, quick: bool = False, update_quoted: bool = False, out: Path | None = None
) -> Path:
    """Where a run saves its results: ``out``; the quoted file with ``update_quoted``; else the
    untracked ``results/<backend>[-quick]-latest.json``, so that an ordinary run leaves the tree clean."""
    if out is not None:
        return out
    if update_quoted:
        return HERE / "results" / f"{backend}.json"
    return HERE / "results" / f"{backend}{'-quick' if quick else ''}-latest.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--backend", choices=("numpy", "cupy"), default="numpy")
    parser.add_argument("--reps", type=int, default=7, help="repetitions per method (median reported)")
    parser.add_argument(
        "--update-quoted",
        action="store_true",
        help="write the committed results the docs quote, benchmarks/results/<backend>.json",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="JSON output (default: the untracked benchmarks/results/<backend>[-quick]-latest.json)",
    )
    parser.add_argument(
        "--table-only",
        action="store_true",
        help="only the fusion's scaling table and the tiny-call ratios (about 20 s); writes no file",
    )
    args = parser.parse_args(argv)
    if args.table_only and (args.update_quoted or args.out):
        parser.error(
            "--table-only prints the table and writes no file: it takes neither --update-quoted nor --out"
        )
    if args.update_quoted and (args.quick or args.out):
        parser.error(
            "--update-quoted writes the full run to benchmarks/results/<backend>.json: "
            "it takes neither --quick nor --out"
        )

    if args.backend == "cupy":
        import cupy as xp
    else:
        xp = np
    rng = np.random.default_rng(0)
    table = Table()
    quick, reps = args.quick, args.reps
    print(f"refimpl benchmarks on {args.backend}{' (quick)' if quick else ''}", flush=True)

    if args.table_only:
        fusion = fusion_table(xp, rng, reps=9, rows=FUSION_TABLE[:2] if quick else FUSION_TABLE)
        print(render_fusion_table(fusion, tiny_case(xp, rng, reps=reps)))
        return 0
    overhead_case(table, xp, rng, reps=reps)
    if quick:
        fusion_case(table, xp, rng, m=128, N=1024, n=1024, p=32, q=32, r=4, reps=reps, budget=2.0)
        padding_case(table, xp, rng, m=128, n=4096, D=4096, p=32, q=32, reps=reps, budget=2.0, literal=True)
        materialise_case(table, xp, rng, size=1024, p=32, r=4, reps=reps, budget=2.0)
    else:
        fusion_case(table, xp, rng, m=512, N=4096, n=4096, p=64, q=64, r=4, reps=reps, budget=10.0)
        fusion_case(
            table,
            xp,
            rng,
            m=256,
            N=65536,
            n=65536,
            p=256,
            q=256,
            r=4,
            reps=3,
            budget=10.0,
            literal=False,
            sparse=False,
        )
        padding_case(table, xp, rng, m=512, n=16384, D=16384, p=128, q=128, reps=reps, budget=10.0)
        padding_case(
            table, xp, rng, m=64, n=262144, D=262144, p=1024, q=1024, reps=3, budget=10.0, sparse=False
        )
        padding_case(table, xp, rng, m=512, n=4096, D=6144, p=64, q=96, reps=reps, budget=10.0, literal=True)
        materialise_case(table, xp, rng, size=4096, p=64, r=4, reps=reps, budget=10.0)

    print("fusion scaling table (medians of 9, round-robin)", flush=True)
    fusion = fusion_table(xp, rng, reps=9, rows=FUSION_TABLE[:2] if quick else FUSION_TABLE)
    tiny = tiny_case(xp, rng, reps=reps)
    broadcast = broadcast_case() if xp is np else None
    series = scaling(xp, rng, quick=quick, reps=reps)
    dask_result = None
    if xp is np:
        if quick:
            dask_result = dask_case(rows=2**15, N=1024, chunk=2**12, p=32, r=4)
        else:
            dask_result = dask_case(rows=3 * 2**18, N=1024, chunk=2**14, p=32, r=4)

    report = table.render() + "\n" + render_fusion_table(fusion, tiny)
    print(report)
    out = output_path(args.backend, quick=quick, update_quoted=args.update_quoted, out=args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "machine": machine(),
                "command": " ".join(["python", "benchmarks/run.py", *(argv or sys.argv[1:])]),
                "date": time.strftime("%Y-%m-%d"),
                "cases": table.cases,
                "fusion_table": fusion,
                "tiny": tiny,
                "broadcast": broadcast,
                "scaling": series,
                "dask": dask_result,
                "table": report,
            },
            indent=1,
        )
    )
    print(f"\nsaved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
