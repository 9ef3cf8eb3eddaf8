"""Sphinx configuration of the refimpl documentation.

Build from the repository root, warnings as errors::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Needs the ``docs`` extra (Sphinx, numpydoc, matplotlib, sphinx-mathjax-offline). No extension
reaches the network, and no page loads a script, style or font from outside the build folder.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

import refimpl

# -- Project -------------------------------------------------------------------------------

project = "refimpl"
author = "the refimpl authors"
copyright = "the refimpl authors"
version = ".".join(refimpl.__version__.split(".")[:2])
release = refimpl.__version__

# -- General -------------------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    # MathJax from files the build ships (copied into _static/mathjax), not from a CDN: the
    # formulas render on a machine without network. tools/offline_docs.py checks every page.
    "sphinx-mathjax-offline",
    "numpydoc",
    "matplotlib.sphinxext.plot_directive",
]

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
language = "en"
pygments_style = "sphinx"
default_role = "py:obj"  # `name` in a docstring is a cross-reference, as in NumPy's docs

# -- autodoc and numpydoc ------------------------------------------------------------------

autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc's Parameters sections give the types, in words
autodoc_inherit_docstrings = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True

# -- plot directive (figures drawn by code at build time) ----------------------------------

plot_pre_code = (
    "import numpy as np\nimport matplotlib.pyplot as plt\nimport refimpl\nfrom refimpl import plotting\n"
)
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.autolayout": False, "savefig.bbox": "tight"}
plot_apply_rcparams = True

# -- HTML ----------------------------------------------------------------------------------

html_theme = "alabaster"
html_title = f"refimpl {release}"
html_static_path = ["_static"]
html_theme_options = {
    "description": "Structured parameter matrices, a reference implementation",
    "fixed_sidebar": True,
    "page_width": "1240px",  # fits a 1280 px window with its scrollbar
    "sidebar_width": "230px",
    "show_relbars": True,
}
html_sidebars = {"**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]}
html_show_sourcelink = False
