"""The Vogels-Abbott COBA network (``va_coba.py``) on pyNN.nest and pyNN.neuron with NESTML
cells versus the same network with the standard IF_cond_exp on the same backend.

The NESTML variant uses NESTML's ``iaf_cond_exp_neuron`` (from the nestml package's model
library) through ``sim.nestml.nestml_cell_type`` with the parameters of ``va_coba.py`` in the
library's units. Registering the type (from the cache: run the script once first, or the
first child compiles the model) is timed in the ``import`` phase, which is not part of the
total. The target: total within 1.2x of the standard types.

Run: ``.venv/bin/python benchmarks/va_coba_nestml.py`` (``--help`` for options).
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


def _nestml(timer, options):
    return run_pynn(timer, options, "pyNN.nest", _setup, cells=nestml_cells)


def _standard(timer, options):
    return run_pynn(timer, options, "pyNN.nest", _setup)


def _neuron_setup(seeds):
    return {"rng_seed": seeds["nest"]}


def _nestml_neuron(timer, options):
    return run_pynn(timer, options, "pyNN.neuron", _neuron_setup, cells=nestml_cells)


def _standard_neuron(timer, options):
    return run_pynn(timer, options, "pyNN.neuron", _neuron_setup)


VARIANTS = {"nestml": _nestml, "standard": _standard, "nestml_neuron": _nestml_neuron,
            "standard_neuron": _standard_neuron}
PAIRS = [("VA COBA on NEST, NESTML cells", "nestml", "standard"),
         ("VA COBA on NEURON, NESTML cells", "nestml_neuron", "standard_neuron")]
TARGETS = {"total": 1.2}

if __name__ == "__main__":
    main("va_coba_nestml", "Vogels-Abbott COBA benchmark: NESTML cells vs standard types (NEST, NEURON)",
         VARIANTS, PAIRS, ["import", "build", "run", "data", "total"], TARGETS, _options)
