"""Build a distance-dependent network on a grid: pyNN.nest versus the same network in PyNEST.

IF_cond_exp cells on a 100 x 100 grid with unit spacing (cell at x = i, y = j, z = 0),
connected with ``DistanceDependentProbabilityConnector("exp(-d**2/400.0)")``, constant
weight 0.004 uS (NEST: 4 nS) and distance-dependent delays ``0.5 + 0.01*d`` ms
(rounded to the 0.1 ms grid by both versions). By default one population projects onto
itself, self-connections allowed (d = 0 gives p = 1, so every cell connects to itself);
``--populations 2`` connects two distinct grids of the same shape instead.

* ours: ``Population(..., structure=pyNN.space.Grid2D())``, the default ``Space()`` (Euclidean,
  no periodic boundaries), ``Projection(pre, post, connector, StaticSynapse(weight=0.004,
  delay="0.5+0.01*d"))``;
* native: NEST spatial nodes ``nest.Create(model, positions=nest.spatial.grid(shape=[100,
  100], extent=[100, 100], center=[49.5, 49.5]))`` (the same set of positions; NEST
  numbers grid nodes column by column from the top, so the node order differs), and
  ``nest.Connect(pre, post, {'rule': 'pairwise_bernoulli', 'p':
  nest.spatial_distributions.gaussian(nest.spatial.distance, std=sqrt(200)),
  'allow_autapses': True}, {'weight': 4.0, 'delay': 0.5 + 0.01*nest.spatial.distance})``:
  exp(-d**2/400) is a Gaussian of standard deviation sqrt(200) without normalisation; no
  mask, ``edge_wrap`` False (the default of ``nest.spatial.grid``), so every pair is tried
  with its plain Euclidean distance, as in ``Space()``.

The expected number of connections (sum of p over all pairs) is computed exactly and
printed next to both counts.

Phases: ``build`` (from ``setup()`` / ``nest.ResetKernel()`` until every connection
exists), ``run`` (a first 1 ms run), ``total`` = build + run; ``import`` is shown apart.
``--check`` additionally reads every connection back after the run (mean delay and mean
distance of the connections, number of self-connections); this inflates the peak memory,
so use it for verification only (e.g. with ``--side 40``), not for the ratios.

Run: ``.venv/bin/python benchmarks/build_distance_dependent.py`` (``--help`` for options).
"""

import math
import os

import numpy as np
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import current_rss_mb, import_native_nest, main

DT = 0.1          # ms
W_CONST = 0.004   # uS
LENGTH_SCALE2 = 400.0            # exp(-d**2/400): Gaussian with 2 std**2 = 400
D_EXPRESSION = "exp(-d**2/400.0)"
DELAY_OFFSET, DELAY_SLOPE = 0.5, 0.01   # delay = 0.5 + 0.01*d (ms)
CONNECTOR_SEED = 20240611
NEST_SEED = 12345


def expected_connections(side):
    """Exact mean and standard deviation of the number of connections between two
    coinciding side x side grids: sum over all (pre, post) pairs of p = exp(-d**2/400), and
    sqrt(sum of p(1-p)). The Gaussian factorises over x and y, and along one axis the
    offset k occurs side - |k| times."""
    import numpy as np
    off = np.arange(-(side - 1), side).astype(float)
    mult = side - np.abs(off)
    mean = (mult * np.exp(-off ** 2 / LENGTH_SCALE2)).sum() ** 2
    sum_p2 = (mult * np.exp(-2 * off ** 2 / LENGTH_SCALE2)).sum() ** 2
    return float(mean), float(np.sqrt(mean - sum_p2))


def _ours(timer, options):
    with timer.phase("import"):
        import numpy as np
        import pyNN.nest as sim
        from pyNN.random import NumpyRNG
        from pyNN.space import Grid2D
    extra = {"rss_after_import_mb": current_rss_mb()}
    side, two = options["side"], options["populations"] == 2
    with timer.phase("build"):
        sim.setup(timestep=DT, rng_seed=NEST_SEED)
        grid = Grid2D(aspect_ratio=1.0, dx=1.0, dy=1.0)
        pre = sim.Population(side * side, sim.IF_cond_exp(), structure=grid, label="pre")
        post = sim.Population(side * side, sim.IF_cond_exp(), structure=grid, label="post") if two else pre
        connector = sim.DistanceDependentProbabilityConnector(D_EXPRESSION, allow_self_connections=True,
                                                              rng=NumpyRNG(seed=CONNECTOR_SEED))
        synapse = sim.StaticSynapse(weight=W_CONST, delay=f"{DELAY_OFFSET}+{DELAY_SLOPE}*d")
        prj = sim.Projection(pre, post, connector, synapse, receptor_type="excitatory", space=sim.Space())
    extra["rss_after_build_mb"] = current_rss_mb()
    with timer.phase("run"):
        sim.run(1.0)
    timer.times["total"] = timer.times["build"] + timer.times["run"]
    extra["n_connections"] = len(prj)
    extra["n_connections_in_nest"] = int(sim.nest.num_connections) - 1  # minus the pinning parrots
    extra["n_expected"], extra["n_expected_std"] = (round(x) for x in expected_connections(side))
    if options["check"]:
        i, j, delay = (np.asarray(c) for c in zip(*prj.get("delay", format="list")))
        i, j = i.astype(np.int64), j.astype(np.int64)
        d = np.sqrt(((pre.positions[:, i] - post.positions[:, j]) ** 2).sum(axis=0))
        extra.update(_summary(d, delay, 0 if two else int(np.sum(i == j))))
    sim.end()
    return extra


def _native(timer, options):
    nest, extra = import_native_nest(timer)
    side, two = options["side"], options["populations"] == 2
    with timer.phase("build"):
        nest.ResetKernel()
        nest.set_verbosity("M_ERROR")
        nest.SetKernelStatus({"resolution": DT, "rng_seed": NEST_SEED})
        # grid points at center - extent/2 + (k + 0.5) * extent/shape = k, k = 0 .. side-1
        layout = nest.spatial.grid(shape=[side, side], extent=[float(side), float(side)],
                                   center=[(side - 1) / 2.0, (side - 1) / 2.0], edge_wrap=False)
        pre = nest.Create("iaf_cond_exp", positions=layout)
        post = nest.Create("iaf_cond_exp", positions=layout) if two else pre
        p = nest.spatial_distributions.gaussian(nest.spatial.distance, std=math.sqrt(LENGTH_SCALE2 / 2))
        nest.Connect(pre, post, {"rule": "pairwise_bernoulli", "p": p, "allow_autapses": True},
                     {"synapse_model": "static_synapse", "weight": 1000 * W_CONST,
                      "delay": DELAY_OFFSET + DELAY_SLOPE * nest.spatial.distance})
    extra["rss_after_build_mb"] = current_rss_mb()
    with timer.phase("run"):
        nest.Simulate(1.0)
    timer.times["total"] = timer.times["build"] + timer.times["run"]
    extra["n_connections"] = int(nest.num_connections)
    extra["n_expected"], extra["n_expected_std"] = (round(x) for x in expected_connections(side))
    if options["check"]:
        conns = nest.GetConnections(pre, post)
        src = np.asarray(conns.get("source"), dtype=np.int64)
        tgt = np.asarray(conns.get("target"), dtype=np.int64)
        delay = np.asarray(conns.get("delay"), dtype=float)
        pos_pre = np.asarray(nest.GetPosition(pre))
        pos_post = np.asarray(nest.GetPosition(post))
        first_pre, first_post = pre[0].global_id, post[0].global_id
        d = np.sqrt(((pos_pre[src - first_pre] - pos_post[tgt - first_post]) ** 2).sum(axis=1))
        extra.update(_summary(d, delay, int(np.sum(src == tgt))))
    return extra


def _summary(d, delay, n_self):
    """Connection statistics for --check. Delays are compared with 0.5 + 0.01*d rounded
    to the nearest step, ties (e.g. d = 15: 6.5 steps) counted apart, as the two versions
    may break them differently."""
    import numpy as np
    steps = (DELAY_OFFSET + DELAY_SLOPE * d) / DT
    tie = np.abs(steps - np.floor(steps) - 0.5) < 1e-6
    off = np.abs(delay - np.floor(steps + 0.5) * DT) > DT / 2
    return {"mean_distance": round(float(d.mean()), 4), "max_distance": round(float(d.max()), 3),
            "mean_delay_ms": round(float(delay.mean()), 4),
            "delays_wrong": int(np.sum(off & ~tie)),
            "ties_rounded_down": int(np.sum(off & tie)), "ties": int(np.sum(tie)),
            "n_self_connections": n_self}


VARIANTS = {"ours": _ours, "native": _native}

PAIRS = [("distance-dependent p, constant weights", "ours", "native")]

TARGETS = {}  # only reported (the targets of the issue are for FixedProbabilityConnector)

REPORT_KEYS = ("n_connections_in_nest", "n_expected", "n_expected_std", "mean_distance", "max_distance",
               "mean_delay_ms", "delays_wrong", "ties", "ties_rounded_down", "n_self_connections")


def _options(parser):
    parser.add_argument("--side", type=int, default=100, help="grid side, side**2 cells (default 100)")
    parser.add_argument("--populations", type=int, choices=(1, 2), default=1,
                        help="1: one grid projecting onto itself (default); 2: two grids")
    parser.add_argument("--check", action="store_true",
                        help="read every connection back after the run and compare delays and "
                             "distances (inflates the peak memory: for verification only)")


if __name__ == "__main__":
    main("build_distance_dependent",
         "DistanceDependentProbabilityConnector build benchmark: pyNN.nest vs PyNEST",
         VARIANTS, PAIRS, ["import", "build", "run", "total"], TARGETS, _options, REPORT_KEYS)
