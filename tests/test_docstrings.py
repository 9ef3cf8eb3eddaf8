"""Every public callable has a complete numpydoc docstring with an example (run as a doctest)."""

from __future__ import annotations

import importlib

import pytest

import refimpl

numpydoc_validate = pytest.importorskip("numpydoc.validate", reason="numpydoc is not installed")

# Checks we hold every public callable to: documented parameters, returns and yields with
# descriptions, an Examples section, a summary line.
REQUIRED = {"GL08", "PR01", "PR02", "PR07", "PR10", "RT01", "RT03", "YD01", "EX01", "SS01", "SS03"}
#: The modules users import, and their callables.
MODULES = ("refimpl", "refimpl.testing", "refimpl.strategies", "refimpl.plotting")
PUBLIC = sorted(
    f"{module}.{name}"
    for module in MODULES
    for name in getattr(importlib.import_module(module), "__all__", [])
    if callable(getattr(importlib.import_module(module), name))
)


@pytest.mark.parametrize("qualname", PUBLIC)
def test_public_docstring_is_complete(qualname: str) -> None:
    errors = [(code, msg) for code, msg in numpydoc_validate.validate(qualname)["errors"] if code in REQUIRED]
    assert errors == []


def test_public_surface_is_what_all_says() -> None:
    assert sorted(refimpl.__all__) == sorted(set(refimpl.__all__))
    for name in refimpl.__all__:
        assert hasattr(refimpl, name), name
