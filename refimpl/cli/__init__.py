"""The command line, ``refimpl`` (also ``python -m refimpl``): one module per subcommand."""

from .main import main

__all__ = ["main"]
