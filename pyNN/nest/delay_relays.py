"""Delays longer than NEST's delay range, for connections created after a run.

NEST fixes its range of delays at the first ``Simulate``. A connection created afterwards
with a longer delay ``d`` is realised exactly through a relay chain of parrot neurons: the
presynaptic cell drives a first parrot through a connection of delay ``D``, that parrot
drives a second one with delay ``D``, and so on; the k-th parrot fires exactly ``k*D``
after the presynaptic cell, and the real connection leaves it with the remaining delay
``d - k*D``, for the smallest k that leaves no more than NEST's longest delay ``M``. Every
leg must lie in NEST's range ``[m, M]`` (``m`` is one step unless NEST's minimum was
raised): links of ``D = M - m`` leave a last leg between ``m`` and ``M``.

Why this is exact for stateless synapses (NEST's parrot_neuron documentation and model):
a parrot ignores the weight of its input, honours the delays of its input and output
connections, and re-emits in the step of arrival one event carrying the multiplicity it
received; each parrot here has exactly one input, so the event leaving the chain is the
event the presynaptic cell emitted, ``k*D`` later. Precise spike offsets
(``spike_precision='off_grid'``) are kept by ``parrot_neuron_ps``. A synapse with a state
(short-term or spike-timing-dependent plasticity) would see the spike ``k*D`` late and
split the delay differently; those are refused by the projection instead.

Each projection has its own chains, one per presynaptic cell that needs one, made when the
projection is created: a chain shared with an older projection would hand the new one the
spikes already travelling in it, which a connection made now must not receive. The parrots
are internal nodes: no population, recorder or count of the library knows them; the
projection maps them back to the cell they relay (:meth:`RelayChains.origin`). ``reset()``
rebuilds the kernel with the full delay range, after which no relay is needed.
"""

import math

import nest
import numpy as np

from pyNN import errors
from pyNN.memory import check_memory
from pyNN.nest import simulator

#: models whose connections carry no state between spikes: relaying them changes nothing
RELAYABLE_MODELS = ("static_synapse", "bernoulli_synapse")


def reserved_max_delay():
    """NEST's longest allowed delay (ms) once it has simulated; None before the first run."""
    if not simulator.state.warmed_up:
        return None
    return float(nest.GetKernelStatus("max_delay"))


def needs_relay(delays):
    """Whether any of `delays` (ms, scalar or array) exceeds NEST's fixed delay range."""
    limit = reserved_max_delay()
    if limit is None or np.size(delays) == 0:
        return False
    return float(np.max(delays)) > limit * (1 + 1e-9)


#: bytes one relay parrot costs in NEST (node, input buffers and its link; measured with
#: NEST 3.10 on 200,000 chained parrot_neurons)
BYTES_PER_PARROT = 4000

#: the longest relay chain made (links): building one takes a few NEST calls per link
MAX_STAGES = 10_000


def check_relay_memory(pre, delays, owner):
    """Refuse connections (presynaptic indices `pre`, `delays` in ms, scalar or one per
    connection) whose relay chains could not fit in memory, before any parrot is made: a
    chain has one parrot per link, so a delay far beyond NEST's range (e.g. 1e9 ms) would
    otherwise create parrots until memory runs out."""
    chains = RelayChains()
    depth, _ = chains.split(delays)
    reserve = reserved_max_delay()
    advice = ("give setup(max_delay=...) the longest delay you will use, or create this projection before the "
              "first run or after reset(), or use shorter delays")
    if np.max(depth) > MAX_STAGES:
        # each stage is a few NEST calls: a chain of millions would look like a hang
        raise errors.NotSupportedError(
            f"{owner}: a delay of {float(np.max(delays)):g} ms would need a chain of {int(np.max(depth))} relay "
            f"neurons (links of {chains.stage_steps * chains.dt:g} ms beyond the {reserve:g} ms NEST fixed at the "
            f"first run); at most {MAX_STAGES} are made, i.e. delays up to about "
            f"{reserve + MAX_STAGES * chains.stage_steps * chains.dt:g} ms. To allow longer ones, {advice}")
    pre = np.asarray(pre)
    if np.ndim(depth) == 0 or pre.size == 0:
        parrots = float(depth) * np.unique(pre).size
    else:
        longest = np.zeros(int(pre.max()) + 1)  # each cell's chain is as deep as its longest relayed delay
        np.maximum.at(longest, pre, depth)
        parrots = float(longest.sum())
    check_memory(parrots * BYTES_PER_PARROT,
                 f"{parrots:.3g} relay parrot neurons for delays up to {float(np.max(delays)):g} ms, beyond the "
                 f"{reserve:g} ms NEST fixed at the first run", owner, advice)


class RelayChains:
    """The relay parrots of the current NEST kernel, one chain per presynaptic node.

    Stage k (1, 2, ...) is kept as two arrays sorted by presynaptic node id: the nodes
    relayed and their stage-k parrots; all parrots and their origins are kept sorted by
    parrot id for the way back. Every operation is vectorised over cells.
    """

    def __init__(self):
        state = simulator.state
        self.dt = state.dt
        self.parrot_model = "parrot_neuron_ps" if state.spike_precision == "off_grid" else "parrot_neuron"
        low, high = nest.GetKernelStatus(["min_delay", "max_delay"])
        #: NEST's fixed delay range, in steps: every leg of a chain must lie in it
        self.min_steps = max(round(low / self.dt), 1)
        self.max_steps = math.floor(high / self.dt + 1e-9)
        # links of (max - min) steps leave a last leg between min (exclusive) and max steps;
        # a range narrower than twice its minimum can only chain links of the whole range
        wide = self.max_steps >= 2 * self.min_steps
        #: delay of one relay link, in steps
        self.stage_steps = self.max_steps - self.min_steps if wide else self.max_steps
        self._stages = []  # [(sorted presynaptic ids, their parrots at this stage)]
        self._parrots = np.zeros(0, dtype=np.int64)  # every relay parrot, sorted
        self._origins = np.zeros(0, dtype=np.int64)  # the presynaptic node each one relays
        self._depths = np.zeros(0, dtype=np.int64)  # and its stage

    def split(self, delays):
        """Stage count and delay of the last leg (ms) for each total delay (ms): no stage for
        a delay within NEST's range, else as few links as leave a last leg within it."""
        steps = np.rint(np.asarray(delays, dtype=float) / self.dt).astype(np.int64)
        depth = np.maximum(-((self.max_steps - steps) // self.stage_steps), 0)  # ceil of (steps - max) / link
        return depth, (steps - depth * self.stage_steps) * self.dt

    def unreachable(self, delays):
        """The first of `delays` (ms) that needs a relay but whose last leg would be shorter
        than NEST's minimum delay (only when NEST's range is narrower than twice its
        minimum), or None."""
        depth, last_leg = self.split(delays)
        bad = (depth > 0) & (last_leg < (self.min_steps - 0.5) * self.dt)
        return float(np.asarray(delays, dtype=float)[bad][0]) if np.any(bad) else None

    def sources(self, pre_ids, depth):
        """The node each connection leaves from: the presynaptic node for depth 0, else its
        parrot at stage `depth` (created, with the stages before it, where missing)."""
        pre_ids = np.asarray(pre_ids, dtype=np.int64)
        out = pre_ids.copy()
        for stage in range(1, int(depth.max(initial=0)) + 1):
            ids, parrots = self._stage(stage, np.unique(pre_ids[depth >= stage]))
            here = depth == stage
            out[here] = parrots[np.searchsorted(ids, pre_ids[here])]
        return out

    def _stage(self, stage, wanted):
        """Stage `stage`, extended to relay every id of `wanted` (sorted, unique)."""
        if stage > len(self._stages):
            self._stages.append((np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)))
        ids, parrots = self._stages[stage - 1]
        missing = wanted[~np.isin(wanted, ids, assume_unique=True)]
        if missing.size:
            if stage == 1:
                feeding = missing
            else:
                # the previous stage was extended for every cell that reaches this one
                prev_ids, prev_parrots = self._stages[stage - 2]
                feeding = prev_parrots[np.searchsorted(prev_ids, missing)]
            new = nest.Create(self.parrot_model, missing.size)
            first = new[0].global_id  # one Create gives consecutive ids
            new_ids = first + np.arange(missing.size, dtype=np.int64)
            nest.Connect(nest.NodeCollection(feeding.tolist()), new, "one_to_one",
                         {"synapse_model": "static_synapse", "delay": self.stage_steps * self.dt})
            ids = np.concatenate([ids, missing])
            parrots = np.concatenate([parrots, new_ids])
            order = np.argsort(ids, kind="stable")
            ids, parrots = ids[order], parrots[order]
            self._stages[stage - 1] = (ids, parrots)
            # new ids are larger than every earlier one: appending keeps the arrays sorted
            self._parrots = np.concatenate([self._parrots, new_ids])
            self._origins = np.concatenate([self._origins, missing])
            self._depths = np.concatenate([self._depths, np.full(missing.size, stage, dtype=np.int64)])
        return ids, parrots

    def _lookup(self, node_ids):
        """Position of each node among the parrots, and whether it is one."""
        node_ids = np.asarray(node_ids, dtype=np.int64)
        if not self._parrots.size:
            return np.zeros(node_ids.shape, dtype=np.int64), np.zeros(node_ids.shape, dtype=bool)
        pos = np.minimum(np.searchsorted(self._parrots, node_ids), self._parrots.size - 1)
        return pos, self._parrots[pos] == node_ids

    def origin(self, node_ids):
        """The presynaptic node relayed by each of `node_ids`; other nodes map to themselves."""
        pos, hit = self._lookup(node_ids)
        return np.where(hit, self._origins[pos] if self._parrots.size else 0, node_ids)

    def depth(self, node_ids):
        """The stage of each of `node_ids` (0 for a node that is not a relay parrot)."""
        pos, hit = self._lookup(node_ids)
        return np.where(hit, self._depths[pos] if self._parrots.size else 0, 0)


#: incremented whenever connections are removed from NEST: lists of connections read before
#: are then out of date even where the number of connections is the same
rewirings = 0


def disconnect(conns, positions):
    """Remove the connections at `positions` of the SynapseCollection `conns`."""
    global rewirings
    # (a SynapseCollection takes no index array: select its connection handles instead)
    handles = np.empty(len(conns._datum), dtype=object)
    handles[:] = conns._datum
    nest.SynapseCollection(handles[positions].tolist()).disconnect()
    rewirings += 1
