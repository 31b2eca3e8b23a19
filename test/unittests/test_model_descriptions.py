"""Every standard model documents itself: unit and meaning of each parameter and state
variable, shown by help() instead of the translation machinery."""

import inspect
import pydoc

import pytest

from pyNN.standardmodels import StandardCellType, StandardModelType, build_translations, cells, electrodes, synapses


def _standard_types():
    types = []
    for module in (cells, synapses, electrodes):
        for name in module.__all__:
            cls = getattr(module, name)
            if inspect.isclass(cls) and issubclass(cls, StandardModelType) and cls.__name__ == name:
                types.append(cls)
    return types


STANDARD_TYPES = _standard_types()


def _documented_names(cls):
    return list(cls.default_parameters) + list(getattr(cls, "recordable", ())) + list(cls.default_initial_values)


@pytest.mark.parametrize("cls", STANDARD_TYPES, ids=lambda c: c.__name__)
def test_every_parameter_and_variable_has_unit_and_description(cls):
    missing_unit = [n for n in _documented_names(cls) if not cls.units.get(n)]
    missing_text = [n for n in _documented_names(cls) if not cls.descriptions.get(n, "").strip()]
    assert not missing_unit, f"{cls.__name__}: no unit for {missing_unit} (add them to {cls.__name__}.units)"
    assert not missing_text, (f"{cls.__name__}: no description for {missing_text} "
                              f"(add them to {cls.__name__}.descriptions)")
    unused = set(cls.descriptions) - set(_documented_names(cls))
    assert not unused, f"{cls.__name__}: descriptions of names the type does not have: {sorted(unused)}"


def test_the_check_covers_the_model_families():
    names = {cls.__name__ for cls in STANDARD_TYPES}
    assert {"IF_cond_exp", "HH_cond_exp", "SpikeSourceArray", "TsodyksMarkramSynapse", "SpikePairRule",
            "GutigWeightDependence", "STDPMechanism", "NoisyCurrentSource", "CondBetaPostSynapticResponse",
            "LIF", "AdExp"} <= names


def test_docstring_lists_parameters_with_default_unit_and_meaning():
    doc = inspect.getdoc(cells.IF_cond_exp)
    assert doc.startswith("Leaky integrate-and-fire neuron")
    assert "tau_m : ms, default 20\n    membrane time constant" in doc
    assert "v : mV, initial value -65, recordable\n    membrane potential" in doc
    assert "gsyn_exc : uS, initial value 0, recordable" in doc


def test_a_new_type_is_documented_from_its_data():
    class Toy(StandardCellType):
        """A toy cell."""

        default_parameters = {"tau_m": 10.0}
        units = {"tau_m": "ms", "v": "mV"}
        descriptions = {"tau_m": "membrane time constant", "v": "membrane potential"}
        recordable = ["v"]
        default_initial_values = {"v": -60.0}

    class BackendToy(Toy):
        __doc__ = Toy.__doc__  # backends copy the core docstring
        translations = build_translations(("tau_m", "TAU"))
        weight_scale = 1000.0

    doc = inspect.getdoc(BackendToy)
    assert doc.count("A toy cell.") == 1
    assert "tau_m : ms, default 10\n    membrane time constant" in doc
    assert "v : mV, initial value -60, recordable" in doc
    # help() lists the model, not how a backend translates it ...
    text = pydoc.render_doc(BackendToy, renderer=pydoc.plaintext)
    assert "translations" not in text and "weight_scale" not in text
    assert "default_parameters" in text
    # ... which stays reachable
    assert BackendToy.translations["tau_m"]["translated_name"] == "TAU"
    assert BackendToy.weight_scale == 1000.0


def test_assembled_types_document_their_parts():
    neuron = cells.PointNeuron(cells.LIF(), AMPA=cells.CondAlphaPostSynapticResponse())
    doc = inspect.getdoc(type(neuron))
    assert doc.count("Single-compartment neuron") == 1
    assert "AMPA.tau_syn : ms, default 5\n    receptor 'AMPA': time to peak" in doc
    assert "AMPA.gsyn : uS, initial value 0, recordable" in doc
    stdp = synapses.STDPMechanism(timing_dependence=synapses.SpikePairRule(),
                                  weight_dependence=synapses.AdditiveWeightDependence(w_max=0.5))
    doc = inspect.getdoc(type(stdp))
    assert "A_plus : dimensionless, default 0.01" in doc
    assert "w_max : nA or uS, default 1\n    upper bound of the weight" in doc
