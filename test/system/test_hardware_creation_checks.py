"""Hardware profiles check their limits when a Population or Projection is created or
changed (strict policy), not only when the network is mapped at run(); and a mapping that
failed leaves the network usable once the cause is fixed."""

import warnings

import numpy as np
import pytest

from pyNN import errors

sim = pytest.importorskip("pyNN.hardware")

#: per profile: a cell type, one parameter value outside its range, and the range shown
OUT_OF_RANGE = {
    "spinnaker1": ("IF_cond_exp", "v_rest", -40000.0, "(-32768, 32767)"),
    "brainscales2": ("IF_cond_exp", "tau_m", 100.0, "(0.5, 60)"),
    "spikey": ("IF_facets_hardware1", "g_leak", 500.0, "(10, 200)"),
}


@pytest.fixture
def hw(request):
    """The hardware backend set up with the profile (and policy) given by the test's parameter."""
    profile, policy = request.param if isinstance(request.param, tuple) else (request.param, "strict")
    sim.setup(timestep=0.1, profile=profile, policy=policy)
    yield profile
    sim.end()


def _celltype(profile):
    return getattr(sim, OUT_OF_RANGE[profile][0])


@pytest.mark.parametrize("hw", sorted(OUT_OF_RANGE), indirect=True)
def test_parameter_out_of_range_refused_at_creation(hw):
    cell, name, bad, shown = OUT_OF_RANGE[hw]
    n_before = len(sim.simulator.state.populations)
    with pytest.raises(errors.InvalidParameterValueError) as info:
        sim.Population(3, getattr(sim, cell)(**{name: bad}), label="too_far")
    message = str(info.value)
    assert "'too_far'" in message and f"{name} = {bad:g}" in message and shown in message
    assert f"'{hw}'" in message and "3 of 3 cells" in message
    assert len(sim.simulator.state.populations) == n_before  # nothing kept
    # an array with one bad value: the message counts the cells
    values = np.full(4, getattr(sim, cell).default_parameters[name])
    values[2] = bad
    with pytest.raises(errors.InvalidParameterValueError, match="1 of 4 cells"):
        sim.Population(4, getattr(sim, cell)(**{name: values}), label="one_bad")
    # the session goes on: a valid population runs
    sim.Population(3, getattr(sim, cell)(), label="fine")
    sim.run(5.0)
    assert sim.get_current_time() == pytest.approx(5.0)


@pytest.mark.parametrize("hw", sorted(OUT_OF_RANGE), indirect=True)
def test_set_out_of_range_refused_and_changes_nothing(hw):
    cell, name, bad, shown = OUT_OF_RANGE[hw]
    pop = sim.Population(3, getattr(sim, cell)(), label="cells")
    before = np.array(pop.get(name, gather=True, simplify=False))
    with pytest.raises(errors.InvalidParameterValueError, match=rf"'cells'.*{name}.*{shown[1:-1]}"):
        pop[1:2].set(**{name: bad})
    np.testing.assert_array_equal(pop.get(name, gather=True, simplify=False), before)
    sim.run(5.0)


@pytest.mark.parametrize("hw", [("brainscales2", "lenient"), ("spikey", "lenient")], indirect=True)
def test_lenient_policy_accepts_at_creation_and_clips_at_run(hw):
    cell, name, bad, _ = OUT_OF_RANGE[hw]
    pop = sim.Population(2, getattr(sim, cell)(**{name: bad}), label="clipped")
    with pytest.warns(errors.HardwareConstraintWarning, match=f"clipped 2 values.*|{name}"):
        sim.run(5.0)
    report = sim.simulator.state.mapping.report
    rows = [r for r in report.parameters if r["population"] == "clipped" and r["parameter"] == name]
    assert rows and rows[0]["n_clipped"] == 2
    assert pop.get(name) == pytest.approx(bad)  # the user's value is kept; the hardware clips


@pytest.mark.parametrize("hw", ["spikey"], indirect=True)
def test_weight_above_the_hardware_range_refused_at_creation(hw):
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="src")
    cells = sim.Population(2, sim.IF_facets_hardware1(), label="cells")
    with pytest.raises(errors.InvalidWeightError) as info:
        sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0), label="strong")
    message = str(info.value)
    assert "'strong'" in message and "weight 1" in message and "0.015" in message
    assert sim.simulator.state.projections == []
    ok = sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01), label="ok")
    # set() is checked the same way, and a refused set() changes nothing
    with pytest.raises(errors.InvalidWeightError, match="'ok'"):
        ok.set(weight=0.5)
    np.testing.assert_allclose(ok.get("weight", format="array"), 0.01)
    sim.run(5.0)


@pytest.mark.parametrize("hw", ["brainscales2", "spikey"], indirect=True)
def test_delay_on_a_profile_without_delays_refused_at_creation(hw):
    cell = _celltype(hw)
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="src")
    cells = sim.Population(2, cell(), label="cells")
    with pytest.raises(errors.InvalidParameterValueError, match=r"'late'.*delay 2 ms.*no configurable delays"):
        sim.Projection(src, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.005, delay=2.0),
                       label="late")
    assert sim.simulator.state.projections == []
    sim.Projection(src, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.005), label="prompt")
    sim.run(5.0)


@pytest.mark.parametrize("hw", ["spinnaker1"], indirect=True)
def test_delay_beyond_the_delay_extensions_refused_at_creation(hw):
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="src")
    cells = sim.Population(2, sim.IF_curr_exp(), label="cells")
    with pytest.raises(errors.InvalidParameterValueError, match=r"'far'.*delay 20 ms = 200 ticks exceeds the 144"):
        sim.Projection(src, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5, delay=20.0),
                       label="far")
    assert sim.simulator.state.projections == []
    sim.Projection(src, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5, delay=14.0), label="near")
    cells.record("spikes")
    sim.run(20.0)


@pytest.mark.parametrize("hw", ["spikey"], indirect=True)
def test_failed_mapping_leaves_the_network_usable_once_fixed(hw):
    """A limit that only the whole network shows (the analog read-out channels) fails at
    run(); after the fix the same network runs, from the same time."""
    cells = sim.Population(4, sim.IF_facets_hardware1(), label="cells")
    cells.record("v")
    with pytest.raises(errors.RecordingLimitError):
        sim.run(5.0)
    assert sim.get_current_time() == 0.0
    cells.record(None)
    cells[0:1].record("v")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.RoundingWarning)
        sim.run(5.0)
    assert sim.get_current_time() == pytest.approx(5.0)
    signal = cells.get_data().segments[0].filter(name="v")[0]
    assert signal.shape[1] == 1 and np.isfinite(signal.magnitude).all()


@pytest.mark.parametrize("hw", ["brainscales2"], indirect=True)
def test_synapse_type_the_profile_lacks_refused_at_creation(hw):
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="src")
    cells = sim.Population(2, sim.IF_cond_exp(), label="cells")
    depressing = sim.TsodyksMarkramSynapse(weight=0.005, U=0.5, tau_rec=100.0)
    with pytest.raises(errors.NoModelAvailableError, match=r"'plastic'.*TsodyksMarkramSynapse.*'brainscales2'"):
        sim.Projection(src, cells, sim.AllToAllConnector(), depressing, label="plastic")
    assert sim.simulator.state.projections == []
