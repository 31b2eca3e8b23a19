"""Reading a NESTML model into the intermediate form (:mod:`pyNN.nestml.ir`).

The ``nestml`` package parses and checks the model (syntax, names, physical units) and
applies its model transformations (inline expressions expanded, ``convolve`` replaced by
kernel state variables); ``odetoolbox`` then chooses exact propagators or a numeric solver.
This module runs that pipeline, turns NESTML's error log into a
:class:`~pyNN.errors.ModelDescriptionError` that names file, line and column, and converts
the transformed model into plain dataclasses. The result is cached under a key of the model
text and tool versions (:mod:`pyNN.nestml.cache`), so a second load costs milliseconds.

NESTML keeps its state in class attributes (logger, symbol table, configuration), so a
model is read under a process-wide lock and the nestml package is imported only here,
when the first model is read.
"""

import os
import re
import tempfile
import threading

from pyNN import errors
from pyNN.nestml import cache, ir
from pyNN.utility.feedback import announce_work

_LOCK = threading.Lock()
_MODEL_HEADER = re.compile(r"^\s*model\s+([A-Za-z_][A-Za-z_0-9]*)\s*:", re.MULTILINE)
#: odetoolbox options: NESTML's defaults, fixed here so that the cache key covers them
_SOLVER_OPTIONS = {"solver": "analytic"}
TEXT_PATH = "<NESTML text>"


def read_source(source):
    """(path, text) of a model given as a ``.nestml`` file path or as the model text itself."""
    if not isinstance(source, (str, os.PathLike)):
        raise errors.InvalidTypeError(
            f"a NESTML model must be given as a file path or as the model text, not {type(source).__name__}")
    source = os.fspath(source)
    if "\n" not in source and (os.path.isfile(source) or source.endswith(".nestml")):
        if not os.path.isfile(source):
            raise errors.ModelDescriptionError(f"NESTML model file '{source}' does not exist")
        with open(source, encoding="utf-8") as f:
            return os.path.abspath(source), f.read()
    return TEXT_PATH, source


def model_names(text):
    """The names of the models a NESTML text declares, in order."""
    return _MODEL_HEADER.findall(text)


def load_models(sources, synapse_names=()):
    """The intermediate form of every model in `sources`.

    Parameters
    ----------
    sources : list of (path, text) pairs (see :func:`read_source`)
    synapse_names : names of the models to read as synapses (others ending in ``synapse``
        are synapses too, as in NESTML)

    Returns
    -------
    dict name -> :class:`pyNN.nestml.ir.Model`
    """
    key = cache.make_key("ir", ir.BUILDER_VERSION, [text for _, text in sources], sorted(synapse_names),
                         _SOLVER_OPTIONS)
    models = cache.load_pickle(key)
    if models is None:
        names = ", ".join(name for _, text in sources for name in model_names(text)) or "the model"
        with _LOCK, announce_work(f"pyNN.nestml: reading {names} with NESTML and ODE-toolbox",
                                  "first use of this model text; the result is cached", "10-20 s"):
            models = _analyse(sources, set(synapse_names))
        cache.store_pickle(key, models)
    # the path is not part of the key: report the caller's own path
    for path, text in sources:
        for name in model_names(text):
            if name in models:
                models[name].source.path = path
    return models


def pick(models, name, kind, path):
    """The model `name` of `models` (from :func:`load_models`), which must be a `kind`
    (``"neuron"`` or ``"synapse"``)."""
    if name not in models:
        raise errors.ModelDescriptionError(
            f"{path}: no NESTML model named '{name}' (the description declares {sorted(models)})")
    model = models[name]
    if model.kind != kind:
        raise errors.InvalidModelError(f"NESTML model '{name}' in {path} is a {model.kind}, not a {kind}")
    return model


def load_neuron(name, nestml_description):
    """The intermediate form of the neuron `name` of a description (a path or model text)."""
    source = read_source(nestml_description)
    return pick(load_models([source]), name, "neuron", source[0])


def _analyse(sources, synapse_names):
    with tempfile.TemporaryDirectory(prefix="pynn-nestml-") as work:
        files, origin = [], {}
        for i, (path, text) in enumerate(sources):
            names = model_names(text)
            if not names:
                raise errors.ModelDescriptionError(
                    f"{path}: no NESTML model found (a model starts with 'model <name>:')")
            file_path = os.path.join(work, f"{i}_{names[0]}.nestml")
            with open(file_path, "w", encoding="utf-8") as f:
                f.write(text)
            files.append(file_path)
            origin[file_path] = path
        _, transformed, metadata = _run_nestml(files, origin, work)
        out = {}
        for model in transformed:
            path = origin.get(getattr(model, "file_path", None), TEXT_PATH)
            text = next(t for p, t in sources if p == path) if path != TEXT_PATH else \
                next((t for _, t in sources if model.get_name() in model_names(t)), "")
            kind = "synapse" if (model.get_name() in synapse_names or model.get_name().endswith("synapse")) \
                else "neuron"
            out[model.get_name()] = _build(model, metadata.get(model.get_name(), {}), kind,
                                           ir.SourceInfo(path, text, cache.make_key(text)))
        return out


def _run_nestml(files, origin, work):
    """Parse, check and transform with nestml; raise ModelDescriptionError on any error."""
    import sys

    from pynestml.cocos.co_cos_manager import CoCosManager
    from pynestml.frontend import pynestml_frontend as fe
    from pynestml.utils.logger import Logger, LoggingLevel

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))  # as nestml's own entry point
    fe.configure_front_end(files, "NONE", target_path=os.path.join(work, "target"), logging_level="ERROR",
                           codegen_opts=dict(_SOLVER_OPTIONS))
    Logger.init_logger(LoggingLevel.NO)
    transformers, _ = fe.transformers_from_target_name("NONE", options=dict(_SOLVER_OPTIONS))
    models = fe.get_parsed_models()
    for model in models:
        if not Logger.has_errors(model):
            CoCosManager.check_cocos(model)
    _raise_errors(Logger, LoggingLevel, origin)
    if not models:
        raise errors.ModelDescriptionError("no NESTML model could be read from " + ", ".join(origin.values()))
    try:
        transformed, metadata = fe.transform_models(transformers, models)
    except Exception as exc:  # odetoolbox or a transformer failing on an unusual model
        names = ", ".join(m.get_name() for m in models)
        raise errors.ModelDescriptionError(
            f"NESTML model(s) {names}: the equations could not be analysed "
            f"({type(exc).__name__}: {exc})") from exc
    _raise_errors(Logger, LoggingLevel, origin)
    return models, list(transformed), metadata


def _raise_errors(logger, levels, origin):
    problems = []
    for artifact, node, level, _code, position, message in logger.get_log().values():
        if level != levels.ERROR:
            continue
        path = origin.get(getattr(node, "file_path", None)) if node is not None else None
        if path is None:
            path = next((p for f, p in origin.items() if artifact and os.path.basename(f) == os.path.basename(
                str(artifact))), None) or (next(iter(origin.values())) if len(origin) == 1 else "<NESTML>")
        line = getattr(position, "start_line", None)
        column = getattr(position, "start_column", None)
        problems.append((path, line, column, str(message)))
    if problems:
        lines = [f"{p}:{ln}:{col}: {msg}" if ln is not None else f"{p}: {msg}" for p, ln, col, msg in problems]
        first = problems[0]
        where = f"{first[0]}, line {first[1]}, column {first[2]}" if first[1] is not None else first[0]
        raise errors.ModelDescriptionError(
            f"NESTML model error in {where}: {first[3]}" + ("\nall problems:\n  " + "\n  ".join(lines)
                                                          if len(problems) > 1 else ""), problems)


# --- transformed NESTML model -> intermediate form ---------------------------------------------


def _build(model, meta, kind, source):
    from pyNN.nestml.build_ir import ModelBuilder
    try:
        return ModelBuilder(model, meta, kind, source).build()
    except Exception as exc:
        from pyNN.nestml.expressions import UnsupportedConstructError
        if isinstance(exc, UnsupportedConstructError):
            position = getattr(exc.node, "get_source_position", lambda: None)()
            where = (f"{source.path}, line {position.start_line}, column {position.start_column}"
                     if position is not None else source.path)
            raise errors.ModelDescriptionError(
                f"NESTML model '{model.get_name()}' ({where}): {exc}") from exc
        raise

