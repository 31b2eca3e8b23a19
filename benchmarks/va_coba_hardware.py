"""The Vogels-Abbott COBA network on pyNN.hardware versus the same network in PyNEST.

The network, the recording and the timed phases are exactly those of ``va_coba.py``
(4,000 IF_cond_exp cells, FixedProbabilityConnector(0.02), 20 Poisson kick-off sources,
dt = 0.1 ms, 1 s, spikes of all cells recorded); the native variant is the PyNEST script
of ``va_coba.py``. Variants:

* ``ideal``: ``pyNN.hardware`` with the ``ideal`` profile (float64 engine);
* ``spinnaker``: ``pyNN.hardware`` with the ``spinnaker1`` profile (dt 0.1 ms accepted
  with the profile's warning), lenient policy so that the mapping does not refuse it;
* ``native``: PyNEST.

Run: ``.venv/bin/python benchmarks/va_coba_hardware.py`` (``--help`` for options).
"""

import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import main
from va_coba import _native, _options, run_pynn


def _hardware(timer, options, profile, policy="strict"):
    with warnings.catch_warnings():
        # the spinnaker1 profile warns that dt = 0.1 ms is below its usual 1 ms tick
        warnings.simplefilter("ignore")
        return run_pynn(timer, options, "pyNN.hardware",
                        lambda seeds: {"profile": profile, "policy": policy, "seed": seeds["nest"]},
                        after=lambda sim: {"numba": bool(sim.state.provenance().get("numba"))})


def _ideal(timer, options):
    return _hardware(timer, options, "ideal")


def _spinnaker(timer, options):
    return _hardware(timer, options, "spinnaker1", policy="lenient")


VARIANTS = {"ideal": _ideal, "spinnaker": _spinnaker, "native": _native}
PAIRS = [("VA COBA, ideal profile", "ideal", "native"), ("VA COBA, spinnaker1 profile", "spinnaker", "native")]
TARGETS = {"total": 1.0}


if __name__ == "__main__":
    main("va_coba_hardware", "Vogels-Abbott COBA benchmark: pyNN.hardware vs PyNEST",
         VARIANTS, PAIRS, ["import", "build", "run", "data", "total", "trains"], TARGETS, _options)
