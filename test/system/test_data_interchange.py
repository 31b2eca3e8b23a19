"""Recorded data that other tools can read: blocks, pickles and files hold only Neo, numpy
and quantities objects (checked by reading them in a process where pyNN cannot be
imported), spike trains know their segment, file names may be pathlib.Path objects, and
blocks say which backend (and, on the hardware backend, which profile and policy) made them.
"""

import copy
import pickle
import subprocess
import sys

import neo
import pytest
from neo.core.spiketrainlist import SpikeTrainList

from pyNN import errors

# run in a fresh interpreter in which "import pyNN" (and so any pyNN class in a pickle) fails
_READER = """
import pickle, sys
sys.modules['pyNN'] = None
with open(sys.argv[1], 'rb') as f:
    block = pickle.load(f)
seg = block.segments[0]
print(type(seg.spiketrains).__module__, len(seg.spiketrains), sum(len(st) for st in seg.spiketrains),
      all(st.segment is seg for st in seg.spiketrains), seg.analogsignals[0].shape[1],
      block.annotations['label'])
"""


def _recorded(sim, label="cells"):
    pop = sim.Population(4, sim.IF_curr_exp(i_offset=1.0), label=label)
    pop.record(["spikes", "v"])
    sim.run(50.0)
    return pop


def _read_without_pynn(path):
    result = subprocess.run([sys.executable, "-c", _READER, str(path)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_pickle_is_readable_without_pynn(sim, tmp_path):
    pop = _recorded(sim)
    n_spikes = sum(len(st) for st in pop.get_data().segments[0].spiketrains)
    assert n_spikes > 0
    path = tmp_path / "cells.pkl"  # a pathlib.Path, not a str
    pop.write_data(path)
    module, n_trains, total, linked, n_channels, label = _read_without_pynn(path)
    assert module.startswith("neo.")
    assert (int(n_trains), int(total), linked, int(n_channels), label) == (4, n_spikes, "True", 4, "cells")


def test_pickled_get_data_block_is_readable_without_pynn(sim, tmp_path):
    """A block from get_data() pickled by the user (spike trains never looked at)."""
    block = _recorded(sim).get_data()
    path = tmp_path / "block.pkl"
    with open(path, "wb") as f:
        pickle.dump(block, f)
    module, n_trains, *_ = _read_without_pynn(path)
    assert module.startswith("neo.") and int(n_trains) == 4


def test_blocks_hold_neo_objects(sim):
    block = _recorded(sim).get_data()
    seg = block.segments[0]
    trains = seg.spiketrains
    assert isinstance(trains, SpikeTrainList)
    assert type(copy.deepcopy(block).segments[0].spiketrains) is SpikeTrainList
    assert all(type(st) is neo.SpikeTrain and st.segment is seg for st in trains)
    assert type(trains) is SpikeTrainList  # once used, Neo's own class
    assert seg.block is block
    assert all(sig.segment is seg for sig in seg.analogsignals)


def test_block_annotations_name_the_backend(sim):
    ann = _recorded(sim).get_data().annotations
    assert ann["simulator"]
    if sim.__name__ == "pyNN.hardware":
        assert ann["hardware_profile"] == "ideal" and ann["hardware_policy"] == "strict"
        assert isinstance(ann["hardware_seed"], int)
    else:
        assert not any(key.startswith("hardware_") for key in ann)


def test_nwb_without_pynwb_is_a_clear_error(sim, tmp_path):
    pytest.importorskip("neo")
    try:
        import pynwb  # noqa: F401
    except ImportError:
        pop = _recorded(sim)
        with pytest.raises(errors.NotSupportedError, match="pynwb"):
            pop.write_data(tmp_path / "cells.nwb")
    else:
        pytest.skip("pynwb is installed: .nwb files are written by Neo's NWBIO")
