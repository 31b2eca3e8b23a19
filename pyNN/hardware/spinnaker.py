"""``import pyNN.hardware.spinnaker as sim``: the hardware backend with profile 'spinnaker1' by default."""

from pyNN.hardware import *  # noqa: F403
from pyNN.hardware import _setup_for_profile

setup = _setup_for_profile("spinnaker1")
