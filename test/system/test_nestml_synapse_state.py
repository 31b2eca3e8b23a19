"""A NESTML synapse's state besides the weight (its traces) through Projection.get and
Projection.record, against a hand computation.

NESTML's stdp_synapse onto its iaf_psc_exp neuron, driven as in test_nestml_synapses.py
(deterministic pre trains, a teacher for the post spikes). Every backend gives the state as
of each connection's last presynaptic spike (as NEST keeps it): ``pre_trace`` is the sum of
exp(-(t_last - t_i)/tau_tr_pre) over the pre spikes, ``post_trace`` the same over the post
spikes' synapse times (emission + delay) before t_last. NEST keeps the post trace in the
neuron (per cell) and refuses it; Brian2, which handles post events eagerly, keeps a copy of
the state made by each pre event.
"""

import importlib
import os
import sys

import numpy as np
import pytest

from pyNN import errors

pytest.importorskip("pynestml", reason="the nestml package is part of requirements.txt")

from test_stdp import DELAY, POST_TRAINS, PRE_TRAINS, TEACHER_DELAY

LIBRARY = os.path.join(sys.prefix, "models")
SYNAPSE = os.path.join(LIBRARY, "synapses", "stdp_synapse.nestml")
NEURON = os.path.join(LIBRARY, "neurons", "iaf_psc_exp_neuron.nestml")
DT = 0.1
TAU_PRE, TAU_POST = 16.8, 33.7
NESTML_CELL = dict(C_m=1.0, tau_m=5.0, E_L=-65.0, V_reset=-65.0, V_th=-55.0, refr_T=0.5, tau_syn_exc=0.2,
                   tau_syn_inh=2.0, I_e=0.0)
T_STOP = 110.0
SAMPLING = 1.0
_types = {}

pytestmark = pytest.mark.usefixtures("forget_nestml_modules")


def _synapse_type(backend):
    sim = importlib.import_module(f"pyNN.{backend}")
    if backend not in _types:
        _types[backend] = sim.nestml.nestml_synapse_type("stdp_synapse", SYNAPSE,
                                                         postsynaptic_neuron_nestml_description=NEURON)
    return sim, _types[backend]


def _traces_at(t, pre, post_events):
    """(pre_trace, post_trace) of a connection as of its last pre spike at or before `t`."""
    handled = [s for s in pre if s <= t + 1e-9]
    if not handled:
        return 0.0, 0.0
    last = handled[-1]
    pre_trace = sum(np.exp(-(last - s) / TAU_PRE) for s in handled)
    post_trace = sum(np.exp(-(last - s) / TAU_POST) for s in post_events if s < last - 1e-9)
    return pre_trace, post_trace


def _network(sim, syn, variables):
    sim.setup(timestep=DT, min_delay=DT)
    n = len(PRE_TRAINS)
    pre = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in PRE_TRAINS]), label="pre")
    teacher = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in POST_TRAINS]),
                             label="teacher")
    post = sim.Population(n, syn.postsynaptic_cell_type(**NESTML_CELL), label="post")
    post.initialize(V_m=-65.0)
    sim.Projection(teacher, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=500.0, delay=TEACHER_DELAY),
                   receptor_type="excitatory")
    prj = sim.Projection(pre, post, sim.OneToOneConnector(),
                         syn(weight=0.0002, delay=DELAY, tau_tr_pre=TAU_PRE, tau_tr_post=TAU_POST, Wmax=500.0,
                             **{"lambda": 0.01}),
                         receptor_type="excitatory", label="plastic")
    prj.record(variables, sampling_interval=SAMPLING)
    return prj


@pytest.mark.parametrize("backend, variables", [("nest", ["pre_trace"]), ("neuron", ["pre_trace", "post_trace"]),
                                                ("brian2", ["pre_trace", "post_trace"]),
                                                ("hardware", ["pre_trace", "post_trace"])])
def test_nestml_synapse_traces_get_and_record(backend, variables):
    sim, syn = _synapse_type(backend)
    prj = _network(sim, syn, variables)
    assert prj.get("pre_trace", format="list", with_address=False) == [0.0] * len(PRE_TRAINS)  # initial values
    sim.run(T_STOP)
    got = {v: np.asarray(prj.get(v, format="list", with_address=False), float) for v in variables}
    signals = {sig.name: sig for sig in prj.get_data().segments[0].analogsignals}
    sim.end()
    # the post cells fire one step after the teacher's spike arrives (see test_nestml_synapses.py)
    post_events = [np.asarray(t) + TEACHER_DELAY + DT + DELAY for t in POST_TRAINS]
    for k, pre in enumerate(PRE_TRAINS):
        wanted = dict(zip(("pre_trace", "post_trace"), _traces_at(T_STOP, pre, post_events[k])))
        for v in variables:
            assert got[v][k] == pytest.approx(wanted[v], rel=1e-9, abs=1e-12)
            signal = signals[v]
            times = signal.times.rescale("ms").magnitude
            values = np.asarray(signal.magnitude)[:, k]
            # samples away from pre spikes (backends handle a pre spike between its emission
            # and its arrival one delay later) show the state as of the last one
            calm = [i for i, t in enumerate(times) if not any(-DT <= t - s <= DELAY + DT for s in pre)]
            assert len(calm) > 50
            expected = [dict(zip(("pre_trace", "post_trace"), _traces_at(times[i], pre, post_events[k])))[v]
                        for i in calm]
            np.testing.assert_allclose(values[calm], expected, rtol=1e-9, atol=1e-12)
    assert np.any(got[variables[-1]] > 0.5)


def test_nestml_post_trace_not_per_connection_on_nest():
    sim, syn = _synapse_type("nest")
    prj = _network(sim, syn, ["weight"])
    try:
        sim.run(20.0)
        with pytest.raises(errors.NoModelAvailableError, match="'post_trace'.*NEST backend.*postsynaptic neuron"):
            prj.get("post_trace", format="list")
    finally:
        sim.end()


@pytest.mark.parametrize("backend", ["nest", "neuron", "brian2", "hardware"])
def test_unknown_synapse_variable_lists_the_state(backend):
    sim, syn = _synapse_type(backend)
    sim.setup(timestep=DT)
    try:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
        post = sim.Population(1, syn.postsynaptic_cell_type())
        prj = sim.Projection(pre, post, sim.OneToOneConnector(), syn(), receptor_type="excitatory")
        with pytest.raises(errors.NonExistentParameterError, match="pre_trace"):
            prj.get("no_such_trace", format="list")
    finally:
        sim.end()
