"""Tests of the standard model types (cells, synapses, electrodes) and the NEST tables."""

import numpy as np
import pytest

from pyNN import errors
from pyNN.parameters import ArrayParameter, Sequence
from pyNN.standardmodels import cells, electrodes, synapses

CELL_TYPES = list(cells.STANDARD_CELL_TYPES)
COMPONENTS = [cells.LIF, cells.AdExp]
PSRS = [cells.CurrExpPostSynapticResponse, cells.CondExpPostSynapticResponse,
        cells.CondAlphaPostSynapticResponse, cells.CondBetaPostSynapticResponse]
SYNAPSE_TYPES = list(synapses.STANDARD_SYNAPSE_TYPES)
STDP_COMPONENTS = [synapses.AdditiveWeightDependence, synapses.MultiplicativeWeightDependence,
                   synapses.AdditivePotentiationMultiplicativeDepression,
                   synapses.GutigWeightDependence, synapses.SpikePairRule, synapses.Vogels2011Rule]
ELECTRODES = list(electrodes.STANDARD_CURRENT_SOURCES)
ALL_TYPES = CELL_TYPES + COMPONENTS + PSRS + SYNAPSE_TYPES + STDP_COMPONENTS + ELECTRODES
SOURCES = [c for c in CELL_TYPES if c.__name__.startswith("SpikeSource")]
INTEGER_PARAMETERS = {("SpikeSourceGamma", "alpha"), ("MultiQuantalSynapse", "n")}


def _ids(classes):
    return [c.__name__ for c in classes]


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, ArrayParameter) or isinstance(b, ArrayParameter):
        return np.allclose(np.asarray(list(a), dtype=float), np.asarray(list(b), dtype=float))
    return np.allclose(a, b)


# --- every standard type ---------------------------------------------------------------------------

@pytest.mark.parametrize("cls", ALL_TYPES, ids=_ids(ALL_TYPES))
def test_instantiation_with_defaults(cls):
    obj = cls()
    values = obj.get_parameters()
    assert set(values) == set(cls.default_parameters)
    for name, default in cls.default_parameters.items():
        assert _same(values[name], default), name


@pytest.mark.parametrize("cls", ALL_TYPES, ids=_ids(ALL_TYPES))
def test_default_value_types(cls):
    for name, default in cls.default_parameters.items():
        if (cls.__name__, name) in INTEGER_PARAMETERS:
            assert type(default) is int
        elif name == "delay":
            assert default is None
        elif isinstance(default, ArrayParameter):
            continue
        else:
            assert type(default) is float, f"{cls.__name__}.{name} should be a float"


@pytest.mark.parametrize("cls", ALL_TYPES, ids=_ids(ALL_TYPES))
def test_unknown_parameter_suggests_close_match(cls):
    name = next(iter(cls.default_parameters))
    with pytest.raises(errors.NonExistentParameterError) as info:
        cls(**{name + "x": 1.0})
    assert f"Did you mean: {name}" in str(info.value)


@pytest.mark.parametrize("cls", ALL_TYPES, ids=_ids(ALL_TYPES))
def test_units_complete(cls):
    names = set(cls.default_parameters) | set(cls.default_initial_values)
    names |= set(getattr(cls, "recordable", []))
    missing = names - set(cls.units)
    assert not missing
    assert all(isinstance(u, str) and u for u in cls.units.values())


@pytest.mark.parametrize("cls", CELL_TYPES + COMPONENTS, ids=_ids(CELL_TYPES + COMPONENTS))
def test_initial_values_are_state_variables(cls):
    assert "spikes" in cls.recordable
    for var in cls.default_initial_values:
        assert var not in cls.default_parameters


@pytest.mark.parametrize("cls", SOURCES, ids=_ids(SOURCES))
def test_spike_sources(cls):
    assert cls.injectable is False
    assert cls.receptor_types == ()
    assert cls.recordable == ["spikes"]
    assert cls.default_initial_values == {}


def test_cell_type_flags():
    assert cells.IF_curr_exp.conductance_based is False
    assert cells.IF_cond_exp.conductance_based is True
    assert cells.IF_curr_delta.voltage_based_synapses and cells.Izhikevich.voltage_based_synapses
    assert not cells.IF_curr_alpha.voltage_based_synapses
    assert cells.HH_cond_exp.receptor_types == ("excitatory", "inhibitory", "source_section.gap")
    assert cells.SpikeSourceInhGamma.units["b"] == "s"
    assert cells.IF_cond_alpha.default_parameters["tau_syn_E"] == 0.3
    assert cells.GIF_cond_exp.default_parameters["tau_refrac"] == 4.0
    assert cells.ExpPSR is cells.CondExpPostSynapticResponse
    assert cells.AlphaPSR is cells.CondAlphaPostSynapticResponse
    assert cells.BetaPSR is cells.CondBetaPostSynapticResponse


# --- value checks --------------------------------------------------------------------------------

def _check(cls, **values):
    cls.check_values(values, "test")


@pytest.mark.parametrize("times", [[-1.0, 2.0], [3.0, 2.0]])
def test_spike_times_checked(times):
    with pytest.raises(errors.InvalidParameterValueError, match="spike_times"):
        _check(cells.SpikeSourceArray, spike_times=Sequence(times))
    per_cell = np.empty(2, dtype=object)
    per_cell[0], per_cell[1] = Sequence([1.0, 2.0]), Sequence(times)
    with pytest.raises(errors.InvalidParameterValueError, match="cell 1"):
        _check(cells.SpikeSourceArray, spike_times=per_cell)


def test_valid_values_pass():
    """None of these raises (the checks return nothing)."""
    assert _check(cells.SpikeSourceArray, spike_times=Sequence([0.5])) is None
    _check(cells.SpikeSourceArray, spike_times=Sequence([0.0, 1.0, 1.0, 5.0]))
    _check(cells.SpikeSourceArray, spike_times=Sequence([]))
    _check(cells.SpikeSourceGamma, alpha=3, beta=10.0)
    _check(electrodes.StepCurrentSource, times=Sequence([1.0, 2.0]), amplitudes=Sequence([0.5, 0.1]))
    _check(electrodes.DCSource, start=np.array([0.0, 10.0]), stop=np.array([5.0, 10.0]))
    _check(cells.GIF_cond_exp, tau_eta=ArrayParameter([1.0, 2.0]), a_eta=ArrayParameter([0.1, 0.2]))


@pytest.mark.parametrize("cls, values", [
    (cells.SpikeSourceGamma, {"alpha": 1.5}),
    (cells.SpikeSourceGamma, {"alpha": 0}),
    (cells.HH_cond_exp, {"gbar_Na": -1.0}),
    (cells.GIF_cond_exp, {"lambda0": -1.0}),
    (cells.GIF_cond_exp, {"tau_eta": ArrayParameter([1.0, -2.0])}),
    (cells.GIF_cond_exp, {"tau_gamma": ArrayParameter([1.0]), "a_gamma": ArrayParameter([1.0, 2.0])}),
    (cells.IF_cond_exp, {"tau_m": 0.0}),
    (cells.IF_cond_exp, {"cm": -1.0}),
    (cells.SpikeSourcePoissonRefractory, {"rate": 500.0, "tau_refrac": 3.0}),
    (cells.SpikeSourceInhGamma, {"a": Sequence([1.0, 2.0]), "b": Sequence([1.0]),
                                 "tbins": Sequence([0.0, 5.0])}),
    (electrodes.DCSource, {"start": 10.0, "stop": 5.0}),
    (electrodes.NoisyCurrentSource, {"dt": 0.0}),
    (electrodes.NoisyCurrentSource, {"stdev": -0.1}),
    (electrodes.StepCurrentSource, {"times": Sequence([1.0, 1.0])}),
    (electrodes.StepCurrentSource, {"times": Sequence([-1.0, 1.0])}),
    (electrodes.StepCurrentSource, {"times": Sequence([1.0, 2.0]), "amplitudes": Sequence([1.0])}),
    (synapses.TsodyksMarkramSynapse, {"U": 1.5}),
    (synapses.SimpleStochasticSynapse, {"p": -0.1}),
    (synapses.MultiQuantalSynapse, {"n": 0}),
    (synapses.AdditiveWeightDependence, {"w_min": 2.0, "w_max": 1.0}),
])
def test_invalid_values_raise(cls, values):
    with pytest.raises(errors.InvalidParameterValueError):
        cls.check_values(values, "test")


# --- PointNeuron -----------------------------------------------------------------------------------

def _point_neuron():
    return cells.PointNeuron(cells.AdExp(tau_m=10.0),
                             GABA=cells.AlphaPSR(e_syn=-70.0),
                             AMPA=cells.AlphaPSR(tau_syn=1.5))


def test_point_neuron_attributes():
    pn = _point_neuron()
    # receptors keep the order they were given in (as in PyNN), not alphabetical order
    assert pn.receptor_types == ("GABA", "AMPA")
    assert list(pn.post_synaptic_receptors) == ["GABA", "AMPA"]
    assert pn.conductance_based is True
    assert pn.recordable == ["spikes", "v", "w", "GABA.gsyn", "AMPA.gsyn"]
    assert pn.default_initial_values == {"v": -70.6, "w": 0.0, "GABA.gsyn": 0.0, "AMPA.gsyn": 0.0}
    assert pn.units["AMPA.gsyn"] == "uS" and pn.units["GABA.tau_syn"] == "ms"
    names = pn.get_parameter_names()
    assert "tau_w" in names and "AMPA.tau_syn" in names and "GABA.e_syn" in names
    assert pn.has_parameter("GABA.e_syn") and not pn.has_parameter("NMDA.e_syn")
    assert pn.can_record("AMPA.gsyn") and not pn.can_record("AMPA.isyn")
    assert set(pn.units) >= set(names) | set(pn.recordable)


def test_point_neuron_values():
    pn = _point_neuron()
    values = pn.get_parameters()
    assert values["tau_m"] == 10.0
    assert values["AMPA"] == {"e_syn": 0.0, "tau_syn": 1.5}
    assert values["GABA"] == {"e_syn": -70.0, "tau_syn": 5.0}
    ps = pn.parameter_space.copy()
    ps.shape = (3,)
    ps.evaluate(simplify=True)
    flat = ps.flatten()
    assert flat["AMPA.tau_syn"] == 1.5
    pn.parameter_space.update(GABA={"e_syn": -80.0, "tau_syn": 3.0})
    assert pn.get_parameters()["GABA"]["e_syn"] == -80.0
    with pytest.raises(errors.NonExistentParameterError):
        pn.parameter_space.update(GABA={"tau_sin": 3.0})


def test_point_neuron_class_level_queries():
    pn = _point_neuron()
    cls = type(pn)
    assert cls.__name__ == "PointNeuron" and isinstance(pn, cells.PointNeuron)
    assert cls.receptor_types == ("GABA", "AMPA")
    assert cls.has_parameter("AMPA.tau_syn") and cls.can_record("GABA.gsyn")
    assert cls.get_schema()["AMPA"] == {"e_syn": float, "tau_syn": float}
    with pytest.raises(errors.InvalidParameterValueError):
        cls.check_values({"GABA.tau_syn": 0.0}, "pop")
    other = cells.PointNeuron(cells.LIF(), NMDA=cells.CondExpPostSynapticResponse())
    assert type(other).receptor_types == ("NMDA",) and cls.receptor_types == ("GABA", "AMPA")


def test_assembled_types_pickle():
    import pickle
    pn = pickle.loads(pickle.dumps(_point_neuron()))
    assert pn.receptor_types == ("GABA", "AMPA") and pn.get_parameters()["AMPA"]["tau_syn"] == 1.5
    stdp = synapses.STDPMechanism(timing_dependence=synapses.SpikePairRule(A_plus=0.5),
                                  weight_dependence=synapses.AdditiveWeightDependence())
    copy = pickle.loads(pickle.dumps(stdp))
    assert copy.get_parameters()["A_plus"] == 0.5 and copy.has_parameter("w_max")


def test_point_neuron_current_based():
    pn = cells.PointNeuron(cells.LIF(), exc=cells.CurrExpPostSynapticResponse())
    assert pn.conductance_based is False
    assert pn.recordable == ["spikes", "v", "exc.isyn"]
    assert pn.units["exc.isyn"] == "nA"


def test_point_neuron_errors():
    with pytest.raises(ValueError, match="mix"):
        cells.PointNeuron(cells.LIF(), a=cells.CurrExpPostSynapticResponse(), b=cells.ExpPSR())
    with pytest.raises(TypeError):
        cells.PointNeuron(cells.IF_cond_exp(), a=cells.ExpPSR())
    with pytest.raises(TypeError):
        cells.PointNeuron(cells.LIF(), a=cells.LIF())
    with pytest.raises(errors.InvalidParameterValueError, match="AMPA"):
        _point_neuron().check_values({"AMPA.tau_syn": -1.0}, "pop")
    with pytest.raises(errors.InvalidParameterValueError):
        _point_neuron().check_values({"cm": -1.0, "GABA": {"tau_syn": 2.0}}, "pop")
    _point_neuron().check_values({"cm": 1.0, "GABA": {"tau_syn": 2.0}, "AMPA.e_syn": 0.0}, "pop")


# --- STDP --------------------------------------------------------------------------------------------

def test_stdp_mechanism_parameters():
    stdp = synapses.STDPMechanism(
        timing_dependence=synapses.SpikePairRule(tau_plus=15.0, A_minus=0.02),
        weight_dependence=synapses.GutigWeightDependence(w_max=0.5),
        weight=0.1, delay=1.0)
    assert stdp.plastic
    assert set(stdp.get_parameter_names()) == {
        "weight", "delay", "dendritic_delay_fraction", "tau_plus", "tau_minus", "A_plus",
        "A_minus", "w_min", "w_max", "mu_plus", "mu_minus"}
    values = stdp.get_parameters()
    assert values["tau_plus"] == 15.0 and values["A_minus"] == 0.02
    assert values["w_max"] == 0.5 and values["weight"] == 0.1
    assert values["dendritic_delay_fraction"] == 1.0
    assert stdp.has_parameter("mu_plus")
    assert set(stdp.units) >= set(stdp.get_parameter_names())
    with pytest.raises(errors.InvalidParameterValueError):
        stdp.check_values({"A_plus": -0.1}, "prj")
    with pytest.raises(errors.InvalidParameterValueError):
        stdp.check_values({"dendritic_delay_fraction": 2.0}, "prj")
    stdp.check_values({"A_plus": 0.1, "w_max": 1.0, "dendritic_delay_fraction": 0.5}, "prj")
    assert type(stdp).has_parameter("A_minus") and type(stdp).__name__ == "STDPMechanism"
    with pytest.raises(errors.InvalidParameterValueError):
        type(stdp).check_values({"mu_plus": -1.0}, "prj")


def test_stdp_mechanism_errors():
    with pytest.raises(TypeError):
        synapses.STDPMechanism(timing_dependence=synapses.AdditiveWeightDependence())
    stdp = synapses.STDPMechanism(timing_dependence=synapses.SpikePairRule())
    with pytest.raises(errors.NonExistentParameterError):
        stdp.parameter_space.update(w_max=2.0)


# --- NEST translation tables ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def nest():
    return pytest.importorskip("nest")


@pytest.fixture(scope="module")
def nest_tables():
    pytest.importorskip("nest")
    from pyNN.nest.standardmodels import cells as ncells
    from pyNN.nest.standardmodels import electrodes as nelectrodes
    from pyNN.nest.standardmodels import synapses as nsynapses
    return ncells, nsynapses, nelectrodes


def _round_trip(obj):
    std = obj.get_parameters()
    native = obj.translate(std)
    back = obj.reverse_translate(native)
    assert set(back) == set(obj.translations)
    for name, value in back.items():
        assert _same(value, std[name]), (type(obj).__name__, name, value, std[name])
    return native


def _model_names(nest_cls):
    """The NEST models of a cell type: the on-grid one and, if different, the off-grid one;
    for a random source drawn by the library, the generators whose statistics it has."""
    if getattr(nest_cls, "random_kind", None):
        return sorted(nest_cls.generator_models)
    return sorted({nest_cls.native_name, nest_cls.off_grid_name or nest_cls.native_name})


def test_nest_tables_cover_every_standard_type(nest_tables):
    ncells, nsynapses, nelectrodes = nest_tables
    for cls in CELL_TYPES:
        assert issubclass(getattr(ncells, cls.__name__), cls)
    for cls in SYNAPSE_TYPES + STDP_COMPONENTS + [synapses.STDPMechanism]:
        assert issubclass(getattr(nsynapses, cls.__name__), cls)
    for cls in ELECTRODES:
        assert issubclass(getattr(nelectrodes, cls.__name__), cls)


def test_nest_cell_tables(nest, nest_tables):
    ncells = nest_tables[0]
    for cls in CELL_TYPES:
        nest_cls = getattr(ncells, cls.__name__)
        if nest_cls.native_name is None:
            assert nest_cls.missing_reason
            continue
        native = _round_trip(nest_cls())
        for model in _model_names(nest_cls):
            defaults = nest.GetDefaults(model)
            unknown = (set(native) | set(nest_cls.extra_parameters)) - set(defaults)
            assert not unknown, (cls.__name__, model, unknown)
            recordables = set(defaults.get("recordables", ()))
            for std_var, native_var in nest_cls.variable_map.items():
                assert std_var in cls.recordable or std_var in cls.default_initial_values
                if std_var in cls.recordable:
                    assert native_var in recordables, (cls.__name__, model, native_var)
            for var in cls.recordable:
                assert var == "spikes" or var in nest_cls.variable_map, (cls.__name__, var)
            _create_with_initial_values(nest, model, nest_cls)
        assert nest_cls.uses_parrot == cls.__name__.startswith("SpikeSource")
        expected_scale = 1.0 if cls.voltage_based_synapses else 1000.0
        assert nest_cls.weight_scale == expected_scale


def _plain(values):
    return {k: (v.value.tolist() if isinstance(v, ArrayParameter) else v) for k, v in values.items()}


def _create_with_initial_values(nest, model, nest_cls):
    """NEST accepts the translated defaults, and every initial value not declared fixed."""
    nest.ResetKernel()
    node = nest.Create(model, params=_plain(dict(nest_cls.extra_parameters, **nest_cls().native_parameters)))
    initial = {nest_cls.variable_map[name]: value
               for name, value in nest_cls.default_initial_values.items()
               if name not in nest_cls.fixed_initial_values}
    assert len(initial) + len(nest_cls.fixed_initial_values) == len(nest_cls.default_initial_values)
    node.set(initial)


def test_nest_cell_translation_values(nest_tables):
    ncells = nest_tables[0]
    native = ncells.IF_cond_exp(cm=0.25, tau_m=10.0, i_offset=0.1).native_parameters
    assert native["C_m"] == pytest.approx(250.0)
    assert native["g_L"] == pytest.approx(25.0)
    assert native["I_e"] == pytest.approx(100.0)
    gamma = ncells.SpikeSourceGamma(alpha=4, beta=20.0).native_parameters
    assert gamma["rate"] == pytest.approx(5.0) and gamma["gamma_shape"] == 4
    poisson = ncells.SpikeSourcePoisson(start=10.0, duration=50.0).native_parameters
    assert poisson["stop"] == pytest.approx(60.0)
    gif = ncells.GIF_cond_exp().native_parameters
    assert list(gif["q_stc"]) == [1000.0, 1000.0, 1000.0]
    assert ncells.GIF_cond_exp.variable_offsets == {}  # NEST 3.10 E_sfa already includes V_T_star


def test_nest_unavailable_models(nest, nest_tables):
    ncells, nsynapses, _ = nest_tables
    assert ncells.SpikeSourceInhGamma.native_name is None
    assert "inh_gamma_generator" not in nest.node_models
    # StochasticTsodyksMarkramSynapse runs on quantal_stp_synapse (one site): PyNN 0.13's
    # stochastic_stp_synapse is not part of NEST 3.10
    assert "stochastic_stp_synapse" not in nest.synapse_models
    assert nsynapses.StochasticTsodyksMarkramSynapse.native_name == "quantal_stp_synapse"
    assert nsynapses.StochasticTsodyksMarkramSynapse.extra_parameters == {"n": 1}
    assert nsynapses.ElectricalSynapse.native_name is None


def test_nest_synapse_tables(nest, nest_tables):
    nsynapses = nest_tables[1]
    for cls in SYNAPSE_TYPES:
        nest_cls = getattr(nsynapses, cls.__name__)
        if nest_cls.native_name is None:
            assert nest_cls.missing_reason
            continue
        native = _round_trip(nest_cls())
        defaults = nest.GetDefaults(nest_cls.native_name)
        names = set(native) | set(nest_cls.variable_map.values()) | set(nest_cls.native_state_from)
        assert not names - set(defaults), cls.__name__
        nest.ResetKernel()
        pre, post = nest.Create("parrot_neuron"), nest.Create("iaf_psc_alpha")
        syn_spec = {k: v for k, v in native.items() if v is not None}
        syn_spec.update({"synapse_model": nest_cls.native_name, "weight": 1.0, "delay": 1.0})
        nest.Connect(pre, post, syn_spec=syn_spec)


@pytest.mark.parametrize("wd_name", ["AdditiveWeightDependence", "MultiplicativeWeightDependence",
                                     "AdditivePotentiationMultiplicativeDepression",
                                     "GutigWeightDependence"])
def test_nest_stdp(nest, nest_tables, wd_name):
    nsynapses = nest_tables[1]
    stdp = nsynapses.STDPMechanism(
        timing_dependence=nsynapses.SpikePairRule(A_plus=0.01, A_minus=0.012, tau_minus=25.0),
        weight_dependence=getattr(nsynapses, wd_name)(w_max=0.05),
        weight=0.01)
    assert stdp.native_name == "stdp_synapse" and type(stdp).native_name == "stdp_synapse"
    assert type(stdp).translate({"A_plus": 0.01, "A_minus": 0.012})["alpha"] == pytest.approx(1.2)
    native = _round_trip(stdp)
    assert native["Wmax"] == pytest.approx(0.05)  # in weight units: the projection scales it like the weights
    assert native["alpha"] == pytest.approx(1.2)
    assert native["lambda"] == pytest.approx(0.01)
    defaults = nest.GetDefaults("stdp_synapse")
    assert not (set(native) | set(stdp.extra_parameters)) - set(defaults)
    assert {"mu_plus", "mu_minus"} <= set(stdp.extra_parameters) | set(native)
    assert stdp.postsynaptic_translations["tau_minus"]["translated_name"] == "tau_minus"
    assert "tau_minus" in nest.GetDefaults("iaf_psc_alpha")
    with pytest.raises(errors.InvalidParameterValueError):
        stdp.check_values({"dendritic_delay_fraction": 0.5}, "prj")
    with pytest.raises(errors.InvalidParameterValueError):
        stdp.check_values({"w_min": 0.01}, "prj")


def test_nest_stdp_vogels_and_unavailable(nest, nest_tables):
    nsynapses = nest_tables[1]
    stdp = nsynapses.STDPMechanism(timing_dependence=nsynapses.Vogels2011Rule(tau=15.0, eta=0.5, rho=4.0),
                                   weight_dependence=nsynapses.AdditiveWeightDependence())
    assert stdp.native_name == "vogels_sprekeler_synapse"
    native = type(stdp).translate({"tau": 15.0, "eta": 0.5, "rho": 4.0})
    assert native["alpha"] == pytest.approx(2 * 4.0 * 15.0 / 1000.0)
    assert not set(native) - set(nest.GetDefaults("vogels_sprekeler_synapse"))
    assert not set(stdp.extra_parameters) - set(nest.GetDefaults("vogels_sprekeler_synapse"))
    assert stdp.postsynaptic_translations["tau"]["translated_name"] == "tau_minus"
    soft = nsynapses.STDPMechanism(timing_dependence=nsynapses.Vogels2011Rule(),
                                   weight_dependence=nsynapses.MultiplicativeWeightDependence())
    assert soft.native_name is None and "additive only" in soft.missing_reason


def test_nest_stdp_depression_only_translation(nest_tables):
    """A_plus = 0: lambda carries A_minus, alpha = 1, and the pre trace vanishes at once."""
    nsynapses = nest_tables[1]
    stdp = nsynapses.STDPMechanism(timing_dependence=nsynapses.SpikePairRule(A_plus=0.0, A_minus=0.3),
                                   weight_dependence=nsynapses.AdditiveWeightDependence())
    native = type(stdp).translate({"A_plus": 0.0, "A_minus": 0.3, "tau_plus": 20.0})
    assert native["lambda"] == 0.3 and native["alpha"] == 1.0 and native["tau_plus"] < 1e-200


def test_nest_electrode_tables(nest, nest_tables):
    nelectrodes = nest_tables[2]
    for cls in ELECTRODES:
        nest_cls = getattr(nelectrodes, cls.__name__)
        obj = nest_cls(**({"times": Sequence([1.0, 2.0]), "amplitudes": Sequence([0.5, -0.5])}
                          if cls is electrodes.StepCurrentSource else {}))
        native = _round_trip(obj)
        defaults = nest.GetDefaults(nest_cls.native_name)
        assert not set(native) - set(defaults), cls.__name__
        assert nest_cls.variable_map["i"] in defaults["recordables"]
    step = nelectrodes.StepCurrentSource(times=Sequence([1.0, 2.0]), amplitudes=Sequence([0.5, -0.5]))
    assert list(step.native_parameters["amplitude_values"]) == [500.0, -500.0]


@pytest.mark.parametrize("neuron, psrs, model", [
    (cells.LIF, [cells.CurrExpPostSynapticResponse], "iaf_psc_exp_multisynapse"),
    (cells.AdExp, [cells.AlphaPSR], "aeif_cond_alpha_multisynapse"),
    (cells.AdExp, [cells.BetaPSR], "aeif_cond_beta_multisynapse"),
    (cells.LIF, [cells.AlphaPSR], "aeif_cond_alpha_multisynapse"),
    (cells.LIF, [cells.AlphaPSR, cells.BetaPSR], "aeif_cond_beta_multisynapse"),
])
def test_nest_point_neuron(nest, nest_tables, neuron, psrs, model):
    ncells = nest_tables[0]
    receptors = {name: psr() for name, psr in zip(["syn_b", "syn_a"], psrs)}
    pn = cells.PointNeuron(neuron(), **receptors)
    info = ncells.point_neuron_nest_model(pn)
    name, native, variable_map = info
    assert name == model
    assert info.receptor_ports == {n: k + 1 for k, n in enumerate(receptors)}
    defaults = nest.GetDefaults(model)
    assert not (set(native) - set(defaults))
    back = info.reverse_translate(native)
    for key in pn.get_parameter_names():
        receptor, sub = pn.split_name(key)
        expected = (pn.get_parameters()[key] if receptor is None
                    else pn.get_parameters()[receptor][sub])
        assert back[key] == pytest.approx(expected), key
    nest.ResetKernel()
    node = nest.Create(model, params={k: v for k, v in native.items()})
    recordables = set(node.get("recordables"))
    assert set(variable_map.values()) <= recordables


def test_nest_point_neuron_heterogeneous(nest_tables):
    ncells = nest_tables[0]
    pn = cells.PointNeuron(cells.AdExp(), AMPA=cells.AlphaPSR(), GABA=cells.AlphaPSR(e_syn=-70.0))
    info = ncells.point_neuron_nest_model(pn)
    native = info.translate({"AMPA.tau_syn": np.array([1.0, 2.0]), "GABA": {"tau_syn": 5.0}})
    assert native["tau_syn"].shape == (2, 2)
    assert list(native["tau_syn"][:, 1]) == [5.0, 5.0]
    assert "E_rev" not in native  # not every receptor's e_syn was given
    back = info.reverse_translate(native)
    assert list(back["AMPA.tau_syn"]) == [1.0, 2.0]


def test_nest_point_neuron_unavailable(nest_tables):
    ncells = nest_tables[0]
    for pn in (cells.PointNeuron(cells.LIF(), AMPA=cells.ExpPSR()),
               cells.PointNeuron(cells.AdExp(), AMPA=cells.CurrExpPostSynapticResponse())):
        with pytest.raises(errors.NoModelAvailableError, match="Supported combinations"):
            ncells.point_neuron_nest_model(pn)


def test_parameters_whose_default_is_zero_may_be_negative_unless_they_are_time_constants():
    """Only time constants are held to >= 0: a reversal potential or a current whose default
    is 0 takes negative values (a time constant whose default is 0 may be 0)."""
    def checked(cls):
        return {name for name, check, _ in cls._all_checks() if not check(-1.0)}
    assert "e_syn" not in checked(cells.CondAlphaPostSynapticResponse)
    assert "i_offset" not in checked(cells.IF_curr_exp)
    assert "tau_refrac" in checked(cells.IF_curr_exp)
    assert "tau_facil" in checked(synapses.TsodyksMarkramSynapse)
