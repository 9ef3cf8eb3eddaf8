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

from ..functions import get_function
from . import CommandError
from ._args import MAX_ENTRIES, add_config_arguments, add_input_arguments, check_sizes, config_from_args, rows

__all__ = ["DESCRIPTION", "add_arguments", "image_format", "run"]

DESCRIPTION = (
    "Draw a function of refimpl for one configuration, w = 1, 2, ..., l by default, into an image "
    "file (PNG, SVG, PDF: by the extension, which -o FILE must have; exactly FILE is written). "
    f"At most {MAX_ENTRIES:,} entries. Needs matplotlib: pip install refimpl[docs]."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The function, its configuration, ``--w``, ``--mistake``, ``-o`` and ``--dpi``."""
    add_config_arguments(parser)
    add_input_arguments(parser)
    parser.add_argument(
        "--mistake",
        metavar="NAME",
        help="draw this catalogued mistake beside the right answer: its identifier "
        "(e.g. column_major_reshape) or its name (quoted)",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the image to write, e.g. plot.png: exactly this path, its format by its extension",
    )
    parser.add_argument(
        "--dpi", type=_dpi, default=150, help=f"resolution of a PNG, 1 to {MAX_DPI} (default 150)"
    )


def run(args: argparse.Namespace) -> int:
    """Draw the configuration (or the mistake) into ``args.output``; print ``wrote FILE``; return 0."""
    if importlib.util.find_spec("matplotlib") is None:
        raise CommandError("refimpl plot needs matplotlib, an optional dependency: pip install refimpl[docs]")
    extension = image_format(args.output, "-o")
    from ..plotting import plot_function, plot_mistake

    spec = get_function(args.function)
    config = config_from_args(args)
    check_sizes(spec, config, rows(args), default_w=args.w is None, command="plot draws")
    if spec.is_fusion:
        config.update(m=rows(args), batch=())
    if args.mistake is None:
        fig = plot_function(args.function, config, w=args.w)
    else:
        fig = plot_mistake(args.function, config, args.mistake, w=args.w)
    try:
        fig.savefig(args.output, dpi=args.dpi, format=extension)
    except OSError as exc:  # a folder that does not exist, a file that cannot be written
        raise CommandError(str(exc)) from exc
    finally:
        _close(fig)
    print(f"wrote {args.output}")
    return 0


def image_format(output: str, option: str) -> str:
    """The format of the image file ``output`` (its extension), or :class:`CommandError`.

    Refused before anything is drawn: a name without an extension (matplotlib would write
    ``NAME.png`` beside it, not ``NAME``), an existing folder, and an extension matplotlib
    cannot write; the message lists the known formats. ``option`` is the option's name.
    """
    from matplotlib.backend_bases import FigureCanvasBase

    supported = FigureCanvasBase.get_supported_filetypes()
    known = f"known formats: {', '.join(sorted(supported))}"
    if os.path.isdir(output):
        raise CommandError(
            f"{option} {output} is an existing folder; name the image file, e.g. "
            f"{os.path.join(output, 'plot.png')}"
        )
    extension = os.path.splitext(output)[1][1:].lower()
    if not extension:
        raise CommandError(
            f"{option} {output} has no extension to say its format; name it e.g. {output}.png ({known})"
        )
    if extension not in supported:
        raise CommandError(f"Format {extension!r} is not supported ({known})")
    return extension


#: The largest ``--dpi``: more only makes a huge image.
MAX_DPI = 1200


def _dpi(text: str) -> int:
    """``--dpi``: an integer from 1 to :data:`MAX_DPI`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if not 1 <= value <= MAX_DPI:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_DPI}, got {value}")
    return value


def _close(fig: Any) -> None:
    import matplotlib.pyplot as plt  # already imported by the drawing, on its backend

    plt.close(fig)
