"""pyNN.hardware with setup(threads=T): the engine's loops on T threads, the same results as T=1."""

import numpy as np
import pytest

import pyNN.hardware as sim
from pyNN import errors
from pyNN.hardware.engine import kernels
from pyNN.random import NumpyRNG, RandomDistribution

needs_numba = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="numba is not installed")


def _va_like(threads, stdp=False, cell="IF_cond_exp", split_everything=True, t_stop=300.0):
    """A small Vogels-Abbott-like network (exc/inh, random connections, Poisson kick-off).
    With `split_everything`, every loop is split over the threads however small it is, so
    that the threaded code runs in a network small enough for a test."""
    sim.setup(timestep=0.1, seed=5, threads=threads)
    team = sim.state.engine.team
    if split_everything:
        team.min_cells = 1
        team.min_events = 1
    params = {"tau_refrac": 5.0, "v_thresh": -50.0, "v_reset": -60.0, "v_rest": -60.0, "cm": 0.2, "tau_m": 20.0}
    celltype = getattr(sim, cell)(**params)
    v_init = RandomDistribution("uniform", low=-60.0, high=-50.0, rng=NumpyRNG(seed=11))
    exc = sim.Population(240, celltype, initial_values={"v": v_init}, label="exc")
    inh = sim.Population(61, celltype, initial_values={"v": v_init}, label="inh")
    stim = sim.Population(20, sim.SpikeSourcePoisson(rate=200.0, duration=50.0), label="stim")
    rng = NumpyRNG(seed=3)
    conn = sim.FixedProbabilityConnector(0.1, rng=rng)
    w_exc, w_inh = (0.006, 0.06) if "_cond" in cell else (0.5, 4.0)
    if stdp:
        ee_syn = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0,
                                                                       A_plus=0.01, A_minus=0.012),
                                   weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=2 * w_exc),
                                   weight=w_exc, delay=0.5, dendritic_delay_fraction=0)
    else:
        ee_syn = sim.StaticSynapse(weight=w_exc, delay=0.5)
    projections = [
        sim.Projection(exc, exc, conn, ee_syn, receptor_type="excitatory"),
        sim.Projection(exc, inh, conn, sim.StaticSynapse(weight=w_exc, delay=0.3), receptor_type="excitatory"),
        sim.Projection(inh, exc, conn, sim.StaticSynapse(weight=w_inh, delay=0.7), receptor_type="inhibitory"),
        sim.Projection(inh, inh, conn, sim.StaticSynapse(weight=w_inh, delay=0.2), receptor_type="inhibitory"),
        sim.Projection(stim, exc, sim.FixedProbabilityConnector(0.3, rng=rng),
                       sim.StaticSynapse(weight=3 * w_exc, delay=0.1), receptor_type="excitatory"),
    ]
    for pop in (exc, inh):
        pop.record(["spikes", "v"])
    sim.run(t_stop)
    out = {}
    for pop in (exc, inh):
        seg = pop.get_data().segments[0]
        out[pop.label] = ([np.asarray(st.magnitude) for st in seg.spiketrains],
                          np.asarray(seg.filter(name="v")[0].magnitude))
    weights = projections[0].get("weight", format="array") if stdp else None
    used_threads = team.started
    sim.end()
    return out, weights, used_threads


def _assert_identical(a, b):
    for label in a:
        for x, y in zip(a[label][0], b[label][0]):
            np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(a[label][1], b[label][1])  # bit for bit, not to a tolerance


@needs_numba
@pytest.mark.parametrize("stdp", [False, True], ids=["static", "stdp"])
def test_two_threads_give_bit_identical_spikes_and_v(stdp):
    one, w1, used1 = _va_like(1, stdp=stdp)
    two, w2, used2 = _va_like(2, stdp=stdp)
    assert not used1 and used2  # the threaded loops did run
    n_spikes = sum(len(t) for trains, _ in one.values() for t in trains)
    assert n_spikes > 300  # a network with real activity, so the comparison means something
    _assert_identical(one, two)
    if stdp:
        assert np.nanmax(np.abs(w1 - 0.006)) > 1e-4  # STDP did change the weights
        np.testing.assert_array_equal(w1, w2)


@needs_numba
@pytest.mark.parametrize("cell", ["IF_curr_exp", "EIF_cond_exp_isfa_ista"])
def test_threads_with_other_compiled_models(cell):
    """The current-based LIF kernel and the RK4 (AdExp) kernel split over 3 threads."""
    one, _, _ = _va_like(1, cell=cell, t_stop=100.0)
    three, _, used = _va_like(3, cell=cell, t_stop=100.0)
    assert used
    assert sum(len(t) for trains, _ in one.values() for t in trains) > 20
    _assert_identical(one, three)


def _mixed_synapses(threads):
    """Static projections and a Tsodyks-Markram one into the same cells (the static
    deliveries that wait for the threads must reach the buffers before the plastic ones),
    and a current source on some cells (their input changes every step)."""
    sim.setup(timestep=0.1, seed=9, threads=threads)
    team = sim.state.engine.team
    team.min_cells = team.min_events = 1
    celltype = sim.IF_cond_exp(tau_refrac=2.0, v_thresh=-50.0, v_reset=-60.0, v_rest=-60.0, cm=0.2)
    exc = sim.Population(150, celltype, initial_values={"v": -55.0}, label="exc")
    inh = sim.Population(50, celltype, initial_values={"v": -55.0}, label="inh")
    stim = sim.Population(30, sim.SpikeSourcePoisson(rate=300.0), label="stim")
    rng = NumpyRNG(seed=4)
    static = sim.StaticSynapse(weight=0.004, delay=0.2)
    sim.Projection(stim, exc, sim.FixedProbabilityConnector(0.3, rng=rng), static, receptor_type="excitatory")
    sim.Projection(exc, exc, sim.FixedProbabilityConnector(0.1, rng=rng), static, receptor_type="excitatory")
    sim.Projection(exc, inh, sim.FixedProbabilityConnector(0.1, rng=rng), static, receptor_type="excitatory")
    sim.Projection(inh, exc, sim.FixedProbabilityConnector(0.2, rng=rng),
                   sim.TsodyksMarkramSynapse(weight=0.02, delay=0.2, U=0.5, tau_rec=100.0),
                   receptor_type="excitatory")
    sim.ACSource(amplitude=0.3, offset=0.1, frequency=40.0).inject_into(exc[:40])
    exc.record(["spikes", "v"])
    sim.run(200.0)
    seg = exc.get_data().segments[0]
    out = {"exc": ([np.asarray(st.magnitude) for st in seg.spiketrains],
                   np.asarray(seg.filter(name="v")[0].magnitude))}
    used = team.started
    sim.end()
    return out, used


@needs_numba
def test_threads_with_static_plastic_and_current_source_inputs():
    one, _ = _mixed_synapses(1)
    two, used = _mixed_synapses(2)
    assert used
    assert sum(len(t) for t in one["exc"][0]) > 100
    _assert_identical(one, two)


def test_numpy_path_with_threads_gives_the_same_results():
    """Without numba the engine runs in one thread whatever T is; the results are those of T=1."""
    previous = kernels.set_use_numba(False)
    try:
        one, _, _ = _va_like(1, t_stop=100.0)
        two, _, _ = _va_like(2, t_stop=100.0)
    finally:
        kernels.set_use_numba(previous)
    _assert_identical(one, two)


@needs_numba
def test_small_networks_stay_in_one_thread():
    """With the default thresholds a network of a few hundred cells is not split (handing
    work to a thread would cost more than it saves)."""
    _, _, used = _va_like(2, split_everything=False, t_stop=50.0)
    assert not used
    assert sim.state.threads == 2


@pytest.mark.parametrize("bad", [0, -1, "x", 1.5, True, None])
def test_bad_thread_counts_are_refused(bad):
    with pytest.raises(errors.InvalidParameterValueError) as info:
        sim.setup(timestep=0.1, threads=bad)
    message = str(info.value)
    assert "'threads'" in message and "pyNN.hardware" in message and "an integer >= 1" in message
    assert repr(bad) in message


def _random_block(seed, n_pre=30, n_post=97, n_conn=2000, max_delay=4):
    """A Block from connections in random order (so the rows must be sorted by target),
    with multapses: several connections of one pair, some with the same delay."""
    from pyNN.hardware.engine.core import Block

    class _Group:
        def __init__(self, n):
            self.n = n
    rng = np.random.default_rng(seed)
    pre = rng.integers(0, n_pre, n_conn)
    post = rng.integers(0, n_post, n_conn)
    weight = rng.normal(0.0, 1.0, n_conn)  # mixed signs: the order of the additions shows
    delay = rng.integers(1, max_delay + 1, n_conn)
    return Block(_Group(n_pre), _Group(n_post), 1, pre, post, weight, delay), (pre, post, weight, delay)


def test_block_rows_are_sorted_by_target_and_keep_the_connections():
    block, (pre, post, weight, delay) = _random_block(1)
    for s in range(block.pre.n):
        row = block.post_index[block.indptr[s]:block.indptr[s + 1]]
        assert np.all(np.diff(row) >= 0)
    # the same connections, and `order` maps the caller's arrays onto the rows
    np.testing.assert_array_equal(block.post_index, post[block.order])
    np.testing.assert_array_equal(block.weight, weight[block.order])
    np.testing.assert_array_equal(block.delay, delay[block.order])
    np.testing.assert_array_equal(np.repeat(np.arange(block.pre.n), np.diff(block.indptr)), pre[block.order])
    # connections of one pair stay in the caller's order
    same = (np.diff(block.post_index) == 0) & (np.diff(pre[block.order]) == 0)
    assert same.any() and np.all(np.diff(block.order)[same] > 0)


@needs_numba
@pytest.mark.parametrize("parts", [2, 3, 7])
def test_split_delivery_is_bit_identical_to_the_serial_loop(parts):
    """Each range of targets bisects the sorted rows; the ranges together add exactly what
    the serial loop adds, in the same order per buffer element (repeated spiking cells too)."""
    block, _ = _random_block(2)
    rng = np.random.default_rng(3)
    spikes = np.sort(rng.choice(block.pre.n, 12, replace=False)).astype(np.int64)
    spikes = np.concatenate([spikes, spikes[:3]])
    before = rng.normal(0.0, 1.0, (6, 2, block.post.n))
    serial, split = before.copy(), before.copy()
    kernels.deliver(block.indptr, block.post_index, block.weight, block.delay, spikes, 7, serial, 1)
    n = block.post.n
    for k in range(parts):
        kernels.deliver_range(block.indptr, block.post_index, block.weight, block.delay, spikes, 7, split, 1,
                              n * k // parts, n * (k + 1) // parts)
    np.testing.assert_array_equal(serial, split)
    assert np.any(serial[:, 1] != before[:, 1])  # something was delivered ...
    np.testing.assert_array_equal(serial[:, 0], before[:, 0])  # ... to receptor 1 only


def test_thread_team_returns_results_in_range_order_and_raises_after_waiting():
    from pyNN.hardware.engine.threads import ThreadTeam
    team = ThreadTeam(3)
    try:
        assert not team.started
        assert team.run(lambda lo, hi: (lo, hi), 10, 3) == [(0, 3), (3, 6), (6, 10)]
        assert team.started
        done = []

        def part(lo, hi):
            if lo == 3:
                raise ValueError("range 3..6")
            done.append(lo)
            return lo
        with pytest.raises(ValueError, match="range 3..6"):
            team.run(part, 10, 3)
        assert sorted(done) == [0, 6]  # the other ranges ran to the end before the error was raised
        assert team.run(lambda lo, hi: hi - lo, 9, 3) == [3, 3, 3]  # the team still works
    finally:
        team.close()
    assert not team.started
