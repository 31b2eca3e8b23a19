"""Rendering intermediate-form expressions (sympy) as NMODL.

NMODL expressions look like C, with three catches that the C printer of sympy does not know
about: a call to a function nocmodl does not know is compiled as a call to an NMODL
FUNCTION (with NEURON's thread arguments prepended), so ``fmin``/``fmax``/``expm1`` cannot
be used and are provided as NMODL functions of the generated mechanism (:data:`HELPERS`);
NMODL has no ``?:`` operator, so ``Piecewise`` becomes a call to the helper ``nml_select``;
and numbers must not be printed as integers (``1/2`` would be C's integer division).

Symbols are renamed through a dictionary (NESTML name -> NMODL name) given by the caller;
a name missing from it is an error, not a silent pass-through.
"""

import sympy
from sympy.printing.c import C99CodePrinter

from pyNN import errors
from pyNN.nestml import ir

#: NMODL functions every generated mechanism defines (the printer's output may call them)
HELPERS = """
FUNCTION nml_select(c, a, b) {
    : Piecewise((a, c), (b, True)); both branches are evaluated, one is returned
    if (c) {
        nml_select = a
    } else {
        nml_select = b
    }
}

FUNCTION nml_min(a, b) {
    if (a < b) {
        nml_min = a
    } else {
        nml_min = b
    }
}

FUNCTION nml_max(a, b) {
    if (a > b) {
        nml_max = a
    } else {
        nml_max = b
    }
}

FUNCTION nml_expm1(x) {
    : exp(x) - 1 without cancellation for small x (the series error is below 1e-21 there)
    if (fabs(x) < 1e-5) {
        nml_expm1 = x + x*x/2 + x*x*x/6
    } else {
        nml_expm1 = exp(x) - 1
    }
}

FUNCTION nml_steps(x) {
    : NESTML's steps(): a duration as a whole number of time steps
    nml_steps = floor(x/dt + 0.5)
}
"""

#: sympy function name -> NMODL function (nocmodl knows these C functions)
_FUNCTIONS = {
    "exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tan": "tan", "sinh": "sinh", "cosh": "cosh",
    "tanh": "tanh", "Abs": "fabs", "floor": "floor", "ceiling": "ceil", "erf": "erf", "erfc": "erfc",
    "asin": "asin", "acos": "acos", "atan": "atan",
}
#: undefined sympy functions of the intermediate form -> helper of :data:`HELPERS`
_HELPER_FUNCTIONS = {ir.expm1.__name__: "nml_expm1", "steps": "nml_steps"}


class NMODLPrinter(C99CodePrinter):
    """sympy -> NMODL expression text.

    Parameters
    ----------
    names : dict
        sympy symbol name -> NMODL name, for every symbol an expression may contain.
    where : str
        What is being printed, for error messages (e.g. "NESTML model 'iaf_psc_exp_neuron'").
    """

    def __init__(self, names, where="NESTML model"):
        super().__init__({"strict": False})
        self.names = names
        self.where = where

    def _refuse(self, what):
        raise errors.NotSupportedError(f"{self.where}: {what} is not supported by the NEURON NESTML generator")

    def _print_Symbol(self, expr):
        try:
            return self.names[expr.name]
        except KeyError:
            self._refuse(f"the name '{expr.name}' in an expression")

    def _print_Integer(self, expr):
        return f"{int(expr)}.0"

    def _print_Float(self, expr):
        text = repr(float(expr))
        return text if any(c in text for c in ".eEn") else text + ".0"

    def _print_Rational(self, expr):
        return f"({expr.p}.0/{expr.q}.0)"

    def _print_Pow(self, expr):
        base, exponent = expr.as_base_exp()
        if exponent == sympy.Rational(1, 2):
            return f"sqrt({self._print(base)})"
        if exponent == -1:
            return f"(1.0/{self.parenthesize(base, 1000)})"
        return f"pow({self._print(base)}, {self._print(exponent)})"

    def _print_Exp1(self, expr):
        return "exp(1.0)"

    def _print_Pi(self, expr):
        return repr(float(sympy.pi))

    def _print_Infinity(self, expr):
        return "1e308"

    def _print_NegativeInfinity(self, expr):
        return "-1e308"

    def _print_BooleanTrue(self, expr):
        return "1.0"

    def _print_BooleanFalse(self, expr):
        return "0.0"

    def _print_Relational(self, expr):
        return f"({self._print(expr.lhs)} {expr.rel_op} {self._print(expr.rhs)})"

    def _print_And(self, expr):
        return "(" + " && ".join(self._print(a) for a in expr.args) + ")"

    def _print_Or(self, expr):
        return "(" + " || ".join(self._print(a) for a in expr.args) + ")"

    def _print_Not(self, expr):
        return f"(!{self._print(expr.args[0])})"

    def _print_Piecewise(self, expr):
        *branches, (last, last_cond) = expr.args
        out = self._print(last)
        if last_cond is not sympy.true:
            out = f"nml_select({self._print(last_cond)}, {out}, 0.0)"
        for value, condition in reversed(branches):
            out = f"nml_select({self._print(condition)}, {self._print(value)}, {out})"
        return out

    def _fold(self, helper, args):
        out = self._print(args[0])
        for arg in args[1:]:
            out = f"{helper}({out}, {self._print(arg)})"
        return out

    def _print_Min(self, expr):
        return self._fold("nml_min", expr.args)

    def _print_Max(self, expr):
        return self._fold("nml_max", expr.args)

    def _print_Mod(self, expr):
        return f"fmod({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_Indexed(self, expr):
        self._refuse(f"the vector element '{expr}'")

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name in _FUNCTIONS:
            return f"{_FUNCTIONS[name]}({', '.join(self._print(a) for a in expr.args)})"
        if name in _HELPER_FUNCTIONS:
            return f"{_HELPER_FUNCTIONS[name]}({', '.join(self._print(a) for a in expr.args)})"
        if name in self.names:  # a user-defined NESTML function, generated as an NMODL FUNCTION
            return f"{self.names[name]}({', '.join(self._print(a) for a in expr.args)})"
        self._refuse(f"the function '{name}()'")

    _print_exp = _print_log = _print_sin = _print_cos = _print_tan = _print_Function
    _print_sinh = _print_cosh = _print_tanh = _print_Abs = _print_floor = _print_ceiling = _print_Function
    _print_erf = _print_erfc = _print_asin = _print_acos = _print_atan = _print_Function

    def emptyPrinter(self, expr):
        self._refuse(f"the expression '{expr}' ({type(expr).__name__})")


def nmodl(expr, names, where="NESTML model"):
    """The NMODL text of sympy expression `expr`, renaming symbols through `names`."""
    return NMODLPrinter(names, where).doprint(sympy.sympify(expr))
