"""What every backend module exports, and how a model a backend lacks is refused.

Both are defined once in the core (pyNN.common.exports, pyNN.models.require_native); these
tests check that every installed backend follows them.
"""

import pytest

from pyNN import errors
from pyNN.common import exports
from pyNN.standardmodels import cells, electrodes, synapses

#: every standard type a backend must have a class of its own for
STANDARD_TYPES = (*cells.STANDARD_CELL_TYPES, *synapses.STANDARD_SYNAPSE_TYPES, synapses.STDPMechanism,
                  *electrodes.STANDARD_CURRENT_SOURCES)

#: module-level functions every backend exports
FUNCTIONS = ("setup", "run", "run_for", "run_until", "reset", "end", "get_current_time", "get_time_step",
             "get_min_delay", "get_max_delay", "num_processes", "rank", "create", "connect", "set",
             "initialize", "record", "record_v", "record_gsyn", "list_standard_models")


def test_module_exports_the_common_list(sim):
    names = [name for names in exports.CORE_NAMES.values() for name in names]
    names += exports.standard_type_names() + list(exports.OBJECT_CLASSES) + list(FUNCTIONS)
    names += [module.rpartition(".")[2] for module in exports.CORE_MODULES]
    names += list(exports.ROOMS) + list(exports.MODEL_ROOMS) + ["standardmodels", "state", "NativeCellType"]
    assert [name for name in names if not hasattr(sim, name)] == []


@pytest.mark.parametrize("standard", STANDARD_TYPES, ids=lambda cls: cls.__name__)
def test_standard_types_are_the_backends_own_classes(sim, standard):
    exported = getattr(sim, standard.__name__)
    assert issubclass(exported, standard)
    assert exported is not standard, f"{sim.__name__} exports the core's {standard.__name__}, not its own"
    if standard is not synapses.STDPMechanism:  # NEST chooses its model per instance, from the components
        assert exported.native_name or exported.missing_reason


def test_list_standard_models_lists_the_types_with_a_native_model(sim):
    available = set(sim.list_standard_models())
    assert available <= {cls.__name__ for cls in cells.STANDARD_CELL_TYPES}
    for cls in cells.STANDARD_CELL_TYPES:
        if cls.__name__ in available:
            assert getattr(sim, cls.__name__).native_name, cls.__name__


def test_cell_type_without_native_model_is_refused_naming_type_backend_and_reason(sim):
    missing = [cls for cls in cells.STANDARD_CELL_TYPES if not getattr(sim, cls.__name__).native_name]
    for standard in missing:
        celltype = getattr(sim, standard.__name__)
        with pytest.raises(errors.NoModelAvailableError) as info:
            sim.Population(1, celltype())
        message = str(info.value)
        assert standard.__name__ in message and sim.state.backend_name in message
        assert celltype.missing_reason in message


def test_core_type_without_backend_class_is_refused(sim):
    with pytest.raises(errors.NoModelAvailableError, match=f"IF_cond_exp.*{sim.state.backend_name}"):
        sim.Population(1, cells.IF_cond_exp())
    pre = sim.Population(1, sim.SpikeSourceArray())
    post = sim.Population(1, sim.IF_cond_exp())
    with pytest.raises(errors.NoModelAvailableError, match=f"StaticSynapse.*{sim.state.backend_name}"):
        sim.Projection(pre, post, sim.AllToAllConnector(), synapses.StaticSynapse(weight=0.01))


def test_synapse_type_without_native_model_is_refused_naming_type_backend_and_reason(sim):
    missing = [cls for cls in synapses.STANDARD_SYNAPSE_TYPES if not getattr(sim, cls.__name__).native_name]
    assert missing, "every backend lacks at least ElectricalSynapse"
    pre = sim.Population(1, sim.SpikeSourceArray())
    post = sim.Population(1, sim.IF_cond_exp())
    for standard in missing:
        synapse_type = getattr(sim, standard.__name__)
        with pytest.raises(errors.NoModelAvailableError) as info:
            sim.Projection(pre, post, sim.AllToAllConnector(), synapse_type())
        message = str(info.value)
        assert standard.__name__ in message and sim.state.backend_name in message
        assert synapse_type.missing_reason in message
