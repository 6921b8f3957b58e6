"""_figstyle.py — one look for every mlsysim figure: matplotlib on the Agg
backend (no display needed), fixed colours per kind of span, SVG output that
is byte-identical run to run (no date, fixed id salt)."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

matplotlib.rcParams.update({
    "svg.hashsalt": "mlsysim",      # deterministic element ids
    "svg.fonttype": "path",         # glyphs as paths: no font files needed offline
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
})

COLORS = {"sim": "#1f77b4", "closed": "#d62728", "other": "#7f7f7f", "fail": "#e6550d"}
KIND_COLORS = {"compute": "#4c72b0", "tp": "#55a868", "ep": "#8172b2", "pp": "#dd8452", "dp": "#c44e52",
               "bubble": "#e5e5e5"}


def new_figure(rows, cols, width, height, sharex=False):
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), sharex=sharex, squeeze=False)
    fig.set_layout_engine("constrained")
    return fig, [a for row in axes for a in row]


def scale_for(seconds):
    """A readable unit for times up to `seconds`: (factor, unit)."""
    if seconds < 1e-3:
        return 1e6, "µs"
    if seconds < 1:
        return 1e3, "ms"
    return 1.0, "s"


def to_svg(fig):
    """The figure as an inline <svg> element (no XML prolog), and closes it."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "mlsysim"})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]
