"""STDP of the ``spinnaker1`` profile: sPyNNaker's pair and Vogels rules in its fixed-point arithmetic.

What differs from the exact rule of :mod:`pyNN.hardware.engine.plasticity` (and is listed in
the mapping report, section "Plasticity"):

- times are whole ticks; the whole delay is dendritic (``dendritic_delay_fraction`` 1);
- traces are integers with one = ``STDP_FIXED_POINT_ONE`` (2048); they decay through a
  look-up table of floor(exp(-k dt/tau) * 2048) (or the rounded variant), every product is
  floored, and past the end of the table (about ln(2048) tau) a trace is 0;
- each post-synaptic cell keeps its last 15 spikes (sPyNNaker's 16-entry history with the
  entry at time 0): pairings with older post spikes are lost;
- during an update the weight is an s16.15 number; w_min, w_max and the learning rates are
  rounded to s16.15 on the host; afterwards it is stored back in the synaptic word with the
  projection's weight shift, truncated to the weight LSB (2**(shift - 15));
- the additive rule changes the weight by A_plus * w_max (A_minus * w_max), as sPyNNaker
  does, where the exact rule uses A * (w_max - w_min): they agree when w_min = 0;
- a post spike in the same tick as a pre spike's arrival cancels that pre spike's
  depression (sPyNNaker applies depression only if the last post event is strictly
  earlier); the exact rule uses the trace strictly before the arrival;
- the multiplicative rule is not clipped to [w_min, w_max] (its soft bounds keep it inside
  as long as A * trace <= 1); the stored word is kept in [0, 2**16 - 1], and every
  clipping there is counted as a plastic-weight saturation;
- traces are int64 here: sPyNNaker's 16-bit traces would overflow after about 16 spikes in
  quick succession (a difference this emulation does not reproduce).

Vogels2011Rule (with the additive dependence, sPyNNaker's ``timing_vogels_2011_impl.h``): one
table for tau; each post spike of the window potentiates by eta times the pre trace; each
pre spike then adds eta times (the post trace at the arrival - alpha), alpha = 2 rho tau/1000
in trace units, but only once the target has fired at all, with a post spike in the arrival
tick included, and clipped at w_max only (a weight may fall below w_min; a stored word
below 0 is clipped to 0 and counted as a saturation).

The arithmetic follows sPyNNaker's ``timing_pair_impl.h``, ``weight_additive_one_term_impl.h``,
``weight_multiplicative_impl.h``, ``post_events.h`` and ``synapse_dynamics_stdp_mad_impl.c``
(source [S13] of the profile); no code is taken from them.
"""

import numpy as np

from pyNN.hardware.engine.plasticity import weight_dependence_key
from pyNN.hardware.numerics import fixedpoint as fx
from pyNN.random import RandomDistribution
from pyNN.standardmodels import synapses as std

#: post-synaptic events kept per cell, the entry at time 0 included (sPyNNaker's MAX_POST_SYNAPTIC_EVENTS)
POST_EVENTS = 16
#: bits of STDP_FIXED_POINT (one = 2**11)
STDP_FIXED_POINT = 11
#: the weight dependences sPyNNaker implements for the pair rule
WEIGHT_RULES = {std.AdditiveWeightDependence: "additive", std.MultiplicativeWeightDependence: "multiplicative"}
#: the STDP parameters of each emulated rule; sPyNNaker takes one value of each per projection
RULE_PARAMETERS = {
    "additive": ("tau_plus", "tau_minus", "A_plus", "A_minus", "w_min", "w_max"),
    "multiplicative": ("tau_plus", "tau_minus", "A_plus", "A_minus", "w_min", "w_max"),
    "vogels": ("tau", "eta", "rho", "w_min", "w_max"),
}
#: every parameter that must have one value per projection
SCALAR_PARAMETERS = tuple(dict.fromkeys(name for names in RULE_PARAMETERS.values() for name in names))


def rule_of(synapse_type):
    """The emulated rule of an STDPMechanism ("additive" or "multiplicative" pair rule,
    "vogels": Vogels2011Rule with the additive dependence), or None."""
    timing, weight_dep = synapse_type.timing_dependence, synapse_type.weight_dependence
    rule = WEIGHT_RULES.get(weight_dependence_key(weight_dep)) if weight_dep is not None else None
    if synapse_type.voltage_dependence:
        return None
    if isinstance(timing, std.SpikePairRule):
        return rule
    if isinstance(timing, std.Vogels2011Rule) and rule == "additive":
        return "vogels"
    return None


def unsupported_reason(synapse_type):
    """Why the spinnaker1 profile cannot run this STDPMechanism, or None if it can."""
    timing, weight_dep = synapse_type.timing_dependence, synapse_type.weight_dependence
    rule = rule_of(synapse_type)
    if rule is None:
        return (f"STDPMechanism({type(timing).__name__ if timing else None}, "
                f"{type(weight_dep).__name__ if weight_dep else None}) is not emulated by hardware profile "
                f"'spinnaker1': it emulates sPyNNaker's SpikePairRule with the AdditiveWeightDependence or the "
                f"MultiplicativeWeightDependence, and its Vogels2011Rule with the AdditiveWeightDependence "
                f"(run other rules with profile 'ideal')")
    varying = [name for name in RULE_PARAMETERS[rule] if not _single_value(synapse_type.parameter_space[name])]
    if varying:
        return (f"STDP parameters {', '.join(varying)} vary between connections, but sPyNNaker takes one value "
                f"of each per projection (its look-up tables and weight-rule constants are per core); "
                f"give single values on hardware profile 'spinnaker1'")
    return None


def _single_value(value):
    base = getattr(value, "base_value", value)
    if isinstance(base, RandomDistribution) or not getattr(value, "is_homogeneous", True):
        return False
    return np.size(base) == 1


class PostTraces:
    """sPyNNaker's post-synaptic event history of every cell of a group: the times (ticks)
    and traces of the last POST_EVENTS - 1 spikes after an entry at time 0 with trace 0.
    It follows a :class:`~pyNN.hardware.engine.plasticity.SpikeHistory` (``add``/``reset``)."""

    def __init__(self, n, lut_minus, one, dt):
        self.lut = lut_minus
        self.one = int(one)
        self.dt = float(dt)
        self.times = np.zeros((n, POST_EVENTS), dtype=np.int64)
        self.traces = np.zeros((n, POST_EVENTS), dtype=np.int64)
        self.last = np.zeros(n, dtype=np.int64)  # index of the newest entry (count - 1)

    def add(self, cells, t):
        cells = np.asarray(cells, dtype=np.int64)
        tick = round(float(t) / self.dt)
        newest = self.last[cells]
        decayed = (self.traces[cells, newest] * fx.stdp_lut_lookup(self.lut, tick - self.times[cells, newest])) \
            >> STDP_FIXED_POINT
        trace = decayed + self.one
        full = newest == POST_EVENTS - 1
        if full.any():
            # the oldest real entry goes; the entry at time 0 stays first
            rows = cells[full]
            self.times[rows, 1:-1] = self.times[rows, 2:]
            self.traces[rows, 1:-1] = self.traces[rows, 2:]
        slot = np.where(full, POST_EVENTS - 1, newest + 1)
        self.times[cells, slot] = tick
        self.traces[cells, slot] = trace
        self.last[cells] = slot

    def reset(self):
        self.times[:] = 0
        self.traces[:] = 0
        self.last[:] = 0


def post_traces(history, n, lut_minus, one, dt):
    """The PostTraces of a group for one tau_minus table, made once and shared by every
    plastic projection onto the group with that table."""
    key = (lut_minus.tobytes(), int(one), float(dt))
    for follower in history.followers:
        if isinstance(follower, PostTraces) and follower.key == key:
            return follower
    follower = PostTraces(n, lut_minus, one, dt)
    follower.key = key
    history.followers.append(follower)
    return follower


class SpiNNakerSTDPState:
    """Pre-synaptic traces and the fixed-point constants of the plastic connections of one
    block; the same interface as :class:`~pyNN.hardware.engine.plasticity.STDPState`.

    ``k_plus`` is the pre trace after the last pre spike (integer, one = 2048) and ``t_last``
    that spike's tick, per connection (sPyNNaker keeps them once per synaptic row)."""

    at_arrival = False

    def __init__(self, constants, n, traces):
        self.c = constants
        self.post = traces
        self.saturations = 0
        self.reset(n)

    def reset(self, n):
        self.k_plus = np.zeros(n, dtype=np.int64)
        self.t_last = np.zeros(n, dtype=np.int64)
        self.pending = {}

    def _potentiate(self, w, amount):
        c = self.c
        if c["rule"] in ("additive", "vogels"):
            return np.minimum(w + ((c["a_plus"] * amount) >> STDP_FIXED_POINT), c["w_max"])
        scale = ((c["w_max"] - w) * c["a_plus"]) >> fx.S1615_FRAC_BITS
        return w + ((scale * amount) >> STDP_FIXED_POINT)

    def _depress(self, w, amount):
        c = self.c
        if c["rule"] == "additive":
            return np.maximum(w - ((c["a_minus"] * amount) >> STDP_FIXED_POINT), c["w_min"])
        scale = ((w - c["w_min"]) * c["a_minus"]) >> fx.S1615_FRAC_BITS
        return w - ((scale * amount) >> STDP_FIXED_POINT)

    def update(self, pos, t_pre, delay_ms, weight, post_index, history):
        """New weights (realised, on the LSB grid) of the connections at `pos` for a pre
        spike emitted at `t_pre` (ms), processed when it is sent."""
        c = self.c
        dt, one, shift = c["dt"], c["one"], c["shift"]
        now = np.rint(np.asarray(t_pre, dtype=float) / dt).astype(np.int64)
        delay = np.rint(np.asarray(delay_ms, dtype=float) / dt).astype(np.int64)
        last, last_trace = self.t_last[pos], self.k_plus[pos]
        posts = post_index[pos]
        times, traces = self.post.times[posts], self.post.traces[posts]
        column = np.arange(POST_EVENTS)
        stored = column[None, :] <= self.post.last[posts][:, None]
        stored[:, 0] = False  # the entry at time 0 is never an event
        begin = np.maximum(last - delay, 0)
        end = np.maximum(now - delay, 0)
        seen = stored & (times <= end[:, None])
        window = seen & (times > begin[:, None])
        w = np.rint(np.abs(weight[pos]) * (1 << fx.S1615_FRAC_BITS)).astype(np.int64)
        # potentiation by each post spike of the window, oldest first (the history is in time order)
        for j in np.flatnonzero(window.any(axis=0)).tolist():
            since = times[:, j] + delay - last
            amount = (last_trace * fx.stdp_lut_lookup(c["lut_plus"], since)) >> STDP_FIXED_POINT
            w = np.where(window[:, j], self._potentiate(w, amount), w)
        rows = np.arange(pos.size)
        prev = seen.sum(axis=1)  # the history is sorted: the last seen entry's column
        since = now - (times[rows, prev] + delay)
        amount = (traces[rows, prev] * fx.stdp_lut_lookup(c["lut_minus"], since)) >> STDP_FIXED_POINT
        if c["rule"] == "vogels":
            # the pre spike's change, rate * (post trace - alpha), once the target has fired;
            # clipped at w_max only (sPyNNaker's additive potentiation)
            w = np.where(prev > 0, self._potentiate(w, amount - c["alpha"]), w)
        else:
            # depression by the trace of the last post spike at or before the arrival, if strictly earlier
            w = np.where((prev > 0) & (since > 0), self._depress(w, amount), w)
        self.k_plus[pos] = ((last_trace * fx.stdp_lut_lookup(c["lut_plus"], now - last)) >> STDP_FIXED_POINT) + one
        self.t_last[pos] = now
        word = w >> shift
        top = (1 << 16) - 1
        outside = (word < 0) | (word > top)
        self.saturations += int(outside.sum())
        # magnitudes; a weight handed over negative (a current-based named receptor) stays so
        weight[pos] = np.copysign(np.clip(word, 0, top) * fx.weight_lsb(shift), weight[pos])
        return weight[pos]
