"""How :func:`refimpl.testing.check` calls a candidate: its array library, its signature, its autodiff.

A candidate is a function with refimpl's signature or a tinybig-style class (constructed with
the configuration, with ``calculate_l`` and ``forward`` or ``calculate_matrix``). :func:`adapt`
turns either into a :class:`Candidate`, whose ``call(config, inputs, omitted)`` runs it on one
case in the oracle's convention (:mod:`refimpl.functions`): the optional arguments in
``omitted`` left out (so that the candidate's own defaults are tested), ``w`` in the shape a
class needs (tinybig's classes want ``(1, l)``), and every argument compared with a snapshot
taken before the call (:func:`snapshot`, :func:`changed`): a candidate that changes its
arguments in place raises :class:`ArgumentModified`.

The snapshots copy the arguments to the host and compare them after the call: measured, about
13 microseconds per call for a padding's ``w``, 60 for a fusion of three 64-row inputs with
NumPy, 100 with PyTorch; a few milliseconds over the ~110 calls of a ``check`` at its defaults.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, NamedTuple

import array_api_compat
import numpy as np

from ..._outputs import to_numpy
from ..._validation import RefimplError
from ...functions import Function
from ._reports import ConformanceError

__all__ = [
    "BACKENDS",
    "ArgumentModified",
    "Candidate",
    "Runner",
    "adapt",
    "backend_namespace",
    "candidate_vjp",
    "changed",
    "in_backend",
    "optional_parameters",
    "snapshot",
]

#: ``run(config, inputs)``: the candidate's output for one case.
Runner = Callable[[dict[str, Any], dict[str, Any]], Any]

#: The array libraries a candidate's inputs can come in, and the namespace that makes them.
BACKENDS: dict[str, str] = {
    "numpy": "array_api_compat.numpy",
    "torch": "array_api_compat.torch",
    "cupy": "array_api_compat.cupy",
    "jax": "jax.numpy",
    "array_api_strict": "array_api_strict",
}

#: The configuration keys that describe the inputs' shapes rather than the candidate's arguments.
_SHAPE_KEYS = ("dims", "m", "batch")


def backend_namespace(backend: str) -> ModuleType:
    """The array namespace named ``backend`` (a key of :data:`BACKENDS`)."""
    if backend not in BACKENDS:
        raise RefimplError(f"backend must be one of {sorted(BACKENDS)}, got {backend!r}")
    try:
        return importlib.import_module(BACKENDS[backend])
    except ImportError as exc:
        raise ImportError(f"backend {backend!r} is not usable here: {exc}") from exc


def in_backend(xp: ModuleType, inputs: dict[str, Any]) -> dict[str, Any]:
    """``inputs`` with every array in the namespace ``xp``."""
    out = {"w": xp.asarray(inputs["w"])}
    if "inputs" in inputs:
        out["inputs"] = [xp.asarray(a) for a in inputs["inputs"]]
    return out


# -- argument snapshots ----------------------------------------------------------------------


class ArgumentModified(AssertionError):
    """The candidate changed one of its arguments in place (SPEC, "Side effects and determinism").

    The message names the argument (``w``, ``inputs[1]``, ``inputs``) and what changed: the
    first changed entry (its index, the value before and after the call), the shape or the dtype.
    """


class _Argument(NamedTuple):
    """One argument as it was before the call: the object itself, its shape, dtype and values."""

    name: str
    obj: Any
    shape: tuple[int, ...]
    dtype: str
    values: np.ndarray | None  # None for immutable arrays (JAX)
    items: tuple[int, ...] = ()  # for a list of arrays: the ids of its entries


def _host_copy(x: Any) -> np.ndarray:
    """A NumPy copy of the values of an array of any library (sparse ones densified)."""
    if getattr(x, "layout", None) is not None and str(x.layout) != "torch.strided":  # PyTorch sparse
        x = x.to_dense()
    return np.array(to_numpy(x), copy=True)


def snapshot(arguments: dict[str, Any]) -> list[_Argument]:
    """A copy of each argument (``{"w": w, "inputs": [A_1, ...]}``) to compare after the call.

    Arrays of any library (NumPy, PyTorch, CuPy, JAX, ``array_api_strict``, SciPy or PyTorch
    sparse) are copied to the host with their shape and dtype; a list of arrays is recorded as
    its entries' identities and each entry as ``inputs[i]``. JAX arrays cannot change, so only
    their shape and dtype are kept. :func:`changed` compares.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.oracle.check._candidates import changed, snapshot
    >>> w = np.arange(4.0)
    >>> before = snapshot({"w": w})
    >>> w[2] = np.nan
    >>> print(changed(before))
    the candidate changed its argument w in place: w[2] was 2.0 before the call and nan after (1 of 4 entries changed)
    """
    out = []
    for name, value in arguments.items():
        if isinstance(value, (list, tuple)):
            out.append(_Argument(name, value, (len(value),), "list", None, tuple(map(id, value))))
            out += snapshot({f"{name}[{i}]": a for i, a in enumerate(value)})
            continue
        shape, dtype = tuple(value.shape), str(value.dtype)
        immutable = array_api_compat.is_jax_array(value)
        out.append(_Argument(name, value, shape, dtype, None if immutable else _host_copy(value)))
    return out


def changed(before: list[_Argument]) -> str | None:
    """What the call changed in the arguments of ``before`` (:func:`snapshot`), or ``None``.

    Values are compared entry by entry, ``nan`` equal to ``nan``; the message gives the first
    changed entry in row-major order.
    """
    for arg in before:
        problem = _list_change(arg) if arg.dtype == "list" else _array_change(arg)
        if problem:
            return f"the candidate changed its argument {arg.name} in place: {problem}"
    return None


def _list_change(arg: _Argument) -> str | None:
    now = arg.obj
    if len(now) != len(arg.items):
        return f"it held {len(arg.items)} arrays before the call and {len(now)} after"
    for i, (a, old) in enumerate(zip(now, arg.items)):
        if id(a) != old:
            return f"{arg.name}[{i}] was replaced by another object"
    return None


def _array_change(arg: _Argument) -> str | None:
    x = arg.obj
    if tuple(x.shape) != arg.shape:
        return f"its shape was {arg.shape} before the call and {tuple(x.shape)} after"
    if str(x.dtype) != arg.dtype:
        return f"its dtype was {arg.dtype} before the call and {x.dtype} after"
    if arg.values is None:
        return None
    now = _host_copy(x)
    differ = now != arg.values
    if now.dtype.kind in "fc":
        differ &= ~(np.isnan(now) & np.isnan(arg.values))
    if not differ.any():
        return None
    index = tuple(int(i) for i in np.argwhere(differ)[0])
    where = f"{arg.name}[{', '.join(map(str, index))}]"
    return (
        f"{where} was {arg.values[index].item()!r} before the call and {now[index].item()!r} after "
        f"({int(differ.sum())} of {differ.size} entries changed)"
    )


# -- calling conventions ---------------------------------------------------------------------


def optional_parameters(function: Any, spec: Function, *, positional_q: bool = False) -> frozenset[str]:
    """The arguments of ``spec`` that ``function``'s signature gives defaults: ``q``, a fusion's ``n``.

    With ``positional_q`` (refimpl's matrices, called ``f(w, n, D, p, q, r)``), ``q`` counts only
    when the arguments after it can be passed by name.
    """
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):  # a builtin without a signature: leave nothing out
        return frozenset()
    out = set()
    for name in spec.optional_arguments:
        p = parameters.get(name)
        if p is not None and p.default is not inspect.Parameter.empty and p.kind != p.POSITIONAL_ONLY:
            out.add(name)
    if positional_q and "r" in spec.config_keys and "r" not in parameters:
        out.discard("q")
    return frozenset(out)


def _keyword_arguments(spec: Function, config: dict[str, Any], omitted: frozenset[str]) -> dict[str, Any]:
    """The configuration's values that the candidate takes as arguments, less the ones left out."""
    return {k: config[k] for k in spec.config_keys if k not in _SHAPE_KEYS and k not in omitted}


@dataclass
class Candidate:
    """A candidate adapted to one calling convention: :meth:`call` runs it on one case.

    Made by :func:`adapt`. ``convention`` says how it is called (the report prints it);
    ``optional`` lists the arguments its signature has defaults for, which the oracle leaves
    out in a share of the cases to test those defaults.
    """

    target: Any
    spec: Function
    optional: frozenset[str]
    method: str | None = None  # a class's method that computes the result
    #: For a class: the shape ``w`` must have, once one shape failed and the other worked.
    w_layout: str | None = None

    @property
    def convention(self) -> str:
        """How the candidate is called, e.g. ``"function"`` or ``"class, forward(n, D, w), w as (1, l)"``."""
        if self.method is None:
            return "function"
        args = "x, w" if self.spec.is_fusion else "n, D, w"
        layout = self.w_layout or "(l,) and (1, l)"
        return f"class, {self.method}({args}), w as {layout}"

    def call(
        self, config: dict[str, Any], inputs: dict[str, Any], omitted: frozenset[str] = frozenset()
    ) -> Any:
        """The candidate's output for one case, its arguments checked to be unchanged.

        ``config`` has every default applied; the arguments in ``omitted`` are not passed.
        ``inputs`` holds the backend's arrays. An exception of the candidate propagates.

        Raises
        ------
        ArgumentModified
            If the call changed ``w``, a fusion input or the list of inputs.
        ConformanceError
            If a class's ``calculate_l`` disagrees with SPEC.
        """
        out, problem = self.session(config, omitted)(inputs)
        if problem:
            raise ArgumentModified(problem)
        return out

    def session(
        self, config: dict[str, Any], omitted: frozenset[str] = frozenset()
    ) -> Callable[[dict[str, Any]], tuple[Any, str | None]]:
        """One configuration's callable: ``run(inputs)`` gives ``(output, side effect or None)``.

        A class is constructed once here (its ``calculate_l`` checked: :class:`ConformanceError`),
        and every ``run`` calls the same instance: SPEC's layer, called again with a new ``w`` or
        new inputs, must reflect them. Each call's arguments are compared with a snapshot taken
        before it (:func:`changed`).
        """
        compute = self._function(config, omitted) if self.method is None else self._instance(config, omitted)

        def run(inputs: dict[str, Any]) -> tuple[Any, str | None]:
            before = snapshot(inputs)
            with np.errstate(all="ignore"):  # the oracle's inf and nan make NumPy warn; that is no verdict
                out = compute(inputs)
            return out, changed(before)

        return run

    def __call__(self, config: dict[str, Any], inputs: dict[str, Any]) -> Any:
        """``run(config, inputs)`` (:data:`Runner`): ``q`` or ``n`` given as ``None`` are left out."""
        omitted = frozenset(k for k in self.optional if k in config and config[k] is None)
        return self.call(self.spec.normalize(config), inputs, omitted)

    def _function(self, config: dict[str, Any], omitted: frozenset[str]) -> Callable[[dict[str, Any]], Any]:
        arguments = _keyword_arguments(self.spec, config, omitted)
        if self.spec.is_fusion:
            return lambda inputs: self.target(inputs["inputs"], inputs["w"], **arguments)
        keys = list(arguments)
        cut = keys.index("r") if "q" in omitted and "r" in keys else len(keys)  # after a left-out q: by name
        given, named = [arguments[k] for k in keys[:cut]], {k: arguments[k] for k in keys[cut:]}
        return lambda inputs: self.target(inputs["w"], *given, **named)

    def _instance(self, config: dict[str, Any], omitted: frozenset[str]) -> Callable[[dict[str, Any]], Any]:
        spec, arguments = self.spec, _keyword_arguments(self.spec, config, omitted)
        method = self.method or "forward"  # a class's candidate always has its method
        if spec.is_fusion:
            obj = self.target(**arguments, dims=list(config["dims"]))
            if hasattr(obj, "calculate_l"):
                _check_l(spec, config, obj.calculate_l())
            fuse = getattr(obj, method)
            return lambda inputs: self._with_layout(lambda w: fuse(inputs["inputs"], w), inputs["w"])
        n, D = arguments.pop("n"), arguments.pop("D")
        obj = self.target(**arguments)
        if hasattr(obj, "calculate_l"):
            _check_l(spec, config, obj.calculate_l(n, D))
        matrix = getattr(obj, method)
        return lambda inputs: self._with_layout(lambda w: matrix(n, D, w), inputs["w"])

    def _with_layout(self, compute: Callable[[Any], Any], w: Any) -> Any:
        """``compute(w)``, with ``w`` reshaped to the layout the class needs.

        tinybig's classes assert ``w.shape == (1, l)``; others want ``(l,)``. Until one shape
        has failed where the other worked, ``w`` goes as drawn; then always in the one that works.
        """
        layouts = {"(l,)": (-1,), "(1, l)": (1, -1)}
        if self.w_layout is not None:
            return compute(_reshape(w, layouts[self.w_layout]))
        try:
            return compute(w)
        except Exception as first:
            other = "(l,)" if len(w.shape) == 2 else "(1, l)"
            try:
                out = compute(_reshape(w, layouts[other]))
            except Exception:
                raise first from None
            self.w_layout = other
            return out


def _reshape(w: Any, shape: tuple[int, ...]) -> Any:
    return array_api_compat.array_namespace(w).reshape(w, shape)


def adapt(candidate: Any, spec: Function) -> Candidate:
    """The :class:`Candidate` for a function with refimpl's signature or a tinybig-style class.

    A class (one with ``forward`` or ``calculate_matrix``) is constructed with the
    configuration (``p, q, r``; a fusion's ``dims, n, p, q, r``), its ``calculate_l`` (if any)
    checked, and ``forward(n, D, w)`` (else ``calculate_matrix(n, D, w)``) called; a fusion
    class's ``forward(x, w)``. A function is called ``f(w, n, D, p, q[, r])`` or, for a
    fusion, ``f(inputs, w, n=..., p=..., q=..., r=...)``.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.oracle.check._candidates import adapt
    >>> from refimpl.functions import FUNCTIONS
    >>> def mine(w, n, D, p, q=None):
    ...     q = p if q is None else q
    ...     return np.tile(np.reshape(w, (n // p, D // q)), (p, q))
    >>> candidate = adapt(mine, FUNCTIONS["duplicated_padding"])
    >>> candidate.convention, sorted(candidate.optional)
    ('function', ['q'])
    >>> candidate.call({"n": 2, "D": 2, "p": 1, "q": 1}, {"w": np.arange(4.0)}, frozenset({"q"}))
    array([[0., 1.],
           [2., 3.]])
    """
    if isinstance(candidate, type) and (
        hasattr(candidate, "forward") or hasattr(candidate, "calculate_matrix")
    ):
        method = "forward" if hasattr(candidate, "forward") else "calculate_matrix"
        init = candidate.__init__  # type: ignore[misc]  # a class's own __init__, not an instance's
        return Candidate(candidate, spec, optional_parameters(init, spec), method)
    return Candidate(candidate, spec, optional_parameters(candidate, spec, positional_q=not spec.is_fusion))


def _check_l(spec: Function, config: dict[str, Any], l: Any) -> None:
    if l != spec.l(config):
        raise ConformanceError(
            f"calculate_l returned {l!r} for {spec.describe(config)}, expected {spec.l(config)}"
        )


def candidate_vjp(
    spec: Function,
    run: Runner,
    config: dict[str, Any],
    arrays: list[np.ndarray],
    G: np.ndarray,
    backend: str,
) -> list[np.ndarray]:
    """The candidate's gradients of ``w`` and each fusion input by its library's autodiff (PyTorch or JAX)."""

    def given(leaves: Any) -> dict[str, Any]:
        return {"w": leaves[0], "inputs": list(leaves[1:])} if spec.is_fusion else {"w": leaves[0]}

    if backend == "torch":
        import torch

        leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
        got = torch.autograd.grad(run(config, given(leaves)), leaves, torch.as_tensor(G), allow_unused=True)
        return [np.zeros(a.shape, G.dtype) if g is None else g.detach().numpy() for g, a in zip(got, arrays)]
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        _, vjp = jax.vjp(lambda *leaves: run(config, given(leaves)), *[jnp.asarray(a) for a in arrays])
        return [np.asarray(g) for g in vjp(jnp.asarray(G))]
    raise RefimplError(f"grad=True needs backend 'torch' or 'jax', got {backend!r}")
