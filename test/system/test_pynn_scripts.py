"""What existing PyNN scripts rely on, on every backend: setup() options of other simulators,
functions as parameter values, objects created before setup().
"""

import logging

import numpy as np
import pytest

from pyNN import errors
from pyNN.parameters import Sequence
from pyNN.space import Line

BACKEND_OPTIONS = {  # one option each backend uses, with a value of the wrong type
    "nest": ("threads", "two"),
    "neuron": ("default_maxstep", "long"),
    "brian2": ("codegen_target", 3),
    "hardware": ("policy", "relaxed"),
}


def _module_name(sim):
    return sim.__name__.split(".")[1]


# --- item 1: setup() takes the options it knows and ignores the others -----------------------

def test_setup_ignores_options_of_other_backends_and_pynn(sim, caplog):
    others = {"threads": 1, "spike_precision": "off_grid", "verbosity": "error", "t_flush": 10.0,
              "use_cvode": False, "default_maxstep": 10.0, "codegen_target": "numpy",
              "policy": "lenient", "debug": True, "quit_on_end": False, "filename": "net.xml",
              "loglevel": "info"}
    mine = _module_name(sim)
    with caplog.at_level(logging.INFO, logger="pyNN"):
        sim.setup(timestep=0.1, **others)
    for name in others:
        lines = [r.message for r in caplog.records if f"option '{name}'" in r.message]
        if lines:  # ignored: one line, naming who would use it
            assert len(lines) == 1
            assert "is used by" in lines[0] and f"pyNN.{mine} " in lines[0]
    ignored = {name for name in others if any(f"option '{name}'" in r.message for r in caplog.records)}
    assert {"debug", "quit_on_end", "filename", "loglevel"} <= ignored
    assert BACKEND_OPTIONS[mine][0] not in ignored
    # the network still builds and runs after such a setup()
    p = sim.Population(2, sim.IF_cond_exp())
    sim.run(1.0)
    assert sim.get_current_time() == pytest.approx(1.0) and p.size == 2


def test_setup_unknown_option_warns_with_suggestion(sim):
    with pytest.warns(UserWarning, match=r"'thraeds'.*ignored\. Did you mean: threads\?"):
        sim.setup(timestep=0.1, thraeds=2)
    with pytest.warns(UserWarning, match="'sim_duration' is not known"):
        sim.setup(timestep=0.1, sim_duration=1000.0)  # as PyNN's cortical microcircuit does
    assert sim.get_time_step() == pytest.approx(0.1)


def test_setup_wrong_type_for_own_option_is_one_error_type(sim):
    name, bad = BACKEND_OPTIONS[_module_name(sim)]
    with pytest.raises(errors.InvalidParameterValueError, match=f"option '{name}'"):
        sim.setup(timestep=0.1, **{name: bad})


# --- item 2: functions as parameter values --------------------------------------------------

def test_cell_parameters_and_initial_values_as_functions_of_index(sim):
    sources = sim.Population(3, sim.SpikeSourceArray(spike_times=lambda i: Sequence([1.0 + i, 6.0 + i])))
    poisson = sim.Population(3, sim.SpikeSourcePoisson(rate=lambda i: 10.0 * (i + 1)))
    cells = sim.Population(3, sim.IF_cond_exp(tau_m=lambda i: 10.0 + i),
                           initial_values={"v": lambda i: -70.0 + i})
    np.testing.assert_allclose(poisson.get("rate"), [10.0, 20.0, 30.0])
    np.testing.assert_allclose(cells.get("tau_m"), [10.0, 11.0, 12.0])
    assert [s.value.tolist() for s in sources.get("spike_times")] == [[1.0, 6.0], [2.0, 7.0], [3.0, 8.0]]
    cells.set(cm=lambda i: 0.5 + 0.25 * i)
    np.testing.assert_allclose(cells.get("cm"), [0.5, 0.75, 1.0])
    cells.record("v")
    sources.record("spikes")
    sim.run(10.0)
    seg = cells.get_data().segments[0]
    np.testing.assert_allclose(seg.analogsignals[0].magnitude[0], [-70.0, -69.0, -68.0], atol=1e-6)
    trains = sources.get_data().segments[0].spiketrains
    assert [st.magnitude.tolist() for st in trains] == [[1.0, 6.0], [2.0, 7.0], [3.0, 8.0]]


def test_spike_times_set_after_construction_as_function(sim):
    sources = sim.Population(2, sim.SpikeSourceArray())
    sources.set(spike_times=lambda i: Sequence([2.0 + 3.0 * i]))
    sources.record("spikes")
    sim.run(10.0)
    trains = sources.get_data().segments[0].spiketrains
    assert [st.magnitude.tolist() for st in trains] == [[2.0], [5.0]]


def test_synaptic_parameters_as_functions_of_distance(sim):
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]), structure=Line(dx=1.0))
    post = sim.Population(3, sim.IF_cond_exp(), structure=Line(dx=1.0))
    prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=lambda d: 0.01 + 0.001 * d, delay=lambda d: 1.0 + 0.5 * d))
    d = np.abs(np.subtract.outer(np.arange(3.0), np.arange(3.0)))
    np.testing.assert_allclose(prj.get("weight", format="array"), 0.01 + 0.001 * d)
    np.testing.assert_allclose(prj.get("delay", format="array"), 1.0 + 0.5 * d)


# --- item 4: objects created before setup() -------------------------------------------------

def test_population_before_setup_uses_defaults_and_later_setup_applies(sim):
    sim.state.initialized = False  # as in a fresh process where setup() was never called
    early = sim.Population(2, sim.IF_cond_exp(), label="early")
    assert sim.get_time_step() == pytest.approx(0.1)
    early.record("v")
    sim.run(2.0)
    assert early.get_data().segments[0].analogsignals[0].sampling_period.rescale("ms").magnitude \
        == pytest.approx(0.1)
    sim.setup(timestep=0.05)  # as in PyNN, a later setup() starts a new network with its settings
    assert sim.get_time_step() == pytest.approx(0.05) and sim.get_current_time() == 0.0
    late = sim.Population(2, sim.IF_cond_exp(), label="late")
    late.record("v")
    sim.run(1.0)
    assert late.get_data().segments[0].analogsignals[0].shape[0] == 21
