"""Recording on the hardware backend: the engine stores spikes and samples of the cells
the core asks for; the core fetches them as columns (biological time, standard units)."""

import numpy as np

from pyNN import recording
from pyNN.hardware import simulator
from pyNN.hardware.engine.core import SignalRecord


class Recorder(recording.Recorder):
    """Tells the engine what to record for one population and fetches raw arrays."""

    @property
    def _recording(self):
        return self.population._group.recording

    def _configure(self, variable, indices, interval_steps):
        rec = self._recording
        indices = np.asarray(indices, dtype=np.int64)
        if variable == "spikes":
            mask = np.zeros(self.population.size, dtype=bool)
            mask[indices] = True
            rec.spike_mask = mask if mask.any() else None
            return
        epochs = self.current.signals.get(variable)
        if not len(indices) or not epochs:
            rec.signals.pop(variable, None)
            return
        epoch = epochs[-1]
        rec.signals[variable] = SignalRecord(epoch.indices, epoch.t_start_steps, interval_steps)

    def _fetch_spikes(self):
        rec = self._recording
        if not rec.spike_cells:
            return np.zeros(0, np.int64), np.zeros(0)
        cells = np.concatenate(rec.spike_cells)
        steps = np.concatenate(rec.spike_steps)
        rec.spike_cells, rec.spike_steps = [], []
        # without the float noise of step * dt (e.g. 373 * 0.1 = 37.300000000000004)
        return cells, simulator.state.steps_to_time(steps)

    def _fetch_signal(self, variable, epoch):
        record = self._recording.signals.get(variable)
        if record is None or not record.rows:
            return None
        head = epoch.take_first_row()  # joined here, in the one copy vstack makes anyway
        rows = np.vstack(record.rows if head is None else [head, *record.rows])
        record.rows, record.steps = [], []
        return rows

    def _current_values(self, variable, indices):
        values = self.population._group.get(variable)[np.asarray(indices, dtype=np.int64)]
        record = self._recording.signals.get(variable)
        if record is not None and record.granted is not None and len(values) == len(record.granted):
            values[~record.granted] = np.nan  # refused by the mapping (lenient policy)
        return values

    def _restart_signal(self, variable, indices):
        self._configure(variable, indices, self._interval_steps())
