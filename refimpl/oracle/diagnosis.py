"""Diagnosis of a wrong output: which catalogued implementation mistake reproduces it.

Implementations of Kronecker-structured matrices go wrong in a handful of recurring ways. Each
way is a change to one *stage* of the computation, so the mistaken outputs are built here as a
small pipeline whose stages each have a correct setting and a few mistaken ones:

==============  ================================================================================
stage           mistakes (each named in plain words in :class:`Diagnosis`)
==============  ================================================================================
``concat``      fusions: the inputs concatenated with their columns interleaved (stacked on a new
                last axis, then flattened); the inputs joined in reverse order
``pq``          ``p`` and ``q`` exchanged (where the divisions, and the length of ``w``, still work)
``order``       Dual-LPHM: the segments of ``w`` cut in another order than ``[P, Q, S, T]``, the
                cut positions following the permuted lengths
``layout``      column-major instead of row-major reshape of ``w`` (padding, plain fusion), or of
                every segment of ``w`` at once, or of one factor alone ("Q read as (r, q)")
``ones``        padding: ones in place of the identity, or the identity in place of ones
``swap``        the Kronecker operands swapped: ``kron(W, I)``, ``kron(S T^T, P Q^T)``
``outer``       the flattened outer product of the two factors reshaped to the output shape
                instead of their Kronecker product
``weight_T``    ``dual_lphm_fusion``: the weight transposed (when it is square)
``transpose``   the output transposed (its last two axes)
==============  ================================================================================

:func:`diagnose` builds, in float64 (complex128) from the candidate's own inputs, the output of
every single mistake and of every pair of mistakes from two different stages, and reports those
that reproduce the candidate's output under the oracle's rule: the bound of
:func:`refimpl.oracle.tolerance.expected_and_bound` for the candidate's dtype, with the magnitude taken
from the mistaken computation itself (exact equality for the padding functions). A pair is not
reported when one of its two mistakes already reproduces the output alone.

For the padding functions, which only copy entries of ``w``, a ``w`` with distinct entries (say
``1..l``) lets the output be decoded: each entry tells which entry of ``w`` it holds, and the
first misplaced entries are reported as ``entry (i, j) holds w[k], expected w[k']``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse

from .registry import FunctionSpec, get_spec
from .adapters import to_numpy
from .tolerance import expected_and_bound

__all__ = ["Diagnosis", "catalogue", "diagnose"]

#: The stages of the pipeline, in the order the computation goes through them (and names join).
STAGES = ("concat", "pq", "order", "layout", "ones", "swap", "outer", "weight_T", "transpose")


@dataclass(frozen=True)
class Mistake:
    """One catalogued mistake: the setting ``value`` of pipeline ``stage``, and its plain name."""

    stage: str
    value: Any
    name: str


@dataclass
class Diagnosis:
    """What :func:`diagnose` found out about a wrong output.

    Attributes
    ----------
    matches : list of str
        The catalogued mistakes (single, or two joined by ``" + "``) whose output reproduces the
        candidate's within the oracle's tolerance; empty when none does.
    misplaced : list of str
        Padding functions with distinct entries of ``w``: the first misplaced entries, as
        ``"entry (i, j) holds w[k], expected w[k']"`` (indices from 0).
    correct : bool
        The output agrees with the reference: there is nothing to diagnose.
    function, config :
        What was diagnosed.
    misplaced_count : int
        How many entries are misplaced in all (padding functions, when decodable).
    tried : int
        How many mistakes and pairs of mistakes were tried.
    notes : list of str
        Anything else worth saying: a shape that differs from the expected one, a ``w`` that
        cannot be decoded.
    """

    matches: list[str] = field(default_factory=list)
    misplaced: list[str] = field(default_factory=list)
    correct: bool = False
    function: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    misplaced_count: int = 0
    tried: int = 0
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.correct:
            return (
                "the output is correct (it agrees with the reference within the oracle's tolerance): "
                "nothing to diagnose"
            )
        lines = []
        if self.matches:
            which = "this known mistake" if len(self.matches) == 1 else "each of these known mistakes"
            lines.append(f"the output is reproduced by {which}:")
            lines += [f"  - {name}" for name in self.matches]
        else:
            lines.append(f"no known mistake matches (tried {self.tried} mistakes and pairs of mistakes)")
        lines += self.notes
        if self.misplaced:
            lines.append(
                f"{self.misplaced_count} entries hold the wrong entry of w (indices from 0); the first:"
            )
            lines += [f"  {entry}" for entry in self.misplaced]
        return "\n".join(lines)


# -- the pipeline ---------------------------------------------------------------------------


#: Weights up to this many entries are materialised for the outer-product mistake.
_SMALL = 1 << 16


@dataclass(frozen=True)
class _LowRank:
    """The matrix ``U @ V.T``, kept as its factors."""

    U: np.ndarray
    V: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return (self.U.shape[0], self.V.shape[0])

    @property
    def T(self) -> _LowRank:
        return _LowRank(self.V, self.U)

    def dense(self) -> np.ndarray:
        return self.U @ self.V.T


def _times(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a * b`` broadcast, where a boolean operand *selects* (so ``inf`` never becomes ``nan``)."""
    if a.dtype == bool:
        return np.where(a, b, np.zeros((), b.dtype))
    if b.dtype == bool:
        return np.where(b, a, np.zeros((), a.dtype))
    return a * b


def _product(A: np.ndarray, B: np.ndarray, outer: bool, shape: tuple[int, int]) -> np.ndarray:
    """``kron(A, B)``, or with ``outer`` the flattened outer product reshaped to ``shape``."""
    if outer:
        return _times(A[:, :, None, None], B[None, None, :, :]).reshape(shape)
    (a0, a1), (b0, b1) = A.shape, B.shape
    return _times(A[:, None, :, None], B[None, :, None, :]).reshape(a0 * b0, a1 * b1)


def _apply_kron(X: np.ndarray, A: _LowRank, B: _LowRank) -> np.ndarray:
    """``X @ kron(A, B)`` through the low-rank factors (the weight may be large where the output is not)."""
    (a0, a1), (b0, b1) = A.shape, B.shape
    blocks = (X.reshape(*X.shape[:-1], a0, b0) @ B.U) @ B.V.T  # (..., a0, b1)
    return (A.V @ (A.U.T @ blocks)).reshape(*X.shape[:-1], a1 * b1)


def _apply_outer(X: np.ndarray, A: _LowRank, B: _LowRank, transposed: bool) -> np.ndarray:
    """``X @ W`` (``X @ W.T`` if ``transposed``) for ``W = outer(A, B).reshape(a0*b0, a1*b1)``,
    without materialising ``W``.

    Entry ``F = R*a1*b1 + C`` of ``W`` is ``vec(A)[g // b0] * B[g % b0, b]`` with
    ``g = R*a1 + C // b1`` and ``b = C % b1``: so ``W = G @ blockdiag(B, ..., B)`` for the sparse
    ``G[R, c*b0 + a] = vec(A)[g // b0]`` where ``g = R*a1 + c`` and ``a = g % b0``.
    """
    (a0, a1), (b0, b1) = A.shape, B.shape
    if a0 * a1 * b0 * b1 <= _SMALL:  # small enough to materialise: quicker than building G
        W = _product(A.dense(), B.dense(), True, (a0 * b0, a1 * b1))
        return X @ (W.T if transposed else W)
    rows = np.repeat(np.arange(a0 * b0), a1)
    g = rows * a1 + np.tile(np.arange(a1), a0 * b0)
    G = scipy.sparse.csr_array(
        (A.dense().reshape(-1)[g // b0], (rows, (g % a1) * b0 + g % b0)), shape=(a0 * b0, a1 * b0)
    )
    lead, X2 = X.shape[:-1], X.reshape(-1, X.shape[-1])
    if transposed:  # X @ W.T = (X @ blockdiag(B.T)) @ G.T
        Z = ((X2.reshape(-1, a1, b1) @ B.V) @ B.U.T).reshape(-1, a1 * b0)
        return (G @ Z.T).T.reshape(*lead, a0 * b0)
    Z = (G.T @ X2.T).T.reshape(-1, a1, b0)
    return ((Z @ B.U) @ B.V.T).reshape(*lead, a1 * b1)


def _padding(
    w: np.ndarray, config: dict[str, Any], options: dict[str, Any], diagonal: bool
) -> np.ndarray | None:
    n, D, p, q = config["n"], config["D"], config["p"], config["q"]
    if options.get("pq"):
        p, q = q, p
    if n % p or D % q:
        return None
    s, t = n // p, D // q
    W = w.reshape(t, s).T if options.get("layout") else w.reshape(s, t)
    identity = diagonal != bool(options.get("ones"))
    L = np.eye(p, q, dtype=bool) if identity else np.ones((p, q), dtype=bool)
    A, B = (W, L) if options.get("swap") else (L, W)
    return _product(A, B, bool(options.get("outer")), (n, D))


def _lphm_factors(
    w: np.ndarray, R: int, C: int, p: int, q: int, r: int, options: dict[str, Any]
) -> tuple[_LowRank, _LowRank] | None:
    """The two Kronecker operands ``(P Q^T, S T^T)`` as the mistaken options read them from ``w``."""
    if options.get("pq"):
        p, q = q, p
    if R % p or C % q:
        return None
    rows = {"P": p, "Q": q, "S": R // p, "T": C // q}
    if r * sum(rows.values()) != w.size:
        return None
    column_major = options.get("layout", "")
    factors, start = {}, 0
    for name in options.get("order", "PQST"):
        stop = start + rows[name] * r
        segment = w[start:stop]
        factors[name] = (
            segment.reshape(r, rows[name]).T if name in column_major else segment.reshape(rows[name], r)
        )
        start = stop
    A, B = _LowRank(factors["P"], factors["Q"]), _LowRank(factors["S"], factors["T"])
    return (B, A) if options.get("swap") else (A, B)


def _fusion(
    spec_name: str, inputs: dict[str, Any], config: dict[str, Any], options: dict[str, Any]
) -> np.ndarray | None:
    w, arrays = inputs["w"].reshape(-1), inputs["inputs"]
    widths = [a.shape[-1] for a in arrays]
    N, n = sum(widths), (config.get("n") or widths[0])
    joined = inputs.setdefault("joined", {})  # X for each setting of the concat stage, made once
    concat = options.get("concat")
    if concat not in joined:
        if concat == "interleaved":
            joined[concat] = np.stack(arrays, axis=-1).reshape(*arrays[0].shape[:-1], N)
        else:
            joined[concat] = np.concatenate(arrays[::-1] if concat == "reversed" else arrays, axis=-1)
    X = joined[concat]
    if spec_name == "concatenation_fusion":
        return X @ (w.reshape(n, N).T if options.get("layout") else w.reshape(N, n))
    factors = _lphm_factors(w, N, n, config["p"], config["q"], config["r"], options)
    if factors is None:
        return None
    A, B = factors
    if options.get("outer"):
        return _apply_outer(X, A, B, bool(options.get("weight_T")))
    if options.get("weight_T"):
        A, B = A.T, B.T  # kron(A, B)^T == kron(A^T, B^T)
    return _apply_kron(X, A, B)


def _build(
    spec: FunctionSpec, config: dict[str, Any], inputs: dict[str, Any], options: dict[str, Any]
) -> np.ndarray | None:
    """The output of ``spec`` with the mistaken ``options``; ``None`` where they cannot apply.

    The ``transpose`` stage is left to the caller, who compares against the transposed output.
    """
    w = inputs["w"].reshape(-1)
    if spec.is_fusion:
        out = _fusion(spec.name, inputs, config, options)
    elif spec.name == "dual_lphm":
        factors = _lphm_factors(w, config["n"], config["D"], config["p"], config["q"], config["r"], options)
        if factors is None:
            return None
        A, B = factors
        out = _product(A.dense(), B.dense(), bool(options.get("outer")), (config["n"], config["D"]))
    else:
        out = _padding(w, config, options, diagonal=spec.name == "duplicated_diagonal_padding")
    return out


# -- the catalogue --------------------------------------------------------------------------


def _catalogue(spec: FunctionSpec, config: dict[str, Any], widths: list[int]) -> list[Mistake]:
    """The mistakes that can apply to this configuration (those that change nothing are kept)."""
    mistakes: list[Mistake] = []
    if spec.is_fusion and len(widths) > 1:
        if len(set(widths)) == 1:
            mistakes.append(
                Mistake("concat", "interleaved", "inputs concatenated with their columns interleaved")
            )
        mistakes.append(Mistake("concat", "reversed", "inputs joined in reverse order"))
    if "p" in config and config["p"] != config["q"]:
        mistakes.append(Mistake("pq", True, "p and q exchanged"))
    if spec.name in ("dual_lphm", "dual_lphm_fusion"):
        for order in itertools.permutations("PQST"):
            if order != tuple("PQST"):
                mistakes.append(
                    Mistake("order", "".join(order), f"segments of w in the order [{', '.join(order)}]")
                )
        mistakes.append(Mistake("layout", "PQST", "column-major reshape of every segment of w"))
        for name in "PQST":
            mistakes.append(Mistake("layout", name, f"{name} read as (r, {name.lower()})"))
    else:
        mistakes.append(Mistake("layout", "w", "column-major reshape of w"))
    if spec.name == "duplicated_padding":
        mistakes.append(Mistake("ones", True, "identity in place of ones"))
    elif spec.name == "duplicated_diagonal_padding":
        mistakes.append(Mistake("ones", True, "ones in place of the identity"))
    if spec.name != "concatenation_fusion":
        mistakes.append(Mistake("swap", True, "Kronecker operands swapped"))
        mistakes.append(Mistake("outer", True, "flattened outer product in place of the Kronecker product"))
    if spec.name == "dual_lphm_fusion" and sum(widths) == (config.get("n") or widths[0]):
        mistakes.append(Mistake("weight_T", True, "weight transposed"))
    mistakes.append(Mistake("transpose", True, "output transposed"))
    return mistakes


def catalogue(function: str | FunctionSpec, config: dict[str, Any]) -> list[str]:
    """The names of the single mistakes :func:`diagnose` tries for ``function`` at ``config``.

    Parameters
    ----------
    function : str or FunctionSpec
        A name of :data:`refimpl.oracle.registry.FUNCTIONS`.
    config : dict
        The configuration, with the keys of the function (see :mod:`refimpl.oracle.registry`).

    Returns
    -------
    list of str
        In the order of the pipeline's stages; :func:`diagnose` also tries every pair of them
        from two different stages, named ``"first + second"``.

    Examples
    --------
    >>> from refimpl.oracle.diagnosis import catalogue
    >>> for name in catalogue("duplicated_padding", {"n": 4, "D": 6, "p": 2, "q": 2}):
    ...     print(name)
    column-major reshape of w
    identity in place of ones
    Kronecker operands swapped
    flattened outer product in place of the Kronecker product
    output transposed
    """
    spec = get_spec(function)
    config = dict(config)
    if "q" in spec.config_keys and config.get("q") is None:
        config["q"] = config["p"]
    widths = list(config["dims"]) if spec.is_fusion else []
    return [m.name for m in _catalogue(spec, config, widths)]


# -- judging ---------------------------------------------------------------------------------


def _disagreeing(actual: np.ndarray, expected: np.ndarray, bound: np.ndarray) -> np.ndarray:
    """Where ``actual`` fails the oracle's rule (that of ``judge``): NaN and inf placement exactly
    (in the real and the imaginary part for complex data), finite entries within ``bound``."""
    if np.isfinite(actual).all() and np.isfinite(expected).all():
        return np.abs(actual - expected) > bound
    off = np.zeros(np.broadcast_shapes(actual.shape, expected.shape), dtype=bool)
    parts = (np.real, np.imag) if np.iscomplexobj(actual) or np.iscomplexobj(expected) else (np.real,)
    for take in parts:
        for where in (np.isnan, np.isposinf, np.isneginf):
            off |= where(take(actual)) != where(take(expected))
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.where(np.isfinite(expected), np.abs(actual - expected), 0.0)
        off |= error > bound
    return off


def _candidate_dtype(actual: np.ndarray, inputs: dict[str, Any]) -> np.dtype:
    """The dtype whose rounding the candidate went through: its own, or (for an integer output)
    the promotion of the inputs' floating dtypes."""
    if actual.dtype.kind in "fc":
        return actual.dtype
    dtypes = [to_numpy(a).dtype for a in [inputs["w"], *inputs.get("inputs", [])]]
    floating = [d for d in dtypes if d.kind in "fc"]
    return np.result_type(*floating) if floating else np.dtype(np.float64)


def _wide(a: Any) -> np.ndarray:
    a = to_numpy(a)
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)


# -- the entry-by-entry decoding of the padding functions -------------------------------------


def _misplaced(
    actual: np.ndarray, expected: np.ndarray, off: np.ndarray, w: np.ndarray, limit: int
) -> tuple[list[str], int, str]:
    """The first ``limit`` misplaced entries, decoded by the entry of ``w`` they hold."""
    count = int(np.count_nonzero(off))
    stored = w.astype(actual.dtype) if actual.dtype.kind in "fc" else w
    if np.any(np.isnan(stored)) or np.unique(stored).size != stored.size:
        return (
            [],
            count,
            (
                "w has repeated (or NaN) entries, so the entries of the output cannot be traced back to "
                "the entries of w; pass distinct entries, such as 1..l, to see which entry each one holds"
            ),
        )
    index = {value: k for k, value in enumerate(stored.tolist())}

    def label(value: Any) -> str:
        if value in index:
            return f"w[{index[value]}]"
        return "0" if value == 0 else "a value that is no entry of w"

    reference = expected.astype(stored.dtype)
    lines = []
    for position in np.argwhere(off)[:limit]:
        at = tuple(int(i) for i in position)
        lines.append(f"entry {at} holds {label(actual[at].item())}, expected {label(reference[at].item())}")
    return lines, count, ""


# -- the diagnosis ---------------------------------------------------------------------------


def diagnose(
    actual: Any,
    function: str | FunctionSpec,
    config: dict[str, Any],
    inputs: dict[str, Any],
    *,
    limit: int = 5,
) -> Diagnosis:
    """Name the catalogued mistakes that reproduce a wrong output.

    Every catalogued mistake (see the module docstring), alone and in pairs from different
    stages of the computation, is applied to the candidate's own inputs in float64 (complex128),
    and the mistakes whose output agrees with ``actual`` under the oracle's rule are named: the
    bound of :func:`refimpl.oracle.tolerance.expected_and_bound` for ``actual``'s dtype, with the
    magnitude taken from the mistaken computation on the absolute values of the inputs (exact
    equality for the padding functions). For the padding functions with distinct entries of
    ``w``, the misplaced entries are also decoded into the entries of ``w`` they hold.

    Parameters
    ----------
    actual : array
        The candidate's output, from any array library (dense or sparse).
    function : str or FunctionSpec
        A name of :data:`refimpl.oracle.registry.FUNCTIONS`, e.g. ``"dual_lphm"``.
    config : dict
        The configuration, with the keys of the function (see :mod:`refimpl.oracle.registry`).
    inputs : dict
        ``{"w": w}``, and ``"inputs": [A_1, ..., A_k]`` for the fusions, in any array library.
    limit : int, default 5
        How many misplaced entries to report at most.

    Returns
    -------
    Diagnosis
        ``matches`` names the mistakes that reproduce ``actual`` (``" + "`` joins a pair);
        ``correct`` is set when ``actual`` agrees with the reference. ``str()`` gives a report.

    Raises
    ------
    RefimplError
        If the configuration or the inputs are invalid for ``function``.

    Examples
    --------
    A duplicated padding that reshapes ``w`` column-major, and transposes its output:

    >>> import numpy as np
    >>> from refimpl.testing import diagnose
    >>> w = np.arange(1.0, 7.0)  # distinct entries: the output can be traced back to w
    >>> config = {"n": 4, "D": 3, "p": 2, "q": 1}  # s = 2, t = 3
    >>> W = w.reshape(3, 2).T  # column-major reshape to (s, t)
    >>> wrong = np.tile(W, (2, 1)).T  # kron(ones(2, 1), W), transposed: shape (3, 4)
    >>> d = diagnose(wrong, "duplicated_padding", config, {"w": w})
    >>> d.matches
    ['column-major reshape of w + output transposed']
    >>> print(d)
    the output is reproduced by this known mistake:
      - column-major reshape of w + output transposed
    the output has shape (3, 4), the reference (4, 3)

    A correct output is not diagnosed:

    >>> right = np.tile(w.reshape(2, 3), (2, 1))
    >>> print(diagnose(right, "duplicated_padding", config, {"w": w}))
    the output is correct (it agrees with the reference within the oracle's tolerance): nothing to diagnose
    """
    spec = get_spec(function)
    config = dict(config)
    if "q" in spec.config_keys and config.get("q") is None:
        config["q"] = config["p"]
    a = to_numpy(actual)
    dtype = _candidate_dtype(a, inputs)
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64)
    expected, bound, _ = expected_and_bound(spec, config, inputs, dtype)  # also checks config and inputs
    diagnosis = Diagnosis(function=spec.name, config=config)
    if a.shape == expected.shape:
        off = _disagreeing(a, expected, bound)
        if not off.any():
            diagnosis.correct = True
            return diagnosis
        if spec.exact:
            diagnosis.misplaced, diagnosis.misplaced_count, note = _misplaced(
                a, expected, off, _wide(inputs["w"]).reshape(-1), limit
            )
            if note:
                diagnosis.notes.append(note)
    else:
        diagnosis.notes.append(f"the output has shape {a.shape}, the reference {expected.shape}")

    wide = {"w": _wide(inputs["w"])}
    if spec.is_fusion:
        wide["inputs"] = [_wide(x) for x in inputs["inputs"]]
    absolute = {"w": np.abs(wide["w"]), "inputs": [np.abs(x) for x in wide.get("inputs", [])]}
    rule = _Rule.of(spec, config, inputs, dtype)
    mistakes = _catalogue(spec, config, [x.shape[-1] for x in wide.get("inputs", [])])
    transposed = np.swapaxes(a, -1, -2) if a.ndim >= 2 else None
    ceiling = _ceiling(spec, config, wide)

    def reproduces(options: dict[str, Any]) -> bool:
        with np.errstate(all="ignore"):  # inf and NaN in the inputs are compared by placement
            return _reproduces(options)

    def _reproduces(options: dict[str, Any]) -> bool:
        target = transposed if options.get("transpose") else a
        if target is None:
            return False
        mistaken = _build(spec, config, wide, options)
        if mistaken is None or mistaken.shape != target.shape:
            return False
        if np.any(_disagreeing(target, mistaken, np.full((), np.inf))):
            return False  # NaN or inf in another place: no bound helps
        if spec.exact:
            return not _disagreeing(target, mistaken, rule.gamma * np.abs(mistaken)).any()
        if not _disagreeing(target, mistaken, np.full((), rule.tiny)).any():
            return True  # within the smallest bound: the magnitude is not needed
        if _disagreeing(target, mistaken, np.full((), rule.gamma * ceiling + rule.tiny)).any():
            return False  # beyond the largest bound any magnitude could give
        magnitude = _build(spec, config, absolute, options)
        return not _disagreeing(target, mistaken, rule.gamma * magnitude + rule.tiny).any()

    single = {m: reproduces({m.stage: m.value}) for m in mistakes}
    diagnosis.matches = [m.name for m in mistakes if single[m]]
    tried = len(mistakes)
    for first, second in itertools.combinations(mistakes, 2):
        if first.stage == second.stage:
            continue
        tried += 1
        if single[first] or single[second]:
            continue  # one of the two alone reproduces the output: the pair adds nothing
        if reproduces({first.stage: first.value, second.stage: second.value}):
            diagnosis.matches.append(f"{first.name} + {second.name}")
    diagnosis.tried = tried
    return diagnosis


def _ceiling(spec: FunctionSpec, config: dict[str, Any], wide: dict[str, Any]) -> float:
    """An upper bound on every entry of every mistake's magnitude (its computation on ``|inputs|``).

    Each mistake only reads the entries of ``w`` (and the inputs' columns) in another order, so an
    entry of ``|P'| |Q'|^T`` is at most ``r max|w|^2``, one of the Dual-LPHM weight at most
    ``r^2 max|w|^4``, and one of ``|X'| |W'|`` at most the largest row sum of ``|X|`` times that.
    Doubled against the rounding of these float64 sums. Not needed for the padding functions.
    """
    if spec.exact:
        return np.inf
    with np.errstate(over="ignore"):
        top = float(np.max(np.abs(wide["w"]), initial=0.0))
        weight = top if spec.name == "concatenation_fusion" else config["r"] ** 2 * top**4
        if spec.is_fusion:
            rows = [np.abs(x).sum(axis=-1) for x in wide["inputs"]]
            weight *= float(np.max(sum(rows), initial=0.0))
        return 2.0 * weight


@dataclass(frozen=True)
class _Rule:
    """The oracle's bound as a function of the magnitude: ``gamma * magnitude + tiny``.

    Read off :func:`expected_and_bound` itself, by giving it computations whose magnitude is 0 and
    1, so that the diagnosis follows the oracle's rule wherever that rule is defined. For the
    padding functions the magnitude is the entry itself and ``tiny`` is 0.
    """

    gamma: float
    tiny: float

    @classmethod
    def of(cls, spec: FunctionSpec, config: dict[str, Any], inputs: dict[str, Any], dtype: np.dtype) -> _Rule:
        arrays = [to_numpy(x) for x in [inputs["w"], *inputs.get("inputs", [])]]
        kind = np.complex128 if any(np.iscomplexobj(x) for x in arrays) else np.float64

        def constant(value: float) -> FunctionSpec:
            return FunctionSpec(
                spec.name, spec.config_keys, spec.exact, spec.l, lambda c, i: np.full((), value, kind)
            )

        _, at_zero, _ = expected_and_bound(constant(0.0), config, inputs, dtype)
        _, at_one, _ = expected_and_bound(constant(1.0), config, inputs, dtype)
        tiny = float(np.real(at_zero))  # a complex constant (for complex data's K) gives a complex bound
        return cls(gamma=float(np.real(at_one)) - tiny, tiny=tiny)
