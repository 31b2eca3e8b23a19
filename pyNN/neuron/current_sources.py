"""NEURON current sources: the core's current waveforms played into the cells.

Cells that receive the same set of sources form a group; before each run the group's
summed current, one value per step from t = 0 to the end of the run (the value at
index k acts during the step that starts at k*dt), is written into one Vector that is
played (``Vector.play(ref, dt)``) into the ``i_inj`` variable of every cell of the
group. All targets of a source therefore receive exactly the current that
``source.get_data()`` reports, on every step.
"""

import numpy as np

from pyNN.common.current_sources import CurrentSourceMixin
from pyNN.neuron import simulator
from pyNN.neuron.standardmodels import electrodes as tables


class NeuronCurrentSource(CurrentSourceMixin):
    """NEURON behaviour shared by the four current sources."""

    _simulator = simulator

    def _create_device(self):
        simulator.state.ensure_mechanisms()

    def _connect(self, root, indices):
        simulator.state.injections_changed = True

    def _push_parameters(self):
        pass  # the waveform is recomputed from the core's parameter history before each run


def _groups(state):
    """{tuple of source positions: [(population, cell index), ...]} for every injected cell."""
    per_cell = {}
    for k, source in enumerate(state.current_sources):
        for root, indices in source._targets:
            for i in np.unique(indices).tolist():
                per_cell.setdefault((id(root), i), (root, i, []))[2].append(k)
    groups = {}
    for root, i, sources in per_cell.values():
        groups.setdefault(tuple(sources), []).append((root, i))
    return groups


def prepare_injections(state, end_steps):
    """Before a run up to step `end_steps`: (re)compute the current of every group and, if
    injections changed, connect the groups' vectors to their cells."""
    if not state.current_sources:
        return
    h = simulator.hoc()
    if state.injections_changed or not state.stim_groups:
        for vec, _ in state.stim_groups.values():
            vec.play_remove()
        state.stim_groups = {}
        for key, cells in _groups(state).items():
            vec = h.Vector(end_steps + 2)
            for root, i in cells:
                vec.play(root._cells[i]._ref_i_inj, state.dt)
            state.stim_groups[key] = (vec, cells)
        state.injections_changed = False
        state.objects_added()
    steps = np.arange(end_steps + 2)
    now = state.steps
    for key, (vec, _) in state.stim_groups.items():
        total = np.zeros(steps.size)
        for k in key:
            total += state.current_sources[k].current_at_steps(steps)
        old = vec.as_numpy()
        n = min(old.size, total.size)
        if not np.array_equal(old[now:n], total[now:n]):
            # a parameter changed between runs: NEURON has already fetched the values of the
            # next steps, so the vector is only read afresh after a re-initialisation
            state.objects_added()
        if vec.size() != total.size:
            vec.resize(total.size)
        vec.as_numpy()[:] = total


class DCSource(NeuronCurrentSource, tables.DCSource):
    __doc__ = tables.DCSource.__doc__


class ACSource(NeuronCurrentSource, tables.ACSource):
    __doc__ = tables.ACSource.__doc__


class StepCurrentSource(NeuronCurrentSource, tables.StepCurrentSource):
    __doc__ = tables.StepCurrentSource.__doc__


class NoisyCurrentSource(NeuronCurrentSource, tables.NoisyCurrentSource):
    __doc__ = tables.NoisyCurrentSource.__doc__
