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
    assert _REASON[name] in message
    if name == "neuron":
        # NEURON distributes a network over real MPI processes; this one process is not one of
        # two, so setup() refuses, naming the mismatch (see test_mpi.py for real mpirun runs)
        assert "the launcher (mpirun) and mpi4py must belong to the same MPI library" in message
    else:
        assert "copy of the whole network" in message
    # objects created without setup() meet the same refusal (implicit set-up)
    sim.simulator.state.initialized = False
    with pytest.raises(errors.NotSupportedError):
        sim.Population(1, sim.SpikeSourceArray())
    monkeypatch.delenv("OMPI_COMM_WORLD_SIZE")
    sim.setup(timestep=0.1)  # one process again: accepted


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


def test_nest_with_mpi_is_still_refused(monkeypatch):
    """An MPI-enabled NEST would distribute the cells, but pyNN's side is not distributed yet."""
    import pyNN.nest as sim
    assert sim.simulator.nest_has_mpi() is False  # the PyPI wheel installed here
    monkeypatch.setattr(sim.simulator, "nest_has_mpi", lambda: True)
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    with pytest.raises(errors.NotSupportedError, match="NEST itself was built with MPI"):
        sim.setup()


def _random_network(sim, threads, source):
    """A small random network (FixedProbability connections from the core's RNG, recurrent
    inhibition); spikes and v of every cell, and the connection list."""
    sim.setup(timestep=0.1, threads=threads, rng_seed=7)
    rng = sim.NumpyRNG(seed=11)
    if source == "poisson":
        celltype = sim.SpikeSourcePoisson(rate=80.0)
    else:  # Poisson-like trains drawn here, the same for any number of threads
        times = np.random.default_rng(3).uniform(0.0, 200.0, size=(20, 16))
        celltype = sim.SpikeSourceArray(spike_times=[sim.Sequence(np.sort(np.round(t, 1)))
                                                     for t in times])
    noise = sim.Population(20, celltype, label="noise")
    cells = sim.Population(30, sim.IF_cond_exp(tau_m=15.0), label="cells")
    cells.record(["spikes", "v"])
    inputs = sim.Projection(noise, cells, sim.FixedProbabilityConnector(0.3, rng=rng),
                            sim.StaticSynapse(weight=0.02, delay=1.0), receptor_type="excitatory")
    sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.1, rng=rng),
                   sim.StaticSynapse(weight=0.01, delay=0.5), receptor_type="inhibitory")
    sim.run(200.0)
    segment = cells.get_data().segments[0]
    spikes = [np.asarray(st.magnitude) for st in segment.spiketrains]
    v = np.asarray(segment.filter(name="v")[0].magnitude)
    connections = np.asarray(inputs.get(["weight", "delay"], format="list"))
    sim.end()
    return spikes, v, connections


def test_nest_threads_give_identical_results():
    import pyNN.nest as sim
    spikes1, v1, c1 = _random_network(sim, threads=1, source="array")
    spikes2, v2, c2 = _random_network(sim, threads=2, source="array")
    assert sim.simulator.state.threads == 2
    assert sum(len(s) for s in spikes1) > 20  # the network is active
    np.testing.assert_array_equal(c1, c2)
    for a, b in zip(spikes1, spikes2):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(v1, v2)


def test_nest_threads_same_network_with_poisson_sources(caplog):
    """NEST draws poisson_generator spikes from per-thread streams, so the input trains (and
    the activity) depend on the number of threads, which is logged; the network does not."""
    import pyNN.nest as sim
    with caplog.at_level("WARNING", logger="PyNN"):
        _, _, c1 = _random_network(sim, threads=1, source="poisson")
        assert "threads" not in caplog.text
        _, _, c2 = _random_network(sim, threads=2, source="poisson")
    assert "'noise': NEST's poisson_generator" in caplog.text and "threads=2" in caplog.text
    assert len(c1) > 50
    np.testing.assert_array_equal(c1, c2)
