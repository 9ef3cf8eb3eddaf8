"""Two small implementations of ``dual_lphm`` to try the oracle on: ``refimpl check`` runs both.

* :func:`faithful_dual_lphm` is written independently of refimpl's code: it evaluates the
  entry formula of SPEC section 3 as one ``einsum`` over the four factors;
* :func:`column_major_dual_lphm` makes the classic layout mistake: it reads each segment of
  ``w`` in column-major (Fortran) order, as code ported from MATLAB or Julia often does.

Both cut ``w`` themselves, as a user's implementation does: they are candidates for the oracle,
not a second reading of the layout (that is :func:`refimpl.functions.dual_lphm.lphm_factors`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["FUNCTION", "column_major_dual_lphm", "faithful_dual_lphm"]

#: The function of SPEC both examples implement.
FUNCTION = "dual_lphm"


def _segments(w: Any, n: int, D: int, p: int, q: int, r: int, order: str) -> list[np.ndarray]:
    w = np.asarray(w).reshape(-1)
    w = w.astype(np.float64) if w.dtype.kind in "biu" else w  # SPEC: integer and bool w give float64
    shapes = [(p, r), (q, r), (n // p, r), (D // q, r)]
    out, start = [], 0
    for rows, cols in shapes:
        out.append(w[start : start + rows * cols].reshape(rows, cols, order=order))
        start += rows * cols
    return out


def faithful_dual_lphm(w: Any, n: int, D: int, p: int, q: int | None, r: int) -> np.ndarray:
    """``psi[i*s + a, j*t + b] = (sum_c P[i,c] Q[j,c]) * (sum_d S[a,d] T[b,d])``, by ``einsum``.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.examples import faithful_dual_lphm
    >>> faithful_dual_lphm(np.arange(1.0, 9.0), 4, 4, 2, 2, 1)[0]
    array([105., 120., 140., 160.])
    """
    q = p if q is None else q
    P, Q, S, T = _segments(w, n, D, p, q, r, "C")
    psi: np.ndarray = np.einsum("ic,jc,ad,bd->iajb", P, Q, S, T).reshape(n, D)  # einsum is typed Any
    return psi


def column_major_dual_lphm(w: Any, n: int, D: int, p: int, q: int | None, r: int) -> np.ndarray:
    """Like :func:`faithful_dual_lphm`, but each factor is read from ``w`` in column-major order.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.examples import column_major_dual_lphm
    >>> column_major_dual_lphm(np.arange(1.0, 9.0), 4, 4, 2, 2, 1)[0]  # r = 1: no difference yet
    array([105., 120., 140., 160.])
    """
    q = p if q is None else q
    P, Q, S, T = _segments(w, n, D, p, q, r, "F")
    psi: np.ndarray = np.einsum("ic,jc,ad,bd->iajb", P, Q, S, T).reshape(n, D)  # einsum is typed Any
    return psi
