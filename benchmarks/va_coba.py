"""The Vogels-Abbott COBA benchmark network: pyNN.nest versus the same network in PyNEST.

4,000 IF_cond_exp cells, 3,200 excitatory and 800 inhibitory, every population pair
connected with FixedProbabilityConnector(p=0.02) (self-connections allowed, like
NEST's pairwise_bernoulli default), static synapses with delay 0.1 ms (= dt, so both
versions have min_delay = dt):

=====================  ===========================  ==========================
cells                  cm 0.2 nF, tau_m 20 ms,      NEST iaf_cond_exp: C_m 200 pF,
                       v_rest -60, v_thresh -50,    g_L 10 nS, E_L -60, V_th -50,
                       v_reset -60 mV,              V_reset -60, t_ref 5,
                       tau_refrac 5 ms, i_offset 0  I_e 0
synapses               tau_syn_E 5, tau_syn_I 10,   tau_syn_ex 5, tau_syn_in 10,
                       e_rev_E 0, e_rev_I -80 mV    E_ex 0, E_in -80
weights                exc 0.004 uS, inh 0.051 uS   4 nS, -51 nS
initial v              uniform in [-60, -50] mV     nest.random.uniform(-60, -50)
kick-off stimulus      20 SpikeSourcePoisson,       20 poisson_generator ->
                       200 Hz for 0-50 ms, onto     parrot_neuron, pairwise_bernoulli
                       exc with p=0.1, 0.004 uS     p=0.1 onto exc, 4 nS
=====================  ===========================  ==========================

dt = 0.1 ms, 1 s simulated, the spikes of all 4,000 cells recorded.

Phases timed in each variant's own process:

* ``import``: importing the library (not part of the totals);
* ``build``: setup, populations, projections, recording requests;
* ``run``: ``sim.run(1000)`` / ``nest.Simulate(1000)``;
* ``data``: getting the spikes: ``get_data('spikes')`` (a Neo Block per population) and
  its (channel, time) arrays; natively, the spike recorders' ``events``;
* ``total``: build + run + data (the target applies to it);
* ``trains`` (outside the total): splitting the spikes into one train per cell (ours:
  iterating over the Neo SpikeTrains; native: sorting and splitting the event arrays).

Run: ``.venv/bin/python benchmarks/va_coba.py`` (``--help`` for options).
"""

import os

import numpy as np
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import current_rss_mb, import_native_nest, main

DT = 0.1          # ms
DELAY = 0.1       # ms
N_EXC, N_INH = 3200, 800
P_CONNECT = 0.02
W_EXC, W_INH = 0.004, 0.051   # uS
N_STIM, STIM_RATE, STIM_STOP, P_STIM, W_STIM = 20, 200.0, 50.0, 0.1, 0.004

CELL_PARAMS = {"cm": 0.2, "tau_m": 20.0, "v_rest": -60.0, "v_thresh": -50.0, "v_reset": -60.0,
               "tau_refrac": 5.0, "i_offset": 0.0, "tau_syn_E": 5.0, "tau_syn_I": 10.0,
               "e_rev_E": 0.0, "e_rev_I": -80.0}
NEST_CELL_PARAMS = {"C_m": 200.0, "g_L": 200.0 / 20.0, "E_L": -60.0, "V_th": -50.0, "V_reset": -60.0,
                    "t_ref": 5.0, "I_e": 0.0, "tau_syn_ex": 5.0, "tau_syn_in": 10.0,
                    "E_ex": 0.0, "E_in": -80.0}
V_INIT = (-60.0, -50.0)
SEEDS = {"v": 4242, "connect": 98765, "nest": 12345}


def _seeds(options):
    return {k: v + options.get("seed", 0) for k, v in SEEDS.items()}


def standard_cells(sim):
    """The cell type of the network and the name of its membrane potential."""
    return sim.IF_cond_exp(**CELL_PARAMS), "v"


def connect(sim, exc, inh, stim, rng, p_connect=P_CONNECT, delay=DELAY, exc_exc_synapse=None,
            weights=(W_EXC, W_INH)):
    """The network's five projections (every population pair, and the kick-off onto exc);
    `exc_exc_synapse(sim)`, if given, makes the synapse type of E->E (e.g. STDP); `weights`
    are the (excitatory, inhibitory) recurrent weights."""
    connector = sim.FixedProbabilityConnector(p_connect, rng=rng)
    exc_syn = sim.StaticSynapse(weight=weights[0], delay=delay)
    inh_syn = sim.StaticSynapse(weight=weights[1], delay=delay)
    ee_syn = exc_exc_synapse(sim) if exc_exc_synapse else exc_syn
    return [
        sim.Projection(exc, exc, connector, ee_syn, receptor_type="excitatory"),
        sim.Projection(exc, inh, connector, exc_syn, receptor_type="excitatory"),
        sim.Projection(inh, exc, connector, inh_syn, receptor_type="inhibitory"),
        sim.Projection(inh, inh, connector, inh_syn, receptor_type="inhibitory"),
        sim.Projection(stim, exc, sim.FixedProbabilityConnector(P_STIM, rng=rng),
                       sim.StaticSynapse(weight=W_STIM, delay=delay), receptor_type="excitatory"),
    ]


def run_pynn(timer, options, module, setup_options, after=None, cells=standard_cells, exc_exc_synapse=None,
             weights=(W_EXC, W_INH)):
    """Build, run and read the network with the PyNN-style backend `module`
    (e.g. 'pyNN.nest'), set up with `setup_options(seeds)`; `after(sim)` may add numbers
    to the result before ``end()``; `cells(sim)` gives the cell type and the name of its
    membrane potential (called in the import phase, so a type may be registered there);
    `exc_exc_synapse(sim)`, if given, the synapse type of the exc -> exc projection;
    `weights` the recurrent (excitatory, inhibitory) weights."""
    seeds = _seeds(options)
    with timer.phase("import"):
        import importlib

        import numpy as np
        from pyNN.random import NumpyRNG, RandomDistribution
        sim = importlib.import_module(module)
        celltype, v_name = cells(sim)
    extra = {"rss_after_import_mb": current_rss_mb()}
    t_sim = options["t_sim"]
    with timer.phase("build"):
        sim.setup(timestep=DT, **setup_options(seeds))
        v_init = RandomDistribution("uniform", low=V_INIT[0], high=V_INIT[1], rng=NumpyRNG(seed=seeds["v"]))
        exc = sim.Population(N_EXC, celltype, initial_values={v_name: v_init}, label="exc")
        inh = sim.Population(N_INH, celltype, initial_values={v_name: v_init}, label="inh")
        stim = sim.Population(N_STIM, sim.SpikeSourcePoisson(rate=STIM_RATE, start=0.0, duration=STIM_STOP),
                              label="stim")
        exc.record("spikes")
        inh.record("spikes")
        projections = connect(sim, exc, inh, stim, NumpyRNG(seed=seeds["connect"]),
                              exc_exc_synapse=exc_exc_synapse, weights=weights)
    with timer.phase("run"):
        sim.run(t_sim)
    with timer.phase("data"):
        n_spikes = {}
        blocks = {}
        for pop in (exc, inh):
            blocks[pop.label] = pop.get_data("spikes")
            _channels, times = blocks[pop.label].segments[0].spiketrains.multiplexed
            n_spikes[pop.label] = len(times)
    timer.times["total"] = timer.times["build"] + timer.times["run"] + timer.times["data"]
    with timer.phase("trains"):
        per_cell = [np.asarray(st.magnitude) for b in blocks.values() for st in b.segments[0].spiketrains]
    assert sum(len(s) for s in per_cell) == sum(n_spikes.values())
    extra.update(_rates(n_spikes, t_sim))
    extra["n_connections"] = sum(len(p) for p in projections)
    if after is not None:
        extra.update(after(sim))
    sim.end()
    return extra


def _ours(timer, options):
    return run_pynn(timer, options, "pyNN.nest", lambda seeds: {"rng_seed": seeds["nest"]})


def reset_nest_kernel(nest, seeds):
    """A fresh NEST kernel with the network's time step and seed."""
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.SetKernelStatus({"resolution": DT, "rng_seed": seeds["nest"]})


def _native(timer, options, exc_exc_synapse=None, exc_params=None):
    """The network in PyNEST; `exc_exc_synapse` (a synapse specification) replaces the static
    exc -> exc synapse and `exc_params` are further parameters of the excitatory cells."""
    seeds = _seeds(options)
    nest, extra = import_native_nest(timer)
    t_sim = options["t_sim"]
    with timer.phase("build"):
        reset_nest_kernel(nest, seeds)
        exc = nest.Create("iaf_cond_exp", N_EXC, params=dict(NEST_CELL_PARAMS, **(exc_params or {})))
        inh = nest.Create("iaf_cond_exp", N_INH, params=NEST_CELL_PARAMS)
        for pop in (exc, inh):
            pop.V_m = nest.random.uniform(*V_INIT)
        generators = nest.Create("poisson_generator", N_STIM,
                                 params={"rate": STIM_RATE, "start": 0.0, "stop": STIM_STOP})
        stim = nest.Create("parrot_neuron", N_STIM)
        nest.Connect(generators, stim, "one_to_one", {"delay": DT})
        recorders = {"exc": nest.Create("spike_recorder"), "inh": nest.Create("spike_recorder")}
        nest.Connect(exc, recorders["exc"])
        nest.Connect(inh, recorders["inh"])
        conn = {"rule": "pairwise_bernoulli", "p": P_CONNECT, "allow_autapses": True}
        exc_syn = {"synapse_model": "static_synapse", "weight": 1000 * W_EXC, "delay": DELAY}
        inh_syn = {"synapse_model": "static_synapse", "weight": -1000 * W_INH, "delay": DELAY}
        nest.Connect(exc, exc, conn, exc_exc_synapse or exc_syn)
        nest.Connect(exc, inh, conn, exc_syn)
        nest.Connect(inh, exc, conn, inh_syn)
        nest.Connect(inh, inh, conn, inh_syn)
        nest.Connect(stim, exc, {"rule": "pairwise_bernoulli", "p": P_STIM},
                     {"synapse_model": "static_synapse", "weight": 1000 * W_STIM, "delay": DELAY})
    with timer.phase("run"):
        nest.Simulate(t_sim)
    with timer.phase("data"):
        events = {}
        n_spikes = {}
        for label, rec in recorders.items():
            ev = rec.get("events")
            events[label] = (np.asarray(ev["senders"]), np.asarray(ev["times"]))
            n_spikes[label] = len(events[label][1])
    timer.times["total"] = timer.times["build"] + timer.times["run"] + timer.times["data"]
    with timer.phase("trains"):
        per_cell = []
        for label, pop in (("exc", exc), ("inh", inh)):
            senders, times = events[label]
            order = np.lexsort((times, senders))
            ids = np.asarray(pop.tolist())
            bounds = np.searchsorted(senders[order], np.concatenate([ids, [ids[-1] + 1]]))
            sorted_times = times[order]
            per_cell += [sorted_times[bounds[k]:bounds[k + 1]] for k in range(len(ids))]
    assert sum(len(s) for s in per_cell) == sum(n_spikes.values())
    extra.update(_rates(n_spikes, t_sim))
    # minus the 20 generator->parrot and 4000 cell->recorder connections
    extra["n_connections"] = int(nest.num_connections) - N_STIM - N_EXC - N_INH
    return extra


def _rates(n_spikes, t_sim):
    n_cells = {"exc": N_EXC, "inh": N_INH}
    rates = {f"mean_rate_{k}_hz": round(1000.0 * n / n_cells[k] / t_sim, 3) for k, n in n_spikes.items()}
    rates["mean_rate_hz"] = round(1000.0 * sum(n_spikes.values()) / (N_EXC + N_INH) / t_sim, 3)
    rates["n_spikes"] = int(sum(n_spikes.values()))
    return rates


VARIANTS = {"ours": _ours, "native": _native}
PAIRS = [("VA COBA", "ours", "native")]
TARGETS = {"total": 1.15}


def _options(parser):
    parser.add_argument("--t-sim", dest="t_sim", type=float, default=1000.0,
                        help="simulated time in ms (default 1000)")
    parser.add_argument("--seed", type=int, default=0,
                        help="added to every seed, for another realisation of the network (default 0)")


if __name__ == "__main__":
    main("va_coba", "Vogels-Abbott COBA benchmark: pyNN.nest vs PyNEST",
         VARIANTS, PAIRS, ["import", "build", "run", "data", "total", "trains"], TARGETS, _options)
