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
  pre spike);
- **modulatory spike ports and update blocks** (the neuromodulated STDP rule): a Synapses
  object from each modulatory population onto the plastic Synapses object runs the port's
  handler on every connection; the update block is applied at each event over the time since
  the connection's last one. Such a synapse is scheduled *on time* (every event in the step
  ending at its synapse time, the pre handler in a pathway of its own, the weights in flight in
  a :class:`StepRing`), so that its state can be read as of now (:meth:`Brian2NESTMLSynapse.values_now`).

See :func:`brian2_synapse_code` for the schedules.
"""

import logging

import brian2
import numpy as np

from pyNN import errors
from pyNN.brian2 import simulator
from pyNN.brian2.nestml import BACKEND, _legal_names, nestml_cell_type
from pyNN.brian2.standardmodels.cells import state_array

#: names the synapse code of pyNN.brian2.projections uses itself
_SYNAPSE_RESERVED = {"weight", "delay", "d_syn", "s_ev", "tlast_nml", "tpost_nml", "k_nml", "lastupdate"}

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


#: the names of the functions of the ring keeping each connection's transmitted weights (on-time
#: scheduling, see brian2_synapse_code)
KEEP, SENT = "nestml_keep_sent", "nestml_sent"


def on_time(program):
    """True if the synapse is scheduled on time (an update block or modulatory ports: its state
    is read as of now, see brian2_synapse_code), False if it runs one delay late."""
    return program.has_update or bool(program.mod_ports)


def brian2_synapse_code(model, program):
    """The Brian2 code of a NESTML synapse, a dict: ``equations``, ``on_pre`` (the pathway that
    transmits the weight, with ``{deliver}`` and ``{weight_si}``), ``on_post``, ``on_handle``
    (on-time scheduling: the pre handler's own pathway), ``on_mod`` (modulatory port -> the
    code of a Synapses object from its source onto the synapses) and ``names`` (NESTML name ->
    Brian2 name).

    Every NESTML parameter and state variable is a dimensionless per-connection variable in
    the model's units; ``tlast_nml`` is the synapse time of the connection's last event. An
    event's synapse time is ``s_ev`` (pre: emission; post: emission + delay; modulatory:
    emission + modulatory delay); post events run before pre events of the same time (whose
    handler reads the post variables as they were before a post event at its own time, as on
    NEST), modulatory events before both; each event first brings the state from
    ``tlast_nml`` to ``s_ev``: the update block's statements over the interval (they compose,
    see pyNN.nestml.synapse_program), then the exact ODE step. The transmitted weight is the
    NESTML weight of ``emit_spike`` (``{weight_si}`` converts it to the target's unit).

    Two schedulings (pyNN.brian2.projections):

    - *one delay late* (plain plastic synapses, like the library's STDP): every event runs
      d - dt after its synapse time, the pre handler in the pathway that transmits (its
      ``weight`` is then the weight at the last pre spike, what ``Projection.get('weight')``
      gives, as on NEST) and the post handler on a post pathway of delay 2d - dt; the pre
      handler copies the other state variables into ``<name>_lastpre_nml`` (the state as of
      the last pre spike);
    - *on time* (synapses with an update block or modulatory ports, whose state is read as of
      now): a pre event runs in the step of its spike (pathway ``handle_nml``, delay 0), and
      post and modulatory events in the step ending at their synapse time, the pre events of
      that step first (they are one step earlier in synapse time). The pre handler keeps the
      weight it transmits in a ring indexed by step (:data:`KEEP`), from which the transmitting
      pathway (delay d - dt) takes it (:data:`SENT`).

    A continuous port reads its postsynaptic variable at the spike's emission step
    (``{emission_step}``, filled in by the projection) through :func:`history_function_name`.
    """
    from pyNN.nestml import ir, printers
    from pyNN.nestml.synapse_program import DELIVER, ELAPSED, EVENT_TIME
    timely = on_time(program)
    variables = program.parameters + program.state
    names = _synapse_names(variables)
    names.update({ELAPSED: "elapsed_nml", DELIVER: "deliver_nml", ir.TIMESTEP.name: "elapsed_nml",
                  EVENT_TIME: "t_ev_nml"})
    names.update({port: f"{printers.identifier(port)}_in_nml" for port in program.post_inputs})
    equations = "".join(f"{names[n]} : 1\n" for n in variables)
    post_variables = [names[v] for v in program.post_variables]
    others = [] if timely else [names[v] for v in program.state[1:]]
    equations += "d_syn : second\ntlast_nml : second\ntpost_nml : second\n"
    equations += "".join(f"{v}_before_nml : 1\n" for v in post_variables)
    equations += "".join(f"{v}{LAST_PRE} : 1\n" for v in others)
    if timely:
        equations += "k_nml : integer (constant)\n"

    def head(time, nm, tlast="tlast_nml"):
        out = f"s_ev = {time}\nt_ev_nml = s_ev/ms\nelapsed_nml = (s_ev - {tlast})/ms\n"
        if program.has_update:
            out += printers.brian2_code(program.update, nm) + "\n"
        return out + printers.brian2_code(program.advance, nm) + "\n"

    pre_time, post_time = ("t", "t + dt") if timely else ("t - d_syn + {shift}", "t - d_syn + {shift}")
    inputs = "".join(f"{names[port]} = {history_function_name(variable)}(j, {{emission_step}})\n"
                     for port, variable in program.post_inputs.items())
    # (copies made by clip(): Brian2's numpy target turns `x = x + 1` into an in-place `x += 1`,
    # which would change a plain copy too)
    on_post = (head(post_time, names) + inputs
               + "".join(f"{v}_before_nml = clip({v}, -inf, inf)\n" for v in post_variables)
               + printers.brian2_code(program.on_post, names) + "\ntlast_nml = s_ev\ntpost_nml = s_ev\n")
    # a post event at this pre event's time ran just before it: the pre handler reads the post
    # variables as they were before it (as NESTML's NEST code does), then they take it again
    same = "same_nml = int(abs(s_ev - tpost_nml) < {half_dt})\n" if post_variables else ""
    same += "".join(f"{v}_full_nml = clip({v}, -inf, inf)\n{v} = same_nml*{v}_before_nml + (1 - same_nml)*{v}\n"
                    for v in post_variables)
    handle = (head(pre_time, names) + same + f"deliver_nml = {names[program.state[0]]}\n"
              + printers.brian2_code(program.on_pre, names) + "\n"
              + "".join(f"{v} = {v}_full_nml\n" for v in post_variables)
              + "".join(f"{v}{LAST_PRE} = {v}\n" for v in others)  # (nothing changes {v} after this)
              + "tlast_nml = s_ev\n")
    if program.post_port is None:  # (short-term plasticity) no post events: no post pathway
        on_post = None
    code = {"equations": equations, "on_post": on_post, "names": names, "on_mod": {}}
    if not timely:
        code.update(on_pre=handle + "weight = deliver_nml*{weight_si}\n{deliver}", on_handle=None)
        return code
    code["on_handle"] = handle + f"deliver_nml = {KEEP}(k_nml, s_ev/dt, deliver_nml)\n"
    code["on_pre"] = f"weight = {SENT}(k_nml, (t - d_syn)/dt + 1)*{{weight_si}}\n{{deliver}}"
    # a modulatory event, in a Synapses object whose targets are these synapses (their
    # variables have the suffix _post there)
    target = {n: f"{names[n]}_post" for n in variables}
    target.update({ELAPSED: "elapsed_nml", ir.TIMESTEP.name: "elapsed_nml", EVENT_TIME: "t_ev_nml"})
    for port, part in program.on_mod.items():
        code["on_mod"][port] = (head(post_time, target, "tlast_nml_post") + printers.brian2_code(part, target)
                                + "\ntlast_nml_post = s_ev\n")
    return code


class StepRing:
    """A value per item (cell or connection) and time step for the last `window` steps: a
    (items, window) array indexed by the step modulo the window, with Brian2 functions to read
    it, :attr:`read` ``f(k, step)``, and to write it, :attr:`write` ``f(k, step, value)`` (which
    returns `value`), with numpy and Cython implementations. The ring grows between runs
    (:meth:`require`)."""

    def __init__(self, prefix):
        self.window = 1
        self.values = np.zeros((0, 1))
        self.name = simulator.state.unique_name(prefix)
        self.read = self._function("read", self._read, [1, 1])
        self.write = self._function("write", self._write, [1, 1, 1])

    def require(self, items, steps):
        """At least `items` items and `steps` steps (between runs): a larger ring keeps the
        values of the last steps, so that spikes in flight keep theirs."""
        if items > self.values.shape[0] or steps > self.window:
            window = max(self.window, int(steps))
            values = np.zeros((max(items, self.values.shape[0]), window))
            recent = np.arange(simulator.state.steps - self.window, simulator.state.steps)
            values[:self.values.shape[0], recent % window] = self.values[:, recent % self.window]
            self.window, self.values = window, values

    def reset(self):
        self.values[:] = 0.0

    def _read(self, k, step):
        return self.values[k, np.rint(step).astype(np.int64) % self.window]

    def _write(self, k, step, value):
        self.values[k, np.rint(step).astype(np.int64) % self.window] = value
        return value

    def _cython_code(self, kind):
        array = f"_namespace{self.name}_values"
        slot = f"k*{self.window} + (<long>(step + 0.5)) % {self.window}"
        if kind == "read":
            return (f"cdef double {self.name}_read(int k, double step):\n"
                    f"    global {array}\n    return {array}[{slot}]\n")
        return (f"cdef double {self.name}_write(int k, double step, double value):\n"
                f"    global {array}\n    {array}[{slot}] = value\n    return value\n")

    def _function(self, kind, numpy_function, arg_units):
        from brian2 import Function
        from brian2.codegen.generators import CythonCodeGenerator, NumpyCodeGenerator

        # (reading is stateless within a code block: no block writes the ring it reads; this keeps
        # Brian2's order-independence check quiet in the pathways that transmit)
        function = Function(numpy_function, arg_units=arg_units, return_unit=1, stateless=kind == "read")
        function.implementations.add_implementation(NumpyCodeGenerator, numpy_function)
        function.implementations.add_dynamic_implementation(
            CythonCodeGenerator, lambda owner: self._cython_code(kind), name=f"{self.name}_{kind}",
            namespace=lambda owner: {f"{self.name}_values": self.values.reshape(-1)})
        function.pynn_ring = self
        return function


class _QuietModulatoryOrder(logging.Filter):
    """Brian2 warns that the code of a Synapses object onto synapses may depend on the order of
    execution when several modulatory spikes reach one connection in a step; it runs them one
    after the other (Cython; the numpy target falls back on a loop), which is the semantics of
    pyNN.nestml.synapse_program (each spike runs the handler once). Only that warning about the
    modulatory handlers generated here (they write ``tlast_nml_post``) is dropped."""

    def filter(self, record):
        message = record.getMessage()
        return not ("may not be well-defined" in message and "tlast_nml_post" in message)


logging.getLogger("brian2.codegen.generators.base").addFilter(_QuietModulatoryOrder())


class SpikeValueHistory(StepRing):
    """The value of one state variable of a NESTML group's cells at each of their spikes: a
    :class:`StepRing` over the group's cells, written at the end of every step (after the
    threshold) for the cells that fired, read in ``on_post`` as ``f(j, emission step)``.
    A post event is handled at most 2 D steps after its emission (D: the connection's delay in
    steps, see brian2_synapse_code), so a ring of 2 D + 2 steps still holds the value then."""

    def __init__(self, shared, variable, native):
        super().__init__(f"at_spike_{native}")
        self.shared = shared
        self.variable = variable
        self.native = native
        self.require(shared.size, 1)
        state = simulator.state
        self.operation = brian2.NetworkOperation(self._store, when="end", order=-50,
                                                 name=state.unique_name("spike_values"))
        state.add(self.operation)

    def _store(self, t):
        space = state_array(self.shared.group, "_spikespace")
        count = int(space[-1])
        if count:
            cells = space[:count]
            step = round(float(np.asarray(t)) / (simulator.state.dt * 1e-3))
            self.values[cells, step % self.window] = state_array(self.shared.group, self.native)[cells]


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
    its Synapses' namespace and its extra pathways, the Synapses objects of modulatory inputs,
    and the reading of state variables."""

    def __init__(self, program, code):
        self.program = program
        self.code = code
        self.names = code["names"]
        #: scheduled on time (see brian2_synapse_code)
        self.on_time = on_time(program)
        self._now = None

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
        """The functions the Synapses object onto population `root` calls: the spike-value
        histories' and (on time) those of a new ring of transmitted weights."""
        out = {history_function_name(v): spike_value_history(root, v).read
               for v in self.program.post_inputs.values()}
        if self.on_time:
            ring = StepRing("sent")
            out.update({KEEP: ring.write, SENT: ring.read})
        return out

    def pathways(self):
        """Extra pre pathways (name -> (code, delay in s)): on time, the pre handler's."""
        return {"handle_nml": (self.code["on_handle"], 0.0)} if self.on_time else {}

    def built(self, projection, syn, namespace):
        """The Synapses object `syn` was made with `namespace`: the pre handler's pathway runs
        before the post and modulatory ones (pre events of a step are earlier in synapse time)."""
        if self.on_time:
            syn._nestml_ring = namespace[SENT].pynn_ring
            syn.handle_nml.order = syn.pre.order - 3

    def connected(self, projection, syn, sl):
        """The connections `sl` of `syn` exist: their ring indices, and the Synapses objects
        from the modulatory sources onto them (every cell onto every connection, its spikes
        handled at emission + modulatory delay, before the post events of the same time)."""
        if not self.on_time:
            return
        from pyNN.brian2.projections import _connect_arrays
        from pyNN.common.populations import roots
        state = simulator.state
        state_array(syn, "k_nml")[sl] = np.arange(sl.start, sl.stop)
        syn._nestml_ring.require(sl.stop, 1)
        targets = np.arange(sl.start, sl.stop, dtype=np.int64)
        for source in getattr(projection, "modulatory_sources", ()):
            for root, indices, _ in roots(source.population):
                group = root.group
                cells = np.asarray(indices, dtype=np.int64) + root._offset
                modsyn = brian2.Synapses(group, syn, on_pre=projection._event_code(self.code["on_mod"][source.port]),
                                         delay=(source.delay - state.dt) * brian2.ms, namespace={},
                                         name=state.unique_name("modulatory"))
                _connect_arrays(modsyn, np.repeat(cells, targets.size), np.tile(targets, cells.size))
                modsyn.pre.order = syn.pre.order - 2
                state.add(modsyn)

    def delays_set(self, syn, sl, root, delays_ms):
        """The connections `sl` of `syn` onto `root` have the delays `delays_ms`: the rings keep
        long enough."""
        steps = round(float(np.max(delays_ms)) / simulator.state.dt)
        for variable in self.program.post_inputs.values():
            spike_value_history(root, variable).require(0, 2 * steps + 2)
        if self.on_time:
            syn._nestml_ring.require(sl.stop, steps + 1)

    def state_variable(self, name):
        """(Brian2 variable, factor to the library's units) of state variable `name` as of each
        connection's last pre spike (scheduling one delay late)."""
        return f"{self.names[name]}{LAST_PRE}", self.program.model.state[name].to_pynn

    def values_now(self, projection, name):
        """State variable `name` of every connection in core order, in the model's units, as of
        now (on time): the events up to now are handled; the update block and the ODEs are
        brought from each connection's last event to now (on copies)."""
        from pyNN.nestml import ir, printers
        from pyNN.nestml.synapse_program import ELAPSED
        if self._now is None:
            names = {n: self.names[n] for n in self.program.parameters + self.program.state}
            names.update({ELAPSED: "elapsed_nml", ir.TIMESTEP.name: "elapsed_nml"})
            source = printers.numpy_code(self.program.update, names) if self.program.has_update else ""
            source += "\n" + printers.numpy_code(self.program.advance, names)
            self._now = compile(source, f"<NESTML synapse {self.program.model.name}: to now>", "exec")
        out = np.empty(len(projection))
        for syn, positions, _, sl in projection._synapses:
            env = {"np": np}
            env.update({v: np.array(state_array(syn, v)[sl], dtype=float)
                        for v in (self.names[n] for n in self.program.parameters + self.program.state)})
            env["elapsed_nml"] = simulator.state.t - state_array(syn, "tlast_nml")[sl] * 1e3
            with np.errstate(all="ignore"):
                exec(self._now, env)  # generated from the IR
            out[positions] = np.broadcast_to(env[self.names[name]], env["elapsed_nml"].shape)
        return out


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
        from pyNN.nestml.synapse_program import refuse
        if program.has_update and not program.update_composes:
            refuse(model, "an update block whose statements are not the exact solution over any interval (the "
                          "Brian2 generator applies it at each event over the time since the last one)", BACKEND)
        code = brian2_synapse_code(model, program)
        names = code["names"]
        initial = {names[n]: v for n, v in types.evaluate_defaults(model, model.state).items()}  # model units
        if not on_time(program):
            initial.update({f"{names[n]}{LAST_PRE}": initial[names[n]] for n in program.state[1:]})
        return {"native_name": "Synapses", "native_description": "generated event-driven Synapses code",
                "brian2_equations": code["equations"], "brian2_on_pre": code["on_pre"],
                "brian2_on_post": code["on_post"], "release": "1",
                "brian2_initial": initial | {"tlast_nml": 0.0, "tpost_nml": -1e9},
                "brian2_weight_state": (names[program.state[0]], types.WEIGHT_SCALE),
                # the post pathway's delay in delays (minus one step), see brian2_synapse_code
                "brian2_post_delays": 1 if on_time(program) else 2,
                "brian2_extension": Brian2NESTMLSynapse(program, code)}

    cls = types.generated_synapse_type(BACKEND, synapse_name, nestml_description,
                                       postsynaptic_neuron_nestml_description, weight_variable, delay_variable,
                                       nestml_cell_type, extra, postsynaptic_variables, modulatory=True)
    native = _synapse_names(cls.nestml_model.parameters)
    params = [n for n in cls.default_parameters if n in cls.nestml_model.parameters]
    cls.translations = {**build_translations(("weight", "weight"), ("delay", "delay")),
                         **types.model_unit_translations(cls.nestml_model, params, native)}
    return cls
