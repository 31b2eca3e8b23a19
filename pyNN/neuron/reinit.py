"""Objects added to a running NEURON simulation: started at the current time, the rest undisturbed.

NEURON 9 takes new objects (cells, spike sources, connections, recording and playing
vectors) into account only at ``finitialize()``, which also resets the whole model to
t = 0. Before the first run after such additions the backend therefore

1. brings NEURON's lists of mechanism instances up to date (``fcurrent()``), so that a
   ``SaveState`` taken now describes the structure that ``finitialize()`` will see (new
   artificial cells are listed only then; a stale count makes the restore refuse with
   "Stored state inconsistent");
2. saves the running state: ``SaveState`` (every STATE variable, all variables of
   mechanisms with a NET_RECEIVE block, the NetCon weight vectors, the event queue) and
   what it does not keep (positions and generations of the random streams);
3. calls ``finitialize()``: every object gets its initial values;
4. copies what the INITIAL blocks gave the new objects (their mechanisms' RANGE variables,
   the weight vectors of new connections that keep a state in them);
5. restores the saved state, which also gives the new objects back their values from
   before ``finitialize()`` and drops their initial events, and writes the copies back;
6. (continuous current plays, see injection.py, are detached before step 2 and attached
   again after it, so that ``finitialize()`` sets them up and the restore leaves them be);
7. replays the initial events of new spike sources at the current time (see
   ``Population._after_reinit``): a SpikeSourceArray is fed its spike times from now on, a
   random source starts its process now; NEURON's IntFire2 and IntFire4 cells get the
   self-event of their first firing, counted from now (``start_now`` of their cell types,
   with the helper of pynn_self_event.mod), and what their INITIAL block computed into
   variables that are not RANGE variables (which step 4 cannot copy). (The initial event
   of a cell, which arms the WATCH that emits its spikes, is delivered within
   ``finitialize()``; a WATCH is not part of the saved state, so it stays armed.)

So the new objects start from their initial values at the current time, and the old
ones continue exactly as if nothing had been added.

NEURON 9 sets up its list of the instances of an artificial cell class only at an
initialisation where the class has instances: a ``SaveState`` taken with the first
instances of a class created after a run would read an unset list (and abort the
process). One dormant instance of each artificial cell class the backend uses therefore
exists from the first initialisation on (`dormant_cells`).
"""

from pyNN.neuron.hoc import h as hoc

#: the delay of the NetCons that carry no spike (a cell's spike detector), unlike any delay of a
#: connection: NEURON queues a spike once, at the shortest delay, for a source whose NetCons
#: all have the same delay, and hands it on then to the NetCons the source has at that time,
#: so that a spike in flight at a re-initialisation would also travel on connections created
#: after it was emitted
UNUSED_DELAY = 1e9

#: the artificial cell classes the backend creates -> settings that keep a dormant instance silent
ARTIFICIAL_CLASSES = {"PyNN_Relay": {}, "PyNN_Renewal": {"start": 1e12, "duration": 0.0},
                      "IntFire1": {}, "IntFire2": {}, "IntFire4": {}}

#: mechanism name -> [(variable, array size)] of its RANGE variables
_VARIABLES = {}


def initialised_variables(mechanism):
    """The variables of `mechanism` that its INITIAL block may set (its RANGE variables, with
    their array sizes: ASSIGNED and STATE, and PARAMETER, which some INITIAL blocks adjust,
    e.g. IntFire2's taus)."""
    if mechanism not in _VARIABLES:
        h = hoc()
        found = []
        for kind in (1, 2, 3):  # MechanismStandard: 1 PARAMETER, 2 ASSIGNED, 3 STATE
            table = h.MechanismStandard(mechanism, kind)
            for i in range(int(table.count())):
                name = h.ref("")
                size = int(table.name(name, i))
                found.append((name[0], size))
        _VARIABLES[mechanism] = found
    return _VARIABLES[mechanism]


def dormant_cells():
    """One instance of each of ARTIFICIAL_CLASSES: never connected, never firing (see the
    module docstring)."""
    h = hoc()
    cells = []
    for name, settings in ARTIFICIAL_CLASSES.items():
        cell = getattr(h, name)()
        for key, value in settings.items():
            setattr(cell, key, value)
        cells.append(cell)
    return cells


def variable_references(cells, variables):
    """NEURON pointers to every element of `variables` (see initialised_variables) of each
    mechanism instance in `cells`."""
    refs = []
    for cell in cells:
        for name, size in variables:
            ref = getattr(cell, "_ref_" + name)
            refs.extend([ref] if size == 1 else [ref[k] for k in range(size)])
    return refs


def weight_references(netcons):
    """NEURON pointers to every element of the weight vectors of `netcons`."""
    refs = []
    for nc in netcons:
        ref = nc._ref_weight
        refs.extend(ref[k] for k in range(int(nc.wcnt())))
    return refs


class Snapshot:
    """The values behind a list of NEURON pointers, read and written back in one call each."""

    def __init__(self, refs):
        h = hoc()
        self.size = len(refs)
        if not self.size:
            return  # (NEURON has no empty PtrVector)
        self._pointers = h.PtrVector(self.size)
        for k, ref in enumerate(refs):
            self._pointers.pset(k, ref)
        self._values = h.Vector(self.size)

    def take(self):
        if self.size:
            self._pointers.gather(self._values)

    def put_back(self):
        if self.size:
            self._pointers.scatter(self._values)


def continue_with_new_objects(state):
    """Activate the objects created since the last initialisation of `state` (a running
    pyNN.neuron State) as the module docstring describes."""
    h = hoc()
    populations, projections = state.populations, state.projections
    state.detach_continuous_injections()
    h.fcurrent()
    sources = [(p, p._source_state()) for p in populations]
    saved = h.SaveState()
    saved.save()
    state.attach_continuous_injections()  # (set up by finitialize(), untouched by the restore)
    fresh = Snapshot([ref for p in populations for ref in p._new_object_references()]
                     + [ref for c in projections for ref in c._new_object_references()])
    h.finitialize()
    fresh.take()
    saved.restore(0)
    fresh.put_back()
    for population, values in sources:
        population._restore_source_state(values)
    for population in populations:
        population._after_reinit()
    for projection in projections:
        projection._after_init(everything=False)
