"""Small helpers shared by the whole library."""

import functools
import warnings

import numpy as np

from pyNN import errors


def is_listlike(obj):
    """True for lists, tuples, numpy arrays and other sized iterables (not strings)."""
    if isinstance(obj, (str, bytes, dict)):
        return False
    return isinstance(obj, (list, tuple, set, frozenset, np.ndarray)) or (
        hasattr(obj, "__len__") and hasattr(obj, "__iter__") and not np.isscalar(obj))


def ezip(*args):
    """zip() that insists every argument has the same length."""
    lengths = {len(a) for a in args}
    if len(lengths) > 1:
        raise errors.InvalidDimensionsError(f"ezip: arguments have different lengths {sorted(lengths)}")
    return zip(*args)


def index_dtype(n):
    """The smallest integer type for indices below `n`: connection indices are the bulk of
    a projection's memory."""
    return np.uint16 if n <= np.iinfo(np.uint16).max else np.int32


def sorted_by_post_then_pre(pre, post):
    """True if the pairs (post[k], pre[k]) are in non-decreasing order (the order a projection
    keeps its connections in). Any integer types, no combined key: a few passes of booleans."""
    if len(post) < 2:
        return True
    later, earlier = post[1:], post[:-1]
    if not np.all(later >= earlier):
        return False
    return bool(np.all((later > earlier) | (pre[1:] >= pre[:-1])))


def missing_hook(obj, hook):
    """The error for a hook that `obj`'s class (a backend's subclass, or a user's subclass of a
    connector, structure, random number generator...) was expected to provide but does not.

    The core's default hook bodies raise this instead of a bare NotImplementedError so that the
    user sees a pyNN error naming the class and the missing method.
    """
    cls = obj if isinstance(obj, type) else type(obj)
    return errors.NotSupportedError(
        f"{cls.__module__}.{cls.__qualname__} does not implement {hook}(); a backend or subclass "
        f"must provide it before this can be used")


def deprecated(replacement=""):
    """Decorator: emit a DeprecationWarning naming the replacement, then call through."""
    def decorator(func):
        msg = f"{func.__name__}() is deprecated, and will be removed in a future release."
        if replacement:
            msg += f" Use {replacement} instead."

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            warnings.warn(msg, DeprecationWarning, stacklevel=2)
            return func(*args, **kwargs)
        return wrapper
    return decorator


class IndexBasedExpression:
    """Base class for expressions of (pre index, post index) used by
    IndexBasedProbabilityConnector and as synaptic parameter generators.

    Subclasses implement ``__call__(i, j)`` taking index arrays and returning an array.
    The connector sets ``self.projection`` before the first call.
    """

    def __init__(self):
        self.projection = None

    def __call__(self, i, j):
        raise missing_hook(self, "__call__")
