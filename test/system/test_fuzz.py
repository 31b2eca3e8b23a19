"""Property-based fuzzing of cell parameters, connectors and run times on every backend.

Whatever the input, the library either refuses it with an error from ``pyNN.errors`` or
simulates it, and then nothing recorded is NaN. Values are drawn around each type's
defaults (so that accepted networks are physically plausible: blow-up of the integrators
under extreme but valid parameters is a separate concern) mixed with hostile values: NaN,
infinities, negative numbers, strings, None, off-grid times.

The examples are derandomized so that CI runs are reproducible; set PYNN_FUZZ_EXAMPLES to
draw more (e.g. 500) when hunting locally.
"""

import math
import os
import time
import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pyNN import errors  # noqa: E402

EXAMPLES = int(os.environ.get("PYNN_FUZZ_EXAMPLES", "15"))
#: seconds of fuzzing per backend at most: later examples pass without running once the
#: budget is spent (a per-example deadline would be flaky: Brian2's first build of a cell
#: type's equations can take tens of seconds on a loaded machine, its later ones < 1 s)
BUDGET = float(os.environ.get("PYNN_FUZZ_SECONDS", "60"))

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,  # bounded by BUDGET instead
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: cell types whose accepted networks every backend simulates (others are covered by the
#: NaN/infinity and relation tests of test_faults.py)
CELL_TYPES = ["IF_curr_exp", "IF_cond_exp", "IF_curr_alpha", "IF_cond_alpha",
              "EIF_cond_exp_isfa_ista", "Izhikevich"]

HOSTILE = st.sampled_from([math.nan, math.inf, -math.inf, -1.0, 0.0, "10", None, 1e300])


def _around(default):
    """A plausible value near `default` (scaled, or shifted when the default is 0)."""
    if isinstance(default, bool) or not isinstance(default, (int, float)):
        return st.just(default)
    if default == 0:
        near = st.floats(-1.0, 1.0)
    else:
        near = st.floats(0.5, 2.0).map(lambda f: default * f)
    return near.map(round) if isinstance(default, int) else near


#: what a network may get one hostile value for (None: a network without hostile value)
TARGETS = [None, "cell parameter", "p", "n", "weight", "delay", "run time"]


@st.composite
def networks(draw):
    """A small network with plausible values, one of which may be replaced by a hostile one."""
    type_name = draw(st.sampled_from(CELL_TYPES))
    defaults = _defaults(type_name)
    names = sorted(defaults)
    size = draw(st.integers(1, 6))
    net = {
        "type_name": type_name,
        "size": size,
        "n": draw(st.integers(0, size)),
        "values": {name: draw(_around(defaults[name]))
                   for name in draw(st.lists(st.sampled_from(names), max_size=4, unique=True))},
        "connector": draw(st.sampled_from(["AllToAll", "FixedProbability", "FixedNumberPre", "OneToOne"])),
        "p": draw(st.floats(0.0, 1.0)),
        "weight": draw(st.floats(0.0, 0.05)),
        "delay": draw(st.one_of(st.floats(0.1, 5.0), st.just(0.15))),
        "run_times": draw(st.lists(st.floats(0.0, 30.0), min_size=1, max_size=2)),
    }
    target = draw(st.sampled_from(TARGETS))
    if target is not None:
        bad = draw(HOSTILE)
        if target == "cell parameter":
            net["values"][draw(st.sampled_from(names))] = bad
        elif target == "run time":
            net["run_times"][-1] = bad
        else:
            net[target] = bad
    return net


def _defaults(type_name):
    from pyNN.standardmodels import cells
    return getattr(cells, type_name).default_parameters


def _build_and_run(sim, net):
    cls = getattr(sim, net["type_name"])
    changed = net["values"]
    stim = sim.Population(net["size"], sim.SpikeSourcePoisson(rate=200.0), label="stim")
    cells = sim.Population(net["size"], cls(**changed), label="cells")
    cells.record(["spikes", "v"])
    connector = {
        "AllToAll": lambda: sim.AllToAllConnector(),
        "FixedProbability": lambda: sim.FixedProbabilityConnector(net["p"]),
        "FixedNumberPre": lambda: sim.FixedNumberPreConnector(net["n"]),
        "OneToOne": lambda: sim.OneToOneConnector(),
    }[net["connector"]]()
    sim.Projection(stim, cells, connector, sim.StaticSynapse(weight=net["weight"], delay=net["delay"]),
                   receptor_type="excitatory")
    for t in net["run_times"]:
        sim.run(t)
    return cells.get_data().segments[-1]


def _check_no_nan(segment):
    for signal in segment.analogsignals:
        assert not np.isnan(signal.magnitude).any(), f"NaN in recorded '{signal.name}'"
    for train in segment.spiketrains:
        assert not np.isnan(train.magnitude).any(), "NaN spike time"


def test_fuzz_cells_connectors_and_run_times(sim):
    backend = sim.__name__
    end = time.monotonic() + BUDGET
    ran = []

    @FUZZ_SETTINGS
    @given(net=networks())
    def check(net):
        if time.monotonic() > end:
            return
        ran.append(net)
        sim.setup(timestep=0.1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rounding and hardware warnings are expected here
            try:
                segment = _build_and_run(sim, net)
            except errors.PyNNError:
                return  # refused with a library error: what we want for bad input
            except Exception as exc:  # anything else is a bug the fuzzer found
                pytest.fail(f"{backend}: {type(exc).__module__}.{type(exc).__name__} outside "
                            f"pyNN.errors for {net}: {exc}")
        _check_no_nan(segment)

    check()
    assert ran, "no example ran within the time budget"
