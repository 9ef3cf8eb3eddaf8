"""Collection rules for the doctests of the package and the docs (pytest's rootdir conftest).

An example that needs an optional library is skipped, with the library named, when that library
is not installed: it is neither failed nor left out of the report. An example needs a library
when it imports it, or when it lives in a module that needs it (``_MODULES_NEED``).
A module collected for its doctests that cannot be imported for want of such a library (the
PyTorch candidates of ``tests/oracle_corpus``) is skipped the same way.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

#: The optional libraries an example may need, and the extra that installs each.
OPTIONAL = {
    "dask": "the dask extra",
    "matplotlib": "the docs extra",
    "torch": "pip install torch",
    "jax": "the jax extra",
    "pylops": "the bench extra",
}
#: Modules whose examples need a library without importing it themselves.
_MODULES_NEED = {"refimpl.plotting": "matplotlib", "tests.oracle_corpus": "torch"}
_IMPORT = re.compile(r"^\s*(?:import|from)\s+(" + "|".join(OPTIONAL) + r")\b", re.MULTILINE)


def _missing(source: str) -> list[str]:
    """The optional libraries ``source`` imports that are not installed."""
    return sorted({name for name in _IMPORT.findall(source) if importlib.util.find_spec(name) is None})


def _why(missing: list[str]) -> str:
    return "needs " + ", ".join(f"{name} ({OPTIONAL[name]})" for name in missing) + ", not installed"


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    report = yield
    if report.failed and type(collector).__name__ == "DoctestModule":
        missing = _missing(Path(collector.path).read_text(encoding="utf-8"))
        if missing:
            return pytest.CollectReport(
                collector.nodeid, "skipped", (str(collector.path), 0, f"Skipped: {_why(missing)}"), []
            )
    return report


def _needs(item: pytest.Item) -> set[str]:
    test = getattr(item, "dtest", None)  # a doctest: its examples' source
    if test is None:
        return set()
    needs = set(_IMPORT.findall("\n".join(example.source for example in test.examples)))
    needs.update(library for prefix, library in _MODULES_NEED.items() if test.name.startswith(prefix))
    return needs


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        missing = sorted(name for name in _needs(item) if importlib.util.find_spec(name) is None)
        if missing:
            item.add_marker(pytest.mark.skip(reason=_why(missing)))
