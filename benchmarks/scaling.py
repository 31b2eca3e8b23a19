"""Scaling curves: ours / native per phase as the network grows, for each backend.

One network, grown from 1,000 to 100,000 cells: N ``IF_cond_exp`` cells (cm 0.2 nF,
tau_m 20 ms, rest and reset -60 mV, threshold -50 mV, refractory 5 ms), each driven
above threshold by ``i_offset`` 0.11 nA from an initial membrane potential drawn
uniformly in [-60, -50] mV, and each receiving K (default 100) excitatory connections
from cells drawn at random (``FixedNumberPreConnector(K, with_replacement=True)``;
natively NEST's ``fixed_indegree`` with multapses, or numpy's ``randint`` for NEURON and
Brian2), weight 0.0001 uS, delay ``--delay`` (default 0.1 ms = dt): N x K synapses (10
million at 100,000 cells). The spikes of every cell are recorded for ``--t-sim`` ms
(default 100).

For each backend and size, ours (``pyNN.<backend>``) and a native script run in fresh
processes, one after the other:

* ``nest``: PyNEST;
* ``neuron``: NEURON's Python API with the backend's mechanism, one ``gid_connect`` NetCon
  per connection;
* ``brian2``: one NeuronGroup with the equations and integration method (RK4) of the
  backend's IF_cond_exp, one Synapses object connected with index arrays
  (``connect(i=, j=)``), one SpikeMonitor; both sides use the same code generation target
  (``--target``, default cython) with a compiled-code cache of their own;
* ``hardware``: ``pyNN.hardware`` with the ``ideal`` profile; the emulator stands for no
  simulator of its own, so its reference is the PyNEST script (as in ``va_coba_hardware.py``).

Brian2 and the emulator compile code at their first run (Cython; the emulator's numba
kernels) and keep it on disk: before the first size of either backend, each side that
compiles (both Brian2 sides, the emulator) runs once untimed (the smallest size, 1 ms) so
that the timed runs find a warm cache (``--no-warm-up`` skips this).

Phases: ``build`` (set-up, cells, connections, recording requests), ``run``, ``data``
(the spikes as arrays: ours the fast path ``get_data_arrays('spikes')``, natively the
recorder's events / NEURON's spike vectors / the SpikeMonitor's arrays), ``total`` =
build + run + data, and ``neo`` (outside the total): ours ``get_data('spikes')``, a Neo
block with one SpikeTrain per cell (read once, since Neo makes them when first read),
against the native arrays again. The peak memory is that of the total's phases (the
peak with the Neo block is kept too, ``*_peak_with_neo_mb``). pyNN.brian2 creates
its Brian2 objects when the network first runs (so that populations of one type can share
them), so part of its build is timed in ``run``: compare totals there.

With a longer ``--delay`` (e.g. 1 ms) a native script gets NEST's min_delay = the shortest
delay and fewer, longer update slices; pyNN.nest chooses the same at the first run (the
network records spikes only, see ``pyNN/nest/simulator.py``).

The table shows the ratios ours / native of each phase (wall and CPU time) per size; the
numbers go to ``benchmarks/results/scaling.json`` after every size (``--merge`` keeps the
points of that file that this run does not measure, e.g. to re-measure one disturbed point
alone); the figure (``--figure``, default ``doc/images/scaling.png``) plots them against N.

Run: ``.venv/bin/python benchmarks/scaling.py`` (``--help``: ``--sizes``, ``--backends``,
``--max-neuron`` and the other per-backend caps, ``--indegree``, ``--repeat``, ``--merge``,
``--plot-only``).
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


def _brian2_cache(options, side):
    """The compiled-code cache of one side of the Brian2 pair (kept between runs: warm)."""
    path = os.path.join(options.get("cache_root") or os.path.join(RESULTS_DIR, "brian2_cache"), f"scaling_{side}")
    os.makedirs(path, exist_ok=True)
    return path


def _setup_options(backend, options):
    """What ``setup()`` gets besides the time step, per backend."""
    extra = {"rng_seed": SEEDS["kernel"]}
    if backend == "brian2":  # the native script's code generation target, its own warm cache
        extra.update(codegen_target=options["target"], cache_dir=_brian2_cache(options, "ours"))
    elif backend == "hardware":
        extra["profile"] = "ideal"
    return extra


def _ours(timer, options, backend):
    import importlib
    with timer.phase("import"):
        sim = importlib.import_module(f"pyNN.{backend}")
        from pyNN.random import NumpyRNG, RandomDistribution
    n, k = options["n"], options["indegree"]
    with timer.phase("build"):
        sim.setup(timestep=DT, **_setup_options(backend, options))
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
        # (the block's SpikeTrains are made when first read: read them, as a user does)
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


def _native_brian2(timer, options):
    """The network as a Brian2 user writes it: one NeuronGroup with the equations and the
    integration method (RK4) of the backend's IF_cond_exp, parameters as namespace constants,
    one Synapses object connected with index arrays, one SpikeMonitor."""
    with timer.phase("import"):
        import brian2 as b2
    extra = {"rss_after_import_mb": current_rss_mb()}
    n, k = options["n"], options["indegree"]
    ms, mV, nF, nA = b2.ms, b2.mV, b2.nF, b2.nA
    with timer.phase("build"):
        b2.prefs.codegen.target = options["target"]
        b2.prefs.codegen.runtime.cython.cache_dir = _brian2_cache(options, "native")
        b2.defaultclock.dt = DT * ms
        b2.seed(SEEDS["kernel"])
        p = CELL_PARAMS
        namespace = {"v_rest": p["v_rest"] * mV, "tau_m": p["tau_m"] * ms, "c_m": p["cm"] * nF,
                     "i_offset": p["i_offset"] * nA, "e_rev_E": p["e_rev_E"] * mV, "e_rev_I": p["e_rev_I"] * mV,
                     "tau_syn_E": p["tau_syn_E"] * ms, "tau_syn_I": p["tau_syn_I"] * ms,
                     "v_thresh": p["v_thresh"] * mV, "v_reset": p["v_reset"] * mV,
                     "tau_refrac": p["tau_refrac"] * ms}
        current = "gsyn_exc*(e_rev_E - v) + gsyn_inh*(e_rev_I - v) + i_offset"
        eqs = f"""
        dv/dt = (v_rest - v)/tau_m + ({current})/c_m : volt (unless refractory)
        dgsyn_exc/dt = -gsyn_exc/tau_syn_E : siemens
        dgsyn_inh/dt = -gsyn_inh/tau_syn_I : siemens
        """
        cells = b2.NeuronGroup(n, eqs, threshold="v >= v_thresh", reset="v = v_reset",
                               refractory="tau_refrac + dt", method="rk4", namespace=namespace)
        cells.v = np.random.RandomState(SEEDS["v"]).uniform(*V_INIT, n) * mV
        pre = np.random.RandomState(SEEDS["connect"]).randint(0, n, (n, k))
        synapses = b2.Synapses(cells, cells, on_pre=f"gsyn_exc_post += {WEIGHT * 1000}*nS",
                               delay=options["delay"] * ms)
        synapses.connect(i=pre.ravel(), j=np.repeat(np.arange(n), k))
        monitor = b2.SpikeMonitor(cells)
        net = b2.Network(cells, synapses, monitor)
    with timer.phase("run"):
        net.run(options["t_sim"] * ms, namespace={})
    with timer.phase("data"):
        spike_ids, spike_times = np.asarray(monitor.i[:]), np.asarray(monitor.t_[:])
    timer.times["total"] = sum(timer.times[p] for p in SUMMED)
    timer.times["neo"] = timer.times["data"]  # natively there is nothing more to do
    assert spike_ids.size == spike_times.size
    extra.update({"n_connections": len(synapses), "n_spikes": int(spike_ids.size)})
    return extra


VARIANTS = {
    "nest_ours": lambda t, o: _ours(t, o, "nest"),
    "nest_native": _native_nest,
    "neuron_ours": lambda t, o: _ours(t, o, "neuron"),
    "neuron_native": _native_neuron,
    "brian2_ours": lambda t, o: _ours(t, o, "brian2"),
    "brian2_native": _native_brian2,
    "hardware_ours": lambda t, o: _ours(t, o, "hardware"),
    "hardware_native": _native_nest,  # the emulator stands for no simulator: NEST is the reference
}
BACKENDS = ("nest", "neuron", "brian2", "hardware")
#: backends whose first run in a fresh cache compiles code (Brian2's Cython on both sides, the
#: emulator's numba kernels; its native side is PyNEST): the sides that get a warm-up run,
#: which fills the on-disk cache before the timed runs
COMPILED = {"brian2": ("ours", "native"), "hardware": ("ours",)}


def _child(name, options):
    timer = Timer()
    extra = VARIANTS[name](timer, options) or {}
    timer.cpu_times["total"] = sum(timer.cpu_times[p] for p in SUMMED)
    timer.cpu_times.setdefault("neo", timer.cpu_times["data"])
    # the peak of the total's phases (build, run, data); the Neo block comes after them (ours:
    # 100,000 SpikeTrain objects are ~270 MiB), and the native scripts make none
    peak = timer.memory.get("peak_rss_after_data_mb", peak_rss_mb())
    result = {"variant": name, "times": timer.times, "cpu_times": timer.cpu_times,
              "peak_rss_mb": peak, "peak_rss_with_neo_mb": peak_rss_mb(), "rss_end_mb": current_rss_mb(), **extra}
    print("@@BENCHMARK-RESULT@@" + json.dumps(result), flush=True)


def _sizes_for(backend, args):
    cap = getattr(args, f"max_{backend}", None)
    return [n for n in args.sizes if cap is None or n <= cap]


def _options(args, n, t_sim=None):
    return json.dumps({"n": n, "indegree": args.indegree, "t_sim": args.t_sim if t_sim is None else t_sim,
                       "delay": args.delay, "target": args.target, "cache_root": args.cache_root})


def _warm_up(script, backend, args, n):
    """One untimed run of each side that compiles (n cells, 1 ms) so that the timed runs find the compiled
    code in the on-disk cache (what every run after a user's first one finds)."""
    for side in COMPILED[backend]:
        r = run_child(script, f"{backend}_{side}", _options(args, n, t_sim=1.0), args.timeout)
        print(f"[warm-up] {backend} {side:6s} N={n:>7}: build {r['times']['build']:.2f}s, "
              f"run {r['times']['run']:.2f}s (compiled code now cached; not in the table)", flush=True)


def _measure(args):
    script = os.path.abspath(__file__)
    rows = []
    for backend in args.backends:
        sizes = _sizes_for(backend, args)
        if backend in COMPILED and sizes and not args.no_warm_up:
            _warm_up(script, backend, args, min(sizes))
        for n in sizes:
            options = _options(args, n)
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
                row[f"{side}_peak_with_neo_mb"] = statistics.median(r.get("peak_rss_with_neo_mb", r["peak_rss_mb"])
                                                                    for r in side_runs)
                row[f"{side}_spikes"] = side_runs[0]["n_spikes"]
            rows.append(row)
            ratios = ", ".join(f"{p} {row['ours_times'][p] / row['native_times'][p]:.2f} "
                               f"(CPU {row['ours_cpu_times'][p] / max(row['native_cpu_times'][p], 1e-9):.2f})"
                               for p in ("build", "run", "total"))
            print(f"      ours/native {backend} N={n}: {ratios}", flush=True)
            if not args.no_save:  # after every size, so that an interrupted run keeps what it measured
                _save(args, rows)
    return rows


def _load():
    with open(os.path.join(RESULTS_DIR, "scaling.json")) as f:
        return json.load(f)


def _save(args, rows):
    """Write the rows measured so far; with ``--merge``, over those already in the file:
    a (backend, size) point measured now replaces the stored one, the others are kept."""
    os.makedirs(RESULTS_DIR, exist_ok=True)
    options = {k: v for k, v in vars(args).items() if k not in ("child", "options")}
    runs = [options]
    if args.merge and os.path.exists(os.path.join(RESULTS_DIR, "scaling.json")):
        stored = _load()
        measured = {(r["backend"], r["n"]) for r in rows}
        kept = [r for r in stored["rows"] if (r["backend"], r["n"]) not in measured]
        rows = kept + rows
        runs = stored.get("runs", [stored.get("options", {})]) + runs
    order = {b: i for i, b in enumerate(BACKENDS)}
    rows = sorted(rows, key=lambda r: (order.get(r["backend"], len(order)), r["n"]))
    with open(os.path.join(RESULTS_DIR, "scaling.json"), "w") as f:
        json.dump({"runs": runs, "rows": rows}, f, indent=2)


def _print_table(rows):
    print("\nours / native per phase (wall time; CPU time in brackets), medians")
    header = f"{'backend':8}{'cells':>8}{'synapses':>11}" + "".join(f"{p:>20}" for p in PHASES) + f"{'memory':>9}"
    print(header)
    for row in rows:
        cells = []
        for p in PHASES:
            wall = row["ours_times"][p] / row["native_times"][p]
            cpu = row["ours_cpu_times"][p] / max(row["native_cpu_times"][p], 1e-9)
            cells.append(f"{wall:8.2f} ({cpu:6.2f})")
        memory = row["ours_peak_mb"] / row["native_peak_mb"]
        print(f"{row['backend']:8}{row['n']:>8}{row['synapses']:>11}" + "".join(f"{c:>20}" for c in cells)
              + f"{memory:9.2f}")


def _print_markdown(rows):
    """The table of the README: ratios wall (CPU) of build, run and total, peak memory, ours'
    get_data() time (natively a few ms: no useful ratio), spikes."""
    print("\n| backend | cells | synapses | build | run | total | peak memory | ours `neo` (s) "
          "| spikes ours / native |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        cells = []
        for p in ("build", "run", "total"):
            wall = row["ours_times"][p] / row["native_times"][p]
            cpu = row["ours_cpu_times"][p] / max(row["native_cpu_times"][p], 1e-9)
            cells.append(f"{wall:.2f} ({cpu:.2f})")
        memory = row["ours_peak_mb"] / row["native_peak_mb"]
        print(f"| {row['backend']} | {row['n']:,} | {row['synapses'] / 1e6:g} M | " + " | ".join(cells)
              + f" | {memory:.2f} | {row['ours_times']['neo']:.2f} "
              f"| {row['ours_spikes']:,} / {row['native_spikes']:,} |")


def _plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    panels = (*PHASES, "memory")
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True)
    backends = [b for b in BACKENDS if any(r["backend"] == b for r in rows)]
    colours = dict(zip(BACKENDS, ("tab:blue", "tab:orange", "tab:green", "tab:red")))
    for ax, panel in zip(axes.ravel(), panels):
        for backend in backends:
            mine = [r for r in rows if r["backend"] == backend]
            n = [r["n"] for r in mine]
            if panel == "memory":
                ax.plot(n, [r["ours_peak_mb"] / r["native_peak_mb"] for r in mine], "o-",
                        color=colours[backend], label=backend)
                continue
            ax.plot(n, [r["ours_cpu_times"][panel] / max(r["native_cpu_times"][panel], 1e-9) for r in mine],
                    "o-", color=colours[backend], label=f"{backend}, CPU")
            ax.plot(n, [r["ours_times"][panel] / r["native_times"][panel] for r in mine], "x--",
                    color=colours[backend], alpha=0.5, lw=1, label=f"{backend}, wall")
        ax.axhline(1.0, color="grey", lw=0.8)
        ax.set_xscale("log")
        if panel in ("data", "neo"):  # natively milliseconds or less: ratios span decades
            ax.set_yscale("log")
        ax.set_title("peak memory" if panel == "memory" else f"{panel} (time)")
        ax.grid(True, which="major", alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("cells (100 synapses each)")
    for ax in axes[:, 0]:
        ax.set_ylabel("ours / native")
    axes[0, 0].legend(fontsize=7, ncol=2)
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=90)
    print(f"figure written to {os.path.relpath(path)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000, 30000, 100000])
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--max-nest", type=int, default=None, help="largest network built on NEST (default: no cap)")
    parser.add_argument("--max-neuron", type=int, default=None,
                        help="largest network built on NEURON (default: no cap; both sides make one Python NetCon "
                             "per synapse: at 100,000 cells each process needs about 6.5 GiB and 4-10 minutes)")
    parser.add_argument("--max-brian2", type=int, default=None,
                        help="largest network built on Brian2 (default: no cap)")
    parser.add_argument("--max-hardware", type=int, default=None,
                        help="largest network built on the emulator (default: no cap)")
    parser.add_argument("--target", default="cython", choices=["cython", "numpy"],
                        help="Brian2 code generation target of both sides (default cython)")
    parser.add_argument("--cache-root", default=None,
                        help="directory of the Brian2 compiled-code caches (default benchmarks/results/brian2_cache)")
    parser.add_argument("--no-warm-up", action="store_true",
                        help="no untimed warm-up run before Brian2's and the emulator's first size")
    parser.add_argument("--merge", action="store_true",
                        help="keep the points of benchmarks/results/scaling.json that this run does not measure")
    parser.add_argument("--indegree", type=int, default=100, help="connections per cell (default 100)")
    parser.add_argument("--t-sim", type=float, default=100.0, help="simulated time, ms (default 100)")
    parser.add_argument("--delay", type=float, default=DELAY, help=f"synaptic delay, ms (default {DELAY})")
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant and size (medians)")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--figure", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                         "doc", "images", "scaling.png"))
    parser.add_argument("--no-save", action="store_true", help="write neither the results nor the figure")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    parser.add_argument("--plot-only", action="store_true",
                        help="measure nothing: table and figure from benchmarks/results/scaling.json")
    args = parser.parse_args()
    if args.child:
        _child(args.child, json.loads(args.options))
        return
    if args.plot_only:
        rows = _load()["rows"]
    else:
        rows = _measure(args)
        if args.merge and not args.no_save:
            rows = _load()["rows"]
    _print_table(rows)
    if args.markdown:
        _print_markdown(rows)
    if not args.no_save:
        _plot(rows, os.path.abspath(args.figure))


if __name__ == "__main__":
    main()
