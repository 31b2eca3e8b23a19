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
        self.state = evaluate_defaults(model, model.state)
        self.t = 0.0
        self.names = {synapse_program.ELAPSED: "elapsed", synapse_program.DELIVER: "deliver",
                      "lambda": "lambda_"}

    def _run(self, part, t):
        env = {"np": np, "elapsed": t - self.t, "deliver": 0.0, **self.state, **self.params}
        env["lambda_"] = self.params.get("lambda")
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
    (os.path.join(LIBRARY, "static_synapse.nestml"), "static_synapse", "without a postsynaptic spike port"),
])
def test_untranslatable_synapses(path, name, construct):
    model = _synapse(path, name)
    with pytest.raises(errors.NoModelAvailableError, match=f"NESTML synapse '{name}': .*{construct}.*test NESTML"):
        synapse_program.synapse_program(model, "test")
