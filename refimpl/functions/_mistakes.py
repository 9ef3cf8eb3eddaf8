"""The pieces the functions' catalogues of mistakes are made of (see :mod:`refimpl.oracle.mistakes`).

A :class:`Mistake` changes one *stage* of a function's computation. The mistakes several
functions share are defined here once; each function's home lists its own catalogue
(:attr:`refimpl.functions.Function.mistakes`) and computes each mistaken output from its own
computation with the stage changed (:meth:`refimpl.functions.Function.mistaken`).
:func:`kron_variant` builds the Kronecker products no function of SPEC computes: the operands
swapped, a flattened outer product, a pattern multiplied instead of selecting.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse

from ..shapes import FACTORS

__all__ = ["STAGES", "Mistake", "kron_variant", "times_outer_variant"]

#: Weights up to this many entries are materialised for the outer-product mistake.
SMALL = 1 << 16

#: The stages of the pipeline, in the order the computation goes through them (and names join).
STAGES = ("concat", "pq", "order", "layout", "ones", "select", "swap", "outer", "weight_T", "transpose")


@dataclass(frozen=True)
class Mistake:
    """One catalogued mistake.

    Attributes
    ----------
    id : str
        Unique within a function: ``"column_major_reshape"``, ``"segment_order:QPST"``.
    family : str
        The golden vectors' flag name (``exposes:<family>``); ``id`` for a single variant.
    name : str
        The prose name shown to users: ``"segments of w in the order [Q, P, S, T]"``.
    stage : str
        The pipeline stage it changes, one of :data:`STAGES`.
    setting : object
        The stage's mistaken setting in the pipeline (``"QPST"``, ``True``, ...).
    """

    id: str
    family: str
    name: str
    stage: str
    setting: Any = field(default=True, repr=False)


def one(family: str, name: str, stage: str, setting: Any = True) -> Mistake:
    return Mistake(family, family, name, stage, setting)


CONCATENATION = (
    one(
        "interleaved_concatenation",
        "inputs concatenated with their columns interleaved",
        "concat",
        "interleaved",
    ),
    one("concatenation_reversed", "inputs joined in reverse order", "concat", "reversed"),
    one("concatenation_wrong_axis", "inputs joined along the rows, then reshaped", "concat", "rows"),
)
P_Q_EXCHANGED = one("p_q_exchanged", "p and q exchanged", "pq")
SEGMENT_ORDERS = tuple(
    Mistake(
        f"segment_order:{''.join(o)}",
        "segment_order",
        f"segments of w in the order [{', '.join(o)}]",
        "order",
        "".join(o),
    )
    for o in itertools.permutations(FACTORS)
    if o != FACTORS
)
COLUMN_MAJOR_W = one("column_major_reshape", "column-major reshape of w", "layout", "w")


def _factors_read_transposed(factors: tuple[str, ...]) -> Mistake:
    """The factors named read as ``(r, rows)`` and transposed: ``"P and S read as (r, p), (r, s)"``."""
    names = factors[0] if len(factors) == 1 else f"{', '.join(factors[:-1])} and {factors[-1]}"
    shapes = ", ".join(f"(r, {f.lower()})" for f in factors)
    setting = "".join(factors)
    return Mistake(
        f"factor_transposed:{setting}", "factor_transposed", f"{names} read as {shapes}", "layout", setting
    )


#: Every non-empty subset of the factors read column-major: all four is the reshape of every segment.
FACTOR_LAYOUTS = (
    one("column_major_reshape", "column-major reshape of every segment of w", "layout", "PQST"),
    *(
        _factors_read_transposed(subset)
        for size in (1, 2, 3)
        for subset in itertools.combinations(FACTORS, size)
    ),
)
KRONECKER = (
    one("kron_operands_swapped", "Kronecker operands swapped", "swap"),
    one("kron_as_reshaped_outer", "flattened outer product in place of the Kronecker product", "outer"),
)
WEIGHT_TRANSPOSED = one("weight_transposed", "weight transposed", "weight_T")
OUTPUT_TRANSPOSED = one("output_transposed", "output transposed", "transpose")


def _times(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a * b`` broadcast, where a boolean operand *selects* (so ``inf`` never becomes ``nan``)."""
    if a.dtype == bool:
        return np.where(a, b, np.zeros((), b.dtype))
    if b.dtype == bool:
        return np.where(b, a, np.zeros((), a.dtype))
    out: np.ndarray = a * b
    return out


def kron_variant(A: np.ndarray, B: np.ndarray, *, outer: bool = False) -> np.ndarray:
    """``kron(A, B)`` (numpy.kron's layout), or with ``outer`` the flattened outer product
    reshaped to the same shape. A boolean operand selects the other's entries; a numeric one
    multiplies (``0 * inf = nan``, the ``zero_times_w`` mistake).

    >>> import numpy as np
    >>> kron_variant(np.eye(2, dtype=bool), np.array([[np.inf]]))
    array([[inf,  0.],
           [ 0., inf]])
    >>> with np.errstate(invalid="ignore"):
    ...     print(kron_variant(np.eye(2), np.array([[np.inf]])))
    [[inf nan]
     [nan inf]]
    """
    (a0, a1), (b0, b1) = A.shape, B.shape
    if outer:
        return _times(A[:, :, None, None], B[None, None, :, :]).reshape(a0 * b0, a1 * b1)
    return _times(A[:, None, :, None], B[None, :, None, :]).reshape(a0 * b0, a1 * b1)


def times_outer_variant(
    X: np.ndarray, A: tuple[np.ndarray, np.ndarray], B: tuple[np.ndarray, np.ndarray], transposed: bool
) -> np.ndarray:
    """``X @ W`` (``X @ W.T`` if ``transposed``) for ``W = kron_variant(U V^T, Y Z^T, outer=True)``
    with ``A = (U, V)`` and ``B = (Y, Z)``, without materialising a large ``W``.

    Entry ``F = R*a1*b1 + C`` of ``W`` is ``vec(A)[g // b0] * B[g % b0, b]`` with
    ``g = R*a1 + C // b1`` and ``b = C % b1``: so ``W = G @ blockdiag(B, ..., B)`` for the sparse
    ``G[R, c*b0 + a] = vec(A)[g // b0]`` where ``g = R*a1 + c`` and ``a = g % b0``.
    """
    dense_A: np.ndarray = A[0] @ A[1].T
    (a0, a1), (b0, b1) = dense_A.shape, (B[0].shape[0], B[1].shape[0])
    if a0 * a1 * b0 * b1 <= SMALL:  # small enough to materialise: quicker than building G
        W = kron_variant(dense_A, B[0] @ B[1].T, outer=True)
        small: np.ndarray = X @ (W.T if transposed else W)
        return small
    rows = np.repeat(np.arange(a0 * b0), a1)
    g = rows * a1 + np.tile(np.arange(a1), a0 * b0)
    G = scipy.sparse.csr_array(
        (dense_A.reshape(-1)[g // b0], (rows, (g % a1) * b0 + g % b0)), shape=(a0 * b0, a1 * b0)
    )
    lead, X2 = X.shape[:-1], X.reshape(-1, X.shape[-1])
    out: np.ndarray
    if transposed:  # X @ W.T = (X @ blockdiag(B.T)) @ G.T
        Z = ((X2.reshape(-1, a1, b1) @ B[1]) @ B[0].T).reshape(-1, a1 * b0)
        out = (G @ Z.T).T.reshape(*lead, a0 * b0)
        return out
    Z = (G.T @ X2.T).T.reshape(-1, a1, b0)
    out = ((Z @ B[0]) @ B[1].T).reshape(*lead, a1 * b1)
    return out
