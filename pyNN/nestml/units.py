"""Physical units of NESTML models: model units and the library's units.

Two coherent unit systems meet here.

*Model units* are the units every number in the intermediate form is expressed in. They
are NESTML's own internal units (the ones its NEST code generator uses): mV, ms, pA, pF,
nS and GOhm; any other unit is reduced to SI base units with the second replaced by the
millisecond, except named units such as Hz or mmol, which NESTML keeps as declared (so
``1/s`` is 1/ms in model units and ``10/s`` is the number 0.01, while ``10 Hz`` stays 10).
Because the system is coherent (pA = pF mV/ms, nS mV = pA), an equation written in it needs no
conversion factors, which is why the intermediate form uses it: odetoolbox's
propagators and NESTML's generated C++ hold numbers in exactly these units.

*Library units* are the ones users of this library see (mV, ms, nA, nF, uS, MOhm, Hz),
as for every standard model. Each parameter and state variable of the intermediate form
carries the factor ``to_pynn`` with ``value_in_library_units = value_in_model_units * to_pynn``.
"""

import math

from astropy import units as u

#: physical type -> (model unit, library unit)
_TARGETS = {
    "electrical potential": (u.mV, u.mV),
    "time": (u.ms, u.ms),
    "electrical current": (u.pA, u.nA),
    "electrical capacitance": (u.pF, u.nF),
    "electrical conductance": (u.nS, u.uS),
    "electrical resistance": (u.Gohm, u.Mohm),
}

#: library unit of a physical type that is not one of _TARGETS but has a usual name
_NAMED_PYNN = {"frequency": "Hz"}


def _reduce(unit, system):
    """(factor, list of (target unit, power)) expressing `unit` in `system` (0 model, 1 library).

    One unit of `unit` equals ``factor`` units of the product of the returned terms. For the
    model system this follows NESTML's own rule (``NESTUnitConverter``): the six physical
    types of ``_TARGETS`` are converted, a composite unit is converted base by base, and any
    other named unit (Hz, mmol, ...) is kept as it is.
    """
    if unit.physical_type == "dimensionless":
        return float(unit.si.scale), []
    target = next((t for name, t in _TARGETS.items() if unit.physical_type == name), None)
    if target is not None:
        return float((unit / target[system]).si.scale), [(target[system], 1)]
    name = next((n for kind, n in _NAMED_PYNN.items() if unit.physical_type == kind), None)
    if system == 1 and name:
        return float(unit.to(u.Unit(name))), [(u.Unit(name), 1)]
    if not isinstance(unit, u.CompositeUnit) or (len(unit.bases) == 1 and unit.powers[0] == 1
                                                 and unit.bases[0] is unit):
        return 1.0, [(unit, 1)]
    factor, terms = float(unit.scale), []
    for base, power in zip(unit.bases, unit.powers):
        f, t = _reduce(base, system)
        factor *= f ** power
        terms += [(tu, p * power) for tu, p in t]
    return factor, terms


def _unit_string(terms):
    powers = {}
    for unit, power in terms:
        name = unit.to_string()
        powers[name] = powers.get(name, 0) + power
    num = [n if p == 1 else f"{n}**{p}" for n, p in powers.items() if p > 0]
    den = [n if p == -1 else f"{n}**{-p}" for n, p in powers.items() if p < 0]
    text = "*".join(num) or ("1" if den else "dimensionless")
    if den:
        text += "/" + ("*".join(den) if len(den) == 1 else "(" + "*".join(den) + ")")
    return text


def model_factor(unit):
    """Number of model units in one `unit` (an astropy unit): 1 nA -> 1000 (pA)."""
    return _reduce(unit, 0)[0]


def describe_unit(unit):
    """(model unit string, library unit string, to_pynn factor) for an astropy unit.

    A dimensionless unit gives ``("dimensionless", "dimensionless", 1.0)``.
    """
    if unit is None or unit.physical_type == "dimensionless":
        return "dimensionless", "dimensionless", 1.0
    m_factor, m_terms = _reduce(unit, 0)
    p_factor, p_terms = _reduce(unit, 1)
    model_text = _unit_string(m_terms)
    pynn_text = _unit_string(p_terms)
    to_pynn = p_factor / m_factor
    # the factors are powers of ten: remove the binary noise of the division
    if to_pynn > 0:
        exponent = round(math.log10(to_pynn))
        if math.isclose(to_pynn, 10.0 ** exponent, rel_tol=1e-12):
            to_pynn = 10.0 ** exponent
    return model_text, pynn_text, to_pynn
