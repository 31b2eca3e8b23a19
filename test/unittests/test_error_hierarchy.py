"""Every error the library raises on purpose is a ``pyNN.errors`` class: one family
(:class:`~pyNN.errors.PyNNError`) that also keeps the builtin exception each mistake used
to raise, so that ``except ValueError`` code written for PyNN keeps working.

The source scan keeps the rule enforced: a ``raise`` of a builtin exception is allowed only
for Python protocol errors (e.g. ``__getattr__`` must raise AttributeError), and each one
carries a comment saying why.
"""

import ast
import builtins
import inspect
import io
import pathlib
import tokenize

import numpy as np
import pytest

import pyNN
from pyNN import connectors, errors, random, space
from pyNN.core import IndexBasedExpression, missing_hook

#: the builtin exception each pyNN error must also be (a new class in errors.py goes here too)
EXPECTED_BUILTINS = {
    "PyNNError": Exception,
    "InvalidParameterValueError": ValueError,
    "NonExistentParameterError": KeyError,
    "InvalidDimensionsError": ValueError,
    "ConnectionError": ValueError,
    "InvalidModelError": ValueError,
    "NoModelAvailableError": NotImplementedError,
    "InvalidTypeError": TypeError,
    "InvalidIndexError": IndexError,
    "UnknownIDError": IndexError,  # and ValueError (PyNN raises both, see errors.py)
    "UnknownNameError": KeyError,
    "NotSupportedError": NotImplementedError,
    "SimulationStateError": RuntimeError,
    "SimulatorError": RuntimeError,
    "NumericalInstabilityError": RuntimeError,
    "NothingToWriteError": OSError,
    "InvalidWeightError": ValueError,
    "NotLocalError": IndexError,
    "RecordingError": ValueError,
    "ResourceExhaustedError": RuntimeError,
    "RecordingLimitError": ValueError,
    "SynapseRecordingError": ValueError,
    "MissingPackageError": ImportError,
    "DataFileError": OSError,
    "DataFileNotFoundError": FileNotFoundError,
    "ModelDescriptionError": ValueError,
    "CodeGenerationError": RuntimeError,
}

PACKAGE = pathlib.Path(pyNN.__file__).parent

#: Files allowed uncommented builtin raises while they are being converted (none now); keep it
#: empty: test_tolerated_files_still_need_tolerance says when an entry can go.
TOLERATED_FILES = set()

#: at most this many builtin raises may remain in the library (each commented)
MAX_BUILTIN_RAISES = 10

_BUILTIN_EXCEPTIONS = {name for name, obj in vars(builtins).items()
                       if isinstance(obj, type) and issubclass(obj, BaseException)}


def _error_classes():
    return [obj for _, obj in inspect.getmembers(errors, inspect.isclass)
            if issubclass(obj, BaseException) and not issubclass(obj, Warning)
            and obj.__module__ == errors.__name__]


# --- the hierarchy ------------------------------------------------------------------------------

def test_every_error_class_has_an_expected_builtin():
    names = {cls.__name__ for cls in _error_classes()}
    assert names == set(EXPECTED_BUILTINS), (
        "add each new class of pyNN.errors to EXPECTED_BUILTINS with the builtin it derives from")


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_error_class_is_a_pynn_error_and_its_builtin(cls):
    assert issubclass(cls, errors.PyNNError)
    assert issubclass(cls, EXPECTED_BUILTINS[cls.__name__])


def test_warnings_are_not_errors():
    assert issubclass(errors.RoundingWarning, Warning)
    assert issubclass(errors.HardwareConstraintWarning, UserWarning)
    assert not issubclass(errors.RoundingWarning, errors.PyNNError)


@pytest.mark.parametrize("cls, builtin", [
    (connectors.MissingPackageError, ImportError),
    (connectors.MissingPackageError, RuntimeError),  # what PyNN raised for a missing package
    (random._MissingParameterError, KeyError),
    (errors.DataFileError, ValueError),  # e.g. writing to a closed file, as Python's io does
])
def test_error_classes_outside_errors_module_are_in_the_family(cls, builtin):
    assert issubclass(cls, errors.PyNNError)
    assert issubclass(cls, builtin)


def test_neuron_mechanism_build_error_is_a_simulator_error():
    from pyNN.neuron import mechanisms  # compiles nothing on import, needs no NEURON

    assert issubclass(mechanisms.MechanismBuildError, errors.SimulatorError)


def test_missing_package_error_names_the_package():
    err = errors.MissingPackageError("FooConnector needs 'foo'; pip install foo", name="foo")
    assert err.name == "foo"
    with pytest.raises(ImportError, match="pip install foo"):
        raise err


def test_unknown_name_error_message_is_not_quoted():
    assert str(errors.UnknownNameError("no population labelled 'x'")) == "no population labelled 'x'"


# --- hooks that a backend or subclass must provide ------------------------------------------

def test_missing_hook_names_class_and_method():
    class MyConnector(connectors.Connector):
        pass

    err = missing_hook(MyConnector(), "generate")
    assert isinstance(err, errors.NotSupportedError) and isinstance(err, NotImplementedError)
    assert "MyConnector does not implement generate()" in str(err)


@pytest.mark.parametrize("call, hook", [
    (lambda: IndexBasedExpression()(np.arange(2), np.arange(2)), "__call__"),
    (lambda: space.BaseStructure().generate_positions(3), "generate_positions"),
    (lambda: space.Shape().sample(3, random.NumpyRNG(seed=1)), "sample"),
    (lambda: random.AbstractRNG(seed=1).next(3), "next"),
])
def test_unimplemented_hooks_raise_a_pynn_error(call, hook):
    with pytest.raises(errors.NotSupportedError, match=rf"does not implement {hook}\(\)") as info:
        call()
    assert isinstance(info.value, NotImplementedError)  # as before, for code that catches it


# --- the rule, enforced on the source ---------------------------------------------------------

def _builtin_raises(path):
    """(line, exception name, commented) for each raise of a builtin exception in `path`."""
    source = path.read_text(encoding="utf-8")
    comment_lines = {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                     if tok.type == tokenize.COMMENT}
    found = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if isinstance(exc, ast.Name) and exc.id in _BUILTIN_EXCEPTIONS:
            commented = node.lineno in comment_lines or node.lineno - 1 in comment_lines
            found.append((node.lineno, exc.id, commented))
    return sorted(found)


def _scan():
    """{relative path: [(line, name, commented), ...]} for every module of the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        raises = _builtin_raises(path)
        if raises:
            out[path.relative_to(PACKAGE).as_posix()] = raises
    return out


def test_scan_finds_builtin_raises_and_their_comments(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f(x):\n"
                      "    if x:\n"
                      "        raise ValueError('bare')\n"
                      "    # protocol: needed by hasattr()\n"
                      "    raise AttributeError(x)\n"
                      "\n"
                      "def g():\n"
                      "    raise KeyError  # why\n"
                      "\n"
                      "def h(exc):\n"
                      "    s = '# not a comment'\n"
                      "    raise TypeError(s)\n")
    assert _builtin_raises(sample) == [(3, "ValueError", False), (5, "AttributeError", True),
                                       (8, "KeyError", True), (12, "TypeError", False)]


def test_no_uncommented_builtin_raise_in_the_library():
    offenders = [f"pyNN/{path}:{line}: raise {name}"
                 for path, raises in _scan().items() if path not in TOLERATED_FILES
                 for line, name, commented in raises if not commented]
    assert not offenders, (
        "raise a pyNN.errors class instead (see errors.py); a builtin raise is only for Python "
        "protocol errors and needs a comment saying why:\n" + "\n".join(offenders))


def test_few_builtin_raises_remain():
    remaining = [f"pyNN/{path}:{line}: raise {name}"
                 for path, raises in _scan().items() if path not in TOLERATED_FILES
                 for line, name, _ in raises]
    assert len(remaining) <= MAX_BUILTIN_RAISES, "\n".join(remaining)


def test_tolerated_files_still_need_tolerance():
    scan = _scan()
    stale = sorted(path for path in TOLERATED_FILES
                   if not any(not commented for _, _, commented in scan.get(path, [])))
    assert not stale, f"remove these from TOLERATED_FILES, they follow the rule now: {stale}"
