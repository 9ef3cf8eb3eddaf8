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

from .._outputs import to_numpy
from ..functions import get_function
from ._vector_cases import Computed, VectorFileError, cases, check_entries, compute

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "TOLERANCE_RULE",
    "Vector",
    "VectorFileError",
    "canonical_json",
    "check_folder",
    "manifest_digest",
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


def canonical_json(value: Any) -> str:
    """The canonical JSON of ``value``: keys sorted, no whitespace, ASCII only (``\\uXXXX`` escapes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def manifest_digest(manifest: dict[str, Any]) -> str:
    """The digest ``manifest_sha256`` holds: the SHA-256 of the manifest's canonical JSON.

    Every field counts (the vectors in their order, each with all its fields) except
    ``manifest_sha256`` itself and ``refimpl_version`` (information only).

    Examples
    --------
    >>> from refimpl.oracle._vector_files import manifest_digest
    >>> a = manifest_digest({"vectors": [{"name": "x"}, {"name": "y"}], "refimpl_version": "1"})
    >>> a == manifest_digest({"vectors": [{"name": "x"}, {"name": "y"}], "refimpl_version": "2"})
    True
    >>> a == manifest_digest({"vectors": [{"name": "y"}, {"name": "x"}], "refimpl_version": "1"})
    False
    """
    covered = {k: v for k, v in manifest.items() if k not in ("manifest_sha256", "refimpl_version")}
    return hashlib.sha256(canonical_json(covered).encode("ascii")).hexdigest()


def _previous_files(directory: Path) -> list[str]:
    """The files a previous set in ``directory`` consists of, by its manifest: what ``force`` removes."""
    path = directory / MANIFEST
    if not path.exists():
        return []
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise FileExistsError(
            f"{path} is not the manifest of a vector set: not replacing it, even with --force "
            "(move it away, or write the set into another folder)"
        )
    names = set()
    entries = manifest.get("vectors")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        listed = [*(entry.get("sha256") or {}), entry.get("expected"), entry.get("bound")]
        if isinstance(entry.get("inputs"), dict):
            listed += [entry["inputs"].get("w"), *(entry["inputs"].get("inputs") or [])]
        names |= {n for n in listed if isinstance(n, str) and n.endswith(".npy") and Path(n).name == n}
    return [*sorted(names), MANIFEST]


def _make_room(directory: Path, force: bool) -> None:
    """Create ``directory``; refuse it if not empty, unless ``force``: then remove the previous set."""
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"{directory} is a file, not a folder: a vector set is a folder")
    directory.mkdir(parents=True, exist_ok=True)
    present = sorted(p.name for p in directory.iterdir())
    if not present:
        return
    if not force:
        raise FileExistsError(
            f"{directory} is not empty ({len(present)} entries, e.g. {present[0]}): write the set into "
            "a new or empty folder, or pass --force (force=True) to replace the vector set in it"
        )
    for name in _previous_files(directory):
        if (directory / name).is_file():
            (directory / name).unlink()


def write_vectors(directory: str | os.PathLike[str], *, large: bool = True, force: bool = False) -> Path:
    """Write the golden vector set (``manifest.json`` and ``.npy`` files) into ``directory``.

    Parameters
    ----------
    directory : str or path
        Created if missing; it must be empty unless ``force``.
    large : bool, default True
        Include the large vectors (a 1024 x 1024 diagonal padding, fusions with ``N = n = 1024``
        and ``N*n = 2**18``); without them the set is about 100 kB.
    force : bool, default False
        Write into a folder that is not empty: first remove the files the folder's previous
        ``manifest.json`` lists, and the manifest, so no file of the old set is left behind.
        Files no manifest lists are left alone, and a ``manifest.json`` that is not a vector
        set's is never replaced.

    Returns
    -------
    Path
        The path of the manifest.

    Raises
    ------
    FileExistsError
        If ``directory`` is not empty and ``force`` is false, or it holds a ``manifest.json``
        that is not a vector set's.
    NotADirectoryError
        If ``directory`` is a file.

    Examples
    --------
    >>> import json, tempfile
    >>> from refimpl.oracle.vectors import write_vectors
    >>> with tempfile.TemporaryDirectory() as d:
    ...     manifest = json.loads(write_vectors(d, large=False).read_text())
    ...     _ = write_vectors(d, large=False, force=True)  # d is not empty now
    >>> manifest["format"], manifest["format_version"], len(manifest["manifest_sha256"])
    ('refimpl-vectors', 1, 64)
    >>> v = manifest["vectors"][0]
    >>> v["name"], v["function"], v["config"], v["dtype"]
    ('dp_basic_f32', 'duplicated_padding', {'n': 6, 'D': 12, 'p': 2, 'q': 3}, 'float32')
    """
    from .. import __version__

    directory = Path(directory)
    _make_room(directory, force)
    entries = []
    for case in cases(large):
        computed = compute(case)
        for file_name, array in computed.arrays.items():
            _save(directory / file_name, array)
        hashes = {file_name: sha256(directory / file_name) for file_name in computed.arrays}
        entries.append({**computed.entry, "sha256": hashes})
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "refimpl_version": __version__,
        "large": large,
        "tolerance_rule": TOLERANCE_RULE,
        "manifest_sha256": "",
        "vectors": entries,
    }
    manifest["manifest_sha256"] = manifest_digest(manifest)
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
        return to_numpy(get_function(self.function).call(self.config, self.inputs))


def check_folder(path: str | os.PathLike[str], what: str) -> None:
    """Raise ``FileNotFoundError`` or ``NotADirectoryError`` unless ``path`` is a folder (a usage error)."""
    if not Path(path).exists():
        raise FileNotFoundError(f"{what} {path} does not exist")
    if not Path(path).is_dir():
        raise NotADirectoryError(f"{what} {path} is a file, not a folder")


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
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
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
    (:func:`refimpl.oracle._vector_cases.check_entries`: each field, the list of vectors and its
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
