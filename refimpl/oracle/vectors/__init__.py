"""Golden vectors: refimpl's answers on disk, for implementations that are not written in Python.

A *vector set* is a directory holding ``manifest.json`` and ``.npy`` files (NumPy format 1.0,
little-endian, C order). Each vector is one call of one function of SPEC: its configuration,
its inputs in one dtype, the expected output (in float64 or complex128) and the error allowed
in each entry of a candidate's output in that dtype. Every vector carries flags naming what it
targets: an edge case of the configuration (``p_ne_q``, ``m_eq_0``, ...) or a family of mistakes
from :mod:`refimpl.oracle.mistakes` that it exposes (``exposes:column_major_reshape``, ...), in
the spirit of Wycheproof's test vectors. Every file's SHA-256 is in the manifest, so an edited
or corrupted file is refused before anything is judged, and a manifest cannot drift: ``verify``
recomputes every vector from its case (its configuration, inputs, expected output, bound, flags
and the rest of its entry) and refuses a set whose manifest or files disagree, naming the
vector and the field; the list of vectors and its order are the set's, and ``manifest_sha256``
digests the whole manifest.

The format is specified field by field in ``docs/vectors.rst``. The command line
(:mod:`refimpl.cli.vectors`) is::

    refimpl vectors write DIR [--no-large] [--force]
    refimpl vectors verify DIR OUTPUTS [--json]

``verify`` reads ``OUTPUTS/NAME.npy`` for every vector ``NAME`` and judges it with
:func:`refimpl.oracle.tolerance.judge` (shape, dtype and ``nan``/``inf`` placement exactly, values
within the bound: only the padding functions' vectors hold non-finite values, so the multiplying
functions' rule on them, the set of non-finite entries, reads the same here); it exits 0 only
when every output is present and passes.

The ``exposes:`` flags are computed, not asserted: when the set is written, each catalogued
mistake is applied to the vector's inputs by :func:`refimpl.oracle.mistakes.mistaken_output`,
and the vector is flagged with its family only when the mistaken output fails the same
judgement, or the mistake cannot run on the vector's configuration (for a family with several
variants, such as the other 23 orders of the four segments of ``w``, only when every variant
does).

The parts: the table of cases, their inputs, flags and manifest entries in ``_cases``; writing
the files in ``_files``, reading them back in ``_reading``; the verdicts on outputs in ``_verify``.
"""

from ._cases import MISTAKES, VectorFileError
from ._files import FORMAT, FORMAT_VERSION, TOLERANCE_RULE, manifest_digest, write_vectors
from ._reading import Vector, read_vectors
from ._verify import VectorResult, VerifyReport, verify_vectors

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MISTAKES",
    "TOLERANCE_RULE",
    "Vector",
    "VectorFileError",
    "VectorResult",
    "VerifyReport",
    "manifest_digest",
    "read_vectors",
    "verify_vectors",
    "write_vectors",
]
