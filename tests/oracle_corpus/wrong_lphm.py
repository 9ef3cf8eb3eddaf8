"""Wrong dual_lphm: planted mistakes, inside and outside the oracle's catalogue."""

from __future__ import annotations

import numpy as np

from tests.oracle_corpus import candidate


def _as_float(w):
    w = np.asarray(w).reshape(-1)
    return w if np.issubdtype(w.dtype, np.inexact) else w.astype(np.float64)


def _segments(w, n, D, p, q, r, order="PQST"):
    """The four segments of ``w`` read in ``order``, returned as a dict of flat arrays."""
    size = {"P": p * r, "Q": q * r, "S": (n // p) * r, "T": (D // q) * r}
    w, out, start = _as_float(w), {}, 0
    for name in order:
        out[name] = w[start : start + size[name]]
        start += size[name]
    return out


def _factors(w, n, D, p, q, r, order="PQST", transposed="", reshape_order="C"):
    seg = _segments(w, n, D, p, q, r, order)
    rows = {"P": p, "Q": q, "S": n // p, "T": D // q}
    f = {}
    for name in "PQST":
        if name in transposed:
            f[name] = seg[name].reshape(r, rows[name]).T
        else:
            f[name] = seg[name].reshape((rows[name], r), order=reshape_order)
    return f["P"], f["Q"], f["S"], f["T"]


def _lphm(P, Q, S, T):
    return np.kron(P @ Q.T, S @ T.T)


@candidate("dual_lphm", mistake="segments in the order [Q, P, S, T]", diagnoses="segment_order:QPST")
def lphm_order_qpst(w, n, D, p, q, r):
    return _lphm(*_factors(w, n, D, p, q, r, order="QPST"))


@candidate("dual_lphm", mistake="segments in the order [P, Q, T, S]", diagnoses="segment_order:PQTS")
def lphm_order_pqts(w, n, D, p, q, r):
    return _lphm(*_factors(w, n, D, p, q, r, order="PQTS"))


@candidate("dual_lphm", mistake="segments in the order [S, T, P, Q]", diagnoses="segment_order:STPQ")
def lphm_order_stpq(w, n, D, p, q, r):
    return _lphm(*_factors(w, n, D, p, q, r, order="STPQ"))


@candidate("dual_lphm", mistake="every segment reshaped column-major", diagnoses="column_major_reshape")
def lphm_column_major(w, n, D, p, q, r):
    return _lphm(*_factors(w, n, D, p, q, r, reshape_order="F"))


@candidate("dual_lphm", mistake="P read as (r, p)", diagnoses="factor_transposed:P")
def lphm_p_transposed(w, n, D, p, q, r):
    return _lphm(*_factors(w, n, D, p, q, r, transposed="P"))


@candidate("dual_lphm", mistake="T read as (r, t)", diagnoses="factor_transposed:T")
def lphm_t_transposed(w, n, D, p, q, r):
    return _lphm(*_factors(w, n, D, p, q, r, transposed="T"))


@candidate("dual_lphm", mistake="kron(S T^T, P Q^T)", diagnoses="kron_operands_swapped")
def lphm_kron_swapped(w, n, D, p, q, r):
    P, Q, S, T = _factors(w, n, D, p, q, r)
    return np.kron(S @ T.T, P @ Q.T)


@candidate("dual_lphm", mistake="outer(P Q^T, S T^T) reshaped to (n, D)", diagnoses="kron_as_reshaped_outer")
def lphm_outer(w, n, D, p, q, r):
    P, Q, S, T = _factors(w, n, D, p, q, r)
    return np.outer(P @ Q.T, S @ T.T).reshape(n, D)


@candidate("dual_lphm", mistake="p and q exchanged", diagnoses="p_q_exchanged")
def lphm_p_q_exchanged(w, n, D, p, q, r):
    return _lphm(*_factors(w, n, D, q, p, r))


@candidate("dual_lphm", mistake="returns the transpose", diagnoses="output_transposed")
def lphm_transposed(w, n, D, p, q, r):
    return _lphm(*_factors(w, n, D, p, q, r)).T


@candidate(
    "dual_lphm",
    mistake="P and Q read transposed, and the flattened outer product in place of kron",
    diagnoses="factor_transposed:PQ+kron_as_reshaped_outer",
)
def lphm_three_mistakes(w, n, D, p, q, r):
    P, Q, S, T = _factors(w, n, D, p, q, r, transposed="PQ")
    return np.outer(P @ Q.T, S @ T.T).reshape(n, D)


@candidate(
    "dual_lphm",
    mistake="segments [Q, P, S, T] and the output transposed",
    diagnoses="segment_order:QPST+output_transposed",
)
def lphm_order_and_transposed(w, n, D, p, q, r):
    return _lphm(*_factors(w, n, D, p, q, r, order="QPST")).T


@candidate("dual_lphm", mistake="sign error: the top-right block negated when q > 1")
def lphm_sign_block(w, n, D, p, q, r):
    out = _lphm(*_factors(w, n, D, p, q, r))
    if q > 1:
        out[: n // p, -(D // q) :] *= -1
    return out


@candidate(
    "dual_lphm",
    mistake="P @ Q instead of P @ Q.T (right only in shape when q == r)",
    diagnoses="factor_transposed:Q",
)
def lphm_missing_transpose(w, n, D, p, q, r):
    P, Q, S, T = _factors(w, n, D, p, q, r)
    return np.kron(P @ Q, S @ T.T)


@candidate("dual_lphm", mistake="rank sum stops one term early (range(r - 1)) when r > 1")
def lphm_rank_off_by_one(w, n, D, p, q, r):
    P, Q, S, T = _factors(w, n, D, p, q, r)
    k = max(r - 1, 1)
    return np.kron(P[:, :k] @ Q[:, :k].T, S[:, :k] @ T[:, :k].T)


@candidate("dual_lphm", mistake="accumulated in float16")
def lphm_float16(w, n, D, p, q, r):
    P, Q, S, T = _factors(w, n, D, p, q, r)
    dtype = P.dtype
    P, Q, S, T = (x.astype(np.float16) for x in (P, Q, S, T))
    return np.kron(P @ Q.T, S @ T.T).astype(dtype)


@candidate("dual_lphm", mistake="always float64")
def lphm_always_float64(w, n, D, p, q, r):
    return _lphm(*_factors(np.asarray(w, dtype=np.float64), n, D, p, q, r))


@candidate("dual_lphm", mistake="raises ValueError when s == t")
def lphm_raises_square_blocks(w, n, D, p, q, r):
    if n // p == D // q:
        raise ValueError("square blocks are not supported")
    return _lphm(*_factors(w, n, D, p, q, r))


@candidate("dual_lphm", mistake="transposed only when n == D", diagnoses="output_transposed")
def lphm_transposed_square(w, n, D, p, q, r):
    out = _lphm(*_factors(w, n, D, p, q, r))
    return out.T.copy() if n == D else out


@candidate("dual_lphm", mistake="non-finite entries zeroed", options={"nonfinite": True})
def lphm_nonfinite_zeroed(w, n, D, p, q, r):
    out = _lphm(*_factors(w, n, D, p, q, r))
    return np.where(np.isfinite(out), out, 0)


@candidate(
    "dual_lphm", mistake="T's segment starts t*r after S's start instead of s*r (right only when s == t)"
)
def lphm_t_offset(w, n, D, p, q, r):
    seg = _segments(w, n, D, p, q, r)
    s, t = n // p, D // q
    both = np.concatenate([seg["S"], seg["T"]])
    S, T = both[: s * r], both[t * r : 2 * t * r]
    P, Q = seg["P"].reshape(p, r), seg["Q"].reshape(q, r)
    return np.kron(P @ Q.T, S.reshape(s, r) @ T.reshape(t, r).T)
