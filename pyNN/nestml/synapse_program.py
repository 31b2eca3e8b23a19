"""A NESTML synapse as event code, for the generators of Brian2, NEURON and the hardware engine.

A plastic NESTML synapse such as the STDP synapse of the NESTML paper is a per-connection
state (the weight, pre- and postsynaptic traces), ODEs that make some of that state decay
between events, and ``onReceive`` handlers for presynaptic and postsynaptic spikes. This
module turns the intermediate form (:mod:`pyNN.nestml.ir`) into a :class:`SynapseProgram`
that every back end prints for its own event machinery:

- :attr:`SynapseProgram.advance` advances the ODE state exactly from the connection's last
  event to the current one: odetoolbox's propagators, with the time step replaced by the
  elapsed time :data:`ELAPSED` (ms), so that a trace decays exactly between events however
  far apart they are;
- :attr:`SynapseProgram.on_pre` is the handler of the presynaptic port, in which
  ``emit_spike(w, ...)`` sets :data:`DELIVER` (the weight the spike transmits, a NESTML
  weight);
- :attr:`SynapseProgram.on_post` is the handler of the postsynaptic port.

Events are handled in the synapse's time, with all of the delay dendritic as on NEST: a
presynaptic spike counts at its emission time, a postsynaptic spike at its emission time
plus the connection's delay; a post event is handled before a pre event of the same time,
but, as in NESTML's NEST code (where these variables live in the postsynaptic neuron and are
read strictly before the presynaptic spike), the presynaptic handler then reads the
:attr:`SynapseProgram.post_variables` as they were before that post event.
The statements are guarded assignments (:mod:`pyNN.nestml.program`), printed with
:mod:`pyNN.nestml.printers`.

A continuous input port (a third factor such as the dendritic current of the NESTML paper's
third-factor rule) reads a state variable of the postsynaptic neuron, named by
``postsynaptic_variables={port: variable}``: its symbol in the postsynaptic handler is the
variable's value at the post spike's emission (NESTML's ``post_spike_based`` buffering; the
back ends keep it with the cell's spike times), listed in :attr:`SynapseProgram.post_inputs`.
Only the postsynaptic handler may read it: NESTML's NEST code reads it in the presynaptic
handler at a time that depends on NEST's communication interval.

What cannot be translated raises NoModelAvailableError naming the model, the construct and
the back end: a continuous input port without its postsynaptic variable or read outside the
postsynaptic handler, spike ports other
than one pre and one post port (e.g. neuromodulatory ``mod_spikes``), an ``update`` block
doing more than ``integrate_odes()``, ODEs without exact propagators, and what the step
programs of neurons refuse (loops, vectors, user functions, random numbers).
"""

from dataclasses import dataclass, field

import sympy

from pyNN import errors
from pyNN.nestml import ir
from pyNN.nestml.program import Set, StepProgram, Temp, _Builder

#: time (ms) since the connection's previous event, in :attr:`SynapseProgram.advance`
ELAPSED = "__elapsed"
#: the weight a presynaptic spike transmits (NESTML weight), set by ``emit_spike``
DELIVER = "__deliver"


@dataclass
class SynapseProgram:
    """The event code of one NESTML synapse (see the module docstring).

    Attributes
    ----------
    model : the :class:`ir.Model`
    state : per-connection state variables (the model's state, the weight first)
    parameters : the model's parameters (per connection)
    advance, on_pre, on_post : :class:`~pyNN.nestml.program.StepProgram` objects holding
        the statements of each part
    pre_port, post_port : the ports of presynaptic and postsynaptic spikes
    post_variables : the state variables only the postsynaptic handler changes (the
        postsynaptic traces, not the weight): a presynaptic handler at the time of a post event
        reads them as they were before it
    post_inputs : continuous port -> the postsynaptic neuron's state variable it reads (at
        the post spike's emission, in model units; only the postsynaptic handler reads them)
    """

    model: ir.Model
    state: list = field(default_factory=list)
    parameters: list = field(default_factory=list)
    advance: StepProgram = None
    on_pre: StepProgram = None
    on_post: StepProgram = None
    pre_port: str = None
    post_port: str = None
    post_variables: list = field(default_factory=list)
    post_inputs: dict = field(default_factory=dict)

    def parts(self):
        """(name, StepProgram) of the three parts, in the order an event runs them."""
        return [("advance", self.advance), ("on_pre", self.on_pre), ("on_post", self.on_post)]


def refuse(model, construct, backend):
    """NoModelAvailableError: `backend` cannot run the NESTML synapse `model` because of `construct`."""
    raise errors.NoModelAvailableError(
        f"NESTML synapse '{model.name}': {construct} cannot be translated by the {backend} NESTML synapse "
        f"generator (it runs plastic synapses made of per-connection state, decaying ODEs with exact "
        f"propagators and onReceive handlers of one pre- and one postsynaptic spike port)")


class _SynapseBuilder(_Builder):
    """The statement translation of the neuron step programs, for synapse handlers."""

    def __init__(self, model, backend, post_inputs):
        super().__init__(model, backend)
        self.post_inputs = dict(post_inputs or {})

    def refuse(self, what):
        refuse(self.model, what, self.backend)

    def statement(self, stmt, guard):
        if isinstance(stmt, ir.EmitSpike):
            if not stmt.args:
                self.refuse("emit_spike() without a weight")
            self.assign(DELIVER, self.expr(stmt.args[0]), guard)
        else:
            super().statement(stmt, guard)

    def take(self):
        out, self.out = self.out, []
        return StepProgram(model=self.model, statements=out)

    def check_model(self):
        m = self.model
        if m.kind != "synapse":
            self.refuse("a neuron model")
        for port in m.continuous_ports():
            if port not in self.post_inputs:
                self.refuse(f"the continuous input port '{port}' without the postsynaptic variable it reads "
                            f"(give postsynaptic_variables={{'{port}': <state variable of the postsynaptic "
                            f"neuron>}})")
        if not m.post_ports:
            self.refuse("a synapse without a postsynaptic spike port (for a static synapse use StaticSynapse, for "
                        "short-term plasticity TsodyksMarkramSynapse)")
        others = [p for p in m.spike_ports() if p not in (m.pre_port, *m.post_ports)]
        if len(m.post_ports) > 1 or others:
            extra = sorted(set(m.post_ports[1:]) | set(others))
            self.refuse(f"the extra spike port(s) {extra} (e.g. a neuromodulatory spike input)")
        for stmt in m.update:
            if not (isinstance(stmt, ir.IntegrateODEs) and not stmt.variables):
                self.refuse(f"an update block doing more than integrate_odes() ({type(stmt).__name__})")
        if m.on_condition:
            self.refuse("an onCondition block")
        if any(s.kind == "numeric" for s in m.solvers):
            self.refuse("ODEs without exact propagators (a numeric solver)")
        for var in {**m.parameters, **m.state, **m.internals}.values():
            if var.size is not None:
                self.refuse(f"the vector variable '{var.name}'")
        if m.weight_variable not in m.state:
            self.refuse(f"a weight variable ('{m.weight_variable}') that is not a state variable")

    def advance(self):
        """Exact propagation of the ODE state over ELAPSED: the propagators with the time step
        replaced by the elapsed time, then the update expressions."""
        elapsed = {ir.TIMESTEP: sympy.Symbol(ELAPSED)}
        for solver in self.model.solvers:
            for name, value in solver.propagators.items():
                self.out.append(Temp(name, self.expr(value).xreplace(elapsed)))
            names = {}
            for var in solver.state_variables:
                names[var] = self.fresh(f"n_{var}_")
                self.out.append(Temp(names[var], self.expr(solver.update_expressions[var]).xreplace(elapsed)))
            for var in solver.state_variables:
                self.assign(var, sympy.Symbol(names[var]), None)
        return self.take()

    def handler(self, port):
        self.locals = {}
        for handler in self.model.on_receive:
            if handler.port == port:
                self.block(handler.body, None)
        return self.take()

    def build(self):
        m = self.model
        self.check_model()
        self.locals = {}
        internal_values = {}
        for name, var in m.internals.items():
            internal_values[name] = self.expr(sympy.sympify(var.value).xreplace(internal_values))
        self.inline.update({sympy.Symbol(k): v for k, v in internal_values.items()})
        state = [m.weight_variable] + [v for v in m.state if v != m.weight_variable]
        program = SynapseProgram(model=m, state=state, parameters=list(m.parameters), pre_port=m.pre_port,
                                 post_port=m.post_ports[0], post_inputs=self.post_inputs)
        program.advance = self.advance()
        program.on_pre = self.handler(m.pre_port)
        program.on_post = self.handler(m.post_ports[0])
        changed_by_pre = set(assigned(program.on_pre))
        program.post_variables = [v for v in assigned(program.on_post)
                                  if v in state[1:] and v not in changed_by_pre]
        known = set(m.parameters) | set(state) | {ELAPSED, DELIVER, m.pre_port, *m.post_ports}
        for part_name, part in program.parts():
            names = known | {s.name for s in part.statements if isinstance(s, Temp)}
            read = sorted(part.symbols() & set(self.post_inputs))
            if read and part_name != "on_post":
                self.refuse(f"the continuous input port(s) {read} read outside onReceive({m.post_ports[0]}) "
                            f"(NEST reads them there at a time set by its communication interval)")
            unresolved = part.symbols() - names - set(self.post_inputs)
            if unresolved:
                self.refuse(f"the names {sorted(unresolved)} (not parameters or state)")
            # a port's symbol in its own handler is the spike's weight: 1 for every event here
        for _, part in program.parts():
            ports = {sympy.Symbol(m.pre_port): sympy.Integer(1), sympy.Symbol(m.post_ports[0]): sympy.Integer(1)}
            part.statements = [type(s)(**{**s.__dict__, "value": sympy.sympify(s.value).xreplace(ports)})
                               for s in part.statements]
        return program


def synapse_program(model, backend, post_inputs=None):
    """The :class:`SynapseProgram` of the NESTML synapse `model` (an ir.Model); raises
    NoModelAvailableError naming `backend` for what it cannot express. `post_inputs` maps
    continuous input ports to the postsynaptic neuron's state variables they read (see
    :func:`check_postsynaptic_variables`)."""
    return _SynapseBuilder(model, backend, post_inputs).build()


def check_postsynaptic_variables(model, neuron, postsynaptic_variables):
    """The ``postsynaptic_variables`` argument of ``nestml_synapse_type`` checked against the
    synapse `model` and its postsynaptic `neuron` (ir.Models; `neuron` may be None): a dict
    continuous port -> state variable of the neuron, in the same unit. Returns the dict."""
    mapping = dict(postsynaptic_variables or {})
    ports = model.continuous_ports()
    for port, variable in mapping.items():
        if port not in ports:
            raise errors.ModelDescriptionError(
                f"NESTML synapse '{model.name}': postsynaptic_variables names '{port}', which is not one of its "
                f"continuous input ports {ports}")
        if neuron is None:
            raise errors.ModelDescriptionError(
                f"NESTML synapse '{model.name}': its continuous input port '{port}' reads the postsynaptic "
                f"neuron's '{variable}'; give postsynaptic_neuron_nestml_description")
        if variable not in neuron.state:
            raise errors.ModelDescriptionError(
                f"NESTML synapse '{model.name}': postsynaptic_variables maps '{port}' to '{variable}', which is "
                f"not a state variable of the postsynaptic neuron '{neuron.name}' ({sorted(neuron.state)})")
        port_unit, var_unit = model.input_ports[port].unit, neuron.state[variable].unit
        if port_unit != var_unit:
            raise errors.ModelDescriptionError(
                f"NESTML synapse '{model.name}': the continuous input port '{port}' is in {port_unit} but the "
                f"postsynaptic variable '{variable}' of '{neuron.name}' is in {var_unit}")
    return mapping


def assigned(part):
    """The variables a part assigns to (in order, without repeats)."""
    out = []
    for stmt in part.statements:
        if isinstance(stmt, Set) and stmt.target not in out:
            out.append(stmt.target)
    return out
