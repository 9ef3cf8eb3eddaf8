"""The files of a golden vector set: their format, their hashes, and writing them.

The format is specified field by field in ``docs/vectors.rst``; :mod:`refimpl.oracle.vectors`
is the public entry point. Reading a set back is ``_reading``'s.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ._cases import cases, compute

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "TOLERANCE_RULE",
    "canonical_json",
    "check_folder",
    "manifest_digest",
    "manifest_text",
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
    >>> from refimpl.oracle.vectors import manifest_digest
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
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
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
    from ... import __version__

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


def check_folder(path: str | os.PathLike[str], what: str) -> None:
    """Raise ``FileNotFoundError`` or ``NotADirectoryError`` unless ``path`` is a folder (a usage error)."""
    if not Path(path).exists():
        raise FileNotFoundError(f"{what} {path} does not exist")
    if not Path(path).is_dir():
        raise NotADirectoryError(f"{what} {path} is a file, not a folder")
