"""Brian2 descriptions of the standard synapse types.

Each class adds ``native_name`` ('Synapses', or None with a ``missing_reason``) and
``translations``.
Weights are translated by name only: the projection scales them to the SI unit of the
target variable (S, A or V). A plastic type adds ``brian2_equations`` (synaptic
variables), ``brian2_initial`` (their start values) and ``brian2_on_pre``, in which
``{deliver}`` stands for the target's update with ``weight`` scaled by ``release``.
"""

import numpy as np

from pyNN.standardmodels import build_translations, synapses


class Brian2SynapseTypeMixin:
    """Defaults of the Brian2-specific attributes of a synapse type."""

    brian2_equations = ""
    brian2_initial = {}
    brian2_on_pre = None


_WEIGHT_DELAY = (("weight", "weight"), ("delay", "delay"))


class StaticSynapse(Brian2SynapseTypeMixin, synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    native_name = "Synapses"
    native_description = "on_pre increment"
    translations = build_translations(*_WEIGHT_DELAY)


class TsodyksMarkramSynapse(Brian2SynapseTypeMixin, synapses.TsodyksMarkramSynapse):
    __doc__ = synapses.TsodyksMarkramSynapse.__doc__
    native_name = "Synapses"
    native_description = "event-driven three-state Tsodyks-Markram resources (as NEST's tsodyks_synapse)"
    translations = build_translations(*_WEIGHT_DELAY, ("U", "U_tm"), ("tau_rec", "tau_rec", 1e-3),
                                      ("tau_facil", "tau_facil", 1e-3))
    #: tau_psc is not a parameter of the type: the projection sets it from the target receptor
    brian2_equations = ("U_tm : 1\ntau_rec : second\ntau_facil : second\ntau_psc : second\n"
                        "u_tm : 1\nx_tm : 1\ny_tm : 1\nt_last : second\n")
    brian2_initial = {"u_tm": 0.0, "x_tm": 1.0, "y_tm": 0.0}
    # the update of doc/behaviour.md ("Tsodyks-Markram synapse"), exact between events;
    # tau_psc = 0 (a target without a synaptic time constant) is the limit y -> z at once,
    # and tau_facil = 0 means no facilitation (u = U at every spike)
    brian2_on_pre = (
        "h_tm = t - t_last\n"
        "p_zz = exp(-h_tm/tau_rec)\n"
        "has_psc = int(tau_psc > 0*ms)\n"
        "p_yy = has_psc*exp(-h_tm/(tau_psc + (1 - has_psc)*ms))\n"
        "same_tau = has_psc*int(abs(tau_psc - tau_rec) < 1e-9*tau_rec)\n"
        "p_xy = same_tau*(1 - p_zz*(1 + h_tm/tau_rec)) + (1 - same_tau)*((p_zz - 1)*tau_rec - (p_yy - 1)*tau_psc)"
        "/(tau_psc - tau_rec + same_tau*ms)\n"
        "x_tm = x_tm + p_xy*y_tm + (1 - p_zz)*(1 - x_tm - y_tm)\n"
        "y_tm = y_tm*p_yy\n"
        "u_tm = u_tm*int(tau_facil > 0*ms)*exp(-h_tm/(tau_facil + int(tau_facil <= 0*ms)*ms))\n"
        "u_tm = u_tm + U_tm*(1 - u_tm)\n"
        "released = u_tm*x_tm\n"
        "x_tm = x_tm - released\n"
        "y_tm = y_tm + released\n"
        "t_last = t\n"
        "{deliver}"
    )
    release = "released"
    #: per-connection time constant of the target receptor's current (see Projection)
    needs_tau_psc = True


class ElectricalSynapse(Brian2SynapseTypeMixin, synapses.ElectricalSynapse):
    __doc__ = synapses.ElectricalSynapse.__doc__
    missing_reason = "gap junctions (continuous coupling) are not implemented in the Brian2 backend"
    translations = {}


class SimpleStochasticSynapse(Brian2SynapseTypeMixin, synapses.SimpleStochasticSynapse):
    __doc__ = synapses.SimpleStochasticSynapse.__doc__
    native_name = "Synapses"
    native_description = "on_pre increment with probability p (Brian2's rand(); as NEST's bernoulli_synapse)"
    translations = build_translations(*_WEIGHT_DELAY, ("p", "p_transmit"))
    brian2_equations = "p_transmit : 1\n"
    brian2_on_pre = "{deliver}"
    # one uniform draw per connection and spike: transmitted whole, or not at all
    release = "int(rand() < p_transmit)"


def _count_draws(target, probability, count, n_max):
    """Brian2 statements adding to `target` the successes among `count` (<= n_max) Bernoulli
    trials of `probability`: one statement and one rand() per possible trial (abstract code
    has no loops, and Brian2 takes one rand() per expression)."""
    return "".join(f"{target} = {target} + int(rand() < {probability})*int({count} >= {k})\n"
                   for k in range(1, n_max + 1))


class _Brian2QuantalSynapse(Brian2SynapseTypeMixin):
    """The quantal release of doc/behaviour.md ("Stochastic synapses"): `n_q` sites, `a_q`
    of them available, release probability `u_q`; every site refills independently with
    probability 1 - exp(-h/tau_rec) and releases with probability u_q."""

    native_name = "Synapses"
    brian2_equations = ("U_q : 1\nn_q : 1\ntau_rec : second\ntau_facil : second\n"
                        "u_q : 1\na_q : 1\nr_q : 1\nt_last : second\n")
    brian2_on_pre = (
        "h_q = t - t_last\n"
        "has_facil = int(tau_facil > 0*ms)\n"
        "u_q = U_q + u_q*(1 - U_q)*has_facil*exp(-h_q/(tau_facil + (1 - has_facil)*ms))\n"
        "refill_q = 1 - exp(-h_q/tau_rec)\n"
        "empty_q = n_q - a_q\n"
        "{refills}"
        "r_q = 0\n"
        "{releases}"
        "a_q = a_q - r_q\n"
        "t_last = t\n"
        "{deliver}"
    )
    #: (a synaptic variable, not a temporary: Brian2 types a temporary by its first assignment)
    release = "r_q"

    def brian2_expand(self, code, values):
        """`code` with one random draw per possible site: as many as the largest n; and the
        limit that puts on n (parameter name -> largest value the code handles)."""
        n_max = int(np.max(values.get("n", 1)))
        code = (code.replace("{refills}", _count_draws("a_q", "refill_q", "empty_q", n_max))
                .replace("{releases}", _count_draws("r_q", "u_q", "a_q", n_max)))
        return code, {"n": n_max}


class StochasticTsodyksMarkramSynapse(_Brian2QuantalSynapse, synapses.StochasticTsodyksMarkramSynapse):
    __doc__ = synapses.StochasticTsodyksMarkramSynapse.__doc__
    native_description = "quantal release with one site in on_pre (Brian2's rand(); as NEST's quantal_stp_synapse)"
    translations = build_translations(*_WEIGHT_DELAY, ("U", "U_q"), ("tau_rec", "tau_rec", 1e-3),
                                      ("tau_facil", "tau_facil", 1e-3))
    brian2_initial = {"u_q": 0.0, "n_q": 1.0, "a_q": 1.0}


class MultiQuantalSynapse(_Brian2QuantalSynapse, synapses.MultiQuantalSynapse):
    __doc__ = synapses.MultiQuantalSynapse.__doc__
    native_description = "binomial refill and release over n sites in on_pre (Brian2's rand(); as NEST's " \
                         "quantal_stp_synapse)"
    translations = build_translations(*_WEIGHT_DELAY, ("U", "U_q"), ("n", "n_q"), ("tau_rec", "tau_rec", 1e-3),
                                      ("tau_facil", "tau_facil", 1e-3))
    brian2_initial = {"u_q": 0.0}
    #: every site is available at the start (and again after reset())
    brian2_state_from = {"a_q": "n_q"}


# --- STDP: the algorithm of doc/behaviour.md, event-driven ---------------------------------------
# Every event is handled at its synapse time s (all of the delay dendritic: s_pre = t_pre,
# s_post = t_post + d), shifted by the connection's delay so that a pre event is handled when
# its spike is delivered. Post events run before pre events of the same step (pathway order),
# so each sees the other trace without the events at the same s. `w_now` follows every event;
# `weight` (what a spike transmits and get() returns) takes its value at each pre event, as in
# NEST.

_STDP_SHARED_EQUATIONS = ("w_now : {unit}\nwmin : {unit}\nwmax : {unit}\nd_syn : second\n"
                          "kpre : 1\ntpre_last : second\nkpost : 1\ntpost_last : second\n")
_STDP_INITIAL = {"kpre": 0.0, "tpre_last": -1e9, "kpost": 0.0, "tpost_last": -1e9}


class _Brian2STDPComponent(Brian2SynapseTypeMixin):
    translations = {}


class AdditiveWeightDependence(_Brian2STDPComponent, synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__
    translations = build_translations(("w_min", "wmin"), ("w_max", "wmax"))
    mu = ("0", "0")


class MultiplicativeWeightDependence(_Brian2STDPComponent, synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__
    translations = build_translations(("w_min", "wmin"), ("w_max", "wmax"))
    mu = ("1", "1")


class AdditivePotentiationMultiplicativeDepression(
        _Brian2STDPComponent, synapses.AdditivePotentiationMultiplicativeDepression):
    __doc__ = synapses.AdditivePotentiationMultiplicativeDepression.__doc__
    translations = build_translations(("w_min", "wmin"), ("w_max", "wmax"))
    mu = ("0", "1")


class GutigWeightDependence(_Brian2STDPComponent, synapses.GutigWeightDependence):
    __doc__ = synapses.GutigWeightDependence.__doc__
    translations = build_translations(("w_min", "wmin"), ("w_max", "wmax"), ("mu_plus", "mu_plus"),
                                      ("mu_minus", "mu_minus"))
    mu = ("mu_plus", "mu_minus")
    equations = "mu_plus : 1\nmu_minus : 1\n"


class SpikePairRule(_Brian2STDPComponent, synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    translations = build_translations(("tau_plus", "tau_plus", 1e-3), ("tau_minus", "tau_minus", 1e-3),
                                      ("A_plus", "A_plus"), ("A_minus", "A_minus"))
    equations = "tau_plus : second\ntau_minus : second\nA_plus : 1\nA_minus : 1\n"
    taus = ("tau_plus", "tau_minus")
    # x is the normalised weight; {mu_plus}/{mu_minus} are the weight dependence's exponents
    on_post = "x = clip(x + A_plus*(1 - x)**{mu_plus}*kpre_now, 0, 1)"
    on_pre = "x = clip(x - A_minus*x**{mu_minus}*kpost_now, 0, 1)"


def _vogels_alpha(values):
    return 2.0 * np.asarray(values["rho"], dtype=float) * np.asarray(values["tau"], dtype=float) / 1000.0


class Vogels2011Rule(_Brian2STDPComponent, synapses.Vogels2011Rule):
    __doc__ = synapses.Vogels2011Rule.__doc__
    translations = build_translations(("tau", "tau_v", 1e-3), ("eta", "eta"),
                                      ("rho", "alpha_v", _vogels_alpha,
                                       lambda native: native["alpha_v"] * 1000.0 / (2.0 * native["tau_v"] * 1e3)))
    equations = "tau_v : second\neta : {unit}\nalpha_v : 1\n"
    taus = ("tau_v", "tau_v")
    on_post = "x = clip(x + eta/span*kpre_now, 0, 1)"
    on_pre = "x = clip(x + eta/span*kpost_now, 0, 1)\nx = clip(x - alpha_v*eta/span, 0, 1)"


class STDPMechanism(Brian2SynapseTypeMixin, synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    base_translations = build_translations(*_WEIGHT_DELAY)
    native_description = "event-driven pre/post traces (as NEST's stdp_synapse / vogels_sprekeler_synapse)"
    parameter_checks = (
        *synapses.STDPMechanism.parameter_checks,
        ("dendritic_delay_fraction", lambda v: (v == 0) | (v == 1),
         "must be 0.0 or 1.0 on Brian2 (all of the delay axonal or all of it dendritic)"),
    )
    fixed_after_run_reason = (
        "Brian2 applies each post spike's potentiation when it happens, NEST and the hardware engine at the "
        "next pre spike with the parameters and weight then in force, so a change between runs would give "
        "different weights")

    @property
    def parameters_fixed_after_run(self):
        return tuple(name for name in self.get_parameter_names() if name not in ("delay", "dendritic_delay_fraction"))

    #: parameters in weight units, scaled by the projection like the weights
    weight_unit_parameters = ("wmin", "wmax", "eta")
    brian2_initial = dict(_STDP_INITIAL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assembled = type(self)
        timing, weight_dep = self.timing_dependence, self.weight_dependence
        reason = None
        if timing is None or weight_dep is None or self.voltage_dependence is not None:
            reason = "the Brian2 backend needs a timing and a weight dependence (and no voltage dependence)"
        elif not isinstance(timing, (SpikePairRule, Vogels2011Rule)) or not isinstance(
                weight_dep, (AdditiveWeightDependence, MultiplicativeWeightDependence,
                             AdditivePotentiationMultiplicativeDepression, GutigWeightDependence)):
            reason = "no Brian2 description of these components"
        elif isinstance(timing, Vogels2011Rule) and not isinstance(weight_dep, AdditiveWeightDependence):
            reason = (f"Vogels2011Rule with {type(weight_dep).__name__}: Vogels2011Rule is additive only "
                      f"(as NEST's vogels_sprekeler_synapse)")
        assembled.native_name = None if reason else "Synapses"
        assembled.missing_reason = reason
        if reason:
            return
        mu_plus, mu_minus = weight_dep.mu
        tau_pre, tau_post = timing.taus
        assembled.brian2_equations = (_STDP_SHARED_EQUATIONS + timing.equations
                                      + getattr(weight_dep, "equations", ""))
        head = ("s_ev = t - d_syn + {shift}\nspan = wmax - wmin\nx = (w_now - wmin)/span\n")
        tail = "w_now = wmin + x*span\n"
        assembled.brian2_on_post = (
            head + f"kpre_now = kpre*exp(-(s_ev - tpre_last)/{tau_pre})\n"
            + timing.on_post.format(mu_plus=mu_plus) + "\n" + tail
            + f"kpost = kpost*exp(-(s_ev - tpost_last)/{tau_post}) + 1\ntpost_last = s_ev\n")
        assembled.brian2_on_pre = (
            head + f"kpost_now = kpost*exp(-(s_ev - tpost_last)/{tau_post}) - "
            "int(abs(s_ev - tpost_last) < {half_dt})\n"
            + timing.on_pre.format(mu_minus=mu_minus) + "\n" + tail
            + "weight = w_now\n"
            + f"kpre = kpre*exp(-(s_ev - tpre_last)/{tau_pre}) + 1\ntpre_last = s_ev\n"
            + "{deliver}")
        assembled.release = "1"


__all__ = list(synapses.BACKEND_NAMES)
