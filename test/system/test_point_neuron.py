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
