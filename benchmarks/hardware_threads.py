"""The emulator engine on 1 and 2 threads (``setup(threads=T)``): the VA COBA network and a larger one.

The network is that of ``va_coba.py`` (IF_cond_exp, 80 % excitatory, 20 Poisson kick-off
sources, dt = 0.1 ms, spikes of all cells recorded), with ``--scale`` times as many cells;
the connection probability is divided by the scale, so each cell keeps the VA fan-in of
about 80 excitatory and 16 inhibitory inputs (``--scale 1`` is the VA network itself).
Variants: ``t1`` (``threads=1``) and ``t2`` (``threads=2``), each in its own process. The
table's ratio is t2 / t1; the parallel efficiency on 2 threads is 1 / (2 * ratio), so a
target efficiency of 0.8 is a ratio of at most 0.625. Both variants must give the same
number of spikes (the engine's results do not depend on the number of threads).
The network takes the engine's fused path (``fused_path`` 1 in the table: the whole run in
one compiled loop, each step one parallel region of numba's threads; doc/hardware_engine.md).

The machine's load changes the figures a lot: the script prints ``os.getloadavg()``
before and after; quote it with the numbers.

Run: ``.venv/bin/python benchmarks/hardware_threads.py --scale 10 --repeat 3``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import main
from va_coba import (CELL_PARAMS, DELAY, DT, N_EXC, N_INH, N_STIM, P_CONNECT, P_STIM, SEEDS, STIM_RATE, STIM_STOP,
                     V_INIT, W_EXC, W_INH, W_STIM)


def _run(timer, options, threads):
    scale = options["scale"]
    with timer.phase("import"):
        import numpy as np
        import pyNN.hardware as sim
        from pyNN.random import NumpyRNG, RandomDistribution
    with timer.phase("build"):
        sim.setup(timestep=DT, seed=SEEDS["nest"], threads=threads)
        v_init = RandomDistribution("uniform", low=V_INIT[0], high=V_INIT[1], rng=NumpyRNG(seed=SEEDS["v"]))
        celltype = sim.IF_cond_exp(**CELL_PARAMS)
        exc = sim.Population(N_EXC * scale, celltype, initial_values={"v": v_init}, label="exc")
        inh = sim.Population(N_INH * scale, celltype, initial_values={"v": v_init}, label="inh")
        stim = sim.Population(N_STIM, sim.SpikeSourcePoisson(rate=STIM_RATE, duration=STIM_STOP), label="stim")
        rng = NumpyRNG(seed=SEEDS["connect"])
        conn = sim.FixedProbabilityConnector(P_CONNECT / scale, rng=rng)
        for pre, post, w, receptor in ((exc, exc, W_EXC, "excitatory"), (exc, inh, W_EXC, "excitatory"),
                                       (inh, exc, W_INH, "inhibitory"), (inh, inh, W_INH, "inhibitory")):
            sim.Projection(pre, post, conn, sim.StaticSynapse(weight=w, delay=DELAY), receptor_type=receptor)
        sim.Projection(stim, exc, sim.FixedProbabilityConnector(P_STIM, rng=rng),
                       sim.StaticSynapse(weight=W_STIM, delay=DELAY), receptor_type="excitatory")
        exc.record("spikes")
        inh.record("spikes")
        sim.state.map()  # mapping belongs to the build, not to the timed run
    with timer.phase("run"):
        sim.run(options["t_sim"])
    with timer.phase("data"):
        n_spikes = sum(len(pop.get_data("spikes").segments[0].spiketrains.multiplexed[1]) for pop in (exc, inh))
    timer.times["total"] = timer.times["build"] + timer.times["run"] + timer.times["data"]
    n_cells = exc.size + inh.size
    extra = {"n_spikes": int(n_spikes), "n_cells": int(n_cells), "threads": threads,
             "mean_rate_hz": round(1000.0 * n_spikes / n_cells / options["t_sim"], 3),
             "numba": bool(sim.state.provenance().get("numba")), "load_average_1min": os.getloadavg()[0],
             # 1: the run took the engine's fused path (one compiled loop, numba threads)
             "fused_path": int(sim.state.engine.last_path == "fused")}
    assert np.isfinite(n_spikes)
    sim.end()
    return extra


VARIANTS = {"t1": lambda timer, options: _run(timer, options, 1),
            "t2": lambda timer, options: _run(timer, options, 2)}
PAIRS = [("VA COBA on the emulator, 2 threads / 1 thread", "t2", "t1")]
TARGETS = {"run": 0.625}


def _options(parser):
    parser.add_argument("--scale", type=int, default=1, help="cells x scale, fan-in kept (default 1: VA)")
    parser.add_argument("--t-sim", dest="t_sim", type=float, default=1000.0, help="simulated ms (default 1000)")


if __name__ == "__main__":
    print(f"load average before: {os.getloadavg()}", flush=True)
    main("hardware_threads", "pyNN.hardware engine threads", VARIANTS, PAIRS,
         ["import", "build", "run", "data", "total"], TARGETS, _options, report_keys=("threads", "fused_path"))
    print(f"load average after: {os.getloadavg()}", flush=True)
