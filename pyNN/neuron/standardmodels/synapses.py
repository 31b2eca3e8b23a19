"""NEURON translation tables for the standard synapse types.

A static connection is a NetCon (``native_name = 'NetCon'``): its weight is the jump of
the target's synaptic current (nA), conductance (uS) or membrane potential (mV), its
delay the synaptic delay. A Tsodyks-Markram
connection is a NetCon whose weight vector also holds U, tau_rec, tau_facil, tau_psc,
the initial u and the synapse's state, updated by the target's NET_RECEIVE (see
pynn_tsodyks.inc; the NET_RECEIVE of pynn_synapse.inc is shared by every mechanism in
`PLASTIC_TARGETS`); an STDP connection is a NetCon whose weight vector holds the rule and
its traces, applied by the same NET_RECEIVE (see pynn_stdp.inc); a stochastic connection is a NetCon whose weight
vector holds its release parameters and state, drawn by the same NET_RECEIVE from the target
cell's random stream (see pynn_stochastic.inc).
"""

import numpy as np

from pyNN.standardmodels import build_translations, synapses


#: cell mechanisms sharing the NET_RECEIVE of pynn_synapse.inc (Tsodyks-Markram, STDP and
#: stochastic release in the NetCon weight vector; a record of the cell's own spikes for STDP)
PLASTIC_TARGETS = ("PyNN_IF_curr", "PyNN_IF_cond", "PyNN_AdExp", "PyNN_HH", "PyNN_Izhikevich", "PyNN_GIF",
                   "PyNN_PointNeuron")
#: the standard cell types of those mechanisms, for error messages
PLASTIC_TARGET_CELLS = ("IF_curr_*, IF_cond_*, EIF_cond_*_isfa_ista, HH_cond_exp, Izhikevich, GIF_cond_exp and "
                        "PointNeuron")
_TARGET_NAMES = "the target cell's shared NET_RECEIVE, pynn_synapse.inc,"


class NeuronSynapseTypeMixin:
    """Defaults of the NEURON-specific attributes of a synapse type."""

    #: NetCon weight-vector slots (after the weight) holding the synapse's parameters
    weight_slots = ()
    #: cell mechanisms whose NET_RECEIVE implements the synapse's dynamics
    target_mechanisms = None
    #: stochastic release in NET_RECEIVE (pynn_stochastic.inc): 0 none, 1 Bernoulli, 2 quantal
    stochastic_kind = 0


_WEIGHT_DELAY = (("weight", "weight"), ("delay", "delay"))


class StaticSynapse(NeuronSynapseTypeMixin, synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    native_name = "NetCon"
    translations = build_translations(*_WEIGHT_DELAY)


class ElectricalSynapse(NeuronSynapseTypeMixin, synapses.ElectricalSynapse):
    __doc__ = synapses.ElectricalSynapse.__doc__
    missing_reason = ("the cells of this backend are point processes with their own membrane "
                      "potential, which a gap junction cannot couple")
    translations = {}


class TsodyksMarkramSynapse(NeuronSynapseTypeMixin, synapses.TsodyksMarkramSynapse):
    __doc__ = synapses.TsodyksMarkramSynapse.__doc__
    # the target mechanism's NET_RECEIVE carries the per-connection state (NEST's
    # tsodyks_synapse, with tau_psc = the target receptor's tau_syn)
    native_name = "NetCon"
    native_description = f"Tsodyks-Markram state in the weight vector, updated in {_TARGET_NAMES[:-1]}"
    translations = build_translations(*_WEIGHT_DELAY, ("U", "U"), ("tau_rec", "tau_rec"),
                                      ("tau_facil", "tau_facil"))
    weight_slots = ("U", "tau_rec", "tau_facil")
    target_mechanisms = PLASTIC_TARGETS


_STOCHASTIC_TARGETS = PLASTIC_TARGETS


class SimpleStochasticSynapse(NeuronSynapseTypeMixin, synapses.SimpleStochasticSynapse):
    __doc__ = synapses.SimpleStochasticSynapse.__doc__
    native_name = "NetCon"
    native_description = f"Bernoulli draw in {_TARGET_NAMES} from the cell's Random123 stream"
    translations = build_translations(*_WEIGHT_DELAY, ("p", "p"))
    weight_slots = ("p",)
    target_mechanisms = _STOCHASTIC_TARGETS
    stochastic_kind = 1


class StochasticTsodyksMarkramSynapse(NeuronSynapseTypeMixin, synapses.StochasticTsodyksMarkramSynapse):
    __doc__ = synapses.StochasticTsodyksMarkramSynapse.__doc__
    native_name = "NetCon"
    native_description = (f"quantal release with one site in {_TARGET_NAMES[:-1]} "
                          "(as NEST's quantal_stp_synapse)")
    translations = build_translations(*_WEIGHT_DELAY, ("U", "U"), ("tau_rec", "tau_rec"),
                                      ("tau_facil", "tau_facil"))
    weight_slots = ("U", "tau_rec", "tau_facil")
    target_mechanisms = _STOCHASTIC_TARGETS
    stochastic_kind = 2


class MultiQuantalSynapse(NeuronSynapseTypeMixin, synapses.MultiQuantalSynapse):
    __doc__ = synapses.MultiQuantalSynapse.__doc__
    native_name = "NetCon"
    native_description = (f"quantal release over n sites in {_TARGET_NAMES[:-1]} "
                          "(as NEST's quantal_stp_synapse)")
    translations = build_translations(*_WEIGHT_DELAY, ("U", "U"), ("n", "n"), ("tau_rec", "tau_rec"),
                                      ("tau_facil", "tau_facil"))
    weight_slots = ("U", "tau_rec", "tau_facil")
    target_mechanisms = _STOCHASTIC_TARGETS
    stochastic_kind = 2


# --- STDP: the algorithm of doc/behaviour.md, in the target cell's NET_RECEIVE -------------------
# A plastic connection is a NetCon whose weight vector holds, after the Tsodyks-Markram slots,
# the rule (`stdp_slots`) and its state; the `PLASTIC_TARGETS` apply it (pynn_stdp.inc)
# when a pre-synaptic spike is delivered, from the cell's record of its own recent spikes.

#: position of the first STDP slot in the weight vector (after w and the nine TM slots)
STDP_FIRST_SLOT = 10
#: the STDP parameter slots, in order (then the state: kp, tpre, km, tpost, nseen)
STDP_SLOTS = ("kind", "w0", "wmin", "wmax", "aplus", "aminus", "tplus", "tminus", "muplus", "muminus",
              "fdel", "preoff")
#: position of the stochastic slots (sto: the kind of release, nsites: the number of sites), after
#: the STDP parameters and their five state slots
STOCHASTIC_FIRST_SLOT = STDP_FIRST_SLOT + len(STDP_SLOTS) + 5
#: position of the receptor index (PyNN_PointNeuron's port) in the weight vector of a connection
#: onto a `PLASTIC_TARGETS` mechanism; other mechanisms with receptors (NESTML) take it in slot 1
PORT_SLOT = STOCHASTIC_FIRST_SLOT + 2
#: cells whose mechanism's NET_RECEIVE runs STDP (and keeps the spike record it needs)
STDP_TARGETS = PLASTIC_TARGETS
#: mechanisms of NESTML neurons generated with a plastic NESTML synapse (pyNN.neuron.nestml), which
#: keep their spikes and count lost ones like STDP_TARGETS
NESTML_STDP_TARGETS = []
#: how many of its last spikes such a cell keeps (NHIST in pynn_stdp.inc)
STDP_HISTORY = 64


def _identity(*names):
    return build_translations(*((name, name) for name in names))


class _NeuronSTDPComponent(NeuronSynapseTypeMixin):
    translations = {}


class _NeuronWeightDependence(_NeuronSTDPComponent):
    translations = _identity("w_min", "w_max")
    #: (mu_plus, mu_minus): exponents of the soft bounds
    mu = (0.0, 0.0)

    def exponents(self, values):
        """(mu_plus, mu_minus) of the soft bounds for the standard `values`."""
        return self.mu


class AdditiveWeightDependence(_NeuronWeightDependence, synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__


class MultiplicativeWeightDependence(_NeuronWeightDependence, synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__
    mu = (1.0, 1.0)


class AdditivePotentiationMultiplicativeDepression(
        _NeuronWeightDependence, synapses.AdditivePotentiationMultiplicativeDepression):
    __doc__ = synapses.AdditivePotentiationMultiplicativeDepression.__doc__
    mu = (0.0, 1.0)


class GutigWeightDependence(_NeuronWeightDependence, synapses.GutigWeightDependence):
    __doc__ = synapses.GutigWeightDependence.__doc__
    translations = _identity("w_min", "w_max", "mu_plus", "mu_minus")

    def exponents(self, values):
        return values["mu_plus"], values["mu_minus"]


class SpikePairRule(_NeuronSTDPComponent, synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    translations = _identity("tau_plus", "tau_minus", "A_plus", "A_minus")
    kind = 1

    @staticmethod
    def rule(values, span):
        """(aplus, aminus, tplus, tminus) slots: amplitudes relative to the weight span."""
        return values["A_plus"], values["A_minus"], values["tau_plus"], values["tau_minus"]


class Vogels2011Rule(_NeuronSTDPComponent, synapses.Vogels2011Rule):
    __doc__ = synapses.Vogels2011Rule.__doc__
    translations = _identity("tau", "eta", "rho")
    kind = 2

    @staticmethod
    def rule(values, span):
        """eta in weight units becomes a step of the normalised weight; alpha = 2 rho tau/1000."""
        eta = np.asarray(values["eta"], dtype=float)
        step = np.divide(eta, span, out=np.zeros(np.broadcast(eta, span).shape), where=span != 0)
        alpha = 2.0 * np.asarray(values["rho"], dtype=float) * np.asarray(values["tau"], dtype=float) / 1000.0
        return step, alpha * step, values["tau"], values["tau"]


class STDPMechanism(NeuronSynapseTypeMixin, synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    base_translations = build_translations(*_WEIGHT_DELAY, ("dendritic_delay_fraction", "dendritic_delay_fraction"))
    native_description = ("NetCon whose weight vector holds the rule and its traces, applied in "
                          f"{_TARGET_NAMES} at each pre-synaptic spike (as NEST's stdp_synapse)")
    target_mechanisms = STDP_TARGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assembled = type(self)
        assembled.native_name, assembled.missing_reason = self._choose_model()

    def _choose_model(self):
        timing, weight_dep = self.timing_dependence, self.weight_dependence
        if timing is None or weight_dep is None or self.voltage_dependence is not None:
            return None, "the NEURON backend needs a timing and a weight dependence (and no voltage dependence)"
        if not isinstance(timing, (SpikePairRule, Vogels2011Rule)) or not isinstance(
                weight_dep, _NeuronWeightDependence):
            return None, "no NEURON implementation of these components"
        if isinstance(timing, Vogels2011Rule) and not isinstance(weight_dep, AdditiveWeightDependence):
            return None, (f"Vogels2011Rule with {type(weight_dep).__name__}: Vogels2011Rule is additive only "
                          f"(as NEST's vogels_sprekeler_synapse)")
        return "NetCon", None

    def stdp_slots(self, values, weight, sign, native_delay):
        """The STDP slots (`STDP_SLOTS`, in order) of n connections, as one (n, 12) array.

        `values` holds the standard parameters (scalars or arrays of n), `weight` the
        initial weight magnitudes, `sign` -1 for the inhibitory input and `native_delay` the
        NetCon delays (the delivery time of a pre spike is its emission plus that delay).
        """
        n = np.size(sign)

        def column(value):
            return np.broadcast_to(np.asarray(value, dtype=float), (n,))

        w_min, w_max = column(values["w_min"]), column(values["w_max"])
        span = w_max - w_min
        aplus, aminus, tplus, tminus = self.timing_dependence.rule(values, span)
        if isinstance(self.timing_dependence, Vogels2011Rule):
            mu_plus = mu_minus = 0.0  # additive only
        else:
            mu_plus, mu_minus = self.weight_dependence.exponents(values)
        delay = column(values["delay"])
        dendritic = column(values["dendritic_delay_fraction"]) * delay
        return np.column_stack([
            np.full(n, float(self.timing_dependence.kind)), sign * column(weight), sign * w_min, sign * w_max,
            column(aplus), column(aminus), column(tplus), column(tminus), column(mu_plus), column(mu_minus),
            dendritic, (delay - dendritic) - column(native_delay)])


#: the standard synapse types (the abstract STDP component bases are not exported here)
__all__ = list(synapses.BACKEND_NAMES)
