"""Memory per MPI process of a large FixedProbability network on pyNN.neuron, at 1 and 2
processes: does what each process holds shrink with the number of processes?

One population of IF_cond_exp cells connected to itself by a FixedProbabilityConnector, with
random weights (a float per connection) and one delay. Each process reports

* ``rss cells``: its peak resident memory (``ru_maxrss``) after setup and the population;
* ``peak``: its peak resident memory after the projection (connection generation, the
  exchange between processes, the NEURON objects);
* ``rss end``: its resident memory once the projection is built (``/proc/self/statm``);
* ``core MB``: the bytes of the connection arrays the core keeps (indices and per-connection
  values), and ``local``: the connections onto its own cells (NetCons it created).

The connection part of a process is ``peak - rss cells``; with perfect division it halves
from 1 to 2 processes. CPU time (``process_time``) of the projection's construction is
printed too: wall-clock time means little on a shared machine.

Each run is ``mpirun -np N python memory_mpi.py --child ...`` in fresh processes.
Run: ``.venv/bin/python benchmarks/memory_mpi.py`` (``--help`` for options).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def _rss_mb():
    """Current resident memory of this process, MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # (kB on Linux)


def child(n_cells, p_connect, seed):
    """One process of an MPI run: every rank's figures, printed by rank 0 as one JSON line."""
    import numpy as np

    import pyNN.neuron as sim
    from pyNN.random import NumpyRNG, RandomDistribution

    sim.setup(timestep=0.1, min_delay=0.2)
    cells = sim.Population(n_cells, sim.IF_cond_exp(), label="cells")
    figures = {"rss_cells": _peak_mb()}
    rng = NumpyRNG(seed=seed)
    cpu, wall = time.process_time(), time.perf_counter()
    prj = sim.Projection(cells, cells, sim.FixedProbabilityConnector(p_connect, rng=rng),
                         sim.StaticSynapse(weight=RandomDistribution("uniform", (0.001, 0.002), rng=rng),
                                           delay=0.2), receptor_type="excitatory")
    figures["cpu_s"] = time.process_time() - cpu
    figures["wall_s"] = time.perf_counter() - wall
    figures["peak"] = _peak_mb()
    figures["rss_end"] = _rss_mb()
    arrays = [prj._pre, prj._post] + [v for v in prj._syn.values() if isinstance(v, np.ndarray)]
    figures["core_mb"] = sum(a.nbytes for a in arrays) / 2 ** 20
    figures["local"] = len(prj)
    world = sim.simulator.state.world
    per_rank = world.allgather(figures) if world is not None else [figures]
    if sim.rank() == 0:
        print("RESULT " + json.dumps({"processes": sim.num_processes(), "cells": n_cells,
                                      "connections": prj.size(), "ranks": per_rank}), flush=True)
    sim.end()


def _mpirun():
    beside = Path(sys.executable).with_name("mpirun")
    return str(beside) if beside.exists() else "mpirun"


def measure(processes, n_cells, p_connect, seed):
    command = [_mpirun(), "-np", str(processes), sys.executable, os.path.abspath(__file__), "--child",
               "--cells", str(n_cells), "--p-connect", str(p_connect), "--seed", str(seed)]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"{' '.join(command)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cells", type=int, default=8000, help="default 8000")
    parser.add_argument("--p-connect", type=float, default=0.05, help="default 0.05")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="default: 1 2")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    if options.child:
        child(options.cells, options.p_connect, options.seed)
        return
    print(f"load average {os.getloadavg()[0]:.2f}")
    base = None
    for n in options.processes:
        result = measure(n, options.cells, options.p_connect, options.seed)
        print(f"\n{n} process(es): {result['cells']} cells, {result['connections']} connections")
        print(f"{'rank':>4} {'local':>9} {'rss cells':>10} {'peak':>8} {'rss end':>8} {'core MB':>8} "
              f"{'conn. part':>10} {'cpu':>7}")
        for r, f in enumerate(result["ranks"]):
            part = f["peak"] - f["rss_cells"]
            print(f"{r:>4} {f['local']:>9} {f['rss_cells']:>8.0f}MB {f['peak']:>6.0f}MB {f['rss_end']:>6.0f}MB "
                  f"{f['core_mb']:>6.0f}MB {part:>8.0f}MB {f['cpu_s']:>6.1f}s")
        part = max(f["peak"] - f["rss_cells"] for f in result["ranks"])
        if base is None:
            base = part
        print(f"largest connection part: {part:.0f} MB = {part / base:.2f} of the first run's")


if __name__ == "__main__":
    main()
