"""Parallel efficiency of pyNN.neuron under ``mpirun``: the VA benchmark network and a 10x
larger one at 1 and 2 MPI processes.

The network is the one of ``va_coba.py`` (IF_cond_exp cells, 80% excitatory, Poisson
kick-off for 50 ms, dt = 0.1 ms, spikes of every cell recorded), with a delay of 0.2 ms
instead of 0.1 ms: NEURON exchanges spikes between processes at intervals of the shortest
delay and needs that to be at least two steps. ``--scale 10`` has ten times the cells with
the connection probability divided by ten, so every cell keeps the same number of inputs
(about 80) and the activity stays about the same; the number of connections grows tenfold.

Each (scale, processes) pair is run as ``mpirun -np N python scaling_mpi.py --child ...``
in fresh processes; every rank times its phases, and the slowest rank counts:

* ``build``: setup, populations, projections (every rank generates the connections onto its
  own cells from the core's keyed random stream, the ranks exchange them, and each creates
  in NEURON those onto its own cells);
* ``run``: ``sim.run()``;
* ``data``: ``get_data('spikes')`` of both populations (gathered on every rank);
* ``total``: build + run + data.

Parallel efficiency at N processes = T(1) / (N x T(N)). The machine's load average
(``os.getloadavg()``) is printed before each measurement: other work on the cores
lowers the efficiency.

``cpu_run`` is the CPU time of the run (rank 0's process): less sensitive than the wall
time to other work on the machine.

With ``--nest``, the same network on pyNN.nest in one process with ``setup(threads=T)``,
T = the ``--processes`` values (1 and 2): the efficiency of NEST's threads. ``--native``
adds the same network written in PyNEST (``local_num_threads`` = T, NEST's poisson_generator,
pairwise_bernoulli connections), run interleaved with it: the efficiency NEST itself reaches.

Run: ``.venv/bin/python benchmarks/scaling_mpi.py`` (``--help`` for options), and
``.venv/bin/python benchmarks/scaling_mpi.py --nest [--native]``.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from va_coba import (CELL_PARAMS, DT, N_EXC, N_INH, N_STIM, NEST_CELL_PARAMS, P_CONNECT, P_STIM, STIM_RATE,
                     STIM_STOP, V_INIT, W_EXC, W_INH, W_STIM, connect)

DELAY = 0.2  # two steps: the shortest delay NEURON accepts between MPI processes


def _run_and_count(timer, run, count):
    """Time `run()` (wall and CPU) and `count()` (the data phase) into `timer`; count's result."""
    t0, c0 = time.perf_counter(), time.process_time()
    run()
    timer["run"] = time.perf_counter() - t0
    timer["cpu_run"] = time.process_time() - c0
    t0 = time.perf_counter()
    n = count()
    timer["data"] = time.perf_counter() - t0
    timer["total"] = timer["build"] + timer["run"] + timer["data"]
    return n


def child(scale, t_sim, seed, nest_threads=0):
    """One process of an MPI run (or, with `nest_threads`, one pyNN.nest process with that
    many threads): build, run and read the network; rank 0 prints the phases (the slowest
    rank's time of each, wall and CPU) as one JSON line."""
    timer = {}
    t0 = time.perf_counter()
    if nest_threads:
        import pyNN.nest as sim
    else:
        import pyNN.neuron as sim
    from pyNN.random import NumpyRNG, RandomDistribution
    timer["import"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if nest_threads:
        sim.setup(timestep=DT, rng_seed=seed, threads=nest_threads)
    else:
        sim.setup(timestep=DT, rng_seed=seed)
    n_exc, n_inh = N_EXC * scale, N_INH * scale
    celltype = sim.IF_cond_exp(**CELL_PARAMS)
    v_init = RandomDistribution("uniform", low=V_INIT[0], high=V_INIT[1], rng=NumpyRNG(seed=seed + 1))
    exc = sim.Population(n_exc, celltype, initial_values={"v": v_init}, label="exc")
    inh = sim.Population(n_inh, celltype, initial_values={"v": v_init}, label="inh")
    stim = sim.Population(N_STIM, sim.SpikeSourcePoisson(rate=STIM_RATE, start=0.0, duration=STIM_STOP),
                          label="stim")
    exc.record("spikes")
    inh.record("spikes")
    projections = connect(sim, exc, inh, stim, NumpyRNG(seed=seed + 2), P_CONNECT / scale, DELAY)
    timer["build"] = time.perf_counter() - t0

    n_spikes = _run_and_count(timer, lambda: sim.run(t_sim), lambda: sum(
        len(pop.get_data("spikes").segments[0].spiketrains.multiplexed[1]) for pop in (exc, inh)))

    world = sim.simulator.state.world
    per_rank = world.allgather(timer) if world is not None else [timer]
    if sim.rank() == 0:
        slowest = {k: max(t[k] for t in per_rank) for k in timer}
        print("RESULT " + json.dumps({
            "scale": scale, "processes": nest_threads or sim.num_processes(), "cells": n_exc + n_inh,
            "connections": sum(prj.size() for prj in projections), "spikes": int(n_spikes),
            "rate_hz": n_spikes / (n_exc + n_inh) / (t_sim / 1000.0), "times": slowest}), flush=True)
    sim.end()


def native_child(scale, t_sim, seed, threads):
    """The network in PyNEST with `threads` threads; prints the phases as :func:`child` does."""
    timer = {}
    t0 = time.perf_counter()
    import nest
    timer["import"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.SetKernelStatus({"resolution": DT, "rng_seed": seed, "local_num_threads": threads})
    n_exc, n_inh = N_EXC * scale, N_INH * scale
    exc = nest.Create("iaf_cond_exp", n_exc, params=NEST_CELL_PARAMS)
    inh = nest.Create("iaf_cond_exp", n_inh, params=NEST_CELL_PARAMS)
    for pop in (exc, inh):
        pop.V_m = nest.random.uniform(*V_INIT)
    generators = nest.Create("poisson_generator", N_STIM, params={"rate": STIM_RATE, "start": 0.0, "stop": STIM_STOP})
    stim = nest.Create("parrot_neuron", N_STIM)
    nest.Connect(generators, stim, "one_to_one", {"delay": DELAY})
    recorder = nest.Create("spike_recorder")
    nest.Connect(exc + inh, recorder)
    conn = {"rule": "pairwise_bernoulli", "p": P_CONNECT / scale, "allow_autapses": True}
    exc_syn = {"synapse_model": "static_synapse", "weight": 1000 * W_EXC, "delay": DELAY}
    inh_syn = {"synapse_model": "static_synapse", "weight": -1000 * W_INH, "delay": DELAY}
    for pre, post, syn in ((exc, exc, exc_syn), (exc, inh, exc_syn), (inh, exc, inh_syn), (inh, inh, inh_syn)):
        nest.Connect(pre, post, conn, syn)
    nest.Connect(stim, exc, {"rule": "pairwise_bernoulli", "p": P_STIM},
                 {"synapse_model": "static_synapse", "weight": 1000 * W_STIM, "delay": DELAY})
    timer["build"] = time.perf_counter() - t0
    n_spikes = _run_and_count(timer, lambda: nest.Simulate(t_sim), lambda: len(recorder.get("events")["times"]))
    n_connections = nest.num_connections - 2 * N_STIM - n_exc - n_inh  # minus devices and parrots
    print("RESULT " + json.dumps({
        "scale": scale, "processes": threads, "cells": n_exc + n_inh, "connections": int(n_connections),
        "spikes": int(n_spikes), "rate_hz": n_spikes / (n_exc + n_inh) / (t_sim / 1000.0), "times": timer}),
        flush=True)


def _mpirun():
    beside = Path(sys.executable).with_name("mpirun")
    return str(beside) if beside.exists() else "mpirun"


def measure(scale, processes, t_sim, seed, nest=False, native=False):
    """Run one (scale, processes) pair; the result printed by its rank 0. With `nest`, one
    pyNN.nest process with `processes` threads instead; with `native`, one PyNEST process."""
    command = [sys.executable, os.path.abspath(__file__), "--child", "--scale", str(scale), "--t-sim", str(t_sim),
               "--seed", str(seed)]
    if native:
        command += ["--native-threads", str(processes)]
    elif nest:
        command += ["--nest-threads", str(processes)]
    else:
        command = [_mpirun(), "-np", str(processes)] + command
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"{' '.join(command)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")


def _median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10],
                        help="network sizes, in multiples of the VA network (default: 1 10)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="default: 1 2")
    parser.add_argument("--t-sim", type=float, default=1000.0, help="simulated time, ms (default 1000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each pair; medians reported")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--nest", action="store_true",
                        help="pyNN.nest in one process with threads=1, 2 (the --processes values) instead of "
                             "pyNN.neuron under mpirun")
    parser.add_argument("--native", action="store_true",
                        help="with --nest: also the network in PyNEST at the same numbers of threads")
    parser.add_argument("--nest-threads", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--native-threads", type=int, default=0, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        if options.native_threads:
            native_child(options.scale[0], options.t_sim, options.seed, options.native_threads)
        else:
            child(options.scale[0], options.t_sim, options.seed, options.nest_threads)
        return
    phases = ("build", "run", "cpu_run", "data", "total")
    variants = ["pyNN"] + (["native"] if options.native and options.nest else [])
    for scale in options.scale:
        runs = {(v, n): [] for v in variants for n in options.processes}
        for _ in range(options.repeat):
            for variant in variants:
                for n in options.processes:  # interleaved, so that a change of load hits all
                    load = os.getloadavg()[0]
                    result = measure(scale, n, options.t_sim, options.seed, options.nest, variant == "native")
                    result["load"] = load
                    runs[variant, n].append(result)
        for variant in variants:
            _report(variant, runs, options, scale, phases)


def _report(variant, runs, options, scale, phases):
    n0 = options.processes[0]
    first = runs[variant, n0][0]
    print(f"\nVA network x{scale}: {first['cells']} cells, {first['connections']} connections, "
          f"{first['spikes']} spikes ({first['rate_hz']:.1f} Hz), {options.t_sim:g} ms simulated")
    print("PyNEST (native), threads" if variant == "native" else
          "pyNN.nest, threads" if options.nest else "pyNN.neuron, MPI processes")
    print(f"{'processes':>9} {'load':>5} " + " ".join(f"{p:>8}" for p in phases) + "  efficiency (run, total)")
    base = {p: _median([r["times"][p] for r in runs[variant, n0]]) for p in phases}
    for n in options.processes:
        med = {p: _median([r["times"][p] for r in runs[variant, n]]) for p in phases}
        load = _median([r["load"] for r in runs[variant, n]])
        spikes = sorted({r["spikes"] for r in runs[variant, n]} | {first["spikes"]})
        same = "" if len(spikes) == 1 else f"  SPIKE COUNTS DIFFER: {spikes}"
        eff = [base[p] * n0 / (n * med[p]) for p in ("run", "total")]
        print(f"{n:>9} {load:>5.2f} " + " ".join(f"{med[p]:>7.2f}s" for p in phases)
              + f"  {eff[0]:.2f}, {eff[1]:.2f}  spikes {spikes[0] if len(spikes) == 1 else ''}{same}")


if __name__ == "__main__":
    main()
