"""Inputs and configurations on which a wrong candidate shows which mistake it makes.

The diagnosis (:func:`refimpl.oracle.diagnosis.diagnose_failures`) reruns a candidate's failing
configurations on :func:`informative_inputs`, whose entries are all distinct, and also runs it
on :func:`generic_configurations`, where every catalogued mistake changes the output and no two
agree. On a tiny case shrunk to 0s and 1s unrelated mistakes agree by chance.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._outputs import to_numpy
from ...functions import Function, get_function, leading_shape

__all__ = ["generic_configurations", "grown_configurations", "informative_inputs", "telling"]


def informative_inputs(
    function: str | Function, config: dict[str, Any], like: dict[str, Any]
) -> dict[str, Any] | None:
    """Inputs for ``config`` in the dtypes of ``like`` whose entries tell every layout apart.

    ``w`` is index-tagged: ``w[k] = k + 1`` (divided by ``l`` for the Dual-LPHM functions, whose
    products would otherwise grow as ``l**4``); complex, its imaginary parts are ``l + k + 1``
    (divided likewise); shaped ``(1, l)`` when ``like``'s ``w`` is. The fusion's inputs hold
    distinct values spread over ``[-1, 1]``, of both signs, from a fixed seed. ``None`` when
    ``w`` is boolean and cannot hold tags.

    Examples
    --------
    >>> import numpy as np
    >>> tagged = informative_inputs("duplicated_padding", {"n": 2, "D": 2, "p": 1}, {"w": np.zeros((1, 4), np.float32)})
    >>> tagged["w"]
    array([[1., 2., 3., 4.]], dtype=float32)
    """
    spec = get_function(function)
    config = spec.normalize(config)
    w = to_numpy(like["w"])
    if w.dtype.kind not in "iufc":
        return None
    l = spec.l(config)
    k = np.arange(1, l + 1, dtype=np.float64)
    tags = k + 1j * (k + l) if w.dtype.kind == "c" else k
    if not (spec.exact or w.dtype.kind in "iu"):
        tags = tags / max(l, 1)
    tagged: dict[str, Any] = {"w": tags.astype(w.dtype).reshape((1, l) if w.ndim == 2 else (l,))}
    if spec.is_fusion:
        dtypes = [to_numpy(a).dtype for a in like["inputs"]]
        dtypes += dtypes[-1:] * (len(config["dims"]) - len(dtypes))
        tagged["inputs"] = _spread([(*leading_shape(config), d) for d in config["dims"]], dtypes)
    return tagged


def generic_configurations(spec: Function, template: dict[str, Any]) -> list[dict[str, Any]]:
    """The generic configurations of ``spec``, with the fusion's rows (at least 3) and batch of ``template``.

    Examples
    --------
    >>> from refimpl.functions import get_function
    >>> generic_configurations(get_function("concatenation_fusion"), {"dims": [2], "m": 1, "batch": (2,)})[0]
    {'dims': [3, 3], 'n': 4, 'm': 3, 'batch': (2,)}
    """
    if not spec.is_fusion:
        return [dict(c) for c in spec.generic]
    lead = {"m": max(template.get("m", 1), 3), "batch": tuple(template.get("batch", ()))}
    return [{**c, **lead} for c in spec.generic]


def grown_configurations(spec: Function, config: dict[str, Any]) -> list[dict[str, Any]]:
    """Larger relatives of a failing ``config``, on which a mistake shows that a tiny one hides.

    A candidate may be wrong only on some configurations (an output transposed only when it is
    square, a crash where ``p != q``), and the smallest of them (``s = 1``, ``t = 1``, ``r = 1``)
    make several mistakes agree. The first relative doubles ``s`` and ``t`` (the input widths and
    ``n`` of a fusion) and adds one to ``r``, keeping every equality of the original (a square
    stays square); the second makes ``t`` three times ``s``'s growth, so that equalities break.

    Examples
    --------
    >>> from refimpl.functions import get_function
    >>> grown_configurations(get_function("dual_lphm"), {"n": 2, "D": 2, "p": 2, "q": 1, "r": 1})
    [{'n': 4, 'D': 4, 'p': 2, 'q': 1, 'r': 2}, {'n': 4, 'D': 6, 'p': 2, 'q': 1, 'r': 2}]
    """
    return spec.grown(config)


def telling(spec: Function, config: dict[str, Any]) -> bool:
    """Whether ``config`` is large enough to tell the catalogued mistakes apart.

    With ``s = 1``, ``t = 1`` or ``r = 1`` a factor is a single row or column, and different
    mistakes (segments in another order, ``p`` and ``q`` exchanged, the output transposed) give
    the same output by coincidence. The diagnosis names a mistake only when at least one case
    it reproduces is telling: ``s, t >= 2`` (and ``r >= 2``, ``p + q >= 3``) for the matrices,
    ``N, n, m >= 2`` for the fusions (with ``N/p, n/q, r >= 2`` for the Dual-LPHM one).

    Examples
    --------
    >>> from refimpl.functions import get_function
    >>> spec = get_function("dual_lphm")
    >>> telling(spec, {"n": 2, "D": 2, "p": 2, "q": 1, "r": 1}), telling(spec, {"n": 4, "D": 4, "p": 2, "q": 1, "r": 2})
    (False, True)
    """
    return spec.telling(config)


def _spread(shapes: list[tuple[int, ...]], dtypes: list[np.dtype]) -> list[np.ndarray]:
    """Arrays of these shapes and dtypes holding distinct values of both signs, all different."""
    rng = np.random.default_rng(0)
    sizes = [int(np.prod(shape)) for shape in shapes]
    total = sum(sizes)
    signs = rng.choice([-1.0, 1.0], 2 * total)
    real = (rng.permutation(total) + 1.0) * signs[:total]
    imag = (rng.permutation(total) + 1.0) * signs[total:]
    out, at = [], 0
    for shape, size, dtype in zip(shapes, sizes, dtypes):
        part = real[at : at + size] + 1j * imag[at : at + size] if dtype.kind == "c" else real[at : at + size]
        if dtype.kind in "fc":
            part = part / max(total, 1)
        out.append(part.astype(dtype).reshape(shape))
        at += size
    return out
