"""Core pieces of PyNN's API with no simulator: the mock backend as users import it,
pyNN.utility.script_tools, pyNN.descriptions and the RNG's legacy forms."""

import numpy as np
import pytest

from pyNN import descriptions, errors
from pyNN.random import NativeRNG, NumpyRNG


def test_mock_backend_runs_a_documentation_style_script():
    import pyNN.mock as sim

    sim.setup(timestep=0.1)
    cells = sim.Population(4, sim.HH_cond_exp(), label="hh")
    izh = sim.Population(2, sim.Izhikevich(a=0.02), label="izh")
    noise = sim.Population(4, sim.SpikeSourcePoisson(rate=10.0))
    stdp = sim.STDPMechanism(sim.SpikePairRule(20.0, 20.0, 0.01, 0.012), sim.AdditiveWeightDependence(0.0, 0.02),
                             weight=0.01, delay=1.0)
    prj = sim.Projection(noise, cells, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=1)), stdp)
    for source in (sim.ACSource(amplitude=0.1, frequency=5.0), sim.NoisyCurrentSource(mean=0.1, stdev=0.01)):
        source.inject_into(izh)
    cells.record(["spikes", "v"])
    sim.run(20.0)
    block = cells.get_data()
    assert block.annotations["simulator"] == "mock"
    assert block.segments[0].analogsignals[0].shape == (201, 4)
    assert len(block.segments[0].spiketrains) == 4
    assert prj.get("A_minus", format="array")[~np.isnan(prj.get("weight", format="array"))] == pytest.approx(0.012)
    assert set(sim.list_standard_models()) >= {"HH_cond_exp", "Izhikevich", "IF_cond_exp", "SpikeSourceArray"}
    assert sim.Network(cells).sim is sim
    sim.end()


def test_script_tools_are_the_utility_functions():
    from pyNN import utility
    from pyNN.utility import script_tools

    for name in ("get_simulator", "get_script_args", "init_logging", "normalized_filename", "notify"):
        assert getattr(script_tools, name) is getattr(utility, name)
    path = script_tools.normalized_filename("Results", "run", "pkl", "nest", num_processes=2)
    assert path.startswith("Results") and "run_nest_np2_" in path and path.endswith(".pkl")


def test_describe_render_rules(tmp_path):
    context = {"label": "p", "size": 3}
    assert descriptions.render("string", None, context) is context
    assert descriptions.render("string", "$label/$size/$missing", context) == "p/3/$missing"
    assert descriptions.render("default", "x_default.txt", context, builtin=lambda c: "built-in") == "built-in"
    template = tmp_path / "t.txt"
    template.write_text("{{ label }}-{{ size }}")
    assert descriptions.render("jinja2", template, context) == "p-3"
    with pytest.raises(errors.InvalidTypeError):
        descriptions.render("string", 42, context)


def test_rng_legacy_forms():
    rng = NumpyRNG(seed=4)
    assert rng.next(3, "uniform", [0.0, 1.0]).shape == (3,)
    assert rng.next(0).shape == (0,)
    with pytest.raises(errors.InvalidParameterValueError, match="mask or mask_local"):
        rng.next(3, mask=[True, True, False], mask_local=[True, True, False])
    native = NativeRNG(seed=4, parallel_safe=False)
    assert native.parallel_safe is False
    assert native.next(5, mask_local=slice(0, 2)).shape == (2,)


def test_old_name_of_the_test_backend_is_the_mock_module():
    import inmemory_backend

    import pyNN.mock

    assert inmemory_backend is pyNN.mock
