"""Projections of the hardware backend: the core keeps the connections; the engine's
connection blocks are built from them (through the mapping) before the next run."""

import numpy as np

from pyNN import errors
from pyNN.common import projections as common
from pyNN.common import synapse_state
from pyNN.common.populations import roots
from pyNN.hardware import simulator
from pyNN.hardware.engine.plasticity import check_stdp_supported
from pyNN.hardware.engine import stdp_s1615
from pyNN.hardware.mapping import early
from pyNN.hardware.mapping.context import unsupported_synapse_message
from pyNN.hardware.standardmodels.synapses import STDPMechanism, StaticSynapse
from pyNN.random import RandomDistribution


class Projection(common.Projection):
    """Connections between hardware-backend populations."""

    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def _prepare_backend(self):
        if isinstance(self.synapse_type, STDPMechanism):
            check_stdp_supported(self.synapse_type)
        profile = simulator.state.profile
        if getattr(self.synapse_type, "engine_functions", None) is not None and profile is not None \
                and profile.kind != "ideal":
            from pyNN.hardware.nestml_synapse import refuse_profile
            refuse_profile(self.synapse_type, profile)
        if profile is not None and profile.kind != "ideal":
            self._check_profile_synapse_type(profile)
        if getattr(getattr(self.synapse_type, "synapse_program", None), "post_inputs", None):
            from pyNN.hardware.nestml_synapse import check_post_inputs
            for root, _, _ in roots(self.post):
                check_post_inputs(self, root._group, root)
        for root, _, _ in roots(self.post):
            if self.receptor_type not in root._group.receptors.index:
                raise errors.NoModelAvailableError(
                    f"Projection '{self.label}': receptor '{self.receptor_type}' of "
                    f"{type(root.celltype).__name__} is not available on the hardware backend")
        if isinstance(self.synapse_type, STDPMechanism):
            self._check_dendritic_delay_fraction()

    def _check_profile_synapse_type(self, profile):
        """A synapse type, or a plasticity rule, that the profile's hardware lacks is refused
        here under either policy (there is no safe fallback): NoModelAvailableError with the
        profile's reason."""
        name = type(self.synapse_type).__name__
        if not profile.supports_synapse_dynamics(name):
            raise errors.NoModelAvailableError(unsupported_synapse_message(profile, self.label, name))
        if isinstance(self.synapse_type, STDPMechanism) and profile.kind == "digital":
            reason = stdp_s1615.unsupported_reason(self.synapse_type)
            if reason:
                raise errors.NoModelAvailableError(f"Projection '{self.label}': {reason}")

    def _check_dendritic_delay_fraction(self):
        """dendritic_delay_fraction < 1 processes each pre event when its spike arrives, after
        the target cells' threshold test of that step: exact for every input but a voltage
        jump (which acts on the threshold test of its own step), and only on the ideal
        profile's float64 engine."""
        fraction = self.synapse_type.parameter_space["dendritic_delay_fraction"]
        base = getattr(fraction, "base_value", fraction)
        if not isinstance(base, RandomDistribution) and np.all(np.asarray(base, dtype=float) == 1.0):
            return
        state = simulator.state
        if state.profile_name != "ideal":
            raise errors.InvalidParameterValueError(
                f"Projection '{self.label}': dendritic_delay_fraction below 1 is supported on the hardware "
                f"backend with profile 'ideal' only, not '{state.profile_name}'; it supports 1.0 there")
        jumps = sorted({type(root.celltype).__name__ for root, _, _ in roots(self.post)
                        if root._group.receptors.kinds[root._group.receptors.index[self.receptor_type]] == "delta"})
        if jumps:
            raise errors.InvalidParameterValueError(
                f"Projection '{self.label}': dendritic_delay_fraction below 1 is not supported on the hardware "
                f"backend for targets whose inputs are voltage jumps ({', '.join(jumps)}); it supports 1.0 "
                f"there, and any value in [0, 1] onto the other cell types")

    def _check_backend_connections(self, pre, post, values):
        profile = simulator.state.profile
        if isinstance(self.synapse_type, STDPMechanism) and profile is not None and profile.kind == "digital":
            # sPyNNaker takes one value of each STDP parameter per projection (also after set())
            varying = [name for name in stdp_s1615.SCALAR_PARAMETERS
                       if name in values and np.size(values[name]) > 1 and np.ptp(np.asarray(values[name], float)) > 0]
            if varying:
                raise errors.InvalidParameterValueError(
                    f"Projection '{self.label}': STDP parameters {', '.join(varying)} would vary between "
                    f"connections; hardware profile '{profile.name}' takes one value of each per projection "
                    f"(sPyNNaker's look-up tables and weight-rule constants are per core)")
        early.check_projection(simulator.state, self, pre, post, values)

    def _create_connections(self, pre, post, values):
        simulator.state.network_changed()

    def _set_attributes(self, values):
        if "weight" in values:
            self._weights_replaced = True  # plastic weights restart from the new values
        simulator.state.network_changed()

    def _read_plastic(self, name):
        """Weights as the engine uses them once mapped (see State.hardware_weights), with the
        user's sign."""
        if name != "weight":
            return None
        weights = simulator.state.hardware_weights(self)
        if weights is None:
            return None
        user = np.asarray(self._syn.get("weight", 0.0), dtype=float)
        if user.ndim == 0:  # (one sign for all: no pass over the connections to choose it)
            return -weights if user < 0 else weights
        return np.where(user < 0, -weights, weights)

    def _set_state_variables(self, values):
        """Tsodyks-Markram u, x, y of every connection (see State.set_short_term_state)."""
        if getattr(self.synapse_type, "engine_functions", None) is not None:
            raise synapse_state.nestml_state_refused(self, values)
        simulator.state.set_short_term_state(self, values)

    def _read_state_variable(self, name):
        """Tsodyks-Markram u, x, y from the engine's blocks (before the first run: the start state)."""
        if name not in getattr(self.synapse_type, "state_variables", ()):
            return None
        if getattr(self.synapse_type, "engine_functions", None) is not None:
            return simulator.state.nestml_synapse_state(self, name)
        return simulator.state.short_term_state(self, name)
