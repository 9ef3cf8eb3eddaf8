"""``concat(A_1..A_k, axis=-1) @ kron(P Q^T, S T^T)`` on blocks of rows, with no joined copy.

The Dual-LPHM fusion and ``X @ op`` of a :class:`~refimpl.operators.DualLphmOperator` end here.
The columns of ``X`` fall into ``p`` groups of ``s`` (the rows of ``S``). The inputs are cut
into *runs*: an input that starts and ends at the edge of a group is a run of its own, and is
contracted where it lies (``A_i`` seen as ``(rows * n_i/s, s)``, a view); inputs that share a
group form one run, whose columns are joined a block of rows at a time. No copy of ``X`` is made.

The rows go in blocks of about :data:`BLOCK_BYTES` of input and output and
:data:`BLOCK_WORK` multiply-adds, so that the intermediates of a block stay in the cache: each
input is read once and the output written once, into an array allocated once. A namespace
whose arrays cannot be written in place (JAX) takes all rows as one block.

The memory guard counts what an evaluation allocates besides the output: a copy of an input
whose layout cannot be seen as the rows of groups (a broadcast view, some strided batches), and
the largest intermediate of a block.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import array_api_compat

from .._memory import check_dense_size, check_elements, get_memory_limit, itemsize

if TYPE_CHECKING:
    from .kronecker import DualLphmOperator

__all__ = ["BLOCK_BYTES", "BLOCK_WORK", "rmatmul_segments", "runs"]

#: Bytes of input and output rows per block: a share of a core's L2 cache.
BLOCK_BYTES = 2**20
#: Multiply-adds per block: the products of a block stay small enough for the BLAS to run each
#: on one core (OpenBLAS splits a product across threads above about 2**18 multiply-adds, and
#: on a busy machine the threads of many small products wait for each other).
BLOCK_WORK = 2**19

_ADVICE = (
    "pass inputs whose rows can be viewed without a copy (numpy.ascontiguousarray), or fewer rows at a time"
)


def runs(widths: Sequence[int], s: int) -> list[list[int]]:
    """The inputs, cut where their joined columns reach a multiple of ``s``: ``runs([4, 2, 2], 4)``
    is ``[[0], [1, 2]]``. Each run starts at a group's edge; the last ends at ``N = p*s``."""
    out: list[list[int]] = []
    run: list[int] = []
    offset = 0
    for i, width in enumerate(widths):
        run.append(i)
        offset += width
        if offset % s == 0:
            out.append(run)
            run = []
    return out


def rmatmul_segments(
    op: DualLphmOperator,
    segments: Sequence[Any],
    names: Sequence[str],
    order: str | None = None,
    what: str = "X @ op",
) -> Any:
    """``concat(segments, axis=-1) @ op`` as an ``(M, n)`` array, ``M`` the rows of every segment.

    ``segments`` are arrays of ``op``'s namespace and dtype, of shapes ``lead + (n_i,)`` with one
    ``lead`` and ``sum(n_i) = op.shape[0]``; ``names`` name them, and ``what`` the caller, in the
    guard's messages. ``order`` is one of ``op.ORDERS``; by default the cheapest for ``M`` rows.
    """
    xp, M, dtype = op.xp, math.prod(segments[0].shape[:-1]), segments[0].dtype
    order = order or op.contraction_order(M)
    if order == "dense":
        return _dense_order(op, segments, M, names, what)
    widths = [int(a.shape[-1]) for a in segments]
    groups = runs(widths, op.s)
    views = [
        (_run_view(op, segments, run, M, names, what), sum(widths[i] for i in run) // op.s) for run in groups
    ]
    F = op.S if order == "factored" else op.S @ op.T_factor.T  # (s, r) or (s, t)
    joined = max([sum(widths[i] for i in run) for run in groups if len(run) > 1], default=0)
    widest = max(F.shape[1] * op.p, F.shape[1] * op.q, joined)  # values a row, of an intermediate
    size = itemsize(xp, dtype)
    rows = _block_rows(xp, M, op.shape[0] + op.shape[1], F.shape[1], widest, size)
    check_elements(
        rows * widest,
        size,
        lambda: (
            f"{what} would allocate an intermediate of {rows} x {widest} values ({dtype}) for a block of rows"
        ),
        "a block of one row needs it",
    )
    blocks = ((a, _block(op, views, a, min(M, a + rows), F, order)) for a in range(0, M, rows))
    if rows >= M:  # one block; with no rows too, so that the result is still computed from the factors
        return _block(op, views, 0, M, F, order)
    out = xp.empty((M, op.shape[1]), dtype=dtype, device=array_api_compat.device(segments[0]))
    for a, block in blocks:
        out[a : a + block.shape[0], :] = block
        del block  # one block alive at a time: the next is computed without this one
    return out


def _block_rows(xp: Any, M: int, row_values: int, c: int, widest: int, size: int) -> int:
    """Rows per block, at least one: about :data:`BLOCK_BYTES` of input and output
    (``row_values`` of ``size`` bytes a row) and :data:`BLOCK_WORK` multiply-adds (``c`` of
    them for each value of the row: ``c`` is ``r`` or ``t``), and no more than the memory limit
    allows the widest intermediate (``widest`` values a row). All ``M`` rows, one block, where
    arrays cannot be written in place (JAX)."""
    if array_api_compat.is_jax_namespace(xp):
        return max(1, M)
    rows = min(BLOCK_BYTES // (size * row_values), BLOCK_WORK // (c * row_values))
    limit = get_memory_limit()
    if limit is not None:
        rows = min(rows, limit // (size * widest))
    return max(1, min(M, rows))


def _dense_order(
    op: DualLphmOperator, segments: Sequence[Any], M: int, names: Sequence[str], what: str
) -> Any:
    """``X @ W`` with ``W`` materialised (under the guard): the cheapest order for very few rows."""
    xp = op.xp
    check_dense_size(
        xp, *op.shape, op.dtype, "X @ op in the 'dense' contraction order", "use the 'factored' order"
    )
    parts = [_view(op, A, (M, int(A.shape[-1])), name, what) for A, name in zip(segments, names)]
    if len(parts) > 1:
        check_elements(
            M * op.shape[0],
            itemsize(xp, parts[0].dtype),
            lambda: (
                f"{what} would join the inputs into an array of shape ({M}, {op.shape[0]}) ({parts[0].dtype})"
            ),
            _ADVICE,
        )
    X = parts[0] if len(parts) == 1 else xp.concat(parts, axis=1)
    return X @ op._dense()


def _view(op: DualLphmOperator, A: Any, shape: tuple[int, int], name: str, what: str) -> Any:
    """``A`` as a 2-D array of ``shape``: a view where its layout allows, else a guarded copy."""
    xp = op.xp
    try:
        return xp.reshape(A, shape, copy=False)
    except (ValueError, AttributeError):  # a copy is needed (a broadcast view, a strided batch)
        pass
    check_elements(
        math.prod(shape),
        itemsize(xp, A.dtype),
        f"{what} would copy {name} of shape {tuple(A.shape)} ({A.dtype}) into contiguous memory",
        _ADVICE,
    )
    return xp.reshape(A, shape)


def _run_view(
    op: DualLphmOperator, segments: Sequence[Any], run: list[int], M: int, names: Sequence[str], what: str
) -> Any:
    """A run alone as ``(M * n_i/s, s)``; a run of several inputs as a list of ``(M, n_i)``."""
    if len(run) == 1:
        i = run[0]
        return _view(op, segments[i], (M * int(segments[i].shape[-1]) // op.s, op.s), names[i], what)
    return [_view(op, segments[i], (M, int(segments[i].shape[-1])), names[i], what) for i in run]


def _block(op: DualLphmOperator, views: list[tuple[Any, int]], a: int, b: int, F: Any, order: str) -> Any:
    """Rows ``a:b`` of the result, ``(b - a, n)``, in ``order`` (``F`` is ``S`` or ``S T^T``)."""
    xp, k = op.xp, b - a
    p, q, r, t = op.p, op.q, op.r, op.t
    parts = []
    for view, groups in views:  # groups: the run's groups of s columns in a row
        if isinstance(view, list):  # a run of several inputs: its columns joined, rows a:b only
            G = xp.reshape(xp.concat([v[a:b, :] for v in view], axis=1), (k * groups, op.s))
        else:
            G = view[a * groups : b * groups, :]
        parts.append((F.T @ G.T, groups))  # [d, (row, i)]
    if len(parts) > 1:  # the runs' groups side by side: Z[d, row, i]
        parts = [(xp.concat([xp.reshape(Z, (F.shape[1], k, g)) for Z, g in parts], axis=2), p)]
    Z = xp.reshape(parts[0][0], (F.shape[1] * k, p))  # Z[(d, row), i]: the one pass over the inputs
    if order == "blocks":
        Y = xp.reshape(Z @ (op.P @ op.Q.T), (t, k, q))  # Y[b, row, j]
        return xp.reshape(xp.permute_dims(Y, (1, 2, 0)), (k, q * t))
    Y = op._times_p_qt(Z)  # (r*k, q), Y[(d, row), j]
    if r == 1:  # an outer product: BLAS is slow with a single-term sum, broadcasting is not
        out = xp.reshape(Y, (k * q, 1)) * xp.reshape(op.T_factor, (1, t))
    else:
        out = xp.reshape(Y, (r, k * q)).T @ op.T_factor.T  # (k*q, t): the one pass over the output
    return xp.reshape(out, (k, q * t))
