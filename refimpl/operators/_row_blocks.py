"""``concat(A_1..A_k, axis=-1) @ kron(P Q^T, S T^T)`` on blocks of rows, with no joined copy.

The Dual-LPHM fusion and ``X @ op`` of a :class:`~refimpl.operators.DualLphmOperator` end here.
The columns of ``X`` fall into ``p`` groups of ``s`` (the rows of ``S``). The inputs are cut
into *runs*: an input that starts and ends at the edge of a group is a run of its own, and is
contracted where it lies (``A_i`` seen as ``(rows * n_i/s, s)``, a view); inputs that share a
group form one run, whose columns are joined a block of rows at a time. No copy of ``X`` is made.

Each input is read once, by the first product of its block, and the output written once, by
the last: NumPy and CuPy write that product straight into the output (``matmul``'s ``out=``),
other libraries assign the block's rows. What a block holds between the two, its
*intermediates*, is kept to about :data:`BLOCK_BYTES`, so that it stays in the cache and the
peak memory is the output plus one block's intermediates. A namespace whose arrays cannot be
written in place (JAX) takes all rows as one block.

The memory guard counts what an evaluation allocates besides the output: a copy of an input
whose layout cannot be seen as the rows of groups (a broadcast view, some strided batches), and
the intermediates of a block.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import array_api_compat

from .._memory import check_dense_size, check_elements, get_memory_limit, itemsize
from .._xp import write_product, writes_in_place

if TYPE_CHECKING:
    from .kronecker import DualLphmOperator

__all__ = ["BLOCK_BYTES", "rmatmul_segments", "runs"]

#: Bytes of a block's intermediates: about the L2 cache of the two cores the BLAS runs on (2 MiB
#: each on the benchmark machine). 1, 2 and 8 MiB were measured too (``benchmarks/run.py``'s
#: fusion table): 4 MiB was fastest on its slowest row, 4096 rows, by a few per cent.
BLOCK_BYTES = 2**22

#: Inputs of at most this many bytes in all are joined as one run (see :func:`rmatmul_segments`).
SMALL_BYTES = 2**16

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
    size, in_place = itemsize(xp, dtype), writes_in_place(segments[0])
    widths = tuple(int(a.shape[-1]) for a in segments)
    plan = _plan(
        (op.p, op.q, op.r, op.s, op.t),
        widths,
        M,
        order,
        size,
        in_place,
        array_api_compat.is_jax_namespace(xp),
        get_memory_limit(),
        BLOCK_BYTES,
        SMALL_BYTES,
    )
    check_elements(
        plan.rows * plan.per_row,
        size,
        lambda: (
            f"{what} would allocate intermediates of {plan.rows} x {plan.per_row} values ({dtype}) "
            "for a block of rows"
        ),
        "a block of one row needs them",
    )
    views = [
        (_run_view(op, segments, run, M, names, what), sum(widths[i] for i in run) // op.s)
        for run in plan.runs
    ]
    factors = _block_factors(op, order)
    if plan.rows >= M:  # one block; with no rows too, so that the result is still computed from the factors
        return _block(op, views, 0, M, factors, order, None)
    out = xp.empty((M, op.shape[1]), dtype=dtype, device=array_api_compat.device(segments[0]))
    for a in range(0, M, plan.rows):
        _block(op, views, a, min(M, a + plan.rows), factors, order, out)  # one block alive at a time
    return out


class _Plan(NamedTuple):
    """How :func:`rmatmul_segments` goes through the rows: the inputs' runs, the
    intermediates a row of a block holds (values), and the rows of a block."""

    runs: tuple[tuple[int, ...], ...]
    per_row: int
    rows: int


@functools.lru_cache(maxsize=256)
def _plan(
    dims: tuple[int, int, int, int, int],
    widths: tuple[int, ...],
    M: int,
    order: str,
    size: int,
    in_place: bool,
    whole: bool,
    limit: int | None,
    block_bytes: int,
    small_bytes: int,
) -> _Plan:
    """The plan for an operator of ``dims = (p, q, r, s, t)``, inputs of ``widths`` with ``M``
    rows of ``size`` bytes a value, in ``order``; remembered, so that a repeated call pays for
    it once. Its arguments are all it depends on: the memory ``limit``, and
    :data:`BLOCK_BYTES` and :data:`SMALL_BYTES` as ``block_bytes`` and ``small_bytes``.

    Inputs of at most ``small_bytes`` in all go as one run, joined a block at a time: a copy
    that small costs less than the products of several runs.
    """
    if M * sum(widths) * size > small_bytes:
        groups = tuple(tuple(run) for run in runs(widths, dims[3]))
    else:
        groups = (tuple(range(len(widths))),)
    per_row = _intermediates_per_row(dims, order, widths, groups, in_place)
    return _Plan(groups, per_row, _block_rows(M, per_row, size, whole, limit, block_bytes))


def _block_factors(op: DualLphmOperator, order: str) -> tuple[Any, Any]:
    """What every block multiplies by: ``S`` and ``T^T`` in the factored order (``P`` and ``Q``
    are read by :meth:`~refimpl.operators.DualLphmOperator._times_p_qt`); ``S T^T`` and
    ``Q P^T`` in the blocks order. Computed once for all blocks."""
    if order == "factored":
        return op.S, op.T_factor.T
    return op.S @ op.T_factor.T, op.Q @ op.P.T


def _intermediates_per_row(
    dims: tuple[int, int, int, int, int],
    order: str,
    widths: Sequence[int],
    groups: Sequence[Sequence[int]],
    in_place: bool,
) -> int:
    """Values a row of a block holds between reading the inputs and writing the output.

    The first product of each run (``c`` values for each of the row's ``p`` groups, ``c = r`` or
    ``t``), their side-by-side copy where there are several runs, the joined columns of a run of
    several inputs, the factored order's ``r*q`` before ``T``; and the block of the output
    itself (``n = q*t``) where the output is not written in place.
    """
    p, q, r, s, t = dims
    c = r if order == "factored" else t
    per_row = c * p * (2 if len(groups) > 1 else 1)
    per_row += max([sum(widths[i] for i in run) for run in groups if len(run) > 1], default=0)
    if order == "factored":
        per_row += r * q
    return per_row + (0 if in_place else q * t)


def _block_rows(M: int, per_row: int, size: int, whole: bool, limit: int | None, block_bytes: int) -> int:
    """Rows per block, at least one and at most ``M``: about ``block_bytes`` of
    intermediates (``per_row`` values of ``size`` bytes a row), and no more than the memory
    ``limit`` allows them. All ``M`` rows, one block, where arrays cannot be written in place
    (``whole``: JAX)."""
    if whole:
        return max(1, M)
    rows = block_bytes // (size * per_row)
    if limit is not None:
        rows = min(rows, limit // (size * per_row))
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
    if tuple(A.shape) == shape:  # a 2-D input: nothing to view
        return A
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
    op: DualLphmOperator, segments: Sequence[Any], run: Sequence[int], M: int, names: Sequence[str], what: str
) -> Any:
    """A run alone as ``(M * n_i/s, s)``; a run of several inputs as a list of ``(M, n_i)``."""
    if len(run) == 1:
        i = run[0]
        return _view(op, segments[i], (M * int(segments[i].shape[-1]) // op.s, op.s), names[i], what)
    return [_view(op, segments[i], (M, int(segments[i].shape[-1])), names[i], what) for i in run]


def _block(
    op: DualLphmOperator,
    views: list[tuple[Any, int]],
    a: int,
    b: int,
    factors: tuple[Any, Any],
    order: str,
    out: Any,
) -> Any:
    """Rows ``a:b`` of the result, ``(b - a, n)``, in ``order`` (``factors`` from
    :func:`_block_factors`): returned with ``out=None``, else written into ``out[a:b, :]``."""
    xp, k = op.xp, b - a
    p, q, r, t = op.p, op.q, op.r, op.t
    F, last = factors
    parts = []
    for view, groups in views:  # groups: the run's groups of s columns in a row
        if isinstance(view, list):  # a run of several inputs: its columns joined, rows a:b only
            G = xp.reshape(
                xp.concat([v[a:b, :] if k < v.shape[0] else v for v in view], axis=1), (k * groups, op.s)
            )
        else:
            G = view[a * groups : b * groups, :]
        parts.append((G, groups))
    if order == "blocks":  # U[row, i, b] = (X_row S T^T)[i, b], then (Q P^T) U[row] for each row
        U = [xp.reshape(G @ F, (k, g, t)) for G, g in parts]
        U = U[0] if len(U) == 1 else xp.concat(U, axis=1)
        return write_product(
            xp, "matmul", last, U, q * t, out, a, b
        )  # (k, q, t): the one pass over the output
    Z = [F.T @ G.T for G, _ in parts]  # Z[d, (row, i)]: the one pass over the inputs
    if len(Z) > 1:  # the runs' groups side by side: Z[d, row, i]
        Z = [xp.concat([xp.reshape(z, (r, k, g)) for z, (_, g) in zip(Z, parts)], axis=2)]
    Y = op._times_p_qt(xp.reshape(Z[0], (r * k, p)))  # (r*k, q), Y[(d, row), j]
    if r == 1:  # an outer product: BLAS is slow with a single-term sum, broadcasting is not
        return write_product(xp, "multiply", xp.reshape(Y, (k * q, 1)), last, q * t, out, a, b)
    return write_product(xp, "matmul", xp.reshape(Y, (r, k * q)).T, last, q * t, out, a, b)  # (k*q, t)
