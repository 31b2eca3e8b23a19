"""Announce Brian2's first-use Cython compiles (see :mod:`pyNN.utility.feedback`).

Brian2 compiles each code object of a network into a Cython module the first time that code
is met, inside ``Network.run``; with a cold cache this takes 5–10 s per module and a minute
or more for a network, with nothing on screen. Brian2 looks for a module's compiled file
before compiling it; the backend wraps that step to notice cache misses, and announces them
once per run.
"""

import os

from pyNN.utility.feedback import announce_work


class CompileWatch:
    """Collects the Cython compiles that happen during one ``run()``."""

    def __init__(self):
        self.announcement = None
        self.count = 0

    def compiling(self, module_path):
        """Called before Brian2 compiles the module that will live at `module_path`."""
        if self.announcement is None:
            self.announcement = announce_work(
                "pyNN.brian2: compiling the network's code with Cython",
                f"first use of this code; cached in {os.path.dirname(module_path)}",
                "5-10 s per code object, a minute or two for a network")
            self.announcement.__enter__()
        self.count += 1

    def run_ended(self, failed=False):
        """Close this run's announcement, if anything was compiled."""
        if self.announcement is not None:
            self.announcement.detail = f"{self.count} Cython module(s)"
            exc = (RuntimeError, None, None) if failed else (None, None, None)
            self.announcement.__exit__(*exc)
        self.announcement = None
        self.count = 0


watch = CompileWatch()


def install():
    """Wrap the loading step of Brian2's Cython extension manager once per process (without
    Brian2's Cython runtime, or if its internals changed, nothing is announced)."""
    try:
        from brian2.codegen.runtime.cython_rt import extension_manager
        manager = extension_manager.cython_extension_manager
        original = manager._load_module
    except (ImportError, AttributeError):
        return
    if getattr(original, "_pynn_watch", False):
        return

    def load_module(module_path, *args, **kwargs):
        if not os.path.isfile(module_path):
            watch.compiling(module_path)
        return original(module_path, *args, **kwargs)

    load_module._pynn_watch = True
    manager._load_module = load_module
