"""Hardware profiles as versioned data with sources (pyNN.hardware.profiles)."""

import json
import os
import re

import pytest

from pyNN import errors
from pyNN.hardware import profiles
from pyNN.hardware.profiles import list_profiles, load_profile


def test_bundled_profiles():
    assert list_profiles() == ["brainscales2", "ideal", "spikey", "spinnaker1"]


@pytest.mark.parametrize("name", ["brainscales2", "ideal", "spikey", "spinnaker1"])
def test_every_setting_has_a_source_and_the_profile_a_version(name):
    prof = load_profile(name)
    assert prof.name == name
    assert prof.version.count(".") == 2
    for setting in prof.settings.values():
        assert isinstance(setting.source, str) and setting.source.strip(), setting.name
        # the source key (before the first space) resolves in the profile's source table, or is
        # an assumption / the design brief
        key = setting.source.split()[0].split("/")[0].rstrip(":,")
        assert key in prof.sources or key in ("A", "brief", "user"), (name, setting.name, setting.source)
    for cell, spec in prof.cells.items():
        assert spec["source"], cell


def test_profile_files_are_plain_json_with_the_documented_sections():
    here = os.path.dirname(profiles.__file__)
    for name in list_profiles():
        with open(os.path.join(here, f"{name}.json")) as f:
            data = json.load(f)
        assert {"name", "version", "kind", "sources", "settings", "cells", "unsupported_cells"} <= set(data)
        assert data["kind"] in ("digital", "analog", "ideal")


def test_spinnaker_numbers():
    p = load_profile("spinnaker1")
    assert p["neurons_per_core"] == 256
    assert p["weight_bits"] == 16
    assert p["legacy_native_delay_ticks"] == 16 and p["delay_extension_blocks"] == 8
    assert p["cores_per_chip"] - p["monitor_cores_per_chip"] == 16
    assert p["sdram_per_chip"] == 128 * 1024 * 1024
    assert p["routing_entries_per_chip"] == 1024
    assert p["dt_default"] == 1.0
    assert "constants.py" in p.sources[p.source("max_row_length").split()[0]]


def test_brainscales2_and_spikey_numbers():
    b = load_profile("brainscales2")
    assert (b["speedup"], b["neuron_circuits"], b["max_synapse_weight"], b["delay_model"]) == (1000.0, 512, 63, "none")
    assert b.cells["IF_curr_exp"]["ranges"]["tau_m"] == [0.5, 60.0]
    s = load_profile("spikey")
    assert (s["neurons"], s["neurons_per_block"], s["max_synapse_weight"]) == (384, 192, 15)
    assert list(s.cells) == ["IF_facets_hardware1", "SpikeSourceArray", "SpikeSourcePoisson"]


def test_overrides_are_applied_and_recorded():
    p = load_profile("spinnaker1", neurons_per_core=64, delay_model="current")
    assert p["neurons_per_core"] == 64
    assert p.source("neurons_per_core") == "user override"
    assert p.overrides == {"neurons_per_core": 64, "delay_model": "current"}
    assert p.to_dict()["settings"]["neurons_per_core"]["overridden"] is True
    # a profile object can be reloaded with more overrides
    q = load_profile(p, n_boards=3)
    assert (q["neurons_per_core"], q["n_boards"]) == (64, 3)
    assert load_profile("spinnaker1")["neurons_per_core"] == 256  # the file is untouched


def test_unknown_override_lists_valid_names():
    with pytest.raises(errors.NonExistentParameterError) as info:
        load_profile("spinnaker1", neuron_per_core=128)
    msg = str(info.value)
    assert "neuron_per_core" in msg and "spinnaker1" in msg
    assert "neurons_per_core" in msg and "Valid parameter names are" in msg


def test_unknown_profile():
    with pytest.raises(errors.InvalidModelError, match="Available profiles: brainscales2, ideal"):
        load_profile("spinaker1")


def test_describe_and_cell_specs():
    p = load_profile("spinnaker1")
    text = p.describe()
    assert re.search(r"neurons_per_core +=  ?256 .*S8", text)
    assert p.cell_spec("IF_cond_alpha") is None
    assert "Not currently supported by the tool chain" in p.unsupported_reason("IF_cond_alpha")
    ideal = load_profile("ideal")
    assert ideal.cell_spec("HH_cond_exp") is not None
    assert ideal.supports_synapse_dynamics("TsodyksMarkramSynapse")
    assert not p.supports_synapse_dynamics("TsodyksMarkramSynapse")
    assert load_profile("spikey").cell_spec("IF_curr_exp") is None
