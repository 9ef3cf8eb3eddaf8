"""The pictures of refimpl.plotting: the data drawn is the matrix, the structure is visible, mistakes are outlined.

matplotlib is optional (the ``docs`` extra): without it this file is skipped. ``refimpl plot``
is tested with the command line, in ``test_cli.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse

pytest.importorskip("matplotlib", reason="matplotlib is not installed (the docs extra)")

import matplotlib.pyplot as plt
from matplotlib.colors import to_rgba

from refimpl import (
    RefimplError,
    concatenation_fusion,
    dual_lphm,
    dual_lphm_fusion,
    duplicated_diagonal_padding,
    duplicated_padding,
)
from refimpl.oracle.mistakes import catalogue
from refimpl.plotting import NEUTRAL, plot_function, plot_matrix, plot_mistake
from refimpl.testing import diagnose

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    """Every figure a test opens is closed after it, so memory stays flat."""
    yield
    plt.close("all")


def drawn(ax: Any) -> np.ma.MaskedArray:
    """The matrix as the heatmap holds it (the first image of the axes)."""
    return ax.images[0].get_array()


def outlined(ax: Any) -> set[tuple[int, int]]:
    """The cells outlined as differing, from the rectangles' positions."""
    cells = set()
    for patch in ax.patches:
        if patch.get_gid() == "differs":
            x, y = patch.get_xy()
            cells.add((round(y + patch.get_height() / 2), round(x + patch.get_width() / 2)))
    return cells


def assert_png(fig: Any, path: Path) -> None:
    fig.savefig(path, dpi=60)
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 2000


# -- plot_matrix ------------------------------------------------------------------------------


def test_plot_matrix_draws_the_matrix_and_masks_the_structural_zeros() -> None:
    w = np.array([1.0, 0.0, 3.0, 4.0])  # W = [[1, 0], [3, 4]]: a stored zero in each diagonal block
    psi = duplicated_diagonal_padding(w, n=6, D=4, p=3, q=2)
    stored = np.zeros(psi.shape, dtype=bool)
    coo = psi.tocoo()
    stored[coo.row, coo.col] = True
    ax = plot_matrix(psi, block=(2, 2))
    image = drawn(ax)
    np.testing.assert_array_equal(np.ma.getdata(image), psi.toarray())
    np.testing.assert_array_equal(np.ma.getmaskarray(image), ~stored)  # stored zeros are coloured
    assert int((~np.ma.getmaskarray(image)).sum()) == psi.nnz == 8
    assert ax.images[0].cmap.get_bad() == pytest.approx(to_rgba(NEUTRAL))  # masked cells are neutral
    assert len(ax.texts) == psi.nnz  # values written in the coloured cells only
    assert len(ax.lines) == 2 + 1  # block grid: after rows 2 and 4, after column 2

    exact = drawn(plot_matrix(psi, zeros="exact"))
    np.testing.assert_array_equal(np.ma.getmaskarray(exact), psi.toarray() == 0)
    dense = drawn(plot_matrix(psi.toarray()))  # a dense array records no structure: its zeros are neutral
    np.testing.assert_array_equal(np.ma.getmaskarray(dense), psi.toarray() == 0)
    assert not np.ma.getmaskarray(drawn(plot_matrix(psi.toarray(), zeros="value"))).any()


def test_plot_matrix_takes_any_array_library_and_marks_non_finite_entries() -> None:
    xps = pytest.importorskip("array_api_strict")
    m = xps.asarray([[1.0, float("nan")], [float("inf"), 0.0]])
    ax = plot_matrix(m)
    image = drawn(ax)
    np.testing.assert_array_equal(np.ma.getmaskarray(image), [[False, True], [True, True]])
    assert len(ax.images) == 2  # the overlay of the non-finite cells
    assert sorted(t.get_text() for t in ax.texts) == ["1", "inf", "nan"]


def test_plot_matrix_annotates_small_matrices_only_and_draws_one_row_for_a_vector() -> None:
    assert len(plot_matrix(np.arange(1.0, 17.0).reshape(4, 4)).texts) == 16
    assert len(plot_matrix(np.ones((20, 3))).texts) == 0
    assert drawn(plot_matrix(np.arange(1.0, 4.0))).shape == (1, 3)
    assert drawn(plot_matrix(scipy.sparse.eye_array(3, format="coo"))).count() == 3


def test_plot_matrix_rejects_what_it_cannot_draw() -> None:
    with pytest.raises(RefimplError, match=r"\(2 dimensions\), got shape \(2, 2, 2\)"):
        plot_matrix(np.ones((2, 2, 2)))
    with pytest.raises(RefimplError, match="zeros must be one of"):
        plot_matrix(np.ones((2, 2)), zeros="none")
    with pytest.raises(RefimplError, match="block must be"):
        plot_matrix(np.ones((2, 2)), block=(0, 1))


# -- plot_function ------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "D", "p", "q"), [(6, 6, 3, 3), (6, 4, 3, 2)])
def test_diagonal_padding_picture(n: int, D: int, p: int, q: int, tmp_path: Path) -> None:
    fig = plot_function("duplicated_diagonal_padding", {"n": n, "D": D, "p": p, "q": q})
    assert len(fig.axes) == 3  # eye(p, q), W, psi
    eye, W, psi = fig.axes
    l = n * D // (p * q)
    expected = duplicated_diagonal_padding(np.arange(1.0, l + 1), n, D, p, q)
    np.testing.assert_array_equal(drawn(psi).filled(0), expected.toarray())
    np.testing.assert_array_equal(np.ma.getmaskarray(drawn(psi)), expected.toarray() == 0)
    np.testing.assert_array_equal(drawn(eye).filled(0), np.eye(p, q))
    np.testing.assert_array_equal(drawn(W), np.arange(1.0, l + 1).reshape(n // p, D // q))
    blocks = [patch for patch in psi.patches if patch.get_gid() == "diagonal block"]
    assert len(blocks) == min(p, q)
    assert_png(fig, tmp_path / "diagonal.png")


def test_padding_and_dual_lphm_pictures(tmp_path: Path) -> None:
    fig = plot_function("duplicated_padding", {"n": 4, "D": 6, "p": 2, "q": 3})
    assert len(fig.axes) == 3
    np.testing.assert_array_equal(drawn(fig.axes[2]), duplicated_padding(np.arange(1.0, 5.0), 4, 6, 2, 3))
    assert_png(fig, tmp_path / "padding.png")

    w = np.arange(1.0, 10.0)
    fig = plot_function("dual_lphm", {"n": 4, "D": 6, "p": 2, "q": 3, "r": 1})
    assert len(fig.axes) == 3  # P Q^T, S T^T, their Kronecker product
    A, B, psi = (drawn(ax) for ax in fig.axes)
    P, Q, S, T = w[0:2, None], w[2:5, None], w[5:7, None], w[7:9, None]
    np.testing.assert_array_equal(A, P @ Q.T)
    np.testing.assert_array_equal(B, S @ T.T)
    np.testing.assert_array_equal(psi, dual_lphm(w, 4, 6, 2, 3, 1))
    np.testing.assert_array_equal(psi, np.kron(P @ Q.T, S @ T.T))
    assert_png(fig, tmp_path / "lphm.png")


def test_fusion_pictures(tmp_path: Path) -> None:
    config = {"dims": [2, 2], "n": 2, "p": 2, "q": 1, "r": 1, "m": 3}
    fig = plot_function("dual_lphm_fusion", config)
    assert len(fig.axes) == 2 + 3  # A_1, A_2, X, W, X @ W
    A1, A2, X, W, Y = (drawn(ax) for ax in fig.axes)
    np.testing.assert_array_equal(X, np.hstack([A1, A2]))
    np.testing.assert_array_equal(W, dual_lphm(np.arange(1.0, 8.0), 4, 2, 2, 1, 1))
    np.testing.assert_array_equal(
        Y, dual_lphm_fusion([np.asarray(A1), np.asarray(A2)], np.arange(1.0, 8.0), p=2, q=1, r=1)
    )
    np.testing.assert_allclose(Y, np.asarray(X) @ np.asarray(W))
    assert_png(fig, tmp_path / "fusion.png")

    # Given inputs of a batch: their shapes give dims, m and batch; the first element is drawn.
    rng = np.random.default_rng(0)
    inputs = [rng.normal(size=(2, 3, 1)), rng.normal(size=(2, 3, 3))]
    w = rng.normal(size=8)
    fig = plot_function("concatenation_fusion", {"n": 2}, w=w, inputs=inputs)
    assert len(fig.axes) == 2 + 3
    np.testing.assert_allclose(drawn(fig.axes[-1]), concatenation_fusion(inputs, w, n=2)[0])
    assert "first batch element (0,)" in fig.get_suptitle()


def test_plot_function_draws_into_a_given_figure_and_checks_the_configuration() -> None:
    fig = plt.figure()
    assert plot_function("dual_lphm", {"n": 2, "D": 2, "p": 1, "r": 1}, fig=fig) is fig
    with pytest.raises(RefimplError, match="n=5 is not divisible by p=2"):
        plot_function("duplicated_padding", {"n": 5, "D": 4, "p": 2})
    with pytest.raises(RefimplError, match=r"missing \['D', 'r'\]"):  # D and r have no default
        plot_function("dual_lphm", {"n": 4, "p": 2})
    with pytest.raises(RefimplError, match="6"):  # w must have l = 6 entries
        plot_function("duplicated_padding", {"n": 4, "D": 6, "p": 2}, w=np.ones(5))
    with pytest.raises(RefimplError, match="m must be a non-negative"):
        plot_function("concatenation_fusion", {"dims": [2], "m": -1})
    with pytest.raises(RefimplError, match="config has dims"):
        plot_function("concatenation_fusion", {"dims": [3]}, inputs=[np.ones((2, 2))])


# -- plot_mistake ------------------------------------------------------------------------------


def mistake_cases() -> list[tuple[str, dict[str, Any], str]]:
    lphm = {"n": 4, "D": 6, "p": 2, "q": 3, "r": 2}
    diagonal = {"n": 6, "D": 4, "p": 3, "q": 2}
    return [("dual_lphm", lphm, m.id) for m in catalogue("dual_lphm", lphm)] + [
        ("duplicated_diagonal_padding", diagonal, m.id)
        for m in catalogue("duplicated_diagonal_padding", diagonal)
    ]


def test_plot_mistake_outlines_exactly_the_cells_each_catalogued_mistake_changes() -> None:
    rng = np.random.default_rng(1)
    cases = mistake_cases()
    assert {"segment_order:QPST", "factor_transposed:Q", "ones_for_identity", "zero_times_w"} <= {
        c[2] for c in cases
    }
    for function, config, key in cases:
        exact = function == "duplicated_diagonal_padding"
        l = 6 * 4 // 6 if exact else 2 * (2 + 3 + 2 + 2)
        # Padding: index-tagged; Dual-LPHM: generic values, so that a mistake shows unless it is a no-op.
        w = np.arange(1.0, l + 1) if exact else rng.uniform(0.5, 2.0, size=l)
        right_value = duplicated_diagonal_padding(w, **config).toarray() if exact else dual_lphm(w, **config)
        fig = plot_mistake(function, config, key, w=w)
        assert len(fig.axes) == 2, key
        right_ax, wrong_ax = fig.axes
        np.testing.assert_array_equal(drawn(right_ax).filled(0), right_value)
        wrong = drawn(wrong_ax).filled(0)
        if wrong.shape == right_value.shape:
            off = wrong != right_value if exact else ~np.isclose(wrong, right_value, rtol=1e-12, atol=0)
            assert outlined(wrong_ax) == {tuple(int(i) for i in cell) for cell in np.argwhere(off)}, key
        else:
            assert outlined(wrong_ax) == set(), key
        name = next(m.name for m in catalogue(function) if m.id == key)
        assert name in " ".join(wrong_ax.get_title().split()), key  # the prose name is shown
        if not np.array_equal(wrong, right_value):  # what is drawn is what the diagnosis names
            assert name in diagnose(wrong, function, config, {"w": w}).matches, key
        plt.close(fig)


def test_a_mistake_that_cannot_be_made_here_gets_an_empty_panel_that_says_so() -> None:
    # p and q exchanged: q = 2 divides n = 6, but p = 3 does not divide D = 4
    fig = plot_mistake("duplicated_diagonal_padding", {"n": 6, "D": 4, "p": 3, "q": 2}, "p_q_exchanged")
    right_ax, wrong_ax = fig.axes
    assert right_ax.images and not wrong_ax.images and outlined(wrong_ax) == set()
    assert "cannot be made in this configuration" in wrong_ax.texts[0].get_text().replace("\n", " ")
    assert "does not apply" in fig.get_supxlabel()


def test_mistakes_are_named_by_identifier_or_prose_and_drawn_as_described() -> None:
    config = {"n": 6, "D": 4, "p": 3, "q": 2}
    w = np.arange(1.0, 5.0)
    W = w.reshape(2, 2)
    for key in ("ones_for_identity", "ones in place of the identity"):
        fig = plot_mistake("duplicated_diagonal_padding", config, key)
        np.testing.assert_array_equal(drawn(fig.axes[1]), np.kron(np.ones((3, 2)), W))
        assert len(outlined(fig.axes[1])) == 6 * 4 - 2 * 4  # every cell outside the two diagonal blocks
    fig = plot_mistake("duplicated_diagonal_padding", config, "Output  Transposed")  # case and spacing
    np.testing.assert_array_equal(drawn(fig.axes[1]).filled(0), np.kron(np.eye(3, 2), W).T)
    assert "the shape differs: 4×6 instead of 6×4" in fig.get_supxlabel()

    lphm = {"n": 4, "D": 6, "p": 2, "q": 3, "r": 1}
    w = np.arange(1.0, 10.0)
    P, Q, S, T = w[0:2, None], w[2:5, None], w[5:7, None], w[7:9, None]
    fig = plot_mistake("dual_lphm", lphm, "kron_operands_swapped")
    np.testing.assert_array_equal(drawn(fig.axes[1]), np.kron(S @ T.T, P @ Q.T))
    fig = plot_mistake("dual_lphm", lphm, "segment_order:QPST")
    Q2, P2 = w[0:3, None], w[3:5, None]  # Q's segment first, then P's
    np.testing.assert_array_equal(drawn(fig.axes[1]), np.kron(P2 @ Q2.T, S @ T.T))
    # A pair, as diagnose names it:
    fig = plot_mistake("dual_lphm", lphm, "Kronecker operands swapped + output transposed")
    np.testing.assert_array_equal(drawn(fig.axes[1]), np.kron(S @ T.T, P @ Q.T).T)
    assert "Kronecker operands swapped + output transposed" in " ".join(fig.axes[1].get_title().split())
    # A fusion: the outputs are compared.
    fusion = {"dims": [2, 2], "n": 2, "p": 2, "q": 1, "r": 1, "m": 3}
    fig = plot_mistake("dual_lphm_fusion", fusion, "concatenation_reversed")
    wrong_ax = fig.axes[1]
    A1, A2 = np.arange(1.0, 7.0).reshape(3, 2), np.arange(7.0, 13.0).reshape(3, 2)
    np.testing.assert_allclose(
        drawn(wrong_ax), dual_lphm_fusion([A2, A1], np.arange(1.0, 8.0), p=2, q=1, r=1)
    )
    assert len(outlined(wrong_ax)) == 6


def test_plot_mistake_lists_the_catalogue_for_an_unknown_mistake() -> None:
    with pytest.raises(
        RefimplError,
        match="the catalogued mistakes are:\n(.*\n)*  column_major_reshape: column-major reshape of w\n",
    ):
        plot_mistake("duplicated_padding", {"n": 4, "D": 6, "p": 2}, "off by one")
    with pytest.raises(RefimplError, match="one stage"):
        plot_mistake(
            "dual_lphm", {"n": 4, "D": 6, "p": 2, "q": 3, "r": 1}, "factor_transposed:P + factor_transposed:Q"
        )


# -- the optional dependency ---------------------------------------------------------------------


def test_missing_matplotlib_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    with pytest.raises(ImportError, match=r"pip install refimpl\[docs\]"):
        plot_matrix([[1.0]])


def test_a_matplotlib_older_than_3_10_is_refused_naming_its_version(monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    monkeypatch.setattr(matplotlib, "__version_info__", (3, 9, 4))
    monkeypatch.setattr(matplotlib, "__version__", "3.9.4")
    with pytest.raises(ImportError, match=r"matplotlib>=3\.10, got 3\.9\.4"):
        plot_matrix([[1.0]])


@pytest.mark.parametrize(("chosen", "expected"), [(None, "['Agg'] agg"), ("svg", "[] svg")])
def test_matplotlib_is_imported_on_use_only_and_agg_chosen_unless_a_backend_was(
    chosen: str | None, expected: str
) -> None:
    """Importing the module imports no matplotlib; the first drawing does, and chooses ``Agg``
    when no backend was chosen (here by ``MPLBACKEND``), and leaves a chosen one alone."""
    code = (
        "import sys\n"
        "import refimpl.plotting as p\n"
        "assert 'matplotlib' not in sys.modules\n"
        "import matplotlib\n"
        "chosen, use = [], matplotlib.use\n"
        "matplotlib.use = lambda name, *args, **kwargs: (chosen.append(name), use(name, *args, **kwargs))\n"
        "p.plot_matrix([[1.0]])\n"
        "print(chosen, matplotlib.get_backend().lower())\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "DISPLAY", "WAYLAND_DISPLAY")}
    if chosen is not None:
        env["MPLBACKEND"] = chosen
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == expected
