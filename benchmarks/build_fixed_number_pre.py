"""Build a fixed-in-degree network: pyNN.nest versus the same network in plain PyNEST.

N_PRE IF_cond_exp cells (default 10,000) project onto N_POST others (default 10,000)
with ``FixedNumberPreConnector(1000)``: every postsynaptic cell receives connections
from 1000 distinct presynaptic cells chosen at random (no multiple connections), i.e.
10 million static synapses, constant weight 0.004 uS (NEST: 4 nS), delay 0.1 ms (= dt).

Native PyNEST does the same with ``nest.Connect(pre, post, {'rule': 'fixed_indegree',
'indegree': 1000, 'allow_multapses': False}, syn_spec)`` (pre and post are distinct
populations, so autapses cannot occur).

Phases: ``build`` (from ``setup()`` / ``nest.ResetKernel()`` until every connection
exists), ``run`` (a first 1 ms run), ``total`` = build + run; ``import`` is shown apart.
``--check`` reads every connection back after the run and counts targets whose in-degree
is not exactly n and duplicated (pre, post) pairs; it inflates the peak memory, so use it
for verification only (e.g. with ``--n-post 1000``), not for the ratios.

Run: ``.venv/bin/python benchmarks/build_fixed_number_pre.py`` (``--help`` for options).
"""

import os

import numpy as np
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import current_rss_mb, import_native_nest, main

DT = 0.1          # ms
DELAY = 0.1       # ms
W_CONST = 0.004   # uS
CONNECTOR_SEED = 20240611
NEST_SEED = 12345


def _ours(timer, options):
    with timer.phase("import"):
        import numpy as np
        import pyNN.nest as sim
        from pyNN.random import NumpyRNG
    extra = {"rss_after_import_mb": current_rss_mb()}
    with timer.phase("build"):
        sim.setup(timestep=DT, rng_seed=NEST_SEED)
        pre = sim.Population(options["n_pre"], sim.IF_cond_exp(), label="pre")
        post = sim.Population(options["n_post"], sim.IF_cond_exp(), label="post")
        connector = sim.FixedNumberPreConnector(options["indegree"], with_replacement=False,
                                                rng=NumpyRNG(seed=CONNECTOR_SEED))
        prj = sim.Projection(pre, post, connector, sim.StaticSynapse(weight=W_CONST, delay=DELAY),
                             receptor_type="excitatory")
    extra["rss_after_build_mb"] = current_rss_mb()
    with timer.phase("run"):
        sim.run(1.0)
    timer.times["total"] = timer.times["build"] + timer.times["run"]
    extra["n_connections"] = len(prj)
    extra["n_connections_in_nest"] = int(sim.nest.num_connections) - 1  # minus the pinning parrots
    if options["check"]:
        i, j = (np.asarray(c, dtype=np.int64) for c in zip(*prj.get([], format="list")))
        extra.update(_summary(i, j, options))
    sim.end()
    return extra


def _native(timer, options):
    nest, extra = import_native_nest(timer)
    with timer.phase("build"):
        nest.ResetKernel()
        nest.set_verbosity("M_ERROR")
        nest.SetKernelStatus({"resolution": DT, "rng_seed": NEST_SEED})
        pre = nest.Create("iaf_cond_exp", options["n_pre"])
        post = nest.Create("iaf_cond_exp", options["n_post"])
        nest.Connect(pre, post, {"rule": "fixed_indegree", "indegree": options["indegree"],
                                 "allow_multapses": False},
                     {"synapse_model": "static_synapse", "weight": 1000 * W_CONST, "delay": DELAY})
    extra["rss_after_build_mb"] = current_rss_mb()
    with timer.phase("run"):
        nest.Simulate(1.0)
    timer.times["total"] = timer.times["build"] + timer.times["run"]
    extra["n_connections"] = int(nest.num_connections)
    if options["check"]:
        conns = nest.GetConnections(pre, post)
        i = np.asarray(conns.get("source"), dtype=np.int64) - pre[0].global_id
        j = np.asarray(conns.get("target"), dtype=np.int64) - post[0].global_id
        extra.update(_summary(i, j, options))
    return extra


def _summary(i, j, options):
    import numpy as np
    indegree = np.bincount(j, minlength=options["n_post"])
    pairs = np.unique(j * options["n_pre"] + i).size
    outdegree = np.bincount(i, minlength=options["n_pre"])
    return {"targets_wrong_indegree": int(np.sum(indegree != options["indegree"])),
            "duplicate_pairs": int(i.size - pairs),
            "outdegree_mean": round(float(outdegree.mean()), 2),
            "outdegree_std": round(float(outdegree.std()), 2)}


VARIANTS = {"ours": _ours, "native": _native}

PAIRS = [("fixed in-degree, constant weights", "ours", "native")]

TARGETS = {}  # only reported (the targets of the issue are for FixedProbabilityConnector)

REPORT_KEYS = ("n_connections_in_nest", "targets_wrong_indegree", "duplicate_pairs", "outdegree_mean",
               "outdegree_std")


def _options(parser):
    parser.add_argument("--n-pre", type=int, default=10_000, help="presynaptic cells (default 10000)")
    parser.add_argument("--n-post", type=int, default=10_000, help="postsynaptic cells (default 10000)")
    parser.add_argument("--indegree", type=int, default=1000,
                        help="connections per postsynaptic cell (default 1000)")
    parser.add_argument("--check", action="store_true",
                        help="read every connection back after the run and check in-degrees and "
                             "duplicates (inflates the peak memory: for verification only)")


if __name__ == "__main__":
    main("build_fixed_number_pre",
         "FixedNumberPreConnector build benchmark: pyNN.nest vs PyNEST",
         VARIANTS, PAIRS, ["import", "build", "run", "total"], TARGETS, _options, REPORT_KEYS)
