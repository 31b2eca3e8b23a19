"""State of the hardware-emulation backend: profile, mapping, engine, run and reset.

``setup(timestep, profile='ideal', policy='strict', seed=None, **profile_overrides)``
loads a hardware profile. Before the first run after any change of the network
(population, projection, parameter or synapse values) the network is *mapped*
(:func:`pyNN.hardware.mapping.network.map_current_network`): the mapper checks it against
the profile and returns the realised network (quantised weights, realised delays, dropped
connections, realised parameters) and a mapping report; the engine then runs exactly that
realised network (:mod:`pyNN.hardware.engine.wiring`). ``map()`` does only the mapping
("does it fit?").

Time in the engine, in recorded data and in every parameter is biological time (ms);
the estimated hardware wall-clock time is in the report.
"""

import contextlib

import numpy as np

from pyNN import errors
from pyNN.common.control import BaseState
from pyNN.hardware.engine import Engine, kernels, wiring
from pyNN.hardware.mapping.network import map_current_network
from pyNN.hardware.profiles import list_profiles, load_profile
from pyNN.utility.feedback import announce_work

#: whether the numba kernels have run in this process (their first run compiles or loads them)
_kernels_warm = False


def _warmed():
    global _kernels_warm
    _kernels_warm = True

DEFAULT_SEED = 42


class State(BaseState):
    """Global state of the hardware-emulation backend."""

    backend_name = "hardware"

    def __init__(self):
        super().__init__()
        self.profile_name = "ideal"
        self.profile = None
        self.policy = "strict"
        self.rng_seed = DEFAULT_SEED
        self.threads = 1
        self.engine = Engine(self.dt, self.rng_seed)
        self.mapping = None
        self.mapped_network = None
        self._blocks_by_label = {}
        self._dirty = True

    def _threads_hint(self):
        return "; setup(threads=T) runs the emulator's loops on T cores of one machine"

    def extra_setup_options(self):
        """setup() takes any hardware-profile setting as an override (see the core's option table)."""
        return {name for p in list_profiles() for name in load_profile(p).settings}

    def _setup(self, profile="ideal", policy="strict", seed=None, rng_seed=None, threads=1, **profile_overrides):
        if policy not in ("strict", "lenient"):
            raise errors.InvalidParameterValueError(
                f"setup(): policy must be 'strict' or 'lenient', not {policy!r}")
        self.profile = load_profile(profile, **profile_overrides)
        self.profile_name = profile
        self.policy = policy
        seed = seed if seed is not None else rng_seed
        self.rng_seed = int(seed) if seed is not None else DEFAULT_SEED
        # threads of the engine's compiled loops (checked by the core's option table);
        # results do not depend on it (pyNN.hardware.engine.threads)
        self.threads = int(threads)
        self.engine.team.close()
        self.engine = Engine(self.dt, self.rng_seed, self.threads)
        self.mapping = None
        self.mapped_network = None
        # a new network: no block of the previous one may hand its weights and traces on
        self._blocks_by_label = {}
        self._dirty = True

    def block_annotations(self):
        """The hardware profile and mapping policy the data were produced with."""
        return {"hardware_profile": str(self.profile_name), "hardware_policy": str(self.policy),
                "hardware_seed": int(self.rng_seed)}

    # --- the network changed: map again before the next run ---------------------------
    def network_changed(self):
        """Mark the network as changed: it is mapped again before the next run."""
        self._dirty = True

    def map(self):
        """Map the network onto the profile (if it changed) and give the engine the realised
        network; returns the mapping result."""
        if self._dirty or self.mapping is None:
            self.mapping, self.mapped_network = map_current_network(self)
            self._blocks_by_label = wiring.apply_mapping(self.engine, self.dt, self.populations, self.mapping,
                                                         self.mapped_network, self._blocks_by_label)
            for projection in self.projections:
                projection._weights_replaced = False
            self._dirty = False
            if kernels.use_numba():
                # the compiled loop of the run is loaded with the mapping (part of the build), so
                # that the first run's time is the simulation's
                with self._compiling():
                    self.engine.load()
        return self.mapping

    # --- running ------------------------------------------------------------------------
    def _begin_run(self, target_steps):
        self.map()

    def _advance(self, n_steps):
        external = wiring.external_currents(self.current_sources, self.steps, n_steps)
        if _kernels_warm or not kernels.use_numba():
            self.engine.run(n_steps, external)
            return
        with self._compiling():
            self.engine.run(n_steps, external)
        _warmed()

    @staticmethod
    def _compiling():
        """Announcement of work that may compile (or load) the engine's numba kernels."""
        if _kernels_warm:
            return contextlib.nullcontext()
        return announce_work("pyNN.hardware: compiling the emulator's numba kernels",
                             "first run in this process; numba caches them next to the engine's code",
                             "30-60 s the first time, about a second after that")

    def _end_run(self):
        if self.mapping is not None:
            self.mapping.report.add_provenance(self.provenance())

    def hardware_weights(self, projection):
        """The weights (magnitudes, core order) the engine uses for a projection once the
        network is mapped: the plastic ones as they are now, and on a hardware profile the
        realised (quantised) ones of every synapse type; None before the network is mapped
        (or after it changed), and for static weights on profile ideal (the requested ones).
        Connections the mapping dropped (lenient policy) keep their requested values."""
        if self.mapping is None or self._dirty:
            return None
        plastic = getattr(projection.synapse_type, "plastic", False)
        if not plastic and self.profile is not None and self.profile.kind == "ideal":
            return None
        weights = np.empty(len(projection))
        weights[:] = np.abs(np.asarray(projection._syn.get("weight", 0.0), dtype=float))
        self._catch_up(projection)
        for block in self.engine.blocks:
            if getattr(block, "projection", None) is projection:
                weights[block.core_positions] = np.abs(block.weight)
        return weights

    def short_term_state(self, projection, name):
        """Tsodyks-Markram state `name` (u, x or y) per connection in core order; the start
        state (u = 0, x = 1, y = 0) before the network has been mapped."""
        start = projection._initial_state.get(name, projection.synapse_type.default_initial_values[name])
        values = np.array(np.broadcast_to(np.asarray(start, dtype=float), (len(projection),)))
        if self.mapping is None or self._dirty:
            return values
        for block in self.engine.blocks:
            if getattr(block, "projection", None) is projection and block.stp is not None:
                values[block.core_positions] = block.stp[name]
        return values

    def set_short_term_state(self, projection, values):
        """Write Tsodyks-Markram state `values` (name -> float, or one value per connection in
        core order) into the engine's blocks of `projection`. Blocks made later start from the
        projection's initial state (engine.wiring), or carry over the state of these ones."""
        for block in self.engine.blocks if self.engine is not None else ():
            if getattr(block, "projection", None) is projection and block.stp is not None:
                for name, value in values.items():
                    value = np.asarray(value, dtype=float)
                    block.stp[name][:] = value[block.core_positions] if value.ndim else value

    def _catch_up(self, projection):
        """Bring the connections of a NESTML synapse with an update block or modulatory ports to
        the current time (pyNN.hardware.nestml_synapse.NESTMLSynapseState.catch_up)."""
        for block in self.engine.blocks:
            if getattr(block, "projection", None) is projection and hasattr(block.stdp, "catch_up"):
                block.stdp.catch_up(self.engine.step * self.dt, block.delay * self.dt, block.weight,
                                    block.post_index, block.history)

    def nestml_synapse_state(self, projection, name):
        """State variable `name` of a NESTML synapse per connection in core order (library
        units), as of each connection's last event (a synapse with an update block or
        modulatory ports: as of now); the initial value before the network has been mapped."""
        var = projection.synapse_type.nestml_model.state[name]
        values = np.full(len(projection), float(projection.synapse_type.default_initial_values[name]))
        if self.mapping is None or self._dirty:
            return values
        self._catch_up(projection)
        for block in self.engine.blocks:
            if getattr(block, "projection", None) is projection and block.stdp is not None:
                values[block.core_positions] = block.stdp.state[name] * var.to_pynn
        return values

    def provenance(self):
        """Run-time counters of the engine (for the mapping report)."""
        return wiring.run_counters(self.engine, getattr(self.mapping, "numerics", None) or {}, self.dt)

    def _reset(self):
        self.engine.reset()
        for population in self.populations:
            population._group.rng = self.engine.group_rng(population._group.index)


state = State()
