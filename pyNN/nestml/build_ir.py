"""A transformed NESTML model (and odetoolbox's analysis) -> :class:`pyNN.nestml.ir.Model`."""

import sympy

from pyNN.nestml import ir
from pyNN.nestml.ir import BUILDER_VERSION  # noqa: F401 (the IR cache key's version, re-exported)
from pyNN.nestml.expressions import ExpressionConverter, UnsupportedConstructError, declared_unit, parse_odetoolbox
from pyNN.nestml.units import describe_unit
from pyNN.nestml.user_functions import inline_functions


def _unit_of(data_type):
    """(model unit, library unit, to_pynn, dtype) of a NESTML data type."""
    symbol = data_type.get_type_symbol()
    if type(symbol).__name__ == "UnitTypeSymbol":
        model, pynn, factor = describe_unit(symbol.astropy_unit)
        return model, pynn, factor, "real"
    _, dtype = declared_unit(data_type)
    return "dimensionless", "dimensionless", 1.0, dtype


def _port_name(port):
    if hasattr(port, "get_variable") and port.get_variable() is not None:
        return port.get_variable().get_name()
    return port.get_name() if hasattr(port, "get_name") else str(port)


class ModelBuilder:
    """Builds the intermediate form of one transformed NESTML model.

    Parameters
    ----------
    model : the ASTModel after nestml's transformations
    meta : nestml's metadata for the model (kernel buffers, odetoolbox solvers)
    kind : ``"neuron"`` or ``"synapse"``
    source : :class:`pyNN.nestml.ir.SourceInfo`
    """

    def __init__(self, model, meta, kind, source):
        self.model = model
        self.meta = meta
        self.kind = kind
        self.source = source
        self.raw_solvers = [s for s in (meta.get("analytic_solver"), meta.get("numeric_solver")) if s]

    def build(self):
        m = self.model
        if self.meta.get("delta_factors"):
            raise UnsupportedConstructError("convolutions with delta kernels are not supported by pyNN.nestml yet")
        ports = self._input_ports()
        spike_ports = [p.name for p in ports.values() if p.kind == "spike"]
        solver_names = set()
        for solver in self.raw_solvers:
            solver_names.update(solver.get("state_variables", []))
            solver_names.update(solver.get("propagators", {}))
        declared = set(ports) | solver_names | {ir.TIMESTEP.name}
        blocks = {"parameter": m.get_parameters_blocks(), "state": m.get_state_blocks(),
                  "internal": m.get_internals_blocks()}
        for block_list in blocks.values():
            for block in block_list:
                for decl in block.get_declarations():
                    declared.update(v.get_name() + "__d" * v.get_differential_order() for v in decl.get_variables())
        equations = m.get_equations_blocks()
        for eq_block in equations:
            declared.update(i.get_variable_name() for i in eq_block.get_inline_expressions())
        self.function_names = {f.get_name() for f in m.get_functions()}
        declared.update(self.function_names)
        self.names = declared
        conv = ExpressionConverter(declared, spike_ports)

        out = ir.Model(name=m.get_name(), kind=self.kind, source=self.source, input_ports=ports)
        out.parameters = self._variables(blocks["parameter"], "parameter", conv)
        out.state = self._variables(blocks["state"], "state", conv)
        out.internals = self._variables(blocks["internal"], "internal", conv)
        for eq_block in equations:
            for inline in eq_block.get_inline_expressions():
                out.inline_expressions[inline.get_variable_name()] = conv.expr(inline.get_expression())
            for ode in eq_block.get_ode_equations():
                lhs = ode.get_lhs()
                out.odes.append(ir.ODE(lhs.get_name(), lhs.get_differential_order(), conv.expr(ode.get_rhs())))
        out.solvers = [self._solver(s) for s in self.raw_solvers]
        out.kernels = self._kernels(out.solvers, conv)
        for function in m.get_functions():
            args = []
            for param in function.get_parameters():
                conv._locals.add(param.get_name())
                args.append((param.get_name(), declared_unit(param.get_data_type())[0]))
            ret = declared_unit(function.get_return_type())[0] if function.has_return_type() else None
            out.functions[function.get_name()] = ir.Function(function.get_name(), args, ret,
                                                             conv.block(function.get_stmts_body()))
        for block in m.get_update_blocks():
            out.update.extend(conv.block(block.get_stmts_body()))
        out.on_receive = [ir.Handler(b.get_port_name(), conv.block(b.get_stmts_body()))
                          for b in m.get_on_receive_blocks()]
        out.on_condition = [ir.ConditionHandler(conv.expr(b.get_cond_expr()), conv.block(b.get_stmts_body()))
                            for b in m.get_on_condition_blocks()]
        outputs = m.get_output_blocks()
        if outputs:
            out.output = "spike" if outputs[0].is_spike() else "continuous"
        inline_functions(out)
        if self.kind == "synapse":
            self._synapse_roles(out)
        return out

    def _input_ports(self):
        ports = {}
        for block in self.model.get_input_blocks():
            for port in block.get_input_ports():
                qualifiers = tuple(q for q, test in (("excitatory", port.is_excitatory()),
                                                     ("inhibitory", port.is_inhibitory()))
                                   if test and port.has_input_qualifiers())
                size = str(port.get_size_parameter()) if port.has_size_parameter() else None
                if port.is_spike():
                    ports[port.get_name()] = ir.InputPort(port.get_name(), "spike", "dimensionless", qualifiers, size)
                else:
                    unit = declared_unit(port.get_datatype())[0] if port.has_datatype() else "dimensionless"
                    ports[port.get_name()] = ir.InputPort(port.get_name(), "continuous", unit, qualifiers, size)
        return ports

    def _variables(self, blocks, kind, conv):
        out = {}
        for block in blocks:
            for decl in block.get_declarations():
                unit, pynn_unit, to_pynn, dtype = _unit_of(decl.get_data_type())
                value = conv.expr(decl.get_expression()) if decl.has_expression() else sympy.Integer(0)
                invariants = [conv.expr(decl.get_invariant())] if decl.get_invariant() is not None else []
                size = decl.get_size_parameter()
                comment = (getattr(decl, "in_comment", None) or "").strip()
                for var in decl.get_variables():
                    name = var.get_name() + "__d" * var.get_differential_order()
                    out[name] = ir.Variable(name, kind, unit, pynn_unit, to_pynn, value, dtype,
                                            None if size is None else str(size), invariants, comment)
        return out

    def _parse(self, text):
        return parse_odetoolbox(text, self.names, self.function_names)

    def _solver(self, raw):
        kind = "analytic" if raw["solver"].startswith("analytic") else "numeric"
        return ir.Solver(
            kind=kind, state_variables=list(raw.get("state_variables", [])),
            update_expressions={k: self._parse(v) for k, v in raw.get("update_expressions", {}).items()},
            propagators={k: self._parse(v) for k, v in raw.get("propagators", {}).items()},
            initial_values={k: self._parse(v) for k, v in raw.get("initial_values", {}).items()})

    def _kernels(self, solvers, conv):
        kernels = []
        pairs = sorted(self.meta.get("kernel_buffers") or (), key=lambda kb: (str(kb[0].get_variable_names()),
                                                                                _port_name(kb[1])))
        for kernel, port in pairs:
            # a kernel in ODE form names its variables with primes (g' = ..., g$' = ...): each
            # variable x gives the state variables x__X__port, x__X__port__d, ...
            knames = [n.rstrip("'").replace("$", "__DOLLAR") for n in kernel.get_variable_names()]
            kname = knames[0]
            pname = _port_name(port)
            prefixes = [f"{n}__X__{pname}" for n in knames]
            variables, jumps = [], {}
            for solver in solvers:
                for var in solver.state_variables:
                    for prefix in prefixes:
                        rest = var[len(prefix):]
                        if var.startswith(prefix) and rest.replace("__d", "") == "" and var not in variables:
                            variables.append(var)
                            jumps[var] = solver.initial_values.get(var, sympy.Integer(0))
            expression = conv.expr(kernel.get_expressions()[0])
            kernels.append(ir.Kernel(kname, pname, expression, sorted(variables, key=len), jumps))
        return kernels

    def _synapse_roles(self, out):
        spike_ports = out.spike_ports()
        out.post_ports = tuple(p for p in spike_ports if "post" in p)

        def delivers(body):
            for stmt in body:
                if isinstance(stmt, ir.EmitSpike):
                    return True
                if isinstance(stmt, ir.If) and (any(delivers(b) for _, b in stmt.branches) or delivers(stmt.orelse)):
                    return True
            return False
        pre = [h.port for h in out.on_receive if delivers(h.body) and h.port not in out.post_ports]
        out.pre_port = pre[0] if pre else next((p for p in spike_ports if p not in out.post_ports), None)
        if "w" in out.state or "w" in out.parameters:
            out.weight_variable = "w"
