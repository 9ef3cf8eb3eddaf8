"""Reading what candidates return, and naming them: the paths of ``refimpl._outputs`` and
``check_matrix`` that the rest of the suite leaves out (found by the coverage floor)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import refimpl
from refimpl import RefimplError
from refimpl._outputs import UnreadableOutput, numpy_dtype, read_output, to_numpy
from refimpl.oracle.targets import load_target
from refimpl.testing import check_matrix


def test_a_masked_integer_output_with_masked_entries_is_unreadable_but_to_numpy_keeps_its_data() -> None:
    out = np.ma.masked_array([[1, 2], [3, 4]], mask=[[True, False], [False, False]])
    with pytest.raises(UnreadableOutput, match=r"masked int\d+ array with masked entries"):
        read_output(out)
    np.testing.assert_array_equal(to_numpy(out), [[1, 2], [3, 4]])


def test_to_numpy_refuses_a_ragged_list_naming_it() -> None:
    with pytest.raises(TypeError, match=r"must be an array or a nested sequence of numbers, got list"):
        to_numpy([[1.0, 2.0], [3.0]])


def test_numpy_dtype_of_a_torch_tensor() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    assert numpy_dtype(torch.ones(2, dtype=torch.float32)) == np.float32
    assert numpy_dtype(torch.ones(2, dtype=torch.complex128)) == np.complex128


def test_a_jax_sparse_output_is_densified() -> None:
    pytest.importorskip("jax", reason="JAX is not installed (pip install jax)")
    from jax.experimental import sparse

    dense = np.array([[1.0, 0.0], [0.0, 2.0]], dtype=np.float32)
    np.testing.assert_array_equal(to_numpy(sparse.BCOO.fromdense(dense)), dense)


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("no_colon_here", r"MODULE:CALLABLE, got 'no_colon_here'"),
        ("refimpl:no_such_function", r"module 'refimpl' has no attribute 'no_such_function'"),
    ],
)
def test_a_bad_target_is_refused_naming_it(target: str, says: str) -> None:
    with pytest.raises(RefimplError, match=says):
        load_target(target)


def test_an_import_failure_deeper_down_names_both_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cand_outer.py").write_text("import cand_inner\n\ndef f(w):\n    return w\n")
    (tmp_path / "cand_inner.py").write_text(textwrap.dedent("x = 1\nraise ValueError('broken on purpose')\n"))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "cand_outer", raising=False)
    monkeypatch.delitem(sys.modules, "cand_inner", raising=False)
    with pytest.raises(RefimplError) as info:
        load_target("cand_outer:f")
    message = str(info.value)
    assert "cand_outer.py, line 1, then" in message and "cand_inner.py, line 2" in message, message
    assert "ValueError: broken on purpose" in message


def test_check_matrix_refuses_a_fusion_which_has_no_matrix() -> None:
    with pytest.raises(RefimplError, match=r"check_matrix compares matrices; dual_lphm_fusion has none"):
        check_matrix(np.eye(2), "dual_lphm_fusion", [np.ones((1, 2))], np.ones(6), p=1, r=1)


def test_check_matrix_fails_a_matrix_of_the_wrong_shape_naming_both() -> None:
    report = check_matrix(np.zeros((4, 5)), "duplicated_diagonal_padding", np.arange(1.0, 7.0), 4, 6, 2, 2)
    assert not report.passed and report.message == "shape (4, 5), expected (4, 6)"


def test_check_matrix_multiplies_in_the_matrix_own_library() -> None:
    xps = pytest.importorskip("array_api_strict")
    w = np.arange(1.0, 7.0)
    right = refimpl.duplicated_diagonal_padding(w, 4, 6, 2, 2, format="dense")
    assert check_matrix(xps.asarray(right), "duplicated_diagonal_padding", w, 4, 6, 2, 2).passed
    wrong = right.copy()
    wrong[0, 0] += 1.0
    assert not check_matrix(xps.asarray(wrong), "duplicated_diagonal_padding", w, 4, 6, 2, 2).passed
