"""Generate ``mutants.py``: small edits of ``faithful.py``, the equivalent ones excluded.

Run from the repository root::

    python -m tests.oracle_corpus.make_mutants

Each mutant changes one node of one function of ``faithful.py``: an arithmetic operator swapped
(``+``/``-``, ``*`` to ``+``, ``//``/``%``, ``@`` to ``*``), a comparison changed (``==`` to
``!=`` or ``<=``, ``is`` / ``is not``), an integer constant moved by one, two adjacent call
arguments swapped, a ``.T`` dropped, the two indices of a subscript swapped, or one name replaced
by its partner (``s``/``t``, ``p``/``q``, ``n``/``D``, ``i``/``j``). Every mutant is then compared
with the faithful function on every small configuration (all sides up to 3, tagged, random,
non-finite, float32, integer and ``(1, l)`` parameter vectors, batches). A mutant that agrees on
all of them is an equivalent candidate: it is excluded and listed in ``EQUIVALENT_MUTANTS.rst``
with the reason (written by hand in ``REASONS`` below, after reading the mutant). A mutant that
behaves like one already kept (the same outputs or exceptions on every seventh small case) is
redundant and left out, so that the scorecard counts distinct behaviours.
"""

from __future__ import annotations

import ast
import copy
import itertools
import pathlib
import warnings

import numpy as np

HERE = pathlib.Path(__file__).parent
FUNCTIONS = (
    "duplicated_padding",
    "duplicated_diagonal_padding",
    "dual_lphm",
    "dual_lphm_fusion",
    "concatenation_fusion",
)
PARTNERS = {"s": "t", "t": "s", "p": "q", "q": "p", "n": "D", "D": "n", "i": "j", "j": "i"}
BINOPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Add,
    ast.FloorDiv: ast.Mod,
    ast.Mod: ast.FloorDiv,
    ast.MatMult: ast.Mult,
}
# Why each equivalent mutant computes the same function (key: the mutant's description).
_RESHAPE = "NumPy's reshape reads any negative size as 'the rest', so ``reshape(-2)`` is ``reshape(-1)``."
_FIRST_WIDTH = (
    "n is left out only when every input has the same width (SPEC), so the last input's width is "
    "the first one's."
)
REASONS: dict[str, str] = {
    "line 5: constant: `1` -> `2`": _RESHAPE,
    "line 3: constant: `1` -> `2`": _RESHAPE,
    "line 11: constant: `1` -> `2`": _RESHAPE,
    "line 8: constant: `0` -> `-1`": _FIRST_WIDTH,
    "line 6: constant: `0` -> `-1`": _FIRST_WIDTH,
}


# Catalogued mistakes a mutant is, wherever it returns values (key: function, description); by reasoning.
_TRANSPOSED = "output_transposed"  # i or j built as the other axis: runs only when n or D is 1, where it is the transpose
DIAGNOSES: dict[tuple[str, str], str] = {
    (
        "duplicated_padding",
        "line 9: arguments swapped: `np.arange(D).reshape(1, D)` -> `np.arange(D).reshape(D, 1)`",
    ): _TRANSPOSED,
    (
        "dual_lphm",
        "line 15: arguments swapped: `np.arange(n).reshape(n, 1)` -> `np.arange(n).reshape(1, n)`",
    ): _TRANSPOSED,
    (
        "dual_lphm",
        "line 16: arguments swapped: `np.arange(D).reshape(1, D)` -> `np.arange(D).reshape(D, 1)`",
    ): _TRANSPOSED,
    # P @ Q with Q of shape (q, r) runs only when q == r, and then it is Q read as (r, q).
    ("dual_lphm", "line 13: transpose dropped: `Q.T` -> `Q`"): "factor_transposed:Q",
    ("dual_lphm", "line 14: transpose dropped: `T.T` -> `T`"): "factor_transposed:T",
    # A[j // t, i // s] runs only when p == q (else an IndexError), and then A^T = Q P^T: P and Q
    # exchanged; B[j % t, i % s] only when s == t, and then B^T = T S^T: S and T exchanged.
    (
        "dual_lphm",
        "line 17: indices swapped: `A[i // s, j // t]` -> `A[j // t, i // s]`",
    ): "segment_order:QPST",
    ("dual_lphm", "line 17: indices swapped: `B[i % s, j % t]` -> `B[j % t, i % s]`"): "segment_order:PQTS",
    (
        "dual_lphm_fusion",
        "line 11: arguments swapped: `dual_lphm(w.astype(dtype), N, n, p, q, r)` -> `dual_lphm(w.astype(dtype), N, n, q, p, r)`",
    ): "p_q_exchanged",
}


def _mutations(fn: ast.FunctionDef):
    """Yield (description, mutated copy of fn) for every single-node edit."""
    nodes = [node for node in ast.walk(fn) if node is not fn]
    for index, node in enumerate(nodes):
        for label, edit in _edits(node):
            new_fn = copy.deepcopy(fn)
            target = [n for n in ast.walk(new_fn) if n is not new_fn][index]
            before = ast.unparse(target)
            replacement = edit(target)
            if replacement is not None:
                _replace(new_fn, target, replacement)
                target = replacement
            after = ast.unparse(target)
            if before != after:
                yield f"line {node.lineno - fn.lineno + 1}: {label}: `{before}` -> `{after}`", new_fn


def _replace(root, old, new):
    for parent in ast.walk(root):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
            elif isinstance(value, list):
                parent.__dict__[field] = [new if v is old else v for v in value]


def _edits(node):
    if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
        yield "operator", lambda n: setattr(n, "op", BINOPS[type(n.op)]())
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        swaps = {ast.Eq: (ast.NotEq, ast.LtE), ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,)}
        for new in swaps.get(type(node.ops[0]), ()):
            yield "comparison", lambda n, new=new: setattr(n, "ops", [new()])
    if isinstance(node, ast.Constant) and type(node.value) is int:
        for delta in (1, -1):
            yield "constant", lambda n, d=delta: setattr(n, "value", n.value + d)
    if (
        isinstance(node, ast.Call)
        and len(node.args) >= 2
        and not any(isinstance(a, ast.Starred) for a in node.args)
    ):
        for k in range(len(node.args) - 1):

            def swap(n, k=k):
                n.args[k], n.args[k + 1] = n.args[k + 1], n.args[k]

            yield "arguments swapped", swap
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield "transpose dropped", lambda n: n.value
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == 2:
        yield "indices swapped", lambda n: n.slice.elts.reverse()
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in PARTNERS:
        yield "name replaced", lambda n: setattr(n, "id", PARTNERS[n.id])


# ------------------------------------------------------------------ small cases


def _vectors(l, rng):
    yield np.arange(1.0, l + 1)
    yield rng.standard_normal(l)
    bad = rng.standard_normal(l)
    bad[rng.integers(l)] = np.inf
    bad[rng.integers(l)] = np.nan
    yield bad
    yield rng.standard_normal(l).astype(np.float32)
    yield np.arange(1, l + 1)
    yield np.arange(1.0, l + 1).reshape(1, l)


def _padding_cases(rng, diagonal):
    for p, q, s, t in itertools.product(range(1, 4), repeat=4):
        for w in _vectors(s * t, rng):
            yield (w, p * s, q * t, p, q), {}
            if p == q:
                yield (w, p * s, q * t, p), {}


def _lphm_cases(rng):
    for p, q, s, t, r in itertools.product(range(1, 4), range(1, 4), range(1, 4), range(1, 4), range(1, 3)):
        for w in _vectors(r * (p + q + s + t), rng):
            yield (w, p * s, q * t, p, q, r), {}


def _fusion_inputs(rng, dims, m, batch):
    yield [rng.standard_normal(batch + (m, d)) for d in dims]
    bad = [rng.standard_normal(batch + (m, d)) for d in dims]
    if m:
        bad[0].flat[0] = np.inf
    yield bad
    yield [rng.standard_normal(batch + (m, d)).astype(np.float32) for d in dims]


def _fusion_cases(rng, lphm):
    for dims in ([1], [2], [3], [2, 2], [1, 2], [2, 1, 3]):
        N = sum(dims)
        for n, m, batch in itertools.product((1, 2, 3, 4), (0, 1, 3), ((), (2,))):
            if lphm:
                for p, q, r in itertools.product(range(1, 4), range(1, 4), range(1, 3)):
                    if N % p or n % q:
                        continue
                    l = r * (p + q + N // p + n // q)
                    for inputs in _fusion_inputs(rng, dims, m, batch):
                        for w in (np.arange(1.0, l + 1), rng.standard_normal(l)):
                            yield (inputs, w), {"p": p, "q": q, "r": r, "n": n}
                            if p == q and all(d == n for d in dims):
                                yield (inputs, w), {"p": p, "r": r}
            else:
                for inputs in _fusion_inputs(rng, dims, m, batch):
                    for w in (np.arange(1.0, N * n + 1), rng.standard_normal(N * n), np.arange(N * n)):
                        yield (inputs, w), {"n": n}
                        if all(d == n for d in dims):
                            yield (inputs, w), {}


def small_cases(function):
    """Every small case of ``function``: (args, kwargs) pairs, drawn from a fixed seed."""
    rng = np.random.default_rng(20240601)
    if function in ("duplicated_padding", "duplicated_diagonal_padding"):
        return list(_padding_cases(rng, function == "duplicated_diagonal_padding"))
    if function == "dual_lphm":
        return list(_lphm_cases(rng))
    return list(_fusion_cases(rng, function == "dual_lphm_fusion"))


def _snapshot(args, kwargs):
    arrays = [a for a in args if isinstance(a, np.ndarray)] + [
        a for x in args if isinstance(x, list) for a in x
    ]
    return [(a, a.copy()) for a in arrays]


def _run(fn, args, kwargs):
    args = copy.deepcopy(args)
    snap = _snapshot(args, kwargs)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = fn(*args, **kwargs)
        out = np.asarray(out.toarray() if hasattr(out, "toarray") else out)
    except Exception as exc:
        return ("raised", type(exc).__name__)
    changed = any(
        a.shape != b.shape or a.dtype != b.dtype or not np.array_equal(a, b, equal_nan=True) for a, b in snap
    )
    return ("ok", out, changed)


def fingerprint(fn, cases):
    """What ``fn`` does on ``cases``, as a hashable summary (two mutants alike here are redundant)."""
    summary = []
    with np.errstate(all="ignore"):
        summary = _summaries(fn, cases)
    return hash(tuple(summary))


def _summaries(fn, cases):
    summary = []
    for args, kwargs in cases:
        result = _run(fn, args, kwargs)
        if result[0] == "raised":
            summary.append(result)
        else:
            out = result[1]
            summary.append(
                (
                    out.shape,
                    out.dtype.str,
                    result[2],
                    np.round(np.nan_to_num(out.astype(np.float64)), 6).tobytes(),
                )
            )
    return summary


def same(faithful, mutant, cases):
    """True when the mutant agrees with the faithful function on every case."""
    for args, kwargs in cases:
        a, b = _run(faithful, args, kwargs), _run(mutant, args, kwargs)
        if a[0] != b[0]:
            return False
        if a[0] == "raised":
            continue
        x, y = a[1], b[1]
        if x.shape != y.shape or x.dtype != y.dtype or a[2] != b[2]:
            return False
        if not np.array_equal(np.isnan(x), np.isnan(y)) or not np.allclose(
            x, y, rtol=1e-12, atol=0, equal_nan=True
        ):
            return False
    return True


# ------------------------------------------------------------------ generation


def generate():
    """Every mutant of every function: (function, description, source, agrees with the faithful one)."""
    from tests.oracle_corpus import faithful

    tree = ast.parse((HERE / "faithful.py").read_text())
    found, seen, behaviours = [], set(), set()
    for fn in (node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in FUNCTIONS):
        cases = small_cases(fn.name)
        reference = getattr(faithful, fn.name)
        for k, (description, mutant) in enumerate(_mutations(fn)):
            mutant.decorator_list = []
            mutant.name = f"{fn.name}__m{k:03d}"
            body = ast.unparse(mutant).split("\n", 1)[1]
            if body in seen:
                continue
            seen.add(body)
            namespace = dict(vars(faithful))
            exec(compile(ast.Module([mutant], []), "<mutant>", "exec"), namespace)
            equivalent = same(reference, namespace[mutant.name], cases)
            if not equivalent:
                behaviour = (fn.name, fingerprint(namespace[mutant.name], cases[::7]))
                if behaviour in behaviours:
                    continue  # redundant: behaves like a mutant already kept
                behaviours.add(behaviour)
            found.append((fn.name, description, ast.unparse(mutant), equivalent))
    return found


HEADER = '''"""Mutants of ``faithful.py``, generated by ``make_mutants.py``: do not edit by hand.

Each is the faithful function with one small edit (named in its ``mistake``). Mutants that agree
with the faithful function on every small case are excluded (``EQUIVALENT_MUTANTS.rst`` lists them),
and so is a mutant that behaves exactly like one already kept on every seventh small case.
"""

# ruff: noqa
from __future__ import annotations

import numpy as np

from tests.oracle_corpus import candidate
from tests.oracle_corpus.faithful import _floating, dual_lphm
'''


def write(found):
    """Write ``mutants.py`` and ``EQUIVALENT_MUTANTS.rst`` from :func:`generate`'s result."""
    parts = [HEADER]
    for function, description, source, equivalent in found:
        if not equivalent:
            diagnoses = DIAGNOSES.get((function, description), ())
            parts.append(
                f"\n\n@candidate({function!r}, mistake={('mutant: ' + description)!r}, diagnoses={diagnoses!r})\n{source}\n"
            )
    (HERE / "mutants.py").write_text("".join(parts))
    lines = [
        "Equivalent mutants (excluded from the scorecard)",
        "================================================",
        "",
        "Generated by ``python -m tests.oracle_corpus.make_mutants``. Each agrees with the faithful",
        "function on every small case; the reason says why it computes the same function.",
        "",
    ]
    for function, description, _, equivalent in found:
        if equivalent:
            reason = REASONS.get(
                description, "REASON MISSING: read the mutant and write why it is equivalent"
            )
            lines += [f"* ``{function}`` {description}", f"  {reason}", ""]
    (HERE / "EQUIVALENT_MUTANTS.rst").write_text("\n".join(lines))


if __name__ == "__main__":
    results = generate()
    write(results)
    kept = sum(not e for *_, e in results)
    print(f"{len(results)} mutants, {kept} kept, {len(results) - kept} equivalent")
