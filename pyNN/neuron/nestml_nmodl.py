"""The intermediate form of a NESTML neuron -> an NMODL point process for the NEURON backend.

The mechanism is shaped like the backend's own cell mechanisms (``nmodl/pynn_if_curr.mod``):
a point process in the shared section that holds its own state, advances it once per time
step (``BREAKPOINT { SOLVE nml_advance }``), sets ``spk`` in a step in which it fires (a
WATCH on ``spk`` emits the output event) and reads current sources from ``i_inj`` (nA).
Every quantity inside is in NESTML's model units (mV, ms, pA, pF, nS): the cell type's
translation table converts parameters, and the recorder scales state variables.

One call of ``nml_advance`` is one step of the model in the order of ``doc/nestml.md``
(NESTML's NEST code): propagate the kernels aside, run ``update``, run the ``onReceive``
handlers of the ports that received spikes, store the kernels and add their jumps, run the
``onCondition`` blocks. Spikes are summed per port by NET_RECEIVE (NESTML weights: library
weight x 1000; a negative weight goes, as its magnitude, to the ``inhibitory`` port of a
model with ``excitatory``/``inhibitory`` ports) and are delivered one step early (the cell
type sets ``voltage_jump``), so that they act at the end of the step ending at spike time +
delay, as on NEST.

``integrate_odes`` uses the exact propagators where odetoolbox found them (recomputed when
a parameter or dt changes) and the classical 4th-order Runge-Kutta method over ``nsub``
sub-steps for the ODEs odetoolbox left to a numeric solver; inside those sub-steps the
exactly solvable variables (kernels, linear conductances) follow their exact time course,
as in ``pynn_if_cond.mod``.
"""

import keyword
import math
import re

import sympy

from pyNN import errors
from pyNN.nestml import ir
from pyNN.nestml.nmodl_expr import HELPERS, nmodl

#: names a model variable must not take in the mechanism (NEURON's own, NMODL's, C++'s,
#: and the fixed names the backend uses: spk, i_inj, nsub)
RESERVED = set(keyword.kwlist) | {
    "t", "dt", "v", "i", "area", "diam", "celsius", "secondorder", "flag", "PI", "FARADAY", "R", "e",
    "spk", "i_inj", "nsub", "int", "double", "float", "char", "long", "short", "void", "const", "static",
    "struct", "union", "switch", "case", "default", "do", "goto", "sizeof", "typedef", "unsigned", "signed",
    "extern", "register", "volatile", "auto", "new", "delete", "this", "template", "namespace", "using",
    "exp", "log", "log10", "sin", "cos", "tan", "sinh", "cosh", "tanh", "fabs", "floor", "ceil", "sqrt", "pow",
    "erf", "erfc", "fmod", "asin", "acos", "atan", "atan2", "net_send", "net_event", "net_move", "printf",
    "table", "usetable", "nrn_threads", "hoc_execerror",
}
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: one current source feeds the model's current port: NESTML pA = library nA x 1000
CURRENT_PORT_FACTOR = 1000.0


def _safe(name):
    """The NMODL name of a model name (renamed only when it could clash)."""
    if _IDENT.match(name) and name not in RESERVED and not name.startswith(("nml_", "init_")):
        return name
    return "nml_u_" + re.sub(r"[^A-Za-z0-9_]", "_", name).lstrip("_")


class NMODLGenerator:
    """Generates the NMODL text of one NESTML neuron.

    Parameters
    ----------
    model : pyNN.nestml.ir.Model
    mechanism : the NMODL name of the point process
    header : lines for the COMMENT block (provenance: source, tool versions)
    """

    def __init__(self, model, mechanism, header=()):
        if model.kind != "neuron":
            raise errors.InvalidModelError(f"NESTML model '{model.name}' is a synapse, not a neuron")
        self.model = model
        self.mechanism = mechanism
        self.header = list(header)
        self.where = f"NESTML model '{model.name}'"
        self._counter = 0
        self._locals = []
        self._check_supported()
        m = model
        self.kernel_vars = [v for k in m.kernels for v in k.state_variables]
        analytic = [s for s in m.solvers if s.kind == "analytic"]
        numeric = [s for s in m.solvers if s.kind == "numeric"]
        self.analytic = analytic[0] if analytic else None
        self.numeric = numeric[0] if numeric else None
        self.ode_vars = [v for s in m.solvers for v in s.state_variables if v not in self.kernel_vars]
        self.ode_vars = list(dict.fromkeys(self.ode_vars))
        self.spike_ports = m.spike_ports()
        self.current_port = (m.continuous_ports() or [None])[0]
        self.names = self._name_table()
        self.nsub = self._default_nsub()

    # --- checks and names ----------------------------------------------------------------------

    def _refuse(self, what):
        raise errors.NotSupportedError(f"{self.where}: {what} is not supported by the NEURON NESTML generator")

    def _check_supported(self):
        m = self.model
        for port in m.input_ports.values():
            if port.size is not None:
                self._refuse(f"the vector input port '{port.name}'")
        continuous = m.continuous_ports()
        if len(continuous) > 1 or any(m.input_ports[p].unit != "pA" for p in continuous):
            self._refuse(f"continuous input ports other than one current port (pA) ({continuous})")
        for group in (m.parameters, m.state, m.internals):
            for var in group.values():
                if var.size is not None:
                    self._refuse(f"the vector variable '{var.name}'")
        for kernel in m.kernels:
            if m.input_ports.get(kernel.port) is None or m.input_ports[kernel.port].kind != "spike":
                self._refuse(f"the convolution of kernel '{kernel.name}' with '{kernel.port}' (not a spike port)")
            for var in kernel.state_variables:
                solver = m.solver_for(var)
                if solver is None or solver.kind != "analytic":
                    self._refuse(f"the kernel variable '{var}' without exact propagators")

    def _name_table(self):
        m = self.model
        names = {}
        for group in (m.parameters, m.state, m.internals):
            names.update({n: _safe(n) for n in group})
        names.update({v: _safe(v) for v in self.kernel_vars})
        for solver in m.solvers:
            names.update({v: _safe(v) for v in solver.state_variables})
            names.update({p: "nml" + p if p.startswith("_") else _safe(p) for p in solver.propagators})
        for port in self.spike_ports:
            names[port] = "nml_in_" + re.sub(r"\W", "_", port)
        if self.current_port:
            names[self.current_port] = "nml_cur_" + re.sub(r"\W", "_", self.current_port)
        names[ir.TIMESTEP.name] = "nml_h"
        names.update({f: "nml_f_" + f for f in m.functions})
        return names

    def _default_nsub(self):
        """Runge-Kutta sub-steps per time step: 2 when the numerically integrated ODEs are
        linear in their variables (as pynn_if_cond.mod), 10 otherwise (as pynn_hh.mod)."""
        if not self._rk_variables():
            return 1
        return 2 if self.model.numeric_odes_are_linear() else 10

    def _rk_variables(self):
        return self.model.numeric_only_variables()

    def expr(self, value, names=None):
        return nmodl(value, names or self.names, self.where)

    def _local(self, name):
        self._locals.append(name)
        return name

    # --- blocks --------------------------------------------------------------------------------

    def text(self):
        """The whole .mod file."""
        from pyNN.nestml.types import WEIGHT_SCALE, evaluate_defaults
        m = self.model
        self.weight_scale = WEIGHT_SCALE
        params = evaluate_defaults(m, m.parameters)
        initial = evaluate_defaults(m, m.state)
        n = self.names
        advance = self._advance()  # fills self._locals
        user_state = [n[s] for s in m.state]
        kernel_state = [n[v] for v in self.kernel_vars]
        buffers = [n[p] for p in self.spike_ports] + ["nml_n_" + n[p][len("nml_in_"):] for p in self.spike_ports]
        props = self._propagator_names()
        keys = ["nml_key_" + n[p] for p in m.parameters] + ["nml_key_dt", "nml_key_nsub"]
        half = [n[p] + "_hs" for p in self.analytic.propagators] if self._rk_variables() and self.analytic else []
        assigned = ([n[i] for i in m.internals] + props + half + buffers
                    + ([n[self.current_port]] if self.current_port else []) + keys
                    + ["i_inj", "nml_h", "nml_hsub"])
        ranges = ([n[p] for p in m.parameters] + user_state + ["init_" + s for s in user_state]
                  + [n[i] for i in m.internals] + kernel_state + ["spk", "i_inj", "nsub"])
        out = ["COMMENT", f"NESTML neuron '{m.name}' as an NMODL point process, generated by pyNN.neuron.nestml "
               "(do not edit).", *self.header,
               "Units: NESTML's model units (mV, ms, pA, pF, nS); weights are NESTML weights.", "ENDCOMMENT", "",
               "NEURON {", f"    POINT_PROCESS {self.mechanism}"]
        out += [f"    RANGE {', '.join(chunk)}" for chunk in _chunks(ranges, 8)]
        out += ["}", "", "PARAMETER {"]
        out += [f"    {n[p]} = {_number(params[p])}" for p in m.parameters]
        out += [f"    init_{n[s]} = {_number(initial[s])}" for s in m.state]
        out += [f"    nsub = {self.nsub}", "}", "", "ASSIGNED {"]
        out += [f"    {' '.join(chunk)}" for chunk in _chunks(assigned, 8)]
        out += ["}", "", f"STATE {{ {' '.join(user_state + kernel_state + ['spk'])} }}", "", "INITIAL {"]
        out += [f"    {s} = init_{s}" for s in user_state]
        out += [f"    {k} = 0" for k in kernel_state]
        out += [f"    {b} = 0" for b in buffers]
        out += ["    spk = 0", "    nml_calibrate()",
                "    net_send(0, 1)  : arms the WATCH that turns spk into an output event", "}", "",
                "BREAKPOINT {", "    SOLVE nml_advance", "}", ""]
        out += self._calibrate()
        out += advance
        out += self._functions()
        out += self._net_receive()
        out += HELPERS.splitlines()
        return "\n".join(wrapped for line in out for wrapped in _wrap(line)) + "\n"

    def _propagator_names(self):
        return [self.names[p] for s in self.model.solvers for p in s.propagators]

    def _calibrate(self):
        """Internals and propagators, recomputed when a parameter, dt or nsub changes."""
        m = self.model
        n = self.names
        lines = ["PROCEDURE nml_calibrate() {", "    nml_h = dt"]
        lines += [f"    {n[name]} = {self.expr(var.value)}" for name, var in m.internals.items()]
        lines += ["    nml_hsub = dt/nsub"]
        for solver in m.solvers:
            lines += [f"    {n[p]} = {self.expr(e)}" for p, e in solver.propagators.items()]
        if self._rk_variables() and self.analytic is not None:
            # the same propagators over half a Runge-Kutta sub-step
            half = dict(n, **{p: n[p] + "_hs" for p in self.analytic.propagators})
            lines += ["    nml_h = dt/(2*nsub)"]
            lines += [f"    {half[p]} = {self.expr(e, half)}" for p, e in self.analytic.propagators.items()]
            lines += ["    nml_h = dt"]
        lines += [f"    nml_key_{n[p]} = {n[p]}" for p in m.parameters]
        lines += ["    nml_key_dt = dt", "    nml_key_nsub = nsub", "}", ""]
        return lines

    def _advance(self):
        m = self.model
        n = self.names
        self._locals = []
        changed = " || ".join([f"nml_key_{n[p]} != {n[p]}" for p in m.parameters]
                              + ["nml_key_dt != dt", "nml_key_nsub != nsub"])
        body = [f"if ({changed}) {{", "    nml_calibrate()", "}", "spk = 0"]
        if self.current_port:
            body.append(f"{n[self.current_port]} = {CURRENT_PORT_FACTOR!r}*i_inj")
        # 2. the kernels over the step, kept aside
        for var in self.kernel_vars:
            body.append(f"{self._local('nml_k_' + n[var])} = {self.expr(self.analytic.update_expressions[var])}")
        # 3. the update block
        body += self._statements(m.update)
        # 4. onReceive handlers of the ports that received spikes
        for handler in m.on_receive:
            count = "nml_n_" + n[handler.port][len("nml_in_"):]
            body += [f"if ({count} > 0) {{", *_indent(self._statements(handler.body)), "}"]
        # 5. kernels: the propagated values plus the jumps of this step's spikes
        for kernel in m.kernels:
            for var in kernel.state_variables:
                jump = kernel.jumps.get(var, 0)
                line = f"{n[var]} = nml_k_{n[var]}"
                if jump != 0:
                    line += f" + ({self.expr(jump)})*{n[kernel.port]}"
                body.append(line)
        # 6. onCondition blocks, in order
        for handler in m.on_condition:
            body += [f"if ({self.expr(handler.condition)}) {{", *_indent(self._statements(handler.body)), "}"]
        for port in self.spike_ports:
            body += [f"{n[port]} = 0", f"nml_n_{n[port][len('nml_in_'):]} = 0"]
        lines = ["PROCEDURE nml_advance() {"]
        if self._locals:
            lines += _local_statement(self._locals)
        lines += _indent(body) + ["}", ""]
        return lines

    # --- statements ----------------------------------------------------------------------------

    def _statements(self, statements, names=None, function=None):
        names = names or self.names
        out = []
        for stmt in statements:
            out += self._statement(stmt, names, function)
        return out

    def _statement(self, stmt, names, function):
        def e(value):
            return self.expr(value, names)

        if isinstance(stmt, ir.Assign):
            if stmt.index is not None:
                self._refuse(f"the assignment to the vector element {stmt.target}[{stmt.index}]")
            if stmt.target not in names:
                self._refuse(f"the assignment to '{stmt.target}'")
            target = names[stmt.target]
            if stmt.op == "=":
                return [f"{target} = {e(stmt.value)}"]
            return [f"{target} = {target} {stmt.op[0]} ({e(stmt.value)})"]
        if isinstance(stmt, ir.Declare):
            local = self._local("nml_l_" + stmt.name)
            names[stmt.name] = local
            return [f"{local} = {e(stmt.value) if stmt.value is not None else '0'}"]
        if isinstance(stmt, ir.If):
            out = []
            for k, (condition, body) in enumerate(stmt.branches):
                out += [("if" if k == 0 else "} else if") + f" ({e(condition)}) {{",
                        *_indent(self._statements(body, names, function))]
            if stmt.orelse:
                out += ["} else {", *_indent(self._statements(stmt.orelse, names, function))]
            return out + ["}"]
        if isinstance(stmt, ir.While):
            return [f"WHILE ({e(stmt.condition)}) {{", *_indent(self._statements(stmt.body, names, function)), "}"]
        if isinstance(stmt, ir.For):
            local = self._local("nml_l_" + stmt.variable)
            names[stmt.variable] = local
            step = e(stmt.step)
            cmp = ">=" if sympy.sympify(stmt.step).is_negative else "<="
            return [f"{local} = {e(stmt.start)}", f"WHILE ({local} {cmp} {e(stmt.stop)}) {{",
                    *_indent(self._statements(stmt.body, names, function)), f"    {local} = {local} + {step}", "}"]
        if isinstance(stmt, ir.IntegrateODEs):
            if function is not None:
                self._refuse("integrate_odes() inside a function")
            return self._integrate(stmt.variables)
        if isinstance(stmt, ir.EmitSpike):
            return ["spk = 1"]
        if isinstance(stmt, ir.Return):
            if function is None:
                self._refuse("'return' outside a function")
            return [f"{names[function]} = {e(stmt.value)}"] if stmt.value is not None else []
        if isinstance(stmt, ir.Call):
            if stmt.name in ("print", "println", "info", "warning"):
                return [f": {stmt.name}() of the NESTML model is not printed on NEURON"]
            if stmt.name in self.model.functions:
                return [f"{self._local('nml_discard')} = {e(sympy.Function(stmt.name)(*stmt.args))}"]
            self._refuse(f"the call of '{stmt.name}()'")
        self._refuse(f"the statement {type(stmt).__name__}")

    def _integrate(self, variables):
        """integrate_odes(variables): exact propagation of the analytic variables; RK4 for
        the numeric ones (all of them are integrated, the unlisted ones are then left as they
        were, as NEST does); every right-hand side sees the start-of-step values."""
        m = self.model
        n = self.names
        listed = [v for v in (variables or self.ode_vars) if v not in self.kernel_vars]
        for v in listed:
            if m.solver_for(v) is None:
                self._refuse(f"integrate_odes({v}): '{v}' has no ODE")
        self._counter += 1
        tag = self._counter
        analytic = [v for v in listed if m.solver_for(v).kind == "analytic"]
        lines = [f"{self._local(f'nml_a{tag}_{n[v]}')} = {self.expr(self.analytic.update_expressions[v])}"
                 for v in analytic]
        rk = self._rk_variables()
        numeric_listed = [v for v in listed if v in rk]
        if numeric_listed:
            lines += self._runge_kutta(rk, tag)
            lines += [f"{n[v]} = nml_r{tag}_{n[v]}" for v in numeric_listed]
        lines += [f"{n[v]} = nml_a{tag}_{n[v]}" for v in analytic]
        return lines

    def _aux_variables(self, rk):
        """Exactly solvable variables the numeric ODEs depend on (with what they depend on)."""
        if self.analytic is None:
            return []
        exact = set(self.analytic.state_variables)
        wanted = set()
        todo = [s.name for v in rk for s in self.numeric.update_expressions[v].free_symbols]
        while todo:
            name = todo.pop()
            if name in exact and name not in wanted:
                wanted.add(name)
                todo += [s.name for s in self.analytic.update_expressions[name].free_symbols]
        return [v for v in self.analytic.state_variables if v in wanted]

    def _runge_kutta(self, rk, tag):
        n = self.names
        aux = self._aux_variables(rk)
        half = dict(n, **{p: n[p] + "_hs" for p in (self.analytic.propagators if self.analytic else {})})

        def loc(prefix, v):
            return self._local(f"nml_{prefix}{tag}_{n[v]}")

        def rhs(v, x_prefix, y_prefix):
            names = dict(n, **{u: f"nml_{x_prefix}{tag}_{n[u]}" for u in rk},
                         **{u: f"nml_{y_prefix}{tag}_{n[u]}" for u in aux})
            return self.expr(self.numeric.update_expressions[v], names)

        def advance_aux(src, dst):
            names = dict(half, **{u: f"nml_{src}{tag}_{n[u]}" for u in aux})
            return [f"{loc(dst, u)} = {self.expr(self.analytic.update_expressions[u], names)}" for u in aux]

        step = self._local(f"nml_i{tag}")
        lines = [f"{loc('r', v)} = {n[v]}" for v in rk] + [f"{loc('y', u)} = {n[u]}" for u in aux]
        body = [f"{loc('k1', v)} = {rhs(v, 'r', 'y')}" for v in rk]
        body += advance_aux("y", "ym")
        body += [f"{loc('x', v)} = nml_r{tag}_{n[v]} + nml_hsub/2*nml_k1{tag}_{n[v]}" for v in rk]
        body += [f"{loc('k2', v)} = {rhs(v, 'x', 'ym' if aux else 'y')}" for v in rk]
        body += [f"nml_x{tag}_{n[v]} = nml_r{tag}_{n[v]} + nml_hsub/2*nml_k2{tag}_{n[v]}" for v in rk]
        body += [f"{loc('k3', v)} = {rhs(v, 'x', 'ym' if aux else 'y')}" for v in rk]
        body += advance_aux("ym", "ye")
        body += [f"nml_x{tag}_{n[v]} = nml_r{tag}_{n[v]} + nml_hsub*nml_k3{tag}_{n[v]}" for v in rk]
        body += [f"{loc('k4', v)} = {rhs(v, 'x', 'ye' if aux else 'y')}" for v in rk]
        body += [f"nml_r{tag}_{n[v]} = nml_r{tag}_{n[v]} + nml_hsub/6*(nml_k1{tag}_{n[v]} + 2*nml_k2{tag}_{n[v]} "
                 f"+ 2*nml_k3{tag}_{n[v]} + nml_k4{tag}_{n[v]})" for v in rk]
        body += [f"nml_y{tag}_{n[u]} = nml_ye{tag}_{n[u]}" for u in aux]
        return lines + [f"FROM {step} = 1 TO nsub {{", *_indent(body), "}"]

    # --- functions and events ------------------------------------------------------------------

    def _functions(self):
        out = []
        for name, function in self.model.functions.items():
            body = function.body
            if any(isinstance(s, ir.Return) for s in body[:-1]) or _nested_return(body):
                self._refuse(f"the function '{name}' (a 'return' before its last statement)")
            self._locals = []
            names = dict(self.names, **{a: f"nml_a_{a}" for a, _ in function.args})
            lines = self._statements(body, names, function=name)
            args = ", ".join(f"nml_a_{a}" for a, _ in function.args)
            out += [f"FUNCTION {self.names[name]}({args}) {{"]
            if self._locals:
                out += _local_statement(self._locals)
            out += _indent(lines) + ["}", ""]
        return out

    def _net_receive(self):
        n = self.names
        scale = repr(float(self.weight_scale))
        ports = self.spike_ports
        qualified = {q: p for p in ports for q in self.model.input_ports[p].qualifiers}

        def add(port, weight):
            return [f"{n[port]} = {n[port]} + {weight}", f"nml_n_{n[port][len('nml_in_'):]} = "
                    f"nml_n_{n[port][len('nml_in_'):]} + 1"]

        from pyNN.nestml.types import receptor_types
        if receptor_types(self.model) == ("excitatory", "inhibitory"):
            # NESTML's rule (as in its NEST code): the sign of the weight picks the port, the
            # inhibitory port receives the magnitude
            body = ["if (nml_w >= 0) {", *_indent(add(qualified["excitatory"], f"{scale}*nml_w")),
                    "} else {", *_indent(add(qualified["inhibitory"], f"(-{scale}*nml_w)")), "}"]
        else:
            body = []
            for k, port in enumerate(ports):
                body += [("if" if k == 0 else "} else if") + f" (nml_port == {k}) {{",
                         *_indent(add(port, f"{scale}*nml_w"))]
            body += ["}"] if ports else []
        return ["NET_RECEIVE (nml_w, nml_port) {",
                "    INITIAL {", "        : keeps nml_port (the receptor index set by the projection)", "    }",
                "    if (flag == 0) {", *_indent(_indent(body)),
                "    } else if (flag == 1) {", "        WATCH (spk > 0.5) 2",
                "    } else if (flag == 2) {", "        net_event(t)", "    }", "}", ""]


def _nested_return(body):
    for stmt in body:
        for inner in ([s for _, b in stmt.branches for s in b] + stmt.orelse if isinstance(stmt, ir.If)
                      else getattr(stmt, "body", [])):
            if isinstance(inner, ir.Return) or _nested_return([inner]):
                return True
    return False


def _local_statement(names):
    """One LOCAL statement (NMODL allows only one per block), continued over several lines."""
    chunks = [", ".join(c) for c in _chunks(list(dict.fromkeys(names)), 6)]
    return ["    LOCAL " + ",\n        ".join(chunks)]


#: nocmodl refuses longer lines; a statement may continue on the next line after an operator
MAX_LINE = 250
_BREAK = re.compile(r"(?:[-+,]|\|\||&&|[<>]=?|[!=]=) ")


def _wrap(line, limit=MAX_LINE):
    """`line` split after operators into lines of at most about `limit` characters (a line
    that ends with an operator or a comma cannot end the statement, so NMODL reads on)."""
    out = []
    indent = " " * (len(line) - len(line.lstrip()) + 8)
    while len(line) > limit:
        cuts = [m.end() for m in _BREAK.finditer(line, 0, limit) if m.end() > len(indent)]
        if not cuts:
            break
        out.append(line[:cuts[-1]].rstrip())
        line = indent + line[cuts[-1]:]
    return out + [line]


def _number(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if math.isinf(value):
        # NMODL has no infinity literal: the core sets the exact value when cells are created
        return "1e308" if value > 0 else "-1e308"
    return repr(float(value))


def _chunks(items, size):
    return [items[k:k + size] for k in range(0, len(items), size)]


def _indent(lines):
    return ["    " + line for line in lines]
