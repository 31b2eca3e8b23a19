"""Bad input is refused in the core, before the simulator is called, with a message that
names the population or projection, the parameter, the bad value and what is allowed.
"""

import numpy as np
import pytest

from pyNN import errors

from scenario_tools import population


@pytest.fixture
def net(sim):
    """A few labelled populations."""
    return dict(
        curr=population(sim, 3, "IF_curr_exp", label="excitatory cells"),
        cond=population(sim, 3, "IF_cond_exp", label="conductance cells"),
        stim=population(sim, 3, "SpikeSourceArray", label="stimulus", spike_times=[1.0]),
    )


def no_time_passed(sim):
    return sim.get_current_time() == 0.0


# --- parameters -----------------------------------------------------------------------------

def test_unknown_parameter_in_cell_type(sim):
    with pytest.raises(errors.NonExistentParameterError,
                       match=r"IF_curr_exp has no parameter 'tau_mm'.*Valid parameter names are: .*tau_m"
                             r".*Did you mean: tau_m"):
        sim.IF_curr_exp(tau_mm=10.0)


def test_unknown_parameter_in_set(sim, net):
    with pytest.raises(errors.NonExistentParameterError,
                       match=r"'excitatory cells'.*'v_tresh'.*Did you mean: v_thresh"):
        net["curr"].set(v_tresh=-50.0)
    # nothing was changed
    assert net["curr"].get("v_thresh") == pytest.approx(-50.0)


def test_unknown_parameter_in_get(sim, net):
    with pytest.raises(errors.NonExistentParameterError, match=r"'excitatory cells'.*'taum'.*tau_m"):
        net["curr"].get("taum")


def test_unknown_parameter_is_a_key_error(sim, net):
    with pytest.raises(KeyError):
        net["curr"].set(foo=1.0)


def test_unknown_initial_value(sim, net):
    with pytest.raises(errors.NonExistentParameterError, match=r"'excitatory cells'.*'vm'.*Did you mean: v"):
        net["curr"].initialize(vm=-60.0)


def test_unknown_synapse_parameter(sim):
    with pytest.raises(errors.NonExistentParameterError, match=r"'wieght'.*Did you mean: weight"):
        sim.StaticSynapse(wieght=0.1)


def test_negative_tau_m_in_constructor(sim):
    with pytest.raises(errors.InvalidParameterValueError,
                       match=r"'negative'.*'tau_m' = -5.*must be > 0 ms"):
        sim.Population(2, sim.IF_curr_exp(tau_m=-5.0), label="negative")


def test_negative_tau_m_in_set(sim, net):
    with pytest.raises(errors.InvalidParameterValueError,
                       match=r"'excitatory cells'.*'tau_m' = -2.*must be > 0"):
        net["curr"].set(tau_m=np.array([10.0, -2.0, 5.0]))
    assert net["curr"].get("tau_m") == pytest.approx(20.0)


def test_invalid_value_is_a_value_error(sim, net):
    with pytest.raises(ValueError):
        net["curr"].set(cm=0.0)


def test_wrong_length_array(sim, net):
    with pytest.raises(errors.InvalidDimensionsError,
                       match=r"'excitatory cells'.*'tau_m'.*2 values.*3 cells"):
        net["curr"].set(tau_m=np.array([10.0, 12.0]))
    with pytest.raises(errors.InvalidDimensionsError, match=r"'excitatory cells'.*'v'.*4 values"):
        net["curr"].initialize(v=[-60.0, -61.0, -62.0, -63.0])


def test_non_numeric_value(sim, net):
    with pytest.raises(errors.InvalidParameterValueError, match=r"'tau_m'.*'fast'"):
        net["curr"].set(tau_m="fast")


def test_bad_spike_times(sim, net):
    with pytest.raises(errors.InvalidParameterValueError, match=r"'stimulus'.*'spike_times'.*-1.*>= 0"):
        net["stim"].set(spike_times=[-1.0, 2.0])
    with pytest.raises(errors.InvalidParameterValueError, match=r"'stimulus'.*'spike_times'.*non-decreasing"):
        net["stim"].set(spike_times=[3.0, 2.0])


# --- recording ---------------------------------------------------------------------------------

def test_recording_unknown_variable(sim, net):
    with pytest.raises(errors.RecordingError,
                       match=r"'gsyn_exc'.*IF_curr_exp.*'excitatory cells'"
                             r".*Recordable variables are: spikes, v"):
        net["curr"].record("gsyn_exc")


def test_recording_misspelt_variable(sim, net):
    with pytest.raises(errors.RecordingError, match=r"'spike'.*Did you mean: spikes"):
        net["curr"].record(["v", "spike"])


def test_record_all_is_refused(sim, net):
    with pytest.raises(errors.RecordingError):
        net["curr"].record("all")


def test_bad_sampling_interval(sim, net):
    with pytest.raises(ValueError, match=r"'excitatory cells'.*sampling_interval=-1.*positive multiple"):
        net["curr"].record("v", sampling_interval=-1.0)


# --- projections -------------------------------------------------------------------------------

def test_delay_below_min_delay(sim, net):
    with pytest.raises(errors.ConnectionError, match=r"'short'.*delay 0.05 ms.*minimum delay 0.1 ms"):
        sim.Projection(net["stim"], net["curr"], sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=0.1, delay=0.05), label="short")


def test_delay_above_max_delay(sim):
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=2.0)
    pre = population(sim, 2, "SpikeSourceArray", label="pre", spike_times=[1.0])
    post = population(sim, 2, "IF_curr_exp", label="post")
    with pytest.raises(errors.ConnectionError, match=r"'long'.*5.*2"):
        sim.Projection(pre, post, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=0.1, delay=5.0), label="long")


def test_mixed_sign_weights(sim, net):
    weights = np.array([[0.1, -0.1, 0.1]] * 3)
    with pytest.raises(errors.ConnectionError, match=r"'mixed'.*mixed signs.*-0.1.*0.1"):
        sim.Projection(net["stim"], net["curr"], sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=weights, delay=1.0), label="mixed")


def test_negative_weight_on_conductance_based_projection(sim, net):
    with pytest.raises(errors.ConnectionError, match=r"'negative'.*conductance.*>= 0.*-0.1.*inhibitory"):
        sim.Projection(net["stim"], net["cond"], sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=-0.1, delay=1.0), label="negative")
    with pytest.raises(errors.ConnectionError, match=r"'negative inh'"):
        sim.Projection(net["stim"], net["cond"], sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=-0.1, delay=1.0), receptor_type="inhibitory",
                       label="negative inh")


def test_negative_weight_on_excitatory_current_receptor(sim, net):
    with pytest.raises(errors.ConnectionError, match=r"'neg exc'.*-0.1.*'excitatory'"):
        sim.Projection(net["stim"], net["curr"], sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=-0.1, delay=1.0), receptor_type="excitatory",
                       label="neg exc")


def test_invalid_receptor_type(sim, net):
    with pytest.raises(errors.ConnectionError, match=r"'ampa'.*'AMPA'.*excitatory.*inhibitory"):
        sim.Projection(net["stim"], net["curr"], sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=0.1, delay=1.0), receptor_type="AMPA", label="ampa")


def test_from_list_index_out_of_range(sim, net):
    with pytest.raises(errors.ConnectionError, match=r"postsynaptic index 5.*'bad list'.*3 cells"):
        sim.Projection(net["stim"], net["curr"], sim.FromListConnector([(0, 5, 0.1, 1.0)]),
                       label="bad list")
    with pytest.raises(errors.ConnectionError, match=r"presynaptic index 7.*'bad list 2'.*3 cells"):
        sim.Projection(net["stim"], net["curr"], sim.FromListConnector([(7, 1, 0.1, 1.0)]),
                       label="bad list 2")


def test_unknown_synapse_parameter_in_projection_set(sim, net):
    prj = sim.Projection(net["stim"], net["curr"], sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=0.1, delay=1.0), label="prj")
    with pytest.raises(errors.NonExistentParameterError, match=r"'prj'.*'wieght'.*Did you mean: weight"):
        prj.set(wieght=0.3)


def test_connector_must_be_a_connector(sim, net):
    with pytest.raises(TypeError, match="Connector"):
        sim.Projection(net["stim"], net["curr"], "all-to-all")


def test_bad_connector_arguments(sim, net):
    with pytest.raises(ValueError, match=r"p_connect=1.5.*\[0, 1\]"):
        sim.FixedProbabilityConnector(1.5)
    with pytest.raises(ValueError, match=r"'-d'.*negative"):
        sim.Projection(net["stim"], net["curr"], sim.DistanceDependentProbabilityConnector("-d"))
    with pytest.raises(errors.InvalidDimensionsError, match=r"OneToOneConnector.*3 and 4"):
        sim.Projection(net["stim"], population(sim, 4, "IF_curr_exp", label="four"),
                       sim.OneToOneConnector())


def test_failed_projection_leaves_simulation_usable(sim, net):
    with pytest.raises(errors.ConnectionError):
        sim.Projection(net["stim"], net["cond"], sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=-0.1, delay=1.0))
    net["curr"].record("v")
    sim.run(5.0)
    assert net["curr"].get_data().segments[0].analogsignals[0].shape[0] == 51


# --- simulation control and current sources --------------------------------------------------

def test_setup_min_delay_below_timestep(sim):
    with pytest.raises(ValueError, match=r"min_delay \(0.05 ms\).*timestep \(0.1 ms\)"):
        sim.setup(timestep=0.1, min_delay=0.05)


def test_setup_forbidden_argument(sim):
    with pytest.raises(Exception, match="dt"):
        sim.setup(dt=0.1)


def test_run_negative_time(sim):
    with pytest.raises(ValueError, match=r"-1"):
        sim.run(-1)
    assert no_time_passed(sim)


def test_inject_into_spike_source(sim, net):
    with pytest.raises(TypeError, match=r"'stimulus'.*SpikeSourceArray"):
        net["stim"].inject(sim.DCSource(amplitude=1.0))


def test_bad_current_source_parameters(sim):
    with pytest.raises(errors.InvalidParameterValueError, match=r"'start' = -3.*>= 0"):
        sim.DCSource(amplitude=1.0, start=-3.0)
    with pytest.raises(errors.InvalidParameterValueError, match=r"'times'.*strictly increasing"):
        sim.StepCurrentSource(times=[5.0, 2.0], amplitudes=[1.0, 2.0])
    with pytest.raises(errors.NonExistentParameterError, match=r"'amplitud'.*Did you mean: amplitude"):
        sim.DCSource(amplitud=1.0)
