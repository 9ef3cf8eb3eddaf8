"""A catalogued mistake (:mod:`refimpl.oracle.mistakes`) drawn beside the right answer."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from .._outputs import to_numpy
from ..functions import Function
from ..oracle.mistakes import Mistake, find, mistaken_output
from ..oracle.tolerance import wide
from ._config import Drawing, first, prepare
from ._figure import BREAK, DIFFERS, between, caption, figure_for, row_of_panels
from ._function import default_w_note
from ._matrix import plot_matrix

__all__ = ["plot_mistake"]


def plot_mistake(
    function: str | Function,
    config: Mapping[str, Any],
    mistake: str | Mistake,
    *,
    w: Any = None,
    inputs: Any = None,
    fig: Any = None,
) -> Any:
    r"""Draw the right answer beside the output of a catalogued mistake, the differing cells outlined.

    The mistaken output is built by :func:`refimpl.oracle.mistakes.mistaken_output` (the
    computation :func:`refimpl.testing.diagnose` matches candidates against), in float64 from
    the same ``w`` and inputs; the right answer is refimpl's. With the default
    ``w = 1, 2, ..., l`` each cell of a padding shows which entry of ``w`` it holds, so a
    mistake is seen as entries of ``w`` in the wrong places. Both panels share one colour
    scale; the cells that differ (exactly for the padding functions, beyond rounding
    otherwise) are outlined in red in the mistaken one. When the mistake changes the shape
    (``output_transposed`` of a non-square matrix) no cell is compared and the mistaken panel
    gets a red frame; when it cannot be made in this configuration (``p_q_exchanged`` where
    the exchanged sizes do not divide) the panel says so.

    For a fusion the outputs ``X W`` (``m x n``) are compared (the first batch element of a
    batch).

    Parameters
    ----------
    function : str or Function
        A name of :data:`refimpl.functions.FUNCTIONS`.
    config : dict
        The configuration, as for :func:`plot_function`.
    mistake : str or Mistake
        A mistake of ``refimpl.oracle.mistakes.catalogue(function)``: its identifier
        (``"column_major_reshape"``, ``"segment_order:QPST"``), its family (its first variant)
        or its prose name (``"output transposed"``; case and spacing are not significant); or
        two of different stages joined by ``" + "``, as :func:`refimpl.testing.diagnose`
        reports them. The figure shows the prose names.
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
        If the configuration is invalid, ``mistake`` is not in the catalogue of ``function``
        (the message lists the catalogue) or joins two mistakes of one stage.

    See Also
    --------
    refimpl.oracle.mistakes.catalogue : the mistakes, with their identifiers and prose names.
    refimpl.testing.diagnose : names the mistakes that reproduce a wrong output.

    Examples
    --------
    ``ones(p, q)`` in place of ``eye(p, q)``: the off-diagonal blocks, structural zeros in the
    right answer, are filled with copies of ``W``:

    >>> import tempfile, pathlib
    >>> from refimpl.plotting import plot_mistake
    >>> config = {"n": 4, "D": 6, "p": 2, "q": 3}
    >>> fig = plot_mistake("duplicated_diagonal_padding", config, "ones_for_identity")
    >>> right, wrong = fig.axes
    >>> " ".join(wrong.get_title().split())  # the prose name, broken to fit the panel
    'mistake: ones in place of the identity (4×6)'
    >>> sum(patch.get_gid() == "differs" for patch in wrong.patches)  # 4 blocks of 2x2 cells
    16
    >>> with tempfile.TemporaryDirectory() as d:
    ...     fig.savefig(pathlib.Path(d) / "ones.png")
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    drawing = prepare(function, config, w, inputs)
    chosen = _chosen(drawing.spec, mistake)
    outputs = _outputs(drawing, chosen)
    rows, cols = outputs.dense.shape
    wrong_rows, wrong_cols = (rows, cols) if outputs.wrong is None else outputs.wrong.shape
    fig = figure_for(fig, cols + wrong_cols + 1.3, max(rows, wrong_rows), extra_height=1.5, least_width=5.6)
    ax_right, ax_wrong = row_of_panels(fig, [cols, wrong_cols])
    low, high = outputs.colour_range()
    spec, config = drawing.spec, drawing.config
    block = spec.blocks(config)
    what = "output" if spec.is_fusion else "ψ(w)"
    batch = f" (batch element {(0,) * len(config['batch'])})" if spec.is_fusion and config["batch"] else ""
    plot_matrix(
        outputs.right,
        ax=ax_right,
        title=f"right answer: {what}  ({rows}×{cols}){batch}",
        block=block,
        vmin=low,
        vmax=high,
    )
    name = " + ".join(m.name for m in chosen)
    summary = _draw_wrong(ax_wrong, outputs, name, block, spec.exact, (low, high))
    between(fig, ax_right, ax_wrong, "vs", size=11)
    caption(
        fig,
        f"{drawing.title}:{BREAK} a catalogued mistake beside the right answer",
        [summary, *_notes(drawing)],
    )
    return fig


def _chosen(spec: Function, mistake: Any) -> list[Mistake]:
    """The catalogued mistakes ``mistake`` names (one, or two joined by ``" + "``)."""
    if isinstance(mistake, Mistake):
        return [mistake]
    if not isinstance(mistake, str):
        raise TypeError(f"mistake must be a name from refimpl.oracle.mistakes.catalogue, got {mistake!r}")
    return [find(spec, part) for part in mistake.split(" + ")]


class _Outputs(NamedTuple):
    """The right answer (as refimpl returns it, and dense) and the mistaken output (or ``None``)."""

    right: Any
    dense: np.ndarray
    wrong: np.ndarray | None

    def colour_range(self) -> tuple[float | None, float | None]:
        """The smallest and largest finite non-zero value of both: one colour scale for both panels."""
        both = [self.dense] if self.wrong is None else [self.dense, self.wrong]
        if any(np.iscomplexobj(a) for a in both):
            both = [np.abs(a) for a in both]
        values = np.concatenate([a.reshape(-1) for a in both])
        with np.errstate(invalid="ignore"):
            finite = values[np.isfinite(values) & (values != 0)]
        return (float(finite.min()), float(finite.max())) if finite.size else (None, None)


def _outputs(drawing: Drawing, chosen: list[Mistake]) -> _Outputs:
    """refimpl's answer in float64 (complex128; the diagonal padding sparse) and the mistaken one."""
    spec, config = drawing.spec, drawing.config
    inputs: dict[str, Any] = {"w": wide(drawing.w)}
    if spec.is_fusion:
        inputs["inputs"] = [wide(a) for a in drawing.inputs]
    wrong = mistaken_output(spec, config, inputs, chosen)
    if spec.formats:  # sparse, as refimpl returns it
        right = spec.call(config, inputs, format="csr")
        return _Outputs(right, to_numpy(right), wrong)
    right = to_numpy(spec.call(config, inputs))
    if spec.is_fusion:
        return _Outputs(first(right), first(right), None if wrong is None else first(wrong))
    return _Outputs(right, right, wrong)


def _draw_wrong(
    ax: Any, outputs: _Outputs, name: str, block: Any, exact: bool, scale: tuple[float | None, float | None]
) -> str:
    """The mistaken panel, its differing cells outlined; return the sentence that says what differs."""
    wrong, right = outputs.wrong, outputs.dense
    if wrong is None:
        return _draw_inapplicable(ax, name)
    same_shape = wrong.shape == right.shape
    plot_matrix(
        wrong,
        ax=ax,
        title=f"mistake: {name}  ({wrong.shape[0]}×{wrong.shape[1]})",
        block=block if same_shape else None,
        vmin=scale[0],
        vmax=scale[1],
    )
    ax.title.set_color(DIFFERS)
    if not same_shape:
        for spine in ax.spines.values():
            spine.set_edgecolor(DIFFERS)
            spine.set_linewidth(2.4)
        return f"the shape differs: {wrong.shape[0]}×{wrong.shape[1]} instead of {right.shape[0]}×{right.shape[1]}"
    off = _differing(right, wrong, exact)
    _outline(ax, off)
    count = int(off.sum())
    if count:
        return f"{count} of {off.size} entries differ (outlined in red)"
    return "no entry differs: this mistake changes nothing in this configuration"


def _draw_inapplicable(ax: Any, name: str) -> str:
    """The panel of a mistake that cannot be made in this configuration; return the sentence that says so."""
    ax.set_axis_off()
    ax.set_title(f"mistake: {name}", fontsize=10, color=DIFFERS)
    ax.text(
        0.5,
        0.5,
        "\n".join(
            textwrap.wrap(
                "cannot be made in this configuration (the exchanged or permuted dimensions do not divide)",
                30,
            )
        ),
        ha="center",
        va="center",
        transform=ax.transAxes,
        fontsize=9,
        color="0.3",
    )
    return "this mistake does not apply to this configuration"


def _outline(ax: Any, off: np.ndarray) -> None:
    """A red outline around each cell where ``off`` is true."""
    from matplotlib.patches import Rectangle

    for i, j in np.argwhere(off):
        ax.add_patch(
            Rectangle(
                (j - 0.44, i - 0.44),
                0.88,
                0.88,
                fill=False,
                edgecolor=DIFFERS,
                linewidth=1.8,
                gid="differs",
                zorder=4,
            )
        )


def _differing(right: np.ndarray, wrong: np.ndarray, exact: bool) -> np.ndarray:
    """Where ``wrong`` differs from ``right``: exactly for the padding functions, else beyond
    rounding (relative to the largest entry), NaN and infinities by placement."""
    with np.errstate(invalid="ignore", over="ignore"):
        both = np.isfinite(right) & np.isfinite(wrong)
        placed = ~both & ~((np.isnan(right) & np.isnan(wrong)) | (right == wrong))
        differs: np.ndarray  # NumPy's stubs type the operators on an NDArray[Any] as Any
        if exact:
            differs = placed | (both & (right != wrong))
            return differs
        finite = np.concatenate([np.abs(right[both]).reshape(-1), np.abs(wrong[both]).reshape(-1)])
        scale = float(finite.max()) if finite.size else 0.0
        differs = placed | (both & (np.abs(right - wrong) > 1e-10 * scale))
        return differs


def _notes(drawing: Drawing) -> list[str]:
    """What the default ``w`` and inputs mean, under the figure."""
    size = drawing.w.size
    if drawing.default_w and drawing.spec.exact:
        return [default_w_note(size) + "; grey: zeros"]
    if drawing.default_w and drawing.spec.is_fusion and drawing.default_inputs:
        return [
            f"inputs numbered 1, 2, … row by row across A_1, …, A_{len(drawing.inputs)}; w = 1, 2, …, {size}"
        ]
    if drawing.default_w:
        return [f"w = 1, 2, …, {size}"]
    return []
