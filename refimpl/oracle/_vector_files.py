"""The files of a golden vector set: writing them, checking their hashes, reading them back.

The format is specified field by field in ``docs/vectors.rst``; :mod:`refimpl.oracle.vectors`
is the public entry point.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import RefimplError
from ._vector_cases import DTYPES, Case, case_inputs, cases, edge_flags, exposed
from .adapters import to_numpy
from .registry import get_spec
from .tolerance import expected_and_bound

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "TOLERANCE_RULE",
    "Vector",
    "VectorFileError",
    "manifest_text",
    "read_vectors",
    "sha256",
    "write_vectors",
]

FORMAT = "refimpl-vectors"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"

TOLERANCE_RULE = (
    "An output passes when its shape and dtype equal the vector's, its nan, +inf and -inf "
    "entries are exactly where expected's are, and |actual - expected| <= bound in every other "
    "entry (compared in float64 / complex128). bound = gamma_K(u) * |.|-computation + "
    "gamma_K(2^-53) * |.|-computation + K * smallest_normal, u the unit roundoff of the dtype, "
    "K = rounding_count_K; all zeros for the exact (padding) functions. "
    "See refimpl's docs/vectors.rst and the refimpl.oracle.tolerance module."
)


class VectorFileError(RefimplError):
    """A vector set that cannot be trusted: a missing, corrupted or edited file, or a bad manifest."""


# -- writing ------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    """The SHA-256 of a file's content, as 64 lowercase hexadecimal digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _save(path: Path, array: np.ndarray) -> None:
    """``array`` as a NumPy format 1.0 file: little-endian, C order, no pickles."""
    array = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    with open(path, "wb") as f:
        np.lib.format.write_array(f, array, version=(1, 0), allow_pickle=False)


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as ``write_vectors`` stores it: JSON, one-space indents, a final newline."""
    return json.dumps(manifest, indent=1) + "\n"


def _write_case(directory: Path, case: Case) -> dict[str, Any]:
    """Write one vector's files; return its manifest entry."""
    spec = get_spec(case.function)
    inputs = case_inputs(case)
    expected, bound, K = expected_and_bound(spec, case.config, inputs, DTYPES[case.dtype])
    files: dict[str, Any] = {"w": f"{case.name}.w.npy"}
    arrays = {files["w"]: inputs["w"]}
    if spec.is_fusion:
        files["inputs"] = [f"{case.name}.A{i}.npy" for i in range(len(inputs["inputs"]))]
        arrays.update(zip(files["inputs"], inputs["inputs"]))
    arrays[f"{case.name}.expected.npy"] = expected
    arrays[f"{case.name}.bound.npy"] = bound.astype(np.float64)
    for file_name, array in arrays.items():
        _save(directory / file_name, array)
    return {
        "name": case.name,
        "function": case.function,
        "config": {k: list(v) if isinstance(v, (tuple, list)) else v for k, v in case.config.items()},
        "dtype": case.dtype,
        "output_shape": list(expected.shape),
        "flags": edge_flags(case) + exposed(case, inputs, expected, bound),
        "inputs": files,
        "expected": f"{case.name}.expected.npy",
        "bound": f"{case.name}.bound.npy",
        "exact": spec.exact,
        "rounding_count_K": int(K),
        "sha256": {file_name: sha256(directory / file_name) for file_name in arrays},
    }


def write_vectors(directory: str | os.PathLike[str], *, large: bool = True) -> Path:
    """Write the golden vector set (``manifest.json`` and ``.npy`` files) into ``directory``.

    Parameters
    ----------
    directory : str or path
        Created if missing; files of the same names are overwritten.
    large : bool, default True
        Include the large vectors (a 1024 x 1024 diagonal padding, fusions with ``N = n = 1024``
        and ``N*n = 2**18``); without them the set is about 100 kB.

    Returns
    -------
    Path
        The path of the manifest.

    Examples
    --------
    >>> import json, tempfile
    >>> from refimpl.oracle.vectors import write_vectors
    >>> with tempfile.TemporaryDirectory() as d:
    ...     manifest = json.loads(write_vectors(d, large=False).read_text())
    >>> manifest["format"], manifest["format_version"]
    ('refimpl-vectors', 1)
    >>> v = manifest["vectors"][0]
    >>> v["name"], v["function"], v["config"], v["dtype"]
    ('dp_basic_f32', 'duplicated_padding', {'n': 6, 'D': 12, 'p': 2, 'q': 3}, 'float32')
    """
    from .. import __version__

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "refimpl_version": __version__,
        "large": large,
        "tolerance_rule": TOLERANCE_RULE,
        "vectors": [_write_case(directory, case) for case in cases(large)],
    }
    path = directory / MANIFEST
    path.write_text(manifest_text(manifest), encoding="utf-8")
    return path


# -- reading ------------------------------------------------------------------------------------


@dataclass
class Vector:
    """One golden vector read back from disk: its manifest entry and its arrays.

    Attributes
    ----------
    name, function, dtype : str
        As in the manifest.
    config : dict
        The configuration (``batch`` as a tuple).
    flags : list of str
        What the vector targets.
    inputs : dict
        ``{"w": w}``, or ``{"w": w, "inputs": [A_1, ..., A_k]}`` for the fusions, in ``dtype``.
    expected, bound : numpy.ndarray
        The float64 (complex128) reference and the allowed absolute error of each entry.
    exact : bool
        ``True`` for the padding functions (``bound`` is all zeros).
    K : int
        The rounding count the bound was derived from.
    """

    name: str
    function: str
    config: dict[str, Any]
    dtype: str
    flags: list[str]
    inputs: dict[str, Any]
    expected: np.ndarray
    bound: np.ndarray
    exact: bool
    K: int

    def reference_output(self) -> np.ndarray:
        """Refimpl's own output on the vector's inputs, in the vector's dtype (dense).

        Returns
        -------
        numpy.ndarray
            What a correct implementation writes as ``OUTPUTS/NAME.npy``.
        """
        return to_numpy(get_spec(self.function).call(self.config, self.inputs))


def _load_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise VectorFileError(
            f"{path} does not exist: not a vector set (write one with `refimpl vectors write`)"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VectorFileError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        got = manifest.get("format") if isinstance(manifest, dict) else manifest
        raise VectorFileError(f"{path}: format must be {FORMAT!r}, got {got!r}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise VectorFileError(
            f"{path}: format_version must be {FORMAT_VERSION}, got {manifest.get('format_version')!r}"
        )
    names = [v.get("name") for v in manifest.get("vectors", [])]
    if len(set(names)) != len(names):
        raise VectorFileError(f"{path}: vector names must be unique")
    return manifest


def _check_hashes(directory: Path, entry: dict[str, Any]) -> None:
    files = [entry["inputs"]["w"], *entry["inputs"].get("inputs", []), entry["expected"], entry["bound"]]
    hashes = entry.get("sha256", {})
    for file_name in files:
        if file_name not in hashes:
            raise VectorFileError(f"vector {entry['name']}: the manifest has no sha256 for {file_name}")
    for file_name, digest in hashes.items():
        path = directory / file_name
        if Path(file_name).name != file_name:
            raise VectorFileError(f"vector {entry['name']}: file name {file_name!r} is not a plain file name")
        if not path.is_file():
            raise VectorFileError(f"vector {entry['name']}: file {path} is missing")
        actual = sha256(path)
        if actual != digest:
            raise VectorFileError(
                f"vector {entry['name']}: file {path} is corrupted or edited: its sha256 is {actual}, "
                f"the manifest says {digest}"
            )


def _load(path: Path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise VectorFileError(f"{path} is not a readable .npy file: {exc}") from None


def _vector(directory: Path, entry: dict[str, Any]) -> Vector:
    config = dict(entry["config"])
    if "batch" in config:
        config["batch"] = tuple(config["batch"])
    inputs: dict[str, Any] = {"w": _load(directory / entry["inputs"]["w"])}
    if "inputs" in entry["inputs"]:
        inputs["inputs"] = [_load(directory / f) for f in entry["inputs"]["inputs"]]
    return Vector(
        entry["name"], entry["function"], config, entry["dtype"], list(entry["flags"]), inputs,
        _load(directory / entry["expected"]), _load(directory / entry["bound"]),
        bool(entry["exact"]), int(entry["rounding_count_K"]),
    )


def read_vectors(directory: str | os.PathLike[str]) -> list[Vector]:
    """Read a vector set back, after checking the SHA-256 of every file against the manifest.

    Parameters
    ----------
    directory : str or path
        A directory written by :func:`write_vectors`.

    Returns
    -------
    list of Vector
        In manifest order.

    Raises
    ------
    VectorFileError
        If the manifest is missing or malformed, or a file is missing or does not match its hash
        (the message names the file).

    Examples
    --------
    >>> import tempfile
    >>> from refimpl.oracle.vectors import read_vectors, write_vectors
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = write_vectors(d, large=False)
    ...     vectors = read_vectors(d)
    >>> v = vectors[0]
    >>> v.name, v.inputs["w"].dtype, v.expected.dtype, v.exact
    ('dp_basic_f32', dtype('float32'), dtype('float64'), True)
    """
    directory = Path(directory)
    manifest = _load_manifest(directory)
    for entry in manifest["vectors"]:  # every hash first, before anything is read
        _check_hashes(directory, entry)
    return [_vector(directory, entry) for entry in manifest["vectors"]]
