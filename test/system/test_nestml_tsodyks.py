"""NESTML's library ``tsodyks_synapse`` (short-term plasticity, no postsynaptic port) on every backend.

Its rule is the three-state model the library's TsodyksMarkramSynapse implements
(``doc/behaviour.md``, "Short-term plasticity"), with one difference: NESTML's model starts
with ``u = U`` (evaluated with U's default, 0.5), the standard type with ``u = 0``. Without
facilitation (``tau_fac = 0``) u is U at every spike whatever it started at, so a NESTML
projection and a TsodyksMarkramSynapse projection with the same U, tau_rec, weight and
tau_psc = the target's tau_syn_E must give the same membrane potential (to 1e-9 mV). With
facilitation the first spikes differ; the NESTML synapse is then checked against a hand
computation of its rule: a second cell receives each pre spike through a static synapse of
the weight the rule says that spike transmits.
"""

import importlib
import os
import sys

import numpy as np
import pytest

pytest.importorskip("pynestml", reason="the nestml package is part of requirements.txt")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "unittests"))
from tsodyks_reference import released  # (NESTML's rule by hand, shared with the unit tests)

MODEL = os.path.join(sys.prefix, "models", "synapses", "tsodyks_synapse.nestml")
#: (NEURON runs a NESTML synapse only onto its postsynaptic NESTML neuron, not onto these
#: IF_curr_exp cells: test_nestml_tsodyks_nest_neuron.py)
BACKENDS = ["nest", "brian2", "hardware"]
CELL = dict(cm=1.0, tau_m=10.0, tau_syn_E=2.0, v_rest=-65.0, v_reset=-65.0, v_thresh=100.0, tau_refrac=0.1)
#: pre spikes: close pairs (depression), a long gap (recovery), a spike at t = 0.5
TIMES = [0.5, 5.0, 10.0, 12.0, 14.0, 30.0, 31.5, 80.0, 81.0, 82.0]
DELAY = 1.0
T_STOP = 100.0

pytestmark = pytest.mark.usefixtures("forget_nestml_modules")


def _sim(backend):
    sim = importlib.import_module(f"pyNN.{backend}")
    sim.setup(timestep=0.1, min_delay=0.1)
    return sim


def _tsodyks(sim):
    return sim.nestml.nestml_synapse_type("tsodyks_synapse", MODEL)


def _v(population):
    return population.get_data().segments[0].analogsignals[0].magnitude


@pytest.mark.parametrize("backend", BACKENDS)
def test_tsodyks_depression_matches_standard(backend):
    """tau_fac = 0: the NESTML synapse and TsodyksMarkramSynapse give the same membrane
    potential, per connection (three connections with different U and tau_rec) and the same
    resources x and y after the run."""
    sim = _sim(backend)
    try:
        syn = _tsodyks(sim)
        pre = sim.Population(3, sim.SpikeSourceArray(spike_times=TIMES))
        cells = sim.Population(6, sim.IF_curr_exp(**CELL))
        U, tau_rec, w = np.array([0.2, 0.5, 0.8]), np.array([40.0, 100.0, 300.0]), 0.8
        nestml = sim.Projection(pre, cells[0:3], sim.OneToOneConnector(),
                                syn(weight=w, delay=DELAY, U=U, tau_rec=tau_rec, tau_fac=0.0,
                                    tau_psc=CELL["tau_syn_E"]), receptor_type="excitatory")
        standard = sim.Projection(pre, cells[3:6], sim.OneToOneConnector(),
                                  sim.TsodyksMarkramSynapse(weight=w, delay=DELAY, U=U, tau_rec=tau_rec,
                                                            tau_facil=0.0), receptor_type="excitatory")
        cells.record("v")
        sim.run(T_STOP)
        v = _v(cells)
        state = {name: (np.asarray(nestml.get(name, format="array")).diagonal(),
                        np.asarray(standard.get(name, format="array")).diagonal()) for name in ("x", "y")}
        last = np.asarray(nestml.get("t_last_update", format="array")).diagonal()
    finally:
        sim.end()
    assert np.abs(v[:, :3] - v[:, 3:]).max() < 1e-9
    # the synapses really depress: the second of a close pair evokes a smaller jump in v
    # than the first, more so for larger U
    for name, (a, b) in state.items():
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(last, TIMES[-1])
    r = np.array([released(TIMES, u_, tr, 0.0, CELL["tau_syn_E"]) for u_, tr in zip(U, tau_rec)])
    assert np.all(r[:, 2] < r[:, 1]) and r[2, 2] / r[2, 1] < r[0, 2] / r[0, 1]
    assert np.ptp(v[:, :3], axis=0).min() > 0.1  # (responses of a visible size)


@pytest.mark.parametrize("backend", BACKENDS)
def test_tsodyks_facilitation_by_hand(backend):
    """tau_fac > 0: the cell driven by the NESTML synapse has the membrane potential of a cell
    receiving each pre spike through a static synapse of the weight the rule transmits."""
    sim = _sim(backend)
    U, tau_rec, tau_fac, w = 0.5, 60.0, 150.0, 0.8
    fractions = released(TIMES, U, tau_rec, tau_fac, CELL["tau_syn_E"])
    try:
        syn = _tsodyks(sim)
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=TIMES))
        singles = sim.Population(len(TIMES), sim.SpikeSourceArray(spike_times=[[t] for t in TIMES]))
        cells = sim.Population(2, sim.IF_curr_exp(**CELL))
        sim.Projection(pre, cells[0:1], sim.AllToAllConnector(),
                       syn(weight=w, delay=DELAY, U=U, tau_rec=tau_rec, tau_fac=tau_fac, tau_psc=CELL["tau_syn_E"]),
                       receptor_type="excitatory")
        by_hand = sim.FromListConnector([(i, 0, w * r, DELAY) for i, r in enumerate(fractions)])
        sim.Projection(singles, cells[1:2], by_hand, sim.StaticSynapse(), receptor_type="excitatory")
        cells.record("v")
        sim.run(T_STOP)
        v = _v(cells)
    finally:
        sim.end()
    assert np.abs(v[:, 0] - v[:, 1]).max() < 1e-9
    assert fractions.max() > fractions.min() + 0.1  # facilitation and depression both act


@pytest.mark.parametrize("backend, name", [("brian2", "Brian2"), ("hardware", "hardware")])
def test_initialize_of_a_nestml_synapse_is_refused_where_not_implemented(backend, name):
    """Brian2 and the emulator start a NESTML synapse's connections from the model's initial
    values: initialize() says so instead of dropping the values (NEST takes them)."""
    from pyNN import errors
    sim = _sim(backend)
    try:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=TIMES))
        cells = sim.Population(1, sim.IF_curr_exp(**CELL))
        prj = sim.Projection(pre, cells, sim.OneToOneConnector(),
                             _tsodyks(sim)(weight=0.5, delay=DELAY, tau_psc=CELL["tau_syn_E"]),
                             receptor_type="excitatory")
        with pytest.raises(errors.NotSupportedError,
                           match=f"initialize.u.*NESTML synapse.*not implemented on the {name}"):
            prj.initialize(u=0.2)
        assert prj.initial_values == {}
        sim.run(5.0)
    finally:
        sim.end()
