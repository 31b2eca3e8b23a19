"""Core validation and data safety, without a simulator: NaN/infinity, relations between
parameters, run times, write_data atomicity, the up-front memory check and duplicate
injection (the same checks run on every backend in test/system/test_faults.py)."""

import os
import time
import warnings

import numpy as np
import pytest

from pyNN import errors, memory
from pyNN.parameters import ArrayParameter, Sequence
from pyNN.recording import neo_output
from pyNN.standardmodels import check_finite, check_relations
from pyNN.standardmodels import cells as std_cells
from pyNN.standardmodels import electrodes as std_electrodes
from pyNN.standardmodels import synapses as std_synapses


def _all_types(module, excluded=("PointNeuron",)):
    return [getattr(module, name) for name in module.__all__ if name not in excluded
            and isinstance(getattr(module, name), type)]


# --- NaN and infinity -------------------------------------------------------------------------

@pytest.mark.parametrize("model", _all_types(std_cells) + _all_types(std_electrodes)
                         + [std_synapses.StaticSynapse, std_synapses.TsodyksMarkramSynapse],
                         ids=lambda m: m.__name__)
def test_every_parameter_of_every_standard_type_refuses_nan_and_infinity(model):
    for name, default in model.default_parameters.items():
        if default is None:  # delay=None: checked by the projection (see test_faults)
            continue
        for bad in (np.nan, np.inf, -np.inf):
            value = type(default)(list(default.value[:-1]) + [bad]) if isinstance(default, ArrayParameter) \
                and default.value.size else (Sequence([bad]) if isinstance(default, ArrayParameter) else bad)
            if bad == np.inf and name in model.infinity_allowed:
                check_finite(model, {name: value}, "owner")
                continue
            with pytest.raises(errors.InvalidParameterValueError, match=f"owner: {model.__name__} "
                                                                          f"parameter '{name}'"):
                model.check_values({name: value}, "owner")


def test_infinity_is_allowed_only_for_the_stop_of_current_sources():
    allowed = {m.__name__: m.infinity_allowed for m in _all_types(std_cells) + _all_types(std_electrodes)
               if m.infinity_allowed}
    assert allowed == {"ACSource": ("stop",), "DCSource": ("stop",), "NoisyCurrentSource": ("stop",),
                       "StepCurrentSource": ("stop",)}
    std_electrodes.DCSource.check_values({"start": 0.0, "stop": np.inf, "amplitude": 1.0}, "ok")
    with pytest.raises(errors.InvalidParameterValueError, match="'stop' = -inf"):
        check_finite(std_electrodes.DCSource, {"stop": -np.inf}, "owner")


def test_nan_in_one_cell_of_an_array_is_found():
    values = np.full(1000, -50.0)
    values[637] = np.nan
    with pytest.raises(errors.InvalidParameterValueError, match="'v_thresh' is NaN"):
        std_cells.IF_curr_exp.check_values({"v_thresh": values}, "Population 'p'")
    per_cell = np.empty(3, dtype=object)
    per_cell[:] = [Sequence([1.0]), Sequence([2.0, np.inf]), Sequence([])]
    with pytest.raises(errors.InvalidParameterValueError, match="'spike_times' = inf"):
        std_cells.SpikeSourceArray.check_values({"spike_times": per_cell}, "Population 'p'")


def test_nan_refused_in_point_neuron_receptor(sim):
    cell = std_cells.PointNeuron(std_cells.LIF(), AMPA=std_cells.CondExpPostSynapticResponse())
    with pytest.raises(errors.InvalidParameterValueError, match="receptor 'AMPA'.*'tau_syn' is NaN"):
        type(cell).check_values({"AMPA.tau_syn": np.nan}, "Population 'p'")
    with pytest.raises(errors.InvalidParameterValueError, match="v_reset must be lower than v_thresh"):
        type(cell).check_values({"v_reset": -40.0, "v_thresh": -50.0}, "Population 'p'")


def test_initial_values_must_be_finite(sim):
    with pytest.raises(errors.InvalidParameterValueError, match=r"'cells'.*'v' = nan"):
        sim.Population(3, sim.IF_curr_exp(), initial_values={"v": np.nan}, label="cells")
    p = sim.Population(3, sim.IF_curr_exp(), label="cells")
    with pytest.raises(errors.InvalidParameterValueError, match=r"'isyn_exc' = inf"):
        p[1:].initialize(isyn_exc=np.array([0.0, np.inf]))
    np.testing.assert_array_equal(p.initial_values["isyn_exc"].evaluate(), 0.0)


# --- relations ----------------------------------------------------------------------------------

def test_relations_are_vectorised_and_name_the_first_bad_cell():
    reset = np.full(100_000, -65.0)
    reset[[12, 99]] = -40.0
    start = time.perf_counter()
    with pytest.raises(errors.InvalidParameterValueError,
                       match=r"v_reset=-40, v_thresh=-50 \(cell 12, and 1 more cell\(s\)\)"):
        check_relations(std_cells.IF_cond_exp, {"v_reset": reset, "v_thresh": -50.0}, "Population 'p'")
    assert time.perf_counter() - start < 0.5
    check_relations(std_cells.IF_cond_exp, {"v_reset": -65.0}, "skipped: v_thresh not given")


def test_eif_overflow_bound_matches_nest():
    bound = std_cells._EIF_MAX_EXPONENT
    assert bound == pytest.approx(663.73, abs=0.01)
    ok = {"v_reset": -70.0, "v_thresh": -50.0, "delta_T": 0.1, "v_spike": -50.0 + 0.1 * bound * 0.999}
    check_relations(std_cells.EIF_cond_exp_isfa_ista, ok, "p")
    with pytest.raises(errors.InvalidParameterValueError, match="overflows"):
        check_relations(std_cells.EIF_cond_exp_isfa_ista, dict(ok, v_spike=-50.0 + 0.1 * bound * 1.001), "p")


def test_set_checks_relations_with_the_values_that_stay(sim):
    p = sim.Population(4, sim.IF_curr_exp(v_thresh=-50.0, v_reset=-60.0), label="p")
    with pytest.raises(errors.InvalidParameterValueError, match=r"\(cell 2, and 1 more cell\(s\)\)"):
        p[2:].set(v_thresh=-61.0)
    np.testing.assert_array_equal(p.get("v_thresh"), -50.0)
    p.set(v_reset=-70.0)
    p[2:].set(v_thresh=-61.0)  # now allowed
    np.testing.assert_array_equal(p.get("v_thresh"), [-50.0, -50.0, -61.0, -61.0])


def test_poisson_start_put_on_the_grid_once(sim):
    with pytest.warns(errors.RoundingWarning) as record:
        p = sim.Population(3, sim.SpikeSourcePoisson(start=np.array([1.0, 1.04, 1.06]), duration=5.0))
    assert len(record) == 1
    np.testing.assert_allclose(p.get("start"), [1.0, 1.0, 1.1])
    assert p.native["start"].tolist() == pytest.approx([1.0, 1.0, 1.1])


# --- shapes and sizes --------------------------------------------------------------------------------

def test_wrong_length_array_in_cell_type_names_the_parameter(sim):
    with pytest.raises(errors.InvalidDimensionsError,
                       match=r"Population 'p' has 4 cell\(s\) but 'cm' has 2 values"):
        sim.Population(4, sim.IF_curr_exp(cm=np.array([1.0, 2.0])), label="p")


@pytest.mark.parametrize("size", [0, -1, (0,), (2, 0), (2, 3, 0)])
def test_population_needs_a_cell(sim, size):
    with pytest.raises(errors.InvalidParameterValueError, match="at least one cell"):
        sim.Population(size, sim.IF_curr_exp())
    assert sim.Population(1, sim.IF_curr_exp()).first_id == 0


# --- run times ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad, error", [
    (float("nan"), errors.InvalidParameterValueError), (float("inf"), errors.InvalidParameterValueError),
    ("10", errors.InvalidTypeError), (None, errors.InvalidTypeError), (True, errors.InvalidTypeError),
    ([10.0], errors.InvalidTypeError), (-1.0, errors.InvalidParameterValueError),
])
def test_run_refuses_what_is_not_a_finite_time(sim, bad, error):
    with pytest.raises(error, match="simtime"):
        sim.run(bad)
    assert sim.get_current_time() == 0.0
    assert sim.run(np.float32(2.5)) == pytest.approx(2.5)


# --- write_data ------------------------------------------------------------------------------------------

def _recorded(sim, label="rec"):
    p = sim.Population(3, sim.IF_curr_exp(), label=label)
    p.record(["spikes", "v"])
    sim.run(30.0)
    return p


def test_failed_write_leaves_previous_file_and_data(sim, tmp_path, monkeypatch):
    import neo

    p = _recorded(sim)
    target = tmp_path / "out.pkl"
    p.write_data(str(target), annotations={"generation": "old"})
    old_bytes = target.read_bytes()

    def fail_midway(self, block):
        with open(self.filename, "wb") as f:
            f.write(b"half a pickle")
        raise OSError("disk full")

    monkeypatch.setattr(neo.io.PickleIO, "write_block", fail_midway)
    with pytest.raises(OSError, match="disk full"):
        p.write_data(str(target), clear=True, annotations={"generation": "new"})
    assert target.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["out.pkl"]  # the temporary file was removed
    assert sum(len(st) for st in p.get_data().segments[0].spiketrains) > 0  # not cleared
    monkeypatch.undo()
    p.write_data(str(target), clear=True, annotations={"generation": "new"})
    assert neo.io.PickleIO(str(target)).read_block().annotations["generation"] == "new"
    assert sum(len(st) for st in p.get_data().segments[0].spiketrains) == 0


def test_write_keeps_the_permissions_of_the_replaced_file(sim, tmp_path):
    p = _recorded(sim)
    target = tmp_path / "out.pkl"
    p.write_data(str(target))
    os.chmod(target, 0o640)
    p.write_data(str(target))
    assert os.stat(target).st_mode & 0o777 == 0o640


def test_assembly_and_view_clear_only_after_writing(sim, tmp_path):
    a, b = _recorded(sim, "a"), None
    b = sim.Population(2, sim.IF_curr_exp(), label="b")
    assembly = a + b
    with pytest.raises(ValueError, match="extension"):
        assembly.write_data(str(tmp_path / "x.unknown"), clear=True)
    with pytest.raises(OSError):
        a[0:2].write_data(str(tmp_path / "x.txt"), clear=True)
    assert sum(len(st) for st in a.get_data().segments[0].spiketrains) > 0
    assembly.write_data(str(tmp_path / "x.pkl"), clear=True)
    assert sum(len(st) for st in a.get_data().segments[0].spiketrains) == 0


def test_write_block_to_an_io_object_is_passed_through(tmp_path):
    import neo

    class Recording:
        def __init__(self):
            self.blocks, self.closed = [], False

        def write_block(self, block):
            self.blocks.append(block)

        def close(self):
            self.closed = True

    io = Recording()
    block = neo.Block(name="b")
    neo_output.write_block(io, block)
    # the caller's IO stays open, so that several blocks can be written to one file (PyNN scripts do)
    assert io.blocks == [block] and not io.closed


# --- up-front memory check ---------------------------------------------------------------------------

def test_available_memory_reads_meminfo():
    available = memory.available_memory()
    assert available is None or available > 0
    if os.path.exists("/proc/meminfo"):
        with open("/proc/meminfo") as f:
            kb = [int(line.split()[1]) for line in f if line.startswith("MemAvailable:")]
        if kb:
            assert abs(available - kb[0] * 1024) < 2e9  # read moments apart


def test_memory_check_refuses_only_what_cannot_fit(monkeypatch):
    memory.check_connection_memory(1e6, "Projection 'x'", "AllToAllConnector", available=int(1e9))
    with pytest.raises(errors.ResourceExhaustedError,
                       match=r"Not enough memory.*at least 4 GB \(about 1e\+09 connections from "
                             r"AllToAllConnector\) for Projection 'x' but only 1 GB"):
        memory.check_connection_memory(1e9, "Projection 'x'", "AllToAllConnector", available=int(1e9))
    monkeypatch.setattr(memory, "available_memory", lambda: None)  # unknown: no check
    memory.check_connection_memory(1e30, "Projection 'x'", "AllToAllConnector")


def test_all_to_all_of_100000_squared_fails_fast(sim):
    p = sim.Population(100_000, sim.IF_curr_exp(), label="big")
    start = time.perf_counter()
    with pytest.raises(errors.ResourceExhaustedError, match="memory"):
        sim.Projection(p, p, sim.AllToAllConnector())
    assert time.perf_counter() - start < 1.0
    assert sim.state.projections == []


@pytest.mark.parametrize("connector, expected", [
    (lambda sim: sim.AllToAllConnector(), 200 * 300),
    (lambda sim: sim.FixedProbabilityConnector(0.25), 0.25 * 200 * 300),
    (lambda sim: sim.FixedNumberPreConnector(7), 7 * 300),
    (lambda sim: sim.FixedNumberPostConnector(7), 7 * 200),
    (lambda sim: sim.FixedTotalNumberConnector(1234), 1234),
    (lambda sim: sim.FixedNumberPreConnector(sim.RandomDistribution("uniform", (1, 5))), 0),
])
def test_connectors_estimate_their_size(sim, connector, expected):
    pre = sim.Population(200, sim.IF_curr_exp())
    post = sim.Population(300, sim.IF_curr_exp())

    class Probe:
        label, pre_, post_ = "probe", pre, post

    probe = Probe()
    probe.pre, probe.post = pre, post
    assert (connector(sim).expected_size(probe) or 0) == pytest.approx(expected)


def test_one_to_one_estimates_its_size(sim):
    p = sim.Population(50, sim.IF_curr_exp())
    prj = sim.Projection(p, p, sim.OneToOneConnector())
    assert prj.connector.expected_size(prj) == len(prj) == 50


# --- duplicate injection ---------------------------------------------------------------------------

def test_duplicate_injection_warns_once_per_source(sim):
    p = sim.Population(5, sim.IF_curr_exp(), label="target")
    source = sim.DCSource(amplitude=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        source.inject_into(p[0:2])
        source.inject_into(p[2:5])  # other cells: no warning
        sim.DCSource(amplitude=1.0).inject_into(p)  # another source: no warning
    with pytest.warns(errors.DuplicateInjectionWarning, match=r"2 cell\(s\) of 'target'.*cell 1") as record:
        source.inject_into(p[1:3])
        source.inject_into(p)
    assert len(record) == 1
    assert len(source._targets) == 4  # every injection is kept: the current is added each time


# --- stale objects ------------------------------------------------------------------------------------

def test_each_setup_starts_a_new_session(sim):
    first = sim.state.session
    p = sim.Population(2, sim.IF_curr_exp(), label="p")
    p.set(tau_m=12.0)  # current: fine
    sim.setup(timestep=0.1)
    assert sim.state.session == first + 1
    with pytest.raises(errors.SimulationStateError, match=rf"'p'.*set-up {first}, now {first + 1}"):
        p.set(tau_m=10.0)
    with pytest.raises(RuntimeError):  # SimulationStateError is also a RuntimeError
        p[0:1].record("v")
    assert sim.state.populations == []


def test_an_infinite_default_keeps_its_meaning():
    class Native(std_cells.IF_curr_exp):
        default_parameters = dict(std_cells.IF_curr_exp.default_parameters, V_min=-np.inf)

    check_finite(Native, {"V_min": np.array([-np.inf, -80.0])}, "owner")
    with pytest.raises(errors.InvalidParameterValueError, match="'V_min' = inf"):
        check_finite(Native, {"V_min": np.inf}, "owner")
    with pytest.raises(errors.InvalidParameterValueError, match="'V_min' is NaN"):
        check_finite(Native, {"V_min": np.nan}, "owner")
