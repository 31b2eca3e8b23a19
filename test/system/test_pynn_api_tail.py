"""The long tail of PyNN 0.13's API, on every backend: NativeRNG, the Connector base
class, native model access, informative reprs, describe() templates, the clipped normal
distributions of NumpyRNG and positional parameters of the STDP components."""

import numpy as np
import pytest

from pyNN import errors

from scenario_tools import backend_support


def _network(sim):
    pre = sim.Population(4, sim.SpikeSourceArray(spike_times=[2.0]), label="pre")
    post = sim.Population(3, sim.IF_cond_exp(), label="post")
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1.0),
                         label="pre-post")
    return pre, post, prj


# --- NativeRNG and Connector ----------------------------------------------------------------------

def test_native_rng_draws_connectivity_and_weights(sim):
    """NativeRNG is accepted wherever an RNG is; with a seed the network is reproducible,
    and the values follow the requested distribution."""
    def build(seed):
        a = sim.Population(30, sim.IF_cond_exp())
        b = sim.Population(30, sim.IF_cond_exp())
        rng = sim.NativeRNG(seed=seed)
        w = sim.RandomDistribution("uniform", (0.001, 0.002), rng=rng)
        prj = sim.Projection(a, b, sim.FixedProbabilityConnector(0.3, rng=rng), sim.StaticSynapse(weight=w))
        return np.array(prj.get("weight", format="list"))

    first, again, other = build(5), build(5), build(6)
    assert np.array_equal(first, again)
    assert not np.array_equal(first[:, :2], other[:, :2]) or len(first) != len(other)
    assert 0.15 * 900 < len(first) < 0.45 * 900
    assert first[:, 2].min() >= 0.001 and first[:, 2].max() <= 0.002


def test_native_rng_at_pynn_module_paths(sim):
    """PyNN scripts import NativeRNG from pyNN.nest.random or pyNN.neuron.random (PyNN's own
    random-distributions example does); it draws the requested distribution there too."""
    import importlib

    name = sim.__name__.split(".")[-1]
    if name not in ("nest", "neuron"):
        pytest.skip("PyNN has a backend random module only for nest and neuron")
    native_rng = importlib.import_module(f"pyNN.{name}.random").NativeRNG
    assert native_rng is sim.NativeRNG
    values = sim.RandomDistribution("normal", mu=-1.0, sigma=0.5, rng=native_rng(seed=321245)).next(20000)
    assert values.shape == (20000,)
    assert values.mean() == pytest.approx(-1.0, abs=0.02) and values.std() == pytest.approx(0.5, rel=0.03)


def test_connector_base_class_is_exported(sim):
    for name in ("AllToAllConnector", "OneToOneConnector", "FixedProbabilityConnector", "FromListConnector"):
        assert issubclass(getattr(sim, name), sim.Connector)
    assert isinstance(sim.FixedProbabilityConnector(0.1), sim.Connector)


# --- native models --------------------------------------------------------------------------------

def test_native_cell_type(sim):
    """NEST wraps any of its models by name; the other backends say clearly that they cannot."""
    if sim.__name__ != "pyNN.nest":
        for function in (sim.native_cell_type, sim.native_synapse_type, sim.native_electrode_type):
            with pytest.raises(errors.NotSupportedError, match="cannot wrap"):
                function("iaf_psc_alpha")
        return
    celltype = sim.native_cell_type("iaf_psc_alpha")
    driven = sim.Population(2, celltype(I_e=400.0), label="native")
    driven.record(["spikes", "V_m"])
    extra = sim.native_electrode_type("dc_generator")(amplitude=100.0)
    extra.inject_into(driven[0:1])
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    depressing = sim.native_synapse_type("tsodyks_synapse")(U=0.5, weight=0.5, delay=1.0)
    prj = sim.Projection(source, driven, sim.AllToAllConnector(), depressing)
    sim.run(100.0)
    seg = driven.get_data().segments[0]
    counts = [len(st) for st in seg.spiketrains]
    assert counts[0] > counts[1] > 0  # the extra 100 pA makes cell 0 fire more often
    assert seg.analogsignals[0].name == "V_m"
    assert driven.get("I_e") == pytest.approx(400.0)
    assert [u for (_, _, u) in prj.get("U", format="list")] == [0.5, 0.5]


def test_neuron_artificial_cells(sim):
    """NEURON's IntFire1: m jumps by each weight and decays with tau; the cell fires when
    m reaches 1. Three inputs of 0.5 arriving 1 ms apart reach it on the third (at 8 ms)."""
    if sim.__name__ != "pyNN.neuron":
        assert not hasattr(sim, "IntFire1")
        return
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 6.0, 7.0]))
    cells = sim.Population(1, sim.IntFire1(tau=10.0, refrac=5.0), label="intfire")
    silent = sim.Population(1, sim.IntFire1(tau=10.0), label="inhibited")
    cells.record("spikes")
    silent.record("spikes")
    sim.Projection(source, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
    sim.Projection(source, silent, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.5, delay=1.0),
                   receptor_type="inhibitory")
    sim.run(30.0)
    assert isinstance(cells.celltype, sim.NativeCellType)
    m = 0.5 * (1 + np.exp(-0.1) + np.exp(-0.2))
    assert m > 1 > 0.5 * (1 + np.exp(-0.1))  # the analytic reason for the expected spike time
    assert list(cells.get_data().segments[0].spiketrains[0].magnitude) == [8.0]
    assert len(silent.get_data().segments[0].spiketrains[0]) == 0
    assert cells.get("tau") == pytest.approx(10.0)


# --- repr and describe ----------------------------------------------------------------------------

def test_reprs_are_informative(sim):
    """As in PyNN, a population's repr is the constructor call that would make it."""
    pre, post, prj = _network(sim)
    assert repr(post) == ("Population(3, IF_cond_exp(<parameters>), structure=Line(dx=1.0, x0=0.0, y=0.0, z=0.0), "
                          "label='post')")
    view = post[1:3]
    assert repr(view) == f"PopulationView(parent={post!r}, selector=array([1, 2]), label={view.label!r})"
    assembly = sim.Assembly(pre, post, label="both")
    assert repr(assembly) == f"Assembly(*[{pre!r}, {post!r}], label='both')"
    text = repr(prj)
    for part in ("'pre-post'", "'pre' -> 'post'", "12 connections", "AllToAllConnector", "StaticSynapse"):
        assert part in text


def test_describe_templates(sim, tmp_path):
    pre, post, prj = _network(sim)
    context = post.describe(template=None)
    assert context["label"] == "post" and context["size"] == 3 and context["celltype"]["name"] == "IF_cond_exp"
    assert post.describe(template="$label has $size cells", engine="string") == "post has 3 cells"
    assert post.describe(template="{{ label }}: {{ size }}", engine="jinja2") == "post: 3"
    # the template of PyNN's documentation (cell type and structure are nested dicts)
    grid = sim.Population(4, sim.IF_cond_exp(), structure=sim.space.Grid2D(dx=50.0, dy=50.0), label="exc")
    assert grid.describe('Population "{{label}}" consists of {{size}} {{celltype.name}} neurons, arranged in '
                         'a {{structure.name}} structure with grid spacing ({{structure.parameters.dx}},'
                         '{{structure.parameters.dy}})', engine="jinja2") == (
        'Population "exc" consists of 4 IF_cond_exp neurons, arranged in a Grid2D structure with grid '
        'spacing (50.0,50.0)')
    template = tmp_path / "mine.txt"
    template.write_text("Projection {{ label }} with {{ size }} connections")
    assert prj.describe(template=str(template), engine="jinja2") == "Projection pre-post with 12 connections"
    assert prj.describe(template=None)["size"] == 12
    assembly = sim.Assembly(pre, post, label="both")
    assert assembly.describe(template="$label:$size", engine="string") == "both:7"
    assert sim.AllToAllConnector().describe(template="$name", engine="string") == "AllToAllConnector"
    assert "IF_cond_exp" in post.describe()  # the built-in default text
    with pytest.raises(errors.UnknownNameError, match="template engine"):
        post.describe(template="$label", engine="mustache")


# --- random numbers -------------------------------------------------------------------------------

def test_numpy_rng_clipped_normal_methods(sim):
    rng = sim.NumpyRNG(seed=12)
    values = rng.normal_clipped(mu=0.0, sigma=1.0, low=-0.5, high=0.5, size=1000)
    assert values.shape == (1000,) and values.min() >= -0.5 and values.max() <= 0.5
    assert np.unique(values).size == 1000  # redrawn, not clipped
    clipped = sim.NumpyRNG(seed=12).normal_clipped_to_boundary(0.0, 1.0, -0.5, 0.5, size=1000)
    assert clipped.min() == -0.5 and clipped.max() == 0.5 and np.isclose(clipped, 0.5).sum() > 100
    assert isinstance(sim.NumpyRNG(seed=1).normal_clipped(), float)


def test_legacy_next_defaults(sim):
    rng = sim.NumpyRNG(seed=3)
    value = rng.next()  # no argument: one number uniform in [0, 1)
    assert np.ndim(value) == 0 and 0.0 <= value < 1.0
    values = sim.NumpyRNG(seed=3).next(5, mask_local=np.array([True, False, True, False, True]))
    assert values.shape == (3,)
    assert values[0] == value
    dist = sim.RandomDistribution("normal", (0.0, 1.0), rng=sim.NumpyRNG(seed=3))
    assert dist.next(4, mask_local=slice(0, 2)).shape == (2,)


# --- positional parameters ------------------------------------------------------------------------

def test_stdp_components_take_positional_parameters(sim):
    timing = sim.SpikePairRule(10.0, 15.0, 0.02, 0.03)
    weights = sim.AdditiveWeightDependence(0.0, 0.05)
    gutig = sim.GutigWeightDependence(0.0, 0.05, 0.3, 0.4)
    assert gutig.parameter_space["mu_minus"].base_value == 0.4
    pre, post, _ = _network(sim)
    with backend_support():  # NEURON has no STDP yet (see the support matrix)
        prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                             sim.STDPMechanism(timing, weights, weight=0.01, delay=1.0))
    rows = prj.get(["tau_plus", "tau_minus", "A_plus", "A_minus", "w_max"], format="list")
    assert rows[0][2:] == pytest.approx((10.0, 15.0, 0.02, 0.03, 0.05))
    with pytest.raises(errors.InvalidTypeError, match="at most 4 positional"):
        sim.SpikePairRule(1.0, 2.0, 0.1, 0.1, 5.0)
    with pytest.raises(errors.InvalidTypeError, match="two values"):
        sim.AdditiveWeightDependence(0.0, w_min=0.1)
