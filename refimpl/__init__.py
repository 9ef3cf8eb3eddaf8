"""refimpl: a reference implementation of structured parameter matrices.

Duplicated (diagonal) padding reconciliation and Dual-LPHM parameterized concatenation
fusion, from the tinybig / RPN family of models, written once against the array API
standard: NumPy, CuPy, PyTorch and ``array_api_strict`` arrays all take the same code path.

Conventions (the docs' conventions page has them all): reshapes and ``vec`` are row-major;
``w`` has shape ``(l,)`` or ``(1, l)``; ``kron`` is ``numpy.kron``; ``q`` defaults to ``p``;
``p`` divides the rows and ``q`` the columns of the matrix it shapes.
"""

from ._memory import DEFAULT_MEMORY_LIMIT, MemoryLimitError, get_memory_limit, memory_limit, set_memory_limit
from ._validation import RefimplError
from ._xp import get_backend, set_backend, use_backend
from .classes import (
    dual_lphm_parameterized_concatenation_fusion,
    dual_lphm_reconciliation,
    duplicated_diagonal_padding_reconciliation,
    duplicated_padding_reconciliation,
)
from .functions._sparse import SPARSE_FORMATS
from .functions.concatenation_fusion import concatenation_fusion, concatenation_fusion_l
from .functions.dual_lphm import dual_lphm, dual_lphm_l, dual_lphm_operator
from .functions.dual_lphm_fusion import dual_lphm_fusion, dual_lphm_fusion_l, dual_lphm_fusion_operator
from .functions.duplicated_diagonal_padding import (
    DuplicatedDiagonalPaddingOperator,
    duplicated_diagonal_padding,
    duplicated_diagonal_padding_operator,
)
from .functions.duplicated_padding import (
    DuplicatedPaddingOperator,
    duplicated_padding,
    duplicated_padding_l,
    duplicated_padding_operator,
)
from .operators import DualLphmOperator, StructuredOperator

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "SPARSE_FORMATS",
    "MemoryLimitError",
    "DualLphmOperator",
    "DuplicatedDiagonalPaddingOperator",
    "DuplicatedPaddingOperator",
    "RefimplError",
    "StructuredOperator",
    "concatenation_fusion",
    "concatenation_fusion_l",
    "memory_limit",
    "dual_lphm",
    "dual_lphm_fusion",
    "dual_lphm_fusion_operator",
    "dual_lphm_fusion_l",
    "dual_lphm_l",
    "dual_lphm_operator",
    "dual_lphm_parameterized_concatenation_fusion",
    "dual_lphm_reconciliation",
    "duplicated_diagonal_padding",
    "duplicated_diagonal_padding_operator",
    "duplicated_diagonal_padding_reconciliation",
    "duplicated_padding",
    "duplicated_padding_l",
    "duplicated_padding_operator",
    "duplicated_padding_reconciliation",
    "get_backend",
    "get_memory_limit",
    "set_backend",
    "set_memory_limit",
    "use_backend",
]
