"""_figures_analytic.py — the figures of `eval` (roofline; a plan by wall),
`serve` (memory per accelerator) and `sweep` (objectives across the axes,
with the exact ETTR curve over checkpoint intervals), from their JSON.
Each builder returns a list of _figures.Figure.
"""

import math

from ._figstyle import COLORS, KIND_COLORS, new_figure
from ._figures import Figure

def roofline(doc, hw):
    """The roofline of `hw` (peak FLOP/s, bandwidth B/s) with the workload's point."""
    ai = doc.get("p_arithmetic_intensity")
    if hw is None or ai is None:
        return []
    peak, bw = hw["flops"], hw["bandwidth"]
    ridge = peak / bw
    fig, (ax,) = new_figure(1, 1, width=9, height=4.2)
    xs = [10 ** (k / 20) for k in range(-40, 101)]
    ax.loglog(xs, [min(peak, bw * x) for x in xs], color=COLORS["closed"], label="roofline min(peak, I·BW)")
    ax.axvline(ridge, color=COLORS["other"], linestyle=":", label=f"ridge {ridge:.3g} FLOP/B")
    attained = min(peak, bw * ai)
    if doc.get("p_mfu") is not None:
        attained = doc["p_mfu"] * peak
    ax.loglog([ai], [attained], "o", color=COLORS["sim"], markersize=9,
              label=f"workload: I = {ai:.3g} FLOP/B, {attained:.3g} FLOP/s")
    ax.set_xlabel("arithmetic intensity (FLOP/B)")
    ax.set_ylabel("FLOP/s")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    caption = (f"Roofline of {hw['name']} ({peak:.3g} FLOP/s peak at the run's precision, {bw:.3g} B/s memory "
               f"bandwidth): the workload ({doc.get('scenario', '')}) is {doc.get('p_bottleneck', '?')}-bound; "
               "its point is drawn at the throughput the model reaches (MFU × peak).")
    return [Figure(fig, "Roofline", caption)]


def plan_walls(doc):
    """A plan's figures by wall: where a step's time goes (walls 1-2 compute
    and memory on the node, 14 communication) and where the money goes (17
    capital, 18 sustainability's energy)."""
    step, comm = doc.get("p_step_latency"), doc.get("p_comm_overhead")
    capex, energy = doc.get("m_capex"), doc.get("m_energy_cost")
    if step is None and capex is None:
        return []
    fig, axes = new_figure(1, 2, width=11, height=2.8)
    if step is not None and comm is not None:
        node = max(0.0, step - comm)
        axes[0].barh(0, node, color=KIND_COLORS["compute"],
                     label=f"walls 1-2 node ({doc.get('p_bottleneck', '?')}-bound) {node:.4g} ms")
        axes[0].barh(0, comm, left=node, color=KIND_COLORS["dp"], label=f"wall 14 communication {comm:.4g} ms")
        axes[0].set_xlabel("ms per step (DistributedModel)")
        axes[0].set_yticks([])
        axes[0].set_ylim(-0.6, 2.2)
        axes[0].legend(fontsize=7, loc="upper left")
    if capex is not None and energy is not None:
        axes[1].barh(0, capex, color=COLORS["other"], label=f"wall 17 capital (amortized) {capex:,.0f} USD")
        axes[1].barh(0, energy, left=capex, color=COLORS["fail"], label=f"wall 18 energy {energy:,.0f} USD")
        rest = (doc.get("m_tco_usd") or 0.0) - capex - energy
        if rest > 0:
            axes[1].barh(0, rest, left=capex + energy, color=KIND_COLORS["pp"], label=f"other opex {rest:,.0f} USD")
        axes[1].set_xlabel("USD over the plan's duration (EconomicsModel)")
        axes[1].set_yticks([])
        axes[1].set_ylim(-0.6, 2.2)
        axes[1].legend(fontsize=7, loc="upper left")
    caption = (f"The plan '{doc.get('scenario', '')}' by wall (mlsysim v0.1.1's solvers): a step's time on the node "
               "and in communication, and the cost of ownership (TCO) split into amortized capital, energy and other "
               "operating cost"
               + (f"; carbon {doc['m_carbon_footprint']:.4g} t CO2e." if doc.get("m_carbon_footprint") is not None
                  else "."))
    return [Figure(fig, "The plan by wall", caption)]


def serve_memory(doc, hw):
    if hw is None or doc.get("memory_utilization") is None:
        return []
    cap = hw["capacity"] / 1e9
    used = doc["memory_utilization"] * cap
    kv = doc.get("kv_cache_gb", 0.0)
    fig, (ax,) = new_figure(1, 1, width=9, height=2.2)
    ax.barh(0, used - kv, color=KIND_COLORS["compute"], label=f"weights and activations {used - kv:.3g} GB")
    ax.barh(0, kv, left=used - kv, color=KIND_COLORS["pp"], label=f"KV cache {kv:.3g} GB")
    ax.barh(0, max(0.0, cap - used), left=used, color="#dddddd", label=f"free {max(0.0, cap - used):.3g} GB")
    ax.set_yticks([])
    ax.set_xlabel("GB per accelerator")
    ax.set_ylim(-0.6, 1.6)
    ax.legend(fontsize=7, ncol=3, loc="upper left")
    caption = (f"Memory of one {hw['name']} ({cap:.3g} GB) serving {doc.get('model')} at sequence "
               f"{doc.get('seq_len')} and batch {doc.get('batch_size')} (mlsysim ServingModel): TTFT "
               f"{doc.get('ttft_ms', 0):.3g} ms, ITL {doc.get('itl_ms', 0):.3g} ms.")
    return [Figure(fig, "Memory per accelerator", caption)]


_TIME_UNITS = {"s": 1.0, "ms": 1e-3, "min": 60.0, "h": 3600.0, "hour": 3600.0, "d": 86400.0, "day": 86400.0}


def _axis_value(v):
    """(number, unit) of a sweep point's value ("12 min" -> (12.0, "min")), or (None, "")."""
    parts = str(v).split()
    try:
        return float(parts[0]), (parts[1] if len(parts) > 1 else "")
    except (ValueError, IndexError):
        return None, ""


def exponential_checkpoint_ettr(tau, write, restart, mtbf):
    """Daly's exact ETTR for exponential failures (the C++ core's
    ExponentialCheckpointEttr, analytic/formulas.h)."""
    if tau <= 0:
        return 0.0
    return tau / (mtbf * math.exp(restart / mtbf) * math.expm1((tau + write) / mtbf))


def _natural_key(text):
    """Sorts "tp=8" before "tp=48" and "8 min" before "16 min": numbers as numbers."""
    import re
    return [(0, float(t), "") if re.fullmatch(r"-?\d+(\.\d+)?", t) else (1, 0.0, t)
            for t in re.split(r"(-?\d+(?:\.\d+)?)", str(text)) if t != ""]


def _line_styles(n):
    """n distinguishable (colour, marker) pairs: 20 colours (tab20, pairs
    apart), then markers; never a repeated pair."""
    import matplotlib
    tab = matplotlib.colormaps["tab20"].colors
    order = list(range(0, 20, 2)) + list(range(1, 20, 2))
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    return [(tab[order[i % 20]], markers[(i // 20) % len(markers)]) for i in range(n)]


def _objective_value(r, spec):
    m = r["metrics"]
    v = m.get(spec["metric"], math.nan)
    if spec.get("per"):
        d = m.get(spec["per"], math.nan)
        v = v / d if d else math.nan
    return v


def _objective_ci(r, spec):
    m = r["metrics"]
    ci = m.get(spec["metric"] + ".ci95", 0.0)
    if spec.get("per"):
        d = m.get(spec["per"], math.nan)
        ci = abs(ci / d) if d else 0.0
    return ci


def _objective_label(spec):
    return spec["metric"] + (f" per {spec['per']}" if spec.get("per") else "")


def sweep_figures(rows, objectives, constraints=None, specs=None, best=None, tied=None, pareto=None):
    """Each objective against the first numeric axis, one line per value of the
    other axes (sorted numerically, distinct colour and marker each, legend
    beside the plot), feasible points filled and infeasible ones hollow, the
    constraint on that metric drawn, the best point starred and those tied
    with it ringed; over checkpoint intervals also the exact ETTR curve and
    Young's and Daly's intervals of each line. With two objectives, a
    cost-against-the-other scatter with the Pareto front."""
    ok = [r for r in rows if r.get("status") == "ok"]
    if not ok:
        return []
    specs = specs or [{"metric": o, "per": "", "maximize": False} for o in
                      (objectives or [k for k in ok[0]["metrics"] if "." not in k][:1])]
    constraints = constraints or []
    tied = set(tied or [])
    pareto = set(pareto or [])
    axes_names = list(ok[0]["point"].keys())
    numeric = [a for a in axes_names if all(_axis_value(r["point"][a])[0] is not None for r in ok)]
    out = []
    seen = set()
    for spec in specs:
        label = _objective_label(spec)
        if label in seen or not numeric:
            continue
        seen.add(label)
        out.append(_objective_figure(ok, spec, numeric[0], axes_names, constraints, best, tied))
    if len(specs) >= 2 and _objective_label(specs[0]) != _objective_label(specs[1]):
        out.append(_pareto_figure(rows, specs[0], specs[1], constraints, best, tied, pareto))
    return out


def _objective_figure(ok, spec, xa, axes_names, constraints, best, tied):
    obj = spec["metric"]
    label = _objective_label(spec)
    unit = _axis_value(ok[0]["point"][xa])[1]
    factor = _TIME_UNITS.get(unit, 1.0)
    others = [a for a in axes_names if a != xa]
    xs_all = [_axis_value(r["point"][xa])[0] for r in ok]
    fig, (ax,) = new_figure(1, 1, width=10, height=4.2)
    groups = {}
    for r in ok:
        groups.setdefault(", ".join(f"{a}={r['point'][a]}" for a in others), []).append(r)
    keys = sorted(groups, key=_natural_key)
    drew_exact = False
    for key, (color, marker) in zip(keys, _line_styles(len(keys))):
        rs = sorted(groups[key], key=lambda r: _axis_value(r["point"][xa])[0])
        x = [_axis_value(r["point"][xa])[0] for r in rs]
        y = [_objective_value(r, spec) for r in rs]
        ci = [_objective_ci(r, spec) for r in rs]
        ax.errorbar(x, y, yerr=ci, fmt="-", color=color, capsize=3, linewidth=1, alpha=0.8)
        feas = [r.get("meets_constraints", True) for r in rs]
        ax.scatter([a for a, f in zip(x, feas) if f], [b for b, f in zip(y, feas) if f], color=color,
                   marker=marker, s=28, zorder=3, label=key or "simulated")
        ax.scatter([a for a, f in zip(x, feas) if not f], [b for b, f in zip(y, feas) if not f],
                   facecolors="none", edgecolors=color, marker=marker, s=28, zorder=3)
        m = rs[0]["metrics"]
        interval_axis = xa == "checkpoint.interval" and unit in _TIME_UNITS
        if interval_axis and obj == "ettr" and not spec.get("per") and all(
                k in m for k in ("checkpoint_write_s", "restart_time_s", "cluster_mtbf_s")):
            lo, hi = min(xs_all) / 2, max(xs_all) * 2
            grid = [lo * (hi / lo) ** (i / 120) for i in range(121)]
            ax.plot(grid, [exponential_checkpoint_ettr(g * factor, m["checkpoint_write_s"], m["restart_time_s"],
                                                       m["cluster_mtbf_s"]) for g in grid],
                    "-", color=color, alpha=0.45, linewidth=1)
            drew_exact = True
        elif not spec.get("per") and all(r["metrics"].get(obj + ".closed_form") is not None for r in rs):
            ax.plot(x, [r["metrics"][obj + ".closed_form"] for r in rs], "--", color=color, alpha=0.6)
        if interval_axis:
            for name, style in [("young_interval_s", ":"), ("daly_interval_s", "-.")]:
                if name in m:
                    ax.axvline(m[name] / factor, linestyle=style, color=color, alpha=0.6)
        for r, a, b in zip(rs, x, y):
            if r["index"] == best:
                ax.scatter([a], [b], marker="*", s=260, facecolors="none", edgecolors="black", zorder=4,
                           label="best")
            elif r["index"] in tied:
                ax.scatter([a], [b], marker="o", s=160, facecolors="none", edgecolors="black",
                           linestyle=":", zorder=4, label="tied with the best")
    for c in constraints:
        if c.get("metric") == obj and not spec.get("per"):
            ax.axhline(c["value"], color="black", linestyle="--", linewidth=1,
                       label=f"constraint {obj} {c['op']} {c['value']:g}")
    if max(xs_all) / max(1e-300, min(xs_all)) > 20:
        ax.set_xscale("log")
    ax.set_xlabel(f"{xa} ({unit})" if unit else xa)
    ax.set_ylabel(label)
    ax.grid(alpha=0.3)
    _log_if_wide(ax, [_objective_value(r, spec) for r in ok] +
                 [c["value"] for c in constraints if c.get("metric") == obj and not spec.get("per")])
    _legend_beside(ax, keys)
    caption = (f"{label} at each of the {len(ok)} simulated points against {xa}"
               + (f", one line per {', '.join(others)} (sorted numerically)" if others else "")
               + "; filled: meets the constraints, hollow: does not; star: the best point, ringed: the points "
                 "statistically tied with it; error bars: 95 % CI over replications where there are several; "
               + ("thin line: the exact renewal ETTR for exponential failures (Daly 2006) of that line's write, "
                  "restart and MTBF; dotted / dash-dotted: its Young / Daly interval."
                  if drew_exact else "dashed: each point's closed form, where its result has one."))
    return Figure(fig, f"{label} across the sweep", caption)


def _log_if_wide(ax, values, which="y"):
    """A log axis where positive values span more than a factor of 100."""
    v = [x for x in values if isinstance(x, (int, float)) and math.isfinite(x)]
    if v and min(v) > 0 and max(v) / min(v) > 100:
        (ax.set_yscale if which == "y" else ax.set_xscale)("log")


def _legend_beside(ax, first):
    """The legend right of the plot: the lines in `first`'s order, then the
    markers and constraints, each label once."""
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    order = [k for k in first if k in unique] + [k for k in unique if k not in first]
    ax.legend([unique[k] for k in order], order, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              frameon=False)


def _pareto_figure(rows, a, b, constraints, best, tied, pareto):
    ok = [r for r in rows if r.get("status") == "ok"]
    fig, (ax,) = new_figure(1, 1, width=7.5, height=4.6)
    for feasible, style in [(True, dict(color="#2a9d8f", label="meets the constraints")),
                            (False, dict(facecolors="none", edgecolors="#e76f51", label="fails a constraint"))]:
        pts = [r for r in ok if bool(r.get("meets_constraints", True)) == feasible]
        ax.scatter([_objective_value(r, a) for r in pts], [_objective_value(r, b) for r in pts], s=30,
                   zorder=3, **style)
    front = sorted((r for r in ok if r["index"] in pareto), key=lambda r: _objective_value(r, a))
    if front:
        ax.plot([_objective_value(r, a) for r in front], [_objective_value(r, b) for r in front], "-",
                color="black", linewidth=1, zorder=2, label="Pareto front")
        for r in front:
            ax.annotate(f"#{r['index']}", (_objective_value(r, a), _objective_value(r, b)), fontsize=7,
                        textcoords="offset points", xytext=(4, 4))
    for r in ok:
        if r["index"] == best:
            ax.scatter([_objective_value(r, a)], [_objective_value(r, b)], marker="*", s=300,
                       facecolors="none", edgecolors="black", zorder=4, label="best")
    for c in constraints:
        if c.get("metric") == b["metric"] and not b.get("per"):
            ax.axhline(c["value"], color="black", linestyle="--", linewidth=1,
                       label=f"constraint {c['metric']} {c['op']} {c['value']:g}")
        if c.get("metric") == a["metric"] and not a.get("per"):
            ax.axvline(c["value"], color="black", linestyle="--", linewidth=1,
                       label=f"constraint {c['metric']} {c['op']} {c['value']:g}")
    ax.set_xlabel(_objective_label(a) + (" (maximize)" if a.get("maximize") else " (minimize)"))
    ax.set_ylabel(_objective_label(b) + (" (maximize)" if b.get("maximize") else " (minimize)"))
    ax.grid(alpha=0.3)
    _log_if_wide(ax, [_objective_value(r, b) for r in ok], "y")
    _log_if_wide(ax, [_objective_value(r, a) for r in ok], "x")
    _legend_beside(ax, [])
    caption = (f"Every point that ran: {_objective_label(a)} against {_objective_label(b)}; "
               "the line joins the non-dominated points that meet the constraints (labelled by index); "
               "star: the best on the first objective.")
    return Figure(fig, f"{_objective_label(a)} against {_objective_label(b)}", caption)
