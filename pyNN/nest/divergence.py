"""Which NEST populations the core's divergence check reads (pyNN.common.numerical_safety).

The check reads every cell's membrane potential from NEST, which costs about 10 us per cell
whichever call does it (``nodes.get('V_m')``, ``nest.GetStatus``, ``nodes.V_m`` and the
kernel's ``llapi_get_nc_status`` alike, NEST 3.10, 10^5 nodes: NEST builds each node's whole
status dictionary), about 1 s per 10^5 cells: more than a tenth of a NEST run of such a network
over 100 ms. So the check reads a population only where NEST can let V_m become NaN or
infinite without raising an error itself. The rule, per NEST model (measured with one cell,
spikes of weight w onto it, NEST 3.10):

* exact integration (``iaf_psc_*``: linear propagators): from finite parameters and weights,
  which the core guarantees, the state stays finite. Never read.
* ``iaf_cond_exp`` and ``iaf_cond_alpha`` (GSL's adaptive RKF45, V_m linear between finite
  reversal potentials): V_m stays finite however large a finite conductance is (with w =
  1e30 to 1e300 nS the solver shrinks its steps and the run crawls, but nothing turns NaN);
  V_m becomes NaN without an error only when a conductance overflows to infinity (two spikes
  of 1e307 nS in one step). A current (I_e or a current source) cannot overflow a
  conductance: I_e = 1e307 pA holds V_m at the reset (the cell fires every step), -1e307 pA
  and 1e308 pA make the run crawl, none gave NaN. Read only when a projection onto the population has weights
  whose magnitude exceeds :data:`OVERFLOW_GUARD` or that NEST changes during a run (any
  synapse type but StaticSynapse: plasticity, NESTML synapses).
* every other model, always read: e.g. ``aeif_*`` (NEST raises NumericalInstability only when
  V_m < -1e3 or |w| > 1e6, which a NaN passes), ``hh_cond_exp_traub`` (NaN without an error at
  w = 1e6 nS), ``izhikevich`` (explicit Euler), NESTML models and native NEST models.
"""

from pyNN.common import numerical_safety

#: NEST models integrated exactly (linear propagators): never read
EXACT_LINEAR_PREFIX = "iaf_psc_"

#: NEST models whose V_m becomes NaN without a NEST error only by a conductance overflow
OVERFLOW_ONLY_MODELS = frozenset({"iaf_cond_exp", "iaf_cond_alpha"})

#: largest incoming weight magnitude (standard units, uS) with which the conductance of an
#: OVERFLOW_ONLY model cannot overflow (it would take 1e200 spikes in one time constant)
OVERFLOW_GUARD = 1e100


def needs_check(population, model):
    """Whether the divergence check must read `population` (of NEST model `model`, a
    neuron model, not a generator), given the projections that exist now."""
    if model.startswith(EXACT_LINEAR_PREFIX):
        return False
    if model in OVERFLOW_ONLY_MODELS:
        bound = numerical_safety.incoming_weight_bound(
            population._simulator.state, population, lambda projection: projection._has_synapse_dynamics())
        return not bound <= OVERFLOW_GUARD
    return True
