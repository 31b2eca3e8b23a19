"""Brian2 current sources: the library's current on the time grid, played through a TimedArray.

Every injectable cell has an input current ``I_inj`` and an integer ``cs_row``. Cells of one
Brian2 group (of all the populations sharing it, see ``groups.py``) that receive the same
sources (with the same multiplicities) share a column of a 2D TimedArray holding the
summed current for every step; an operation in Brian2's
'start' slot sets ``I_inj = table(t, cs_row)``, so the current of the step starting at t
changes v from t + dt on. The table is recomputed before each run from the sources'
parameter history (kept by the core), so changes made between runs act from the time
they were made, and it is padded to a power-of-two length so that compiled code is
reused from run to run.
"""

import brian2
import numpy as np

from pyNN.brian2 import simulator
from pyNN.brian2.standardmodels import electrodes as tables
from pyNN.brian2.standardmodels.cells import state_array
from pyNN.common.current_sources import WaveformCurrentSource, current_source_classes


class Injection:
    """The current sources injected into the cells of one shared group and the Brian2
    objects playing them (made by ``SharedGroup.get_injection``)."""

    def __init__(self, shared):
        self.shared = shared
        self.sources = []  # distinct sources, in order of first injection
        self.counts = np.zeros((0, shared.size), dtype=np.int64)  # sources x cells of the group
        self.rows = None
        group = shared.group
        self.name = simulator.state.unique_name("current")
        group.namespace[self.name] = brian2.TimedArray(np.zeros((1, 1)) * brian2.amp,
                                                       dt=simulator.state.dt * brian2.ms, name=self.name)
        self.operation = group.run_regularly(f"I_inj = {self.name}(t, cs_row)", when="start", order=0,
                                             name=f"{self.name}_op")
        simulator.state.add(self.operation)

    def add(self, source, indices):
        """`source` now also acts on the cells at `indices` of the group (repeated indices add up)."""
        if source not in self.sources:
            self.sources.append(source)
            self.counts = np.vstack([self.counts, np.zeros(self.shared.size, dtype=np.int64)])
        k = self.sources.index(source)
        np.add.at(self.counts[k], indices, 1)
        # one column per distinct combination of sources
        combos, rows = np.unique(self.counts.T, axis=0, return_inverse=True)
        self.combos, self.rows = combos, rows.reshape(-1)
        self.restore()

    def restore(self):
        """Give the cells their table column again (after a snapshot was restored)."""
        if self.rows is not None:
            state_array(self.shared.group, "cs_row")[:] = self.rows

    def prepare(self, end_steps):
        """Fill the table for steps 0..end_steps (the current never depends on later steps)."""
        n = end_steps + 1
        length = max(1024, 1 << int(np.ceil(np.log2(n))))
        steps = np.arange(n)
        currents = np.column_stack([s.current_at_steps(steps) for s in self.sources])  # nA, steps x sources
        table = np.empty((length, self.combos.shape[0]))
        table[:n] = currents @ self.combos.T.astype(float) * 1e-9
        table[n:] = table[n - 1]
        group = self.shared.group
        group.namespace[self.name] = brian2.TimedArray(table * brian2.amp, dt=simulator.state.dt * brian2.ms,
                                                       name=self.name)


DCSource, ACSource, StepCurrentSource, NoisyCurrentSource = current_source_classes(
    WaveformCurrentSource, tables, simulator, __name__).values()
