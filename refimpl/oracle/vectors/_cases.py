"""The data of the golden vectors: the table of cases, their inputs, their flags and their entries.

:func:`compute` is the one place a vector's manifest entry and arrays come from: writing the set
stores what it returns, and verifying a set recomputes it and compares, field by field.

The ``exposes:`` flags come from the one catalogue of mistakes, :mod:`refimpl.oracle.mistakes`:
a vector exposes a family of mistakes when every variant of it fails the vector's judgement, or
cannot run on the vector's configuration at all (an implementation that makes it crashes).
"""

from __future__ import annotations

import itertools
import json
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..._validation import RefimplError
from ...functions import FUNCTIONS, get_function
from ..judgement import judge
from ..mistakes import Pipeline, catalogue
from ..tolerance import expected_and_bound

__all__ = [
    "DTYPES",
    "MISTAKES",
    "Case",
    "Computed",
    "VectorFileError",
    "case_inputs",
    "cases",
    "check_entries",
    "compute",
    "edge_flags",
    "exposed",
]


class VectorFileError(RefimplError):
    """A vector set that cannot be trusted: a missing, corrupted or edited file, or a bad manifest."""


#: The dtypes of the vectors, as stored (little-endian).
DTYPES: dict[str, np.dtype] = {
    "float32": np.dtype("<f4"),
    "float64": np.dtype("<f8"),
    "complex128": np.dtype("<c16"),
}
_SHORT = {"float32": "f32", "float64": "f64", "complex128": "c128"}

#: The families of catalogued mistakes of each function: the names the ``exposes:`` flags use.
MISTAKES: dict[str, tuple[str, ...]] = {f: tuple(sorted({m.family for m in catalogue(f)})) for f in FUNCTIONS}


def _table() -> list[tuple[str, str, tuple[str, ...], dict[str, Any]]]:
    """Every case: function, tag, dtypes, configuration, from each function's own list
    (:attr:`refimpl.functions.Function.vectors`); the fusions' ``m`` defaults to 3 here and
    ``batch`` to none."""
    return [(name, *vector) for name, function in FUNCTIONS.items() for vector in function.vectors]


@dataclass(frozen=True)
class Case:
    """One vector to write: a function, a configuration as the manifest records it, a dtype."""

    function: str
    tag: str
    dtype: str
    config: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{get_function(self.function).vector_prefix}_{self.tag}_{_SHORT[self.dtype]}"

    @property
    def large(self) -> bool:
        return self.tag == "large"

    @property
    def nonfinite(self) -> bool:
        return self.tag == "nonfinite"


def cases(large: bool) -> list[Case]:
    """Every vector of the set, in manifest order (the ``large`` ones only when asked)."""
    out = []
    for function, tag, dtypes, config in _table():
        if tag == "large" and not large:
            continue
        config = dict(config)
        if get_function(function).is_fusion:
            config.setdefault("m", 3)
            config.setdefault("batch", [])
        out += [Case(function, tag, dtype, config) for dtype in dtypes]
    return out


def _random(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    values = rng.uniform(-1.0, 1.0, shape)
    if dtype == "complex128":
        values = values + 1j * rng.uniform(-1.0, 1.0, shape)
    return values.astype(DTYPES[dtype])


def case_inputs(case: Case) -> dict[str, Any]:
    """The vector's inputs in its dtype: ``w`` index-tagged for the padding functions, random otherwise."""
    spec = get_function(case.function)
    l = spec.l(case.config)
    rng = np.random.default_rng(zlib.crc32(case.name.encode()))
    if spec.exact:
        w = np.arange(1.0, l + 1.0)
        if case.dtype == "complex128":
            w = w + 1j * (w + l)  # every real and imaginary part distinct
        if case.nonfinite:
            w[1], w[2], w[3] = np.inf, -np.inf, np.nan
        w = w.astype(DTYPES[case.dtype])
    else:
        w = _random(rng, (l,), case.dtype)
    if not spec.is_fusion:
        return {"w": w}
    lead = (*case.config["batch"], case.config["m"])
    return {"w": w, "inputs": [_random(rng, (*lead, width), case.dtype) for width in case.config["dims"]]}


@dataclass(frozen=True)
class Computed:
    """What refimpl computes for one case: its manifest entry (without ``sha256``) and its files.

    Attributes
    ----------
    case : Case
        The case.
    entry : dict
        ``name, function, config, dtype, output_shape, flags, inputs, expected, bound, exact,
        rounding_count_K``, in the manifest's order and JSON types.
    arrays : dict
        ``{file name: array}``: ``w``, the fusions' inputs, ``expected``, ``bound``.
    """

    case: Case
    entry: dict[str, Any]
    arrays: dict[str, np.ndarray]


def compute(case: Case) -> Computed:
    """The vector's entry and arrays, from its configuration alone (deterministic).

    Examples
    --------
    >>> from refimpl.oracle.vectors._cases import cases, compute
    >>> c = compute(cases(large=False)[0])
    >>> c.entry["name"], c.entry["output_shape"], c.entry["rounding_count_K"]
    ('dp_basic_f32', [6, 12], 0)
    >>> sorted(c.arrays)
    ['dp_basic_f32.bound.npy', 'dp_basic_f32.expected.npy', 'dp_basic_f32.w.npy']
    """
    spec = get_function(case.function)
    inputs = case_inputs(case)
    expected, bound, K = expected_and_bound(spec, case.config, inputs, DTYPES[case.dtype])
    bound = bound.astype(np.float64)
    files: dict[str, Any] = {"w": f"{case.name}.w.npy"}
    arrays = {files["w"]: inputs["w"]}
    if spec.is_fusion:
        files["inputs"] = [f"{case.name}.A{i}.npy" for i in range(len(inputs["inputs"]))]
        arrays.update(zip(files["inputs"], inputs["inputs"]))
    arrays[f"{case.name}.expected.npy"] = expected
    arrays[f"{case.name}.bound.npy"] = bound
    entry = {
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
    }
    return Computed(case, entry, arrays)


def exposed(case: Case, inputs: dict[str, Any], expected: np.ndarray, bound: np.ndarray) -> list[str]:
    """``exposes:FAMILY`` for each family of mistakes whose every variant fails this vector."""
    dtype = DTYPES[case.dtype]
    pipeline = Pipeline(case.function, case.config, inputs)

    def fails(mistake: Any) -> bool:
        output = pipeline.output(mistake)
        if output is None:  # cannot run on this configuration: the mistaken implementation fails
            return True
        with np.errstate(all="ignore"):
            return not judge(
                output.astype(dtype), expected, bound, dtype=dtype, exact=get_function(case.function).exact
            ).passed

    families = itertools.groupby(catalogue(case.function), key=lambda m: m.family)  # in stage order
    return [f"exposes:{family}" for family, group in families if all(map(fails, group))]


def edge_flags(case: Case) -> list[str]:
    """The edge cases of the configuration the vector targets (``p_ne_q``, ``m_eq_0``, ...)."""
    spec = get_function(case.function)
    c = spec.normalize(case.config)
    flags = []
    if spec.is_fusion:
        R, C = sum(c["dims"]), c["n"]
        flags += ["k_eq_1"] if len(c["dims"]) == 1 else []
        flags += ["unequal_widths"] if len(set(c["dims"])) > 1 else []
        flags += ["n_omitted"] if case.config.get("n") is None else []
        flags += ["m_eq_0"] if c["m"] == 0 else []
        flags += ["batch"] if c["batch"] else []
    else:
        R, C = c["n"], c["D"]
    if "p" in c:
        p, q = c["p"], c["q"]
        flags.append("p_ne_q" if p != q else "p_eq_q")
        hits = (("p_eq_1", p == 1), ("q_eq_1", q == 1), ("s_eq_1", R == p), ("t_eq_1", C == q))
        flags += [name for name, hit in hits if hit]
        if not spec.is_fusion and q == C:
            flags.append("q_eq_D")
        flags += spec.edge_flags(c)
    flags += [
        flag
        for flag, hit in (("r_eq_1", c.get("r") == 1), ("nonfinite", case.nonfinite), ("large", case.large))
        if hit
    ]
    return flags


# -- checking a manifest's entries against what refimpl computes ---------------------------------

#: The fields of an entry that :func:`compute` determines (``sha256`` is checked against the files).
FIELDS = (
    "function",
    "config",
    "dtype",
    "output_shape",
    "flags",
    "inputs",
    "expected",
    "bound",
    "exact",
    "rounding_count_K",
)
_SHOWN = 10  # problems listed in one error message


def _json(value: Any) -> str:
    """``value`` as canonical JSON: how entries are compared (so ``1 != true != 1.0``) and shown."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _entry_problems(entry: dict[str, Any], computed: Computed) -> list[str]:
    """Each field of ``entry`` that disagrees with refimpl's, named with both values."""
    name, want, problems = computed.case.name, computed.entry, []
    for key in FIELDS:
        if key not in entry:
            problems.append(f"vector {name}: the entry has no field {key!r}")
        elif _json(entry[key]) != _json(want[key]):
            extra = ""
            if key == "flags" and isinstance(entry[key], list):
                lost = [f for f in want[key] if f not in entry[key]]
                added = [f for f in entry[key] if f not in want[key]]
                extra = f" (missing {lost}, extra {added})" if lost or added else " (another order)"
            got, computed_value = _json(entry[key]), _json(want[key])
            problems.append(f"vector {name}: {key} is {got}, refimpl computes {computed_value}{extra}")
    hashes = entry.get("sha256")
    if not isinstance(hashes, dict):
        problems.append(f"vector {name}: sha256 is {_kind(hashes)}, must be an object {{file name: digest}}")
    elif sorted(hashes) != sorted(computed.arrays):
        problems.append(
            f"vector {name}: sha256 lists the files {sorted(hashes)}, expected {sorted(computed.arrays)}"
        )
    else:
        hexadecimal = set("0123456789abcdef")
        bad = [
            f
            for f, h in hashes.items()
            if not (isinstance(h, str) and len(h) == 64 and set(h) <= hexadecimal)
        ]
        problems += [
            f"vector {name}: sha256 of {f} is {_json(hashes[f])}, not 64 lowercase hex digits" for f in bad
        ]
    return problems


def _list_problems(names: list[str], known: list[str], which: str) -> list[str]:
    """Vectors of the set missing from the manifest, or listed out of order."""
    missing = [n for n in known if n not in names]
    if missing:
        count = f"{len(missing)} of the {len(known)} vectors of the {which} set"
        return [f"{count} are not in the manifest (removed?): {', '.join(missing)}"]
    order = [n for n in known if n in names]
    for i, (got, want) in enumerate(zip(names, order)):
        if got != want:
            return [f"the vectors are out of order: vectors[{i}] is {got}, the set has {want} there"]
    return []


def check_entries(manifest: dict[str, Any], where: str) -> list[Computed]:
    """Recompute every vector the manifest lists and compare: each field, the list, its order.

    Parameters
    ----------
    manifest : dict
        The parsed ``manifest.json`` (an object with the right ``format`` and version).
    where : str
        The manifest's path, for the messages.

    Returns
    -------
    list of Computed
        In manifest order (the order of :func:`cases`).

    Raises
    ------
    VectorFileError
        Naming every vector and field that disagrees (the first few), a vector the set does not
        have, one listed twice, one missing, or one out of order.

    Examples
    --------
    >>> from refimpl.oracle.vectors._cases import VectorFileError, check_entries
    >>> try:
    ...     check_entries({"large": False, "vectors": [{"name": "dp_basic_f32", "function": "nope"}]}, "m")
    ... except VectorFileError as exc:
    ...     print(str(exc).splitlines()[1])
    - vector dp_basic_f32: function is "nope", refimpl computes "duplicated_padding"
    """
    if "vectors" not in manifest or not isinstance(manifest["vectors"], list):
        if "vectors" not in manifest:
            raise VectorFileError(f"{where} has no field 'vectors' (the array of vectors)")
        raise VectorFileError(
            f"{where}: vectors is {_kind(manifest['vectors'])}, must be an array of objects"
        )
    if not isinstance(manifest.get("large"), bool):
        raise VectorFileError(f"{where}: large is {_json(manifest.get('large'))}, must be true or false")
    which = "full" if manifest["large"] else "small (--no-large)"
    known = {c.name: c for c in cases(manifest["large"])}
    problems: list[str] = []
    computed: list[Computed] = []
    for i, entry in enumerate(manifest["vectors"]):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(entry, dict):
            problems.append(f"vectors[{i}] is {_kind(entry)}, not an object")
        elif "name" not in entry:
            problems.append(f"vectors[{i}] has no field 'name'")
        elif not isinstance(name, str) or name not in known:
            problems.append(f"vectors[{i}]: name {_json(name)} is not a vector of the {which} set")
        elif any(c.case.name == name for c in computed):
            problems.append(f"vector {name} is listed twice")
        else:
            computed.append(compute(known[name]))
            problems += _entry_problems(entry, computed[-1])
    problems += _list_problems([c.case.name for c in computed], list(known), which)
    if problems:
        shown = [f"- {p}" for p in problems[:_SHOWN]]
        more = [f"- and {len(problems) - _SHOWN} more"] if len(problems) > _SHOWN else []
        head = (
            f"{where} disagrees with the vector set refimpl writes (edited, or written by another "
            "version; rewrite it with `refimpl vectors write DIR --force`):"
        )
        raise VectorFileError("\n".join([head, *shown, *more]))
    return computed
