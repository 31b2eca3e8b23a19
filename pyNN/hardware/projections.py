"""Projections of the hardware backend: the core keeps the connections; the engine's
connection blocks are built from them (through the mapping) before the next run."""

import numpy as np

from pyNN import errors
from pyNN.common import projections as common
from pyNN.common.populations import Assembly
from pyNN.hardware import simulator
from pyNN.hardware.engine.plasticity import check_stdp_supported
from pyNN.hardware.standardmodels.synapses import StaticSynapse


class Projection(common.Projection):
    """Connections between hardware-backend populations."""

    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def _prepare_backend(self):
        syn = self.synapse_type
        if getattr(type(syn), "native_name", None) is None:
            reason = getattr(type(syn), "missing_reason", None) or "no engine model"
            raise errors.NoModelAvailableError(
                f"{type(syn).__name__} is not available on the hardware backend: {reason}")
        if type(syn).__name__ == "STDPMechanism":
            check_stdp_supported(syn)
        posts = self.post.populations if isinstance(self.post, Assembly) else [self.post]
        for post in posts:
            group = post.grandparent._group
            if self.receptor_type not in group.receptors.index:
                raise errors.NoModelAvailableError(
                    f"Projection '{self.label}': receptor '{self.receptor_type}' of "
                    f"{type(post.celltype).__name__} is not available on the hardware backend")

    def _create_connections(self, pre, post, values):
        simulator.state.network_changed()

    def _set_attributes(self, values):
        if "weight" in values:
            self._weights_replaced = True  # plastic weights restart from the new values
        simulator.state.network_changed()

    def _read_plastic(self, name):
        if name != "weight" or not getattr(self.synapse_type, "plastic", False):
            return None
        weights = simulator.state.plastic_weights(self)
        if weights is None:
            return None
        user = np.asarray(self._syn.get("weight", 0.0), dtype=float)
        return np.where(user < 0, -weights, weights)
