"""Build a large random network: pyNN.nest versus the same network in plain PyNEST.

N IF_cond_exp cells (default 10,000) connected onto themselves with
FixedProbabilityConnector(p=0.1) (self-connections allowed), giving about
p * N**2 = 10 million static synapses, delay 0.1 ms (= dt), excitatory receptor:

* ``constant``: every weight 0.004 uS (NEST: 4 nS);
* ``random``:  weights drawn from uniform(0.002, 0.006) uS (NEST: nest.random.uniform(2, 6) nS).

Native PyNEST does the same with ``nest.Connect(cells, cells, {'rule':
'pairwise_bernoulli', 'p': 0.1, 'allow_autapses': True}, syn_spec)``.

Phases timed in each variant's own process:

* ``import``: importing the library (not part of the totals);
* ``build``: from ``setup()`` / ``nest.ResetKernel()`` until every connection exists;
* ``run``: a first ``run(1.0)`` / ``nest.Simulate(1.0)``, which shows costs NEST defers to
  the first simulation step (building its connection infrastructure);
* ``total``: build + run.

Run: ``.venv/bin/python benchmarks/build_fixed_probability.py`` (``--help`` for options).
"""

import os

import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import current_rss_mb, import_native_nest, main

DT = 0.1          # ms
DELAY = 0.1       # ms: one step, so both versions have min_delay = dt
W_CONST = 0.004   # uS
W_LOW, W_HIGH = 0.002, 0.006  # uS
CONNECTOR_SEED = 20240611
WEIGHT_SEED = 97531
NEST_SEED = 12345


def _ours(timer, options, random_weights):
    with timer.phase("import"):
        import pyNN.nest as sim
        from pyNN.random import NumpyRNG, RandomDistribution
    extra = {"rss_after_import_mb": current_rss_mb()}
    n, p = options["n"], options["p"]
    with timer.phase("build"):
        sim.setup(timestep=DT, rng_seed=NEST_SEED)
        cells = sim.Population(n, sim.IF_cond_exp(), label="cells")
        if random_weights:
            weight = RandomDistribution("uniform", low=W_LOW, high=W_HIGH, rng=NumpyRNG(seed=WEIGHT_SEED))
        else:
            weight = W_CONST
        connector = sim.FixedProbabilityConnector(p, allow_self_connections=True,
                                                  rng=NumpyRNG(seed=CONNECTOR_SEED))
        prj = sim.Projection(cells, cells, connector, sim.StaticSynapse(weight=weight, delay=DELAY),
                             receptor_type="excitatory")
    extra["rss_after_build_mb"] = current_rss_mb()
    with timer.phase("run"):
        sim.run(1.0)
    timer.times["total"] = timer.times["build"] + timer.times["run"]
    extra["n_connections"] = len(prj)
    extra["n_connections_in_nest"] = int(sim.nest.num_connections) - 1  # minus the pinning parrots
    sim.end()
    return extra


def _native(timer, options, random_weights):
    nest, extra = import_native_nest(timer)
    n, p = options["n"], options["p"]
    with timer.phase("build"):
        nest.ResetKernel()
        nest.set_verbosity("M_ERROR")
        nest.SetKernelStatus({"resolution": DT, "rng_seed": NEST_SEED})
        cells = nest.Create("iaf_cond_exp", n)
        weight = nest.random.uniform(1000 * W_LOW, 1000 * W_HIGH) if random_weights else 1000 * W_CONST
        nest.Connect(cells, cells, {"rule": "pairwise_bernoulli", "p": p, "allow_autapses": True},
                     {"synapse_model": "static_synapse", "weight": weight, "delay": DELAY})
    extra["rss_after_build_mb"] = current_rss_mb()
    with timer.phase("run"):
        nest.Simulate(1.0)
    timer.times["total"] = timer.times["build"] + timer.times["run"]
    extra["n_connections"] = int(nest.num_connections)
    return extra


VARIANTS = {
    "ours_constant": lambda t, o: _ours(t, o, False),
    "native_constant": lambda t, o: _native(t, o, False),
    "ours_random": lambda t, o: _ours(t, o, True),
    "native_random": lambda t, o: _native(t, o, True),
}

PAIRS = [("constant weights", "ours_constant", "native_constant"),
         ("random weights", "ours_random", "native_random")]

TARGETS = {"build": 1.2, "total": 1.2, "memory": 1.2}  # issue 3: 1.2x time; issue 16: 1.2x memory


def _options(parser):
    parser.add_argument("--n", type=int, default=10_000, help="number of cells (default 10000)")
    parser.add_argument("--p", type=float, default=0.1, help="connection probability (default 0.1)")


if __name__ == "__main__":
    main("build_fixed_probability",
         "FixedProbabilityConnector build benchmark: pyNN.nest vs PyNEST",
         VARIANTS, PAIRS, ["import", "build", "run", "total"], TARGETS, _options)
