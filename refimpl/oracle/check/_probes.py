"""Matrices too large to materialise: the candidate against refimpl's operator, through probes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import array_api_compat
import numpy as np
import scipy.sparse

from ..._outputs import numpy_dtype, to_numpy
from ..._validation import RefimplError
from ...functions import Function, get_function
from ..tolerance import error_bound, probe_rounding_count, wide
from ._reports import ProbeReport

__all__ = ["check_matrix"]


def check_matrix(
    actual: Any,
    function: str | Callable[..., Any],
    *args: Any,
    probes: int = 30,
    seed: int = 0,
    **kwargs: Any,
) -> ProbeReport:
    r"""Compare a matrix too large to materialise with refimpl's operator, through probe vectors.

    For ``probes`` random sign vectors :math:`v \in \{-1, 1\}^D`, the candidate's
    :math:`M v` (computed by the candidate's own library: dense, SciPy sparse, PyTorch, ...) is
    compared with the structured operator's :math:`\psi(w) v` in float64, entry by entry,
    within the oracle's bound for :math:`K` roundings (an entry's own and a ``D``-term sum) on
    :math:`|\psi(w)|\,|v|`. If :math:`M` differs from :math:`\psi(w)` in any entry by more than
    that bound's margin, a random sign vector exposes it with probability at least 1/2
    (Freivalds' argument), so a wrong matrix passes all probes with probability at most
    :math:`2^{-\text{probes}}`.

    Parameters
    ----------
    actual : array or sparse matrix, shape (n, D)
        The candidate's matrix.
    function : str or callable
        ``duplicated_padding``, ``duplicated_diagonal_padding`` or ``dual_lphm``.
    *args, **kwargs
        The arguments of that function, as refimpl takes them.
    probes : int, default 30
        The number of probe vectors.
    seed : int, default 0
        The probes' seed.

    Returns
    -------
    ProbeReport
        ``passed``, and the probability that a wrong matrix would have passed.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> import refimpl
    >>> from refimpl.testing import check_matrix
    >>> w = np.arange(1.0, 5.0)
    >>> good = refimpl.duplicated_diagonal_padding(w, 4096, 4096, 2048)
    >>> check_matrix(good, "duplicated_diagonal_padding", w, 4096, 4096, 2048).passed
    True
    >>> bad = good.tolil(); bad[4000, 4001] = 9.0
    >>> report = check_matrix(bad.tocsr(), "duplicated_diagonal_padding", w, 4096, 4096, 2048)
    >>> report.passed, report.false_pass_probability < 1e-8
    (False, True)
    """
    name: Any = getattr(function, "__name__", function)  # a function stands for its name; get_function checks
    spec = get_function(name)
    if spec.is_fusion:
        raise RefimplError(f"check_matrix compares matrices; {spec.name} has none (use check)")
    config, inputs = spec.bind(args, kwargs)
    shape = spec.output_shape(config)
    if tuple(actual.shape) != shape:
        return ProbeReport(False, 0, f"shape {tuple(actual.shape)}, expected {shape}", 1.0)
    dtype = numpy_dtype(actual)
    V = np.random.default_rng(seed).choice([-1.0, 1.0], size=(shape[1], probes))
    got = to_numpy(_matmul_in_library(actual, V.astype(dtype)))
    return _compare(spec, config, inputs["w"], V, got, dtype)


def _compare(
    spec: Function, config: dict[str, Any], w: Any, V: np.ndarray, got: np.ndarray, dtype: np.dtype
) -> ProbeReport:
    """The candidate's ``M V`` against the operator's, within the oracle's bound on ``|psi(w)| |V|``."""
    w = wide(w)
    op, op_abs = spec.operator(config, w), spec.operator(config, np.abs(w))
    expected = op.matmul(V)
    K = probe_rounding_count(spec, config, complex_data=np.iscomplexobj(w))
    bound = error_bound(K, dtype)(op_abs.matmul(np.abs(V)))
    error = np.abs(got - expected)
    probes, probability = V.shape[1], 2.0 ** -V.shape[1]
    if np.any(error > bound):
        i, j = (int(x) for x in np.unravel_index(int(np.argmax(error - bound)), error.shape))
        message = (
            f"{spec.describe(config)}: {int(np.any(error > bound, axis=0).sum())} of {probes} probes disagree; "
            f"worst: row {i} of probe {j}: expected {expected[i, j]!r}, actual {got[i, j]!r}, "
            f"allowed error {bound[i, j]:.3g}"
        )
        return ProbeReport(False, probes, message, probability)
    message = f"{spec.describe(config)}: {probes} probes agree; a wrong matrix passes with probability <= {probability:.3g}"
    return ProbeReport(True, probes, message, probability)


def _matmul_in_library(M: Any, V: np.ndarray) -> Any:
    """``M @ V`` in ``M``'s own library (NumPy, SciPy sparse, any array-API library, CuPy sparse)."""
    if isinstance(M, np.ndarray) or scipy.sparse.issparse(M):
        return M @ V
    if array_api_compat.is_array_api_obj(M):
        xp = array_api_compat.array_namespace(M)
        return M @ xp.asarray(V, device=array_api_compat.device(M))
    import cupy  # CuPy's sparse matrices: the one other sparse format refimpl makes

    return M @ cupy.asarray(V)
