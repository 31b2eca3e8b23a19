"""``import pyNN.hardware.brainscales2 as sim``: the hardware backend with profile 'brainscales2' by default."""

from pyNN.hardware import *  # noqa: F403
from pyNN.hardware import _setup_for_profile

setup = _setup_for_profile("brainscales2")
