"""Simple file formats for arrays with metadata.

Used by ``Projection.save``, ``Population.save_positions`` and ``FromFileConnector``.
Every class has the same interface::

    f = StandardTextFile("connections.txt", mode="wb")
    f.write(array, {"columns": ["i", "j", "weight", "delay"]})
    f.close()

    with StandardTextFile("connections.txt") as f:
        metadata = f.get_metadata()
        data = f.read()

Classes: :class:`StandardTextFile`, :class:`PickleFile`, :class:`NumpyBinaryFile` and
:class:`HDF5ArrayFile` (needs h5py). Opening a file for writing creates missing parent
directories.
"""

import ast
import itertools
import os
import pickle
import warnings

import numpy as np

from pyNN import errors
from pyNN.core import missing_hook


def _h5py():
    """The h5py module, imported when an HDF5 file is first used (it costs 11 MiB of memory and
    0.1 s, which a script that writes no HDF5 file should not pay)."""
    try:
        import h5py
    except ImportError as err:
        raise errors.MissingPackageError("HDF5ArrayFile requires the h5py package, which is not installed "
                                         "(install it with 'pip install h5py')", name="h5py") from err
    return h5py

__all__ = [
    "BaseFile",
    "HDF5ArrayFile",
    "NumpyBinaryFile",
    "PickleFile",
    "StandardTextFile",
    "savez",
]


def _is_write_mode(mode):
    return any(c in mode for c in "wax+")


def _make_parent_dir(filename):
    directory = os.path.dirname(os.path.abspath(filename))
    os.makedirs(directory, exist_ok=True)


def _to_python(value):
    """Turn numpy scalars and arrays into plain Python objects, so repr() is a literal."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        converted = [_to_python(v) for v in value]
        return converted if isinstance(value, list) else tuple(converted)
    if isinstance(value, dict):
        return {k: _to_python(v) for k, v in value.items()}
    return value


def _parse_value(text):
    """Parse a metadata value written with repr(); fall back to the raw string."""
    text = text.strip()
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def savez(file, *args, **kwds):
    """Save arrays to an uncompressed ``.npz`` file, creating parent directories.

    Same arguments as :func:`numpy.savez`.
    """
    if isinstance(file, (str, os.PathLike)):
        _make_parent_dir(os.fspath(file))
    np.savez(file, *args, **kwds)


class BaseFile:
    """Base class for the file formats.

    Parameters
    ----------
    filename : str or path-like
        File name.
    mode : str
        ``'r'``/``'rb'`` to read, ``'w'``/``'wb'`` to write, ``'a'``/``'ab'`` to
        append. Whether ``'b'`` is given or not, each format opens the file in the way it
        needs (text or binary). Writing creates missing parent directories.

    Notes
    -----
    The objects are context managers: ``with StandardTextFile(name) as f: ...`` closes
    the file at the end of the block.
    """

    #: whether the underlying file is opened in binary mode
    binary = True

    def __init__(self, filename, mode="rb"):
        self.name = os.fspath(filename)
        self.mode = mode
        if _is_write_mode(mode):
            _make_parent_dir(self.name)
        self.fileobj = self._open(mode)

    # --- opening and closing ---

    def _open(self, mode):
        mode = mode.replace("b", "").replace("t", "")
        mode = mode + "b" if self.binary else mode
        # the handle stays open until close(), so no context manager here
        if self.binary:
            return open(self.name, mode)
        return open(self.name, mode, encoding="utf-8")

    @property
    def closed(self):
        """True once :meth:`close` (or :meth:`rename`) has been called."""
        return self.fileobj is None or self.fileobj.closed

    def _writer(self):
        if self.closed:
            raise errors.DataFileError(f"File '{self.name}' is closed; open a new file object to write to it")
        if not _is_write_mode(self.mode):
            raise errors.DataFileError(f"File '{self.name}' was opened for reading (mode '{self.mode}'); "
                                       f"use mode 'wb' to write")
        return self.fileobj

    def _reader(self):
        """Return a handle positioned at the start of the file, reopening it if needed."""
        if self.closed or "r" not in self.mode or "+" in self.mode:
            if not self.closed:
                self.fileobj.close()
            self.fileobj = self._open("r")
            self.mode = "rb" if self.binary else "r"
        self.fileobj.seek(0)
        return self.fileobj

    def close(self):
        """Close the file (safe to call more than once)."""
        if self.fileobj is not None and not self.fileobj.closed:
            self.fileobj.close()

    def rename(self, filename):
        """Close the file and move it to `filename`; later reads use the new name."""
        self.close()
        filename = os.fspath(filename)
        _make_parent_dir(filename)
        os.replace(self.name, filename)
        self.name = filename

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()
        return False

    def __repr__(self):
        state = "closed" if self.closed else f"mode '{self.mode}'"
        return f"{type(self).__name__}('{self.name}', {state})"

    # --- interface for subclasses ---

    def write(self, data, metadata):
        """Write an array and a dict of metadata to the file.

        Parameters
        ----------
        data : array-like
            Usually a 2D array with one row per item (connection, cell, ...).
        metadata : dict
            Simple values (numbers, strings, lists, tuples, dicts, booleans, None).
        """
        raise missing_hook(self, "write")

    def read(self):
        """Return the data array stored in the file."""
        raise missing_hook(self, "read")

    def get_metadata(self):
        """Return the metadata stored in the file as a dict."""
        raise missing_hook(self, "get_metadata")


def _parse_rows(lines, name, rows_before):
    """The rows of numbers in `lines` (an iterable of text lines; blank and comment lines are
    skipped) as a 2D float array; a DataFileError naming file `name` and the first bad data row
    (counted from 0 over the whole file, `rows_before` rows coming before `lines`) if a value is
    not a number or the rows have different lengths."""
    try:
        lines = list(lines)
    except UnicodeDecodeError as exc:
        raise _not_text_error(name, exc) from exc
    try:
        return np.loadtxt(lines, dtype=float, comments="#", ndmin=2)
    except ValueError as exc:
        # (the data rows are picked out only to name the bad one)
        lines = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
        row, problem = _first_bad_row(lines)
        raise errors.DataFileError(
            f"File '{name}' cannot be read as rows of numbers: data row {rows_before + row} "
            f"({lines[row].strip()[:80]!r}) {problem}; every row must hold the same number of numeric "
            f"values separated by white space (comment lines start with '#')") from exc


def _not_text_error(name, exc):
    """The error for file `name` whose bytes are not UTF-8 text (`exc`, the UnicodeDecodeError)."""
    return errors.DataFileError(
        f"File '{name}' is not a text file of numbers (not valid UTF-8 text: {exc.reason}); "
        f"give a text file such as one written by Projection.save()")


def _first_bad_row(lines):
    """(index, what is wrong) of the first line of `lines` that is not a row of numbers as long
    as the first one (only called once numpy has refused them, to name the row)."""
    n_values = None
    for k, line in enumerate(lines):
        values = line.split("#")[0].split()
        for value in values:
            try:
                float(value)
            except ValueError:
                return k, f"has {value[:40]!r}, which is not a number"
        if n_values is None:
            n_values = len(values)
        elif len(values) != n_values:
            return k, f"has {len(values)} values where the rows before have {n_values}"
    return 0, "cannot be parsed"


class StandardTextFile(BaseFile):
    """Plain text: a header of ``# key = value`` lines, then one row of numbers per line.

    Values in the header are written with ``repr()`` and read back with
    :func:`ast.literal_eval` (values that are not Python literals come back as strings).
    Numbers are written in the shortest form that reads back exactly.

    Examples
    --------
    A file written by ``Projection.save`` looks like::

        # columns = ['i', 'j', 'weight', 'delay']
        0.0 1.0 0.5 1.0
        0.0 2.0 0.5 1.0
    """

    binary = False

    def write(self, data, metadata):
        """Write the metadata header and the data rows.

        Parameters
        ----------
        data : array-like
            1D or 2D array of numbers.
        metadata : dict
            Written as ``# key = repr(value)`` header lines. Keys must not contain
            ``'='`` or newlines.
        """
        fileobj = self._writer()
        for key, value in (metadata or {}).items():
            key = str(key)
            if "=" in key or "\n" in key:
                raise errors.InvalidParameterValueError(
                    f"StandardTextFile '{self.name}': invalid metadata key {key!r}; keys must not contain "
                    f"'=' or line breaks")
            text = repr(_to_python(value))
            if "\n" in text:
                raise errors.InvalidParameterValueError(
                    f"StandardTextFile '{self.name}': metadata value for '{key}' spans several lines; "
                    f"give a value whose repr() fits on one line")
            fileobj.write(f"# {key} = {text}\n")
        data = np.asarray(data)
        if data.dtype.kind == "b":
            data = data.astype(int)
        elif data.dtype.kind not in "iuf":
            data = data.astype(float)
        if data.size > 0:
            # astype(str) gives the shortest repr that round-trips exactly
            np.savetxt(fileobj, data.astype(str), fmt="%s", delimiter=" ")
        fileobj.flush()

    def _n_columns_hint(self):
        columns = self.get_metadata().get("columns")
        return len(columns) if isinstance(columns, (list, tuple)) else 0

    def read(self):
        """Return the data as a 2D float array (lines starting with ``#`` are skipped)."""
        fileobj = self._reader()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*[Ee]mpty input file.*")
            warnings.filterwarnings("ignore", message=".*input contained no data.*")
            data = _parse_rows(fileobj, self.name, 0)
        if data.size == 0:
            return np.empty((0, self._n_columns_hint()))
        return data

    def iter_chunks(self, chunk_rows=100_000):
        """Read the data in blocks of at most `chunk_rows` rows.

        Only one block is held in memory at a time, so arbitrarily large files can be
        processed. Concatenating the blocks gives the same array as :meth:`read`.

        Parameters
        ----------
        chunk_rows : int
            Maximum number of rows per block.

        Yields
        ------
        numpy.ndarray
            2D float arrays, all with the same number of columns.
        """
        chunk_rows = int(chunk_rows)
        if chunk_rows < 1:
            raise errors.InvalidParameterValueError(
                f"iter_chunks(): chunk_rows must be a positive integer, not {chunk_rows}")
        if not self.closed and _is_write_mode(self.mode):
            self.fileobj.flush()
        n_columns = None
        rows_before = 0
        # a separate handle, so reading in chunks does not disturb other use of this object
        with open(self.name, encoding="utf-8") as fileobj:
            while True:
                try:
                    lines = list(itertools.islice(fileobj, chunk_rows))
                except UnicodeDecodeError as exc:
                    raise _not_text_error(self.name, exc) from exc
                if not lines:
                    break
                lines = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
                if not lines:
                    continue
                chunk = _parse_rows(lines, self.name, rows_before)
                if n_columns is None:
                    n_columns = chunk.shape[1]
                elif chunk.shape[1] != n_columns:
                    raise errors.DataFileError(f"File '{self.name}': rows have {chunk.shape[1]} columns from data "
                                               f"row {rows_before} on, expected {n_columns}")
                rows_before += chunk.shape[0]
                yield chunk

    def get_metadata(self):
        """Parse the ``# key = value`` header lines into a dict.

        Only the comment lines before the first data line are read.
        """
        fileobj = self._reader()
        metadata = {}
        try:
            for line in fileobj:
                stripped = line.strip()
                if not stripped:
                    continue
                if not stripped.startswith("#"):
                    break
                body = stripped.lstrip("#")
                if "=" not in body:
                    continue
                key, value = body.split("=", 1)
                metadata[key.strip()] = _parse_value(value)
        except UnicodeDecodeError as exc:
            raise _not_text_error(self.name, exc) from exc
        return metadata


class PickleFile(BaseFile):
    """Python pickle of the tuple ``(data, metadata)``.

    Only read pickle files that you trust: unpickling can run arbitrary code.
    """

    def write(self, data, metadata):
        """Pickle `data` and `metadata` to the file."""
        pickle.dump((data, dict(metadata or {})), self._writer(), protocol=pickle.HIGHEST_PROTOCOL)
        self.fileobj.flush()

    def _load(self):
        data, metadata = pickle.load(self._reader())
        return data, metadata

    def read(self):
        """Return the pickled data."""
        return self._load()[0]

    def get_metadata(self):
        """Return the pickled metadata dict."""
        return self._load()[1]


class NumpyBinaryFile(BaseFile):
    """NumPy ``.npz`` archive with a ``data`` array and the metadata.

    The metadata are stored as two string arrays (keys and ``repr`` of the values), so
    the file can be loaded without enabling pickle.
    """

    def write(self, data, metadata):
        """Write `data` and `metadata` to the archive."""
        metadata = dict(metadata or {})
        keys = np.array([str(k) for k in metadata], dtype=str)
        values = np.array([repr(_to_python(v)) for v in metadata.values()], dtype=str)
        np.savez(self._writer(), data=np.asarray(data), metadata_keys=keys, metadata_values=values)
        self.fileobj.flush()

    def _load(self):
        with np.load(self._reader(), allow_pickle=False) as archive:
            data = archive["data"]
            keys = archive["metadata_keys"] if "metadata_keys" in archive.files else []
            values = archive["metadata_values"] if "metadata_values" in archive.files else []
            metadata = {str(k): _parse_value(str(v)) for k, v in zip(keys, values)}
        return data, metadata

    def read(self):
        """Return the data array."""
        return self._load()[0]

    def get_metadata(self):
        """Return the metadata dict."""
        return self._load()[1]


class HDF5ArrayFile(BaseFile):
    """HDF5 file with a ``data`` dataset; metadata are stored as attributes of it.

    Requires the h5py package.
    """

    def __init__(self, filename, mode="rb"):
        _h5py()  # refuse at once without h5py
        super().__init__(filename, mode)

    def _open(self, mode):
        h5_mode = "r"
        if "w" in mode:
            h5_mode = "w"
        elif "a" in mode or "+" in mode:
            h5_mode = "a"
        return _h5py().File(self.name, h5_mode)

    @property
    def closed(self):
        """True once the file has been closed."""
        return self.fileobj is None or not self.fileobj.id.valid

    def _reader(self):
        if self.closed:
            self.fileobj = self._open("r")
            self.mode = "rb"
        return self.fileobj

    def close(self):
        """Close the file (safe to call more than once)."""
        if not self.closed:
            self.fileobj.close()

    def write(self, data, metadata):
        """Write `data` as dataset ``data``; each metadata item becomes an attribute."""
        fileobj = self._writer()
        if "data" in fileobj:
            del fileobj["data"]
        dataset = fileobj.create_dataset("data", data=np.asarray(data))
        for key, value in (metadata or {}).items():
            value = _to_python(value)
            if value is None or isinstance(value, dict):
                value = repr(value)  # no native HDF5 representation; parsed back on reading
                dataset.attrs[f"__repr__{key}"] = True
            dataset.attrs[str(key)] = value
        fileobj.flush()

    def read(self):
        """Return the data array."""
        return self._reader()["data"][...]

    def get_metadata(self):
        """Return the metadata dict."""
        attrs = self._reader()["data"].attrs
        metadata = {}
        for key, value in attrs.items():
            if key.startswith("__repr__"):
                continue
            if isinstance(value, bytes):
                value = value.decode("utf-8")
            elif isinstance(value, np.ndarray):
                value = [v.decode("utf-8") if isinstance(v, bytes) else v for v in value.tolist()]
            elif isinstance(value, np.generic):
                value = value.item()
            if f"__repr__{key}" in attrs:
                value = _parse_value(value)
            metadata[key] = value
        return metadata
