"""Mistakes that used to raise a bare builtin exception now raise a ``pyNN.errors`` class:
the user can catch them all as :class:`pyNN.errors.PyNNError`, and code that catches the old
builtin (``except ValueError`` ...) keeps working. Each case runs on every backend.
"""

import numpy as np
import pytest

from pyNN import errors

from scenario_tools import population


@pytest.fixture
def net(sim):
    return dict(
        cells=population(sim, 3, "IF_curr_exp", label="cells"),
        stim=population(sim, 2, "SpikeSourceArray", label="stimulus", spike_times=[1.0]),
    )


def assert_family(info, builtin):
    """The error is a pyNN error and still the builtin the library raised before."""
    assert isinstance(info.value, errors.PyNNError)
    assert isinstance(info.value, builtin)


def test_index_out_of_range(sim, net):
    with pytest.raises(IndexError, match=r"Index 5 is out of range for 'cells' of size 3") as info:
        net["cells"][5]
    assert_family(info, errors.InvalidIndexError)


def test_index_of_wrong_type(sim, net):
    with pytest.raises(TypeError, match=r"'cells' can be indexed by .* not str") as info:
        net["cells"]["a"]
    assert_family(info, errors.InvalidTypeError)


def test_id_not_in_population(sim, net):
    with pytest.raises(ValueError, match=r"not in 'cells'") as info:
        net["cells"].id_to_index(int(net["stim"][0]))
    assert_family(info, errors.InvalidParameterValueError)


def test_sample_more_cells_than_there_are(sim, net):
    with pytest.raises(ValueError, match=r"'cells'.*cannot sample 4 cells.*size 3") as info:
        net["cells"].sample(4)
    assert_family(info, errors.InvalidParameterValueError)


def test_inject_into_spike_source(sim, net):
    with pytest.raises(TypeError, match=r"'stimulus'.*not injectable") as info:
        net["stim"].inject(sim.DCSource(amplitude=1.0))
    assert_family(info, errors.InvalidTypeError)


def test_shape_with_four_dimensions(sim):
    with pytest.raises(ValueError, match=r"\(1, 1, 1, 2\) has 4 dimensions") as info:
        sim.Population((1, 1, 1, 2), sim.IF_curr_exp())
    assert_family(info, errors.InvalidDimensionsError)


def test_parameter_array_of_wrong_length_in_constructor(sim):
    # used to be lazyarray's "Lazy array has fixed shape" ValueError, naming nothing
    with pytest.raises(ValueError, match=r"'short' has 3 cell\(s\) but 'tau_m' has 2 values") as info:
        sim.Population(3, sim.IF_curr_exp(tau_m=np.array([10.0, 20.0])), label="short")
    assert_family(info, errors.InvalidDimensionsError)


def test_unknown_population_in_assembly(sim, net):
    assembly = sim.Assembly(net["cells"], net["stim"], label="all")
    with pytest.raises(KeyError, match=r"'all' contains no population labelled 'other'.*'cells'") as info:
        assembly.get_population("other")
    assert_family(info, errors.UnknownNameError)


def test_projection_get_with_bad_format(sim, net):
    prj = sim.Projection(net["stim"], net["cells"], sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1),
                         label="stim to cells")
    with pytest.raises(ValueError, match=r"'stim to cells'.*format must be 'list' or 'array', not 'dict'") \
            as info:
        prj.get("weight", format="dict")
    assert_family(info, errors.InvalidParameterValueError)
    with pytest.raises(IndexError, match=r"'stim to cells' has 6 connections; index 6") as info:
        prj[6]
    assert_family(info, errors.InvalidIndexError)


def test_unknown_setup_option(sim):
    # PyNN's tolerance (issue 11): an option no backend knows is ignored with a warning, never
    # an error; a near miss of a known option names it
    with pytest.warns(UserWarning, match=r"'no_such_option' is not known .* it is ignored"):
        sim.setup(timestep=0.1, no_such_option=1)
    with pytest.warns(UserWarning, match=r"Did you mean: threads\?"):
        sim.setup(timestep=0.1, thread=2)


def test_forbidden_setup_argument(sim):
    with pytest.raises(TypeError, match=r"'dt' is not a valid argument of setup\(\)") as info:
        sim.setup(dt=0.1)
    assert_family(info, errors.InvalidTypeError)


def test_run_with_bad_times(sim, net):
    with pytest.raises(ValueError, match=r"simtime must be >= 0 ms, got -1") as info:
        sim.run(-1)
    assert_family(info, errors.InvalidParameterValueError)
    with pytest.raises(TypeError, match=r"run\(\): simtime must be a number of ms, got 'ten'") as info:
        sim.run("ten")
    assert_family(info, errors.InvalidTypeError)
    with pytest.raises(ValueError, match=r"finite.*nan") as info:
        sim.run(float("nan"))
    assert_family(info, errors.InvalidParameterValueError)
    sim.run(1.0)
    with pytest.raises(ValueError, match=r"run_until\(0.5\): time is in the past") as info:
        sim.run_until(0.5)
    assert_family(info, errors.InvalidParameterValueError)
    assert sim.get_current_time() == pytest.approx(1.0)


def test_sampling_interval_of_wrong_type(sim, net):
    with pytest.raises(TypeError, match=r"'cells': sampling_interval must be a number of ms") as info:
        net["cells"].record("v", sampling_interval="fast")
    assert_family(info, errors.InvalidTypeError)


def test_writing_an_unsupported_file_format(sim, net, tmp_path):
    net["cells"].record("spikes")
    sim.run(1.0)
    with pytest.raises(OSError, match=r"ASCII output \(.txt\) is no longer supported") as info:
        net["cells"].write_data(str(tmp_path / "spikes.txt"))
    assert_family(info, errors.DataFileError)
    with pytest.raises(ValueError, match=r"Cannot tell the file format of .*spikes.xyz") as info:
        net["cells"].write_data(str(tmp_path / "spikes.xyz"))
    assert_family(info, errors.DataFileError)
