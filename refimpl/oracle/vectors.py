"""Golden vectors: refimpl's answers on disk, for implementations that are not written in Python.

A *vector set* is a directory holding ``manifest.json`` and ``.npy`` files (NumPy format 1.0,
little-endian, C order). Each vector is one call of one function of SPEC: its configuration,
its inputs in one dtype, the expected output (in float64 or complex128) and the error allowed
in each entry of a candidate's output in that dtype. Every vector carries flags naming what it
targets: an edge case of the configuration (``p_ne_q``, ``m_eq_0``, ...) or a mistake from
the catalogue below that it exposes (``exposes:column_major_reshape``, ...), in the spirit of
Wycheproof's test vectors. Every file's SHA-256 is in the manifest, so an edited or corrupted
file is refused before anything is judged.

The format is specified field by field in ``docs/vectors.rst``. The command line is::

    refimpl vectors write DIR [--no-large]
    refimpl vectors verify DIR OUTPUTS [--json]

``verify`` reads ``OUTPUTS/NAME.npy`` for every vector ``NAME`` and judges it with
:func:`refimpl.oracle.tolerance.judge` (shape, dtype and ``nan``/``inf`` placement exactly, values
within the bound); it exits 0 only when every output is present and passes.

The ``exposes:`` flags are computed, not asserted: when the set is written, each catalogued
mistake is applied to the vector's inputs, and the vector is flagged with it only when the
mistaken output fails the same judgement (for a mistake with several variants, such as the
other 23 orders of the four segments of ``w``, only when every variant fails).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import sys
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .registry import get_spec
from .adapters import to_numpy
from .tolerance import Judgement, expected_and_bound, judge
from .._validation import RefimplError

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MISTAKES",
    "TOLERANCE_RULE",
    "Vector",
    "VectorFileError",
    "VectorResult",
    "VerifyReport",
    "add_vectors_parser",
    "read_vectors",
    "run_vectors",
    "verify_vectors",
    "write_vectors",
]

FORMAT = "refimpl-vectors"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"

TOLERANCE_RULE = (
    "An output passes when its shape and dtype equal the vector's, its nan, +inf and -inf "
    "entries are exactly where expected's are, and |actual - expected| <= bound in every other "
    "entry (compared in float64 / complex128). bound = gamma_K(u) * |.|-computation + "
    "gamma_K(2^-53) * |.|-computation + K * smallest_normal, u the unit roundoff of the dtype, "
    "K = rounding_count_K; all zeros for the exact (padding) functions. "
    "See refimpl's docs/vectors.rst and the refimpl.oracle.tolerance module."
)

_DTYPES = {"float32": np.dtype("<f4"), "float64": np.dtype("<f8"), "complex128": np.dtype("<c16")}
_SHORT = {"float32": "f32", "float64": "f64", "complex128": "c128"}
_ABBREVIATION = {
    "duplicated_padding": "dp",
    "duplicated_diagonal_padding": "ddp",
    "dual_lphm": "lphm",
    "dual_lphm_fusion": "lphmf",
    "concatenation_fusion": "cf",
}


class VectorFileError(RefimplError):
    """A vector set that cannot be trusted: a missing, corrupted or edited file, or a bad manifest."""


# --------------------------------------------------------------------------------------------
# The cases


@dataclass(frozen=True)
class _Case:
    function: str
    tag: str
    dtype: str
    config: dict[str, Any]
    large: bool = False
    nonfinite: bool = False

    @property
    def name(self) -> str:
        return f"{_ABBREVIATION[self.function]}_{self.tag}_{_SHORT[self.dtype]}"


def _cases(large: bool) -> list[_Case]:
    """Every vector of the set, in manifest order (the ``large`` ones only when asked)."""
    every = ("float32", "float64", "complex128")
    f64 = ("float64",)
    cases: list[_Case] = []

    def add(function: str, tag: str, dtypes: tuple[str, ...], *, big: bool = False,
            nonfinite: bool = False, **config: Any) -> None:
        if big and not large:
            return
        if "dims" in config:
            config.setdefault("m", 3)
            config.setdefault("batch", [])
        for dtype in dtypes:
            cases.append(_Case(function, tag, dtype, dict(config), big, nonfinite))

    # Duplicated padding: s = n/p, t = D/q.
    dp = "duplicated_padding"
    add(dp, "basic", every, n=6, D=12, p=2, q=3)                      # s=3, t=4
    add(dp, "square", f64, n=6, D=6, p=2, q=2)                        # p == q, a square output
    add(dp, "p1", f64, n=3, D=8, p=1, q=2)                            # p=1
    add(dp, "s1", f64, n=3, D=8, p=3, q=2)                            # s=1 (n == p)
    add(dp, "t1", f64, n=6, D=4, p=2, q=4)                            # t=1 (q == D)
    add(dp, "nonfinite", ("float64", "float32"), nonfinite=True, n=6, D=12, p=2, q=3)
    # Duplicated diagonal padding: kron(eye(p, q), W).
    ddp = "duplicated_diagonal_padding"
    add(ddp, "wide", every, n=6, D=12, p=2, q=3)                      # p < q: a rectangular identity
    add(ddp, "tall", f64, n=12, D=8, p=4, q=2)                        # p > q: two empty block rows
    add(ddp, "square", f64, n=8, D=6, p=2, q=2)
    add(ddp, "p1", f64, n=3, D=12, p=1, q=3)                          # a single block
    add(ddp, "s1", f64, n=3, D=6, p=3, q=2)
    add(ddp, "t1", f64, n=6, D=3, p=2, q=3)
    add(ddp, "nonfinite", ("float64", "float32"), nonfinite=True, n=6, D=12, p=2, q=3)
    add(ddp, "large", ("float32",), big=True, n=1024, D=1024, p=4, q=4)  # s = t = 256
    # Dual-LPHM: P (p, r), Q (q, r), S (n/p, r), T (D/q, r).
    lphm = "dual_lphm"
    add(lphm, "basic", every, n=6, D=8, p=2, q=4, r=2)                # s=3, t=2
    add(lphm, "square", f64, n=6, D=6, p=3, q=3, r=2)
    add(lphm, "p1", f64, n=4, D=6, p=1, q=2, r=2)
    add(lphm, "s1", f64, n=3, D=8, p=3, q=2, r=2)
    add(lphm, "t1", f64, n=6, D=4, p=2, q=4, r=2)
    add(lphm, "r1", f64, n=6, D=8, p=2, q=4, r=1)
    # Dual-LPHM fusion: (R, C) = (N, n), p | N, q | n.
    lf = "dual_lphm_fusion"
    add(lf, "basic", every, dims=[2, 4], n=6, p=3, q=2, r=2)          # N=6: S (2, r), T (3, r)
    add(lf, "equal", f64, dims=[3, 3, 3], n=None, p=3, q=1, r=2, m=2)  # n omitted: n = 3
    add(lf, "k1", f64, dims=[4], n=6, p=2, q=3, r=2)
    add(lf, "m0", ("float64", "float32"), dims=[2, 4], n=6, p=3, q=2, r=2, m=0)
    add(lf, "batch", f64, dims=[2, 4], n=6, p=3, q=2, r=2, m=2, batch=[2, 3])
    add(lf, "p1", f64, dims=[1, 3], n=4, p=1, q=2, r=2)
    add(lf, "s1t1", f64, dims=[2, 1], n=2, p=3, q=2, r=2)            # N == p, n == q
    add(lf, "large", ("float32", "float64"), big=True, dims=[256, 768], n=1024, p=8, q=4, r=4, m=16)
    # Plain concatenation fusion: W = reshape(w, (N, n)).
    cf = "concatenation_fusion"
    add(cf, "basic", every, dims=[2, 3], n=4)
    add(cf, "equal", f64, dims=[2, 2, 2], n=None)
    add(cf, "k1", f64, dims=[3], n=5, m=2)
    add(cf, "m0", f64, dims=[2, 3], n=4, m=0)
    add(cf, "batch", ("float64", "complex128"), dims=[2, 3], n=4, m=2, batch=[2, 2])
    add(cf, "large", ("float32",), big=True, dims=[256, 256], n=512, m=8)
    return cases


def _random(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    values = rng.uniform(-1.0, 1.0, shape)
    if dtype == "complex128":
        values = values + 1j * rng.uniform(-1.0, 1.0, shape)
    return values.astype(_DTYPES[dtype])


def _case_inputs(case: _Case) -> dict[str, Any]:
    """The vector's inputs in its dtype: ``w`` index-tagged for the padding functions, random otherwise."""
    spec = get_spec(case.function)
    l = spec.l(case.config)
    rng = np.random.default_rng(zlib.crc32(case.name.encode()))
    if spec.exact:
        w = np.arange(1.0, l + 1.0)
        if case.dtype == "complex128":
            w = w + 1j * (w + l)  # every real and imaginary part distinct
        if case.nonfinite:
            w[1], w[2], w[3] = np.inf, -np.inf, np.nan
        w = w.astype(_DTYPES[case.dtype])
    else:
        w = _random(rng, (l,), case.dtype)
    if not spec.is_fusion:
        return {"w": w}
    lead = (*case.config["batch"], case.config["m"])
    return {"w": w, "inputs": [_random(rng, (*lead, width), case.dtype) for width in case.config["dims"]]}


# --------------------------------------------------------------------------------------------
# The catalogue of mistakes the "exposes:" flags name


# Each mistake maps (w, config) (the matrices) or (inputs, config) (the fusions), in float64 or
# complex128, to a list of variants: callables that compute the mistaken output (or raise when the
# mistaken reading cannot run on this configuration, which a test also catches).
_Variants = list[Callable[[], np.ndarray]]


def _pad_matrix(w: np.ndarray, c: dict[str, Any], *, order: str = "C", exchanged: bool = False) -> np.ndarray:
    p, q = (c["q"], c["p"]) if exchanged else (c["p"], c["q"])
    if c["n"] % p or c["D"] % q:
        raise ValueError("not divisible")
    return w.reshape((c["n"] // p, c["D"] // q), order=order)


def _padding_mistakes(diagonal: bool) -> dict[str, Callable[[np.ndarray, dict[str, Any]], _Variants]]:
    def base(c: dict[str, Any], *, exchanged: bool = False) -> np.ndarray:
        p, q = (c["q"], c["p"]) if exchanged else (c["p"], c["q"])
        return np.eye(p, q) if diagonal else np.ones((p, q))

    def correct(w: np.ndarray, c: dict[str, Any]) -> np.ndarray:
        name = "duplicated_diagonal_padding" if diagonal else "duplicated_padding"
        return to_numpy(get_spec(name).call(c, {"w": w}))

    out: dict[str, Callable[[np.ndarray, dict[str, Any]], _Variants]] = {
        "column_major_reshape": lambda w, c: [lambda: np.kron(base(c), _pad_matrix(w, c, order="F"))],
        "kron_operands_swapped": lambda w, c: [lambda: np.kron(_pad_matrix(w, c), base(c))],
        "kron_as_reshaped_outer": lambda w, c: [
            lambda: np.outer(base(c).ravel(), _pad_matrix(w, c).ravel()).reshape(c["n"], c["D"])
        ],
        "p_q_exchanged": lambda w, c: [
            lambda: np.kron(base(c, exchanged=True), _pad_matrix(w, c, exchanged=True))
        ],
        "output_transposed": lambda w, c: [lambda: correct(w, c).T],
    }
    if diagonal:
        out["ones_for_identity"] = lambda w, c: [
            lambda: np.kron(np.ones((c["p"], c["q"])), _pad_matrix(w, c))
        ]
        # kron(eye, W) by multiplication: 0 * inf = nan off the diagonal blocks.
        out["zero_times_w"] = lambda w, c: [lambda: np.kron(np.eye(c["p"], c["q"]), _pad_matrix(w, c))]
    else:
        out["identity_for_ones"] = lambda w, c: [lambda: np.kron(np.eye(c["p"], c["q"]), _pad_matrix(w, c))]
    return out


def _lphm_weight(
    w: np.ndarray, R: int, C: int, p: int, q: int, r: int, *, order: str = "C",
    segments: tuple[int, ...] = (0, 1, 2, 3), transposed: int | None = None,
    exchanged: bool = False, swapped: bool = False, outer: bool = False,
) -> np.ndarray:
    """``kron(P Q^T, S T^T)`` read from ``w``, with the requested mistakes."""
    if exchanged:
        p, q = q, p
    if R % p or C % q:
        raise ValueError("not divisible")
    rows = (p, q, R // p, C // q)
    if r * sum(rows) != w.size:
        raise ValueError("wrong length")
    factors: list[Any] = [None] * 4
    offset = 0
    for f in segments:  # the order in which the reader takes the segments of w
        segment = w[offset : offset + rows[f] * r]
        offset += rows[f] * r
        if f == transposed:  # read as (r, rows) where (rows, r) is meant
            factors[f] = segment.reshape((r, rows[f]), order=order).T
        else:
            factors[f] = segment.reshape((rows[f], r), order=order)
    P, Q, S, T = factors
    left, right = P @ Q.T, S @ T.T
    if swapped:
        left, right = right, left
    if outer:
        return np.outer(left.ravel(), right.ravel()).reshape(R, C)
    return np.kron(left, right)


_ORDERS = [perm for perm in itertools.permutations(range(4)) if perm != (0, 1, 2, 3)]

_WEIGHT_MISTAKES: dict[str, list[dict[str, Any]]] = {
    "column_major_reshape": [{"order": "F"}],
    "segment_order": [{"segments": perm} for perm in _ORDERS],  # the 23 other orders of P, Q, S, T
    "factor_transposed": [{"transposed": f} for f in range(4)],  # any one factor read as (r, x)
    "kron_operands_swapped": [{"swapped": True}],
    "kron_as_reshaped_outer": [{"outer": True}],
    "p_q_exchanged": [{"exchanged": True}],
}


def _lphm_mistakes() -> dict[str, Callable[[np.ndarray, dict[str, Any]], _Variants]]:
    def weight(kwargs: list[dict[str, Any]]) -> Callable[[np.ndarray, dict[str, Any]], _Variants]:
        return lambda w, c: [
            lambda k=k: _lphm_weight(w, c["n"], c["D"], c["p"], c["q"], c["r"], **k) for k in kwargs
        ]

    out = {name: weight(kwargs) for name, kwargs in _WEIGHT_MISTAKES.items()}
    out["output_transposed"] = lambda w, c: [
        lambda: _lphm_weight(w, c["n"], c["D"], c["p"], c["q"], c["r"]).T
    ]
    return out


def _interleaved(inputs: list[np.ndarray]) -> np.ndarray:
    """The columns of the inputs taken in turn (A_1[:, 0], A_2[:, 0], ..., A_1[:, 1], ...)."""
    widest = max(a.shape[-1] for a in inputs)
    columns = [a[..., j : j + 1] for j in range(widest) for a in inputs if j < a.shape[-1]]
    return np.concatenate(columns, axis=-1)


def _rows_joined(inputs: list[np.ndarray]) -> np.ndarray:
    """The inputs joined along the rows (axis -2), then reshaped row-major to ``(..., m, N)``."""
    X = np.concatenate(inputs, axis=-2)
    return X.reshape((*inputs[0].shape[:-1], sum(a.shape[-1] for a in inputs)))


def _fusion_mistakes(structured: bool) -> dict[str, Callable[[dict[str, Any], dict[str, Any]], _Variants]]:
    def W(w: np.ndarray, c: dict[str, Any], **k: Any) -> np.ndarray:
        N, n = sum(c["dims"]), c["n"] if c.get("n") is not None else c["dims"][0]
        if structured:
            return _lphm_weight(w, N, n, c["p"], c["q"], c["r"], **k)
        return w.reshape((N, n), order=k.get("order", "C"))

    def X(i: dict[str, Any]) -> np.ndarray:
        return np.concatenate(i["inputs"], axis=-1)

    def weight(kwargs: list[dict[str, Any]]) -> Callable[[dict[str, Any], dict[str, Any]], _Variants]:
        return lambda i, c: [lambda k=k: X(i) @ W(i["w"], c, **k) for k in kwargs]

    names = list(_WEIGHT_MISTAKES) if structured else ["column_major_reshape"]
    out = {name: weight(_WEIGHT_MISTAKES[name]) for name in names}
    out["interleaved_concatenation"] = lambda i, c: [lambda: _interleaved(i["inputs"]) @ W(i["w"], c)]
    out["concatenation_wrong_axis"] = lambda i, c: [lambda: _rows_joined(i["inputs"]) @ W(i["w"], c)]
    out["concatenation_reversed"] = lambda i, c: [
        lambda: np.concatenate(i["inputs"][::-1], axis=-1) @ W(i["w"], c)
    ]
    out["weight_transposed"] = lambda i, c: [lambda: X(i) @ W(i["w"], c).T]
    out["output_transposed"] = lambda i, c: [lambda: np.swapaxes(X(i) @ W(i["w"], c), -1, -2)]
    return out


_CATALOGUE: dict[str, dict[str, Callable[[Any, dict[str, Any]], _Variants]]] = {
    "duplicated_padding": _padding_mistakes(False),
    "duplicated_diagonal_padding": _padding_mistakes(True),
    "dual_lphm": _lphm_mistakes(),
    "dual_lphm_fusion": _fusion_mistakes(True),
    "concatenation_fusion": _fusion_mistakes(False),
}

#: The catalogued mistakes of each function, by the names the ``exposes:`` flags use.
MISTAKES: dict[str, tuple[str, ...]] = {f: tuple(sorted(m)) for f, m in _CATALOGUE.items()}


def _fails(
    variant: Callable[[], np.ndarray], expected: np.ndarray, bound: np.ndarray, dtype: np.dtype[Any]
) -> bool:
    try:
        with np.errstate(all="ignore"):
            output = variant()
            return not judge(output.astype(dtype), expected, bound, dtype=dtype).passed
    except ValueError:  # the mistaken reading cannot even run on this configuration
        return True


def _exposed(case: _Case, wide: dict[str, Any], expected: np.ndarray, bound: np.ndarray) -> list[str]:
    """The catalogued mistakes whose every variant fails this vector's judgement."""
    dtype = _DTYPES[case.dtype]
    data = wide if get_spec(case.function).is_fusion else wide["w"]
    return [
        f"exposes:{name}"
        for name, mistake in _CATALOGUE[case.function].items()
        if all(_fails(variant, expected, bound, dtype) for variant in mistake(data, case.config))
    ]


def _edge_flags(case: _Case) -> list[str]:
    c = case.config
    spec = get_spec(case.function)
    flags = []
    if spec.is_fusion:
        dims = c["dims"]
        n = c["n"] if c.get("n") is not None else dims[0]
        R, C = sum(dims), n
        flags += ["k_eq_1"] if len(dims) == 1 else []
        flags += ["unequal_widths"] if len(set(dims)) > 1 else []
        flags += ["n_omitted"] if c.get("n") is None else []
        flags += ["m_eq_0"] if c["m"] == 0 else []
        flags += ["batch"] if c["batch"] else []
    else:
        R, C = c["n"], c["D"]
    if "p" in c:
        p, q = c["p"], c["q"]
        s, t = R // p, C // q
        flags.append("p_ne_q" if p != q else "p_eq_q")
        hits = (("p_eq_1", p == 1), ("q_eq_1", q == 1), ("s_eq_1", s == 1), ("t_eq_1", t == 1))
        flags += [name for name, hit in hits if hit]
        if not spec.is_fusion and q == C:
            flags.append("q_eq_D")
        if case.function == "duplicated_diagonal_padding" and p != q:
            flags.append("rectangular_identity")
    if c.get("r") == 1:
        flags.append("r_eq_1")
    if case.nonfinite:
        flags.append("nonfinite")
    if case.large:
        flags.append("large")
    return flags


# --------------------------------------------------------------------------------------------
# Writing


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _save(path: Path, array: np.ndarray) -> None:
    """``array`` as a NumPy format 1.0 file: little-endian, C order, no pickles."""
    array = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    with open(path, "wb") as f:
        np.lib.format.write_array(f, array, version=(1, 0), allow_pickle=False)


def _json_config(config: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, (tuple, list)) else v for k, v in config.items()}


def write_vectors(directory: str | os.PathLike[str], *, large: bool = True) -> Path:
    """Write the golden vector set (``manifest.json`` and ``.npy`` files) into ``directory``.

    Parameters
    ----------
    directory : str or path
        Created if missing; files of the same names are overwritten.
    large : bool, default True
        Include the large vectors (a 1024 x 1024 diagonal padding, fusions with ``N = n = 1024``
        and ``N*n = 2**18``); without them the set is about 100 kB.

    Returns
    -------
    Path
        The path of the manifest.

    Examples
    --------
    >>> import json, tempfile
    >>> from refimpl.oracle.vectors import write_vectors
    >>> with tempfile.TemporaryDirectory() as d:
    ...     manifest = json.loads(write_vectors(d, large=False).read_text())
    >>> manifest["format"], manifest["format_version"]
    ('refimpl-vectors', 1)
    >>> v = manifest["vectors"][0]
    >>> v["name"], v["function"], v["config"], v["dtype"]
    ('dp_basic_f32', 'duplicated_padding', {'n': 6, 'D': 12, 'p': 2, 'q': 3}, 'float32')
    """
    from .. import __version__

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    entries = []
    for case in _cases(large):
        spec = get_spec(case.function)
        dtype = _DTYPES[case.dtype]
        inputs = _case_inputs(case)
        expected, bound, K = expected_and_bound(spec, case.config, inputs, dtype)
        wide = {"w": inputs["w"].astype(expected.dtype)}
        if "inputs" in inputs:
            wide["inputs"] = [a.astype(expected.dtype) for a in inputs["inputs"]]
        flags = _edge_flags(case) + _exposed(case, wide, expected, bound)
        files = {"w": f"{case.name}.w.npy"}
        arrays = {files["w"]: inputs["w"]}
        if spec.is_fusion:
            files["inputs"] = [f"{case.name}.A{i}.npy" for i in range(len(inputs["inputs"]))]
            arrays.update(zip(files["inputs"], inputs["inputs"]))
        arrays[f"{case.name}.expected.npy"] = expected
        arrays[f"{case.name}.bound.npy"] = bound.astype(np.float64)
        for file_name, array in arrays.items():
            _save(directory / file_name, array)
        entries.append({
            "name": case.name,
            "function": case.function,
            "config": _json_config(case.config),
            "dtype": case.dtype,
            "output_shape": list(expected.shape),
            "flags": flags,
            "inputs": files,
            "expected": f"{case.name}.expected.npy",
            "bound": f"{case.name}.bound.npy",
            "exact": spec.exact,
            "rounding_count_K": int(K),
            "sha256": {file_name: _sha256(directory / file_name) for file_name in arrays},
        })
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "refimpl_version": __version__,
        "large": large,
        "tolerance_rule": TOLERANCE_RULE,
        "vectors": entries,
    }
    path = directory / MANIFEST
    path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Reading


@dataclass
class Vector:
    """One golden vector read back from disk: its manifest entry and its arrays.

    Attributes
    ----------
    name, function, dtype : str
        As in the manifest.
    config : dict
        The configuration (``batch`` as a tuple).
    flags : list of str
        What the vector targets.
    inputs : dict
        ``{"w": w}``, or ``{"w": w, "inputs": [A_1, ..., A_k]}`` for the fusions, in ``dtype``.
    expected, bound : numpy.ndarray
        The float64 (complex128) reference and the allowed absolute error of each entry.
    exact : bool
        ``True`` for the padding functions (``bound`` is all zeros).
    K : int
        The rounding count the bound was derived from.
    """

    name: str
    function: str
    config: dict[str, Any]
    dtype: str
    flags: list[str]
    inputs: dict[str, Any]
    expected: np.ndarray
    bound: np.ndarray
    exact: bool
    K: int

    def reference_output(self) -> np.ndarray:
        """Refimpl's own output on the vector's inputs, in the vector's dtype (dense).

        Returns
        -------
        numpy.ndarray
            What a correct implementation writes as ``OUTPUTS/NAME.npy``.
        """
        return to_numpy(get_spec(self.function).call(self.config, self.inputs))


def _load_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise VectorFileError(
            f"{path} does not exist: not a vector set (write one with `refimpl vectors write`)"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VectorFileError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        got = manifest.get("format") if isinstance(manifest, dict) else manifest
        raise VectorFileError(f"{path}: format must be {FORMAT!r}, got {got!r}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise VectorFileError(
            f"{path}: format_version must be {FORMAT_VERSION}, got {manifest.get('format_version')!r}"
        )
    names = [v.get("name") for v in manifest.get("vectors", [])]
    if len(set(names)) != len(names):
        raise VectorFileError(f"{path}: vector names must be unique")
    return manifest


def _check_hashes(directory: Path, entry: dict[str, Any]) -> None:
    files = [entry["inputs"]["w"], *entry["inputs"].get("inputs", []), entry["expected"], entry["bound"]]
    hashes = entry.get("sha256", {})
    for file_name in files:
        if file_name not in hashes:
            raise VectorFileError(f"vector {entry['name']}: the manifest has no sha256 for {file_name}")
    for file_name, digest in hashes.items():
        path = directory / file_name
        if Path(file_name).name != file_name:
            raise VectorFileError(f"vector {entry['name']}: file name {file_name!r} is not a plain file name")
        if not path.is_file():
            raise VectorFileError(f"vector {entry['name']}: file {path} is missing")
        actual = _sha256(path)
        if actual != digest:
            raise VectorFileError(
                f"vector {entry['name']}: file {path} is corrupted or edited: its sha256 is {actual}, "
                f"the manifest says {digest}"
            )


def _load(path: Path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise VectorFileError(f"{path} is not a readable .npy file: {exc}") from None


def read_vectors(directory: str | os.PathLike[str]) -> list[Vector]:
    """Read a vector set back, after checking the SHA-256 of every file against the manifest.

    Parameters
    ----------
    directory : str or path
        A directory written by :func:`write_vectors`.

    Returns
    -------
    list of Vector
        In manifest order.

    Raises
    ------
    VectorFileError
        If the manifest is missing or malformed, or a file is missing or does not match its hash
        (the message names the file).

    Examples
    --------
    >>> import tempfile
    >>> from refimpl.oracle.vectors import read_vectors, write_vectors
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = write_vectors(d, large=False)
    ...     vectors = read_vectors(d)
    >>> v = vectors[0]
    >>> v.name, v.inputs["w"].dtype, v.expected.dtype, v.exact
    ('dp_basic_f32', dtype('float32'), dtype('float64'), True)
    """
    directory = Path(directory)
    manifest = _load_manifest(directory)
    for entry in manifest["vectors"]:  # every hash first, before anything is read
        _check_hashes(directory, entry)
    vectors = []
    for entry in manifest["vectors"]:
        config = dict(entry["config"])
        if "batch" in config:
            config["batch"] = tuple(config["batch"])
        inputs: dict[str, Any] = {"w": _load(directory / entry["inputs"]["w"])}
        if "inputs" in entry["inputs"]:
            inputs["inputs"] = [_load(directory / f) for f in entry["inputs"]["inputs"]]
        vectors.append(Vector(
            entry["name"], entry["function"], config, entry["dtype"], list(entry["flags"]), inputs,
            _load(directory / entry["expected"]), _load(directory / entry["bound"]),
            bool(entry["exact"]), int(entry["rounding_count_K"]),
        ))
    return vectors


# --------------------------------------------------------------------------------------------
# Verifying


@dataclass
class VectorResult:
    """The verdict on one vector's output.

    Attributes
    ----------
    name, function, dtype : str
        The vector's.
    flags : list of str
        The vector's flags.
    status : {"pass", "fail", "missing", "unreadable"}
        ``"missing"``: no output was given; ``"unreadable"``: the output file is not a ``.npy`` array.
    message : str
        The judgement's summary (``"pass"``, or what is wrong).
    error, allowed : float or None
        The worst entry's absolute error and its bound: for a failure the entry that exceeds
        its bound the most, for a pass the entry closest to its bound (relative to it);
        ``None`` when no entry was compared (a structural failure, or an empty output).
    judgement : Judgement or None
        The full :class:`refimpl.oracle.tolerance.Judgement`.
    """

    name: str
    function: str
    dtype: str
    flags: list[str]
    status: str
    message: str = ""
    error: float | None = None
    allowed: float | None = None
    judgement: Judgement | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        """``True`` when the output is present and within its bound."""
        return self.status == "pass"

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data.

        Returns
        -------
        dict
            ``name, function, dtype, flags, status, message, error, allowed``, and
            ``wrong, total`` (entries off, entries) when the output was judged.
        """
        keys = ("name", "function", "dtype", "flags", "status", "message", "error", "allowed")
        out = {k: getattr(self, k) for k in keys}
        if self.judgement is not None:
            out.update(wrong=self.judgement.wrong, total=self.judgement.total)
        return out


@dataclass
class VerifyReport:
    """The verdict on a directory of outputs: one :class:`VectorResult` per vector.

    Attributes
    ----------
    results : list of VectorResult
        In manifest order.
    directory : str
        The vector set.
    outputs : str
        Where the outputs came from.
    """

    results: list[VectorResult]
    directory: str = ""
    outputs: str = ""

    @property
    def passed(self) -> bool:
        """``True`` when every vector's output is present and passes."""
        return bool(self.results) and all(r.passed for r in self.results)

    def counts(self) -> dict[str, int]:
        """How many vectors have each status.

        Returns
        -------
        dict
            ``{"pass": ..., "fail": ..., "missing": ..., "unreadable": ...}``.
        """
        out = {"pass": 0, "fail": 0, "missing": 0, "unreadable": 0}
        for r in self.results:
            out[r.status] += 1
        return out

    def consistent_mistakes(self) -> dict[str, list[str]]:
        """For each function with a failure, the catalogued mistakes that fit its failures.

        A hint, not a diagnosis: the mistakes (named without ``exposes:``) that the function's
        every failed vector exposes and none of its passed vectors does, so that the mistake
        would explain exactly which of its vectors failed. Functions where nothing fits are left out.

        Returns
        -------
        dict
            ``{function: sorted mistake names}``.
        """
        out = {}
        for function in dict.fromkeys(r.function for r in self.results):
            mine = [r for r in self.results if r.function == function]
            failed = [set(r.flags) for r in mine if r.status in ("fail", "unreadable")]
            if not failed:
                continue
            passed = set().union(*[set(r.flags) for r in mine if r.passed])
            common = set.intersection(*failed) - passed
            fits = sorted(f.removeprefix("exposes:") for f in common if f.startswith("exposes:"))
            if fits:
                out[function] = fits
        return out

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data.

        Returns
        -------
        dict
            ``passed, counts, consistent_mistakes, directory, outputs, results``.
        """
        return {
            "passed": self.passed,
            "counts": self.counts(),
            "consistent_mistakes": self.consistent_mistakes(),
            "directory": self.directory,
            "outputs": self.outputs,
            "results": [r.to_dict() for r in self.results],
        }

    def __str__(self) -> str:
        def number(x: float | None) -> str:
            return "-" if x is None else f"{x:.3g}"

        def targets(flags: list[str]) -> str:
            edges = [f for f in flags if not f.startswith("exposes:")]
            mistakes = len(flags) - len(edges)
            return ",".join(edges + ([f"+{mistakes} mistakes"] if mistakes else [])) or "-"

        header = ("result", "name", "function", "dtype", "worst error", "bound", "flags")
        rows = [
            (r.status.upper(), r.name, r.function, r.dtype, number(r.error), number(r.allowed),
             targets(r.flags))
            for r in self.results
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]

        def line(row: tuple[str, ...]) -> str:
            return "  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1]

        c = self.counts()
        summary = (
            f"{'PASS' if self.passed else 'FAIL'}: {len(self.results)} vectors: {c['pass']} passed, "
            f"{c['fail']} failed, {c['missing']} missing, {c['unreadable']} unreadable"
        )
        parts = [f"refimpl vectors verify {self.directory} {self.outputs}".rstrip(), line(header)]
        parts += [line(row) for row in rows]
        problems = [f"  {r.name}: {r.message}" for r in self.results if not r.passed]
        if problems:
            parts += ["", "problems:", *problems]
        fits = self.consistent_mistakes()
        if fits:
            parts += ["", "catalogued mistakes that fit exactly which vectors failed:"]
            parts += [f"  {function}: {', '.join(names)}" for function, names in fits.items()]
        parts += ["", summary]
        return "\n".join(parts)


def _worst_passing(
    actual: np.ndarray, expected: np.ndarray, bound: np.ndarray
) -> tuple[float | None, float | None]:
    """The entry closest to its bound, relative to it, in an output that passed."""
    finite = np.isfinite(expected)
    if not np.any(finite):
        return None, None
    with np.errstate(all="ignore"):
        error = np.where(finite, np.abs(actual.astype(expected.dtype) - expected), 0.0)
        ratio = np.where(bound > 0, error / np.where(bound > 0, bound, 1.0), np.where(error > 0, np.inf, 0.0))
    index = np.unravel_index(int(np.argmax(np.where(finite, ratio, -1.0))), expected.shape)
    return float(error[index]), float(bound[index])


def _read_output(outputs: Any, name: str) -> tuple[str, Any]:
    """``("ok", array)``, ``("missing", None)`` or ``("unreadable", message)``."""
    if isinstance(outputs, Mapping):
        return ("ok", to_numpy(outputs[name])) if name in outputs else ("missing", None)
    path = Path(outputs) / f"{name}.npy"
    if not path.is_file():
        return "missing", None
    try:
        a = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        return "unreadable", f"{path} is not a readable .npy file: {exc}"
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))  # a big-endian file: the same values, native order
    return "ok", a


def verify_vectors(
    directory: str | os.PathLike[str], outputs: str | os.PathLike[str] | Mapping[str, Any]
) -> VerifyReport:
    """Judge another implementation's outputs against a golden vector set.

    Every file's SHA-256 is checked first; then each vector's output ``OUTPUTS/NAME.npy`` is
    judged by :func:`refimpl.oracle.tolerance.judge`: shape, dtype and ``nan``/``inf`` placement
    exactly, every other entry within ``bound`` of ``expected``.

    Parameters
    ----------
    directory : str or path
        The vector set (from :func:`write_vectors`).
    outputs : str or path, or mapping
        A directory holding ``NAME.npy`` for each vector ``NAME``, or a mapping from vector
        names to arrays (any array library). Outputs of no vector are ignored.

    Returns
    -------
    VerifyReport
        One result per vector; a vector with no output is ``"missing"`` (never a pass).

    Raises
    ------
    VectorFileError
        If the manifest is malformed, or a vector file is missing or does not match its hash.

    Examples
    --------
    >>> import tempfile
    >>> from refimpl.oracle.vectors import read_vectors, verify_vectors, write_vectors
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = write_vectors(d, large=False)
    ...     outputs = {v.name: v.reference_output() for v in read_vectors(d)}
    ...     report = verify_vectors(d, outputs)
    ...     del outputs["dp_basic_f32"]
    ...     partial = verify_vectors(d, outputs)
    >>> report.passed, partial.passed, partial.results[0].status
    (True, False, 'missing')
    """
    directory = Path(directory)
    vectors = read_vectors(directory)
    results = []
    for v in vectors:
        status, got = _read_output(outputs, v.name)
        if status != "ok":
            message = "no output" if status == "missing" else got
            results.append(VectorResult(v.name, v.function, v.dtype, v.flags, status, message))
            continue
        dtype = _DTYPES[v.dtype]
        with np.errstate(invalid="ignore", over="ignore"):  # inf - inf where inf is expected
            verdict = judge(got, v.expected, v.bound, dtype=dtype, K=v.K, exact=v.exact)
        if verdict.passed:
            error, allowed = _worst_passing(got, v.expected, v.bound)
        elif verdict.worst:
            error, allowed = verdict.worst["error"], verdict.worst["allowed"]
        else:
            error = allowed = None
        results.append(VectorResult(
            v.name, v.function, v.dtype, v.flags, "pass" if verdict.passed else "fail",
            verdict.summary(), error, allowed, verdict,
        ))
    where = "(in memory)" if isinstance(outputs, Mapping) else str(outputs)
    return VerifyReport(results, str(directory), where)


# --------------------------------------------------------------------------------------------
# The command line


def add_vectors_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``vectors write DIR [--no-large]`` and ``vectors verify DIR OUTPUTS [--json]``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers()`` returned.

    Returns
    -------
    argparse.ArgumentParser
        The ``vectors`` parser; its namespace has ``vectors_command`` and ``handler``
        (:func:`run_vectors`).

    Examples
    --------
    >>> import argparse
    >>> from refimpl.oracle.vectors import add_vectors_parser
    >>> parser = argparse.ArgumentParser(prog="refimpl")
    >>> _ = add_vectors_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["vectors", "write", "out", "--no-large"])
    >>> args.command, args.vectors_command, args.directory, args.large
    ('vectors', 'write', 'out', False)
    """
    parser = subparsers.add_parser(
        "vectors",
        help="write golden vectors, or verify another implementation's outputs against them",
        description="Golden vectors for implementations outside Python: a JSON manifest and .npy "
        "files (format in refimpl's docs/vectors.rst).",
    )
    sub = parser.add_subparsers(dest="vectors_command", required=True)
    write = sub.add_parser("write", help="write the vector set into DIR")
    write.add_argument("directory", metavar="DIR")
    write.add_argument("--no-large", dest="large", action="store_false", help="leave out the large vectors")
    verify = sub.add_parser(
        "verify", help="judge OUTPUTS/NAME.npy against each vector NAME of DIR; exit 0 only if all pass"
    )
    verify.add_argument("directory", metavar="DIR")
    verify.add_argument("outputs", metavar="OUTPUTS")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run_vectors)
    return parser


def run_vectors(args: argparse.Namespace) -> int:
    """Run ``refimpl vectors write`` or ``refimpl vectors verify``; return the exit status.

    Parameters
    ----------
    args : argparse.Namespace
        As parsed by the parser of :func:`add_vectors_parser`.

    Returns
    -------
    int
        0: written, or every output present and passing; 1: an output failed or is missing;
        2: the vector set was refused (a hash mismatch, a missing file, a bad manifest).

    Examples
    --------
    >>> import argparse, tempfile
    >>> from refimpl.oracle.vectors import add_vectors_parser, run_vectors
    >>> parser = argparse.ArgumentParser(prog="refimpl")
    >>> _ = add_vectors_parser(parser.add_subparsers(dest="command"))
    >>> with tempfile.TemporaryDirectory() as d:  # doctest: +ELLIPSIS
    ...     run_vectors(parser.parse_args(["vectors", "write", d, "--no-large"]))
    wrote ... vectors (... kB) to ...
    0
    """
    try:
        if args.vectors_command == "write":
            path = write_vectors(args.directory, large=args.large)
            manifest = json.loads(path.read_text(encoding="utf-8"))
            size = sum((path.parent / f).stat().st_size for v in manifest["vectors"] for f in v["sha256"])
            size += path.stat().st_size
            unit = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"
            print(f"wrote {len(manifest['vectors'])} vectors ({unit}) to {path.parent}")
            return 0
        report = verify_vectors(args.directory, args.outputs)
    except (RefimplError, OSError) as exc:
        print(f"refimpl: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report.to_dict(), indent=1) if args.json else report)
    return 0 if report.passed else 1
