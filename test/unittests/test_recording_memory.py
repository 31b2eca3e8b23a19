"""The up-front memory check of recorded signals before a run (pyNN.memory), without a simulator."""

from types import SimpleNamespace

import numpy as np
import pytest

from pyNN import errors
from pyNN.memory import check_recording_memory


def _recorder(label, n_cells, variables, sampling_interval=None):
    return SimpleNamespace(population=SimpleNamespace(label=label), sampling_interval=sampling_interval,
                           recorded={name: np.ones(n_cells, dtype=bool) for name in variables})


def test_signals_that_fit_are_accepted():
    # 10 cells x 2 signals x 1001 samples x 8 bytes = 160,160 bytes
    check_recording_memory([_recorder("a", 10, ["v", "gsyn_exc"])], 1000, 0.1, available=160_160)


def test_signals_that_do_not_fit_are_refused_naming_the_largest_population():
    recorders = [_recorder("small", 1, ["v"]), _recorder("large", 10, ["v", "gsyn_exc"])]
    with pytest.raises(errors.ResourceExhaustedError, match=r"'large'.*run\(100\)"):
        check_recording_memory(recorders, 1000, 0.1, available=160_160)


def test_spikes_and_the_sampling_interval():
    # spikes are not counted; a 1 ms interval at dt = 0.1 keeps 1 sample in 10
    recorders = [_recorder("a", 10, ["spikes", "v"], sampling_interval=1.0)]
    check_recording_memory(recorders, 1000, 0.1, available=10 * 101 * 8)
    with pytest.raises(errors.ResourceExhaustedError):
        check_recording_memory(recorders, 1000, 0.1, available=10 * 101 * 8 - 1)
    check_recording_memory([_recorder("b", 10**6, ["spikes"])], 10**12, 0.1, available=1)
