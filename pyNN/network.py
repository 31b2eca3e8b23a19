"""Network: a container of populations, views, assemblies and projections."""

import sys

from pyNN import errors
from pyNN.common.populations import Assembly, BasePopulation, Population, PopulationView
from pyNN.common.projections import Projection


class Network:
    """A collection of the components of a model, which can be recorded and queried together.

    Parameters
    ----------
    *components : Population, PopulationView, Assembly or Projection
    """

    def __init__(self, *components):
        self._populations, self._views, self._assemblies, self._projections = [], [], [], []
        self.add(*components)

    @property
    def populations(self):
        """Frozen set of the populations of the network."""
        return frozenset(self._populations)

    @property
    def views(self):
        """Frozen set of the population views of the network."""
        return frozenset(self._views)

    @property
    def assemblies(self):
        """Frozen set of the assemblies of the network."""
        return frozenset(self._assemblies)

    @property
    def projections(self):
        """Frozen set of the projections of the network."""
        return frozenset(self._projections)

    @property
    def sim(self):
        """The backend module the components belong to."""
        for p in self._populations:
            return sys.modules[type(p).__module__.rsplit(".", 1)[0]]
        return None

    def _append(self, seq, item):
        if item not in seq:
            seq.append(item)

    def add(self, *components):
        """Add populations, views, assemblies and projections to the network."""
        for c in components:
            if isinstance(c, Population):
                self._append(self._populations, c)
            elif isinstance(c, PopulationView):
                self._append(self._views, c)
                self._append(self._populations, c.grandparent)
            elif isinstance(c, Assembly):
                self._append(self._assemblies, c)
                for p in c.populations:
                    self.add(p)
            elif isinstance(c, Projection):
                self._append(self._projections, c)
            else:
                raise errors.InvalidTypeError(
                    f"Network.add(): cannot add {c!r}; give Populations, PopulationViews, Assemblies or "
                    f"Projections")

    def count_neurons(self):
        """Return the total number of cells of all populations."""
        return sum(p.size for p in self._populations)

    def count_connections(self):
        """Return the total number of connections of all projections."""
        return sum(prj.size() for prj in self._projections)

    def get_component(self, label):
        """Return the population, view, assembly or projection with the given label, or None."""
        for c in self._populations + self._views + self._assemblies + self._projections:
            if c.label == label:
                return c
        return None

    def filter(self, cell_types=None):
        """Assembly of the populations whose cell type is in `cell_types` ('all': injectable)."""
        if cell_types == "all" or cell_types is None:
            pops = [p for p in self._populations if p.celltype.injectable]
        else:
            pops = [p for p in self._populations if type(p.celltype) in cell_types]
        return Assembly(*pops)

    def _all_as_assembly(self, include_spike_source=True):
        pops = [p for p in self._populations if include_spike_source or p.celltype.injectable]
        return Assembly(*pops)

    def record(self, variables, to_file=None, sampling_interval=None, include_spike_source=True):
        """Record `variables` from every population that can record them.

        Parameters
        ----------
        variables : str, list of str or None
            Variables to record.
        to_file : str or Neo IO, optional
            Where end() writes the data.
        sampling_interval : float, optional
            Sampling interval (ms) of analog signals.
        include_spike_source : bool
            If False, spike-source populations are not recorded.
        """
        for p in self._populations:
            if not include_spike_source and not p.celltype.injectable:
                continue
            vars_p = [variables] if isinstance(variables, str) else variables
            vars_p = [v for v in vars_p if p.can_record(v)] if vars_p is not None else None
            if vars_p is None or vars_p:
                p.record(vars_p, sampling_interval=sampling_interval)

    def get_data(self, variables="all", gather=True, clear=False, annotations=None):
        """One neo.Block per population."""
        return [p.get_data(variables, gather, clear, annotations) for p in self._populations]

    def write_data(self, io, variables="all", gather=True, clear=False, annotations=None):
        """Write the recorded data of every population to `io` (see Population.write_data)."""
        for p in self._populations:
            p.write_data(io, variables, gather, clear, annotations)


__all__ = ["BasePopulation", "Network"]
