"""The NMODL printer of intermediate-form expressions (pure sympy, no simulator)."""

import re

import pytest
import sympy

from pyNN import errors
from pyNN.nestml import ir
from pyNN.nestml.nmodl_expr import HELPERS, nmodl

x, y, z = sympy.symbols("x y z")
NAMES = {"x": "x", "y": "nml_u_y", "z": "z", "__h": "nml_h"}


def evaluate(text, **values):
    """Evaluate printed NMODL (a C-like subset) in Python, with the helper functions."""
    py = text.replace("&&", " and ").replace("||", " or ").replace("!(", " not (")
    import math
    env = dict(math.__dict__, fabs=abs, nml_select=lambda c, a, b: a if c else b, nml_min=min, nml_max=max,
               nml_expm1=math.expm1, pow=math.pow, **values)
    return eval(py, env)


@pytest.mark.parametrize("expr, expected", [
    (x / 2, 1.5), (1 / x, 1 / 3), (x ** 3 * y, 27 * 2), (sympy.sqrt(x), 3 ** 0.5),
    (sympy.Rational(13, 16) + x, 3.8125), (sympy.exp(-x / y), 2.718281828459045 ** -1.5),
    (sympy.Min(x, y, z), -1.0), (sympy.Max(x, y, z), 3.0), (sympy.Abs(z), 1.0), (ir.expm1(z), 0.36787944117144233 - 1),
    (sympy.Piecewise((x, x > 5), (y, y > 1), (z, True)), 2.0), (sympy.E * x, 3 * 2.718281828459045),
    (sympy.floor(x / y), 1.0), (sympy.ceiling(x / y), 2.0),
])
def test_printed_expression_evaluates_to_the_same_value(expr, expected):
    text = nmodl(expr, NAMES)
    assert evaluate(text, x=3.0, nml_u_y=2.0, z=-1.0) == pytest.approx(expected, rel=1e-12)


def test_numbers_are_never_integer_literals():
    # C's 1/2 is 0: every number is printed with a decimal point
    assert nmodl(sympy.Rational(1, 2) * x, NAMES) == "((1.0/2.0))*x"
    assert nmodl(2 * x, NAMES) == "2.0*x"
    assert nmodl(sympy.Integer(3), NAMES) == "3.0"


def test_conditions_and_renaming():
    assert nmodl(sympy.And(x >= 1, y < 2), NAMES) in ("((x >= 1.0) && (nml_u_y < 2.0))",
                                                      "((nml_u_y < 2.0) && (x >= 1.0))")
    assert nmodl(sympy.Not(x > 1, evaluate=False), NAMES) == "(!(x > 1.0))"
    assert nmodl(ir.TIMESTEP * x, NAMES) == "nml_h*x"


def test_helpers_are_defined_for_what_the_printer_calls():
    for helper in ("nml_select", "nml_min", "nml_max", "nml_expm1", "nml_steps"):
        assert f"FUNCTION {helper}(" in HELPERS


@pytest.mark.parametrize("expr, what", [
    (sympy.Symbol("unknown") + x, "the name 'unknown'"),
    (sympy.Function("random_normal")(x, y), "the function 'random_normal()'"),
    (sympy.IndexedBase("w")[2], "the vector element"),
])
def test_what_cannot_be_printed_is_refused_by_name(expr, what):
    with pytest.raises(errors.NotSupportedError, match=f"model 'm': {re.escape(what)}.*NEURON NESTML generator"):
        nmodl(expr, NAMES, where="NESTML model 'm'")
