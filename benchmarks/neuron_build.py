"""Build a network on NEURON: pyNN.neuron versus the same network written against NEURON's
Python API.

Two networks of ``IF_cond_exp`` cells, each connected onto itself:

* ``fp``: N cells (default 2,000), ``FixedProbabilityConnector(0.1)`` (self-connections
  allowed): about 400,000 connections, weights uniform in [0.002, 0.006) uS from their own
  NumpyRNG, delay 0.1 ms;
* ``dd``: side x side cells on a grid of spacing 1 (default 40 x 40, ``Grid2D()``),
  ``DistanceDependentProbabilityConnector("exp(-d**2/50.0)")``: about 220,000
  connections, weight 0.004 uS, delays ``0.5 + 0.01*d`` ms rounded to the 0.1 ms grid.

The native script creates the same cells as the backend (the ``PyNN_IF_cond`` point
process in one section, its parameters and initial membrane potential set cell by cell,
a gid with an output NetCon per cell), draws the same random numbers with numpy's
``RandomState`` from the same seeds in the same order as the library (the library's
``NumpyRNG`` wraps ``RandomState``; the connector draws one uniform number per (post,
pre) pair, post-major), and makes one ``ParallelContext.gid_connect`` NetCon per
connection, setting its weight and delay. Both therefore build the very same network:
the connection counts agree (for ``dd`` up to pairs whose probability the two distance
computations round differently, if any).

Phases: ``import`` (not in the totals), ``build`` (set-up, cells and connections), of which
``connect`` is the ``Projection(...)`` call / the native drawing and NetCon loop, ``run``
(``run(1.0)``: ``finitialize`` and 1 ms of ``psolve``), ``total`` = build + run.

Run: ``.venv/bin/python benchmarks/neuron_build.py`` (``--help`` for options).
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import current_rss_mb, import_native_neuron, main, register_native_neuron_cells

DT = 0.1                      # ms
CELL_PARAMS = {"cm": 0.2, "tau_m": 20.0, "v_rest": -60.0, "v_thresh": -50.0, "v_reset": -60.0,
               "tau_refrac": 5.0, "i_offset": 0.0, "tau_syn_E": 5.0, "tau_syn_I": 10.0,
               "e_rev_E": 0.0, "e_rev_I": -80.0}
W_LOW, W_HIGH = 0.002, 0.006  # uS (fp)
FP_DELAY = 0.1                # ms (fp)
W_CONST = 0.004               # uS (dd)
D_SCALE2 = 50.0
D_EXPRESSION = f"exp(-d**2/{D_SCALE2})"
DELAY_OFFSET, DELAY_SLOPE = 0.5, 0.01
CONNECTOR_SEED = 20240611
WEIGHT_SEED = 97531
BLOCK = 2_000_000             # (post, pre) pairs drawn at a time by the native script


def _ours(timer, options, kind):
    with timer.phase("import"):
        import pyNN.neuron as sim
        from pyNN.random import NumpyRNG, RandomDistribution
        from pyNN.space import Grid2D
    extra = {"rss_after_import_mb": current_rss_mb()}
    with timer.phase("build"):
        sim.setup(timestep=DT)
        if kind == "fp":
            cells = sim.Population(options["n"], sim.IF_cond_exp(**CELL_PARAMS), label="cells")
            connector = sim.FixedProbabilityConnector(options["p"], allow_self_connections=True,
                                                      rng=NumpyRNG(seed=CONNECTOR_SEED))
            weight = RandomDistribution("uniform", low=W_LOW, high=W_HIGH, rng=NumpyRNG(seed=WEIGHT_SEED))
            synapse = sim.StaticSynapse(weight=weight, delay=FP_DELAY)
        else:
            side = options["side"]
            cells = sim.Population(side * side, sim.IF_cond_exp(**CELL_PARAMS), label="cells",
                                   structure=Grid2D(aspect_ratio=1.0, dx=1.0, dy=1.0))
            connector = sim.DistanceDependentProbabilityConnector(
                D_EXPRESSION, allow_self_connections=True, rng=NumpyRNG(seed=CONNECTOR_SEED))
            synapse = sim.StaticSynapse(weight=W_CONST, delay=f"{DELAY_OFFSET}+{DELAY_SLOPE}*d")
        with timer.phase("connect"):
            prj = sim.Projection(cells, cells, connector, synapse, receptor_type="excitatory")
    extra["rss_after_build_mb"] = current_rss_mb()
    with timer.phase("run"):
        sim.run(1.0)
    timer.times["total"] = timer.times["build"] + timer.times["run"]
    extra["n_connections"] = len(prj)
    weights = prj.get("weight", format="array")
    extra["sum_weight_uS"] = round(float(np.nansum(weights)), 6)
    sim.end()
    return extra


def _grid_positions(side):
    """(2, n) positions of Grid2D on a side x side grid: cell k at divmod(k, side)."""
    ix, iy = np.divmod(np.arange(side * side), side)
    return np.vstack([ix, iy]).astype(float)


def _native(timer, options, kind):
    h, extra = import_native_neuron(timer)
    with timer.phase("build"):
        pc = h.ParallelContext()
        h.dt = DT
        section = h.Section(name="cells")
        location = section(0.5)
        n = options["n"] if kind == "fp" else options["side"] ** 2
        cells = []
        for _ in range(n):
            cell = h.PyNN_IF_cond(location)
            for name, value in CELL_PARAMS.items():
                setattr(cell, name, value)
            cell.init_vm = CELL_PARAMS["v_rest"]
            cell.vm = CELL_PARAMS["v_rest"]
            cells.append(cell)
        detectors = register_native_neuron_cells(h, pc, cells)  # noqa: F841 (kept alive)
        pc.spike_record(h.Vector(np.arange(n, dtype=float)), h.Vector(), h.Vector())
        with timer.phase("connect"):
            crng = np.random.RandomState(CONNECTOR_SEED)
            if kind == "dd":
                positions = _grid_positions(options["side"])
            else:
                wrng = np.random.RandomState(WEIGHT_SEED)
            netcons = []
            connect, keep = pc.gid_connect, netcons.append  # a tight loop, as in the library
            block = max(1, BLOCK // n)
            for start in range(0, n, block):
                stop = min(n, start + block)
                draws = crng.uniform(0.0, 1.0, (stop - start, n))
                if kind == "fp":
                    post, pre = np.nonzero(draws < options["p"])
                    weights = wrng.uniform(W_LOW, W_HIGH, pre.size).tolist()
                    delays = [FP_DELAY] * pre.size
                else:
                    dx = positions[0][None, :] - positions[0][start:stop, None]
                    dy = positions[1][None, :] - positions[1][start:stop, None]
                    d = np.sqrt(dx * dx + dy * dy)
                    post, pre = np.nonzero(draws < np.exp(-d ** 2 / D_SCALE2))
                    d = d[post, pre]
                    weights = [W_CONST] * pre.size
                    delays = (np.floor((DELAY_OFFSET + DELAY_SLOPE * d) / DT + 0.5 + 1e-9) * DT).tolist()
                for i, j, w, dl in zip(pre.tolist(), (post + start).tolist(), weights, delays):
                    nc = connect(i, cells[j])
                    nc.weight[0] = w
                    nc.delay = dl
                    keep(nc)
    extra["rss_after_build_mb"] = current_rss_mb()
    with timer.phase("run"):
        pc.set_maxstep(10.0)
        h.finitialize()
        pc.psolve(1.0)
    timer.times["total"] = timer.times["build"] + timer.times["run"]
    extra["n_connections"] = len(netcons)
    extra["sum_weight_uS"] = round(sum(nc.weight[0] for nc in netcons), 6)
    return extra


VARIANTS = {
    "ours_fp": lambda t, o: _ours(t, o, "fp"),
    "native_fp": lambda t, o: _native(t, o, "fp"),
    "ours_dd": lambda t, o: _ours(t, o, "dd"),
    "native_dd": lambda t, o: _native(t, o, "dd"),
}

PAIRS = [("FixedProbability, random weights", "ours_fp", "native_fp"),
         ("DistanceDependent, distance-dependent delays", "ours_dd", "native_dd")]

TARGETS = {"build": 1.1, "connect": 1.1, "total": 1.1}


def _options(parser):
    parser.add_argument("--n", type=int, default=2000, help="cells of the fp network (default 2000)")
    parser.add_argument("--p", type=float, default=0.1, help="connection probability of fp (default 0.1)")
    parser.add_argument("--side", type=int, default=40, help="grid side of the dd network (default 40)")


if __name__ == "__main__":
    main("neuron_build", "NEURON build benchmark: pyNN.neuron vs native NEURON",
         VARIANTS, PAIRS, ["import", "build", "connect", "run", "total"], TARGETS, _options,
         ("sum_weight_uS",))
