"""NESTML synapses on Brian2: ``sim.nestml.nestml_synapse_type`` as generated ``Synapses`` code.

The synapse's event program (:mod:`pyNN.nestml.synapse_program`) becomes the ``on_pre`` and
``on_post`` code of the projection's Synapses object, run eagerly as the library's STDP runs
(:mod:`pyNN.brian2.projections`): each event at its synapse time (pre: emission; post:
emission + delay), one delay after it. Besides the weight:

- **third factors** (continuous ports fed by ``postsynaptic_variables``): the post handler
  reads the postsynaptic variable's value at the post spike's *emission*, although it runs
  two delays later. A :class:`SpikeValueHistory` per target group and variable keeps the
  value of every cell that fired, by time step, in a ring of a few delays' length, and a
  Brian2 function reads it back in ``on_post`` (numpy and Cython implementations);
- **state as of the last pre spike** (``Projection.get``/``record`` of the traces): the pre
  handler copies every state variable into ``<name>_lastpre_nml`` when it is done, which is
  the state NEST, NEURON and the emulator keep (they handle post events lazily, at the next
  pre spike).
"""

import brian2
import numpy as np

from pyNN import errors
from pyNN.brian2 import simulator
from pyNN.brian2.nestml import BACKEND, _legal_names, nestml_cell_type
from pyNN.brian2.standardmodels.cells import state_array

#: names the synapse code of pyNN.brian2.projections uses itself
_SYNAPSE_RESERVED = {"weight", "delay", "d_syn", "s_ev", "tlast_nml", "lastupdate"}

#: suffix of the copy of a state variable made at the end of each pre event
LAST_PRE = "_lastpre_nml"


def _synapse_names(names):
    """NESTML name -> Brian2 name in a ``Synapses``: also the names the library's synapse code uses
    and those ending in ``_pre``/``_post`` (Brian2's suffixes of pre/post variables) get a suffix."""
    out = _legal_names(names)
    for name, legal in out.items():
        if legal in _SYNAPSE_RESERVED or legal.endswith(("_pre", "_post")):
            out[name] = f"{legal}_nestml"
    return out


def history_function_name(variable):
    """The name the post handler calls to read `variable` (a postsynaptic NESTML state
    variable) at a post spike's emission; each Synapses object's namespace gives the function
    of its own target group under it (see :class:`SpikeValueHistory`)."""
    from pyNN.nestml.printers import identifier
    return f"nestml_at_spike_{identifier(variable)}"


def brian2_synapse_code(model, program):
    """(equations, on_pre, on_post, names) of a NESTML synapse for a Brian2 ``Synapses``.

    Every NESTML parameter and state variable is a dimensionless per-connection variable in
    the model's units; ``tlast_nml`` is the synapse time of the connection's last event. The
    event code is that of the library's STDP (pyNN.brian2.standardmodels.synapses): an event's
    synapse time is ``s_ev`` (pre: emission; post: emission + delay), post events run before
    pre events of the same time (whose handler reads the post variables as they were before a
    post event at its own time, as on NEST); each event first advances the ODE state exactly
    over ``s_ev - tlast_nml``. The transmitted weight is the NESTML weight of ``emit_spike``
    (``{weight_si}`` converts it to the target's weight unit); ``weight`` keeps it, so that
    ``Projection.get('weight')`` gives the weight at the last presynaptic spike, as on NEST,
    and ``<name>_lastpre_nml`` the other state variables then. A continuous port reads its
    postsynaptic variable at the spike's emission step (``{emission_step}``, filled in by the
    projection) through :func:`history_function_name`.
    """
    from pyNN.nestml import printers
    from pyNN.nestml.synapse_program import DELIVER, ELAPSED
    names = _synapse_names(program.parameters + program.state)
    names[ELAPSED] = "elapsed_nml"
    names[DELIVER] = "deliver_nml"
    names.update({port: f"{printers.identifier(port)}_in_nml" for port in program.post_inputs})
    equations = "".join(f"{names[n]} : 1\n" for n in program.parameters + program.state)
    post_variables = [names[v] for v in program.post_variables]
    others = [names[v] for v in program.state[1:]]
    equations += "d_syn : second\ntlast_nml : second\ntpost_nml : second\n"
    equations += "".join(f"{v}_before_nml : 1\n" for v in post_variables)
    equations += "".join(f"{v}{LAST_PRE} : 1\n" for v in others)
    head = "s_ev = t - d_syn + {shift}\nelapsed_nml = (s_ev - tlast_nml)/ms\n"
    head += printers.brian2_code(program.advance, names) + "\n"
    inputs = "".join(f"{names[port]} = {history_function_name(variable)}(j, {{emission_step}})\n"
                     for port, variable in program.post_inputs.items())
    # (copies made by clip(): Brian2's numpy target turns `x = x + 1` into an in-place `x += 1`,
    # which would change a plain copy too)
    on_post = (head + inputs + "".join(f"{v}_before_nml = clip({v}, -inf, inf)\n" for v in post_variables)
               + printers.brian2_code(program.on_post, names) + "\ntlast_nml = s_ev\ntpost_nml = s_ev\n")
    # a post event at this pre event's time ran just before it: the pre handler reads the post
    # variables as they were before it (as NESTML's NEST code does), then they take it again
    same = "same_nml = int(abs(s_ev - tpost_nml) < {half_dt})\n" if post_variables else ""
    same += "".join(f"{v}_full_nml = clip({v}, -inf, inf)\n{v} = same_nml*{v}_before_nml + (1 - same_nml)*{v}\n"
                    for v in post_variables)
    on_pre = (head + same + f"deliver_nml = {names[program.state[0]]}\n"
              + printers.brian2_code(program.on_pre, names) + "\n"
              + "".join(f"{v} = {v}_full_nml\n" for v in post_variables)
              + "".join(f"{v}{LAST_PRE} = clip({v}, -inf, inf)\n" for v in others)
              + "tlast_nml = s_ev\nweight = deliver_nml*{weight_si}\n{deliver}")
    return equations, on_pre, on_post, names


class SpikeValueHistory:
    """The value of one state variable of a NESTML group's cells at each of their spikes in the
    last `window` time steps: a (window, cells) ring indexed by the spike's step, filled at the
    end of every step (after the threshold) for the cells that fired, and read by the Brian2
    function :attr:`function` ``f(j, step)`` (the value of cell j at its spike in `step`).

    A post event is handled 2 D steps after its emission (D: the connection's delay in steps,
    see pyNN.brian2.projections), so a ring of 2 D + 2 steps still holds the value then.
    """

    def __init__(self, shared, variable, native):
        self.shared = shared
        self.variable = variable
        self.native = native
        self.window = 1
        self.values = np.zeros((1, shared.size))
        state = simulator.state
        self.name = state.unique_name(f"at_spike_{native}")
        self.function = self._function()
        self.operation = brian2.NetworkOperation(self._store, when="end", order=-50,
                                                 name=state.unique_name("spike_values"))
        state.add(self.operation)

    def require(self, steps):
        """Keep at least `steps` steps (between runs: a larger ring starts empty)."""
        if steps > self.window:
            self.window = int(steps)
            self.values = np.zeros((self.window, self.shared.size))

    def reset(self):
        self.values[:] = 0.0

    def _store(self, t):
        space = state_array(self.shared.group, "_spikespace")
        count = int(space[-1])
        if count:
            cells = space[:count]
            step = round(float(np.asarray(t)) / (simulator.state.dt * 1e-3))
            self.values[step % self.window, cells] = state_array(self.shared.group, self.native)[cells]

    def _read(self, j, step):
        return self.values[np.rint(step).astype(np.int64) % self.window, j]

    def _cython_code(self, owner):
        return (f"cdef double {self.name}(int j, double step):\n"
                f"    global _namespace{self.name}_values\n"
                f"    cdef long k = (<long>(step + 0.5)) % {self.window}\n"
                f"    return _namespace{self.name}_values[k*{self.shared.size} + j]\n")

    def _function(self):
        from brian2 import Function
        from brian2.codegen.generators import CythonCodeGenerator, NumpyCodeGenerator

        function = Function(self._read, arg_units=[1, 1], return_unit=1, stateless=False)
        function.implementations.add_implementation(NumpyCodeGenerator, self._read)
        function.implementations.add_dynamic_implementation(
            CythonCodeGenerator, self._cython_code, name=self.name,
            namespace=lambda owner: {f"{self.name}_values": self.values.reshape(-1)})
        return function


def spike_value_history(root, variable):
    """The :class:`SpikeValueHistory` of NESTML state variable `variable` of the group of
    population `root` (one per group and variable)."""
    histories = root._shared.spike_value_histories
    if variable not in histories:
        histories[variable] = SpikeValueHistory(root._shared, variable, root.brian2_model.state[variable][0])
    return histories[variable]


class Brian2NESTMLSynapse:
    """What a projection of a NESTML synapse type needs besides its code (the synapse type's
    ``brian2_extension``; see pyNN.brian2.projections): the target check, the functions of
    its Synapses' namespace, and the state variables' Brian2 names."""

    def __init__(self, program, names):
        self.program = program
        self.names = names

    def check_target(self, projection, root):
        """NoModelAvailableError unless population `root` has the postsynaptic variables the
        synapse's continuous ports read (a NESTML cell type with them)."""
        inputs = self.program.post_inputs
        if not inputs:
            return
        model = getattr(root.celltype, "nestml_model", None)
        missing = [v for v in inputs.values() if model is None or v not in model.state]
        if missing:
            raise errors.NoModelAvailableError(
                f"Projection '{projection.label}': the NESTML synapse '{self.program.model.name}' reads the "
                f"postsynaptic variable(s) {missing} (postsynaptic_variables), which the target population "
                f"'{root.label}' ({type(root.celltype).__name__}) does not have on the {BACKEND} backend; connect "
                f"it to the synapse type's postsynaptic_cell_type")

    def namespace(self, projection, root):
        """The functions the Synapses object onto population `root` calls."""
        return {history_function_name(v): spike_value_history(root, v).function
                for v in self.program.post_inputs.values()}

    def delays_set(self, root, delays_ms):
        """The connections onto `root` have the delays `delays_ms`: the spike-value histories
        keep long enough."""
        if not self.program.post_inputs:
            return
        steps = round(float(np.max(delays_ms)) / simulator.state.dt)
        for variable in self.program.post_inputs.values():
            spike_value_history(root, variable).require(2 * steps + 2)

    def state_variable(self, name):
        """(Brian2 variable, factor to the library's units) of state variable `name` as of each
        connection's last pre spike."""
        return f"{self.names[name]}{LAST_PRE}", self.program.model.state[name].to_pynn


def nestml_synapse_type(synapse_name, nestml_description, postsynaptic_neuron_nestml_description=None,
                        weight_variable="w", delay_variable=None, postsynaptic_variables=None):
    """A synapse type from a plastic NESTML synapse model, generated as Brian2 ``Synapses`` code.

    Parameters are those of ``sim.nestml.nestml_synapse_type`` on NEST. The synapse runs onto
    any cell type (onto NESTML cell types with the variables named by
    `postsynaptic_variables` if it has continuous input ports); the neuron of
    `postsynaptic_neuron_nestml_description`, if given, is made a cell type as by
    ``nestml_cell_type`` and is the returned class's ``postsynaptic_cell_type``. The generated
    code is in the class's ``brian2_on_pre`` and ``brian2_on_post``.

    Raises
    ------
    NoModelAvailableError for a synapse the generator cannot translate (see
    :mod:`pyNN.nestml.synapse_program`), naming the construct.
    """
    from pyNN.nestml import types
    from pyNN.standardmodels import build_translations

    def extra(model, program):
        equations, on_pre, on_post, names = brian2_synapse_code(model, program)
        initial = {names[n]: v for n, v in types.evaluate_defaults(model, model.state).items()}  # model units
        initial.update({f"{names[n]}{LAST_PRE}": initial[names[n]] for n in program.state[1:]})
        return {"native_name": "Synapses", "native_description": "generated event-driven Synapses code",
                "brian2_equations": equations, "brian2_on_pre": on_pre, "brian2_on_post": on_post,
                "release": "1", "brian2_initial": initial | {"tlast_nml": 0.0, "tpost_nml": -1e9},
                "brian2_weight_state": (names[program.state[0]], types.WEIGHT_SCALE),
                "brian2_extension": Brian2NESTMLSynapse(program, names)}

    cls = types.generated_synapse_type(BACKEND, synapse_name, nestml_description,
                                       postsynaptic_neuron_nestml_description, weight_variable, delay_variable,
                                       nestml_cell_type, extra, postsynaptic_variables)
    native = _synapse_names(cls.nestml_model.parameters)
    params = [n for n in cls.default_parameters if n in cls.nestml_model.parameters]
    cls.translations = {**build_translations(("weight", "weight"), ("delay", "delay")),
                         **types.model_unit_translations(cls.nestml_model, params, native)}
    return cls
