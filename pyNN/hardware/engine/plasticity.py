"""STDP of the engine: the algorithm of doc/behaviour.md (NEST's ``stdp_synapse`` and
``vogels_sprekeler_synapse``).

All-to-all pairing. A connection with delay d and ``dendritic_delay_fraction`` f sees, in
the synapse's time, a pre-synaptic spike at s_pre = t_pre + (1 - f) d and a post-synaptic
spike at t_post + f d. Updates are made when a pre-synaptic event is processed, on the
normalised weight ``x = (w - w_min)/(w_max - w_min)`` kept in [0, 1]:

1. potentiation for every post spike with t_last < t_post + f d <= s_pre, in time order:
   ``x += a_post (1 - x)**mu_plus * K_plus(t_post + f d)``;
2. the pre spike's own change, with the post-synaptic trace strictly before s_pre:
   ``x += a_pre K_minus`` (Vogels2011Rule), then
   ``x -= A_minus x**mu_minus * K_minus`` (SpikePairRule) or ``x -= A_minus`` (Vogels2011Rule);
3. ``K_plus = K_plus exp(-(s_pre - t_last)/tau_plus) + 1``, t_last = s_pre; the spike carries
   the new weight.

With f = 1 (NEST's convention) every post spike the rule needs is in the past when the pre
spike is emitted, so the event is processed then. With f < 1 it needs the post spikes up to
t_pre + (1 - 2f) d, so the event is processed when the spike arrives (t_pre + d), after the
target cells' spikes of that step are known, and its weight is added to the target's
receptors then (see ``Block.deliver_arrived``); that is why f < 1 is refused onto voltage-jump
(delta) inputs, where the order of arrival and threshold test matters.

SpikePairRule: a_post = A_plus, a_pre = 0, and (mu_plus, mu_minus) from the weight dependence:
additive (0, 0), multiplicative (1, 1), additive potentiation / multiplicative depression
(0, 1), Gutig (mu_plus, mu_minus). Vogels2011Rule (additive only): both traces decay with
tau, a_post = a_pre = eta/(w_max - w_min), A_minus = 2 rho tau/1000 * eta/(w_max - w_min).
"""

import numpy as np

from pyNN import errors
from pyNN.standardmodels import synapses as std

#: (mu_plus, mu_minus) of each weight dependence (None: read from the parameters)
WEIGHT_DEPENDENCES = {
    std.AdditiveWeightDependence: (0.0, 0.0),
    std.MultiplicativeWeightDependence: (1.0, 1.0),
    std.AdditivePotentiationMultiplicativeDepression: (0.0, 1.0),
    std.GutigWeightDependence: None,
}

#: spikes kept per post-synaptic cell for pairing
HISTORY = 64


class SpikeHistory:
    """The last HISTORY spike times (ms) of every cell of a group, the values at those spikes
    of the state variables :meth:`watch` asks for (``values``: name -> array like ``times``; the
    third factors of NESTML synapses), and the histories of other forms that follow it
    (``followers``: objects with ``add(cells, t)`` and ``reset()``, such as the fixed-point post
    traces of the spinnaker1 profile)."""

    def __init__(self, n):
        self.times = np.full((n, HISTORY), -np.inf)
        self.count = np.zeros(n, dtype=np.int64)
        self.followers = []
        self.group = None
        self.values = {}

    def watch(self, group, names):
        """Keep the values of the state variables `names` of `group` (whose ``state`` dict holds
        them) at each spike."""
        self.group = group
        for name in names:
            self.values.setdefault(name, np.zeros_like(self.times))

    def add(self, cells, t):
        slot = self.count[cells] % HISTORY
        self.times[cells, slot] = t
        for name, values in self.values.items():
            values[cells, slot] = self.group.state[name][cells]  # after the step of the spike
        self.count[cells] += 1
        for follower in self.followers:
            follower.add(cells, t)

    def reset(self):
        self.times[:] = -np.inf
        self.count[:] = 0
        for follower in self.followers:
            follower.reset()
        for values in self.values.values():
            values[:] = 0.0


def weight_dependence_key(weight_dependence):
    """The WEIGHT_DEPENDENCES key of a weight-dependence instance, or None."""
    return next((base for base in type(weight_dependence).__mro__ if base in WEIGHT_DEPENDENCES), None)


def unsupported_reason(synapse_type):
    """Why the engine cannot run this combination of rules, or None if it can."""
    timing, weight_dep = synapse_type.timing_dependence, synapse_type.weight_dependence
    key = weight_dependence_key(weight_dep) if weight_dep is not None else None
    pair = isinstance(timing, std.SpikePairRule) and key is not None
    vogels = isinstance(timing, std.Vogels2011Rule) and key is std.AdditiveWeightDependence
    if (pair or vogels) and not synapse_type.voltage_dependence:
        return None
    timing_name = type(timing).__name__ if timing else None
    weight_name = type(weight_dep).__name__ if weight_dep else None
    return (f"STDPMechanism({timing_name}, {weight_name}): the engine implements SpikePairRule with the "
            f"additive, multiplicative, additive-potentiation/multiplicative-depression and Gutig weight "
            f"dependences, and Vogels2011Rule with the additive one")


def check_stdp_supported(synapse_type):
    """Raise NoModelAvailableError unless the engine implements this combination of rules;
    returns the weight dependence's key in WEIGHT_DEPENDENCES."""
    reason = unsupported_reason(synapse_type)
    if reason:
        raise errors.NoModelAvailableError(f"{reason} (not available on the hardware backend)")
    return weight_dependence_key(synapse_type.weight_dependence)


def _per_connection(values, n, *names):
    return [np.broadcast_to(np.asarray(values[name], float), (n,)).copy() for name in names]


def stdp_parameters(synapse_type, values):
    """Per-connection STDP parameters from the projection's values (dict name -> array)."""
    weight_dep = check_stdp_supported(synapse_type)
    n = max(np.asarray(v).size for v in values.values())
    w_min, w_max = _per_connection(values, n, "w_min", "w_max")
    span = np.where(w_max > w_min, w_max - w_min, 1.0)
    fraction = np.broadcast_to(np.asarray(values.get("dendritic_delay_fraction", 1.0), float), (n,)).copy()
    out = {"w_min": w_min, "w_max": w_max, "fraction": fraction}
    if isinstance(synapse_type.timing_dependence, std.Vogels2011Rule):
        tau, eta, rho = _per_connection(values, n, "tau", "eta", "rho")
        out.update(tau_plus=tau, tau_minus=tau.copy(), A_plus=eta / span, A_pre=eta / span,
                   A_minus=2.0 * rho * tau / 1000.0 * eta / span, constant_depression=np.ones(n, bool),
                   mu_plus=np.zeros(n), mu_minus=np.zeros(n))
        return out
    out.update(zip(("tau_plus", "tau_minus", "A_plus", "A_minus"),
                   _per_connection(values, n, "tau_plus", "tau_minus", "A_plus", "A_minus")))
    mu = WEIGHT_DEPENDENCES[weight_dep]
    if mu is None:
        mu = (values["mu_plus"], values["mu_minus"])
    out["mu_plus"] = np.broadcast_to(np.asarray(mu[0], float), (n,)).copy()
    out["mu_minus"] = np.broadcast_to(np.asarray(mu[1], float), (n,)).copy()
    out["A_pre"] = np.zeros(n)
    out["constant_depression"] = np.zeros(n, bool)
    return out


class STDPState:
    """Traces and parameters of the plastic connections of one block (CSR order)."""

    def __init__(self, params, n):
        self.p = params
        #: whether the events are processed when the spikes arrive (some f < 1), not when sent
        self.at_arrival = bool(np.any(params["fraction"] < 1.0))
        self.reset(n)

    def reset(self, n):
        self.k_plus = np.zeros(n)
        self.t_last = np.zeros(n)  # NEST starts the pre trace at t = 0
        #: events waiting for their arrival step (f < 1): step -> (positions, emission times)
        self.pending = {}

    def update(self, pos, t_pre, delay_ms, weight, post_index, history):
        """New weights of the connections at `pos` for pre spikes emitted at `t_pre` (scalar
        or per connection), processed now: at emission (f = 1) or arrival (f < 1)."""
        p = self.p
        fdel = p["fraction"][pos] * delay_ms  # dendritic delay
        s_pre = t_pre + (delay_ms - fdel)  # the pre event in the synapse's time
        seen_until = s_pre - fdel  # post spikes emitted before this pair with the pre event
        w_min, w_max = p["w_min"][pos], p["w_max"][pos]
        span = np.where(w_max > w_min, w_max - w_min, 1.0)
        x = (weight[pos] - w_min) / span
        tau_plus, tau_minus = p["tau_plus"][pos], p["tau_minus"][pos]
        t_last = self.t_last[pos]
        k_plus = self.k_plus[pos]
        posts = post_index[pos]
        arrive = history.times[posts] + fdel[:, None]  # post spikes in the synapse's time
        eps = 1e-9
        window = (arrive > t_last[:, None] + eps) & (arrive <= s_pre[:, None] + eps)
        # potentiation: one post spike after another, in time order (matters for soft bounds)
        order = np.argsort(np.where(window, arrive, np.inf), axis=1)
        for j in range(int(window.sum(axis=1).max()) if window.size else 0):
            col = order[:, j]
            rows = np.arange(pos.size)
            active = window[rows, col]
            with np.errstate(invalid="ignore"):  # inactive columns (no post spike) give NaN, masked below
                kp = k_plus * np.exp(-(arrive[rows, col] - t_last) / tau_plus)
            dx = p["A_plus"][pos] * np.power(np.clip(1.0 - x, 0.0, 1.0), p["mu_plus"][pos]) * kp
            x = np.where(active, np.minimum(x + dx, 1.0), x)
        # depression with the post trace strictly before s_pre
        before = history.times[posts] < seen_until[:, None] - eps
        lag = np.where(before, seen_until[:, None] - history.times[posts], np.inf)
        k_minus = np.exp(-lag / tau_minus[:, None]).sum(axis=1)
        x = np.minimum(x + p["A_pre"][pos] * k_minus, 1.0)  # Vogels2011Rule's pre-spike potentiation
        k_depress = np.where(p["constant_depression"][pos], 1.0, k_minus)
        x = np.maximum(x - p["A_minus"][pos] * np.power(np.clip(x, 0.0, 1.0), p["mu_minus"][pos]) * k_depress,
                       0.0)
        self.k_plus[pos] = k_plus * np.exp(-(s_pre - t_last) / tau_plus) + 1.0
        self.t_last[pos] = s_pre
        weight[pos] = w_min + x * span
        return weight[pos]
