"""Shared machinery of the benchmark scripts.

A benchmark script defines *variants*: functions that build and run one network,
either with this library ("ours") or with plain PyNEST ("native"), and return a dict
of wall times (seconds) and other numbers. ``main()`` runs every variant in a fresh
Python subprocess of its own (``<script> --child <variant>``), so that each variant
starts from an empty process and its peak resident memory (``ru_maxrss``) belongs to
it alone. The parent collects one JSON line per child, prints a table of
ours/native ratios and writes everything to ``benchmarks/results/<name>.json``.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone

RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
_MARKER = "@@BENCHMARK-RESULT@@"


def import_native_nest(timer):
    """Import PyNEST inside the timed 'import' phase of a native variant; returns
    (nest module, extra dict with the RSS right after the import)."""
    with timer.phase("import"):
        os.environ.setdefault("PYNEST_QUIET", "1")
        import nest
    return nest, {"rss_after_import_mb": current_rss_mb()}


def import_native_neuron(timer):
    """Import NEURON and load the backend's compiled mechanisms (the same .mod files the
    library uses) inside the timed 'import' phase; returns (neuron.h, extra dict)."""
    with timer.phase("import"):
        import neuron
        from pyNN.neuron.mechanisms import build  # where the backend's mechanisms are compiled
        directory, _ = build()
        neuron.load_mechanisms(directory)
    return neuron.h, {"rss_after_import_mb": current_rss_mb()}


def register_native_neuron_cells(h, pc, cells, first_gid=0):
    """Give NEURON mechanism instances consecutive gids, as a native script does (and as the
    backend does): an output NetCon per cell, whose source is the mechanism itself (it emits
    its spikes with net_event). Returns the NetCons, which must be kept alive."""
    detectors = []
    for gid, cell in enumerate(cells, start=first_gid):
        pc.set_gid2node(gid, 0)
        nc = h.NetCon(cell, None)
        pc.cell(gid, nc)
        detectors.append(nc)
    return detectors


def peak_rss_mb():
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":  # bytes there
        kib /= 1024
    return kib / 1024.0


def current_rss_mb():
    """Current resident set size in MiB (from /proc; None where unavailable)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None


class Timer:
    """Collects named wall-time phases: ``with timer.phase('build'): ...``."""

    def __init__(self):
        self.times = {}
        self.cpu_times = {}  # CPU time of the process: far less sensitive to other load
        self.memory = {}

    def phase(self, name):
        timer = self

        class _Phase:
            def __enter__(self):
                self.t0 = time.perf_counter()
                self.c0 = time.process_time()

            def __exit__(self, *exc):
                timer.times[name] = timer.times.get(name, 0.0) + time.perf_counter() - self.t0
                timer.cpu_times[name] = timer.cpu_times.get(name, 0.0) + time.process_time() - self.c0
                timer.memory[f"peak_rss_after_{name}_mb"] = peak_rss_mb()
                return False

        return _Phase()


def _child(variants, name, options):
    timer = Timer()
    wall0 = time.perf_counter()
    extra = variants[name](timer, options) or {}
    wall = time.perf_counter() - wall0
    if "total" in timer.times and "total" not in timer.cpu_times:  # scripts sum their phases
        parts = [p for p in ("build", "run", "data") if p in timer.cpu_times]
        timer.cpu_times["total"] = sum(timer.cpu_times[p] for p in parts)
    result = {"variant": name, "times": timer.times, "cpu_times": timer.cpu_times, "wall_in_child": wall,
              "peak_rss_mb": peak_rss_mb(), **timer.memory, **extra}
    nest = sys.modules.get("nest")
    if nest is not None:
        result["nest_version"] = getattr(nest, "__version__", None)
    print(_MARKER + json.dumps(result), flush=True)


def run_child(script, name, options_json, timeout):
    """Run one variant in a fresh process (`<script> --child <name>`); its result dict."""
    cmd = [sys.executable, script, "--child", name, "--options", options_json]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(_MARKER)]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise RuntimeError(f"variant {name} failed (exit code {proc.returncode})")
    return json.loads(lines[-1][len(_MARKER):])


def _merge_repeats(runs):
    """Median of each time over repeats; peak memory: the median too (it barely varies)."""
    out = dict(runs[-1])
    phases = runs[0]["times"].keys()
    out["times"] = {p: statistics.median(r["times"][p] for r in runs) for p in phases}
    out["times_all_repeats"] = {p: [r["times"][p] for r in runs] for p in phases}
    cpu_phases = runs[0].get("cpu_times", {}).keys()
    out["cpu_times"] = {p: statistics.median(r["cpu_times"][p] for r in runs) for p in cpu_phases}
    out["peak_rss_mb"] = statistics.median(r["peak_rss_mb"] for r in runs)
    out["peak_rss_all_repeats_mb"] = [r["peak_rss_mb"] for r in runs]
    return out


def _fmt_ratio(ours, native):
    if native in (None, 0) or ours is None:
        return "   -  "
    return f"{ours / native:6.2f}"


def print_table(title, pairs, results, phases, targets, report_keys=()):
    """One block per (ours, native) pair: absolute numbers and ratios; `report_keys` are
    further numbers the variants return, shown side by side (no ratio)."""
    print()
    print(title)
    print("=" * len(title))
    for label, ours_name, native_name, *own_targets in pairs:
        # a pair may carry its own targets (phase -> ratio) as a fourth element
        pair_targets = own_targets[0] if own_targets else targets
        ours, native = results[ours_name], results[native_name]
        print(f"\n{label}:  {ours_name}  vs  {native_name}")
        print(f"  {'metric':<26}{'ours':>12}{'native':>12}{'ratio':>9}  target")
        rows = [(f"time {p} (s)", ours["times"].get(p), native["times"].get(p), pair_targets.get(p))
                for p in phases]
        rows += [(f"cpu {p} (s)", ours.get("cpu_times", {}).get(p), native.get("cpu_times", {}).get(p), None)
                 for p in phases if p != "import"]
        rows.append(("peak memory (MiB)", ours["peak_rss_mb"], native["peak_rss_mb"],
                     pair_targets.get("memory")))
        rows.append(("  after imports (MiB)", ours.get("rss_after_import_mb"),
                     native.get("rss_after_import_mb"), None))
        if ours.get("rss_after_import_mb") and native.get("rss_after_import_mb"):
            rows.append(("  peak - imports (MiB)", ours["peak_rss_mb"] - ours["rss_after_import_mb"],
                         native["peak_rss_mb"] - native["rss_after_import_mb"], None))
        for metric, o, n, target in rows:
            if o is None or n is None:
                continue
            ratio = _fmt_ratio(o, n)
            tgt = ""
            if target is not None:
                ok = o / n <= target if n else False
                tgt = f"<= {target:.2f}  {'ok' if ok else 'MISSED'}"
            print(f"  {metric:<26}{o:12.3f}{n:12.3f}{ratio:>9}  {tgt}")
        for key in ("n_connections", "mean_rate_hz", "n_spikes", *report_keys):
            if key in ours or key in native:
                print(f"  {key:<26}{ours.get(key, float('nan')):>12}{native.get(key, float('nan')):>12}")


def main(name, description, variants, pairs, phases, targets, add_options=None, report_keys=()):
    """Command-line entry point of a benchmark script.

    Parameters
    ----------
    name : str
        Base name of the results file.
    variants : dict
        Variant name -> function(timer, options) returning a dict of extra numbers.
    pairs : list of (label, ours_variant, native_variant[, targets of this pair])
    phases : list of str
        Phases shown in the table, in order (each variant times them with ``timer``).
    targets : dict
        Phase name (or 'memory') -> the largest acceptable ours/native ratio.
    add_options : callable, optional
        Adds script-specific options to the argparse parser.
    report_keys : sequence of str, optional
        Further numbers returned by the variants to show in the table (besides
        n_connections, mean_rate_hz and n_spikes).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--variants", nargs="+", choices=sorted(variants),
                        help="run only these variants (default: all)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each variant this many times (each in a fresh process); "
                             "medians are reported (default 1)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per child process")
    parser.add_argument("--no-save", action="store_true", help="do not write benchmarks/results/")
    if add_options:
        add_options(parser)
    args = parser.parse_args()
    if args.child:
        _child(variants, args.child, json.loads(args.options))
        return
    options = {k: v for k, v in vars(args).items()
               if k not in ("child", "options", "variants", "repeat", "timeout", "no_save")}
    options_json = json.dumps(options)
    chosen = args.variants or list(variants)
    script = os.path.abspath(sys.argv[0])
    results = {}
    # interleave repeats (a, b, a, b, ...) so that drifts of the machine hit every variant alike
    runs = {v: [] for v in chosen}
    for rep in range(args.repeat):
        for v in chosen:
            print(f"[{rep + 1}/{args.repeat}] running {v} ...", flush=True)
            r = run_child(script, v, options_json, args.timeout)
            runs[v].append(r)
            shown = ", ".join(f"{p} {t:.2f}s" for p, t in r["times"].items())
            print(f"      {shown}; peak {r['peak_rss_mb']:.0f} MiB", flush=True)
    for v in chosen:
        results[v] = _merge_repeats(runs[v])
    shown_pairs = [p for p in pairs if p[1] in results and p[2] in results]
    print_table(f"{description} (ratio = ours / native; {args.repeat} run(s) per variant, median)",
                shown_pairs, results, phases, targets, report_keys)
    if not args.no_save:
        os.makedirs(RESULTS_DIR, exist_ok=True)
        path = os.path.join(RESULTS_DIR, f"{name}.json")
        ratios = {}
        for label, o, n, *_ in shown_pairs:
            ratios[label] = {f"time_{p}": results[o]["times"][p] / results[n]["times"][p]
                             for p in phases
                             if p in results[o]["times"] and results[n]["times"].get(p)}
            ratios[label].update({f"cpu_{p}": results[o]["cpu_times"][p] / results[n]["cpu_times"][p]
                                  for p in phases if p in results[o].get("cpu_times", {})
                                  and results[n].get("cpu_times", {}).get(p)})
            ratios[label]["peak_memory"] = results[o]["peak_rss_mb"] / results[n]["peak_rss_mb"]
        meta = {"benchmark": name, "command": " ".join([os.path.relpath(sys.executable)] + sys.argv),
                "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "python": platform.python_version(), "machine": platform.machine(),
                "cpu_count": os.cpu_count(), "options": options, "repeat": args.repeat,
                "targets": targets}
        meta["nest_version"] = next((r.get("nest_version") for r in results.values()
                                     if r.get("nest_version")), None)
        with open(path, "w") as f:
            json.dump({"meta": meta, "ratios": ratios, "variants": results}, f, indent=2)
        print(f"\nresults written to {os.path.relpath(path)}")
