"""The NESTML front end: model text -> intermediate form (needs nestml and odetoolbox only).

The paper's models are in ``test/nestml_models`` (today's NESTML syntax); the library models
come with the nestml package. The intermediate forms are cached in the user's NESTML cache,
so only a first run pays for odetoolbox.
"""

import math
import os
import sys

import pytest
import sympy

from pyNN import errors

pytest.importorskip("pynestml", reason="the nestml package is part of requirements.txt")

from pyNN.nestml import cache, frontend, ir, units
from pyNN.nestml.expressions import parse_odetoolbox
from pyNN.nestml.types import cell_type_class, is_conductance_based, synapse_type_class

HERE = os.path.dirname(os.path.abspath(__file__))
PAPER = os.path.join(os.path.dirname(HERE), "nestml_models")
LIBRARY = os.path.join(sys.prefix, "models")


def load(path, **kw):
    return frontend.load_models([frontend.read_source(path)], **kw)


@pytest.fixture(scope="module")
def iaf_psc_exp():
    return load(os.path.join(LIBRARY, "neurons", "iaf_psc_exp_neuron.nestml"))["iaf_psc_exp_neuron"]


def S(name):
    return sympy.Symbol(name)


# --- units -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("unit, model, pynn, factor", [
    ("pA", "pA", "nA", 1e-3), ("nA", "pA", "nA", 1e-3), ("pF", "pF", "nF", 1e-3), ("nS", "nS", "uS", 1e-3),
    ("mV", "mV", "mV", 1.0), ("s", "ms", "ms", 1.0), ("1/s", "1/ms", "Hz", 1e3), ("Hz", "Hz", "Hz", 1.0),
    ("GOhm", "GOhm", "MOhm", 1e3), ("pA/ms", "pA/ms", "nA/ms", 1e-3),
])
def test_unit_conversion(unit, model, pynn, factor):
    from astropy import units as u
    assert units.describe_unit(u.Unit(unit)) == (model, pynn, pytest.approx(factor))


def test_model_units_are_nestmls_own():
    from astropy import units as u
    from pynestml.codegeneration.nest_unit_converter import NESTUnitConverter
    for unit in (u.nA, u.uS, u.nF, u.s, u.s ** -1, u.Hz, u.Mohm, u.nA * u.s, u.mV / u.ms):
        assert units.model_factor(unit) == pytest.approx(NESTUnitConverter.get_factor(unit))


# --- the intermediate form ---------------------------------------------------------------------------


def test_iaf_psc_exp_parameters_and_state(iaf_psc_exp):
    m = iaf_psc_exp
    assert m.kind == "neuron" and m.output == "spike"
    assert list(m.parameters)[:3] == ["C_m", "tau_m", "tau_syn_inh"]
    c_m = m.parameters["C_m"]
    assert (c_m.unit, c_m.pynn_unit, c_m.to_pynn, c_m.value) == ("pF", "nF", 1e-3, 250)
    assert m.state["V_m"].value == S("E_L")  # initial value refers to a parameter
    assert m.internals["unit_psc"].unit == "pA"
    assert [p.name for p in m.input_ports.values()] == ["exc_spikes", "inh_spikes", "I_stim"]
    assert m.input_ports["exc_spikes"].qualifiers == ("excitatory",)
    assert m.input_ports["I_stim"].kind == "continuous" and m.input_ports["I_stim"].unit == "pA"


def test_iaf_psc_exp_exact_propagators(iaf_psc_exp):
    (solver,) = iaf_psc_exp.solvers
    assert solver.kind == "analytic"
    assert set(solver.state_variables) == {"V_m", "I_syn_exc", "I_syn_inh", "refr_t"}
    assert sympy.simplify(solver.propagators["__P__V_m__V_m"] - sympy.exp(-ir.TIMESTEP / S("tau_m"))) == 0
    # the update of V_m over one step, with the synaptic currents switched off, is the exact solution
    values = {S("E_L"): -70, S("tau_m"): 10, S("C_m"): 250, S("I_e"): 100, S("I_stim"): 0, S("V_m"): -70,
              S("I_syn_exc"): 0, S("I_syn_inh"): 0, ir.TIMESTEP: 0.1}
    values[S("__P__V_m__V_m")] = solver.propagators["__P__V_m__V_m"].subs(values)
    v1 = float(solver.update_expressions["V_m"].subs(values).subs(values))
    assert v1 == pytest.approx(-70 + 100 * 10 / 250 * (1 - float(sympy.exp(-0.01))), rel=1e-12)


def test_iaf_psc_exp_blocks(iaf_psc_exp):
    m = iaf_psc_exp
    (branch,) = m.update
    assert isinstance(branch, ir.If)
    (cond, body), = branch.branches
    assert cond == sympy.Gt(S("refr_t"), 0, evaluate=False)
    assert body == [ir.IntegrateODEs(("I_syn_exc", "I_syn_inh", "refr_t"))]
    handler = next(h for h in m.on_receive if h.port == "exc_spikes")
    # "unit_psc * exc_spikes * 1 s": the port symbol is the summed weight, NESTML's 1/s is gone
    assert handler.body == [ir.Assign("I_syn_exc", "+=", S("unit_psc") * S("exc_spikes"))]
    (on_cond,) = m.on_condition
    assert on_cond.body[-1] == ir.EmitSpike(())
    assert ir.Assign("V_m", "=", S("V_reset")) in on_cond.body
    assert on_cond.condition.free_symbols == {S("refr_t"), S("V_m"), S("V_th")}


def test_paper_iaf_psc_exp_convolution_kernel():
    m = load(os.path.join(PAPER, "iaf_psc_exp_paper_neuron.nestml"))["iaf_psc_exp_paper_neuron"]
    (kernel,) = m.kernels
    assert (kernel.name, kernel.port) == ("G", "spikes")
    assert kernel.state_variables == ["G__X__spikes"]
    assert kernel.jumps == {"G__X__spikes": 1}
    assert kernel.expression == sympy.exp(-S("t") / S("tau_syn"))
    assert [s.kind for s in m.solvers] == ["analytic"]
    assert "G__X__spikes" in m.solvers[0].state_variables
    assert m.parameters["V_threshold"].value == 15


def test_paper_hodgkin_huxley_numeric_solver_and_kernel():
    m = load(os.path.join(PAPER, "hodgkin_huxley_paper_neuron.nestml"))["hodgkin_huxley_paper_neuron"]
    kinds = {s.kind for s in m.solvers}
    assert "numeric" in kinds
    numeric = next(s for s in m.solvers if s.kind == "numeric")
    assert {"V_m", "Act_m", "Act_n", "Inact_h"} <= set(numeric.state_variables)
    assert m.kernels[0].port == "spikes"
    assert set(m.inline_expressions) >= {"I_Na", "I_K", "I_L", "alpha_n"}
    # "V_m / 1 mV" is V_m/1 in model units; the right-hand side of dV/dt is in mV/ms
    rhs = numeric.update_expressions["V_m"]
    assert {"g_Na", "C_m", "syn_psc_kernel__X__spikes"} <= {str(s) for s in rhs.free_symbols}
    assert m.parameters["g_Na"].to_pynn == pytest.approx(1e-3)
    assert m.update[0] == ir.Assign("V_m_old", "=", S("V_m"))


def test_paper_stdp_synapse():
    m = load(os.path.join(PAPER, "stdp_paper_synapse.nestml"))["stdp_paper_synapse"]
    assert m.kind == "synapse"
    assert (m.pre_port, m.post_ports, m.weight_variable) == ("pre_spikes", ("post_spikes",), "w")
    pre = next(h for h in m.on_receive if h.port == "pre_spikes")
    assert pre.body == [ir.Assign("w", "-=", S("alpha") * S("tr_post")), ir.Assign("tr_pre", "+=", 1),
                        ir.EmitSpike((S("w"),))]
    assert m.solvers[0].kind == "analytic"
    cls = synapse_type_class(m)
    assert cls.default_parameters["weight"] == pytest.approx(1e-3)  # w = 1 NESTML weight
    assert cls().plastic


def test_paper_third_factor_synapse():
    m = load(os.path.join(PAPER, "stdp_third_factor_synapse.nestml"))["stdp_third_factor_synapse"]
    assert m.input_ports["I_post_dend"].kind == "continuous"
    post = next(h for h in m.on_receive if h.port == "post_spikes")
    gate = next(s for s in post.body if isinstance(s, ir.Declare) and s.name == "I_gate")
    assert gate.unit == "pA"
    assert gate.value == sympy.Min(S("I_post_dend"), 1)  # "1 pA" is 1 in model units
    assert ir.Assign("w", "=", sympy.Min(sympy.Float(1.0), S("new_w"))) in post.body


def test_library_neuromodulated_stdp_synapse():
    path = os.path.join(LIBRARY, "synapses", "neuromodulated_stdp_synapse.nestml")
    m = load(path)["neuromodulated_stdp_synapse"]
    assert set(m.spike_ports()) == {"pre_spikes", "post_spikes", "mod_spikes"}
    mod = next(h for h in m.on_receive if h.port == "mod_spikes")
    assert mod.body == [ir.Assign("n", "+=", 1 / S("tau_n"))] or mod.body[0].target == "n"
    # the update block uses timestep() and expm1, the ODEs only for the traces
    first = m.update[0]
    assert first.target == "w" and first.op == "-="
    assert ir.TIMESTEP in first.value.free_symbols and first.value.has(ir.expm1)
    assert m.update[-1] == ir.IntegrateODEs(("pre_tr", "post_tr"))
    assert m.internals["tau_s"].unit == "1/ms"


def test_cell_type_from_ir(iaf_psc_exp):
    cls = cell_type_class(iaf_psc_exp)
    assert cls.default_parameters["I_e"] == 0.0 and cls.units["I_e"] == "nA"
    assert cls.receptor_types == ("excitatory", "inhibitory")
    assert not cls.conductance_based and cls.injectable
    assert "I_syn_exc" in cls.recordable
    with pytest.raises(errors.InvalidModelError):
        synapse_type_class(iaf_psc_exp)


@pytest.mark.parametrize("name, numeric_only, linear", [
    ("iaf_cond_exp_neuron", ["V_m"], True),  # the conductances have exact propagators
    ("aeif_cond_exp_neuron", ["V_m", "w"], False),  # exp((V_m - V_T)/Delta_T)
    ("iaf_psc_exp_neuron", [], True),  # no numeric solver
])
def test_numeric_only_variables_and_linearity(name, numeric_only, linear):
    m = load(os.path.join(LIBRARY, "neurons", name + ".nestml"))[name]
    assert m.numeric_only_variables() == numeric_only
    assert m.numeric_odes_are_linear() is linear


def test_conductance_based_detected():
    m = load(os.path.join(LIBRARY, "neurons", "iaf_cond_exp_neuron.nestml"))["iaf_cond_exp_neuron"]
    assert is_conductance_based(m)


def test_intermediate_form_is_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("PYNN_NESTML_CACHE", str(tmp_path))
    text = open(os.path.join(PAPER, "stdp_paper_synapse.nestml")).read()
    first = frontend.load_models([(frontend.TEXT_PATH, text)])

    def fail(*args):
        raise AssertionError("the cached intermediate form should have been used")
    monkeypatch.setattr(frontend, "_analyse", fail)
    again = frontend.load_models([(frontend.TEXT_PATH, text)])
    assert again["stdp_paper_synapse"].on_receive == first["stdp_paper_synapse"].on_receive
    assert len(os.listdir(tmp_path / "ir")) == 1
    with pytest.raises(AssertionError, match="cached"):
        frontend.load_models([(frontend.TEXT_PATH, text.replace("0.02", "0.03"))])


def test_cache_key_depends_on_text_and_tools():
    assert cache.make_key("a") == cache.make_key("a") != cache.make_key("b")
    assert set(cache.tool_versions()) == {"ir", "nestml", "odetoolbox", "sympy"}


# --- sources and errors ------------------------------------------------------------------------------

GOOD = """
model err_neuron:
    state:
        V_m mV = -70 mV
    equations:
        V_m' = -V_m / tau_m
    parameters:
        tau_m ms = 10 ms
    update:
        integrate_odes()
"""


def test_read_source_path_or_text(tmp_path):
    path = tmp_path / "m.nestml"
    path.write_text(GOOD)
    assert frontend.read_source(str(path)) == (str(path), GOOD)
    assert frontend.read_source(GOOD) == (frontend.TEXT_PATH, GOOD)
    with pytest.raises(errors.ModelDescriptionError, match="does not exist"):
        frontend.read_source(str(tmp_path / "missing.nestml"))
    with pytest.raises(errors.InvalidTypeError):
        frontend.read_source(42)
    assert frontend.model_names(GOOD) == ["err_neuron"]


@pytest.mark.parametrize("change, line, message", [
    (("tau_m ms = 10 ms", "tau_m ms = = 10 ms"), 8, ""),                       # syntax error
    (("V_m mV = -70 mV", "V_m mV = -70 ms"), 4, "ms"),                          # unit error
    (("V_m' = -V_m / tau_m", "V_m' = -V_m / tau_x"), 6, "tau_x"),               # unknown variable
])
def test_model_errors_name_file_and_line(tmp_path, monkeypatch, change, line, message):
    monkeypatch.setenv("PYNN_NESTML_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "err_neuron.nestml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(errors.ModelDescriptionError) as info:
        load(str(path))
    text = str(info.value)
    assert f"err_neuron.nestml, line {line}" in text
    assert message in text
    assert info.value.problems[0][1] == line


def test_odetoolbox_expressions_with_keyword_names():
    expr = parse_odetoolbox("lambda*exp(-__h/tau) + e", {"lambda", "tau", "__h"})
    assert expr == S("lambda") * sympy.exp(-S("__h") / S("tau")) + sympy.E


def test_user_functions_that_are_expressions_are_inlined():
    """A function of local declarations and one return is substituted at every call (also
    inside another function and in solver expressions); one with control flow stays."""
    from pyNN.nestml.user_functions import inline_functions
    v, x, y = sympy.symbols("V_m x y")
    alpha, beta, branchy = sympy.Function("alpha"), sympy.Function("beta"), sympy.Function("branchy")
    model = ir.Model(name="m", kind="neuron", source=ir.SourceInfo("<text>", "", ""))
    model.functions = {
        "alpha": ir.Function("alpha", [("x", "mV")], None,
                             [ir.Declare("y", "mV", "real", x + 35), ir.Return(y / (1 - sympy.exp(-y)))]),
        "beta": ir.Function("beta", [("x", "mV")], None, [ir.Return(2 * alpha(x))]),
        "branchy": ir.Function("branchy", [("x", "mV")], None,
                               [ir.If([(x > 0, [ir.Return(x)])]), ir.Return(-x)]),
    }
    model.odes = [ir.ODE("V_m", 1, beta(v) + branchy(v))]
    model.solvers = [ir.Solver("numeric", ["V_m"], {"V_m": alpha(v)})]
    model.state = {"V_m": ir.Variable("V_m", "state", "mV", "mV", 1.0, alpha(sympy.Integer(-65)))}
    assert sorted(inline_functions(model)) == ["alpha", "beta"]
    expected = 2 * (v + 35) / (1 - sympy.exp(-(v + 35)))
    assert sympy.simplify(model.odes[0].rhs - expected - branchy(v)) == 0
    assert sympy.simplify(model.solvers[0].update_expressions["V_m"] - expected / 2) == 0
    assert float(model.state["V_m"].value) == pytest.approx(-30 / (1 - math.exp(30)))
    assert list(model.functions) == ["branchy"]
