"""Collection rules for the doctests of the package and the docs (pytest's rootdir conftest)."""

import importlib.util

# The drawing functions' examples need matplotlib, which comes with the optional docs extra.
collect_ignore = [] if importlib.util.find_spec("matplotlib") else ["refimpl/plotting.py"]
