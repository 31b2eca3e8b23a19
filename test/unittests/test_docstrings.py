"""Every public class, function and method of pyNN has a docstring.

The API reference is generated from docstrings, so a public name without one is a hole in
the documentation. "Public" means not starting with ``_``. Only names defined in pyNN are
checked: names that a module re-exports from numpy, Neo, quantities or a simulator are not
ours to document. A method that overrides a documented method of a base class inherits its
docstring (``inspect.getdoc``); a class must have a docstring of its own.
"""

import importlib
import inspect
import pkgutil

import pytest

#: core modules: every public name *defined* in the module is checked
CORE_MODULES = (
    "pyNN.common", "pyNN.connectors", "pyNN.parameters", "pyNN.random", "pyNN.space",
    "pyNN.recording", "pyNN.utility", "pyNN.utility.plotting", "pyNN.standardmodels",
    "pyNN.models", "pyNN.errors", "pyNN.network", "pyNN.descriptions", "pyNN.mock",
)
#: packages whose submodules are core modules too
CORE_PACKAGES = ("pyNN.common", "pyNN.standardmodels", "pyNN.recording")
#: backend modules: every public name they export that pyNN defines is checked
BACKEND_MODULES = ("pyNN.nest", "pyNN.neuron", "pyNN.brian2", "pyNN.hardware")


def _core_module_names():
    names = list(CORE_MODULES)
    for package in CORE_PACKAGES:
        path = importlib.import_module(package).__path__
        names += [f"{package}.{info.name}" for info in pkgutil.iter_modules(path)
                  if not info.name.startswith("_")]
    return sorted(set(names))


def _defined_in_pynn(obj):
    module = getattr(obj, "__module__", None) or ""
    return module == "pyNN" or module.startswith("pyNN.")


def _is_documentable(obj):
    return inspect.isclass(obj) or inspect.isfunction(obj)


def _public_members(module, own_only):
    """(name, object) of the public classes and functions of ``module`` that pyNN defines.

    With ``own_only`` only the names whose ``__module__`` is this module are kept (a core
    module's imports are checked where they are defined).
    """
    for name, obj in sorted(vars(module).items()):
        if name.startswith("_") or not _is_documentable(obj) or not _defined_in_pynn(obj):
            continue
        if own_only and obj.__module__ != module.__name__:
            continue
        yield name, obj


def _method_objects(cls):
    """(name, object) of the public methods and properties written in the body of ``cls``."""
    for name, attr in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(attr, (staticmethod, classmethod)):
            yield name, getattr(cls, name)
        elif inspect.isfunction(attr) or isinstance(attr, property):
            yield name, getattr(cls, name) if inspect.isfunction(attr) else attr


def _has_own_class_doc(cls):
    doc = vars(cls).get("__doc__")
    return bool(doc and doc.strip())


def _has_doc(obj):
    doc = inspect.getdoc(obj)
    return bool(doc and doc.strip())


def _missing(objects):
    """Qualified names of the objects (and their methods) without a docstring."""
    missing = set()
    for obj in objects:
        where = f"{obj.__module__}.{obj.__qualname__}"
        if inspect.isclass(obj):
            if not _has_own_class_doc(obj):
                missing.add(where)
            for name, member in _method_objects(obj):
                if not _has_doc(member) and not _inherits_doc(obj, name):
                    missing.add(f"{where}.{name}")
        elif not _has_doc(obj):
            missing.add(where)
    return missing


def _inherits_doc(cls, name):
    """True if a base class documents the method ``name`` that ``cls`` overrides."""
    for base in cls.__mro__[1:]:
        if name in vars(base):
            attr = vars(base)[name]
            if isinstance(attr, (staticmethod, classmethod)):
                attr = attr.__func__
            doc = getattr(attr, "__doc__", None)
            if doc and doc.strip():
                return True
    return False


def _unique(objects):
    seen, out = set(), []
    for obj in objects:
        if id(obj) not in seen:
            seen.add(id(obj))
            out.append(obj)
    return out


def test_public_core_api_has_docstrings():
    objects = []
    for module_name in _core_module_names():
        module = importlib.import_module(module_name)
        objects += [obj for _, obj in _public_members(module, own_only=True)]
    missing = sorted(_missing(_unique(objects)))
    assert not missing, f"{len(missing)} public names without a docstring:\n" + "\n".join(missing)


@pytest.mark.parametrize("backend", BACKEND_MODULES)
def test_public_backend_api_has_docstrings(backend):
    try:
        module = importlib.import_module(backend)
    except ImportError as err:  # the simulator is not installed here
        pytest.skip(f"{backend} cannot be imported: {err}")
    objects = [obj for _, obj in _public_members(module, own_only=False)]
    missing = sorted(_missing(_unique(objects)))
    assert not missing, f"{len(missing)} public names without a docstring:\n" + "\n".join(missing)


def test_the_check_finds_a_missing_docstring():
    """The walk is not vacuous: an undocumented class, method and function are reported."""

    class Documented:
        """A class with a docstring."""

        def method(self):
            """A documented method."""

    class Undocumented(Documented):
        def method(self):  # inherits the base class's docstring
            pass

        def other(self):
            pass

    def function():
        pass

    for obj in (Undocumented, function):
        obj.__module__ = "pyNN.fake"
    missing = _missing([Documented, Undocumented, function])
    prefix = "pyNN.fake.test_the_check_finds_a_missing_docstring.<locals>"
    assert missing == {f"{prefix}.Undocumented", f"{prefix}.Undocumented.other", f"{prefix}.function"}
