"""Modulatory spike inputs of NESTML synapses on NEURON (e.g. the dopamine spikes ``mod_spikes``
of NESTML's neuromodulated STDP synapse).

Every spike of every cell of a modulator population reaches every connection of the projection
(see ``doc/nestml.md``). On NEURON the connections' state lives in the NetCon weight vectors and
is run by the target cell's mechanism (:mod:`pyNN.neuron.nestml_synapse_nmodl`), so a modulatory
spike is delivered once per *target mechanism instance*, not once per connection: each modulator
cell gets one NetCon onto each target cell of the projection (modulator cells x target cells, made
with ``ParallelContext.gid_connect``, so the modulator may live on another MPI process). Its
weight vector carries the marker 2, the *channel* of that projection in the target's mechanism
and the offset from delivery time to the spike's synapse time; the mechanism keeps the spike's
synapse time in that channel's buffer, and the projection's connections onto it read it at their
next presynaptic spike.

A channel is one (projection, modulatory port) onto a cell; a cell has
:data:`~pyNN.neuron.nestml_synapse_nmodl.NCHAN` of them. Channels are numbered per cell, the same on every
process (every process knows every projection).
"""

import numpy as np

from pyNN import errors
from pyNN.common.populations import roots
from pyNN.neuron import simulator
from pyNN.neuron.nestml_synapse_nmodl import MODULATORY, NCHAN, modulatory_ports, slot_names
from pyNN.neuron.standardmodels.synapses import STDP_FIRST_SLOT


class Modulation:
    """The modulatory inputs of one projection of a NESTML synapse with extra spike ports.

    Parameters
    ----------
    projection : the pyNN.neuron Projection
    sources : list of :class:`pyNN.nestml.modulation.ModulatorySource` (port, modulator
        population, delay in ms: a spike emitted at t reaches the connections at t + delay),
        checked by the core, one per modulatory port of the synapse
    """

    def __init__(self, projection, sources):
        program = projection.synapse_type.synapse_program
        self.projection = projection
        self.ports = modulatory_ports(program)
        self.inputs = {source.port: source.population for source in sources}
        delays = {source.delay for source in sources}
        if len(delays) != 1 or set(self.inputs) != set(self.ports):
            raise errors.ConnectionError(f"Projection '{projection.label}': expected one source per modulatory port "
                                         f"{self.ports} with one delay, got {sources}")
        self.delay = float(delays.pop())
        dt = simulator.state.dt
        # delivered one step before the synapse time (as every input of a NESTML cell), so that
        # a presynaptic spike of that time, delivered at least one step after it, finds it stored
        self.native_delay = self.delay - dt
        if self.native_delay < -1e-9 * dt:
            raise errors.InvalidParameterValueError(
                f"Projection '{projection.label}': modulatory_delay {self.delay:g} ms is shorter than one time step "
                f"({dt:g} ms); the NEURON backend needs at least one step")
        self.native_delay = max(self.native_delay, 0.0)
        if simulator.state.world is not None and self.native_delay < 2 * dt - 1e-9 * dt:
            raise errors.InvalidParameterValueError(
                f"Projection '{projection.label}': modulatory_delay {self.delay:g} ms is too short for a NEURON run "
                f"distributed over {simulator.state.num_processes} MPI processes; NEURON needs at least "
                f"{3 * dt:g} ms here (three time steps of {dt:g} ms). Use a longer delay or run as one process")
        self.channels = self._allocate_channels()
        names = slot_names(program)
        self._channel_slot = STDP_FIRST_SLOT + 1  # the initial-weight slot of a plastic connection
        self._offset_slot = names.index("nml_preoff")
        self._done = np.zeros(projection.post.size, dtype=bool)
        self.netcons = []

    def _allocate_channels(self):
        """One channel per modulatory port: the first free on every target cell of the projection."""
        parts = roots(self.projection.post)
        used = []
        for part in parts:
            if not hasattr(part.root, "_nestml_mod_channels"):
                part.root._nestml_mod_channels = np.zeros(part.root.size, dtype=np.int64)
            used.append(part.root._nestml_mod_channels[part.indices])
        first = int(max((u.max() for u in used if u.size), default=0))
        if first + len(self.ports) > NCHAN:
            raise errors.NoModelAvailableError(
                f"Projection '{self.projection.label}': its target cells already receive {first} modulated "
                f"projection input(s); the NEURON backend supports at most {NCHAN} modulatory channels (modulated "
                f"projections x modulatory ports) per target cell")
        for part in parts:
            part.root._nestml_mod_channels[part.indices] = first + len(self.ports)
        return {port: first + k for k, port in enumerate(self.ports)}

    def channel_columns(self, n):
        """The channel slots of `n` connections (one column per modulatory port)."""
        return np.tile(np.array([float(self.channels[p]) for p in self.ports]), (n, 1))

    def connect(self, post):
        """NetCons from every modulator cell onto the target cells `post` (indices in the
        projection's postsynaptic group, this process's) that have none yet."""
        new = np.unique(np.asarray(post, dtype=np.int64))
        new = new[~self._done[new]]
        if not new.size:
            return
        self._done[new] = True
        state = simulator.state
        targets = self.projection.post._nrn_cells()
        connect = state.pc.gid_connect
        keep = self.netcons.append
        offset = self.delay - self.native_delay
        for port in self.ports:
            sources = self.inputs[port]._native_ids().tolist()
            state.guard_sources(np.unique(sources))
            channel = float(self.channels[port])
            for index in new.tolist():
                target = targets[index]
                for gid in sources:  # modulator cells x target cells NetCons, none per connection
                    nc = connect(gid, target)
                    nc.weight[0] = 0.0
                    nc.weight[STDP_FIRST_SLOT] = MODULATORY
                    nc.weight[self._channel_slot] = channel
                    nc.weight[self._offset_slot] = offset
                    nc.delay = self.native_delay
                    keep(nc)
        state.objects_added()
