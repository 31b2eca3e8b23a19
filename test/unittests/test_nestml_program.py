"""The step program (pyNN.nestml.program) and its printers, run with numpy: no simulator."""

import math
import os
import sys

import numpy as np
import pytest
import sympy

from pyNN import errors

pytest.importorskip("pynestml", reason="the nestml package is part of requirements.txt")

from pyNN.nestml import frontend, printers, program

NONLINEAR = """
model nonlinear_neuron:
    state:
        x real = 1
        fired real = 0
    equations:
        x' = -x**2 / tau
    parameters:
        tau ms = 10 ms
        x_low real = 0.5
    input:
        spikes <- spike
    output:
        spike
    update:
        integrate_odes()
    onReceive(spikes):
        x += spikes * 1 s
    onCondition(x <= x_low):
        fired += 1
        x = 1
        emit_spike()
"""


def _run(model, steps, h, params=None, ports=None, i_stim=0.0, state=None, substeps=1, lean=False):
    """Run a model's step program `steps` times on one cell with numpy (`lean`: with its single-use
    temporaries inlined); returns the state history (dict of lists) and the steps at which the
    cell fired."""
    prog = program.step_program(model, "test", substeps)
    if lean:
        prog = program.inline_temporaries(prog)
    names = {"__h": "h", **{p: "i_stim" for p in prog.continuous_ports}}
    code = printers.numpy_code(prog, names)
    from pyNN.nestml.types import evaluate_defaults
    values = {k: np.array([v], dtype=float) for k, v in evaluate_defaults(model, model.parameters).items()}
    values.update({k: np.array([float(v)]) for k, v in (params or {}).items()})
    s = {k: np.array([float(v)]) for k, v in evaluate_defaults(model, model.state).items()}
    s.update({k: np.zeros(1) for k in prog.kernel_state})
    s.update({k: np.array([float(v)]) for k, v in (state or {}).items()})
    history, fired = {k: [] for k in s}, []
    for k in range(steps):
        env = {"np": np, "h": h, "i_stim": i_stim, **values, **s, program.SPIKE_FLAG: np.zeros(1)}
        for port in prog.spike_ports:
            env[port] = np.array([float((ports or {}).get((port, k), 0.0))])
        exec(code, env)
        s = {name: np.broadcast_to(env[name], (1,)).astype(float) for name in s}
        for name in s:
            history[name].append(float(s[name][0]))
        if env[program.SPIKE_FLAG][0] > 0:
            fired.append(k)
    return history, fired


@pytest.fixture(scope="module")
def iaf_psc_exp():
    path = os.path.join(sys.prefix, "models", "neurons", "iaf_psc_exp_neuron.nestml")
    return frontend.load_neuron("iaf_psc_exp_neuron", path)


@pytest.fixture(scope="module")
def nonlinear():
    return frontend.load_neuron("nonlinear_neuron", NONLINEAR)


def test_exact_propagators_relax_the_membrane(iaf_psc_exp):
    history, fired = _run(iaf_psc_exp, 100, 0.1, state={"V_m": -60.0})
    assert fired == []
    expected = -70.0 + 10.0 * np.exp(-0.1 * np.arange(1, 101) / 10.0)
    np.testing.assert_allclose(history["V_m"], expected, atol=1e-10)


def test_spike_reset_and_refractory_period(iaf_psc_exp):
    # 1 nA for 250 pF: the cell fires, is reset to V_reset and stays there for refr_T = 2 ms
    history, fired = _run(iaf_psc_exp, 200, 0.1, i_stim=1000.0)
    assert len(fired) >= 2
    first = fired[0]
    # the onCondition block ran completely although its first statement made its condition false
    assert history["V_m"][first] == -70.0 and history["refr_t"][first] == 2.0
    held = history["V_m"][first:first + 20]
    assert held == [-70.0] * 20 and history["V_m"][first + 21] > -70.0


def test_spike_input_goes_through_onReceive(iaf_psc_exp):
    history, _ = _run(iaf_psc_exp, 20, 0.1, ports={("exc_spikes", 4): 300.0, ("inh_spikes", 4): 100.0})
    # 300 and 100 pA arrive at the end of step 4, then decay with tau_syn = 2 ms
    assert history["I_syn_exc"][3] == 0.0 and history["I_syn_exc"][4] == 300.0
    assert history["I_syn_inh"][4] == 100.0
    assert history["I_syn_exc"][14] == pytest.approx(300.0 * np.exp(-1.0 / 2.0))


def test_numeric_solver_is_fourth_order_runge_kutta(nonlinear):
    assert [s.kind for s in nonlinear.solvers] == ["numeric"]
    history, fired = _run(nonlinear, 50, 0.1, params={"x_low": -1.0})
    assert fired == []
    exact = 1.0 / (1.0 + 0.1 * np.arange(1, 51) / 10.0)  # x' = -x^2/tau, x(0) = 1
    np.testing.assert_allclose(history["x"], exact, atol=1e-10)


def test_rk4_substeps(nonlinear):
    exact = 1.0 / (1.0 + 2.0 * np.arange(1, 6) / 10.0)  # steps of 2 ms: coarse for one RK4 step
    one, _ = _run(nonlinear, 5, 2.0, params={"x_low": -1.0})
    ten, _ = _run(nonlinear, 5, 2.0, params={"x_low": -1.0}, substeps=10)
    error_one = np.max(np.abs(np.array(one["x"]) - exact))
    error_ten = np.max(np.abs(np.array(ten["x"]) - exact))
    assert error_ten < error_one / 1000  # fourth order: 10 sub-steps, 1e4 times smaller
    with pytest.raises(errors.InvalidParameterValueError, match="substeps"):
        program.step_program(nonlinear, "test", substeps=0)


def test_condition_handler_and_spike_port(nonlinear):
    history, fired = _run(nonlinear, 120, 1.0, ports={("spikes", 30): 0.25})
    assert fired and history["fired"][-1] == len(fired)
    assert history["x"][30] > history["x"][29] + 0.2  # the port's weight is added


def test_unsupported_statements_name_the_backend():
    looping = NONLINEAR.replace("nonlinear_neuron", "looping_neuron").replace(
        "        integrate_odes()\n", "        integrate_odes()\n        while x > 2:\n            x -= 1\n")
    model = frontend.load_neuron("looping_neuron", looping)
    with pytest.raises(errors.NotSupportedError, match="looping_neuron.*loop.*Brian2"):
        program.step_program(model, "Brian2")


def test_identifiers_are_legal():
    assert printers.identifier("g_in$") == "g_in_x24_" and printers.identifier("g_in$").isidentifier()
    assert printers.identifier("__P__V_m__V_m") == "_P__V_m__V_m"


def test_printers():
    x, y, g, flag = sympy.symbols("x y _g1 flag")
    b2 = printers.Brian2Printer({"x": "x_b"}, boolean_temps={"_g1"})
    # Brian2's boolean and function syntax is Python's (clip aside): evaluate the printed code
    for xv, fv in ((1.0, False), (1.0, True), (-1.0, False)):
        env = {"x_b": xv, "flag": fv, "y": 0.5, "clip": np.clip, "inf": np.inf}
        assert eval(b2.doprint(sympy.And(sympy.Gt(x, 0), sympy.Not(flag))), env) == (xv > 0 and not fv)
        assert eval(b2.doprint(sympy.Or(sympy.Gt(x, 0), flag)), env) == (xv > 0 or fv)
        assert eval(b2.doprint(sympy.Min(x, y)), env) == min(xv, 0.5)
        assert eval(b2.doprint(sympy.Max(x, y)), env) == max(xv, 0.5)
    assert b2.doprint(sympy.And(g, sympy.Gt(x, 0))).count("(_g1 > 0)") == 1
    env = {"np": np, "x": np.array([-1.0, 2.0]), "y": np.array([3.0, 0.5])}
    cond = sympy.And(sympy.Gt(x, 0), sympy.Not(sympy.Gt(y, 1)))
    code = printers.NumpyPrinter({}).doprint(sympy.Piecewise((x, cond), (sympy.Max(x, y), True)))
    np.testing.assert_array_equal(eval(code, env), [3.0, 2.0])


def test_brian2_conditional_does_not_divide_by_zero_in_the_branch_not_taken():
    """``tau == 0 ? 0 : exp(-h/tau)`` (NESTML's tsodyks_synapse): Brian2's code evaluates both
    branches and Cython raises on a division by zero, as Python does here; the divisor of the
    branch not taken is 1 there, and the branch taken divides as written."""
    h, tau = sympy.symbols("h tau")
    value = sympy.Piecewise((0, sympy.Eq(tau, 0)), (sympy.exp(-h / tau), True))
    code = printers.Brian2Printer({}).doprint(value)
    env = {"exp": math.exp, "h": 3.0}
    assert eval(code, {**env, "tau": 0.0}) == 0.0
    assert eval(code, {**env, "tau": 2.0}) == pytest.approx(math.exp(-1.5), rel=1e-15)
    taken = printers.Brian2Printer({}).doprint(sympy.Piecewise((1 / tau, sympy.Gt(h, 0)), (0, True)))
    with pytest.raises(ZeroDivisionError):  # (only a branch's own guard changes its divisor)
        eval(taken, {**env, "tau": 0.0})


def _run_split(model, steps, h, ports=None, i_stim=0.0):
    """As _run, with the step split as the Brian2 back end runs a standard-pattern neuron: the
    update, then each port's weight added to the state, then the onCondition block's condition
    and its statements (program.direct_input_parts)."""
    from pyNN.nestml.types import evaluate_defaults
    prog = program.step_program(model, "test")
    update, increments, condition, reset = program.direct_input_parts(prog)
    names = {"__h": "h", **{p: "i_stim" for p in prog.continuous_ports}}
    update_code = printers.numpy_code(program.inline_temporaries(update), names)
    reset_code = printers.numpy_code(program.inline_temporaries(reset), names)
    condition_code = printers.NumpyPrinter(names).doprint(condition)
    values = {k: np.array([v], dtype=float) for k, v in evaluate_defaults(model, model.parameters).items()}
    s = {k: np.array([float(v)]) for k, v in evaluate_defaults(model, model.state).items()}
    s.update({k: np.zeros(1) for k in prog.kernel_state})
    history, fired = {k: [] for k in s}, []
    for k in range(steps):
        env = {"np": np, "h": h, "i_stim": i_stim, **values, **s}
        exec(update_code, env)
        for port, targets in increments.items():
            for var, c in targets:
                env[var] = env[var] + c * float((ports or {}).get((port, k), 0.0))
        if eval(condition_code, env)[0]:
            exec(reset_code, env)
            fired.append(k)
        s = {name: np.broadcast_to(env[name], (1,)).astype(float) for name in s}
        for name in s:
            history[name].append(float(s[name][0]))
    return history, fired


def test_inlined_temporaries_give_the_same_step(iaf_psc_exp, nonlinear):
    prog = program.step_program(iaf_psc_exp, "test")
    lean = program.inline_temporaries(prog)
    inlined = [s.name for s in lean.statements if isinstance(s, program.Temp) and s.inline]
    # the new values of integrate_odes are computed inside their (guarded) assignments
    assert inlined and all(name.startswith("_n_") for name in inlined)
    assert not any(s.inline for s in lean.statements if isinstance(s, program.Temp) and (s.boolean or s.constant))
    code = printers.numpy_code(lean, {"__h": "h"})
    assert not any(line.startswith(tuple(f"{n} =" for n in inlined)) for line in code.split("\n"))
    # the same results (V_m still computed from the currents' values before they decay)
    for model, kwargs in ((iaf_psc_exp, {"i_stim": 1000.0, "ports": {("exc_spikes", 4): 300.0}}),
                          (nonlinear, {"ports": {("spikes", 30): 0.25}})):
        whole, fired = _run(model, 200, 0.1, **kwargs)
        inlined, fired_inlined = _run(model, 200, 0.1, lean=True, **kwargs)
        assert fired_inlined == fired and inlined == whole


def test_standard_pattern_split_gives_the_same_step(iaf_psc_exp, nonlinear):
    _, increments, condition, _ = program.direct_input_parts(program.step_program(iaf_psc_exp, "test"))
    assert increments == {"exc_spikes": [("I_syn_exc", 1.0)], "inh_spikes": [("I_syn_inh", 1.0)]}
    assert {str(s) for s in condition.free_symbols} == {"V_m", "V_th", "refr_t"}
    ports = {("exc_spikes", 4): 300.0, ("inh_spikes", 9): 100.0, ("exc_spikes", 120): 2000.0}
    whole, fired = _run(iaf_psc_exp, 300, 0.1, ports=ports, i_stim=600.0)
    split, fired_split = _run_split(iaf_psc_exp, 300, 0.1, ports=ports, i_stim=600.0)
    assert fired and fired_split == fired
    for name in whole:
        np.testing.assert_allclose(split[name], whole[name], rtol=0, atol=1e-12)
    whole, fired = _run(nonlinear, 120, 1.0, ports={("spikes", 30): 0.25})
    split, fired_split = _run_split(nonlinear, 120, 1.0, ports={("spikes", 30): 0.25})
    assert fired and fired_split == fired and split["x"] == whole["x"] and split["fired"] == whole["fired"]


def test_step_that_does_not_split(nonlinear):
    doubling = NONLINEAR.replace("nonlinear_neuron", "doubling_neuron").replace(
        "x += spikes * 1 s", "x *= 2")  # not an increment by the port's weight
    model = frontend.load_neuron("doubling_neuron", doubling)
    assert program.direct_input_parts(program.step_program(model, "test")) is None
    in_update = NONLINEAR.replace("nonlinear_neuron", "update_spiking_neuron").replace(
        "        integrate_odes()\n", "        integrate_odes()\n        if x > 5:\n            emit_spike()\n")
    model = frontend.load_neuron("update_spiking_neuron", in_update)
    assert program.direct_input_parts(program.step_program(model, "test")) is None


def test_brian2_branches_compute_a_guarded_block_in_its_branch():
    # iaf_chxk_2008's spike block divides by V_m - V_m_prev, zero in cells that do not spike: with
    # branches (Brian2's Cython target) its locals and assignments are computed behind the guard
    path = os.path.join(sys.prefix, "models", "neurons", "iaf_chxk_2008_neuron.nestml")
    prog = program.step_program(frontend.load_neuron("iaf_chxk_2008_neuron", path), "test")
    code = printers.brian2_code(program.inline_temporaries(prog), {"__h": "h"}, branches=True)
    sigma = next(line for line in code.split("\n") if line.startswith("_l_sigma"))
    value = sigma.split(" = ", 1)[1]
    assert value.startswith("int(_g") and ")*(" in value and "/(V_m - V_m_prev)" in value
    x = sympy.Symbol("x")
    # a guarded assignment: value where the guard holds, the old value elsewhere (as Brian2 expands it)
    guarded = printers.brian2_code(program.StepProgram(model=None, statements=[
        program.Temp("_g1", sympy.Gt(x, 0), boolean=True), program.Set("x", 1 / x, "_g1")]), {}, branches=True)
    line = guarded.split("\n")[1]
    for xv in (2.0, -3.0):
        env = {"x": xv, "_g1": xv > 0}
        assert eval(line.split(" = ", 1)[1], env) == (1 / xv if xv > 0 else xv)
