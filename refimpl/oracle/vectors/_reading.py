"""Reading a golden vector set back: its manifest, digest and hashes checked, its files compared
with what refimpl computes.

The format is specified field by field in ``docs/vectors.rst``; :mod:`refimpl.oracle.vectors`
is the public entry point.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..._outputs import to_numpy
from ...functions import get_function
from ._cases import Computed, VectorFileError, check_entries
from ._files import FORMAT, FORMAT_VERSION, MANIFEST, check_folder, manifest_digest, sha256

__all__ = ["Vector", "read_vectors"]


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
        return to_numpy(get_function(self.function).call(self.config, self.inputs))


def _load_manifest(directory: Path) -> dict[str, Any]:
    """The manifest, parsed, after checking its format, version and digest (not yet its entries)."""
    path = directory / MANIFEST
    check_folder(directory, "the vector set folder")
    if not path.is_file():
        raise VectorFileError(
            f"{path} does not exist: not a vector set (write one with `refimpl vectors write`)"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise VectorFileError(f"{path} is not readable JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        got = manifest.get("format") if isinstance(manifest, dict) else manifest
        raise VectorFileError(f"{path}: format must be {FORMAT!r}, got {got!r}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise VectorFileError(
            f"{path}: format_version must be {FORMAT_VERSION}, got {manifest.get('format_version')!r}"
        )
    return manifest


def _check_digest(manifest: dict[str, Any], path: Path) -> None:
    if "manifest_sha256" not in manifest:
        raise VectorFileError(
            f"{path} has no field 'manifest_sha256' (written by an older refimpl?): rewrite the set"
        )
    digest = manifest_digest(manifest)
    if manifest["manifest_sha256"] != digest:
        raise VectorFileError(
            f"{path} was edited: manifest_sha256 is {manifest['manifest_sha256']!r}, "
            f"the digest of the manifest is {digest!r}"
        )


def _check_hashes(directory: Path, entry: dict[str, Any]) -> None:
    """Each file's SHA-256 against the entry's (whose file names :func:`check_entries` checked)."""
    for file_name, digest in entry["sha256"].items():
        path = directory / file_name
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
        array: np.ndarray = np.load(path, allow_pickle=False)  # a .npy file: one array (typed Any)
        return array
    except (OSError, ValueError) as exc:
        raise VectorFileError(f"{path} is not a readable .npy file: {exc}") from None


def _differs(got: np.ndarray, want: np.ndarray, allowed: np.ndarray | None) -> str:
    """What is wrong with a file's array, or ``""``: the dtype, the shape, or the first wrong entry."""
    if got.dtype != want.dtype or got.shape != want.shape:
        return (
            f"has dtype {got.dtype.str} and shape {got.shape}, "
            f"refimpl computes {want.dtype.str} and {want.shape}"
        )
    with np.errstate(all="ignore"):
        if allowed is None:  # the inputs: identical, nan where refimpl has nan
            wrong = ~((got == want) | (np.isnan(got) & np.isnan(want)))
        else:
            same = (np.isnan(got) == np.isnan(want)) & (np.isinf(got) == np.isinf(want))
            wrong = ~same | (np.isfinite(want) & ~(np.abs(got - want) <= allowed))
            wrong |= np.isinf(want) & (got != want)
    if not np.any(wrong):
        return ""
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    limit = "" if allowed is None else f" (allowed error {allowed[index]:.3g})"
    return (
        f"differs from what refimpl computes: entry {index} is {got[index]}, "
        f"refimpl's is {want[index]}{limit}"
    )


def _vector(directory: Path, computed: Computed) -> Vector:
    """The vector, its files read and compared with what refimpl computes for its case."""
    arrays = {name: _load(directory / name) for name in computed.arrays}
    expected_name, bound_name = computed.entry["expected"], computed.entry["bound"]
    want_bound = computed.arrays[bound_name]
    for name, got in arrays.items():
        want = computed.arrays[name]
        allowed = {expected_name: want_bound, bound_name: 1e-6 * want_bound}.get(name)
        problem = _differs(got, want, allowed)
        if problem:
            raise VectorFileError(f"vector {computed.case.name}: file {name} {problem}")
    files = computed.entry["inputs"]
    inputs: dict[str, Any] = {"w": arrays[files["w"]]}
    if "inputs" in files:
        inputs["inputs"] = [arrays[f] for f in files["inputs"]]
    config = dict(computed.case.config)
    if "batch" in config:
        config["batch"] = tuple(config["batch"])
    e = computed.entry
    return Vector(
        e["name"],
        e["function"],
        config,
        e["dtype"],
        list(e["flags"]),
        inputs,
        arrays[expected_name],
        arrays[bound_name],
        e["exact"],
        e["rounding_count_K"],
    )


def read_vectors(directory: str | os.PathLike[str]) -> list[Vector]:
    """Read a vector set back, after checking its manifest and files against what refimpl computes.

    In this order: the manifest's format and version; every entry recomputed from its case
    (:func:`refimpl.oracle.vectors._cases.check_entries`: each field, the list of vectors and its
    order); the manifest's digest ``manifest_sha256``; the SHA-256 of every file; then each file's
    content against the recomputed arrays (inputs identical, ``expected`` within the bound,
    ``bound`` to a relative ``1e-6``).

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
        If the manifest is missing, malformed or edited, or a file is missing, does not match its
        hash or its content disagrees with refimpl's (the message names the vector, the field or
        the file, and both values).
    FileNotFoundError, NotADirectoryError
        If ``directory`` does not exist or is a file.

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
    computed = check_entries(manifest, str(directory / MANIFEST))
    _check_digest(manifest, directory / MANIFEST)
    for entry in manifest["vectors"]:  # every hash first, before anything is read
        _check_hashes(directory, entry)
    return [_vector(directory, c) for c in computed]
