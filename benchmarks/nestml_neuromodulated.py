"""What modulatory spikes cost: NESTML's neuromodulated STDP synapse with a dopamine-like source
firing against the same network with a silent source, on pyNN.nest, pyNN.hardware (profile
ideal) and pyNN.neuron (``_neuron`` variants), and against NESTML's plain ``stdp_synapse``.

1,000 Poisson sources (10 Hz) project all-to-all onto 100 of NESTML's ``iaf_psc_exp_neuron``
(100,000 plastic connections, delay 1 ms), driven to about 20 Hz by a constant current, for 1 s
at dt = 0.1 ms. ``modulatory_inputs={"mod_spikes": dopa}`` with ``dopa`` one Poisson source of
``--mod-rate`` Hz (variant ``dopa``) or one without spikes (``silent``); ``stdp`` uses NESTML's
``stdp_synapse`` instead. On the emulator a modulatory spike is replayed, vectorised, at each
connection's next pre spike; on NEST the volume transmitter updates every connection of the
projection every step. Registering the NESTML types is timed in the ``import`` phase (run once
first so that nothing compiles).

Run: ``.venv/bin/python benchmarks/nestml_neuromodulated.py`` (``--help`` for options;
``--variants dopa_hardware silent_hardware`` for one backend; ``--frozen --mod-rate 200`` for the
cost of a modulatory spike alone).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import main
from nestml_stdp import finish

N_PRE, N_POST, RATE, DT, DELAY = 1000, 100, 10.0, 0.1, 1.0
W0 = 0.0005
NESTML_CELL = dict(C_m=0.25, tau_m=10.0, E_L=-70.0, V_reset=-70.0, V_th=-55.0, refr_T=2.0, tau_syn_exc=2.0,
                   tau_syn_inh=5.0, I_e=0.45)
MODELS = os.path.join(sys.prefix, "models")
NEURON = os.path.join(MODELS, "neurons", "iaf_psc_exp_neuron.nestml")


def _variant(module, setup, kind):
    def run(timer, options):
        import importlib
        with timer.phase("import"):
            sim = importlib.import_module(module)
            name = "stdp_synapse" if kind == "stdp" else "neuromodulated_stdp_synapse"
            synapse = sim.nestml.nestml_synapse_type(name, os.path.join(MODELS, "synapses", name + ".nestml"),
                                                     postsynaptic_neuron_nestml_description=NEURON)
        with timer.phase("build"):
            sim.setup(timestep=DT, min_delay=DELAY, **setup)
            pre = sim.Population(N_PRE, sim.SpikeSourcePoisson(rate=RATE), label="pre")
            post = sim.Population(N_POST, synapse.postsynaptic_cell_type(**NESTML_CELL),
                                  initial_values={"V_m": -70.0}, label="post")
            post.record("spikes")
            extra = {}
            if kind != "stdp":
                rate = options["mod_rate"] if kind == "dopa" else 0.0
                dopa = sim.Population(1, sim.SpikeSourcePoisson(rate=rate), label="dopa")
                dopa.record("spikes")
                extra = {"modulatory_inputs": {"mod_spikes": dopa}, "tau_c": 200.0, "tau_n": 50.0, "Wmax": 1e9}
                if options["frozen"]:  # no eligibility, so the weights (and the spikes) do not depend on dopa
                    extra.update(A_plus=0.0, A_minus=0.0)
            prj = sim.Projection(pre, post, sim.AllToAllConnector(), synapse(weight=W0, delay=DELAY, **extra),
                                 receptor_type="excitatory")
        with timer.phase("run"):
            sim.run(options["t_sim"])
        counts = {}
        if kind != "stdp":
            counts["n_modulatory_spikes"] = lambda: sum(
                len(st) for st in dopa.get_data("spikes").segments[0].spiketrains)
        return finish(timer, sim, post, prj, options["t_sim"], **counts)
    return run


VARIANTS = {}
PAIRS = []
for _suffix, _module, _setup in (("", "pyNN.nest", {}), ("_hardware", "pyNN.hardware", {"profile": "ideal"}),
                                 ("_neuron", "pyNN.neuron", {})):
    for _kind in ("dopa", "silent", "stdp"):
        VARIANTS[_kind + _suffix] = _variant(_module, _setup, _kind)
    PAIRS.append((f"neuromodulated STDP, modulatory spikes vs a silent source, {_module}", "dopa" + _suffix,
                  "silent" + _suffix))
    PAIRS.append((f"neuromodulated STDP (silent source) vs NESTML stdp_synapse, {_module}", "silent" + _suffix,
                  "stdp" + _suffix))


def _options(parser):
    parser.add_argument("--t-sim", dest="t_sim", type=float, default=1000.0,
                        help="simulated time in ms (default 1000)")
    parser.add_argument("--mod-rate", dest="mod_rate", type=float, default=20.0,
                        help="rate of the modulatory source in Hz (default 20)")
    parser.add_argument("--frozen", action="store_true",
                        help="A_plus = A_minus = 0: the same spikes with and without dopamine, so the "
                             "difference is what the modulatory spikes cost")


if __name__ == "__main__":
    main("nestml_neuromodulated", "NESTML neuromodulated STDP: the cost of modulatory spikes", VARIANTS, PAIRS,
         ["import", "build", "run", "data", "total"], {}, _options, report_keys=("mean_weight", "n_modulatory_spikes"))
