"""Several processes (mpirun) and threads: what each backend does with them."""

import os
import subprocess
import sys

import numpy as np
import pytest

from pyNN import errors

#: what each backend's refusal says about why it cannot use several processes
_REASON = {"nest": "built without MPI", "neuron": "but MPI sees 1",
           "brian2": "Brian2 runs a network in one process", "hardware": "not implemented yet"}


def test_setup_refuses_an_mpirun_launch(sim, monkeypatch):
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    name = sim.__name__.split(".")[1]
    with pytest.raises(errors.NotSupportedError) as info:
        sim.setup(timestep=0.1)
    message = str(info.value)
    assert "2 processes (OMPI_COMM_WORLD_SIZE=2" in message
    distributes = name == "neuron" or (name == "nest" and sim.simulator.nest_has_mpi())
    assert (_REASON["neuron"] if distributes else _REASON[name]) in message
    if distributes:
        # NEURON (and an MPI-enabled NEST) distribute a network over real MPI processes; this one
        # process is not one of two, so setup() refuses, naming the mismatch (see test_mpi.py
        # for real mpirun runs)
        assert "the launcher (mpirun) and mpi4py must belong to the same MPI library" in message
    else:
        assert "copy of the whole network" in message
    # objects created without setup() meet the same refusal (implicit set-up)
    sim.simulator.state.initialized = False
    with pytest.raises(errors.NotSupportedError):
        sim.Population(1, sim.SpikeSourceArray())
    monkeypatch.delenv("OMPI_COMM_WORLD_SIZE")
    sim.setup(timestep=0.1)  # one process again: accepted


def _nest_has_mpi():
    import pyNN.nest as sim
    return sim.simulator.nest_has_mpi()


@pytest.mark.skipif("_nest_has_mpi()", reason="an MPI-enabled NEST is installed: it distributes the network "
                                               "(test_mpi.py) instead of refusing")
def test_refusal_in_a_process_started_by_a_launcher():
    """A real child process with the variables an MPICH launcher sets (no mpirun needed)."""
    # (a NEST without MPI would end the process at import: pyNN.nest refuses before importing it)
    script = ("from pyNN.errors import NotSupportedError\n"
              "try:\n    import pyNN.nest as sim\n    sim.setup()\n"
              "except NotSupportedError as e:\n    print('REFUSED', e)\n"
              "else:\n    print('ACCEPTED')\n")
    env = dict(os.environ, PMI_SIZE="3", PMI_RANK="1")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         timeout=120)
    assert "REFUSED" in out.stdout, out.stdout + out.stderr
    assert "3 copies of the whole network" in out.stdout
    assert "setup(threads=T)" in out.stdout


def test_nest_with_mpi_accepts_a_launch_that_mpi_sees(monkeypatch):
    """An MPI-enabled NEST distributes the network (test_mpi.py runs it under a real mpirun);
    a process that only looks launched as one of two (the launcher's variable set by hand) is
    refused, naming the mismatch, instead of running alone."""
    import pyNN.nest as sim
    monkeypatch.setattr(sim.simulator, "nest_has_mpi", lambda: True)  # (the PyPI wheel has no MPI)
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    with pytest.raises(errors.NotSupportedError, match="but MPI sees 1"):
        sim.setup()
    monkeypatch.delenv("OMPI_COMM_WORLD_SIZE")
    sim.setup()
    assert sim.num_processes() == 1 and sim.rank() == 0


#: the random sources whose trains the library draws on NEST (pyNN.nest.random_sources)
RANDOM_SOURCES = {"poisson": ("SpikeSourcePoisson", dict(rate=80.0)),
                  "refractory": ("SpikeSourcePoissonRefractory", dict(rate=80.0, tau_refrac=3.0)),
                  "gamma": ("SpikeSourceGamma", dict(alpha=3, beta=240.0))}


def _random_network(sim, threads, source, precision="on_grid", runs=(200.0,)):
    """A small random network (FixedProbability connections from the core's RNG, recurrent
    inhibition); spikes and v of every cell, the connection list and the sources' spikes."""
    sim.setup(timestep=0.1, threads=threads, rng_seed=7, spike_precision=precision)
    rng = sim.NumpyRNG(seed=11)
    if source in RANDOM_SOURCES:
        name, parameters = RANDOM_SOURCES[source]
        celltype = getattr(sim, name)(**parameters)
    else:  # Poisson-like trains drawn here, the same for any number of threads
        times = np.random.default_rng(3).uniform(0.0, 200.0, size=(20, 16))
        celltype = sim.SpikeSourceArray(spike_times=[sim.Sequence(np.sort(np.round(t, 1)))
                                                     for t in times])
    noise = sim.Population(20, celltype, label="noise")
    noise.record("spikes")
    cells = sim.Population(30, sim.IF_cond_exp(tau_m=15.0), label="cells")
    cells.record(["spikes", "v"])
    inputs = sim.Projection(noise, cells, sim.FixedProbabilityConnector(0.3, rng=rng),
                            sim.StaticSynapse(weight=0.02, delay=1.0), receptor_type="excitatory")
    sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.1, rng=rng),
                   sim.StaticSynapse(weight=0.01, delay=0.5), receptor_type="inhibitory")
    for t in runs:
        sim.run(t)
    segment = cells.get_data().segments[0]
    spikes = [np.asarray(st.magnitude) for st in segment.spiketrains]
    v = np.asarray(segment.filter(name="v")[0].magnitude)
    connections = np.asarray(inputs.get(["weight", "delay"], format="list"))
    source_spikes = [np.asarray(st.magnitude) for st in noise.get_data().segments[0].spiketrains]
    sim.end()
    return spikes, v, connections, source_spikes


def _assert_same_trains(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_nest_threads_give_identical_results():
    import pyNN.nest as sim
    spikes1, v1, c1, _ = _random_network(sim, threads=1, source="array")
    spikes2, v2, c2, _ = _random_network(sim, threads=2, source="array")
    assert sim.simulator.state.threads == 2
    assert sum(len(s) for s in spikes1) > 20  # the network is active
    np.testing.assert_array_equal(c1, c2)
    _assert_same_trains(spikes1, spikes2)
    np.testing.assert_array_equal(v1, v2)


@pytest.mark.parametrize("source, precision", [
    ("poisson", "on_grid"), ("poisson", "off_grid"), ("refractory", "on_grid"),
    ("refractory", "off_grid"), ("gamma", "on_grid"),
])
def test_nest_threads_identical_with_random_sources(source, precision):
    """The library draws the random sources' trains (NEST's generators would draw from
    per-thread streams), so a network driven by them gives the same spikes at 1 and 2 threads."""
    import pyNN.nest as sim
    spikes1, v1, c1, input1 = _random_network(sim, 1, source, precision)
    spikes2, v2, c2, input2 = _random_network(sim, 2, source, precision)
    assert sim.simulator.state.threads == 2
    assert sum(len(s) for s in input1) > 200 and sum(len(s) for s in spikes1) > 20
    np.testing.assert_array_equal(c1, c2)
    _assert_same_trains(input1, input2)
    _assert_same_trains(spikes1, spikes2)
    np.testing.assert_array_equal(v1, v2)


@pytest.mark.parametrize("source", sorted(RANDOM_SOURCES))
def test_nest_random_sources_split_runs_equal_one_run(source, monkeypatch):
    """run(50) twice (and many short runs, with trains drawn in small chunks) give the spikes
    of run(100)."""
    import pyNN.nest as sim
    import pyNN.random_sources as random_sources
    spikes, v, _, inputs = _random_network(sim, 1, source, runs=(100.0,))
    split = _random_network(sim, 1, source, runs=(50.0, 50.0))
    _assert_same_trains(inputs, split[3])
    _assert_same_trains(spikes, split[0])
    np.testing.assert_array_equal(v, split[1])
    monkeypatch.setattr(random_sources, "CHUNK_TRANSITIONS", 20)  # a new chunk every few ms
    short = _random_network(sim, 2, source, runs=[0.1, 9.9, 0.3] + [7.7] * 11 + [5.0])
    assert sum(len(s) for s in inputs) > 100
    _assert_same_trains(inputs, short[3])
    _assert_same_trains(spikes, short[0])


def test_nest_reset_gives_a_new_realisation():
    import pyNN.nest as sim
    sim.setup(timestep=0.1, rng_seed=5)
    noise = sim.Population(50, sim.SpikeSourcePoisson(rate=100.0), label="noise")
    noise.record("spikes")
    sim.run(200.0)
    sim.reset()
    sim.run(200.0)
    first, second = ([np.asarray(st.magnitude) for st in seg.spiketrains]
                     for seg in noise.get_data().segments)
    counts = [sum(len(t) for t in trains) for trains in (first, second)]
    assert all(800 < c < 1200 for c in counts), counts  # 1,000 expected in each
    assert not any(np.array_equal(a, b) for a, b in zip(first, second))
    sim.setup(timestep=0.1, rng_seed=5)  # a new script with the same seed: the same trains
    noise = sim.Population(50, sim.SpikeSourcePoisson(rate=100.0), label="noise")
    noise.record("spikes")
    sim.run(200.0)
    _assert_same_trains(first, [np.asarray(st.magnitude) for st in noise.get_data().segments[0].spiketrains])
    sim.end()


def test_nest_rate_change_acts_after_the_spikes_nest_has_sent():
    """set(rate=...) between runs: the spikes NEST has already sent (up to min_delay after the
    current time) stay, the new rate acts from then on (as with NEST's own generators)."""
    import pyNN.nest as sim

    def trains(change):
        sim.setup(timestep=0.1, min_delay=0.5, rng_seed=2)
        noise = sim.Population(40, sim.SpikeSourcePoisson(rate=200.0), label="noise")
        noise.record("spikes")
        sim.run(100.0)
        if change:
            noise[:20].set(rate=0.0)
        sim.run(100.0)
        return [np.asarray(st.magnitude) for st in noise.get_data().segments[0].spiketrains]

    same, changed = trains(False), trains(True)
    rates = sim.simulator.state.populations[0].get("rate")
    np.testing.assert_array_equal(rates, [0.0] * 20 + [200.0] * 20)  # get() gives the new values
    for k, (a, b) in enumerate(zip(same, changed)):
        if k < 20:
            np.testing.assert_array_equal(b, a[a <= 100.5 + 1e-9])
        else:
            np.testing.assert_array_equal(a, b)
    assert sum(np.sum((a > 100.0) & (a <= 100.5 + 1e-9)) for a in same[:20]) > 0  # the edge is tested
    sim.end()


def test_nest_threads_warning_names_the_models_that_draw_per_thread(caplog):
    """setup(threads > 1) names the standard models whose NEST draws depend on the threads;
    the random spike sources are not among them any more, and threads=1 logs nothing."""
    import pyNN.nest as sim
    with caplog.at_level("WARNING", logger="PyNN"):
        _random_network(sim, threads=1, source="poisson")
        assert "threads" not in caplog.text
        _random_network(sim, threads=2, source="poisson")
    assert "setup(threads=2)" in caplog.text
    for name in ("SimpleStochasticSynapse (bernoulli_synapse)", "StochasticTsodyksMarkramSynapse",
                 "MultiQuantalSynapse (quantal_stp_synapse)", "GIF_cond_exp", "NESTML"):
        assert name in caplog.text
    assert "poisson_generator" not in caplog.text and caplog.text.count("setup(threads=2)") == 1


def test_nest_threads_identical_with_noisy_current():
    """NoisyCurrentSource's noise is drawn by the library (played by a step_current_generator),
    so it gives the same membrane potentials at 1 and 2 threads."""
    import pyNN.nest as sim

    def v_of(threads):
        sim.setup(timestep=0.1, threads=threads, rng_seed=3)
        cells = sim.Population(6, sim.IF_curr_exp(), label="cells")
        sim.NoisyCurrentSource(mean=0.5, stdev=0.5, dt=1.0, start=5.0, stop=80.0).inject_into(cells)
        cells.record(["v", "spikes"])
        sim.run(100.0)
        segment = cells.get_data().segments[0]
        return np.asarray(segment.filter(name="v")[0].magnitude)

    v1, v2 = v_of(1), v_of(2)
    sim.end()
    assert np.ptp(v1[:, 0]) > 5.0
    np.testing.assert_array_equal(v1, v2)
