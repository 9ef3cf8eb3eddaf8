"""The picture of one configuration of a function of SPEC: its factors and its result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import array_api_compat.numpy as npx
import numpy as np

from ..functions import Function
from ..functions.concatenation_fusion import concatenation_fusion
from ..functions.dual_lphm import dual_lphm, lphm_factors
from ..functions.dual_lphm_fusion import dual_lphm_fusion
from ..oracle.adapters import to_numpy
from ..shapes import FACTORS, LphmShape
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
    if drawing.spec.is_fusion:
        return _plot_fusion(drawing, fig)
    if drawing.spec.name == "dual_lphm":
        return _plot_lphm(drawing, fig)
    return _plot_padding(drawing, fig)


def default_w_note(l: int) -> str:
    """The note under a padding drawn with ``w = 1, 2, ..., l``."""
    return f"w = 1, 2, \u2026, {l}: a cell showing k holds w[k\u22121]"


def _plot_padding(drawing: Drawing, fig: Any) -> Any:
    from matplotlib.colors import ListedColormap

    config, w = drawing.config, drawing.w
    n, D, p, q = config["n"], config["D"], config["p"], config["q"]
    shape = drawing.spec.shape(config)
    s, t = shape.s, shape.t
    diagonal = drawing.spec.name == "duplicated_diagonal_padding"
    psi = drawing.spec.call(config, {"w": w}, format="csr")
    if diagonal:
        left, name, formula = np.eye(p, q), "eye", rf"I_{{{p}\times {q}}}"
    else:
        left, name, formula = np.ones((p, q)), "ones", rf"\mathbf{{1}}_{{{p}\times {q}}}"
    W = w.reshape(s, t)
    fig = figure_for(fig, q + t + D + 2.6, max(p, s, n))
    ax_left, ax_W, ax_psi = row_of_panels(fig, [q, t, D])
    plot_matrix(
        left,
        ax=ax_left,
        title=f"${formula}$ = {name}({p}, {q})",
        cmap=ListedColormap(["#fdb97d" if diagonal else "#a9a9b3"]),
    )
    low, high = _finite_range([W])
    plot_matrix(W, ax=ax_W, title=f"$W$ ={BREAK} reshape(w, ({s}, {t}))", vmin=low, vmax=high, zeros="value")
    plot_matrix(
        psi,
        ax=ax_psi,
        title=rf"$\psi(w) = {formula} \otimes W$  ({n}×{D})",
        block=(s, t),
        vmin=low,
        vmax=high,
    )
    between(fig, ax_left, ax_W, r"$\otimes$")
    between(fig, ax_W, ax_psi, "=")
    notes = [
        _outline_diagonal(ax_psi, p, q, s, t)
        if diagonal
        else f"every one of the {p}×{q} blocks is a copy of W"
    ]
    if drawing.default_w:
        notes.append(default_w_note(shape.l))
    caption(fig, f"{drawing.title}:{BREAK}   s = n/p = {s},  t = D/q = {t},  l = s·t = {shape.l}", notes)
    return fig


def _outline_diagonal(ax: Any, p: int, q: int, s: int, t: int) -> str:
    """Outline the ``min(p, q)`` diagonal blocks; return the note that says what is drawn."""
    from matplotlib.patches import Rectangle

    for k in range(min(p, q)):
        ax.add_patch(
            Rectangle(
                (k * t - 0.5, k * s - 0.5),
                t,
                s,
                fill=False,
                edgecolor=HIGHLIGHT,
                linewidth=2.6,
                gid="diagonal block",
                zorder=3,
            )
        )
    shape = "square" if p == q else f"rectangular: only min(p, q) = {min(p, q)} diagonal blocks"
    return f"I = eye({p}, {q}) is {shape}; diagonal blocks outlined; grey: structural zeros (exact 0 whatever w holds)"


def _finite_range(arrays: list[np.ndarray]) -> tuple[float | None, float | None]:
    """The smallest and largest finite value (modulus, for complex) of ``arrays``, for one colour scale."""
    values = np.concatenate([a.reshape(-1) for a in arrays]) if arrays else np.zeros(0)
    values = np.abs(values) if np.iscomplexobj(values) else values
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if finite.size else (None, None)


def _segments(w: np.ndarray, shape: LphmShape) -> str:
    """``w = [vec P | vec Q | vec S | vec T], ...;   P = w[0:2], Q = w[2:5], ...`` (the values when short)."""
    cuts = shape.segments()
    slices = ",  ".join(f"{name} = w[{cut.start}:{cut.stop}]" for name, cut in cuts.items())
    layout = "w = [" + " | ".join(f"vec {name}" for name in FACTORS) + "]"
    if w.size <= 36:
        groups = " | ".join(" ".join(format_value(v) for v in w.reshape(-1)[cut]) for cut in cuts.values())
        return f"{layout} = [{groups}], each row-major;   {slices}"
    return f"{layout}, each row-major;   {slices}"


def _plot_lphm(drawing: Drawing, fig: Any) -> Any:
    config, w = drawing.config, drawing.w
    n, D, p, q, r = (config[k] for k in ("n", "D", "p", "q", "r"))
    shape = drawing.spec.shape(config)
    s, t = shape.s, shape.t
    psi = to_numpy(dual_lphm(w, n, D, p, q, r))
    P, Q, S, T = lphm_factors(npx, w, shape)
    fig = figure_for(fig, q + t + D + 2.6, max(p, s, n))
    ax_A, ax_B, ax_psi = row_of_panels(fig, [q, t, D])
    plot_matrix(P @ Q.T, ax=ax_A, title=rf"$P Q^\top$  ({p}×{q})", cmap="cividis")
    plot_matrix(S @ T.T, ax=ax_B, title=rf"$S T^\top$  ({s}×{t})", cmap="cividis")
    plot_matrix(psi, ax=ax_psi, title=rf"$\psi(w) = (P Q^\top) \otimes (S T^\top)$  ({n}×{D})", block=(s, t))
    between(fig, ax_A, ax_B, r"$\otimes$")
    between(fig, ax_B, ax_psi, "=")
    caption(
        fig,
        f"{drawing.title}:{BREAK}   s = n/p = {s},  t = D/q = {t},  l = r(p + q + s + t) = {shape.l}",
        [_segments(w, shape), f"block (i, j) of ψ(w) is (PQᵀ)[i, j] · STᵀ: {p}×{q} blocks of {s}×{t}"],
    )
    return fig


class _Weight(NamedTuple):
    """The fusion's output, its weight and how the picture names them."""

    output: np.ndarray
    W: np.ndarray
    title: str
    block: tuple[int, int] | None
    formula: str
    note: str


def _weight(drawing: Drawing) -> _Weight:
    config, w, arrays = drawing.config, drawing.w, drawing.inputs
    if drawing.spec.name == "concatenation_fusion":
        plain = drawing.spec.shape(config)
        N, n = plain.N, plain.n
        return _Weight(
            to_numpy(concatenation_fusion(arrays, w, n=n)),
            w.reshape(N, n),
            f"$W$ ={BREAK} reshape(w, ({N}, {n}))",
            None,
            r"fusion = $X W$,  $W$ = reshape(w, (N, n))",
            f"W = reshape(w, ({N}, {n})), row-major; l = N·n = {plain.l}",
        )
    shape = drawing.spec.shape(config)
    N, n = shape.N, shape.n
    p, q, r = config["p"], config["q"], config["r"]
    return _Weight(
        to_numpy(dual_lphm_fusion(arrays, w, p=p, q=q, r=r, n=n)),
        to_numpy(dual_lphm(w, N, n, p, q, r)),
        rf"$W = (P Q^\top) \otimes (S T^\top)$   ({N}×{n})",
        (shape.weight.s, shape.weight.t),
        r"fusion = $X W$,  $W = (P Q^\top) \otimes (S T^\top)$",
        _segments(w, shape.weight),
    )


def _plot_fusion(drawing: Drawing, fig: Any) -> Any:
    dims, m, n = drawing.config["dims"], drawing.config["m"], drawing.config["n"]
    weight, k, N = _weight(drawing), len(dims), sum(dims)
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
    low, high = _finite_range(inputs)
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
    Y = first(weight.output)
    plot_matrix(Y, ax=ax_Y, title=f"$X W$  ({_size(Y)})", zeros="value")
    between(fig, ax_X, ax_W, "\u2022", size=13)
    between(fig, ax_W, ax_Y, "=")
    caption(fig, _fusion_title(drawing, weight), _fusion_notes(drawing, weight))
    return fig


def _size(a: np.ndarray) -> str:
    return "\u00d7".join(str(d) for d in a.shape)


def _fusion_title(drawing: Drawing, weight: _Weight) -> str:
    batch = drawing.config["batch"]
    title = f"{drawing.title}, m = {drawing.config['m']}:{BREAK}   {weight.formula}"
    if batch:
        title += f"\nbatch shape {batch}: the first batch element {(0,) * len(batch)} is drawn"
    return title


def _fusion_notes(drawing: Drawing, weight: _Weight) -> list[str]:
    first_line = ["X = concatenate([A_1, …, A_k], axis=−1): each row of X joins the rows of the inputs"]
    if drawing.default_inputs:
        first_line.append(f"inputs numbered 1, 2, … row by row across A_1, …, A_{len(drawing.inputs)}")
    if drawing.default_w:
        first_line.append(f"w = 1, 2, …, {drawing.w.size}")
    return [";   ".join(first_line), weight.note]
