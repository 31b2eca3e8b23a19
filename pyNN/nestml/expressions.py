"""NESTML expressions and statements -> the intermediate form (sympy expressions, statement dataclasses).

Why sympy. odetoolbox already speaks sympy (its propagators and update expressions are
sympy-parsable strings), sympy simplifies and substitutes (the front end rewrites spike
ports and units with it), and it comes with printers for C, numpy and Python that the
back-end printers (:mod:`pyNN.nestml.printers`) specialise for NMODL and Brian2. A home-made
expression tree would need all of that written again.

Units. Every quantity is put into model units (:mod:`pyNN.nestml.units`) as it is
converted: a literal ``2 nA`` becomes ``2000`` (pA), a bare unit ``ms`` becomes its model
factor. NESTML's own "implicit conversion factors" are not applied: they compensate for
variables declared in other units than NESTML's internal ones, which cannot happen here
because every variable is held in model units.
"""

import keyword
import math
import re

import sympy
from sympy.parsing.sympy_parser import parse_expr

from pyNN.nestml import ir
from pyNN.nestml.units import model_factor


def exact_factor(value):
    """A unit factor as an exact sympy number when it is a power of ten (so that ``1/s * s``
    cancels exactly), else as a Float."""
    if value == 1.0:
        return sympy.Integer(1)
    if value > 0:
        exponent = round(math.log10(value))
        if math.isclose(value, 10.0 ** exponent, rel_tol=1e-12):
            return sympy.Integer(10) ** exponent
    return sympy.Float(value)


#: factor from NESTML's spike-port value (weight per second) to the summed weight
SPIKE_PORT_FACTOR = None  # set lazily: model_factor(1/s), i.e. 1/1000


def _spike_port_factor():
    global SPIKE_PORT_FACTOR
    if SPIKE_PORT_FACTOR is None:
        from astropy import units as u
        SPIKE_PORT_FACTOR = exact_factor(model_factor(u.s ** -1))
    return SPIKE_PORT_FACTOR


_CONSTANTS = {"e": sympy.E, "pi": sympy.pi, "inf": sympy.oo}

_SYMPY_FUNCTIONS = {
    "exp": sympy.exp, "ln": sympy.log, "cos": sympy.cos, "sin": sympy.sin, "tan": sympy.tan,
    "cosh": sympy.cosh, "sinh": sympy.sinh, "tanh": sympy.tanh, "erf": sympy.erf, "erfc": sympy.erfc,
    "abs": sympy.Abs, "ceil": sympy.ceiling, "floor": sympy.floor, "max": sympy.Max, "min": sympy.Min,
    "expm1": ir.expm1,
}


class UnsupportedConstructError(Exception):
    """A NESTML construct that the intermediate form cannot represent; carries the node."""

    def __init__(self, message, node=None):
        super().__init__(message)
        self.node = node


class ExpressionConverter:
    """Converts NESTML AST expressions and statements of one model.

    Parameters
    ----------
    declared : names of the model's variables (parameters, state, internals, inline
        expressions, kernel variables, ports, functions); other names that NESTML knows as
        units are units
    spike_ports : names of the spike input ports (their symbol becomes the summed weight)
    """

    def __init__(self, declared, spike_ports=()):
        self.declared = set(declared)
        self.spike_ports = set(spike_ports)
        self._locals = set()

    # --- expressions ---------------------------------------------------------------------------

    def expr(self, node):
        """A sympy expression for a NESTML ASTExpression or ASTSimpleExpression."""
        from pynestml.meta_model.ast_simple_expression import ASTSimpleExpression
        if node is None:
            return None
        if isinstance(node, ASTSimpleExpression):
            return self._simple(node)
        if getattr(node, "is_encapsulated", False) or (node.get_expression() is not None
                                                       and node.get_unary_operator() is None
                                                       and not node.is_logical_not):
            inner = self.expr(node.get_expression())
            return inner
        if node.get_unary_operator() is not None:
            op = node.get_unary_operator()
            value = self.expr(node.get_expression())
            if op.is_unary_minus:
                return -value
            if op.is_unary_plus:
                return value
            return sympy.Function("bit_not")(value)
        if node.is_logical_not:
            return sympy.Not(self.expr(node.get_expression()))
        if node.is_ternary_operator():
            return sympy.Piecewise((self.expr(node.get_if_true()), self.expr(node.get_condition())),
                                   (self.expr(node.get_if_not()), True))
        if node.get_binary_operator() is not None:
            return self._binary(node)
        raise UnsupportedConstructError(f"expression '{node}' of an unknown kind", node)

    def _binary(self, node):
        op = node.get_binary_operator()
        lhs, rhs = self.expr(node.get_lhs()), self.expr(node.get_rhs())
        name = type(op).__name__
        if name == "ASTArithmeticOperator":
            if op.is_times_op:
                return lhs * rhs
            if op.is_div_op:
                return lhs / rhs
            if op.is_plus_op:
                return lhs + rhs
            if op.is_minus_op:
                return lhs - rhs
            if op.is_pow_op:
                return lhs ** rhs
            if op.is_modulo_op:
                return sympy.Mod(lhs, rhs)
            if op.is_integer_div_op:
                return sympy.floor(lhs / rhs)
        if name == "ASTComparisonOperator":
            if op.is_lt:
                return sympy.Lt(lhs, rhs, evaluate=False)
            if op.is_le:
                return sympy.Le(lhs, rhs, evaluate=False)
            if op.is_gt:
                return sympy.Gt(lhs, rhs, evaluate=False)
            if op.is_ge:
                return sympy.Ge(lhs, rhs, evaluate=False)
            if op.is_eq:
                return sympy.Eq(lhs, rhs, evaluate=False)
            return sympy.Ne(lhs, rhs, evaluate=False)
        if name == "ASTLogicalOperator":
            return sympy.And(lhs, rhs) if op.is_logical_and else sympy.Or(lhs, rhs)
        if name == "ASTBitOperator":
            for attr in ("is_bit_and", "is_bit_or", "is_bit_xor", "is_bit_shift_left", "is_bit_shift_right"):
                if getattr(op, attr):
                    return sympy.Function(attr[3:])(lhs, rhs)
        raise UnsupportedConstructError(f"operator in '{node}'", node)

    def _simple(self, node):
        if node.is_function_call():
            return self._call(node.get_function_call())
        if node.is_inf_literal:
            return sympy.oo
        if node.is_boolean_true:
            return sympy.true
        if node.is_boolean_false:
            return sympy.false
        if node.is_string():
            raise UnsupportedConstructError(f"string literal {node.get_string()!r} in an expression", node)
        number = None
        if node.get_numeric_literal() is not None:
            value = node.get_numeric_literal()
            number = sympy.Integer(value) if isinstance(value, int) else sympy.Float(value)
        if number is not None and node.is_numeric_literal_with_unit():
            return number * self._unit_factor(node.unitType)
        if node.get_variable() is not None:
            variable = self.variable(node.get_variable())
            return variable if number is None else number * variable
        if number is not None:
            return number
        raise UnsupportedConstructError(f"expression '{node}'", node)

    def _unit_factor(self, unit_type):
        """The model-unit factor of a literal's unit. NESTML's parser also takes a product
        written right after a literal as its unit, variables included (``1 nS * IT_m`` in
        ``hill_tononi_neuron``): such a "unit" is taken apart into unit factors and symbols."""
        from pynestml.symbols.predefined_units import PredefinedUnits
        unit = getattr(unit_type.get_type_symbol(), "astropy_unit", None)
        if unit is not None:
            return exact_factor(model_factor(unit))
        if unit_type.is_encapsulated:
            return self._unit_factor(unit_type.compound_unit)
        if unit_type.is_pow:
            exponent = unit_type.exponent if unit_type.exponent is not None else \
                sympy.Rational(unit_type.exponent_num) / sympy.Rational(unit_type.exponent_den)
            return self._unit_factor(unit_type.base) ** sympy.sympify(exponent)
        if unit_type.is_times or unit_type.is_div:
            lhs = unit_type.get_lhs()
            lhs = sympy.Integer(lhs) if isinstance(lhs, int) else self._unit_factor(lhs)
            rhs = self._unit_factor(unit_type.get_rhs())
            return lhs * rhs if unit_type.is_times else lhs / rhs
        name = unit_type.unit
        if name in self._locals or name in self.declared:
            return sympy.Symbol(name)
        if name is not None and PredefinedUnits.is_unit(name):
            return exact_factor(model_factor(PredefinedUnits.get_unit(name).get_unit()))
        raise UnsupportedConstructError(f"unit '{unit_type}' (neither a unit nor a variable of the model)",
                                        unit_type)

    def variable(self, var):
        """A symbol (or unit factor, or constant) for a NESTML ASTVariable."""
        from pynestml.symbols.predefined_units import PredefinedUnits
        if var.is_delay_variable() if hasattr(var, "is_delay_variable") else False:
            raise UnsupportedConstructError(f"delayed variable '{var}' (not supported by pyNN.nestml)", var)
        name = var.get_name()
        order = var.get_differential_order()
        if order:
            name = name + "__d" * order
        if name in self._locals or name in self.declared:
            symbol = sympy.Symbol(name)
            if name in self.spike_ports:
                symbol = symbol * _spike_port_factor()
            if var.has_vector_parameter():
                index = var.get_vector_parameter()
                index = self.expr(index) if not isinstance(index, (int, str)) else sympy.sympify(index)
                return sympy.IndexedBase(name)[index]
            return symbol
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name == "t":
            return sympy.Symbol("t")
        if PredefinedUnits.is_unit(name):
            return exact_factor(model_factor(PredefinedUnits.get_unit(name).get_unit()))
        raise UnsupportedConstructError(f"unknown name '{name}'", var)

    def _call(self, call):
        name = call.get_name()
        args = [self.expr(a) for a in call.get_args()]
        if name in _SYMPY_FUNCTIONS:
            return _SYMPY_FUNCTIONS[name](*args)
        if name == "log10":
            return sympy.log(args[0], 10)
        if name == "pow":
            return args[0] ** args[1]
        if name == "clip":
            return sympy.Min(sympy.Max(args[0], args[1]), args[2])
        if name in ("resolution", "timestep"):
            return ir.TIMESTEP
        if name == "convolve":
            raise UnsupportedConstructError(f"convolve() outside the equations block in '{call}'", call)
        return sympy.Function(name)(*args)

    # --- statements ----------------------------------------------------------------------------

    def block(self, body):
        """IR statements for an ASTStmtsBody (or None)."""
        if body is None:
            return []
        return [s for stmt in body.get_stmts() for s in self.statement(stmt)]

    def statement(self, stmt):
        if stmt.is_small_stmt():
            return self._small(stmt.small_stmt)
        compound = stmt.compound_stmt
        if compound.is_if_stmt():
            node = compound.get_if_stmt()
            clause = node.get_if_clause()
            branches = [(self.expr(clause.get_condition()), self.block(clause.get_stmts_body()))]
            for elif_clause in node.get_elif_clauses() if node.has_elif_clauses() else []:
                branches.append((self.expr(elif_clause.get_condition()), self.block(elif_clause.get_stmts_body())))
            orelse = self.block(node.get_else_clause().get_stmts_body()) if node.has_else_clause() else []
            return [ir.If(branches, orelse)]
        if compound.is_while_stmt():
            node = compound.get_while_stmt()
            return [ir.While(self.expr(node.get_condition()), self.block(node.get_stmts_body()))]
        node = compound.get_for_stmt()
        self._locals.add(node.get_variable())
        return [ir.For(node.get_variable(), self.expr(node.get_start_from()), self.expr(node.get_end_at()),
                       sympy.sympify(node.get_step()), self.block(node.get_stmts_body()))]

    def _small(self, small):
        if small.is_assignment():
            node = small.get_assignment()
            target = node.get_variable()
            name = target.get_name() + "__d" * target.get_differential_order()
            op = ("+=" if node.is_compound_sum else "-=" if node.is_compound_minus else
                  "*=" if node.is_compound_product else "/=" if node.is_compound_quotient else "=")
            if node.is_compound_integer_quotient:
                raise UnsupportedConstructError(f"'//=' in '{node}'", node)
            index = None
            if target.has_vector_parameter():
                index = self.expr(target.get_vector_parameter())
            return [ir.Assign(name, op, self.expr(node.get_expression()), index)]
        if small.is_declaration():
            node = small.get_declaration()
            out = []
            for var in node.get_variables():
                self._locals.add(var.get_name())
                unit, dtype = declared_unit(node.get_data_type())
                value = self.expr(node.get_expression()) if node.has_expression() else None
                out.append(ir.Declare(var.get_name(), unit, dtype, value))
            return out
        if small.is_return_stmt():
            node = small.get_return_stmt()
            return [ir.Return(self.expr(node.get_expression()) if node.has_expression() else None)]
        call = small.get_function_call()
        name = call.get_name()
        if name == "integrate_odes":
            return [ir.IntegrateODEs(tuple(str(a) for a in call.get_args()))]
        if name in ("emit_spike", "deliver_spike"):
            return [ir.EmitSpike(tuple(self.expr(a) for a in call.get_args()))]
        if name in ("print", "println", "info", "warning"):
            return [ir.Call(name, tuple(str(a) for a in call.get_args()))]
        return [ir.Call(name, tuple(self.expr(a) for a in call.get_args()))]


def declared_unit(data_type):
    """(model unit string, dtype) of a NESTML ASTDataType."""
    from pyNN.nestml.units import describe_unit
    symbol = data_type.get_type_symbol()
    kind = type(symbol).__name__
    if kind == "UnitTypeSymbol":
        return describe_unit(symbol.astropy_unit)[0], "real"
    if kind == "IntegerTypeSymbol":
        return "dimensionless", "integer"
    if kind == "BooleanTypeSymbol":
        return "dimensionless", "boolean"
    return "dimensionless", "real"


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def parse_odetoolbox(text, names, functions=()):
    """Parse an expression string produced by odetoolbox into sympy, with every name of
    `names` a plain Symbol (Python keywords such as ``lambda`` are allowed as names) and every
    name of `functions` (the model's user functions) an undefined sympy function."""
    renamed = {}

    def rename(match):
        word = match.group(0)
        if keyword.iskeyword(word) and word not in ("and", "or", "not", "if", "else", "True", "False", "None"):
            renamed["__kw_" + word] = word
            return "__kw_" + word
        return word

    text = _IDENTIFIER.sub(rename, str(text))
    local = {n: sympy.Symbol(n) for n in names if not keyword.iskeyword(n) and n not in functions}
    local.update({n: sympy.Function(n) for n in functions})
    local.update({k: sympy.Symbol(v) for k, v in renamed.items()})
    local.update({"e": sympy.E, "E": sympy.E, "expm1": ir.expm1, "min": sympy.Min, "max": sympy.Max,
                  "log10": lambda x: sympy.log(x, 10)})
    return parse_expr(text, local_dict=local)
