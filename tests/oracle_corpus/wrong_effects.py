"""Right values, wrong behaviour: arguments changed in place, answers that change between calls."""

from __future__ import annotations

import itertools

import numpy as np

from tests.oracle_corpus import candidate

_calls: dict[str, itertools.count] = {}


def _every_fiftieth(name, out):
    """True on one call in fifty with a non-empty output (a module-level counter per candidate)."""
    counter = _calls.setdefault(name, itertools.count(1))
    return np.size(out) > 0 and next(counter) % 50 == 0


def _as_float(w):
    w = np.array(w).reshape(-1)
    return w if np.issubdtype(w.dtype, np.inexact) else w.astype(np.float64)


def _padding(w, n, D, p, q):
    return np.tile(_as_float(w).reshape(n // p, D // q), (p, q))


def _diagonal(w, n, D, p, q):
    s, t = n // p, D // q
    W = _as_float(w).reshape(s, t)
    out = np.zeros((n, D), dtype=W.dtype)
    for b in range(min(p, q)):
        out[b * s : (b + 1) * s, b * t : (b + 1) * t] = W
    return out


def _lphm(w, n, D, p, q, r):
    w = _as_float(w)
    s, t = n // p, D // q
    P, Q, S, T = np.split(w, np.cumsum([p * r, q * r, s * r]))
    return np.kron(P.reshape(p, r) @ Q.reshape(q, r).T, S.reshape(s, r) @ T.reshape(t, r).T)


def _prepare(inputs, w):
    arrays = [np.asarray(a) for a in inputs]
    w = np.asarray(w).reshape(-1)
    floats = [a.dtype for a in [w, *arrays] if np.issubdtype(a.dtype, np.inexact)]
    dtype = np.result_type(*floats) if floats else np.dtype(np.float64)
    return [a.astype(dtype) for a in arrays], w.astype(dtype)


def _fusion(inputs, w, p, q, r, n):
    arrays, w = _prepare(inputs, w)
    q = p if q is None else q
    n = arrays[0].shape[-1] if n is None else n
    X = np.concatenate(arrays, axis=-1)
    return X @ _lphm(w, X.shape[-1], n, p, q, r)


def _concat(inputs, w, n):
    arrays, w = _prepare(inputs, w)
    n = arrays[0].shape[-1] if n is None else n
    X = np.concatenate(arrays, axis=-1)
    return X @ w.reshape(X.shape[-1], n)


# ------------------------------------------------------------------ arguments changed


@candidate("duplicated_padding", mistake="resizes the caller's w to (l, 1) in place")
def padding_assigns_shape(w, n, D, p, q=None):
    q = p if q is None else q
    w.resize((w.size, 1), refcheck=False)
    return _padding(w, n, D, p, q)


@candidate("duplicated_diagonal_padding", mistake="doubles the caller's w in place, halves its own copy")
def diagonal_rescales_w(w, n, D, p, q=None):
    q = p if q is None else q
    w *= 2
    return _diagonal(_as_float(w) / 2, n, D, p, q)


@candidate("dual_lphm", mistake="rescales the P segment of the caller's w in place")
def lphm_rescales_segment(w, n, D, p, q, r):
    flat = w.reshape(-1)
    flat[: p * r] *= 2
    out = _lphm(flat, n, D, p, q, r)
    return out / 2 if np.issubdtype(out.dtype, np.inexact) else out


@candidate("dual_lphm", mistake="resizes the caller's w to (1, l) in place")
def lphm_assigns_shape(w, n, D, p, q, r):
    w.resize((1, w.size), refcheck=False)
    return _lphm(w, n, D, p, q, r)


@candidate("dual_lphm_fusion", mistake="scales the caller's inputs by 2 in place, then divides")
def fusion_scales_inputs(inputs, w, *, p, q=None, r, n=None):
    for a in inputs:
        a *= 2
    return _fusion([a / 2 for a in inputs], w, p, q, r, n)


@candidate("concatenation_fusion", mistake="halves the caller's inputs in place, then doubles")
def concat_scales_inputs(inputs, w, *, n=None):
    for a in inputs:
        a[...] = a * 0.5
    return _concat([a * 2 for a in inputs], w, n)


@candidate("concatenation_fusion", mistake="sorts the caller's list of inputs by width (after computing)")
def concat_sorts_list(inputs, w, *, n=None):
    out = _concat(inputs, w, n)
    inputs.sort(key=lambda a: a.shape[-1])
    return out


@candidate(
    "dual_lphm_fusion",
    mistake="overwrites the caller's w with its float copy's rounding (w[...] = w.astype(float16))",
)
def fusion_rounds_w(inputs, w, *, p, q=None, r, n=None):
    out = _fusion(inputs, w, p, q, r, n)
    if np.issubdtype(w.dtype, np.floating):
        w[...] = w.astype(np.float16)
    return out


# ------------------------------------------------------------------ non-deterministic


@candidate("duplicated_padding", mistake="non-deterministic: transposed on one non-empty call in fifty")
def padding_flaky(w, n, D, p, q=None):
    q = p if q is None else q
    out = _padding(w, n, D, p, q)
    return out.T.copy() if _every_fiftieth("padding_flaky", out) else out


@candidate(
    "duplicated_diagonal_padding", mistake="non-deterministic: one entry off on one non-empty call in fifty"
)
def diagonal_flaky(w, n, D, p, q=None):
    q = p if q is None else q
    out = _diagonal(w, n, D, p, q)
    if _every_fiftieth("diagonal_flaky", out):
        out[0, 0] += 1
    return out


@candidate("dual_lphm", mistake="non-deterministic: negated on one non-empty call in fifty")
def lphm_flaky(w, n, D, p, q, r):
    out = _lphm(w, n, D, p, q, r)
    return -out if _every_fiftieth("lphm_flaky", out) else out


@candidate("dual_lphm_fusion", mistake="non-deterministic: doubled on one non-empty call in fifty")
def fusion_flaky(inputs, w, *, p, q=None, r, n=None):
    out = _fusion(inputs, w, p, q, r, n)
    return 2 * out if _every_fiftieth("fusion_flaky", out) else out


@candidate("concatenation_fusion", mistake="non-deterministic: one more on one non-empty call in fifty")
def concat_flaky(inputs, w, *, n=None):
    out = _concat(inputs, w, n)
    return out + 1 if _every_fiftieth("concat_flaky", out) else out


_rng = np.random.default_rng()


@candidate("dual_lphm", mistake="non-deterministic: perturbed at random with probability 1/20")
def lphm_random_flaky(w, n, D, p, q, r):
    out = _lphm(w, n, D, p, q, r)
    return out * 1.5 if _rng.random() < 0.05 else out


_memo = {}


@candidate(
    "dual_lphm",
    mistake="memoised on the configuration only: a second w with the same configuration gets the first one's result",
)
def lphm_memoised_on_config(w, n, D, p, q, r):
    key = (n, D, p, q, r, np.asarray(w).dtype.str)
    if key not in _memo:
        _memo[key] = _lphm(w, n, D, p, q, r)
    return _memo[key].copy()
