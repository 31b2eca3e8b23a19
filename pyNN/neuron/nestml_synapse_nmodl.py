"""A plastic NESTML synapse on NEURON: its NET_RECEIVE code, generated into the mechanism of
its postsynaptic NESTML neuron.

As on NEST (where NESTML generates a plastic synapse together with its postsynaptic
neuron), the synapse lives in the neuron: :class:`PairGenerator` extends the neuron's NMODL
point process (:mod:`pyNN.neuron.nestml_nmodl`) in the style of the backend's own STDP
(``nmodl/pynn_stdp.inc``):

- the cell keeps the times of its last :data:`NHIST` spikes (``hist``, a ring buffer;
  ``nspk`` counts them) and, for a synapse with continuous input ports (third factors), the
  values of the postsynaptic variables they read at those spikes (``nml_hv_<variable>``);
- a plastic connection is a NetCon whose weight vector holds, from slot
  ``STDP_FIRST_SLOT`` on, a marker (1), its initial weight, the synapse's parameters (model
  units), its dendritic delay and the offset from delivery time to synapse time, then its
  state: the synapse's state variables (the weight in NESTML units), the synapse time of its
  last event and how many of the cell's spikes it has taken into account;
- when a presynaptic spike is delivered, the connection replays, in time order, the cell's
  spikes it has not seen whose synapse time (emission + delay) is at most the spike's
  synapse time (its emission), each one advancing the state exactly to it and running the
  ``onReceive`` handler of the postsynaptic port; then it advances to the spike, runs the
  presynaptic handler (which, as on NEST, reads the postsynaptic variables without a post
  spike at its own time: that one is handled just before it) and transmits the weight of
  ``emit_spike`` (slot 0 keeps the weight variable's value, in the library's units, for
  ``Projection.get``).

If the cell fired more than NHIST times between two presynaptic spikes of a connection, the
oldest of those spikes are lost to it and counted in ``stdp_lost`` (checked after each run,
as for the library's STDP).
"""

import re

from pyNN import errors
from pyNN.nestml import ir
from pyNN.nestml.printers import identifier
from pyNN.nestml.program import Temp
from pyNN.nestml.synapse_program import DELIVER, ELAPSED
from pyNN.neuron.nestml_nmodl import NMODLGenerator, _indent, _local_statement, _safe
from pyNN.neuron.standardmodels.synapses import STDP_FIRST_SLOT

#: spikes of the cell kept for its plastic connections
NHIST = 64


def slot_names(program):
    """The NET_RECEIVE arguments of a cell with the plastic synapse `program`, in order."""
    pads = [f"nml_pad{k}" for k in range(2, STDP_FIRST_SLOT)]
    params = ["nml_sp_" + _safe(p) for p in program.parameters]
    state = ["nml_ss_" + _safe(s) for s in program.state]
    return (["nml_w", "nml_port"] + pads + ["nml_kind", "nml_w0"] + params + ["nml_fdel", "nml_preoff"]
            + state + ["nml_tlast", "nml_seen"])


def state_slot(program, name):
    """Index in the NetCon weight vector of the synapse state variable `name`."""
    return slot_names(program).index("nml_ss_" + _safe(name))


class PairGenerator(NMODLGenerator):
    """The NMODL text of a NESTML neuron that also runs the plastic NESTML synapse `program`
    (a :class:`~pyNN.nestml.synapse_program.SynapseProgram`) on its incoming NetCons marked
    plastic (see the module docstring)."""

    def __init__(self, model, program, mechanism, header=()):
        self.program = program
        if program.model.internals:
            from pyNN.nestml.synapse_program import refuse
            refuse(program.model, f"the internals {sorted(program.model.internals)}", "NEURON")
        super().__init__(model, mechanism, header)

    def text(self):
        out = super().text()
        out = out.replace(f"    POINT_PROCESS {self.mechanism}\n",
                          f"    POINT_PROCESS {self.mechanism}\n    RANGE nspk\n    GLOBAL stdp_lost\n", 1)
        kept = "".join(f"    {self._kept(v)}[{NHIST}]\n" for v in self._post_input_variables())
        out = out.replace("ASSIGNED {\n", f"ASSIGNED {{\n    hist[{NHIST}]\n{kept}    nspk\n    stdp_lost\n", 1)
        out = out.replace("    spk = 0\n    nml_calibrate()", "    spk = 0\n    nspk = 0\n    nml_calibrate()", 1)
        return out

    # --- the synapse's code ----------------------------------------------------------------------

    def _post_input_variables(self):
        return sorted(set(self.program.post_inputs.values()))

    @staticmethod
    def _kept(variable):
        """The ring buffer of `variable`'s values at the cell's spikes (beside ``hist``)."""
        return "nml_hv_" + _safe(variable)

    def _with_post_inputs(self, names, index):
        """`names` with each continuous port read from its variable's value at the spike `index`."""
        return {**names, **{port: f"{self._kept(var)}[{index}]" for port, var in self.program.post_inputs.items()}}

    def _syn_names(self):
        p = self.program
        names = {n: "nml_sp_" + _safe(n) for n in p.parameters}
        names.update({n: "nml_ss_" + _safe(n) for n in p.state})
        names.update({ELAPSED: "nml_elapsed", DELIVER: "nml_deliver", p.pre_port: "1.0", p.post_port: "1.0"})
        for _, part in p.parts():
            for stmt in part.statements:
                if isinstance(stmt, Temp):
                    names[stmt.name] = self._local("nml_t_" + identifier(stmt.name).lstrip("_"))
        return names

    def _advance_lines(self, names):
        """The exact decay over nml_elapsed (unguarded temporaries and assignments)."""
        lines = []
        for stmt in self.program.advance.statements:
            target = names[stmt.name] if isinstance(stmt, Temp) else names[stmt.target]
            lines.append(f"{target} = {self.expr(stmt.value, names)}")
        return lines

    def _handler_lines(self, port, names):
        lines = []
        for handler in self.program.model.on_receive:
            if handler.port == port:
                lines += self._statements(handler.body, dict(names))
        return lines

    def _statement(self, stmt, names, function):
        if isinstance(stmt, ir.EmitSpike) and names.get(DELIVER) == "nml_deliver":
            return [f"nml_deliver = {self.expr(stmt.args[0], names)}"]
        return super()._statement(stmt, names, function)

    def _synapse_lines(self):
        """NET_RECEIVE code of a presynaptic spike on a plastic connection (sets nml_we)."""
        from pyNN.nestml.types import WEIGHT_SCALE, evaluate_defaults
        p = self.program
        names = self._syn_names()
        w = names[p.state[0]]
        advance = self._advance_lines(names)
        eps = "0.01*dt"
        initial = evaluate_defaults(p.model, p.model.state)
        post = [names[v] for v in p.post_variables]
        replay = [
            "nml_s = t + nml_preoff",
            "nml_same = 0",
            "nml_i = nml_seen",
            f"if (nspk - nml_i > {NHIST}) {{",
            f"    stdp_lost = stdp_lost + nspk - nml_i - {NHIST}",
            f"    nml_i = nspk - {NHIST}",
            "}",
            "nml_more = 1",
            "while (nml_more > 0.5 && nml_i < nspk) {",
            f"    nml_j = nml_i - {NHIST}*floor(nml_i/{NHIST})",
            "    nml_tp = hist[nml_j] + nml_fdel",
            f"    if (nml_tp > nml_s + {eps}) {{",
            "        nml_more = 0",
            f"    }} else if (nml_tp > nml_s - {eps}) {{",
            "        : at the pre spike's own time: handled below",
            "        nml_same = 1",
            "        nml_js = nml_j",
            "        nml_i = nml_i + 1",
            "    } else {",
            "        nml_elapsed = nml_tp - nml_tlast",
            *_indent(_indent(advance)),
            *_indent(_indent(self._handler_lines(p.post_port, self._with_post_inputs(names, "nml_j")))),
            "        nml_tlast = nml_tp",
            "        nml_i = nml_i + 1",
            "    }",
            "}",
            "nml_seen = nml_i",
            "nml_elapsed = nml_s - nml_tlast",
            *advance,
            "if (nml_same > 0.5) {",
            "    : the post spike at this time first; the pre handler reads the post variables without it",
            *_indent([f"{self._local('nml_b_' + v)} = {v}" for v in post]),
            *_indent(self._handler_lines(p.post_port, self._with_post_inputs(names, "nml_js"))),
            *_indent([f"{self._local('nml_a_' + v)} = {v}" for v in post]),
            *_indent([f"{v} = nml_b_{v}" for v in post]),
            "}",
            f"nml_deliver = {w}",
            *self._handler_lines(p.pre_port, names),
            "if (nml_same > 0.5) {",
            *_indent([f"{v} = nml_a_{v}" for v in post]),
            "}",
            "nml_tlast = nml_s",
            "nml_sign = 1",
            "if (nml_w0 < 0) {",
            "    nml_sign = -1",
            "}",
            f"nml_w = nml_sign*{w}/{WEIGHT_SCALE!r}",
            f"nml_we = nml_sign*nml_deliver/{WEIGHT_SCALE!r}",
        ]
        init = [f"{names[s]} = {float(initial[s])!r}" for s in p.state if s != p.state[0]]
        init = ["nml_w = nml_w0", f"{w} = fabs(nml_w0)*{WEIGHT_SCALE!r}", *init, "nml_tlast = 0", "nml_seen = 0"]
        return replay, init

    def _net_receive(self):
        base = super()._net_receive()
        self._locals = ["nml_we", "nml_s", "nml_i", "nml_j", "nml_tp", "nml_more", "nml_elapsed", "nml_deliver",
                        "nml_sign", "nml_same", "nml_js"]
        replay, init = self._synapse_lines()
        start = base.index("    if (flag == 0) {")
        stop = base.index("    } else if (flag == 1) {")
        body = [re.sub(r"\bnml_w\b", "nml_we", line) for line in base[start + 1:stop]]
        emit = base.index("        net_event(t)")
        out = [f"NET_RECEIVE ({', '.join(slot_names(self.program))}) {{"]
        out += _local_statement(self._locals)
        out += ["    INITIAL {", "        : a plastic connection (nml_kind > 0) starts from its initial weight",
                "        if (nml_kind > 0) {", *_indent(_indent(_indent(init))), "        }", "    }",
                "    if (flag == 0) {", "        nml_we = nml_w", "        if (nml_kind > 0) {",
                *_indent(_indent(_indent(replay))), "        }", *body]
        out += base[stop:emit + 1]
        out += [f"        nml_j = nspk - {NHIST}*floor(nspk/{NHIST})", "        hist[nml_j] = t",
                *[f"        {self._kept(v)}[nml_j] = {self.names[v]}" for v in self._post_input_variables()],
                "        nspk = nspk + 1"]
        out += base[emit + 1:]
        return out


def stdp_slots_function(model, program):
    """The ``stdp_slots(values, weight, sign, native_delay)`` method of the synapse type: the
    slots from ``STDP_FIRST_SLOT`` on (marker, initial weight, parameters in model units,
    dendritic delay, offset from delivery to synapse time), one row per connection."""
    import numpy as np

    def stdp_slots(self, values, weight, sign, native_delay):
        n = np.size(sign)

        def column(value):
            return np.broadcast_to(np.asarray(value, dtype=float), (n,))

        params = [column(values["delay" if name == model.delay_variable else name]) / model.parameters[name].to_pynn
                  for name in program.parameters]
        delay = column(values["delay"])
        return np.column_stack([np.ones(n), sign * column(weight), *params, delay, -column(native_delay)])

    return stdp_slots


def refuse_without_neuron(synapse_name):
    """NoModelAvailableError: on NEURON a plastic NESTML synapse needs its postsynaptic neuron."""
    raise errors.NoModelAvailableError(
        f"NESTML synapse '{synapse_name}': on the NEURON backend a plastic NESTML synapse runs in the mechanism "
        f"of its postsynaptic NESTML neuron (as on NEST); give postsynaptic_neuron_nestml_description and connect "
        f"to populations of the returned type's postsynaptic_cell_type")


__all__ = ["PairGenerator", "slot_names", "state_slot", "stdp_slots_function"]
