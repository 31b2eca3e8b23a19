"""NESTML's neuromodulated STDP synapse (``mod_spikes``) on every backend.

Three plastic connections (pre cell k -> post cell k, made to fire by a teacher) share one
modulatory population of two spike sources (``modulatory_inputs={"mod_spikes": dopa}``). The
weight and the eligibility (``c``) and dopamine (``n``) traces read at several times must equal a
hand computation of the semantics of doc/nestml.md ("Modulatory spike ports"): per step the
update block (here the exact solution over any interval), events at a step's end in the order
modulatory, post, pre. No two modulatory spikes take effect in one step (NEST merges them) and
no read-out falls on a pre spike (NEST handles a pre spike at the start of the next step).
"""

import importlib
import math
import os
import sys

import numpy as np
import pytest

from nestml_test_models import euler_mod_synapse
from pyNN import errors

pytest.importorskip("pynestml", reason="the nestml package is part of requirements.txt")

LIBRARY = os.path.join(sys.prefix, "models")
SYNAPSE = os.path.join(LIBRARY, "synapses", "neuromodulated_stdp_synapse.nestml")
NEURON = os.path.join(LIBRARY, "neurons", "iaf_psc_exp_neuron.nestml")
BACKENDS = ["nest", "neuron", "brian2", "hardware"]
#: where the rule runs: every backend
RUNS_ON = ["nest", "neuron", "brian2", "hardware"]
DT = 0.1
DELAY = 1.0
MOD_DELAY = 2.0
RULE = {"tau_c": 50.0, "tau_n": 30.0, "b": 0.005, "A_plus": 1.0, "A_minus": 1.5, "tau_tr_pre": 20.0,
        "tau_tr_post": 15.0}
W0 = 10.0  # NESTML weight; the library weight is W0/1000
PRE_TRAINS = [[11.0, 31.3, 53.0, 81.7, 121.0], [5.0, 28.4, 60.0, 95.2, 130.0], [20.0, 40.0, 45.1, 100.0, 140.6]]
TEACHER = [[15.0, 46.0, 91.0], [12.0, 58.0, 96.0], [18.0, 43.0, 110.0]]
#: modulatory spikes of the two cells (one takes effect at a pre spike's time: 40.0 + ...)
DOPA = [[5.0, 21.4, 61.2, 101.8], [38.0, 70.3, 118.9]]
READ_AT = [30.0, 55.5, 90.0, 126.3, 150.0]
_types = {}

pytestmark = pytest.mark.usefixtures("forget_nestml_modules")


def synapse_type(backend):
    sim = importlib.import_module(f"pyNN.{backend}")
    if backend not in _types:
        _types[backend] = sim.nestml.nestml_synapse_type("neuromodulated_stdp_synapse", SYNAPSE,
                                                         postsynaptic_neuron_nestml_description=NEURON)
    return sim, _types[backend]


def reference(pre, post_synaptic, mod, until):
    """The documented semantics by hand, one connection: (w, c, n) at `until` after every event
    up to it (modulatory before post before pre at equal times; the pre handler reads post_tr as
    before a post event of its time)."""
    p = RULE
    tau_s = (p["tau_c"] + p["tau_n"]) / (p["tau_c"] * p["tau_n"])
    rank = {"mod": 0, "post": 1, "pre": 2, "end": 3}
    events = sorted([(t, "pre") for t in pre] + [(t, "post") for t in post_synaptic] + [(t, "mod") for t in mod],
                    key=lambda e: (round(e[0], 9), rank[e[1]]))
    events = [e for e in events if e[0] <= until + 1e-9] + [(until, "end")]
    w, n, c, pre_tr, post_tr, last, seen = W0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    for t, kind in events:
        h = t - last
        if h > 1e-9:
            w -= c * (n / tau_s * math.expm1(-tau_s * h) - p["b"] * p["tau_c"] * math.expm1(-h / p["tau_c"]))
            c, n = c * math.exp(-h / p["tau_c"]), n * math.exp(-h / p["tau_n"])
            pre_tr, post_tr = pre_tr * math.exp(-h / p["tau_tr_pre"]), post_tr * math.exp(-h / p["tau_tr_post"])
            last, seen = t, post_tr
        if kind == "mod":
            n += 1.0 / p["tau_n"]
        elif kind == "post":
            post_tr += 1.0
            c += p["A_plus"] * pre_tr
        elif kind == "pre":
            pre_tr += 1.0
            c -= p["A_minus"] * seen
    return w, c, n


def _network(sim, syn, **extra):
    n = len(PRE_TRAINS)
    pre = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in PRE_TRAINS]), label="pre")
    teacher = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in TEACHER]), label="teacher")
    dopa = sim.Population(2, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in DOPA]), label="dopa")
    post = sim.Population(n, syn.postsynaptic_cell_type(refr_T=5.0), label="post")
    sim.Projection(teacher, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=100.0, delay=DELAY),
                   receptor_type="excitatory")
    kwargs = {"modulatory_inputs": {"mod_spikes": dopa}, "modulatory_delay": MOD_DELAY, **extra}
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), syn(weight=W0 / 1000.0, delay=DELAY, **RULE, **kwargs),
                         receptor_type="excitatory", label="modulated")
    return pre, post, dopa, prj


def _run(backend):
    sim, syn = synapse_type(backend)
    sim.setup(timestep=DT, min_delay=DT)
    try:
        _, post, _, prj = _network(sim, syn)
        post.record("spikes")
        readings = []
        for t in READ_AT:
            sim.run_until(t)
            readings.append([np.asarray(prj.get(name, format="list", with_address=False), float)
                             for name in ("weight", "c", "n")])
        spikes = [np.asarray(st.magnitude) for st in post.get_data().segments[0].spiketrains]
        return np.array(readings), spikes, (prj.describe(), prj.synapse_type.describe())
    finally:
        sim.end()


@pytest.mark.parametrize("backend", RUNS_ON)
def test_neuromodulated_rule_matches_hand_computation(backend):
    readings, spikes, described = _run(backend)
    for text in described:  # the projection's and the synapse type's descriptions
        assert "modulatory inputs: mod_spikes <- 'dopa' (2 cells); every spike reaches every connection after 2 ms" \
            in text
    mod = sorted(t + MOD_DELAY for train in DOPA for t in train)
    for k, train in enumerate(spikes):
        assert train.size >= len(TEACHER[k])  # the teacher makes each post cell fire
        for i, t in enumerate(READ_AT):
            w, c, n = reference(PRE_TRAINS[k], np.round(train + DELAY, 9), mod, t)
            assert readings[i, 0, k] * 1000.0 == pytest.approx(w, abs=1e-9)
            assert readings[i, 1, k] == pytest.approx(c, abs=1e-9)
            assert readings[i, 2, k] == pytest.approx(n, abs=1e-12)
    final = readings[-1, 0] * 1000.0
    assert np.all(np.abs(final - W0) > 1e-3)  # the rule moved every weight


def test_nest_and_emulator_agree():
    nest_readings, nest_spikes, _ = _run("nest")
    hw_readings, hw_spikes, _ = _run("hardware")
    for a, b in zip(nest_spikes, hw_spikes):
        np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(nest_readings[:, 0] * 1000.0, hw_readings[:, 0] * 1000.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(nest_readings[:, 1:], hw_readings[:, 1:], rtol=0, atol=1e-9)


@pytest.mark.parametrize("backend", RUNS_ON)
def test_modulatory_inputs_checked(backend):
    sim, syn = synapse_type(backend)
    sim.setup(timestep=DT, min_delay=0.5)
    try:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]), label="pre")
        dopa = sim.Population(1, sim.SpikeSourceArray(spike_times=[3.0]), label="dopa")
        post = sim.Population(1, syn.postsynaptic_cell_type(), label="post")

        def connect(**kw):
            return sim.Projection(pre, post, sim.OneToOneConnector(), syn(weight=0.01, delay=1.0, **kw),
                                  receptor_type="excitatory", label="dopamine STDP")
        with pytest.raises(errors.ConnectionError,
                           match="Projection 'dopamine STDP'.*'neuromodulated_stdp_synapse'.*\\['mod_spikes'\\] "
                                 "without a source"):
            connect()
        with pytest.raises(errors.ModelDescriptionError, match="names 'dopamine', which is not one of its"):
            connect(modulatory_inputs={"dopamine": dopa})
        with pytest.raises(errors.InvalidTypeError, match="modulatory_inputs\\['mod_spikes'\\] must be a Population"):
            connect(modulatory_inputs={"mod_spikes": [3.0, 4.0]})
        with pytest.raises(errors.InvalidParameterValueError, match="modulatory_delay must be a positive"):
            connect(modulatory_inputs={"mod_spikes": dopa}, modulatory_delay=-1.0)
        with pytest.raises(errors.ConnectionError, match="'dopamine STDP'.*modulatory_delay 0.2 ms is below the "
                                                         "minimum delay 0.5 ms"):
            connect(modulatory_inputs={"mod_spikes": dopa}, modulatory_delay=0.2)
        with pytest.raises(errors.ConnectionError, match="modulatory_delay 1.05 ms is not a multiple of the time"):
            connect(modulatory_inputs={"mod_spikes": dopa}, modulatory_delay=1.05)
        prj = connect(modulatory_inputs={"mod_spikes": dopa[0:1]})  # a PopulationView; default delay: min_delay
        assert prj.modulatory_sources[0].delay == pytest.approx(0.5)
        assert "after min_delay" in prj.synapse_type.describe()
    finally:
        sim.end()


@pytest.mark.parametrize("profile", ["spinnaker1", "brainscales2", "spikey"])
def test_hardware_profiles_refuse(profile):
    sim, syn = synapse_type("hardware")
    sim.setup(timestep=DT, profile=profile)
    try:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
        dopa = sim.Population(1, sim.SpikeSourceArray(spike_times=[3.0]))
        post = sim.Population(1, sim.IF_facets_hardware1() if profile == "spikey" else sim.IF_curr_exp())
        with pytest.raises(errors.NoModelAvailableError, match=f"neuromodulated_stdp_synapse.*'{profile}'"):
            sim.Projection(pre, post, sim.OneToOneConnector(),
                           syn(weight=0.01, delay=1.0, modulatory_inputs={"mod_spikes": dopa}))
    finally:
        sim.end()


@pytest.mark.parametrize("backend", RUNS_ON)
def test_simultaneous_modulatory_spikes(backend):
    """Two modulatory spikes taking effect in one step: each counts on the emulator; NEST's volume
    transmitter merges them into one entry, and NESTML's code runs the handler once (documented
    in doc/nestml.md and doc/differences.md). The source is an Assembly of two populations, and
    reset() gives the same run again."""
    sim, syn = synapse_type(backend)
    sim.setup(timestep=DT, min_delay=DT)
    try:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 30.0]))
        post = sim.Population(1, syn.postsynaptic_cell_type())
        both = sim.Population(2, sim.SpikeSourceArray(spike_times=[[20.0], [20.0]]), label="both")
        later = sim.Population(1, sim.SpikeSourceArray(spike_times=[25.0]), label="later")
        prj = sim.Projection(pre, post, sim.OneToOneConnector(),
                             syn(weight=0.01, delay=DELAY, tau_n=30.0, modulatory_inputs={"mod_spikes": both + later}),
                             receptor_type="excitatory")
        values = []
        for segment in range(2):
            if segment:
                sim.reset()
            sim.run(40.0)
            values.append(prj.get("n", format="list", with_address=False)[0])
    finally:  # (after a run: a NEST kernel reset after end() would rebuild this network)
        sim.end()
    first = math.exp(-(40.0 - 20.0 - DT) / 30.0) / 30.0  # (default delay: min_delay = one step)
    second = math.exp(-(40.0 - 25.0 - DT) / 30.0) / 30.0
    counted = 1 if backend == "nest" else 2
    assert values[0] == pytest.approx(counted * first + second, rel=1e-12)
    assert values[1] == values[0]


TOY = euler_mod_synapse("toy_mod_synapse")


def test_update_block_that_does_not_compose_runs_every_step_on_the_emulator():
    """An Euler-like update (x += r h (1 - x)) is not exact over an interval: the emulator catches
    it up step by step, which a hand computation step by step must reproduce (and one application
    over the whole interval would not)."""
    sim = importlib.import_module("pyNN.hardware")
    syn = sim.nestml.nestml_synapse_type("toy_mod_synapse", TOY)
    assert not syn.synapse_program.update_composes
    sim.setup(timestep=DT, min_delay=DT)
    try:
        pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[[7.0, 31.0], [12.5]]))
        post = sim.Population(2, sim.IF_curr_exp())
        dopa = sim.Population(1, sim.SpikeSourceArray(spike_times=[3.0, 20.0]))
        prj = sim.Projection(pre, post, sim.OneToOneConnector(),
                             syn(weight=0.001, delay=DELAY, modulatory_inputs={"mod_spikes": dopa}))
        sim.run(40.0)
        x = np.asarray(prj.get("x", format="list", with_address=False), float)
    finally:
        sim.end()
    expected, mod_steps = 0.0, {31, 201}  # effective: emission + one step (default delay: min_delay)
    for step in range(1, 401):
        expected += 0.05 * DT * (1.0 - expected)
        if step in mod_steps:
            expected += 1.0
    np.testing.assert_allclose(x, expected, rtol=1e-12)
    one_shot = 0.0  # one application per interval between the modulatory events and the end
    for h, jump in ((3.1, 1.0), (17.0, 1.0), (19.9, 0.0)):
        one_shot += 0.05 * h * (1.0 - one_shot) + jump
    assert abs(one_shot - expected) > 1e-3


def test_nest_modulatory_delay_beyond_the_fixed_range():
    """After NEST's first run its delay range is fixed: a longer modulatory delay is refused with
    an error naming the projection and what to do, not NEST's alone."""
    sim, syn = synapse_type("nest")
    sim.setup(timestep=DT, min_delay=DT)
    try:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
        post = sim.Population(1, syn.postsynaptic_cell_type())
        dopa = sim.Population(1, sim.SpikeSourceArray(spike_times=[15.0]))
        sim.Projection(pre, post, sim.OneToOneConnector(),
                       syn(weight=0.01, delay=1.0, modulatory_inputs={"mod_spikes": dopa}), receptor_type="excitatory")
        sim.run(5.0)
        with pytest.raises(errors.ConnectionError, match="Projection 'late'.*modulatory_delay 5 ms.*max_delay"):
            sim.Projection(pre, post, sim.OneToOneConnector(),
                           syn(weight=0.01, delay=1.0, modulatory_inputs={"mod_spikes": dopa}, modulatory_delay=5.0),
                           receptor_type="excitatory", label="late")
    finally:
        sim.end()


def _coincident_run(backend):
    """Every pre cell onto every post cell with different delays, two modulatory cells firing
    together (each spike runs the handler once), read, reset and run again."""
    sim, syn = synapse_type(backend)
    sim.setup(timestep=DT, min_delay=DT)
    try:
        n = len(PRE_TRAINS)
        pre = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in PRE_TRAINS]))
        teacher = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in TEACHER]))
        dopa = sim.Population(2, sim.SpikeSourceArray(spike_times=[[5.0, 21.4, 61.2], [5.0, 21.4, 70.3]]))
        post = sim.Population(n, syn.postsynaptic_cell_type(refr_T=5.0))
        sim.Projection(teacher, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=100.0, delay=DELAY),
                       receptor_type="excitatory")
        pairs = [(i, j, W0 / 1000.0, 1.0 + 0.3 * ((i + 2 * j) % 4)) for i in range(n) for j in range(n)]
        prj = sim.Projection(pre, post, sim.FromListConnector(pairs, column_names=["weight", "delay"]),
                             syn(modulatory_inputs={"mod_spikes": dopa}, modulatory_delay=MOD_DELAY, **RULE),
                             receptor_type="excitatory")
        out = []
        for _ in range(2):
            sim.run(99.0)
            out.append([np.asarray(prj.get(name, format="list", with_address=False), float)
                        for name in ("weight", "c", "n")])
            sim.reset()
        return np.array(out)
    finally:
        sim.end()


def test_brian2_and_emulator_agree_with_coincident_modulatory_spikes():
    brian2, hardware = _coincident_run("brian2"), _coincident_run("hardware")
    np.testing.assert_array_equal(brian2[0], brian2[1])  # reset() starts again from the same state
    np.testing.assert_allclose(brian2[0, 0] * 1000.0, hardware[0, 0] * 1000.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(brian2[0, 1:], hardware[0, 1:], rtol=0, atol=1e-9)
    assert not np.allclose(brian2[0, 0] * 1000.0, W0)
