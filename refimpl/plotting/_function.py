"""The picture of one configuration of a function of SPEC: its factors and its result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._outputs import to_numpy
from ..functions import Function, FusionFunction, MatrixFunction
from ..functions._picture import WeightPicture, finite_range
from ._config import Drawing, first, prepare
from ._figure import BLOCK, BREAK, HIGHLIGHT, between, caption, figure_for, row_of_panels
from ._matrix import format_value, plot_matrix

__all__ = ["plot_function"]


def plot_function(
    function: str | Function,
    config: Mapping[str, Any],
    *,
    w: Any = None,
    inputs: Any = None,
    fig: Any = None,
) -> Any:
    r"""Draw one configuration of a function of SPEC: its factors and its result, block by block.

    With the default ``w = 1, 2, ..., l`` every cell of a padding shows which entry of ``w``
    it holds (a cell showing ``k`` holds ``w[k-1]``).

    * ``duplicated_padding``, ``duplicated_diagonal_padding`` (SPEC sections 1 and 2): three
      panels, :math:`\mathbf{1}_{p \times q}` or :math:`I_{p \times q}`, then
      :math:`W = \operatorname{reshape}(w, (s, t))`, then :math:`\psi(w)` (``n x D``) with its
      ``p x q`` grid of ``s x t`` blocks. The diagonal blocks of the diagonal padding are
      outlined; when ``p != q`` only ``min(p, q)`` of them exist, and the other blocks hold
      structural zeros (grey).
    * ``dual_lphm`` (SPEC section 3): three panels, :math:`P Q^\top` (``p x q``),
      :math:`S T^\top` (``s x t``) and their Kronecker product (``n x D``) with its block grid;
      below, how ``w`` is cut into ``P, Q, S, T``.
    * ``dual_lphm_fusion``, ``concatenation_fusion`` (SPEC section 4): the inputs
      :math:`A_1, \dots, A_k` side by side, and below them the concatenation :math:`X`
      (``m x N``), the weight :math:`W` (``N x n``, with the Kronecker block grid for the
      Dual-LPHM weight) and the output :math:`X W` (``m x n``): ``k + 3`` panels. For batched
      inputs the first batch element is drawn, and the title says so.

    Parameters
    ----------
    function : str or Function
        A name of :data:`refimpl.functions.FUNCTIONS`, e.g. ``"dual_lphm"``.
    config : dict
        The configuration, with the keys of the function (see :mod:`refimpl.functions`):
        ``n, D, p, q`` (padding), ``n, D, p, q, r`` (``dual_lphm``), ``dims, n, p, q, r, m,
        batch`` (``dual_lphm_fusion``), ``dims, n, m, batch`` (``concatenation_fusion``).
        refimpl's defaults apply (``q = p``; ``n`` of a fusion is the common input width);
        ``m`` (the rows of each input drawn) defaults to 2 and ``batch`` to ``()``.
    w : array_like, shape (l,) or (1, l), optional
        The parameter vector; by default ``1, 2, ..., l``.
    inputs : list of arrays, optional
        The fusion inputs ``A_1 .. A_k`` (their shapes then give ``dims``, ``m`` and
        ``batch``); by default numbered ``1, 2, ...`` row by row across ``A_1, ..., A_k``.
        The oracle's dict ``{"w": w, "inputs": [...]}`` is accepted too.
    fig : matplotlib.figure.Figure or SubFigure, optional
        An empty figure to draw into; by default a new one of a size that suits the matrices.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (``fig`` if given). Its axes hold the panels in the order above.

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    RefimplError
        If the configuration (or ``w``, or the inputs) is invalid for ``function``: refimpl's
        own message; a missing key that has no default (``D`` of ``dual_lphm``, say) is named.
    TypeError
        If a dimension is not an integer, or ``config`` is not a dict.

    See Also
    --------
    plot_matrix : one matrix.
    plot_mistake : a catalogued mistake beside the right answer.

    Examples
    --------
    The rectangular diagonal padding ``kron(eye(3, 2), W)``: two diagonal blocks, and a third
    block row of structural zeros:

    >>> import tempfile, pathlib
    >>> from refimpl.plotting import plot_function
    >>> fig = plot_function("duplicated_diagonal_padding", {"n": 6, "D": 4, "p": 3, "q": 2})
    >>> eye, W, psi = fig.axes
    >>> print(psi.images[0].get_array().filled(0))  # w = 1, 2, 3, 4; grey (masked): structural zeros
    [[1. 2. 0. 0.]
     [3. 4. 0. 0.]
     [0. 0. 1. 2.]
     [0. 0. 3. 4.]
     [0. 0. 0. 0.]
     [0. 0. 0. 0.]]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     fig.savefig(pathlib.Path(d) / "diagonal.png")
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)

    A fusion of two inputs of 3 rows: ``A_1, A_2, X, W`` and ``X W``:

    >>> config = {"dims": [2, 2], "n": 2, "p": 2, "q": 1, "r": 1, "m": 3}
    >>> fig = plot_function("dual_lphm_fusion", config)
    >>> len(fig.axes)
    5
    >>> plt.close(fig)
    """
    drawing = prepare(function, config, w, inputs)
    if isinstance(drawing.spec, FusionFunction):
        return _plot_fusion(drawing, _weight(drawing, drawing.spec), fig)
    assert isinstance(drawing.spec, MatrixFunction), "a function is a matrix or a fusion"
    return _plot_matrix_function(drawing, drawing.spec, fig)


def default_w_note(l: int) -> str:
    """The note under a padding drawn with ``w = 1, 2, ..., l``."""
    return f"w = 1, 2, \u2026, {l}: a cell showing k holds w[k\u22121]"


def _plot_matrix_function(drawing: Drawing, spec: MatrixFunction, fig: Any) -> Any:
    """The function's picture (:meth:`refimpl.functions.MatrixFunction.picture`): a row of panels."""
    from matplotlib.colors import ListedColormap

    picture = spec.picture(drawing.config, drawing.w, format_value)
    sizes = [_shape_of(panel.matrix) for panel in picture.panels]
    fig = figure_for(fig, sum(cols for _, cols in sizes) + 2.6, max(rows for rows, _ in sizes))
    axes = row_of_panels(fig, [cols for _, cols in sizes])
    for ax, panel in zip(axes, picture.panels):
        options: dict[str, Any] = {"block": panel.block, "vmin": panel.vmin, "vmax": panel.vmax}
        if panel.zeros is not None:
            options["zeros"] = panel.zeros
        if panel.colour is not None or panel.cmap is not None:
            options["cmap"] = ListedColormap([panel.colour]) if panel.colour else panel.cmap
        plot_matrix(panel.matrix, ax=ax, title=panel.title, **options)
    for left, right, symbol in zip(axes, axes[1:], picture.operators):
        between(fig, left, right, symbol)
    _outline(axes[-1], picture.outlined)
    notes = list(picture.notes)
    if drawing.default_w and drawing.spec.exact:
        notes.append(default_w_note(drawing.w.size))
    caption(fig, f"{drawing.title}:{picture.caption}", notes)
    return fig


def _shape_of(matrix: Any) -> tuple[int, int]:
    rows, cols = (int(d) for d in matrix.shape)
    return rows, cols


def _outline(ax: Any, blocks: tuple[tuple[int, int, int, int], ...]) -> None:
    """Outline each block ``(row, col, rows, cols)`` of the panel in ``ax``."""
    from matplotlib.patches import Rectangle

    for row, col, rows, cols in blocks:
        ax.add_patch(
            Rectangle(
                (col - 0.5, row - 0.5),
                cols,
                rows,
                fill=False,
                edgecolor=HIGHLIGHT,
                linewidth=2.6,
                gid="diagonal block",
                zorder=3,
            )
        )


def _weight(drawing: Drawing, spec: FusionFunction) -> WeightPicture:
    return spec.weight_picture(drawing.config, drawing.w, drawing.inputs, format_value)


def _plot_fusion(drawing: Drawing, weight: WeightPicture, fig: Any) -> Any:
    dims, m, n = drawing.config["dims"], drawing.config["m"], drawing.config["n"]
    k, N = len(dims), sum(dims)
    inputs = [first(a) for a in drawing.inputs]
    X = first(np.concatenate(drawing.inputs, axis=-1))
    rows = max(m, 1)
    ratios = [max(d, 1) for d in dims] + [1.3, max(n, 1), 1.3, max(n, 1)]
    fig = figure_for(fig, sum(ratios), rows + max(rows, N) + 1.2, extra_height=1.6)
    grid = fig.add_gridspec(2, len(ratios), width_ratios=ratios, height_ratios=[rows, max(rows, N)])
    axes_A = [fig.add_subplot(grid[0, i]) for i in range(k)]
    ax_X, ax_W, ax_Y = (
        fig.add_subplot(grid[1, :k]),
        fig.add_subplot(grid[1, k + 1]),
        fig.add_subplot(grid[1, k + 3]),
    )
    low, high = finite_range(inputs)
    for i, (ax, a) in enumerate(zip(axes_A, inputs)):
        plot_matrix(
            a,
            ax=ax,
            title=f"$A_{{{i + 1}}}$  ({_size(a)})",
            vmin=low,
            vmax=high,
            zeros="value",
            cmap="cividis",
        )
    joined = r" \,|\, ".join(f"A_{{{i + 1}}}" for i in range(k)) if k <= 4 else r"A_1 \,|\, \cdots \,|\, A_k"
    plot_matrix(
        X,
        ax=ax_X,
        title=f"$X = [{joined}]$  ({_size(X)})",
        vmin=low,
        vmax=high,
        zeros="value",
        cmap="cividis",
    )
    for edge in np.cumsum(dims)[:-1]:
        ax_X.axvline(edge - 0.5, color=BLOCK, linewidth=1.6)
    plot_matrix(weight.W, ax=ax_W, title=weight.title, block=weight.block, zeros="value")
    Y = first(to_numpy(weight.output))
    plot_matrix(Y, ax=ax_Y, title=f"$X W$  ({_size(Y)})", zeros="value")
    between(fig, ax_X, ax_W, "\u2022", size=13)
    between(fig, ax_W, ax_Y, "=")
    caption(fig, _fusion_title(drawing, weight), _fusion_notes(drawing, weight))
    return fig


def _size(a: np.ndarray) -> str:
    return "\u00d7".join(str(d) for d in a.shape)


def _fusion_title(drawing: Drawing, weight: WeightPicture) -> str:
    batch = drawing.config["batch"]
    title = f"{drawing.title}, m = {drawing.config['m']}:{BREAK}   {weight.formula}"
    if batch:
        title += f"\nbatch shape {batch}: the first batch element {(0,) * len(batch)} is drawn"
    return title


def _fusion_notes(drawing: Drawing, weight: WeightPicture) -> list[str]:
    first_line = ["X = concatenate([A_1, …, A_k], axis=−1): each row of X joins the rows of the inputs"]
    if drawing.default_inputs:
        first_line.append(f"inputs numbered 1, 2, … row by row across A_1, …, A_{len(drawing.inputs)}")
    if drawing.default_w:
        first_line.append(f"w = 1, 2, …, {drawing.w.size}")
    return [";   ".join(first_line), weight.note]
