"""Mock backend: ``import pyNN.mock as sim`` runs any PyNN script without a simulator.

Nothing is simulated: parameters are translated and stored, connections are kept as
arrays, and recorded cells give predictable placeholder data (see
:mod:`pyNN.mock.backend`). Use it to try out the API, to check that a script builds its
network, and to test code that uses pyNN without installing NEST, NEURON or Brian2.
"""

from pyNN.mock.backend import *  # noqa: F403
from pyNN.mock.backend import __all__  # noqa: F401
