"""Faults injected as a user would, on every backend: a callback that fails or interrupts in
the middle of a run, bad values set between runs, a write to a path that cannot be written, a
delay too long for the simulator's buffers. Each must give a pyNN error naming the object and
leave what was recorded so far readable, and the simulation must go on afterwards (after
reset() too) with the data of an undisturbed run."""

import numpy as np
import pytest
import quantities as pq

from pyNN import errors


def _network(sim):
    cells = sim.Population(4, sim.IF_cond_exp(i_offset=0.3, tau_m=15.0), label="cells")
    drive = sim.Population(2, sim.SpikeSourceArray(spike_times=[[5.0, 25.0, 45.0], [12.0, 33.0]]), label="drive")
    sim.Projection(drive, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.02, delay=1.0),
                   receptor_type="excitatory", label="input")
    cells.record(["spikes", "v"])
    return cells


def _v(cells, segment=-1):
    return cells.get_data().segments[segment].filter(name="v")[0].magnitude


def test_faults_between_and_during_runs_lose_nothing_and_change_nothing(sim, tmp_path):
    """The same network run once undisturbed and once through a series of faults records the
    same membrane potentials and spikes."""
    cells = _network(sim)
    sim.run(60.0)
    reference_v = _v(cells).copy()
    reference_spikes = [np.asarray(st) for st in cells.get_data().segments[0].spiketrains]
    sim.reset()

    sim.run(10.0)
    # 1. bad values between runs: refused, naming the population and parameter; nothing changes
    for bad in (float("nan"), -5.0, True, "15", 10 * pq.mV, [15.0, 15.0], {"tau_m": 1.0}, 1j):
        with pytest.raises(errors.PyNNError, match="'cells'.*tau_m|tau_m.*'cells'"):
            cells.set(tau_m=bad)
    with pytest.raises(errors.InvalidDimensionsError, match="'cells'"):
        cells.initialize(v=np.full(3, -60.0))
    assert cells.get("tau_m") == pytest.approx(15.0)

    # 2. a callback that fails at 20 ms stops the run there, with the data kept
    def fails_at_20(t):
        if t >= 20.0:
            raise RuntimeError("analysis crashed")
        return t + 5.0

    with pytest.raises(RuntimeError, match="analysis crashed"):
        sim.run(30.0, callbacks=[fails_at_20])
    assert sim.get_current_time() == pytest.approx(20.0)
    assert _v(cells).shape == (201, 4)

    # 3. Ctrl-C raised from a callback at 35 ms
    def interrupts_at_35(t):
        if t >= 35.0:
            raise KeyboardInterrupt
        return t + 5.0

    with pytest.raises(KeyboardInterrupt):
        sim.run(20.0, callbacks=[interrupts_at_35])
    assert sim.get_current_time() == pytest.approx(35.0)

    # 4. a callback that returns no time: a pyNN error naming it, at the time it was called
    with pytest.raises(errors.InvalidParameterValueError, match="callback .* returned None at t = 35 ms"):
        sim.run(10.0, callbacks=[lambda t: None])

    # 5. writing to a path that cannot be written, with clear=True: DataFileError, data kept
    blocker = tmp_path / "not_a_directory"
    blocker.write_text("")
    with pytest.raises(errors.DataFileError, match="'cells'.*cannot write"):
        cells.write_data(str(blocker / "out.pkl"), clear=True)
    with pytest.raises(errors.InvalidTypeError, match="'cells'"):
        cells.write_data(None, clear=True)
    with pytest.raises(errors.RecordingError, match="'cells'"):
        cells.get_data("vm")

    sim.run(25.0)
    np.testing.assert_allclose(_v(cells), reference_v, rtol=0, atol=1e-9)
    spikes = [np.asarray(st) for st in cells.get_data().segments[1].spiketrains]
    for got, want in zip(spikes, reference_spikes):
        np.testing.assert_allclose(got, want)

    # 6. then a good path: everything recorded is in the file
    import neo
    cells.write_data(str(tmp_path / "out.pkl"))
    block = neo.io.PickleIO(str(tmp_path / "out.pkl")).read_block()
    assert len(block.segments) == 2
    np.testing.assert_allclose(block.segments[1].filter(name="v")[0].magnitude, reference_v, rtol=0, atol=1e-9)


def test_reset_after_a_failed_run_then_run_again(sim):
    cells = _network(sim)

    def fails(t):
        if t > 0:
            raise ValueError("stop")
        return t + 17.0

    with pytest.raises(ValueError):
        sim.run(50.0, callbacks=[fails])
    assert sim.get_current_time() == pytest.approx(17.0)
    sim.reset()
    sim.run(50.0)
    segments = cells.get_data().segments
    assert [s.filter(name="v")[0].shape[0] for s in segments] == [171, 501]
    first, second = (s.filter(name="v")[0].magnitude for s in segments)
    np.testing.assert_allclose(first, second[:171])


def test_delay_too_long_for_the_simulator_is_refused_or_works(sim):
    """A delay of 1e9 ms made after a run: either refused at once with a pyNN error naming the
    projection (NEST would need a chain of 10^9 relay neurons, the emulator a ring buffer of
    10^10 steps), or simulated (NEURON and Brian2 queue events); never a hang or a MemoryError
    at the next run, and the session goes on."""
    cells = _network(sim)
    sim.run(10.0)
    late = sim.Population(1, sim.SpikeSourceArray(spike_times=[12.0]), label="late")
    try:
        prj = sim.Projection(late, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1e9),
                             label="far future")
    except errors.PyNNError as exc:
        assert "'far future'" in str(exc) and "1e+09 ms" in str(exc)
    else:
        assert prj.get("delay", format="array") == pytest.approx(np.full((1, 4), 1e9))
    sim.run(10.0)
    assert _v(cells).shape == (201, 4)


def test_native_parameter_refused_by_nest_is_a_pyNN_error_and_changes_nothing(sim):
    if sim.__name__ != "pyNN.nest":
        pytest.skip("native NEST models only")
    native = sim.native_cell_type("iaf_psc_alpha")
    with pytest.raises(errors.InvalidParameterValueError, match="'bad'.*Capacitance"):
        sim.Population(2, native(C_m=-1.0), label="bad")
    p = sim.Population(3, native(C_m=200.0), label="nat")
    p.record("V_m")
    sim.run(5.0)
    with pytest.raises(errors.InvalidParameterValueError, match="'nat'.*Capacitance.*C_m=-1.0.*nothing was changed"):
        p.set(C_m=-1.0)
    with pytest.raises(errors.InvalidParameterValueError, match="'nat'.*Reset potential"):
        p[1:].set(V_reset=[-70.0, 0.0])
    assert p.get("C_m") == pytest.approx(200.0)
    assert p.get("V_reset") == pytest.approx(-70.0)
    assert p.node_collection.get("V_reset") == pytest.approx((-70.0,) * 3)
    p.set(tau_m=20.0)  # later changes are not refused because of the refused value
    sim.run(5.0)
    assert p.get_data().segments[0].analogsignals[0].shape == (101, 3)


def test_stdp_weight_above_w_max_refused_on_every_backend(sim):
    """NEST kept such a weight until the next potentiation and the other backends clipped it
    at the first spike (5x larger responses on NEST): the core refuses it everywhere."""
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]), label="pre")
    post = sim.Population(1, sim.IF_cond_exp(), label="post")
    rule = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                             weight_dependence=sim.AdditiveWeightDependence(w_max=0.01), weight=0.05, delay=1.0)
    with pytest.raises(errors.ConnectionError, match="'plastic'.*weight 0.05.*w_max=0.01"):
        sim.Projection(pre, post, sim.AllToAllConnector(), rule, label="plastic")


def test_control_calls_from_callbacks_and_progress_functions_are_refused(sim):
    """A nested run(), reset(), setup() or end() from a callback or progress function of run(),
    and any use of a population from a progress function (called while the simulator is in the
    middle of the run), are pyNN errors; the data recorded so far stay readable and the
    simulation goes on. (On NEST these gave NEST's Prepare/Run/Cleanup errors, on NEURON a
    recorder that could no longer be read.)"""
    cells = _network(sim)
    for nested in (lambda: sim.run(1.0), sim.reset, lambda: sim.setup(timestep=0.1), sim.end):
        def callback(t, nested=nested):
            if t >= 5.0:
                nested()
            return t + 5.0
        with pytest.raises(errors.SimulationStateError, match="while run\\(\\) is in progress"):
            sim.run(10.0, callbacks=[callback])
    assert sim.get_current_time() == pytest.approx(5.0)
    seen = []

    def progress(t, t_stop):
        if not seen:
            seen.append(t)
            cells.get_data()

    with pytest.raises(errors.SimulationStateError, match="'cells' cannot be used from the progress function"):
        sim.run(500.0, progress=progress)
    stopped = sim.get_current_time()
    assert 5.0 <= stopped <= 505.0
    assert _v(cells).shape == (round(stopped * 10) + 1, 4)

    def reads(t):  # a callback may read data and change parameters
        if t > stopped:
            assert _v(cells).shape[0] == round(t * 10) + 1
            cells.set(i_offset=0.25)
        return t + 10.0

    sim.run(20.0, callbacks=[reads])
    assert cells.get("i_offset") == pytest.approx(0.25)
    assert len(cells.get_data().segments) == 1
