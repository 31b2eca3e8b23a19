"""Scaling curves: ours / native per phase as the network grows, for each backend.

One network, grown from 1,000 to 100,000 cells: N ``IF_cond_exp`` cells (cm 0.2 nF,
tau_m 20 ms, rest and reset -60 mV, threshold -50 mV, refractory 5 ms), each driven
above threshold by ``i_offset`` 0.11 nA from an initial membrane potential drawn
uniformly in [-60, -50] mV, and each receiving K (default 100) excitatory connections
from cells drawn at random (``FixedNumberPreConnector(K, with_replacement=True)``;
natively NEST's ``fixed_indegree`` with multapses, or numpy's ``randint`` for NEURON),
weight 0.0001 uS, delay ``--delay`` (default 0.1 ms = dt): N x K synapses (10 million at 100,000 cells). The spikes
of every cell are recorded for ``--t-sim`` ms (default 100).

For each backend and size, ours (``pyNN.<backend>``) and a native script (PyNEST; NEURON's
Python API with the backend's mechanism, one ``gid_connect`` NetCon per connection) run
in fresh processes, one after the other. Phases: ``build`` (set-up, cells, connections,
recording requests), ``run``, ``data`` (the spikes as arrays: ours the fast path
``get_data_arrays('spikes')``, natively the recorder's events / NEURON's spike vectors),
``total`` = build + run + data, and ``neo`` (outside the total): ours ``get_data('spikes')``,
a Neo block with one SpikeTrain per cell, against the native arrays again.

With a longer ``--delay`` (e.g. 1 ms) a native script gets NEST's min_delay = the shortest
delay and fewer, longer update slices; pyNN.nest chooses the same at the first run (the
network records spikes only, see ``pyNN/nest/simulator.py``).

The table shows the ratios ours / native of each phase (wall and CPU time) per size; the
figure (``--figure``, default ``doc/images/scaling.png``) plots them against N.

Run: ``.venv/bin/python benchmarks/scaling.py`` (``--help``: ``--sizes``, ``--backends``,
``--max-neuron``, ``--indegree``, ``--repeat``).
"""

import argparse
import json
import os
import statistics
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import (RESULTS_DIR, Timer, current_rss_mb, import_native_nest, import_native_neuron,
                      peak_rss_mb, register_native_neuron_cells, run_child)

DT = 0.1
CELL_PARAMS = {"cm": 0.2, "tau_m": 20.0, "v_rest": -60.0, "v_thresh": -50.0, "v_reset": -60.0,
               "tau_refrac": 5.0, "i_offset": 0.11, "tau_syn_E": 5.0, "tau_syn_I": 10.0,
               "e_rev_E": 0.0, "e_rev_I": -80.0}
NEST_PARAMS = {"C_m": 200.0, "g_L": 10.0, "E_L": -60.0, "V_th": -50.0, "V_reset": -60.0, "t_ref": 5.0,
               "I_e": 110.0, "tau_syn_ex": 5.0, "tau_syn_in": 10.0, "E_ex": 0.0, "E_in": -80.0}
V_INIT = (-60.0, -50.0)
WEIGHT = 0.0001   # uS
DELAY = 0.1       # ms, the default of --delay
SEEDS = {"v": 4242, "connect": 98765, "kernel": 12345}
PHASES = ("build", "run", "data", "total", "neo")
SUMMED = ("build", "run", "data")


def _ours(timer, options, backend):
    import importlib
    with timer.phase("import"):
        sim = importlib.import_module(f"pyNN.{backend}")
        from pyNN.random import NumpyRNG, RandomDistribution
    n, k = options["n"], options["indegree"]
    with timer.phase("build"):
        sim.setup(timestep=DT, rng_seed=SEEDS["kernel"])
        v_init = RandomDistribution("uniform", low=V_INIT[0], high=V_INIT[1], rng=NumpyRNG(seed=SEEDS["v"]))
        cells = sim.Population(n, sim.IF_cond_exp(**CELL_PARAMS), initial_values={"v": v_init}, label="cells")
        connector = sim.FixedNumberPreConnector(k, with_replacement=True, rng=NumpyRNG(seed=SEEDS["connect"]))
        prj = sim.Projection(cells, cells, connector, sim.StaticSynapse(weight=WEIGHT, delay=options["delay"]),
                             receptor_type="excitatory")
        cells.record("spikes")
    with timer.phase("run"):
        sim.run(options["t_sim"])
    with timer.phase("data"):
        spikes = cells.get_data_arrays("spikes")[0]["spikes"]
    timer.times["total"] = sum(timer.times[p] for p in SUMMED)
    with timer.phase("neo"):
        block = cells.get_data("spikes")
    n_spikes = sum(len(st) for st in block.segments[0].spiketrains)
    assert n_spikes == spikes.ids.size
    extra = {"n_connections": len(prj), "n_spikes": n_spikes}
    sim.end()
    return extra


def _native_nest(timer, options):
    nest, extra = import_native_nest(timer)
    n, k = options["n"], options["indegree"]
    with timer.phase("build"):
        nest.ResetKernel()
        nest.set_verbosity("M_ERROR")
        nest.SetKernelStatus({"resolution": DT, "rng_seed": SEEDS["kernel"]})
        cells = nest.Create("iaf_cond_exp", n, params=NEST_PARAMS)
        cells.V_m = np.random.RandomState(SEEDS["v"]).uniform(*V_INIT, n)
        nest.Connect(cells, cells, {"rule": "fixed_indegree", "indegree": k, "allow_multapses": True},
                     {"synapse_model": "static_synapse", "weight": 1000.0 * WEIGHT, "delay": options["delay"]})
        recorder = nest.Create("spike_recorder")
        nest.Connect(cells, recorder)
    with timer.phase("run"):
        nest.Simulate(options["t_sim"])
    with timer.phase("data"):
        events = recorder.get("events")
        senders, times = np.asarray(events["senders"]), np.asarray(events["times"])
    timer.times["total"] = sum(timer.times[p] for p in SUMMED)
    timer.times["neo"] = timer.times["data"]  # natively there is nothing more to do
    assert senders.size == times.size
    extra.update({"n_connections": int(nest.num_connections) - n, "n_spikes": int(senders.size)})
    return extra


def _native_neuron(timer, options):
    h, extra = import_native_neuron(timer)
    n, k = options["n"], options["indegree"]
    with timer.phase("build"):
        pc = h.ParallelContext()
        h.dt = DT
        section = h.Section(name="cells")
        location = section(0.5)
        cells = []
        for v0 in np.random.RandomState(SEEDS["v"]).uniform(*V_INIT, n).tolist():
            cell = h.PyNN_IF_cond(location)
            for name, value in CELL_PARAMS.items():
                setattr(cell, name, value)
            cell.init_vm = v0
            cell.vm = v0
            cells.append(cell)
        detectors = register_native_neuron_cells(h, pc, cells)  # noqa: F841 (kept alive)
        times, gids = h.Vector(), h.Vector()
        pc.spike_record(h.Vector(np.arange(n, dtype=float)), times, gids)
        pre = np.random.RandomState(SEEDS["connect"]).randint(0, n, (n, k))
        netcons = []
        connect, keep = pc.gid_connect, netcons.append
        for i, j in zip(pre.ravel().tolist(), np.repeat(np.arange(n), k).tolist()):
            nc = connect(i, cells[j])
            nc.weight[0] = WEIGHT
            nc.delay = options["delay"]
            keep(nc)
    with timer.phase("run"):
        pc.set_maxstep(10.0)
        h.finitialize()
        pc.psolve(options["t_sim"])
    with timer.phase("data"):
        spike_gids = gids.as_numpy().astype(np.int64)
        spike_times = times.as_numpy().copy()
    timer.times["total"] = sum(timer.times[p] for p in SUMMED)
    timer.times["neo"] = timer.times["data"]  # natively there is nothing more to do
    assert spike_gids.size == spike_times.size
    extra.update({"n_connections": len(netcons), "n_spikes": int(spike_gids.size)})
    return extra


VARIANTS = {
    "nest_ours": lambda t, o: _ours(t, o, "nest"),
    "nest_native": _native_nest,
    "neuron_ours": lambda t, o: _ours(t, o, "neuron"),
    "neuron_native": _native_neuron,
}


def _child(name, options):
    timer = Timer()
    extra = VARIANTS[name](timer, options) or {}
    timer.cpu_times["total"] = sum(timer.cpu_times[p] for p in SUMMED)
    timer.cpu_times.setdefault("neo", timer.cpu_times["data"])
    result = {"variant": name, "times": timer.times, "cpu_times": timer.cpu_times,
              "peak_rss_mb": peak_rss_mb(), "rss_end_mb": current_rss_mb(), **extra}
    print("@@BENCHMARK-RESULT@@" + json.dumps(result), flush=True)


def _sizes_for(backend, sizes, max_neuron):
    return [n for n in sizes if backend != "neuron" or n <= max_neuron]


def _measure(args):
    script = os.path.abspath(__file__)
    rows = []
    for backend in args.backends:
        for n in _sizes_for(backend, args.sizes, args.max_neuron):
            options = json.dumps({"n": n, "indegree": args.indegree, "t_sim": args.t_sim,
                                  "delay": args.delay})
            runs = {"ours": [], "native": []}
            for rep in range(args.repeat):
                for side in ("ours", "native"):
                    r = run_child(script, f"{backend}_{side}", options, args.timeout)
                    runs[side].append(r)
                    shown = ", ".join(f"{p} {r['times'][p]:.2f}s" for p in PHASES)
                    print(f"[{rep + 1}/{args.repeat}] {backend} {side:6s} N={n:>7}: {shown}; "
                          f"{r['n_connections']} connections, {r['n_spikes']} spikes, "
                          f"peak {r['peak_rss_mb']:.0f} MiB", flush=True)
            row = {"backend": backend, "n": n, "synapses": runs["ours"][0]["n_connections"]}
            for side, side_runs in runs.items():
                for kind in ("times", "cpu_times"):
                    row[f"{side}_{kind}"] = {p: statistics.median(r[kind][p] for r in side_runs) for p in PHASES}
                row[f"{side}_peak_mb"] = statistics.median(r["peak_rss_mb"] for r in side_runs)
                row[f"{side}_spikes"] = side_runs[0]["n_spikes"]
            rows.append(row)
            ratios = ", ".join(f"{p} {row['ours_times'][p] / row['native_times'][p]:.2f} "
                               f"(CPU {row['ours_cpu_times'][p] / max(row['native_cpu_times'][p], 1e-9):.2f})"
                               for p in ("build", "run", "total"))
            print(f"      ours/native {backend} N={n}: {ratios}", flush=True)
            if not args.no_save:  # after every size, so that an interrupted run keeps what it measured
                _save(args, rows)
    return rows


def _save(args, rows):
    os.makedirs(RESULTS_DIR, exist_ok=True)
    with open(os.path.join(RESULTS_DIR, "scaling.json"), "w") as f:
        json.dump({"options": {k: v for k, v in vars(args).items() if k not in ("child", "options")},
                   "rows": rows}, f, indent=2)


def _print_table(rows):
    print("\nours / native per phase (wall time; CPU time in brackets), medians")
    header = f"{'backend':8}{'cells':>8}{'synapses':>11}" + "".join(f"{p:>16}" for p in PHASES) + f"{'memory':>9}"
    print(header)
    for row in rows:
        cells = []
        for p in PHASES:
            wall = row["ours_times"][p] / row["native_times"][p]
            cpu = row["ours_cpu_times"][p] / max(row["native_cpu_times"][p], 1e-9)
            cells.append(f"{wall:7.2f} ({cpu:5.2f})")
        memory = row["ours_peak_mb"] / row["native_peak_mb"]
        print(f"{row['backend']:8}{row['n']:>8}{row['synapses']:>11}" + "".join(f"{c:>16}" for c in cells)
              + f"{memory:9.2f}")


def _plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(PHASES), figsize=(4 * len(PHASES), 3.6), sharex=True)
    for ax, phase in zip(axes, PHASES):
        for backend in sorted({r["backend"] for r in rows}):
            mine = [r for r in rows if r["backend"] == backend]
            n = [r["n"] for r in mine]
            ax.plot(n, [r["ours_times"][phase] / r["native_times"][phase] for r in mine], "o-",
                    label=f"{backend} (wall)")
            ax.plot(n, [r["ours_cpu_times"][phase] / max(r["native_cpu_times"][phase], 1e-9) for r in mine],
                    "s--", alpha=0.6, label=f"{backend} (CPU)")
        ax.axhline(1.0, color="grey", lw=0.8)
        ax.set_xscale("log")
        if phase in ("data", "neo"):  # natively milliseconds or less: ratios span decades
            ax.set_yscale("log")
        ax.set_title(phase)
        ax.set_xlabel("cells")
    axes[0].set_ylabel("ours / native")
    axes[-1].legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=100)
    print(f"figure written to {os.path.relpath(path)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000, 30000, 100000])
    parser.add_argument("--backends", nargs="+", default=["nest", "neuron"], choices=["nest", "neuron"])
    parser.add_argument("--max-neuron", type=int, default=30000,
                        help="largest network built on NEURON (one Python NetCon call per synapse; default 30000)")
    parser.add_argument("--indegree", type=int, default=100, help="connections per cell (default 100)")
    parser.add_argument("--t-sim", type=float, default=100.0, help="simulated time, ms (default 100)")
    parser.add_argument("--delay", type=float, default=DELAY, help=f"synaptic delay, ms (default {DELAY})")
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant and size (medians)")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--figure", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                         "doc", "images", "scaling.png"))
    parser.add_argument("--no-save", action="store_true", help="write neither the results nor the figure")
    parser.add_argument("--plot-only", action="store_true",
                        help="measure nothing: table and figure from benchmarks/results/scaling.json")
    args = parser.parse_args()
    if args.child:
        _child(args.child, json.loads(args.options))
        return
    if args.plot_only:
        with open(os.path.join(RESULTS_DIR, "scaling.json")) as f:
            rows = json.load(f)["rows"]
    else:
        rows = _measure(args)
    _print_table(rows)
    if not args.no_save:
        _plot(rows, os.path.abspath(args.figure))


if __name__ == "__main__":
    main()
