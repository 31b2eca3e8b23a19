"""Tests for pyNN.recording.files."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from pyNN.recording.files import (
    BaseFile,
    HDF5ArrayFile,
    NumpyBinaryFile,
    PickleFile,
    StandardTextFile,
    savez,
)

METADATA = {
    "columns": ["i", "j", "weight", "delay"],
    "label": "exc -> inh",
    "dt": 0.1,
    "n": 3,
    "flag": True,
    "nothing": None,
    "shape": (2, 3),
}


@pytest.fixture
def data():
    rng = np.random.default_rng(42)
    return np.column_stack([
        np.arange(7.0), np.arange(7.0)[::-1], rng.uniform(0, 1, 7), np.full(7, 0.1)])


@pytest.mark.parametrize("cls", [StandardTextFile, PickleFile, NumpyBinaryFile])
def test_round_trip(cls, data, tmp_path):
    filename = tmp_path / "sub" / "dir" / "data.file"  # parent dirs are created
    f = cls(filename, mode="wb")
    f.write(data, METADATA)
    f.close()
    assert filename.exists() and filename.stat().st_size > 0
    with cls(filename) as f:
        assert f.get_metadata() == METADATA
        np.testing.assert_array_equal(f.read(), data)  # exact, including random floats
        assert f.get_metadata() == METADATA  # can be called again after read
    assert f.closed


@pytest.mark.parametrize("cls", [StandardTextFile, PickleFile, NumpyBinaryFile])
def test_read_after_write_on_same_object(cls, data, tmp_path):
    f = cls(tmp_path / "x.dat", mode="w")
    f.write(data, {"a": 1})
    np.testing.assert_array_equal(f.read(), data)
    assert f.get_metadata() == {"a": 1}
    f.close()
    f.close()  # closing twice is harmless


def test_numpy_metadata_values_are_stored_as_literals(tmp_path):
    filename = tmp_path / "m.txt"
    with StandardTextFile(filename, mode="wb") as f:
        f.write(np.zeros((1, 2)), {"x": np.float64(0.5), "arr": np.arange(3), "k": np.int64(4)})
    text = filename.read_text()
    assert "# x = 0.5\n" in text
    assert "# arr = [0, 1, 2]\n" in text
    meta = StandardTextFile(filename).get_metadata()
    assert meta == {"x": 0.5, "arr": [0, 1, 2], "k": 4}
    assert isinstance(meta["x"], float)


def test_text_file_format(tmp_path):
    filename = tmp_path / "conn.txt"
    with StandardTextFile(filename, mode="wb") as f:
        f.write(np.array([[0, 1, 0.5, 1.0], [2, 3, 0.25, 1.5]]),
                {"columns": ["i", "j", "weight", "delay"]})
    lines = filename.read_text().splitlines()
    assert lines[0] == "# columns = ['i', 'j', 'weight', 'delay']"
    assert lines[1].split() == ["0.0", "1.0", "0.5", "1.0"]
    assert len(lines) == 3


def test_text_file_handwritten_header(tmp_path):
    filename = tmp_path / "hand.txt"
    filename.write_text("# columns = ['i', 'j', 'weight', 'delay']\n"
                        "#   a comment without an equals sign\n"
                        "# note = not a python literal\n"
                        "0 1 0.5 1.0\n\n"
                        "# a comment between rows = 3\n"
                        "1 2 0.75 2.0\n")
    f = StandardTextFile(filename)
    meta = f.get_metadata()
    assert meta["columns"] == ["i", "j", "weight", "delay"]
    assert meta["note"] == "not a python literal"
    assert "a comment between rows" not in meta  # only the header is parsed
    np.testing.assert_array_equal(f.read(), [[0, 1, 0.5, 1.0], [1, 2, 0.75, 2.0]])


def test_text_file_single_row_and_single_column_are_2d(tmp_path):
    with StandardTextFile(tmp_path / "row.txt", mode="w") as f:
        f.write(np.array([[1.0, 2.0, 3.0]]), {})
    assert StandardTextFile(tmp_path / "row.txt").read().shape == (1, 3)
    with StandardTextFile(tmp_path / "col.txt", mode="w") as f:
        f.write(np.array([1.0, 2.0, 3.0]), {})
    assert StandardTextFile(tmp_path / "col.txt").read().shape == (3, 1)


def test_text_file_empty_data(tmp_path):
    with StandardTextFile(tmp_path / "e.txt", mode="wb") as f:
        f.write(np.empty((0, 4)), {"columns": ["i", "j", "weight", "delay"]})
    with StandardTextFile(tmp_path / "e.txt") as f:
        assert f.read().shape == (0, 4)
        assert list(f.iter_chunks()) == []


@pytest.mark.parametrize("chunk_rows", [1, 3, 7, 1000])
def test_iter_chunks_matches_read(chunk_rows, tmp_path):
    rng = np.random.default_rng(1)
    data = rng.normal(size=(25, 3))
    filename = tmp_path / "big.txt"
    with StandardTextFile(filename, mode="wb") as f:
        f.write(data, {"columns": ["i", "j", "weight"], "z": 1})
    f = StandardTextFile(filename)
    chunks = list(f.iter_chunks(chunk_rows=chunk_rows))
    assert all(c.ndim == 2 and c.shape[1] == 3 for c in chunks)
    assert all(len(c) <= chunk_rows for c in chunks)
    np.testing.assert_array_equal(np.vstack(chunks), f.read())
    np.testing.assert_array_equal(np.vstack(chunks), data)
    f.close()


def test_iter_chunks_is_lazy(tmp_path):
    filename = tmp_path / "lazy.txt"
    with StandardTextFile(filename, mode="wb") as f:
        f.write(np.arange(20.0).reshape(10, 2), {})
    gen = StandardTextFile(filename).iter_chunks(chunk_rows=4)
    first = next(gen)
    np.testing.assert_array_equal(first, [[0, 1], [2, 3], [4, 5], [6, 7]])
    assert [len(c) for c in gen] == [4, 2]


def test_iter_chunks_invalid_chunk_size(tmp_path):
    with StandardTextFile(tmp_path / "a.txt", mode="w") as f:
        f.write(np.ones((2, 2)), {})
    with pytest.raises(ValueError, match="chunk_rows"):
        next(StandardTextFile(tmp_path / "a.txt").iter_chunks(chunk_rows=0))


def test_iter_chunks_inconsistent_columns(tmp_path):
    filename = tmp_path / "bad.txt"
    filename.write_text("1 2\n3 4\n5 6 7\n")
    with pytest.raises(ValueError, match="columns"):
        list(StandardTextFile(filename).iter_chunks(chunk_rows=2))


def test_rename(tmp_path, data):
    f = StandardTextFile(tmp_path / "a.txt", mode="wb")
    f.write(data, {"x": 1})
    f.rename(tmp_path / "renamed" / "b.txt")
    assert f.closed
    assert not (tmp_path / "a.txt").exists()
    assert f.name == os.fspath(tmp_path / "renamed" / "b.txt")
    np.testing.assert_array_equal(f.read(), data)  # reopens for reading
    assert f.get_metadata() == {"x": 1}
    f.close()


def test_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        StandardTextFile(tmp_path / "nope.txt")


def test_write_to_read_only_file_raises(tmp_path):
    (tmp_path / "r.txt").write_text("1 2\n")
    with StandardTextFile(tmp_path / "r.txt") as f, pytest.raises(OSError, match="reading"):
        f.write(np.ones((1, 2)), {})


def test_base_file_is_abstract(tmp_path):
    with BaseFile(tmp_path / "b.bin", mode="wb") as f:
        with pytest.raises(NotImplementedError):
            f.write([], {})
        with pytest.raises(NotImplementedError):
            f.read()
        with pytest.raises(NotImplementedError):
            f.get_metadata()


def test_numpy_binary_file_does_not_need_pickle(tmp_path, data):
    filename = tmp_path / "d.npz"
    with NumpyBinaryFile(filename, mode="wb") as f:
        f.write(data, METADATA)
    with np.load(filename, allow_pickle=False) as archive:
        np.testing.assert_array_equal(archive["data"], data)
        assert "columns" in list(archive["metadata_keys"])


def test_savez_creates_directories(tmp_path):
    filename = tmp_path / "deep" / "arrays.npz"
    savez(filename, a=np.arange(3))
    with np.load(filename) as archive:
        np.testing.assert_array_equal(archive["a"], [0, 1, 2])


def test_hdf5_without_h5py(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)  # as if not installed: importing it fails
    with pytest.raises(ImportError, match="h5py"):
        HDF5ArrayFile(tmp_path / "x.h5", mode="wb")


def test_modules_for_files_and_e_mail_are_imported_only_when_used():
    """(h5py costs 11 MiB of memory, smtplib and shelve 1 MiB: a script that writes no HDF5
    file, sends no e-mail and shelves no population should not pay for them)"""
    code = ("import sys, pyNN.mock, pyNN.recording.files, pyNN.utility; "
            "print(sorted(m for m in ('h5py', 'smtplib', 'shelve', 'ssl') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.skipif(importlib.util.find_spec("h5py") is None, reason="h5py not installed")
def test_hdf5_round_trip(tmp_path, data):
    filename = tmp_path / "x.h5"
    with HDF5ArrayFile(filename, mode="wb") as f:
        f.write(data, {"columns": ["i", "j", "weight", "delay"], "dt": 0.1, "nothing": None})
    with HDF5ArrayFile(filename) as f:
        np.testing.assert_array_equal(f.read(), data)
        assert f.get_metadata() == {"columns": ["i", "j", "weight", "delay"], "dt": 0.1,
                                    "nothing": None}
