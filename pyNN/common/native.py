"""``native_cell_type``, ``native_synapse_type`` and ``native_electrode_type`` for the
backends that cannot wrap an arbitrary simulator model by name (only NEST can: its models
all share one parameter interface). Every backend exports the three names, so a script
that uses them fails with a clear error instead of an AttributeError."""

from pyNN import errors

_KINDS = ("cell", "synapse", "electrode")


def unsupported_native_types(backend, alternative):
    """The three ``native_*_type`` functions of `backend`, each raising NotSupportedError.

    Parameters
    ----------
    backend : str
        Name of the backend, for the message.
    alternative : str
        What to use instead, for the message.

    Returns
    -------
    dict
        name -> function, for ``globals().update(...)`` in the backend's ``__init__``.
    """
    def make(kind):
        def native_type(model_name):
            raise errors.NotSupportedError(
                f"native_{kind}_type({model_name!r}): the {backend} backend cannot wrap its "
                f"simulator's models by name (only pyNN.nest can). {alternative}")
        native_type.__name__ = f"native_{kind}_type"
        native_type.__doc__ = f"Not available on the {backend} backend: raises NotSupportedError."
        return native_type

    return {f"native_{kind}_type": make(kind) for kind in _KINDS}
