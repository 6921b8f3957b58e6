"""_quantities.py — pint quantities in mlsysim's units.

As in mlsysim v0.1.1 (contract §0), flop, param, count and dollar are
dimensionless, byte is pint's (dimensionless bit × 8), and decimal/binary
prefixes follow pint (GB = 1e9 B, GiB = 2^30 B). Results come back from the
C++ core as SI numbers with a unit string; `quantity` turns them into pint
quantities, and `to_arg` turns a quantity given by the user into the text the
core parses ("50.0 GB / s").
"""

import math

import pint

ureg = pint.UnitRegistry()
ureg.define("flop = count = FLOP")
ureg.define("param = count")
ureg.define("dollar = count = USD")
ureg.define("token = count")
ureg.define("request = count")
ureg.define("gpu = count = GPU")
Q_ = ureg.Quantity

# Unit names as the golden file and the Result contract write them -> pint.
_PINT_UNITS = {
    "s": "second",
    "ms": "millisecond",
    "1/s": "1/second",
    "B": "byte",
    "B/s": "byte/second",
    "GB": "gigabyte",
    "flop": "flop",
    "flop/s": "flop/second",
    "flop/B": "flop/byte",
    "J": "joule",
    "W": "watt",
    "kWh": "kilowatt_hour",
    "day": "day",
    "d": "day",
    "h": "hour",
    "1/d": "1/day",
    "count": "count",
    "1": "dimensionless",
    "tokens/s": "token/second",
    "requests/s": "request/second",
    "kg": "kilogram",
    "g": "gram",
    "L": "liter",
    "USD": "dollar",
    "GPU h": "gpu * hour",
}


def pint_unit(unit):
    """The pint unit for a unit string of the golden file or the Result."""
    return _PINT_UNITS.get(unit, unit)


def quantity(value, unit):
    """A pint quantity; None stays None, and "inf" becomes +inf."""
    if value is None:
        return None
    if isinstance(value, str):
        value = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}.get(value, value)
    return Q_(value, pint_unit(unit))


def to_arg(value):
    """A Python argument as the core accepts it: pint quantities as text with
    units, registry entries by name, lists element by element."""
    if isinstance(value, ureg.Quantity):
        return f"{value.magnitude!r} {format(value.units, '~')}"
    name = getattr(value, "_registry_name", None)
    if name is not None:
        return name
    if isinstance(value, (list, tuple)):
        return [to_arg(v) for v in value]
    return value
