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
- :attr:`SynapseProgram.on_post` is the handler of the postsynaptic port; a synapse without
  one (short-term plasticity such as NESTML's ``tsodyks_synapse``) has ``post_port = None``
  and an ``on_post`` without statements, and back ends then have no post events to handle.

In a handler, NESTML's ``t`` is :data:`EVENT_TIME`: the event's time in the synapse's time (below),
the time the state has just been advanced to (``tsodyks_synapse`` keeps it as
``t_last_update`` and computes its own decay from it); elsewhere ``t`` is refused. A weight
variable that is a parameter rather than state (``tsodyks_synapse``'s ``w``) is the program's
first state variable all the same, which no statement changes. A state variable whose initial
value refers to a parameter (``u real = U``) starts at the value computed from the parameters'
defaults, as NESTML's NEST code does (it evaluates it when the synapse model is built, before
the connection's own parameters are set). A conditional expression (``c ? a : b``) is a
``Piecewise``; printers may evaluate both branches (numpy's ``where``), so a branch that
divides by zero where it is not taken yields inf or nan that is then discarded.

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

Modulatory spike ports and the update block (``modulatory=True``)
-----------------------------------------------------------------
A synapse may have further spike ports (NESTML's neuromodulated STDP rule has
``mod_spikes``) and an ``update`` block that does more than ``integrate_odes()`` (the same
rule decays its eligibility trace ``c`` and dopamine trace ``n`` and moves the weight there).
Their sources are given per projection (``modulatory_inputs={port: population}`` on the
synapse-type instance, :mod:`pyNN.nestml.modulation`): every spike of every cell of the
population reaches every connection of the projection and takes effect at its emission time
plus the modulatory delay. The semantics, the same on every back end:

- **per step**: the ``update`` block runs once per time step for every connection, with
  ``timestep()`` the time step: first its statements (:attr:`SynapseProgram.update`, in
  which the symbol ``__h`` (:data:`pyNN.nestml.ir.TIMESTEP`) is the time step), then its
  ``integrate_odes`` (the exact :attr:`SynapseProgram.advance` over one step). The statements
  may not read or write an ODE variable, so the two parts commute and a back end may advance
  the ODEs over many steps at once; ``integrate_odes`` must name every ODE variable;
- **events at the end of a step**: a modulatory, post or pre event at time t (a multiple of
  dt) acts after the update of the step ending at t; events at the same time run in the order
  *modulatory, post, pre* (as NESTML's NEST code: ``process_mod_spikes`` up to and including
  the time of each post or pre event runs before its handler). Every pre, post and
  modulatory spike runs its handler once (several modulatory spikes at one time: once each);
  a modulatory handler may not read its port's symbol (NESTML's NEST code does not give it);
- **catching up**: nothing but the update block acts between events, so a back end may
  apply k steps at an event instead of one per step. When
  :attr:`SynapseProgram.update_composes` is True (the statements are the exact solution over
  any ``__h``, as the neuromodulated rule's are; checked numerically when the program is
  built) one application with ``__h = k * dt`` equals k applications with ``__h = dt`` (to
  rounding), which is what NESTML's NEST code does (it runs the block once per interval
  between events, with ``timestep()`` the interval).

What cannot be translated raises NoModelAvailableError naming the model, the construct and the
back end: a synapse without state (a static one: use StaticSynapse), a continuous input port
without its postsynaptic variable or read outside the postsynaptic handler, spike ports other
than one pre and at most one post port (unless the back end asks for ``modulatory=True``), an
``update`` block doing more than ``integrate_odes()`` (likewise; with ``modulatory=True``: an
update block whose statements touch the ODE variables, or whose ``integrate_odes`` leaves some
of them out), ODEs without exact propagators, and what the step programs of neurons refuse
(loops, vectors, user functions, random numbers), ``t`` outside the handlers.
"""

from dataclasses import dataclass, field

import numpy as np
import sympy

from pyNN import errors
from pyNN.nestml import ir
from pyNN.nestml.program import Set, StepProgram, Temp, _Builder

#: time (ms) since the connection's previous event, in :attr:`SynapseProgram.advance`
ELAPSED = "__elapsed"
#: the weight a presynaptic spike transmits (NESTML weight), set by ``emit_spike``
DELIVER = "__deliver"
#: NESTML's ``t`` inside an ``onReceive`` handler: the time (ms) of the event being handled,
#: in the synapse's time (a pre spike: its emission; a post spike: its emission + the delay;
#: a modulatory spike: its emission + the modulatory delay), the time the back end advances the
#: connection's state to before running the handler
EVENT_TIME = "__t_event"


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
    pre_port, post_port : the ports of presynaptic and postsynaptic spikes (`post_port` None for
        a synapse without one; its `on_post` then has no statements)
    post_variables : the state variables only the postsynaptic handler changes (the
        postsynaptic traces, not the weight): a presynaptic handler at the time of a post event
        reads them as they were before it
    post_inputs : continuous port -> the postsynaptic neuron's state variable it reads (at
        the post spike's emission, in model units; only the postsynaptic handler reads them)
    mod_ports : the modulatory spike ports (every spike port besides the pre and post ports),
        in declaration order; empty unless built with ``modulatory=True``
    on_mod : modulatory port -> :class:`StepProgram` of its handler, run once per spike (it
        does not read the port's symbol)
    update : the ``update`` block's statements other than ``integrate_odes`` as a
        :class:`StepProgram` run once per time step before the exact ODE step; ``__h``
        (:data:`pyNN.nestml.ir.TIMESTEP`) is the time step in it. Empty (no statements) for a
        synapse whose update block only integrates its ODEs
    update_composes : True if one application of :attr:`update` with ``__h = k * dt`` equals
        k applications with ``__h = dt`` (within 1e-12 relative, checked at random values): a
        back end may then catch up k steps in one application
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
    mod_ports: list = field(default_factory=list)
    on_mod: dict = field(default_factory=dict)
    update: StepProgram = None
    update_composes: bool = True

    def parts(self):
        """(name, StepProgram) of the three parts, in the order an event runs them."""
        return [("advance", self.advance), ("on_pre", self.on_pre), ("on_post", self.on_post)]

    def modulated_parts(self):
        """(name, StepProgram) of the per-step update and of each modulatory handler (named
        ``on_<port>``); empty for a synapse with neither."""
        out = [("update", self.update)] if self.has_update else []
        return out + [(f"on_{port}", self.on_mod[port]) for port in self.mod_ports]

    def all_parts(self):
        """Every part: :meth:`parts` then :meth:`modulated_parts`."""
        return self.parts() + self.modulated_parts()

    @property
    def has_update(self):
        """True if the update block does more than integrate the ODEs."""
        return self.update is not None and bool(self.update.statements)


def refuse(model, construct, backend):
    """NoModelAvailableError: `backend` cannot run the NESTML synapse `model` because of `construct`."""
    raise errors.NoModelAvailableError(
        f"NESTML synapse '{model.name}': {construct} cannot be translated by the {backend} NESTML synapse "
        f"generator (it runs plastic synapses made of per-connection state, decaying ODEs with exact "
        f"propagators and onReceive handlers of one pre- and at most one postsynaptic spike port)")


class _SynapseBuilder(_Builder):
    """The statement translation of the neuron step programs, for synapse handlers."""

    def __init__(self, model, backend, post_inputs, modulatory=False):
        super().__init__(model, backend)
        self.post_inputs = dict(post_inputs or {})
        self.modulatory = modulatory

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
        if not m.post_ports and not m.state and not m.update and not m.odes:
            self.refuse("a synapse without state (for a static synapse use StaticSynapse)")
        others = [p for p in m.spike_ports() if p not in (m.pre_port, *m.post_ports)]
        if len(m.post_ports) > 1:
            self.refuse(f"the extra postsynaptic spike port(s) {list(m.post_ports[1:])}")
        if others and not self.modulatory:
            self.refuse(f"the extra spike port(s) {others} (e.g. a neuromodulatory spike input)")
        if not self.modulatory:
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
        if m.weight_variable not in m.state and m.weight_variable not in m.parameters:
            self.refuse(f"a weight variable ('{m.weight_variable}') that is neither a parameter nor a state variable")

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
        """The statements of ``onReceive(port)`` (none if `port` is None or has no handler); NESTML's
        ``t`` in them is :data:`EVENT_TIME`."""
        self.locals = {}
        for handler in self.model.on_receive:
            if port is not None and handler.port == port:
                self.block(handler.body, None)
        part = self.take()
        now = {sympy.Symbol("t"): sympy.Symbol(EVENT_TIME)}
        for stmt in part.statements:
            stmt.value = sympy.sympify(stmt.value).xreplace(now)
        return part

    def update_block(self):
        """The update block's statements without ``integrate_odes`` (see the module docstring),
        after checking that they neither read nor write an ODE variable and that
        ``integrate_odes`` (if called) advances all of them."""
        m = self.model
        ode_vars = [v for s in m.solvers for v in s.state_variables]
        statements = []
        for stmt in m.update:
            if isinstance(stmt, ir.IntegrateODEs):
                missing = sorted(set(ode_vars) - set(stmt.variables or ode_vars))
                if missing:
                    self.refuse(f"integrate_odes({', '.join(stmt.variables)}) in the update block, which leaves the "
                                f"ODE variables {missing} out")
            else:
                statements.append(stmt)
        touched = ir.names_read(statements) | set(_targets(statements))
        if ode_vars and touched & set(ode_vars):
            self.refuse(f"an update block whose statements read or write the ODE variables "
                        f"{sorted(touched & set(ode_vars))} (they must commute with integrate_odes())")
        if not any(isinstance(s, ir.IntegrateODEs) for s in m.update) and ode_vars:
            self.refuse("an update block that does not call integrate_odes() for the synapse's ODEs")
        self.locals = {}
        self.block(statements, None)
        return self.take()

    def build(self):
        m = self.model
        self.check_model()
        self.locals = {}
        internal_values = {}
        for name, var in m.internals.items():
            internal_values[name] = self.expr(sympy.sympify(var.value).xreplace(internal_values))
        self.inline.update({sympy.Symbol(k): v for k, v in internal_values.items()})
        # a weight that is a parameter (NESTML's tsodyks_synapse) is kept as the first state
        # variable all the same, which no handler can change (assigning to a parameter is refused):
        # the back ends
        # read the transmitted weight's base from there as for a plastic weight
        state = [m.weight_variable] + [v for v in m.state if v != m.weight_variable]
        post_port = m.post_ports[0] if m.post_ports else None
        program = SynapseProgram(model=m, state=state, parameters=[p for p in m.parameters if p != m.weight_variable],
                                 pre_port=m.pre_port, post_port=post_port, post_inputs=self.post_inputs)
        program.advance = self.advance()
        program.on_pre = self.handler(m.pre_port)
        program.on_post = self.handler(post_port)
        changed_by_pre = set(assigned(program.on_pre))
        program.post_variables = [v for v in assigned(program.on_post)
                                  if v in state[1:] and v not in changed_by_pre]
        program.mod_ports = [p for p in m.spike_ports() if p not in (m.pre_port, *m.post_ports)]
        program.on_mod = {port: self.handler(port) for port in program.mod_ports}
        for port, part in program.on_mod.items():
            if port in part.symbols():
                self.refuse(f"a modulatory handler that reads its port '{port}' (NESTML's NEST code for a "
                            f"volume-transmitter port does not give its value; each spike runs the handler)")
        program.update = self.update_block() if self.modulatory else StepProgram(model=m, statements=[])
        known = set(m.parameters) | set(state) | {ELAPSED, DELIVER, m.pre_port, *m.post_ports, *program.mod_ports}
        known.add(ir.TIMESTEP.name)
        for part_name, part in program.all_parts():
            names = known | {s.name for s in part.statements if isinstance(s, Temp)}
            if part_name.startswith("on_"):
                names.add(EVENT_TIME)
            elif "t" in part.symbols():
                self.refuse(f"the time t in the {part_name} part (only onReceive handlers may read it)")
            read = sorted(part.symbols() & set(self.post_inputs))
            if read and part_name != "on_post":
                self.refuse(f"the continuous input port(s) {read} read outside onReceive({post_port}) "
                            f"(NEST reads them there at a time set by its communication interval)")
            unresolved = part.symbols() - names - set(self.post_inputs)
            if unresolved:
                self.refuse(f"the names {sorted(unresolved)} (not parameters or state)")
            # a port's symbol in its own handler is the spike's weight: 1 for every event here
        for _, part in program.parts():
            ports = {sympy.Symbol(port): sympy.Integer(1) for port in (m.pre_port, post_port) if port is not None}
            part.statements = [type(s)(**{**s.__dict__, "value": sympy.sympify(s.value).xreplace(ports)})
                               for s in part.statements]
        if ir.TIMESTEP.name in set().union(*[part.symbols() for _, part in program.all_parts()
                                             if part is not program.update]):
            self.refuse("timestep() outside the update block")
        program.update_composes = _composes(program)
        return program


def _targets(statements):
    """The variables `statements` (nested blocks included) assign to."""
    out = []
    for stmt in statements:
        if isinstance(stmt, ir.Assign):
            out.append(stmt.target)
        elif isinstance(stmt, ir.If):
            for _, body in stmt.branches:
                out += _targets(body)
            out += _targets(stmt.orelse)
    return out


def _composes(program, trials=3, seed=20261207):
    """True if applying :attr:`SynapseProgram.update` with ``__h = a`` then ``__h = b`` gives
    what one application with ``__h = a + b`` gives, at random positive values of the
    parameters and state (relative 1e-12): the statements are then the exact solution of
    something over any interval, and a back end may catch up many steps at once."""
    from pyNN.nestml import printers
    if not program.has_update:
        return True
    rng = np.random.default_rng(seed)
    names = {n: f"v_{i}" for i, n in enumerate(program.parameters + program.state)}
    names[ir.TIMESTEP.name] = "h_"
    code = compile(printers.numpy_code(program.update, names), "<update>", "exec")
    for _ in range(trials):
        start = {names[n]: float(v) for n, v in zip(program.parameters + program.state,
                                                    rng.uniform(0.5, 2.0, len(names) - 1))}
        results = []
        for steps in ((0.7, 0.45), (1.15,)):
            env = {"np": np, **start}
            for h in steps:
                env["h_"] = h
                with np.errstate(all="ignore"):
                    exec(code, env)
            results.append(np.array([float(env[names[n]]) for n in program.state]))
        if not np.allclose(results[0], results[1], rtol=1e-12, atol=1e-14):
            return False
    return True


def synapse_program(model, backend, post_inputs=None, modulatory=False):
    """The :class:`SynapseProgram` of the NESTML synapse `model` (an ir.Model); raises
    NoModelAvailableError naming `backend` for what it cannot express. `post_inputs` maps
    continuous input ports to the postsynaptic neuron's state variables they read (see
    :func:`check_postsynaptic_variables`). `modulatory`: the back end runs modulatory spike
    ports and update blocks (see the module docstring); otherwise they are refused."""
    return _SynapseBuilder(model, backend, post_inputs, modulatory).build()


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
