"""The Vogels-Abbott COBA network with STDP on the exc -> exc connections: every backend
against a native script of the same network, in one invocation.

The network, the recording and the timed phases are those of ``va_coba.py`` (4,000
IF_cond_exp cells, FixedProbabilityConnector(0.02), 20 Poisson kick-off sources,
dt = 0.1 ms, delays 0.1 ms, 1 s, spikes of all cells recorded), except that the exc -> exc
projection (about 205,000 connections) is plastic:

    STDPMechanism(SpikePairRule(tau_plus=20, tau_minus=20, A_plus=0.01, A_minus=0.012),
                  AdditiveWeightDependence(w_min=0, w_max=0.008 uS), weight=0.004 uS)

Pairs of variants (each in a fresh process):

* ``nest`` vs ``nest_native``: pyNN.nest against PyNEST with ``stdp_synapse`` (lambda 0.01,
  alpha 1.2, Wmax 8 nS, tau_minus 20 ms on the excitatory neurons); target total <= 1.1;
* ``brian2`` vs ``brian2_native``: pyNN.brian2 against plain Brian2 with the usual
  event-driven trace synapse (``va_coba_brian2.py``'s script with a plastic exc -> exc
  Synapses), compiled code cached (run once first to fill the cache); target <= 1.3;
* ``neuron`` vs ``neuron_native``: pyNN.neuron against ``va_coba_neuron.py``'s native NEURON
  script whose exc -> exc NetCons carry the same STDP slots (the backend's mechanisms);
  target <= 1.2;
* ``hardware`` (ideal profile) vs ``nest_native``: target < 1.0.

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


def _brian2_synapses(b2, exc):
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
    "nest_native": _nest_native,
    "brian2": _pynn("pyNN.brian2", lambda seeds, options: {
        "rng_seed": seeds["nest"], "codegen_target": options["target"],
        "cache_dir": va_coba_brian2._cache_dir(options, "ours_stdp", False)}),
    "brian2_native": _brian2_native,
    "neuron": _pynn("pyNN.neuron", lambda seeds, options: {"rng_seed": seeds["nest"]}),
    "neuron_native": _neuron_native,
    "hardware": _pynn("pyNN.hardware", lambda seeds, options: {"profile": "ideal", "seed": seeds["nest"]}),
}
PAIRS = [
    ("VA + STDP, NEST", "nest", "nest_native", {"total": 1.1}),
    ("VA + STDP, Brian2 (compiled code cached)", "brian2", "brian2_native", {"total": 1.3}),
    ("VA + STDP, NEURON", "neuron", "neuron_native", {"total": 1.2}),
    ("VA + STDP, hardware (ideal) vs native NEST", "hardware", "nest_native", {"total": 1.0}),
]


if __name__ == "__main__":
    main("va_stdp", "Vogels-Abbott COBA with STDP on exc -> exc: every backend vs its native script",
         VARIANTS, PAIRS, ["import", "build", "run", "data", "total"], {}, va_coba_brian2._options,
         report_keys=("mean_weight_ee",))
