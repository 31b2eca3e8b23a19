"""Faults and bad input found by the fault audit, checked in the core (in-memory backend):
values of the wrong kind, callbacks that fail, write targets that cannot be written, names
that cannot be read back, and requests too large for memory. Each must be a pyNN error that
names the object and the value, and must leave recorded data and parameters as they were."""

import os

import numpy as np
import pytest
import quantities as pq

from pyNN import errors, memory
from pyNN.parameters import ParameterSpace
from pyNN.standardmodels import cells as std_cells


def _recording(sim, label="cells"):
    p = sim.Population(3, sim.IF_cond_exp(i_offset=1.0), label=label)
    p.record(["spikes", "v"])
    sim.run(10.0)
    return p


# --- values of the wrong kind ------------------------------------------------------------------

@pytest.mark.parametrize("bad, what", [
    (True, "boolean"), (np.bool_(False), "boolean"), (np.array([True, False, True]), "boolean"),
    (1 + 2j, "complex"), (np.array([1j, 2j, 3j]), "non-numeric"), ({"a": 1}, "dict"),
    (10 * pq.mV, "cannot be converted to ms"), ([15 * pq.mV] * 3, "cannot be converted to ms"),
])
def test_parameter_of_the_wrong_kind_refused_and_nothing_changed(sim, bad, what):
    p = sim.Population(3, sim.IF_curr_exp(tau_m=12.0), label="cells")
    with pytest.raises(errors.InvalidParameterValueError, match=what) as info:
        p.set(tau_m=bad)
    assert "'cells'" in str(info.value) and "tau_m" in str(info.value)
    np.testing.assert_array_equal(p.get("tau_m", simplify=False), [12.0, 12.0, 12.0])


def test_boolean_initial_value_refused(sim):
    p = sim.Population(3, sim.IF_curr_exp(), label="cells")
    with pytest.raises(errors.InvalidParameterValueError, match="'cells'.*'v'.*boolean"):
        p.initialize(v=True)


@pytest.mark.parametrize("value, expected", [
    (0.02 * pq.s, [20.0] * 3), (np.array(15.0), [15.0] * 3), ([1 * pq.ms, 2 * pq.ms, 3 * pq.ms], [1.0, 2.0, 3.0]),
])
def test_quantities_and_zero_dimensional_arrays_are_values_in_the_parameter_unit(sim, value, expected):
    p = sim.Population(3, sim.IF_curr_exp(), label="cells")
    p.set(tau_m=value)
    np.testing.assert_allclose(p.get("tau_m", simplify=False), expected)


@pytest.mark.parametrize("bad", ["abc", "5", [1.0, "a"], pq.Quantity([1.0], "mV")])
def test_spike_times_that_are_not_numbers_in_ms_refused(sim, bad):
    s = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="src")
    with pytest.raises(errors.InvalidParameterValueError, match="'src'.*spike_times"):
        s.set(spike_times=bad)
    assert list(s.get("spike_times", simplify=False)[0]) == [1.0]


def test_spike_times_as_a_quantity_are_converted_to_ms(sim):
    s = sim.Population(1, sim.SpikeSourceArray(), label="src")
    s.set(spike_times=pq.Quantity([0.001, 0.002], "s"))
    np.testing.assert_allclose(list(s.get("spike_times")), [1.0, 2.0])


def test_free_standing_parameter_space_still_takes_booleans():
    # no schema (a ParameterSpace of the user's own): values keep their type, as in PyNN
    ps = ParameterSpace({"flag": True}, shape=(2,))
    ps.evaluate()
    assert ps["flag"].tolist() == [True, True]
    with pytest.raises(errors.InvalidParameterValueError, match="boolean"):
        ParameterSpace({"tau_m": True}, schema=std_cells.IF_curr_exp.get_schema(), shape=(2,),
                       component=std_cells.IF_curr_exp)


def test_from_list_with_text_refused(sim):
    with pytest.raises(errors.InvalidParameterValueError, match="FromListConnector: conn_list"):
        sim.FromListConnector([("a", 1, 0.1, 1.0)])


# --- callbacks of run() ---------------------------------------------------------------------

def test_callback_that_raises_stops_the_run_where_it_is_and_keeps_the_data(sim):
    p = _recording(sim)

    def fails_at_30(t):
        if t >= 30.0:
            raise RuntimeError("analysis failed")
        return t + 10.0

    with pytest.raises(RuntimeError, match="analysis failed"):
        sim.run(100.0, callbacks=[fails_at_30])
    assert sim.get_current_time() == pytest.approx(30.0)
    assert p.get_data().segments[0].analogsignals[0].shape == (301, 3)
    sim.run(10.0)  # the simulation goes on from there
    assert p.get_data().segments[0].analogsignals[0].shape == (401, 3)


@pytest.mark.parametrize("returned", [None, "20", float("nan"), float("inf"), True])
def test_callback_returning_no_time_is_a_clear_error(sim, returned):
    p = _recording(sim)

    def bad_callback(t):
        return returned

    with pytest.raises(errors.InvalidParameterValueError, match=r"bad_callback returned .* t = 10 ms"):
        sim.run(20.0, callbacks=[bad_callback])
    assert sim.get_current_time() == pytest.approx(10.0)
    assert p.get_data().segments[0].analogsignals[0].shape == (101, 3)


@pytest.mark.parametrize("callbacks, match", [
    (lambda t: t + 1.0, "callbacks=\\[f\\]"), (5, "list of functions"), ([5], "5 \\(int\\) is not callable"),
    ("f", "list of functions"),
])
def test_bad_callbacks_refused_before_running(sim, callbacks, match):
    _recording(sim)
    with pytest.raises(errors.InvalidTypeError, match=match):
        sim.run(20.0, callbacks=callbacks)
    assert sim.get_current_time() == pytest.approx(10.0)


def test_tuple_of_callbacks_accepted(sim):
    calls = []
    sim.run(2.0, callbacks=(lambda t: calls.append(t) or t + 1.0,))
    assert calls == pytest.approx([0.0, 1.0, 2.0])


# --- write targets, variables, annotations ---------------------------------------------------------

@pytest.mark.parametrize("target", [None, 5, 1.5, ["out.pkl"]])
def test_write_data_to_something_that_is_not_a_file_refused(sim, target):
    p = _recording(sim)
    with pytest.raises(errors.InvalidTypeError, match="write_data\\(\\) of 'cells'.*Neo IO"):
        p.write_data(target, clear=True)
    assert p.get_data().segments[0].analogsignals[0].shape == (101, 3)


def test_write_data_os_error_is_a_data_file_error_and_keeps_the_data(sim, tmp_path):
    p = _recording(sim)
    blocker = tmp_path / "plain_file"
    blocker.write_text("")
    target = blocker / "out.pkl"
    with pytest.raises(errors.DataFileError, match=f"write_data\\(\\) of 'cells': cannot write '{target}'") as info:
        p.write_data(str(target), clear=True)
    assert isinstance(info.value, OSError) and isinstance(info.value.__cause__, OSError)
    assert "recorded data are kept" in str(info.value)
    assert p.get_data().segments[0].analogsignals[0].shape == (101, 3)
    assert os.listdir(tmp_path) == ["plain_file"]


def test_record_to_a_target_that_cannot_be_written_refused_at_record(sim):
    p = sim.Population(2, sim.IF_curr_exp(), label="cells")
    with pytest.raises(errors.InvalidTypeError, match="'cells': record\\(to_file=...\\)"):
        p.record("v", to_file=5)
    with pytest.raises(errors.DataFileError, match="extension"):
        p.record("v", to_file="out.csv")
    assert sim.state.files_to_write == []


@pytest.mark.parametrize("variables", [5, [1, 2], ["v", None]])
def test_record_of_something_that_is_not_a_name_refused(sim, variables):
    p = sim.Population(2, sim.IF_curr_exp(), label="cells")
    with pytest.raises(errors.InvalidTypeError, match="'cells': record\\(\\): variables"):
        p.record(variables)


def test_reading_a_variable_the_cell_type_cannot_record_is_refused(sim, tmp_path):
    p = _recording(sim)
    for read in (lambda: p.get_data("vv"), lambda: p.get_data(["v", "w"]), lambda: p.get_data_arrays("w"),
                 lambda: p.write_data(str(tmp_path / "x.pkl"), variables=["w"])):
        with pytest.raises(errors.RecordingError, match="'cells'"):
            read()
    # recordable but not recorded: no data, as in PyNN
    assert len(p.get_data("gsyn_exc").segments[0].analogsignals) == 0
    assert os.listdir(tmp_path) == []


def test_reset_with_annotations_that_are_not_a_dict_refused_before_resetting(sim):
    p = _recording(sim)
    with pytest.raises(errors.InvalidTypeError, match="reset\\(\\): annotations"):
        sim.reset(annotations=[("a", 1)])
    assert sim.get_current_time() == pytest.approx(10.0)
    assert len(p.get_data().segments) == 1


# --- memory -----------------------------------------------------------------------------------------

def test_check_memory_names_the_object_and_the_need():
    memory.check_memory(1e6, "buffers", "Projection 'x'", "use less", available=int(1e9))
    with pytest.raises(errors.ResourceExhaustedError, match="buffers.*Projection 'x'.*use less"):
        memory.check_memory(2e9, "buffers", "Projection 'x'", "use less", available=int(1e9))


# --- projections -------------------------------------------------------------------------------

def _projection(sim):
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="pre")
    post = sim.Population(3, sim.IF_cond_exp(), label="post")
    return sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=1.0), label="prj")


@pytest.mark.parametrize("bad, match", [
    (True, "got True"), (1j, "got 1j"), ([True] * 6, "real numbers in uS"), (["a"] * 6, "real numbers in uS"),
    ({"w": 1}, "got \\{'w': 1\\}"), (0.01 * pq.nA, "cannot be converted to uS"),
])
def test_projection_set_of_the_wrong_kind_refused_and_nothing_changed(sim, bad, match):
    prj = _projection(sim)
    with pytest.raises(errors.InvalidParameterValueError, match=f"Projection 'prj': set\\(weight=...\\) .*{match}"):
        prj.set(weight=bad)
    assert prj.get("weight", format="array") == pytest.approx(np.full((2, 3), 0.1))


def test_projection_set_takes_a_quantity_in_the_weight_unit(sim):
    prj = _projection(sim)
    prj.set(weight=20 * pq.nS, delay=0.002 * pq.s)
    assert prj.get("weight", format="array") == pytest.approx(np.full((2, 3), 0.02))
    assert prj.get("delay", format="array") == pytest.approx(np.full((2, 3), 2.0))


def test_synapse_type_with_a_boolean_or_ambiguous_quantity_refused(sim):
    with pytest.raises(errors.InvalidParameterValueError, match="StaticSynapse: parameter 'weight' got the boolean"):
        sim.StaticSynapse(weight=True)
    with pytest.raises(errors.InvalidParameterValueError, match="'weight'.*cannot be converted"):
        sim.StaticSynapse(weight=0.1 * pq.nA)


def test_projection_save_to_an_unwritable_path_and_reading_a_missing_file(sim, tmp_path):
    prj = _projection(sim)
    blocker = tmp_path / "plain_file"
    blocker.write_text("")
    with pytest.raises(errors.DataFileError, match="Projection 'prj'.save\\(\\): cannot write"):
        prj.save("all", str(blocker / "c.txt"))
    missing = sim.FromFileConnector(str(tmp_path / "missing.txt"))  # may be written later, as in PyNN
    with pytest.raises(errors.DataFileError, match="FromFileConnector: cannot read .*missing.txt"):
        sim.Projection(prj.pre, prj.post, missing)


def _stdp(sim, weight, w_min=0.0, w_max=0.01):
    return sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                             weight_dependence=sim.AdditiveWeightDependence(w_min=w_min, w_max=w_max),
                             weight=weight, delay=1.0)


def test_stdp_weight_outside_the_rule_bounds_refused(sim):
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="pre")
    post = sim.Population(2, sim.IF_cond_exp(), label="post")
    with pytest.raises(errors.ConnectionError, match="'big'.*weight 0.05 .*w_max=0.01.*every connection"):
        sim.Projection(pre, post, sim.AllToAllConnector(), _stdp(sim, 0.05), label="big")
    with pytest.raises(errors.ConnectionError, match="'one'.*weight 0.02 .*1 connection"):
        sim.Projection(pre, post, sim.AllToAllConnector(), _stdp(sim, np.array([[0.005, 0.02], [0.001, 0.0]])),
                       label="one")
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), _stdp(sim, 0.005), label="ok")
    for change in (dict(weight=0.2), dict(w_max=0.001), dict(w_min=0.006)):
        with pytest.raises(errors.ConnectionError, match="'ok'.*outside the bounds"):
            prj.set(**change)
    assert prj.get(["weight", "w_min", "w_max"], format="list")[0][2:] == pytest.approx((0.005, 0.0, 0.01))
    prj.set(weight=0.008)
    assert prj.get("weight", format="array") == pytest.approx(np.full((2, 2), 0.008))


def test_full_disk_during_write_data_keeps_the_data_and_the_old_file(sim, tmp_path, monkeypatch):
    import errno

    import neo

    p = _recording(sim)
    target = tmp_path / "out.pkl"
    p.write_data(str(target))
    old = target.read_bytes()
    sim.run(5.0)

    def disk_full(self, block, **kwargs):
        with open(self.filename, "wb") as f:
            f.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(neo.io.PickleIO, "write_block", disk_full)
    with pytest.raises(errors.DataFileError, match="'cells': cannot write .*No space left on device"):
        p.write_data(str(target), clear=True)
    assert target.read_bytes() == old
    assert os.listdir(tmp_path) == ["out.pkl"]
    assert p.get_data().segments[0].analogsignals[0].shape == (151, 3)
