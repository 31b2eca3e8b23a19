"""NEURON recorders: ``Vector.record`` per recorded cell and variable, spikes from the
state's single ``ParallelContext.spike_record``.

Signal vectors record every step; each fetch turns them into one (steps x cells)
matrix, keeps the samples on the epoch's sampling grid and empties the vectors.
"""

import numpy as np

from pyNN import errors, recording
from pyNN.neuron import hoc, simulator


class Recorder(recording.Recorder):
    """Tells NEURON what to record for one population and fetches raw arrays."""

    def __init__(self, population):
        self._vectors = {}  # variable -> {"vectors", "base" (step of entry 0), "last" (last step given)}
        super().__init__(population)

    def _check_backend_can_record(self, variable):
        if variable != "spikes":  # (spikes are recorded for every cell already: nothing is added)
            simulator.state.refuse_addition_if_distributed(
                f"Recording '{variable}' of '{self.population.label}'")
        if variable != "spikes" and variable not in self.population.native_type.variable_map:
            raise errors.NoModelAvailableError(
                f"Recording '{variable}' of '{self.population.label}' is not available on the NEURON backend")

    def _configure(self, variable, indices, interval_steps):
        state = simulator.state
        if variable == "spikes":
            state.discard_spikes(self.population)  # spikes before now are not data of new cells
            return
        self._drop(variable)
        if len(indices) == 0:
            return
        h = hoc.h()
        native = self.population.native_type.variable_map[variable]
        cells = self.population._cells
        # in a distributed run: vectors for this process's cells only (`keep`: their positions
        # among the recorded cells; the core fills the other columns from their processes)
        keep, mine = self.population._local_selection(indices)
        vectors = []
        for i in mine.tolist():
            vec = h.Vector()
            vec.record(hoc.reference(cells[i], native))
            vectors.append(vec)
        # vectors installed before the first finitialize() get the sample of step 0 first
        base = state.steps + 1 if state.nrn_initialized else 0
        self._vectors[variable] = {"vectors": vectors, "base": base, "last": state.steps,
                                   "keep": keep, "n": len(indices)}
        state.objects_added()

    def _drop(self, variable):
        old = self._vectors.pop(variable, None)
        if old:
            for vec in old["vectors"]:
                vec.play_remove()

    def _drop_all(self):
        for variable in list(self._vectors):
            self._drop(variable)

    def _after_finitialize(self):
        """finitialize() empties the vectors and records the state at t = 0."""
        for info in self._vectors.values():
            info["base"] = 0
            info["last"] = 0

    def _after_reinit(self):
        """After a state-preserving re-initialisation: the vectors hold only the value
        recorded by finitialize(); samples resume with the next step."""
        steps = simulator.state.steps
        for info in self._vectors.values():
            for vec in info["vectors"]:
                vec.resize(0)
            info["base"] = steps + 1
            info["last"] = max(info["last"], steps)

    def _fetch_spikes(self):
        idx, times = simulator.state.take_spikes(self.population)
        keep = self.recorded.get("spikes", np.zeros(self.population.size, bool))[idx] if idx.size \
            else np.zeros(0, bool)
        return idx[keep], times[keep]

    def _fetch_signal(self, variable, epoch):
        info = self._vectors.get(variable)
        if info is None:
            return None
        state = simulator.state
        now = state.steps
        k = epoch.interval_steps
        last = max(info["last"], epoch.t_start_steps)
        first = epoch.t_start_steps + ((last - epoch.t_start_steps) // k + 1) * k
        wanted = np.arange(first, now + 1, k)
        vectors = info["vectors"]
        rows = None
        if wanted.size and info["keep"] is not None:
            rows = self._local_rows(variable, info, wanted)
        elif wanted.size:
            at = wanted - info["base"]
            factor = self.population.native_type.scale_factors.get(variable, 1.0)
            # the wanted samples are usually a run of consecutive ones: a slice, not a gather
            span = slice(at[0], at[-1] + 1) if at[-1] - at[0] + 1 == at.size else at
            head = epoch.take_first_row() if isinstance(span, slice) else None
            if head is not None:
                # the epoch holds only its first sample: build the whole (cells x samples)
                # array at once, one contiguous row per Vector (NEURON keeps one per cell),
                # and hand it over transposed, so that nothing is joined (copied) later
                block = np.empty((len(vectors), at.size + 1))
                for j, vec in enumerate(vectors):
                    block[j, 1:] = vec.as_numpy()[span]
                if factor != 1.0:
                    block[:, 1:] *= factor
                block[:, 0] = head[0]
                rows = block.T
            else:
                # one contiguous copy of each Vector, seen transposed as (samples x cells)
                rows = np.vstack([vec.as_numpy()[span] for vec in vectors]).T
                if factor != 1.0:
                    rows *= factor
        for vec in vectors:
            vec.resize(0)
        info["base"] = now + 1
        info["last"] = now
        return rows

    def _local_rows(self, variable, info, wanted):
        """Distributed run: (samples x recorded cells) with this process's columns filled and
        the others NaN (the core takes each column from the process that owns the cell)."""
        rows = np.full((wanted.size, info["n"]), np.nan)
        at = wanted - info["base"]
        factor = self.population.native_type.scale_factors.get(variable, 1.0)
        for j, vec in zip(info["keep"].tolist(), info["vectors"]):
            rows[:, j] = vec.as_numpy()[at] * factor
        return rows

    def _current_values(self, variable, indices):
        return self.population._native_state(variable, indices)

    def _restart_signal(self, variable, indices):
        info = self._vectors.get(variable)
        if info is not None:
            for vec in info["vectors"]:
                vec.resize(0)
            info["base"] = simulator.state.steps + 1
            info["last"] = simulator.state.steps
