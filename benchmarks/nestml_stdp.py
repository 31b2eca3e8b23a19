"""A plastic feed-forward network with NESTML's STDP synapse versus the same network with the
library's STDPMechanism, on pyNN.nest, pyNN.neuron, pyNN.brian2 and pyNN.hardware (profile ideal).

1,000 Poisson sources (10 Hz) project all-to-all onto 100 cells (100,000 plastic connections,
delay 1 ms) for 1 s at dt = 0.1 ms; a constant current makes the cells fire at about 20 Hz.
The NESTML variant uses NESTML's ``stdp_synapse`` (additive: ``mu_plus = mu_minus = 0``) onto
its ``iaf_psc_exp_neuron`` (co-generated with the synapse on NEST and NEURON); the standard
variant ``STDPMechanism(SpikePairRule, AdditiveWeightDependence)`` with the same parameters
onto IF_curr_exp. Registering the NESTML types is timed in the ``import`` phase (run the script
once first so that nothing compiles). No target is enforced: the ratios show what the
generated synapse code costs against each backend's own STDP.

Run: ``.venv/bin/python benchmarks/nestml_stdp.py`` (``--help`` for options;
``--variants nestml_brian2 standard_brian2`` for one backend).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import main

N_PRE, N_POST, RATE, DT, DELAY = 1000, 100, 10.0, 0.1, 1.0
W0, W_MAX, TAU, A_PLUS, A_MINUS = 0.0005, 0.001, 20.0, 0.01, 0.012
CELL = dict(cm=0.25, tau_m=10.0, v_rest=-70.0, v_reset=-70.0, v_thresh=-55.0, tau_refrac=2.0, tau_syn_E=2.0,
            tau_syn_I=5.0, i_offset=0.45)
NESTML_CELL = dict(C_m=0.25, tau_m=10.0, E_L=-70.0, V_reset=-70.0, V_th=-55.0, refr_T=2.0, tau_syn_exc=2.0,
                   tau_syn_inh=5.0, I_e=0.45)


def _types(sim, nestml):
    if not nestml:
        stdp = sim.STDPMechanism(
            timing_dependence=sim.SpikePairRule(tau_plus=TAU, tau_minus=TAU, A_plus=A_PLUS, A_minus=A_MINUS),
            weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=W_MAX), weight=W0, delay=DELAY)
        return sim.IF_curr_exp(**CELL), stdp, "v"
    models = os.path.join(sys.prefix, "models")
    synapse = sim.nestml.nestml_synapse_type(
        "stdp_synapse", os.path.join(models, "synapses", "stdp_synapse.nestml"),
        postsynaptic_neuron_nestml_description=os.path.join(models, "neurons", "iaf_psc_exp_neuron.nestml"))
    stdp = synapse(weight=W0, delay=DELAY, tau_tr_pre=TAU, tau_tr_post=TAU, mu_plus=0.0, mu_minus=0.0, Wmin=0.0,
                   Wmax=W_MAX * 1000.0, alpha=A_MINUS / A_PLUS, **{"lambda": A_PLUS})
    return synapse.postsynaptic_cell_type(**NESTML_CELL), stdp, "V_m"


def _variant(module, setup, nestml):
    def run(timer, options):
        import importlib
        with timer.phase("import"):
            sim = importlib.import_module(module)
            celltype, stdp, v_name = _types(sim, nestml)
        with timer.phase("build"):
            sim.setup(timestep=DT, min_delay=DELAY, **setup)
            pre = sim.Population(N_PRE, sim.SpikeSourcePoisson(rate=RATE), label="pre")
            post = sim.Population(N_POST, celltype, initial_values={v_name: -70.0}, label="post")
            post.record("spikes")
            prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp, receptor_type="excitatory")
        with timer.phase("run"):
            sim.run(options["t_sim"])
        return finish(timer, sim, post, prj, options["t_sim"])
    return run


def finish(timer, sim, post, prj, t_sim, **counts):
    """The data phase of a plastic run (post spikes, weights), the total time and the summary;
    `counts`: name -> function giving a further count in the data phase. Ends the simulation."""
    import numpy as np
    with timer.phase("data"):
        n_spikes = sum(len(st) for st in post.get_data("spikes").segments[0].spiketrains)
        weights = np.asarray(prj.get("weight", format="array"))
        extra = {name: count() for name, count in counts.items()}
    timer.times["total"] = timer.times["build"] + timer.times["run"] + timer.times["data"]
    out = {"n_connections": len(prj), "n_spikes": n_spikes, "mean_rate_hz": n_spikes / post.size / (t_sim / 1000.0),
           "mean_weight": float(np.nanmean(weights)), **extra}
    sim.end()
    return out


VARIANTS = {}
PAIRS = []
for _suffix, _module, _setup in (("", "pyNN.nest", {}), ("_neuron", "pyNN.neuron", {}),
                                 ("_brian2", "pyNN.brian2", {"codegen_target": "cython"}),
                                 ("_hardware", "pyNN.hardware", {"profile": "ideal"})):
    VARIANTS["nestml" + _suffix] = _variant(_module, _setup, True)
    VARIANTS["standard" + _suffix] = _variant(_module, _setup, False)
    PAIRS.append((f"plastic feed-forward, NESTML stdp_synapse vs STDPMechanism, {_module}", "nestml" + _suffix,
                  "standard" + _suffix))


def _options(parser):
    parser.add_argument("--t-sim", dest="t_sim", type=float, default=1000.0,
                        help="simulated time in ms (default 1000)")


if __name__ == "__main__":
    main("nestml_stdp", "NESTML STDP synapse vs STDPMechanism on each backend", VARIANTS, PAIRS,
         ["import", "build", "run", "data", "total"], {}, _options, report_keys=("mean_weight",))
