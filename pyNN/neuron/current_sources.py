"""NEURON current sources: the core's current waveforms played into the cells.

Cells that receive the same set of sources form a group; before each run the group's
summed current, one value per step from t = 0 to the end of the run (the value at
index k acts during the step that starts at k*dt), is written into one Vector that is
played into the ``i_inj`` variable of every cell of the group
(``State.prepare_injections``; step-wise, or continuously for groups made after a run: see
injection.py). All targets of a source therefore receive exactly the current that
``source.get_data()`` reports, on every step.
"""

from pyNN.common.current_sources import WaveformCurrentSource, current_source_classes
from pyNN.neuron import simulator
from pyNN.neuron.standardmodels import electrodes as tables

DCSource, ACSource, StepCurrentSource, NoisyCurrentSource = current_source_classes(
    WaveformCurrentSource, tables, simulator, __name__).values()
