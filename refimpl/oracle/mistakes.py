"""The catalogue of implementation mistakes: one table that the diagnosis, the golden vectors'
``exposes:`` flags, the plots, the command line and the docs all read.

Implementations of Kronecker-structured matrices go wrong in a handful of recurring ways. Each
way changes one *stage* of the computation, so a mistaken output is built as a small pipeline
whose stages each have a correct setting and a few mistaken ones; mistakes of different stages
combine:

==============  ================================================================================
stage           mistakes (identifiers; :func:`catalogue` gives each one's prose name)
==============  ================================================================================
``concat``      fusions: ``interleaved_concatenation`` (the inputs' columns taken in turn),
                ``concatenation_reversed``, ``concatenation_wrong_axis`` (the inputs joined
                along the rows, then reshaped to ``(..., m, N)``)
``pq``          ``p_q_exchanged`` (where the divisions, and the length of ``w``, still work)
``order``       Dual-LPHM: ``segment_order:QPST`` and the 22 other orders of the segments of
                ``w`` (the cut positions follow the permuted lengths)
``layout``      ``column_major_reshape`` of ``w`` (of every segment of ``w`` for Dual-LPHM);
                ``factor_transposed:Q`` (one factor read as ``(r, q)``), and for every other
                subset of the factors (``factor_transposed:PS``: ``P`` and ``S`` so read)
``ones``        padding: ``ones_for_identity``, ``identity_for_ones``
``select``      diagonal padding: ``zero_times_w`` (``kron(eye, W)`` by multiplication, so
                ``0 * inf = nan`` off the diagonal blocks)
``swap``        ``kron_operands_swapped``: ``kron(W, I)``, ``kron(S T^T, P Q^T)``
``outer``       ``kron_as_reshaped_outer``: the flattened outer product reshaped to the
                output's shape
``weight_T``    fusions: ``weight_transposed``, ``X @ W^T`` (only a square weight runs)
``transpose``   ``output_transposed`` (the last two axes)
==============  ================================================================================

A mistake's ``id`` is unique within its function; its ``family`` is the name of the golden
vectors' ``exposes:`` flag (a family with several variants, such as the 23 other segment orders,
is exposed by a vector only when every variant is). The outputs are computed by
:func:`mistaken_output` in float64 (complex128), each by its function's own computation with
the stage changed (:meth:`refimpl.functions.Function.mistaken`); each function's catalogue is
in its home (:attr:`refimpl.functions.Function.mistakes`).

Examples
--------
>>> from refimpl.oracle.mistakes import catalogue, find
>>> [m.id for m in catalogue("duplicated_padding", {"n": 4, "D": 6, "p": 2})]
['column_major_reshape', 'identity_for_ones', 'kron_operands_swapped', 'kron_as_reshaped_outer', 'output_transposed']
>>> m = find("dual_lphm", "Q read as (r, q)")
>>> m.id, m.family, m.stage
('factor_transposed:Q', 'factor_transposed', 'layout')
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import array_api_compat.numpy as npx
import numpy as np

from .._validation import RefimplError, check_parameter_vector
from ..functions import STAGES, Function, Mistake, get_function
from .tolerance import wide

__all__ = ["STAGES", "Mistake", "Pipeline", "catalogue", "find", "mistaken_output"]


# -- the catalogue ----------------------------------------------------------------------------


def catalogue(function: str | Function, config: dict[str, Any] | None = None) -> list[Mistake]:
    """Every catalogued mistake of ``function``; with a ``config``, only those that apply to it.

    Parameters
    ----------
    function : str or Function
        A name of :data:`refimpl.functions.FUNCTIONS`.
    config : dict, optional
        A configuration (see :mod:`refimpl.functions`). Given, the mistakes that cannot
        run on it (``p`` and ``q`` exchanged where a division fails) or cannot change its
        output (``p`` and ``q`` exchanged when equal, the inputs reversed when there is one)
        are left out.

    Returns
    -------
    list of Mistake
        In the order of :data:`STAGES`.

    Raises
    ------
    RefimplError
        If ``function`` is unknown or ``config`` is invalid.

    Examples
    --------
    >>> from refimpl.oracle.mistakes import catalogue
    >>> for m in catalogue("duplicated_diagonal_padding", {"n": 6, "D": 6, "p": 2, "q": 3}):
    ...     print(f"{m.id:24} {m.name}")
    p_q_exchanged            p and q exchanged
    column_major_reshape     column-major reshape of w
    ones_for_identity        ones in place of the identity
    zero_times_w             off-diagonal blocks computed as 0 * W
    kron_operands_swapped    Kronecker operands swapped
    kron_as_reshaped_outer   flattened outer product in place of the Kronecker product
    output_transposed        output transposed
    """
    spec = get_function(function)
    mistakes = list(spec.mistakes)
    if config is None:
        return mistakes
    config = spec.normalize(config)
    return [m for m in mistakes if spec.applies(m, config)]


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _listing(mistakes: Sequence[Mistake]) -> str:
    """One line per family: its identifier (its variants joined by ``|``) and its prose name."""
    lines = []
    for family, members in itertools.groupby(mistakes, key=lambda m: m.family):
        group = list(members)
        if len(group) == 1:
            lines.append(f"  {group[0].id}: {group[0].name}")
        else:
            variants = "|".join(m.id.partition(":")[2] for m in group)
            lines.append(f"  {family}:{variants}: e.g. {group[0].name}")
    return "\n".join(lines)


def find(function: str | Function, key: str, config: dict[str, Any] | None = None) -> Mistake:
    """The catalogued mistake named by ``key``: an identifier, a family or a prose name.

    Parameters
    ----------
    function : str or Function
        A name of :data:`refimpl.functions.FUNCTIONS`.
    key : str
        ``"segment_order:QPST"`` (an identifier), ``"segment_order"`` (a family: its first
        variant, ``segment_order:PQTS``) or ``"segments of w in the order [Q, P, S, T]"`` (a prose name; case and
        spacing are ignored).
    config : dict, optional
        Given, only the mistakes that apply to it are found (see :func:`catalogue`).

    Returns
    -------
    Mistake

    Raises
    ------
    RefimplError
        If no mistake (that applies) has this key; the message lists the identifiers.

    Examples
    --------
    >>> from refimpl.oracle.mistakes import find
    >>> find("dual_lphm", "segment_order").id  # a family: its first variant
    'segment_order:PQTS'
    >>> find("duplicated_padding", "Column-major  reshape of w").id
    'column_major_reshape'
    """
    spec = get_function(function)
    mistakes = catalogue(spec, config)
    if isinstance(key, str):
        for m in mistakes:
            if key in (m.id, m.family) or _key(key) == _key(m.name):
                return m
    where = spec.name if config is None else spec.describe(spec.normalize(config))
    raise RefimplError(
        f"unknown mistake {key!r} for {where}; the catalogued mistakes are:\n{_listing(mistakes)}"
    )


# -- the pipeline -----------------------------------------------------------------------------


class Pipeline:
    """One function's computation on one set of inputs in float64 (complex128), with mistakes.

    :func:`mistaken_output` is ``Pipeline(function, config, inputs).output(mistakes)``; the
    diagnosis keeps one pipeline to try many mistakes on the same inputs (the joined inputs of
    each ``concat`` setting are made once).

    Parameters
    ----------
    function : str or Function
    config : dict
        Checked and normalized (every default applied).
    inputs : dict
        ``{"w": w}``, and ``"inputs": [A_1, ..., A_k]`` for the fusions, in any array library.
    """

    def __init__(self, function: str | Function, config: dict[str, Any], inputs: dict[str, Any]) -> None:
        self.spec = get_function(function)
        self.config = self.spec.normalize(config)
        shape = self.spec.shape(self.config)
        self.w = check_parameter_vector(npx, wide(inputs["w"]), shape)
        self.arrays = [wide(a) for a in inputs["inputs"]] if self.spec.is_fusion else []
        self._shapes: dict[bool, Any] = {}
        self._joined: dict[Any, np.ndarray | None] = {}

    def shape(self, exchanged: bool) -> Any:
        """The shape ``w`` is read with: as it is, or with ``p`` and ``q`` exchanged (``None``
        where they do not fit)."""
        if exchanged not in self._shapes:
            c = self.config
            self._shapes[exchanged] = (
                self.spec.exchanged_shape(c) if exchanged else self.spec.read_shape(c, c["p"], c["q"])
            )
        return self._shapes[exchanged]

    def absolute(self) -> Pipeline:
        """The same computation on the absolute values of the inputs (the oracle's magnitude)."""
        inputs: dict[str, Any] = {"w": np.abs(self.w), "inputs": [np.abs(a) for a in self.arrays]}
        return Pipeline(self.spec, self.config, inputs)

    def output(self, mistakes: Mistake | Sequence[Mistake] = ()) -> np.ndarray | None:
        """The output with ``mistakes`` (of different stages); ``None`` where they cannot run."""
        options = _options(self.spec, mistakes)
        with np.errstate(all="ignore"):  # inf and nan in the inputs are the point of some mistakes
            out = self.spec.mistaken(self, options)
        if out is None or "transpose" not in options:
            return out
        return np.swapaxes(out, -1, -2) if out.ndim >= 2 else None

    def joined(self, concat: str | None) -> np.ndarray | None:
        """The fusion's ``X`` as the ``concat`` setting joins the inputs (``None``: rightly)."""
        if concat not in self._joined:
            self._joined[concat] = _join(self.arrays, concat)
        return self._joined[concat]


def _join(arrays: list[np.ndarray], concat: str | None) -> np.ndarray | None:
    widths = [a.shape[-1] for a in arrays]
    if concat == "reversed":
        return np.concatenate(arrays[::-1], axis=-1)
    if concat == "rows":  # joined along the rows: only inputs of one width can be
        if len(set(widths)) > 1:
            return None
        return np.concatenate(arrays, axis=-2).reshape(*arrays[0].shape[:-1], sum(widths))
    X = np.concatenate(arrays, axis=-1)
    if concat == "interleaved":  # A_1[:, 0], A_2[:, 0], ..., A_1[:, 1], ... (narrow inputs run out)
        starts = np.cumsum([0, *widths[:-1]])
        X = X[..., [s + j for j in range(max(widths)) for s, d in zip(starts, widths) if j < d]]
    return X


def _options(spec: Function, mistakes: Mistake | Sequence[Mistake]) -> dict[str, Any]:
    """``{stage: setting}`` of catalogued ``mistakes`` of ``spec``, at most one per stage."""
    chosen = [mistakes] if isinstance(mistakes, Mistake) else list(mistakes)
    foreign = [m for m in chosen if m not in spec.mistakes]
    if foreign:
        raise RefimplError(
            f"{', '.join(repr(getattr(m, 'id', m)) for m in foreign)} is not a catalogued mistake of "
            f"{spec.name}; find one with refimpl.oracle.mistakes.find"
        )
    options = {m.stage: m.setting for m in chosen}
    if len(options) != len(chosen):
        stages = [m.stage for m in chosen]
        raise RefimplError(
            f"mistakes of one stage cannot combine: stages {stages}; pair mistakes of two stages"
        )
    return options


def mistaken_output(
    function: str | Function,
    config: dict[str, Any],
    inputs: dict[str, Any],
    mistakes: Mistake | Sequence[Mistake],
) -> np.ndarray | None:
    """The output of ``function`` computed with ``mistakes``, in float64 (complex128).

    Parameters
    ----------
    function : str or Function
        A name of :data:`refimpl.functions.FUNCTIONS`.
    config : dict
        The configuration (see :mod:`refimpl.functions`); defaults are applied.
    inputs : dict
        ``{"w": w}``, and ``"inputs": [A_1, ..., A_k]`` for the fusions, in any array library.
    mistakes : Mistake or sequence of Mistake
        Catalogued mistakes of ``function`` (from :func:`catalogue` or :func:`find`), at most
        one per stage; none gives the right answer.

    Returns
    -------
    numpy.ndarray or None
        Dense; ``None`` where the mistakes cannot run on this configuration (``p`` and ``q``
        exchanged where a division fails, a non-square weight transposed, inputs of unequal
        widths joined along the rows).

    Raises
    ------
    RefimplError
        If the configuration or ``w`` is invalid, a mistake is not one of ``function``'s, or
        two mistakes change the same stage.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.oracle.mistakes import find, mistaken_output
    >>> config, w = {"n": 2, "D": 6, "p": 1, "q": 3}, np.arange(1.0, 5.0)  # s = t = 2
    >>> mistaken_output("duplicated_padding", config, {"w": w}, find("duplicated_padding", "column_major_reshape"))
    array([[1., 3., 1., 3., 1., 3.],
           [2., 4., 2., 4., 2., 4.]])
    >>> exchanged = find("duplicated_padding", "p_q_exchanged")  # p = 3 does not divide n = 2
    >>> print(mistaken_output("duplicated_padding", config, {"w": w}, exchanged))
    None
    """
    return Pipeline(function, config, inputs).output(mistakes)
