"""Hardware profiles: data-only descriptions of what a neuromorphic system can do.

Each profile is a versioned JSON file next to this module. Every number in it carries a
``source`` string (a key of the profile's ``sources`` table, or ``A`` for an assumption),
so that the mapping report can say where each limit comes from.

File layout::

    {"name", "version", "kind": "digital" | "analog" | "ideal", "description", "experimental",
     "sources": {key: text},
     "settings": {section: {name: {"value", "source", "unit"?}}},
     "cells": {cell type name | "*": {"source", "ranges": {parameter: [lo, hi]},
                                      "quantisation": {parameter: bits}}},
     "unsupported_cells": {cell type name | "*": reason},
     "unsupported_synapse_dynamics": {synapse type name: reason}}

Setting names are unique across sections, so any of them can be overridden by name:
``load_profile("spinnaker1", neurons_per_core=128, delay_model="current")``.
"""

import copy
import json
import os
from dataclasses import dataclass

from pyNN import errors

_HERE = os.path.dirname(os.path.abspath(__file__))


@dataclass(frozen=True)
class Setting:
    """One profile value with its provenance."""

    name: str
    section: str
    value: object
    source: str
    unit: str = ""
    overridden: bool = False


class HardwareProfile:
    """The description of one hardware system (or the ``ideal`` reference).

    Use :func:`load_profile` to obtain one. Values are read with ``profile["name"]`` (or
    :meth:`get`), their provenance with :meth:`source`.

    Attributes
    ----------
    name, version, kind, description : str
    experimental : bool
    sources : dict
        Source key -> full reference.
    cells : dict
        Supported cell type name -> {"source", "ranges", "quantisation"}.
    unsupported_cells : dict
        Cell type name -> reason (``"*"`` matches every type not listed in `cells`).
    overrides : dict
        The settings the caller overrode, with their new values.
    """

    def __init__(self, data, overrides=None):
        self.name = data["name"]
        self.version = data["version"]
        self.kind = data["kind"]
        self.description = data.get("description", "")
        self.experimental = bool(data.get("experimental", False))
        self.sources = dict(data.get("sources", {}))
        self.cells = copy.deepcopy(data.get("cells", {}))
        self.unsupported_cells = dict(data.get("unsupported_cells", {}))
        self.unsupported_synapse_dynamics = dict(data.get("unsupported_synapse_dynamics", {}))
        self._settings = {}
        for section, entries in data.get("settings", {}).items():
            for name, entry in entries.items():
                if name in self._settings:
                    raise errors.InvalidParameterValueError(
                        f"profile '{self.name}': setting '{name}' is defined in two sections "
                        f"('{self._settings[name].section}' and '{section}')")
                self._settings[name] = Setting(name, section, entry["value"], entry["source"],
                                               entry.get("unit", ""))
        self.overrides = {}
        for name, value in (overrides or {}).items():
            self._override(name, value)

    def _override(self, name, value):
        if name not in self._settings:
            raise errors.NonExistentParameterError(name, f"hardware profile '{self.name}'", list(self._settings))
        old = self._settings[name]
        self._settings[name] = Setting(name, old.section, value, "user override", old.unit, True)
        self.overrides[name] = value

    # --- reading values -------------------------------------------------------------------
    def __getitem__(self, name):
        return self._settings[name].value

    def __contains__(self, name):
        return name in self._settings

    def get(self, name, default=None):
        """The value of setting `name`, or `default` if the profile has no such setting."""
        setting = self._settings.get(name)
        return default if setting is None else setting.value

    def setting(self, name):
        """The :class:`Setting` (value, source, unit, section) called `name`."""
        return self._settings[name]

    def source(self, name):
        """Where the value of setting `name` comes from."""
        return self._settings[name].source

    @property
    def settings(self):
        """All settings, by name."""
        return dict(self._settings)

    # --- cell types -----------------------------------------------------------------------
    def cell_spec(self, celltype):
        """Ranges and quantisation for `celltype`, or None if the profile does not support it."""
        if celltype in self.cells:
            return self.cells[celltype]
        if celltype in self.unsupported_cells:
            return None
        return self.cells.get("*")

    def unsupported_reason(self, celltype):
        """Why `celltype` is not available on this profile (a default text if no reason is stored)."""
        reason = self.unsupported_cells.get(celltype) or self.unsupported_cells.get("*")
        return reason or f"{celltype} is not implemented by hardware profile '{self.name}'"

    def supports_synapse_dynamics(self, synapse_type):
        """Whether the profile accepts the synapse type called `synapse_type`."""
        supported = self.get("supported_synapse_dynamics", ["*"])
        return "*" in supported or synapse_type in supported

    def synapse_dynamics_reason(self, synapse_type):
        """Why the synapse type called `synapse_type` is not available (a default text if the
        profile stores no reason)."""
        return self.unsupported_synapse_dynamics.get(synapse_type) or (
            f"supported: {', '.join(self.get('supported_synapse_dynamics', []))}")

    # --- export ---------------------------------------------------------------------------
    def to_dict(self):
        """A JSON-serialisable description: header, settings with sources, cells."""
        return {
            "name": self.name, "version": self.version, "kind": self.kind,
            "description": self.description, "experimental": self.experimental,
            "sources": dict(self.sources),
            "settings": {n: {"section": s.section, "value": s.value, "source": s.source, "unit": s.unit,
                             "overridden": s.overridden} for n, s in self._settings.items()},
            "cells": copy.deepcopy(self.cells),
            "unsupported_cells": dict(self.unsupported_cells),
            "unsupported_synapse_dynamics": dict(self.unsupported_synapse_dynamics),
            "overrides": dict(self.overrides),
        }

    def describe(self):
        """A text table of every setting, its value and its source."""
        lines = [f"Hardware profile '{self.name}' version {self.version} ({self.kind})"
                 + (" [experimental]" if self.experimental else ""), self.description, ""]
        width = max((len(n) for n in self._settings), default=0)
        for section in dict.fromkeys(s.section for s in self._settings.values()):
            lines.append(f"[{section}]")
            for s in self._settings.values():
                if s.section == section:
                    unit = f" {s.unit}" if s.unit else ""
                    lines.append(f"  {s.name:<{width}} = {s.value!r}{unit}    ({s.source})")
        return "\n".join(lines)

    def __repr__(self):
        return f"<HardwareProfile {self.name} v{self.version}>"


def list_profiles():
    """Names of the profiles bundled with the library, sorted."""
    return sorted(f[:-5] for f in os.listdir(_HERE) if f.endswith(".json"))


def load_profile(name, **overrides):
    """Load a bundled hardware profile, optionally overriding some of its settings.

    Parameters
    ----------
    name : str or HardwareProfile
        One of :func:`list_profiles`; a profile object is copied (with the overrides applied).
    **overrides
        Setting name -> new value. Unknown names raise
        :class:`pyNN.errors.NonExistentParameterError` listing the valid ones.

    Returns
    -------
    HardwareProfile
    """
    if isinstance(name, HardwareProfile):
        merged = dict(name.overrides, **overrides)
        return HardwareProfile(_read(name.name), merged)
    return HardwareProfile(_read(name), overrides)


def _read(name):
    path = os.path.join(_HERE, f"{name}.json")
    if not os.path.exists(path):
        available = list_profiles()
        hint = errors.close_matches(name, available)
        msg = f"no hardware profile '{name}'. Available profiles: {', '.join(available)}."
        if hint:
            msg += f" Did you mean: {', '.join(hint)}?"
        raise errors.InvalidModelError(msg)
    with open(path) as f:
        return json.load(f)
