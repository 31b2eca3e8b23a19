"""What the mapper takes (plain descriptions of populations and projections) and what it
returns (the realised network)."""

from dataclasses import dataclass, field

import numpy as np

from pyNN.hardware.mapping.report import MappingReport

@dataclass
class PopulationSpec:
    """One population as the mapper sees it."""

    label: str
    celltype: str
    size: int
    parameters: dict
    recorded: dict = field(default_factory=dict)


@dataclass
class ProjectionSpec:
    """One projection as the mapper sees it (connections in the core's order)."""

    label: str
    pre: int
    post: int
    pre_index: np.ndarray
    post_index: np.ndarray
    weight: np.ndarray
    delay: np.ndarray
    receptor_type: str = "excitatory"
    synapse_type: str = "StaticSynapse"
    user_sign: np.ndarray | None = None
    synapse_parameters: dict | None = None  # optional: e.g. STDP {"w_max", "tau_plus", "tau_minus"} (scalars)


@dataclass
class MappingResult:
    """The realised network.

    ``recorded`` (population label -> {variable: realised cell indices}) is an addition to
    the interface: under the lenient policy some analog recordings may be refused.
    """

    weight: dict
    delay: dict
    keep: dict
    parameters: dict
    numerics: dict
    report: MappingReport
    recorded: dict = field(default_factory=dict)

