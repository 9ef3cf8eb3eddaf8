r"""Pictures of the structured matrices: heatmaps with their block grid, for the docs and for users.

Three functions draw with matplotlib, an optional dependency (``pip install refimpl[docs]``),
imported only when one of them is called; when no matplotlib backend has been chosen they use
the non-interactive ``Agg`` backend, so that nothing ever opens a window:

* :func:`plot_matrix` draws one small matrix (dense, of any array library, or SciPy sparse) as a
  heatmap, with its block grid, its structural zeros in a neutral grey, and its values written
  in the cells when it is small;
* :func:`plot_function` draws one configuration of a function of SPEC, with ``w = 1, 2, ..., l``
  by default so that each cell shows which entry of ``w`` it holds;
* :func:`plot_mistake` draws the right answer beside the output of a mistake of the diagnosis
  catalogue (:func:`refimpl.oracle.diagnosis.catalogue`), the cells that differ outlined.

``refimpl plot FUNCTION ... -o FILE.png`` draws the same pictures from the command line
(:func:`add_plot_parser`, :func:`run_plot`).
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
import textwrap
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..oracle.registry import FUNCTIONS, FunctionSpec, get_spec
from ..oracle.adapters import to_numpy
from .._validation import RefimplError

__all__ = ["add_plot_parser", "plot_function", "plot_matrix", "plot_mistake", "run_plot"]

#: Colour of structural (or exact) zeros: neutral, outside every colour map used here.
NEUTRAL = "#e9e9ec"
#: Lines of the block grid.
BLOCK = "#2b2b2b"
#: Outline of the diagonal blocks of the diagonal padding.
HIGHLIGHT = "#ff7f0e"
#: Outline of the cells a mistake changes.
DIFFERS = "#e3001b"
#: Cells holding NaN or an infinity.
NONFINITE = "#c51b7d"
#: Matrices up to this many rows and columns get their values written in the cells.
ANNOTATE_UP_TO = 16
#: The inches one cell gets in the figures of :func:`plot_function` and :func:`plot_mistake`.
CELL = 0.42
ZEROS = ("structural", "exact", "value")


# -- matplotlib, on demand -------------------------------------------------------------------


def _pyplot() -> Any:
    """``matplotlib.pyplot``, on the ``Agg`` backend unless one was chosen (never a window)."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(
            "refimpl's plots need matplotlib, an optional dependency: pip install refimpl[docs]"
        ) from exc
    if not _backend_is_set(matplotlib):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _backend_is_set(matplotlib: Any) -> bool:
    if os.environ.get("MPLBACKEND"):
        return True
    getter = getattr(matplotlib.rcParams, "_get_backend_or_none", None)
    if getter is not None:
        return getter() is not None
    sentinel = getattr(matplotlib.rcsetup, "_auto_backend_sentinel", None)
    return dict.__getitem__(matplotlib.rcParams, "backend") is not sentinel


def _new_figure(width: float, height: float) -> Any:
    plt = _pyplot()
    fig = plt.figure(figsize=(min(max(width, 3.0), 18.0), min(max(height, 2.4), 14.0)), layout="constrained")
    fig.get_layout_engine().set(h_pad=0.09, w_pad=0.06)
    return fig


# -- one matrix ------------------------------------------------------------------------------


def _dense_and_stored(matrix: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """The matrix as NumPy, and for a sparse one where it stores entries (else ``None``)."""
    if hasattr(matrix, "tocoo") and hasattr(matrix, "nnz"):  # SciPy (or CuPy) sparse
        coo = matrix.tocoo()
        rows, cols = to_numpy(coo.row), to_numpy(coo.col)
        stored = np.zeros(coo.shape, dtype=bool)
        stored[rows, cols] = True
        return to_numpy(matrix), stored
    return np.asarray(to_numpy(matrix)), None


@functools.lru_cache(maxsize=512)
def _text_width(text: str, fontsize: float) -> float:
    """The width of ``text`` in points, as matplotlib renders it (mathtext between ``$`` too)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    ismath = text.count("$") >= 2 and text.count("$") % 2 == 0
    try:
        return float(text_to_path.get_text_width_height_descent(text, FontProperties(size=fontsize), ismath)[0])
    except Exception:  # a string mathtext cannot parse: a generous estimate
        return 0.62 * fontsize * len(text)


def _pack(tokens: Sequence[str], width: float, fontsize: float) -> list[str]:
    """Tokens (each with its leading separator) packed greedily into lines of ``width`` points."""
    lines: list[str] = []
    current = ""
    for token in tokens:
        if current and _text_width(current + token, fontsize) > width:
            lines.append(current)
            current = token.lstrip()
        else:
            current += token
    return [*lines, current]


#: Marks a preferred line break in a title (removed from the text drawn).
BREAK = "\u200b"


def _fit(text: str, width: float, fontsize: float) -> str:
    """``text`` broken into lines of at most ``width`` points: at a :data:`BREAK`, after a ``;``
    or at a run of three spaces where it can, else at any space, never inside ``$...$``."""
    lines = []
    for line in text.split("\n"):
        pieces = re.split(f"((?<=;)\\s+|\\s{{3,}}|{BREAK})", line)
        chunks = [pieces[0]] + [sep + part for sep, part in zip(pieces[1::2], pieces[2::2])]
        for chunk in _pack(chunks, width, fontsize):
            if _text_width(chunk, fontsize) <= width:
                lines.append(chunk)
            else:
                lines += _pack(re.findall(r"\s*(?:\$[^$]*\$|\([^()$]*\)|[^\s$])+", chunk), width, fontsize)
    return "\n".join(line.replace(BREAK, "").strip() for line in lines)


def _panel_width(ax: Any, rows: int, cols: int) -> float:
    """The width in points the axes will have for a ``rows x cols`` matrix of square cells (about)."""
    box = ax.get_position()
    fig = ax.figure
    width, height = fig.bbox.width / fig.dpi * box.width, fig.bbox.height / fig.dpi * box.height
    return 72.0 * 0.9 * min(width, height * max(cols, 1) / max(rows, 1))


def _format(value: Any) -> str:
    """A compact label: integers exactly (up to 5 digits), else 3 significant digits."""
    if isinstance(value, complex) or np.iscomplexobj(value):
        return f"{complex(value):.2g}".strip("()")
    v = float(value)
    if not np.isfinite(v):
        return "nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")
    if v == int(v) and abs(v) < 1e5:
        return str(int(v))
    text = f"{v:.3g}"
    return text.replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")


def _font_size(ax: Any, rows: int, cols: int, longest: int) -> float:
    """A font size that fits ``longest`` characters into one cell of ``ax`` (as laid out now)."""
    cell = 0.9 * _panel_width(ax, rows, cols) / max(cols, 1)
    return float(min(0.45 * cell, 1.3 * cell / max(longest, 1), 10.0))


def plot_matrix(
    matrix: Any,
    *,
    ax: Any = None,
    title: str | None = None,
    block: tuple[int, int] | int | None = None,
    zeros: str = "structural",
    cmap: Any = "viridis",
    annotate: bool | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool | None = None,
) -> Any:
    r"""Draw a small matrix as a heatmap, with its block grid and its zeros in a neutral grey.

    The cell ``(i, j)`` (row ``i`` from the top, both from 0) is coloured by ``matrix[i, j]``;
    the zeros chosen by ``zeros`` are not coloured but drawn in the neutral grey
    :data:`NEUTRAL`, so that the sparsity pattern of, say, :math:`I_{p \times q} \otimes W`
    (SPEC section 2) is seen at a glance. NaN and infinities get the colour :data:`NONFINITE`.

    Parameters
    ----------
    matrix : array or sparse array, shape (rows, cols)
        A dense array of any array library (NumPy, CuPy, PyTorch, ``array_api_strict``, ...)
        or a SciPy (or CuPy) sparse array or matrix. A 1-D array is drawn as one row. Complex
        entries are coloured by their modulus.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure of a size that suits the matrix.
    title : str, optional
        The title of the axes (matplotlib's mathtext, ``$...$``, is rendered).
    block : (s, t) or int, optional
        Draw the block grid: a line after every ``s`` rows and every ``t`` columns, as for
        ``kron(A, B)`` with ``B`` of shape ``(s, t)``. An int means ``(block, block)``.
    zeros : {"structural", "exact", "value"}, default "structural"
        Which zeros are neutral: ``"structural"``, the entries a sparse matrix does not store
        (its stored entries are coloured, zero or not), and every exact zero of a dense array,
        which records no structure; ``"exact"``, every entry equal to 0, stored or not;
        ``"value"``, none (a zero is coloured like any value).
    cmap : str or matplotlib.colors.Colormap, default "viridis"
        The colour map of the values.
    annotate : bool, optional
        Write each value in its cell; by default when the matrix has at most
        :data:`ANNOTATE_UP_TO` (16) rows and columns and its cells are large enough to read.
    vmin, vmax : float, optional
        The values at the two ends of the colour map (by default those of the coloured
        entries), to give several panels one scale.
    colorbar : bool, optional
        Draw a colour bar beside a matrix whose values are not written (the default); ``False``
        never draws one. It is an inset of ``ax`` (in ``ax.child_axes``, not in the figure's axes).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into. Its first image (``ax.images[0]``) holds the matrix as a masked
        array (the neutral zeros and the non-finite entries masked).

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    RefimplError
        If ``matrix`` has more than two dimensions, ``zeros`` is not one of the three values
        or ``block`` is not positive.

    See Also
    --------
    plot_function : the picture of one configuration of a function.

    Examples
    --------
    The diagonal padding ``kron(eye(2, 3), W)`` of SPEC section 2, as the sparse array refimpl
    returns; its structural zeros are masked in the image:

    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from refimpl import duplicated_diagonal_padding
    >>> from refimpl.plotting import plot_matrix
    >>> psi = duplicated_diagonal_padding(np.arange(1.0, 5.0), n=4, D=6, p=2, q=3)
    >>> ax = plot_matrix(psi, title=r"$I_{2\times 3} \otimes W$", block=(2, 2))
    >>> image = ax.images[0].get_array()
    >>> print(image.filled(0))
    [[1. 2. 0. 0. 0. 0.]
     [3. 4. 0. 0. 0. 0.]
     [0. 0. 1. 2. 0. 0.]
     [0. 0. 3. 4. 0. 0.]]
    >>> int(image.mask.sum())  # 16 structural zeros drawn neutral
    16
    >>> with tempfile.TemporaryDirectory() as d:
    ...     ax.figure.savefig(pathlib.Path(d) / "diagonal.png")
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    if zeros not in ZEROS:
        raise RefimplError(f"zeros must be one of {ZEROS}, got {zeros!r}")
    dense, stored = _dense_and_stored(matrix)
    if dense.ndim == 1:
        dense = dense.reshape(1, -1)
        stored = None if stored is None else stored.reshape(1, -1)
    if dense.ndim != 2:
        raise RefimplError(
            f"plot_matrix draws a matrix (2 dimensions), got shape {dense.shape}; "
            "draw one batch element, e.g. matrix[0]"
        )
    if block is not None:
        block = (block, block) if isinstance(block, (int, np.integer)) else tuple(block)
        if len(block) != 2 or any(int(b) <= 0 for b in block):
            raise RefimplError(f"block must be a positive (s, t) or int, got {block!r}")
        block = (int(block[0]), int(block[1]))
    rows, cols = dense.shape
    if ax is None:
        ax = _new_figure(CELL * cols + 1.4, CELL * rows + 1.1).add_subplot()
    else:
        _pyplot()
    import matplotlib
    from matplotlib import colors
    from matplotlib.ticker import MaxNLocator, MultipleLocator

    values = np.abs(dense) if np.iscomplexobj(dense) else dense.astype(np.float64, copy=False)
    if zeros == "value":
        neutral = np.zeros(dense.shape, dtype=bool)
    elif zeros == "structural" and stored is not None:
        neutral = ~stored
    else:
        neutral = dense == 0
    with np.errstate(invalid="ignore"):
        nonfinite = ~np.isfinite(values) & ~neutral
    shown = np.ma.masked_array(values, mask=neutral | nonfinite)

    if title is not None:
        ax.set_title(_fit(title, _panel_width(ax, rows, cols) + 50.0, 10), fontsize=10)
    if rows == 0 or cols == 0:
        ax.text(0.5, 0.5, f"empty: shape ({rows}, {cols})", ha="center", va="center",
                transform=ax.transAxes, fontsize=9, color="0.35")
        ax.set_xticks([])
        ax.set_yticks([])
        return ax

    coloured = values[~(neutral | nonfinite)]
    low = float(coloured.min()) if vmin is None and coloured.size else vmin
    high = float(coloured.max()) if vmax is None and coloured.size else vmax
    low, high = (0.0 if low is None else low), (1.0 if high is None else high)
    if low == high:  # one value: the middle of the colour map
        low, high = low - 1.0, high + 1.0
    norm = colors.Normalize(vmin=low, vmax=high)
    base = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    colour_map = base.with_extremes(bad=NEUTRAL)
    image = ax.imshow(shown, cmap=colour_map, norm=norm, interpolation="nearest", aspect="equal")
    image.set_gid("matrix")
    if nonfinite.any():
        overlay = np.ma.masked_array(np.ones(values.shape), mask=~nonfinite)
        ax.imshow(overlay, cmap=colors.ListedColormap([NONFINITE]), vmin=0, vmax=2,
                  interpolation="nearest", aspect="equal")

    # The cell grid (thin, white) and the block grid (dark).
    if max(rows, cols) <= 32:  # one collection each way: quicker than minor ticks and a grid
        ax.hlines(np.arange(0.5, rows - 1), -0.5, cols - 0.5, colors="white", linewidth=0.8)
        ax.vlines(np.arange(0.5, cols - 1), -0.5, rows - 0.5, colors="white", linewidth=0.8)
    if block is not None:
        s, t = block
        for i in range(s, rows, s):
            ax.axhline(i - 0.5, color=BLOCK, linewidth=1.6)
        for j in range(t, cols, t):
            ax.axvline(j - 0.5, color=BLOCK, linewidth=1.6)
    for spine in ax.spines.values():
        spine.set_edgecolor(BLOCK)
        spine.set_linewidth(1.2)
    # Index ticks, columns on top as a matrix is read.
    ax.xaxis.tick_top()
    ax.tick_params(which="major", labelsize=7, length=2, pad=1.5, colors="0.3")
    # Every index up to 24, else a few integers (locators: the ticks are made when drawn).
    ax.xaxis.set_major_locator(MultipleLocator(1) if cols <= 24 else MaxNLocator(8, integer=True))
    ax.yaxis.set_major_locator(MultipleLocator(1) if rows <= 24 else MaxNLocator(8, integer=True))
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)

    automatic = annotate is None
    if automatic:
        annotate = max(rows, cols) <= ANNOTATE_UP_TO
    size = 0.0
    if annotate:
        labels = [[_format(dense[i, j]) for j in range(cols)] for i in range(rows)]
        longest = max(len(labels[i][j]) for i in range(rows) for j in range(cols) if not neutral[i, j]) \
            if (~neutral).any() else 1
        size = _font_size(ax, rows, cols, longest)
        if automatic and size < 5.0:  # the cells are too small to read: a colour bar instead
            annotate = False
    if annotate:
        size = max(size, 4.0)
        with np.errstate(invalid="ignore"):
            rgba = colour_map(norm(np.where(nonfinite | neutral, low, values)))
        light = rgba[..., :3] @ np.array([0.2126, 0.7152, 0.0722]) > 0.45  # relative luminance
        for i, j in np.argwhere(~neutral):
            colour = "black" if light[i, j] and not nonfinite[i, j] else "white"
            ax.text(j, i, labels[i][j], ha="center", va="center", fontsize=size, color=colour, gid="value")
    elif coloured.size and (colorbar is None or colorbar):
        width = max(0.6 / cols, 0.025)  # about half a cell wide, as tall as the matrix
        bar = ax.figure.colorbar(image, cax=ax.inset_axes((1.0 + width / 2, 0.0, width, 1.0)))
        bar.ax.tick_params(labelsize=7)
        bar.outline.set_edgecolor("0.5")
    return ax


# -- configurations and inputs ----------------------------------------------------------------


_REQUIRED = {
    "duplicated_padding": ("n", "D", "p"),
    "duplicated_diagonal_padding": ("n", "D", "p"),
    "dual_lphm": ("n", "D", "p", "r"),
    "dual_lphm_fusion": ("dims", "p", "r"),
    "concatenation_fusion": ("dims",),
}


def _arrays_of(inputs: Any) -> tuple[list[np.ndarray] | None, Any]:
    """``(A_1..A_k, w)`` from ``inputs``: a list of arrays, or the oracle's dict ``{"w", "inputs"}``."""
    if inputs is None:
        return None, None
    if isinstance(inputs, Mapping):
        arrays = inputs.get("inputs")
        return (None if arrays is None else [to_numpy(a) for a in arrays]), inputs.get("w")
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError(f"inputs must be a list of arrays A_1..A_k, got {type(inputs).__name__}")
    return [to_numpy(a) for a in inputs], None


def _checked(
    function: str | FunctionSpec, config: Any, w: Any, inputs: Any
) -> tuple[FunctionSpec, dict[str, Any], np.ndarray, list[np.ndarray]]:
    """The spec, the completed configuration (checked by refimpl), ``w`` and the fusion inputs."""
    spec = get_spec(function)
    if not isinstance(config, Mapping):
        raise TypeError(f"config must be a dict with the keys {spec.config_keys}, got {type(config).__name__}")
    config = dict(config)
    arrays, w_given = _arrays_of(inputs)
    w = w_given if w is None else w
    if spec.is_fusion and arrays is not None:
        shapes = [a.shape for a in arrays]
        if not shapes or any(len(s) < 2 for s in shapes) or len({s[:-1] for s in shapes}) > 1:
            raise RefimplError(f"inputs must be arrays of shape (..., m, n_i) with equal (..., m), got {shapes}")
        derived = {"dims": [s[-1] for s in shapes], "m": shapes[0][-2], "batch": tuple(shapes[0][:-2])}
        for key, value in derived.items():
            if key in config and config[key] is not None and _normal(config[key]) != _normal(value):
                raise RefimplError(f"config has {key}={config[key]!r} but the inputs give {key}={value!r}")
            config[key] = value
    missing = [k for k in _REQUIRED[spec.name] if config.get(k) is None]
    if missing:
        raise RefimplError(f"{spec.name} needs the configuration keys {', '.join(missing)} (got {config})")
    if "q" in spec.config_keys and config.get("q") is None:
        config["q"] = config["p"]
    if spec.is_fusion:
        config.setdefault("n", None)
        config["dims"] = list(config["dims"])
        m = config.setdefault("m", 2)
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 0:
            raise RefimplError(f"m must be a non-negative integer number of rows, got m={m!r}")
        batch = config.get("batch") or ()
        config["batch"] = tuple(int(b) for b in batch)
        if any(b <= 0 for b in config["batch"]):
            raise RefimplError(f"batch must hold positive sizes, got batch={config['batch']}")
    l = spec.l(config)  # refimpl's checks and messages
    w = np.arange(1.0, l + 1.0) if w is None else to_numpy(w)
    if spec.is_fusion and arrays is None:
        arrays = _default_inputs(config["dims"], config["m"], config["batch"])
    return spec, config, w, arrays or []


def _normal(value: Any) -> Any:
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _default_inputs(dims: Sequence[int], m: int, batch: tuple[int, ...]) -> list[np.ndarray]:
    """Inputs numbered 1, 2, ... row by row, across ``A_1`` then ``A_2`` ... (the same in each batch
    element): every entry of ``X`` then tells which input, row and column it came from."""
    arrays, start = [], 1.0
    for width in dims:
        a = np.arange(start, start + m * width).reshape(m, width)
        arrays.append(np.broadcast_to(a, (*batch, m, width)).copy())
        start += m * width
    return arrays


def _first(a: np.ndarray) -> np.ndarray:
    """The first batch element of ``(..., m, n)``."""
    return a[(0,) * (a.ndim - 2)] if a.ndim > 2 else a


def _describe(spec: FunctionSpec, config: dict[str, Any]) -> str:
    keys = [k for k in spec.config_keys if k not in ("m", "batch") and config.get(k) is not None]
    return f"{spec.name}(" + ", ".join(f"{k}={config[k]!r}" for k in keys) + ")"


def _shape(a: Any) -> str:
    return "\u00d7".join(str(d) for d in a.shape)


def _default_w_note(l: int) -> str:
    return f"w = 1, 2, \u2026, {l}: a cell showing k holds w[k\u22121]"


def _between(fig: Any, left: Any, right: Any, symbol: str, size: float = 15) -> None:
    """Write ``symbol`` in the gap between two axes (placed at draw time, after the layout)."""
    from matplotlib.text import Annotation
    from matplotlib.transforms import Bbox

    def gap(renderer: Any) -> Any:  # between the tick labels and colour bars, level with the matrices
        a, b = left.get_window_extent(renderer), right.get_window_extent(renderer)
        x0 = max([a.x1] + [child.get_tightbbox(renderer).x1 for child in left.child_axes])
        labels = right.yaxis.get_tightbbox(renderer)
        x1 = b.x0 if labels is None else min(b.x0, labels.x0)
        return Bbox.from_extents(min(x0, x1), min(a.y0, b.y0), max(x0, x1), max(a.y1, b.y1))

    label = Annotation(symbol, xy=(0.5, 0.5), xycoords=gap, ha="center", va="center", fontsize=size,
                       color="0.2")
    label.set_in_layout(False)
    fig.add_artist(label)


def _caption(fig: Any, title: str, notes: Sequence[str]) -> None:
    """The figure's title above and its notes below, broken into lines that fit its width; a
    figure made here grows by the lines beyond one of each, so that the matrices keep their size."""
    width = 72.0 * 0.97 * fig.bbox.width / fig.dpi
    title = _fit(title, width, 11)
    fig.suptitle(title, fontsize=11)
    footer = _fit("\n".join(notes), width, 9) if notes else ""
    if footer:
        fig.supxlabel(footer, fontsize=9, color="0.25")
    if fig in _OWN:
        extra = 0.25 * title.count("\n") + 0.19 * max(footer.count("\n"), 0)
        fig.set_figheight(fig.get_figheight() + extra)


def _row_of_panels(fig: Any, widths: Sequence[int]) -> list[Any]:
    """Axes side by side, one per matrix, cells of one size, a gap column between two for an operator."""
    ratios = []
    for k, width in enumerate(widths):
        if k:
            ratios.append(1.3)
        ratios.append(max(width, 1))
    grid = fig.add_gridspec(1, len(ratios), width_ratios=ratios)
    return [fig.add_subplot(grid[0, 2 * k]) for k in range(len(widths))]


# -- the picture of a configuration ------------------------------------------------------------


def plot_function(
    function: str | FunctionSpec,
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
    function : str or FunctionSpec
        A name of :data:`refimpl.oracle.registry.FUNCTIONS`, e.g. ``"dual_lphm"``.
    config : dict
        The configuration, with the keys of the function (see :mod:`refimpl.oracle.registry`):
        ``n, D, p, q`` (padding), ``n, D, p, q, r`` (``dual_lphm``), ``dims, n, p, q, r, m,
        batch`` (``dual_lphm_fusion``), ``dims, n, m, batch`` (``concatenation_fusion``).
        ``q`` defaults to ``p``, ``n`` of a fusion to the common input width, ``m`` to 2 and
        ``batch`` to ``()``.
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
        own message.
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
    spec, config, w, arrays = _checked(function, config, w, inputs)
    if spec.is_fusion:
        return _plot_fusion(spec, config, w, arrays, fig)
    if spec.name == "dual_lphm":
        return _plot_lphm(spec, config, w, fig)
    return _plot_padding(spec, config, w, fig)


#: The figures made here (not given by the caller): :func:`_caption` may make them taller.
_OWN: weakref.WeakSet[Any] = weakref.WeakSet()


def _figure_for(
    fig: Any, width_cells: float, height_cells: float, extra_height: float = 1.3, least_width: float = 7.0
) -> Any:
    """``fig``, or a new figure with cells of about :data:`CELL` inches (less for large matrices)."""
    if fig is not None:
        _pyplot()
        return fig
    cell = min(CELL, 15.0 / max(width_cells, 1.0), 9.0 / max(height_cells, 1.0))
    cell = max(cell, 0.1)
    fig = _new_figure(max(cell * width_cells + 1.2, least_width), cell * height_cells + extra_height)
    _OWN.add(fig)
    return fig


def _plot_padding(spec: FunctionSpec, config: dict[str, Any], w: np.ndarray, fig: Any) -> Any:
    from ..padding import duplicated_diagonal_padding, duplicated_padding

    n, D, p, q = config["n"], config["D"], config["p"], config["q"]
    s, t = n // p, D // q
    diagonal = spec.name == "duplicated_diagonal_padding"
    if diagonal:
        psi = duplicated_diagonal_padding(w, n, D, p, q, format="csr")
        left = np.eye(p, q)
        left_name = rf"$I_{{{p}\times {q}}}$"
        left_title = f"{left_name} = eye({p}, {q})"
    else:
        psi = duplicated_padding(w, n, D, p, q)
        left = np.ones((p, q))
        left_name = rf"$\mathbf{{1}}_{{{p}\times {q}}}$"
        left_title = f"{left_name} = ones({p}, {q})"
    W = to_numpy(w).reshape(s, t)
    fig = _figure_for(fig, q + t + D + 2.6, max(p, s, n))
    ax_left, ax_W, ax_psi = _row_of_panels(fig, [q, t, D])
    from matplotlib.colors import ListedColormap

    plot_matrix(left, ax=ax_left, title=left_title, cmap=ListedColormap(["#fdb97d" if diagonal else "#a9a9b3"]))
    values = np.abs(W) if np.iscomplexobj(W) else W
    finite = values[np.isfinite(values)] if np.isrealobj(values) else values
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (None, None)
    plot_matrix(W, ax=ax_W, title=f"$W$ ={BREAK} reshape(w, ({s}, {t}))", vmin=low, vmax=high, zeros="value")
    formula = rf"I_{{{p}\times {q}}}" if diagonal else rf"\mathbf{{1}}_{{{p}\times {q}}}"
    plot_matrix(psi, ax=ax_psi, title=rf"$\psi(w) = {formula} \otimes W$  ({n}×{D})", block=(s, t),
                vmin=low, vmax=high)
    _between(fig, ax_left, ax_W, r"$\otimes$")
    _between(fig, ax_W, ax_psi, "=")
    notes = []
    if diagonal:
        from matplotlib.patches import Rectangle

        for k in range(min(p, q)):
            ax_psi.add_patch(Rectangle((k * t - 0.5, k * s - 0.5), t, s, fill=False, edgecolor=HIGHLIGHT,
                                       linewidth=2.6, gid="diagonal block", zorder=3))
        shape = "square" if p == q else f"rectangular: only min(p, q) = {min(p, q)} diagonal blocks"
        notes.append(f"I = eye({p}, {q}) is {shape}; diagonal blocks outlined; "
                     "grey: structural zeros (exact 0 whatever w holds)")
    else:
        notes.append(f"every one of the {p}×{q} blocks is a copy of W")
    if _is_arange(w):
        notes.append(_default_w_note(s * t))
    _caption(fig, f"{_describe(spec, config)}:{BREAK}   s = n/p = {s},  t = D/q = {t},  l = s·t = {s * t}", notes)
    return fig


def _lphm_factors_np(w: np.ndarray, p: int, q: int, s: int, t: int, r: int) -> list[np.ndarray]:
    flat, factors, start = to_numpy(w).reshape(-1), [], 0
    for rows in (p, q, s, t):
        factors.append(flat[start:start + rows * r].reshape(rows, r))
        start += rows * r
    return factors


def _segments(w: np.ndarray, lengths: Sequence[int], names: str = "PQST") -> str:
    """``P = w[0:2], Q = w[2:5], ...``, and the values when ``w`` is short."""
    flat = to_numpy(w).reshape(-1)
    cuts = np.cumsum([0, *lengths])
    slices = ",  ".join(f"{name} = w[{a}:{b}]" for name, a, b in zip(names, cuts[:-1], cuts[1:]))
    if flat.size <= 36:
        groups = " | ".join(" ".join(_format(v) for v in flat[a:b]) for a, b in zip(cuts[:-1], cuts[1:]))
        return f"w = [vec P | vec Q | vec S | vec T] = [{groups}], each row-major;   {slices}"
    return f"w = [vec P | vec Q | vec S | vec T], each row-major;   {slices}"


def _plot_lphm(spec: FunctionSpec, config: dict[str, Any], w: np.ndarray, fig: Any) -> Any:
    from ..lphm import dual_lphm

    n, D, p, q, r = (config[k] for k in ("n", "D", "p", "q", "r"))
    s, t = n // p, D // q
    psi = to_numpy(dual_lphm(w, n, D, p, q, r))
    P, Q, S, T = _lphm_factors_np(w, p, q, s, t, r)
    A, B = P @ Q.T, S @ T.T
    fig = _figure_for(fig, q + t + D + 2.6, max(p, s, n))
    ax_A, ax_B, ax_psi = _row_of_panels(fig, [q, t, D])
    plot_matrix(A, ax=ax_A, title=rf"$P Q^\top$  ({p}×{q})", cmap="cividis")
    plot_matrix(B, ax=ax_B, title=rf"$S T^\top$  ({s}×{t})", cmap="cividis")
    plot_matrix(psi, ax=ax_psi, title=rf"$\psi(w) = (P Q^\top) \otimes (S T^\top)$  ({n}×{D})", block=(s, t))
    _between(fig, ax_A, ax_B, r"$\otimes$")
    _between(fig, ax_B, ax_psi, "=")
    _caption(
        fig,
        f"{_describe(spec, config)}:{BREAK}   s = n/p = {s},  t = D/q = {t},  l = r(p + q + s + t) = {r * (p + q + s + t)}",
        [_segments(w, [p * r, q * r, s * r, t * r]),
         f"block (i, j) of ψ(w) is (PQᵀ)[i, j] · STᵀ: {p}×{q} blocks of {s}×{t}"],
    )
    return fig


def _plot_fusion(
    spec: FunctionSpec, config: dict[str, Any], w: np.ndarray, arrays: list[np.ndarray], fig: Any
) -> Any:
    from ..fusion import concatenation_fusion, dual_lphm_fusion
    from ..lphm import dual_lphm

    dims, m, batch = config["dims"], config["m"], config["batch"]
    N, n = sum(dims), (config["n"] if config["n"] is not None else dims[0])
    k = len(dims)
    if spec.name == "dual_lphm_fusion":
        p, q, r = config["p"], config["q"], config["r"]
        Y = to_numpy(dual_lphm_fusion(arrays, w, p=p, q=q, r=r, n=config["n"]))
        W = to_numpy(dual_lphm(w, N, n, p, q, r))
        w_title = rf"$W = (P Q^\top) \otimes (S T^\top)$   ({N}×{n})"
        block: tuple[int, int] | None = (N // p, n // q)
        formula = r"fusion = $X W$,  $W = (P Q^\top) \otimes (S T^\top)$"
        note = _segments(w, [p * r, q * r, (N // p) * r, (n // q) * r])
    else:
        Y = to_numpy(concatenation_fusion(arrays, w, n=config["n"]))
        W = to_numpy(w).reshape(N, n)
        w_title = f"$W$ ={BREAK} reshape(w, ({N}, {n}))"
        block = None
        formula = r"fusion = $X W$,  $W$ = reshape(w, (N, n))"
        note = f"W = reshape(w, ({N}, {n})), row-major; l = N·n = {N * n}"
    X = np.concatenate(arrays, axis=-1) if arrays else np.zeros((*batch, m, 0))
    first = [_first(a) for a in arrays]
    X0, Y0 = _first(X), _first(Y)

    rows = max(m, 1)
    ratios = [max(d, 1) for d in dims] + [1.3, max(n, 1), 1.3, max(n, 1)]
    fig = _figure_for(fig, sum(ratios), rows + max(rows, N) + 1.2, extra_height=1.6)
    grid = fig.add_gridspec(2, len(ratios), width_ratios=ratios, height_ratios=[rows, max(rows, N)])
    axes_A = [fig.add_subplot(grid[0, i]) for i in range(k)]
    ax_X = fig.add_subplot(grid[1, :k])
    ax_W = fig.add_subplot(grid[1, k + 1])
    ax_Y = fig.add_subplot(grid[1, k + 3])
    together = np.concatenate([a.reshape(-1) for a in first]) if first else np.zeros(0)
    together = np.abs(together) if np.iscomplexobj(together) else together
    finite = together[np.isfinite(together)] if together.size else together
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (None, None)
    for i, (ax, a) in enumerate(zip(axes_A, first)):
        plot_matrix(a, ax=ax, title=f"$A_{{{i + 1}}}$  ({_shape(a)})", vmin=low, vmax=high, zeros="value",
                    cmap="cividis")
    joined = r" \,|\, ".join(f"A_{{{i + 1}}}" for i in range(k)) if k <= 4 else r"A_1 \,|\, \cdots \,|\, A_k"
    plot_matrix(X0, ax=ax_X, title=f"$X = [{joined}]$  ({_shape(X0)})",
                vmin=low, vmax=high, zeros="value",
                cmap="cividis")
    for edge in np.cumsum(dims)[:-1]:
        ax_X.axvline(edge - 0.5, color=BLOCK, linewidth=1.6)
    plot_matrix(W, ax=ax_W, title=w_title, block=block, zeros="value")
    plot_matrix(Y0, ax=ax_Y, title=f"$X W$  ({_shape(Y0)})", zeros="value")
    _between(fig, ax_X, ax_W, "\u2022", size=13)
    _between(fig, ax_W, ax_Y, "=")
    title = f"{_describe(spec, config)}, m = {m}:{BREAK}   {formula}"
    if batch:
        title += f"\nbatch shape {batch}: the first batch element {(0,) * len(batch)} is drawn"
    first_line = ["X = concatenate([A_1, …, A_k], axis=−1): each row of X joins the rows of the inputs"]
    if _is_default(arrays, dims, m):
        first_line.append(f"inputs numbered 1, 2, … row by row across A_1, …, A_{k}")
    if _is_arange(w):
        first_line.append(f"w = 1, 2, …, {w.size}")
    _caption(fig, title, [";   ".join(first_line), note])
    return fig


def _is_arange(w: np.ndarray) -> bool:
    flat = np.asarray(w).reshape(-1)
    return bool(flat.size and np.isrealobj(flat) and np.array_equal(flat, np.arange(1, flat.size + 1)))


def _is_default(arrays: list[np.ndarray], dims: Sequence[int], m: int) -> bool:
    if not arrays:
        return False
    batch = arrays[0].shape[:-2]
    return all(np.array_equal(a, b) for a, b in zip(arrays, _default_inputs(dims, m, batch)))


# -- a mistake beside the right answer ----------------------------------------------------------


def _mistake_options(spec: FunctionSpec, config: dict[str, Any], mistake: str) -> tuple[dict[str, Any], str]:
    """The pipeline options of a catalogued mistake (or ``"first + second"``), and its name."""
    from ..oracle.diagnosis import _catalogue

    if not isinstance(mistake, str):
        raise TypeError(f"mistake must be a name from refimpl.oracle.diagnosis.catalogue, got {mistake!r}")
    mistakes = _catalogue(spec, config, list(config["dims"]) if spec.is_fusion else [])

    def key(name: str) -> str:
        return " ".join(name.lower().split())

    table = {key(m.name): m for m in mistakes}
    parts = [part for part in (key(p) for p in mistake.split(" + ")) if part]
    unknown = [p for p in parts if p not in table] or ([] if parts else [mistake])
    if unknown:
        listing = "\n".join(f"  - {m.name}" for m in mistakes)
        raise RefimplError(
            f"unknown mistake {mistake!r} for {_describe(spec, config)}; the catalogued mistakes are:\n{listing}"
        )
    chosen = [table[p] for p in parts]
    stages = [m.stage for m in chosen]
    if len(set(stages)) != len(stages):
        raise RefimplError(f"{mistake!r} joins two mistakes of one stage ({stages}); pair mistakes of two stages")
    return {m.stage: m.value for m in chosen}, " + ".join(m.name for m in chosen)


def _mistaken_output(
    spec: FunctionSpec, config: dict[str, Any], w: np.ndarray, arrays: list[np.ndarray], options: dict[str, Any]
) -> np.ndarray | None:
    """The output with the mistakes of ``options``, built by the diagnosis pipeline in float64."""
    from ..oracle.diagnosis import _build, _wide

    wide: dict[str, Any] = {"w": _wide(w).reshape(-1)}
    if spec.is_fusion:
        wide["inputs"] = [_wide(a) for a in arrays]
    with np.errstate(all="ignore"):
        out = _build(spec, config, wide, options)
    if out is None:
        return None
    return np.swapaxes(out, -1, -2) if options.get("transpose") else out


def _right_output(spec: FunctionSpec, config: dict[str, Any], w: np.ndarray, arrays: list[np.ndarray]) -> Any:
    """refimpl's own answer in float64 (complex128); the diagonal padding as a sparse array."""
    from ..oracle.diagnosis import _wide

    w = _wide(w)
    if spec.name == "duplicated_diagonal_padding":
        from ..padding import duplicated_diagonal_padding

        return duplicated_diagonal_padding(w, config["n"], config["D"], config["p"], config["q"], format="csr")
    inputs: dict[str, Any] = {"w": w}
    if spec.is_fusion:
        inputs["inputs"] = [_wide(a) for a in arrays]
    return to_numpy(spec.call(config, inputs))


def _differing(right: np.ndarray, wrong: np.ndarray, exact: bool) -> np.ndarray:
    """Where ``wrong`` differs from ``right``: exactly for the padding functions, else beyond
    rounding (relative to the largest entry), NaN and infinities by placement."""
    with np.errstate(invalid="ignore", over="ignore"):
        both = np.isfinite(right) & np.isfinite(wrong)
        placed = ~both & ~((np.isnan(right) & np.isnan(wrong)) | (right == wrong))
        if exact:
            return placed | (both & (right != wrong))
        finite = np.concatenate([np.abs(right[both]).reshape(-1), np.abs(wrong[both]).reshape(-1)])
        scale = float(finite.max()) if finite.size else 0.0
        return placed | (both & (np.abs(right - wrong) > 1e-10 * scale))


def plot_mistake(
    function: str | FunctionSpec,
    config: Mapping[str, Any],
    mistake: str,
    *,
    w: Any = None,
    inputs: Any = None,
    fig: Any = None,
) -> Any:
    r"""Draw the right answer beside the output of a catalogued mistake, the differing cells outlined.

    The mistaken output is built by the diagnosis pipeline of :mod:`refimpl.oracle.diagnosis` (the
    one :func:`refimpl.testing.diagnose` matches candidates against), in float64 from the same
    ``w`` and inputs; the right answer is refimpl's. With the default ``w = 1, 2, ..., l``
    each cell of a padding shows which entry of ``w`` it holds, so a mistake is seen as entries
    of ``w`` in the wrong places. Both panels share one colour scale; the cells that differ
    (exactly for the padding functions, beyond rounding otherwise) are outlined in red in both.
    When the mistake changes the shape (``output transposed`` of a non-square matrix) no cell
    is compared and the mistaken panel gets a red frame.

    For a fusion the outputs ``X W`` (``m x n``) are compared (the first batch element of a
    batch).

    Parameters
    ----------
    function : str or FunctionSpec
        A name of :data:`refimpl.oracle.registry.FUNCTIONS`.
    config : dict
        The configuration, as for :func:`plot_function`.
    mistake : str
        A name from ``refimpl.oracle.diagnosis.catalogue(function, config)``, e.g. ``"output
        transposed"``, or two from different stages joined by ``" + "`` as
        :func:`refimpl.testing.diagnose` reports them. Case and spacing are not significant.
    w : array_like, shape (l,) or (1, l), optional
        The parameter vector; by default ``1, 2, ..., l``.
    inputs : list of arrays, optional
        The fusion inputs, as for :func:`plot_function`.
    fig : matplotlib.figure.Figure or SubFigure, optional
        An empty figure to draw into; by default a new one.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the right answer, then the mistaken output. The outlines are rectangles with
        the gid ``"differs"``.

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    RefimplError
        If the configuration is invalid, or ``mistake`` is not in the catalogue of this
        configuration (the message lists the catalogue).

    See Also
    --------
    refimpl.testing.diagnose : names the mistakes that reproduce a wrong output.

    Examples
    --------
    ``ones(p, q)`` in place of ``eye(p, q)``: the off-diagonal blocks, structural zeros in the
    right answer, are filled with copies of ``W``:

    >>> import tempfile, pathlib
    >>> from refimpl.plotting import plot_mistake
    >>> config = {"n": 4, "D": 6, "p": 2, "q": 3}
    >>> fig = plot_mistake("duplicated_diagonal_padding", config, "ones in place of the identity")
    >>> right, wrong = fig.axes
    >>> sum(patch.get_gid() == "differs" for patch in wrong.patches)  # 4 blocks of 2x2 cells
    16
    >>> with tempfile.TemporaryDirectory() as d:
    ...     fig.savefig(pathlib.Path(d) / "ones.png")
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    spec, config, w, arrays = _checked(function, config, None if w is None else w, inputs)
    options, name = _mistake_options(spec, config, mistake)
    right_value = _right_output(spec, config, w, arrays)
    wrong = _mistaken_output(spec, config, w, arrays, options)
    right_dense = to_numpy(right_value)
    if spec.is_fusion:
        right_value = right_dense = _first(right_dense)
        wrong = None if wrong is None else _first(wrong)

    rows, cols = right_dense.shape
    wrong_rows, wrong_cols = (rows, cols) if wrong is None else wrong.shape
    width = cols + wrong_cols + 1.3
    fig = _figure_for(fig, width, max(rows, wrong_rows), extra_height=1.5, least_width=5.6)
    ax_right, ax_wrong = _row_of_panels(fig, [cols, wrong_cols])
    values = [np.abs(right_dense).reshape(-1)] + ([] if wrong is None else [np.abs(wrong).reshape(-1)])
    if np.isrealobj(right_dense) and (wrong is None or np.isrealobj(wrong)):
        values = [right_dense.reshape(-1)] + ([] if wrong is None else [wrong.reshape(-1)])
    everything = np.concatenate(values)
    with np.errstate(invalid="ignore"):
        finite = everything[np.isfinite(everything) & (everything != 0)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (None, None)

    block = None
    if spec.name != "concatenation_fusion" and not spec.is_fusion:
        p, q = config["p"], config["q"]
        block = (config["n"] // p, config["D"] // q)
    what = "output" if spec.is_fusion else "ψ(w)"
    batch_note = f" (batch element {(0,) * len(config['batch'])})" if spec.is_fusion and config["batch"] else ""
    plot_matrix(right_value, ax=ax_right, title=f"right answer: {what}  ({rows}×{cols}){batch_note}",
                block=block, vmin=low, vmax=high)
    wrapped = name
    from matplotlib.patches import Rectangle

    if wrong is None:
        ax_wrong.set_axis_off()
        ax_wrong.set_title(f"mistake: {wrapped}", fontsize=10, color=DIFFERS)
        ax_wrong.text(0.5, 0.5, "\n".join(textwrap.wrap(
            "cannot be made in this configuration (the exchanged or permuted dimensions do not divide)", 30)),
            ha="center", va="center", transform=ax_wrong.transAxes, fontsize=9, color="0.3")
        summary = "this mistake does not apply to this configuration"
    else:
        same_shape = wrong.shape == right_dense.shape
        plot_matrix(wrong, ax=ax_wrong, title=f"mistake: {wrapped}  ({wrong.shape[0]}×{wrong.shape[1]})",
                    block=block if same_shape else None, vmin=low, vmax=high)
        ax_wrong.title.set_color(DIFFERS)
        if same_shape:
            off = _differing(right_dense, wrong, spec.exact)
            for i, j in np.argwhere(off):
                ax_wrong.add_patch(Rectangle((j - 0.44, i - 0.44), 0.88, 0.88, fill=False, edgecolor=DIFFERS,
                                             linewidth=1.8, gid="differs", zorder=4))
            count = int(off.sum())
            summary = (f"{count} of {off.size} entries differ (outlined in red)" if count
                       else "no entry differs: this mistake changes nothing in this configuration")
        else:
            for spine in ax_wrong.spines.values():
                spine.set_edgecolor(DIFFERS)
                spine.set_linewidth(2.4)
            summary = f"the shape differs: {wrong.shape[0]}×{wrong.shape[1]} instead of {rows}×{cols}"
    _between(fig, ax_right, ax_wrong, "vs", size=11)
    notes = [summary]
    if _is_arange(w) and spec.exact:
        notes.append(_default_w_note(w.size) + "; grey: zeros")
    elif spec.is_fusion and _is_arange(w) and _is_default(arrays, config["dims"], config["m"]):
        notes.append(f"inputs numbered 1, 2, … row by row across A_1, …, A_{len(arrays)}; w = 1, 2, …, {w.size}")
    elif _is_arange(w):
        notes.append(f"w = 1, 2, …, {w.size}")
    _caption(fig, f"{_describe(spec, config)}:{BREAK} a catalogued mistake beside the right answer", notes)
    return fig


# -- the command line ------------------------------------------------------------------------------


def add_plot_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``plot FUNCTION [--n N --D D --p P --q Q --r R --dims ... --m M] [--mistake NAME] -o FILE``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers()`` returned.

    Returns
    -------
    argparse.ArgumentParser
        The ``plot`` parser; its namespace has ``handler`` (:func:`run_plot`).

    Examples
    --------
    >>> import argparse
    >>> from refimpl.plotting import add_plot_parser
    >>> parser = argparse.ArgumentParser(prog="refimpl")
    >>> _ = add_plot_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["plot", "dual_lphm", "--n", "4", "--D", "6", "--p", "2", "--r", "1", "-o", "a.png"])
    >>> args.command, args.function, args.n, args.q, args.output
    ('plot', 'dual_lphm', 4, None, 'a.png')
    """
    parser = subparsers.add_parser(
        "plot",
        help="draw a configuration (or a catalogued mistake beside the right answer) into an image",
        description="Draw a function of refimpl for one configuration, w = 1, 2, ..., l by default, "
        "into an image file (PNG, SVG, PDF: by the extension). Needs matplotlib: pip install refimpl[docs].",
    )
    from ..cli.main import add_config_arguments  # the command line imports this module lazily

    parser.add_argument("function", choices=list(FUNCTIONS))
    add_config_arguments(parser)
    parser.add_argument("--mistake", metavar="NAME",
                        help="draw this catalogued mistake beside the right answer (quote the name)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the image to write, e.g. plot.png")
    parser.add_argument("--dpi", type=int, default=150, help="resolution of a PNG (default 150)")
    parser.set_defaults(handler=run_plot)
    return parser


def _config_from_args(args: argparse.Namespace) -> dict[str, Any]:
    spec = get_spec(args.function)
    missing = [f"--{k}" for k in _REQUIRED[spec.name] if getattr(args, k, None) is None]
    if missing:
        raise RefimplError(f"{spec.name} needs {', '.join(missing)}")
    config = {k: getattr(args, k) for k in spec.config_keys if k not in ("m", "batch")}
    if spec.is_fusion:
        if args.m < 0:
            raise RefimplError(f"--m must be a non-negative number of rows, got --m {args.m}")
        config.update(m=args.m, batch=())
    return config


def run_plot(args: argparse.Namespace) -> int:
    """Run ``refimpl plot``: draw the configuration (or the mistake) into ``args.output``.

    Parameters
    ----------
    args : argparse.Namespace
        As parsed by the parser of :func:`add_plot_parser`.

    Returns
    -------
    int
        0 when the image is written; 2 for a bad configuration, an unknown mistake (the message
        lists the catalogued ones), a file that cannot be written, or no matplotlib.

    Examples
    --------
    >>> import argparse, tempfile, pathlib
    >>> from refimpl.plotting import add_plot_parser, run_plot
    >>> parser = argparse.ArgumentParser(prog="refimpl")
    >>> _ = add_plot_parser(parser.add_subparsers(dest="command"))
    >>> with tempfile.TemporaryDirectory() as d:  # doctest: +ELLIPSIS
    ...     out = str(pathlib.Path(d) / "diagonal.png")
    ...     run_plot(parser.parse_args(["plot", "duplicated_diagonal_padding", "--n", "6", "--D", "4",
    ...                                 "--p", "3", "--q", "2", "-o", out]))
    wrote .../diagonal.png
    0
    """
    fig = None
    try:
        config = _config_from_args(args)
        if args.mistake is not None:
            fig = plot_mistake(args.function, config, args.mistake, w=args.w)
        else:
            fig = plot_function(args.function, config, w=args.w)
        fig.savefig(args.output, dpi=args.dpi)
    except (RefimplError, TypeError, ValueError, ImportError, OSError) as exc:
        print(f"refimpl: error: {exc}", file=sys.stderr)
        return 2
    finally:
        if fig is not None:
            _pyplot().close(fig)
    print(f"wrote {args.output}")
    return 0
