"""Map a network onto a hardware profile: validate, quantise, partition, place, route, estimate.

:func:`map_network` takes plain descriptions of the populations and projections
(:mod:`~pyNN.hardware.mapping.specs`; :mod:`~pyNN.hardware.mapping.network` builds them from
the core's objects), checks them against a
:class:`~pyNN.hardware.profiles.HardwareProfile` and returns the realised network
(:class:`MappingResult`: quantised weights, realised delays, dropped connections,
per-neuron parameters with mismatch, engine settings) together with a
:class:`~pyNN.hardware.report.MappingReport`.

Violations follow one policy table:

==========================================  ===========================  ===============================
violation                                   strict                       lenient
==========================================  ===========================  ===============================
unsupported cell / synapse type             NoModelAvailableError        same
parameter outside range                     InvalidParameterValueError   clip + warning + report entry
weight sign / receptor mismatch             ConnectionError              same
weight above representable maximum          InvalidWeightError           clip (analog) / larger shift
                                                                         (SpiNNaker) + warning
weight quantisation                         one RoundingWarning per projection (both)
delay outside range / unsupported delay     InvalidParameterValueError   clip / ignore + warning
resource exhaustion                         ResourceExhaustedError       drop synapses up to
                                                                         max_synapse_loss, else error
shared-parameter conflict                   InvalidParameterValueError   first value + warning
recording beyond the channel limit          RecordingLimitError          first allowed + warning
==========================================  ===========================  ===============================

The steps shared by every hardware family are in :mod:`~pyNN.hardware.mapping.context`;
each family has its own module (:mod:`~pyNN.hardware.mapping.ideal`,
:mod:`~pyNN.hardware.mapping.spinnaker`, :mod:`~pyNN.hardware.mapping.analog`).

Every error message names the object, the parameter or resource, what was needed and
what is available, and a suggestion; the exception carries the (partial) report as its
``report`` attribute.
"""

from pyNN import errors
from pyNN.hardware.mapping import analog, ideal, spinnaker
from pyNN.hardware.mapping.context import POLICIES, MappingContext, validate_types
from pyNN.hardware.mapping.report import make_header
from pyNN.hardware.mapping.specs import MappingResult, PopulationSpec, ProjectionSpec
from pyNN.hardware.profiles import HardwareProfile, load_profile

#: the mapping steps of each kind of profile
FAMILIES = {"ideal": ideal.map_ideal, "digital": spinnaker.map_spinnaker, "analog": analog.map_analog}


def map_network(profile, populations, projections, *, dt, policy="strict", seed=None):
    """Map a network onto a hardware profile.

    Parameters
    ----------
    profile : HardwareProfile or str
        The target (a name is loaded with :func:`~pyNN.hardware.profiles.load_profile`).
    populations : list of PopulationSpec
    projections : list of ProjectionSpec
        ``pre``/``post`` index into `populations`.
    dt : float
        Simulation time step (ms).
    policy : {"strict", "lenient"}
        What to do about violations (see the module docstring).
    seed : int, optional
        Map seed; the chip (fixed-pattern) and run (trial noise) seeds derive from it unless
        the profile sets ``chip_seed``/``run_seed``.

    Returns
    -------
    MappingResult
    """
    if policy not in POLICIES:
        raise errors.InvalidParameterValueError(f"policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    if not isinstance(profile, HardwareProfile):
        profile = load_profile(profile)
    if dt <= 0:
        raise errors.InvalidParameterValueError(f"dt must be positive, not {dt}")
    family = FAMILIES.get(profile.kind)
    if family is None:
        raise errors.InvalidModelError(f"hardware profile '{profile.name}' has unknown kind {profile.kind!r}")
    ctx = MappingContext(profile, populations, projections, dt, policy, seed)
    speedup = profile.get("speedup", 1.0)
    ctx.report.header = make_header(profile, policy, ctx.dt, ctx.seeds, speedup, profile.get("time_scale_factor"))
    validate_types(ctx)
    family(ctx)
    return ctx.result()


__all__ = ["FAMILIES", "POLICIES", "MappingResult", "PopulationSpec", "ProjectionSpec", "map_network"]
