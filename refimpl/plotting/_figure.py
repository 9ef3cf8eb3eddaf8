"""Figures and their text: matplotlib on demand, panels side by side, titles that fit.

Nothing here knows about refimpl's functions; :mod:`._matrix` draws one matrix into an axes,
:mod:`._function` and :mod:`._mistake` compose the figures.
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib is imported on demand, by pyplot()
    from matplotlib.axes import Axes

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
#: The inches one cell gets in the figures of ``plot_function`` and ``plot_mistake``.
CELL = 0.42
#: Marks a preferred line break in a title (removed from the text drawn).
BREAK = "\u200b"

#: The figures made here (not given by the caller): :func:`caption` may make them taller.
_OWN: weakref.WeakSet[Any] = weakref.WeakSet()


def pyplot() -> Any:
    """``matplotlib.pyplot``, on the ``Agg`` backend unless one was chosen (never a window)."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(
            "refimpl's plots need matplotlib, an optional dependency: pip install refimpl[docs]"
        ) from exc
    if matplotlib.__version_info__ < (3, 10):
        raise ImportError(f"refimpl's plots need matplotlib>=3.10, got {matplotlib.__version__}")
    # A backend chosen by MPLBACKEND, a matplotlibrc or matplotlib.use() stays; otherwise Agg.
    if matplotlib.get_backend(auto_select=False) is None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def new_figure(width: float, height: float) -> Any:
    """A pyplot figure of about ``width x height`` inches (bounded), with a constrained layout."""
    fig = pyplot().figure(
        figsize=(min(max(width, 3.0), 18.0), min(max(height, 2.4), 14.0)), layout="constrained"
    )
    fig.get_layout_engine().set(h_pad=0.09, w_pad=0.06)
    return fig


def figure_for(
    fig: Any, width_cells: float, height_cells: float, extra_height: float = 1.3, least_width: float = 7.0
) -> Any:
    """``fig``, or a new figure with cells of about :data:`CELL` inches (less for large matrices)."""
    if fig is not None:
        pyplot()
        return fig
    cell = min(CELL, 15.0 / max(width_cells, 1.0), 9.0 / max(height_cells, 1.0))
    cell = max(cell, 0.1)
    fig = new_figure(max(cell * width_cells + 1.2, least_width), cell * height_cells + extra_height)
    _OWN.add(fig)
    return fig


def row_of_panels(fig: Any, widths: Sequence[int]) -> list[Any]:
    """Axes side by side, one per matrix, cells of one size, a gap column between two for an operator."""
    ratios = []
    for k, width in enumerate(widths):
        if k:
            ratios.append(1.3)
        ratios.append(max(width, 1))
    grid = fig.add_gridspec(1, len(ratios), width_ratios=ratios)
    return [fig.add_subplot(grid[0, 2 * k]) for k in range(len(widths))]


def between(fig: Any, left: Any, right: Any, symbol: str, size: float = 15) -> None:
    """Write ``symbol`` in the gap between two axes (placed at draw time, after the layout)."""
    from matplotlib.text import Annotation
    from matplotlib.transforms import Bbox

    def gap(renderer: Any) -> Any:  # between the tick labels and colour bars, level with the matrices
        a, b = left.get_window_extent(renderer), right.get_window_extent(renderer)
        x0 = max([a.x1] + [child.get_tightbbox(renderer).x1 for child in left.child_axes])
        labels = right.yaxis.get_tightbbox(renderer)
        x1 = b.x0 if labels is None else min(b.x0, labels.x0)
        return Bbox.from_extents(min(x0, x1), min(a.y0, b.y0), max(x0, x1), max(a.y1, b.y1))

    label = Annotation(
        symbol, xy=(0.5, 0.5), xycoords=gap, ha="center", va="center", fontsize=size, color="0.2"
    )
    label.set_in_layout(False)
    fig.add_artist(label)


def caption(fig: Any, title: str, notes: Sequence[str]) -> None:
    """The figure's title above and its notes below, broken into lines that fit its width; a
    figure made here grows by the lines beyond one of each, so that the matrices keep their size."""
    width = 72.0 * 0.97 * fig.bbox.width / fig.dpi
    title = fit(title, width, 11)
    fig.suptitle(title, fontsize=11)
    footer = fit("\n".join(notes), width, 9) if notes else ""
    if footer:
        fig.supxlabel(footer, fontsize=9, color="0.25")
    if fig in _OWN:
        extra = 0.25 * title.count("\n") + 0.19 * max(footer.count("\n"), 0)
        fig.set_figheight(fig.get_figheight() + extra)


def panel_width(ax: Axes, rows: int, cols: int) -> float:
    """The width in points the axes will have for a ``rows x cols`` matrix of square cells (about)."""
    box = ax.get_position()
    fig = ax.figure
    width, height = fig.bbox.width / fig.dpi * box.width, fig.bbox.height / fig.dpi * box.height
    return 72.0 * 0.9 * min(width, height * max(cols, 1) / max(rows, 1))


# -- text that fits ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _text_width(text: str, fontsize: float) -> float:
    """The width of ``text`` in points, as matplotlib renders it (mathtext between ``$`` too)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    ismath = text.count("$") >= 2 and text.count("$") % 2 == 0
    try:
        return float(
            text_to_path.get_text_width_height_descent(text, FontProperties(size=fontsize), ismath)[0]
        )
    except ValueError:  # a string mathtext cannot parse: a generous estimate
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


def fit(text: str, width: float, fontsize: float) -> str:
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
