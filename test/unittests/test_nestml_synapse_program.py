"""The event program of NESTML synapses (pyNN.nestml.synapse_program), run with numpy: no simulator."""

import math
import os
import sys

import numpy as np
import pytest

from pyNN import errors

pytest.importorskip("pynestml", reason="the nestml package is part of requirements.txt")

from pyNN.nestml import frontend, printers, synapse_program
from pyNN.nestml.types import evaluate_defaults
from tsodyks_reference import released

LIBRARY = os.path.join(sys.prefix, "models", "synapses")
HERE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "nestml_models")


def _synapse(path, name):
    model = frontend.pick(frontend.load_models([frontend.read_source(path)], synapse_names=[name]), name,
                          "synapse", path)
    model.weight_variable = "w"
    return model


class _Connection:
    """One connection's state, advanced by the program's parts printed as numpy code."""

    def __init__(self, model, **params):
        self.prog = synapse_program.synapse_program(model, "test")
        self.params = {**evaluate_defaults(model, model.parameters), **params}
        # (a weight that is a parameter is the program's first state variable all the same)
        self.state = {**{n: self.params[n] for n in self.prog.state if n in self.params},
                      **evaluate_defaults(model, model.state)}
        self.t = 0.0
        self.names = {synapse_program.ELAPSED: "elapsed", synapse_program.DELIVER: "deliver",
                      synapse_program.EVENT_TIME: "t_event", "lambda": "lambda_"}

    def _run(self, part, t):
        env = {"np": np, "elapsed": t - self.t, "deliver": 0.0, "t_event": t, **self.state, **self.params}
        env = {k: np.float64(v) if isinstance(v, float) else v for k, v in env.items()}  # (x/0: inf, as on arrays)
        env["lambda_"] = self.params.get("lambda")
        with np.errstate(divide="ignore", invalid="ignore"):  # np.where evaluates both branches
            exec(printers.numpy_code(part, self.names), env)
        self.state = {name: float(env[name]) for name in self.state}
        self.t = t
        return env["deliver"]

    def event(self, kind, t):
        self._run(self.prog.advance, t)
        return self._run(self.prog.on_pre if kind == "pre" else self.prog.on_post, t)


def test_paper_stdp_synapse_program():
    """Exact decay between events, the pre and post handlers, and the transmitted weight."""
    model = _synapse(os.path.join(HERE, "stdp_paper_synapse.nestml"), "stdp_paper_synapse")
    c = _Connection(model, tau_tr=50.0, alpha=0.02)
    assert c.prog.state[0] == "w" and c.prog.pre_port == "pre_spikes" and c.prog.post_port == "post_spikes"
    assert c.event("pre", 10.0) == pytest.approx(1.0)  # no post trace yet: transmits the initial weight
    c.event("post", 30.0)
    assert c.state["tr_pre"] == pytest.approx(math.exp(-20.0 / 50.0), rel=1e-12)
    assert c.state["w"] == pytest.approx(1.0 + 0.02 * math.exp(-20.0 / 50.0), rel=1e-12)
    w_before = c.state["w"]
    transmitted = c.event("pre", 45.0)
    depression = 0.02 * math.exp(-15.0 / 50.0)
    assert transmitted == pytest.approx(w_before - depression, rel=1e-12) == c.state["w"]
    assert c.state["tr_pre"] == pytest.approx(math.exp(-35.0 / 50.0) + 1.0, rel=1e-12)


def test_library_stdp_synapse_bounds():
    """NESTML's stdp_synapse: additive (mu = 0) potentiation clipped at Wmax."""
    model = _synapse(os.path.join(LIBRARY, "stdp_synapse.nestml"), "stdp_synapse")
    c = _Connection(model, Wmax=1.5, mu_plus=0.0, mu_minus=0.0, **{"lambda": 0.5})
    c.event("pre", 1.0)
    c.event("post", 2.0)
    assert c.state["w"] == 1.5


@pytest.mark.parametrize("path, name, construct", [
    (os.path.join(HERE, "stdp_third_factor_synapse.nestml"), "stdp_third_factor_synapse",
     "continuous input port 'I_post_dend'"),
    (os.path.join(LIBRARY, "neuromodulated_stdp_synapse.nestml"), "neuromodulated_stdp_synapse", "extra spike port"),
    (os.path.join(LIBRARY, "static_synapse.nestml"), "static_synapse", "a synapse without state"),
])
def test_untranslatable_synapses(path, name, construct):
    model = _synapse(path, name)
    with pytest.raises(errors.NoModelAvailableError, match=f"NESTML synapse '{name}': .*{construct}.*test NESTML"):
        synapse_program.synapse_program(model, "test")


@pytest.mark.parametrize("tau_fac", [0.0, 150.0])
def test_library_tsodyks_synapse(tau_fac):
    """NESTML's tsodyks_synapse: no post port, a weight that is a parameter, the time t of the
    event in its handler and a conditional expression (tau_fac == 0 ? 0 : ...)."""
    model = _synapse(os.path.join(LIBRARY, "tsodyks_synapse.nestml"), "tsodyks_synapse")
    params = dict(U=0.4, tau_rec=120.0, tau_fac=tau_fac, tau_psc=3.0, w=2.5)
    c = _Connection(model, **params)
    prog = c.prog
    assert prog.post_port is None and not prog.on_post.statements and prog.state[0] == "w"
    assert "w" not in prog.parameters and synapse_program.EVENT_TIME in prog.on_pre.symbols()
    times = [4.0, 9.5, 10.0, 60.0, 61.0, 300.0]
    got = [c.event("pre", t) for t in times]
    w = params.pop("w")
    assert got == pytest.approx(w * released(times, **params), rel=1e-12)
    assert c.state["t_last_update"] == 300.0 and c.state["w"] == 2.5
    assert len(set(np.round(got, 9))) == len(got)  # the spikes really release different amounts


def test_time_outside_handlers_is_refused():
    """``t`` in the update block has no event to refer to: refused, naming it."""
    text = """
model toy_time_synapse:
    state:
        w real = 1.
        s ms = 0 ms
    input:
        pre_spikes <- spike
        post_spikes <- spike
    output:
        spike
    onReceive(pre_spikes):
        emit_spike(w)
    onReceive(post_spikes):
        s = t
    update:
        s = t
"""
    model = _text_synapse(text, "toy_time_synapse")
    with pytest.raises(errors.NoModelAvailableError, match="the time t in the update part"):
        synapse_program.synapse_program(model, "test", modulatory=True)


# --- modulatory spike ports and the per-step update block (modulatory=True) -----------------------

NEUROMODULATED = os.path.join(LIBRARY, "neuromodulated_stdp_synapse.nestml")


def _text_synapse(text, name):
    model = frontend.pick(frontend.load_models([frontend.read_source(text)], synapse_names=[name]), name,
                          "synapse", "<text>")
    model.weight_variable = "w"
    return model


def _modulated_text(update, mod_handler="x += 1"):
    return f"""
model toy_mod_synapse:
    state:
        w real = 1.
        x real = 0.
        tr real = 0.
    parameters:
        tau ms = 20 ms
        r 1/ms = 0.05 ms**-1
    equations:
        tr' = -tr / tau
    input:
        pre_spikes <- spike
        post_spikes <- spike
        mod_spikes <- spike
    output:
        spike
    onReceive(mod_spikes):
        {mod_handler}
    onReceive(post_spikes):
        w += tr
    onReceive(pre_spikes):
        tr += 1
        emit_spike(w)
    update:
{update}
"""


class _ModConnection(_Connection):
    """One connection of a modulated synapse: the per-step update, or k steps at once."""

    def __init__(self, model, dt, **params):
        self.prog = synapse_program.synapse_program(model, "test", modulatory=True)
        self.params = {**evaluate_defaults(model, model.parameters), **params}
        self.state = evaluate_defaults(model, model.state)
        self.t = 0.0
        self.dt = dt
        self.names = {synapse_program.ELAPSED: "elapsed", synapse_program.DELIVER: "deliver", "__h": "h_"}

    def steps(self, k, at_once=False):
        """k steps: the update statements then the exact ODE step, once per step (or once over k*dt)."""
        for h in ([k * self.dt] if at_once else [self.dt] * k):
            env = {"np": np, "h_": h, "elapsed": h, "deliver": 0.0, **self.state, **self.params}
            exec(printers.numpy_code(self.prog.update, self.names), env)
            exec(printers.numpy_code(self.prog.advance, self.names), env)
            self.state = {name: float(env[name]) for name in self.state}
        self.t += k * self.dt

    def handle(self, part):
        env = {"np": np, "elapsed": 0.0, "deliver": 0.0, **self.state, **self.params}
        exec(printers.numpy_code(part, self.names), env)
        self.state = {name: float(env[name]) for name in self.state}
        return env["deliver"]


def _neuromodulated_reference(events, dt, p, w0):
    """The documented semantics by hand: per step the update block (w, c, n from their old
    values; exact traces), then the events of the step's end in the order mod, post, pre; the
    pre handler reads post_tr as before a post event of the same time."""
    tau_s = (p["tau_c"] + p["tau_n"]) / (p["tau_c"] * p["tau_n"])
    w, n, c, pre_tr, post_tr = w0, 0.0, 0.0, 0.0, 0.0
    order = {"mod": 0, "post": 1, "pre": 2}
    out = []
    step = 0
    for k, kind in sorted(events, key=lambda e: (e[0], order[e[1]])):
        while step < k:
            w = w - c * (n / tau_s * math.expm1(-tau_s * dt) - p["b"] * p["tau_c"] * math.expm1(-dt / p["tau_c"]))
            c, n = c * math.exp(-dt / p["tau_c"]), n * math.exp(-dt / p["tau_n"])
            pre_tr, post_tr = pre_tr * math.exp(-dt / p["tau_tr_pre"]), post_tr * math.exp(-dt / p["tau_tr_post"])
            step += 1
            post_seen = post_tr
        if kind == "mod":
            n += 1.0 / p["tau_n"]
        elif kind == "post":
            post_tr += 1.0
            c += p["A_plus"] * pre_tr
        else:
            pre_tr += 1.0
            c -= p["A_minus"] * post_seen
            out.append(w)
    return out, (w, n, c, pre_tr, post_tr)


def test_neuromodulated_program_parts():
    prog = synapse_program.synapse_program(_synapse(NEUROMODULATED, "neuromodulated_stdp_synapse"), "test",
                                           modulatory=True)
    assert prog.mod_ports == ["mod_spikes"]
    assert [name for name, _ in prog.modulated_parts()] == ["update", "on_mod_spikes"]
    assert prog.has_update and prog.update_composes
    assert set(synapse_program.assigned(prog.update)) == {"w", "c", "n"}
    assert synapse_program.assigned(prog.on_mod["mod_spikes"]) == ["n"]
    assert prog.post_variables == ["post_tr"]
    # without modulatory=True the rule stays refused (back ends that do not run it yet)
    with pytest.raises(errors.NoModelAvailableError, match="extra spike port"):
        synapse_program.synapse_program(_synapse(NEUROMODULATED, "neuromodulated_stdp_synapse"), "test")


def test_neuromodulated_program_against_hand_computation():
    """Per-step update, then mod/post/pre handlers at the step's end, against the hand computation
    (1e-12); catching up k steps in one application (update_composes) gives the same."""
    dt = 0.1
    params = {"tau_c": 50.0, "tau_n": 30.0, "b": 0.01, "A_plus": 1.0, "A_minus": 1.5, "tau_tr_pre": 20.0,
              "tau_tr_post": 15.0}
    events = [(20, "mod"), (53, "pre"), (80, "post"), (80, "mod"), (120, "pre"), (120, "post"), (200, "mod"),
              (230, "pre"), (260, "post"), (300, "pre")]
    expected, final = _neuromodulated_reference(events, dt, params, w0=0.5)
    model = _synapse(NEUROMODULATED, "neuromodulated_stdp_synapse")
    for at_once in (False, True):
        conn = _ModConnection(model, dt, **params)
        conn.state["w"] = 0.5
        order = {"mod": 0, "post": 1, "pre": 2}
        step, transmitted, post_seen = 0, [], None
        for k, kind in sorted(events, key=lambda e: (e[0], order[e[1]])):
            if k > step:
                conn.steps(k - step, at_once)
                step = k
                post_seen = conn.state["post_tr"]
            if kind == "mod":
                conn.handle(conn.prog.on_mod["mod_spikes"])
            elif kind == "post":
                conn.handle(conn.prog.on_post)
            else:  # the pre handler reads the post variables as before a post event of its time
                after = conn.state["post_tr"]
                conn.state["post_tr"] = post_seen
                transmitted.append(conn.handle(conn.prog.on_pre))
                conn.state["post_tr"] = after
        assert transmitted == pytest.approx(expected, rel=1e-12, abs=1e-14)
        got = tuple(conn.state[n] for n in ("w", "n", "c", "pre_tr", "post_tr"))
        assert got == pytest.approx(final, rel=1e-11, abs=1e-14)
    assert final[0] != 0.5 and final[2] != 0.0  # the rule did change the weight and the trace


def test_update_that_does_not_compose():
    """An Euler-like update (x += r h (1 - x)) is not exact over any interval: update_composes is
    False, so back ends run it once per step."""
    model = _text_synapse(_modulated_text("        x += r * timestep() * (1 - x)\n        integrate_odes()"),
                          "toy_mod_synapse")
    prog = synapse_program.synapse_program(model, "test", modulatory=True)
    assert prog.has_update and not prog.update_composes
    conn = _ModConnection(model, 0.1)
    conn.handle(prog.on_mod["mod_spikes"])
    assert conn.state["x"] == 1.0
    conn.steps(3)
    assert conn.state["x"] == pytest.approx(1.0)
    conn.state["x"] = 0.0
    conn.steps(3)
    assert conn.state["x"] == pytest.approx(1 - (1 - 0.05 * 0.1) ** 3, rel=1e-12)


def test_mod_handler_reading_its_port_is_refused():
    """NESTML's NEST code for a volume-transmitter port does not give the port's value: refused."""
    model = _text_synapse(_modulated_text("        integrate_odes()", "x += 0.5 * mod_spikes"), "toy_mod_synapse")
    with pytest.raises(errors.NoModelAvailableError, match="reads its port 'mod_spikes'"):
        synapse_program.synapse_program(model, "test", modulatory=True)
    prog = synapse_program.synapse_program(_text_synapse(_modulated_text("        integrate_odes()"),
                                                         "toy_mod_synapse"), "test", modulatory=True)
    assert not prog.has_update and [n for n, _ in prog.modulated_parts()] == ["on_mod_spikes"]


@pytest.mark.parametrize("update, construct", [
    ("        x += tr\n        integrate_odes()", "read or write the ODE variables \\['tr'\\]"),
])
def test_update_blocks_refused(update, construct):
    model = _text_synapse(_modulated_text(update), "toy_mod_synapse")
    with pytest.raises(errors.NoModelAvailableError, match=f"toy_mod_synapse.*{construct}"):
        synapse_program.synapse_program(model, "test", modulatory=True)


def test_modulatory_keywords_checked_on_the_instance():
    from pyNN.nestml import modulation
    model = _synapse(NEUROMODULATED, "neuromodulated_stdp_synapse")
    assert modulation.modulatory_ports(model) == ["mod_spikes"]
    with pytest.raises(errors.ModelDescriptionError, match="'dopamine', which is not one of its modulatory"):
        modulation.check_instance_inputs(model, {"dopamine": None}, None)
    with pytest.raises(errors.ModelDescriptionError, match="'post_spikes' \\(its pre- or postsynaptic port"):
        modulation.check_instance_inputs(model, {"post_spikes": None}, None)
    with pytest.raises(errors.InvalidTypeError, match="modulatory_inputs\\['mod_spikes'\\] must be a Population"):
        modulation.check_instance_inputs(model, {"mod_spikes": [1, 2]}, None)
    with pytest.raises(errors.InvalidTypeError, match="must be a dict"):
        modulation.check_instance_inputs(model, ["mod_spikes"], None)
    for bad in (0.0, -1.0, float("nan"), "soon"):
        with pytest.raises(errors.InvalidParameterValueError, match="modulatory_delay must be a positive"):
            modulation.check_instance_inputs(model, {}, bad)
    assert modulation.check_instance_inputs(model, None, 2) == ({}, 2.0)
