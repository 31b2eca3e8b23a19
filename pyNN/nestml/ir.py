"""The intermediate form of a NESTML model: what every back end reads.

``pyNN.nestml.frontend`` builds one :class:`Model` per NESTML model (a neuron or a
synapse) with the ``nestml`` package (parsing, checks, inline expansion, kernels to
state variables) and ``odetoolbox`` (the choice of solver and the propagators). The
dataclasses below are plain data: no NESTML objects survive in them, and a Model
pickles (the front end caches it). ``doc/nestml.md`` is the full description; in short:

Numbers and units
    Every number (defaults, literals inside expressions, propagators) is in *model units*
    (:mod:`pyNN.nestml.units`: mV, ms, pA, pF, nS, GOhm; NESTML's own internal units). Each
    :class:`Variable` also gives its library unit and the factor ``to_pynn``.
Expressions
    ``sympy`` expressions over plain ``sympy.Symbol``\\ s named like the model's variables
    (parameters, state, internals, input ports, local variables, the time step ``__h``,
    the propagator names ``__P__...``). Conditions are sympy relationals and
    ``And``/``Or``/``Not``; ``a if c else b`` is a ``Piecewise``. Functions NESTML
    predefines appear as sympy functions (``exp``, ``expm1`` as :data:`expm1`, ``Min``,
    ``Max``, ...) or, when sympy has no counterpart, as undefined functions named as in NESTML
    (``random_normal``, ``random_uniform``, ``clip`` rewritten as ``Min(Max(...))``).
    :mod:`pyNN.nestml.printers` renders them as C, NMODL, Brian2 or numpy code.
Input ports
    Inside an ``onReceive`` handler and in kernel jumps the symbol of a spike port stands for
    the *sum of the weights* (dimensionless, NESTML weights) of the spikes arriving on that
    port in the current step; the front end has already removed NESTML's 1/s from it. A
    continuous port's symbol is its value in model units.
Statements
    The update block, handlers and functions are lists of :class:`Assign`, :class:`Declare`,
    :class:`If`, :class:`While`, :class:`For`, :class:`IntegrateODEs`, :class:`EmitSpike`,
    :class:`Return` and :class:`Call`.

One time step of a neuron, as NESTML's NEST code runs it (generators must keep the order):

1. sum the weights of the spikes arriving on each spike port in this step;
2. propagate the kernel state variables (:attr:`Kernel.state_variables`) over the step,
   keeping the new values aside;
3. run the ``update`` block (``integrate_odes`` advances the other state variables; the
   kernel variables still hold their start-of-step values);
4. run the ``onReceive`` handler of every port that received a spike in this step;
5. store the propagated kernel values, then add each kernel's jump times the port's
   summed weight (:attr:`Kernel.jumps`);
6. evaluate the ``onCondition`` blocks in order and run those whose condition holds;
7. read the continuous inputs for the next step (a continuous input acts one step late).
"""

from dataclasses import dataclass, field

import sympy

#: bump when the intermediate form built from the same text changes (part of the IR's cache key;
#: kept here, not in build_ir, so that a cache hit does not import the builder and astropy)
BUILDER_VERSION = 3

#: the symbol of the integration time step (ms) in propagators and update expressions
TIMESTEP = sympy.Symbol("__h")

#: NESTML's expm1, as a sympy function (sympy has none; printers render it natively)
expm1 = sympy.Function("expm1")


@dataclass
class Variable:
    """A parameter, state variable, internal (derived constant) or local variable.

    Attributes
    ----------
    name : the NESTML name
    kind : ``"parameter"``, ``"state"`` or ``"internal"``
    unit : the model unit (``"pA"``, ``"mV/ms"``, ``"dimensionless"``)
    pynn_unit : the library unit (``"nA"``)
    to_pynn : ``value_in_library_units = value_in_model_units * to_pynn``
    value : default value (parameters), initial value (state) or defining expression
        (internals), in model units; may refer to parameters and internals
    dtype : ``"real"``, ``"integer"`` or ``"boolean"``
    size : None, or the vector length (an int or the name of a parameter)
    invariants : conditions the value must meet (NESTML ``[[...]]``)
    comment : NESTML's comment on the declaration
    """

    name: str
    kind: str
    unit: str
    pynn_unit: str
    to_pynn: float
    value: sympy.Expr
    dtype: str = "real"
    size: object | None = None
    invariants: list = field(default_factory=list)
    comment: str = ""


@dataclass
class ODE:
    """``variable`` with ``order`` primes = ``rhs`` (inline expressions already expanded;
    after the front end the state of order > 1 ODEs is also available in :class:`Solver`)."""

    variable: str
    order: int
    rhs: sympy.Expr


@dataclass
class Kernel:
    """A ``convolve(kernel, port)`` that NESTML turned into state variables.

    Attributes
    ----------
    name : the kernel's name
    port : the spike port it convolves
    expression : the kernel as a function of the symbol ``t`` (or of its ODE form)
    state_variables : the generated variables, e.g. ``K__X__spikes``, ``K__X__spikes__d``;
        ``K__X__spikes`` is the value of the convolution and appears in the ODEs
    jumps : state variable -> increment per unit of summed weight on ``port``
    """

    name: str
    port: str
    expression: sympy.Expr
    state_variables: list
    jumps: dict


@dataclass
class Solver:
    """What odetoolbox chose for a group of state variables.

    Attributes
    ----------
    kind : ``"analytic"`` (exact propagators) or ``"numeric"``
    state_variables : the variables this solver advances
    update_expressions : analytic: variable -> value after one step of length ``__h``, in
        terms of the start-of-step values and the propagators; numeric: variable -> the
        right-hand side d(variable)/dt
    propagators : analytic only: propagator name -> expression in ``__h`` and parameters
        (a generator computes them once per parameter change)
    initial_values : variable -> initial value (for kernel variables: the jump per spike)
    """

    kind: str
    state_variables: list
    update_expressions: dict
    propagators: dict = field(default_factory=dict)
    initial_values: dict = field(default_factory=dict)


@dataclass
class InputPort:
    """An input port.

    Attributes
    ----------
    name, kind (``"spike"`` or ``"continuous"``)
    unit : continuous ports: the model unit of the value (``"pA"``); spike ports:
        ``"dimensionless"`` (the summed weight)
    qualifiers : NESTML's ``excitatory``/``inhibitory`` qualifiers, if any
    size : None or the vector length
    """

    name: str
    kind: str
    unit: str = "dimensionless"
    qualifiers: tuple = ()
    size: object | None = None


# --- statements ------------------------------------------------------------------------------


@dataclass
class Assign:
    """``target op value`` with op one of ``=``, ``+=``, ``-=``, ``*=``, ``/=``;
    ``index`` is set for an element of a vector variable."""

    target: str
    op: str
    value: sympy.Expr
    index: sympy.Expr | None = None


@dataclass
class Declare:
    """A local variable (inside a block or function) with its model unit and initial value."""

    name: str
    unit: str
    dtype: str
    value: sympy.Expr | None


@dataclass
class If:
    """``branches`` is a list of (condition, statements); ``orelse`` the ``else`` statements."""

    branches: list
    orelse: list = field(default_factory=list)


@dataclass
class While:
    condition: sympy.Expr
    body: list


@dataclass
class For:
    """``for variable in start ... stop step step`` (stop included, as in NESTML)."""

    variable: str
    start: sympy.Expr
    stop: sympy.Expr
    step: sympy.Expr
    body: list


@dataclass
class IntegrateODEs:
    """Advance the ODE state by one step; ``variables`` empty means all of them (except the
    kernel state variables, which are advanced separately, see the module docstring)."""

    variables: tuple = ()


@dataclass
class EmitSpike:
    """Neuron: emit a spike. Synapse: deliver a spike to the postsynaptic neuron with the
    given arguments (``args[0]`` the weight, ``args[1]`` the delay if given)."""

    args: tuple = ()


@dataclass
class Return:
    value: sympy.Expr | None = None


@dataclass
class Call:
    """A call kept for its side effect (``print``, ``println``, user functions)."""

    name: str
    args: tuple = ()


def names_read(statements):
    """The names the expressions of `statements` (nested blocks included) read."""
    out = set()

    def visit(item):
        if isinstance(item, sympy.Basic):
            out.update(str(s) for s in item.free_symbols)
        elif isinstance(item, (list, tuple)):
            for x in item:
                visit(x)
        elif hasattr(item, "__dataclass_fields__"):
            for name in item.__dataclass_fields__:
                visit(getattr(item, name))

    visit(statements)
    return out


@dataclass
class Handler:
    """``onReceive(port)``: ``body`` runs in a step in which ``port`` received spikes."""

    port: str
    body: list


@dataclass
class ConditionHandler:
    """``onCondition(condition)``: ``body`` runs in each step in which ``condition`` holds."""

    condition: sympy.Expr
    body: list


@dataclass
class Function:
    """A user-defined function: ``args`` is a list of (name, model unit)."""

    name: str
    args: list
    return_unit: str | None
    body: list


@dataclass
class SourceInfo:
    """Where the model came from: the file (or ``"<text>"``), its text and its hash."""

    path: str
    text: str
    digest: str


@dataclass
class Model:
    """One NESTML neuron or synapse model.

    Attributes
    ----------
    name, kind : the model name and ``"neuron"`` or ``"synapse"``
    source : :class:`SourceInfo`
    parameters, state, internals : name -> :class:`Variable`, in declaration order. The
        state holds what the model declares; kernel variables are listed in
        :attr:`kernels` and in the solvers.
    inline_expressions : name -> expression (already substituted where they are used;
        kept so that back ends can record them)
    odes : list of :class:`ODE` as written (inline expressions expanded)
    kernels : list of :class:`Kernel`
    solvers : list of :class:`Solver` (at most one analytic, one numeric); a numeric solver
        that coexists with an analytic one covers *all* ODE state variables, as NESTML
        requires
    update : statements of the ``update`` block
    on_receive : list of :class:`Handler`
    on_condition : list of :class:`ConditionHandler`
    functions : name -> :class:`Function`
    input_ports : name -> :class:`InputPort`
    output : ``"spike"``, ``"continuous"`` or None
    weight_variable, delay_variable : synapses: the state/parameter names holding the
        weight and the delay (None when the model has none)
    pre_port : synapses: the spike port of presynaptic spikes
    post_ports : synapses: spike ports fed by the postsynaptic neuron's spikes
    """

    name: str
    kind: str
    source: SourceInfo
    parameters: dict = field(default_factory=dict)
    state: dict = field(default_factory=dict)
    internals: dict = field(default_factory=dict)
    inline_expressions: dict = field(default_factory=dict)
    odes: list = field(default_factory=list)
    kernels: list = field(default_factory=list)
    solvers: list = field(default_factory=list)
    update: list = field(default_factory=list)
    on_receive: list = field(default_factory=list)
    on_condition: list = field(default_factory=list)
    functions: dict = field(default_factory=dict)
    input_ports: dict = field(default_factory=dict)
    output: str | None = None
    weight_variable: str | None = None
    delay_variable: str | None = None
    pre_port: str | None = None
    post_ports: tuple = ()

    def spike_ports(self):
        """Names of the spike input ports, in declaration order."""
        return [p.name for p in self.input_ports.values() if p.kind == "spike"]

    def continuous_ports(self):
        """Names of the continuous input ports, in declaration order."""
        return [p.name for p in self.input_ports.values() if p.kind == "continuous"]

    def solver_for(self, variable):
        """The :class:`Solver` that advances `variable` (the analytic one if both do)."""
        for kind in ("analytic", "numeric"):
            for solver in self.solvers:
                if solver.kind == kind and variable in solver.state_variables:
                    return solver
        return None

    def numeric_only_variables(self):
        """The ODE variables that only the numeric solver can advance: no exact propagator, not
        a kernel's (e.g. ``V_m`` of a conductance-based neuron), in the solver's order."""
        kernel_vars = {v for k in self.kernels for v in k.state_variables}
        numeric = [s for s in self.solvers if s.kind == "numeric"]
        if not numeric:
            return []
        return [v for v in numeric[0].state_variables
                if self.solver_for(v).kind == "numeric" and v not in kernel_vars]

    def numeric_odes_are_linear(self):
        """Whether the right-hand sides of :meth:`numeric_only_variables` are linear in those
        variables (coefficients may depend on anything else, e.g. exactly propagated
        conductances): true for conductance-based integrate-and-fire neurons, false for
        Hodgkin-Huxley or AdEx. True when there are none."""
        import sympy
        variables = self.numeric_only_variables()
        if not variables:
            return True
        solver = next(s for s in self.solvers if s.kind == "numeric")
        symbols = {sympy.Symbol(v) for v in variables}
        return all(not (sympy.diff(solver.update_expressions[v], x).free_symbols & symbols)
                   for v in variables for x in symbols)
