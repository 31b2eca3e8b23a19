"""The core helpers that backends share: roots(), require_native(), the factories of
backend classes and the export list (no external simulator needed)."""

import numpy as np
import pytest

from pyNN import errors
from pyNN.common.current_sources import WaveformCurrentSource, current_source_classes
from pyNN.common.populations import roots
from pyNN.models import require_native
from pyNN.standardmodels import backend_type, cells, electrodes, identity_translations


class TestRoots:
    def test_population_is_one_part(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        [part] = roots(p)
        assert part.root is p and part.offset == 0
        assert part.indices.tolist() == [0, 1, 2, 3]

    def test_view_is_its_root_with_its_indices(self, sim):
        p = sim.Population(6, sim.IF_cond_exp())
        root, indices, offset = roots(p[[1, 4]])[0]
        assert root is p and indices.tolist() == [1, 4] and offset == 0

    def test_assembly_parts_with_offsets_in_order(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        q = sim.Population(5, sim.IF_curr_exp())
        parts = roots(sim.Assembly(q[2:4], p))
        assert [part.root for part in parts] == [q, p]
        assert [part.offset for part in parts] == [0, 2]
        assert [part.indices.tolist() for part in parts] == [[2, 3], [0, 1, 2]]


class _Described:
    """A backend's description of some model type."""

    def __init__(self, native_name, missing_reason=None):
        self.native_name, self.missing_reason = native_name, missing_reason


class TestRequireNative:
    def test_returns_the_native_name(self):
        assert require_native(_Described("iaf"), "X") == "iaf"

    def test_names_type_backend_and_reason(self):
        described = _Described(None, "it needs a gap junction")
        with pytest.raises(errors.NoModelAvailableError,
                           match="Thing is not available on the X backend: it needs a gap junction"):
            require_native(described, "X", "Thing")

    def test_without_reason_says_the_backend_has_no_model(self):
        with pytest.raises(errors.NoModelAvailableError,
                           match="IF_cond_exp is not available on the X backend: the X backend defines no model"):
            require_native(cells.IF_cond_exp(), "X")


def test_backend_type_subclasses_with_name_doc_module_and_attributes():
    cls = backend_type(cells.IF_curr_exp, "some.module", translations=identity_translations(cells.IF_curr_exp),
                       native_name="model")
    assert issubclass(cls, cells.IF_curr_exp) and cls is not cells.IF_curr_exp
    assert (cls.__name__, cls.__module__, cls.__doc__) == ("IF_curr_exp", "some.module", cells.IF_curr_exp.__doc__)
    values = cls().get_parameters()
    assert cls.translate(values) == values
    assert cls.describe_native() == "`model`"


def test_current_source_classes_combine_adapter_and_tables_in_the_standard_order(sim):
    classes = current_source_classes(WaveformCurrentSource, electrodes, sim.simulator, "mine")
    assert list(classes) == [cls.__name__ for cls in electrodes.STANDARD_CURRENT_SOURCES]
    dc = classes["DCSource"]
    assert issubclass(dc, WaveformCurrentSource) and issubclass(dc, electrodes.DCSource)
    assert dc.__module__ == "mine" and dc._simulator is sim.simulator
    source = dc(amplitude=0.5, start=1.0, stop=2.0)
    assert source in sim.state.current_sources
    np.testing.assert_allclose(source.current_at_steps(np.arange(25)), [0.0] * 10 + [0.5] * 10 + [0.0] * 5)


def test_in_memory_backend_uses_the_export_list(sim):
    # the mock backend (pyNN.mock) has every standard cell type except GIF and the
    # inhomogeneous gamma source, in the core's order
    from pyNN.standardmodels.cells import STANDARD_CELL_TYPES
    expected = [cls.__name__ for cls in STANDARD_CELL_TYPES
                if cls.__name__ not in ("GIF_cond_exp", "SpikeSourceInhGamma")]
    assert sim.list_standard_models() == expected
    assert sim.NativeCellType is sim.StandardCellType
    assert sim.state is sim.simulator.state
    assert sim.run.__doc__ and sim.setup.__doc__  # the core's control functions
