"""help() on a backend's model type shows the model (parameters with defaults, units and
meanings), not how the backend translates it."""

import importlib
import pydoc

import pytest

from pyNN.standardmodels import cells, electrodes, synapses

BACKENDS = ["nest", "neuron", "brian2", "hardware"]
TYPES = [("IF_cond_exp", cells), ("Izhikevich", cells), ("SpikeSourcePoisson", cells),
         ("TsodyksMarkramSynapse", synapses), ("StaticSynapse", synapses), ("DCSource", electrodes)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_help_shows_the_model(backend):
    sim = pytest.importorskip(f"pyNN.{backend}")
    importlib.import_module(f"pyNN.{backend}")
    for name, module in TYPES:
        core = getattr(module, name)
        text = pydoc.render_doc(getattr(sim, name), renderer=pydoc.plaintext)
        for parameter in core.default_parameters:
            entry = f"{parameter} : {core.units[parameter]}, default"
            assert entry in text, f"{backend} {name}: help() lacks '{entry}'"
            assert core.descriptions[parameter] in text
        for hidden in ("translations", "weight_scale", "variable_map", "nest_name", "native_name"):
            assert f"{hidden} =" not in text, f"{backend} {name}: help() shows '{hidden}'"
