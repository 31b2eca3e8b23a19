"""Tsodyks-Markram synapses: one model on every backend (doc/behaviour.md).

The released fraction of every spike is checked against the model's recurrence, written
here independently with numpy, through the membrane of a current-based cell: its response
is linear, so v is v_rest plus one analytic PSP per spike, scaled by weight * released.
"""

import importlib

import numpy as np
import pytest

from conftest import BACKENDS, _available
from scenario_tools import psp_alpha, psp_exp, run, trace

SPIKES = np.array([5.0, 12.0, 19.0, 26.0, 33.0, 60.0, 63.0, 150.0, 152.0, 154.0])
DELAY = 1.0
T_END = 200.0
CELL = dict(v_rest=-65.0, cm=0.25, tau_m=10.0, v_thresh=0.0, tau_refrac=1.0, tau_syn_E=3.0)
DEPRESSING = dict(U=0.5, tau_rec=100.0, tau_facil=0.0)
FACILITATING = dict(U=0.1, tau_rec=50.0, tau_facil=200.0)


def released_fractions(spike_times, U, tau_rec, tau_facil, tau_psc, start=(0.0, 1.0, 0.0), last=0.0):
    """Fraction of the resources each spike releases, by the recurrence of doc/behaviour.md:
    between spikes x, y, z = 1 - x - y evolve exactly (y decays into z with tau_psc, z
    recovers into x with tau_rec, u decays with tau_facil), then u += U (1 - u) and u x is
    released. The state starts at `start` = (u, x, y) (by default u = 0, x = 1, y = 0) with a
    last event at `last` (t = 0)."""
    u, x, y = start
    out = []
    for t in spike_times:
        h = t - last
        z = 1.0 - x - y
        p_zz = np.exp(-h / tau_rec)
        if tau_psc > 0:
            p_yy = np.exp(-h / tau_psc)
            p_xy = ((p_zz - 1.0) * tau_rec - (p_yy - 1.0) * tau_psc) / (tau_psc - tau_rec)
        else:  # y turns into z at once
            p_yy, p_xy = 0.0, 1.0 - p_zz
        x = x + p_xy * y + (1.0 - p_zz) * z
        y = y * p_yy
        u = u * (np.exp(-h / tau_facil) if tau_facil > 0 else 0.0)
        u = u + U * (1.0 - u)
        released = u * x
        x, y, last = x - released, y + released, t
        out.append(released)
    return np.array(out)


def _driven(sim, celltype, synapses, n=1, weight=0.5, **cell_params):
    """`n` cells, each driven by its own copy of SPIKES through a Tsodyks-Markram synapse
    with the parameters `synapses` (scalars, arrays or RandomDistributions); v traces."""
    prj, cells = _network(sim, celltype, synapses, n, weight, **cell_params)
    run(sim, T_END)
    segment = cells.get_data().segments[0]
    return prj, [trace(segment, "v", column=k) for k in range(n)]


def _network(sim, celltype, synapses, n=1, weight=0.5, **cell_params):
    """(projection, cells) of _driven, not run yet: connection k goes from source k to cell k."""
    source = sim.Population(n, sim.SpikeSourceArray(spike_times=SPIKES), label="spikes")
    cls = getattr(sim, celltype)
    # the parameters of CELL the cell type has (IF_curr_delta: no tau_syn_E; HH: no v_rest ...)
    params = {k: v for k, v in dict(CELL, **cell_params).items() if k in cls.default_parameters}
    cells = sim.Population(n, cls(**params), label="cells")
    cells.initialize(v=CELL["v_rest"])
    prj = sim.Projection(source, cells, sim.OneToOneConnector(),
                         sim.TsodyksMarkramSynapse(weight=weight, delay=DELAY, **synapses),
                         receptor_type="excitatory", label="tm")
    cells.record("v")
    return prj, cells


def _expected_v(times, fractions, weight, psp, tau_syn=CELL["tau_syn_E"]):
    out = np.full(times.shape, CELL["v_rest"])
    for t_spike, r in zip(SPIKES, fractions):
        out += psp(times - (t_spike + DELAY), weight * r, CELL["cm"], CELL["tau_m"], tau_syn)
    return out


@pytest.mark.parametrize("params", [DEPRESSING, FACILITATING], ids=["depressing", "facilitating"])
@pytest.mark.parametrize("celltype, psp", [("IF_curr_exp", psp_exp), ("IF_curr_alpha", psp_alpha)])
def test_psps_follow_the_recurrence(sim, params, celltype, psp):
    _, [(times, v)] = _driven(sim, celltype, params)
    fractions = released_fractions(SPIKES, tau_psc=CELL["tau_syn_E"], **params)
    expected = _expected_v(times, fractions, 0.5, psp)
    peak = np.max(np.abs(expected - CELL["v_rest"]))
    assert peak > 0.3  # the test is meaningful
    # the three-state model differs from the two-state one by 1-1.5 % of the release,
    # i.e. about 0.01-0.1 mV here: the tolerance must be well below that
    np.testing.assert_allclose(v, expected, atol=2e-4 * peak + 1e-6)


@pytest.mark.parametrize("params", [DEPRESSING, FACILITATING], ids=["depressing", "facilitating"])
def test_point_neuron_target_takes_the_receptor_time_constant(sim, params):
    """Onto a PointNeuron, tau_psc is the time constant of the receptor the projection targets:
    v follows the recurrence with it (and not with 0, which the cell type's missing tau_syn_E
    would give)."""
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=SPIKES), label="spikes")
    lif = sim.LIF(**{k: v for k, v in CELL.items() if k != "tau_syn_E"})
    cells = sim.Population(1, sim.PointNeuron(lif, fast=sim.CurrExpPostSynapticResponse(tau_syn=CELL["tau_syn_E"])),
                           label="cells")
    cells.initialize(v=CELL["v_rest"])
    sim.Projection(source, cells, sim.OneToOneConnector(), sim.TsodyksMarkramSynapse(weight=0.5, delay=DELAY, **params),
                   receptor_type="fast", label="tm")
    cells.record("v")
    run(sim, T_END)
    times, v = trace(cells.get_data().segments[0], "v", column=0)
    expected = _expected_v(times, released_fractions(SPIKES, tau_psc=CELL["tau_syn_E"], **params), 0.5, psp_exp)
    without = _expected_v(times, released_fractions(SPIKES, tau_psc=0.0, **params), 0.5, psp_exp)
    peak = np.max(np.abs(expected - CELL["v_rest"]))
    assert np.max(np.abs(without - expected)) > 10 * (2e-4 * peak + 1e-6)  # the test tells them apart
    np.testing.assert_allclose(v, expected, atol=2e-4 * peak + 1e-6)


def test_voltage_jump_target_is_the_two_state_limit(sim):
    """A target without a synaptic time constant has tau_psc = 0: each spike makes v jump by
    weight * released."""
    if not hasattr(sim, "IF_curr_delta"):
        pytest.skip("no IF_curr_delta")
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=SPIKES))
    cell = sim.Population(1, sim.IF_curr_delta(v_rest=-65.0, tau_m=1e6, cm=1.0, v_thresh=0.0, tau_refrac=0.1))
    cell.initialize(v=-65.0)
    sim.Projection(source, cell, sim.OneToOneConnector(),
                   sim.TsodyksMarkramSynapse(weight=1.0, delay=DELAY, **FACILITATING))
    cell.record("v")
    run(sim, T_END)
    _, v = trace(cell.get_data().segments[0], "v")
    fractions = released_fractions(SPIKES, tau_psc=0.0, **FACILITATING)
    dt = sim.get_time_step()
    for t_spike, r in zip(SPIKES, fractions):
        k = round((t_spike + DELAY) / dt)
        # v decays by at most 1e-6 of itself per step with tau_m = 1e6 ms
        assert v[k] - v[k - 1] == pytest.approx(r, rel=1e-4), t_spike


def test_per_connection_parameters(sim):
    """Arrays and RandomDistributions: each connection runs with its own parameters."""
    rng = sim.NumpyRNG(seed=7)
    synapses = dict(U=np.array([0.2, 0.5, 0.8]),
                    tau_rec=sim.RandomDistribution("uniform", low=50.0, high=300.0, rng=rng),
                    tau_facil=np.array([0.0, 100.0, 400.0]))
    prj, traces = _driven(sim, "IF_curr_exp", synapses, n=3)
    values = {name: np.asarray(prj.get(name, format="list", with_address=False), dtype=float)
              for name in ("U", "tau_rec", "tau_facil")}
    np.testing.assert_array_equal(values["U"], synapses["U"])
    assert np.unique(values["tau_rec"]).size == 3
    for k, (times, v) in enumerate(traces):
        fractions = released_fractions(SPIKES, values["U"][k], values["tau_rec"][k], values["tau_facil"][k],
                                       CELL["tau_syn_E"])
        expected = _expected_v(times, fractions, 0.5, psp_exp)
        peak = np.max(np.abs(expected - CELL["v_rest"]))
        np.testing.assert_allclose(v, expected, atol=2e-4 * peak + 1e-6, err_msg=f"connection {k}")


#: parameters (besides those of CELL) of the cell types that need other values to stay below threshold
TARGET_PARAMS = {"EIF_cond_exp_isfa_ista": {"v_thresh": -50.0}, "GIF_cond_exp": {"lambda0": 0.0}}


def _run_on(name, celltype, params, weight):
    sim = importlib.import_module(f"pyNN.{name}")
    sim.setup(timestep=0.1)
    try:
        return _driven(sim, celltype, params, weight=weight, **TARGET_PARAMS.get(celltype, {}))[1][0]
    finally:
        sim.end()


@pytest.mark.parametrize("celltype, weight", [("IF_curr_exp", 0.5), ("IF_cond_exp", 0.02),
                                              ("IF_cond_alpha", 0.02), ("IF_curr_delta", 1.0),
                                              ("EIF_cond_exp_isfa_ista", 0.02), ("HH_cond_exp", 0.003),
                                              ("Izhikevich", 2.0), ("GIF_cond_exp", 0.02)])
def test_same_membrane_on_every_backend(celltype, weight):
    """The same spikes give the same v (within 1e-4 mV) on every installed backend, also onto
    the conductance-based cells, whose response the recurrence cannot give in closed form."""
    names = [name for name in BACKENDS if _available(name)]
    if celltype == "GIF_cond_exp":
        # Brian2's GIF cell is 0.13 mV from NEST's on this input already with static synapses
        # (lambda0 = 0: no escape noise); that difference is the cell's, not the synapse's
        names = [name for name in names if name != "brian2"]
    if len(names) < 2:
        pytest.skip("needs two backends")
    results = {name: _run_on(name, celltype, FACILITATING, weight) for name in names}
    _, reference = results[names[0]]
    assert np.ptp(reference) > 0.3
    for name in names[1:]:
        # the hardware engine integrates conductance-based cells to about 2e-3 mV of NEST's
        # solution already with static synapses (0.19e-3 mV IF_cond_exp, 1.9e-3 mV
        # IF_cond_alpha on this input): that, not the synapse, sets its tolerance there
        atol = 3e-3 if name == "hardware" and celltype.startswith("IF_cond") else 1e-4
        if name == "hardware" and celltype == "GIF_cond_exp":
            atol = 2e-4  # 1.2e-4 mV from NEST with static synapses on this input
        if celltype == "HH_cond_exp":
            # NEST integrates HH with an adaptive Runge-Kutta-Fehlberg method, the others with a
            # fixed-step one: 1.05e-4 mV apart with static synapses on this input, as here
            atol = 2e-4
        np.testing.assert_allclose(results[name][1], reference, atol=atol, err_msg=f"{name} vs {names[0]}")


# --- Projection.initialize(u=..., x=..., y=...) ------------------------------------------------

#: start states (u, x, y) of three connections: none of them the default (0, 1, 0)
START = np.array([[0.3, 0.6, 0.25], [0.0, 0.3, 0.6], [0.8, 0.9, 0.05]])


def _check_trace(times, v, fractions, default_fractions, label):
    expected = _expected_v(times, fractions, 0.5, psp_exp)
    peak = np.max(np.abs(expected - CELL["v_rest"]))
    tolerance = 2e-4 * peak + 1e-6
    # the start state changes the membrane far beyond the tolerance (the test tells them apart)
    assert np.max(np.abs(_expected_v(times, default_fractions, 0.5, psp_exp) - expected)) > 10 * tolerance, label
    np.testing.assert_allclose(v, expected, atol=tolerance, err_msg=label)


@pytest.mark.parametrize("params", [DEPRESSING, FACILITATING], ids=["depressing", "facilitating"])
def test_initialized_state_starts_every_segment(sim, params):
    """initialize() with one value per connection: each connection starts from its own u, x, y
    (get() reads them before the run), and starts from them again after reset()."""
    prj, cells = _network(sim, "IF_curr_exp", params, n=3)
    # (one-to-one: connection k joins cell k to cell k, in PyNN's order and the core's)
    prj.initialize(u=START[:, 0], x=START[:, 1],
                   y=sim.RandomDistribution("uniform", low=0.0, high=0.1, rng=sim.NumpyRNG(seed=1)))
    y0 = np.asarray(prj.get("y", format="list", with_address=False), dtype=float)
    assert np.all((y0 >= 0.0) & (y0 <= 0.1)) and np.unique(y0).size == 3
    for name, column in (("u", START[:, 0]), ("x", START[:, 1])):
        np.testing.assert_allclose(prj.get(name, format="list", with_address=False), column, err_msg=name)
    run(sim, T_END)
    sim.reset()
    run(sim, T_END)
    default = released_fractions(SPIKES, tau_psc=CELL["tau_syn_E"], **params)
    segments = cells.get_data().segments
    assert len(segments) == 2
    for s, segment in enumerate(segments):
        for k in range(3):
            start = (START[k, 0], START[k, 1], y0[k])
            fractions = released_fractions(SPIKES, tau_psc=CELL["tau_syn_E"], start=start, **params)
            _check_trace(*trace(segment, "v", column=k), fractions, default, f"segment {s}, connection {k}")


def test_initialize_between_runs_replaces_the_state_after_the_last_spike(sim):
    """Between runs, initialize() sets the state each connection has after its last spike (whose
    time stays the last event's); reset() then starts from the values given last."""
    prj, cells = _network(sim, "IF_curr_exp", FACILITATING)
    state = dict(u=0.7, x=0.4, y=0.1)
    run(sim, 40.0)  # the spikes up to 33 ms
    prj.initialize(**state)
    for name, value in state.items():
        assert prj.get(name, format="list", with_address=False) == pytest.approx([value]), name
    run(sim, T_END - 40.0)
    sim.reset()
    run(sim, T_END)
    first, second = cells.get_data().segments
    early = SPIKES[SPIKES < 40.0]
    before = released_fractions(early, tau_psc=CELL["tau_syn_E"], **FACILITATING)
    after = released_fractions(SPIKES[SPIKES > 40.0], tau_psc=CELL["tau_syn_E"], start=tuple(state.values()),
                               last=early[-1], **FACILITATING)
    default = released_fractions(SPIKES, tau_psc=CELL["tau_syn_E"], **FACILITATING)
    _check_trace(*trace(first, "v"), np.concatenate([before, after]), default, "the segment of the change")
    fractions = released_fractions(SPIKES, tau_psc=CELL["tau_syn_E"], start=tuple(state.values()), **FACILITATING)
    _check_trace(*trace(second, "v"), fractions, default, "after reset()")


def _initialized_on(name):
    sim = importlib.import_module(f"pyNN.{name}")
    sim.setup(timestep=0.1)
    try:
        prj, cells = _network(sim, "IF_curr_exp", FACILITATING, n=3)
        prj.initialize(u=START[:, 0], x=START[:, 1], y=START[:, 2])
        run(sim, T_END)
        sim.reset()
        run(sim, T_END)
        return np.concatenate([seg.analogsignals[0].magnitude for seg in cells.get_data().segments])
    finally:
        sim.end()


def test_initialized_state_same_on_every_backend():
    """The same start states give the same v (within 1e-4 mV) on every installed backend, in
    the segment before and after reset()."""
    names = [name for name in BACKENDS if _available(name)]
    if len(names) < 2:
        pytest.skip("needs two backends")
    results = {name: _initialized_on(name) for name in names}
    reference = results[names[0]]
    assert np.ptp(reference) > 0.3
    for name in names[1:]:
        np.testing.assert_allclose(results[name], reference, atol=1e-4, err_msg=f"{name} vs {names[0]}")


def test_start_state_nest_cannot_hold_is_refused_there_only(sim):
    """x + y = 1 with y > 0: NEST would have to hold the state of min_delay + dt before t = 0,
    which has x + y > 1 (tsodyks_start): NotSupportedError there, naming the connection; the
    other backends run it."""
    from pyNN import errors
    prj, cells = _network(sim, "IF_curr_exp", FACILITATING)
    start = (0.2, 0.7, 0.3)
    if sim.__name__ == "pyNN.nest":
        with pytest.raises(errors.NotSupportedError, match=r"cannot start connection 0 from u = 0.2, x = 0.7, y = 0.3"):
            prj.initialize(u=start[0], x=start[1], y=start[2])
        assert prj.initial_values == {}
        return
    prj.initialize(u=start[0], x=start[1], y=start[2])
    run(sim, T_END)
    fractions = released_fractions(SPIKES, tau_psc=CELL["tau_syn_E"], start=start, **FACILITATING)
    default = released_fractions(SPIKES, tau_psc=CELL["tau_syn_E"], **FACILITATING)
    _check_trace(*trace(cells.get_data().segments[0], "v"), fractions, default, sim.__name__)


def test_initialized_state_onto_a_voltage_jump_target(sim):
    """tau_psc = 0: the active resources y given to initialize() become recovering at the first
    spike; each spike makes v jump by weight * released, from the given start state."""
    if not hasattr(sim, "IF_curr_delta"):
        pytest.skip("no IF_curr_delta")
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=SPIKES))
    cell = sim.Population(1, sim.IF_curr_delta(v_rest=-65.0, tau_m=1e6, cm=1.0, v_thresh=0.0, tau_refrac=0.1))
    cell.initialize(v=-65.0)
    prj = sim.Projection(source, cell, sim.OneToOneConnector(),
                         sim.TsodyksMarkramSynapse(weight=1.0, delay=DELAY, **FACILITATING))
    start = (0.3, 0.5, 0.3)
    prj.initialize(u=start[0], x=start[1], y=start[2])
    cell.record("v")
    run(sim, T_END)
    _, v = trace(cell.get_data().segments[0], "v")
    fractions = released_fractions(SPIKES, tau_psc=0.0, start=start, **FACILITATING)
    default = released_fractions(SPIKES, tau_psc=0.0, **FACILITATING)
    assert abs(fractions[0] - default[0]) > 0.01  # (the start state shows)
    dt = sim.get_time_step()
    for t_spike, r in zip(SPIKES, fractions):
        k = round((t_spike + DELAY) / dt)
        assert v[k] - v[k - 1] == pytest.approx(r, rel=1e-4), t_spike


def test_initialize_a_projection_made_after_a_run(sim):
    """A projection made after a run, initialized before the next: its connections start from
    the given state with their last event at t = 0 (as at the start of a segment), and its
    first spikes are those emitted after it was made."""
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=SPIKES), label="spikes")
    cells = sim.Population(1, sim.IF_curr_exp(**{k: v for k, v in CELL.items()}), label="cells")
    cells.initialize(v=CELL["v_rest"])
    cells.record("v")
    run(sim, 40.0)
    prj = sim.Projection(source, cells, sim.OneToOneConnector(),
                         sim.TsodyksMarkramSynapse(weight=0.5, delay=DELAY, **FACILITATING), receptor_type="excitatory")
    start = (0.6, 0.5, 0.4)
    prj.initialize(u=start[0], x=start[1], y=start[2])
    assert prj.get("y", format="list", with_address=False) == pytest.approx([start[2]])
    run(sim, T_END - 40.0)
    times, v = trace(cells.get_data().segments[0], "v")
    later = SPIKES[SPIKES > 40.0]
    fractions = released_fractions(later, tau_psc=CELL["tau_syn_E"], start=start, **FACILITATING)
    default = released_fractions(later, tau_psc=CELL["tau_syn_E"], **FACILITATING)
    expected = np.full(times.shape, CELL["v_rest"])
    without = expected.copy()
    for t_spike, r, r0 in zip(later, fractions, default):
        expected += psp_exp(times - (t_spike + DELAY), 0.5 * r, CELL["cm"], CELL["tau_m"], CELL["tau_syn_E"])
        without += psp_exp(times - (t_spike + DELAY), 0.5 * r0, CELL["cm"], CELL["tau_m"], CELL["tau_syn_E"])
    peak = np.max(np.abs(expected - CELL["v_rest"]))
    assert np.max(np.abs(without - expected)) > 10 * (2e-4 * peak + 1e-6)
    np.testing.assert_allclose(v, expected, atol=2e-4 * peak + 1e-6)
