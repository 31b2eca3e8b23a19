"""``import pyNN.hardware.facets.stage1 as sim``: FACETS Stage 1 (Spikey), profile 'spikey'."""

from pyNN.hardware import *  # noqa: F403
from pyNN.hardware import _setup_for_profile

setup = _setup_for_profile("spikey")
