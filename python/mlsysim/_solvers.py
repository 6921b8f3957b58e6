"""_solvers.py — mlsysim v0.1.1's solvers, optimizers and calc_* formulas with
its names and keyword arguments, on the C++ core (the same dispatcher as
`mlsysim solve`, so every number equals the CLI's).

    profile = Engine.solve(model=Models.Llama3_8B, hardware=Hardware.H100, batch_size=1)
    profile.latency.to("ms")          # a pint quantity
    ServingModel().solve(model=..., hardware=..., seq_len=4096, batch_size=32)

Arguments: registry entries or their names, plain numbers (SI, or the unit
the argument's name carries), unit strings ("400 Gbps") or pint quantities.
Positional arguments follow mlsysim's signature order. Bad input raises
ValueError with the CLI's message, which names the argument.
"""

import json

from . import _core
from ._quantities import quantity, to_arg


class SolverResult:
    """A solver's result: every field mlsysim returns as an attribute, pint
    quantities for fields with units (made on first access). The units come
    with the result from the C++ solver that made it."""

    def __init__(self, solver, fields, units=None):
        self._solver = solver
        self._fields = fields
        self._units = units or {}
        self._cache = {}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        fields = self._fields
        if name not in fields:
            raise AttributeError(f"{self._solver} result has no field '{name}'; fields: {', '.join(fields)}")
        if name not in self._cache:
            value = fields[name]
            unit = self._units.get(name)
            if isinstance(value, dict):
                value = SolverResult(self._solver, value, self._units)
            elif unit is not None and (isinstance(value, (int, float)) or value in ("inf", "-inf")):
                value = quantity(value, unit)
            elif value in ("inf", "-inf", "nan"):
                value = float(value)
            self._cache[name] = value
        return self._cache[name]

    def fields(self):
        """The field names, in mlsysim's order."""
        return list(self._fields)

    def to_dict(self):
        """The raw values (SI numbers, or the unit a field's name carries)."""
        return dict(self._fields)

    def __repr__(self):
        shown = ", ".join(f"{k}={getattr(self, k)!s}" for k in list(self._fields)[:6])
        return f"<{self._solver} result: {shown}{', ...' if len(self._fields) > 6 else ''}>"


def _call(solver, params, args, kwargs):
    if len(args) > len(params):
        raise TypeError(f"{solver}.solve takes at most {len(params)} positional arguments ({', '.join(params)})")
    call = {}
    for name, value in zip(params, args):
        call[name] = value
    for name, value in kwargs.items():
        if name in call:
            raise TypeError(f"{solver}.solve got '{name}' twice")
        call[name] = value
    request = {"solver": solver, "args": {k: to_arg(v) for k, v in call.items() if v is not None}}
    result_json, units = _core.solve(json.dumps(request))
    return json.loads(result_json), units


class _Solver:
    """Base of the solver classes: `Cls().solve(...)` and `Cls.solve(...)`."""

    _name = ""
    _params = ()

    @classmethod
    def solve(cls, *args, **kwargs):
        return SolverResult(cls._name, *_call(cls._name, cls._params, args, kwargs))


_ENGINE_FIELDS = ("latency", "latency_compute", "latency_memory", "latency_overhead", "throughput", "bottleneck",
                  "arithmetic_intensity", "energy", "memory_footprint", "peak_flops_actual", "peak_bw_actual", "mfu",
                  "hfu", "feasible", "offload_spill_bytes", "offload_effective_bw")


_ENGINE_UNITS = _core.engine_units()


class Engine(_Solver):
    """mlsysim's single-node roofline (Walls 1–2): Engine.solve(model, hardware, ...)."""

    _name = "Engine"

    @classmethod
    def solve(cls, model=None, hardware=None, batch_size=1, precision="fp16", efficiency=0.5, raise_errors=False,
              is_training=False, seq_len=2048, zero_stage=0, dp_size=1, is_lora=False,
              activation_recomputation=False):
        simple = (isinstance(batch_size, int) and isinstance(seq_len, int) and isinstance(zero_stage, int)
                  and isinstance(dp_size, int) and isinstance(efficiency, (int, float)) and not raise_errors
                  and model is not None and hardware is not None)
        if not simple:  # the general path: validation and messages of the dispatcher
            return super().solve(model=model, hardware=hardware, batch_size=batch_size, precision=precision,
                                 efficiency=efficiency, raise_errors=raise_errors, is_training=is_training,
                                 seq_len=seq_len, zero_stage=zero_stage, dp_size=dp_size, is_lora=is_lora,
                                 activation_recomputation=activation_recomputation)
        values = _core.engine(to_arg(model), to_arg(hardware), batch_size, precision, float(efficiency),
                              bool(is_training), seq_len, zero_stage, dp_size, bool(is_lora),
                              bool(activation_recomputation))
        return SolverResult("Engine", dict(zip(_ENGINE_FIELDS, values)), _ENGINE_UNITS)


def _make_solver(name):
    return type(name, (_Solver,), {"_name": name, "_params": tuple(_core.solver_params(name)),
                                   "__doc__": f"mlsysim v0.1.1's {name}: {name}().solve(...)."})


def _make_formula(name):
    params = tuple(_core.solver_params(name))

    def formula(*args, **kwargs):
        fields, units = _call(name, params, args, kwargs)
        result = SolverResult(name, fields, units)
        return getattr(result, next(iter(fields))) if len(fields) == 1 else result

    formula.__name__ = name
    formula.__doc__ = f"mlsysim v0.1.1's {name}({', '.join(params)})."
    return formula


SOLVERS = {}
FORMULAS = {}
for _name in _core.solver_names():
    if _name == "Engine":
        Engine._params = tuple(_core.solver_params("Engine"))
        SOLVERS[_name] = Engine
    elif _name.startswith("calc_"):
        FORMULAS[_name] = _make_formula(_name)
    else:
        SOLVERS[_name] = _make_solver(_name)
