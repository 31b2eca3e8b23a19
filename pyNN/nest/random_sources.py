"""NEST random spike sources: trains drawn by the library, played by spike_generators.

NEST's poisson_generator, ppd_sup_generator and gamma_sup_generator draw from the random
stream of the thread each target is on, so their trains change with ``setup(threads=...)``.
The library draws the same processes itself (:mod:`pyNN.random_sources`, keyed by the seed,
the segment and the cell) and gives each cell's spike_generator its train, a chunk ahead of
the simulation, so that the spikes are the same for any number of threads.

A generator's spike reaches its parrot NEST's min_delay later and the kernel runs that far
ahead of user time (see simulator.py): after a run to user step S NEST has already sent the
spikes of the steps up to S + comm_steps. Those stay as they are; trains are extended and
parameter changes act after them (the time at which a change of NEST's own generators acted).
"""

import numpy as np

from pyNN.random_sources import RandomTrains
from pyNN.nest import simulator

#: the standard parameters each kind of process reads
_PARAMETERS = {"poisson": ("rate", "start", "duration"),
               "refractory": ("rate", "tau_refrac", "start", "duration"),
               "gamma": ("alpha", "beta", "start", "duration")}


def sent_step(state):
    """The last user step whose spikes NEST's generators have already sent (0 before the
    first run of a segment)."""
    return state.steps + state._comm_steps if state.warmed_up else 0


class RandomSourceFeed:
    """The drawn trains of one population and their hand-over to its spike_generators."""

    def __init__(self, population):
        state = simulator.state
        self.population = population
        self.kind = population.native_type.random_kind
        self.precise = state.spike_precision == "off_grid"
        self.trains = RandomTrains(self.kind, self._values(population._indices), population._ids,
                                   state.rng_seed, state.segment_counter, state.dt,
                                   precise=self.precise, now=sent_step(state))
        self._changed = np.zeros(0, dtype=np.int64)  # cells whose generator needs its train again

    def _values(self, indices):
        std = self.population._std
        return {name: np.asarray(std[name], dtype=float)[indices] for name in _PARAMETERS[self.kind]}

    def change(self, indices):
        """The parameters of the cells `indices` changed (the core holds the new values)."""
        indices = np.asarray(indices, dtype=np.int64)
        self.trains.change(indices, self._values(indices), sent_step(simulator.state))
        self._changed = np.union1d(self._changed, indices)

    def feed(self, end_step):
        """Give the generators every spike NEST will send when run to user step `end_step`
        (drawing ahead in large chunks: most calls find the trains long enough)."""
        state = simulator.state
        need = end_step + state._comm_steps
        rows = self.trains.rows_to_draw(need)
        self.trains.extend(rows, need)
        if self._changed.size:
            rows = np.union1d(rows, self._changed)
            self._changed = np.zeros(0, dtype=np.int64)
        if not rows.size:
            return
        trains = self.trains.spikes_for(rows, sent_step(state))
        dt = state.dt
        if self.precise:
            times = [(t * dt + state.device_shift).tolist() for t in trains]
        else:  # NEST time of step k: a whole number of steps, as NEST checks it
            shift = round(state.device_shift / dt)
            times = [(np.round(t + shift) * dt).tolist() for t in trains]
        from pyNN.nest.populations import _set_per_node  # populations imports this module
        nodes = self.population._generators
        _set_per_node(nodes if rows.size == self.population.size else nodes[rows.tolist()],
                      {"spike_times": times})
