"""The protocol every function of SPEC implements in its home (the table of homes is :mod:`refimpl.functions`).

A function's home (one module of :mod:`refimpl.functions`) holds the function and its ``_l``,
its operator, and a :class:`Function`: the object through which the oracle, the command line
and the plotting reach it without naming it. A :class:`Function` says

* what a configuration is (``config_keys``, :meth:`Function.shape`, the defaults of
  :meth:`Function.normalize`) and what its output is (:meth:`Function.output_shape`);
* how refimpl computes it (:meth:`Function.call`) and, for the oracle, how many roundings an
  output entry goes through (:meth:`Function.rounding_count`), its vector-Jacobian product
  (:meth:`Function.vjp`), what a sparse output may store (:meth:`Function.structure_problem`),
  its catalogue of mistakes (:attr:`Function.mistakes`) and the output each mistake gives
  (:meth:`Function.mistaken`), the configurations that tell its mistakes apart.

Two kinds share most of it: a :class:`MatrixFunction` maps ``w`` to an ``n x D`` matrix, a
:class:`FusionFunction` maps inputs ``A_1 .. A_k`` of shapes ``(..., m, n_i)`` and ``w`` to
``(..., m, n)``. Configurations are dicts of Python ints (a list for ``dims``), the oracle's
convention; ``inputs`` is ``{"w": w}``, with ``"inputs": [A_1, ..., A_k]`` for a fusion.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

import numpy as np

from .._validation import RefimplError
from ._mistakes import Mistake
from ._picture import Picture, WeightPicture

__all__ = ["Config", "Function", "FusionFunction", "MatrixFunction", "Stages", "leading_shape"]


def leading_shape(config: dict[str, Any]) -> tuple[int, ...]:
    """``batch + (m,)``: the leading shape of every input of a fusion (``batch = ()``, ``m = 1`` by default).

    Examples
    --------
    >>> from refimpl.functions import leading_shape
    >>> leading_shape({"dims": [2, 3], "m": 4, "batch": [2]}), leading_shape({"dims": [2]})
    ((2, 4), (1,))
    """
    return (*config.get("batch", ()), config.get("m", 1))


class Config(dict):  # type: ignore[type-arg]
    """A configuration checked once: the oracle's dict, every default applied, with its checked
    shape (:mod:`refimpl.shapes`) beside it.

    :meth:`Function.normalize` makes one at the boundary (a user's ``config=``, the command
    line's options, a manifest's JSON, a drawn case); past it, :meth:`Function.shape` reads the
    shape it carries instead of checking the dict again. It is a dict, so it prints, compares
    and serialises as one (a reproduction line writes it back out as a dict), and it is
    read-only: change a copy, ``dict(config)``, and normalize that.
    """

    def __init__(self, function: str, shape: Any, items: dict[str, Any]) -> None:
        super().__init__(items)
        self.function, self.shape = function, shape

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a checked configuration is read-only; change a copy, dict(config), and normalize it")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _read_only
    __ior__ = _read_only

    def __copy__(self) -> Config:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Config:
        return self

    def __reduce__(self) -> Any:
        return (Config, (self.function, self.shape, dict(self)))


class Stages(Protocol):
    """What :meth:`Function.mistaken` reads of one set of inputs: the oracle's pipeline implements it.

    ``w`` and ``arrays`` (a fusion's inputs) are float64 (complex128) NumPy arrays; ``config``
    is normalized; :meth:`shape` is the checked shape ``w`` is read with (``None`` where
    ``p`` and ``q`` exchanged do not fit); :meth:`joined` the fusion's ``X`` as a ``concat``
    setting joins the inputs.
    """

    w: np.ndarray
    config: Config

    def shape(self, exchanged: bool) -> Any: ...

    def joined(self, concat: str | None) -> np.ndarray | None: ...


class Function(ABC):
    """One function of SPEC, as the rest of the package sees it.

    Subclasses set the class attributes and implement the abstract methods; one instance of
    each is registered in :data:`refimpl.functions.FUNCTIONS`.
    """

    #: The function's name, as refimpl exports it: ``"dual_lphm"``.
    name: ClassVar[str]
    #: The keys of a configuration, in the order of the function's arguments.
    config_keys: ClassVar[tuple[str, ...]]
    #: ``True`` when every output entry is a copy of an entry of ``w`` (or an exact zero): the
    #: oracle's check is then exact, with no rounding allowed.
    exact: ClassVar[bool] = False
    #: ``True`` for a fusion: the output is ``(..., m, n)`` and the call takes the inputs first.
    is_fusion: ClassVar[bool] = False
    #: The short prefix of the golden vectors' identifiers: ``"lphm"``.
    vector_prefix: ClassVar[str]
    #: The catalogue of this function's mistakes, in the order of their stages.
    mistakes: ClassVar[tuple[Mistake, ...]] = ()
    #: Configurations where every catalogued mistake changes the output and no two agree.
    generic: ClassVar[tuple[dict[str, Any], ...]] = ()
    #: The golden vectors of this function: ``(tag, dtypes, configuration)``; the tag ``large``
    #: marks those left out of the small set, ``nonfinite`` those with ``inf`` and ``nan`` in ``w``.
    vectors: ClassVar[tuple[tuple[str, tuple[str, ...], dict[str, Any]], ...]] = ()
    #: The values of ``format`` the function takes (a sparse result): none for a dense function.
    formats: ClassVar[tuple[str, ...]] = ()
    #: The keys with a default: they may be left out of a configuration and of a call.
    optional_keys: ClassVar[frozenset[str]] = frozenset({"q"})

    # -- the configuration ---------------------------------------------------------------------

    @property
    @abstractmethod
    def function(self) -> Callable[..., Any]:
        """refimpl's public function: ``refimpl.dual_lphm``."""

    @abstractmethod
    def build_shape(self, config: dict[str, Any]) -> Any:
        """The checked shape of ``config`` (:mod:`refimpl.shapes`), with refimpl's messages."""

    @property
    def required_keys(self) -> tuple[str, ...]:
        """The keys a configuration must have; the others have defaults."""
        return tuple(k for k in self.config_keys if k not in self.optional_keys | {"m", "batch"})

    @property
    def optional_arguments(self) -> frozenset[str]:
        """The arguments a call may leave out, for their defaults (``q``; a fusion's ``n``)."""
        return frozenset(k for k in self.optional_keys if k in self.config_keys)

    def shape(self, config: dict[str, Any]) -> Any:
        """The checked shape of ``config`` (:mod:`refimpl.shapes`), with refimpl's messages.

        Raises
        ------
        RefimplError
            If ``config`` lacks a required key (the message names the missing keys), or if
            refimpl refuses the configuration.
        TypeError
            If a dimension is not an integer, or ``config`` is not a dict.

        Examples
        --------
        >>> from refimpl.functions import FUNCTIONS
        >>> FUNCTIONS["dual_lphm"].shape({"n": 4, "D": 6, "p": 2})
        Traceback (most recent call last):
            ...
        refimpl._validation.RefimplError: a dual_lphm configuration needs the keys ['n', 'D', 'p', 'r'], missing ['r']
        """
        if isinstance(config, Config) and config.function == self.name:
            return config.shape  # checked when it was made
        if not isinstance(config, dict):
            raise TypeError(f"a {self.name} configuration is a dict, got {type(config).__name__}")
        missing = [k for k in self.required_keys if k not in config]
        if missing:
            raise RefimplError(
                f"a {self.name} configuration needs the keys {list(self.required_keys)}, missing {missing}"
            )
        return self.build_shape(config)

    def l(self, config: dict[str, Any]) -> int:
        """The length of ``w`` for ``config``."""
        return int(self.shape(config).l)

    def normalize(self, config: dict[str, Any]) -> Config:
        """``config`` checked, with every default applied: a :class:`Config`, checked once."""
        if isinstance(config, Config) and config.function == self.name:
            return config
        shape = self.shape(config)
        return Config(self.name, shape, self.defaults(config, shape))

    @abstractmethod
    def defaults(self, config: dict[str, Any], shape: Any) -> dict[str, Any]:
        """``config`` with every default applied, from its checked ``shape``."""

    @abstractmethod
    def output_shape(self, config: dict[str, Any]) -> tuple[int, ...]:
        """The shape of the output for ``config``."""

    def describe(self, config: dict[str, Any]) -> str:
        """``name(n=4, D=6, p=2, q=3)``: the configuration as a call."""
        args = ", ".join(f"{k}={config[k]!r}" for k in self.config_keys if k in config)
        return f"{self.name}({args})"

    @abstractmethod
    def call(self, config: dict[str, Any], inputs: dict[str, Any], format: Any = None) -> Any:
        """refimpl's value at ``config`` for ``inputs`` (dense, unless ``format`` asks otherwise)."""

    @abstractmethod
    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(config, inputs)`` from the arguments of a call of :attr:`function`, normalized."""

    def _bound_arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        signature = inspect.signature(self.function)
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"the arguments do not fit refimpl.{self.name}{signature}: {exc}") from None
        bound.apply_defaults()
        given = dict(bound.arguments)
        given.pop("format", None)
        given.pop("method", None)
        return given

    # -- what the oracle needs -----------------------------------------------------------------

    @abstractmethod
    def rounding_count(self, config: dict[str, Any]) -> int:
        """:math:`K` for one output entry on real data (0 for an exact function); see
        :mod:`refimpl.oracle.tolerance`."""

    def weight_shape(self, config: dict[str, Any]) -> tuple[int, int]:
        """``(R, C)``: the matrix, or a fusion's weight ``(N, n)``, of a normalized ``config``."""
        return (int(config["n"]), int(config["D"]))

    @abstractmethod
    def vjp(
        self, config: dict[str, Any], w: np.ndarray, G: np.ndarray, arrays: list[np.ndarray]
    ) -> dict[str, Any]:
        """The vector-Jacobian product: ``{"w": dw}`` (and ``"inputs"`` for a fusion), in the
        dtype of the arguments (float64 or complex128, already promoted together)."""

    def structure_problem(
        self, stored: np.ndarray, count: int | None, layout: str, config: dict[str, Any]
    ) -> str:
        """What a sparse output stores that SPEC does not allow, or ``""`` (nothing is forbidden)."""
        return ""

    def applies(self, mistake: Mistake, config: dict[str, Any]) -> bool:
        """Whether ``mistake`` can run on the normalized ``config`` and change its output."""
        return True

    @abstractmethod
    def mistaken(self, stages: Stages, options: dict[str, Any]) -> np.ndarray | None:
        """The output with the mistaken ``{stage: setting}`` options, before the output's own
        stage (``transpose``); ``None`` where they cannot run."""

    @abstractmethod
    def telling(self, config: dict[str, Any]) -> bool:
        """Whether ``config`` is large enough to tell the catalogued mistakes apart."""

    @abstractmethod
    def grown(self, config: dict[str, Any]) -> list[dict[str, Any]]:
        """Two larger relatives of ``config``, keeping its equalities then breaking them."""

    def read_shape(self, config: dict[str, Any], p: int, q: int) -> Any:
        """The shape ``w`` is read with when the grid is taken as ``p x q`` (a function with a ``p``)."""
        raise NotImplementedError(f"{self.name} has no p x q grid")

    def exchanged_shape(self, config: dict[str, Any]) -> Any:
        """The shape ``w`` is read with when ``p`` and ``q`` are exchanged, or ``None`` where a
        division fails or ``l`` changes (the mistake cannot run)."""
        R, C = self.weight_shape(config)
        p, q = config["q"], config["p"]
        if R % p or C % q:
            return None
        shape = self.read_shape(config, p, q)
        return shape if shape.l == self.l(config) else None

    def edge_flags(self, config: dict[str, Any]) -> list[str]:
        """The golden vectors' flags of this function's own edge cases at a normalized ``config``."""
        return []

    def ceiling(self, config: dict[str, Any], top: float) -> float:
        """An upper bound on every entry of the matrix (a fusion's weight) that any catalogued
        mistake reads from a ``w`` with ``max |w| = top``; ``inf`` where none is needed (the
        exact functions)."""
        return np.inf

    def operator(self, config: dict[str, Any], w: Any) -> Any:
        """refimpl's structured operator of the matrix at ``config`` (``None`` for a fusion)."""
        return None

    def blocks(self, config: dict[str, Any]) -> tuple[int, int] | None:
        """The ``(rows, cols)`` of the blocks of the output's grid, for pictures (``None``: no grid)."""
        return None


class MatrixFunction(Function):
    """A function of ``w`` alone that gives an ``n x D`` matrix."""

    @abstractmethod
    def picture(self, config: dict[str, Any], w: np.ndarray, fmt: Callable[[Any], str]) -> Picture:
        """The panels of :func:`refimpl.plotting.plot_function` for a normalized ``config`` and a
        NumPy ``w``; ``fmt`` writes a value compactly."""

    def defaults(self, config: dict[str, Any], shape: Any) -> dict[str, Any]:
        """``config`` with every default applied (``q = p``).

        Examples
        --------
        >>> from refimpl.functions import FUNCTIONS
        >>> FUNCTIONS["duplicated_padding"].normalize({"n": 4, "D": 6, "p": 2})
        {'n': 4, 'D': 6, 'p': 2, 'q': 2}
        """
        out = dict(config)
        if "q" in self.config_keys:
            out["q"] = shape.q
        return out

    def output_shape(self, config: dict[str, Any]) -> tuple[int, ...]:
        """``(n, D)``."""
        c = self.normalize(config)
        return (c["n"], c["D"])

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        given = self._bound_arguments(args, kwargs)
        config = {k: given[k] for k in self.config_keys}
        return self.normalize(config), {"w": given["w"]}


class FusionFunction(Function):
    """A fusion: inputs ``A_1 .. A_k`` of shapes ``(..., m, n_i)`` and ``w`` give ``(..., m, n)``."""

    @abstractmethod
    def weight_picture(
        self, config: dict[str, Any], w: np.ndarray, inputs: list[np.ndarray], fmt: Callable[[Any], str]
    ) -> WeightPicture:
        """The output and the weight, as :func:`refimpl.plotting.plot_function` shows them."""

    is_fusion = True
    optional_keys = frozenset({"q", "n"})

    def defaults(self, config: dict[str, Any], shape: Any) -> dict[str, Any]:
        """``config`` with every default applied (``q = p``; ``n``, ``m``, ``batch``).

        Examples
        --------
        >>> from refimpl.functions import FUNCTIONS
        >>> FUNCTIONS["dual_lphm_fusion"].normalize({"dims": [2, 2], "p": 2, "r": 1})
        {'dims': [2, 2], 'p': 2, 'r': 1, 'q': 2, 'n': 2, 'm': 1, 'batch': ()}
        """
        out = dict(config)
        if "q" in self.config_keys:
            out["q"] = shape.weight.q
        *batch, m = leading_shape(config)
        out.update(dims=list(shape.widths), n=shape.n, m=m, batch=tuple(batch))
        return out

    def output_shape(self, config: dict[str, Any]) -> tuple[int, ...]:
        """``(*batch, m, n)``."""
        c = self.normalize(config)
        return (*c["batch"], c["m"], c["n"])

    def weight_shape(self, config: dict[str, Any]) -> tuple[int, int]:
        return (sum(config["dims"]), int(config["n"]))

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        given = self._bound_arguments(args, kwargs)
        arrays = list(given.pop("inputs"))
        shapes = [tuple(getattr(a, "shape", ())) for a in arrays]
        if not shapes or any(len(s) < 2 for s in shapes):
            raise RefimplError(f"inputs must be arrays of shape (..., m, n_i), got shapes {shapes}")
        given.update(dims=[s[-1] for s in shapes], m=shapes[0][-2], batch=shapes[0][:-2])
        config = {k: given[k] for k in self.config_keys}
        return self.normalize(config), {"w": given["w"], "inputs": arrays}

    def applies(self, mistake: Mistake, config: dict[str, Any]) -> bool:
        widths = config["dims"]
        if mistake.stage == "concat":
            return len(widths) > 1 and (mistake.setting != "rows" or len(set(widths)) == 1)
        if mistake.stage == "weight_T":
            R, C = self.weight_shape(config)
            return R == C
        return True

    def grown(self, config: dict[str, Any]) -> list[dict[str, Any]]:
        c = self.normalize(config)
        rank = {"r": c["r"] + 1} if "r" in self.config_keys else {}
        pq = {"p": c["p"], "q": c["q"]} if "p" in self.config_keys else {}
        rows = {"m": max(c["m"], 3), "batch": c["batch"]}
        dims = [2 * d for d in c["dims"]]
        return [{"dims": dims, "n": k * c["n"], **pq, **rank, **rows} for k in (2, 3)]


def transposed_weight(stages: Stages, options: dict[str, Any], W: np.ndarray) -> np.ndarray | None:
    """``X @ W`` (``X @ W^T`` with the ``weight_T`` mistake) for the inputs as ``concat`` joins them."""
    X = stages.joined(options.get("concat"))
    if X is None:
        return None
    out: np.ndarray = X @ (W.T if "weight_T" in options else W)
    return out
