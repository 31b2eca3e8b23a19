"""What existing PyNN scripts rely on, on every backend: setup() options of other simulators,
functions as parameter values, objects created before setup().
"""

import logging
import warnings

import numpy as np
import pytest

from pyNN import errors
from pyNN.parameters import Sequence
from pyNN.space import Line

BACKEND_OPTIONS = {  # one option each backend uses, with a value of the wrong type
    "nest": ("threads", "two"),
    "neuron": ("default_maxstep", "long"),
    "brian2": ("codegen_target", 3),
    "hardware": ("policy", "relaxed"),
}


def _module_name(sim):
    return sim.__name__.split(".")[1]


# --- item 1: setup() takes the options it knows and ignores the others -----------------------

def test_setup_ignores_options_of_other_backends_and_pynn(sim, caplog):
    others = {"threads": 1, "spike_precision": "off_grid", "verbosity": "error", "t_flush": 10.0,
              "use_cvode": False, "default_maxstep": 10.0, "codegen_target": "numpy",
              "policy": "lenient", "debug": True, "quit_on_end": False, "filename": "net.xml",
              "loglevel": "info"}
    mine = _module_name(sim)
    with caplog.at_level(logging.INFO, logger="PyNN"):
        sim.setup(timestep=0.1, **others)
    for name in others:
        lines = [r.message for r in caplog.records if f"option '{name}'" in r.message]
        if lines:  # ignored: one line, naming who would use it
            assert len(lines) == 1
            assert "is used by" in lines[0] and f"pyNN.{mine} " in lines[0]
    ignored = {name for name in others if any(f"option '{name}'" in r.message for r in caplog.records)}
    assert {"debug", "quit_on_end", "filename", "loglevel"} <= ignored
    assert BACKEND_OPTIONS[mine][0] not in ignored
    # the network still builds and runs after such a setup()
    p = sim.Population(2, sim.IF_cond_exp())
    sim.run(1.0)
    assert sim.get_current_time() == pytest.approx(1.0) and p.size == 2


def test_setup_unknown_option_warns_with_suggestion(sim):
    with pytest.warns(UserWarning, match=r"'thraeds'.*ignored\. Did you mean: threads\?"):
        sim.setup(timestep=0.1, thraeds=2)
    with pytest.warns(UserWarning, match="'sim_duration' is not known"):
        sim.setup(timestep=0.1, sim_duration=1000.0)  # as PyNN's cortical microcircuit does
    assert sim.get_time_step() == pytest.approx(0.1)


def test_setup_wrong_type_for_own_option_is_one_error_type(sim):
    name, bad = BACKEND_OPTIONS[_module_name(sim)]
    with pytest.raises(errors.InvalidParameterValueError, match=f"option '{name}'"):
        sim.setup(timestep=0.1, **{name: bad})


# --- item 2: functions as parameter values --------------------------------------------------

def test_cell_parameters_and_initial_values_as_functions_of_index(sim):
    sources = sim.Population(3, sim.SpikeSourceArray(spike_times=lambda i: Sequence([1.0 + i, 6.0 + i])))
    poisson = sim.Population(3, sim.SpikeSourcePoisson(rate=lambda i: 10.0 * (i + 1)))
    cells = sim.Population(3, sim.IF_cond_exp(tau_m=lambda i: 10.0 + i),
                           initial_values={"v": lambda i: -70.0 + i})
    np.testing.assert_allclose(poisson.get("rate"), [10.0, 20.0, 30.0])
    np.testing.assert_allclose(cells.get("tau_m"), [10.0, 11.0, 12.0])
    assert [s.value.tolist() for s in sources.get("spike_times")] == [[1.0, 6.0], [2.0, 7.0], [3.0, 8.0]]
    cells.set(cm=lambda i: 0.5 + 0.25 * i)
    np.testing.assert_allclose(cells.get("cm"), [0.5, 0.75, 1.0])
    cells.record("v")
    sources.record("spikes")
    sim.run(10.0)
    seg = cells.get_data().segments[0]
    np.testing.assert_allclose(seg.analogsignals[0].magnitude[0], [-70.0, -69.0, -68.0], atol=1e-6)
    trains = sources.get_data().segments[0].spiketrains
    assert [st.magnitude.tolist() for st in trains] == [[1.0, 6.0], [2.0, 7.0], [3.0, 8.0]]


def test_spike_times_set_after_construction_as_function(sim):
    sources = sim.Population(2, sim.SpikeSourceArray())
    sources.set(spike_times=lambda i: Sequence([2.0 + 3.0 * i]))
    sources.record("spikes")
    sim.run(10.0)
    trains = sources.get_data().segments[0].spiketrains
    assert [st.magnitude.tolist() for st in trains] == [[2.0], [5.0]]


def test_synaptic_parameters_as_functions_of_distance(sim):
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]), structure=Line(dx=1.0))
    post = sim.Population(3, sim.IF_cond_exp(), structure=Line(dx=1.0))
    prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=lambda d: 0.01 + 0.001 * d, delay=lambda d: 1.0 + 0.5 * d))
    d = np.abs(np.subtract.outer(np.arange(3.0), np.arange(3.0)))
    np.testing.assert_allclose(prj.get("weight", format="array"), 0.01 + 0.001 * d)
    np.testing.assert_allclose(prj.get("delay", format="array"), 1.0 + 0.5 * d)


# --- item 4: objects created before setup() -------------------------------------------------

def test_population_before_setup_uses_defaults_and_later_setup_applies(sim):
    sim.state.initialized = False  # as in a fresh process where setup() was never called
    early = sim.Population(2, sim.IF_cond_exp(), label="early")
    assert sim.get_time_step() == pytest.approx(0.1)
    early.record("v")
    sim.run(2.0)
    assert early.get_data().segments[0].analogsignals[0].sampling_period.rescale("ms").magnitude \
        == pytest.approx(0.1)
    sim.setup(timestep=0.05)  # as in PyNN, a later setup() starts a new network with its settings
    assert sim.get_time_step() == pytest.approx(0.05) and sim.get_current_time() == 0.0
    late = sim.Population(2, sim.IF_cond_exp(), label="late")
    late.record("v")
    sim.run(1.0)
    assert late.get_data().segments[0].analogsignals[0].shape[0] == 21


# --- item 6: bugs found by running PyNN's own material --------------------------------------

def test_assembly_of_different_types_gives_one_signal_per_variable(sim):
    a = sim.Population(2, sim.IF_cond_exp(), label="a")
    b = sim.Population(3, sim.IF_curr_exp(), label="b")
    both = a + b
    both.record("v")
    sim.run(2.0)
    [v] = both.get_data().segments[0].filter(name="v")
    assert v.shape == (21, 5)
    np.testing.assert_array_equal(v.array_annotations["channel_index"], np.arange(5))
    assert v.array_annotations["source_population"].tolist() == ["a", "a", "b", "b", "b"]


def test_spike_source_poisson_parameters_given_as_one_element_lists(sim):
    one = sim.Population(1, sim.SpikeSourcePoisson(rate=[5.0], start=[100.0], duration=1234.0))
    assert one.get(["rate", "start", "duration"]) == [5.0, 100.0, 1234.0]
    one.set(duration=[200.0])
    assert one.get("duration") == 200.0


def test_connection_attributes_and_per_connection_lists(sim):
    pre = sim.Population(3, sim.IF_cond_exp(), structure=Line(dx=1.0))
    post = sim.Population(2, sim.IF_cond_exp(), structure=Line(dx=1.0))
    prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=0.05, delay=lambda d: 0.5 + 0.1 * d))
    # as in PyNN, one value per connection follows (pre, post) order, pre first
    prj.set(weight=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    np.testing.assert_allclose(prj.get("weight", format="array"), [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    third = list(prj.connections)[2]
    third.weight = 0.0123
    third.delay = 1.0
    rows = prj.get(["weight", "delay"], format="list")
    assert tuple(rows[2][2:]) == pytest.approx((0.0123, 1.0))
    assert sum(1 for r in rows if r[2] == pytest.approx(0.0123)) == 1


def test_get_min_delay_auto_is_the_shortest_delay_made(sim):
    sim.setup(timestep=0.1, min_delay="auto")
    p = sim.Population(2, sim.IF_cond_exp())
    assert sim.get_min_delay() == pytest.approx(0.1)
    sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(delay=0.5))
    assert sim.get_min_delay() == pytest.approx(0.5)


def test_no_empty_segment_after_get_data_clear_and_reset(sim):
    p = sim.Population(1, sim.IF_curr_exp(i_offset=0.1))
    p.record("v")
    blocks = []
    for _ in range(3):
        sim.run(10.0)
        blocks.append(p.get_data(clear=True))
        sim.reset()
    assert [len(b.segments) for b in blocks] == [1, 1, 1]
    np.testing.assert_allclose(blocks[2].segments[0].analogsignals[0].magnitude,
                               blocks[0].segments[0].analogsignals[0].magnitude)


def test_trial_loop_resetting_before_each_trial_gives_one_segment_per_trial(sim):
    # PyNN keeps a segment only if time advanced: scripts that reset() at the start of each
    # trial read trial k from segments[k]
    p = sim.Population(1, sim.IF_curr_exp())
    p.record(["spikes", "v"])
    drives = [0.0, 2.0, 0.0]
    for trial, drive in enumerate(drives):
        sim.reset(annotations={"before": trial})
        p.set(i_offset=drive)
        sim.run(20.0)
    segments = p.get_data().segments
    assert len(segments) == 3
    assert [len(seg.spiketrains[0]) > 0 for seg in segments] == [False, True, False]
    assert [seg.analogsignals[0].shape for seg in segments] == [(201, 1)] * 3
    assert [seg.annotations.get("before") for seg in segments] == [1, 2, None]


def test_current_time_has_no_float_noise(sim):
    sim.setup(timestep=0.1)
    sim.Population(1, sim.IF_curr_exp())
    assert sim.run(0.3) == 0.3
    for _ in range(4):
        sim.run(0.1)
    assert sim.get_current_time() == 0.7
    assert sim.run_until(2.3) == 2.3


def test_grid_times_read_back_without_float_noise(sim):
    # 6 steps of 0.1 ms are 0.6 (6 * 0.1 is 0.6000000000000001): delays and spike times read
    # back equal the numbers a script wrote
    sim.setup(timestep=0.1)
    times = [0.3, 0.7, 2.3, 3.7]
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=times))
    cell = sim.Population(1, sim.IF_curr_exp())
    prj = sim.Projection(source, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=0.6))
    source.record("spikes")
    sim.run(5.0)
    assert prj.get("delay", format="list", with_address=False) == [0.6]
    assert source.get_data().segments[0].spiketrains[0].magnitude.tolist() == times


def test_step_current_times_on_one_step_act_like_the_last_one(sim):
    cell = sim.Population(1, sim.IF_curr_exp(tau_refrac=5.0))
    source = sim.StepCurrentSource(times=[2.01, 2.02, 6.0], amplitudes=[5.0, 0.4, 0.0])
    source.inject_into(cell)
    warnings.simplefilter("ignore", errors.RoundingWarning)  # 2.01 and 2.02 ms both act at 2.0 ms
    cell.record("v")
    sim.run(10.0)
    v = cell.get_data().segments[0].filter(name="v")[0].magnitude[:, 0]
    # only 0.4 nA (the last amplitude for step 2.0 ms) acts: v rises gently, no spike
    assert v[20] == pytest.approx(-65.0, abs=1e-6)
    assert -65.0 < v[60] < -55.0


def test_assembly_of_standard_and_composed_cells_takes_both_receptors(sim):
    monolith = sim.Population(1, sim.IF_curr_exp(tau_m=10.0, v_rest=-60.0, tau_syn_E=1.0, tau_syn_I=2.0),
                              initial_values={"v": -60.0})
    if not hasattr(sim, "PointNeuron"):
        pytest.skip(f"{sim.__name__} has no PointNeuron")
    try:
        composed = sim.Population(1, sim.PointNeuron(
            sim.LIF(tau_m=10.0, v_rest=-60.0), excitatory=sim.CurrExpPostSynapticResponse(tau_syn=1.0),
            inhibitory=sim.CurrExpPostSynapticResponse(tau_syn=2.0)), initial_values={"v": -60.0})
    except errors.NoModelAvailableError as exc:
        pytest.skip(str(exc))
    both = monolith + composed
    inputs = sim.Population(2, sim.SpikeSourceArray(spike_times=[Sequence([3.0]), Sequence([12.0])]))
    sim.Projection(inputs[0:1], both, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=1.5),
                   receptor_type="excitatory")
    sim.Projection(inputs[1:2], both, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.2, delay=1.5),
                   receptor_type="inhibitory")
    both.record("v")
    sim.run(20.0)
    v = both.get_data().segments[0].filter(name="v")[0].magnitude
    assert v[:, 0].max() > -59.8 and v[:, 0].min() < -60.05  # excitation, then inhibition
    np.testing.assert_allclose(v[:, 1], v[:, 0], atol=1e-6)  # the same model, composed


# --- item 8: file formats PyNN users expect ---------------------------------------------------

@pytest.mark.parametrize("extension", [".nix", ".mat"])
def test_write_data_to_nix_and_matlab_files(sim, tmp_path, extension):
    import neo

    p = sim.Population(2, sim.IF_curr_exp(i_offset=[0.0, 1.0]), label="cells")
    p.record(["v", "spikes"])
    sim.run(50.0)
    filename = tmp_path / f"cells{extension}"
    p.write_data(str(filename))
    io = neo.get_io(str(filename))
    block = io.read_block() if extension == ".mat" else io.read()[0]
    if hasattr(io, "close"):
        io.close()
    sig = block.segments[0].analogsignals[0]
    np.testing.assert_allclose(np.asarray(sig.magnitude), p.get_data().segments[0].analogsignals[0].magnitude)


def test_spike_in_last_step_of_a_run_is_reported_in_that_run(sim):
    cell = sim.Population(1, sim.IF_curr_exp(i_offset=2.0, tau_refrac=2.0))
    cell.record("spikes")
    sim.run(20.0)
    first = float(cell.get_data().segments[0].spiketrains[0].magnitude[0])
    sim.reset()
    sim.run(first)  # the spike happens in the very last step
    assert cell.get_data().segments[-1].spiketrains[0].magnitude.tolist() == pytest.approx([first])
    sim.run(1.0)  # and is not reported a second time
    assert cell.get_data().segments[-1].spiketrains[0].magnitude.tolist() == pytest.approx([first])


def test_write_data_to_an_open_neo_io_several_times(sim, tmp_path):
    from neo.io import NixIO

    p = sim.Population(2, sim.IF_cond_exp(), label="cells")
    p.record(["v", "gsyn_exc"])
    sim.run(5.0)
    io = NixIO(filename=str(tmp_path / "data.h5"))
    p.write_data(io)  # as in PyNN's documentation: the IO stays open for the next writes
    p.write_data(io, variables=("v",))
    io.close()
    reader = NixIO(str(tmp_path / "data.h5"), mode="ro")
    blocks = reader.read()
    reader.close()
    assert [len(b.segments[0].analogsignals) for b in blocks] == [2, 1]


def test_spike_times_from_a_function_of_the_index_array(sim):
    # as PyNN's simple_STDP example does: the function gets every index at once
    sources = sim.Population(3, sim.SpikeSourceArray(
        spike_times=lambda i: [Sequence([2.0 + j, 7.0]) for j in np.atleast_1d(i)]))
    assert [s.value.tolist() for s in sources.get("spike_times")] == [[2.0, 7.0], [3.0, 7.0], [4.0, 7.0]]


def test_step_current_changed_after_a_run_acts(sim):
    """StepCurrentSource.set_parameters() after a run, with a change at the current time
    (PyNN's issue 759 scenario): the current acts in the next run on every backend. NEST
    cannot act on the two steps its generator has already sent: there the change comes up
    to two steps later, with a warning."""
    cells = sim.Population(1, sim.IF_curr_exp(v_rest=-65.0, v_thresh=-55.0, tau_refrac=5.0))
    cells.initialize(v=-65.0)
    cells.record(["spikes", "v"])
    source = sim.StepCurrentSource(times=[0.0], amplitudes=[0.0])
    source.inject_into(cells)
    sim.run(50.0)
    is_nest = sim.__name__ == "pyNN.nest"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        source.set_parameters(times=[50.0], amplitudes=[1.0])
    assert any("act from 50.2 ms on NEST" in str(w.message) for w in caught) == is_nest
    sim.run(50.0)
    segment = cells.get_data().segments[0]
    spikes = segment.spiketrains[0].magnitude
    assert len(spikes) > 0 and spikes.min() > 50.0
    v = segment.filter(name="v")[0].magnitude.ravel()
    first_rise = 500 + int(np.flatnonzero(v[500:] > -65.0 + 1e-9)[0])
    # the membrane rises in the step after the current starts: 50.1 ms (50.3 ms on NEST)
    assert first_rise == (503 if is_nest else 501)
