"""Run a folder of third-party PyNN material against this library, on every backend.

Measures how much of an existing PyNN code base runs unchanged ("change one import").
It fetches nothing: give it the root of an unpacked PyNN source tree (for instance the
sdist from PyPI, unpacked in a scratch folder outside this repository)::

    python tools/run_pynn_material.py /tmp/pynn_material/pynn-0.13.0 --out /tmp/pynn_results

Three kinds of material are run, each on nest, neuron, brian2 and hardware:

- ``examples/*.py``: each script as ``python script.py <backend>`` in a scratch working
  directory holding an empty ``Results`` folder (where the examples write their output);
  pass = exit status 0 within the time limit.
- ``test/system/scenarios/test_*.py``: the scenario tests, copied to a scratch folder with
  their ``run_with_simulators`` fixture widened to every backend; pass/fail per test.
- ``doc/*.txt`` and ``doc/backends/*.txt`` (a backend's page on that backend only): the
  doctest-style examples (``>>>``, and each ``testcode`` block with its
  ``testoutput``, in the file's order as Sphinx runs them), after the file's ``testsetup``
  blocks, with ``pyNN.mock`` replaced by the backend; a failure is an example that raises
  (a differing printed value is counted separately as a mismatch).

Scripts needing packages we do not ship (csa, nineml, neuroml, arbor, MUSIC) or
multicompartment models are skipped. The table goes to stdout and, with ``--out``, one
JSON file per kind with every failure's last error line.
"""

import argparse
import doctest
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

BACKENDS = ["nest", "neuron", "brian2", "hardware"]
#: names in a file that mean it needs something we do not ship (mpi4py we do: requirements.txt)
SKIP_MARKERS = ("csa", "nineml", "neuroml", "arbor", "music", "morphology", "pyNN.mc",
                "MultiCompartment")
#: arguments after the backend's name that an example needs, one run per list (named
#: 'script.py:arg:...[backend]')
EXAMPLE_ARGS = {"VAbenchmarks.py": [["CUBA"], ["COBA", "--use-views", "--use-assembly"]]}
#: an import of an unshipped package; `indent` says whether an import inside a block counts
_UNSHIPPED_IMPORT = r"^{indent}(import|from)\s+(csa|nineml|neuroml|arbor|music)\b"

_FIXTURE = '''
import importlib
import pytest


def run_with_simulators(*sim_names):
    names = [n for n in {backends!r}]
    params = [pytest.param(importlib.import_module("pyNN." + n), id=n) for n in names]
    return pytest.mark.parametrize("sim", params)
'''


def _needs_unshipped(path, text=None, any_import=True):
    """Whether a file (or the given part of it) needs a package or feature we do not ship.

    With `any_import=False` only an import at the top level counts: an example that imports
    `csa` inside ``if options.use_csa:`` runs without it.
    """
    text = path.read_text(errors="replace") if text is None else text
    name = path.name.lower()
    imports = _UNSHIPPED_IMPORT.format(indent=r"\s*" if any_import else "")
    return any(m.lower() in name for m in SKIP_MARKERS) or re.search(
        imports + r"|pyNN\.(nineml|morphology|arbor)|MultiCompartment", text, re.M) is not None


def _fixed_backend(text):
    """The backend a script imports by name (``import pyNN.neuron as sim``), or None."""
    found = set(re.findall(r"^(?:import|from)\s+pyNN\.(\w+)", text, re.M)) & set(BACKENDS)
    return found.pop() if len(found) == 1 else None


def _doctest_code(text):
    """The parts of a documentation file that are run: testsetup blocks and '>>>' examples."""
    examples = [ln for ln in text.splitlines() if ln.lstrip().startswith((">>>", "..."))]
    return "\n".join(_setup_blocks(text) + examples)


def _last_error(text):
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    for ln in reversed(lines):
        if re.match(r"^[A-Za-z_.]*(Error|Exception|Warning)\b|^[a-zA-Z_.]+: ", ln):
            return ln.strip()[:300]
    return (lines[-1].strip()[:300] if lines else "")


def _pytest_error(text):
    """'<exception line> (at <file:line>)' from a pytest failure report."""
    lines = text.strip().splitlines()
    raised = [ln[1:].strip() for ln in lines if ln.startswith("E ")]
    where = [ln.strip() for ln in lines if re.match(r"^\S+\.pyx?:\d+: ", ln)]
    message = next((ln for ln in raised if re.match(r"^[A-Za-z_.]*(Error|Exception)\b", ln)),
                   raised[0] if raised else _last_error(text))
    return (message[:240] + (f" (at {where[-1].split(': ')[0]})" if where else ""))


def run_examples(root, backends, timeout, only=None):
    results = {}
    scripts = sorted((root / "examples").glob("*.py"))
    for script in scripts:
        if _needs_unshipped(script, any_import=False):
            continue
        fixed = _fixed_backend(script.read_text(errors="replace"))
        for backend, extra in ((b, a) for b in backends for a in EXAMPLE_ARGS.get(script.name, [[]])):
            if fixed is not None and backend != fixed:
                continue  # a script written for one simulator runs on that one only
            name = ":".join([script.name, *extra])
            if only is not None and f"{name}[{backend}]" not in only:
                continue
            work = Path(tempfile.mkdtemp(prefix="pynn_ex_"))
            # the examples write their figures and data into ./Results, and some assume it exists
            (work / "Results").mkdir()
            env = dict(os.environ, MPLBACKEND="Agg")
            data = {}
            try:
                proc = subprocess.run([sys.executable, str(script), backend, *extra], cwd=work, env=env,
                                      capture_output=True, text=True, timeout=timeout)
                ok, err = proc.returncode == 0, _last_error(proc.stderr or proc.stdout)
                data = _data_summary(work / "Results", backend)
            except subprocess.TimeoutExpired:
                ok, err = False, f"timeout after {timeout} s"
            finally:
                shutil.rmtree(work, ignore_errors=True)
            results[f"{name}[{backend}]"] = {"ok": ok, "error": "" if ok else err, "data": data}
            print(f"  example {name} {backend}: {'ok' if ok else 'FAIL ' + err}", flush=True)
    return results


def _data_summary(folder, backend):
    """Spike counts per population and mean of each signal, for every Neo pickle in `folder`.

    The files are keyed by their name with the backend's name and any time stamp taken out,
    so the same file of the same example can be compared across backends.
    """
    import pickle
    summary = {}
    for path in sorted(folder.rglob("*.pkl")):
        key = re.sub(r"_?\d{8}-\d{6}|_?\d{4}-\d\d-\d\dT[\d:]+", "", path.name)
        # the backend's name as a word of the file name, the last one ('gif_neuron_neuron_np1')
        words = re.split(r"([^A-Za-z0-9]+)", key)
        if backend in words:
            words[len(words) - 1 - words[::-1].index(backend)] = "<sim>"
        key = "".join(words)
        try:
            with open(path, "rb") as f:
                block = pickle.load(f)
        except Exception as exc:  # a file the example wrote but Neo cannot read back is a finding too
            summary[key] = {"unreadable": f"{type(exc).__name__}: {exc}"[:200]}
            continue
        spikes, signals = Counter(), defaultdict(list)
        for seg in block.segments:
            for st in seg.spiketrains:
                label = st.annotations.get("source_population") or block.name or "?"
                spikes[str(label)] += len(st)
            for sig in seg.analogsignals:
                signals[sig.name].append(float(sig.magnitude.mean()))
        summary[key] = {"segments": len(block.segments), "spikes": dict(spikes),
                        "signal_means": {k: float(f"{sum(v) / len(v):.6g}") for k, v in signals.items()}}
    return summary


def compare_data(results, backends, tolerance=0.25):
    """Lines comparing every (example, file, population) spike count and signal mean across backends.

    A spike count differs when max - min exceeds `tolerance` of the max and 5 spikes (random
    inputs are drawn differently per backend, so small differences are expected); a signal's
    mean differs when max - min exceeds `tolerance` / 5 of the largest magnitude.
    """
    table = defaultdict(dict)
    for name, res in results.items():
        script, backend = re.match(r"(.*)\[(\w+)\]$", name).groups()
        for key, summ in (res.get("data") or {}).items():
            for pop, n in summ.get("spikes", {}).items():
                table[(script, key, "spikes", pop)][backend] = n
            for signal, mean in summ.get("signal_means", {}).items():
                table[(script, key, "mean", signal)][backend] = mean
    lines = []
    for (script, key, what, name), values_of in sorted(table.items()):
        values = [values_of[b] for b in backends if b in values_of]
        if len(values) < 2:
            continue
        spread = max(values) - min(values)
        if what == "spikes":
            differs = spread > max(5, tolerance * max(values))
        else:
            differs = spread > tolerance / 5 * max(abs(v) for v in values)
        lines.append(f"  {'DIFFERS' if differs else 'ok':7s} {script} {key} {what} {name}: " +
                     ", ".join(f"{b}={values_of[b]}" for b in backends if b in values_of))
    return lines


def run_scenarios(root, backends, timeout):
    src = root / "test" / "system" / "scenarios"
    work = Path(tempfile.mkdtemp(prefix="pynn_sc_"))
    pkg = work / "scenarios"
    shutil.copytree(src, pkg)
    (pkg / "fixtures.py").write_text(_FIXTURE.format(backends=list(backends)))
    skipped = [p for p in pkg.glob("test_*.py") if _needs_unshipped(p)]
    junit = work / "junit.xml"
    env = dict(os.environ, MPLBACKEND="Agg", PYNN_BRIAN2_TARGET="numpy")
    args = [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", f"--junitxml={junit}",
            "--continue-on-collection-errors",
            "-o", "junit_family=xunit1", "--rootdir", str(work)]
    args += [f"--deselect={p.relative_to(work)}" for p in skipped]
    args += ["--ignore=" + str(p) for p in skipped] + ["scenarios"]
    progress = open(os.environ.get("PYNN_MATERIAL_LOG", os.devnull), "w")
    try:  # (progress, one line per test, to $PYNN_MATERIAL_LOG if set)
        subprocess.run(args, cwd=work, env=env, stdout=progress, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    finally:
        progress.close()
    results = {}
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):
            name = f"{case.get('classname', '').split('.')[-1]}::{case.get('name')}"
            bad = case.find("failure") if case.find("failure") is not None else case.find("error")
            skip = case.find("skipped")
            if skip is not None:
                results[name] = {"ok": None, "error": (skip.get("message") or "")[:300]}
            elif bad is not None:
                results[name] = {"ok": False, "error": _pytest_error(bad.text or bad.get("message") or "")}
            else:
                results[name] = {"ok": True, "error": ""}
    shutil.rmtree(work, ignore_errors=True)
    return results


def _directive_body(lines, i):
    """The code of the directive at line `i` (dedented, its options such as ':hide:' left
    out) and the index of the line after it."""
    i += 1
    body = []
    while i < len(lines) and (not lines[i].strip() or lines[i].startswith((" ", "\t"))):
        body.append(lines[i])
        i += 1
    code = _dedent(body).strip("\n").splitlines()
    while code and re.match(r"^:[\w-]+:", code[0]):
        code.pop(0)
    return "\n".join(code), i


def _setup_blocks(text):
    """The code of every ``.. testsetup::`` block of a reStructuredText file."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if lines[i].strip().startswith(".. testsetup::"):
            code, i = _directive_body(lines, i)
            blocks.append(code)
        else:
            i += 1
    return blocks


def _examples(text):
    """The examples of a reStructuredText file in their order, as Sphinx's doctest runs them:
    the '>>>' examples, and each ``.. testcode::`` block as one example whose expected output
    is the ``.. testoutput::`` block after it (testsetup blocks are run apart, before)."""
    parser = doctest.DocTestParser()
    examples, lines, plain, i = [], text.splitlines(), [], 0

    def flush():
        examples.extend(parser.get_examples("\n".join(plain)))
        plain.clear()

    while i < len(lines):
        directive = lines[i].strip()
        if directive.startswith(".. testcode::"):
            flush()
            code, i = _directive_body(lines, i)
            j = i
            while j < len(lines) and not lines[j].strip():
                j += 1
            want = ""
            if j < len(lines) and lines[j].strip().startswith(".. testoutput::"):
                want, i = _directive_body(lines, j)
            # one statement for doctest's 'single' mode, run in the file's namespace
            source = f"exec(compile({code!r}, 'testcode', 'exec'), globals())\n"
            examples.append(doctest.Example(source, want + "\n" if want else ""))
        elif directive.startswith((".. testsetup::", ".. testcleanup::", ".. testoutput::")):
            _, i = _directive_body(lines, i)
        else:
            plain.append(lines[i])
            i += 1
    flush()
    return examples


def _shown(source):
    """The first line of an example's code, for the report (a testcode block's own code)."""
    found = re.match(r"exec\(compile\((.*), 'testcode', 'exec'\), globals\(\)\)\s*$", source, re.S)
    code = eval(found.group(1)) if found else source  # (the repr written by _examples)
    return " ".join(code.split())[:80]


def _dedent(lines):
    import textwrap
    return textwrap.dedent("\n".join(lines))


def run_docs(root, backends, timeout):
    results = {}
    # the user guide, and the pages of each backend (run on the backend they import by name)
    docs = sorted((root / "doc").glob("*.txt")) + sorted((root / "doc" / "backends").glob("*.txt"))
    for doc in docs:
        text = doc.read_text(errors="replace")
        # prose and code-blocks may mention csa or multicompartment models; only what is run counts
        if ">>>" not in text or doc.name.startswith("mc_") or _needs_unshipped(doc, _doctest_code(text)):
            continue
        fixed = _fixed_backend(re.sub(r"^\s*(>>>|\.\.\.) ?", "", _doctest_code(text), flags=re.M))
        for backend in backends:
            if fixed is not None and backend != fixed:
                continue
            code = _DOC_CHILD.format(path=str(doc), backend=backend)
            work = Path(tempfile.mkdtemp(prefix="pynn_doc_"))
            env = dict(os.environ, MPLBACKEND="Agg", PYNN_BRIAN2_TARGET="numpy",
                       PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent),
                                                                 os.environ.get("PYTHONPATH")])))
            try:
                proc = subprocess.run([sys.executable, "-c", code], cwd=work, env=env,
                                      capture_output=True, text=True, timeout=timeout)
                out = proc.stdout.strip().splitlines()
                summary = json.loads(out[-1]) if out and out[-1].startswith("{") else {
                    "examples": 0, "raised": [_last_error(proc.stderr)], "mismatch": 0}
            except subprocess.TimeoutExpired:
                summary = {"examples": 0, "raised": [f"timeout after {timeout} s"], "mismatch": 0}
            finally:
                shutil.rmtree(work, ignore_errors=True)
            results[f"{doc.name}[{backend}]"] = summary
            print(f"  doc {doc.name} {backend}: {summary['examples']} examples, "
                  f"{len(summary['raised'])} raised, {summary['mismatch']} mismatched", flush=True)
    return results


_DOC_CHILD = '''
import json, sys, doctest
sys.argv = ["doc", {backend!r}]
from run_pynn_material import doc_child
print(json.dumps(doc_child({path!r}, {backend!r})))
'''


def doc_child(path, backend):
    """Run one documentation file's examples on one backend (in a child process)."""
    import matplotlib
    import numpy
    matplotlib.use("Agg")
    # the documentation's outputs were written with numpy's old printing (``array([ 10.,  12.])``,
    # ``20.0`` for a numpy float): print the same way, so that only the values are compared
    numpy.set_printoptions(legacy="1.13")
    text = Path(path).read_text(errors="replace")
    swap = lambda s: s.replace("pyNN.mock", f"pyNN.{backend}")  # noqa: E731
    globs = {"__name__": "__doc__"}
    for block in _setup_blocks(text):
        try:
            exec(compile(swap(block), "testsetup", "exec"), globs)
        except Exception as exc:  # report, and still try the examples
            print(f"testsetup raised {type(exc).__name__}: {exc}", file=sys.stderr)
    test = doctest.DocTest(_examples(swap(text)), globs, Path(path).name, path, 0, None)
    raised, mismatched = [], []

    class Runner(doctest.DocTestRunner):
        def report_unexpected_exception(self, out, test, example, exc_info):
            raised.append(f"{_shown(example.source)} -> {exc_info[0].__name__}: "
                          f"{str(exc_info[1])[:200]}")

        def report_failure(self, out, test, example, got):
            mismatched.append(f"{_shown(example.source)} -> expected {example.want.strip()[:120]!r}, "
                              f"got {got.strip()[:120]!r}")

    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.IGNORE_EXCEPTION_DETAIL
    Runner(checker=_SameValueChecker(), optionflags=flags, verbose=False).run(test, out=lambda s: None)
    return {"examples": len(test.examples), "raised": raised, "mismatch": len(mismatched),
            "mismatched": mismatched}


class _SameValueChecker(doctest.OutputChecker):
    """Also accepts an output that is the same Python literal as the expected one: a dict
    whose keys the documentation shows in the order of an older Python or PyNN version."""

    def check_output(self, want, got, optionflags):
        if super().check_output(want, got, optionflags):
            return True
        import ast
        try:
            return ast.literal_eval(want.strip()) == ast.literal_eval(got.strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return False


def _table(kind, results, backends):
    print(f"\n{kind}: pass / total per backend")
    for backend in backends:
        mine = {k: v for k, v in results.items() if k.endswith(f"[{backend}]")}
        if kind == "docs":
            total = sum(v["examples"] for v in mine.values())
            raised = sum(len(v["raised"]) for v in mine.values())
            mism = sum(v["mismatch"] for v in mine.values())
            print(f"  {backend:9s} {total - raised - mism}/{total} examples "
                  f"({raised} raised, {mism} output mismatches)")
        else:
            ran = [v for v in mine.values() if v["ok"] is not None]
            print(f"  {backend:9s} {sum(v['ok'] for v in ran)}/{len(ran)}")
    errors = Counter()
    for v in results.values():
        for e in (v.get("raised") or ([v["error"]] if v.get("ok") is False else [])):
            errors[re.sub(r"\d+(\.\d+)?", "N", e.split(" -> ")[-1])[:160]] += 1
    print(f"  most common {kind} failure causes:")
    for err, n in errors.most_common(25):
        print(f"    {n:3d}  {err}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path, help="root of an unpacked PyNN source tree")
    ap.add_argument("--backends", default=",".join(BACKENDS))
    ap.add_argument("--only", default="examples,scenarios,docs")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per script")
    ap.add_argument("--out", type=Path, help="folder for the JSON results (merged with the "
                    "results already there, so backends can be run one after another)")
    ap.add_argument("--only-examples", type=Path,
                    help="file listing the examples to run, one 'script.py[backend]' a line "
                    "('script.py:arg[backend]' for the runs with arguments, see EXAMPLE_ARGS)")
    args = ap.parse_args()
    backends = args.backends.split(",")
    runners = {"examples": run_examples, "scenarios": run_scenarios, "docs": run_docs}
    all_results = defaultdict(dict)
    for kind in args.only.split(","):
        print(f"running {kind} ...", flush=True)
        timeout = args.timeout * (20 if kind == "scenarios" else 1)
        if kind == "examples" and args.only_examples:
            only = set(args.only_examples.read_text().split())
            all_results[kind] = run_examples(args.root, backends, timeout, only)
        else:
            all_results[kind] = runners[kind](args.root, backends, timeout)
        if args.out:
            # results of earlier runs into the same folder are kept, so that the backends
            # can be run one after another and compared
            args.out.mkdir(parents=True, exist_ok=True)
            path = args.out / f"{kind}.json"
            earlier = json.loads(path.read_text()) if path.exists() else {}
            all_results[kind] = {**earlier, **all_results[kind]}
            path.write_text(json.dumps(all_results[kind], indent=1))
    for kind, results in all_results.items():
        if kind == "scenarios":
            results = {re.sub(r"\[(\w+)\]$", r"[\1]", k): v for k, v in results.items()}
        shown = [b for b in BACKENDS if any(k.endswith(f"[{b}]") for k in results)]
        _table(kind, results, shown)
        if kind == "examples":
            print("\nexamples: spikes per population and file, across backends")
            print("\n".join(compare_data(results, shown)) or "  (no data on two backends yet)")


if __name__ == "__main__":
    main()
