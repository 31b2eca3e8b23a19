"""The core's helpers for a run distributed over MPI processes (no MPI needed: the other
processes' contributions are played by a stand-in communicator)."""

import numpy as np
import pytest

from pyNN import errors
from pyNN.common import distributed
from pyNN.common.populations import _rank_file


class _Comm:
    """Rank `rank` of `size`; allgather returns the given contributions of the other ranks
    with this rank's own object in its place."""

    def __init__(self, rank, size, others):
        self.rank, self.size, self.others = rank, size, others

    def Get_rank(self):
        return self.rank

    def Get_size(self):
        return self.size

    def allgather(self, obj):
        out = list(self.others)
        out.insert(self.rank, obj)
        return out

    def bcast(self, obj, root=0):
        """Rank 0's object: its own on rank 0, else the first of `others`."""
        return obj if self.rank == 0 else self.others[0]


def test_cells_are_dealt_round_robin_by_id():
    masks = [distributed.local_mask(7, 10, r, 3) for r in range(3)]
    assert np.array_equal(np.sum(masks, axis=0), np.ones(10))  # every cell on exactly one rank
    assert np.flatnonzero(masks[1]).tolist() == [0, 3, 6, 9]  # ids 7, 10, 13, 16
    assert not distributed.local_mask(0, 1, 1, 3).any()  # a rank may own no cell of a population


def test_gathered_spikes_are_ordered_by_time_then_cell():
    world = distributed.World(_Comm(1, 2, [(np.array([4, 0]), np.array([2.0, 1.0]))]))
    idx, times = world.gather_spikes(np.array([3, 1]), np.array([1.0, 0.5]))
    assert idx.tolist() == [1, 0, 3, 4] and times.tolist() == [0.5, 1.0, 1.0, 2.0]


def test_merged_columns_come_from_their_owners():
    owned_by_0 = np.array([True, False, True])
    rank0_part = np.array([[1.0, 3.0], [4.0, 6.0]])
    world = distributed.World(_Comm(1, 2, [(owned_by_0, rank0_part)]))
    mine = np.array([[np.nan, 2.0, np.nan], [np.nan, 5.0, np.nan]])
    merged = world.merge_columns(mine, ~owned_by_0)
    assert merged.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def test_sums_over_ranks():
    world = distributed.World(_Comm(0, 3, [2, 5]))
    assert world.allsum(1) == 8


def test_per_rank_file_names():
    assert _rank_file("out/data.pkl", 2) == "out/data.2.pkl"
    assert _rank_file("out.d/data", 1) == "out.d/data.1"
    io = object()
    assert _rank_file(io, 1) is io


def test_a_launch_that_mpi_does_not_see_is_refused():
    """mpi4py in this one process sees one process, not the two a launcher said it started."""
    pytest.importorskip("mpi4py")
    with pytest.raises(errors.NotSupportedError, match="launched as 2 processes .* but MPI sees 1"):
        distributed.start(2, "PMI_SIZE", "NEURON")


def test_nest_wheel_is_recognised_as_built_without_mpi():
    pytest.importorskip("nest")
    from pyNN.nest import launch
    assert launch.kernel_links_mpi() is False
    message = str(launch.refusal_without_mpi(4, "PMI_SIZE"))
    assert "4 copies of the whole network" in message and "-Dwith-mpi=ON" in message


def test_a_failure_on_rank_0_is_raised_on_every_rank():
    def fail():
        raise OSError("disk full")
    with pytest.raises(OSError, match="disk full"):
        distributed.World(_Comm(0, 2, [None])).on_root(fail, "write_data() of 'cells'")
    # rank 1 does not call the action and learns of the failure from rank 0
    called = []
    with pytest.raises(errors.DataFileError, match=r"of 'cells' failed on MPI rank 0: OSError: disk full"):
        distributed.World(_Comm(1, 2, ["OSError: disk full"])).on_root(lambda: called.append(1),
                                                                         "write_data() of 'cells'")
    assert called == []
    done = []
    distributed.World(_Comm(0, 2, [None])).on_root(lambda: done.append(1), "save()")
    assert done == [1]
