"""Helpers for writing simulation scripts, under the module name PyNN gives them
(``from pyNN.utility.script_tools import get_simulator``).

They are the functions of :mod:`pyNN.utility` itself (one implementation):

get_simulator(*arguments)
    The backend module named by the first command-line argument, and the parsed arguments.
get_script_args(n_args, usage='')
    The `n_args` command-line arguments that follow the script name.
init_logging(logfile, debug=False, num_processes=1, rank=0, level=None)
    Logging to a file (or the console) for the 'PyNN' logger.
normalized_filename(root, basename, extension, simulator, num_processes=None, use_iso8601=False)
    A dated file name that records the simulator and the number of processes.
notify(msg='Simulation finished.', subject='Simulation finished.', smtphost=None, address=None)
    An e-mail saying that the simulation has finished.
"""

from pyNN.utility import get_script_args, get_simulator, init_logging, normalized_filename, notify

__all__ = ["get_script_args", "get_simulator", "init_logging", "normalized_filename", "notify"]
