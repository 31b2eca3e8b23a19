"""NESTML cell types over several sessions in one process, as test suites and notebooks use them.

One session registers NESTML's ``iaf_psc_exp_neuron`` and runs it, then ends in one of several
ways; the next one registers ``iaf_cond_exp_neuron`` and runs a small network of it, whose
spikes and V_m must equal, bit for bit, those of the same network in a fresh Python process.

On NEST this checks that nothing of the ended session is rebuilt when the next model is
registered: a test suite forgets the NEST modules of a test module when it is done
(``conftest.forget_nestml_modules``), and the test does the same to the first model's module
between the sessions, so a rebuild of the ended network fails. The other backends have no
modules to install; the sequence must give the fresh process's results there too.

Run as a script (``python test_nestml_sessions.py <backend>``) it prints the fresh-process
results as JSON (the reference the tests compare with).
"""

import contextlib
import importlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("pynestml", reason="the nestml package is part of requirements.txt")

BACKENDS = ["nest", "neuron", "brian2", "hardware"]
LIBRARY = os.path.join(sys.prefix, "models", "neurons")

pytestmark = pytest.mark.usefixtures("forget_nestml_modules")


def _cell_type(sim, name):
    return sim.nestml.nestml_cell_type(name, os.path.join(LIBRARY, name + ".nestml"))


def _second_network(sim, celltype):
    """Two iaf_cond_exp cells (one with a DC current) driven by a spike train; run 60 ms.
    Built in the current session, at its current time (0 after setup() or reset())."""
    cells = sim.Population(2, celltype(I_e=0.0, g_L=0.25 / 15.0, V_th=-55.0),
                           initial_values={"V_m": [-65.0, -60.0]})
    drive = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 5.5, 6.0, 6.5, 30.0, 30.5, 31.0]))
    sim.Projection(drive, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.05, delay=1.0),
                   receptor_type="excitatory")
    sim.DCSource(amplitude=0.4, start=10.0, stop=50.0).inject_into(cells[1:2])
    cells.record(["spikes", "V_m"])
    return cells


def _results(cells):
    """(spike times per cell, V_m samples) of the cells' last segment, as plain lists."""
    segment = cells.get_data().segments[-1]
    spikes = [np.asarray(st.magnitude).tolist() for st in segment.spiketrains]
    v = np.asarray(segment.filter(name="V_m")[0].magnitude).tolist()
    return [spikes, v]


def fresh_run(backend):
    """The second network alone, in a session of its own (run in a fresh process)."""
    sim = importlib.import_module(f"pyNN.{backend}")
    celltype = _cell_type(sim, "iaf_cond_exp_neuron")
    sim.setup(timestep=0.1)
    cells = _second_network(sim, celltype)
    sim.run(60.0)
    result = _results(cells)
    sim.end()
    return result


_fresh = {}


def _fresh_results(backend):
    """fresh_run(backend) in a new Python process, once per backend."""
    if backend not in _fresh:
        out = subprocess.run([sys.executable, os.path.abspath(__file__), backend], capture_output=True,
                             text=True, timeout=600)
        assert out.returncode == 0, out.stderr[-3000:]
        _fresh[backend] = json.loads(out.stdout.strip().splitlines()[-1])
    return _fresh[backend]


@contextlib.contextmanager
def _nest_modules_forgotten(backend):
    """On NEST: start with no registered module (as a new test module whose models are not
    registered yet) and restore the registry afterwards (the test forgets modules)."""
    if backend != "nest":
        yield
        return
    registry = importlib.import_module("pyNN.nest.nestml")._modules
    saved = dict(registry)
    registry.clear()
    try:
        yield
    finally:
        registry.clear()
        registry.update(saved)


def _forget(backend, celltype):
    """On NEST: forget the module of `celltype`, as the test suite does after a test module."""
    if backend == "nest":
        importlib.import_module("pyNN.nest.nestml")._modules.pop(celltype.nest_module["name"])


def _available(backend):
    try:
        return importlib.import_module(f"pyNN.{backend}")
    except ImportError:
        pytest.skip(f"backend pyNN.{backend} is not installed")


#: how the first session ends before the second one's model is registered and set up
ENDINGS = ["run_reset_end", "run_end", "end_without_run", "setup_again_without_end"]


@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_next_session_is_independent(backend, ending):
    """setup -> NESTML model -> (run) -> (reset) -> (end) -> another NESTML model -> setup -> run
    gives the results of a fresh process."""
    sim = _available(backend)
    expected = _fresh_results(backend)
    assert sum(len(s) for s in expected[0]) >= 2, "the second network should fire"
    with _nest_modules_forgotten(backend):
        iaf_psc_exp = _cell_type(sim, "iaf_psc_exp_neuron")
        sim.setup(timestep=0.1)
        first = sim.Population(2, iaf_psc_exp(I_e=0.5))
        first.record("spikes")
        if ending != "end_without_run":
            sim.run(40.0)
            assert len(first.get_data().segments[0].spiketrains[0]) > 0
        if ending == "run_reset_end":
            sim.reset()
        if ending != "setup_again_without_end":
            sim.end()
        _forget(backend, iaf_psc_exp)  # the first session's module is gone, as after a test module
        iaf_cond_exp = _cell_type(sim, "iaf_cond_exp_neuron")  # on NEST: a module new to this kernel
        sim.setup(timestep=0.1)
        cells = _second_network(sim, iaf_cond_exp)
        sim.run(60.0)
        assert _results(cells) == expected
        sim.end()


@pytest.mark.parametrize("backend", BACKENDS)
def test_model_registered_between_reset_and_run(backend):
    """A model registered after reset() (on NEST: the kernel is rebuilt from the network so far,
    with the new module) is used in the next segment like one registered before setup(); the
    earlier population replays its first segment."""
    sim = _available(backend)
    expected = _fresh_results(backend)
    with _nest_modules_forgotten(backend):
        iaf_psc_exp = _cell_type(sim, "iaf_psc_exp_neuron")
        sim.setup(timestep=0.1)
        first = sim.Population(2, iaf_psc_exp(I_e=0.5), initial_values={"V_m": [-70.0, -60.0]})
        first.record(["spikes", "V_m"])
        sim.run(40.0)
        sim.reset()
        iaf_cond_exp = _cell_type(sim, "iaf_cond_exp_neuron")
        cells = _second_network(sim, iaf_cond_exp)
        sim.run(60.0)
        assert _results(cells) == expected
        segments = first.get_data().segments
        before = [np.asarray(st.magnitude) for st in segments[0].spiketrains]
        after = [np.asarray(st.magnitude) for st in segments[1].spiketrains]
        assert before[0].size > 0
        for b, a in zip(before, after):
            np.testing.assert_array_equal(a[a < 40.0], b)
        v_before = np.asarray(segments[0].filter(name="V_m")[0].magnitude)
        v_after = np.asarray(segments[1].filter(name="V_m")[0].magnitude)
        assert v_before.shape == (401, 2) and v_after.shape == (601, 2)
        np.testing.assert_array_equal(v_after[:401], v_before)
        sim.end()


@pytest.mark.parametrize("backend", BACKENDS)
def test_model_registered_after_populations_before_run(backend):
    """A model registered after populations were created and recorded, before the first run (on
    NEST: the kernel is rebuilt with the new module): their recordings and initial values are
    kept, and the new model's network gives a fresh process's results."""
    sim = _available(backend)
    expected = _fresh_results(backend)
    with _nest_modules_forgotten(backend):
        sim.setup(timestep=0.1)
        standard = sim.Population(2, sim.IF_curr_exp(i_offset=[0.0, 1.5]), initial_values={"v": -60.0})
        standard.record(["spikes", "v"])
        iaf_cond_exp = _cell_type(sim, "iaf_cond_exp_neuron")
        cells = _second_network(sim, iaf_cond_exp)
        sim.run(60.0)
        assert _results(cells) == expected
        segment = standard.get_data().segments[0]
        v = np.asarray(segment.filter(name="v")[0].magnitude)
        assert v.shape == (601, 2)
        np.testing.assert_array_equal(v[0], [-60.0, -60.0])
        assert len(segment.spiketrains[0]) == 0 and len(segment.spiketrains[1]) > 0
        sim.end()


def test_nest_model_registered_after_end_needs_setup():
    """On NEST a model registered after end() is installed at the next setup(); using it before
    raises SimulationStateError saying so (the ended network is not rebuilt)."""
    from pyNN import errors
    sim = _available("nest")
    with _nest_modules_forgotten("nest"):
        iaf_psc_exp = _cell_type(sim, "iaf_psc_exp_neuron")
        sim.setup(timestep=0.1)
        sim.Population(2, iaf_psc_exp())
        sim.end()
        iaf_cond_exp = _cell_type(sim, "iaf_cond_exp_neuron")
        with pytest.raises(errors.SimulationStateError, match=r"after sim\.end\(\).*sim\.setup\(\)"):
            sim.Population(1, iaf_cond_exp())
        sim.setup(timestep=0.1)
        cells = sim.Population(1, iaf_cond_exp(I_e=0.5))
        cells.record("spikes")
        sim.run(30.0)
        assert len(cells.get_data().segments[0].spiketrains[0]) > 0
        sim.end()


if __name__ == "__main__":
    print(json.dumps(fresh_run(sys.argv[1])))
