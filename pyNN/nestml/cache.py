"""The compile cache of NESTML models, shared by every back end.

Layout::

    $PYNN_NESTML_CACHE or $XDG_CACHE_HOME/pyNN/nestml or ~/.cache/pyNN/nestml
        ir/<key>.pickle           the intermediate form of one model text
        <backend>/<key>/          one built artefact (e.g. nest/<key>/ holds a NEST module)

A key hashes everything the result depends on: the model text(s), the options, the
versions of nestml, odetoolbox and sympy, the format version of the intermediate form and,
for built artefacts, the back end and its simulator version. A build happens in a fresh
temporary directory next to its target and is renamed into place in one step: two
processes compiling the same model at once both succeed and the second simply uses the
first one's result; an interrupted build leaves only a ``.build-*`` directory that is never
read (and is removed by :func:`clean_stale`).
"""

import hashlib
import os
import pickle
import shutil
import tempfile
import time

from pyNN.utility.build import build_into

#: bump when the intermediate form changes shape, so that old pickles are not read
IR_FORMAT = 1


def cache_root():
    """Directory holding the cache (see the module docstring for the variables)."""
    if os.environ.get("PYNN_NESTML_CACHE"):
        return os.environ["PYNN_NESTML_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pyNN", "nestml")


def tool_versions():
    """Versions of the tools a cached result depends on."""
    from importlib.metadata import PackageNotFoundError, version
    out = {"ir": IR_FORMAT}
    for package in ("nestml", "odetoolbox", "sympy"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "absent"
    return out


def make_key(*parts):
    """A short hex digest of `parts` (strings, or anything with a stable repr) and the tool versions."""
    digest = hashlib.sha256()
    for part in (*parts, sorted(tool_versions().items())):
        digest.update(repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:24]


def load_pickle(key):
    """The cached object for `key`, or None."""
    path = os.path.join(cache_root(), "ir", key + ".pickle")
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None


def store_pickle(key, obj):
    """Store `obj` under `key` atomically (a reader never sees a half-written file)."""
    directory = os.path.join(cache_root(), "ir")
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, os.path.join(directory, key + ".pickle"))
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def build_once(backend, key, build, is_complete, models=()):
    """Build an artefact into the cache unless it is there already.

    Parameters
    ----------
    backend : sub-directory of the cache (``"nest"``)
    key : the artefact's key (:func:`make_key`)
    build : callable(work_dir) that builds the artefact inside `work_dir`
    is_complete : callable(directory) -> bool, True when `directory` holds a usable artefact
    models : names of the models being built (for the announcement of the compile)

    Returns
    -------
    (directory, built) : where the artefact is and whether this call built it.
    """
    names = ", ".join(models) or "a NESTML model"
    announcement = (f"pyNN.{backend}: generating and compiling code for {names}",
                    f"first use of this model text with these tool versions; cached in {cache_root()}",
                    "about a minute")
    return build_into(os.path.join(cache_root(), backend, key), build, is_complete, announcement)


def clean_stale(backend, older_than=24 * 3600):
    """Remove temporary build directories left by interrupted builds (older than a day)."""
    root = os.path.join(cache_root(), backend)
    if not os.path.isdir(root):
        return
    now = time.time()
    for name in os.listdir(root):
        path = os.path.join(root, name)
        if name.startswith(".build-") and now - os.path.getmtime(path) > older_than:
            shutil.rmtree(path, ignore_errors=True)
