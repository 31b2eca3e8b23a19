"""Every standard cell type: create, record everything it can record, run, and check
the structure of the Neo output; plus statistics of the random spike sources and the
exact output of SpikeSourceArray.
"""

import numpy as np
import pytest
import quantities as pq

from pyNN import errors
from pyNN.standardmodels import cells as standard_cells

from scenario_tools import (
    backend_support, binomial_bounds, cell_type, known_bug, population, record, run,
)

ALL_CELL_TYPES = [cls.__name__ for cls in standard_cells.STANDARD_CELL_TYPES]

#: parameters that make each type produce some spikes within 50 ms
DRIVE = {
    "SpikeSourcePoisson": dict(rate=200.0),
    "SpikeSourcePoissonRefractory": dict(rate=200.0, tau_refrac=1.0),
    "SpikeSourceGamma": dict(alpha=2, beta=400.0),
    "SpikeSourceArray": dict(spike_times=[1.0, 12.5, 30.0]),
}
N_CELLS = 4
T_RUN = 50.0


def test_list_is_complete():
    """The core's list of standard cell types (which this scenario covers) holds every
    standard cell type the library defines."""
    defined = {name for name, obj in vars(standard_cells).items()
               if isinstance(obj, type) and issubclass(obj, standard_cells.StandardCellType)
               and obj.__module__ == standard_cells.__name__ and not name.startswith("_")}
    assert defined - {"PointNeuron", "MultiCompartmentNeuron"} <= set(ALL_CELL_TYPES)


@pytest.mark.parametrize("name", ALL_CELL_TYPES)
def test_create_record_everything_and_run(sim, name):
    dt = sim.get_time_step()
    celltype = cell_type(sim, name, **DRIVE.get(name, {}))
    with backend_support():
        pop = sim.Population(N_CELLS, celltype, label=f"{name} cells")
    if "i_offset" in celltype.get_parameter_names():
        pop.set(i_offset=np.linspace(0.0, 1.0, N_CELLS))
    recordable = list(type(celltype).recordable)
    assert "spikes" in recordable
    unsupported = {}
    for variable in recordable:
        try:
            pop.record(variable)
        except errors.NoModelAvailableError as exc:
            unsupported[variable] = str(exc)
    run(sim, T_RUN)
    block = pop.get_data()

    assert block.name == pop.label
    assert len(block.segments) == 1
    seg = block.segments[0]
    signals = [v for v in recordable if v != "spikes" and v not in unsupported]
    assert sorted(s.name for s in seg.analogsignals) == sorted(signals)
    n_samples = round(T_RUN / dt) + 1
    for sig in seg.analogsignals:
        assert sig.shape == (n_samples, N_CELLS), sig.name
        expected_units = pq.Quantity(1.0, celltype.units[sig.name]).units
        assert sig.units == expected_units, (sig.name, sig.units, expected_units)
        assert float(sig.t_start.rescale("ms")) == 0.0
        assert abs(float(sig.sampling_period.rescale("ms")) - dt) < 1e-12
        assert abs(float(sig.t_stop.rescale("ms")) - (T_RUN + dt)) < 1e-9
        assert np.all(np.isfinite(sig.magnitude)), sig.name
        initial = celltype.default_initial_values.get(sig.name)
        if isinstance(initial, (int, float)):
            np.testing.assert_allclose(sig.magnitude[0], initial, rtol=1e-6, atol=1e-9,
                                       err_msg=f"first sample of '{sig.name}' is not its initial value")
        np.testing.assert_array_equal(sig.array_annotations["channel_index"], np.arange(N_CELLS))
    if "spikes" in unsupported:
        pytest.skip(unsupported["spikes"])
    assert len(seg.spiketrains) == N_CELLS
    for index, st in enumerate(seg.spiketrains):
        assert st.annotations["source_index"] == index
        assert float(st.t_start.rescale("ms")) == 0.0
        assert abs(float(st.t_stop.rescale("ms")) - T_RUN) < 1e-9
        if name == "SpikeSourcePoisson":
            # NEST's Poisson process may put several spikes in one step (as poisson_generator)
            assert np.all(np.diff(st.magnitude) >= 0)
        else:
            assert np.all(np.diff(st.magnitude) > 0)
        assert np.all((st.magnitude >= 0) & (st.magnitude <= T_RUN))
    if name in DRIVE:
        assert sum(len(st) for st in seg.spiketrains) > 0
    if unsupported:
        pytest.skip("; ".join(unsupported.values()))


# --- random spike sources ---------------------------------------------------------------------

N_SOURCES, RATE, DURATION = 100, 50.0, 1000.0


def counts_of(sim, name, **parameters):
    pop = population(sim, N_SOURCES, name, label=name, **parameters)
    record(pop, "spikes")
    run(sim, DURATION)
    trains = pop.get_data().segments[0].spiketrains
    return pop, [np.asarray(st.rescale("ms").magnitude) for st in trains]


def check_total_count(sim, trains, rate=RATE, active_time=DURATION):
    dt = sim.get_time_step()
    n_bins = N_SOURCES * round(active_time / dt)
    low, high = binomial_bounds(n_bins, rate * dt / 1000.0)
    total = sum(len(t) for t in trains)
    assert low <= total <= high, (total, low, high)


def test_poisson_rate(sim):
    pop, trains = counts_of(sim, "SpikeSourcePoisson", rate=RATE)
    check_total_count(sim, trains)
    # sources are independent: not all cells fire the same train
    assert len({tuple(t) for t in trains}) == N_SOURCES
    counts = pop.get_spike_counts()
    assert sorted(counts) == sorted(pop.all_cells)
    assert sum(counts.values()) == sum(len(t) for t in trains)
    # ISIs of a Poisson process: coefficient of variation close to 1
    isis = np.concatenate([np.diff(t) for t in trains])
    assert 0.85 < isis.std() / isis.mean() < 1.15


def test_poisson_start_and_duration(sim):
    start, duration = 200.0, 300.0
    _pop, trains = counts_of(sim, "SpikeSourcePoisson", rate=RATE, start=start, duration=duration)
    spikes = np.concatenate(trains)
    assert spikes.min() >= start and spikes.max() <= start + duration
    check_total_count(sim, trains, active_time=duration)


def test_poisson_refractory(sim):
    tau_refrac = 5.0
    _pop, trains = counts_of(sim, "SpikeSourcePoissonRefractory", rate=RATE, tau_refrac=tau_refrac)
    check_total_count(sim, trains)
    isis = np.concatenate([np.diff(t) for t in trains])
    assert isis.min() >= tau_refrac - 1e-9
    # dead time makes the train more regular than Poisson
    assert isis.std() / isis.mean() < 0.95


def test_gamma(sim):
    alpha = 4
    _pop, trains = counts_of(sim, "SpikeSourceGamma", alpha=alpha, beta=alpha * RATE)
    check_total_count(sim, trains)
    isis = np.concatenate([np.diff(t) for t in trains])
    cv = isis.std() / isis.mean()
    assert abs(cv - 1 / np.sqrt(alpha)) < 0.1, cv  # CV of a gamma process is 1/sqrt(alpha)


# --- SpikeSourceArray --------------------------------------------------------------------------

def test_spike_source_array_emits_exactly_the_given_times(sim):
    times = [0.0, 0.1, 3.3, 10.0, 25.7, 49.9]
    pop = population(sim, 3, "SpikeSourceArray", label="array", spike_times=times)
    pop[1:].set(spike_times=[sim.Sequence([1.0, 2.0]), sim.Sequence([0.0, 7.5, 7.6])])
    record(pop, "spikes")
    run(sim, 50.0)
    trains = pop.get_data().segments[0].spiketrains
    np.testing.assert_allclose(trains[0].magnitude, times, atol=1e-9)
    np.testing.assert_allclose(trains[1].magnitude, [1.0, 2.0], atol=1e-9)
    np.testing.assert_allclose(trains[2].magnitude, [0.0, 7.5, 7.6], atol=1e-9)


def test_spike_source_array_drives_a_cell_from_time_zero(sim):
    """A spike at t=0 is delivered like any other: it arrives after the delay."""
    dt = sim.get_time_step()
    source = population(sim, 1, "SpikeSourceArray", label="array", spike_times=[0.0])
    cell = population(sim, 1, "IF_curr_delta", label="target", v_rest=-65.0, v_thresh=-50.0)
    cell.initialize(v=-65.0)
    sim.Projection(source, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=3.0, delay=0.5))
    record(cell, "v")
    run(sim, 5.0)
    sig = cell.get_data().segments[0].analogsignals[0]
    v = sig.magnitude[:, 0]
    t = sig.times.rescale("ms").magnitude
    jumped = t[v > -65.0 + 1.5]
    assert len(jumped) > 0
    assert 0.5 - 1e-9 <= jumped[0] <= 0.5 + dt + 1e-9


def test_spike_source_array_set_after_run(sim):
    """New spike times given after a run replace the not-yet-emitted ones."""
    pop = population(sim, 1, "SpikeSourceArray", label="array", spike_times=[2.0, 15.0])
    record(pop, "spikes")
    run(sim, 10.0)
    pop.set(spike_times=[12.0, 14.0])
    run(sim, 10.0)
    train = pop.get_data().segments[0].spiketrains[0]
    np.testing.assert_allclose(train.magnitude, [2.0, 12.0, 14.0], atol=1e-9)


def test_spike_source_array_set_after_run_takes_next_step(sim, request):
    """Spike times set between runs are emitted even if they are in the very next step."""
    known_bug(request, sim, "spike source change lag")
    pop = population(sim, 1, "SpikeSourceArray", label="array", spike_times=[2.0])
    record(pop, "spikes")
    run(sim, 10.0)
    pop.set(spike_times=[10.1, 10.2, 12.0])
    run(sim, 10.0)
    train = pop.get_data().segments[0].spiketrains[0]
    np.testing.assert_allclose(train.magnitude, [2.0, 10.1, 10.2, 12.0], atol=1e-9)


@pytest.mark.parametrize("name", ["IF_curr_exp", "IF_cond_exp", "IF_curr_delta", "IF_cond_alpha",
                                  "IF_curr_alpha", "EIF_cond_exp_isfa_ista"])
def test_off_grid_refractory_period_counts_whole_steps_up(sim, name):
    """A refractory period off the time grid holds the cell for ceil(tau_refrac / dt) steps on
    every backend, as NEST counts it (NEURON, Brian2 and the emulator rounded it to the
    nearest step or down: spikes up to 0.2 ms apart from NEST's after two spikes). The
    value given is kept and read back."""
    dt = sim.get_time_step()
    given = np.array([2.01, 2.06, 2.0, 2.1, 0.14, 0.2])
    cells = population(sim, len(given), name, label="refractory", i_offset=2.0, tau_refrac=given)
    np.testing.assert_allclose(cells.get("tau_refrac"), given, rtol=0, atol=1e-12)
    record(cells, "spikes")
    run(sim, 40.0)
    trains = [st.magnitude for st in cells.get_data().segments[0].spiketrains]
    assert len(trains[2]) >= 3 and not np.array_equal(trains[2], trains[3])  # the period matters
    np.testing.assert_allclose(trains[0], trains[3], atol=dt / 10)  # 2.01 -> 21 steps
    np.testing.assert_allclose(trains[1], trains[3], atol=dt / 10)  # 2.06 -> 21 steps
    np.testing.assert_allclose(trains[4], trains[5], atol=dt / 10)  # 0.14 -> 2 steps


def test_spike_source_array_spikes_in_one_step(sim):
    """Two spike times of one cell in one step (given twice, or rounded onto one step) are two
    spikes, recorded and delivered, on every backend but Brian2, which emits one per step and
    says so with a warning (a documented limitation: doc/support_matrix.md)."""
    import warnings as _warnings
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        source = population(sim, 1, "SpikeSourceArray", label="doubled", spike_times=[5.0, 5.0, 10.0, 10.04])
        cell = population(sim, 1, "IF_curr_delta", label="counter", tau_m=1e4, v_thresh=0.0)
        cell.initialize(v=-65.0)
        sim.Projection(source, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.0, delay=1.0))
        record(source, "spikes")
        record(cell, "v")
        run(sim, 15.0)
    spikes = source.get_data().segments[0].spiketrains[0].magnitude
    v = cell.get_data().segments[0].analogsignals[0].magnitude[:, 0]
    dropped = [w for w in caught if "same cell" in str(w.message)]
    per_step = 1 if sim.__name__ == "pyNN.brian2" else 2
    assert bool(dropped) == (per_step == 1)
    np.testing.assert_allclose(spikes, np.repeat([5.0, 10.0], per_step))
    assert v[-1] - (-65.0) == pytest.approx(2 * per_step * 1.0 * np.exp(-4.0 / 1e4), abs=1e-3)
