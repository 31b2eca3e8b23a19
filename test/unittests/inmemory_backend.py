"""Old name of the in-memory test backend, which is now ``pyNN.mock``: importing
``inmemory_backend`` gives the ``pyNN.mock`` module itself (so tests written against the
old name keep working, including ``Network.sim is inmemory_backend``)."""

import sys

import pyNN.mock

sys.modules[__name__] = pyNN.mock
