"""spinnaker1's fixed-point STDP (pyNN.hardware.engine.stdp_s1615 and
pyNN.hardware.mapping.spinnaker_stdp) against integer arithmetic done by hand here."""

import math

import numpy as np
import pytest

from pyNN.hardware.engine.plasticity import SpikeHistory
from pyNN.hardware.engine.stdp_s1615 import POST_EVENTS, PostTraces, SpiNNakerSTDPState, post_traces
from pyNN.hardware.mapping.spinnaker_stdp import error_bound_per_event, stdp_constants
from pyNN.hardware.numerics import fixedpoint as fp

ONE = 2048
VALUES = {"rule": "additive", "tau_plus": 20.0, "tau_minus": 10.0, "A_plus": 0.1, "A_minus": 0.05,
          "w_min": 0.0, "w_max": 2.0}


def _lut(tau, k):
    return math.floor(ONE * math.exp(-k / tau)) if k < math.ceil(math.log(ONE) * tau) + 1 else 0


def test_constants_are_rounded_to_s1615_and_the_additive_rates_scaled_by_w_max():
    c = stdp_constants(dict(VALUES, w_min=0.1), shift=3, dt=1.0, variant="floor", one=ONE)
    assert c["w_max"] == 2 * 2 ** 15 and c["w_min"] == round(0.1 * 2 ** 15)
    assert c["a_plus"] == round(0.1 * 2.0 * 2 ** 15)  # A_plus * w_max, as sPyNNaker writes it
    assert c["a_minus"] == round(0.05 * 2.0 * 2 ** 15)
    assert c["lut_plus"].size == 154 and c["lut_minus"].size == 78
    mult = stdp_constants(dict(VALUES, rule="multiplicative"), shift=3, dt=1.0, variant="floor", one=ONE)
    assert mult["a_plus"] == round(0.1 * 2 ** 15)


def test_post_traces_decay_through_the_table_and_keep_the_last_15_spikes():
    lut = fp.stdp_exp_lut(10.0, 1.0)
    traces = PostTraces(2, lut, ONE, 1.0)
    traces.add(np.array([0]), 10.0)
    traces.add(np.array([0, 1]), 15.0)
    assert traces.times[0, :3].tolist() == [0, 10, 15]
    assert traces.traces[0, 1] == ONE  # the entry at time 0 has trace 0
    assert traces.traces[0, 2] == (ONE * _lut(10.0, 5)) // ONE + ONE
    assert traces.traces[1, 1] == ONE and traces.last.tolist() == [2, 1]
    for t in range(20, 20 + 2 * POST_EVENTS):
        traces.add(np.array([1]), float(t))
    assert traces.last[1] == POST_EVENTS - 1
    assert traces.times[1, 0] == 0  # still first
    assert traces.times[1, 1:].tolist() == list(range(20 + 2 * POST_EVENTS - (POST_EVENTS - 1), 20 + 2 * POST_EVENTS))
    traces.reset()
    assert not traces.times.any() and not traces.last.any()


def test_post_traces_follow_the_spike_history_and_are_shared():
    history = SpikeHistory(3)
    lut = fp.stdp_exp_lut(10.0, 1.0)
    a = post_traces(history, 3, lut, ONE, 1.0)
    assert post_traces(history, 3, lut, ONE, 1.0) is a
    assert post_traces(history, 3, fp.stdp_exp_lut(20.0, 1.0), ONE, 1.0) is not a
    history.add(np.array([2]), 4.0)
    assert a.times[2, 1] == 4 and a.last[2] == 1
    history.reset()
    assert a.last[2] == 0


def test_one_pairing_by_hand():
    """Pre spike at tick 10, post spike at tick 14 (arrival 16 with delay 2), pre spike at tick
    30: the second pre spike potentiates by the first one's trace at 16 and depresses by the
    post trace at 30; the stored weight is truncated to the LSB of shift 2."""
    shift = 2
    c = stdp_constants(VALUES, shift=shift, dt=1.0, variant="floor", one=ONE)
    history = SpikeHistory(1)
    traces = post_traces(history, 1, c["lut_minus"], ONE, 1.0)
    state = SpiNNakerSTDPState(c, 1, traces)
    lsb = fp.weight_lsb(shift)
    weight = np.array([1000 * lsb])
    post = np.array([0])
    pos = np.array([0])
    state.update(pos, 10.0, np.array([2.0]), weight, post, history)
    assert weight[0] == 1000 * lsb  # no post spike yet: no change
    assert state.k_plus[0] == ONE and state.t_last[0] == 10
    history.add(np.array([0]), 14.0)
    state.update(pos, 30.0, np.array([2.0]), weight, post, history)
    w = 1000 << shift  # s16.15
    potentiation = (ONE * _lut(20.0, 16 - 10)) >> 11
    w = min(w + ((c["a_plus"] * potentiation) >> 11), c["w_max"])
    depression = (ONE * _lut(10.0, 30 - 16)) >> 11
    w = max(w - ((c["a_minus"] * depression) >> 11), c["w_min"])
    assert weight[0] == (w >> shift) * lsb
    assert state.k_plus[0] == ((ONE * _lut(20.0, 20)) >> 11) + ONE and state.t_last[0] == 30


def test_a_post_spike_in_the_tick_of_the_arrival_cancels_the_depression():
    c = stdp_constants(VALUES, shift=2, dt=1.0, variant="floor", one=ONE)
    history = SpikeHistory(1)
    state = SpiNNakerSTDPState(c, 1, post_traces(history, 1, c["lut_minus"], ONE, 1.0))
    weight = np.array([1000 * fp.weight_lsb(2)])
    history.add(np.array([0]), 28.0)  # arrives at 30 with delay 2
    state.update(np.array([0]), 30.0, np.array([2.0]), weight, np.array([0]), history)
    assert weight[0] == 1000 * fp.weight_lsb(2)


def test_vogels_constants():
    c = stdp_constants({"rule": "vogels", "tau": 20.0, "eta": 0.01, "rho": 5.0, "w_min": 0.0, "w_max": 1.0},
                       shift=2, dt=1.0, variant="floor", one=ONE)
    assert c["a_plus"] == round(0.01 * 2 ** 15)  # sPyNNaker's A_plus = eta / w_max, times w_max
    assert c["alpha"] == round(2 * 5.0 * 20.0 / 1000.0 * ONE)
    assert c["lut_plus"] is c["lut_minus"] and c["lut_plus"].size == 154


def test_error_bound_per_event():
    c = stdp_constants(dict(VALUES, A_plus=0.125, A_minus=0.0625), shift=2, dt=1.0, variant="floor", one=ONE)
    values = dict(VALUES, A_plus=0.125, A_minus=0.0625)
    # rates exact in s16.15: LSB + (pairs + 1) (amp e_K + (K + 2) 2**-15), amp = A_plus w_max
    expected = fp.weight_lsb(2) + 2 * (0.25 * (4 * 2 / ONE) + 3 * 2.0 ** -15)
    assert error_bound_per_event(c, values, pairs=1, spikes=3, trace=1.0) == pytest.approx(expected)
    assert error_bound_per_event(c, values, pairs=3) > error_bound_per_event(c, values, pairs=1)


def _reference(pre_ticks, post_ticks, delay, c):
    """doc/behaviour.md's fixed-point rule for one connection, one spike at a time in plain
    Python integers (the post history as a list of (tick, trace), the last 15 kept)."""
    def lut(table, k):
        return int(table[k]) if 0 <= k < table.size else 0

    history = []  # (tick, trace) of the post spikes so far, oldest first
    events = sorted([(t, 1) for t in post_ticks] + [(t, 0) for t in pre_ticks])  # post first in a tick
    w = c["w0"]
    last, r = 0, 0
    out = []
    for tick, is_post in events:
        if is_post:
            prev_tick, prev_trace = history[-1] if history else (0, 0)
            history.append((tick, ((prev_trace * lut(c["lut_minus"], tick - prev_tick)) >> 11) + ONE))
            history = history[-(POST_EVENTS - 1):]
            continue
        for t_post, _ in history:
            if last < t_post + delay <= tick:
                p = (r * lut(c["lut_plus"], t_post + delay - last)) >> 11
                if c["rule"] in ("additive", "vogels"):
                    w = min(w + ((c["a_plus"] * p) >> 11), c["w_max"])
                else:
                    w = w + ((((c["w_max"] - w) * c["a_plus"]) >> 15) * p >> 11)
        seen = [(t, o) for t, o in history if t + delay <= tick]
        if c["rule"] == "vogels":
            if seen:  # eta (post trace - alpha), clipped at w_max only
                d = ((seen[-1][1] * lut(c["lut_minus"], tick - seen[-1][0] - delay)) >> 11) - c["alpha"]
                w = min(w + ((c["a_plus"] * d) >> 11), c["w_max"])
        elif seen and tick - (seen[-1][0] + delay) > 0:
            d = (seen[-1][1] * lut(c["lut_minus"], tick - seen[-1][0] - delay)) >> 11
            if c["rule"] == "additive":
                w = max(w - ((c["a_minus"] * d) >> 11), c["w_min"])
            else:
                w = w - ((((w - c["w_min"]) * c["a_minus"]) >> 15) * d >> 11)
        r = ((r * lut(c["lut_plus"], tick - last)) >> 11) + ONE
        last = tick
        w = max(w >> c["shift"], 0) << c["shift"]  # stored in the synaptic word between updates
        out.append(w >> c["shift"])
    return out


@pytest.mark.parametrize("rule", ["additive", "multiplicative", "vogels"])
def test_engine_follows_the_documented_fixed_point_rule_spike_by_spike(rule):
    """Random trains with pre and post spikes in the same tick, arrivals in a pre spike's tick,
    and bursts of more than 15 post spikes between two pre spikes: the vectorised engine gives
    the stored weights of a plain one-connection reference after every pre spike."""
    rng = np.random.default_rng(3)
    shift, delay, n = 3, 2, 5
    c = stdp_constants(dict(VALUES, rule=rule, w_min=0.25 if rule == "multiplicative" else 0.0, tau=15.0, eta=0.3,
                            rho=10.0), shift=shift, dt=1.0, variant="floor", one=ONE)
    c["w0"] = 3000 << shift
    pre = [np.unique(rng.integers(1, 400, size=25)) for _ in range(n)]
    post = [np.unique(np.concatenate([rng.integers(1, 400, size=20), np.arange(200, 240, 2)])) for _ in range(n)]
    history = SpikeHistory(n)
    state = SpiNNakerSTDPState(c, n, post_traces(history, n, c["lut_minus"], ONE, 1.0))
    weight = np.full(n, 3000 * fp.weight_lsb(shift))
    got = [[] for _ in range(n)]
    for tick in range(1, 401):
        # the engine's order in a step: the cells' spikes (history), then the deliveries
        fired = np.array([k for k in range(n) if tick in post[k]], dtype=np.int64)
        if fired.size:
            history.add(fired, float(tick))
        sending = [k for k in range(n) if tick in pre[k]]
        if sending:
            pos = np.array(sending)
            state.update(pos, float(tick), np.full(pos.size, float(delay)), weight, np.arange(n), history)
            for k in sending:
                got[k].append(round(weight[k] / fp.weight_lsb(shift)))
    for k in range(n):
        assert got[k] == _reference(pre[k].tolist(), post[k].tolist(), delay, c)
    assert len({tuple(g) for g in got}) == n and any(g[-1] != 3000 for g in got)
