"""NESTML models as cell and synapse types (``sim.nestml``).

The front end (:mod:`~pyNN.nestml.frontend`) reads a model with the ``nestml`` package and
``odetoolbox`` into one intermediate form (:mod:`~pyNN.nestml.ir`) that every back end
reads; :mod:`~pyNN.nestml.types` makes cell and synapse types from it; a back end's
generator builds the simulator code, cached by :mod:`~pyNN.nestml.cache`. See
``doc/nestml.md``.
"""

from pyNN import errors


class NESTMLUnavailable:
    """``sim.nestml`` on a back end that has no NESTML code generator yet: both functions
    raise NotSupportedError naming the back end (the front end works everywhere; see
    doc/nestml.md for the back ends that have a generator)."""

    def __init__(self, backend):
        self.backend = backend
        #: the support matrix's entries (tools/support_matrix.py)
        self.SUPPORT = {"neuron models": (False, f"no NESTML code generator on {backend} yet"),
                        "synapse models": (False, f"no NESTML code generator on {backend} yet")}

    def _refuse(self, what, name):
        raise errors.NotSupportedError(
            f"NESTML {what} '{name}': the {self.backend} backend has no NESTML code generator yet; "
            f"NESTML models run on pyNN.nest only for now")

    def nestml_cell_type(self, name, nestml_description):
        """Not available on this back end (raises NotSupportedError)."""
        self._refuse("neuron", name)

    def nestml_synapse_type(self, synapse_name, nestml_description, postsynaptic_neuron_nestml_description=None,
                            weight_variable="w", delay_variable=None):
        """Not available on this back end (raises NotSupportedError)."""
        self._refuse("synapse", synapse_name)

    def __repr__(self):
        return f"<sim.nestml of the {self.backend} backend: no NESTML generator yet>"
