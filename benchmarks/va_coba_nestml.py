"""The Vogels-Abbott COBA network (``va_coba.py``) with NESTML cells versus the same network
with the standard IF_cond_exp, on pyNN.nest, pyNN.neuron, pyNN.brian2 and pyNN.hardware (profile ideal).

The NESTML variant uses NESTML's ``iaf_cond_exp_neuron`` (from the nestml package's model
library) through ``sim.nestml.nestml_cell_type`` with the parameters of ``va_coba.py`` in the
library's units. Registering the type (from the cache: run the script once first, or the
first child compiles the model) is timed in the ``import`` phase, which is not part of the
total. The target: total within 1.2x of the standard types on the same backend. Brian2 uses
its Cython target with its usual code cache (run once first so that neither side compiles).

Run: ``.venv/bin/python benchmarks/va_coba_nestml.py`` (``--help`` for options;
``--variants nestml_brian2 standard_brian2`` for one backend).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import main
from va_coba import CELL_PARAMS, _options, run_pynn

NESTML_PARAMS = {"C_m": CELL_PARAMS["cm"], "g_L": CELL_PARAMS["cm"] / CELL_PARAMS["tau_m"],
                 "E_L": CELL_PARAMS["v_rest"], "V_th": CELL_PARAMS["v_thresh"], "V_reset": CELL_PARAMS["v_reset"],
                 "refr_T": CELL_PARAMS["tau_refrac"], "I_e": CELL_PARAMS["i_offset"],
                 "tau_syn_exc": CELL_PARAMS["tau_syn_E"], "tau_syn_inh": CELL_PARAMS["tau_syn_I"],
                 "E_exc": CELL_PARAMS["e_rev_E"], "E_inh": CELL_PARAMS["e_rev_I"]}


def nestml_cells(sim):
    path = os.path.join(sys.prefix, "models", "neurons", "iaf_cond_exp_neuron.nestml")
    celltype = sim.nestml.nestml_cell_type("iaf_cond_exp_neuron", path)
    return celltype(**NESTML_PARAMS), "V_m"


def _setup(seeds):
    return {"rng_seed": seeds["nest"]}


def _setup_brian2(seeds):
    return {"rng_seed": seeds["nest"], "codegen_target": "cython"}


def _setup_hardware(seeds):
    return {"profile": "ideal", "seed": seeds["nest"]}


def _setup_neuron(seeds):
    return {"rng_seed": seeds["nest"]}


def _variant(module, setup, nestml):
    def run(timer, options):
        if nestml:
            return run_pynn(timer, options, module, setup, cells=nestml_cells)
        return run_pynn(timer, options, module, setup)
    return run


VARIANTS = {}
PAIRS = []
for _suffix, _module, _setup_fn in (("", "pyNN.nest", _setup), ("_neuron", "pyNN.neuron", _setup_neuron),
                                    ("_brian2", "pyNN.brian2", _setup_brian2),
                                    ("_hardware", "pyNN.hardware", _setup_hardware)):
    VARIANTS["nestml" + _suffix] = _variant(_module, _setup_fn, True)
    VARIANTS["standard" + _suffix] = _variant(_module, _setup_fn, False)
    PAIRS.append((f"VA COBA, NESTML cells, {_module}", "nestml" + _suffix, "standard" + _suffix))
TARGETS = {"total": 1.2}

if __name__ == "__main__":
    main("va_coba_nestml", "Vogels-Abbott COBA benchmark: NESTML cells vs standard types on each backend",
         VARIANTS, PAIRS, ["import", "build", "run", "data", "total"], TARGETS, _options)
