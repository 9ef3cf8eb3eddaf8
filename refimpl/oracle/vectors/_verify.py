"""The verdicts on another implementation's outputs against a golden vector set.

:func:`verify_vectors` reads the set back (``_reading``: everything checked first), then judges
each vector's output with :func:`refimpl.oracle.judgement.judge`; :class:`VerifyReport` holds one
:class:`VectorResult` per vector.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..._outputs import UnreadableOutput, read_output
from ..judgement import Judgement, judge
from ._cases import DTYPES
from ._files import check_folder
from ._reading import read_vectors

__all__ = ["VectorResult", "VerifyReport", "verify_vectors"]


@dataclass
class VectorResult:
    """The verdict on one vector's output.

    Attributes
    ----------
    name, function, dtype : str
        The vector's.
    flags : list of str
        The vector's flags.
    status : {"pass", "fail", "missing", "unreadable"}
        ``"missing"``: no output was given; ``"unreadable"``: the output file is not a ``.npy`` array.
    message : str
        The judgement's summary (``"pass"``, or what is wrong).
    error, allowed : float or None
        The worst entry's absolute error and its bound: for a failure the entry that exceeds
        its bound the most, for a pass the entry closest to its bound (relative to it);
        ``None`` when no entry was compared (a structural failure, or an empty output).
    judgement : Judgement or None
        The full :class:`refimpl.oracle.tolerance.Judgement`.
    """

    name: str
    function: str
    dtype: str
    flags: list[str]
    status: str
    message: str = ""
    error: float | None = None
    allowed: float | None = None
    judgement: Judgement | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        """``True`` when the output is present and within its bound."""
        return self.status == "pass"

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data.

        Returns
        -------
        dict
            ``name, function, dtype, flags, status, message, error, allowed``, and
            ``wrong, total`` (entries off, entries) when the output was judged.
        """
        keys = ("name", "function", "dtype", "flags", "status", "message", "error", "allowed")
        out = {k: getattr(self, k) for k in keys}
        if self.judgement is not None:
            out.update(wrong=self.judgement.wrong, total=self.judgement.total)
        return out


@dataclass
class VerifyReport:
    """The verdict on a directory of outputs: one :class:`VectorResult` per vector.

    Attributes
    ----------
    results : list of VectorResult
        In manifest order.
    directory : str
        The vector set.
    outputs : str
        Where the outputs came from.
    """

    results: list[VectorResult]
    directory: str = ""
    outputs: str = ""

    @property
    def passed(self) -> bool:
        """``True`` when every vector's output is present and passes."""
        return bool(self.results) and all(r.passed for r in self.results)

    def counts(self) -> dict[str, int]:
        """How many vectors have each status.

        Returns
        -------
        dict
            ``{"pass": ..., "fail": ..., "missing": ..., "unreadable": ...}``.
        """
        out = {"pass": 0, "fail": 0, "missing": 0, "unreadable": 0}
        for r in self.results:
            out[r.status] += 1
        return out

    def consistent_mistakes(self) -> dict[str, list[str]]:
        """For each function with a failure, the catalogued mistakes that fit its failures.

        A hint, not a diagnosis: the mistakes (named without ``exposes:``) that the function's
        every failed vector exposes and none of its passed vectors does, so that the mistake
        would explain exactly which of its vectors failed. Functions where nothing fits are left out.

        Returns
        -------
        dict
            ``{function: sorted mistake names}``.
        """
        out = {}
        for function in dict.fromkeys(r.function for r in self.results):
            mine = [r for r in self.results if r.function == function]
            failed = [set(r.flags) for r in mine if r.status in ("fail", "unreadable")]
            if not failed:
                continue
            passed = set().union(*[set(r.flags) for r in mine if r.passed])
            common = set.intersection(*failed) - passed
            fits = sorted(f.removeprefix("exposes:") for f in common if f.startswith("exposes:"))
            if fits:
                out[function] = fits
        return out

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data.

        Returns
        -------
        dict
            ``passed, counts, consistent_mistakes, directory, outputs, results``.
        """
        return {
            "passed": self.passed,
            "counts": self.counts(),
            "consistent_mistakes": self.consistent_mistakes(),
            "directory": self.directory,
            "outputs": self.outputs,
            "results": [r.to_dict() for r in self.results],
        }

    def summary(self) -> str:
        """The verdict in one line.

        Returns
        -------
        str
            ``"PASS: 45 vectors: 45 passed, 0 failed, 0 missing, 0 unreadable"``.
        """
        c = self.counts()
        return (
            f"{'PASS' if self.passed else 'FAIL'}: {len(self.results)} vectors: {c['pass']} passed, "
            f"{c['fail']} failed, {c['missing']} missing, {c['unreadable']} unreadable"
        )

    def __str__(self) -> str:
        """What went wrong with each vector that did not pass, the mistakes that fit, the verdict.

        :func:`refimpl.cli.vectors.report_table` adds a line per vector above it.
        """
        parts = []
        problems = [f"  {r.name}: {r.message}" for r in self.results if not r.passed]
        if problems:
            parts += ["problems:", *problems, ""]
        fits = self.consistent_mistakes()
        if fits:
            parts += ["catalogued mistakes that fit exactly which vectors failed:"]
            parts += [f"  {function}: {', '.join(names)}" for function, names in fits.items()]
            parts += [""]
        return "\n".join([*parts, self.summary()])


def _worst_passing(
    actual: np.ndarray, expected: np.ndarray, bound: np.ndarray
) -> tuple[float | None, float | None]:
    """The entry closest to its bound, relative to it, in an output that passed."""
    finite = np.isfinite(expected)
    if not np.any(finite):
        return None, None
    with np.errstate(all="ignore"):
        error = np.where(finite, np.abs(actual.astype(expected.dtype) - expected), 0.0)
        ratio = np.where(bound > 0, error / np.where(bound > 0, bound, 1.0), np.where(error > 0, np.inf, 0.0))
    index = np.unravel_index(int(np.argmax(np.where(finite, ratio, -1.0))), expected.shape)
    return float(error[index]), float(bound[index])


def _read_output(outputs: Any, name: str) -> tuple[str, Any]:
    """``("ok", array)``, ``("missing", None)`` or ``("unreadable", message)``."""
    if isinstance(outputs, Mapping):
        if name not in outputs:
            return "missing", None
        try:
            return "ok", read_output(outputs[name]).dense
        except UnreadableOutput as exc:
            return "unreadable", str(exc)
    path = Path(outputs) / f"{name}.npy"
    if not path.is_file():
        return "missing", None
    try:
        _check_npy_size(path)
        a = np.load(path, allow_pickle=False)
    except (OSError, ValueError, MemoryError) as exc:
        return "unreadable", f"{path} is not a readable .npy file: {exc}"
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))  # a big-endian file: the same values, native order
    return "ok", a


def _check_npy_size(path: Path) -> None:
    """Refuse a ``.npy`` file whose header claims more values than the file holds, before
    anything is allocated (a header claiming ``10**12`` values is a short file, not a request
    for terabytes)."""
    with path.open("rb") as f:
        version = np.lib.format.read_magic(f)
        read_header = {
            (1, 0): np.lib.format.read_array_header_1_0,
            (2, 0): np.lib.format.read_array_header_2_0,
        }
        if version not in read_header:  # a newer format: np.load judges it, MemoryError caught
            return
        shape, _, dtype = read_header[version](f)  # the header only
        claimed = math.prod(shape) * dtype.itemsize
        held = path.stat().st_size - f.tell()
    if claimed > held:
        raise ValueError(
            f"its header claims shape {shape} of {dtype} ({claimed} bytes), the file holds {held}"
        )


def verify_vectors(
    directory: str | os.PathLike[str], outputs: str | os.PathLike[str] | Mapping[str, Any]
) -> VerifyReport:
    """Judge another implementation's outputs against a golden vector set.

    The set is checked first (:func:`read_vectors`: the manifest recomputed entry by entry, its
    digest, every file's SHA-256 and content); then each vector's output ``OUTPUTS/NAME.npy`` is
    judged by :func:`refimpl.oracle.tolerance.judge`: shape, dtype and ``nan``/``inf`` placement
    exactly, every other entry within ``bound`` of ``expected``.

    Parameters
    ----------
    directory : str or path
        The vector set (from :func:`write_vectors`).
    outputs : str or path, or mapping
        A directory holding ``NAME.npy`` for each vector ``NAME``, or a mapping from vector
        names to arrays (any array library). Outputs of no vector are ignored.

    Returns
    -------
    VerifyReport
        One result per vector; a vector with no output is ``"missing"`` (never a pass).

    Raises
    ------
    VectorFileError
        If the set cannot be trusted: the manifest is malformed or disagrees with what refimpl
        computes (the message names the vector and the field), or a vector file is missing, does
        not match its hash or holds other values than refimpl's.
    FileNotFoundError, NotADirectoryError
        If ``directory`` or the ``outputs`` folder does not exist or is not a folder.

    Examples
    --------
    >>> import tempfile
    >>> from refimpl.oracle.vectors import read_vectors, verify_vectors, write_vectors
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = write_vectors(d, large=False)
    ...     outputs = {v.name: v.reference_output() for v in read_vectors(d)}
    ...     report = verify_vectors(d, outputs)
    ...     del outputs["dp_basic_f32"]
    ...     partial = verify_vectors(d, outputs)
    >>> report.passed, partial.passed, partial.results[0].status
    (True, False, 'missing')
    """
    directory = Path(directory)
    check_folder(directory, "the vector set folder")
    if not isinstance(outputs, Mapping):
        check_folder(outputs, "the outputs folder")
    vectors = read_vectors(directory)
    results = []
    for v in vectors:
        status, got = _read_output(outputs, v.name)
        if status != "ok":
            message = "no output" if status == "missing" else got
            results.append(VectorResult(v.name, v.function, v.dtype, v.flags, status, message))
            continue
        dtype = DTYPES[v.dtype]
        with np.errstate(invalid="ignore", over="ignore"):  # inf - inf where inf is expected
            verdict = judge(got, v.expected, v.bound, dtype=dtype, K=v.K, exact=v.exact)
        if verdict.passed:
            error, allowed = _worst_passing(got, v.expected, v.bound)
        elif verdict.worst:
            error, allowed = verdict.worst["error"], verdict.worst["allowed"]
        else:
            error = allowed = None
        results.append(
            VectorResult(
                v.name,
                v.function,
                v.dtype,
                v.flags,
                "pass" if verdict.passed else "fail",
                verdict.summary(),
                error,
                allowed,
                verdict,
            )
        )
    where = "(in memory)" if isinstance(outputs, Mapping) else str(outputs)
    return VerifyReport(results, str(directory), where)
