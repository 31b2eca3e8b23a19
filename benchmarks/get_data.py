"""Getting recorded signals back: ``get_data('v')`` against each simulator's own fetch.

1,000 cells with a constant input current (so that v moves and some cells spike) record
their membrane potential at every step (dt = 0.1 ms) for 1 s: 10,000 samples x 1,000
cells. Each backend is measured against the plainest native way of getting the same
samples as a (samples x cells) numpy array:

* nest: a multimeter on the 1,000 ``iaf_psc_exp`` cells; ``mm.events`` then a reshape of
  ``V_m`` (NEST delivers the samples time-major, one sender after another);
* neuron: one ``Vector.record(cell._ref_v)`` per cell, ``numpy.array`` of each, stacked;
* brian2: a ``StateMonitor`` on the group; ``monitor.v`` (cells x samples), transposed;
* hardware: the engine's own buffer of sample rows, stacked (the network is built and run
  through the library, which is the only front end of the engine).

Variants ``<backend>_ours`` time ``get_data('v')`` (the Neo Block, and the array of its
AnalogSignal); ``<backend>_arrays`` time the fast path ``get_data_arrays('v')`` (plain
numpy, no Neo). Each variant runs in its own process, so its peak memory is its own.

Phases: ``build`` (set-up, cells, recording request), ``run``, ``fetch`` (getting the
samples as an array: the phase the target applies to).

Run: ``.venv/bin/python benchmarks/get_data.py`` (``--help`` for options, e.g.
``--variants nest_ours nest_native``, ``--n 200`` for a quick check).
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import current_rss_mb, import_native_nest, import_native_neuron, main

DT = 0.1  # ms
I_OFFSET = 0.5  # nA: drives IF_curr_exp (tau_m 20 ms, cm 1 nF) slowly towards threshold


def _options(parser):
    parser.add_argument("--n", type=int, default=1000, help="number of cells (default 1000)")
    parser.add_argument("--t-sim", type=float, default=1000.0,
                        help="simulated ms (default 1000: 10,000 samples at dt 0.1 ms)")


def _ours(module, fast):
    def variant(timer, options):
        with timer.phase("import"):
            import importlib
            sim = importlib.import_module(module)
        extra = {"rss_after_import_mb": current_rss_mb()}
        with timer.phase("build"):
            sim.setup(timestep=DT)
            pop = sim.Population(options["n"], sim.IF_curr_exp(i_offset=I_OFFSET), label="cells")
            pop.initialize(v=-65.0)
            pop.record("v")
        with timer.phase("run"):
            sim.run(options["t_sim"])
        with timer.phase("fetch"):
            if fast:
                (seg,) = pop.get_data_arrays("v")
                (signal,) = seg["v"]
                values = signal.values
            else:
                block = pop.get_data("v")
                values = block.segments[0].analogsignals[0].magnitude
        extra["shape"] = "x".join(map(str, values.shape))
        extra["checksum"] = float(values[-1].sum())
        sim.end()
        return extra
    return variant


def _nest_native(timer, options):
    nest, extra = import_native_nest(timer)
    n = options["n"]
    with timer.phase("build"):
        nest.ResetKernel()
        nest.resolution = DT
        # IF_curr_exp's defaults in NEST's units
        cells = nest.Create("iaf_psc_exp", n, params={
            "C_m": 1000.0, "tau_m": 20.0, "E_L": -65.0, "V_reset": -65.0, "V_th": -50.0, "t_ref": 0.1,
            "tau_syn_ex": 5.0, "tau_syn_in": 5.0, "I_e": I_OFFSET * 1000.0, "V_m": -65.0})
        mm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": DT})
        nest.Connect(mm, cells)
    with timer.phase("run"):
        nest.Simulate(options["t_sim"])
    with timer.phase("fetch"):
        events = mm.events
        values = events["V_m"].reshape(-1, n)
    extra["shape"] = "x".join(map(str, values.shape))
    extra["checksum"] = float(values[-1].sum())
    return extra


def _neuron_native(timer, options):
    h, extra = import_native_neuron(timer)
    n = options["n"]
    with timer.phase("build"):
        h.load_file("stdrun.hoc")
        h.dt = DT
        h.steps_per_ms = 1.0 / DT
        sections, vectors = [], []
        for _ in range(n):
            sec = h.Section()
            sec.L, sec.diam = 100.0, 1000.0 / np.pi  # 1 nF at cm = 1 uF/cm2
            sec.insert("pas")
            sec(0.5).pas.g = 1e-3 / 20.0
            sec(0.5).pas.e = -65.0
            stim = h.IClamp(sec(0.5))
            stim.delay, stim.dur, stim.amp = 0.0, 1e12, I_OFFSET
            vec = h.Vector()
            vec.record(sec(0.5)._ref_v)
            sections.append((sec, stim))
            vectors.append(vec)
        h.finitialize(-65.0)
    with timer.phase("run"):
        h.continuerun(options["t_sim"])
    with timer.phase("fetch"):
        values = np.column_stack([vec.as_numpy() for vec in vectors])
    extra["shape"] = "x".join(map(str, values.shape))
    extra["checksum"] = float(values[-1].sum())
    return extra


def _brian2_native(timer, options):
    with timer.phase("import"):
        import brian2 as b2
    extra = {"rss_after_import_mb": current_rss_mb()}
    n = options["n"]
    with timer.phase("build"):
        b2.defaultclock.dt = DT * b2.ms
        eqs = "dv/dt = (-65*mV - v)/(20*ms) + 0.5*nA/(1*nF) : volt (unless refractory)"
        group = b2.NeuronGroup(n, eqs, threshold="v > -50*mV", reset="v = -65*mV",
                               refractory=0.1 * b2.ms, method="exact")
        group.v = -65 * b2.mV
        monitor = b2.StateMonitor(group, "v", record=True)
        net = b2.Network(group, monitor)
    with timer.phase("run"):
        net.run(options["t_sim"] * b2.ms)
    with timer.phase("fetch"):
        values = np.asarray(monitor.v_ / 1e-3).T
    extra["shape"] = "x".join(map(str, values.shape))
    extra["checksum"] = float(values[-1].sum())
    return extra


def _hardware_native(timer, options):
    """pyNN.hardware has no other front end: the network is built and run through the
    library, and the 'native' fetch stacks the engine's own sample buffer (one row per
    sample) into an array, without the recorder."""
    with timer.phase("import"):
        import pyNN.hardware as sim
    extra = {"rss_after_import_mb": current_rss_mb()}
    with timer.phase("build"):
        sim.setup(timestep=DT)
        pop = sim.Population(options["n"], sim.IF_curr_exp(i_offset=I_OFFSET), label="cells")
        pop.initialize(v=-65.0)
        pop.record("v")
    with timer.phase("run"):
        sim.run(options["t_sim"])
    with timer.phase("fetch"):
        values = np.vstack(pop._group.recording.signals["v"].rows)
    extra["shape"] = "x".join(map(str, values.shape))
    extra["checksum"] = float(values[-1].sum())
    return extra


VARIANTS = {
    "nest_ours": _ours("pyNN.nest", False),
    "nest_arrays": _ours("pyNN.nest", True),
    "nest_native": _nest_native,
    "neuron_ours": _ours("pyNN.neuron", False),
    "neuron_arrays": _ours("pyNN.neuron", True),
    "neuron_native": _neuron_native,
    "brian2_ours": _ours("pyNN.brian2", False),
    "brian2_arrays": _ours("pyNN.brian2", True),
    "brian2_native": _brian2_native,
    "hardware_ours": _ours("pyNN.hardware", False),
    "hardware_arrays": _ours("pyNN.hardware", True),
    "hardware_native": _hardware_native,
}
PAIRS = [(f"{backend}, {kind}", f"{backend}_{kind}", f"{backend}_native")
         for backend in ("nest", "neuron", "brian2", "hardware") for kind in ("ours", "arrays")]

if __name__ == "__main__":
    main("get_data", "get_data('v'): 1000 cells x 10,000 samples", VARIANTS, PAIRS,
         ["build", "run", "fetch"], {"fetch": 1.0, "memory": 1.2}, _options,
         report_keys=("shape", "checksum"))
