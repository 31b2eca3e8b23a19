"""The Vogels-Abbott COBA network with STDP on the exc -> exc connections: every backend
against a native script of the same network, in one invocation.

The network, the recording and the timed phases are those of ``va_coba.py`` (4,000
IF_cond_exp cells, FixedProbabilityConnector(0.02), 20 Poisson kick-off sources,
dt = 0.1 ms, delays 0.1 ms, 1 s, spikes of all cells recorded), except that the exc -> exc
projection (about 205,000 connections) is plastic:

    STDPMechanism(SpikePairRule(tau_plus=20, tau_minus=20, A_plus=0.01, A_minus=0.012),
                  AdditiveWeightDependence(w_min=0, w_max=0.008 uS), weight=0.004 uS)

Pairs of variants (each in a fresh process):

* ``nest`` vs ``nest_same``: pyNN.nest against PyNEST with ``stdp_synapse`` (lambda 0.01,
  alpha 1.2, Wmax 8 nS, tau_minus 20 ms on the excitatory neurons) on the very same network
  (connections and initial values drawn as the library draws them, connected with
  one_to_one arrays); target total <= 1.1. ``nest_native`` is ``va_coba.py``'s PyNEST
  script with the plastic synapse, whose own draw of the network (pairwise_bernoulli) is
  less active: its time is not comparable, since STDP costs scale with the spike count.
  ``nest_maxdelay`` is pyNN.nest with ``setup(max_delay=0.1)``: the native kernel sets its
  max_delay to the longest delay used (0.1 ms), and so does the library's when a plastic
  projection exists at the first run (it used to reserve 5-10 ms, which made NEST's STDP
  run about twice as long), so both variants now measure the same;
* ``brian2`` vs ``brian2_native``: pyNN.brian2 against plain Brian2 with the usual
  event-driven trace synapse (``va_coba_brian2.py``'s script with a plastic exc -> exc
  Synapses), compiled code cached (run once first to fill the cache); target <= 1.3;
* ``neuron`` vs ``neuron_native``: pyNN.neuron against ``va_coba_neuron.py``'s native NEURON
  script whose exc -> exc NetCons carry the same STDP slots (the backend's mechanisms);
  target <= 1.2;
* ``hardware`` (ideal profile) vs ``nest_same``: target < 1.0.

Run: ``.venv/bin/python benchmarks/va_stdp.py`` (``--help`` for options; ``--variants nest
nest_native`` for one pair).
"""

import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import va_coba
import va_coba_brian2
import va_coba_neuron
from _harness import main

TAU_PLUS = TAU_MINUS = 20.0   # ms
A_PLUS, A_MINUS = 0.01, 0.012
W_MAX = 2 * va_coba.W_EXC     # uS


def _stdp(sim):
    return sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=TAU_PLUS, tau_minus=TAU_MINUS, A_plus=A_PLUS, A_minus=A_MINUS),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=W_MAX),
        weight=va_coba.W_EXC, delay=va_coba.DELAY)


def _mean_weight(sim):
    """The mean exc -> exc weight after the run (uS), to compare the backends' learning."""
    weights = np.asarray(sim.state.projections[0].get("weight", format="list", with_address=False), float)
    return {"mean_weight_ee": round(float(weights.mean()), 7)}


def _pynn(module, setup_options):
    """A variant running the network with `module`, set up with `setup_options(seeds, options)`."""
    def variant(timer, options):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return va_coba.run_pynn(timer, options, module, lambda seeds: setup_options(seeds, options),
                                    after=_mean_weight, exc_exc_synapse=_stdp)
    return variant


def _nest_native(timer, options):
    synapse = {"synapse_model": "stdp_synapse", "weight": 1000 * va_coba.W_EXC, "delay": va_coba.DELAY,
               "tau_plus": TAU_PLUS, "lambda": A_PLUS, "alpha": A_MINUS / A_PLUS, "mu_plus": 0.0,
               "mu_minus": 0.0, "Wmax": 1000 * W_MAX}
    return va_coba._native(timer, options, exc_exc_synapse=synapse, exc_params={"tau_minus": TAU_MINUS})


def _nest_same_network(timer, options):
    """PyNEST with stdp_synapse on the very network the library builds: the initial values and
    the connections drawn with numpy's RandomState from the library's seeds in the library's
    order (one uniform per (post, pre) pair, post-major, as FixedProbabilityConnector and
    va_coba_neuron.py's native script), connected with one_to_one arrays. (Only the Poisson
    kick-off differs: NEST's generators draw their own spikes.)"""
    from va_coba import (DELAY, DT, N_EXC, N_INH, N_STIM, NEST_CELL_PARAMS, P_CONNECT, P_STIM, STIM_RATE,
                         STIM_STOP, V_INIT, W_EXC, W_INH, W_STIM, _rates, _seeds)
    from _harness import import_native_nest
    seeds = _seeds(options)
    nest, extra = import_native_nest(timer)
    t_sim = options["t_sim"]
    with timer.phase("build"):
        va_coba.reset_nest_kernel(nest, seeds)
        cells = nest.Create("iaf_cond_exp", N_EXC + N_INH, params=NEST_CELL_PARAMS)
        cells.V_m = np.random.RandomState(seeds["v"]).uniform(*V_INIT, N_EXC + N_INH)
        cells[:N_EXC].tau_minus = TAU_MINUS
        generators = nest.Create("poisson_generator", N_STIM,
                                 params={"rate": STIM_RATE, "start": 0.0, "stop": STIM_STOP})
        stim = nest.Create("parrot_neuron", N_STIM)
        nest.Connect(generators, stim, "one_to_one", {"delay": DT})
        recorder = nest.Create("spike_recorder")
        nest.Connect(cells, recorder)
        ids = np.concatenate([np.asarray(cells.tolist()), np.asarray(stim.tolist())])
        crng = np.random.RandomState(seeds["connect"])
        nest.CopyModel("stdp_synapse", "stdp_va", {"tau_plus": TAU_PLUS, "lambda": A_PLUS, "alpha": A_MINUS / A_PLUS,
                                                   "mu_plus": 0.0, "mu_minus": 0.0, "Wmax": 1000 * W_MAX})

        def connect(pre_first, n_pre, post_first, n_post, p, weight, model="static_synapse"):
            post, pre = np.nonzero(crng.uniform(0.0, 1.0, (n_post, n_pre)) < p)
            nest.Connect(ids[pre + pre_first], ids[post + post_first], "one_to_one",
                         {"synapse_model": model, "weight": np.full(pre.size, 1000.0 * weight),
                          "delay": np.full(pre.size, DELAY)})

        connect(0, N_EXC, 0, N_EXC, P_CONNECT, W_EXC, "stdp_va")
        connect(0, N_EXC, N_EXC, N_INH, P_CONNECT, W_EXC)
        connect(N_EXC, N_INH, 0, N_EXC, P_CONNECT, -W_INH)
        connect(N_EXC, N_INH, N_EXC, N_INH, P_CONNECT, -W_INH)
        connect(N_EXC + N_INH, N_STIM, 0, N_EXC, P_STIM, W_STIM)
    with timer.phase("run"):
        nest.Simulate(t_sim)
    with timer.phase("data"):
        senders = np.asarray(recorder.get("events", "senders"))
        n_spikes = {"exc": int((senders <= ids[N_EXC - 1]).sum()), "inh": int((senders > ids[N_EXC - 1]).sum())}
    timer.times["total"] = timer.times["build"] + timer.times["run"] + timer.times["data"]
    extra.update(_rates(n_spikes, t_sim))
    extra["n_connections"] = int(nest.num_connections) - N_STIM - N_EXC - N_INH
    weights = np.asarray(nest.GetConnections(cells[:N_EXC], cells[:N_EXC]).get("weight"), float)
    extra["mean_weight_ee"] = round(float(weights.mean()) / 1000.0, 7)
    return extra


def _brian2_synapses(b2, exc, p_connect):
    """The textbook Brian2 STDP synapse with NEST's order: a pre spike depresses with the
    post trace, then transmits the new weight; a post spike potentiates with the pre trace."""
    namespace = {"tau_plus": TAU_PLUS * b2.ms, "tau_minus": TAU_MINUS * b2.ms, "A_plus": A_PLUS,
                 "A_minus": A_MINUS, "wmax": W_MAX * 1000 * b2.nS}
    synapses = b2.Synapses(
        exc, exc,
        model="""w : siemens
                 dapre/dt = -apre/tau_plus : 1 (event-driven)
                 dapost/dt = -apost/tau_minus : 1 (event-driven)""",
        on_pre="""w = clip(w - A_minus*wmax*apost, 0*nS, wmax)
                  gsyn_exc_post += w
                  apre += 1""",
        on_post="""w = clip(w + A_plus*wmax*apre, 0*nS, wmax)
                   apost += 1""",
        delay=va_coba.DELAY * b2.ms, namespace=namespace)
    synapses.connect(p=p_connect)
    synapses.w = va_coba.W_EXC * 1000 * b2.nS
    return synapses


def _brian2_native(timer, options):
    return va_coba_brian2._native(timer, options, exc_exc=_brian2_synapses)


def _neuron_native(timer, options):
    from pyNN.neuron.standardmodels.synapses import STDP_FIRST_SLOT
    # the TM slots (unused), then kind 1 (pair rule), w0, wmin, wmax, A+, A-, tau+, tau-, mu+, mu-,
    # dendritic delay d, (pre event's synapse time - delivery time) = -d
    slots = [0.0] * (STDP_FIRST_SLOT - 1) + [1.0, va_coba.W_EXC, 0.0, W_MAX, A_PLUS, A_MINUS, TAU_PLUS, TAU_MINUS,
                                             0.0, 0.0, va_coba.DELAY, -va_coba.DELAY]
    return va_coba_neuron._native(timer, options, exc_exc_slots=slots)


VARIANTS = {
    "nest": _pynn("pyNN.nest", lambda seeds, options: {"rng_seed": seeds["nest"]}),
    # with max_delay = the network's delay, as the native NEST kernel sets it by itself
    "nest_maxdelay": _pynn("pyNN.nest", lambda seeds, options: {"rng_seed": seeds["nest"],
                                                                "max_delay": va_coba.DELAY}),
    "nest_native": _nest_native,
    "nest_same": _nest_same_network,
    "brian2": _pynn("pyNN.brian2", lambda seeds, options: {
        "rng_seed": seeds["nest"], "codegen_target": options["target"],
        "cache_dir": va_coba_brian2._cache_dir(options, "ours_stdp", False)}),
    "brian2_native": _brian2_native,
    "neuron": _pynn("pyNN.neuron", lambda seeds, options: {"rng_seed": seeds["nest"]}),
    "neuron_native": _neuron_native,
    "hardware": _pynn("pyNN.hardware", lambda seeds, options: {"profile": "ideal", "seed": seeds["nest"]}),
}
PAIRS = [
    ("VA + STDP, NEST (the same network)", "nest", "nest_same", {"total": 1.1}),
    ("VA + STDP, NEST with setup(max_delay=0.1) (the same network)", "nest_maxdelay", "nest_same", {"total": 1.1}),
    ("VA + STDP, NEST (NEST's own draw of the network)", "nest", "nest_native", {"total": 1.1}),
    ("VA + STDP, Brian2 (compiled code cached)", "brian2", "brian2_native", {"total": 1.3}),
    ("VA + STDP, NEURON", "neuron", "neuron_native", {"total": 1.2}),
    ("VA + STDP, hardware (ideal) vs native NEST (the same network)", "hardware", "nest_same", {"total": 1.0}),
]


if __name__ == "__main__":
    main("va_stdp", "Vogels-Abbott COBA with STDP on exc -> exc: every backend vs its native script",
         VARIANTS, PAIRS, ["import", "build", "run", "data", "total"], {}, va_coba_brian2._options,
         report_keys=("mean_weight_ee",))
