"""The ``xp`` fixture (every numeric test on every installed array library) and Hypothesis profiles.

Profiles, chosen by the environment variable ``REFIMPL_HYPOTHESIS_PROFILE``:

* ``dev`` (default): few examples, for a quick loop while editing;
* ``ci``: derandomized (the same examples on every run), enough examples to matter;
* ``brief``: derandomized, few examples: CI's run of the core's tests on the other Pythons,
  which shows the package works there (the examples' depth is the ``ci`` run's, on 3.11);
* ``thorough``: many examples, for a long run before a release.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from types import ModuleType

import pytest
from hypothesis import HealthCheck, Phase, settings

from ._support import address_space_cap

# The xp fixtures return a module and hold no state, so sharing them across examples is safe. The
# test classes (one per function) hold no state either: pytest makes a new instance of the class for
# each parametrised case, which Hypothesis would take for a test run from differing executors.
_quiet = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.differing_executors]
settings.register_profile("dev", max_examples=25, deadline=None, suppress_health_check=_quiet)
settings.register_profile(
    "ci", max_examples=120, derandomize=True, deadline=None, print_blob=True, suppress_health_check=_quiet
)
# Mutation testing (tools/mutation.py): every mutant reruns the tests that reach it, so fewer
# examples, the same ones every run, and no shrinking: the shrink and explain phases run only
# after a failure, which already kills the mutant, so leaving them out changes no verdict and
# saves the time Hypothesis would spend making the failing example small.
settings.register_profile(
    "mutation",
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=_quiet,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
)
settings.register_profile(
    "brief", max_examples=25, derandomize=True, deadline=None, print_blob=True, suppress_health_check=_quiet
)
settings.register_profile("thorough", max_examples=2000, deadline=None, suppress_health_check=_quiet)
settings.load_profile(os.environ.get("REFIMPL_HYPOTHESIS_PROFILE", "dev"))


def _numpy() -> ModuleType:
    import array_api_compat.numpy as xp

    return xp


def _array_api_strict() -> ModuleType:
    return importlib.import_module("array_api_strict")


def _torch() -> ModuleType:
    try:
        importlib.import_module("torch")
    except ImportError as exc:
        pytest.skip(f"PyTorch is not installed ({exc})")
    import array_api_compat.torch as xp

    return xp


def _jax() -> ModuleType:
    try:
        jax = importlib.import_module("jax")
    except ImportError as exc:
        pytest.skip(f"JAX is not installed ({exc})")
    # float64 as float64: without it JAX turns every float64 input into float32.
    jax.config.update("jax_enable_x64", True)
    return importlib.import_module("jax.numpy")


def _cupy() -> ModuleType:
    try:
        cupy = importlib.import_module("cupy")
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # ImportError, or CUDA errors on a machine without a driver
        pytest.skip(f"CuPy is not usable here ({type(exc).__name__}: {exc})")
    if count == 0:
        pytest.skip("CuPy is installed but sees no GPU")
    import array_api_compat.cupy as xp

    return xp


BACKENDS = {
    "numpy": _numpy,
    "array_api_strict": _array_api_strict,
    "torch": _torch,
    "jax": _jax,
    "cupy": _cupy,
}


def namespace(name: str) -> ModuleType:
    """The array namespace of backend ``name``; the calling test is skipped, with the reason, when
    that library is not usable here."""
    return BACKENDS[name]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "xp_backends(*names): run the test's xp fixture on these backends only (default: all of "
        "BACKENDS); e.g. the namespaces with a SciPy-style sparse module, or those without one",
    )
    config.addinivalue_line(
        "markers",
        "memory_cap: run the test with the process's address space capped a little above what it "
        "maps (tests._support.address_space_cap): for tests that expect the memory guard to refuse "
        "a size, so that without the guard the allocation fails at once on every machine",
    )
    # Each backend's parameter carries its name as a marker: `-m "not jax"` leaves out JAX, whose
    # eager dispatch makes its cases the slowest of the suite (the mutation run does so).
    for name in BACKENDS:
        config.addinivalue_line("markers", f"{name}: the test's xp fixture is the {name} backend")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``xp`` by backend name: every backend, or those of the ``xp_backends`` mark."""
    if "xp" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("xp_backends")
        names = list(marker.args) if marker else list(BACKENDS)
        unknown = sorted(set(names) - set(BACKENDS))
        if unknown:
            raise pytest.UsageError(f"xp_backends: unknown backends {unknown}; known: {sorted(BACKENDS)}")
        params = [pytest.param(name, marks=getattr(pytest.mark, name)) for name in names]
        metafunc.parametrize("xp", params, indirect=True)


#: The most examples a property test draws on JAX. JAX compiles every operation anew for each new
#: shape, so each example costs it about a quarter of a second, against milliseconds on the other
#: backends: at the ``ci`` profile's 120 examples its cases were 245 of the suite's 795 seconds.
#: JAX runs the same code path as every other namespace; what it can get wrong (namespace, dtype,
#: device, traced arrays) shows in a few examples, and the other backends draw the full count.
JAX_EXAMPLES = 10


@pytest.fixture(autouse=True)
def _fewer_jax_examples(request: pytest.FixtureRequest) -> Iterator[None]:
    """On the JAX backend, a property test draws at most :data:`JAX_EXAMPLES` examples.

    Hypothesis reads a test's settings when the test runs, from the attribute that
    ``@settings`` and ``@given`` set on it; per backend there is no public way, so it is
    replaced for the one call and restored after.
    """
    test = getattr(request.node, "function", None)
    current = getattr(test, "_hypothesis_internal_use_settings", None)
    if request.node.get_closest_marker("jax") is None or current is None:
        yield
        return
    test._hypothesis_internal_use_settings = settings(
        current, max_examples=min(current.max_examples, JAX_EXAMPLES)
    )
    try:
        yield
    finally:
        test._hypothesis_internal_use_settings = current


@pytest.fixture(autouse=True)
def _memory_cap(request: pytest.FixtureRequest) -> Iterator[None]:
    """The ``memory_cap`` marker's effect: the test runs inside :func:`address_space_cap`."""
    if request.node.get_closest_marker("memory_cap") is None:
        yield
        return
    with address_space_cap():
        yield


@pytest.fixture(autouse=True)
def _cold_dtype_caches() -> None:
    """Each test starts with refimpl's per-dtype memories empty (``refimpl._memory`` sizes,
    ``refimpl._xp`` kinds), so that the path that fills them runs in every test: a cache
    filled by an earlier test must not hide a mistake in how a value is first found."""
    from refimpl import _memory, _xp

    _memory._ITEMSIZES.clear()
    _xp._KINDS.clear()


@pytest.fixture
def xp(request: pytest.FixtureRequest) -> ModuleType:
    """An array namespace: NumPy, ``array_api_strict``, PyTorch (CPU), JAX (CPU) and CuPy when usable.

    The one backend fixture of the suite: ``@pytest.mark.xp_backends(...)`` narrows it.
    """
    return namespace(request.param)
