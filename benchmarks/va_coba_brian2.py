"""The Vogels-Abbott COBA benchmark network: pyNN.brian2 versus the same network in plain Brian2.

The network is that of ``va_coba.py`` (4,000 IF_cond_exp cells, 3,200 excitatory and 800
inhibitory, FixedProbabilityConnector(p=0.02) between every population pair, delays
0.1 ms, 20 Poisson sources at 200 Hz for 0-50 ms kicking it off, 1 s at dt = 0.1 ms, all
spikes recorded). The native script is written the way a Brian2 user would write it: one
NeuronGroup with the same equations and integration method (RK4) as the
library's IF_cond_exp, subgroups for the two populations, ``Synapses.connect(p=...)``,
a PoissonGroup with a time-dependent rate, one SpikeMonitor.

Both use the same code generation target (``--target``, default cython). Compiled code
is cached on disk, so each side is run twice:

* ``*_cold`` variants start from an empty cache (their time includes compiling every
  code object once: the first-run cost a user pays once per model);
* the warm variants reuse that cache; the ratio target (<= 1.3) applies to their total.

The compile cost is reported as the difference of the cold and warm ``run`` phases
(``run`` includes Brian2's code generation and compilation).

Run: ``.venv/bin/python benchmarks/va_coba_brian2.py`` (``--help`` for options).
"""

import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import RESULTS_DIR, current_rss_mb, main
from va_coba import (
    CELL_PARAMS, DELAY, DT, N_EXC, N_INH, N_STIM, P_CONNECT, P_STIM, STIM_RATE, STIM_STOP, V_INIT, W_EXC,
    W_INH, W_STIM, _rates, _seeds, run_pynn,
)


def _cache_dir(options, side, cold):
    path = os.path.join(options.get("cache_root") or os.path.join(RESULTS_DIR, "brian2_cache"), side)
    if cold and os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path, exist_ok=True)
    return path


def _ours(timer, options, cold=False):
    cache = _cache_dir(options, "ours", cold)
    return run_pynn(timer, options, "pyNN.brian2", lambda seeds: {
        "rng_seed": seeds["nest"], "codegen_target": options["target"], "cache_dir": cache})


def _native(timer, options, cold=False, exc_exc=None):
    """The network in plain Brian2; `exc_exc(b2, exc, p)`, if given, makes the Synapses object
    of the exc -> exc connections, connected with probability p."""
    seeds = _seeds(options)
    cache = _cache_dir(options, "native", cold)
    with timer.phase("import"):
        import brian2 as b2
    extra = {"rss_after_import_mb": current_rss_mb()}
    t_sim = options["t_sim"]
    ms, mV, nF = b2.ms, b2.mV, b2.nF
    with timer.phase("build"):
        b2.prefs.codegen.target = options["target"]
        b2.prefs.codegen.runtime.cython.cache_dir = cache
        b2.defaultclock.dt = DT * ms
        b2.seed(seeds["nest"])
        p = CELL_PARAMS
        namespace = {"v_rest": p["v_rest"] * mV, "tau_m": p["tau_m"] * ms, "c_m": p["cm"] * nF,
                     "e_rev_E": p["e_rev_E"] * mV, "e_rev_I": p["e_rev_I"] * mV,
                     "tau_syn_E": p["tau_syn_E"] * ms, "tau_syn_I": p["tau_syn_I"] * ms,
                     "v_thresh": p["v_thresh"] * mV, "v_reset": p["v_reset"] * mV,
                     "tau_refrac": p["tau_refrac"] * ms}
        eqs = """
        dv/dt = (v_rest - v)/tau_m + (gsyn_exc*(e_rev_E - v) + gsyn_inh*(e_rev_I - v))/c_m : volt (unless refractory)
        dgsyn_exc/dt = -gsyn_exc/tau_syn_E : siemens
        dgsyn_inh/dt = -gsyn_inh/tau_syn_I : siemens
        """
        cells = b2.NeuronGroup(N_EXC + N_INH, eqs, threshold="v >= v_thresh", reset="v = v_reset",
                               refractory="tau_refrac + dt", method="rk4", namespace=namespace)
        cells.v = np.random.RandomState(seeds["v"]).uniform(*V_INIT, N_EXC + N_INH) * mV
        exc, inh = cells[:N_EXC], cells[N_EXC:]
        stim = b2.PoissonGroup(N_STIM, rates=f"{STIM_RATE}*Hz*int(t < {STIM_STOP}*ms)")
        if exc_exc is None:
            s_exc = b2.Synapses(exc, cells, on_pre=f"gsyn_exc_post += {W_EXC * 1000}*nS", delay=DELAY * ms)
            s_exc.connect(p=P_CONNECT)
            plastic = []
        else:  # a plastic exc -> exc synapse (see va_stdp.py), static exc -> inh
            s_exc = b2.Synapses(exc, inh, on_pre=f"gsyn_exc_post += {W_EXC * 1000}*nS", delay=DELAY * ms)
            s_exc.connect(p=P_CONNECT)
            plastic = [exc_exc(b2, exc, P_CONNECT)]
        s_inh = b2.Synapses(inh, cells, on_pre=f"gsyn_inh_post += {W_INH * 1000}*nS", delay=DELAY * ms)
        s_inh.connect(p=P_CONNECT)
        s_stim = b2.Synapses(stim, exc, on_pre=f"gsyn_exc_post += {W_STIM * 1000}*nS", delay=DELAY * ms)
        s_stim.connect(p=P_STIM)
        monitor = b2.SpikeMonitor(cells)
        net = b2.Network(cells, stim, s_exc, s_inh, s_stim, monitor, *plastic)
    with timer.phase("run"):
        net.run(t_sim * ms, namespace={})
    with timer.phase("data"):
        i, t = np.asarray(monitor.i[:]), np.asarray(monitor.t_[:])
        n_spikes = {"exc": int(np.sum(i < N_EXC)), "inh": int(np.sum(i >= N_EXC))}
        assert len(t) == sum(n_spikes.values())
    timer.times["total"] = timer.times["build"] + timer.times["run"] + timer.times["data"]
    with timer.phase("trains"):  # one array per cell, as ours gets iterating over the SpikeTrains
        per_cell = list(monitor.spike_trains().values())
    assert sum(len(s) for s in per_cell) == len(t)
    extra.update(_rates(n_spikes, t_sim))
    extra["n_connections"] = len(s_exc) + len(s_inh) + len(s_stim) + sum(len(s) for s in plastic)
    return extra


VARIANTS = {"ours_cold": lambda t, o: _ours(t, o, cold=True),
            "native_cold": lambda t, o: _native(t, o, cold=True),
            "ours": _ours, "native": _native}
PAIRS = [("VA COBA, Brian2 (compiled code cached)", "ours", "native"),
         ("VA COBA, Brian2 (first run: includes compilation)", "ours_cold", "native_cold")]
TARGETS = {"total": 1.3}


def _options(parser):
    parser.add_argument("--t-sim", dest="t_sim", type=float, default=1000.0,
                        help="simulated time in ms (default 1000)")
    parser.add_argument("--seed", type=int, default=0,
                        help="added to every seed, for another realisation of the network (default 0)")
    parser.add_argument("--target", default="cython", choices=["cython", "numpy"],
                        help="Brian2 code generation target of both versions (default cython)")
    parser.add_argument("--cache-root", dest="cache_root", default=None,
                        help="directory for the compiled-code caches (default benchmarks/results/brian2_cache)")


if __name__ == "__main__":
    main("va_coba_brian2", "Vogels-Abbott COBA benchmark: pyNN.brian2 vs Brian2",
         VARIANTS, PAIRS, ["import", "build", "run", "data", "total", "trains"], TARGETS, _options)
