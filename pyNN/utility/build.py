"""Building compiled models (NMODL mechanisms for NEURON, NEST modules generated from NESTML):
finding the compiler and building into a cache safely, once for every backend that compiles."""

import os
import shutil
import tempfile

from pyNN.utility.feedback import announce_work

#: the C++ compilers tried, in this order, when ``$CXX`` is not set
CXX_COMPILERS = ("c++", "g++", "clang++")


def find_cxx_compiler(needed_by, build_dir, error_class):
    """Path of the C++ compiler: ``$CXX`` if it is set, else the first of :data:`CXX_COMPILERS`
    found on ``PATH``.

    Parameters
    ----------
    needed_by : str
        Who needs the compiler and for what, e.g. ``"pyNN.neuron needs a C++ compiler to build
        its NMODL mechanisms"``; the start of the error message.
    build_dir : str
        Where the build goes (named in the message: it is built once).
    error_class : type
        The :mod:`pyNN.errors` class to raise when there is no compiler.

    Returns
    -------
    str
        The compiler's path.

    Raises
    ------
    error_class
        If no compiler is found; the message says what to install.
    """
    wanted = os.environ.get("CXX")
    names = [wanted.split()[0]] if wanted else list(CXX_COMPILERS)
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    tried = f"$CXX={wanted}" if wanted else ", ".join(CXX_COMPILERS)
    raise error_class(
        f"{needed_by} (once, into {build_dir}), but none was found ({tried} not on PATH). Install one, "
        f"e.g. `apt-get install g++` (Debian/Ubuntu), `dnf install gcc-c++` (Fedora) or "
        f"`xcode-select --install` (macOS), or set CXX.")


def build_into(target, build, is_complete, announcement=None):
    """Build an artefact (compiled mechanisms, a NEST module...) into directory `target` unless
    it is there already, so that several processes may build at once.

    The build happens in a temporary directory next to `target`, which is then renamed onto
    it: the rename is atomic, so a reader sees either nothing or a complete build, and when two
    processes build at once the first complete build wins.

    Parameters
    ----------
    target : str
        The directory that holds the finished artefact.
    build : callable
        ``build(work_dir)`` builds the artefact inside `work_dir` (raising on failure).
    is_complete : callable
        ``is_complete(directory)`` is True when `directory` holds a usable artefact.
    announcement : tuple of str, optional
        ``(what, why, expected duration)``: the build is announced with
        :class:`pyNN.utility.feedback.announce_work` (nothing is said on a cache hit).

    Returns
    -------
    (str, bool)
        `target`, and whether this call built it.
    """
    if is_complete(target):
        return target, False
    root = os.path.dirname(target)
    os.makedirs(root, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".build-", dir=root)
    try:
        if announcement:
            with announce_work(*announcement):
                build(work)
        else:
            build(work)
        try:
            os.rename(work, target)
        except OSError:
            if not is_complete(target):
                raise
        else:
            work = None
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return target, True
