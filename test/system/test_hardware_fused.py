"""pyNN.hardware's fused path (pyNN.hardware.engine.fused): a whole run of LIF groups with
static connections in one compiled loop gives bit for bit the results of the general path
(step by step), for any number of threads, with current sources, Poisson and array
sources, sampled signals, reset() and several run() calls."""

import numpy as np
import pytest

import pyNN.hardware as sim
from pyNN.hardware.engine import kernels
from pyNN.hardware.engine.sources import PoissonSource
from pyNN.random import NumpyRNG, RandomDistribution

needs_numba = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="numba is not installed")


def _network(threads, fused, runs=(120.0,), synapse=None):
    """Conductance- and current-based LIF groups with delays of different lengths, Poisson and
    array sources (a time given twice), DC and AC current sources, v, gsyn and spikes
    recorded (one population every 0.3 ms, spikes of some cells only); after the runs,
    reset() and one more run of the same length. Returns the data of both segments, the
    paths taken and the engine's counters."""
    sim.setup(timestep=0.1, seed=5, threads=threads)
    engine = sim.state.engine
    engine.fused_path = fused
    engine.team.min_cells = 1  # every loop split over the threads, however small the network
    engine.team.min_events = 1
    params = {"tau_refrac": 2.0, "v_thresh": -50.0, "v_reset": -60.0, "v_rest": -60.0, "cm": 0.2, "tau_m": 20.0}
    v_init = RandomDistribution("uniform", low=-60.0, high=-50.0, rng=NumpyRNG(seed=11))
    exc = sim.Population(240, sim.IF_cond_exp(**params), initial_values={"v": v_init}, label="exc")
    inh = sim.Population(61, sim.IF_curr_exp(i_offset=0.05, **params), initial_values={"v": v_init}, label="inh")
    stim = sim.Population(20, sim.SpikeSourcePoisson(rate=200.0, start=5.0, duration=80.0), label="stim")
    times = sim.Population(3, sim.SpikeSourceArray(spike_times=[[1.0, 1.0, 5.0, 20.0], [2.0], [0.0, 7.3]]),
                           label="times")
    rng = NumpyRNG(seed=3)
    conn = sim.FixedProbabilityConnector(0.1, rng=rng)
    sim.Projection(exc, exc, conn, synapse or sim.StaticSynapse(weight=0.006, delay=0.5),
                   receptor_type="excitatory")
    sim.Projection(exc, inh, conn, sim.StaticSynapse(weight=0.5, delay=0.3), receptor_type="excitatory")
    sim.Projection(inh, exc, conn, sim.StaticSynapse(weight=0.06, delay=0.7), receptor_type="inhibitory")
    sim.Projection(inh, inh, conn, sim.StaticSynapse(weight=4.0, delay=0.2), receptor_type="inhibitory")
    sim.Projection(stim, exc, sim.FixedProbabilityConnector(0.3, rng=rng),
                   sim.StaticSynapse(weight=0.018, delay=0.1), receptor_type="excitatory")
    sim.Projection(times, inh, sim.AllToAllConnector(), sim.StaticSynapse(weight=2.0, delay=0.1),
                   receptor_type="excitatory")
    sim.DCSource(amplitude=0.2, start=10.0, stop=60.0).inject_into(exc[:30])
    sim.ACSource(amplitude=0.3, offset=0.1, frequency=40.0).inject_into(exc[20:50])
    exc.record(["spikes", "v", "gsyn_exc", "gsyn_inh"])
    inh.record("v", sampling_interval=0.3)
    inh[::2].record("spikes")
    stim.record("spikes")
    paths = []
    for t in runs:
        sim.run(t)
        paths.append(engine.last_path)
    sim.reset()
    sim.run(sum(runs))
    paths.append(engine.last_path)
    data = {}
    for pop in (exc, inh, stim):
        for k, seg in enumerate(pop.get_data().segments):
            data[pop.label, k] = ([np.asarray(st.magnitude) for st in seg.spiketrains],
                                  [np.asarray(a.magnitude) for a in seg.analogsignals])
    counters = dict(engine.counters)
    split = engine.team.started
    sim.end()
    return data, paths, counters, split


def _assert_identical(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert len(a[key][0]) == len(b[key][0]) and len(a[key][1]) == len(b[key][1])
        for x, y in zip(a[key][0] + a[key][1], b[key][0] + b[key][1]):
            np.testing.assert_array_equal(x, y)  # bit for bit, NaN where both have NaN


@pytest.fixture(scope="module")
def general():
    return _network(1, fused=False)


@needs_numba
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_fused_path_gives_the_general_paths_results(general, threads):
    data, paths, counters, split = _network(threads, fused=True)
    ref_data, ref_paths, ref_counters, _ = general
    assert ref_paths == ["general", "general"] and paths == ["fused", "fused"]
    assert split == (threads > 1)  # the loop did run on several threads
    n_spikes = sum(len(t) for key, (trains, _) in ref_data.items() if key[0] != "stim" for t in trains)
    assert n_spikes > 1000  # real activity, so the comparison means something
    assert len(ref_data["exc", 0][1]) == 3 and ref_data["inh", 0][1][0].shape[0] == 401  # 0.3 ms sampling
    _assert_identical(ref_data, data)
    assert counters == ref_counters  # spikes, synaptic events, steps


@needs_numba
def test_several_runs_give_the_results_of_one(general):
    data, paths, _, _ = _network(2, fused=True, runs=(50.0, 0.1, 39.9, 30.0))
    assert set(paths) == {"fused"}
    _assert_identical(general[0], data)


@needs_numba
def test_networks_the_fused_path_does_not_cover_take_the_general_path():
    tm = sim.TsodyksMarkramSynapse(weight=0.006, delay=0.5, U=0.5, tau_rec=100.0)
    _, paths, _, _ = _network(1, fused=True, runs=(20.0,), synapse=tm)
    assert paths == ["general", "general"]


def test_poisson_draws_of_many_steps_are_those_of_one_step_after_the_other():
    params = {"rate": np.array([500.0, 4000.0, 0.0, 8000.0, 2000.0]), "start": np.array([0.0, 1.0, 0.0, 3.0, 2.5]),
              "duration": np.array([1e9, 2.0, 1e9, 0.5, 10.0])}
    one = PoissonSource(5, params, 0.1, np.random.default_rng(4))
    many = PoissonSource(5, params, 0.1, np.random.default_rng(4))
    many.max_draws = 35  # several draws of 7 steps
    spikes = [one.emit(s) for s in range(3, 103)]
    ptr, cells = many.emit_steps(3, 100)
    assert sum(len(s) for s in spikes) > 25
    for k, expected in enumerate(spikes):
        np.testing.assert_array_equal(cells[ptr[k]:ptr[k + 1]], expected)
    np.testing.assert_array_equal(one.emit(103), many.emit(103))  # the streams stay in step


@needs_numba
def test_the_parallel_build_is_cached_apart_from_the_one_thread_build():
    """numba's disk cache files compiled code by function name and signature only: under one
    name, the parallel build would load the one-thread code from the cache (and run on one
    thread)."""
    from pyNN.hardware.engine import fused_loop
    names = {f.py_func.__qualname__ for f in (fused_loop.run_steps, fused_loop.run_steps_parallel)}
    assert len(names) == 2
    assert fused_loop.run_steps_parallel.targetoptions.get("parallel")
    assert not fused_loop.run_steps.targetoptions.get("parallel")


_READY_SCRIPT = """
import pyNN.hardware as sim
from pyNN.hardware.engine import fused_loop
from pyNN.random import NumpyRNG
sim.setup(timestep=0.1, threads=2)
sim.state.engine.team.min_cells = 1
pop = sim.Population(60, sim.IF_cond_exp(i_offset=1.0))
pop.record("spikes")
sim.Projection(pop, pop, sim.FixedProbabilityConnector(0.1, rng=NumpyRNG(seed=1)),
               sim.StaticSynapse(weight=0.01, delay=0.2))
loop = fused_loop.run_steps_parallel
before = len(loop.signatures)
sim.map()
ready = len(loop.signatures)
sim.run(5.0)
print(before, ready, len(loop.signatures), sim.state.engine.last_path)
"""


@needs_numba
def test_mapping_readies_the_compiled_loop_of_the_run():
    """The compiled loop is loaded (or compiled) when the network is mapped, in a fresh
    process, so that the first run does not pay for it (benchmarks time the run alone)."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", _READY_SCRIPT], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    before, ready, after, path = out.stdout.split()
    assert (int(before), path) == (0, "fused")
    assert int(ready) == int(after) == 1
