"""Rendering the ``describe()`` output of populations, projections, connectors, models
and structures.

Every ``describe(template=..., engine=...)`` builds a context dict and hands it to
:func:`render`:

- ``template=None`` returns the context dict itself;
- a name ending in ``_default.txt`` (the default of every ``describe``) or ``'default'``
  gives the object's built-in text description;
- the path of an existing file is read and rendered with the engine;
- any other string is itself the template.

Engines: ``'string'`` (:class:`string.Template`, ``$name`` placeholders; unknown
placeholders are left as they are) and ``'jinja2'`` (``{{ name }}``, loops and
conditionals; needs the ``jinja2`` package). ``engine='default'`` uses
:data:`DEFAULT_TEMPLATE_ENGINE` if set, else Jinja2 when installed, else ``'string'``.
"""

import os
import string

from pyNN import errors

__all__ = ["DEFAULT_TEMPLATE_ENGINE", "TEMPLATE_ENGINES", "render"]

#: Engine used by ``engine='default'``; None means "jinja2 if installed, else string".
DEFAULT_TEMPLATE_ENGINE = None


def _render_string(template, context):
    return string.Template(template).safe_substitute(context)


def _render_jinja2(template, context):
    try:
        import jinja2
    except ImportError as exc:
        raise errors.NotSupportedError(
            "describe(engine='jinja2') needs the 'jinja2' package; pip install jinja2, "
            "or use engine='string'") from exc
    return jinja2.Environment().from_string(template).render(context)


#: Engine name -> function(template_text, context) -> str.
TEMPLATE_ENGINES = {"string": _render_string, "jinja2": _render_jinja2}


def _default_engine():
    if DEFAULT_TEMPLATE_ENGINE is not None:
        return DEFAULT_TEMPLATE_ENGINE
    try:
        import jinja2  # noqa: F401
    except ImportError:
        return "string"
    return "jinja2"


def is_builtin(template):
    """True if `template` names the built-in text description of an object."""
    return isinstance(template, str) and (template == "default" or template.endswith("_default.txt"))


def render(engine, template, context, builtin=None):
    """Render `template` with `context` using `engine`.

    Parameters
    ----------
    engine : str
        ``'default'``, ``'string'`` or ``'jinja2'``.
    template : str or os.PathLike or None
        None returns `context`; see the module docstring for the other cases.
    context : dict
        The values the template may use.
    builtin : callable, optional
        ``builtin(context) -> str``, the object's own text description, used for the
        default template names.

    Returns
    -------
    str or dict
    """
    if template is None:
        return context
    if is_builtin(template) and builtin is not None:
        return builtin(context)
    if not isinstance(template, (str, os.PathLike)):
        raise errors.InvalidTypeError(
            f"describe(): template must be None, a template string or a file name, got {template!r}")
    name = _default_engine() if engine == "default" else engine
    if name not in TEMPLATE_ENGINES:
        raise errors.UnknownNameError(
            f"describe(): unknown template engine {engine!r}; use one of 'default', "
            f"{', '.join(repr(k) for k in TEMPLATE_ENGINES)}")
    text = os.fspath(template)
    if os.path.isfile(text):
        with open(text, encoding="utf-8") as f:
            text = f.read()
    return TEMPLATE_ENGINES[name](text, context)


def call_text(context):
    """Built-in text ``Name(p1=v1, p2=v2)`` for a context with ``name`` and ``parameters``."""
    params = ", ".join(f"{k}={v!r}" for k, v in context["parameters"].items())
    return f"{context['name']}({params})"
