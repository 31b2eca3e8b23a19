"""Compiling and loading the backend's NMODL mechanisms (``pyNN/neuron/nmodl/*.mod``).

The mechanisms are compiled the first time a simulation needs them, with the
``nrnivmodl`` that comes with the installed NEURON, into a per-user cache::

    $PYNN_NEURON_CACHE or $XDG_CACHE_HOME/pyNN/neuron or ~/.cache/pyNN/neuron
        /<hash of the .mod sources, NEURON version, platform>/

A build happens in a fresh temporary directory inside the cache, which is then renamed
into place in one step: two processes compiling at once both succeed, and the one that
renames second simply uses the first one's result. Nothing is compiled at install or
import time.
"""

import hashlib
import os
import platform
import shutil
import subprocess
import sys

from pyNN import errors
from pyNN.utility.build import build_into, find_cxx_compiler

MOD_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nmodl")

#: compilers nrnivmodl can use, in the order looked for when $CXX is not set

_loaded = set()


class MechanismBuildError(errors.SimulatorError):
    """The NMODL mechanisms could not be compiled (no compiler, or nrnivmodl failed)."""


def cache_root():
    """Directory holding one sub-directory per compiled set of mechanisms."""
    if os.environ.get("PYNN_NEURON_CACHE"):
        return os.environ["PYNN_NEURON_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pyNN", "neuron")


def _neuron_version():
    import neuron
    return getattr(neuron, "__version__", "unknown")


def mod_files(mod_dir=MOD_DIR):
    """The mechanism sources: the .mod files and the .inc files they INCLUDE."""
    return sorted(f for f in os.listdir(mod_dir) if f.endswith((".mod", ".inc")))


def source_hash(mod_dir=MOD_DIR):
    """Hash of the mechanism sources, the NEURON version and the platform."""
    digest = hashlib.sha256()
    for name in mod_files(mod_dir):
        digest.update(name.encode())
        with open(os.path.join(mod_dir, name), "rb") as f:
            digest.update(f.read())
    digest.update(f"{_neuron_version()}|{sys.platform}|{platform.machine()}".encode())
    return digest.hexdigest()[:16]


def find_nrnivmodl():
    """The nrnivmodl of the NEURON that Python imports (next to the interpreter, inside
    the neuron package, or on PATH)."""
    candidates = [os.path.join(os.path.dirname(sys.executable), "nrnivmodl")]
    try:
        import neuron
        candidates.append(os.path.join(os.path.dirname(neuron.__file__), ".data", "bin", "nrnivmodl"))
    except ImportError:  # pragma: no cover - the backend cannot be imported without it
        pass
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    found = shutil.which("nrnivmodl")
    if found:
        return found
    raise MechanismBuildError(
        "pyNN.neuron cannot compile its NMODL mechanisms: nrnivmodl was not found next to "
        f"{sys.executable}, in the neuron package or on PATH (reinstall NEURON: pip install neuron)")


def find_compiler():
    """Path of the C++ compiler nrnivmodl will use; MechanismBuildError if there is none."""
    return find_cxx_compiler("pyNN.neuron needs a C++ compiler to build its NMODL mechanisms", cache_root(),
                             MechanismBuildError)


def _library_in(directory):
    for arch in (platform.machine(), "x86_64", "arm64", "aarch64", "i686", "umac", "powerpc"):
        for lib in ("libnrnmech.so", "libnrnmech.dylib", os.path.join(".libs", "libnrnmech.so")):
            path = os.path.join(directory, arch, lib)
            if os.path.exists(path):
                return path
    return None


def build(mod_dir=MOD_DIR, root=None, announcement=None):
    """Compile the .mod files of `mod_dir` unless the cache already holds them.

    `announcement` is ``(what, why, expected duration)`` for the announcement of a compile
    (:func:`pyNN.utility.build.build_into`); by default the backend's own mechanisms are meant.

    Returns
    -------
    (directory, compiled) : the cache directory for this set of sources (the one to give
        ``neuron.load_mechanisms``) and whether this call compiled it.
    """
    root = root or cache_root()
    target = os.path.join(root, source_hash(mod_dir))
    if _library_in(target):
        return target, False
    nrnivmodl = find_nrnivmodl()
    find_compiler()

    def compile_into(work):
        for name in mod_files(mod_dir):
            shutil.copy(os.path.join(mod_dir, name), work)
        result = subprocess.run([nrnivmodl, "."], cwd=work, capture_output=True, text=True)
        if result.returncode != 0 or not _library_in(work):
            raise MechanismBuildError(
                f"pyNN.neuron: nrnivmodl failed to compile the mechanisms in {mod_dir} "
                f"(exit status {result.returncode}):\n{(result.stdout + result.stderr)[-3000:]}")

    announcement = announcement or ("pyNN.neuron: compiling the backend's NMODL mechanisms with nrnivmodl",
                                    f"first use with NEURON {_neuron_version()}; cached in {root}", "20-40 s")
    return build_into(target, compile_into, _library_in, announcement)


def load():
    """Compile (if needed) and load the backend's mechanisms into NEURON, once per process."""
    if "pyNN" in _loaded:
        return
    from neuron import h, load_mechanisms
    if hasattr(h, "PyNN_IF_curr"):  # already there (e.g. loaded by a native script)
        _loaded.add("pyNN")
        return
    directory, _ = build()
    if not load_mechanisms(directory, warn_if_already_loaded=False):
        raise MechanismBuildError(f"pyNN.neuron: NEURON could not load the mechanisms built in {directory}")
    _loaded.add("pyNN")
