"""Golden vectors: written, read back, verified; corrupted files refused; failures named."""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import shutil
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import refimpl
from refimpl.cli import EXIT_FAILED, EXIT_INVALID, EXIT_OK, EXIT_USAGE, main
from refimpl.cli import vectors as command
from refimpl.cli.vectors import report_table
from refimpl.functions import FUNCTIONS, get_function
from refimpl.oracle.vectors import (
    FORMAT,
    FORMAT_VERSION,
    MISTAKES,
    VectorFileError,
    read_vectors,
    verify_vectors,
    write_vectors,
)
from refimpl.oracle.vectors._files import manifest_digest, manifest_text, sha256

EDGE_FLAGS = {
    "p_ne_q",
    "p_eq_1",
    "t_eq_1",
    "s_eq_1",
    "q_eq_D",
    "k_eq_1",
    "m_eq_0",
    "unequal_widths",
    "batch",
    "rectangular_identity",
    "large",
    "nonfinite",
    "n_omitted",
    "r_eq_1",
}
NAMED_MISTAKES = {
    "column_major_reshape",
    "segment_order",
    "kron_operands_swapped",
    "ones_for_identity",
    "p_q_exchanged",
    "output_transposed",
    "interleaved_concatenation",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="refimpl vectors")
    command.add_arguments(parser)
    return parser


def _cli(*argv: str) -> int:
    return command.run(_parser().parse_args(list(argv)))


def _write_outputs(directory: Path, outputs: Path) -> None:
    outputs.mkdir(exist_ok=True)
    for v in read_vectors(directory):
        np.save(outputs / f"{v.name}.npy", v.reference_output())


@pytest.fixture(scope="module")
def full_set(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The whole set, large vectors included, and refimpl's own outputs for it."""
    root = tmp_path_factory.mktemp("vectors")
    assert _cli("write", str(root / "set")) == EXIT_OK
    _write_outputs(root / "set", root / "outputs")
    return root / "set", root / "outputs"


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("small") / "set"
    write_vectors(directory, large=False)
    return directory


@pytest.fixture
def small_copy(small_set: Path, tmp_path: Path) -> Path:
    """A copy of the small set that a test may damage."""
    return Path(shutil.copytree(small_set, tmp_path / "set"))


def _manifest(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "manifest.json").read_text())


# ---------------------------------------------------------------------------------------------
# The set as written


def test_manifest_has_every_field(full_set: tuple[Path, Path]) -> None:
    directory, _ = full_set
    m = _manifest(directory)
    assert m["format"] == FORMAT == "refimpl-vectors"
    assert m["format_version"] == FORMAT_VERSION == 1
    assert m["refimpl_version"] == refimpl.__version__
    assert "bound" in m["tolerance_rule"] and "vectors.rst" in m["tolerance_rule"]
    names = [v["name"] for v in m["vectors"]]
    assert len(names) == len(set(names))
    keys = {
        "name",
        "function",
        "config",
        "dtype",
        "output_shape",
        "flags",
        "inputs",
        "expected",
        "bound",
        "exact",
        "rounding_count_K",
        "sha256",
    }
    for v in m["vectors"]:
        assert keys <= set(v), v["name"]
        assert re.fullmatch(r"[a-z0-9_]+", v["name"])
        spec = get_function(v["function"])
        assert set(v["config"]) == set(spec.config_keys)
        assert v["dtype"] in ("float32", "float64", "complex128")
        assert v["exact"] is spec.exact
        assert isinstance(v["rounding_count_K"], int) and (v["rounding_count_K"] == 0) == spec.exact
        files = [v["inputs"]["w"], *v["inputs"].get("inputs", []), v["expected"], v["bound"]]
        assert v["inputs"]["w"] == f"{v['name']}.w.npy"
        if spec.is_fusion:
            assert v["inputs"]["inputs"] == [f"{v['name']}.A{i}.npy" for i in range(len(v["config"]["dims"]))]
        else:
            assert "inputs" not in v["inputs"]
        assert sorted(v["sha256"]) == sorted(files)
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in v["sha256"].values())
        w = np.load(directory / v["inputs"]["w"])
        assert w.dtype == np.dtype(v["dtype"]) and w.shape == (spec.l(v["config"]),)
        for name in v["inputs"].get("inputs", []):
            assert np.load(directory / name).dtype == np.dtype(v["dtype"])
        expected, bound = np.load(directory / v["expected"]), np.load(directory / v["bound"])
        assert expected.dtype == (np.complex128 if v["dtype"] == "complex128" else np.float64)
        assert bound.dtype == np.float64 and bound.shape == expected.shape == tuple(v["output_shape"])
        assert np.all(bound >= 0)
        if v["exact"]:
            assert not np.any(bound)
        assert tuple(v["output_shape"]) == spec.output_shape(v["config"])


def test_npy_files_are_format_1_0_little_endian_c_order(small_set: Path) -> None:
    """Read every file as the docs describe it, without numpy.load."""
    for path in sorted(small_set.glob("*.npy")):
        raw = path.read_bytes()
        assert raw[:6] == b"\x93NUMPY" and raw[6:8] == b"\x01\x00", path.name
        (header_len,) = struct.unpack("<H", raw[8:10])
        assert (10 + header_len) % 64 == 0
        header = ast.literal_eval(raw[10 : 10 + header_len].decode("latin1"))
        assert header["descr"] in ("<f4", "<f8", "<c16") and header["fortran_order"] is False
        data = np.frombuffer(raw[10 + header_len :], dtype=np.dtype(header["descr"])).reshape(header["shape"])
        np.testing.assert_array_equal(data, np.load(path), err_msg=path.name)


def test_padding_inputs_are_index_tagged(full_set: tuple[Path, Path]) -> None:
    for v in read_vectors(full_set[0]):
        if v.exact:
            w = v.inputs["w"]
            l = w.size
            tags = np.arange(1, l + 1) + (1j * (np.arange(1, l + 1) + l) if v.dtype == "complex128" else 0)
            finite = np.isfinite(w)
            assert np.array_equal(w[finite], tags[finite].astype(w.dtype)), v.name
            assert finite.all() == ("nonfinite" not in v.flags)


def test_flags_cover_every_edge_case_dtype_and_mistake(full_set: tuple[Path, Path]) -> None:
    vectors = _manifest(full_set[0])["vectors"]
    flags = {f for v in vectors for f in v["flags"]}
    assert EDGE_FLAGS <= flags
    assert {f"exposes:{m}" for m in NAMED_MISTAKES} <= flags
    for function in FUNCTIONS:
        mine = [v for v in vectors if v["function"] == function]
        assert {v["dtype"] for v in mine} == {"float32", "float64", "complex128"}, function
        exposed = {f.removeprefix("exposes:") for v in mine for f in v["flags"] if f.startswith("exposes:")}
        assert exposed == set(MISTAKES[function]), function  # every catalogued mistake is caught somewhere
    large = {v["name"]: v for v in vectors if "large" in v["flags"]}
    assert any(
        v["function"] == "duplicated_diagonal_padding" and v["output_shape"] == [1024, 1024]
        for v in large.values()
    )
    assert any(
        v["function"] == "dual_lphm_fusion" and sum(v["config"]["dims"]) == v["config"]["n"] == 1024
        for v in large.values()
    )


def test_set_size_and_reproducibility(full_set: tuple[Path, Path], small_set: Path, tmp_path: Path) -> None:
    full = sum(p.stat().st_size for p in full_set[0].iterdir())
    small = sum(p.stat().st_size for p in small_set.iterdir())
    assert full < 30e6 and small < 1e6
    assert not any("large" in v["flags"] for v in _manifest(small_set)["vectors"])
    again = write_vectors(tmp_path / "again", large=False)
    first = {v["name"]: v["sha256"] for v in _manifest(small_set)["vectors"]}
    assert first == {v["name"]: v["sha256"] for v in json.loads(again.read_text())["vectors"]}


# ---------------------------------------------------------------------------------------------
# Verification


def test_round_trip_with_refimpl_outputs_passes(
    full_set: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    directory, outputs = full_set
    report = verify_vectors(directory, outputs)
    assert report.passed, str(report)
    assert report.counts() == {"pass": len(report.results), "fail": 0, "missing": 0, "unreadable": 0}
    assert all(r.error is None or r.error <= r.allowed for r in report.results)
    assert _cli("verify", str(directory), str(outputs)) == EXIT_OK
    text = capsys.readouterr().out
    assert "ddp_large_f32" in text and "PASS: " in text
    assert _cli("verify", str(directory), str(outputs), "--json") == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] is True and len(data["results"]) == len(report.results)


def test_single_wrong_entry_fails_and_is_named(
    full_set: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, outputs = full_set
    out = Path(shutil.copytree(outputs, tmp_path / "outputs"))
    for name, index in (("ddp_large_f32", (700, 701)), ("lphmf_basic_f32", (1, 4))):
        a = np.load(out / f"{name}.npy")
        a[index] += np.float32(1e-3) * (1 + abs(a[index]))
        np.save(out / f"{name}.npy", a)
    report = verify_vectors(directory, out)
    assert not report.passed
    failed = {r.name: r for r in report.results if not r.passed}
    assert set(failed) == {"ddp_large_f32", "lphmf_basic_f32"}
    assert failed["ddp_large_f32"].message.startswith("1 of 1048576 entries are off; worst: entry (700, 701)")
    assert failed["lphmf_basic_f32"].error > failed["lphmf_basic_f32"].allowed
    text = report_table(report)
    assert re.search(r"^FAIL\s+ddp_large_f32\s", text, re.MULTILINE) and "lphmf_basic_f32: 1 of" in text
    assert _cli("verify", str(directory), str(out)) == EXIT_FAILED
    assert "FAIL: " in capsys.readouterr().out


def test_missing_output_is_reported_missing(small_set: Path, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    _write_outputs(small_set, outputs)
    (outputs / "cf_m0_f64.npy").unlink()
    (outputs / "dp_basic_f32.npy").write_bytes(b"not an npy file")
    report = verify_vectors(small_set, outputs)
    status = {r.name: r.status for r in report.results}
    assert status["cf_m0_f64"] == "missing" and status["dp_basic_f32"] == "unreadable"
    assert not report.passed and report.counts()["missing"] == 1
    assert re.search(r"^MISSING\s+cf_m0_f64\s", report_table(report), re.MULTILINE)
    (tmp_path / "empty").mkdir()
    assert verify_vectors(small_set, tmp_path / "empty").counts()["missing"] == len(report.results)


def test_wrong_dtype_shape_and_nonfinite_placement_fail(small_set: Path) -> None:
    vectors = {v.name: v for v in read_vectors(small_set)}
    outputs = {name: v.reference_output() for name, v in vectors.items()}
    outputs["lphm_basic_f32"] = outputs["lphm_basic_f32"].astype(np.float64)  # the right values, wrong dtype
    outputs["cf_basic_f64"] = outputs["cf_basic_f64"].T  # transposed
    v = vectors["ddp_nonfinite_f64"]  # kron(eye, W) by multiplication: 0 * inf = nan off the blocks
    c = v.config
    with np.errstate(invalid="ignore"):
        W = v.inputs["w"].reshape(c["n"] // c["p"], c["D"] // c["q"])
        outputs[v.name] = np.kron(np.eye(c["p"], c["q"]), W)
    assert "exposes:zero_times_w" in v.flags
    results = {r.name: r for r in verify_vectors(small_set, outputs).results if not r.passed}
    assert set(results) == {"lphm_basic_f32", "cf_basic_f64", "ddp_nonfinite_f64"}
    assert results["lphm_basic_f32"].message == "dtype float64, expected float32"
    assert results["cf_basic_f64"].message.startswith("shape (4, 3), expected (3, 4)")
    assert results["ddp_nonfinite_f64"].message.startswith("nan placement differs")


def test_outputs_of_any_library_are_read_and_a_non_array_is_a_verdict(small_set: Path) -> None:
    import scipy.sparse as sp

    vectors = {v.name: v for v in read_vectors(small_set)}
    outputs: dict[str, Any] = {name: v.reference_output() for name, v in vectors.items()}
    outputs["ddp_wide_f64"] = sp.coo_array(outputs["ddp_wide_f64"])  # read through the one adapter
    outputs["dp_basic_f64"] = "not an array"
    results = {r.name: r for r in verify_vectors(small_set, outputs).results}
    assert results["ddp_wide_f64"].passed
    assert results["dp_basic_f64"].status == "unreadable"
    assert results["dp_basic_f64"].message == "the output is a str, not an array of numbers"


def test_a_planted_mistake_fails_exactly_the_vectors_flagged_with_it(small_set: Path) -> None:
    """Independent mistaken implementations: the vectors they fail are those that name them."""
    vectors = read_vectors(small_set)
    outputs = {}
    for v in vectors:
        c, out = v.config, v.reference_output()
        if v.function == "duplicated_padding":  # column-major reshape of w
            W = v.inputs["w"].reshape((c["n"] // c["p"], c["D"] // c["q"]), order="F")
            out = np.kron(np.ones((c["p"], c["q"]), dtype=W.dtype), W)
        elif v.function == "concatenation_fusion" and v.inputs["inputs"][0].shape[-2] > 0:
            A = v.inputs["inputs"]  # columns interleaved: A1[:, 0], A2[:, 0], A1[:, 1], ...
            widest = max(a.shape[-1] for a in A)
            cols = [a[..., j : j + 1] for j in range(widest) for a in A if j < a.shape[-1]]
            N, n = sum(c["dims"]), c["n"] or c["dims"][0]
            out = np.concatenate(cols, axis=-1) @ v.inputs["w"].reshape(N, n)
        outputs[v.name] = out
    report = verify_vectors(small_set, outputs)
    failed = {r.name for r in report.results if not r.passed}
    flagged = {
        v.name
        for v in vectors
        if (v.function == "duplicated_padding" and "exposes:column_major_reshape" in v.flags)
        or (v.function == "concatenation_fusion" and "exposes:interleaved_concatenation" in v.flags)
    }
    assert failed == flagged
    hints = report.consistent_mistakes()
    assert hints["duplicated_padding"] == ["column_major_reshape"]
    assert "interleaved_concatenation" in hints["concatenation_fusion"]


# ---------------------------------------------------------------------------------------------
# Damaged sets are refused


def test_corrupted_file_is_refused_by_its_hash(
    small_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = small_copy / "lphm_basic_f64.expected.npy"
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 0x01  # one byte of one value: still a valid .npy file
    path.write_bytes(bytes(raw))
    with pytest.raises(VectorFileError, match=r"lphm_basic_f64\.expected\.npy is corrupted or edited"):
        verify_vectors(small_copy, tmp_path)
    with pytest.raises(VectorFileError, match="lphm_basic_f64.expected.npy"):
        read_vectors(small_copy)
    assert _cli("verify", str(small_copy), str(tmp_path)) == EXIT_INVALID
    assert "lphm_basic_f64.expected.npy" in capsys.readouterr().err


def test_missing_file_and_bad_manifest_are_refused(small_copy: Path, tmp_path: Path) -> None:
    (small_copy / "cf_basic_f32.A1.npy").unlink()
    with pytest.raises(VectorFileError, match=r"cf_basic_f32\.A1\.npy is missing"):
        verify_vectors(small_copy, tmp_path)
    manifest = _manifest(small_copy)
    manifest["format_version"] = 2
    (small_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(VectorFileError, match="format_version must be 1, got 2"):
        verify_vectors(small_copy, tmp_path)
    with pytest.raises(VectorFileError, match="not a vector set"):
        verify_vectors(tmp_path, tmp_path)


def test_cli_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli("write", str(tmp_path / "v"), "--no-large") == EXIT_OK
    assert re.match(r"wrote \d+ vectors \(\d+ kB\) to ", capsys.readouterr().out)
    assert (tmp_path / "v" / "manifest.json").is_file()
    with pytest.raises(SystemExit):
        _parser().parse_args([])  # a subcommand is required


# ---------------------------------------------------------------------------------------------
# Edited manifests are refused, naming the vector and the field (exit 3); usage errors exit 2


def _edit(directory: Path, change: Any, *, redigest: bool = True) -> None:
    """Edit the manifest as a hand would; ``redigest``: an editor who also recomputes the digest."""
    m = _manifest(directory)
    change(m)
    if redigest:
        m["manifest_sha256"] = manifest_digest(m)
    (directory / "manifest.json").write_text(json.dumps(m, indent=1))


def _set(key: str, value: Any, index: int = 0) -> Any:
    return lambda m: m["vectors"][index].__setitem__(key, value)


def _swap(m: dict[str, Any]) -> None:
    m["vectors"][0], m["vectors"][1] = m["vectors"][1], m["vectors"][0]


EDITS = {  # each hand edit of issue 11, and what the refusal must say
    "config": (
        lambda m: m["vectors"][0]["config"].update(q=4),
        r'vector dp_basic_f32: config is \{"D":12,"n":6,"p":2,"q":4\}, refimpl computes \{"D":12,"n":6,"p":2,"q":3\}',
    ),
    "function": (
        _set("function", "nope"),
        'vector dp_basic_f32: function is "nope", refimpl computes "duplicated_padding"',
    ),
    "exact": (_set("exact", False), "vector dp_basic_f32: exact is false, refimpl computes true"),
    "flags": (
        lambda m: m["vectors"][0]["flags"].remove("p_ne_q"),
        r"vector dp_basic_f32: flags is \[.*\], refimpl computes \[\"p_ne_q\".*\(missing \['p_ne_q'\], extra \[\]\)",
    ),
    "output_shape": (
        _set("output_shape", [12, 6]),
        r"vector dp_basic_f32: output_shape is \[12,6\], refimpl computes \[6,12\]",
    ),
    "rounding_count_K": (
        _set("rounding_count_K", 100, 19),
        "vector lphm_basic_f32: rounding_count_K is 100, refimpl computes 9",
    ),
    "K as a boolean": (
        _set("rounding_count_K", True, 0),
        "vector dp_basic_f32: rounding_count_K is true, refimpl computes 0",
    ),
    "dtype float16": (
        _set("dtype", "float16"),
        'vector dp_basic_f32: dtype is "float16", refimpl computes "float32"',
    ),
    "no expected": (
        lambda m: m["vectors"][2].pop("expected"),
        "vector dp_basic_c128: the entry has no field 'expected'",
    ),
    "no name": (lambda m: m["vectors"][2].pop("name"), r"vectors\[2\] has no field 'name'"),
    "no vectors": (lambda m: m.pop("vectors"), "manifest.json has no field 'vectors'"),
    "non-object entry": (
        lambda m: m["vectors"].__setitem__(4, "dp_p1_f64"),
        r"vectors\[4\] is a string, not an object",
    ),
    "deleted": (
        lambda m: m["vectors"].__delitem__(slice(1, 4)),
        (
            r"3 of the 45 vectors of the small \(--no-large\) set are not in the manifest \(removed\?\): "
            "dp_basic_f64, dp_basic_c128, dp_square_f64"
        ),
    ),
    "reordered": (_swap, r"out of order: vectors\[0\] is dp_basic_f64, the set has dp_basic_f32 there"),
    "listed twice": (lambda m: m["vectors"].append(m["vectors"][0]), "vector dp_basic_f32 is listed twice"),
    "renamed": (
        _set("name", "dp_basic_f16"),
        'vectors\\[0\\]: name "dp_basic_f16" is not a vector of the small',
    ),
    "large": (lambda m: m.__setitem__("large", True), "vectors of the full set are not in the manifest"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edited_manifest_is_refused_naming_the_field(
    edit: str, small_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, message = EDITS[edit]
    outputs = tmp_path / "outputs"
    _write_outputs(small_copy, outputs)  # outputs that pass: only the manifest is wrong
    original = (small_copy / "manifest.json").read_text()
    for redigest in (False, True):  # recomputing the digest does not hide the edit
        (small_copy / "manifest.json").write_text(original)
        _edit(small_copy, change, redigest=redigest)
        with pytest.raises(VectorFileError, match=message):
            verify_vectors(small_copy, outputs)
    assert _cli("verify", str(small_copy), str(outputs)) == EXIT_INVALID
    err = capsys.readouterr().err
    assert err.startswith("refimpl: error: the vector set is invalid: ") and re.search(message, err)
    assert "Traceback" not in err


def test_the_digest_catches_an_edit_no_field_check_sees(small_copy: Path, tmp_path: Path) -> None:
    _edit(small_copy, lambda m: m.__setitem__("tolerance_rule", "anything goes"), redigest=False)
    with pytest.raises(
        VectorFileError,
        match=r"manifest.json was edited: manifest_sha256 is '[0-9a-f]{64}', "
        r"the digest of the manifest is '[0-9a-f]{64}'",
    ):
        read_vectors(small_copy)
    _edit(small_copy, lambda m: m.pop("manifest_sha256"), redigest=False)
    with pytest.raises(VectorFileError, match="has no field 'manifest_sha256'"):
        read_vectors(small_copy)
    assert _cli("verify", str(small_copy), str(tmp_path)) == EXIT_INVALID


def _replace_file(directory: Path, file_name: str, array: np.ndarray) -> None:
    """Replace a vector file and update its hash and the digest: only the content can tell."""
    np.save(directory / file_name, array)
    name = file_name.split(".")[0]
    _edit(
        directory,
        lambda m: next(v for v in m["vectors"] if v["name"] == name)["sha256"].__setitem__(
            file_name, sha256(directory / file_name)
        ),
    )


@pytest.mark.parametrize(
    "file_name, array, message",
    [
        (
            "dp_basic_f64.bound.npy",
            np.zeros(3),
            r"bound.npy has dtype <f8 and shape \(3,\), refimpl computes <f8 and \(6, 12\)",
        ),
        (
            "dp_basic_f64.w.npy",
            np.arange(12.0),
            r"w.npy differs from what refimpl computes: entry \(0,\) is 0.0, refimpl's is 1.0",
        ),
        (
            "lphm_basic_f64.expected.npy",
            np.zeros((6, 8)),
            r"expected.npy differs .*: entry \(0, 0\) is 0.0, .*\(allowed error",
        ),
    ],
)
def test_a_file_rewritten_with_its_hash_is_refused(
    small_copy: Path, tmp_path: Path, file_name: str, array: np.ndarray, message: str
) -> None:
    _replace_file(small_copy, file_name, array)
    with pytest.raises(
        VectorFileError, match=rf"vector {file_name.split('.')[0]}: file {file_name.split('.')[0]}\.{message}"
    ):
        read_vectors(small_copy)
    assert _cli("verify", str(small_copy), str(tmp_path)) == EXIT_INVALID


def test_folders_that_do_not_exist_are_usage_errors(
    small_set: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nowhere = tmp_path / "nonexistent"
    assert main(["vectors", "verify", str(small_set), str(nowhere)]) == EXIT_USAGE
    assert capsys.readouterr().err == f"refimpl: error: the outputs folder {nowhere} does not exist\n"
    assert main(["vectors", "verify", str(nowhere), str(tmp_path)]) == EXIT_USAGE
    assert capsys.readouterr().err == f"refimpl: error: the vector set folder {nowhere} does not exist\n"
    with pytest.raises(FileNotFoundError, match="the outputs folder .* does not exist"):
        verify_vectors(small_set, nowhere)
    (tmp_path / "file").write_text("x")
    assert _cli("verify", str(small_set), str(tmp_path / "file")) == EXIT_USAGE
    assert "is a file, not a folder" in capsys.readouterr().err
    assert _cli("write", str(tmp_path / "file")) == EXIT_USAGE


def test_write_refuses_a_non_empty_folder_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"mine": 1}')
    assert _cli("write", str(folder), "--no-large") == EXIT_USAGE
    assert "is not empty (1 entries, e.g. manifest.json)" in capsys.readouterr().err
    assert _cli("write", str(folder), "--no-large", "--force") == EXIT_USAGE  # not a vector set's manifest
    assert "is not the manifest of a vector set: not replacing it" in capsys.readouterr().err
    assert (folder / "manifest.json").read_text() == '{"mine": 1}' and len(list(folder.iterdir())) == 1
    with pytest.raises(FileExistsError, match="pass --force"):
        write_vectors(folder, large=False)


def test_a_forced_rewrite_leaves_no_orphans(full_set: tuple[Path, Path], tmp_path: Path) -> None:
    folder = Path(shutil.copytree(full_set[0], tmp_path / "set"))
    (folder / "notes.txt").write_text("not a vector file: kept")
    assert _cli("write", str(folder), "--no-large", "--force") == EXIT_OK
    listed = {f for v in _manifest(folder)["vectors"] for f in v["sha256"]}
    assert {p.name for p in folder.iterdir()} == listed | {"manifest.json", "notes.txt"}
    assert not any("large" in name for name in listed)
    assert len(read_vectors(folder)) == 45
    write_vectors(folder, force=True)
    assert len(read_vectors(folder)) == 49 and (folder / "notes.txt").is_file()


# ---------------------------------------------------------------------------------------------
# The small set is pinned: a change of refimpl's answers or of the manifest fails here

PINS = Path(__file__).parent / "data" / "vectors_small.sha256"


def digests(directory: Path) -> dict[str, str]:
    """``{file name: sha256}`` of a written small set; the manifest without ``refimpl_version``."""
    out = {path.name: sha256(path) for path in sorted(directory.glob("*.npy"))}
    manifest = _manifest(directory)
    del manifest["refimpl_version"]  # information only, changes with every release: not pinned
    out["manifest.json"] = hashlib.sha256(manifest_text(manifest).encode()).hexdigest()
    return out


def pinned() -> dict[str, str]:
    lines = [line.split() for line in PINS.read_text().splitlines() if line and not line.startswith("#")]
    return {name: digest for digest, name in lines}


def test_the_small_set_is_pinned(tmp_path: Path) -> None:
    written = write_vectors(tmp_path / "set", large=False)
    assert json.loads(written.read_text())["refimpl_version"] == refimpl.__version__
    got, want = digests(tmp_path / "set"), pinned()
    assert sorted(got) == sorted(want)  # the same files, the manifest included
    changed = sorted(name for name in want if got[name] != want[name])
    assert changed == [], f"regenerate {PINS.name} only if these changes are intended"


if __name__ == "__main__":  # python -m tests.test_vectors > tests/data/vectors_small.sha256
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        write_vectors(Path(d), large=False)
        header = [line for line in PINS.read_text().splitlines() if line.startswith("#")]
        print("\n".join([*header, *(f"{h}  {n}" for n, h in sorted(digests(Path(d)).items()))]))


def test_a_manifest_nested_past_the_recursion_limit_is_an_invalid_set(tmp_path: Path) -> None:
    # Before, json's RecursionError came out as a traceback with exit 1.
    bad = tmp_path / "set"
    bad.mkdir()
    (bad / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(VectorFileError, match="not readable JSON"):
        read_vectors(bad)
    assert _cli("verify", str(bad), str(tmp_path)) == EXIT_INVALID


def test_an_output_whose_header_claims_more_than_its_file_holds_is_unreadable(
    small_set: Path, tmp_path: Path
) -> None:
    # Before, the claim of 10**12 float64 values was allocated: a MemoryError, exit 2 (usage).
    outputs = tmp_path / "outputs"
    _write_outputs(small_set, outputs)
    name = read_vectors(small_set)[0].name
    with (outputs / f"{name}.npy").open("wb") as f:
        np.lib.format.write_array_header_1_0(
            f, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)}
        )
        f.write(bytes(64))
    results = {r.name: r for r in verify_vectors(small_set, outputs).results}
    assert results[name].status == "unreadable"
    assert "its header claims shape (1000000, 1000000)" in results[name].message, results[name].message
    assert _cli("verify", str(small_set), str(outputs)) == EXIT_FAILED
