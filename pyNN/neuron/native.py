"""NEURON's own models as PyNN cell types: the artificial integrate-and-fire cells
IntFire1, IntFire2 and IntFire4, with NEURON's parameter names and units.

They are event-driven point processes outside any section, like the spike sources. Input
arrives as NetCon weights added to the state (m for IntFire1/2, e or i1 for IntFire4):
a positive weight excites and a negative one inhibits, so the library's two receptors
'excitatory' and 'inhibitory' map onto the weight's sign (give weight magnitudes, or
negative weights with ``receptor_type='inhibitory'``, as for any current-based cell).
The cells fire when m reaches 1 and have no membrane potential or injectable current.

``native_cell_type``, ``native_synapse_type`` and ``native_electrode_type`` (NEST's way of
wrapping any simulator model) are not available: NEURON mechanisms need a PyNN adapter.
"""

from pyNN.neuron.standardmodels.cells import NeuronCellTypeMixin
from pyNN.standardmodels import StandardCellType, build_translations


class NativeCellType(NeuronCellTypeMixin, StandardCellType):
    """Base class of NEURON's artificial cells wrapped as cell types (native names and
    units; ``native_name`` is the NEURON class)."""

    artificial = True
    conductance_based = False
    injectable = False
    receptor_types = ("excitatory", "inhibitory")
    default_initial_values = {}
    #: state that NEURON's INITIAL block sets to 0 and the library then sets from the initial
    #: values (after every initialisation; see Population._set_state_after_init)
    state_set_after_init = ()
    recordable = ["spikes", "m"]
    units = {"m": "dimensionless"}
    variable_map = {"m": "m"}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.native_name:
            cls.translations = build_translations(*((name, name) for name in cls.default_parameters))


def _doc(name, params, initial="its state starts as NEURON's INITIAL block sets it"):
    return (f"NEURON's artificial cell {name} ({params}); recordable 'spikes' and 'm' (m is "
            f"updated by NEURON only when an event arrives); {initial}.")


class IntFire1(NativeCellType):
    __doc__ = _doc("IntFire1", "tau (ms), refrac (ms)", "initial value: m (default 0)")
    native_name = "IntFire1"
    default_parameters = {"tau": 10.0, "refrac": 5.0}
    # m decays from its value at t0 only when an event arrives, so an initial m set after
    # INITIAL (with t0 = the start time) is exact; IntFire2 and IntFire4 schedule their
    # firing from the state in INITIAL, so their state starts at NEURON's values
    default_initial_values = {"m": 0.0}
    state_set_after_init = ("m",)
    units = dict(NativeCellType.units, tau="ms", refrac="ms")


class IntFire2(NativeCellType):
    __doc__ = _doc("IntFire2", "taum (ms), taus (ms), ib (bias current, dimensionless)")
    native_name = "IntFire2"
    default_parameters = {"taum": 10.0, "taus": 20.0, "ib": 0.0}
    units = dict(NativeCellType.units, taum="ms", taus="ms", ib="dimensionless")

    @staticmethod
    def start_now(cell, receive_flag_1):
        """Start a cell created after a run as set-up starts one at time 0, but now."""
        # from the state of INITIAL (i = ib, m = 0), the flag-1 branch of NET_RECEIVE does what
        # the rest of INITIAL does: t0 = t and the self-event at firetime(ib, 0, 0)
        receive_flag_1(cell)


class IntFire4(NativeCellType):
    __doc__ = _doc("IntFire4", "taue, taui1, taui2, taum (ms)")
    native_name = "IntFire4"
    default_parameters = {"taue": 5.0, "taui1": 10.0, "taui2": 20.0, "taum": 50.0}
    units = dict(NativeCellType.units, taue="ms", taui1="ms", taui2="ms", taum="ms")

    @staticmethod
    def start_now(cell, receive_flag_1):
        """Start a cell created after a run as set-up starts one at time 0, but now."""
        # the constants INITIAL derives from the time constants are not RANGE variables, so the
        # state-preserving re-initialisation cannot copy them: they are derived again
        cell.fixprecondition()
        cell.factors()
        cell.e = cell.i1 = cell.i2 = cell.m = 0.0
        # then the flag-1 branch of NET_RECEIVE sets t0 = t and queues the self-event at
        # firetimebound(), as INITIAL does, and counts one self-event, which INITIAL does not
        receive_flag_1(cell)
        cell.nself = 0.0


__all__ = ["IntFire1", "IntFire2", "IntFire4", "NativeCellType"]
