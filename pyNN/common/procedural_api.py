"""The deprecated procedural API (create, connect, set, record, initialize), built once
for every backend from its Population and Projection classes."""

import warnings

from pyNN import errors
from pyNN.common.populations import ID, Assembly, BasePopulation


def _warn(name, replacement):
    warnings.warn(f"{name}() is deprecated; use {replacement} instead", DeprecationWarning, stacklevel=3)


def build_create(population_class):
    """Return the procedural ``create()`` function of a backend, built on its Population class."""
    def create(cellclass, cellparams=None, n=1):
        """Create `n` cells of `cellclass` (deprecated: use Population)."""
        _warn("create", "Population(n, celltype)")
        if isinstance(cellclass, type):
            celltype = cellclass(**(cellparams or {}))
        else:
            celltype = cellclass
        return population_class(n, celltype)
    return create


def _as_group(cells):
    if isinstance(cells, ID):
        return cells.as_view()
    if isinstance(cells, (BasePopulation, Assembly)):
        return cells
    raise errors.InvalidTypeError(f"Expected a cell ID, Population, PopulationView or Assembly, got {cells!r}")


def build_connect(projection_class, connector_class, static_synapse_class):
    """Return the procedural ``connect()`` function of a backend, built on its Projection class."""
    def connect(pre, post, weight=0.0, delay=None, receptor_type=None, p=1, rng=None):
        """Connect `pre` to `post` with probability `p` (deprecated: use Projection)."""
        _warn("connect", "Projection")
        connector = connector_class(p_connect=p, rng=rng)
        synapse = static_synapse_class(weight=weight, delay=delay)
        return projection_class(_as_group(pre), _as_group(post), connector, synapse,
                                receptor_type=receptor_type)
    return connect


def set(cells, **parameters):
    """Set parameters of `cells` (deprecated: use Population.set)."""
    _warn("set", "Population.set()")
    cells.set(**parameters)  # a single cell ID has no set(): its AttributeError names set_parameters()


def initialize(cells, **initial_values):
    """Set initial values of `cells` (deprecated: use Population.initialize)."""
    _warn("initialize", "Population.initialize()")
    _as_group(cells).initialize(**initial_values)


def build_record(simulator):
    """Return the procedural ``record()``, ``record_v()`` and ``record_gsyn()`` functions of a backend."""
    def record(variables, source, filename, sampling_interval=None, annotations=None):
        """Record `variables` of `source`, written to `filename` at end() (deprecated)."""
        _warn("record", "Population.record()")
        group = _as_group(source)
        if annotations:
            group.annotate(**annotations)
        group.record(variables, to_file=filename, sampling_interval=sampling_interval)

    def record_v(source, filename):
        """Record the membrane potential of `source` to `filename` (deprecated)."""
        record(["v"], source, filename)

    def record_gsyn(source, filename):
        """Record the synaptic conductances of `source` to `filename` (deprecated)."""
        record(["gsyn_exc", "gsyn_inh"], source, filename)
    return record, record_v, record_gsyn
