"""_plot.py — `SimulationResult.plot`: each figure of the HTML report as a
matplotlib figure for notebooks (displayed inline by Jupyter).

    r = mlsysim.simulate("scenarios/llama3_8b_8xh100_bursty.textproto")
    fig = r.plot.ttft_cdf()          # matplotlib.figure.Figure
    fig.savefig("ttft.png")
"""

from . import _figures


class Plots:
    def __init__(self, raw):
        self._raw = raw

    def _one(self, builder, what, names=None):
        """The first figure `builder` draws from the result, or from one of its
        parts (serving + job queue); `names` keeps only those series."""
        for doc in [self._raw] + list(self._raw.get("parts", [])):
            if names is not None:
                doc = dict(doc, series=[s for s in doc.get("series", []) if s.get("name") in names])
            figs = builder(doc)
            if figs:
                return figs[0].fig
        raise ValueError(f"this {self._raw.get('form', '')} result has no {what} data")

    def ttft_cdf(self):
        """Time to first token: simulated CDF (per tenant), closed forms marked."""
        return self._one(_figures.serving_cdfs, "TTFT", {"ttft_s"})

    def latency_cdfs(self):
        """TTFT, time per output token and end-to-end latency CDFs."""
        return self._one(_figures.serving_cdfs, "latency")

    def over_time(self):
        """Queue length, batch size, KV-cache use and throughput over time."""
        return self._one(_figures.serving_over_time, "time-series")

    def sojourn_cdf(self):
        """Queue: simulated sojourn-time CDF against the exact distribution."""
        return self._one(_figures.queue_cdf, "sojourn")

    def pipeline(self):
        """Training: one step's pipeline schedule per stage (Gantt)."""
        return self._one(_figures.training_gantt, "pipeline schedule")

    def step_breakdown(self):
        """Training: compute, bubble and exposed communication beside the Iron Law."""
        return self._one(_figures.training_breakdown, "step breakdown")

    def failures(self):
        """Training: failures by cause and checkpoints over the run."""
        return self._one(_figures.training_timeline, "failure timeline")

    def ettr(self):
        """Training: ETTR against checkpoint interval (exact, first order, simulated, Young, Daly)."""
        return self._one(_figures.training_ettr, "ETTR")

    def job_waits(self):
        """Job queue: the wait CDF per class, with the M/G/1 mean where it holds."""
        return self._one(_figures.jobs_wait_cdf, "job wait")

    def collective(self):
        """Collective: simulated against alpha-beta by message size."""
        return self._one(_figures.collective_sizes, "collective")

    def all(self):
        """Every figure the report would draw: [(title, caption, figure)]."""
        return [(f.title, f.caption, f.fig) for f in _figures.figures_for(self._raw)]
