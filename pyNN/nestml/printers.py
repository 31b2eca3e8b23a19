"""Printing the intermediate form's sympy expressions and step programs as Brian2 or numpy code.

Both printers take a `names` mapping (IR symbol name -> code) for the symbols a back end
provides differently (the time step, continuous ports, renamed variables); the names of
temporaries (``_g1``), and NESTML names starting with underscores (``__P__V_m__V_m``) are made
legal identifiers by :func:`identifier`.
"""

import re

import sympy
from sympy.printing.pycode import PythonCodePrinter
from sympy.printing.str import StrPrinter

from pyNN.nestml.program import Set, Temp


def identifier(name):
    """A legal identifier for an IR name: leading underscores become one (``__P__x`` -> ``_P__x``),
    characters NESTML allows in internal names but Python does not (``g_in$``) become ``_xHH_``."""
    name = re.sub(r"\W", lambda m: f"_x{ord(m.group()):x}_", name)
    return "_" + name.lstrip("_") if name.startswith("__") else name


def _float(value):
    return repr(float(value))


class _Constants:
    """Numbers as float literals and the constants e, pi and infinity, each with the prefix of
    the target's namespace (``""`` in Brian2 code, ``"np."`` in numpy code); the step program's
    inline temporaries (name -> value, set by the code printers) in parentheses in their place."""

    namespace = ""
    inlined = {}

    def _inlined(self, expr):
        value = self.inlined.get(expr.name)
        return None if value is None else f"({self._print(value)})"

    def _print_Integer(self, expr):
        return _float(expr)

    _print_Rational = _print_Float = _print_Integer

    def _print_Exp1(self, expr):
        return self.namespace + "e"

    def _print_Pi(self, expr):
        return self.namespace + "pi"

    def _print_Infinity(self, expr):
        return self.namespace + "inf"

    def _print_NegativeInfinity(self, expr):
        return f"(-{self.namespace}inf)"


class Brian2Printer(_Constants, StrPrinter):
    """Brian2 expression syntax: ``and``/``or``/``not``, ``int(c)`` for a condition used as a
    number, Brian2's function names; every number is printed as a float."""

    def __init__(self, names, boolean_temps=()):
        super().__init__()
        self.names = names
        self.boolean_temps = set(boolean_temps)

    def _print_Symbol(self, expr):
        inlined = self._inlined(expr)
        if inlined is not None:
            return inlined
        name = self.names.get(expr.name, identifier(expr.name))
        if expr.name in self.boolean_temps:
            return f"({name} > 0)"
        return name

    def _print_BooleanTrue(self, expr):
        return "True"

    def _print_BooleanFalse(self, expr):
        return "False"

    def _print_And(self, expr):
        return "(" + " and ".join(self._print(a) for a in expr.args) + ")"

    def _print_Or(self, expr):
        return "(" + " or ".join(self._print(a) for a in expr.args) + ")"

    def _print_Not(self, expr):
        return f"(not {self._print(expr.args[0])})"

    def _print_Relational(self, expr):
        return f"({self._print(expr.lhs)} {expr.rel_op} {self._print(expr.rhs)})"

    def _print_Pow(self, expr):
        base, exponent = expr.args
        if exponent == sympy.Rational(1, 2):
            return f"sqrt({self._print(base)})"
        return f"({self._print(base)})**({self._print(exponent)})"

    def _print_Function(self, expr):
        name = type(expr).__name__
        args = [self._print(a) for a in expr.args]
        if name == "expm1":
            return f"(({args[0]})*exprel({args[0]}))"
        return f"{ {'ceiling': 'ceil'}.get(name, name)}({', '.join(args)})"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Min(self, expr):
        out = self._print(expr.args[0])
        for a in expr.args[1:]:
            out = f"clip({out}, -inf, {self._print(a)})"
        return out

    def _print_Max(self, expr):
        out = self._print(expr.args[0])
        for a in expr.args[1:]:
            out = f"clip({out}, {self._print(a)}, inf)"
        return out

    def _print_Piecewise(self, expr):
        # sum of value * int(condition, no earlier condition). Every branch is evaluated, and
        # Cython raises on a division by zero: in a branch, a divisor that is 0 where the branch
        # is not taken (tau_fac in ``tau_fac == 0 ? 0 : exp(-dt/tau_fac)``) becomes 1 there
        terms, earlier = [], []
        for value, cond in expr.args:
            c = sympy.And(cond, *[sympy.Not(e) for e in earlier]) if earlier else cond
            printed_c = self._print(c)
            terms.append(f"({self._safe_divisions(value, printed_c)})*int({printed_c})")
            earlier.append(cond)
        return "(" + " + ".join(terms) + ")"

    def _safe_divisions(self, value, printed_c):
        if printed_c == "True":
            return self._print(value)
        saved = dict(self.names)
        divisors = {}

        def safe(power):
            base = self._print(power.base)
            name = f"__divisor_{len(divisors)}"
            divisors[name] = f"({base} + int((not {printed_c}) and ({base} == 0)))"
            return sympy.Pow(sympy.Symbol(name), power.exp)
        value = value.replace(lambda e: isinstance(e, sympy.Pow) and e.exp.is_negative, safe)
        try:
            self.names.update(divisors)
            return self._print(value)
        finally:
            self.names = saved


class NumpyPrinter(_Constants, PythonCodePrinter):
    """numpy code (``np.exp``, ``np.where``, ``&``/``|``/``~`` on boolean arrays)."""

    namespace = "np."

    def __init__(self, names):
        super().__init__({"fully_qualified_modules": False})
        self.names = names

    def _print_Symbol(self, expr):
        inlined = self._inlined(expr)
        return self.names.get(expr.name, identifier(expr.name)) if inlined is None else inlined

    def _print_And(self, expr):
        return "(" + " & ".join(f"({self._print(a)})" for a in expr.args) + ")"

    def _print_Or(self, expr):
        return "(" + " | ".join(f"({self._print(a)})" for a in expr.args) + ")"

    def _print_Not(self, expr):
        return f"(~({self._print(expr.args[0])}))"

    def _print_Relational(self, expr):
        return f"({self._print(expr.lhs)} {expr.rel_op} {self._print(expr.rhs)})"

    def _print_Function(self, expr):
        name = type(expr).__name__
        fn = {"ceiling": "ceil", "Abs": "abs", "sign": "sign"}.get(name, name)
        return f"np.{fn}({', '.join(self._print(a) for a in expr.args)})"

    _print_exp = _print_log = _print_sin = _print_cos = _print_tan = _print_Function
    _print_sinh = _print_cosh = _print_tanh = _print_ceiling = _print_floor = _print_Abs = _print_Function
    _print_sign = _print_Function

    def _print_Min(self, expr):
        return self._reduce("np.minimum", expr.args)

    def _print_Max(self, expr):
        return self._reduce("np.maximum", expr.args)

    def _reduce(self, fn, args):
        out = self._print(args[0])
        for a in args[1:]:
            out = f"{fn}({out}, {self._print(a)})"
        return out

    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.args
        if exponent == sympy.Rational(1, 2):
            return f"np.sqrt({self._print(base)})"
        return f"({self._print(base)})**({self._print(exponent)})"

    def _print_Piecewise(self, expr):
        out = "np.nan"
        for value, cond in reversed(expr.args):
            out = f"np.where({self._print(cond)}, {self._print(value)}, {out})"
        return out


class ScalarPrinter(NumpyPrinter):
    """Code for one cell at a time (a numba loop body): ``and``/``or``/``not``, ``min``/``max``
    and conditional expressions instead of numpy's element-wise forms."""

    def _print_And(self, expr):
        return "(" + " and ".join(f"({self._print(a)})" for a in expr.args) + ")"

    def _print_Or(self, expr):
        return "(" + " or ".join(f"({self._print(a)})" for a in expr.args) + ")"

    def _print_Not(self, expr):
        return f"(not ({self._print(expr.args[0])}))"

    def _print_Min(self, expr):
        return self._reduce("min", expr.args)

    def _print_Max(self, expr):
        return self._reduce("max", expr.args)

    def _print_Piecewise(self, expr):
        out = "math.nan"
        for value, cond in reversed(expr.args):
            out = f"(({self._print(value)}) if ({self._print(cond)}) else ({out}))"
        return out


def _code(program, printer, names, assign, guarded, boolean="{}", local=None, copy=None):
    """The statements of a step program, one line each: `assign` and `guarded` format an
    unconditional and a guarded assignment ({t} target, {v} value, {g} guard), `boolean` the
    value of a guard temporary, `local` (if given) that of a temporary with a guard ({v}, {g}),
    `copy` (if given) an unconditional assignment of another variable's value ({t}, {v}).
    Inline temporaries are printed where they are read."""
    printer.inlined = {s.name: s.value for s in program.statements if isinstance(s, Temp) and s.inline}
    lines = []
    for stmt in program.statements:
        if isinstance(stmt, Temp) and stmt.inline:
            continue
        if isinstance(stmt, Temp):
            value = printer.doprint(stmt.value)
            if stmt.boolean:
                value = boolean.format(value)
            elif local is not None and stmt.guard is not None:
                value = local.format(v=value, g=identifier(stmt.guard))
            elif copy is not None and isinstance(stmt.value, sympy.Symbol) and value[0] != "(":
                value = copy.format(t="", v=value).split("= ", 1)[1]
            lines.append(f"{identifier(stmt.name)} = {value}")
        elif isinstance(stmt, Set):
            target = names.get(stmt.target, identifier(stmt.target))
            value = printer.doprint(stmt.value)
            if stmt.guard is None:
                plain = copy is not None and isinstance(stmt.value, sympy.Symbol) and value[0] != "("
                lines.append((copy if plain else assign).format(t=target, v=value))
            else:
                lines.append(guarded.format(t=target, v=value, g=identifier(stmt.guard)))
    return "\n".join(lines)


def brian2_code(program, names, where=None, branches=False):
    """The statements of a :class:`~pyNN.nestml.program.StepProgram` as Brian2 abstract code.
    A guarded assignment is ``x = g*(value) + (1 - g)*x`` with the guard g an integer 0/1
    (exact for finite values), or ``x = where(g, value, x)`` if the back end gives the name of
    such a function as `where` (then a value that is not finite where the guard is 0, such as a
    division by zero in a branch not taken, does not reach x).

    With `branches`, guards are boolean temporaries and a guarded assignment is
    ``x = int(g)*(value) + int(not g)*x``: Brian2's Cython target turns an expression of a boolean
    into one branch per value (``if g: x = value``), so the value is computed, exactly, only in
    the cells whose guard holds (numpy computes both terms: use `where` there); so is a local
    variable of a guarded block (``l = int(g)*(value)``, 0 elsewhere)."""
    booleans = {s.name for s in program.statements if isinstance(s, Temp) and s.boolean}
    if branches:
        return _code(program, Brian2Printer(names), names, "{t} = {v}", "{t} = int({g})*({v}) + int(not {g})*{t}",
                     local="int({g})*({v})")
    guarded = "{t} = {g}*({v}) + (1 - {g})*{t}" if where is None else f"{{t}} = {where}({{g}}, {{v}}, {{t}})"
    # (a copy, `x = y`, is made with clip(): Brian2's numpy target runs a later `y = y + 1` in
    # place, which would change x too)
    return _code(program, Brian2Printer(names, booleans), names, "{t} = {v}", guarded, boolean="int({})",
                 copy="{t} = clip({v}, -inf, inf)")


def numpy_code(program, names):
    """The statements of a step program as numpy code, vectorised over the cells (a guarded
    assignment is ``x = np.where(g, value, x)``)."""
    return _code(program, NumpyPrinter(names), names, "{t} = {v} + 0.0*{t}", "{t} = np.where({g}, {v}, {t})")


def scalar_code(program, names):
    """The statements of a step program as code for one cell (``x = value if g else x``)."""
    return _code(program, ScalarPrinter(names), names, "{t} = {v}", "{t} = ({v}) if {g} else {t}")
