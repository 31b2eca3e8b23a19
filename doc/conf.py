"""Sphinx configuration of the pyNN documentation.

``bash project.sh docs`` builds the site into ``doc/_build/html``, executing the tutorial
pages, the notebooks and the examples gallery (on NEST, with a short simulated time).
With ``PYNN_DOCS_EXECUTE=0`` nothing is executed (the test suite builds it that way and
runs the examples and notebooks in tests of their own).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "_ext"))
os.environ.setdefault("PYNN_BRIAN2_TARGET", "numpy")  # no C compilation when pages use Brian2
EXECUTE = os.environ.get("PYNN_DOCS_EXECUTE", "1") != "0"
#: simulated time (ms) given to the examples of the gallery: the figures stay readable, the build fast
GALLERY_SIMTIME = os.environ.get("PYNN_GALLERY_SIMTIME", "300")

project = "pyNN"
author = "the pyNN developers"
copyright = "the pyNN developers; CeCILL-2.1 licence"
release = __import__("pyNN").__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "myst_nb",
    "sphinx_gallery.gen_gallery",
    "pynn_model_reference",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5",
                    "sg_execution_times.rst"]
# the markdown pages also read on GitHub start at heading level 1 or 2; the gallery's
# configuration holds a function, so Sphinx cannot cache it (it is re-read every build)
suppress_warnings = ["myst.header", "config.cache"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

# notebooks and executable tutorial pages
nb_execution_mode = "force" if EXECUTE else "off"
nb_execution_raise_on_error = True
nb_execution_timeout = 600
nb_execution_show_tb = True
nb_execution_in_temp = True   # files the pages write (data, connection lists) do not land in doc/

# API reference
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"
autosummary_generate = True
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_custom_sections = [("State variables", "params_style")]

html_theme = "furo"
html_title = f"pyNN {release}"


def _gallery_argv(gallery_conf, script_vars):
    """Command-line arguments of an example in the gallery: NEST, short time, output in the build."""
    name = os.path.basename(script_vars["src_file"])
    out = os.path.join(HERE, "_build", "example_output")
    argv = ["nest", "--simtime", GALLERY_SIMTIME, "--output-dir", out]
    if name == "balanced_network.py":
        argv += ["--side", "20"]
    return argv


sphinx_gallery_conf = {
    "examples_dirs": os.path.join(HERE, os.pardir, "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"\.py$",  # execute every example
    "plot_gallery": "True" if EXECUTE else "False",
    "reset_argv": _gallery_argv,
    "download_all_examples": False,
    "abort_on_example_error": True,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "write_computation_times": False,
}


def _developer_guide_slot(app, docname, source):
    """The developer guide (``developer_guide.md``) joins the index when the file exists."""
    if docname == "index":
        present = os.path.exists(os.path.join(HERE, "developer_guide.md"))
        source[0] = source[0].replace("DEVELOPER_GUIDE_IF_PRESENT\n", "developer_guide\n" if present else "")


def setup(app):
    app.connect("source-read", _developer_guide_slot)
