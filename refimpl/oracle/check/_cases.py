"""The cases :func:`refimpl.testing.check` gives a candidate: inputs drawn to expose mistakes.

A :class:`Case` is one call: the configuration (every default applied), the optional
arguments left out of the call, the arrays, the dtype the output must have and how the values
were drawn. :func:`case_strategy` draws them so that a mistake cannot hide:

* values are never mostly one repeated number: ``w`` is index-tagged (``1, 2, ..., l``, each
  output entry then says which entry of ``w`` it holds) or well-spread distinct random values,
  and the fusion inputs are distinct random values;
* with ``nonfinite=True``, a share of the cases holds ``inf``, ``-inf`` or ``nan`` (kind
  ``"nonfinite"``), in ``w`` or in the fusion inputs, beside exact zeros in the inputs (``0 *
  inf`` must stay ``nan``); the finite values stay small, so that no finite sum overflows in
  one evaluation order and not in another (SPEC, "Numerics");
* ``w`` comes as ``(l,)`` and as ``(1, l)``; integer and bool ``w`` (the output must then be
  float64) only when ``dtypes`` names them;
* the arrays come in every memory layout (:mod:`._layouts`), and a fusion's inputs in another
  floating dtype than ``w`` in a share of the cases (the output takes the promoted dtype);
* ``q`` (and a fusion's ``n``, when the widths are equal) are left out in a share of the cases
  when the candidate has defaults for them, so that its defaults are tested;
* the fusions' rows reach ``max_rows`` (64 by default) in a third of the cases; empty inputs
  (``m = 0``) are about 2%.

Stable seeds: Hypothesis makes every choice here from booleans (the draws of
:mod:`refimpl.oracle.strategies._draws`) and the values from a NumPy generator seeded by one
of them, so no number literal in the candidate's files can change what a seed draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from ..._validation import RefimplError
from ...functions import Function, get_function, leading_shape
from ..strategies._configurations import Bounds, valid_configurations
from ..strategies._draws import integers, sampled_from
from ._layouts import LAYOUTS

__all__ = ["Case", "arrays", "case_strategy", "output_dtype"]

#: How far the finite values spread: magnitudes in ``[1/4, 4]``, random signs.
_SPREAD = (0.25, 4.0)


@dataclass(frozen=True)
class Case:
    """One call of a candidate, with what its output must be like.

    Attributes
    ----------
    config : dict
        The configuration, every default applied (:meth:`Function.normalize`).
    omitted : frozenset of str
        The optional arguments (``"q"``, a fusion's ``"n"``) not passed to the candidate: its
        default must give the value in ``config``.
    inputs : dict
        ``{"w": w}``, and ``"inputs": [A_1, ..., A_k]`` for the fusions: NumPy arrays, ``w`` of
        shape ``(l,)`` or ``(1, l)`` and of any dtype (integer and bool included).
    dtype : str
        The dtype the output must have (SPEC's promotion: integer or bool ``w`` gives float64).
    kind : str
        How ``w``'s values were drawn: ``"tagged"`` (``1, 2, ..., l``), ``"distinct"`` (spread
        random values) or ``"nonfinite"`` (distinct values and some ``inf``, ``-inf``, ``nan``).
    layout : str
        The memory layout the candidate gets the arrays in (:data:`._layouts.LAYOUTS`).
    """

    config: dict[str, Any]
    omitted: frozenset[str]
    inputs: dict[str, Any]
    dtype: str
    kind: str
    layout: str = "C"

    @property
    def clause(self) -> str:
        """The clause this case's values judge: ``"non-finite"``, ``"promotion"`` (integer or bool
        ``w``) or ``"values"`` (finite floating inputs)."""
        if self.kind == "nonfinite":
            return "non-finite"
        return "promotion" if np.asarray(self.inputs["w"]).dtype.kind in "biu" else "values"


def case_strategy(
    spec: str | Function,
    *,
    dtypes: Sequence[str] = ("float64", "float32"),
    max_side: int = 4,
    max_rows: int = 64,
    config: dict[str, Any] | None = None,
    optional: frozenset[str] = frozenset(),
    nonfinite: bool = False,
    mixed: bool = True,
) -> st.SearchStrategy[Case]:
    """Return a strategy of :class:`Case` for one function of SPEC.

    Parameters
    ----------
    spec : str or Function
        The function, e.g. ``"dual_lphm"``.
    dtypes : sequence of str, default ("float64", "float32")
        The dtypes to draw ``w`` (and the fusion inputs) in. An integer or bool dtype is drawn
        as it is, its output dtype float64.
    max_side : int, default 4
        Bound on ``p, q, s, t`` and on the input widths (:func:`refimpl.strategies.configs`).
    max_rows : int, default 64
        The most rows ``m`` of a fusion's inputs; a third of the cases have exactly that many.
    config : dict, optional
        Draw only the inputs of this configuration. The optional arguments (of ``optional``)
        that it lacks, or gives as ``None``, are left out of the call (``omitted``).
    optional : frozenset of str, default frozenset()
        The arguments the candidate has defaults for (:attr:`Candidate.optional`): only these
        are ever left out.
    nonfinite : bool, default False
        Whether a share of the cases holds ``inf``, ``-inf`` and ``nan``.
    mixed : bool, default True
        Whether a fusion's inputs come in another floating dtype than ``w`` in a share of the
        cases (not for a library whose matrix product refuses mixed dtypes: PyTorch).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of Case

    Raises
    ------
    RefimplError
        If ``dtypes`` is empty or names no NumPy dtype, or ``config`` is invalid.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from refimpl.oracle.check._cases import case_strategy
    >>> from refimpl.functions import FUNCTIONS
    >>> @given(case_strategy("dual_lphm_fusion", optional=frozenset({"q"})))
    ... @settings(max_examples=20, database=None)
    ... def test_cases(case):
    ...     w = case.inputs["w"]
    ...     assert w.shape[-1] == FUNCTIONS["dual_lphm_fusion"].l(case.config) and w.ndim in (1, 2)
    ...     assert case.omitted <= {"q"} and case.dtype in ("float64", "float32")
    >>> test_cases()
    """
    spec = get_function(spec)
    names = _dtype_names(dtypes)
    bounds = Bounds(side=max_side, rank=3, inputs=3, rows=max_rows, batch=True, weighted_rows=True)
    optional = frozenset(optional) & spec.optional_arguments
    if config is not None:
        given = dict(config)
        omitted = frozenset(k for k in optional if given.get(k) is None)
        config = spec.normalize({k: v for k, v in given.items() if v is not None or k not in optional})
        return _cases(spec, names, bounds, config, omitted, optional, (nonfinite, mixed))
    return _cases(spec, names, bounds, None, frozenset(), optional, (nonfinite, mixed))


def _dtype_names(dtypes: Sequence[str]) -> tuple[str, ...]:
    if isinstance(dtypes, str) or not dtypes:
        raise RefimplError(f"dtypes must be a non-empty sequence of dtype names, got {dtypes!r}")
    names = []
    for name in dtypes:
        try:
            dtype = np.dtype(name)
        except TypeError:
            raise RefimplError(f"dtypes must name NumPy dtypes, got {name!r}") from None
        if dtype.kind not in "biufc":
            raise RefimplError(f"dtypes must be numeric or bool, got {name!r}")
        names.append(dtype.name)
    return tuple(names)


@st.composite
def _cases(
    draw: Any,
    spec: Function,
    dtypes: tuple[str, ...],
    b: Bounds,
    config: dict[str, Any] | None,
    omitted: frozenset[str],
    optional: frozenset[str],
    switches: tuple[bool, bool],
) -> Case:
    nonfinite, mixed = switches
    dtype = draw(sampled_from(dtypes))
    if config is None:
        drawn = draw(valid_configurations(spec.name, b))
        omitted = _omissions(draw, spec, drawn, optional)
        config = spec.normalize(drawn)
    in_dtype = dtype if np.dtype(dtype).kind in "fc" else "float64"
    floats = [d for d in dtypes if np.dtype(d).kind in "fc" and d != in_dtype]
    if (
        mixed and spec.is_fusion and floats and draw(integers(0, 3)) == 0
    ):  # mixed: the inputs in another dtype
        in_dtype = draw(sampled_from(floats))
    kind = draw(sampled_from(_kinds(spec, dtype, nonfinite)))
    layout = draw(sampled_from(LAYOUTS if spec.is_fusion else LAYOUTS[:-1]))
    rng = np.random.default_rng(draw(integers(0, 2**20 - 1)))
    inputs = arrays(rng, spec, config, dtype, in_dtype, kind, layout)
    if draw(integers(0, 3)) == 3:
        inputs["w"] = inputs["w"].reshape(1, -1)
    return Case(config, omitted, inputs, output_dtype(spec, dtype, in_dtype), kind, layout)


def output_dtype(spec: Function, w_dtype: str, in_dtype: str) -> str:
    """SPEC's promotion: the floating dtypes of ``w`` and the inputs combined, float64 if none."""
    floating = [d for d in [w_dtype, *([in_dtype] if spec.is_fusion else [])] if np.dtype(d).kind in "fc"]
    return np.result_type(*floating).name if floating else "float64"


def _omissions(draw: Any, spec: Function, drawn: dict[str, Any], optional: frozenset[str]) -> frozenset[str]:
    """Which of the candidate's optional arguments to leave out (changing ``drawn`` to allow it)."""
    out = set()
    if "n" in optional and spec.is_fusion:
        dims = drawn["dims"]
        equal = len(set(dims)) == 1
        if drawn["n"] is None or (equal and drawn["n"] == dims[0] and draw(st.booleans())):
            out.add("n")
    if "q" in optional:
        if not spec.is_fusion and draw(integers(0, 5)) == 0:  # force q = p: D = p * t
            drawn.update(D=drawn["p"] * (drawn["D"] // drawn["q"]), q=drawn["p"])
        if drawn.get("q") == drawn["p"] and draw(st.booleans()):
            out.add("q")
    return frozenset(out)


def _kinds(spec: Function, w_dtype: str, nonfinite: bool) -> list[str]:
    """The ways ``w`` may be drawn in ``w_dtype``, each as likely as listed."""
    dtype = np.dtype(w_dtype)
    if dtype.kind == "b":
        return ["distinct"]
    if dtype.kind in "iu":
        return ["tagged", "distinct"]
    # Index tags grow to l; multiplied together they would overflow float16.
    tagged = ["tagged"] * 3 if spec.exact or np.finfo(dtype).max > 1e30 else []
    return tagged + ["distinct"] * 4 + ["nonfinite"] * (3 if nonfinite else 0)


def arrays(
    rng: np.random.Generator,
    spec: Function,
    config: dict[str, Any],
    w_dtype: str,
    in_dtype: str,
    kind: str,
    layout: str = "C",
) -> dict[str, Any]:
    """The case's arrays: ``w`` drawn as ``kind`` says, a fusion's inputs spread (their rows equal
    for the ``"broadcast"`` layout; some exact zeros beside non-finite values)."""
    l = spec.l(config)
    w = np.arange(1, l + 1).astype(w_dtype) if kind == "tagged" else spread(rng, (l,), w_dtype)
    inputs: dict[str, Any] = {"w": w}
    if spec.is_fusion:
        lead = leading_shape(config)
        inputs["inputs"] = [spread(rng, (*lead, d), in_dtype) for d in config["dims"]]
        for a in inputs["inputs"]:
            if layout == "broadcast" and a.shape[-2] > 0:
                a[...] = a[..., :1, :]
            elif kind == "nonfinite" and a.size:
                a.reshape(-1)[rng.integers(a.size)] = 0  # an exact zero: 0 * inf must stay nan
    if kind == "nonfinite":
        targets = [w]
        if spec.is_fusion and config["m"] > 0:
            targets = [[w], inputs["inputs"], [w, *inputs["inputs"]]][rng.integers(3)]
        for a in targets:
            _place_nonfinite(rng, a)
    return inputs


def spread(rng: np.random.Generator, shape: tuple[int, ...], dtype: str | np.dtype) -> np.ndarray:
    """Random values of ``dtype`` that are never mostly one value.

    Floats: magnitudes uniform in ``[1/4, 4]`` with random signs (complex: both parts).
    Integers: distinct nonzero integers where the array is small enough, else small random
    ones. Bool: random, with both values present.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.oracle.check._cases import spread
    >>> a = spread(np.random.default_rng(0), (3, 4), "float32")
    >>> a.shape, a.dtype, len(np.unique(a)), float(np.abs(a).max()) <= 4
    ((3, 4), dtype('float32'), 12, True)
    """
    dtype, size = np.dtype(dtype), int(np.prod(shape))
    if dtype.kind == "b":
        bits = rng.random(size) < 0.5
        if size >= 2 and (bits.all() or not bits.any()):
            bits[rng.integers(size)] ^= True
        return bits.reshape(shape)
    if dtype.kind in "iu":
        top = min(max(8, size), int(np.iinfo(dtype).max))
        pool = np.arange(1, top + 1)
        pool = pool if dtype.kind == "u" else np.concatenate([-pool, pool])
        # NumPy's stubs type these draws, and the operators on them, as Any.
        drawn: np.ndarray = rng.choice(pool, size, replace=size > len(pool)).astype(dtype)
        return drawn.reshape(shape)

    def real() -> np.ndarray:
        signed: np.ndarray = rng.uniform(*_SPREAD, size) * rng.choice([-1.0, 1.0], size)
        return signed

    values: np.ndarray = real() + 1j * real() if dtype.kind == "c" else real()
    return values.astype(dtype).reshape(shape)


def _place_nonfinite(rng: np.random.Generator, a: np.ndarray) -> None:
    """Put 1 to 3 of ``inf``, ``-inf``, ``nan`` into ``a`` (in place) at random positions."""
    if a.size == 0:
        return
    flat = a.reshape(-1)  # a view: the arrays drawn here are contiguous
    where = rng.choice(a.size, min(a.size, int(rng.integers(1, 4))), replace=False)
    for i in where:
        value = [np.inf, -np.inf, np.nan][rng.integers(3)]
        flat[i] = complex(value, flat[i].imag) if np.iscomplexobj(flat) else value
