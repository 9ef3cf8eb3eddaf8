"""``refimpl plot FUNCTION [--n N --D D ...] [--mistake NAME] -o FILE``: draw into an image file.

The drawing is :mod:`refimpl.plotting`'s (:func:`~refimpl.plotting.plot_function`, or
:func:`~refimpl.plotting.plot_mistake` with ``--mistake``); matplotlib is needed
(``pip install refimpl[docs]``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
from typing import Any

from ..oracle.registry import get_spec
from . import CommandError
from ._args import add_config_arguments, config_from_args, rows

__all__ = ["DESCRIPTION", "add_arguments", "run"]

DESCRIPTION = (
    "Draw a function of refimpl for one configuration, w = 1, 2, ..., l by default, into an image "
    "file (PNG, SVG, PDF: by the extension). Needs matplotlib: pip install refimpl[docs]."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The function, its configuration, ``--w``, ``--mistake``, ``-o`` and ``--dpi``."""
    add_config_arguments(parser)
    parser.add_argument("--mistake", metavar="NAME",
                        help="draw this catalogued mistake beside the right answer: its identifier "
                        "(e.g. column_major_reshape) or its name (quoted)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the image to write, e.g. plot.png")
    parser.add_argument("--dpi", type=int, default=150, help="resolution of a PNG (default 150)")


def run(args: argparse.Namespace) -> int:
    """Draw the configuration (or the mistake) into ``args.output``; print ``wrote FILE``; return 0."""
    if importlib.util.find_spec("matplotlib") is None:
        raise CommandError("refimpl plot needs matplotlib, an optional dependency: pip install refimpl[docs]")
    _check_format(args.output)
    from ..plotting import plot_function, plot_mistake

    config = config_from_args(args)
    if get_spec(args.function).is_fusion:
        config.update(m=rows(args), batch=())
    if args.mistake is None:
        fig = plot_function(args.function, config, w=args.w)
    else:
        fig = plot_mistake(args.function, config, args.mistake, w=args.w)
    try:
        fig.savefig(args.output, dpi=args.dpi)
    except OSError as exc:  # a folder that does not exist, a file that cannot be written
        raise CommandError(str(exc)) from exc
    finally:
        _close(fig)
    print(f"wrote {args.output}")
    return 0


def _check_format(output: str) -> None:
    """Refuse a file name whose extension matplotlib cannot write, before anything is drawn."""
    from matplotlib.backend_bases import FigureCanvasBase

    extension = os.path.splitext(output)[1][1:].lower()
    supported = FigureCanvasBase.get_supported_filetypes()
    if extension and extension not in supported:
        raise CommandError(f"Format {extension!r} is not supported (supported formats: {', '.join(sorted(supported))})")


def _close(fig: Any) -> None:
    import matplotlib.pyplot as plt  # already imported by the drawing, on its backend

    plt.close(fig)
