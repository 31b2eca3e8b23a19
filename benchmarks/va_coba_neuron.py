"""The Vogels-Abbott COBA benchmark network: pyNN.neuron versus the same network written
directly against NEURON's Python API.

The network is the one of ``va_coba.py`` (4,000 IF_cond_exp cells, 2% connectivity,
20 Poisson sources kicking it off for 50 ms, dt = 0.1 ms, 1 s, spikes of all cells
recorded). The native variant uses the same cell mechanism (``PyNN_IF_cond``, loaded
from the backend's compiled cache), the same Poisson mechanism, one NetCon per
connection made with ``ParallelContext.gid_connect``, ``spike_record`` and one
``psolve``; its connectivity is drawn with numpy with the same connection probability.

Phases timed in each variant's own process: ``import``, ``build`` (set-up, cells,
connections, recording requests), ``run``, ``data`` (the spikes as arrays; ours:
``get_data('spikes')``), ``total`` = build + run + data (the target applies to it), and
``trains`` (outside the total: one spike train per cell).

Run: ``.venv/bin/python benchmarks/va_coba_neuron.py`` (``--help`` for options).
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import import_native_neuron, main, register_native_neuron_cells
from va_coba import (
    CELL_PARAMS, DELAY, DT, N_EXC, N_INH, N_STIM, P_CONNECT, P_STIM, STIM_RATE, STIM_STOP, V_INIT, W_EXC,
    W_INH, W_STIM, _options, _rates, _seeds, run_pynn,
)


def _ours(timer, options):
    return run_pynn(timer, options, "pyNN.neuron", lambda seeds: {"rng_seed": seeds["nest"]})


def _native(timer, options, exc_exc_slots=None):
    """The network written against NEURON; `exc_exc_slots`, if given, are further values of the
    weight vector of every exc -> exc NetCon (from its second element on: a plastic synapse)."""
    seeds = _seeds(options)
    h, extra = import_native_neuron(timer)
    t_sim = options["t_sim"]
    with timer.phase("build"):
        pc = h.ParallelContext()
        h.dt = DT
        section = h.Section(name="cells")
        location = section(0.5)
        # the same random numbers as the library draws (its NumpyRNG wraps RandomState), so
        # that both variants simulate the very same network
        n_cells = N_EXC + N_INH
        cells = []
        for v0 in np.random.RandomState(seeds["v"]).uniform(*V_INIT, n_cells).tolist():
            cell = h.PyNN_IF_cond(location)
            for name, value in CELL_PARAMS.items():
                setattr(cell, name, value)
            cell.init_vm = v0
            cells.append(cell)
        sources = []
        for k in range(N_STIM):
            source = h.PyNN_Renewal()
            source.scale = 1000.0 / STIM_RATE
            source.start = 0.0
            source.duration = STIM_STOP
            source.r.set_ids(seeds["nest"], n_cells + k, 0)
            sources.append(source)
        detectors = register_native_neuron_cells(h, pc, cells + sources)  # noqa: F841 (kept alive)
        times, gids = h.Vector(), h.Vector()
        pc.spike_record(h.Vector(np.arange(n_cells, dtype=float)), times, gids)
        crng = np.random.RandomState(seeds["connect"])
        netcons = []

        def connect(pre_first, n_pre, post_first, n_post, p, weight, slots=None):
            # one uniform draw per (post, pre) pair, post-major, as FixedProbabilityConnector
            post, pre = np.nonzero(crng.uniform(0.0, 1.0, (n_post, n_pre)) < p)
            for i, j in zip((pre + pre_first).tolist(), (post + post_first).tolist()):
                nc = pc.gid_connect(i, cells[j])
                nc.weight[0] = weight
                nc.delay = DELAY
                if slots:
                    for k, value in enumerate(slots, 1):
                        nc.weight[k] = value
                netcons.append(nc)

        connect(0, N_EXC, 0, N_EXC, P_CONNECT, W_EXC, exc_exc_slots)
        connect(0, N_EXC, N_EXC, N_INH, P_CONNECT, W_EXC)
        connect(N_EXC, N_INH, 0, N_EXC, P_CONNECT, -W_INH)
        connect(N_EXC, N_INH, N_EXC, N_INH, P_CONNECT, -W_INH)
        connect(n_cells, N_STIM, 0, N_EXC, P_STIM, W_STIM)
    with timer.phase("run"):
        pc.set_maxstep(10.0)
        h.finitialize()
        pc.psolve(t_sim)
    with timer.phase("data"):
        spike_gids = gids.as_numpy().astype(np.int64)
        spike_times = np.rint(times.as_numpy() / DT) * DT
        n_spikes = {"exc": int((spike_gids < N_EXC).sum()), "inh": int((spike_gids >= N_EXC).sum())}
    timer.times["total"] = timer.times["build"] + timer.times["run"] + timer.times["data"]
    with timer.phase("trains"):
        order = np.lexsort((spike_times, spike_gids))
        bounds = np.searchsorted(spike_gids[order], np.arange(n_cells + 1))
        sorted_times = spike_times[order]
        per_cell = [sorted_times[bounds[k]:bounds[k + 1]] for k in range(n_cells)]
    assert sum(len(s) for s in per_cell) == sum(n_spikes.values())
    extra.update(_rates(n_spikes, t_sim))
    extra["n_connections"] = len(netcons)
    return extra


VARIANTS = {"ours": _ours, "native": _native}
PAIRS = [("VA COBA (NEURON)", "ours", "native")]
TARGETS = {"total": 1.2}


if __name__ == "__main__":
    main("va_coba_neuron", "Vogels-Abbott COBA benchmark: pyNN.neuron vs native NEURON",
         VARIANTS, PAIRS, ["import", "build", "run", "data", "total", "trains"], TARGETS, _options)
