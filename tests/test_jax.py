"""JAX as a candidate's library: its inputs, its outputs and its gradients (``jax.vjp``).

The core's own tests run on JAX through the ``xp`` fixture (``tests/conftest.py``); this file
covers what the oracle does with a JAX candidate. JAX's 64-bit mode is a process-wide switch: the
tests here turn it on, and the one about 32-bit mode runs in a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest

import refimpl
from refimpl.oracle.tolerance import judge_output
from refimpl.testing import check

jax = pytest.importorskip("jax", reason="JAX is not installed (pip install jax)")
jnp = pytest.importorskip("jax.numpy")


@pytest.fixture(autouse=True)
def _x64() -> None:
    jax.config.update("jax_enable_x64", True)


def _jax_dual_lphm(w: Any, n: int, D: int, p: int, q: int, r: int) -> Any:
    """A JAX port written from SPEC: flatten (``w`` may be a row), promote, cut P, Q, S, T
    row-major, kron(P Q^T, S T^T)."""
    w = jnp.ravel(jnp.asarray(w))
    if not jnp.issubdtype(w.dtype, jnp.inexact):
        w = w.astype(jnp.float64)
    s = n // p
    cuts = np.cumsum([p * r, q * r, s * r])
    P, Q, S, T = (part.reshape(-1, r) for part in jnp.split(w, cuts))
    return jnp.kron(P @ Q.T, S @ T.T)


def test_a_jax_port_passes_with_its_gradients() -> None:
    report = check(_jax_dual_lphm, "dual_lphm", examples=20, backend="jax", grad=True, raise_on_failure=False)
    assert report.passed, str(report)


@pytest.mark.parametrize("function", ["dual_lphm_fusion", "duplicated_padding"])
def test_refimpl_itself_passes_on_jax_inputs_with_gradients(function: str) -> None:
    report = check(
        getattr(refimpl, function), function, examples=10, backend="jax", grad=True, raise_on_failure=False
    )
    assert report.passed, str(report)


def test_a_jax_port_with_swapped_kronecker_operands_fails_and_is_named() -> None:
    def swapped(w: Any, n: int, D: int, p: int, q: int, r: int) -> Any:
        right = _jax_dual_lphm(w, n, D, p, q, r)
        s, t = n // p, D // q
        # kron(S T^T, P Q^T): the same entries, blocks and insides exchanged.
        return right.reshape(p, s, q, t).transpose(1, 0, 3, 2).reshape(n, D)

    report = check(swapped, "dual_lphm", examples=40, backend="jax", raise_on_failure=False)
    assert not report.passed
    assert report.diagnosis is not None and "swapped" in str(report.diagnosis).lower(), str(report)


def test_a_wrong_jax_gradient_is_caught() -> None:
    @jax.custom_vjp
    def through(w: Any) -> Any:
        return w

    def forward(w: Any) -> tuple[Any, None]:
        return w, None

    def backward(_: None, g: Any) -> tuple[Any]:
        return (2 * g,)  # wrong on purpose

    through.defvjp(forward, backward)

    def candidate(w: Any, n: int, D: int, p: int, q: int, r: int) -> Any:
        return _jax_dual_lphm(through(jnp.asarray(w)), n, D, p, q, r)

    report = check(candidate, "dual_lphm", examples=10, backend="jax", grad=True, raise_on_failure=False)
    assert not report.passed and "d/dw" in report.failure, str(report)


def test_a_jax_output_is_read_as_dense() -> None:
    w = np.arange(1.0, 7.0)
    config = {"n": 4, "D": 6, "p": 2, "q": 2}
    right = np.kron(np.eye(2), w.reshape(2, 3))
    verdict = judge_output(jnp.asarray(right), "duplicated_diagonal_padding", config, {"w": w}, "float64")
    assert verdict.passed and verdict.layout == "dense"
    wrong = np.kron(np.eye(2), w.reshape((2, 3), order="F"))
    verdict = judge_output(jnp.asarray(wrong), "duplicated_diagonal_padding", config, {"w": w}, "float64")
    assert not verdict.passed


def test_float64_without_jax_64_bit_mode_is_refused_with_the_fix_named() -> None:
    # A fresh interpreter: 64-bit mode is off by default and cannot be turned off once on.
    script = textwrap.dedent(
        """
        import refimpl
        from refimpl import RefimplError
        from refimpl.testing import check
        try:
            check(refimpl.dual_lphm, "dual_lphm", backend="jax", examples=5)
        except RefimplError as exc:
            print("refused:", exc)
        report = check(refimpl.dual_lphm, "dual_lphm", backend="jax", dtypes=("float32",),
                       examples=5, grad=True, raise_on_failure=False)
        print("float32:", report.passed)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    refused = done.stdout.splitlines()[0]
    assert "'float64'" in refused and "jax_enable_x64" in refused and "'float32'" in refused, refused
    assert done.stdout.splitlines()[1] == "float32: True", done.stdout
