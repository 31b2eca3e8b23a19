"""Projection: the connections from one group of cells to another (written once).

The core keeps every connection as arrays — presynaptic index, postsynaptic index
(both within the projection's pre/post groups), one array (or scalar, when all
connections share the value) per synaptic parameter — in a deterministic order,
sorted by post then pre. A backend creates them in bulk and is asked for values only
when they can change in the simulator (plasticity).
"""

import logging
import numbers
import os
import time

import numpy as np
from lazyarray import larray

from pyNN import descriptions, errors
from pyNN.parameters import quantity_magnitude
from pyNN.common.control import check_current, check_same_backend
from pyNN.common.populations import Assembly, BasePopulation, roots
from pyNN.common import synapse_state
from pyNN.common.redrawn_values import RedrawnColumn, SynapseValues, part_of
from pyNN.connectors import Connector, evaluate_synapse_values
from pyNN.core import deprecated, index_dtype, is_listlike, missing_hook, sorted_by_post_then_pre
from pyNN.models import BaseSynapseType, check_weight_sign, require_native
from pyNN.random import RandomDistribution
from pyNN.recording import files
from pyNN.space import Space

logger = logging.getLogger("PyNN")

_COMBINE = {"sum": np.add, "min": np.fmin, "max": np.fmax}

#: standard cell types whose weights are jumps of v (mV), see pyNN.standardmodels.synapses
VOLTAGE_JUMP_CELL_TYPES = ("IF_curr_delta", "Izhikevich")


def _as_indices(idx):
    """An index array as an integer array (any integer type is kept as it is: no copy)."""
    idx = np.asarray(idx)
    return idx if idx.dtype.kind in "iu" else idx.astype(np.int64)


class Connection:
    """One connection of a projection (a lightweight view on the projection's arrays)."""

    def __init__(self, projection, k):
        self.projection = projection
        self.k = k

    @property
    def presynaptic_index(self):
        """Index of the presynaptic cell in the presynaptic population."""
        return int(self.projection._pre[self.k])

    @property
    def postsynaptic_index(self):
        """Index of the postsynaptic cell in the postsynaptic population."""
        return int(self.projection._post[self.k])

    @property
    def presynaptic_cell(self):
        """ID of the presynaptic cell."""
        return self.projection.pre[self.presynaptic_index]

    @property
    def postsynaptic_cell(self):
        """ID of the postsynaptic cell."""
        return self.projection.post[self.postsynaptic_index]

    source = presynaptic_cell
    target = postsynaptic_cell

    def _value(self, name):
        return self.projection._value_at(name, self.k)

    def __getattr__(self, name):
        private = name.startswith("_") or name in ("projection", "k")
        if not private and self.projection.synapse_type.has_parameter(name):
            return float(self._value(name))
        # attribute-lookup protocol: hasattr()/getattr() need an AttributeError
        raise AttributeError(name if private else f"Connection has no attribute '{name}'")

    def __setattr__(self, name, value):
        if name in ("projection", "k") or name.startswith("_"):
            object.__setattr__(self, name, value)
        elif self.projection.synapse_type.has_parameter(name):
            values = np.array(self.projection._values(name), dtype=float)
            values[self.k] = value
            self.projection._apply_values({name: values})
        else:
            # attribute protocol: an unknown attribute name is an AttributeError
            raise AttributeError(f"Connection has no attribute '{name}'")

    def as_tuple(self, *attribute_names):
        """Return the values of `attribute_names` (synaptic parameters, or
        ``presynaptic_index``, ``postsynaptic_index``, ``presynaptic_cell``, ...), in that
        order, as PyNN does: ``c.as_tuple('weight', 'delay')`` is ``(weight, delay)``."""
        return tuple(getattr(self, name) for name in attribute_names)


class Projection:
    """Connections from `presynaptic_population` to `postsynaptic_population`.

    Parameters
    ----------
    presynaptic_population, postsynaptic_population : Population, PopulationView or Assembly
    connector : Connector
        Decides which pairs are connected (and may give parameter values).
    synapse_type : synapse type instance, optional
        Default ``StaticSynapse()`` (weight 0).
    source : str, optional
        Presynaptic source of the spikes (only the default is supported by point neurons).
    receptor_type : str, optional
        'excitatory', 'inhibitory' or a receptor name of the post cell type. By default
        the sign of the weights chooses between excitatory and inhibitory.
    space : Space
        Distance calculation for distance-dependent connectors and parameters.
    label : str, optional
    """

    _simulator = None  # set by each backend
    _static_synapse_class = None  # set by each backend
    #: True for a backend whose simulator keeps its own copy of every connection's values and
    #: gives them back as they were set: the core then keeps values drawn from a random
    #: distribution as the generator states that draw them again (pyNN.common.redrawn_values)
    _simulator_keeps_values = False

    def __init__(self, presynaptic_population, postsynaptic_population, connector,
                 synapse_type=None, source=None, receptor_type=None, space=Space(), label=None):
        for role, pop in (("presynaptic", presynaptic_population), ("postsynaptic", postsynaptic_population)):
            if not isinstance(pop, (BasePopulation, Assembly)):
                raise errors.ConnectionError(
                    f"Projection: {role}_population must be a Population, PopulationView or Assembly, "
                    f"got {pop!r}")
        if not isinstance(connector, Connector):
            raise errors.InvalidTypeError(f"Projection: connector must be a Connector instance, got {connector!r}")
        if synapse_type is None:
            synapse_type = self._static_synapse_class()
        if not isinstance(synapse_type, BaseSynapseType):
            raise errors.InvalidTypeError(f"Projection: synapse_type must be a synapse type instance such as "
                                          f"StaticSynapse(weight=0.1), got {synapse_type!r}")
        check_same_backend([presynaptic_population, postsynaptic_population, self], "A Projection")
        presynaptic_population._check_current()
        postsynaptic_population._check_current()
        self.pre = presynaptic_population
        self.post = postsynaptic_population
        self.connector = connector
        self.synapse_type = synapse_type
        self.source = source
        self.space = space
        self.annotations = {}
        self.initial_values = {}  # as the user gave them to initialize()
        self._initial_state = {}  # the same, evaluated: name -> float or one value per connection
        self._synapse_recorder = None
        if label is None and getattr(self.pre, "label", None) and getattr(self.post, "label", None):
            label = f"{self.pre.label}\u2192{self.post.label}"
        self.label = label
        self._check_post_types()
        self.receptor_type = self._resolve_receptor_type(receptor_type)
        self._pre = np.zeros(0, dtype=index_dtype(self.pre.size))
        self._post = np.zeros(0, dtype=index_dtype(self.post.size))
        self._syn = SynapseValues()
        self._pending = None  # _PendingConnections while a connector is adding chunks
        state = self._simulator.state
        require_native(self.synapse_type, state.backend_name)
        self.synapse_type.check_projection(self)
        self._session = state.session
        connector.check_size(self)  # before the backend prepares anything
        t_wall = time.perf_counter()
        self._prepare_backend()
        connector.connect(self)
        state.projections.append(self)
        logger.debug("%s: connected Projection '%s' with %s: %d connections in %.3f s", state.backend_name,
                     self.label, type(connector).__name__, len(self._pre), time.perf_counter() - t_wall)

    def _check_current(self):
        check_current(self, f"Projection '{self.label}'")

    # --- set-up -----------------------------------------------------------------------------
    def _post_celltypes(self):
        return [part.root.celltype for part in roots(self.post)]

    def _check_post_types(self):
        kinds = {ct.conductance_based for ct in self._post_celltypes()}
        if len(kinds) > 1:
            raise errors.ConnectionError(
                f"Projection '{self.label}': the postsynaptic assembly mixes conductance-based and "
                f"current-based cell types")
        if not all(ct.injectable or ct.receptor_types for ct in self._post_celltypes()):
            raise errors.ConnectionError(
                f"Projection '{self.label}': spike sources cannot receive connections")

    def _resolve_receptor_type(self, receptor_type):
        receptors = list(self.post.receptor_types)
        if receptor_type in (None, "default"):
            if len(receptors) == 1:
                return receptors[0]
            if not receptors:
                raise errors.ConnectionError(f"Projection '{self.label}': the postsynaptic cells have "
                                             f"no receptors")
            weight = self.synapse_type.parameter_space["weight"] \
                if "weight" in self.synapse_type.parameter_space else 0.0
            hint = self.connector.weight_hint()
            if hint is not None:  # weights given by the connector (e.g. FromList columns)
                weight = hint
            base = getattr(weight, "base_value", weight)
            if (isinstance(base, str) or callable(base)) and not isinstance(base, RandomDistribution) \
                    and self.pre.size and self.post.size:
                # a function of distance (or of indices): as in PyNN, the sign of the weight
                # of the last (pre, post) pair decides
                last_pre, last_post = np.array([self.pre.size - 1]), np.array([self.post.size - 1])
                weight = evaluate_synapse_values(self, last_pre, last_post, {}, {"weight": weight})["weight"]
            if _is_negative(weight) and "inhibitory" in receptors:
                return "inhibitory"
            return "excitatory" if "excitatory" in receptors else receptors[0]
        if receptor_type not in receptors:
            raise errors.ConnectionError(
                f"Projection '{self.label}': receptor_type '{receptor_type}' is not a receptor of the "
                f"postsynaptic cells; valid receptor types are {receptors}")
        return receptor_type

    @property
    def conductance_based(self):
        """True if the postsynaptic cells have conductance-based synapses."""
        return self._post_celltypes()[0].conductance_based

    # --- connection storage (called by connectors) ----------------------------------------------
    def _add_connections(self, pre, post, connector_values=None, owned=False):
        """Validate and add one chunk of connections given as index arrays.

        `owned`: the caller hands the arrays over (it neither keeps nor reuses them), so the
        projection may keep them instead of copying them.
        """
        pre = _as_indices(pre)
        post = _as_indices(post)
        if pre.size and (pre.min() < 0 or pre.max() >= self.pre.size):
            raise errors.ConnectionError(
                f"Projection '{self.label}': presynaptic index out of range 0..{self.pre.size - 1} "
                f"(got {int(pre.min())}..{int(pre.max())})")
        if post.size and (post.min() < 0 or post.max() >= self.post.size):
            raise errors.ConnectionError(
                f"Projection '{self.label}': postsynaptic index out of range 0..{self.post.size - 1} "
                f"(got {int(post.min())}..{int(post.max())})")
        connector_values = connector_values or {}
        replays = {} if self._redraws_values() else None
        values = evaluate_synapse_values(self, pre, post, connector_values, replays=replays)
        drawn = {name: values[name] for name in replays or ()}
        values = self._validate_values(values, pre.size)
        self._check_signs_across_chunks(values.get("weight"))
        if self._pending is None:
            self._pending = _PendingConnections(self)
        # validation makes new delay arrays; the connector's arrays are ours when handed over
        # (not the synapse type's values: an array there may be the user's own)
        fresh = {"delay"} | (set(connector_values) if owned else set())
        # values kept as they were drawn (validation changes delays) need not be kept at all
        redraw = {name: replays[name] for name, arr in drawn.items()
                  if name != "delay" and values.get(name) is arr}
        self._pending.append(pre, post, values, owned=owned, fresh=fresh, redraw=redraw)

    def _redraws_values(self):
        """Whether values drawn from a replayable generator are drawn again when read instead
        of being kept: when the simulator keeps them, and they do not change during a run
        (plastic weights are read back from the simulator, with the sign the core keeps)."""
        return self._simulator_keeps_values and not getattr(self.synapse_type, "plastic", False)

    def _check_signs_across_chunks(self, weight):
        """The mixed-sign rule applies to the whole projection, not to each chunk."""
        w = np.asarray(weight if weight is not None else [], dtype=float)
        signs = set()
        if w.size:  # reductions, not boolean temporaries (NaN was refused before)
            if w.max() > 0:
                signs.add(1)
            if w.min() < 0:
                signs.add(-1)
        seen = getattr(self, "_chunk_weight_signs", set()) | signs
        if len(seen) > 1:
            raise errors.ConnectionError(
                f"Projection '{self.label}': weights have mixed signs (some > 0, some < 0). Weights are "
                f"magnitudes: give all weights >= 0 and select the receptor with receptor_type (or all "
                f"<= 0 on an inhibitory current-based projection).")
        self._chunk_weight_signs = seen

    def _validate_values(self, values, n):
        state = self._simulator.state
        if "weight" in values:
            magnitude = check_weight_sign(values["weight"], self.receptor_type, self.conductance_based,
                                          self.label)
            if magnitude.size and np.isinf(magnitude.max()):  # magnitudes: +inf is the max
                raise errors.ConnectionError(f"Projection '{self.label}': weights must be finite")
        if "delay" in values:
            delay = values["delay"]
            if delay is None:
                delay = state.min_delay
            arr = np.asarray(delay, dtype=float)
            # the extremes decide every check (NaN and infinities propagate to them)
            lo, hi = (arr.min(), arr.max()) if arr.size else (0.0, 0.0)
            if not (np.isfinite(lo) and np.isfinite(hi)):
                raise errors.ConnectionError(
                    f"Projection '{self.label}': delay {float(arr[~np.isfinite(arr)].flat[0]):g} ms is "
                    f"not allowed: delays must be finite numbers of ms")
            if arr.size and lo < state.min_delay - 1e-9 * state.dt:
                raise errors.ConnectionError(
                    f"Projection '{self.label}': delay {float(lo):g} ms is below the minimum delay "
                    f"{state.min_delay:g} ms (delays must be >= min_delay; set min_delay in setup())")
            if state.max_delay is not None and arr.size and hi > state.max_delay + 1e-9:
                raise errors.ConnectionError(
                    f"Projection '{self.label}': delay {float(hi):g} ms exceeds max_delay "
                    f"{state.max_delay:g} ms set in setup()")
            # one warning per projection, even when several share a label
            steps = state.time_to_steps(arr, f"delays of Projection '{self.label}'", key=("delays", id(self)))
            delay = state.steps_to_time(np.asarray(steps))
            values["delay"] = float(delay) if np.ndim(delay) == 0 else delay
        check = getattr(type(self.synapse_type), "check_values", None)
        if check is not None:
            check({k: v for k, v in values.items() if v is not None and k != "weight"},
                  f"Projection '{self.label}'")
        self._check_weight_bounds(values)
        return values

    def _check_weight_bounds(self, values):
        """An STDP weight outside the rule's [w_min, w_max] is refused: simulators treat it
        differently (NEST keeps a weight above w_max until potentiation, the others clip it at
        the first spike), so the same script would give different results."""
        if getattr(self.synapse_type, "weight_dependence", None) is None or \
                not {"weight", "w_min", "w_max"} & set(values):
            return
        picked = []
        for name in ("weight", "w_min", "w_max"):
            value = values.get(name)
            if value is None and self._pre.size:
                value = self._syn.get(name)
            if not isinstance(value, (numbers.Real, np.ndarray)):
                return  # drawn again when read (RedrawnColumn) or absent: nothing to compare cheaply
            picked.append(np.abs(np.asarray(value, dtype=float)) if name == "weight" else np.asarray(value, float))
        weight, w_min, w_max = picked
        outside = (weight < w_min - 1e-12) | (weight > w_max + 1e-12)
        if np.any(outside):
            k = int(np.flatnonzero(outside)[0])
            weight, w_min, w_max = (float(np.broadcast_to(a, outside.shape).flat[k]) for a in picked)
            raise errors.ConnectionError(
                f"Projection '{self.label}': weight {weight:g} is outside the bounds of its "
                f"{type(self.synapse_type.weight_dependence).__name__} (w_min={w_min:g}, w_max={w_max:g}); "
                f"{f'{int(np.count_nonzero(outside))} connection(s)' if np.ndim(outside) else 'every connection'} "
                f"concerned. Give weights between w_min and w_max")

    def _native_values(self, values):
        """Standard values of one chunk for the backend: weights as magnitudes, except on a
        receptor that keeps the sign (see :meth:`_keeps_weight_sign`)."""
        out = dict(values)
        if "weight" in out and not self._keeps_weight_sign():
            w = np.asarray(out["weight"], dtype=float)
            out["weight"] = np.abs(w) if w.ndim else abs(float(w))
        return out

    def _keeps_weight_sign(self):
        """True if the weights reach the simulator with their sign: on a current-based
        receptor named by the user (a PointNeuron's 'GABAA'), as in PyNN, a negative weight
        makes a negative current. 'excitatory' and 'inhibitory' take magnitudes, the
        receptor deciding the sign."""
        return not self.conductance_based and self.receptor_type not in ("excitatory", "inhibitory")

    def _finish_connections(self):
        """Make the chunks added so far the projection's arrays (sorted by post, then pre),
        then create the new connections in the simulator. Nothing reaches the simulator
        before every chunk has been validated, so a refused projection leaves nothing behind."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        old_n = self._pre.size
        pre, post, merged, in_order = pending.arrays()
        del pending
        new = slice(old_n, pre.size)
        if not in_order:
            order = np.lexsort((pre, post))
            pre, post = pre[order], post[order]
            merged = {k: (v.array() if isinstance(v, RedrawnColumn) else v) for k, v in merged.items()}
            merged = {k: (v[order] if isinstance(v, np.ndarray) else v) for k, v in merged.items()}
            new = np.flatnonzero(order >= old_n) if old_n else slice(0, pre.size)
        merged = SynapseValues(merged)
        if "delay" in merged:
            delays = merged["delay"]
            self._check_backend_delays(delays[new] if isinstance(delays, np.ndarray) else delays)
        self._check_backend_connections(pre, post, merged)
        self._pre, self._post, self._syn = pre, post, merged
        self._create_in_chunks(new)

    def _check_backend_delays(self, delays):
        """Hook: refuse (with a pyNN error) delays the backend cannot create now; called before
        anything of the new connections is kept or sent to the simulator."""

    def _check_backend_connections(self, pre, post, values):
        """Hook: refuse (with a pyNN error) connections whose values the backend cannot realise,
        e.g. weights or delays outside a hardware profile's range. Called with every connection
        of the projection (`pre`, `post` indices and `values`, name -> scalar or one value per
        connection, standard units with the user's signs) before anything is kept, at creation
        and by set()."""

    def _create_in_chunks(self, positions, chunk=250_000):
        """Hand the connections at `positions` (slice or index array) to the backend."""
        if isinstance(positions, slice):
            positions = range(*positions.indices(self._pre.size))
        try:
            for start in range(0, len(positions), chunk):
                part = positions[start:start + chunk]
                sel = slice(part.start, part.stop) if isinstance(part, range) else part
                values = {k: part_of(v, sel) for k, v in self._syn.stored_items()}
                self._create_connections(self._pre[sel].astype(np.int64), self._post[sel].astype(np.int64),
                                         self._native_values(values))
        finally:
            for _, v in self._syn.stored_items():
                if isinstance(v, RedrawnColumn):
                    v.release()

    def _attribute(self, name, gather=True):
        """Per-connection values of a parameter, or of a state variable of the synapse type
        (e.g. a NESTML synapse's traces; SynapseRecordingError where the backend cannot read it).
        `gather`: see :meth:`_values`."""
        if not self.synapse_type.has_parameter(name) and name in getattr(self.synapse_type, "state_variables", ()):
            return np.asarray(self._read_synapse_state(name, gather), dtype=float)
        return self._values(name, gather)

    def _values(self, name, gather=True):
        """Per-connection array of a parameter's current value (standard units).

        A value the simulator changes (plasticity) is held only by the process that owns the
        connection's target cell: in a distributed run, with `gather` (a collective call:
        every process must make it) every process gets every connection's value; without,
        the connections of other processes are NaN and nothing is exchanged."""
        if name not in self._syn and not self.synapse_type.has_parameter(name):
            raise errors.NonExistentParameterError(name, type(self.synapse_type).__name__,
                                                   self.synapse_type.get_parameter_names())
        plastic = self._read_plastic(name)
        if plastic is not None:
            return self._whole_projection(plastic, gather)
        v = self._syn.get(name)
        if isinstance(v, np.ndarray):
            return v
        return np.full(self._pre.size, np.nan if v is None else v, dtype=float)

    def _whole_projection(self, local_values, gather):
        """One value per connection of the projection, from the values a backend read for the
        connections onto this process's cells (in the projection's order; all of them in a
        one-process run). `gather`: fill in the other processes' connections (collective),
        else leave them NaN."""
        world = self._simulator.state.world
        if world is None:
            return local_values
        local_values = np.asarray(local_values, dtype=float)
        mine = self._local_connections_mask()
        if local_values.shape != (np.count_nonzero(mine),):
            raise errors.PyNNError(
                f"Projection '{self.label}': the backend read {local_values.size} values for the "
                f"{np.count_nonzero(mine)} connections onto the cells of MPI rank {world.rank}")
        out = np.full(self._pre.size, np.nan)
        out[mine] = local_values
        if gather:
            # the same merge as recorded signals: each value comes from the rank owning it
            out = world.merge_columns(out[np.newaxis, :], mine)[0]
        return out

    def _value_at(self, name, k):
        """A parameter's current value at connection `k` (iterating over the connections
        draws each chunk of values that are drawn again once, not the whole column per
        connection)."""
        column = self._syn.stored(name)
        if isinstance(column, RedrawnColumn):  # (never plastic: see _redraws_values)
            return column.part(k, k + 1)[0]
        return self._values(name)[k]

    def _psc_time_constants(self, post):
        """Time constant (ms) of the target receptor's post-synaptic current, for the
        connections onto the cells `post` (indices into the post group): the Tsodyks-Markram
        synapse's tau_psc (doc/behaviour.md). It is the cell's tau_syn_E or tau_syn_I, or for a
        PointNeuron the named receptor's tau_syn (tau_decay of a beta-shaped one); cells with no
        synaptic time constant (voltage jumps: IF_curr_delta, Izhikevich) get 0, the limit in
        which released resources become recovering at once."""
        names = ("tau_syn_I" if self.receptor_type == "inhibitory" else "tau_syn_E",
                 f"{self.receptor_type}.tau_syn", f"{self.receptor_type}.tau_decay")
        parts = []
        for part in roots(self.post):
            name = next((n for n in names if part.root.celltype.has_parameter(n)), None)
            if name is not None:
                parts.append(np.asarray(part.root.get(name, simplify=False), dtype=float)[part.indices])
            else:
                parts.append(np.zeros(len(part.indices)))
        tau = np.concatenate(parts) if parts else np.zeros(0)
        return tau[np.asarray(post, dtype=np.int64)]

    # --- public API -------------------------------------------------------------------------------
    def __repr__(self):
        return (f"<Projection {self.label!r}: {self.pre.label!r} -> {self.post.label!r}, "
                f"{self.size()} connections, {type(self.connector).__name__}, "
                f"{type(self.synapse_type).__name__}, receptor {self.receptor_type!r}>")

    def __len__(self):
        """Number of connections onto the cells of this MPI process (all of them in a
        one-process run)."""
        if self._simulator.state.world is None:
            return int(self._pre.size)
        return int(np.count_nonzero(self.post._local[self._post]))

    def size(self, gather=True):
        """Number of connections: all of them, or with ``gather=False`` those onto the cells
        of this MPI process. (Every process keeps every connection, see
        :mod:`pyNN.common.distributed`, so nothing needs to be exchanged.)"""
        return int(self._pre.size) if gather else len(self)

    @property
    def shape(self):
        """(size of the presynaptic population, size of the postsynaptic population)."""
        return (self.pre.size, self.post.size)

    def __iter__(self):
        return (Connection(self, k) for k in range(self._pre.size))

    @property
    def connections(self):
        """Iterator over the Connection objects of the projection."""
        return iter(self)

    def __getitem__(self, i):
        if isinstance(i, (int, np.integer)):
            n = self._pre.size
            if not -n <= i < n:
                raise errors.InvalidIndexError(
                    f"Projection '{self.label}' has {n} connections; index {i} is out of range "
                    f"(allowed are {-n} to {n - 1})")
            return Connection(self, int(i) % n)
        if isinstance(i, slice):
            return [Connection(self, k) for k in range(self._pre.size)[i]]
        raise errors.InvalidTypeError(
            f"Projection '{self.label}' can be indexed by an int or a slice, not {type(i).__name__}")

    def get(self, attribute_names, format, gather=True, with_address=True, multiple_synapses="sum"):
        """Values of synaptic attributes, as a list of tuples or as (n_pre, n_post) arrays.

        Parameters
        ----------
        attribute_names : str or list of str
            E.g. 'weight', ['weight', 'delay'].
        format : 'list' or 'array'
            'list': tuples (pre_index, post_index, value, ...) in the projection's order
            (sorted by post index, then pre index). 'array': one 2D array per attribute
            with NaN where there is no connection.
        gather : bool
            In a distributed run, False gives only the connections onto this process's
            cells ('array': NaN elsewhere); True (default) every connection.
        with_address : bool
            Include the indices in 'list' format.
        multiple_synapses : 'sum', 'first', 'last', 'min' or 'max'
            How to combine values of several connections between one pair ('array').
        """
        self._check_current()
        single = isinstance(attribute_names, str)
        names = [attribute_names] if single else list(attribute_names)
        state_names = tuple(getattr(self.synapse_type, "state_variables", ()))
        for name in names:
            if not self.synapse_type.has_parameter(name) and name not in state_names:
                raise errors.NonExistentParameterError(
                    name, f"{type(self.synapse_type).__name__} of Projection '{self.label}'",
                    list(self.synapse_type.get_parameter_names()) + list(state_names))
        local = None if gather else self._local_connections_mask()
        if format == "list":
            cols = [self._attribute(n, gather) for n in names]
            pre, post = self._pre, self._post
            if local is not None:
                cols, pre, post = [c[local] for c in cols], pre[local], post[local]
            if with_address:
                cols = [pre.astype(np.int64), post.astype(np.int64)] + cols
                return [tuple(row) for row in zip(*[c.tolist() for c in cols])]
            if single:
                return cols[0].tolist()
            return [tuple(row) for row in zip(*[c.tolist() for c in cols])]
        if format == "array":
            if multiple_synapses not in ("last", "first", "sum", "min", "max"):
                raise errors.InvalidParameterValueError(
                    f"Projection '{self.label}'.get(): multiple_synapses must be one of 'last', 'first', "
                    f"'sum', 'min', 'max', not {multiple_synapses!r}")
            arrays = [self._as_array(self._attribute(n, gather), multiple_synapses, local) for n in names]
            return arrays[0] if single else arrays
        raise errors.InvalidParameterValueError(
            f"Projection '{self.label}'.get(): format must be 'list' or 'array', not {format!r}")

    def _local_connections_mask(self):
        """Boolean mask of the connections onto this MPI process's cells, or None in a
        one-process run (where every connection is local)."""
        if self._simulator.state.world is None:
            return None
        return self.post._local[self._post]

    def _as_array(self, values, multiple_synapses, local=None):
        out = np.full(self.shape, np.nan)
        pre, post = self._pre, self._post
        if local is not None:
            pre, post, values = pre[local], post[local], values[local]
        if multiple_synapses in ("first", "last"):
            idx = np.arange(pre.size)
            if multiple_synapses == "first":
                idx = idx[::-1]
            out[pre[idx], post[idx]] = values[idx]
            return out
        flat = pre.astype(np.int64) * self.shape[1] + post
        uniq, inverse = np.unique(flat, return_inverse=True)
        ufunc = _COMBINE[multiple_synapses]
        combined = np.full(uniq.size, np.nan if multiple_synapses != "sum" else 0.0)
        if multiple_synapses == "sum":
            np.add.at(combined, inverse, values)
        else:
            ufunc.at(combined, inverse, values)
        out.reshape(-1)[uniq] = combined
        return out

    def set(self, **attributes):
        """Change synaptic parameters of every connection.

        Values may be scalars, RandomDistributions, (n_pre, n_post) arrays, sequences with
        one value per connection, or callables of distance. As in PyNN, a sequence with one
        value per connection follows the connections sorted by presynaptic, then
        postsynaptic index (the row-major order of the (n_pre, n_post) array).
        """
        self._check_current()
        new = {}
        frozen = set(attributes) & set(getattr(self.synapse_type, "parameters_fixed_after_run", ()))
        if frozen and self._simulator.state.steps > 0:
            raise errors.NotSupportedError(
                f"Projection '{self.label}': {sorted(frozen)} cannot be changed once the simulation has run on "
                f"this backend: {self.synapse_type.fixed_after_run_reason}; change them before the first run or "
                f"after reset()")
        for name, value in attributes.items():
            if not self.synapse_type.has_parameter(name):
                raise errors.NonExistentParameterError(
                    name, f"{type(self.synapse_type).__name__} of Projection '{self.label}'",
                    self.synapse_type.get_parameter_names())
            new[name] = synapse_state.per_connection(self, name, self._plain_value(name, value), "set")
        self._apply_values(new)

    def _plain_value(self, name, value):
        """A value given to set() as plain numbers in the standard unit, or a pyNN error naming
        the projection and parameter: booleans, complex numbers, dicts and text (other than
        a distance expression) are refused; a quantity is converted to the unit of `name`."""
        unit = {"weight": "uS" if self.conductance_based else "nA", "delay": "ms"}.get(
            name, getattr(self.synapse_type, "units", {}).get(name))
        where = f"Projection '{self.label}': set({name}=...)"
        if hasattr(value, "rescale") and hasattr(value, "dimensionality"):  # a quantities.Quantity
            value = quantity_magnitude(value, unit, where)
            return value[()] if value.ndim == 0 else value
        kinds = np.asarray(value).dtype.kind if is_listlike(value) else None
        if isinstance(value, (bool, np.bool_, dict, bytes)) or kinds in ("b", "c", "U", "S", "O") \
                or (isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real)):
            if kinds == "O" and all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
                                    for v in np.asarray(value).reshape(-1)):
                return value
            raise errors.InvalidParameterValueError(
                f"{where} got {value!r}; real numbers in {unit or 'the parameter unit'} are needed (a number, one "
                f"per connection, an (n_pre, n_post) array, a RandomDistribution, a function or a distance "
                f"expression)")
        return value

    def _apply_values(self, new):
        """Validate `new` (name -> one value per connection, in storage order) and apply it."""
        n = self._pre.size
        new = self._validate_values(new, n)
        if n:
            # (values drawn again on reading are drawn only if the backend reads them)
            self._check_backend_connections(self._pre, self._post,
                                            SynapseValues({**dict(self._syn.stored_items()), **new}))
        for name, value in new.items():
            self._syn[name] = value
        if n:
            self._set_attributes(self._native_values(new))
        if self._synapse_recorder is not None:
            self._synapse_recorder.values_changed(set(new))

    def initialize(self, **initial_values):
        """Set initial values of the synapses' state variables (Tsodyks-Markram: 'u', 'x', 'y').

        As ``Population.initialize``: every connection's state is set at once, and again by
        every ``reset()``. Values may be scalars, RandomDistributions, (n_pre, n_post) arrays,
        sequences with one value per connection (in the order of ``set()``) or callables of
        distance. Between runs, the new values replace the state as of each connection's last
        spike (see :mod:`pyNN.common.synapse_state`).
        """
        self._check_current()
        initial_values = self._settable_initial_values(initial_values)
        values = synapse_state.initial_state(self, initial_values)
        if values and self._pre.size:
            self._set_state_variables(values)  # (first: a backend may refuse)
        self.initial_values.update(initial_values)
        self._initial_state.update(values)

    def _apply_initial_state(self):
        """After reset(): the connections start again from the values given to initialize()."""
        if self._initial_state and self._pre.size:
            self._set_state_variables(dict(self._initial_state))

    def _settable_initial_values(self, initial_values):
        """`initial_values` without the state whose start the model fixes to a parameter.

        Such state (``start_state_from`` of the synapse type, e.g. MultiQuantalSynapse's
        available sites ``a`` = ``n`` and utilisation ``u`` = ``U``) may be given the value it
        starts with anyway, as PyNN scripts written for NEST do; another value is refused,
        on every backend, since no backend runs the model from another start."""
        fixed = getattr(self.synapse_type, "start_state_from", {})
        for name in set(initial_values) & set(fixed):
            value = initial_values[name]
            start = self._values(fixed[name])
            if isinstance(value, larray):  # e.g. a synapse type's parameter_space['n'], without a shape
                value = larray(value, shape=start.shape).evaluate(simplify=True)
            try:
                same = np.allclose(np.broadcast_to(np.asarray(value, dtype=float), start.shape), start)
            except (TypeError, ValueError):
                same = False
            if not same:
                raise errors.NotSupportedError(
                    f"Projection '{self.label}': initialize({name}={value!r}): a "
                    f"{type(self.synapse_type).__name__} starts with {name} = {fixed[name]} (here "
                    f"{_brief(start)}) on every backend; another start value is not supported")
        return {k: v for k, v in initial_values.items() if k not in fixed}

    # --- recording synapse state ------------------------------------------------------------
    def record(self, variables, sampling_interval=None):
        """Record synapse variables during the run: 'weight', and the state of the synapse
        type (Tsodyks-Markram: 'u', 'x', 'y'), sampled every `sampling_interval` ms (default:
        the time step) from the current time on. ``record(None)`` stops recording."""
        self._check_current()
        if self._synapse_recorder is None:
            from pyNN.recording.synapses import SynapseRecorder
            self._synapse_recorder = SynapseRecorder(self)
        self._synapse_recorder.record(variables, sampling_interval)

    def get_data(self, variables="all", gather=True, clear=False, annotations=None):
        """Recorded synapse variables as a neo.Block: one Segment per run/reset cycle, one
        AnalogSignal per variable whose channels are the connections (in the projection's
        order), with array annotations 'presynaptic_index' and 'postsynaptic_index'."""
        self._check_current()
        if self._synapse_recorder is None or not self._synapse_recorder.has_data():
            raise errors.SynapseRecordingError(f"Projection '{self.label}': nothing was recorded; call "
                                        f"record('weight') before run()")
        return self._synapse_recorder.get_data(variables, clear, annotations)

    def write_data(self, io, variables="all", gather=True, clear=False, annotations=None):
        """Write the recorded synapse variables through a Neo IO (an IO object, or a filename
        whose extension chooses the format)."""
        from pyNN.recording import write_block

        block = self.get_data(variables, gather, False, annotations)
        if not any(seg.analogsignals for seg in block.segments):
            raise errors.NothingToWriteError(f"Projection '{self.label}' has no recorded data to write")
        write_block(io, block, f"write_data() of Projection '{self.label}'")
        if clear:
            self._synapse_recorder.clear()

    def _read_synapse_state(self, name, gather=True):
        """Current value of a recordable synapse variable, per connection (standard units);
        `gather`: see :meth:`_values`."""
        if name == "weight":
            return self._values("weight", gather)
        values = self._read_state_variable(name)
        if values is None:
            raise errors.SynapseRecordingError(
                f"Projection '{self.label}': the {self._simulator.state.backend_name} backend cannot read "
                f"{name!r} of {type(self.synapse_type).__name__}")
        return self._whole_projection(values, gather)

    def _weight_units(self):
        """Unit of this projection's weights, decided by the post-synaptic cell type."""
        celltype = self._post_celltypes()[0]
        if celltype.conductance_based:
            return "uS"
        return "mV" if type(celltype).__name__ in VOLTAGE_JUMP_CELL_TYPES else "nA"

    def annotate(self, **annotations):
        """Add annotations (name=value) to the projection."""
        self.annotations.update(annotations)

    def save(self, attribute_names, file, format="list", gather=True, with_address=True):
        """Write connections to a text file that FromFileConnector reads back exactly.

        In a distributed run, with ``gather=True`` the file holds every connection and is
        written once, by rank 0; with ``gather=False`` every process writes the connections
        onto its own cells to ``<file>.<rank>``, which
        ``FromFileConnector(file, distributed=True)`` reads back."""
        world = self._simulator.state.world
        if world is None:
            self._write(file, self._tables(attribute_names, format, with_address), f"Projection '{self.label}'.save()")
        elif gather:
            # every process reads (the values a simulator changed are gathered), rank 0 writes
            tables = self._tables(attribute_names, format, with_address)
            world.on_root(lambda: self._write(file, tables, f"Projection '{self.label}'.save()"),
                          f"Projection '{self.label}'.save()")
        else:
            if isinstance(file, files.BaseFile):
                file = type(file)(f"{file.name}.{world.rank}", mode="wb")
            else:
                file = f"{os.fspath(file)}.{world.rank}"
            self._write(file, self._tables(attribute_names, format, with_address, self._local_connections_mask()),
                        f"Projection '{self.label}'.save()")

    def _tables(self, attribute_names, format, with_address, local=None):
        """What save() writes: a list of (data, metadata) blocks; `local`: a mask of the
        connections to write (this process's), None for all of them (gathered)."""
        if attribute_names in ("all", "connections"):
            attribute_names = [n for n in self.synapse_type.get_parameter_names()]
        names = [attribute_names] if isinstance(attribute_names, str) else list(attribute_names)
        if format == "list":
            cols = [self._values(n, gather=local is None) for n in names]
            pre, post = self._pre, self._post
            if local is not None:
                cols, pre, post = [c[local] for c in cols], pre[local], post[local]
            if with_address:
                cols = [pre.astype(float), post.astype(float)] + cols
                header = ["i", "j"] + names
            else:
                header = names
            return [(np.column_stack(cols) if cols else np.zeros((0, 0)), {"columns": header})]
        if format == "array":
            return [(np.nan_to_num(self.get(name, format="array", gather=local is None), nan=0.0),
                     {"columns": [name]}) for name in names]
        raise errors.InvalidParameterValueError(
            f"Projection '{self.label}'.save(): format must be 'list' or 'array', not {format!r}")

    @staticmethod
    def _write(file, tables, owner="Projection.save()"):
        try:
            if isinstance(file, (str, os.PathLike)):
                file = files.StandardTextFile(os.fspath(file), mode="wb")
            for data, metadata in tables:
                file.write(data, metadata)
            file.close()
        except OSError as exc:
            if isinstance(exc, errors.PyNNError):
                raise
            raise errors.DataFileError(
                f"{owner}: cannot write '{getattr(file, 'name', file)}': {exc.strerror or exc} "
                f"({type(exc).__name__}{'' if exc.filename is None else ' on ' + repr(exc.filename)})") from exc

    def describe(self, template="projection_default.txt", engine="default"):
        """Human-readable description of the projection; a dict when `template` is None."""
        context = {"label": self.label, "pre": self.pre.label, "post": self.post.label,
                   "source": self.source, "receptor_type": self.receptor_type,
                   "size_local": len(self), "size": self.size(),
                   "connector": self.connector.describe(template=None),
                   "plasticity": None if not self.synapse_type.plastic else type(self.synapse_type).__name__,
                   "synapse_inputs": self.synapse_type.describe_inputs().strip()}
        return descriptions.render(engine, template, context, builtin=self._describe_text)

    def _describe_text(self, context):
        inputs = f"; {context['synapse_inputs']}" if context.get("synapse_inputs") else ""
        return (f"Projection '{self.label}' from '{self.pre.label}' ({self.pre.size} cells) to "
                f"'{self.post.label}' ({self.post.size} cells), receptor '{self.receptor_type}', "
                f"{self.size()} connections made by {type(self.connector).__name__}, synapse type "
                f"{type(self.synapse_type).__name__}{inputs}")

    # deprecated aliases of PyNN 0.7
    @deprecated("set(weight=w)")
    def setWeights(self, w):
        """Deprecated PyNN 0.7 spelling of ``set(weight=w)``; it warns and delegates."""
        self.set(weight=w)

    @deprecated("set(weight=rand_distr)")
    def randomizeWeights(self, rand_distr):
        """Deprecated PyNN 0.7 spelling of ``set(weight=rand_distr)``; it warns and delegates."""
        self.set(weight=rand_distr)

    @deprecated("set(delay=d)")
    def setDelays(self, d):
        """Deprecated PyNN 0.7 spelling of ``set(delay=d)``; it warns and delegates."""
        self.set(delay=d)

    @deprecated("set(delay=rand_distr)")
    def randomizeDelays(self, rand_distr):
        """Deprecated PyNN 0.7 spelling of ``set(delay=rand_distr)``; it warns and delegates."""
        self.set(delay=rand_distr)

    @deprecated("set(name=value)")
    def setSynapseDynamics(self, param, value):
        """Deprecated PyNN 0.7 spelling of ``set(name=value)``; it warns and delegates."""
        self.set(**{param: value})

    @deprecated("set(name=rand_distr)")
    def randomizeSynapseDynamics(self, param, rand_distr):
        """Deprecated PyNN 0.7 spelling of ``set(name=rand_distr)``; it warns and delegates."""
        self.set(**{param: rand_distr})

    @deprecated("get('weight', format=...)")
    def getWeights(self, format="list", gather=True):
        """Deprecated PyNN 0.7 spelling of ``get('weight', format=...)``; it warns and delegates."""
        return self.get("weight", format, gather, with_address=False)

    @deprecated("get('delay', format=...)")
    def getDelays(self, format="list", gather=True):
        """Deprecated PyNN 0.7 spelling of ``get('delay', format=...)``; it warns and delegates."""
        return self.get("delay", format, gather, with_address=False)

    @deprecated("get(name, format=...)")
    def getSynapseDynamics(self, parameter_name, format="list", gather=True):
        """Deprecated PyNN 0.7 spelling of ``get(name, format=...)``; it warns and delegates."""
        return self.get(parameter_name, format, gather, with_address=False)

    @deprecated("save('all', file, format='list')")
    def saveConnections(self, file, gather=True, compatible_output=True):
        """Deprecated PyNN 0.7 spelling of ``save('all', file, format='list')``; it warns and delegates."""
        self.save("all", file, format="list", gather=gather)

    @deprecated("save('weight', file, format=...)")
    def printWeights(self, file, format="list", gather=True):
        """Deprecated PyNN 0.7 spelling of ``save('weight', file, format=...)``; it warns and delegates."""
        self.save("weight", file, format, gather)

    @deprecated("save('delay', file, format=...)")
    def printDelays(self, file, format="list", gather=True):
        """Deprecated PyNN 0.7 spelling of ``save('delay', file, format=...)``; it warns and delegates."""
        self.save("delay", file, format, gather)

    @deprecated("numpy.histogram(get('weight', format='list', with_address=False))")
    def weightHistogram(self, min=None, max=None, nbins=10):
        """Deprecated PyNN 0.7 weight histogram; it warns and delegates.

        Use ``numpy.histogram(get('weight', format='list', with_address=False))`` instead.
        """
        w = np.asarray(self.get("weight", format="list", with_address=False))
        bins = np.linspace(w.min() if min is None else min, w.max() if max is None else max, nbins + 1)
        return np.histogram(w, bins)

    # --- hooks for backends ---------------------------------------------------------------------------
    def _prepare_backend(self):
        """Refuse what the backend cannot connect beyond a missing model (the core has
        already checked ``synapse_type.native_name``) and prepare native models."""

    def _create_connections(self, pre, post, values):
        raise missing_hook(self, "_create_connections")

    def _set_attributes(self, values):
        raise missing_hook(self, "_set_attributes")

    def _set_state_variables(self, values):
        """Set state variables of the synapse type (name -> float, or one value per connection
        in the projection's order; standard units) on every connection of the projection now,
        and make the connections a later (re)initialisation of the simulator starts keep them
        until the core sets them again (after reset())."""
        raise errors.NotSupportedError(
            f"Projection '{self.label}': initialize() of the state of {type(self.synapse_type).__name__} is not "
            f"implemented on the {self._simulator.state.backend_name} backend")

    def _read_plastic(self, name):
        """Current values of a parameter the simulator may have changed, or None: one per
        connection onto this process's cells (every connection in a one-process run), in the
        projection's order; the core gathers the other processes' values."""
        return None

    def _native_synapse_sampler(self, variables, interval_steps):
        """A sampler of `variables` every `interval_steps` steps that runs inside the
        simulator (see pyNN.recording.synapses), or None: the core then stops the run at
        each sample time and reads the values."""
        return None

    def _read_state_variable(self, name):
        """Current values of a state variable of the synapse type (Tsodyks-Markram 'u', 'x',
        'y'), or None if not available: one per connection onto this process's cells (every
        connection in a one-process run), in the projection's order, as `_read_plastic`."""
        return None


def _brief(values):
    """A short text of an array of values: the value itself when they are all one."""
    distinct = np.unique(values)
    if distinct.size <= 1:
        return f"{distinct[0]:g}" if distinct.size else "no connections"
    return f"{distinct.size} values from {distinct.min():g} to {distinct.max():g}"


def _is_negative(value):
    if isinstance(value, RandomDistribution):
        return False
    base = getattr(value, "base_value", value)
    try:
        arr = np.asarray(base, dtype=float)
    except (TypeError, ValueError):
        return False
    return bool(arr.size) and bool(np.all(arr <= 0)) and bool(np.any(arr < 0))


#: bytes reserved (not touched) for a column of connections before it first grows
_COLUMN_RESERVE_BYTES = 64 * 2**20


class _GrowingColumn:
    """A 1D array that grows in place as chunks of connections arrive.

    The column starts as a large uninitialised reservation, whose memory pages become
    resident only when written, and beyond it grows with ``ndarray.resize``
    (``realloc``, which moves a large block by remapping its pages, not by copying).
    So the connections never exist twice in memory, as chunks plus their
    concatenation would, and no freed chunks are left behind in the heap.
    """

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)
        self.data = None
        self.n = 0

    def append(self, values, count=None, owned=False):
        """Append an array, or `count` copies of a scalar. An `owned` array (handed over: no
        one else keeps it) of the column's type becomes the column's first part as it is."""
        count = np.size(values) if count is None else count
        stop = self.n + count
        if self.data is None and owned and _adoptable(values, self.dtype):
            self.data, self.n = values, stop  # no copy (and no fresh pages to fault in)
            return
        if self.data is None:
            self.data = np.empty(max(stop, _COLUMN_RESERVE_BYTES // self.dtype.itemsize), self.dtype)
        elif stop > self.data.size:
            # (an adopted first part grows the same way: it was handed over, no view of it exists)
            self.data.resize(stop, refcheck=False)
        self.data[self.n:stop] = values
        self.n = stop

    def array(self):
        """The column as an array of exactly its length (the column is handed over)."""
        if self.data is None:
            return np.zeros(0, self.dtype)
        if self.data.size != self.n:
            self.data.resize(self.n, refcheck=False)
        data, self.data = self.data, None
        return data


def _adoptable(values, dtype):
    """Whether an array can be kept as a column: its own, writeable, contiguous memory of `dtype`."""
    return (isinstance(values, np.ndarray) and values.dtype == dtype and values.ndim == 1
            and values.flags.owndata and values.flags.c_contiguous and values.flags.writeable)


class _ValueColumn:
    """Per-connection values of one synaptic parameter, kept as one scalar for as long
    as every chunk gives the same scalar (None: no value), else as a float array."""

    def __init__(self):
        self.scalar = None
        self.n = 0
        self.n_parts = 0
        self.column = None
        self.redrawn = None

    def append(self, value, count, owned=False, replay=None):
        """Add `count` connections' values: a scalar (or None) for all, or an array; `replay`
        draws the array again (pyNN.random.Replay), so that only it need be kept."""
        if replay is not None and (self.redrawn is not None or self.n == 0):
            if self.redrawn is None:  # (what came before, if anything, had no connections)
                self.redrawn, self.column, self.scalar = RedrawnColumn(), None, None
            self.redrawn.append(replay)
            self.n += count
            self.n_parts += 1
            return
        if self.redrawn is not None and count == 0:
            return  # an empty chunk changes nothing
        if self.redrawn is not None:  # a chunk that cannot be drawn again: keep every value
            redrawn, self.redrawn = self.redrawn, None
            self.column = _GrowingColumn(float)
            self.column.append(redrawn.array(), owned=True)
        if self.column is None:
            if not isinstance(value, np.ndarray) and (
                    self.n_parts == 0 or (value is None and self.scalar is None)
                    or (value is not None and self.scalar is not None and value == self.scalar)):
                self.scalar = value
                self.n += count
                self.n_parts += 1
                return
            self.column = _GrowingColumn(float)
            if self.n:
                self.column.append(np.nan if self.scalar is None else self.scalar, self.n)
        if isinstance(value, np.ndarray):
            value = np.asarray(value, dtype=float)
            self.column.append(value if value.ndim == 1 else value.reshape(-1), owned=owned)
        else:
            self.column.append(np.nan if value is None else value, count)
        self.n += count
        self.n_parts += 1

    def result(self):
        if self.redrawn is not None:
            return self.redrawn
        return self.scalar if self.column is None else self.column.array()


class _PendingConnections:
    """Connections added chunk by chunk (after any the projection already had), stored
    without a final concatenation; also notes whether they arrive sorted by (post, pre)."""

    def __init__(self, projection):
        self.n_pre = projection.pre.size
        self.pre = _GrowingColumn(index_dtype(projection.pre.size))
        self.post = _GrowingColumn(index_dtype(projection.post.size))
        self.values = {}
        self.n_parts = 0
        self.in_order = True
        self.last_key = None
        old_n = projection._pre.size
        if old_n:
            self.append(projection._pre, projection._post, projection._syn)

    def append(self, pre, post, values, owned=False, fresh=(), redraw=None):
        """Add a chunk; `owned`: the index arrays are handed over; `fresh`: names of the
        value arrays that are handed over (neither may then be copied); `redraw`: name ->
        pyNN.random.Replay of the values that may be drawn again instead of kept."""
        redraw = redraw or {}
        n = len(pre)
        if n:
            if self.in_order and (not sorted_by_post_then_pre(pre, post)
                                  or (self.last_key is not None
                                      and (int(post[0]), int(pre[0])) < self.last_key)):
                self.in_order = False
            self.last_key = (int(post[-1]), int(pre[-1]))
        before = self.pre.n
        self.pre.append(pre, owned=owned)
        self.post.append(post, owned=owned)
        for name in set(self.values) | set(values):
            column = self.values.get(name)
            if column is None:
                column = self.values[name] = _ValueColumn()
                if self.n_parts:  # the earlier parts had no value for it
                    column.append(None, before)
            column.append(values.get(name), n, owned=name in fresh, replay=redraw.get(name))
        self.n_parts += 1

    def arrays(self):
        """(pre, post, {name: scalar or array}, in_order); the columns are handed over."""
        values = {name: column.result() for name, column in self.values.items()}
        return self.pre.array(), self.post.array(), values, self.in_order
