"""Collection rules for the doctests of the package and the docs (pytest's rootdir conftest).

An example that needs an optional library is skipped, with the library named, when that library
is not installed: it is neither failed nor left out of the report. An example needs a library
when it imports it, or when it lives in a module that needs it (``_MODULES_NEED``).
A module collected for its doctests that cannot be imported for want of such a library (the
PyTorch candidates of ``tests/oracle_corpus``) is skipped the same way.

Every skip whose reason names an optional library that is not installed, whichever test, fixture
or doctest raised it and in whatever words, is reported at one place with one reason per library
(:func:`_one_line_per_library`): pytest's summary folds skips of one place and reason into one
line, so a run without PyTorch says so once, with the count, instead of once per test.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

#: The optional libraries an example may need (how to install each is in :data:`LIBRARIES`).
OPTIONAL = ("dask", "matplotlib", "torch", "jax", "pylops")
#: Modules whose examples need a library without importing it themselves.
_MODULES_NEED = {"refimpl.plotting": "matplotlib", "tests.oracle_corpus": "torch"}
_IMPORT = re.compile(r"^\s*(?:import|from)\s+(" + "|".join(OPTIONAL) + r")\b", re.MULTILINE)


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ValueError:  # in sys.modules without a spec
        return True
    except ImportError:  # an import hook refuses it
        return False


def _missing(source: str) -> list[str]:
    """The optional libraries ``source`` imports that are not installed."""
    return sorted({name for name in _IMPORT.findall(source) if not _installed(name)})


def _why(missing: list[str]) -> str:
    return "needs " + ", ".join(f"{name} ({LIBRARIES[name][1]})" for name in missing) + ", not installed"


#: Each optional library a test may skip for: its import name, the name a reason may give, how to
#: install it. A skip naming one that is missing is reported here, on this line.
LIBRARIES = {
    "torch": ("PyTorch", "pip install torch"),
    "jax": ("JAX", "the jax extra"),
    "cupy": ("CuPy", "the gpu extra"),
    "dask": ("Dask", "the dask extra"),
    "array_api_strict": ("array_api_strict", "the test extra"),
    "matplotlib": ("matplotlib", "the docs extra"),
    "pylops": ("PyLops", "the bench extra"),
    "numpydoc": ("numpydoc", "the docs extra"),
    "importlinter": ("import-linter", "the dev extra"),
    "mutmut": ("mutmut", "the mutation extra"),
}
_LIBRARIES_LINE = Path(__file__).read_text(encoding="utf-8").splitlines().index("LIBRARIES = {") + 1


@functools.cache
def _missing_patterns() -> dict[str, re.Pattern[str]]:
    """For each optional library not installed here, the words a skip reason names it by."""
    return {
        name: re.compile(rf"\b({re.escape(name)}|{re.escape(shown)})\b")
        for name, (shown, _) in LIBRARIES.items()
        if not _installed(name)
    }


def _one_line_per_library(report: Any) -> None:
    """Move a skip caused by a missing library to :data:`LIBRARIES`' line, with one reason per library."""
    if not (report.skipped and isinstance(report.longrepr, tuple)):
        return
    reason = report.longrepr[2]
    for name, pattern in _missing_patterns().items():
        if pattern.search(reason):
            shown, install = LIBRARIES[name]
            report.longrepr = (__file__, _LIBRARIES_LINE, f"{shown} is not installed ({install})")
            # pytest folds a skip mark's skips without their line: without the mark, one line.
            if isinstance(report, pytest.TestReport):
                report.keywords = {key: value for key, value in report.keywords.items() if key != "skip"}
            return


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    report = yield
    if report.failed and type(collector).__name__ == "DoctestModule":
        missing = _missing(Path(collector.path).read_text(encoding="utf-8"))
        if missing:
            report = pytest.CollectReport(
                collector.nodeid, "skipped", (str(collector.path), 0, f"Skipped: {_why(missing)}"), []
            )
    _one_line_per_library(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    _one_line_per_library(report)
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
        missing = sorted(name for name in _needs(item) if not _installed(name))
        if missing:
            item.add_marker(pytest.mark.skip(reason=_why(missing)))
