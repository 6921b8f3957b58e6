"""_registries.py — the registries as attribute namespaces, as in mlsysim
v0.1.1: Hardware.H100 (and Hardware.Cloud.H100, Hardware.Tiny.nRF52840),
Models.Llama3_8B (and Models.Tiny.DS_CNN), Systems.Clusters.Research_256,
Systems.Fabrics.InfiniBand_NDR, Infra.Quebec (and Infra.Grids.Quebec).

Entries come from the C++ core's built-in registry (`mlsysim -o json zoo`);
numeric fields are pint quantities where they have a unit.
"""

import json

from . import _core
from ._quantities import quantity

# Units of the listings' quantities, as the C++ listing declares them.
_FIELD_UNITS = {}


class RegistryEntry:
    """One registry entry: its fields as attributes (quantities where they
    have units). Passed to a solver, it stands for its name."""

    def __init__(self, kind, fields):
        self._kind = kind
        self._registry_name = fields["name"]
        self._fields = fields
        for key, value in fields.items():
            unit = _FIELD_UNITS.get(key)
            if key == "precision_flops" and isinstance(value, dict):
                value = {k: quantity(v, "flop/s") for k, v in value.items()}
            elif unit is not None and isinstance(value, (int, float)):
                value = quantity(value, unit)
            setattr(self, key, value)

    def __repr__(self):
        return f"<{self._kind} {self._registry_name}>"

    def __str__(self):
        return self._fields.get("display_name", self._registry_name)


class _Group:
    """A nested group of fields, as mlsysim's HardwareNode has
    (`hardware.compute.peak_flops`, `hardware.memory.bandwidth`)."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __repr__(self):
        return "(" + ", ".join(f"{k}={v}" for k, v in self.__dict__.items()) + ")"


def _hardware_groups(entry):
    entry.compute = _Group(peak_flops=getattr(entry, "flops", None),
                           precision_flops=getattr(entry, "precision_flops", {}))
    entry.memory = _Group(bandwidth=getattr(entry, "bandwidth", None), capacity=getattr(entry, "capacity", None))
    return entry


class Namespace:
    """Attribute access to registry entries (and sub-namespaces); iterable."""

    def __init__(self, name):
        self._name = name
        self._entries = {}

    def _add(self, key, entry):
        self._entries[key] = entry
        setattr(self, key, entry)

    def __iter__(self):
        return iter(self._entries.values())

    def __len__(self):
        return len(self._entries)

    def __repr__(self):
        return f"<{self._name}: {', '.join(self._entries)}>"


def _zoo(kind):
    listing, units = _core.zoo(kind)
    _FIELD_UNITS.update(units)
    return json.loads(listing)


def _build():
    hardware = Namespace("Hardware")
    for h in _zoo("hardware")["hardware"]:
        entry = _hardware_groups(RegistryEntry("Hardware", h))
        hardware._add(h["name"], entry)
        tier = h.get("tier") or "Other"
        if not hasattr(hardware, tier):
            hardware._add(tier, Namespace(f"Hardware.{tier}"))
        getattr(hardware, tier)._add(h["name"], entry)
    models = Namespace("Models")
    for m in _zoo("models")["models"]:
        entry = RegistryEntry("Model", m)
        models._add(m["name"], entry)
        group = m.get("group")
        if group:
            if not hasattr(models, group):
                models._add(group, Namespace(f"Models.{group}"))
            getattr(models, group)._add(m["name"], entry)
    systems = Namespace("Systems")
    zoo = _zoo("systems")
    for kind, attr in (("clusters", "Clusters"), ("fabrics", "Fabrics"), ("nodes", "Nodes")):
        space = Namespace(f"Systems.{attr}")
        for s in zoo.get(kind, []):
            entry = RegistryEntry(attr[:-1], s)
            space._add(s["name"], entry)
        systems._add(attr, space)
    infra = Namespace("Infra")
    grids = Namespace("Infra.Grids")
    for g in _zoo("grids")["grids"]:
        entry = RegistryEntry("Grid", g)
        infra._add(g["name"], entry)
        grids._add(g["name"], entry)
    infra._add("Grids", grids)
    return hardware, models, systems, infra


Hardware, Models, Systems, Infra = _build()
