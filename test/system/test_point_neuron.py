"""PointNeuron on every backend: a point neuron assembled from a membrane and named
receptors behaves like the standard cell type with the same synapses, and a current
receptor named 'inhibitory' hyperpolarizes as IF_curr_exp's inhibitory input does."""

import numpy as np
import pytest

from scenario_tools import backend_support, cell_type, population, record, run, spike_times

INPUT_TIMES = [[5.0, 7.0, 30.0, 31.0], [15.0, 40.0]]


def _driven_cell(sim, celltype, weights, label):
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in INPUT_TIMES]),
                            label=f"{label} input")
    with backend_support():
        cell = sim.Population(1, celltype, label=label)
    for k, (receptor, weight) in enumerate(zip(("excitatory", "inhibitory"), weights)):
        sim.Projection(source[k:k + 1], cell, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=weight, delay=1.0), receptor_type=receptor)
    record(cell, ["v", "spikes"])
    return cell


@pytest.mark.parametrize("neuron, psr, reference, weights", [
    ("LIF", "CurrExpPostSynapticResponse", "IF_curr_exp", (2.0, 1.5)),
    ("LIF", "CurrExpPostSynapticResponse", "IF_curr_exp", (2.0, -1.5)),  # PyNN's negative convention
    ("LIF", "CondExpPostSynapticResponse", "IF_cond_exp", (0.02, 0.03)),
    ("AdExp", "CondAlphaPostSynapticResponse", "EIF_cond_alpha_isfa_ista", (0.02, 0.03)),
])
def test_point_neuron_equals_the_standard_type(sim, neuron, psr, reference, weights):
    e_inh = -80.0 if neuron == "AdExp" else -70.0
    params = dict(tau_syn=5.0) if psr.startswith("Curr") else dict(tau_syn=5.0, e_syn=0.0)
    inh_params = dict(params, e_syn=e_inh) if "e_syn" in params else params
    cell_params = dict(i_offset=0.9) if neuron == "LIF" else dict(i_offset=0.55)
    with backend_support():
        point = sim.PointNeuron(cell_type(sim, neuron, **cell_params), excitatory=cell_type(sim, psr, **params),
                                inhibitory=cell_type(sim, psr, **inh_params))
    a = _driven_cell(sim, point, weights, "point neuron")
    b = _driven_cell(sim, cell_type(sim, reference, **cell_params), weights, "standard cell")
    run(sim, 100.0)
    seg_a, seg_b = a.get_data().segments[0], b.get_data().segments[0]
    s_a, s_b = spike_times(seg_a), spike_times(seg_b)
    assert s_b.size >= 2
    assert s_a.size == s_b.size and np.all(np.abs(s_a - s_b) <= 0.1 + 1e-9), (s_a, s_b)
    v_a = seg_a.filter(name="v")[0].magnitude[:, 0]
    v_b = seg_b.filter(name="v")[0].magnitude[:, 0]
    before = seg_b.filter(name="v")[0].times.magnitude < min(s_b[0], 100.0)
    np.testing.assert_allclose(v_a[before], v_b[before], atol=1e-3)


def test_inhibitory_current_receptor_hyperpolarizes(sim):
    with backend_support():
        point = sim.PointNeuron(cell_type(sim, "LIF"), excitatory=cell_type(sim, "CurrExpPostSynapticResponse"),
                                inhibitory=cell_type(sim, "CurrExpPostSynapticResponse"))
    cell = _driven_cell(sim, point, (0.0, 1.0), "point neuron")
    run(sim, 30.0)
    v = cell.get_data().segments[0].filter(name="v")[0]
    after = (v.times.magnitude > 16.5) & (v.times.magnitude < 25.0)
    assert v.magnitude[after, 0].max() < -65.5  # the inhibitory input at 15 ms (+1 ms delay) pulls v down


def test_gif_threshold_at_rest_is_v_t_star(sim):
    cell = population(sim, 1, "GIF_cond_exp", label="gif", lambda0=0.0, v_t_star=-48.0)
    record(cell, ["v_t"])
    run(sim, 10.0)
    v_t = cell.get_data().segments[0].filter(name="v_t")[0].magnitude[:, 0]
    np.testing.assert_allclose(v_t, -48.0, atol=1e-9)


# spikes that arrive at the last step of each run (9.6 + 0.4, 9.9 + 0.1, 19.6 + 0.4, ...)
ISYN_INPUT = [[2.0, 9.6, 19.6], [5.0, 9.9, 19.9]]
ISYN_RECEPTORS = {"AMPA": (2.0, 0.5, 0.4), "GABA": (7.0, -0.3, 0.1)}  # tau_syn, weight, delay


def _expected_isyn(times, receptor, post):
    """The current of a receptor from the spikes (all-to-all for AMPA, one-to-one for GABA):
    each arrival adds the weight, which decays with tau_syn; a spike that arrives at t is in
    the sample at t."""
    tau, weight, delay = ISYN_RECEPTORS[receptor]
    sources = range(2) if receptor == "AMPA" else [post]
    arrivals = np.array([t + delay for k in sources for t in ISYN_INPUT[k]])
    lag = times[:, None] - arrivals[None, :]
    return np.where(lag > -1e-9, weight * np.exp(-np.clip(lag, 0.0, None) / tau), 0.0).sum(axis=1)


@pytest.mark.parametrize("sampling_interval", [None, 0.5])
def test_receptor_currents_are_recorded(sim, sampling_interval):
    """'<receptor>.isyn' of a PointNeuron on every backend: the exact current of each receptor,
    one sample per sampling interval with both ends, the samples at the end of each run
    included (with spikes arriving in the last step), in two runs and after reset()."""
    sim.setup(timestep=0.1)
    point = sim.PointNeuron(sim.LIF(v_thresh=-50.0),
                            **{name: sim.CurrExpPostSynapticResponse(tau_syn=tau)
                               for name, (tau, _, _) in ISYN_RECEPTORS.items()})
    post = sim.Population(2, point, label="isyn")
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in ISYN_INPUT]),
                            label="isyn input")
    kwargs = {} if sampling_interval is None else {"sampling_interval": sampling_interval}
    for name, (_, weight, delay) in ISYN_RECEPTORS.items():
        if name == "GABA":  # a projection made after record() counts too
            post.record(["AMPA.isyn", "GABA.isyn"], **kwargs)
        connector = sim.AllToAllConnector() if name == "AMPA" else sim.OneToOneConnector()
        sim.Projection(source, post, connector, sim.StaticSynapse(weight=weight, delay=delay), receptor_type=name)
    sim.run(10.0)
    sim.run(10.0)
    sim.reset()
    sim.run(20.0)
    step = sampling_interval or 0.1
    expected_times = np.arange(201 if step == 0.1 else 41) * step
    segments = post.get_data().segments
    assert len(segments) == 2
    for segment in segments:
        for name in ISYN_RECEPTORS:
            signal = segment.filter(name=f"{name}.isyn")[0]
            assert str(signal.units.dimensionality) == "nA"
            times = signal.times.rescale("ms").magnitude
            np.testing.assert_allclose(times, expected_times, atol=1e-9)
            values = signal.magnitude
            assert abs(values[-1]).min() > 0.1  # the last sample holds a spike of the last step
            for cell in range(2):
                np.testing.assert_allclose(values[:, cell], _expected_isyn(times, name, cell), rtol=1e-9,
                                           atol=1e-12)


def test_receptor_parameter_set_by_its_dotted_name(sim):
    """get('AMPA.tau_syn') works and set()'s error lists 'AMPA.tau_syn' among the valid
    names: set(**{'AMPA.tau_syn': x}) takes it too, and the new value acts."""
    with backend_support():
        celltype = sim.PointNeuron(cell_type(sim, "LIF"),
                                   AMPA=cell_type(sim, "CurrExpPostSynapticResponse", tau_syn=1.0))
        cells = sim.Population(3, celltype, label="receptors")
    cells.set(**{"AMPA.tau_syn": 2.0})
    cells[1:].set(**{"AMPA.tau_syn": [3.0, 4.0], "tau_m": 15.0})
    np.testing.assert_allclose(cells.get("AMPA.tau_syn"), [2.0, 3.0, 4.0])
    np.testing.assert_allclose(cells.get("tau_m"), [20.0, 15.0, 15.0])
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]))
    sim.Projection(source, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=1.0),
                   receptor_type="AMPA")
    record(cells, "AMPA.isyn")
    run(sim, 20.0)
    i_syn = cells.get_data().segments[0].filter(name="AMPA.isyn")[0].magnitude
    # exponential decay with the cell's own tau_syn: i(t + 2 ms) / i(t) = exp(-2 / tau_syn)
    t0 = int(np.argmax(i_syn[:, 0]))
    np.testing.assert_allclose(i_syn[t0 + 20] / i_syn[t0], np.exp(-2.0 / np.array([2.0, 3.0, 4.0])), rtol=1e-3)
