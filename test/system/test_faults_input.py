"""Second fault-injection audit, on every backend: malformed connection files, bad setup()
times and empty views. Each fault gives a pyNN error naming what is wrong before anything
reaches the simulator, and the simulation goes on afterwards with nothing changed."""

import numpy as np
import pytest

from pyNN import errors


def _pair(sim):
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]), label="pre")
    post = sim.Population(3, sim.IF_curr_exp(), label="post")
    return pre, post


# --- FromFileConnector with a file that is not rows of numbers ---------------------------------

@pytest.mark.parametrize("content, problem", [
    ("0 1 0.1 1.0\n1 2 abc 1.0\n", r"data row 1 \('1 2 abc 1.0'\) has 'abc', which is not a number"),
    ("0 1 0.1 1.0\n# comment\n1 2 0.1\n", r"data row 1 \('1 2 0.1'\) has 3 values where the rows before have 4"),
    (b"0 1 0.1 1.0\n\xff\xfe\x00\x01\n", r"not a text file of numbers"),
])
def test_malformed_connection_file_is_a_data_file_error(sim, tmp_path, content, problem):
    path = tmp_path / "connections.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    pre, post = _pair(sim)
    with pytest.raises(errors.DataFileError, match=rf"connections.txt.*{problem}"):
        sim.Projection(pre, post, sim.FromFileConnector(str(path)), label="from file")
    post.record("v")
    sim.run(5.0)  # nothing half-made is left to run
    assert post.get_data().segments[0].analogsignals[0].shape == (51, 3)


# --- setup() times -----------------------------------------------------------------------------

@pytest.mark.parametrize("arguments, error", [
    ({"min_delay": float("nan")}, errors.InvalidParameterValueError),
    ({"min_delay": float("inf")}, errors.InvalidParameterValueError),
    ({"min_delay": "1.0"}, errors.InvalidParameterValueError),
    ({"min_delay": True}, errors.InvalidParameterValueError),
    ({"max_delay": float("nan")}, errors.InvalidParameterValueError),
    ({"max_delay": -1.0}, errors.InvalidParameterValueError),
    ({"max_delay": 0.05}, errors.InvalidParameterValueError),
    ({"max_delay": "5"}, errors.InvalidParameterValueError),
    ({"timestep": True}, errors.InvalidParameterValueError),
])
def test_bad_setup_times_refused_before_the_simulator(sim, arguments, error):
    name = next(iter(arguments))
    with pytest.raises(error, match=rf"setup\(\): {name}"):
        sim.setup(**{"timestep": 0.1, **arguments})
    # the refused setup() changed nothing: the session set up by the fixture goes on
    pre, post = _pair(sim)
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.1))
    sim.run(2.0)
    assert sim.get_time_step() == pytest.approx(0.1)
    assert prj.get("delay", format="array")[0, 0] == pytest.approx(0.1)


def test_numpy_float32_timestep_accepted(sim):
    sim.setup(timestep=np.float32(0.25))
    assert sim.get_time_step() == pytest.approx(0.25)


# --- empty views -------------------------------------------------------------------------------

def test_empty_view_set_initialize_and_inject_change_nothing_and_refuse_bad_values(sim):
    cells = sim.Population(3, sim.IF_curr_exp(i_offset=1.0), label="cells")
    cells.record("v")
    sim.run(5.0)
    for empty in (cells[[]], cells[1:1], cells[np.zeros(3, dtype=bool)]):
        empty.set(tau_m=5.0)
        empty.initialize(v=-60.0)
        empty.set(tau_m=[])
        empty.inject(sim.DCSource(amplitude=5.0))
        with pytest.raises(errors.InvalidParameterValueError, match=r"'cells'.*'tau_m'.*-5.*> 0"):
            empty.set(tau_m=-5.0)
        with pytest.raises(errors.InvalidParameterValueError, match=r"'cells'.*'tau_m'.*NaN"):
            empty.set(tau_m=float("nan"))
        with pytest.raises(errors.InvalidParameterValueError, match=r"'cells'.*'v'.*inf"):
            empty.initialize(v=float("inf"))
        with pytest.raises(errors.InvalidDimensionsError, match=r"'cells'.*2 values of 'tau_m'.*0 cells"):
            empty.set(tau_m=[5.0, 6.0])
    assert cells.get("tau_m") == pytest.approx(20.0)
    sim.run(5.0)  # (NEST refused every run after a source was injected into no cell)
    reference = sim.Population(3, sim.IF_curr_exp(i_offset=1.0), label="reference")
    reference.record("v")
    sim.reset()
    sim.run(10.0)
    v = cells.get_data().segments[-1].filter(name="v")[0].magnitude
    assert np.allclose(v, reference.get_data().segments[-1].filter(name="v")[0].magnitude)


def test_set_of_several_initial_values_with_one_bad_changes_none(sim):
    cells = sim.Population(2, sim.IF_cond_exp(), label="cells")
    with pytest.raises(errors.InvalidParameterValueError, match=r"'cells'.*'gsyn_inh'"):
        cells.initialize(v=-55.0, gsyn_exc=0.01, gsyn_inh=float("nan"))
    cells.record("v")
    sim.run(1.0)
    assert cells.get_data().segments[0].filter(name="v")[0].magnitude[0] == pytest.approx([-65.0, -65.0])


# --- a run whose recorded signals cannot fit in memory -----------------------------------------

def test_run_whose_recording_cannot_fit_is_refused_before_it_starts(sim):
    cells = sim.Population(1000, sim.IF_curr_exp(i_offset=1.0), label="recorded")
    cells.record(["spikes", "v"])
    sim.run(1.0)
    # 1000 cells x 1e11 samples x 8 bytes = 800 TB
    with pytest.raises(errors.ResourceExhaustedError, match=r"'recorded'.*run\(1e\+10\).*sampling_interval"):
        sim.run(1e10)
    assert sim.get_current_time() == pytest.approx(1.0)
    sim.run(1.0)  # the data so far are kept and the simulation goes on
    assert cells.get_data().segments[0].filter(name="v")[0].shape == (21, 1000)
