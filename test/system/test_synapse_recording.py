"""Projection.record / get_data / write_data: synapse state sampled during a run."""

import importlib

import neo
import numpy as np
import pytest

from conftest import BACKENDS, _available
from pyNN import errors
from test_short_term_plasticity import released_fractions

SPIKES = np.array([5.0, 12.0, 19.0, 40.0, 41.0])
DELAY = 1.0
TM = dict(U=0.3, tau_rec=50.0, tau_facil=100.0)


def _tm_network(sim, n=3, interval=1.0, variables=("u", "x", "y", "weight")):
    source = sim.Population(n, sim.SpikeSourceArray(spike_times=SPIKES), label="src")
    cells = sim.Population(n, sim.IF_curr_exp(tau_syn_E=2.0), label="cells")
    prj = sim.Projection(source, cells, sim.AllToAllConnector(),
                         sim.TsodyksMarkramSynapse(weight=0.1, delay=DELAY, **TM), label="tm")
    prj.record(list(variables), sampling_interval=interval)
    return prj


def _state_after(times, tau_psc=2.0):
    """u, x, y of the recurrence after each spike of SPIKES."""
    fractions = released_fractions(SPIKES, tau_psc=tau_psc, **TM)
    u_values, x_values, y_values = [], [], []
    # rebuild the state from the released fractions: the recurrence with the state exposed
    u, x, y, last = 0.0, 1.0, 0.0, 0.0
    for t, r in zip(SPIKES, fractions):
        h = t - last
        p_zz, p_yy = np.exp(-h / TM["tau_rec"]), np.exp(-h / tau_psc)
        p_xy = ((p_zz - 1) * TM["tau_rec"] - (p_yy - 1) * tau_psc) / (tau_psc - TM["tau_rec"])
        x = x + p_xy * y + (1 - p_zz) * (1 - x - y)
        y = y * p_yy
        u = u * np.exp(-h / TM["tau_facil"])
        u = u + TM["U"] * (1 - u)
        assert u * x == pytest.approx(r, rel=1e-12)
        x, y, last = x - u * x, y + u * x, t
        u_values.append(u)
        x_values.append(x)
        y_values.append(y)
    return np.array(u_values), np.array(x_values), np.array(y_values)


def _settled(times):
    """Sample times at which every backend shows the same spikes processed: not within the
    window from a spike's emission to one step after its arrival (doc/behaviour.md)."""
    dt = 0.1
    ok = np.ones(times.size, dtype=bool)
    for t in SPIKES:
        ok &= ~((times >= t - 1e-9) & (times <= t + DELAY + dt + 1e-9))
    return ok


def test_tsodyks_markram_state_is_sampled(sim):
    prj = _tm_network(sim)
    sim.run(60.0)
    block = prj.get_data()
    assert isinstance(block, neo.Block) and len(block.segments) == 1
    signals = {s.name: s for s in block.segments[0].analogsignals}
    assert set(signals) == {"u", "x", "y", "weight"}
    u = signals["u"]
    assert u.shape == (61, 9)  # t = 0, 1, ..., 60 ms; one channel per connection
    np.testing.assert_allclose(u.times.magnitude, np.arange(61.0))
    np.testing.assert_array_equal(u.array_annotations["presynaptic_index"],
                                  np.asarray(prj.get("weight", format="list"))[:, 0])
    np.testing.assert_array_equal(u.array_annotations["postsynaptic_index"],
                                  np.asarray(prj.get("weight", format="list"))[:, 1])
    assert str(signals["weight"].units.dimensionality) == "nA"
    np.testing.assert_array_equal(signals["weight"].magnitude, 0.1)
    times = u.times.magnitude
    expected = _state_after(times)
    settled = _settled(times)
    for name, values in zip("uxy", expected):
        sig = signals[name].magnitude
        for k in np.flatnonzero(settled):
            n_done = int(np.sum(SPIKES <= times[k]))
            want = {"u": 0.0, "x": 1.0, "y": 0.0}[name] if n_done == 0 else values[n_done - 1]
            np.testing.assert_allclose(sig[k], want, rtol=1e-9, atol=1e-12, err_msg=f"{name} at {times[k]} ms")


def test_segments_reset_and_write_data(sim, tmp_path):
    prj = _tm_network(sim, n=1, interval=2.0, variables=["x"])
    sim.run(20.0)
    sim.reset()
    sim.run(10.0)
    block = prj.get_data("x")
    assert [len(seg.analogsignals[0]) for seg in block.segments] == [11, 6]
    first, second = (seg.analogsignals[0].magnitude[:, 0] for seg in block.segments)
    np.testing.assert_array_equal(first[:6], second)  # reset restarts the synapse
    path = tmp_path / "tm.pkl"
    prj.write_data(str(path))
    back = neo.io.PickleIO(str(path)).read_block()
    np.testing.assert_array_equal(back.segments[0].analogsignals[0].magnitude[:, 0], first)


def test_bad_recording_requests_are_refused(sim):
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="s")
    cells = sim.Population(2, sim.IF_curr_exp(), label="c")
    prj = sim.Projection(source, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1), label="static")
    with pytest.raises(errors.RecordingError, match="static.*'u'.*weight"):
        prj.record("u")
    with pytest.raises(errors.InvalidParameterValueError, match="static.*sampling_interval=0.15"):
        prj.record("weight", sampling_interval=0.15)
    with pytest.raises(errors.RecordingError, match="static.*nothing was recorded"):
        prj.get_data()


def _stdp_weights(name):
    sim = importlib.import_module(f"pyNN.{name}")
    sim.setup(timestep=0.1)
    try:
        # no sample (every 5 ms) falls between a pre spike's emission and its arrival, where
        # backends may differ by whether that spike has been processed (doc/behaviour.md)
        pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[[10.5, 30.5, 50.5], [15.5, 35.5]]), label="pre")
        drive = sim.Population(1, sim.SpikeSourceArray(spike_times=[12.5, 33.5, 52.5]), label="drive")
        post = sim.Population(1, sim.IF_curr_exp(tau_refrac=2.0), label="post")
        sim.Projection(drive, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=20.0, delay=1.0))
        stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.1,
                                                                      A_minus=0.12),
                                 weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0),
                                 weight=0.5, delay=1.0)
        try:
            prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp, label="plastic")
        except errors.NoModelAvailableError:
            return None
        prj.record("weight", sampling_interval=5.0)
        sim.run(80.0)
        sig = prj.get_data().segments[0].analogsignals[0]
        final = np.asarray(prj.get("weight", format="list", with_address=False))
        return sig.magnitude, final
    finally:
        sim.end()


def test_plastic_weights_are_sampled_alike_on_every_backend():
    results = {}
    for name in BACKENDS:
        if _available(name):
            found = _stdp_weights(name)
            if found is not None:
                results[name] = found
    if len(results) < 2:
        pytest.skip("needs STDP on two backends")
    names = list(results)
    ref, final = results[names[0]]
    np.testing.assert_array_equal(ref[-1], final)  # the last sample is what get() returns
    assert np.ptp(ref) > 0.01  # the weights did change
    for name in names[1:]:
        np.testing.assert_allclose(results[name][0], ref, atol=1e-9, err_msg=f"{name} vs {names[0]}")



def _random_stdp(sim, label):
    """A small network whose STDP weights change often: random (but fixed) input spike
    trains onto cells that fire, so that a run after reset() repeats the first."""
    rng = np.random.default_rng(7)
    trains = [np.unique(np.round(rng.uniform(0.0, 35.0, 3 * k % 7 + 2), 1)) for k in range(16)]
    trains[0] = np.union1d(trains[0], [20.1])  # delivered after a run that ends at 20.2 ms
    pre = sim.Population(12, sim.SpikeSourceArray(spike_times=trains[:12]), label=f"{label}-pre")
    drive = sim.Population(4, sim.SpikeSourceArray(spike_times=trains[12:]), label=f"{label}-drive")
    post = sim.Population(4, sim.IF_curr_exp(tau_refrac=1.0), label=f"{label}-post")
    sim.Projection(drive, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=20.0, delay=0.5))
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.02,
                                                                  A_minus=0.024),
                             weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0),
                             weight=0.5, delay=1.0)
    return sim.Projection(pre, post, sim.AllToAllConnector(), stdp, label=label)


def test_weight_samples_equal_get_after_running_to_each_sample(sim):
    """Every sample is what get() returns after running to its time, also across runs that
    end between sample times and a set() there: the samples of long runs (NEST: rebuilt
    from the weight_recorder's events; NEURON: read where spikes may have changed them;
    Brian2: a StateMonitor) against a replay after reset() that stops at each sample time
    and calls get()."""
    interval, split, total = 0.5, 20.2, 35.0
    try:
        prj = _random_stdp(sim, "recorded")
    except errors.NoModelAvailableError:
        pytest.skip("no STDP on this backend")
    prj.record("weight", sampling_interval=interval)
    sim.run(split)
    try:
        prj.set(weight=0.4)
        changed = True
    except errors.NotSupportedError:  # Brian2: not after a run (doc/behaviour.md)
        changed = False
    sim.run(total - split)
    sim.reset()
    prj.set(weight=0.5)

    def weights():
        return np.asarray(prj.get("weight", format="list", with_address=False))

    read = [weights()]
    samples = np.arange(1, round(total / interval) + 1) * interval
    for t in np.union1d(samples, [split]):
        sim.run_until(t)
        if np.isclose(t, split) and changed:
            prj.set(weight=0.4)
        if np.any(np.isclose(samples, t)):
            read.append(weights())
    read = np.array(read)
    long_runs, stopped = (seg.analogsignals[0].magnitude for seg in prj.get_data().segments)
    assert long_runs.shape == read.shape == (samples.size + 1, 48)
    assert np.ptp(read) > 0.02  # the weights did change
    np.testing.assert_array_equal(stopped, read)
    np.testing.assert_array_equal(long_runs, read)


def test_record_none_stops_the_samples(sim):
    try:
        prj = _random_stdp(sim, "stopped")
    except errors.NoModelAvailableError:
        pytest.skip("no STDP on this backend")
    prj.record("weight", sampling_interval=1.0)
    sim.run(12.0)
    prj.record(None)
    sim.run(23.0)  # the weights go on changing, unrecorded
    signal = prj.get_data().segments[0].analogsignals[0]
    np.testing.assert_allclose(signal.times.magnitude, np.arange(13.0))
    assert not np.array_equal(signal.magnitude[-1], prj.get("weight", format="list", with_address=False))
