"""The notebooks and the executable pages of the documentation (getting started, tutorial)
run from top to bottom without error.

They are executed here with nbclient, in a fresh kernel each, in a temporary directory
(the files they write stay there). The documentation build of the test suite does not
execute them again (see test_docs_build.py); ``bash project.sh docs`` does.
"""

import glob
import os

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient")

DOC = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "doc")


def _executable_pages():
    pages = sorted(glob.glob(os.path.join(DOC, "notebooks", "*.ipynb")))
    for path in sorted(glob.glob(os.path.join(DOC, "*.md")) + glob.glob(os.path.join(DOC, "tutorial", "*.md"))):
        with open(path, encoding="utf-8") as f:
            if "file_format: mystnb" in f.read(300):
                pages.append(path)
    return pages


PAGES = _executable_pages()


def _read(path):
    if path.endswith(".ipynb"):
        return nbformat.read(path, as_version=4)
    from myst_nb.core.read import read_myst_markdown_notebook

    with open(path, encoding="utf-8") as f:
        return read_myst_markdown_notebook(f.read(), path=path)


def test_there_are_notebooks_and_tutorial_pages():
    names = {os.path.relpath(p, DOC) for p in PAGES}
    assert {"notebooks/quick_start.ipynb", "notebooks/backend_comparison.ipynb",
            "notebooks/hardware_emulator.ipynb", "getting_started.md"} <= names
    assert sum(n.startswith("tutorial/") for n in names) >= 8


@pytest.mark.parametrize("path", PAGES, ids=lambda p: os.path.relpath(p, DOC))
def test_page_executes(path, tmp_path, monkeypatch):
    monkeypatch.setenv("PYNN_BRIAN2_TARGET", "numpy")
    notebook = _read(path)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert code_cells, f"{path} has no code to execute"
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()   # raises CellExecutionError, naming the cell, on any error
    outputs = [o for c in code_cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any(o.get("output_type") in ("stream", "execute_result", "display_data") for o in outputs)
