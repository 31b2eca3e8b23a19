"""Detection of a multi-process launch (mpirun/srun) from the environment, and the refusal."""

import pytest

import pyNN.mock as inmemory_backend
from pyNN import errors
from pyNN.common import mpi_guard


@pytest.mark.parametrize("name", mpi_guard.SIZE_VARIABLES)
def test_each_launcher_variable_is_read(name):
    assert mpi_guard.launched_processes({name: "3"}) == (3, name)


def test_no_launcher_means_one_process():
    assert mpi_guard.launched_processes({"PATH": "/bin", "SLURM_NTASKS": "8"}) == (1, None)


def test_first_variable_in_order_wins_and_bad_values_are_skipped():
    env = {"OMPI_COMM_WORLD_SIZE": "", "PMI_SIZE": "x", "MV2_COMM_WORLD_SIZE": "0",
           "SLURM_STEP_NUM_TASKS": " 4 ", "MPI_LOCALNRANKS": "2"}
    assert mpi_guard.launched_processes(env) == (4, "SLURM_STEP_NUM_TASKS")


def test_one_launched_process_is_accepted(monkeypatch):
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "1")
    assert inmemory_backend.setup(timestep=0.1) == 0
    assert inmemory_backend.num_processes() == 1


def test_setup_refuses_several_processes_before_building(monkeypatch):
    inmemory_backend.setup(timestep=0.1)
    session = inmemory_backend.simulator.state.session
    monkeypatch.setenv("PMI_SIZE", "4")
    with pytest.raises(errors.NotSupportedError, match=r"4 processes \(PMI_SIZE=4.*one process"):
        inmemory_backend.setup(timestep=0.2)
    # nothing was set up again: the refusal comes before the backend's set-up
    assert inmemory_backend.simulator.state.session == session
    assert inmemory_backend.get_time_step() == 0.1
