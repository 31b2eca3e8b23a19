"""``import pyNN.hardware.spikey as sim``: the hardware backend with profile 'spikey' by default."""

from pyNN.hardware import *  # noqa: F403
from pyNN.hardware import _setup_for_profile

setup = _setup_for_profile("spikey")
