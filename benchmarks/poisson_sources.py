"""Many Poisson sources: pyNN.nest's library-drawn trains against NEST's poisson_generator.

pyNN.nest draws the spike trains of SpikeSourcePoisson itself (the same for any number of
threads, see pyNN.nest.random_sources) and plays them through spike_generators; the native
script uses NEST's poisson_generator, one per source, each feeding a parrot neuron (so that
every target of a source sees the same train, as in the library).

Default network: 10,000 sources at 10 Hz onto 1,000 IF_curr_exp cells (iaf_psc_exp), each
source-cell pair connected with probability 0.01 (about 100,000 connections), 10 s simulated
(about 1 million source spikes), the cells' spikes recorded. ``--runs K`` cuts the simulation
into K equal ``run()`` calls (``nest.Simulate``), to see the cost of many short runs.

Run: ``.venv/bin/python benchmarks/poisson_sources.py`` (``--help`` for options).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import import_native_nest, main
from va_coba import reset_nest_kernel

DT, DELAY, WEIGHT = 0.1, 1.0, 0.2  # ms, ms, nA
SEED = 4321


def _ours(timer, options):
    with timer.phase("import"):
        import pyNN.nest as sim
        from pyNN.random import NumpyRNG
    with timer.phase("build"):
        sim.setup(timestep=DT, rng_seed=SEED)
        sources = sim.Population(options["n_sources"], sim.SpikeSourcePoisson(rate=options["rate"]), label="sources")
        cells = sim.Population(options["n_cells"], sim.IF_curr_exp(), label="cells")
        cells.record("spikes")
        sim.Projection(sources, cells, sim.FixedProbabilityConnector(options["p"], rng=NumpyRNG(seed=SEED)),
                       sim.StaticSynapse(weight=WEIGHT, delay=DELAY))
    with timer.phase("run"):
        for _ in range(options["runs"]):
            sim.run(options["t_sim"] / options["runs"])
    with timer.phase("data"):
        n_spikes = len(cells.get_data("spikes").segments[0].spiketrains.multiplexed[1])
    timer.times["total"] = timer.times["build"] + timer.times["run"] + timer.times["data"]
    sim.end()
    return {"n_spikes": int(n_spikes)}


def _native(timer, options):
    nest, extra = import_native_nest(timer)
    with timer.phase("build"):
        reset_nest_kernel(nest, {"nest": SEED})  # (the same time step, 0.1 ms)
        generators = nest.Create("poisson_generator", options["n_sources"], params={"rate": options["rate"]})
        parrots = nest.Create("parrot_neuron", options["n_sources"])
        nest.Connect(generators, parrots, "one_to_one", {"delay": DT})
        cells = nest.Create("iaf_psc_exp", options["n_cells"])
        recorder = nest.Create("spike_recorder")
        nest.Connect(cells, recorder)
        nest.Connect(parrots, cells, {"rule": "pairwise_bernoulli", "p": options["p"]},
                     {"synapse_model": "static_synapse", "weight": 1000.0 * WEIGHT, "delay": DELAY})
    with timer.phase("run"):
        for _ in range(options["runs"]):
            nest.Simulate(options["t_sim"] / options["runs"])
    with timer.phase("data"):
        n_spikes = len(recorder.get("events")["times"])
    timer.times["total"] = timer.times["build"] + timer.times["run"] + timer.times["data"]
    return dict(extra, n_spikes=int(n_spikes))


def _options(parser):
    parser.add_argument("--n-sources", dest="n_sources", type=int, default=10_000)
    parser.add_argument("--n-cells", dest="n_cells", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0, help="Hz (default 10)")
    parser.add_argument("--p", type=float, default=0.01, help="connection probability (default 0.01)")
    parser.add_argument("--t-sim", dest="t_sim", type=float, default=10_000.0, help="ms (default 10,000)")
    parser.add_argument("--runs", type=int, default=1, help="number of run() calls (default 1)")


if __name__ == "__main__":
    main("poisson_sources", "Poisson sources: pyNN.nest (library-drawn trains) vs poisson_generator",
         {"ours": _ours, "native": _native}, [("Poisson sources", "ours", "native")],
         ["import", "build", "run", "data", "total"], {}, _options)
