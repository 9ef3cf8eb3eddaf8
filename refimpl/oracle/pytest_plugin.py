"""A pytest plugin: run the oracle inside another project's test suite.

    pytest --refimpl-candidate mypackage.layers:dual_lphm --refimpl-function dual_lphm

adds one test item that runs :func:`refimpl.testing.check` on the candidate and fails with the
oracle's report (the minimal failing configuration, the worst entry, the diagnosis), with
``check``'s defaults; the command line's options change them, each as ``--refimpl-`` and the
option's name (``--refimpl-examples``, ``--refimpl-seed``, ``--refimpl-backend``,
``--refimpl-dtypes``, ``--refimpl-max-side``, ``--refimpl-max-rows``, ``--refimpl-grad``,
``--refimpl-nonfinite``, ``--refimpl-strict``). Registered through the ``pytest11`` entry point,
so installing refimpl is enough.
"""

from __future__ import annotations

from typing import Any

import pytest

from .check import DEFAULT_DTYPES, DEFAULT_EXAMPLES, DEFAULT_MAX_ROWS, DEFAULT_MAX_SIDE


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("refimpl", "refimpl conformance oracle")
    group.addoption("--refimpl-candidate", metavar="MODULE:CALLABLE", help="the implementation to check")
    group.addoption("--refimpl-function", metavar="NAME", help="the refimpl function it implements")
    group.addoption(
        "--refimpl-examples",
        type=int,
        default=DEFAULT_EXAMPLES,
        help=f"cases to draw (default {DEFAULT_EXAMPLES})",
    )
    group.addoption("--refimpl-seed", type=int, default=0, help="Hypothesis seed (default 0)")
    group.addoption(
        "--refimpl-backend",
        default="auto",
        help="array library of the inputs (default auto: the one the candidate works in)",
    )
    group.addoption(
        "--refimpl-dtypes",
        default=",".join(DEFAULT_DTYPES),
        help=f"comma-separated dtypes of w (default {','.join(DEFAULT_DTYPES)})",
    )
    group.addoption(
        "--refimpl-max-rows",
        type=int,
        default=DEFAULT_MAX_ROWS,
        help=f"the most rows of a fusion's inputs (default {DEFAULT_MAX_ROWS})",
    )
    group.addoption(
        "--refimpl-max-side",
        type=int,
        default=DEFAULT_MAX_SIDE,
        help=f"the largest p, q, s, t and input width (default {DEFAULT_MAX_SIDE})",
    )
    group.addoption("--refimpl-grad", action="store_true", help="also judge the gradients (PyTorch, JAX)")
    group.addoption("--refimpl-nonfinite", action="store_true", help="also judge non-finite inputs")
    group.addoption("--refimpl-strict", action="store_true", help="judge every clause")


class RefimplCheckItem(pytest.Item):
    """The test item that runs the oracle."""

    def __init__(self, *, target: str, function: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target, self.function = target, function

    def runtest(self) -> None:
        from .check import check
        from .targets import load_target

        opt = self.config.getoption
        check(
            load_target(self.target),
            self.function,
            examples=opt("--refimpl-examples"),
            seed=opt("--refimpl-seed"),
            backend=opt("--refimpl-backend"),
            grad=opt("--refimpl-grad"),
            nonfinite=opt("--refimpl-nonfinite"),
            strict=opt("--refimpl-strict"),
            dtypes=tuple(d.strip() for d in opt("--refimpl-dtypes").split(",") if d.strip()),
            max_side=opt("--refimpl-max-side"),
            max_rows=opt("--refimpl-max-rows"),
            target=self.target,
            raise_on_failure=True,
        )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return str(excinfo.value)

    def reportinfo(self) -> tuple[str, int, str]:
        return "refimpl", 0, f"refimpl check {self.target} --function {self.function}"


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    target = config.getoption("--refimpl-candidate")
    if not target:
        return
    function = config.getoption("--refimpl-function")
    if not function:
        raise pytest.UsageError("--refimpl-candidate needs --refimpl-function NAME")
    items.append(
        RefimplCheckItem.from_parent(session, name=f"refimpl[{function}]", target=target, function=function)
    )
