"""User-defined NESTML functions that are expressions, written into the places that call them.

Many models of NESTML's library define rate functions of the membrane potential
(``alpha_m(V_m)``, ``h_inf(V_m)``) or a constant computed from parameters
(``compute_synapse_constant(...)``), each a few local declarations and one ``return``. Such a
function is an expression of its arguments, so the front end substitutes it at every call
(in the ODEs, odetoolbox's solver expressions, defaults, internals and statements) and drops
it from :attr:`pyNN.nestml.ir.Model.functions`. Back ends then see ordinary expressions. A
function with control flow, or one that calls itself, stays a function (the generators that
cannot run it refuse it by name).
"""

import sympy
from sympy.core.function import AppliedUndef

from pyNN.nestml import ir


def _as_expression(function):
    """The body of `function` (an :class:`ir.Function`) as one expression of its arguments,
    or None if it is more than local declarations followed by a ``return``."""
    *declarations, last = function.body or [None]
    if not isinstance(last, ir.Return) or last.value is None:
        return None
    local = {}
    for stmt in declarations:
        if not isinstance(stmt, ir.Declare) or stmt.value is None:
            return None
        local[sympy.Symbol(stmt.name)] = sympy.sympify(stmt.value).xreplace(local)
    return sympy.sympify(last.value).xreplace(local)


class _Inliner:
    def __init__(self, functions):
        self.bodies = {}
        for name, function in functions.items():
            body = _as_expression(function)
            if body is not None:
                self.bodies[name] = ([sympy.Symbol(a) for a, _ in function.args], body)

    def _is_call(self, node):
        return isinstance(node, AppliedUndef) and type(node).__name__ in self.bodies

    def _expand(self, node):
        args, body = self.bodies[type(node).__name__]
        return body.xreplace(dict(zip(args, node.args)))

    def __call__(self, value):
        if not isinstance(value, sympy.Basic):
            return value
        # a function may call another: expand until no call is left (a bounded number of
        # rounds, so that a function calling itself ends; it then stays a call)
        for _ in range(len(self.bodies) + 1):
            if not value.has(*[sympy.Function(n) for n in self.bodies]):
                return value
            value = value.replace(self._is_call, self._expand)
        return value


def _statements(body, fn):
    for stmt in body:
        if isinstance(stmt, ir.Assign):
            stmt.value, stmt.index = fn(stmt.value), fn(stmt.index)
        elif isinstance(stmt, (ir.Declare, ir.Return)):
            stmt.value = fn(stmt.value)
        elif isinstance(stmt, ir.If):
            stmt.branches = [(fn(condition), _statements(block, fn)) for condition, block in stmt.branches]
            _statements(stmt.orelse, fn)
        elif isinstance(stmt, ir.While):
            stmt.condition = fn(stmt.condition)
            _statements(stmt.body, fn)
        elif isinstance(stmt, ir.For):
            stmt.start, stmt.stop, stmt.step = fn(stmt.start), fn(stmt.stop), fn(stmt.step)
            _statements(stmt.body, fn)
        elif isinstance(stmt, (ir.EmitSpike, ir.Call)):
            stmt.args = tuple(fn(a) for a in stmt.args)
    return body


def map_expressions(model, fn):
    """Apply `fn` to every expression of `model` (an :class:`ir.Model`), in place."""
    for group in (model.parameters, model.state, model.internals):
        for var in group.values():
            var.value = fn(var.value)
            var.invariants = [fn(c) for c in var.invariants]
    model.inline_expressions = {k: fn(v) for k, v in model.inline_expressions.items()}
    for ode in model.odes:
        ode.rhs = fn(ode.rhs)
    for solver in model.solvers:
        for attr in ("update_expressions", "propagators", "initial_values"):
            setattr(solver, attr, {k: fn(v) for k, v in getattr(solver, attr).items()})
    for kernel in model.kernels:
        kernel.expression = fn(kernel.expression)
        kernel.jumps = {k: fn(v) for k, v in kernel.jumps.items()}
    _statements(model.update, fn)
    for handler in model.on_receive:
        _statements(handler.body, fn)
    for handler in model.on_condition:
        handler.condition = fn(handler.condition)
        _statements(handler.body, fn)
    for function in model.functions.values():
        _statements(function.body, fn)


def inline_functions(model):
    """Substitute the user functions of `model` that are expressions at every call and drop
    them from ``model.functions`` (in place); returns the names of the functions inlined."""
    inliner = _Inliner(model.functions)
    if not inliner.bodies:
        return []
    map_expressions(model, inliner)
    called = set()

    def collect(value):
        if isinstance(value, sympy.Basic):
            called.update(type(f).__name__ for f in value.atoms(AppliedUndef))
        return value
    map_expressions(model, collect)
    inlined = [name for name in inliner.bodies if name not in called]  # not a function calling itself
    for name in inlined:
        del model.functions[name]
    return inlined
