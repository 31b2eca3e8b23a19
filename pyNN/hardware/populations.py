"""Populations of the hardware backend: one engine group per population."""

import numpy as np

from pyNN import errors
from pyNN.common import populations as common
from pyNN.hardware import simulator
from pyNN.hardware.engine.models import adapt_parameters, build_group
from pyNN.hardware.mapping import early
from pyNN.hardware.recording import Recorder


class Population(common.Population):
    """A group of cells simulated by the hardware-emulation engine."""

    _simulator = simulator
    _recorder_class = Recorder

    def _check_backend_support(self):
        state = simulator.state
        name = type(self.celltype).__name__
        profile = state.profile
        if getattr(self.celltype, "engine_group", None) is not None and profile is not None \
                and profile.kind != "ideal":
            from pyNN.hardware.nestml import refuse_profile
            refuse_profile(self.celltype, profile)
        if profile is not None and profile.cell_spec(name) is None:
            raise errors.NoModelAvailableError(
                f"{name} is not available on hardware profile '{profile.name}': "
                f"{profile.unsupported_reason(name)}")

    def _check_backend_values(self, std_values):
        early.check_population(simulator.state, self.label, type(self.celltype).__name__, self.size, std_values)

    def _engine_parameters(self):
        """Per-cell parameter arrays (standard units) that describe these cells."""
        return {name: (values.copy() if isinstance(values, np.ndarray) else values)
                for name, values in self._std.items()}

    def _create_cells(self):
        state = simulator.state
        rng = state.engine.group_rng(len(state.engine.groups))
        params = adapt_parameters(self.celltype, self._engine_parameters(), self.size)
        group = build_group(self.celltype, self.size, params, state.dt, rng,
                            to_steps=lambda t: state.time_to_steps(t, f"spike times of '{self.label}'"))
        self._group = state.engine.add_group(group)
        state.network_changed()

    def _use_parameters(self, realised):
        """Give the engine the parameter values realised by the mapping."""
        self._group.set_parameters(adapt_parameters(self.celltype, dict(realised), self.size))

    def _set_native_parameters(self, native_values, indices):
        # the core has already stored the new values in self._std; the next run maps them
        simulator.state.network_changed()

    def _set_native_initial_values(self, std_initial_values, indices):
        for name, values in std_initial_values.items():
            self._group.set_state(name, np.asarray(values, dtype=float), np.asarray(indices))

    def _membrane_potential(self):
        return self._group.v if self._group.kind == "neuron" else None

    def _native_ids(self):
        return self.first_id_int + self._indices


class PopulationView(common.PopulationView):
    """A subset of a hardware-backend population."""


class Assembly(common.Assembly):
    """A group of hardware-backend populations."""


Population._view_class = PopulationView
Population._assembly_class = Assembly
