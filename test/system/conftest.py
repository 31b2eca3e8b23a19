"""System-test fixtures: every scenario runs on every installed backend."""

import importlib

import pytest

__import__("os").environ.setdefault("PYNN_BRIAN2_TARGET", "numpy")  # fast start-up of Brian2 tests

#: every backend the library has, in the order they are tried
BACKENDS = ["nest", "neuron", "brian2", "hardware"]


def _available(name):
    try:
        importlib.import_module(f"pyNN.{name}")
    except ImportError:
        return False
    return True


@pytest.fixture(params=BACKENDS)
def sim(request):
    """The backend module, set up with dt = 0.1 ms; skipped if not installed."""
    name = request.param
    if not _available(name):
        pytest.skip(f"backend pyNN.{name} is not installed")
    module = importlib.import_module(f"pyNN.{name}")
    module.setup(timestep=0.1)
    yield module
    module.end()


@pytest.fixture(scope="module")
def forget_nestml_modules():
    """The NESTML modules a test module registers with pyNN.nest are forgotten after it, so that
    later tests' NEST kernels do not load them (some live in temporary caches)."""
    nest_module = importlib.import_module("pyNN.nest.nestml")
    registered = dict(nest_module._modules)
    yield
    for name in set(nest_module._modules) - set(registered):
        del nest_module._modules[name]
