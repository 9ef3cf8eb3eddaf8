"""The minimal failing case of a :func:`refimpl.testing.check` report, drawn.

The oracle sits below the plotting layer (setup.cfg's import contract): ``check`` keeps the
minimal failing case in its report (:class:`refimpl.oracle.check._reports.MinimalFailure`) and this
module draws it; ``refimpl check ... --plot FILE`` calls :func:`plot_failure` on the report.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .._validation import RefimplError
from ..functions import Function, get_function
from ..oracle.mistakes import find, mistaken_output
from ..oracle.tolerance import expected_and_bound, wide
from ._config import first
from ._figure import caption, figure_for, row_of_panels
from ._matrix import plot_matrix

__all__ = ["plot_failure"]


def plot_failure(report: Any, file: str | os.PathLike[str] | None = None, *, fig: Any = None) -> Any:
    """Draw the minimal failing case of a ``check`` report: expected, actual, their difference, the mistake.

    The panels, side by side on the block grid of the function: refimpl's expected output,
    the candidate's actual output, their difference (``actual - expected``, the entries within
    the oracle's tolerance shown as zeros, in grey), and, when the diagnosis names a catalogued
    mistake, that mistake's own output (:func:`refimpl.oracle.mistakes.mistaken_output`) from
    the same inputs. Expected, actual and mistake share one colour scale. For a fusion the
    first batch element of the output is drawn. A candidate that raised gets a panel that says
    what it raised.

    Parameters
    ----------
    report : CheckReport
        What :func:`refimpl.testing.check` returned, for a failing candidate.
    file : str or path, optional
        Where to save the figure (the format from its suffix: ``.png``, ``.svg``, ``.pdf``).
    fig : matplotlib.figure.Figure, optional
        An empty figure to draw into; by default a new one.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel, titled ``"expected"``, ``"actual"``, ``"actual - expected"`` and
        ``"mistake: ..."``.

    Raises
    ------
    RefimplError
        If the report has no failing case to draw (every case passed).
    ImportError
        If matplotlib is not installed.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from refimpl.examples import column_major_dual_lphm
    >>> from refimpl.plotting import plot_failure
    >>> from refimpl.testing import check
    >>> report = check(column_major_dual_lphm, "dual_lphm", examples=50, raise_on_failure=False)
    >>> fig = plot_failure(report)
    >>> titles = [" ".join(ax.get_title().split()) for ax in fig.axes if ax.get_title()]
    >>> [title.split(" (")[0] for title in titles]
    ['expected', 'actual', 'actual - expected', 'mistake: column-major reshape of every segment of w']
    >>> plt.close(fig)
    """
    minimal = getattr(report, "minimal", None)
    if minimal is None:
        raise RefimplError("the report has no failing case to draw: every case passed")
    spec = get_function(report.function)
    expected, bound, _ = expected_and_bound(spec, minimal.config, minimal.inputs, minimal.dtype)
    panels = [("expected", first(expected))]
    actual = None if minimal.actual is None else np.asarray(minimal.actual)
    if actual is not None:
        panels.append(("actual", first(actual)))
        if actual.shape == expected.shape:
            panels.append(("actual - expected", first(_difference(actual, expected, bound))))
    mistake = _mistake(spec, report, minimal)
    if mistake is not None:
        panels.append(mistake)
    widths = [p[1].shape[-1] if p[1].ndim > 1 else p[1].size for p in panels] + (
        [8] if actual is None else []
    )
    rows = max(p[1].shape[0] if p[1].ndim > 1 else 1 for p in panels)
    fig = figure_for(fig, sum(widths) + 1.3 * len(widths), rows, extra_height=1.8)
    axes = row_of_panels(fig, widths)
    _draw(spec, minimal.config, panels, axes)
    if actual is None:
        axes[-1].set_axis_off()
        axes[-1].set_title("actual", fontsize=10)
        axes[-1].text(
            0.5,
            0.5,
            minimal.problem[:160],
            ha="center",
            va="center",
            wrap=True,
            transform=axes[-1].transAxes,
            fontsize=9,
            color="0.2",
        )
    notes = [minimal.problem]
    if report.diagnosis is not None:
        notes.append("diagnosis: " + str(report.diagnosis).splitlines()[0])
    caption(fig, f"{report.target}: {spec.describe(minimal.config)}, {minimal.dtype}", notes)
    if file is not None:
        fig.savefig(file)
    return fig


def _draw(
    spec: Function, config: dict[str, Any], panels: list[tuple[str, np.ndarray]], axes: list[Any]
) -> None:
    """Each panel in its axes: one colour scale for the outputs, another for the difference."""
    block = spec.blocks(config)
    outputs = [a for title, a in panels if title != "actual - expected"]
    low, high = _range(outputs)
    for ax, (title, matrix) in zip(axes, panels):
        shaped = block if matrix.shape == panels[0][1].shape else None
        if title == "actual - expected":
            reach = _range([np.abs(matrix)])[1] or 1.0
            plot_matrix(
                matrix,
                ax=ax,
                title=title,
                block=shaped,
                zeros="exact",
                cmap="RdBu_r",
                vmin=-reach,
                vmax=reach,
            )
        else:
            plot_matrix(
                matrix,
                ax=ax,
                title=f"{title}  ({matrix.shape[0]}×{matrix.shape[-1]})",
                block=shaped,
                zeros="exact",
                vmin=low,
                vmax=high,
            )


def _difference(actual: np.ndarray, expected: np.ndarray, bound: np.ndarray) -> np.ndarray:
    """``actual - expected``, zero where the entry passes the oracle's rule (non-finite ones by placement)."""
    a = actual.astype(np.result_type(actual.dtype, expected.dtype))
    with np.errstate(invalid="ignore", over="ignore"):
        diff = a - expected
        same = (np.isnan(a) & np.isnan(expected)) | (a == expected) | (np.abs(diff) <= bound)
    return np.where(same, 0, diff)


def _mistake(spec: Function, report: Any, minimal: Any) -> tuple[str, np.ndarray] | None:
    """The first diagnosed mistake's own output from the same inputs, or ``None``."""
    matches = getattr(report.diagnosis, "matches", None)
    if not matches:
        return None
    name = matches[0]
    inputs: dict[str, Any] = {"w": wide(minimal.inputs["w"])}
    if "inputs" in minimal.inputs:
        inputs["inputs"] = [wide(a) for a in minimal.inputs["inputs"]]
    try:
        output = mistaken_output(
            spec, minimal.config, inputs, [find(spec, part) for part in name.split(" + ")]
        )
    except RefimplError:  # a mistake the catalogue names differently, or that does not apply here
        return None
    return None if output is None else (f"mistake: {name}", first(output))


def _range(arrays: list[np.ndarray]) -> tuple[float | None, float | None]:
    """The smallest and largest finite non-zero value of ``arrays`` (moduli of complex ones)."""
    values = np.concatenate([np.abs(a).reshape(-1) if np.iscomplexobj(a) else a.reshape(-1) for a in arrays])
    with np.errstate(invalid="ignore"):
        finite = values[np.isfinite(values) & (values != 0)]
    return (float(finite.min()), float(finite.max())) if finite.size else (None, None)
