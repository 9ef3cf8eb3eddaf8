"""Golden vectors: refimpl's answers on disk, for implementations that are not written in Python.

This module only re-exports :mod:`refimpl.oracle.vectors` (where the format, writing, reading
and verification live), so that ``from refimpl.vectors import write_vectors`` keeps working.
The command line is ``refimpl vectors write DIR`` / ``refimpl vectors verify DIR OUTPUTS``.
"""

from .oracle.vectors import (
    FORMAT,
    FORMAT_VERSION,
    TOLERANCE_RULE,
    Vector,
    VectorFileError,
    VectorResult,
    VerifyReport,
    manifest_digest,
    read_vectors,
    verify_vectors,
    write_vectors,
)

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
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
