"""Build a network from an explicit connection list: pyNN.nest versus plain PyNEST.

Two populations of N IF_cond_exp cells (default 10,000 each) connected by M rows
(default 1,000,000) of ``(pre, post, weight, delay)`` drawn with numpy from a fixed seed:
pre and post indices uniform in 0..N-1 (so some pairs occur more than once), weights
uniform in [0.002, 0.006) uS (NEST: x 1000 nS), delays uniform in [0.1, 5.0] ms on the
0.1 ms grid.

* ours: ``Projection(pre, post, FromListConnector(conn_list), StaticSynapse(),
  receptor_type='excitatory')``, the list giving weights and delays;
* native: ``nest.Connect(pre_ids, post_ids, 'one_to_one', syn_spec={'weight': w,
  'delay': d})`` with the node ids of the same rows (first node id + index: one
  ``nest.Create`` gives consecutive ids) and the same weights (in nS) and delays.

Phases:

* ``import``: importing the library (not part of the totals);
* ``list``: drawing the (M, 4) connection array, done identically by both variants
  (not part of the totals either);
* ``build``: from ``setup()`` / ``nest.ResetKernel()`` until every connection exists, of
  which ``connect`` is the ``Projection`` / ``nest.Connect`` call alone (including, natively,
  turning the list's columns into node ids and nS);
* ``run``: a first 1 ms run; ``total`` = build + run.

``--check`` reads every connection back after the run and compares it with the list
(inflates the peak memory: for verification only, e.g. with ``--rows 100000``).

Run: ``.venv/bin/python benchmarks/build_from_list.py`` (``--help`` for options).
"""

import os

import numpy as np
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import current_rss_mb, import_native_nest, main

DT = 0.1          # ms
W_LOW, W_HIGH = 0.002, 0.006   # uS
D_MIN_STEPS, D_MAX_STEPS = 1, 50  # delays 0.1 .. 5.0 ms
LIST_SEED = 24680
NEST_SEED = 12345


def make_list(n, rows):
    """The (rows, 4) float array of (pre, post, weight in uS, delay in ms)."""
    import numpy as np
    rng = np.random.default_rng(LIST_SEED)
    conn = np.empty((rows, 4))
    conn[:, 0] = rng.integers(0, n, rows)
    conn[:, 1] = rng.integers(0, n, rows)
    conn[:, 2] = rng.uniform(W_LOW, W_HIGH, rows)
    conn[:, 3] = np.round(rng.integers(D_MIN_STEPS, D_MAX_STEPS + 1, rows) * DT, 10)
    return conn


def _ours(timer, options):
    with timer.phase("import"):
        import numpy as np
        import pyNN.nest as sim
    extra = {"rss_after_import_mb": current_rss_mb()}
    n = options["n"]
    with timer.phase("list"):
        conn = make_list(n, options["rows"])
    extra["rss_after_list_mb"] = current_rss_mb()
    with timer.phase("build"):
        sim.setup(timestep=DT, rng_seed=NEST_SEED)
        pre = sim.Population(n, sim.IF_cond_exp(), label="pre")
        post = sim.Population(n, sim.IF_cond_exp(), label="post")
        with timer.phase("connect"):
            prj = sim.Projection(pre, post, sim.FromListConnector(conn), sim.StaticSynapse(),
                                 receptor_type="excitatory")
    extra["rss_after_build_mb"] = current_rss_mb()
    with timer.phase("run"):
        sim.run(1.0)
    timer.times["total"] = timer.times["build"] + timer.times["run"]
    extra["n_connections"] = len(prj)
    extra["n_connections_in_nest"] = int(sim.nest.num_connections) - 1  # minus the pinning parrots
    if options["check"]:
        rows = np.array(prj.get(["weight", "delay"], format="list"), dtype=float)
        extra.update(_summary(conn, rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]))
    sim.end()
    return extra


def _native(timer, options):
    nest, extra = import_native_nest(timer)
    n = options["n"]
    with timer.phase("list"):
        conn = make_list(n, options["rows"])
    extra["rss_after_list_mb"] = current_rss_mb()
    with timer.phase("build"):
        nest.ResetKernel()
        nest.set_verbosity("M_ERROR")
        nest.SetKernelStatus({"resolution": DT, "rng_seed": NEST_SEED})
        pre = nest.Create("iaf_cond_exp", n)
        post = nest.Create("iaf_cond_exp", n)
        with timer.phase("connect"):
            # one nest.Create gives consecutive node ids; NodeCollection.tolist() would cost
            # about 14 us per node (it reads every node's status)
            pre_ids = pre[0].global_id + conn[:, 0].astype(np.int64)
            post_ids = post[0].global_id + conn[:, 1].astype(np.int64)
            nest.Connect(pre_ids, post_ids, "one_to_one",
                         {"synapse_model": "static_synapse", "weight": 1000.0 * conn[:, 2],
                          "delay": conn[:, 3]})
    extra["rss_after_build_mb"] = current_rss_mb()
    with timer.phase("run"):
        nest.Simulate(1.0)
    timer.times["total"] = timer.times["build"] + timer.times["run"]
    extra["n_connections"] = int(nest.num_connections)
    if options["check"]:
        conns = nest.GetConnections(pre, post)
        i = np.asarray(conns.get("source"), dtype=np.int64) - pre[0].global_id
        j = np.asarray(conns.get("target"), dtype=np.int64) - post[0].global_id
        w = np.asarray(conns.get("weight"), dtype=float) / 1000.0
        d = np.asarray(conns.get("delay"), dtype=float)
        extra.update(_summary(conn, i, j, w, d))
    return extra


def _summary(conn, i, j, w, d):
    """Compare the connections read back with the list, as sorted multisets of rows."""
    import numpy as np

    def rows(a, b, c, e):
        m = np.column_stack([a, b, np.round(c * 1e9), np.round(e / DT)])
        return m[np.lexsort(m.T[::-1])]

    same = i.size == len(conn) and np.array_equal(rows(i, j, w, d), rows(*conn.T))
    return {"matches_list": int(same), "sum_weight_uS": round(float(w.sum()), 6),
            "sum_delay_ms": round(float(d.sum()), 3)}


VARIANTS = {"ours": _ours, "native": _native}

PAIRS = [("FromList, per-connection weights and delays", "ours", "native")]

TARGETS = {}  # only reported (the targets of the issue are for FixedProbabilityConnector)

REPORT_KEYS = ("n_connections_in_nest", "matches_list", "sum_weight_uS", "sum_delay_ms")


def _options(parser):
    parser.add_argument("--n", type=int, default=10_000, help="cells per population (default 10000)")
    parser.add_argument("--rows", type=int, default=1_000_000,
                        help="rows of the connection list (default 1000000)")
    parser.add_argument("--check", action="store_true",
                        help="read every connection back after the run and compare it with the list "
                             "(inflates the peak memory: for verification only)")


if __name__ == "__main__":
    main("build_from_list",
         "FromListConnector build benchmark: pyNN.nest vs PyNEST",
         VARIANTS, PAIRS, ["import", "list", "build", "connect", "run", "total"], TARGETS, _options,
         REPORT_KEYS)
