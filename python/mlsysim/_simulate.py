"""_simulate.py — simulations from Python on the scenario layer.

    r = mlsysim.simulate("scenarios/mm8_tail_latency.textproto")   # a file,
    r = mlsysim.simulate('queue { servers: 2 ... }')                 # a textproto string,
    r = mlsysim.simulate.serving(model=Models.Llama3_8B, hardware=Hardware.H100,
                                 replicas=8, qps=200, requests=20000)  # a quick form
    r.ttft_p99_s.simulated.to("ms"); r.requests   # a pandas DataFrame

Keyword arguments of the quick forms are the CLI's flags (`--max-batch` is
`max_batch=`; True for a bare flag; a list repeats the flag, e.g. tenant=[...]).
They fill the same Scenario the CLI builds (--dump-scenario), through the same
C++ form table (sim/forms/) without a command line, and it runs with the GIL
released. Nothing is written to disk unless the scenario's
outputs ask for it; the per-record tables come back as DataFrames.
"""

import io
import json
import os

from . import _core
from ._quantities import quantity, to_arg


class Metric:
    """One figure: simulated (± ci95) beside its closed form."""

    def __init__(self, m):
        self.name = m["name"]
        self.unit = m.get("unit", "")
        self.simulated = quantity(m.get("simulated"), self.unit)
        self.ci95 = quantity(m.get("ci95"), self.unit)
        self.analytic = quantity(m.get("analytic"), self.unit)
        self.analytic_source = m.get("analytic_source", "")
        self.relative_gap = m.get("relative_gap")
        self.note = m.get("note", "")

    def __repr__(self):
        parts = [f"{self.name}: {self.simulated}"]
        if self.ci95 is not None:
            parts.append(f"± {self.ci95}")
        if self.analytic is not None:
            gap = f"gap {self.relative_gap:+.3%}" if self.relative_gap is not None else "gap undefined"
            if self.within_ci:
                gap += ", within the 95 % CI"
            parts.append(f"(closed form {self.analytic}, {self.analytic_source}, {gap})")
        return " ".join(parts)

    @property
    def within_ci(self):
        """True when the closed form lies inside simulated ± ci95: the replications
        cannot tell the two apart, whatever the gap reads."""
        if self.ci95 is None or self.analytic is None or self.simulated is None:
            return False
        ci = self.ci95.magnitude
        return ci > 0 and abs(self.simulated.magnitude - self.analytic.to(self.simulated.units).magnitude) <= ci


class SimulationResult:
    """The Result of a scenario run (proto/result.proto): metrics as Metric
    objects (also as attributes), facts, sections, and the per-record tables
    as pandas DataFrames (`requests`, `iterations` for serving; `events` for
    training)."""

    def __init__(self, result_json, tables):
        self.raw = json.loads(result_json)
        self.form = self.raw.get("form", "")
        self.name = self.raw.get("name", "")
        self.seed = int(self.raw.get("seed", 0))
        self.replications = self.raw.get("replications", 0)
        self.fingerprint = self.raw.get("fingerprint", "")
        self.warnings = self.raw.get("warnings", [])
        self.files = self.raw.get("files", [])
        self.metrics = {m["name"]: Metric(m) for m in self.raw.get("metrics", [])}
        self.facts = {f["name"]: f.get("text", f.get("number", f.get("flag"))) for f in self.raw.get("facts", [])}
        self.sections = {}
        for s in self.raw.get("sections", []):
            self.sections[s["name"]] = {m["name"]: Metric(m) for m in s.get("metrics", [])}
            for f in s.get("facts", []):
                self.sections[s["name"]][f["name"]] = f.get("text", f.get("number", f.get("flag")))
        self.parts = [SimulationResult(json.dumps(p), {}) for p in self.raw.get("parts", [])]
        self._tables = tables
        self._frames = {}

    def _table(self, name):
        if name not in self._frames:
            import pandas as pd  # deferred: analytic use never needs pandas
            text = self._tables.get(name)
            self._frames[name] = pd.read_csv(io.StringIO(text)) if text else pd.DataFrame()
        return self._frames[name]

    @property
    def requests(self):
        """Serving: one row per finished request of replication 0."""
        return self._table("requests")

    @property
    def iterations(self):
        """Serving: one row per batch iteration of replication 0."""
        return self._table("iterations")

    @property
    def events(self):
        """Training: failures and checkpoints of replication 0."""
        return self._table("events")

    @property
    def jobs(self):
        """Job-trace replays: one row per job (submit, start, end, wait; on a
        shared cluster also its nodes, steps and slowdown)."""
        return self._table("jobs")

    def __getattr__(self, name):
        metrics = self.__dict__.get("metrics", {})
        if name in metrics:
            return metrics[name]
        for section in self.__dict__.get("sections", {}).values():
            if name in section:
                return section[name]
        raise AttributeError(f"no metric '{name}'; metrics: {', '.join(metrics)}")

    def report(self):
        """The text report, as `mlsysim simulate` prints it."""
        return _core.report(json.dumps(self.raw))

    @property
    def plot(self):
        """The report's figures as matplotlib figures: r.plot.ttft_cdf(),
        r.plot.latency_cdfs(), r.plot.over_time(), r.plot.sojourn_cdf(),
        r.plot.pipeline(), r.plot.step_breakdown(), r.plot.failures(),
        r.plot.ettr(), r.plot.job_waits(), r.plot.collective(); r.plot.all() lists them all."""
        from ._plot import Plots  # deferred: matplotlib only when plotting
        return Plots(self.raw)

    def save_report(self, path):
        """Writes the self-contained HTML report (as `mlsysim report`); returns its size in bytes."""
        from . import report
        return report.write(self.raw, path)

    def __repr__(self):
        return f"<SimulationResult {self.form} '{self.name}': {len(self.metrics)} metrics>"


def _run_text(text, directory="", origin="scenario"):
    result_json, tables = _core.simulate(text, directory, origin)
    return SimulationResult(result_json, tables)


def _keywords(kwargs):
    """Keyword arguments as the quick form's (name, value) pairs: True gives a
    flag with no value, False and None leave it out, a list repeats it."""
    pairs = []
    for key, value in kwargs.items():
        if value is True:
            pairs.append((key, None))
        elif value is False or value is None:
            continue
        elif isinstance(value, (list, tuple)):
            pairs += [(key, str(to_arg(v))) for v in value]
        else:
            pairs.append((key, str(to_arg(value))))
    return pairs


def scenario_text(form, **kwargs):
    """The scenario (textproto) a quick form's keyword arguments describe."""
    return _core.form_scenario_text(form, _keywords(kwargs))


class _Simulate:
    """mlsysim.simulate(scenario) and the quick forms simulate.serving(...) etc."""

    def __call__(self, scenario=None, **kwargs):
        if scenario is None:
            raise TypeError("simulate(scenario): a .textproto path or a textproto string")
        if kwargs:
            raise TypeError("simulate(scenario) takes no keyword arguments; use simulate.serving(...) etc.")
        if os.path.exists(scenario) or scenario.endswith((".textproto", ".pbtxt", ".txtpb")):
            if not os.path.isfile(scenario):
                raise ValueError(f"scenario: '{scenario}' is not a readable file")
            with open(scenario, encoding="utf-8") as f:
                text = f.read()
            directory = os.path.dirname(scenario)
            return _run_text(text, directory + "/" if directory else "", scenario)
        return _run_text(scenario)

    def _form(self, form, kwargs):
        result_json, tables = _core.simulate_form(form, _keywords(kwargs))
        return SimulationResult(result_json, tables)

    def training(self, **kwargs):
        return self._form("training", kwargs)

    def serving(self, **kwargs):
        return self._form("serving", kwargs)

    def queue(self, **kwargs):
        return self._form("queue", kwargs)

    def jobs(self, **kwargs):
        return self._form("jobs", kwargs)

    def collective(self, **kwargs):
        return self._form("collective", kwargs)

    def chakra(self, **kwargs):
        return self._form("chakra", kwargs)


def _document_quick_forms():
    """Each quick form's docstring: its keywords, from the CLI's own help."""
    for form in ("training", "serving", "queue", "jobs", "collective", "chakra"):
        method = getattr(_Simulate, form)
        method.__doc__ = (
            f"simulate.{form}(**keywords) -> SimulationResult.\n\n"
            "Keywords are the CLI's flags with '_' for '-' (max_batch=64 for --max-batch 64); "
            "True gives a flag with no value, a list repeats the flag. The CLI's help:\n\n"
            + _core.form_help(form))


_document_quick_forms()
simulate = _Simulate()
