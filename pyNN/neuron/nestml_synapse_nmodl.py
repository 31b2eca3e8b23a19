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
  units), its dendritic delay, the offset from delivery time to synapse time and, for each
  modulatory spike port, the channel it listens to (see below); then its state: the
  synapse's state variables (the weight in NESTML units), the synapse time of its last event,
  how many of the cell's spikes and of each channel's modulatory spikes it has taken into
  account;
- when a presynaptic spike is delivered, the connection replays, in time order, the events
  it has not seen whose synapse time is at most the spike's synapse time (its emission): the
  cell's spikes (synapse time: emission + delay), each running the ``onReceive`` handler of
  the postsynaptic port, and the modulatory spikes, each running its port's handler; between
  events the state is brought forward (see below). Then it runs the presynaptic handler
  (which, as on NEST, reads the postsynaptic variables without a post spike at its own time:
  that one is handled just before it) and transmits the weight of ``emit_spike`` (slot 0
  keeps the weight variable's value, in the library's units, for ``Projection.get``).
- Bringing the state forward: a synapse whose ``update`` block only integrates its ODEs is
  advanced exactly over the elapsed time (odetoolbox's propagators); one whose ``update``
  block does more (the neuromodulated STDP synapse's decay of eligibility and dopamine) runs
  that block once over the k steps since its last event with ``timestep()`` = k dt when its
  statements compose (``SynapseProgram.update_composes``), else k times in a row (its
  constant terms computed once per event).
- Such a synapse's state changes without pre spikes, so it is read as of now: the
  function ``nml_readout`` replays a copy of one connection's slots up to the current time
  (see :func:`reads_out_now`).

Modulatory spikes (a spike port other than the pre- and postsynaptic ones, e.g.
``mod_spikes``, fed by ``modulatory_inputs={port: population}``): every cell of the
modulator population has one NetCon onto every target mechanism instance of the projection
(not one per connection), marked 2 in the marker slot, with the instance's *channel* of
that projection in the initial-weight slot. Its delivery stores the spike's synapse time
(emission + modulatory delay) in the channel's ring buffer (``mhist``, :data:`NMOD` per
channel, ``mcount`` counts them); the projection's connections onto that instance read it
at their next presynaptic spike. The NetCon delivers it one step before its synapse time, and
a presynaptic spike is delivered at least one step after its own synapse time, so every
modulatory spike a presynaptic spike must see is stored before it arrives.

Every NMOD/2 spikes of a channel, the connections listening to it handle the events that
none of their presynaptic spikes can precede any more (``FOR_NETCONS``; the result does not
change). If the cell fired more than NHIST times between two presynaptic spikes of a
connection (or a channel received more than NMOD modulatory spikes it could not handle yet),
the oldest of those spikes are lost to it and counted in ``stdp_lost`` (``mod_lost``),
checked after each run.
"""

import re

import sympy

from pyNN import errors
from pyNN.nestml import ir
from pyNN.nestml.printers import identifier
from pyNN.nestml.program import Temp
from pyNN.nestml.synapse_program import DELIVER, ELAPSED
from pyNN.neuron.nestml_nmodl import NMODLGenerator, _indent, _local_statement, _safe
from pyNN.neuron.standardmodels.synapses import STDP_FIRST_SLOT

#: spikes of the cell kept for its plastic connections
NHIST = 64
#: modulatory channels of one cell (distinct modulated projections onto it)
NCHAN = 4
#: modulatory spikes kept per channel
NMOD = 128
#: marker slot values: a plastic connection, and a modulatory NetCon
PLASTIC, MODULATORY = 1, 2
#: the largest time used as "no event"
_NEVER = "1e300"


def modulatory_ports(program):
    """The synapse's spike ports other than its pre- and postsynaptic ones, in model order."""
    return list(program.mod_ports)


def runs_update_block(program):
    """Whether the synapse's ``update`` block does more than ``integrate_odes()`` (then it runs
    once per time step instead of the exact advance over the elapsed time)."""
    return program.has_update


def slot_names(program):
    """The NET_RECEIVE arguments of a cell with the plastic synapse `program`, in order."""
    pads = [f"nml_pad{k}" for k in range(2, STDP_FIRST_SLOT)]
    params = ["nml_sp_" + _safe(p) for p in program.parameters]
    state = ["nml_ss_" + _safe(s) for s in program.state]
    mods = modulatory_ports(program)
    return (["nml_w", "nml_port"] + pads + ["nml_kind", "nml_w0"] + params + ["nml_fdel", "nml_preoff"]
            + [_channel_slot(p) for p in mods] + state + ["nml_tlast", "nml_seen"]
            + [_seen_slot(p) for p in mods])


def _channel_slot(port):
    return "nml_mc_" + _safe(port)


def _seen_slot(port):
    return "nml_ms_" + _safe(port)


def reads_out_now(program):
    """Whether the connections' state is read as of now (brought forward through the events
    and the update block since the last pre spike) rather than as of the last pre spike: for a
    synapse with an update block or modulatory ports, whose state changes without pre spikes
    (as NEST's volume transmitter brings it forward)."""
    return program.has_update or bool(program.mod_ports)


def readout_slots(program):
    """The slots (NET_RECEIVE argument names) that ``nml_readout`` takes, in order."""
    names = slot_names(program)
    return names[names.index("nml_kind") + 2:names.index("nml_preoff")] + names[names.index("nml_preoff") + 1:]


def state_slot(program, name):
    """Index in the NetCon weight vector of the synapse state variable `name`."""
    return slot_names(program).index("nml_ss_" + _safe(name))


class PairGenerator(NMODLGenerator):
    """The NMODL text of a NESTML neuron that also runs the plastic NESTML synapse `program`
    (a :class:`~pyNN.nestml.synapse_program.SynapseProgram`) on its incoming NetCons marked
    plastic (see the module docstring)."""

    def __init__(self, model, program, mechanism, header=()):
        self.program = program
        self.mod_ports = modulatory_ports(program)
        self.per_step = runs_update_block(program)
        # catch up k steps in one application of the update block (see _catch_up)
        self.composes = self.per_step and bool(getattr(program, "update_composes", False))
        super().__init__(model, mechanism, header)

    def text(self):
        out = super().text()
        globals_ = "stdp_lost, mod_lost" if self.mod_ports else "stdp_lost"
        ranges = "nspk, mcount" if self.mod_ports else "nspk"
        out = out.replace(f"    POINT_PROCESS {self.mechanism}\n",
                          f"    POINT_PROCESS {self.mechanism}\n    RANGE {ranges}\n    GLOBAL {globals_}\n", 1)
        kept = "".join(f"    {self._kept(v)}[{NHIST}]\n" for v in self._post_input_variables())
        if self.mod_ports:
            kept += f"    mhist[{NCHAN * NMOD}]\n    mcount[{NCHAN}]\n    mod_lost\n"
        out = out.replace("ASSIGNED {\n", f"ASSIGNED {{\n    hist[{NHIST}]\n{kept}    nspk\n    stdp_lost\n", 1)
        counts = "".join(f"    mcount[{c}] = 0\n" for c in range(NCHAN)) if self.mod_ports else ""
        out = out.replace("    spk = 0\n    nml_calibrate()", f"    spk = 0\n    nspk = 0\n{counts}    nml_calibrate()",
                          1)
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
        m = p.model
        names = {n: "nml_sp_" + _safe(n) for n in p.parameters}
        names.update({n: "nml_ss_" + _safe(n) for n in p.state})
        names.update({n: self._local("nml_si_" + _safe(n)) for n in m.internals})
        names.update({ELAPSED: "nml_elapsed", DELIVER: "nml_deliver", ir.TIMESTEP.name: "dt"})
        names.update({port: "1.0" for port in (p.pre_port, p.post_port, *self.mod_ports)})
        for _, part in p.parts():
            for stmt in part.statements:
                if isinstance(stmt, Temp):
                    names[stmt.name] = self._local("nml_t_" + identifier(stmt.name).lstrip("_"))
        if self.per_step:  # the propagators of one step (the advance's temporaries are not used)
            for solver in m.solvers:
                names.update({q: self._local("nml_sq_" + identifier(q).lstrip("_")) for q in solver.propagators})
        return names

    def _constant_lines(self, names):
        """The synapse's internals (and, when its update block runs per step, the propagators
        of one step and the update block's other constant terms), from its parameters:
        computed once per event, not once per step."""
        m = self.program.model
        lines = [f"{names[n]} = {self.expr(var.value, names)}" for n, var in m.internals.items()]
        if self.per_step and not self.composes:
            lines += [f"{names[q]} = {self.expr(e, names)}" for s in m.solvers for q, e in s.propagators.items()]
            constants, _ = self._hoisted_update()
            for symbol, value in constants:
                names[symbol] = self._local("nml_hc_" + symbol.lstrip("_"))
                lines.append(f"{names[symbol]} = {self.expr(value, names)}")
        return lines

    def _hoisted_update(self):
        """(constant terms [(name, expression)], update statements using them): the largest
        sub-expressions of the update block that depend only on parameters, internals and the
        time step (e.g. ``expm1(-timestep()/tau_c)``), taken out of the per-step loop."""
        if getattr(self, "_hoisted", None) is not None:
            return self._hoisted
        m = self.program.model
        fixed = {sympy.Symbol(n) for n in (*m.parameters, *m.internals)} | {ir.TIMESTEP}
        constants, known = [], {}

        def hoist(expr):
            expr = sympy.sympify(expr)
            if expr.is_Atom:
                return expr
            if expr.free_symbols <= fixed:
                if expr not in known:
                    known[expr] = sympy.Symbol(f"__hc{len(known)}")
                    constants.append((known[expr].name, expr))
                return known[expr]
            return expr.func(*[hoist(a) for a in expr.args])

        def statements(block):
            out = []
            for stmt in block:
                if isinstance(stmt, ir.Assign):
                    stmt = ir.Assign(stmt.target, stmt.op, hoist(stmt.value), stmt.index)
                elif isinstance(stmt, ir.If):
                    stmt = ir.If([(c, statements(b)) for c, b in stmt.branches], statements(stmt.orelse))
                out.append(stmt)
            return out

        self._hoisted = (constants, statements(m.update))
        return self._hoisted

    def _advance_lines(self, names):
        """The exact decay over nml_elapsed (unguarded temporaries and assignments)."""
        lines = []
        for stmt in self.program.advance.statements:
            target = names[stmt.name] if isinstance(stmt, Temp) else names[stmt.target]
            lines.append(f"{target} = {self.expr(stmt.value, names)}")
        return lines

    def _catch_up(self, names, time):
        """Bring the connection's state from nml_tlast to `time` (an NMODL expression)."""
        if self.composes:
            # the update block is the exact solution over any interval (SynapseProgram.update_composes):
            # once, with timestep() the k steps since the last event
            over = {**names, ir.TIMESTEP.name: "nml_hk"}
            m = self.program.model
            propagators = [f"{names[q]} = {self.expr(e, over)}" for s in m.solvers for q, e in s.propagators.items()]
            return [f"nml_k = floor(({time} - nml_tlast)/dt + 0.5)", "if (nml_k > 0.5) {", "    nml_hk = nml_k*dt",
                    *_indent(propagators), *_indent(self._statements(m.update, dict(over))), "}",
                    f"nml_tlast = {time}"]
        if self.per_step:
            # the update block once per time step (NESTML's update runs every step)
            return [f"nml_k = floor(({time} - nml_tlast)/dt + 0.5)", "while (nml_k > 0.5) {",
                    *_indent(self._statements(self._hoisted_update()[1], dict(names))), "    nml_k = nml_k - 1", "}",
                    f"nml_tlast = {time}"]
        return [f"nml_elapsed = {time} - nml_tlast", *self._advance_lines(names), f"nml_tlast = {time}"]

    def _handler_lines(self, port, names, time="nml_s"):
        """The statements of ``onReceive(port)``, NESTML's ``t`` in them being the event's
        synapse time `time` (an NMODL expression: not NEURON's t, the delivery time); none
        for a synapse without that port (``port`` None: no post port)."""
        lines = []
        for handler in self.program.model.on_receive:
            if port is not None and handler.port == port:
                lines += self._statements(handler.body, {**names, "t": time})
        return lines

    def _statement(self, stmt, names, function):
        if names.get(DELIVER) == "nml_deliver":  # the synapse's code
            if isinstance(stmt, ir.EmitSpike):
                return [f"nml_deliver = {self.expr(stmt.args[0], names)}"]
            if isinstance(stmt, ir.IntegrateODEs):
                return self._synapse_integrate(stmt.variables, names)
        return super()._statement(stmt, names, function)

    def _synapse_integrate(self, variables, names):
        """integrate_odes() of the synapse's update block over one time step: the exact
        update expressions with the step's propagators (nml_sq_*, computed per event)."""
        m = self.program.model
        listed = list(variables) or [v for s in m.solvers for v in s.state_variables]
        for v in listed:
            if m.solver_for(v) is None:
                from pyNN.nestml.synapse_program import refuse
                refuse(m, f"integrate_odes({v}) ('{v}' has no ODE)", "NEURON")
        temps = {v: self._local("nml_nx_" + _safe(v)) for v in listed}
        return ([f"{temps[v]} = {self.expr(m.solver_for(v).update_expressions[v], names)}" for v in listed]
                + [f"{names[v]} = {temps[v]}" for v in listed])

    def _event_loop(self, names, eps):
        """Replay, in time order, the modulatory spikes and the cell's spikes the connection has
        not seen up to the pre spike's synapse time nml_s (a post spike at nml_s too, kept
        aside: see _synapse_lines). Kinds: 1 a post spike, 2 + k modulatory port k; at equal
        times the modulatory ports come first (in order), then the post spike. Every modulatory
        spike runs its port's handler once (several at one time: once each)."""
        p = self.program
        post = [names[v] for v in p.post_variables]
        find = ["nml_te = " + _NEVER, "nml_ek = 0"]
        run = []
        for k, port in enumerate(self.mod_ports):
            seen, channel = self._local("nml_mi_" + _safe(port)), _channel_slot(port)
            find += [f"if ({seen} < mcount[{channel}]) {{",
                     f"    nml_jm = {channel}*{NMOD} + {seen} - {NMOD}*floor({seen}/{NMOD})",
                     "    nml_tm = mhist[nml_jm]",
                     f"    if (nml_tm < nml_s + {eps} && nml_tm < nml_te - {eps}) {{", "        nml_te = nml_tm",
                     f"        nml_ek = {2 + k}", "    }", "}"]
            run += [("if" if k == 0 else "} else if") + f" (nml_ek > {1.5 + k} && nml_ek < {2.5 + k}) {{",
                    *_indent(self._handler_lines(port, names, "nml_te")), f"    {seen} = {seen} + 1"]
        find += ["if (nml_i < nspk) {", f"    nml_j = nml_i - {NHIST}*floor(nml_i/{NHIST})",
                 "    nml_tp = hist[nml_j] + nml_fdel",
                 f"    if (nml_tp < nml_s + {eps} && nml_tp < nml_te - {eps}) {{", "        nml_te = nml_tp",
                 "        nml_ek = 1", "    }", "}"]
        run += [("} else if" if run else "if") + " (nml_ek < 1.5) {",
                f"    if (nml_te > nml_s - {eps}) {{",
                "        : the post spike at the pre spike's time: the pre handler reads the post variables without it",
                "        nml_same = 1",
                *_indent(_indent([f"{self._local('nml_b_' + v)} = {v}" for v in post])),
                *_indent(_indent(self._handler_lines(p.post_port, self._with_post_inputs(names, "nml_j"), "nml_te"))),
                *_indent(_indent([f"{self._local('nml_a_' + v)} = {v}" for v in post])),
                "    } else {",
                *_indent(_indent(self._handler_lines(p.post_port, self._with_post_inputs(names, "nml_j"), "nml_te"))),
                "    }",
                "    nml_i = nml_i + 1", "}"]
        handle = ["if (nml_ek < 0.5) {", "    nml_more = 0", "} else {", *_indent(self._catch_up(names, "nml_te")),
                  *_indent(run), "}"]
        return ["nml_more = 1", "while (nml_more > 0.5) {", *_indent(find), *_indent(handle), "}"]

    def _synapse_lines(self):
        """NET_RECEIVE code of a presynaptic spike on a plastic connection (sets nml_we)."""
        from pyNN.nestml.types import WEIGHT_SCALE, evaluate_defaults
        p = self.program
        names = self._syn_names()
        w = names[p.state[0]]
        eps = "0.01*dt"
        initial = evaluate_defaults(p.model, p.model.state)
        post = [names[v] for v in p.post_variables]
        replay = [
            *self._start_lines(names, "t + nml_preoff", count_lost=True),
            *self._event_loop(names, eps),
            "nml_seen = nml_i",
            *[f"{_seen_slot(port)} = nml_mi_{_safe(port)}" for port in self.mod_ports],
            *self._catch_up(names, "nml_s"),
            "if (nml_same > 0.5) {",
            *_indent([f"{v} = nml_b_{v}" for v in post]),
            "}",
            f"nml_deliver = {w}",
            *self._handler_lines(p.pre_port, names),
            "if (nml_same > 0.5) {",
            *_indent([f"{v} = nml_a_{v}" for v in post]),
            "}",
            "nml_sign = 1",
            "if (nml_w0 < 0) {",
            "    nml_sign = -1",
            "}",
            f"nml_w = nml_sign*{w}/{WEIGHT_SCALE!r}",
            f"nml_we = nml_sign*nml_deliver/{WEIGHT_SCALE!r}",
        ]
        init = [f"{names[s]} = {float(initial[s])!r}" for s in p.state if s != p.state[0]]
        init = ["nml_w = nml_w0", f"{w} = fabs(nml_w0)*{WEIGHT_SCALE!r}", *init, "nml_tlast = 0", "nml_seen = 0",
                *[f"{_seen_slot(port)} = 0" for port in self.mod_ports]]
        return replay, init

    def _start_lines(self, names, time, count_lost):
        """The start of a replay up to `time` (nml_s): the synapse's constants and where the
        connection's unseen events begin (the oldest ones lost if the buffers overflowed,
        counted in stdp_lost and mod_lost if `count_lost`)."""
        def lost(counter, amount):
            return [f"    {counter} = {counter} + {amount}"] if count_lost else []

        start = [*self._constant_lines(names), f"nml_s = {time}", "nml_same = 0", "nml_i = nml_seen",
                 f"if (nspk - nml_i > {NHIST}) {{", *lost("stdp_lost", f"nspk - nml_i - {NHIST}"),
                 f"    nml_i = nspk - {NHIST}", "}"]
        for port in self.mod_ports:
            seen, channel = "nml_mi_" + _safe(port), _channel_slot(port)
            start += [f"{seen} = {_seen_slot(port)}", f"if (mcount[{channel}] - {seen} > {NMOD}) {{",
                      *lost("mod_lost", f"mcount[{channel}] - {seen} - {NMOD}"),
                      f"    {seen} = mcount[{channel}] - {NMOD}", "}"]
        return start

    def _readout_procedure(self):
        """``FUNCTION nml_readout(nml_which, <readout_slots>)``: state variable number
        `nml_which` (in ``program.state`` order) of the connection whose slots are given,
        brought to now (its unseen post and modulatory events up to now, then the update block).
        The connection itself is unchanged (the arguments are copies), so that a presynaptic
        spike still in flight is handled in order later."""
        self._locals = ["nml_s", "nml_i", "nml_j", "nml_tp", "nml_more", "nml_elapsed", "nml_deliver", "nml_same",
                        "nml_te", "nml_ek", "nml_tm", "nml_jm", "nml_k", "nml_hk"]
        names = self._syn_names()
        body = [*self._start_lines(names, "t", count_lost=False), *self._event_loop(names, "0.01*dt"),
                *self._catch_up(names, "nml_s")]
        for k, variable in enumerate(self.program.state):
            body += [("if" if k == 0 else "} else if") + f" (nml_which < {k + 0.5}) {{",
                     f"    nml_readout = {names[variable]}"]
        body += ["}"]
        return [f"FUNCTION nml_readout(nml_which, {', '.join(readout_slots(self.program))}) {{",
                *_local_statement(self._locals), *_indent(body), "}", ""]

    def _store_modulatory_spike(self):
        """NET_RECEIVE code of a modulatory NetCon: its channel (slot nml_w0) keeps the spike's
        synapse time (delivery time + slot nml_preoff); every NMOD/2 spikes of the channel its
        connections are flushed (see _flush_lines), so that the buffer overflows only if more
        than NMOD/2 spikes arrive within one connection delay."""
        half = NMOD // 2
        return ["nml_ch = nml_w0", f"nml_j = nml_ch*{NMOD} + mcount[nml_ch] - {NMOD}*floor(mcount[nml_ch]/{NMOD})",
                "mhist[nml_j] = t + nml_preoff", "mcount[nml_ch] = mcount[nml_ch] + 1",
                f"if (mcount[nml_ch] - {half}*floor(mcount[nml_ch]/{half}) < 0.5) {{",
                *_indent(self._flush_lines()), "}"]

    def _flush_lines(self):
        """Every plastic connection onto this cell that listens to channel nml_ch handles the
        post and modulatory events that no presynaptic spike of it can precede any more: those
        before t - (its NetCon delay), since its pre spikes reach the cell a NetCon delay after
        their synapse time (FOR_NETCONS visits every NetCon onto this instance; its arguments
        are that NetCon's slots). The connection's result does not change: it handles the same
        events in the same order, only earlier."""
        names = self._syn_names()
        listens = " || ".join(f"fabs({_channel_slot(port)} - nml_ch) < 0.5" for port in self.mod_ports)
        body = [*self._start_lines(names, "t + nml_preoff - dt", count_lost=True), *self._event_loop(names, "0.01*dt"),
                "nml_seen = nml_i", *[f"{_seen_slot(port)} = nml_mi_{_safe(port)}" for port in self.mod_ports]]
        return [f"FOR_NETCONS ({', '.join(slot_names(self.program))}) {{",
                f"    if (nml_kind > {PLASTIC - 0.5} && nml_kind < {PLASTIC + 0.5} && ({listens})) {{",
                *_indent(_indent(body)), "    }", "}"]

    def _net_receive(self):
        readout = self._readout_procedure() if reads_out_now(self.program) else []
        return readout + self._net_receive_block()

    def _net_receive_block(self):
        base = super()._net_receive()
        self._locals = ["nml_we", "nml_s", "nml_i", "nml_j", "nml_tp", "nml_more", "nml_elapsed", "nml_deliver",
                        "nml_sign", "nml_same", "nml_te", "nml_ek", "nml_tm", "nml_jm", "nml_k", "nml_hk", "nml_ch"]
        replay, init = self._synapse_lines()
        start = base.index("    if (flag == 0) {")
        stop = base.index("    } else if (flag == 1) {")
        body = [re.sub(r"\bnml_w\b", "nml_we", line) for line in base[start + 1:stop]]
        emit = base.index("        net_event(t)")
        plastic = ["nml_we = nml_w", f"if (nml_kind > {PLASTIC - 0.5} && nml_kind < {PLASTIC + 0.5}) {{",
                   *_indent(replay), "}", *[line[8:] for line in body]]
        if self.mod_ports:
            plastic = [f"if (nml_kind > {MODULATORY - 0.5}) {{", *_indent(self._store_modulatory_spike()),
                       "} else {", *_indent(plastic), "}"]
        out = [f"NET_RECEIVE ({', '.join(slot_names(self.program))}) {{"]
        out += _local_statement(self._locals)
        out += ["    INITIAL {", "        : a plastic connection starts from its initial weight (a modulatory "
                "NetCon keeps its slots)",
                f"        if (nml_kind > {PLASTIC - 0.5} && nml_kind < {PLASTIC + 0.5}) {{",
                *_indent(_indent(_indent(init))), "        }", "    }",
                "    if (flag == 0) {", *_indent(_indent(plastic))]
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
        return np.column_stack([np.full(n, float(PLASTIC)), sign * column(weight), *params, delay,
                                -column(native_delay)])

    return stdp_slots


def refuse_without_neuron(synapse_name):
    """NoModelAvailableError: on NEURON a plastic NESTML synapse needs its postsynaptic neuron."""
    raise errors.NoModelAvailableError(
        f"NESTML synapse '{synapse_name}': on the NEURON backend a plastic NESTML synapse runs in the mechanism "
        f"of its postsynaptic NESTML neuron (as on NEST); give postsynaptic_neuron_nestml_description and connect "
        f"to populations of the returned type's postsynaptic_cell_type")


__all__ = ["NCHAN", "NMOD", "PairGenerator", "modulatory_ports", "slot_names", "state_slot", "stdp_slots_function"]
