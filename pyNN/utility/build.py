"""Finding the tools that build compiled models (NMODL mechanisms for NEURON, NEST modules
generated from NESTML): one rule for every backend that compiles something."""

import os
import shutil

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
