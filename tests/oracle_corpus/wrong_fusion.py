"""Wrong dual_lphm_fusion and concatenation_fusion: planted mistakes."""

from __future__ import annotations

import numpy as np

from tests.oracle_corpus import candidate


def _dtype(*arrays):
    floats = [a.dtype for a in arrays if np.issubdtype(a.dtype, np.inexact)]
    return np.result_type(*floats) if floats else np.dtype(np.float64)


def _prepare(inputs, w):
    arrays = [np.asarray(a) for a in inputs]
    w = np.asarray(w).reshape(-1)
    dtype = _dtype(w, *arrays)
    return [a.astype(dtype) for a in arrays], w.astype(dtype)


def _factors(w, N, n, p, q, r, order="PQST", transposed=""):
    rows = {"P": p, "Q": q, "S": N // p, "T": n // q}
    f, start = {}, 0
    for name in order:
        seg = w[start : start + rows[name] * r]
        start += rows[name] * r
        f[name] = seg.reshape(r, rows[name]).T if name in transposed else seg.reshape(rows[name], r)
    return f["P"], f["Q"], f["S"], f["T"]


def _weight(w, N, n, p, q, r, **kw):
    P, Q, S, T = _factors(w, N, n, p, q, r, **kw)
    return np.kron(P @ Q.T, S @ T.T)


def _fusion(X, w, p, q, r, n, **kw):
    return X @ _weight(w, X.shape[-1], n, p, q, r, **kw)


def _setup(inputs, w, q, n, p):
    arrays, w = _prepare(inputs, w)
    return arrays, w, (p if q is None else q), (arrays[0].shape[-1] if n is None else n)


def _interleave(arrays):
    """Columns taken one from each input in turn (round robin)."""
    columns = []
    for j in range(max(a.shape[-1] for a in arrays)):
        columns.extend(a[..., j] for a in arrays if j < a.shape[-1])
    return np.stack(columns, axis=-1)


# ------------------------------------------------------------------ dual_lphm_fusion


@candidate("dual_lphm_fusion", mistake="inputs' columns interleaved", diagnoses="interleaved_concatenation")
def fusion_interleaved(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    return _fusion(_interleave(arrays), w, p, q, r, n)


@candidate("dual_lphm_fusion", mistake="inputs joined in reverse order", diagnoses="concatenation_reversed")
def fusion_reversed(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    return _fusion(np.concatenate(arrays[::-1], axis=-1), w, p, q, r, n)


@candidate(
    "dual_lphm_fusion",
    mistake="inputs joined along the rows, then reshaped",
    diagnoses="concatenation_wrong_axis",
)
def fusion_wrong_axis(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    X = np.concatenate(arrays, axis=-2)
    N = sum(a.shape[-1] for a in arrays)
    return _fusion(X.reshape(arrays[0].shape[:-1] + (N,)), w, p, q, r, n)


@candidate("dual_lphm_fusion", mistake="X @ W.T (only square weights run)", diagnoses="weight_transposed")
def fusion_weight_transposed(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    X = np.concatenate(arrays, axis=-1)
    return X @ _weight(w, X.shape[-1], n, p, q, r).T


@candidate("dual_lphm_fusion", mistake="segments in the order [S, P, Q, T]", diagnoses="segment_order:SPQT")
def fusion_order_spqt(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    return _fusion(np.concatenate(arrays, axis=-1), w, p, q, r, n, order="SPQT")


@candidate("dual_lphm_fusion", mistake="S read as (r, s)", diagnoses="factor_transposed:S")
def fusion_s_transposed(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    return _fusion(np.concatenate(arrays, axis=-1), w, p, q, r, n, transposed="S")


@candidate("dual_lphm_fusion", mistake="p and q exchanged", diagnoses="p_q_exchanged")
def fusion_p_q_exchanged(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    return _fusion(np.concatenate(arrays, axis=-1), w, q, p, r, n)


@candidate("dual_lphm_fusion", mistake="output's last two axes swapped", diagnoses="output_transposed")
def fusion_output_transposed(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    return np.swapaxes(_fusion(np.concatenate(arrays, axis=-1), w, p, q, r, n), -1, -2)


@candidate(
    "dual_lphm_fusion", mistake="rows from the 17th on are shifted down by one (a batching bug above 16 rows)"
)
def fusion_rows_above_16(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    out = _fusion(np.concatenate(arrays, axis=-1), w, p, q, r, n)
    if out.shape[-2] > 16:
        out[..., 16:, :] = out[..., 15:-1, :].copy()
    return out


@candidate("dual_lphm_fusion", mistake="the last row zeroed when m > 32")
def fusion_last_row_above_32(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    out = _fusion(np.concatenate(arrays, axis=-1), w, p, q, r, n)
    if out.shape[-2] > 32:
        out[..., -1, :] = 0
    return out


@candidate("dual_lphm_fusion", mistake="n defaults to the sum of the widths instead of n_1")
def fusion_n_default_sum(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, _ = _setup(inputs, w, q, n, p)
    n = sum(a.shape[-1] for a in arrays) if n is None else n
    return _fusion(np.concatenate(arrays, axis=-1), w, p, q, r, n)


@candidate(
    "dual_lphm_fusion",
    mistake="leading batch axes flattened after the row axis, reshaped back without moving them",
)
def fusion_batch_scrambled(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    X = np.concatenate(arrays, axis=-1)
    m, N = X.shape[-2], X.shape[-1]
    rows = np.moveaxis(X, -2, 0).reshape(-1, N)
    return (rows @ _weight(w, N, n, p, q, r)).reshape(X.shape[:-1] + (n,))


@candidate("dual_lphm_fusion", mistake="the last rank component's P column negated when r > 1")
def fusion_rank_sign(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    X = np.concatenate(arrays, axis=-1)
    P, Q, S, T = _factors(w, X.shape[-1], n, p, q, r)
    if r > 1:
        P = P.copy()
        P[:, -1] *= -1
    return X @ np.kron(P @ Q.T, S @ T.T)


@candidate(
    "dual_lphm_fusion",
    mistake="Q and S read transposed, and the flattened outer product in place of kron",
    diagnoses="factor_transposed:QS+kron_as_reshaped_outer",
)
def fusion_three_mistakes(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    X = np.concatenate(arrays, axis=-1)
    P, Q, S, T = _factors(w, X.shape[-1], n, p, q, r, transposed="QS")
    return X @ np.outer(P @ Q.T, S @ T.T).reshape(X.shape[-1], n)


@candidate("dual_lphm_fusion", mistake="always float64")
def fusion_always_float64(inputs, w, *, p, q=None, r, n=None):
    arrays, w, q, n = _setup(inputs, w, q, n, p)
    X = np.concatenate(arrays, axis=-1).astype(np.float64)
    return _fusion(X, w.astype(np.float64), p, q, r, n)


# -------------------------------------------------------------- concatenation_fusion


def _concat(arrays, w, n):
    X = np.concatenate(arrays, axis=-1)
    return X @ w.reshape(X.shape[-1], n)


@candidate("concatenation_fusion", mistake="w reshaped column-major", diagnoses="column_major_reshape")
def concat_column_major(inputs, w, *, n=None):
    arrays, w, _, n = _setup(inputs, w, None, n, 1)
    X = np.concatenate(arrays, axis=-1)
    return X @ w.reshape((X.shape[-1], n), order="F")


@candidate(
    "concatenation_fusion",
    mistake="X @ W.T (only square weights run)",
    diagnoses=("weight_transposed", "column_major_reshape"),
)
def concat_weight_transposed(inputs, w, *, n=None):
    arrays, w, _, n = _setup(inputs, w, None, n, 1)
    X = np.concatenate(arrays, axis=-1)
    return X @ w.reshape(X.shape[-1], n).T


@candidate(
    "concatenation_fusion", mistake="inputs' columns interleaved", diagnoses="interleaved_concatenation"
)
def concat_interleaved(inputs, w, *, n=None):
    arrays, w, _, n = _setup(inputs, w, None, n, 1)
    X = _interleave(arrays)
    return X @ w.reshape(X.shape[-1], n)


@candidate(
    "concatenation_fusion", mistake="inputs joined in reverse order", diagnoses="concatenation_reversed"
)
def concat_reversed(inputs, w, *, n=None):
    arrays, w, _, n = _setup(inputs, w, None, n, 1)
    return _concat(arrays[::-1], w, n)


@candidate(
    "concatenation_fusion",
    mistake="inputs joined along the rows, then reshaped",
    diagnoses="concatenation_wrong_axis",
)
def concat_wrong_axis(inputs, w, *, n=None):
    arrays, w, _, n = _setup(inputs, w, None, n, 1)
    N = sum(a.shape[-1] for a in arrays)
    X = np.concatenate(arrays, axis=-2).reshape(arrays[0].shape[:-1] + (N,))
    return X @ w.reshape(N, n)


@candidate("concatenation_fusion", mistake="output's last two axes swapped", diagnoses="output_transposed")
def concat_output_transposed(inputs, w, *, n=None):
    arrays, w, _, n = _setup(inputs, w, None, n, 1)
    return np.swapaxes(_concat(arrays, w, n), -1, -2)


@candidate("concatenation_fusion", mistake="n defaults to the sum of the widths instead of n_1")
def concat_n_default_sum(inputs, w, *, n=None):
    arrays, w, _, _ = _setup(inputs, w, None, n, 1)
    n = sum(a.shape[-1] for a in arrays) if n is None else n
    return _concat(arrays, w, n)


@candidate(
    "concatenation_fusion",
    mistake="rows from the 17th on are shifted down by one (a batching bug above 16 rows)",
)
def concat_rows_above_16(inputs, w, *, n=None):
    arrays, w, _, n = _setup(inputs, w, None, n, 1)
    out = _concat(arrays, w, n)
    if out.shape[-2] > 16:
        out[..., 16:, :] = out[..., 15:-1, :].copy()
    return out


@candidate("concatenation_fusion", mistake="accumulated in float16")
def concat_float16(inputs, w, *, n=None):
    arrays, w, _, n = _setup(inputs, w, None, n, 1)
    return _concat([a.astype(np.float16) for a in arrays], w.astype(np.float16), n).astype(w.dtype)


@candidate("concatenation_fusion", mistake="always float32")
def concat_always_float32(inputs, w, *, n=None):
    arrays, w, _, n = _setup(inputs, w, None, n, 1)
    return _concat([a.astype(np.float32) for a in arrays], w.astype(np.float32), n)


@candidate("concatenation_fusion", mistake="rejects w of shape (1, l)")
def concat_rejects_row(inputs, w, *, n=None):
    if np.ndim(w) != 1:
        raise ValueError(f"w must be 1-d, got shape {np.shape(w)}")
    arrays, w, _, n = _setup(inputs, w, None, n, 1)
    return _concat(arrays, w, n)


@candidate("concatenation_fusion", mistake="raises ValueError on a single input")
def concat_raises_single(inputs, w, *, n=None):
    if len(inputs) < 2:
        raise ValueError("at least two inputs are needed")
    arrays, w, _, n = _setup(inputs, w, None, n, 1)
    return _concat(arrays, w, n)


@candidate("concatenation_fusion", mistake="the first row dropped when m > 32 (output one row short)")
def concat_short_above_32(inputs, w, *, n=None):
    arrays, w, _, n = _setup(inputs, w, None, n, 1)
    out = _concat(arrays, w, n)
    return out[..., 1:, :] if out.shape[-2] > 32 else out
