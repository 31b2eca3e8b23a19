"""One time step of a NESTML neuron as straight-line code, for the generators that need it.

The Brian2 and hardware-emulator generators cannot run NESTML's statements as written (Brian2's
abstract code has no ``if``; the emulator updates every cell at once with numpy). This module
turns the intermediate form (:mod:`pyNN.nestml.ir`) into a :class:`StepProgram`: a list of
assignments, each either unconditional or *guarded* by a 0/1 temporary, that advances every
cell by one step in the order ``doc/nestml.md`` prescribes:

1. the summed weights of this step's spikes are the spike ports' symbols (the back end
   provides them);
2. the kernel variables are propagated over the step into temporaries;
3. the ``update`` block runs (``integrate_odes`` uses the analytic solver's propagators, or
   classical Runge-Kutta (RK4) on the numeric solver's right-hand sides over one step);
4. the ``onReceive`` handlers of the ports that received spikes run;
5. the kernel variables take their propagated values plus each jump times the port's weight;
6. the ``onCondition`` blocks run in order; ``emit_spike()`` sets :data:`SPIKE_FLAG`.

An ``if`` becomes guards computed once, before any of its branches runs (so a branch that
changes a variable of a later condition does not change which branch runs). Loops, vector
variables, user functions, random numbers and ``print`` are refused with NotSupportedError.
Back ends print the program with :mod:`pyNN.nestml.printers`; the symbols of ports, the time
step and state/parameter names are theirs to map.
"""

from collections import Counter
from dataclasses import dataclass, field, replace

import sympy

from pyNN import errors
from pyNN.nestml import ir

#: name of the per-cell flag set by ``emit_spike()`` (1 in the step the cell fires)
SPIKE_FLAG = "nestml_spike"

#: functions every back end of this module can print
SUPPORTED_FUNCTIONS = {"exp", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh", "Abs", "ceiling",
                       "floor", "Min", "Max", "sqrt", "expm1", "sign", "Piecewise"}


@dataclass
class Temp:
    """A temporary: ``name = value`` (a number, or a 0/1 guard when `boolean`). A `constant` one
    depends only on the parameters and the time step (a propagator): a back end may compute it
    once per parameter change instead of every step. An `inline` one is printed inside the one
    statement that reads it (see :func:`inline_temporaries`), not as a line of its own. A local
    variable declared in a guarded block has that block's `guard`: only the cells where it holds
    read it (a back end may compute it there only)."""

    name: str
    value: sympy.Expr
    boolean: bool = False
    constant: bool = False
    inline: bool = False
    guard: str | None = None


@dataclass
class Set:
    """``target = value`` where the guard (a boolean Temp's name) holds; always if None."""

    target: str
    value: sympy.Expr
    guard: str | None = None


@dataclass
class StepProgram:
    """One step of a NESTML neuron as guarded assignments (see the module docstring).

    Attributes
    ----------
    model : the :class:`ir.Model`
    statements : list of :class:`Temp` and :class:`Set`
    state : every per-cell state variable: the model's state, then the kernel variables
    kernel_state : the kernel variables (initial value 0)
    spike_ports, continuous_ports : the model's input ports
    sections : the parts of the step, in order, as (kind, start, stop[, port]) slices of
        `statements`: "setup" (propagators, spike flag, kernels propagated aside), "update",
        "receive" (one per onReceive handler, with its port), "kernels" (kernel values stored,
        plus their jumps), "condition" (one per onCondition block)
    """

    model: ir.Model
    statements: list = field(default_factory=list)
    state: list = field(default_factory=list)
    kernel_state: list = field(default_factory=list)
    spike_ports: list = field(default_factory=list)
    continuous_ports: list = field(default_factory=list)
    sections: list = field(default_factory=list)

    def symbols(self):
        """Every free symbol the statements read (to check that a back end maps them all)."""
        out = set()
        for stmt in self.statements:
            out |= {str(s) for s in sympy.sympify(stmt.value).free_symbols}
        return out


class _Builder:
    def __init__(self, model, backend, substeps=1):
        self.model = model
        self.backend = backend
        if int(substeps) != substeps or substeps < 1:
            raise errors.InvalidParameterValueError(
                f"NESTML neuron '{model.name}': substeps must be a positive integer, not {substeps!r}")
        self.substeps = int(substeps)
        self.out = []
        self.counter = 0
        self.booleans = None
        self.inline = {sympy.Symbol(k): v for k, v in model.inline_expressions.items()}
        self.kernel_vars = [v for k in model.kernels for v in k.state_variables]
        self.analytic = next((s for s in model.solvers if s.kind == "analytic"), None)
        self.numeric = next((s for s in model.solvers if s.kind == "numeric"), None)
        self.ode_vars = []
        for solver in model.solvers:
            self.ode_vars += [v for v in solver.state_variables if v not in self.ode_vars]

    def refuse(self, what):
        raise errors.NotSupportedError(
            f"NESTML neuron '{self.model.name}': {what} is not supported by the {self.backend} NESTML generator")

    def fresh(self, prefix):
        self.counter += 1
        return f"_{prefix}{self.counter}"

    def expr(self, value):
        value = sympy.sympify(value)
        if self.inline:
            for _ in range(10):  # inline expressions may refer to each other
                new = value.xreplace(self.inline)
                if new == value:
                    break
                value = new
        value = self._boolean_tests(value)
        for f in value.atoms(sympy.Function):
            name = type(f).__name__
            if name not in SUPPORTED_FUNCTIONS and not isinstance(f, (sympy.Min, sympy.Max)):
                self.refuse(f"the function '{name}'")
        if value.atoms(sympy.Indexed):
            self.refuse("a vector variable")
        return value

    def _boolean_tests(self, value):
        """A boolean variable holds 0 or 1: where it is used as a condition (``not g_spike``,
        ``g_spike ? a : b`` in ``hill_tononi_neuron``) it becomes the test ``g_spike != 0``."""
        if self.booleans is None:
            self.booleans = {sympy.Symbol(n) for n, v in {**self.model.parameters, **self.model.state}.items()
                             if v.dtype == "boolean"}
        if not self.booleans or not (value.free_symbols & self.booleans):
            return value

        def test(arg):
            return sympy.Ne(arg, 0) if arg in self.booleans else arg
        value = value.replace(lambda e: isinstance(e, (sympy.And, sympy.Or, sympy.Not))
                              and any(a in self.booleans for a in e.args),
                              lambda e: e.func(*[test(a) for a in e.args]))
        return value.replace(lambda e: isinstance(e, sympy.Piecewise) and any(c in self.booleans for _, c in e.args),
                             lambda e: sympy.Piecewise(*[(v, test(c)) for v, c in e.args]))

    def guard(self, parent, condition):
        """A new 0/1 temporary: `parent` (a guard name or None) and `condition`."""
        condition = self.expr(condition)
        if parent is not None:
            condition = sympy.And(sympy.Symbol(parent), condition)
        name = self.fresh("g")
        self.out.append(Temp(name, condition, boolean=True))
        return name

    def assign(self, target, value, guard):
        self.out.append(Set(target, value, guard))

    # --- statements ---------------------------------------------------------------------------
    def block(self, statements, guard):
        for stmt in statements:
            self.statement(stmt, guard)

    def statement(self, stmt, guard):
        if isinstance(stmt, ir.Assign):
            if stmt.index is not None:
                self.refuse("assigning to a vector element")
            if stmt.target not in self.model.state and stmt.target not in self.locals:
                self.refuse(f"assigning to '{stmt.target}' (not a state variable)")
            value = self.expr(stmt.value)
            if isinstance(value, sympy.logic.boolalg.BooleanAtom):  # a boolean state variable is 0 or 1
                value = sympy.Integer(1 if value else 0)
            current = sympy.Symbol(self.locals.get(stmt.target, stmt.target))
            if stmt.op != "=":
                value = {"+=": current + value, "-=": current - value, "*=": current * value,
                         "/=": current / value}[stmt.op]
            self.assign(self.locals.get(stmt.target, stmt.target), value, guard)
        elif isinstance(stmt, ir.Declare):
            name = self.fresh(f"l_{stmt.name}_")
            value = self.expr(stmt.value) if stmt.value is not None else sympy.Integer(0)
            self.out.append(Temp(name, value, guard=guard))
            self.locals[stmt.name] = name
            self.inline[sympy.Symbol(stmt.name)] = sympy.Symbol(name)
        elif isinstance(stmt, ir.If):
            taken = []
            guards = []
            for condition, body in stmt.branches:
                cond = self.expr(condition)
                for previous in taken:
                    cond = sympy.And(cond, sympy.Not(previous))
                taken.append(self.expr(condition))
                guards.append((self.guard(guard, cond), body))
            if stmt.orelse:
                cond = sympy.And(*[sympy.Not(c) for c in taken]) if taken else sympy.true
                guards.append((self.guard(guard, cond), stmt.orelse))
            for name, body in guards:
                self.block(body, name)
        elif isinstance(stmt, ir.IntegrateODEs):
            self.integrate(stmt.variables, guard)
        elif isinstance(stmt, ir.EmitSpike):
            self.assign(SPIKE_FLAG, sympy.Integer(1), guard)
        elif isinstance(stmt, (ir.While, ir.For)):
            self.refuse("a loop (while/for)")
        elif isinstance(stmt, ir.Return):
            self.refuse("'return' outside a function")
        elif isinstance(stmt, ir.Call):
            self.refuse(f"the call '{stmt.name}()'")
        else:
            self.refuse(f"the statement {type(stmt).__name__}")

    # --- ODEs ---------------------------------------------------------------------------------
    def integrate(self, variables, guard):
        """`integrate_odes(variables)`: new values of the named non-kernel ODE variables (all when
        empty), computed from the current values, then assigned together."""
        wanted = [v for v in (variables or self.ode_vars) if v not in self.kernel_vars]
        unknown = [v for v in wanted if v not in self.ode_vars]
        if unknown:
            self.refuse(f"integrate_odes({', '.join(unknown)}) of variables without an ODE")
        new = {}
        exact = [v for v in wanted if self.analytic is not None and v in self.analytic.state_variables]
        for var in exact:
            new[var] = self.expr(self.analytic.update_expressions[var])
        rest = [v for v in wanted if v not in exact]
        if rest:
            stepped = self.rk4(self.numeric.state_variables)
            new.update({v: stepped[v] for v in rest})
        names = {}
        for var in wanted:
            names[var] = self.fresh(f"n_{var}_")
            self.out.append(Temp(names[var], new[var]))
        for var in wanted:
            self.assign(var, sympy.Symbol(names[var]), guard)

    def rk4(self, variables):
        """Expressions of the values of `variables` after the step, by classical RK4 on
        `substeps` equal sub-steps of their numeric right-hand sides (the other variables held);
        temporaries are emitted as needed."""
        if self.numeric is None:
            self.refuse("an ODE without a solver")
        h = ir.TIMESTEP / self.substeps if self.substeps > 1 else ir.TIMESTEP
        rhs = {v: self.expr(self.numeric.update_expressions[v]) for v in variables}
        current = {sympy.Symbol(v): sympy.Symbol(v) for v in variables}
        for sub in range(self.substeps):
            if sub:  # the previous sub-step's result, held in temporaries
                held = {}
                for v in variables:
                    name = self.fresh(f"s_{v}_")
                    self.out.append(Temp(name, current[sympy.Symbol(v)]))
                    held[sympy.Symbol(v)] = sympy.Symbol(name)
                current = held
            current = self._rk4_step(variables, rhs, current, h)
        return {v: current[sympy.Symbol(v)] for v in variables}

    def _rk4_step(self, variables, rhs, start, h):
        """One RK4 step of length `h` from `start` (symbol -> symbol of its value)."""
        stages = []
        point = dict(start)
        for k, fraction in enumerate((sympy.Rational(1, 2), sympy.Rational(1, 2), 1, None)):
            slopes = {}
            for v in variables:
                name = self.fresh(f"k{k + 1}_{v}_")
                self.out.append(Temp(name, rhs[v].xreplace(point)))
                slopes[v] = sympy.Symbol(name)
            stages.append(slopes)
            if fraction is not None:
                point = dict(start)
                for v in variables:
                    name = self.fresh(f"y{k + 1}_{v}_")
                    self.out.append(Temp(name, start[sympy.Symbol(v)] + fraction * h * slopes[v]))
                    point[sympy.Symbol(v)] = sympy.Symbol(name)
        out = {}
        for v in variables:
            k1, k2, k3, k4 = (stage[v] for stage in stages)
            out[sympy.Symbol(v)] = start[sympy.Symbol(v)] + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        return out

    def kernels_next(self):
        """Temporaries holding the kernel variables propagated over the step (step 2)."""
        if not self.kernel_vars:
            return {}
        exact = [v for v in self.kernel_vars if self.analytic is not None and v in self.analytic.state_variables]
        values = {v: self.expr(self.analytic.update_expressions[v]) for v in exact}
        rest = [v for v in self.kernel_vars if v not in exact]
        if rest:
            values.update({v: e for v, e in self.rk4(rest).items() if v in rest})
        names = {}
        for var in self.kernel_vars:
            names[var] = self.fresh(f"kn_{var}_")
            self.out.append(Temp(names[var], values[var]))
        return names

    # --- the step -----------------------------------------------------------------------------
    def build(self):
        m = self.model
        if m.kind != "neuron":
            self.refuse("a synapse model")
        for var in {**m.parameters, **m.state, **m.internals}.values():
            if var.size is not None:
                self.refuse(f"the vector variable '{var.name}'")
        for port in m.input_ports.values():
            if port.size is not None:
                self.refuse(f"the vector input port '{port.name}'")
        self.locals = {}
        internal_values = {}  # (propagators may use them: iaf_psc_alpha's unit_psc)
        for name, var in m.internals.items():
            internal_values[name] = self.expr(sympy.sympify(var.value).xreplace(internal_values))
        self.inline.update({sympy.Symbol(k): v for k, v in internal_values.items()})
        for solver in m.solvers:  # propagators: functions of the parameters and the time step
            for name, value in solver.propagators.items():
                self.out.append(Temp(name, self.expr(value), constant=True))
        self.assign(SPIKE_FLAG, sympy.Integer(0), None)
        kernel_next = self.kernels_next()
        sections = [("setup", 0, len(self.out))]
        self.block(m.update, None)
        sections.append(("update", sections[-1][2], len(self.out)))
        for handler in m.on_receive:
            start = len(self.out)
            received = self.guard(None, sympy.Ne(sympy.Symbol(handler.port), 0))
            self.block(handler.body, received)
            sections.append(("receive", start, len(self.out), handler.port))
        start = len(self.out)
        for kernel in m.kernels:
            port = sympy.Symbol(kernel.port)
            for var in kernel.state_variables:
                jump = self.expr(kernel.jumps.get(var, 0))
                self.assign(var, sympy.Symbol(kernel_next[var]) + jump * port, None)
        sections.append(("kernels", start, len(self.out)))
        for handler in m.on_condition:
            start = len(self.out)
            self.block(handler.body, self.guard(None, handler.condition))
            sections.append(("condition", start, len(self.out)))
        for kernel in m.kernels:
            if not kernel.state_variables:
                self.refuse(f"the kernel '{kernel.name}' given by ODEs (the intermediate form has no state "
                            f"variables for it yet)")
        program = StepProgram(model=m, statements=self.out, sections=sections)
        program.kernel_state = list(self.kernel_vars)
        program.state = list(m.state) + [v for v in self.kernel_vars if v not in m.state]
        program.spike_ports = m.spike_ports()
        program.continuous_ports = m.continuous_ports()
        known = set(m.parameters) | set(program.state) | set(m.input_ports) | {ir.TIMESTEP.name, SPIKE_FLAG}
        known |= {stmt.name for stmt in self.out if isinstance(stmt, Temp)}
        unresolved = program.symbols() - known
        if unresolved:
            self.refuse(f"the names {sorted(unresolved)} (not parameters, state or ports)")
        return program


def current_ports(model, program, backend, code):
    """{continuous port: `code`} for a back end that reads one external current (pA) into every
    continuous port; NotSupportedError naming `backend` for a port in another unit."""
    out = {}
    for port in program.continuous_ports:
        if model.input_ports[port].unit != "pA":
            raise errors.NotSupportedError(
                f"NESTML neuron '{model.name}': continuous input port '{port}' in "
                f"{model.input_ports[port].unit}; the {backend} NESTML generator reads current ports (pA) only")
        out[port] = code
    return out


def step_program(model, backend, substeps=1):
    """The :class:`StepProgram` of the NESTML neuron `model` (an ir.Model).

    `substeps` RK4 sub-steps per time step advance the numeric solver's variables (1: one RK4
    step per time step; stiff models such as Hodgkin-Huxley need more, e.g. 10 at dt = 0.1 ms).
    Raises NotSupportedError naming `backend` for what the program cannot express.
    """
    return _Builder(model, backend, substeps).build()


def _reads(stmt):
    return {str(s) for s in sympy.sympify(stmt.value).free_symbols}


def _order_parallel_sets(statements):
    """`statements` with each run of consecutive assignments of temporaries under one guard (the
    end of an ``integrate_odes``: every new value was computed before the first of them) ordered
    so that a variable is assigned after the values that read it, where the run allows it. The
    order within such a run does not change the result; this one lets the values be inlined."""
    temps = {s.name: s for s in statements if isinstance(s, Temp) and not s.boolean}

    def parallel(stmt, guard):
        return (isinstance(stmt, Set) and stmt.guard == guard and isinstance(stmt.value, sympy.Symbol)
                and stmt.value.name in temps)

    out, i = [], 0
    while i < len(statements):
        stmt = statements[i]
        if not parallel(stmt, getattr(stmt, "guard", None)):
            out.append(stmt)
            i += 1
            continue
        j = i
        while j < len(statements) and parallel(statements[j], stmt.guard):
            j += 1
        run = statements[i:j]
        targets = [s.target for s in run]
        if len(set(targets)) == len(targets) and not set(targets) & {s.value.name for s in run}:
            pending, ordered = list(run), []
            while pending:
                # the first assignment whose variable no other pending value reads
                free = next((s for s in pending if not any(s.target in _reads(temps[o.value.name])
                                                           for o in pending if o is not s)), None)
                if free is None:  # a cycle: keep the rest as it is
                    ordered += pending
                    break
                ordered.append(free)
                pending.remove(free)
            run = ordered
        out += run
        i = j
    return out


def inline_temporaries(program):
    """A copy of `program` in which every temporary that one later statement reads, once, is marked
    ``inline`` where moving its computation into that statement keeps its value (no statement in
    between assigns a name it reads). Guards, propagators and local variables stay as they are.

    A back end whose guarded assignments are real branches (Brian2's Cython target) then computes
    a branch's new values only in the cells that take it, and never evaluates a value of a branch
    not taken (a division by zero there cannot raise)."""
    statements = _order_parallel_sets(list(program.statements))
    reads = [_reads(s) for s in statements]
    uses = Counter()  # (occurrences: a temporary read twice by one statement is not inlined)
    for stmt, names in zip(statements, reads):
        value = sympy.sympify(stmt.value)
        uses.update({name: value.count(sympy.Symbol(name)) for name in names})
    assigned = {s.target for s in statements if isinstance(s, Set)}
    position = list(range(len(statements)))  # where each statement's value is computed
    for i in range(len(statements) - 1, -1, -1):
        stmt = statements[i]
        if (not isinstance(stmt, Temp) or stmt.boolean or stmt.constant or stmt.name in assigned
                or uses[stmt.name] != 1):
            continue
        user = next((k for k in range(i + 1, len(statements)) if stmt.name in reads[k]), None)
        if user is None:
            continue
        end = position[user]
        written = {s.target for s in statements[i + 1:end] if isinstance(s, Set)}
        if not written & reads[i]:
            statements[i] = replace(stmt, inline=True)
            position[i] = end
    return replace(program, statements=statements)


def _increment(value, base, port):
    """c if `value` is ``base + c*port`` with c a number, else None."""
    delta = sympy.expand(sympy.sympify(value) - base)
    coefficient = delta.coeff(sympy.Symbol(port))
    if not coefficient.is_Number or sympy.expand(delta - coefficient * sympy.Symbol(port)) != 0:
        return None
    return float(coefficient)


def direct_input_parts(program):
    """The step `program` split as a standard neuron's (Brian2's), or None if it does not split.

    Returns (update, increments, condition, reset): `update`, the statements before the input
    (the ``update`` block, with the kernels stored), run in the group's slot before the synapses;
    `increments`, port -> [(state variable, c)]: each spike adds c x its NESTML weight to the
    variable (the synapse's ``on_pre``); `condition`, the one ``onCondition`` block's condition
    (the threshold); `reset`, its statements without ``emit_spike()`` (the reset).

    It splits when this order is NESTML's (update, onReceive handlers, kernel jumps,
    onCondition): every handler and kernel jump only adds a number times the port's summed
    weight to a state variable (adding each spike's share instead of their sum differs in the
    last bits only), and the only ``emit_spike()`` is at the top of the only ``onCondition`` block.
    """
    statements = program.statements
    sections = program.sections
    conditions = [sec for sec in sections if sec[0] == "condition"]
    if len(conditions) != 1 or sections[-1] is not conditions[0]:
        return None
    _, start, stop = conditions[0]
    guard = statements[start]
    flags = [s for s in statements if isinstance(s, Set) and s.target == SPIKE_FLAG]
    fire = [s for s in statements[start + 1:stop] if isinstance(s, Set) and s.target == SPIKE_FLAG]
    if len(flags) != 2 or len(fire) != 1 or fire[0].guard != guard.name or flags[0].guard is not None:
        return None
    increments = {port: [] for port in program.spike_ports}
    update_end = next(sec for sec in sections if sec[0] == "update")[2]
    update = [s for s in statements[:update_end] if s is not flags[0]]
    for sec in sections:
        body = statements[sec[1]:sec[2]]
        if sec[0] == "receive":
            for stmt in body[1:]:
                c = (_increment(stmt.value, sympy.Symbol(stmt.target), sec[3])
                     if isinstance(stmt, Set) and stmt.guard == body[0].name and stmt.target in program.state else None)
                if c is None:
                    return None
                increments[sec[3]].append((stmt.target, c))
        elif sec[0] == "kernels":
            for stmt in body:
                port = next(iter(p for p in program.spike_ports if sympy.Symbol(p) in stmt.value.free_symbols), None)
                base = stmt.value.subs(sympy.Symbol(port), 0) if port else stmt.value
                c = 0.0 if port is None else _increment(stmt.value, base, port)
                if c is None:
                    return None
                update.append(Set(stmt.target, base))
                if c:
                    increments[port].append((stmt.target, c))
    true = {sympy.Symbol(guard.name): sympy.true}
    reset = []
    for stmt in statements[start + 1:stop]:
        if stmt is fire[0]:
            continue
        if isinstance(stmt, Temp):
            reset.append(replace(stmt, value=sympy.sympify(stmt.value).xreplace(true),
                                 guard=None if stmt.guard == guard.name else stmt.guard))
        else:
            reset.append(Set(stmt.target, stmt.value, None if stmt.guard == guard.name else stmt.guard))
    ports = set(program.spike_ports)
    if not all(increments.values()) or any(
            ports & {str(x) for x in sympy.sympify(s.value).free_symbols} for s in update + reset):
        return None
    parts = [StepProgram(model=program.model, statements=part, state=program.state) for part in (update, reset)]
    return parts[0], increments, guard.value, parts[1]
