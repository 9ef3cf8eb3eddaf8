r"""Pictures of the structured matrices: heatmaps with their block grid, for the docs and for users.

Three functions draw with matplotlib, an optional dependency (``pip install refimpl[docs]``),
imported only when one of them is called; when no matplotlib backend has been chosen they use
the non-interactive ``Agg`` backend, so that nothing ever opens a window:

* :func:`plot_matrix` draws one small matrix (dense, of any array library, or SciPy sparse) as a
  heatmap, with its block grid, its structural zeros in a neutral grey, and its values written
  in the cells when it is small;
* :func:`plot_function` draws one configuration of a function of SPEC, with ``w = 1, 2, ..., l``
  by default so that each cell shows which entry of ``w`` it holds;
* :func:`plot_mistake` draws the right answer beside the output of a mistake of the catalogue
  (:func:`refimpl.oracle.mistakes.catalogue`), the cells that differ outlined;
* :func:`plot_failure` draws the minimal failing case of a :func:`refimpl.testing.check`
  report: expected, actual, their difference, and the diagnosed mistake's own output.

The package only draws: the configurations are checked, and their defaults applied, by
:mod:`refimpl.functions`; ``refimpl plot FUNCTION ... -o FILE.png`` (:mod:`refimpl.cli.plot`)
draws the same pictures from the command line.

=================  ============================================================================
module             what it holds
=================  ============================================================================
``_figure``        matplotlib on demand, the colours, panels side by side, titles that fit
``_matrix``        :func:`plot_matrix`
``_config``        a configuration, ``w`` and the fusion inputs, ready to draw
``_function``      :func:`plot_function`
``_mistake``       :func:`plot_mistake`
``_failure``       :func:`plot_failure`
=================  ============================================================================
"""

from __future__ import annotations

from . import _figure, _matrix
from ._failure import plot_failure
from ._function import plot_function
from ._matrix import plot_matrix
from ._mistake import plot_mistake

#: Colour of structural (or exact) zeros: neutral, outside every colour map used here.
NEUTRAL = _figure.NEUTRAL
#: Colour of the cells holding NaN or an infinity.
NONFINITE = _figure.NONFINITE
#: Matrices up to this many rows and columns get their values written in the cells.
ANNOTATE_UP_TO = _matrix.ANNOTATE_UP_TO

__all__ = [
    "ANNOTATE_UP_TO",
    "NEUTRAL",
    "NONFINITE",
    "plot_failure",
    "plot_function",
    "plot_matrix",
    "plot_mistake",
]
