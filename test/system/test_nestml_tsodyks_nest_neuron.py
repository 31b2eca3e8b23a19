"""NESTML's short-term plasticity synapse (``tsodyks_synapse``: a presynaptic port only) on
NEST and NEURON, against the library's TsodyksMarkramSynapse.

NESTML's rule is NEST's tsodyks_synapse (the standard type's model on NEST): at each
presynaptic spike u decays with tau_fac and facilitates by U (1 - u), x recovers from y and
z = 1 - x - y, y decays with tau_psc, and ``u x`` of the resources is released and
transmitted with the weight. The two differ in where u starts: NESTML's model starts from U,
the standard type from 0 (``Projection.initialize(u=0.0)`` makes them the same).
"""

import importlib
import os
import sys

import numpy as np
import pytest

from pyNN import errors

pytest.importorskip("pynestml", reason="the nestml package is part of requirements.txt")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "unittests"))
from tsodyks_reference import run_rule  # (NESTML's rule by hand, shared with the other tests)

TSODYKS = os.path.join(sys.prefix, "models", "synapses", "tsodyks_synapse.nestml")
PRE_TIMES = [5.0, 10.0, 12.0, 15.0, 40.0, 42.5, 80.0]
RULE = dict(U=0.3, tau_rec=60.0, tau_facil=25.0)
WEIGHT, DELAY, TAU_SYN = 1.5, 1.0, 3.0
T_STOP = 100.0

pytestmark = pytest.mark.usefixtures("forget_nestml_modules")

_types = {}


def tsodyks_type(sim):
    key = sim.__name__
    if key not in _types:
        _types[key] = sim.nestml.nestml_synapse_type("tsodyks_synapse", TSODYKS)
    return _types[key]


def nestml_rule(times, U, tau_rec, tau_facil, tau_psc, u0):
    """(released fractions u x, the state (x, y, u) after the last spike): NESTML's rule by hand."""
    return run_rule(times, U, tau_rec, tau_facil, tau_psc, u0)


def _run(sim, syn, initial_u=None):
    """A standard and a NESTML projection from one scripted spike source onto two IF_curr_exp
    cells with tau_syn_E = tau_psc; returns (v standard, v NESTML, NESTML projection state)."""
    sim.setup(timestep=0.1, min_delay=0.1)
    try:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=PRE_TIMES), label="pre")
        cells = sim.Population(2, sim.IF_curr_exp(tau_syn_E=TAU_SYN), label="post")
        cells.record("v")
        standard = sim.TsodyksMarkramSynapse(weight=WEIGHT, delay=DELAY, **RULE)
        nestml = syn(weight=WEIGHT, delay=DELAY, U=RULE["U"], tau_rec=RULE["tau_rec"], tau_fac=RULE["tau_facil"],
                     tau_psc=TAU_SYN)
        sim.Projection(pre, cells[0:1], sim.AllToAllConnector(), standard, receptor_type="excitatory")
        prj = sim.Projection(pre, cells[1:2], sim.AllToAllConnector(), nestml, receptor_type="excitatory")
        if initial_u is not None:
            prj.initialize(u=initial_u)
        sim.run(T_STOP)
        v = cells.get_data().segments[0].filter(name="v")[0].magnitude
        state = {name: np.asarray(prj.get(name, format="list", with_address=False), float)
                 for name in ("x", "y", "u", "t_last_update", "weight")}
        return v[:, 0], v[:, 1], state
    finally:
        sim.end()


@pytest.mark.parametrize("backend", ["nest"])
def test_nestml_tsodyks_matches_tsodyks_markram_synapse(backend):
    sim = importlib.import_module(f"pyNN.{backend}")
    syn = tsodyks_type(sim)
    v_standard, v_nestml, state = _run(sim, syn, initial_u=0.0)
    assert v_standard.max() - v_standard.min() > 1.0  # the synapse drives the cell
    np.testing.assert_allclose(v_nestml, v_standard, rtol=0, atol=1e-9)
    _, states = nestml_rule(PRE_TIMES, RULE["U"], RULE["tau_rec"], RULE["tau_facil"], TAU_SYN, 0.0)
    np.testing.assert_allclose([state["x"][0], state["y"][0], state["u"][0]], states, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(state["weight"], [WEIGHT])


@pytest.mark.parametrize("backend", ["nest"])
def test_nestml_tsodyks_starts_from_u_equal_U(backend):
    """Without initialize(), NESTML's u starts at its model's initial value ``u real = U``,
    evaluated with the model's default U = 0.5 (as NESTML's NEST code does: not the projection's
    U), which changes the first release when tau_fac > 0: the state follows the hand
    computation from u = 0.5."""
    sim = importlib.import_module(f"pyNN.{backend}")
    syn = tsodyks_type(sim)
    v_standard, v_nestml, state = _run(sim, syn)
    released_0, _ = nestml_rule(PRE_TIMES, RULE["U"], RULE["tau_rec"], RULE["tau_facil"], TAU_SYN, 0.0)
    # (t in the handler is the spike's time in the user's time, as on the other backends, although
    # NEST's clock runs state.offset ahead: t_last_update is shifted by it, both ways)
    np.testing.assert_allclose(state["t_last_update"], [PRE_TIMES[-1]])
    released, states = nestml_rule(PRE_TIMES, RULE["U"], RULE["tau_rec"], RULE["tau_facil"], TAU_SYN, 0.5)
    assert abs(released[0] - released_0[0]) > 0.05
    assert np.abs(v_nestml - v_standard).max() > 1e-3
    np.testing.assert_allclose([state["x"][0], state["y"][0], state["u"][0]], states, rtol=1e-9, atol=1e-12)


def test_nestml_tsodyks_on_nest_onto_a_nestml_neuron_and_bad_initial_value():
    """A NESTML neuron given as postsynaptic neuron becomes the type's postsynaptic_cell_type
    (the synapse needs no co-generation); initialize() refuses a name that is not synapse state."""
    sim = importlib.import_module("pyNN.nest")
    syn = sim.nestml.nestml_synapse_type(
        "tsodyks_synapse", TSODYKS, postsynaptic_neuron_nestml_description=os.path.join(
            sys.prefix, "models", "neurons", "iaf_psc_exp_neuron.nestml"))
    sim.setup(timestep=0.1, min_delay=0.1)
    try:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=PRE_TIMES))
        post = sim.Population(1, syn.postsynaptic_cell_type(tau_syn_exc=TAU_SYN))
        post.record("V_m")
        prj = sim.Projection(pre, post, sim.AllToAllConnector(), syn(weight=WEIGHT, delay=DELAY, tau_psc=TAU_SYN),
                             receptor_type="excitatory")
        with pytest.raises(errors.NonExistentParameterError, match="Projection.*'v'"):
            prj.initialize(v=0.0)
        sim.run(T_STOP)
        v = post.get_data().segments[0].filter(name="V_m")[0].magnitude[:, 0]
        assert v.max() - v.min() > 1.0
        assert float(prj.get("u", format="list", with_address=False)[0]) > 0.0
    finally:
        sim.end()


def _neuron_tsodyks():
    sim = importlib.import_module("pyNN.neuron")
    if "neuron" not in _types:
        _types["neuron"] = sim.nestml.nestml_synapse_type(
            "tsodyks_synapse", TSODYKS, postsynaptic_neuron_nestml_description=os.path.join(
                sys.prefix, "models", "neurons", "iaf_psc_exp_neuron.nestml"))
    return sim, _types["neuron"]


def test_nestml_tsodyks_on_neuron_matches_hand_computation():
    """On NEURON the synapse runs in the mechanism of its postsynaptic NESTML neuron: its state
    follows the hand computation (from u = 0.5, t = the spikes' scripted times), and the cell's
    V is that of the same cell type driven by static synapses carrying the hand-computed
    weights w u x, one spike each."""
    sim, syn = _neuron_tsodyks()
    released, states = nestml_rule(PRE_TIMES, RULE["U"], RULE["tau_rec"], RULE["tau_facil"], TAU_SYN, 0.5)
    sim.setup(timestep=0.1, min_delay=0.1)
    try:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=PRE_TIMES))
        singles = sim.Population(len(PRE_TIMES), sim.SpikeSourceArray(spike_times=[[t] for t in PRE_TIMES]))
        cells = sim.Population(2, syn.postsynaptic_cell_type(tau_syn_exc=TAU_SYN))
        cells.record("V_m")
        prj = sim.Projection(pre, cells[0:1], sim.AllToAllConnector(),
                             syn(weight=WEIGHT, delay=DELAY, U=RULE["U"], tau_rec=RULE["tau_rec"],
                                 tau_fac=RULE["tau_facil"], tau_psc=TAU_SYN), receptor_type="excitatory")
        sim.Projection(singles, cells[1:2], sim.FromListConnector(
            [(k, 0, WEIGHT * r, DELAY) for k, r in enumerate(released)], column_names=["weight", "delay"]),
            sim.StaticSynapse(), receptor_type="excitatory")
        with pytest.raises(errors.NoModelAvailableError, match="initialize.u.*NESTML synapse.*NEURON"):
            prj.initialize(u=0.0)
        sim.run(T_STOP)
        v = cells.get_data().segments[0].filter(name="V_m")[0].magnitude
        state = [float(prj.get(name, format="list", with_address=False)[0]) for name in ("x", "y", "u")]
        t_last = float(prj.get("t_last_update", format="list", with_address=False)[0])
    finally:
        sim.end()
    assert v[:, 0].max() - v[:, 0].min() > 1.0
    np.testing.assert_allclose(v[:, 0], v[:, 1], rtol=0, atol=1e-9)
    np.testing.assert_allclose(state, states, rtol=1e-9, atol=1e-12)
    assert t_last == pytest.approx(PRE_TIMES[-1])


def test_nestml_tsodyks_on_neuron_needs_a_nestml_neuron():
    """NEURON runs a NESTML synapse in its postsynaptic NESTML neuron's mechanism: without one
    (onto the standard cells) it is refused, saying what to give."""
    sim = importlib.import_module("pyNN.neuron")
    with pytest.raises(errors.NoModelAvailableError, match="tsodyks_synapse.*NEURON.*postsynaptic_neuron_nestml"):
        sim.nestml.nestml_synapse_type("tsodyks_synapse", TSODYKS)
