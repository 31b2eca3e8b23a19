"""NEST backend: ``import pyNN.nest as sim``.

Everything that is the same for every simulator comes from the core (``pyNN.common``
and friends); this package only translates and delegates to NEST 3. What the module
exports is defined once for every backend (:mod:`pyNN.common.exports`); NEST adds
``sim.nest`` and the wrappers of NEST's own models.
"""

import os

os.environ.setdefault("PYNEST_QUIET", "1")  # no NEST banner on import

from pyNN.common import exports as _exports
from pyNN.nest.launch import check_import as _check_import

_check_import()  # under mpirun, a NEST without MPI would end the process when imported

import nest  # noqa: E402, F401 - exported as sim.nest, like PyNN

from pyNN.nest import nestml  # noqa: E402, F401 - sim.nestml.nestml_cell_type(...), as in PyNN 0.13
from pyNN.nest.native import native_cell_type, native_electrode_type, native_synapse_type  # noqa: E402, F401

globals().update(_exports.backend_exports(__name__))
