"""NEST projections: connections created in bulk from the core's arrays.

Parameters shared by all connections of a projection become defaults of a NEST
synapse-model copy (one copy per distinct parameter set, reused across projections);
per-connection values are passed as arrays to one ``nest.Connect`` call per chunk.
"""

import nest
import numpy as np

from pyNN import errors
from pyNN.common import projections as common
from pyNN.nest import simulator
from pyNN.nest.standardmodels.synapses import StaticSynapse


def _post_cell_attribute(projection, name, default):
    """An attribute of the NEST types of the postsynaptic cells, which must agree."""
    groups = getattr(projection.post, "populations", [projection.post])
    values = [getattr(p.grandparent.nest_type, name, default) for p in groups]
    if any(v != values[0] for v in values[1:]):
        raise errors.ConnectionError(
            f"Projection '{projection.label}': postsynaptic cell types disagree on '{name}' ({values})")
    return values[0]


class Projection(common.Projection):
    """Connections between NEST populations."""

    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def _prepare_backend(self):
        syn = self.synapse_type
        if getattr(syn, "nest_name", None) is None:
            reason = getattr(syn, "missing_reason", None) or "no NEST synapse model is mapped to it"
            raise errors.NoModelAvailableError(
                f"{type(syn).__name__} is not available on the NEST backend: {reason}")
        self._weight_scale = _post_cell_attribute(self, "weight_scale", 1000.0)
        self._sign_selects = _post_cell_attribute(self, "sign_selects_receptor", True)
        ports = _post_cell_attribute(self, "receptor_ports", None)
        self._port = ports.get(self.receptor_type) if ports else None
        self._owner_key = self._model_owner_key()

    def _model_owner_key(self):
        """Projections between the same root populations get distinct NEST models, so that
        each one's connections can be found again with GetConnections."""
        state = simulator.state
        roots = (tuple(id(p) for p in _roots(self.pre)), tuple(id(p) for p in _roots(self.post)))
        same = [p for p in state.projections if getattr(p, "_roots_key", None) == roots]
        self._roots_key = roots
        return (roots, len(same)) if same else "shared"

    def _native_weights(self, magnitude):
        w = np.asarray(magnitude, dtype=float) * self._weight_scale
        if self._sign_selects and self.receptor_type == "inhibitory":
            w = -w
        return w

    def _split_values(self, values):
        """Standard values -> (NEST model defaults for scalars, per-connection arrays)."""
        native = type(self.synapse_type).translate(values)
        if "weight" in native:
            native["weight"] = self._native_weights(native["weight"])
        fixed, arrays = {}, {}
        for name, value in native.items():
            if isinstance(value, np.ndarray) and value.ndim:
                arrays[name] = value.astype(float)
            elif value is not None:
                fixed[name] = float(value)
        if self._port is not None:
            fixed["receptor_type"] = int(self._port)
        return fixed, arrays

    def _create_connections(self, pre, post, values):
        fixed, arrays = self._split_values(values)
        port = fixed.pop("receptor_type", None)
        model = simulator.state.synapse_model(self.synapse_type.nest_name, fixed, self._owner_key)
        self._nest_model = model
        syn_spec = {"synapse_model": model}
        syn_spec.update(arrays)
        if port is not None:
            syn_spec["receptor_type"] = np.full(len(pre), port, dtype=float)
        sources = self.pre._native_ids()[pre]
        targets = self.post._native_ids()[post]
        try:
            nest.Connect(sources, targets, "one_to_one", syn_spec)
        except nest.kernel.NESTError as exc:
            raise errors.ConnectionError(f"Projection '{self.label}': NEST refused the connections: {exc}") \
                from exc

    def _rebuild(self):
        """Re-create every connection after a kernel rebuild (reset)."""
        if self._pre.size:
            values = {name: value for name, value in self._syn.items()}
            self._create_connections(self._pre.astype(np.int64), self._post.astype(np.int64),
                                     self._native_values(values))

    def _nest_connections(self):
        """SynapseCollection of this projection, sorted like the core's arrays."""
        conns = nest.GetConnections(synapse_model=self._nest_model)
        src = np.asarray(conns.get("source"), dtype=np.int64)
        tgt = np.asarray(conns.get("target"), dtype=np.int64)
        pre_ids, post_ids = self.pre._native_ids(), self.post._native_ids()
        pre_pos = _positions(pre_ids, src)
        post_pos = _positions(post_ids, tgt)
        keep = (pre_pos >= 0) & (post_pos >= 0)
        idx = np.flatnonzero(keep)
        order = np.lexsort((pre_pos[idx], post_pos[idx]))
        return conns, idx[order]

    def _set_attributes(self, values):
        fixed, arrays = self._split_values(values)
        fixed.pop("receptor_type", None)
        conns, order = self._nest_connections()
        if order.size != self._pre.size:
            raise RuntimeError(f"Projection '{self.label}': found {order.size} NEST connections, "
                               f"expected {self._pre.size}")
        native = {name: np.full(order.size, value) for name, value in fixed.items()}
        native.update(arrays)
        for name, value in native.items():
            # rows of other projections sharing the model keep their values
            current = np.asarray(conns.get(name), dtype=float).reshape(-1)
            current[order] = value
            conns.set({name: current.tolist()})

    @property
    def nest_connections(self):
        return self._nest_connections()[0]


def _roots(group):
    if hasattr(group, "populations"):
        return [p.grandparent for p in group.populations]
    return [group.grandparent]


def _positions(ids, query):
    """Index of each `query` id within the sorted-or-not `ids` array, or -1."""
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    pos = np.searchsorted(sorted_ids, query)
    pos_c = np.minimum(pos, max(sorted_ids.size - 1, 0))
    found = sorted_ids.size > 0
    hit = (sorted_ids[pos_c] == query) if found else np.zeros(query.shape, bool)
    out = np.full(query.shape, -1, dtype=np.int64)
    out[hit] = order[pos_c[hit]]
    return out
