"""Stochastic synapses on every backend, with the algorithm of doc/behaviour.md ("Stochastic
synapses").

Random draws differ between simulators, so the tests are statistical, with fixed seeds and
bounds five standard errors wide that a wrong model cannot meet: the release probability,
the distribution of the number of quanta at the first spike, and the mean number released
at every spike of a train against the analytic expectation. Reproducibility with the same
seed, and the deterministic limits (p = 1, or U = 1 with sites that refill at once), are
exact.

Each source drives its own IF_curr_delta cell that does not leak and cannot fire, with
weights of 1 mV (or a power of two) per quantum, so v counts the quanta released.
"""

from math import comb

import numpy as np
import pytest

from pyNN import errors
from scenario_tools import binomial_bounds, run

ISI = 10.0
SPIKES = np.arange(5.0, 205.0, ISI)  # 20 spikes per source; each delivered before the next sample
DELAY = 1.0
SIGMAS = 5.0


def _counts(sim, synapse, n_cells, spikes=SPIKES):
    """Quanta released per connection (rows) and spike (columns)."""
    sources = sim.Population(n_cells, sim.SpikeSourceArray(spike_times=spikes), label="sources")
    cells = sim.Population(n_cells, sim.IF_curr_delta(tau_m=1e9, v_rest=0.0, v_thresh=1e9, tau_refrac=0.1),
                           label="counters")
    cells.initialize(v=0.0)
    sim.Projection(sources, cells, sim.OneToOneConnector(), synapse, label="stochastic")
    cells.record("v", sampling_interval=ISI)
    run(sim, spikes[-1] + ISI - spikes[0] + 5.0)
    v = np.asarray(cells.get_data().segments[-1].analogsignals[0].magnitude)  # (samples, cells)
    # sample k (time k*ISI) holds every spike delivered before it: spikes 0..k-1
    cumulative = v[1:len(spikes) + 1].T
    # (the membrane leaks by 1e-10 of v per step: round to whole quanta)
    return np.rint(np.diff(np.concatenate([np.zeros((n_cells, 1)), cumulative], axis=1), axis=1))


def _expected_quantal(U, n, tau_rec, tau_facil, spikes=SPIKES):
    """Mean quanta per spike of the quantal model (doc/behaviour.md): the expectation is
    linear in the number of available sites, so it follows a deterministic recurrence (the
    two-state Tsodyks-Markram model, times n)."""
    out, u, available, last = [], 0.0, float(n), 0.0
    for k, t in enumerate(spikes):
        h = t - last
        decay = np.exp(-h / tau_facil) if tau_facil > 0 else 0.0
        u = U + u * (1 - U) * decay
        if k:
            available += (n - available) * (1 - np.exp(-h / tau_rec))
        released = u * available
        available -= released
        out.append(released)
        last = t
    return np.array(out)


def _within(measured, expected, bound, what):
    bound = np.broadcast_to(bound, measured.shape)
    bad = np.flatnonzero(np.abs(measured - expected) > bound)
    assert not bad.size, (f"{what}: spikes {bad.tolist()} measured {measured[bad].round(3).tolist()}, "
                          f"expected {expected[bad].round(3).tolist()} +- {bound[bad].round(3).tolist()}")


def test_simple_stochastic_release_probability(sim):
    n_cells = 40
    p = np.where(np.arange(n_cells) < n_cells // 2, 0.2, 0.8)
    counts = _counts(sim, sim.SimpleStochasticSynapse(weight=1.0, delay=DELAY, p=p), n_cells)
    assert set(np.unique(counts)) <= {0.0, 1.0}  # a spike is transmitted whole or not at all
    for prob in (0.2, 0.8):
        group = counts[p == prob]
        low, high = binomial_bounds(group.size, prob, SIGMAS)
        assert low <= group.sum() <= high, (prob, group.sum(), low, high)


@pytest.mark.parametrize("U, n, tau_rec, tau_facil", [(0.5, 5, 200.0, 0.0), (0.2, 4, 50.0, 40.0)])
def test_multi_quantal_mean_release_per_spike(sim, U, n, tau_rec, tau_facil):
    """Depression (and facilitation) of the mean release, spike by spike, to 5 standard errors."""
    n_cells = 200
    counts = _counts(sim, sim.MultiQuantalSynapse(weight=1.0, delay=DELAY, U=U, n=n, tau_rec=tau_rec,
                                                  tau_facil=tau_facil), n_cells)
    assert np.all((counts >= 0) & (counts <= n) & (counts == np.round(counts)))
    expected = _expected_quantal(U, n, tau_rec, tau_facil)
    # the count of one spike is at most n, so its standard deviation is at most n/2
    stderr = np.maximum(counts.std(axis=0), 0.5) / np.sqrt(n_cells)
    _within(counts.mean(axis=0), expected, SIGMAS * stderr, "mean quanta")
    # and the dynamics are really there: a synapse without them would release U*n each time
    assert np.any(np.abs(counts.mean(axis=0) - U * n) > SIGMAS * stderr)


def test_multi_quantal_first_spike_is_binomial(sim):
    """All n sites are available at the first spike: the count is Binomial(n, U)."""
    n_cells, n, U = 400, 6, 0.3
    counts = _counts(sim, sim.MultiQuantalSynapse(weight=1.0, delay=DELAY, U=U, n=n, tau_rec=100.0), n_cells,
                     spikes=np.array([5.0]))[:, 0]
    k = np.arange(n + 1)
    pmf = np.array([comb(n, j) * U ** j * (1 - U) ** (n - j) for j in k])
    observed = np.bincount(counts.astype(int), minlength=n + 1)
    for j in k:
        low, high = binomial_bounds(n_cells, pmf[j], SIGMAS)
        assert low <= observed[j] <= high, (j, observed.tolist(), (n_cells * pmf).round(1).tolist())


def test_stochastic_tsodyks_markram_mean_release(sim):
    """One release site: the mean release per spike is the two-state Tsodyks-Markram model."""
    n_cells = 300
    U, tau_rec, tau_facil = 0.6, 40.0, 20.0
    counts = _counts(sim, sim.StochasticTsodyksMarkramSynapse(weight=1.0, delay=DELAY, U=U, tau_rec=tau_rec,
                                                              tau_facil=tau_facil), n_cells)
    assert set(np.unique(counts)) <= {0.0, 1.0}
    expected = _expected_quantal(U, 1, tau_rec, tau_facil)
    stderr = np.sqrt(expected * (1 - expected) / n_cells) + 0.5 / n_cells
    _within(counts.mean(axis=0), expected, SIGMAS * stderr, "release probability")


def _reseeded(sim, seed, make):
    sim.end()
    sim.setup(timestep=0.1, rng_seed=seed)
    return _counts(sim, make(), 30)


@pytest.mark.parametrize("name", ["SimpleStochasticSynapse", "StochasticTsodyksMarkramSynapse",
                                  "MultiQuantalSynapse"])
def test_same_seed_same_releases(sim, name):
    params = {"SimpleStochasticSynapse": {"p": 0.5}, "StochasticTsodyksMarkramSynapse": {"U": 0.5},
              "MultiQuantalSynapse": {"U": 0.5, "n": 3, "tau_rec": 30.0}}[name]

    def make():
        return getattr(sim, name)(weight=1.0, delay=DELAY, **params)

    first = _reseeded(sim, 1234, make)
    again = _reseeded(sim, 1234, make)
    other = _reseeded(sim, 4321, make)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_reset_starts_a_new_trial(sim):
    """After reset() the state starts again (all sites available) with new draws."""
    sources = sim.Population(50, sim.SpikeSourceArray(spike_times=SPIKES), label="sources")
    cells = sim.Population(50, sim.IF_curr_delta(tau_m=1e9, v_rest=0.0, v_thresh=1e9), label="counters")
    cells.initialize(v=0.0)
    sim.Projection(sources, cells, sim.OneToOneConnector(),
                   sim.MultiQuantalSynapse(weight=1.0, delay=DELAY, U=0.5, n=4, tau_rec=300.0))
    cells.record("v", sampling_interval=ISI)
    totals = []
    for _ in range(2):
        run(sim, 210.0)
        totals.append(np.asarray(cells.get_data().segments[-1].analogsignals[0].magnitude)[-1])
        sim.reset()
    first, second = totals
    assert not np.array_equal(first, second)
    expected = _expected_quantal(0.5, 4, 300.0, 0.0).sum()
    for total in totals:  # the run-down starts again from n available sites in each segment
        assert abs(total.mean() - expected) < SIGMAS * max(total.std(), 0.5) / np.sqrt(total.size)


def test_deterministic_limits_equal_the_static_synapse(sim):
    """p = 1 is a static synapse; U = 1 with sites that refill at once (tau_rec -> 0) releases
    all n sites at every spike: a static synapse of weight n * weight. Exactly (the cells
    fire, so any difference would show)."""
    synapses = {
        "static": sim.StaticSynapse(weight=1.5, delay=DELAY),
        "p=1": sim.SimpleStochasticSynapse(weight=1.5, delay=DELAY, p=1.0),
        "quantal": sim.MultiQuantalSynapse(weight=0.5, delay=DELAY, U=1.0, n=3, tau_rec=1e-6),
        "single site": sim.StochasticTsodyksMarkramSynapse(weight=1.5, delay=DELAY, U=1.0, tau_rec=1e-6),
        "p=0": sim.SimpleStochasticSynapse(weight=1.5, delay=DELAY, p=0.0),
        "none": sim.StaticSynapse(weight=0.0, delay=DELAY),
    }
    sources = sim.Population(3, sim.SpikeSourceArray(spike_times=[2.0, 4.0, 9.0, 30.0]), label="sources")
    cells = {}
    for name, synapse in synapses.items():
        cells[name] = sim.Population(3, sim.IF_curr_exp(tau_refrac=2.0, v_thresh=-60.0), label=name)
        sim.Projection(sources, cells[name], sim.OneToOneConnector(), synapse)
        cells[name].record("v")
    run(sim, 50.0)
    v = {name: np.asarray(p.get_data().segments[-1].analogsignals[0].magnitude) for name, p in cells.items()}
    assert v["static"].max() > -61.0  # the cells are driven to threshold
    for name in ("p=1", "quantal", "single site"):
        np.testing.assert_array_equal(v[name], v["static"], err_msg=name)
    np.testing.assert_array_equal(v["p=0"], v["none"])


def test_initialize_takes_the_start_state(sim):
    """PyNN's multiquantal_synapses.py example calls ``prj.initialize(a=syn.parameter_space['n'],
    u=syn.parameter_space['U'])`` (NEST's state names): the state the model starts with is
    accepted on every backend and changes nothing (the deterministic limit still equals a
    static synapse); another start value is refused, naming the projection and the state."""
    sources = sim.Population(2, sim.SpikeSourceArray(spike_times=[2.0, 4.0, 9.0]), label="sources")
    quantal = sim.MultiQuantalSynapse(weight=0.5, delay=DELAY, U=1.0, n=3, tau_rec=1e-6)
    single = sim.StochasticTsodyksMarkramSynapse(weight=1.5, delay=DELAY, U=1.0, tau_rec=1e-6)
    cells = {name: sim.Population(2, sim.IF_curr_exp(tau_refrac=2.0, v_thresh=-60.0), label=name)
             for name in ("static", "quantal", "single")}
    sim.Projection(sources, cells["static"], sim.OneToOneConnector(), sim.StaticSynapse(weight=1.5, delay=DELAY))
    prj = sim.Projection(sources, cells["quantal"], sim.OneToOneConnector(), quantal, label="mq")
    prj.initialize(a=quantal.parameter_space["n"], u=quantal.parameter_space["U"])
    prj.initialize(a=np.full(2, 3.0))
    prj1 = sim.Projection(sources, cells["single"], sim.OneToOneConnector(), single, label="stm")
    prj1.initialize(u=1.0)
    with pytest.raises(errors.NotSupportedError, match=r"'mq'.*initialize\(a=2.*starts with a = n \(here 3\)"):
        prj.initialize(a=2)
    with pytest.raises(errors.NotSupportedError, match=r"'stm'.*u = U"):
        prj1.initialize(u=0.2)
    for p in cells.values():
        p.record("v")
    run(sim, 20.0)
    v = {name: np.asarray(p.get_data().segments[-1].analogsignals[0].magnitude) for name, p in cells.items()}
    assert v["static"].max() > -61.0
    np.testing.assert_array_equal(v["quantal"], v["static"])
    np.testing.assert_array_equal(v["single"], v["static"])


@pytest.mark.parametrize("name, params, match", [
    ("SimpleStochasticSynapse", {"p": 1.5}, "p"),
    ("MultiQuantalSynapse", {"n": 2.5}, "n"),
    ("MultiQuantalSynapse", {"n": 0}, "n"),
    ("StochasticTsodyksMarkramSynapse", {"U": -0.1}, "U"),
])
def test_bad_parameters_are_refused(sim, name, params, match):
    cells = sim.Population(2, sim.IF_curr_exp(), label="cells")
    with pytest.raises(errors.InvalidParameterValueError, match=f"'bad'.*{name} parameter '{match}'"):
        sim.Projection(cells, cells, sim.OneToOneConnector(), getattr(sim, name)(weight=1.0, **params), label="bad")


def test_per_connection_parameters_and_get(sim):
    """n, U and p may differ per connection; get() returns them as set."""
    n_cells = 240
    n = np.tile([1, 2, 4, 8], n_cells // 4)
    U = np.repeat([0.25, 0.75], n_cells // 2)
    sources = sim.Population(n_cells, sim.SpikeSourceArray(spike_times=[5.0]), label="sources")
    cells = sim.Population(n_cells, sim.IF_curr_delta(tau_m=1e9, v_rest=0.0, v_thresh=1e9), label="counters")
    cells.initialize(v=0.0)
    prj = sim.Projection(sources, cells, sim.OneToOneConnector(),
                         sim.MultiQuantalSynapse(weight=1.0, delay=DELAY, U=U, n=n, tau_rec=100.0), label="mixed")
    np.testing.assert_array_equal(prj.get("n", format="array").diagonal(), n)
    np.testing.assert_array_equal(prj.get("U", format="array").diagonal(), U)
    cells.record("v", sampling_interval=ISI)
    run(sim, 10.0)
    counts = np.rint(np.asarray(cells.get_data().segments[-1].analogsignals[0].magnitude)[-1])
    assert np.all(counts <= n)
    for sites in (1, 2, 4, 8):
        for prob in (0.25, 0.75):
            group = counts[(n == sites) & (U == prob)]
            low, high = binomial_bounds(group.size * sites, prob, SIGMAS)
            assert low <= group.sum() <= high, (sites, prob, group.sum(), low, high)


def test_neuron_refuses_targets_without_the_mechanism(sim):
    """On NEURON the release runs in the target mechanism's NET_RECEIVE (pynn_synapse.inc),
    which every standard cell type has, NEURON's own artificial cells not: they are refused."""
    if sim.__name__ != "pyNN.neuron":
        pytest.skip("a restriction of the NEURON backend")
    sources = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0]))
    native = sim.Population(2, sim.IntFire1())
    with pytest.raises(errors.NoModelAvailableError, match="MultiQuantalSynapse.*NEURON.*IntFire1"):
        sim.Projection(sources, native, sim.OneToOneConnector(), sim.MultiQuantalSynapse(weight=1.0, delay=DELAY))


@pytest.mark.parametrize("celltype, weight", [("EIF_cond_exp_isfa_ista", 0.01), ("HH_cond_exp", 0.002),
                                              ("Izhikevich", 2.0)])
def test_certain_and_impossible_release_onto_other_cell_types(sim, celltype, weight):
    """Onto cells other than IF_*: p = 1 transmits every spike exactly as a StaticSynapse
    does, p = 0 none (the cell stays as without input)."""
    sources = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 9.0, 20.0]), label="sources")
    cells = sim.Population(4, getattr(sim, celltype)(), label="cells")
    view = [cells[k:k + 1] for k in range(4)]
    sim.Projection(sources, view[0], sim.AllToAllConnector(), sim.StaticSynapse(weight=weight, delay=DELAY))
    sim.Projection(sources, view[1], sim.AllToAllConnector(),
                   sim.SimpleStochasticSynapse(weight=weight, delay=DELAY, p=1.0), label="certain")
    sim.Projection(sources, view[2], sim.AllToAllConnector(),
                   sim.SimpleStochasticSynapse(weight=weight, delay=DELAY, p=0.0), label="impossible")
    cells.record("v")
    sim.run(40.0)
    v = np.asarray(cells.get_data().segments[0].analogsignals[0].magnitude)
    assert np.ptp(v[:, 0] - v[:, 3]) > 0.1  # the input moves v
    np.testing.assert_allclose(v[:, 1], v[:, 0], atol=1e-12)
    np.testing.assert_allclose(v[:, 2], v[:, 3], atol=1e-12)


def test_hardware_profiles_without_stochastic_release_refuse_it(sim):
    if sim.__name__ != "pyNN.hardware":
        pytest.skip("hardware profiles")
    sim.end()
    sim.setup(timestep=0.1, profile="spinnaker1")
    sources = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0]), label="sources")
    cells = sim.Population(2, sim.IF_curr_exp(), label="cells")
    with pytest.raises(errors.NoModelAvailableError, match="unreliable.*SimpleStochasticSynapse.*spinnaker1"):
        sim.Projection(sources, cells, sim.OneToOneConnector(),
                       sim.SimpleStochasticSynapse(weight=1.0, delay=DELAY), label="unreliable")


def test_changing_parameters_between_runs(sim):
    """set() of p between runs acts from then on (p = 0: nothing more is transmitted). On
    Brian2, n cannot grow beyond its largest value at creation (the code has one draw per site)."""
    sources = sim.Population(20, sim.SpikeSourceArray(spike_times=SPIKES), label="sources")
    cells = sim.Population(20, sim.IF_curr_delta(tau_m=1e9, v_rest=0.0, v_thresh=1e9), label="counters")
    cells.initialize(v=0.0)
    prj = sim.Projection(sources, cells, sim.OneToOneConnector(),
                         sim.SimpleStochasticSynapse(weight=1.0, delay=DELAY, p=1.0), label="switch")
    others = sim.Population(20, sim.IF_curr_delta(), label="others")
    quantal = sim.Projection(sources, others, sim.OneToOneConnector(),
                             sim.MultiQuantalSynapse(weight=1.0, delay=DELAY, n=2), label="quantal")
    cells.record("v", sampling_interval=ISI)
    run(sim, 100.0)
    prj.set(p=0.0)
    quantal.set(n=1)
    run(sim, 110.0)
    v = np.asarray(cells.get_data().segments[-1].analogsignals[0].magnitude)
    np.testing.assert_allclose(v[-1], np.sum(SPIKES + DELAY < 100.0), atol=1e-6)
    brian2 = sim.__name__ == "pyNN.brian2"
    if brian2:
        with pytest.raises(errors.NotSupportedError, match="'quantal'.*'n' = 3.*Brian2"):
            quantal.set(n=3)
    else:
        quantal.set(n=3)
    assert np.all(np.asarray(quantal.get("n", format="list", with_address=False)) == (1 if brian2 else 3))
