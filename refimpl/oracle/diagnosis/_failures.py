"""The diagnosis of a candidate's failures: :class:`Failure`, and :func:`diagnose_failures`.

The failing configurations are rerun on informative inputs (``_informative``), larger
relatives and generic configurations join them, and a combination of catalogued mistakes is
named only when it reproduces every one of these cases (``_combinations``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...functions import Function, get_function
from .. import mistakes as _mistakes
from ._combinations import search
from ._diagnose import Diagnosis, ValueFailure, name_matches, value_failure
from ._informative import generic_configurations, grown_configurations, informative_inputs, telling

__all__ = ["CASES", "Failure", "diagnose_failures"]

#: The most failing configurations a diagnosis reruns, the largest first.
CASES = 4


@dataclass
class Failure:
    """One failing case of a candidate: its configuration, inputs and output.

    Parameters
    ----------
    config : dict
        The configuration the candidate was called with.
    inputs : dict
        ``{"w": w}``, and ``"inputs": [A_1, ..., A_k]`` for the fusions, as NumPy arrays.
    actual : object
        The candidate's output, in any array library; ``None`` when the candidate raised.
    """

    config: dict[str, Any]
    inputs: dict[str, Any]
    actual: Any = None


def _informative(
    spec: Function, failure: Failure, rerun: Callable[[dict[str, Any], dict[str, Any]], Any] | None
) -> tuple[ValueFailure | None, bool]:
    """The failure's configuration rerun on informative inputs, if that fails; else the failure
    itself (a mistake that shows on its inputs only, such as ``0 * inf``). ``None`` when the
    rerun raises or nothing has wrong values. The second value says whether the rerun is used."""
    config = spec.normalize(failure.config)
    tagged = None if rerun is None else informative_inputs(spec, config, failure.inputs)
    if rerun is not None and tagged is not None:
        try:
            output = rerun(failure.config, tagged)
        except Exception:
            return None, False
        case = value_failure(spec, config, output, tagged)
        if case is not None:
            return case, True
    if failure.actual is None:
        return None, False
    return value_failure(spec, config, failure.actual, failure.inputs), False


def _largest_first(spec: Function, failures: Sequence[Failure]) -> list[Failure]:
    """One failure of each configuration where the candidate gave an output, the largest first."""
    seen: dict[str, Failure] = {}
    for failure in reversed(failures):  # the shrunk failure is last: it represents its configuration
        if failure.actual is not None:
            seen.setdefault(repr(sorted(spec.normalize(failure.config).items())), failure)
    return sorted(seen.values(), key=lambda f: -int(np.prod(spec.output_shape(spec.normalize(f.config)))))


def diagnose_failures(
    function: str | Function,
    failures: Sequence[Failure],
    rerun: Callable[[dict[str, Any], dict[str, Any]], Any] | None = None,
) -> Diagnosis | None:
    """Name the catalogued mistakes that reproduce every failing case tried, or none.

    The largest few failing configurations where the candidate gave an output (one of each, at
    most :data:`CASES`) are rerun, when ``rerun`` is given, with :func:`informative_inputs`:
    index-tagged ``w`` and distinct inputs, on which two different mistakes practically never
    agree by chance. A configuration whose rerun raises is skipped; one whose rerun is right is
    diagnosed on its own inputs. The candidate is also run on two larger relatives of the
    largest failing configuration (:func:`grown_configurations`) and two generic ones (``p``,
    ``q``, ``s``, ``t`` distinct, ``r = 2``), which join the cases where it is wrong there too:
    a small failing configuration can make different mistakes agree. A combination of up to three catalogued mistakes, from
    different stages, is named only when it reproduces *every* case tried (one that cannot run
    on a case does not reproduce it); otherwise the diagnosis says that no known mistake matches.

    Parameters
    ----------
    function : str or Function
        A name of :data:`refimpl.functions.FUNCTIONS`.
    failures : sequence of Failure
        The failing cases, in the order found (the minimal one last); those where the
        candidate raised (``actual=None``) are not diagnosed.
    rerun : callable, optional
        ``rerun(config, inputs)`` calls the candidate again with NumPy inputs and returns its
        output (or raises).

    Returns
    -------
    Diagnosis or None
        Of the largest case, with the matches of all; ``None`` when no case has wrong values.

    Examples
    --------
    >>> import numpy as np
    >>> def mine(config, inputs):  # i <= j in place of i == j in the block test
    ...     n, D, p, q = config["n"], config["D"], config["p"], config["q"]
    ...     W = np.reshape(inputs["w"], (n // p, D // q))
    ...     return np.block([[W if i <= j else 0 * W for j in range(q)] for i in range(p)])
    >>> small = {"n": 2, "D": 4, "p": 1, "q": 2}  # "ones in place of the identity", by chance
    >>> failure = Failure(small, {"w": np.ones(4)}, mine(small, {"w": np.ones(4)}))
    >>> diagnose_failures("duplicated_diagonal_padding", [failure]).matches
    ['ones in place of the identity']
    >>> large = {"n": 6, "D": 6, "p": 3, "q": 3}
    >>> failures = [Failure(large, {"w": np.ones(4)}, mine(large, {"w": np.ones(4)})), failure]
    >>> print(diagnose_failures("duplicated_diagonal_padding", failures, rerun=mine).matches)
    []
    """
    spec = get_function(function)
    cases, reran = [], []
    for failure in _largest_first(spec, failures):
        case, used = _informative(spec, failure, rerun)
        if case is not None:
            cases.append(case)
            reran.append(used)
        if len(cases) == CASES:
            break
    if not cases:
        return None
    generic = (
        []
        if rerun is None
        else _failures_on(
            spec,
            grown_configurations(spec, cases[0].diagnosis.config)
            + generic_configurations(spec, cases[0].diagnosis.config),
            failures,
            rerun,
        )
    )
    applying = [_mistakes.catalogue(spec, c.diagnosis.config) for c in cases + generic]
    # a mistake that changes nothing on one case (p and q exchanged where p == q) still runs there;
    # one that cannot run on a case (its output None) does not reproduce it
    common = [m for m in _mistakes.catalogue(spec) if any(m in mistakes for mistakes in applying)]
    diagnosis = cases[0].diagnosis
    name_matches(diagnosis, search(common, [c.trial for c in cases + generic]))
    _withhold(spec, diagnosis, cases + generic)
    diagnosis.cases = len(cases) + len(generic)
    how = f", {sum(reran)} of them rerun with index-tagged w and distinct inputs" if any(reran) else ""
    more = (
        f", and {len(generic)} larger configuration(s) where the candidate is also wrong" if generic else ""
    )
    diagnosis.notes.insert(
        0,
        f"diagnosed on {len(cases)} failing configuration(s){how}{more}; "
        "a mistake is named only when it reproduces every one",
    )
    if diagnosis.misplaced and (len(cases) + len(generic) > 1 or reran[0]):  # the details follow
        diagnosis.notes.insert(
            1,
            f"the details below are of {spec.describe(diagnosis.config)}"
            + (", rerun with index-tagged inputs" if reran[0] else ""),
        )
    return diagnosis


def _withhold(spec: Function, diagnosis: Diagnosis, cases: list[ValueFailure]) -> None:
    """Name nothing when every case is too small to tell mistakes apart.

    A configuration where the candidate raised does not count against a mistake: the wrong
    values are diagnosed whatever else fails (an exception on some configurations included)."""
    if diagnosis.matches and not any(telling(spec, c.diagnosis.config) for c in cases):
        diagnosis.notes.append(
            f"{len(diagnosis.matches)} known mistake(s) reproduce these cases, but they are too small "
            "to tell mistakes apart (s, t or r is 1, or a single row): none is named"
        )
        diagnosis.matches = []


def _failures_on(
    spec: Function,
    configs: list[dict[str, Any]],
    failures: Sequence[Failure],
    rerun: Callable[[dict[str, Any], dict[str, Any]], Any],
) -> list[ValueFailure]:
    """The ``configs`` where the candidate, run on informative inputs, is wrong too."""
    like = next(f.inputs for f in failures if f.actual is not None)
    found = []
    for config in configs:
        inputs = informative_inputs(spec, config, like)
        if inputs is None:
            continue
        try:
            output = rerun(config, inputs)
        except Exception:
            continue
        case = value_failure(spec, spec.normalize(config), output, inputs)
        found += [case] if case is not None else []
    return found
