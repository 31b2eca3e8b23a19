"""Cell and synapse types made from the intermediate form, the same on every back end.

A NESTML cell type is a class like a standard one: parameters with defaults and units in
the library's units (see :mod:`pyNN.nestml.units`), default initial values of the state
variables, the state variables as recordables, the spike input ports as receptor types
and :meth:`describe`. Parameter and state names are the NESTML names. A back end adds its
own attributes (e.g. the NEST model name and translation table) through ``extra``.

Receptor types. A model whose spike ports are one ``excitatory`` and one ``inhibitory``
port (NESTML's qualifiers, as in NESTML's ``iaf_psc_exp_neuron``) has the receptor types
``("excitatory", "inhibitory")``; any other model has one receptor type per spike port,
named like the port.

Weights. A NESTML weight is a dimensionless multiplier; NESTML's models turn it into a
current or conductance with ``1 pA`` or ``1 nS`` per unit of weight. The library's weights
are in nA (current-based) or uS (conductance-based), so a NESTML weight is the library's
weight times :data:`WEIGHT_SCALE` (1000), on every back end.
"""

import numbers

import sympy

from pyNN import errors
from pyNN.models import BaseCellType
from pyNN.standardmodels import StandardModelType, StandardSynapseType, build_translations

#: NESTML weight = library weight (nA or uS) x WEIGHT_SCALE
WEIGHT_SCALE = 1000.0


def evaluate_defaults(model, variables):
    """Numbers for the defaults of `variables` (name -> ir.Variable), in model units; a default
    may refer to parameters, internals and other state variables (e.g. ``Act_m`` of
    ``traub_psc_alpha_neuron`` to an internal computed from ``V_m``'s initial value), which
    take their own defaults, in whatever order they are declared."""
    pending = {sympy.Symbol(n): sympy.sympify(v.value) for group in (model.parameters, model.state, model.internals)
               for n, v in group.items() if isinstance(v.value, (sympy.Basic, int, float, bool))}
    known = {}
    while pending:
        resolved = {}
        for symbol, value in pending.items():
            value = value.subs(known) if value.free_symbols else value
            if not value.free_symbols:
                resolved[symbol] = value
        if not resolved:
            break  # the rest refer to names without a default (reported below if asked for)
        known.update(resolved)
        pending = {k: v for k, v in pending.items() if k not in resolved}
    out = {}
    for name, var in variables.items():
        value = sympy.sympify(var.value).subs(known)
        if var.dtype == "boolean":
            out[name] = bool(value)
        elif not value.is_number:
            raise errors.ModelDescriptionError(
                f"NESTML model '{model.name}': the default of '{name}' ({var.value}) is not a number")
        elif var.dtype == "integer":
            out[name] = int(value)
        else:
            out[name] = float(value)
    return out


def _pynn_values(model, variables):
    values = evaluate_defaults(model, variables)
    return {name: (value * variables[name].to_pynn if isinstance(value, float) else value)
            for name, value in values.items()}


def receptor_types(model):
    """The receptor types of a NESTML neuron (see the module docstring)."""
    ports = [model.input_ports[n] for n in model.spike_ports()]
    qualifiers = sorted(q for p in ports for q in p.qualifiers)
    if len(ports) == 2 and qualifiers == ["excitatory", "inhibitory"]:
        return ("excitatory", "inhibitory")
    return tuple(p.name for p in ports)


def receptor_ports(model):
    """Receptor type -> the spike port it feeds (see the module docstring)."""
    ports = [model.input_ports[n] for n in model.spike_ports()]
    if receptor_types(model) == ("excitatory", "inhibitory"):
        return {q: p.name for p in ports for q in p.qualifiers}
    return {p.name: p.name for p in ports}


def model_unit_translations(model, names=None, native_names=None):
    """Translation table of `names` (default: the parameters) from the library's units to the
    model's (native value = library value / to_pynn), to the native names `native_names`
    (default: the NESTML names). Back ends that compute in model units use it."""
    variables = {**model.parameters, **model.state}
    names = list(model.parameters) if names is None else list(names)
    native_names = native_names or {}
    entries = []
    for n in names:
        factor = variables[n].to_pynn
        native = native_names.get(n, n)
        entries.append((n, native, 1.0 / factor) if factor != 1.0 else (n, native))
    return build_translations(*entries)


def is_conductance_based(model):
    """True if spike input acts on a conductance: an ``onReceive`` handler assigns to a
    variable in nS, or a kernel's convolution is multiplied by a quantity in nS."""
    variables = {**model.state, **model.parameters, **model.internals}
    for handler in model.on_receive:
        for stmt in handler.body:
            target = variables.get(getattr(stmt, "target", None))
            if target is not None and target.unit == "nS":
                return True
    kernel_vars = {v for k in model.kernels for v in k.state_variables}
    conductances = {n for n, v in variables.items() if v.unit == "nS"}
    expressions = list(model.inline_expressions.values()) + [ode.rhs for ode in model.odes]
    for expr in expressions:
        for term in sympy.Add.make_args(sympy.expand(expr)):
            names = {str(s) for s in term.free_symbols}
            if names & kernel_vars and names & conductances:
                return True
    return False


class NESTMLTypeMixin:
    """What NESTML cell and synapse types have in common."""

    #: the :class:`pyNN.nestml.ir.Model`
    nestml_model = None

    def describe(self, template="modeltype_default.txt", engine="default"):
        """The model's name, source, parameters (library units), state, ports and solvers;
        a dict when `template` is None."""
        m = self.nestml_model
        context = {
            "name": type(self).__name__, "nestml_model": m.name, "kind": m.kind, "source": m.source.path,
            "parameters": {k: (self.default_parameters[k], self.units.get(k, "")) for k in self.default_parameters},
            "state": {k: (v, self.units.get(k, "")) for k, v in self.default_initial_values.items()},
            "input_ports": {p.name: p.kind for p in m.input_ports.values()},
            "solvers": {s.kind: list(s.state_variables) for s in m.solvers},
        }
        if template is None:
            return context
        lines = [f"{context['name']}: NESTML {m.kind} '{m.name}' from {m.source.path}"]
        lines.append("  parameters: " + ", ".join(f"{k}={v!r} {u}".rstrip() for k, (v, u) in
                                                  context["parameters"].items()))
        if context["state"]:
            lines.append("  state: " + ", ".join(f"{k}={v!r} {u}".rstrip() for k, (v, u) in context["state"].items()))
        lines.append("  input ports: " + ", ".join(f"{k} ({v})" for k, v in context["input_ports"].items()))
        if context["solvers"]:
            lines.append("  solvers: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in context["solvers"].items()))
        return "\n".join(lines)


class NESTMLCellType(NESTMLTypeMixin, StandardModelType, BaseCellType):
    """Base class of the cell types made from NESTML neurons."""

    def receptor_sign(self, receptor_type):
        """+1: a NESTML port receives the weight magnitude; the model's equations decide whether
        the input excites or inhibits."""
        return 1.0

    def __repr__(self):
        return f"{type(self).__name__}(<NESTML neuron {self.nestml_model.name}>)"


class NESTMLSynapseType(NESTMLTypeMixin, StandardSynapseType):
    """Base class of the synapse types made from NESTML synapses.

    Parameters
    ----------
    modulatory_inputs : dict, optional
        modulatory spike port -> Population, PopulationView or Assembly whose spikes feed it
        (e.g. ``{"mod_spikes": dopa}``); every spike reaches every connection of the projection
        (see :mod:`pyNN.nestml.modulation`). A library extension; required for each such port.
    modulatory_delay : float, optional
        ms from a modulatory spike's emission to its effect on the synapses (a multiple of dt,
        >= min_delay; default: the simulation's min_delay).
    **parameters
        the synapse's parameters, as for any synapse type.
    """

    #: the type of the co-generated postsynaptic neuron (plastic synapses)
    postsynaptic_cell_type = None

    def __init__(self, modulatory_inputs=None, modulatory_delay=None, **parameters):
        from pyNN.nestml.modulation import check_instance_inputs
        self.modulatory_inputs, self.modulatory_delay = check_instance_inputs(
            self.nestml_model, modulatory_inputs, modulatory_delay)
        super().__init__(**parameters)

    def check_projection(self, projection):
        """Called by the Projection before a backend sees it: every modulatory port has a
        source and the modulatory delay is allowed (pyNN.nestml.modulation.resolve); the
        resolved sources are kept as ``projection.modulatory_sources``."""
        from pyNN.nestml.modulation import resolve
        projection.modulatory_sources = resolve(projection)

    def describe_inputs(self):
        from pyNN.nestml.modulation import describe_inputs
        return describe_inputs(self)

    def describe(self, template="modeltype_default.txt", engine="default"):
        text = super().describe(template, engine)
        extra = self.describe_inputs()
        if template is None:
            text["modulatory_inputs"] = extra.strip()
            return text
        return text + ("\n" + extra if extra else "")

    @property
    def plastic(self):
        """True unless the synapse is static: post ports, an update block, ODEs or state other
        than the weight (the short-term plasticity of NESTML's tsodyks_synapse)."""
        m = self.nestml_model
        return bool(m.post_ports or m.update or m.odes or set(m.state) - {m.weight_variable})


def cell_type_class(model, class_name=None, bases=(NESTMLCellType,), extra=None):
    """A cell-type class for the NESTML neuron `model` (an ir.Model)."""
    if model.kind != "neuron":
        raise errors.InvalidModelError(f"NESTML model '{model.name}' is a synapse, not a neuron")
    parameters = _pynn_values(model, model.parameters)
    initial = _pynn_values(model, model.state)
    units = {n: v.pynn_unit for n, v in {**model.parameters, **model.state}.items()}
    attrs = {
        "__doc__": f"Cell type from the NESTML neuron '{model.name}' ({model.source.path}).",
        "nestml_model": model,
        "default_parameters": parameters,
        "default_initial_values": initial,
        "units": {k: ("dimensionless" if u == "dimensionless" else u) for k, u in units.items()},
        "recordable": list(model.state) + ["spikes"],
        "receptor_types": receptor_types(model),
        "conductance_based": is_conductance_based(model),
        "injectable": any(p.kind == "continuous" for p in model.input_ports.values()),
        "translations": build_translations(*[(n, n) for n in parameters]),
    }
    attrs.update(extra or {})
    return type(class_name or model.name, bases, attrs)


def synapse_type_class(model, weight_variable="w", delay_variable=None, class_name=None,
                       bases=(NESTMLSynapseType,), extra=None):
    """A synapse-type class for the NESTML synapse `model` (an ir.Model).

    The weight variable becomes the ``weight`` parameter (library units, see
    :data:`WEIGHT_SCALE`), the delay variable (if any) the ``delay`` parameter (ms); the
    other parameters keep their NESTML names.
    """
    if model.kind != "synapse":
        raise errors.InvalidModelError(f"NESTML model '{model.name}' is a neuron, not a synapse")
    variables = {**model.parameters, **model.state}
    for role, name in (("weight_variable", weight_variable), ("delay_variable", delay_variable)):
        if name is not None and name not in variables:
            raise errors.NonExistentParameterError(
                f"NESTML synapse '{model.name}' has no variable '{name}' (given as {role}); its parameters and "
                f"state are {sorted(variables)}")
    model.weight_variable, model.delay_variable = weight_variable, delay_variable
    values = _pynn_values(model, model.parameters)
    weight = _pynn_values(model, {weight_variable: variables[weight_variable]})[weight_variable] \
        if weight_variable else 0.0
    params = {"weight": float(weight) / WEIGHT_SCALE if isinstance(weight, numbers.Real) else weight,
              "delay": None}
    if delay_variable:
        params["delay"] = float(_pynn_values(model, {delay_variable: variables[delay_variable]})[delay_variable])
    params.update({k: v for k, v in values.items() if k not in (weight_variable, delay_variable)})
    units = {k: variables[k].pynn_unit for k in params if k in variables}
    units.update({"weight": "nA", "delay": "ms"})
    attrs = {
        "__doc__": f"Synapse type from the NESTML synapse '{model.name}' ({model.source.path}).",
        "nestml_model": model,
        "default_parameters": params,
        "default_initial_values": _pynn_values(model, {k: v for k, v in model.state.items()
                                                         if k != weight_variable}),
        "units": units,
        "weight_variable": weight_variable,
        "delay_variable": delay_variable,
        # readable with Projection.get and recordable with Projection.record: the synapse state
        # (as of each connection's last event, as NEST keeps it), in the library's units
        "state_variables": tuple(k for k in model.state if k != weight_variable),
    }
    attrs.update(extra or {})
    return type(class_name or model.name, bases, attrs)


def generated_synapse_type(backend, synapse_name, nestml_description, postsynaptic_neuron_nestml_description,
                           weight_variable, delay_variable, make_cell_type, extra, postsynaptic_variables=None,
                           modulatory=False):
    """A synapse type from a NESTML synapse for a back end that generates its own code from
    the intermediate form (Brian2, NEURON, the hardware engine).

    Parameters
    ----------
    backend : the back end's name (for error messages)
    synapse_name, nestml_description, postsynaptic_neuron_nestml_description, weight_variable,
    delay_variable : as ``sim.nestml.nestml_synapse_type``
    make_cell_type : the back end's ``nestml_cell_type(name, description)``, used for the
        postsynaptic neuron (which, unlike on NEST, is not changed by the synapse: any cell
        type may be the target)
    extra : function (ir.Model, SynapseProgram) -> dict of the back end's class attributes
    postsynaptic_variables : dict continuous input port -> state variable of the postsynaptic
        neuron (see :func:`pyNN.nestml.synapse_program.check_postsynaptic_variables`)
    modulatory : True if the back end runs modulatory spike ports and update blocks (see
        :mod:`pyNN.nestml.synapse_program`); refused otherwise

    Returns
    -------
    The synapse-type class; its ``synapse_program`` attribute holds the
    :class:`~pyNN.nestml.synapse_program.SynapseProgram`.
    """
    from pyNN.nestml import frontend
    from pyNN.nestml.synapse_program import check_postsynaptic_variables, synapse_program
    syn_source = frontend.read_source(nestml_description)
    sources = [syn_source]
    if postsynaptic_neuron_nestml_description is not None:
        sources.append(frontend.read_source(postsynaptic_neuron_nestml_description))
    models = frontend.load_models(sources, synapse_names=[synapse_name])
    model = frontend.pick(models, synapse_name, "synapse", syn_source[0])
    neuron_names = []
    if len(sources) > 1:
        neuron_names = [n for n in frontend.model_names(sources[1][1]) if models[n].kind == "neuron"]
        if len(neuron_names) != 1:
            raise errors.ModelDescriptionError(
                f"postsynaptic_neuron_nestml_description must hold exactly one neuron model, found {neuron_names}")
    post_inputs = check_postsynaptic_variables(model, models[neuron_names[0]] if neuron_names else None,
                                               postsynaptic_variables)
    cls = synapse_type_class(model, weight_variable, delay_variable, synapse_name)
    program = synapse_program(model, backend, post_inputs, modulatory=modulatory)
    for name, value in extra(model, program).items():
        setattr(cls, name, value)
    cls.synapse_program = program
    if neuron_names:
        cls.postsynaptic_cell_type = make_cell_type(neuron_names[0], postsynaptic_neuron_nestml_description)
    return cls
