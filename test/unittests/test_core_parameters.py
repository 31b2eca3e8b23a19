"""ParameterSpace: lazy per-cell values, evaluation with masks, schema checks."""

import numpy as np
import pytest

from pyNN import errors
from pyNN.parameters import ArrayParameter, ParameterSpace, Sequence, simplify
from pyNN.random import NumpyRNG, RandomDistribution

SCHEMA = {"a": float, "b": float, "spike_times": Sequence}


def evaluated(params, shape=(4,), mask=None, simplify=False, schema=SCHEMA):
    ps = ParameterSpace(params, schema=schema, shape=shape)
    ps.evaluate(mask=mask, simplify=simplify)
    return ps.as_dict()


class TestEvaluation:
    def test_scalar_expands_to_every_cell(self):
        d = evaluated({"a": 2.5})
        np.testing.assert_array_equal(d["a"], [2.5, 2.5, 2.5, 2.5])

    def test_scalar_with_simplify_stays_scalar(self):
        d = evaluated({"a": 2.5}, simplify=True)
        assert d["a"] == 2.5
        assert np.ndim(d["a"]) == 0

    def test_int_is_stored_as_float_for_float_schema(self):
        d = evaluated({"a": 3})
        assert d["a"].dtype == float

    def test_array_one_value_per_cell(self):
        d = evaluated({"a": [1.0, 2.0, 3.0, 4.0]})
        np.testing.assert_array_equal(d["a"], [1, 2, 3, 4])

    def test_array_is_not_simplified_when_heterogeneous(self):
        d = evaluated({"a": np.array([1.0, 2.0, 3.0, 4.0])}, simplify=True)
        np.testing.assert_array_equal(d["a"], [1, 2, 3, 4])

    def test_callable_of_index(self):
        d = evaluated({"a": lambda i: 10.0 * i + 1})
        np.testing.assert_array_equal(d["a"], [1.0, 11.0, 21.0, 31.0])

    def test_random_distribution_reproducible(self):
        d1 = evaluated({"a": RandomDistribution("uniform", (0.0, 1.0), rng=NumpyRNG(seed=7))})
        d2 = evaluated({"a": RandomDistribution("uniform", (0.0, 1.0), rng=NumpyRNG(seed=7))})
        np.testing.assert_array_equal(d1["a"], d2["a"])
        assert d1["a"].shape == (4,)
        assert np.all((d1["a"] >= 0) & (d1["a"] < 1))
        assert len(set(d1["a"].tolist())) == 4

    def test_random_distribution_matches_rng_draws(self):
        d = evaluated({"a": RandomDistribution("normal", mu=5.0, sigma=2.0, rng=NumpyRNG(seed=3))})
        expected = NumpyRNG(seed=3).next(4, "normal", {"mu": 5.0, "sigma": 2.0})
        np.testing.assert_allclose(d["a"], expected)

    def test_sequence_shared_by_all_cells(self):
        d = evaluated({"spike_times": Sequence([1.0, 2.0])})
        assert d["spike_times"].dtype == object
        assert len(d["spike_times"]) == 4
        for item in d["spike_times"]:
            assert isinstance(item, Sequence)
            np.testing.assert_array_equal(item.value, [1.0, 2.0])

    def test_sequence_simplified_is_single_sequence(self):
        d = evaluated({"spike_times": Sequence([1.0, 2.0])}, simplify=True)
        assert isinstance(d["spike_times"], Sequence)
        assert d["spike_times"] == Sequence([1.0, 2.0])

    def test_list_of_sequences_one_per_cell(self):
        seqs = [Sequence([float(i)]) for i in range(4)]
        d = evaluated({"spike_times": seqs})
        assert [s.value.tolist() for s in d["spike_times"]] == [[0.0], [1.0], [2.0], [3.0]]

    def test_list_of_lists_for_sequence_parameter(self):
        d = evaluated({"spike_times": [[1.0], [2.0, 3.0], [], [4.0]]})
        assert [s.value.tolist() for s in d["spike_times"]] == [[1.0], [2.0, 3.0], [], [4.0]]
        assert all(isinstance(s, Sequence) for s in d["spike_times"])

    def test_plain_list_for_sequence_parameter_is_one_shared_sequence(self):
        d = evaluated({"spike_times": [1.0, 2.0, 3.0]})
        assert all(s == Sequence([1.0, 2.0, 3.0]) for s in d["spike_times"])

    def test_wrong_number_of_sequences(self):
        with pytest.raises(errors.InvalidDimensionsError):
            ParameterSpace({"spike_times": [Sequence([1.0]), Sequence([2.0])]}, schema=SCHEMA, shape=(4,))


class TestMasks:
    def test_mask_of_indices_on_array(self):
        d = evaluated({"a": [1.0, 2.0, 3.0, 4.0]}, mask=np.array([1, 3]))
        np.testing.assert_array_equal(d["a"], [2.0, 4.0])

    def test_boolean_mask_on_callable(self):
        d = evaluated({"a": lambda i: i * 2.0}, mask=np.array([True, False, True, False]))
        np.testing.assert_array_equal(d["a"], [0.0, 4.0])

    def test_mask_on_scalar(self):
        d = evaluated({"a": 5.0}, mask=np.array([0, 2]))
        np.testing.assert_array_equal(d["a"], [5.0, 5.0])

    def test_mask_on_per_cell_sequences(self):
        seqs = [Sequence([float(i)]) for i in range(4)]
        d = evaluated({"spike_times": seqs}, mask=np.array([2, 3]))
        assert [s.value.tolist() for s in d["spike_times"]] == [[2.0], [3.0]]

    def test_mask_on_shared_sequence(self):
        d = evaluated({"spike_times": Sequence([7.0])}, mask=np.array([0, 1, 3]))
        assert len(d["spike_times"]) == 3


class TestErrors:
    def test_unknown_name(self):
        with pytest.raises(errors.NonExistentParameterError) as info:
            ParameterSpace({"c": 1.0}, schema=SCHEMA, shape=(4,))
        assert info.value.parameter_name == "c"
        assert "a" in str(info.value) and "b" in str(info.value)

    def test_unknown_name_via_update(self):
        ps = ParameterSpace({"a": 1.0}, schema=SCHEMA, shape=(4,))
        with pytest.raises(errors.NonExistentParameterError):
            ps.update(tau=3.0)

    def test_wrong_array_length(self):
        with pytest.raises(errors.InvalidDimensionsError):
            ParameterSpace({"a": [1.0, 2.0, 3.0]}, schema=SCHEMA, shape=(4,))

    def test_string_value_rejected(self):
        with pytest.raises(errors.InvalidParameterValueError):
            ParameterSpace({"a": "fast"}, schema=SCHEMA, shape=(4,))

    def test_non_numeric_array_rejected(self):
        with pytest.raises(errors.InvalidParameterValueError):
            ParameterSpace({"a": ["x", "y", "z", "w"]}, schema=SCHEMA, shape=(4,))

    def test_evaluate_without_shape(self):
        ps = ParameterSpace({"a": 1.0}, schema=SCHEMA)
        with pytest.raises(ValueError):
            ps.evaluate()

    def test_as_dict_before_evaluate(self):
        ps = ParameterSpace({"a": 1.0}, schema=SCHEMA, shape=(2,))
        with pytest.raises(ValueError):
            ps.as_dict()


class TestDictBehaviour:
    def test_keys_contains_len_setitem_pop(self):
        ps = ParameterSpace({"a": 1.0}, schema=SCHEMA, shape=(2,))
        ps["b"] = 2.0
        assert sorted(ps.keys()) == ["a", "b"]
        assert "b" in ps and len(ps) == 2
        ps.pop("a")
        assert list(ps.keys()) == ["b"]
        assert ps.pop("missing", 42) == 42

    def test_is_homogeneous(self):
        assert ParameterSpace({"a": 1.0, "b": 2.0}, schema=SCHEMA, shape=(3,)).is_homogeneous
        assert not ParameterSpace({"a": [1.0, 2.0, 3.0]}, schema=SCHEMA, shape=(3,)).is_homogeneous

    def test_iteration_gives_per_cell_dicts(self):
        ps = ParameterSpace({"a": [1.0, 2.0, 3.0], "b": 9.0}, schema=SCHEMA, shape=(3,))
        ps.evaluate()
        assert list(ps) == [{"a": 1.0, "b": 9.0}, {"a": 2.0, "b": 9.0}, {"a": 3.0, "b": 9.0}]

    def test_shape_set_later(self):
        ps = ParameterSpace({"a": lambda i: i + 0.5}, schema=SCHEMA)
        ps.shape = (3,)
        ps.evaluate()
        np.testing.assert_array_equal(ps["a"], [0.5, 1.5, 2.5])

    def test_copy_is_independent(self):
        ps = ParameterSpace({"a": 1.0}, schema=SCHEMA, shape=(2,))
        ps2 = ps.copy()
        ps2.update(a=5.0)
        ps.evaluate()
        ps2.evaluate()
        np.testing.assert_array_equal(ps["a"], [1.0, 1.0])
        np.testing.assert_array_equal(ps2["a"], [5.0, 5.0])

    def test_nested_parameter_space_flatten(self):
        ps = ParameterSpace({"a": 1.0, "syn": {"tau": 2.0}}, shape=(2,))
        ps.evaluate()
        flat = ps.flatten().as_dict()
        assert set(flat) == {"a", "syn.tau"}
        np.testing.assert_array_equal(flat["syn.tau"], [2.0, 2.0])


class TestHelpers:
    def test_simplify(self):
        assert simplify(np.array([3.0, 3.0])) == 3.0
        np.testing.assert_array_equal(simplify(np.array([3.0, 4.0])), [3.0, 4.0])

    def test_array_parameter_arithmetic(self):
        ap = ArrayParameter([1.0, 2.0])
        assert (ap * 2) == ArrayParameter([2.0, 4.0])
        assert (1 + ap) == ArrayParameter([2.0, 3.0])
        assert ap.max() == 2.0
        assert len(ap) == 2 and ap[1] == 2.0
        per_cell = ap + np.array([10.0, 20.0])
        assert per_cell.dtype == object
        assert per_cell[1] == ArrayParameter([21.0, 22.0])
