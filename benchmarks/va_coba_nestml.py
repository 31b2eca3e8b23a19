"""The Vogels-Abbott network (``va_coba.py``) with NESTML cells versus the same network with
standard cells, on pyNN.nest, pyNN.neuron, pyNN.brian2 and pyNN.hardware (profile ideal).

Two networks:

* COBA (variants ``nestml[_<backend>]`` / ``standard[_<backend>]``): NESTML's
  ``iaf_cond_exp_neuron`` against IF_cond_exp, the network of ``va_coba.py``;
* CUBA (variants ``cuba_nestml[_<backend>]`` / ``cuba_standard[_<backend>]``): NESTML's
  ``iaf_psc_exp_neuron`` against IF_curr_exp (the issue's target network), with the
  Vogels-Abbott CUBA values: the same cells and connectivity, current-based synapses, resting
  potential -49 mV (above threshold: the cells fire spontaneously, inhibition keeps the
  rate down) and recurrent weights of 0.27 nS x 60 mV = 0.0162 nA (excitatory) and
  4.5 nS x 20 mV = 0.09 nA (inhibitory).

The NESTML variant uses NESTML's ``iaf_cond_exp_neuron`` (from the nestml package's model
library) through ``sim.nestml.nestml_cell_type`` with the parameters of ``va_coba.py`` in the
library's units. Registering the type (from the cache: run the script once first, or the
first child compiles the model) is timed in the ``import`` phase, which is not part of the
total. The target: total within 1.2x of the standard types on the same backend. Brian2 uses
its Cython target with its usual code cache (run once first so that neither side compiles).

Run: ``.venv/bin/python benchmarks/va_coba_nestml.py`` (``--help`` for options;
``--variants nestml_brian2 standard_brian2`` for one backend and network).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import main
from va_coba import CELL_PARAMS, _options, run_pynn, standard_cells

NESTML_PARAMS = {"C_m": CELL_PARAMS["cm"], "g_L": CELL_PARAMS["cm"] / CELL_PARAMS["tau_m"],
                 "E_L": CELL_PARAMS["v_rest"], "V_th": CELL_PARAMS["v_thresh"], "V_reset": CELL_PARAMS["v_reset"],
                 "refr_T": CELL_PARAMS["tau_refrac"], "I_e": CELL_PARAMS["i_offset"],
                 "tau_syn_exc": CELL_PARAMS["tau_syn_E"], "tau_syn_inh": CELL_PARAMS["tau_syn_I"],
                 "E_exc": CELL_PARAMS["e_rev_E"], "E_inh": CELL_PARAMS["e_rev_I"]}


CUBA_PARAMS = {k: v for k, v in CELL_PARAMS.items() if not k.startswith("e_rev")}
CUBA_PARAMS["v_rest"] = -49.0
CUBA_WEIGHTS = (0.27e-3 * 60.0, 4.5e-3 * 20.0)  # nA
NESTML_CUBA_PARAMS = {"C_m": CUBA_PARAMS["cm"], "tau_m": CUBA_PARAMS["tau_m"], "E_L": CUBA_PARAMS["v_rest"],
                      "V_th": CUBA_PARAMS["v_thresh"], "V_reset": CUBA_PARAMS["v_reset"],
                      "refr_T": CUBA_PARAMS["tau_refrac"], "I_e": CUBA_PARAMS["i_offset"],
                      "tau_syn_exc": CUBA_PARAMS["tau_syn_E"], "tau_syn_inh": CUBA_PARAMS["tau_syn_I"]}


def nestml_cells(sim):
    path = os.path.join(sys.prefix, "models", "neurons", "iaf_cond_exp_neuron.nestml")
    celltype = sim.nestml.nestml_cell_type("iaf_cond_exp_neuron", path)
    return celltype(**NESTML_PARAMS), "V_m"


def nestml_cuba_cells(sim):
    path = os.path.join(sys.prefix, "models", "neurons", "iaf_psc_exp_neuron.nestml")
    celltype = sim.nestml.nestml_cell_type("iaf_psc_exp_neuron", path)
    return celltype(**NESTML_CUBA_PARAMS), "V_m"


def standard_cuba_cells(sim):
    return sim.IF_curr_exp(**CUBA_PARAMS), "v"


def _setup(seeds):
    return {"rng_seed": seeds["nest"]}


def _setup_brian2(seeds):
    return {"rng_seed": seeds["nest"], "codegen_target": "cython"}


def _setup_hardware(seeds):
    return {"profile": "ideal", "seed": seeds["nest"]}


def _setup_neuron(seeds):
    return {"rng_seed": seeds["nest"]}


def _collected(cells):
    """`cells`, followed by a full garbage collection, in the (untimed) import phase of every
    variant: the objects the imports leave (more with a NESTML type: its sympy IR) otherwise
    trigger a full collection (about 0.1 s at this size) at a point of the timed phases that
    depends on how much was imported (measured: in the NESTML variants' data phase, in the
    standard variants' untimed trains phase)."""
    def make(sim):
        import gc
        out = cells(sim)
        gc.collect()
        return out
    return make


def _variant(module, setup, cells, weights=None):
    cells = _collected(cells)

    def run(timer, options):
        if weights is None:
            return run_pynn(timer, options, module, setup, cells=cells)
        return run_pynn(timer, options, module, setup, cells=cells, weights=weights)
    return run


VARIANTS = {}
PAIRS = []
for _suffix, _module, _setup_fn in (("", "pyNN.nest", _setup), ("_neuron", "pyNN.neuron", _setup_neuron),
                                    ("_brian2", "pyNN.brian2", _setup_brian2),
                                    ("_hardware", "pyNN.hardware", _setup_hardware)):
    VARIANTS["nestml" + _suffix] = _variant(_module, _setup_fn, nestml_cells)
    VARIANTS["standard" + _suffix] = _variant(_module, _setup_fn, standard_cells)
    PAIRS.append((f"VA COBA, NESTML cells, {_module}", "nestml" + _suffix, "standard" + _suffix))
for _suffix, _module, _setup_fn in (("", "pyNN.nest", _setup), ("_neuron", "pyNN.neuron", _setup_neuron),
                                    ("_brian2", "pyNN.brian2", _setup_brian2),
                                    ("_hardware", "pyNN.hardware", _setup_hardware)):
    VARIANTS["cuba_nestml" + _suffix] = _variant(_module, _setup_fn, nestml_cuba_cells, CUBA_WEIGHTS)
    VARIANTS["cuba_standard" + _suffix] = _variant(_module, _setup_fn, standard_cuba_cells, CUBA_WEIGHTS)
    PAIRS.append((f"VA CUBA, NESTML iaf_psc_exp cells, {_module}", "cuba_nestml" + _suffix,
                  "cuba_standard" + _suffix))
TARGETS = {"total": 1.2}

if __name__ == "__main__":
    main("va_coba_nestml", "Vogels-Abbott COBA benchmark: NESTML cells vs standard types on each backend",
         VARIANTS, PAIRS, ["import", "build", "run", "data", "total"], TARGETS, _options)
