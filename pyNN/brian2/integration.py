"""Integration methods of the Brian2 backend and the cache of the code they derive.

Brian2 integrates a NeuronGroup with a state-update method that turns the equations into
abstract code. Three kinds are used by the cell types (see ``standardmodels/cells.py``):

- :class:`SharedMethod`: one of Brian2's methods (e.g. 'rk4') whose derived code is kept
  per set of equations, in memory and on disk next to Brian2's compiled code, so that
  neither another group with the same equations nor a later process derives it again;
- :class:`SubstepMethod`: such a method applied n times per time step (HH's gates);
- :class:`ExactLIF`: the exact propagator of a leaky membrane with exponential or
  alpha-shaped currents, written out directly instead of asking sympy for it.
"""

import os
import re


class SharedMethod:
    """A Brian2 integration method (e.g. 'rk4') whose abstract code is derived once per set
    of equations and reused by every group with the same equations: Brian2 derives it with
    sympy for each group separately (about a second per group for RK4). The derived code is
    also kept on disk next to the compiled code (see :func:`_derived_code_path`), so that a
    new process does not derive it again, as compiled code is not compiled again."""

    _cache = {}

    def __init__(self, name):
        from brian2 import StateUpdateMethod
        self.name = name
        self.__name__ = name
        self._method = StateUpdateMethod.stateupdaters[name]

    def can_integrate(self, equations, variables, method_options=None):
        """Whether Brian2's method can integrate `equations` (asked by Brian2)."""
        return self._method.can_integrate(equations, variables, method_options)

    def __call__(self, equations, variables=None, method_options=None):
        key = (self.name, str(equations), repr(method_options))
        code = self._cache.get(key)
        if code is None:
            path = _derived_code_path(key)
            code = _read_text(path)
            if code is None:
                code = self._method(equations, variables, method_options)
                _write_text(path, code)
            self._cache[key] = code
        return code


def _derived_code_path(key):
    """File of the abstract code derived for `key` (Brian2's version is part of the name)."""
    import hashlib

    import brian2
    from brian2.codegen.runtime.cython_rt.extension_manager import get_cython_cache_dir
    root = brian2.prefs.codegen.runtime.cython.cache_dir or get_cython_cache_dir()
    digest = hashlib.sha256(repr((brian2.__version__,) + key).encode()).hexdigest()
    return os.path.join(root, "pynn_derived_code", f"{digest}.txt")


def _read_text(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def _write_text(path, text):
    """Write atomically (another process may read it meanwhile); a cache that cannot be
    written is only slower."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        pass


class SubstepMethod(SharedMethod):
    """A Brian2 integration method applied `n` times per time step, each over dt/n: models
    whose fast dynamics need a finer step than the network's (HH's gates at dt = 0.1 ms)."""

    def __init__(self, name, n):
        super().__init__(name)
        self.n = int(n)
        self.__name__ = f"{name} ({self.n} sub-steps)"

    def __call__(self, equations, variables=None, method_options=None):
        step = re.sub(r"\bdt\b", "_h_sub", super().__call__(equations, variables, method_options))
        return f"_h_sub = dt/{self.n}\n" + (step.rstrip("\n") + "\n") * self.n


class ExactLIF:
    """Brian2 integration method: the exact propagator of a leaky membrane driven by
    exponential or alpha-shaped currents (as NEST's iaf_psc models), written directly
    instead of asking Brian2's symbolic ``exact`` solver (which takes seconds to minutes
    of sympy time for a membrane with two alpha synapses).

    `currents` lists (current variable, time constant, auxiliary variable of an alpha
    shape or None). A time constant equal to tau_m uses the limit of the formulas.
    """

    __name__ = "exact LIF propagator"

    def __init__(self, currents):
        self.currents = list(currents)

    def can_integrate(self, equations, variables, method_options=None):
        """Always: the cell types give this method only the equations it is written for."""
        return True

    def __call__(self, equations, variables=None, method_options=None):
        lines = ["_P22 = exp(-dt/tau_m)",
                 "_v_new = v_rest + (v - v_rest)*_P22 + (i_offset + I_inj)*tau_m/c_m*(1 - _P22)"]
        updates = []
        for k, (current, tau, aux) in enumerate(self.currents):
            lines += [
                f"_P11_{k} = exp(-dt/{tau})",
                f"_a_{k} = 1/tau_m - 1/{tau}",
                f"_small_{k} = int(abs(_a_{k}*dt) < 1e-6)",
                f"_as_{k} = _a_{k} + _small_{k}/dt",
                f"_v_new += ((1 - _small_{k})*(_P11_{k} - _P22)/(c_m*_as_{k}) + _small_{k}*dt/c_m*_P22)*{current}",
            ]
            if aux is None:
                updates.append(f"{current} = {current}*_P11_{k}")
            else:
                lines.append(
                    f"_v_new += ((1 - _small_{k})*_P22*(exp(_a_{k}*dt)*(_a_{k}*dt - 1) + 1)/(c_m*{tau}*_as_{k}**2)"
                    f" + _small_{k}*_P22*dt**2/(2*c_m*{tau}))*{aux}")
                updates += [f"{current} = ({current} + {aux}*dt/{tau})*_P11_{k}", f"{aux} = {aux}*_P11_{k}"]
        lines.append("v = v + int(not_refractory)*(_v_new - v)")
        return "\n".join(lines + updates) + "\n"
