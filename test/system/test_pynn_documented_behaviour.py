"""Behaviours that PyNN 0.13 documents and that scripts rely on, on every backend:
positions from position_generator, ParameterSpace values, sample(), and the plotting
helpers applied to real recorded data."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import quantities as pq

from pyNN.parameters import ParameterSpace
from pyNN.utility.plotting import Figure, Panel


def test_position_generator_gives_rows(sim):
    """position_generator(i) is the position of cell i; for an array of n indices an
    (n, 3) array, one row per cell (what distance-dependent functions index)."""
    pop = sim.Population(6, sim.IF_cond_exp(), structure=sim.space.Line(dx=2.0, x0=1.0))
    gen = pop.position_generator
    assert gen(2).shape == (3,) and gen(2)[0] == pytest.approx(5.0)
    rows = gen(np.array([0, 3, 5]))
    assert rows.shape == (3, 3)
    assert rows[:, 0] == pytest.approx([1.0, 7.0, 11.0])
    assert np.array_equal(rows, pop.positions.T[[0, 3, 5]])
    view = pop[1:4]
    assert view.position_generator(np.arange(3)).shape == (3, 3)
    assembly = sim.Assembly(pop, sim.Population(2, sim.IF_cond_exp()))
    assert assembly.position_generator(np.arange(8)).shape == (8, 3)


def test_parameter_space_from_nested_lists(sim):
    ps = ParameterSpace({"a": [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]], "b": 3.5}, shape=(2, 5))
    ps.evaluate()
    assert ps["a"].shape == (2, 5) and ps["a"][1, 4] == 10
    assert ps["b"].shape == (2, 5)


def test_parameter_space_items_and_as_dict(sim):
    ps = ParameterSpace({"n": 3, "tau": 2.5, "w": [0.1, 0.2]}, shape=(2,))
    ps.evaluate(simplify=True)
    items = dict(ps.items())
    assert isinstance(items["w"], np.ndarray) and items["w"] == pytest.approx([0.1, 0.2])
    assert items["tau"] == 2.5
    as_dict = ps.as_dict()
    assert as_dict["n"] == 3 and isinstance(as_dict["n"], int)
    assert isinstance(as_dict["tau"], float)
    # a model's parameters keep their declared types (tau_m is a float even if given as int)
    celltype = sim.IF_cond_exp(tau_m=20)
    assert isinstance(celltype.get_parameters()["tau_m"], float)


def test_sample_keeps_the_random_order(sim):
    """sample(n, rng) gives the first n cells of rng.permutation(size) in that order, as
    PyNN's documentation shows (its example's mask, reproduced with the same seed)."""
    cells = sim.Population(500, sim.IF_cond_exp(), label="Cortical neurons")
    view = cells.sample(50, rng=sim.NumpyRNG(seed=6538))
    assert view.parent.label == "Cortical neurons"
    assert view.mask[:8].tolist() == [150, 181, 53, 149, 496, 499, 240, 444]
    assert [int(i) for i in view.all_cells[:3]] == [int(cells[i]) for i in (150, 181, 53)]
    # values given to the view follow its order, and so do IDs and indices
    view.set(tau_m=np.arange(1.0, 51.0))
    assert cells.get("tau_m")[[150, 181, 53]] == pytest.approx([1.0, 2.0, 3.0])
    assert view.get("tau_m")[:3] == pytest.approx([1.0, 2.0, 3.0])
    assert view.id_to_index(view[3]) == 3
    view.record("v")
    sim.run(1.0)
    signal = view.get_data().segments[0].analogsignals[0]
    assert signal.shape[1] == 50 and sorted(signal.array_annotations["channel_index"]) == sorted(view.mask)


def test_sampled_view_in_projections_and_injection(sim):
    """A view in random order works as a target of projections and current sources."""
    cells = sim.Population(20, sim.IF_curr_exp(), label="cells")
    view = cells.sample(5, rng=sim.NumpyRNG(seed=3))
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]))
    prj = sim.Projection(source, view, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=np.arange(1.0, 6.0) * 0.5, delay=1.0))
    sim.DCSource(amplitude=5.0, start=10.0).inject_into(view)
    view.initialize(v=-60.0)
    cells.record("spikes")
    sim.run(30.0)
    counts = [len(st) for st in cells.get_data().segments[0].spiketrains]
    assert np.flatnonzero(counts).tolist() == sorted(view.mask.tolist())
    # weights follow the view's order: the k-th cell of the view got the k-th weight
    assert [w for (_, _, w) in prj.get("weight", format="list")] == pytest.approx([0.5, 1.0, 1.5, 2.0, 2.5])
    assert [j for (_, j, _) in prj.get("weight", format="list")] == [0, 1, 2, 3, 4]


def test_panel_options_on_recorded_data(sim, tmp_path):
    pop = sim.Population(3, sim.IF_curr_exp(i_offset=1.0), label="cells")
    pop.record(["v", "spikes"])
    sim.run(30.0)
    seg = pop.get_data().segments[0]
    v = seg.filter(name="v")[0]
    image = np.arange(12.0).reshape(3, 4)
    fig = Figure(
        Panel(v, y_offset=10 * pq.mV, data_labels=["membrane"], ylabel="auto"),
        Panel(seg.spiketrains, xlabel="Time (ms)"),
        Panel(image, cmap="viridis"),
    )
    v_axes, _, image_axes = fig.axes
    lines = v_axes.get_lines()
    # the quantity offset (10 mV) separates the channels
    assert lines[1].get_ydata()[0] - lines[0].get_ydata()[0] == pytest.approx(10.0)
    assert v_axes.get_legend() is not None  # data_labels give a legend by default
    assert [t.get_text() for t in v_axes.get_legend().get_texts()] == ["membrane"]
    assert image_axes.get_images()[0].get_cmap().name == "viridis"
    assert fig.fig.get_size_inches()[1] == pytest.approx(2 * 3 + 1.2)
    no_legend = Figure(Panel(v, data_labels=["membrane"], legend=False))
    assert no_legend.axes[0].get_legend() is None
    fig.save(tmp_path / "panels.png")
    assert (tmp_path / "panels.png").stat().st_size > 0


def test_assembly_sample_order(sim):
    """Assembly.sample(n, rng) takes the first n of rng.permutation(size) and, as PyNN's
    Assembly indexing does, groups them by member population (in the assembly's order),
    each member's cells in the order of the permutation."""
    a = sim.Population(6, sim.IF_cond_exp(), label="a")
    b = sim.Population(5, sim.IF_cond_exp(), label="b")
    both = a + b
    chosen = sim.NumpyRNG(seed=17).permutation(11)[:7]
    sample = both.sample(7, rng=sim.NumpyRNG(seed=17))
    assert isinstance(sample, sim.Assembly) and sample.size == 7
    expected = [int(both[int(i)]) for i in chosen if i < 6] + [int(both[int(i)]) for i in chosen if i >= 6]
    assert [int(cell) for cell in sample] == expected
    assert [p.parent.label for p in sample.populations] == ["a", "b"][:len(sample.populations)]
    # the sampled assembly records and reports its cells in that order
    sample.record("v")
    sim.run(1.0)
    signal = sample.get_data().segments[0].analogsignals[0]
    assert signal.shape[1] == 7
    with pytest.raises(sim.errors.InvalidParameterValueError, match="between 0 and the size 11"):
        both.sample(12)
    with pytest.raises(sim.errors.InvalidTypeError, match="n must be an int"):
        both.sample(2.5)


def test_negative_weights_on_named_current_receptor(sim):
    """As in PyNN, a current-based receptor named by the user ('GABAA') takes weights of
    either sign, the sign being the current's: -w hyperpolarizes exactly as much as +w
    depolarizes. 'excitatory' still refuses negative weights."""
    celltype = sim.PointNeuron(sim.LIF(tau_m=10.0, v_rest=-60.0, v_thresh=-40.0),
                               AMPA=sim.CurrExpPostSynapticResponse(tau_syn=1.0),
                               GABAA=sim.CurrExpPostSynapticResponse(tau_syn=1.5))
    cells = sim.Population(2, celltype, initial_values={"v": -60.0})
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    neg = sim.Projection(source, cells[0:1], sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=-0.5, delay=1.0), receptor_type="GABAA")
    sim.Projection(source, cells[1:2], sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=0.5, delay=1.0), receptor_type="GABAA")
    cells.record("v")
    sim.run(30.0)
    v = cells.get_data().segments[0].filter(name="v")[0].magnitude
    assert neg.get("weight", format="array")[0, 0] == pytest.approx(-0.5)
    assert v[:, 0].min() < -60.4
    np.testing.assert_allclose(v[:, 0] + 60.0, -(v[:, 1] + 60.0), atol=1e-9)
    monolith = sim.Population(1, sim.IF_curr_exp())
    with pytest.raises(sim.errors.ConnectionError, match="'excitatory' receptor"):
        sim.Projection(source, monolith, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=-0.5, delay=1.0), receptor_type="excitatory")
