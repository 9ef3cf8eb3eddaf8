"""Diagnosis of wrong outputs: which catalogued implementation mistakes reproduce them.

The mistakes are those of :mod:`refimpl.oracle.mistakes`, the one catalogue, where each
changes one *stage* of the computation. The outputs of the mistakes are built in float64
(complex128) from the candidate's own inputs, alone, in pairs from two different stages and,
when none of these reproduces the candidate's output, in triples
(:mod:`refimpl.oracle.diagnosis._combinations` searches them); a combination is named when it reproduces
the output under the oracle's rule (:func:`refimpl.oracle.judgement.disagreeing`, with the
bound of :func:`refimpl.oracle.tolerance.expected_and_bound` for the candidate's dtype and the
magnitude of the mistaken computation itself; exact equality for the padding functions). A pair
is not named when one of its mistakes already reproduces the output alone. Mistakes are named by
their prose names (:attr:`refimpl.oracle.mistakes.Mistake.name`), joined by ``" + "``.

* :func:`diagnose` diagnoses one output. On a tiny output (one row, ``w`` of 0s and 1s)
  unrelated mistakes can agree with it by chance.
* :func:`diagnose_failures` diagnoses a candidate: it reruns its failing configurations on
  :func:`informative_inputs` and names only the combinations that reproduce every one of them,
  or says that no known mistake matches. A confident wrong name is worse than silence.

For the padding functions, which only copy entries of ``w``, a ``w`` with distinct entries (say
``1..l``) lets the output be decoded: each entry tells which entry of ``w`` it holds, and the
first misplaced entries are reported as ``entry (i, j) holds w[k], expected w[k']``.

The parts: :class:`Diagnosis` and :func:`diagnose` in ``_diagnose``, :func:`diagnose_failures`
in ``_failures``, the search of combinations in ``_combinations``, the informative inputs and
configurations in ``_informative``.
"""

from ._diagnose import Diagnosis, diagnose
from ._failures import CASES as CASES  # how many failing configurations are rerun
from ._failures import Failure, diagnose_failures
from ._informative import informative_inputs

__all__ = ["Diagnosis", "Failure", "diagnose", "diagnose_failures", "informative_inputs"]
