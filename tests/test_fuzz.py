"""Fuzz: every public function of refimpl and every subcommand, given hostile arguments.

Hypothesis draws calls of every public entry point: the functions and their ``*_l``, the
operators (``@`` both ways, ``toarray``, ``tosparse``, ...), the classes, the memory guard's
``set_memory_limit``/``memory_limit``, the backends, and ``refimpl.cli.main`` with every
subcommand, plus a few ``python -m refimpl`` runs. The dimensions go up to and past ``2**31``
and ``2**63``, negative and zero, and bools, floats, strings, ``None`` and NumPy scalars come
where integers are expected.

Only the documented outcomes may come out: a result, :class:`TypeError` or
:class:`refimpl.RefimplError` (its subclasses included, the memory guard's
:class:`refimpl.MemoryLimitError` among them; :class:`ImportError` from ``set_backend("cupy")``
without CuPy, which says what to install); from the command line, one of the documented exit
statuses (:data:`refimpl.cli.EXIT_STATUSES`) and never a traceback. Nothing may hang: each call
has a time limit.

The fuzzing runs in a subprocess (this file run as a script) whose address space is capped with
``resource.setrlimit(RLIMIT_AS)`` (4 GiB) and whose memory guard is set to 256 MiB, so that an
allocation the guard misses shows up as a ``MemoryError`` instead of a machine out of memory,
under a wall-clock timeout. It runs for ``REFIMPL_FUZZ_SECONDS`` (45 s by default; the whole
test about a minute) and prints how many calls it made.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

#: Seconds of fuzzing (the subprocess's start and the ``python -m`` runs come on top).
SECONDS = float(os.environ.get("REFIMPL_FUZZ_SECONDS", "45"))
#: The fuzzing process's address space.
ADDRESS_SPACE = 4 * 2**30
#: The memory guard's limit inside it (``REFIMPL_MEMORY_LIMIT``).
DENSE_LIMIT = 256 * 2**20
#: The longest one call may take, in seconds.
PER_CALL = 20


@pytest.mark.skipif(sys.platform == "win32", reason="resource.setrlimit is POSIX")
def test_fuzz_every_entry_point_gives_only_documented_outcomes() -> None:
    env = {
        **os.environ,
        "REFIMPL_MEMORY_LIMIT": str(DENSE_LIMIT),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTHONFAULTHANDLER": "1",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    try:
        result = subprocess.run(
            [sys.executable, __file__, str(SECONDS)],
            capture_output=True,
            text=True,
            env=env,
            timeout=SECONDS + 240,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the fuzzing hung past its wall-clock limit:\n{(exc.stdout or b'')[-4000:]!r}")
    tail = f"stdout:\n{result.stdout[-6000:]}\nstderr:\n{result.stderr[-6000:]}"
    assert result.returncode == 0, tail
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    print(
        f"fuzz: {summary['calls']} calls in {summary['seconds']:.0f} s, "
        f"{summary['subprocesses']} python -m refimpl runs; outcomes: {summary['outcomes']}"
    )
    assert summary["calls"] >= 200 and summary["findings"] == 0, summary
    assert set(summary["by_entry"]) == set(ENTRY_NAMES), set(ENTRY_NAMES) - set(summary["by_entry"])


# -- what the subprocess runs ----------------------------------------------------------------------

#: Every entry point the fuzz calls (the worker draws one per call).
ENTRY_NAMES = (
    "duplicated_padding",
    "duplicated_diagonal_padding",
    "dual_lphm",
    "dual_lphm_fusion",
    "concatenation_fusion",
    "duplicated_padding_l",
    "dual_lphm_l",
    "dual_lphm_fusion_l",
    "concatenation_fusion_l",
    "operator",
    "operator_class",
    "reconciliation",
    "fusion_class",
    "set_memory_limit",
    "memory_limit",
    "backend",
    "cli",
)

#: Integers at the edges: past int32 and int64, negative, zero.
EDGES = (
    0,
    1,
    2,
    3,
    4,
    6,
    8,
    12,
    -1,
    -2,
    -3,
    2**31 - 1,
    2**31,
    2**31 + 2,
    2**32,
    2**62,
    2**63 - 1,
    2**63,
    2**63 + 2,
    2**64,
    -(2**63),
    10**9,
    5 * 10**8,
    10**5,
    10**12,
    10**18,
)


class CallTimeout(BaseException):
    """A call ran past :data:`PER_CALL` seconds (a BaseException: no ``except Exception`` swallows it)."""


class Undocumented(Exception):
    """An entry point raised what it does not document, or the command line printed a traceback."""


def _strategies() -> dict[str, Any]:
    """The argument strategies (Hypothesis and NumPy are imported in the worker only)."""
    import numpy as np
    from hypothesis import strategies as st

    junk = st.one_of(
        st.booleans(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=3),
        st.none(),
        st.sampled_from([np.int64(4), np.int32(2), np.uint8(3), np.float64(2.0), np.bool_(True)]),
        st.just([2]),
        st.just(np.array(2)),
        st.just(np.array([2, 2])),
        st.just(2 + 0j),
    )
    small = st.integers(1, 6)
    # mostly small positive integers, so that whole calls succeed too; else an edge, a huge one or junk
    kinds = [small] * 12 + [
        st.sampled_from(EDGES),
        st.sampled_from(EDGES),
        st.integers(-(2**70), 2**70),
        junk,
    ]
    dim = st.sampled_from(kinds).flatmap(lambda kind: kind)
    dims = st.one_of(
        st.lists(st.one_of(small, small, dim), min_size=1, max_size=3),
        st.lists(dim, max_size=2),
        st.just(np.array([2, 2])),
        junk,
    )
    return {"st": st, "np": np, "junk": junk, "small": small, "dim": dim, "dims": dims}


def _w(data: Any, s: dict[str, Any], l_of: Callable[[], Any]) -> Any:
    """A ``w``: often of the right length ``l`` (when small), else of a wrong length, shape or type."""
    st, np = s["st"], s["np"]
    kind = data.draw(
        st.sampled_from(
            ["right"] * 6
            + ["short", "2d", "list", "int", "bool", "complex", "nonfinite", "masked", "junk", "3d"]
        ),
        label="w kind",
    )
    try:
        l = l_of()
    except Exception:
        l = None
    size = l if isinstance(l, int) and 0 < l <= 4096 else data.draw(st.integers(0, 7), label="w size")
    if kind == "short":
        size = max(size - 1, 0)
    base = np.arange(1.0, size + 1.0)
    return (
        {
            "right": base,
            "short": base,
            "2d": base.reshape(1, -1),
            "list": base.tolist(),
            "int": base.astype(np.int64),
            "bool": base > 2,
            "complex": base + 1j,
            "nonfinite": np.where(base > 2, np.inf, np.nan),
            "masked": np.ma.masked_array(base, mask=base > 2),
            "3d": base.reshape(1, 1, -1),
        }.get(kind)
        if kind != "junk"
        else data.draw(s["junk"], label="w")
    )


def _inputs(data: Any, s: dict[str, Any], dims: Any) -> Any:
    """Fusion inputs: of the widths ``dims`` when they are small, else of drawn shapes, or junk."""
    st, np = s["st"], s["np"]
    m = data.draw(st.sampled_from([0, 1, 2, 3]), label="m")
    if (
        isinstance(dims, list)
        and all(type(d) is int and 0 <= d <= 64 for d in dims)
        and data.draw(st.booleans())
    ):
        return [np.ones((m, d)) for d in dims]
    shapes = data.draw(st.lists(st.lists(st.integers(0, 4), max_size=3), max_size=3), label="input shapes")
    return data.draw(
        st.sampled_from([[np.ones(tuple(shape)) for shape in shapes], "x", None, [None], np.ones((2, 2))])
    )


#: Block counts and block sides of valid configurations that are huge (the issue's 10**9 x 10**9 among them).
HUGE = (2, 3, 10**5, 5 * 10**8, 10**9, 2**31, 2**32, 2**62, 2**63)


def _sides(data: Any, s: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """``n, D, p, q``: hostile ones, or (one time in three) divisible ones, often huge."""
    st = s["st"]
    if data.draw(st.integers(0, 2), label="divisible") > 0:
        return tuple(data.draw(s["dim"], label=k) for k in "nDpq")
    p, q, s_, t = (data.draw(st.one_of(s["small"], st.sampled_from(HUGE)), label=k) for k in "pqst")
    return p * s_, q * t, p, q


def _call_padding(data: Any, s: dict[str, Any], name: str) -> Callable[[], Any]:
    import refimpl

    st, dim = s["st"], s["dim"]
    n, D, p, q = _sides(data, s)
    q = data.draw(st.sampled_from([q, None]), label="q or None")
    if name == "dual_lphm":
        r = data.draw(dim, label="r")
        w = _w(data, s, lambda: refimpl.dual_lphm_l(n, D, p, q, r))
        return lambda: refimpl.dual_lphm(w, n, D, p, q, r)
    w = _w(data, s, lambda: refimpl.duplicated_padding_l(n, D, p, q))
    if name == "duplicated_diagonal_padding":
        fmt = data.draw(st.sampled_from([*refimpl.SPARSE_FORMATS, "dia", "CSR", 3, None]), label="format")
        return lambda: refimpl.duplicated_diagonal_padding(w, n, D, p, q, format=fmt)
    return lambda: refimpl.duplicated_padding(w, n, D, p, q)


def _call_fusion(data: Any, s: dict[str, Any], name: str) -> Callable[[], Any]:
    import refimpl

    st, dim = s["st"], s["dim"]
    dims = data.draw(s["dims"], label="dims")
    n = data.draw(st.one_of(st.none(), dim), label="n")
    inputs = _inputs(data, s, dims)
    widths = [a.shape[-1] for a in inputs if getattr(a, "ndim", 0) >= 1] if isinstance(inputs, list) else dims
    if name == "concatenation_fusion":
        w = _w(data, s, lambda: refimpl.concatenation_fusion_l(widths, n))
        return lambda: refimpl.concatenation_fusion(inputs, w, n=n)
    p, r = data.draw(dim, label="p"), data.draw(dim, label="r")
    q = data.draw(st.one_of(st.none(), dim), label="q")
    method = data.draw(st.sampled_from(["structured", "dense", "nope"]), label="method")
    w = _w(data, s, lambda: refimpl.dual_lphm_fusion_l(widths, n, p, q, r))
    return lambda: refimpl.dual_lphm_fusion(inputs, w, p=p, q=q, r=r, n=n, method=method)


def _call_l(data: Any, s: dict[str, Any], name: str) -> Callable[[], Any]:
    import refimpl

    dim, dims = s["dim"], s["dims"]
    f = getattr(refimpl, name)
    if name == "concatenation_fusion_l":
        args = (data.draw(dims), data.draw(dim))
    elif name == "dual_lphm_fusion_l":
        args = (data.draw(dims), *(data.draw(dim) for _ in range(4)))
    else:
        args = tuple(data.draw(dim) for _ in range(5 if name == "dual_lphm_l" else 4))
    return lambda: f(*args)


def _operand(data: Any, s: dict[str, Any], size: Any) -> Any:
    """An operand of ``op @ X`` or ``X @ op``: of the matching size when it is small, else wrong or junk."""
    st, np = s["st"], s["np"]
    k = data.draw(st.integers(0, 3), label="operand k")
    if isinstance(size, int) and size <= 2048 and data.draw(st.booleans()):
        return np.ones((size, k)) if data.draw(st.booleans()) else np.ones(size)
    return data.draw(st.sampled_from([np.ones((2, 3)), np.ones(5), 3.0, "x", None, [[1.0]]]), label="operand")


def _call_operator(data: Any, s: dict[str, Any]) -> Callable[[], Any]:
    import refimpl

    st = s["st"]
    kind = data.draw(
        st.sampled_from(
            ["duplicated_padding", "duplicated_diagonal_padding", "dual_lphm", "dual_lphm_fusion"]
        ),
        label="operator",
    )
    dim = s["dim"]
    if kind == "dual_lphm_fusion":
        dims, p, r = data.draw(s["dims"]), data.draw(dim), data.draw(dim)
        q, n = data.draw(st.one_of(st.none(), dim)), data.draw(st.one_of(st.none(), dim))
        w = _w(data, s, lambda: refimpl.dual_lphm_fusion_l(dims, n, p, q, r))

        def make():
            return refimpl.dual_lphm_fusion_operator(dims, w, p=p, q=q, r=r, n=n)
    else:
        n, D, p, q = _sides(data, s)
        r = data.draw(dim) if kind == "dual_lphm" else None
        args = (n, D, p, q) if r is None else (n, D, p, q, r)
        w = _w(data, s, lambda: getattr(refimpl, "dual_lphm_l" if r else "duplicated_padding_l")(*args))

        def make():
            return getattr(refimpl, f"{kind}_operator")(w, *args)

    method = data.draw(
        st.sampled_from(
            [
                "toarray",
                "tosparse",
                "@",
                "r@",
                "matmul",
                "rmatmul",
                "T",
                "H",
                "conj",
                "aslinearoperator",
                "contraction_costs",
                "shape",
            ]
        ),
        label="method",
    )
    side = data.draw(st.sampled_from([0, 1]))
    operand = data.draw(st.sampled_from(["x"]))  # drawn once the operator's shape is known, below
    del operand

    def call() -> Any:
        op = make()
        size = op.shape[side] if method in ("@", "matmul", "r@", "rmatmul") else None
        x = _operand(data, s, size)
        if method == "@":
            return op @ (x.T if getattr(x, "ndim", 0) == 2 else x)
        if method == "r@":
            return (x.T if getattr(x, "ndim", 0) == 2 else x) @ op
        if method in ("matmul", "rmatmul"):
            return getattr(op, method)(x)
        if method == "tosparse":
            return (
                op.tosparse(data.draw(st.sampled_from(["csr", "coo", "dia", 1])))
                if hasattr(op, "tosparse")
                else None
            )
        if method == "contraction_costs":
            return op.contraction_costs(data.draw(dim)) if hasattr(op, "contraction_costs") else None
        value = getattr(op, method)
        return value() if callable(value) else value

    return call


def _call_operator_class(data: Any, s: dict[str, Any]) -> Callable[[], Any]:
    """The operator classes constructed directly, with what they document: 2-D blocks or factors
    of NumPy and positive integer block counts (their factories check everything else)."""
    import refimpl

    st, np = s["st"], s["np"]
    arrays = st.tuples(st.integers(1, 4), st.integers(1, 4)).map(np.ones)
    count = st.one_of(s["small"], st.sampled_from([e for e in EDGES if e > 0]))
    p, q = data.draw(count, label="p"), data.draw(count, label="q")
    kind = data.draw(st.sampled_from(["padding", "diagonal", "lphm"]))
    method = data.draw(st.sampled_from(["toarray", "T", "@"]), label="method")

    def call() -> Any:
        if kind == "lphm":
            r = data.draw(s["small"], label="r")  # the factors P, Q, S, T share their r columns
            op = refimpl.DualLphmOperator(np, *(np.ones((data.draw(s["small"]), r)) for _ in range(4)))
        else:
            cls = (
                refimpl.DuplicatedPaddingOperator
                if kind == "padding"
                else refimpl.DuplicatedDiagonalPaddingOperator
            )
            op = cls(np, data.draw(arrays), p, q)
        if method == "@":
            return _operand(data, s, op.shape[0]) @ op
        return op.toarray() if method == "toarray" else op.T

    return call


def _call_reconciliation(data: Any, s: dict[str, Any]) -> Callable[[], Any]:
    import refimpl

    st, dim = s["st"], s["dim"]
    name = data.draw(
        st.sampled_from(
            [
                "duplicated_padding_reconciliation",
                "duplicated_diagonal_padding_reconciliation",
                "dual_lphm_reconciliation",
            ]
        )
    )
    p, q, r, n, D = (data.draw(dim) for _ in range(5))
    kwargs = {"r": r} if name == "dual_lphm_reconciliation" else {}
    method = data.draw(st.sampled_from(["calculate_l", "forward"]))

    def call() -> Any:
        layer = getattr(refimpl, name)(p, q, **kwargs)
        if method == "calculate_l":
            return layer.calculate_l(n, D)
        w = _w(data, s, lambda: layer.calculate_l(n, D))
        return layer.forward(n, D, w, device=data.draw(st.sampled_from(["cpu", "cuda", None, 3])))

    return call


def _call_fusion_class(data: Any, s: dict[str, Any]) -> Callable[[], Any]:
    import refimpl

    st, dim = s["st"], s["dim"]
    r, p = data.draw(dim), data.draw(dim)
    q, n = data.draw(st.one_of(st.none(), dim)), data.draw(st.one_of(st.none(), dim))
    dims = data.draw(st.one_of(st.none(), s["dims"]))
    method = data.draw(st.sampled_from(["calculate_l", "calculate_n", "forward"]))

    def call() -> Any:
        layer = refimpl.dual_lphm_parameterized_concatenation_fusion(r, p, q, n, dims)
        if method != "forward":
            return getattr(layer, method)(data.draw(st.one_of(st.none(), s["dims"])))
        x = _inputs(data, s, dims)
        w = _w(data, s, lambda: layer.calculate_l())
        return layer.forward(x, w)

    return call


def _call_guard(data: Any, s: dict[str, Any], name: str) -> Callable[[], Any]:
    import refimpl

    limit = data.draw(s["st"].one_of(s["dim"], s["st"].none()), label="limit")
    if name == "set_memory_limit":
        return lambda: refimpl.set_memory_limit(limit)

    def within() -> Any:
        with refimpl.memory_limit(limit):
            return refimpl.get_memory_limit()

    return within


def _call_backend(data: Any, s: dict[str, Any]) -> Callable[[], Any]:
    import refimpl

    st = s["st"]
    name = data.draw(
        st.one_of(st.sampled_from(["numpy", "cupy", "torch", "NUMPY", ""]), s["junk"]), label="backend"
    )
    how = data.draw(st.sampled_from(["set", "use"]))

    def call() -> Any:
        if how == "set":
            return refimpl.set_backend(name)
        with refimpl.use_backend(name):
            return refimpl.get_backend()

    return call


# -- the command line -------------------------------------------------------------------------------


def _argv(data: Any, s: dict[str, Any], folder: Path) -> list[str]:
    """A command line: a subcommand (or none, or junk), then options and values in any order."""
    from refimpl.functions import FUNCTIONS

    st = s["st"]
    number = st.one_of(
        s["dim"].map(str), st.sampled_from(["nan", "inf", "-inf", "-1e5", "-.5", "1e400", "0x10", "2.5"])
    )
    paths = st.sampled_from(
        [
            str(folder / name)
            for name in (
                "out.png",
                "noext",
                "folder",
                "set",
                "outputs",
                "missing",
                "file.txt",
                "missing/x.png",
                "out.xyz",
                "new",
            )
        ]
    )
    configs = st.sampled_from(
        [
            '{"n": 4}',
            '{"n": 4, "D": 4, "p": 2, "q": null}',
            '{"n": 4, "D": 4, "p": 2, "z": 1}',
            '{"dims": [2, 2], "p": 2, "r": 1}',
            '{"n": 100000, "D": 100000, "p": 1}',
            "[1]",
            "{",
            '{"n": 9223372036854775808, "D": 2, "p": 1}',
            '{"dims": [2], "p": 2, "r": 1, "m": -1}',
        ]
    )
    function = st.sampled_from([*FUNCTIONS, "nope"])
    value = st.one_of(number, function, paths, configs, st.text(max_size=4))
    command = data.draw(
        st.sampled_from(["demo", "check", "vectors", "plot", "show", "l", "nope", "--version", ""]),
        label="command",
    )
    head = [] if command == "" else [command]
    if command in ("plot", "show", "l"):
        head.append(data.draw(function, label="function"))
    elif command == "check":
        head += data.draw(
            st.lists(
                st.sampled_from(
                    [
                        "refimpl.examples:faithful_dual_lphm",
                        "refimpl_nowhere:f",
                        "refimpl.examples:column_major_dual_lphm",
                        "refimpl:nope",
                        "x",
                    ]
                ),
                max_size=1,
            ),
            label="target",
        )
    elif command == "vectors":
        head += data.draw(
            st.lists(
                st.one_of(st.sampled_from(["write", "verify", "--force", "--no-large", "--json"]), paths),
                max_size=4,
            ),
            label="vectors arguments",
        )
    options = st.sampled_from(
        [
            "--n",
            "--D",
            "--p",
            "--q",
            "--r",
            "--dims",
            "--m",
            "--w",
            "--format",
            "--mistake",
            "-o",
            "--dpi",
            "--function",
            "--config",
            "--examples",
            "--seed",
            "--backend",
            "--dtypes",
            "--max-side",
            "--max-rows",
            "--grad",
            "--json",
            "--plot",
            "--no-large",
        ]
    )
    pairs = data.draw(st.lists(st.tuples(options, st.lists(value, max_size=3)), max_size=6), label="options")
    tail = [token for option, values in pairs for token in (option, *values)]
    if command == "check":  # every check kept short: the oracle's own speed is not what is fuzzed
        tail += ["--examples", "3"]
    return head + tail


@contextlib.contextmanager
def _inside(folder: Path) -> Any:
    """Within: ``folder`` as the current folder (``contextlib.chdir`` is Python 3.11+)."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _call_cli(data: Any, s: dict[str, Any], folder: Path) -> Callable[[], Any]:
    from refimpl.cli import EXIT_STATUSES, main

    argv = _argv(data, s, folder)

    def call() -> Any:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _inside(folder):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse: --help, --version, its errors
                code = 0 if exc.code is None else exc.code
            except Exception as exc:
                raise Undocumented(f"refimpl {argv} raised {type(exc).__name__}: {exc}") from exc
        if code not in EXIT_STATUSES or "Traceback" in err.getvalue():
            raise Undocumented(f"refimpl {argv} exited {code!r}: {err.getvalue()[-2000:]}")
        return code

    return call


#: ``python -m refimpl`` runs, each in its own process (under the same address-space cap).
SUBPROCESS_RUNS = (
    ["show", "duplicated_padding", "--n", "100000", "--D", "100000", "--p", "1"],
    ["show", "duplicated_diagonal_padding", "--n", "1000000000", "--D", "1000000000", "--p", "500000000"],
    ["l", "dual_lphm_fusion", "--dims", str(2**63), str(2**63), "--p", str(2**63), "--r", "1"],
    ["check", "refimpl_nowhere:f", "--function", "dual_lphm"],
    [
        "plot",
        "duplicated_padding",
        "--n",
        "4",
        "--D",
        "4",
        "--p",
        "2",
        "--w",
        "nan",
        "inf",
        "-inf",
        "1",
        "-o",
        "noext",
    ],
    ["vectors", "verify", "missing", "missing"],
    ["show", "concatenation_fusion", "--dims", str(2**31), "--n", str(2**31), "--m", "0"],
)


def _subprocess_runs(folder: Path) -> int:
    from refimpl.cli import EXIT_STATUSES

    for argv in SUBPROCESS_RUNS:
        result = subprocess.run(
            [sys.executable, "-m", "refimpl", *argv],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode not in EXIT_STATUSES or "Traceback" in result.stderr:
            raise Undocumented(
                f"python -m refimpl {argv} exited {result.returncode}: {result.stderr[-2000:]}"
            )
    return len(SUBPROCESS_RUNS)


# -- the worker -------------------------------------------------------------------------------------


def _entry(data: Any, s: dict[str, Any], name: str, folder: Path) -> Callable[[], Any]:
    if name in ("duplicated_padding", "duplicated_diagonal_padding", "dual_lphm"):
        return _call_padding(data, s, name)
    if name in ("dual_lphm_fusion", "concatenation_fusion"):
        return _call_fusion(data, s, name)
    if name.endswith("_l"):
        return _call_l(data, s, name)
    if name in ("set_memory_limit", "memory_limit"):
        return _call_guard(data, s, name)
    if name == "cli":
        return _call_cli(data, s, folder)
    return {
        "operator": _call_operator,
        "operator_class": _call_operator_class,
        "reconciliation": _call_reconciliation,
        "fusion_class": _call_fusion_class,
        "backend": _call_backend,
    }[name](data, s)


def _guarded(name: str, call: Callable[[], Any]) -> Any:
    """Run one call under the time limit; raise :class:`Undocumented` for what it may not raise."""
    import refimpl

    allowed: tuple[type[BaseException], ...] = (TypeError, refimpl.RefimplError)
    if name == "backend":
        allowed += (ImportError,)  # set_backend("cupy") without CuPy: its message says what to install
    signal.setitimer(signal.ITIMER_REAL, PER_CALL)
    try:
        return call()
    except allowed as exc:
        return type(exc).__name__
    except Undocumented:
        raise
    except CallTimeout:
        raise Undocumented(f"{name}: no answer within {PER_CALL} s") from None
    except Exception as exc:
        raise Undocumented(f"{name} raised {type(exc).__name__}: {exc}") from exc
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        refimpl.set_memory_limit(DENSE_LIMIT)  # what the call may have changed
        refimpl.set_backend("numpy")


def _worker(seconds: float) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    import faulthandler

    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hypothesis_seed

    import refimpl
    from refimpl.cli import main

    def timeout(signum: int, frame: Any) -> None:
        raise CallTimeout

    signal.signal(signal.SIGALRM, timeout)
    warnings.simplefilter("ignore")
    s = _strategies()
    calls: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()  # a result, the exception's name, or the command line's exit status
    collect = bool(os.environ.get("REFIMPL_FUZZ_COLLECT"))  # explore: list every finding, unshrunk
    findings: dict[str, list[str]] = {}
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "folder").mkdir()
        (folder / "file.txt").write_text("not a vector set")
        with contextlib.redirect_stdout(io.StringIO()):
            main(["vectors", "write", str(folder / "set"), "--no-large"])
        subprocesses = _subprocess_runs(folder)

        @settings(
            max_examples=50,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        )
        @given(data=s["st"].data())
        def one_call(data: Any) -> None:
            name = data.draw(s["st"].sampled_from(ENTRY_NAMES), label="entry point")
            call = _entry(data, s, name, folder)
            calls[name] += 1
            faulthandler.dump_traceback_later(PER_CALL * 3, exit=True)  # a call stuck in C code
            try:
                outcome = _guarded(name, call)
                outcomes[f"{name}: {outcome if name == 'cli' or isinstance(outcome, str) else 'result'}"] += 1
            except Undocumented as exc:
                if not collect:
                    raise
                where = traceback.extract_tb((exc.__cause__ or exc).__traceback__)[-3:]
                findings.setdefault(str(exc)[:160], [f"{f.filename}:{f.lineno} {f.line}" for f in where])
            finally:
                faulthandler.cancel_dump_traceback_later()

        refimpl.set_memory_limit(DENSE_LIMIT)
        chunk = 0
        while time.monotonic() - start < seconds:
            hypothesis_seed(chunk)(one_call)()
            chunk += 1
    for message, where in findings.items():
        print(message, *where, sep="\n    ")
    print(
        json.dumps(
            {
                "calls": sum(calls.values()),
                "seconds": time.monotonic() - start,
                "findings": len(findings),
                "subprocesses": subprocesses,
                "by_entry": dict(sorted(calls.items())),
                "outcomes": dict(sorted(outcomes.items())),
            }
        )
    )


if __name__ == "__main__":
    _worker(float(sys.argv[1]) if len(sys.argv) > 1 else SECONDS)
