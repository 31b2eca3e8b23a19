"""The documentation builds with Sphinx without a single warning, and its generated pages
show what the code says.

This build does not execute the examples, notebooks and tutorial pages
(``PYNN_DOCS_EXECUTE=0``): the tests test_gallery_examples.py and test_notebooks.py run
them. ``bash project.sh docs`` builds the same site with everything executed.
"""

import html as html_text
import os
import subprocess
import sys

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")
pytest.importorskip("sphinx_gallery")

ROOT = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir)


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    env = dict(os.environ, PYNN_DOCS_EXECUTE="0")
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                             "-d", str(out / ".doctrees"), os.path.join(ROOT, "doc"), str(out)],
                            capture_output=True, text=True, env=env, timeout=1200)
    assert result.returncode == 0, f"Sphinx reported warnings or errors:\n{result.stderr[-6000:]}"
    return out


def _page(html, name):
    with open(html / name, encoding="utf-8") as f:
        return html_text.unescape(f.read())


def test_docs_build_without_warnings(html):
    for page in ("index.html", "getting_started.html", "behaviour.html", "support_matrix.html",
                 "differences.html", "changelog.html", "benchmarks.html", "tutorial/hardware.html",
                 "tutorial/custom_models.html",
                 "notebooks/quick_start.html", "auto_examples/index.html", "reference/api/populations.html"):
        assert (html / page).exists(), page


def test_model_reference_is_generated_from_the_models(html):
    from pyNN.standardmodels import cells, synapses

    text = _page(html, "reference/generated/cells.html")
    for name in ("IF_cond_exp", "HH_cond_exp", "GIF_cond_exp", "SpikeSourceInhGamma"):
        assert f'id="{name.lower().replace("_", "-")}"' in text or name in text
    for description in set(cells.HH_cond_exp.descriptions.values()):
        assert description in text, description
    assert "iaf_cond_exp" in text  # the NEST model, from the backend's table
    plasticity = _page(html, "reference/generated/plasticity.html")
    assert synapses.SpikePairRule.descriptions["tau_plus"] in plasticity


def test_every_example_is_in_the_gallery(html):
    examples = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "examples")) if f.endswith(".py"))
    gallery = _page(html, "auto_examples/index.html")
    missing = [name for name in examples if f"{name}.html" not in gallery]
    assert not missing, missing
