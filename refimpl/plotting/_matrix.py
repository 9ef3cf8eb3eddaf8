"""One matrix as a heatmap: its block grid, its zeros in a neutral grey, its values in the cells."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._outputs import to_numpy
from .._validation import RefimplError
from ._figure import BLOCK, CELL, NEUTRAL, NONFINITE, fit, new_figure, panel_width, pyplot

__all__ = ["ANNOTATE_UP_TO", "ZEROS", "format_value", "plot_matrix"]

#: Matrices up to this many rows and columns get their values written in the cells.
ANNOTATE_UP_TO = 16
#: The choices of ``plot_matrix(zeros=...)``.
ZEROS = ("structural", "exact", "value")


class _Cells(NamedTuple):
    """What each cell shows: the matrix, the values coloured, and the cells not coloured."""

    dense: np.ndarray  # the entries, 2-D
    values: np.ndarray  # float64, the modulus of complex entries
    neutral: np.ndarray  # drawn in NEUTRAL
    nonfinite: np.ndarray  # drawn in NONFINITE

    @property
    def coloured(self) -> np.ndarray:
        values: np.ndarray = self.values[~(self.neutral | self.nonfinite)]  # NumPy's stubs: Any
        return values


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
    cells = _cells(matrix, zeros)
    grid = _block(block)
    rows, cols = cells.dense.shape
    ax = new_figure(CELL * cols + 1.4, CELL * rows + 1.1).add_subplot() if ax is None else ax
    pyplot()
    if title is not None:
        ax.set_title(fit(title, panel_width(ax, rows, cols) + 50.0, 10), fontsize=10)
    if rows == 0 or cols == 0:
        ax.text(
            0.5,
            0.5,
            f"empty: shape ({rows}, {cols})",
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=9,
            color="0.35",
        )
        ax.set_xticks([])
        ax.set_yticks([])
        return ax
    norm, colour_map = _colours(cells, cmap, vmin, vmax)
    image = _image(ax, cells, norm, colour_map)
    _grid(ax, rows, cols, grid)
    written = _annotate(ax, cells, norm, colour_map, annotate)
    if not written and cells.coloured.size and colorbar is not False:
        width = max(0.6 / cols, 0.025)  # about half a cell wide, as tall as the matrix
        bar = ax.figure.colorbar(image, cax=ax.inset_axes((1.0 + width / 2, 0.0, width, 1.0)))
        bar.ax.tick_params(labelsize=7)
        bar.outline.set_edgecolor("0.5")
    return ax


def _cells(matrix: Any, zeros: str) -> _Cells:
    """The matrix as NumPy (2-D), and which of its cells are neutral or non-finite."""
    stored = None
    if hasattr(matrix, "tocoo") and hasattr(matrix, "nnz"):  # SciPy (or CuPy) sparse: where it stores
        coo = matrix.tocoo()
        stored = np.zeros(coo.shape, dtype=bool)
        stored[to_numpy(coo.row), to_numpy(coo.col)] = True
    dense = to_numpy(matrix)
    if dense.ndim == 1:
        dense = dense.reshape(1, -1)
        stored = None if stored is None else stored.reshape(1, -1)
    if dense.ndim != 2:
        raise RefimplError(
            f"plot_matrix draws a matrix (2 dimensions), got shape {dense.shape}; "
            "draw one batch element, e.g. matrix[0]"
        )
    values = np.abs(dense) if np.iscomplexobj(dense) else dense.astype(np.float64, copy=False)
    if zeros == "value":
        neutral = np.zeros(dense.shape, dtype=bool)
    elif zeros == "structural" and stored is not None:
        neutral = ~stored
    else:
        neutral = dense == 0
    with np.errstate(invalid="ignore"):
        nonfinite = ~np.isfinite(values) & ~neutral
    return _Cells(dense, values, neutral, nonfinite)


def _block(block: Any) -> tuple[int, int] | None:
    """``block`` as ``(s, t)``, checked."""
    if block is None:
        return None
    block = (block, block) if isinstance(block, (int, np.integer)) else tuple(block)
    if len(block) != 2 or any(int(b) <= 0 for b in block):
        raise RefimplError(f"block must be a positive (s, t) or int, got {block!r}")
    return int(block[0]), int(block[1])


def _colours(cells: _Cells, cmap: Any, vmin: float | None, vmax: float | None) -> tuple[Any, Any]:
    """The normalisation (the coloured values' range unless given) and the colour map."""
    import matplotlib
    from matplotlib import colors

    coloured = cells.coloured
    low = float(coloured.min()) if vmin is None and coloured.size else vmin
    high = float(coloured.max()) if vmax is None and coloured.size else vmax
    low, high = (0.0 if low is None else low), (1.0 if high is None else high)
    if low == high:  # one value: the middle of the colour map
        low, high = low - 1.0, high + 1.0
    base = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    return colors.Normalize(vmin=low, vmax=high), base.with_extremes(bad=NEUTRAL)


def _image(ax: Any, cells: _Cells, norm: Any, colour_map: Any) -> Any:
    """The heatmap (neutral and non-finite cells masked) and the overlay of the non-finite cells."""
    from matplotlib.colors import ListedColormap

    shown = np.ma.masked_array(cells.values, mask=cells.neutral | cells.nonfinite)
    image = ax.imshow(shown, cmap=colour_map, norm=norm, interpolation="nearest", aspect="equal")
    image.set_gid("matrix")
    if cells.nonfinite.any():
        overlay = np.ma.masked_array(np.ones(cells.values.shape), mask=~cells.nonfinite)
        ax.imshow(
            overlay, cmap=ListedColormap([NONFINITE]), vmin=0, vmax=2, interpolation="nearest", aspect="equal"
        )
    return image


def _grid(ax: Any, rows: int, cols: int, block: tuple[int, int] | None) -> None:
    """The cell grid (thin, white), the block grid (dark) and the index ticks, columns on top."""
    from matplotlib.ticker import MaxNLocator, MultipleLocator

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
    ax.xaxis.tick_top()
    ax.tick_params(which="major", labelsize=7, length=2, pad=1.5, colors="0.3")
    # Every index up to 24, else a few integers (locators: the ticks are made when drawn).
    ax.xaxis.set_major_locator(MultipleLocator(1) if cols <= 24 else MaxNLocator(8, integer=True))
    ax.yaxis.set_major_locator(MultipleLocator(1) if rows <= 24 else MaxNLocator(8, integer=True))
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)


def _annotate(ax: Any, cells: _Cells, norm: Any, colour_map: Any, annotate: bool | None) -> bool:
    """Write the values in the coloured cells (by default when they are large enough to read);
    return whether they were written."""
    rows, cols = cells.dense.shape
    if annotate is False or (annotate is None and max(rows, cols) > ANNOTATE_UP_TO):
        return False
    shown = np.argwhere(~cells.neutral)
    labels = {(i, j): format_value(cells.dense[i, j]) for i, j in shown}
    size = _font_size(ax, rows, cols, max((len(text) for text in labels.values()), default=1))
    if annotate is None and size < 5.0:  # the cells are too small to read: a colour bar instead
        return False
    with np.errstate(invalid="ignore"):
        rgba = colour_map(norm(np.where(cells.nonfinite | cells.neutral, norm.vmin, cells.values)))
    light = rgba[..., :3] @ np.array([0.2126, 0.7152, 0.0722]) > 0.45  # relative luminance
    for (i, j), text in labels.items():
        colour = "black" if light[i, j] and not cells.nonfinite[i, j] else "white"
        ax.text(j, i, text, ha="center", va="center", fontsize=max(size, 4.0), color=colour, gid="value")
    return True


def _font_size(ax: Any, rows: int, cols: int, longest: int) -> float:
    """A font size that fits ``longest`` characters into one cell of ``ax`` (as laid out now)."""
    cell = 0.9 * panel_width(ax, rows, cols) / max(cols, 1)
    return float(min(0.45 * cell, 1.3 * cell / max(longest, 1), 10.0))


def format_value(value: Any) -> str:
    """A compact label: integers exactly (up to 5 digits), else 3 significant digits.

    Examples
    --------
    >>> from refimpl.plotting._matrix import format_value
    >>> format_value(12.0), format_value(0.123456), format_value(float("-inf")), format_value(2e6)
    ('12', '0.123', '-inf', '2e6')
    """
    if isinstance(value, complex) or np.iscomplexobj(value):
        return f"{complex(value):.2g}".strip("()")
    v = float(value)
    if not np.isfinite(v):
        return "nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")
    if v == int(v) and abs(v) < 1e5:
        return str(int(v))
    text = f"{v:.3g}"
    return text.replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")
