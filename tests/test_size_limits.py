"""Every module of the package is at most 400 lines long, and every function at most 50 lines of code.

A function's lines of code are the lines of its body (nested functions and classes included)
less its docstring, blank lines and lines holding only a comment; its signature and decorators
do not count. A module's lines are all of its lines. The offenders are printed with their size.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "refimpl"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def _docstring_lines(node: ast.AST) -> set[int]:
    """The line numbers of the docstring of a function, if it has one."""
    body = getattr(node, "body", [])
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return set(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return set()


def lines_of_code(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    """The lines of code of a function's body: no docstring, blank or comment-only line."""
    start, end = node.body[0].lineno, node.end_lineno or node.body[-1].lineno
    skipped = _docstring_lines(node)
    count = 0
    for number in range(start, end + 1):
        text = lines[number - 1].strip()
        if number not in skipped and text and not text.startswith("#"):
            count += 1
    return count


def _functions(path: Path) -> list[tuple[str, int]]:
    """Every function and method of a module (nested ones too), with its lines of code."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append((f"{_name(path)}:{node.lineno} {node.name}", lines_of_code(node, lines)))
    return out


def test_the_rule_counts_code_lines_only() -> None:
    source = '''def f(x):
    """A docstring
    of three lines.
    """
    # a comment

    y = x + 1  # a comment after code
    return (
        y
    )
'''
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    assert lines_of_code(node, source.splitlines()) == 4


def test_no_module_is_over_the_limit() -> None:
    sizes = {_name(path): len(path.read_text(encoding="utf-8").splitlines()) for path in _modules()}
    offenders = {name: size for name, size in sizes.items() if size > MAX_MODULE_LINES}
    for name, size in sorted(offenders.items(), key=lambda item: -item[1]):
        print(f"{name}: {size} lines (at most {MAX_MODULE_LINES})")
    assert not offenders, f"modules over {MAX_MODULE_LINES} lines: {offenders}"


def test_no_function_is_over_the_limit() -> None:
    found = [entry for path in _modules() for entry in _functions(path)]
    offenders = {name: size for name, size in found if size > MAX_FUNCTION_LINES}
    for name, size in sorted(offenders.items(), key=lambda item: -item[1]):
        print(f"{name}: {size} lines of code (at most {MAX_FUNCTION_LINES})")
    assert not offenders, f"functions over {MAX_FUNCTION_LINES} lines of code: {offenders}"
