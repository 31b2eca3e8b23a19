"""NESTML's neuromodulated STDP synapse (``mod_spikes``) on NEURON: against a hand computation of
the documented semantics (``pyNN.nestml.synapse_program``), on one and on two MPI processes, and
NEURON's own limits (modulatory channels per cell, the buffer of modulatory spikes).

The semantics, by hand: the update block runs once per time step (w, c and n from their old
values, then the exact decay of the traces); the events of a step's end run after it in the
order modulatory, post, pre; every modulatory spike runs the handler once; a pre
spike reads the post trace as before a post event of its own time. A connection's state is
read as of now: its events up to now, then the update block up to now (here at the end of the
run, when no pre spike is on its way).

The network makes every one of these cases happen: two dopamine cells fire in the same step,
and at 16.6 ms a modulatory spike, a post spike and a pre spike reach connection (0, 0) at the
same time.
"""

import importlib
import json
import math
import os
import sys
import warnings

import numpy as np
import pytest

from nestml_test_models import euler_mod_synapse
from pyNN import errors

pytest.importorskip("pynestml", reason="the nestml package is part of requirements.txt")

LIBRARY = os.path.join(sys.prefix, "models")
SYNAPSE = os.path.join(LIBRARY, "synapses", "neuromodulated_stdp_synapse.nestml")
NEURON_MODEL = os.path.join(LIBRARY, "neurons", "iaf_psc_exp_neuron.nestml")
DT = 0.1
DELAY = 1.5
TEACHER_DELAY = 1.0
MOD_DELAY = 2.0
NESTML_CELL = dict(C_m=1.0, tau_m=5.0, E_L=-65.0, V_reset=-65.0, V_th=-55.0, refr_T=0.5, tau_syn_exc=0.2,
                   tau_syn_inh=2.0, I_e=0.0)
RULE = dict(tau_tr_pre=20.0, tau_tr_post=15.0, tau_c=50.0, tau_n=30.0, b=0.01, A_plus=1.0, A_minus=1.5)
W0 = 0.5  # NESTML weight; the library weight is W0/1000
#: the teacher makes post cell k fire at these times + TEACHER_DELAY + one step
TEACHER = [[14.0, 28.0, 45.0, 65.0, 85.0], [8.0, 33.0, 56.0, 74.0, 94.0]]
#: pre spikes: 16.6 is the synapse time of post cell 0's first spike (15.1 + 1.5)
PRE = [[10.0, 16.6, 40.0, 61.0, 82.0], [5.0, 30.0, 52.0, 70.0, 90.0]]
#: dopamine cells: both fire at 50.0 (two handler runs); 14.6 + 2.0 = 16.6
DOPA = [[12.0, 14.6, 50.0, 55.1], [20.0, 26.1, 50.0]]
#: a second modulated projection onto the same cells, with its own modulator (its own channel)
PRE2 = [[11.0, 36.0, 60.0, 88.0]]
DOPA2 = [[30.0, 31.0, 64.0]]
T_STOP = 100.0
_types = {}


def neuromodulated_type():
    sim = importlib.import_module("pyNN.neuron")
    if "neuron" not in _types:
        _types["neuron"] = sim.nestml.nestml_synapse_type("neuromodulated_stdp_synapse", SYNAPSE,
                                                          postsynaptic_neuron_nestml_description=NEURON_MODEL)
    return sim, _types["neuron"]


pytestmark = pytest.mark.usefixtures("forget_nestml_modules")


def reference(pre, post_emitted, dopa_emitted, until=T_STOP, p=RULE, w0=W0):
    """(w, n, c, pre_tr, post_tr) of one connection at `until`, by hand (see the module
    docstring); times in ms, on the grid."""
    tau_s = (p["tau_c"] + p["tau_n"]) / (p["tau_c"] * p["tau_n"])
    order = {"mod": 0, "post": 1, "pre": 2}
    events = [(round(t / DT), "pre") for t in pre]
    events += [(round((t + DELAY) / DT), "post") for t in post_emitted]
    events += [(round((t + MOD_DELAY) / DT), "mod") for t in dopa_emitted]  # each spike once
    last = round(until / DT)
    events.append((last, "end"))
    order["end"] = 3
    w, n, c, pre_tr, post_tr = w0, 0.0, 0.0, 0.0, 0.0
    step, post_seen = 0, 0.0
    for k, kind in sorted((e for e in events if e[0] <= last), key=lambda e: (e[0], order[e[1]])):
        while step < k:
            w -= c * (n / tau_s * math.expm1(-tau_s * DT) - p["b"] * p["tau_c"] * math.expm1(-DT / p["tau_c"]))
            c *= math.exp(-DT / p["tau_c"])
            n *= math.exp(-DT / p["tau_n"])
            pre_tr *= math.exp(-DT / p["tau_tr_pre"])
            post_tr *= math.exp(-DT / p["tau_tr_post"])
            step += 1
            post_seen = post_tr
        if kind == "mod":
            n += 1.0 / p["tau_n"]
        elif kind == "post":
            post_tr += 1.0
            c += p["A_plus"] * pre_tr
        elif kind == "pre":
            pre_tr += 1.0
            c -= p["A_minus"] * post_seen
    return w, n, c, pre_tr, post_tr


def _build(sim, syn):
    def source(trains, label):
        return sim.Population(len(trains), sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in trains]),
                              label=label)

    pre, pre2, teacher = source(PRE, "pre"), source(PRE2, "pre2"), source(TEACHER, "teacher")
    dopa, dopa2 = source(DOPA, "dopa"), source(DOPA2, "dopa2")
    post = sim.Population(len(TEACHER), syn.postsynaptic_cell_type(**NESTML_CELL), label="post")
    post.initialize(V_m=-65.0)
    sim.Projection(teacher, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=500.0, delay=TEACHER_DELAY),
                   receptor_type="excitatory")
    prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                         syn(weight=W0 / 1000.0, delay=DELAY, modulatory_inputs={"mod_spikes": dopa},
                             modulatory_delay=MOD_DELAY, **RULE), receptor_type="excitatory", label="modulated")
    prj2 = sim.Projection(pre2, post, sim.AllToAllConnector(),
                          syn(weight=W0 / 1000.0, delay=DELAY, modulatory_inputs={"mod_spikes": dopa2},
                              modulatory_delay=MOD_DELAY, **RULE), receptor_type="excitatory", label="modulated2")
    post.record("spikes")
    return post, prj, prj2


def _expected(spikes):
    """The hand computation for every connection of both projections, in get()'s order
    (sorted by post, then pre): arrays (connections, [w, n, c, pre_tr, post_tr])."""
    dopa = [t for train in DOPA for t in train]
    dopa2 = [t for train in DOPA2 for t in train]
    first = [reference(PRE[i], spikes[j], dopa) for j in range(len(TEACHER)) for i in range(len(PRE))]
    second = [reference(PRE2[i], spikes[j], dopa2) for j in range(len(TEACHER)) for i in range(len(PRE2))]
    return np.array(first), np.array(second)


def test_neuromodulated_rule_matches_hand_computation_on_neuron():
    sim, syn = neuromodulated_type()
    sim.setup(timestep=DT, min_delay=DT)
    try:
        post, prj, prj2 = _build(sim, syn)
        assert len(prj._modulation.netcons) == len(DOPA) * len(TEACHER)  # modulators x cells, not x connections
        # a read-out while the pre spike of 16.6 ms is on its way leaves the connections as they were
        sim.run(17.0)
        early = np.asarray(prj.get("weight", format="list", with_address=False), float)
        assert np.all(np.isfinite(early))
        sim.run(T_STOP - 17.0)
        spikes = [np.round(np.asarray(st.magnitude), 9) for st in post.get_data().segments[0].spiketrains]
        got = {name: [np.asarray(p.get(name, format="list", with_address=False), float) for p in (prj, prj2)]
               for name in ("weight", "n", "c", "pre_tr", "post_tr")}
    finally:
        sim.end()
    for train, wanted in zip(spikes, TEACHER):
        np.testing.assert_allclose(train, np.asarray(wanted) + TEACHER_DELAY + DT)
    assert round(16.6 - DELAY, 9) in np.round(spikes[0], 9)  # post, pre and dopamine all reach (0, 0) at 16.6
    expected = _expected(spikes)
    for k, wanted in enumerate(expected):
        np.testing.assert_allclose(got["weight"][k] * 1000.0, wanted[:, 0], rtol=0, atol=1e-9)
        for column, name in enumerate(("n", "c", "pre_tr", "post_tr"), 1):
            np.testing.assert_allclose(got[name][k], wanted[:, column], rtol=0, atol=1e-9, err_msg=name)
    assert np.all(np.abs(expected[0][:, 0] - W0) > 1e-3)  # the rule moved every weight
    # each projection heard its own modulator only
    assert not np.allclose(expected[1][:, 1], [reference(PRE2[0], spikes[j], [t for d in DOPA for t in d])[1]
                                               for j in range(len(TEACHER))])


def test_neuromodulated_rule_same_on_two_mpi_processes(tmp_path):
    """The same network under ``mpirun -np 2`` (the modulator cells of one process reach the
    target cells of the other through gid NetCons): the weights of the hand computation; a
    modulatory delay too short for NEURON across processes is refused."""
    from test_mpi import MPIRUN, _HAVE_MPI4PY, _SAY, _run_on_two_processes
    if MPIRUN is None or not _HAVE_MPI4PY:
        pytest.skip("no mpirun or mpi4py (install the mpich and mpi4py packages)")
    neuromodulated_type()  # compiled (or taken from the cache) once, before the processes start
    script = tmp_path / "neuromodulated.py"
    here = os.path.dirname(__file__)
    script.write_text(
        "import json, sys\n"
        f"sys.path.insert(0, {here!r})\n"
        "import numpy as np\n"
        "import test_nestml_neuromodulated_neuron as t\n"
        + _SAY +
        "sim, syn = t.neuromodulated_type()\n"
        "sim.setup(timestep=t.DT, min_delay=2 * t.DT)\n"
        "post, prj, prj2 = t._build(sim, syn)\n"
        "from pyNN.errors import InvalidParameterValueError\n"
        "try:\n"
        "    sim.Projection(prj.pre, post, sim.AllToAllConnector(), syn(modulatory_inputs={'mod_spikes': prj2.pre},\n"
        "                   modulatory_delay=2 * t.DT, delay=t.DELAY), label='short')\n"
        "except InvalidParameterValueError as e:\n"
        "    refused = str(e)\n"
        "sim.run(t.T_STOP)\n"
        "spikes = [np.round(np.asarray(st.magnitude), 9).tolist() for st in sorted(\n"
        "    post.get_data().segments[0].spiketrains, key=lambda st: st.annotations['channel_id'])]\n"
        "w = [np.asarray(p.get('weight', format='list', with_address=False), float).tolist() for p in (prj, prj2)]\n"
        "say(json.dumps({'n': sim.num_processes(), 'local': len(post.local_cells), 'spikes': spikes, 'w': w,\n"
        "                 'refused': refused}))\n"
        "sim.end()\n")
    lines, out = _run_on_two_processes(script)
    assert len(lines) == 2, out.stdout[-3000:] + out.stderr[-3000:]
    results = [json.loads(line) for line in lines]
    # the modulator NetCons deliver one step early and NEURON needs two steps across processes
    assert "Projection 'short': modulatory_delay 0.2 ms is too short" in results[0]["refused"]
    assert "at least 0.3 ms" in results[0]["refused"]
    assert [r["n"] for r in results] == [2, 2] and [r["local"] for r in results] == [1, 1]
    assert results[0]["spikes"] == results[1]["spikes"] and results[0]["w"] == results[1]["w"]  # all gathered
    expected = _expected([np.asarray(train) for train in results[0]["spikes"]])
    for k, wanted in enumerate(expected):
        np.testing.assert_allclose(np.asarray(results[0]["w"][k]) * 1000.0, wanted[:, 0], rtol=0, atol=1e-9)


def test_modulatory_channels_per_cell_are_limited_on_neuron():
    from pyNN.neuron.nestml_synapse_nmodl import NCHAN
    sim, syn = neuromodulated_type()
    sim.setup(timestep=DT, min_delay=DT)
    try:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
        dopa = sim.Population(1, sim.SpikeSourceArray(spike_times=[3.0]))
        post = sim.Population(2, syn.postsynaptic_cell_type(), label="targets")
        for _ in range(NCHAN):
            sim.Projection(pre, post, sim.AllToAllConnector(), syn(modulatory_inputs={"mod_spikes": dopa}))
        with pytest.raises(errors.NoModelAvailableError,
                           match=f"Projection 'one too many'.*at most {NCHAN} modulatory channels"):
            sim.Projection(pre, post[1:], sim.AllToAllConnector(), syn(modulatory_inputs={"mod_spikes": dopa}),
                           label="one too many")
        # other cells of the same type have their own channels
        sim.Projection(pre, sim.Population(1, syn.postsynaptic_cell_type()), sim.AllToAllConnector(),
                       syn(modulatory_inputs={"mod_spikes": dopa}))
    finally:
        sim.end()


def test_many_modulatory_spikes_between_pre_spikes_on_neuron():
    """Far more modulatory spikes between two pre spikes than a channel keeps (NMOD): the
    connections are flushed every NMOD/2 spikes, so none is lost and the weights are those of
    the hand computation."""
    from pyNN.neuron.nestml_synapse_nmodl import NMOD
    sim, syn = neuromodulated_type()
    dopa_times = [np.round(np.arange(2.0, 92.0, 0.3), 1), np.round(np.arange(3.0, 93.0, 0.5), 1)]
    assert sum(len(d) for d in dopa_times) > 3 * NMOD
    sim.setup(timestep=DT, min_delay=DT)
    try:
        pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0, 95.0], [40.0, 96.0]]))
        teacher = sim.Population(1, sim.SpikeSourceArray(spike_times=[[20.0, 50.0]]))
        dopa = sim.Population(2, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in dopa_times]))
        post = sim.Population(1, syn.postsynaptic_cell_type(**NESTML_CELL))
        post.initialize(V_m=-65.0)
        sim.Projection(teacher, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=500.0, delay=TEACHER_DELAY),
                       receptor_type="excitatory")
        prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                             syn(weight=W0 / 1000.0, delay=DELAY, modulatory_inputs={"mod_spikes": dopa},
                                 modulatory_delay=MOD_DELAY, **RULE), receptor_type="excitatory")
        post.record("spikes")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no spike may be lost
            sim.run(T_STOP)
        spikes = np.round(np.asarray(post.get_data().segments[0].spiketrains[0].magnitude), 9)
        weights = np.asarray(prj.get("weight", format="list", with_address=False), float) * 1000.0
    finally:
        sim.end()
    assert len(spikes) == 2
    dopa_all = [t for train in dopa_times for t in train]
    expected = [reference(times, spikes, dopa_all)[0] for times in ([1.0, 95.0], [40.0, 96.0])]
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-9)


def test_lost_modulatory_spikes_are_reported_on_neuron():
    """More modulatory spikes within one connection delay than a channel keeps: the oldest are
    lost, with a warning, not silently."""
    from pyNN.neuron.nestml_synapse_nmodl import NMOD
    sim, syn = neuromodulated_type()
    sim.setup(timestep=DT, min_delay=DT)
    try:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0, 60.0]))
        # (NMOD + 32) spikes in two steps, within the connection's delay
        dopa = sim.Population((NMOD + 32) // 2, sim.SpikeSourceArray(spike_times=[5.0, 5.1]))
        post = sim.Population(1, syn.postsynaptic_cell_type())
        sim.Projection(pre, post, sim.AllToAllConnector(), syn(modulatory_inputs={"mod_spikes": dopa}))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sim.run(70.0)
        assert any("32 modulatory spike(s) were not applied" in str(w.message) for w in caught), \
            [str(w.message) for w in caught]
    finally:
        sim.end()


#: an update block that is not exact over longer intervals (Euler-like): NEURON runs it once per
#: step between events (update_composes is False)
EULER_SYNAPSE = euler_mod_synapse("euler_mod_synapse")


def test_update_block_that_does_not_compose_runs_per_step_on_neuron():
    sim = importlib.import_module("pyNN.neuron")
    syn = sim.nestml.nestml_synapse_type("euler_mod_synapse", EULER_SYNAPSE,
                                         postsynaptic_neuron_nestml_description=NEURON_MODEL)
    assert not syn.synapse_program.update_composes
    mod_times = [3.0, 3.0, 10.4, 21.0]
    sim.setup(timestep=DT, min_delay=DT)
    try:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0, 15.0]))
        dopa = sim.Population(2, sim.SpikeSourceArray(spike_times=[mod_times[:3], mod_times[3:]]))
        post = sim.Population(1, syn.postsynaptic_cell_type())
        prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                             syn(weight=0.001, delay=DELAY, modulatory_inputs={"mod_spikes": dopa},
                                 modulatory_delay=MOD_DELAY, r=50.0))  # Hz: the library's unit of 1/ms
        sim.run(30.0)
        x = prj.get("x", format="list", with_address=False)[0]
    finally:
        sim.end()
    expected, step = 0.0, 0
    for k in sorted(round((t + MOD_DELAY) / DT) for t in mod_times) + [round(30.0 / DT)]:
        for _ in range(k - step):
            expected += 0.05 * DT * (1 - expected)
        step = k
        expected += 1.0 if k < round(30.0 / DT) else 0.0
    assert x == pytest.approx(expected, rel=1e-12)
