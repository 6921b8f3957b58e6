"""_figures.py — the figures of a simulate result, drawn with matplotlib from
the plot data the C++ core puts in every Result (proto/result.proto Series
and Span); those of `eval`, `serve` and `sweep` are in _figures_analytic.py.

Each builder takes the parsed JSON and returns a list of Figure objects
(matplotlib figure, title, caption) or [] when the result has nothing to draw
for it. `figures_for(doc, kind)` picks the builders of a result's kind.
"""

from ._figstyle import COLORS, KIND_COLORS, new_figure, scale_for

# ------------------------------------------------------------------ helpers


class Figure:
    def __init__(self, fig, title, caption):
        self.fig, self.title, self.caption = fig, title, caption


def series(doc, name, kind=None):
    return [s for s in doc.get("series", []) if s.get("name") == name and (kind is None or s.get("kind") == kind)]


def metric(doc, name):
    for m in doc.get("metrics", []):
        if m.get("name") == name:
            return m
    for sec in doc.get("sections", []):
        for m in sec.get("metrics", []):
            if m.get("name") == name:
                return m
    return None


def fact(doc, name):
    for f in doc.get("facts", []):
        if f.get("name") == name:
            return f.get("text", f.get("number", f.get("flag")))
    return None


def _label(s):
    src = s.get("source", "simulated")
    return f"{s['group']}: {src}" if s.get("group") else src


def _closed_form_marks(ax, doc, prefix, scale):
    """Vertical dashed lines at the closed-form values of metrics named prefix_p*_s."""
    drawn = []
    for m in doc.get("metrics", []):
        if m.get("name", "").startswith(prefix) and "analytic" in m:
            x = m["analytic"] * scale
            ax.axvline(x, color=COLORS["closed"], linestyle="--", linewidth=1)
            drawn.append(f"{m['name']} = {m['analytic']:.4g} s ({m.get('analytic_source', 'closed form')})")
    return drawn


# ------------------------------------------------------------------ serving


def serving_cdfs(doc):
    panels = [("ttft_s", "time to first token", "ttft_"), ("itl_s", "inter-token gap", "itl_"),
              ("tpot_s", "time per output token", None), ("e2e_s", "end-to-end latency", "e2e_")]
    present = [p for p in panels if series(doc, p[0], "cdf")]
    if not present:
        return []
    rows = 2 if len(present) > 3 else 1
    fig, axes = new_figure(rows, (len(present) + rows - 1) // rows, width=11, height=3.4 * rows)
    marks = []
    for ax, (name, title, prefix) in zip(axes, present):
        ss = series(doc, name, "cdf")
        hi = max(max(s["x"]) for s in ss if s.get("x"))
        scale, unit = scale_for(hi)
        for s in ss:
            ax.plot([v * scale for v in s["x"]], s["y"], label=_label(s), linewidth=1.6)
        if prefix:
            marks += _closed_form_marks(ax, doc, prefix, scale)
        ax.set_xlabel(f"{title} ({unit})")
        ax.set_ylabel("P[X ≤ x]")
        ax.set_ylim(0, 1.01)
        ax.grid(alpha=0.3)
        if len(ss) > 1:
            ax.legend(fontsize=7)
    note = series(doc, present[0][0], "cdf")[0].get("note", "")
    itl = series(doc, "itl_s", "cdf")
    caption = (f"Simulated latency CDFs (TTFT and end-to-end: {note}"
               + (f"; inter-token gaps: {itl[0].get('note', '')}" if itl else "")
               + "; time per output token: each request's mean gap, replication 0). "
               "Dashed lines: the closed forms of the same deployment"
               + (": " + "; ".join(marks) if marks else " (none for these percentiles)") + ".")
    return [Figure(fig, "Latency distributions", caption)]


def serving_over_time(doc):
    names = [("queue_length", "waiting requests"), ("batch_size", "decode batch per replica"),
             ("kv_utilization", "KV-cache use"), ("output_tokens_per_s", "output tokens/s")]
    present = [(n, t) for n, t in names if series(doc, n, "time")]
    if not present:
        return []
    fig, axes = new_figure(len(present), 1, width=11, height=1.9 * len(present), sharex=True)
    for ax, (name, title) in zip(axes, present):
        ss = series(doc, name, "time")
        s = ss[0]
        ax.plot(s["x"], s["y"], color=COLORS["sim"], linewidth=1.2, label="all" if len(ss) > 1 else None)
        ax.fill_between(s["x"], s["y"], alpha=0.15, color=COLORS["sim"])
        for t in ss[1:]:  # per tenant
            ax.plot(t["x"], t["y"], linewidth=1, label=t.get("group", ""))
        if len(ss) > 1:
            ax.legend(fontsize=7)
        ax.set_ylabel(title, fontsize=8)
        ax.grid(alpha=0.3)
    thr = metric(doc, "throughput_tokens_per_s")
    if thr and "analytic" in thr and any(n == "output_tokens_per_s" for n, _ in present):
        ax = axes[[n for n, _ in present].index("output_tokens_per_s")]
        ax.axhline(thr["analytic"], color=COLORS["closed"], linestyle="--", linewidth=1)
    axes[-1].set_xlabel("simulated time (s)")
    notes = "; ".join(f"{t}: {series(doc, n, 'time')[0].get('note', '')}" for n, t in present)
    if len(series(doc, "queue_length", "time")) > 1:
        notes += "; waiting requests also per tenant"
    caption = ("Replication 0 over simulated time. " + notes +
               (f". Dashed: the closed-form throughput ({thr.get('analytic_source', '')})." if thr and "analytic" in thr
                else "."))
    return [Figure(fig, "Queue, batch, KV cache and throughput over time", caption)]


# ------------------------------------------------------------------ queue


def queue_cdf(doc):
    ss = series(doc, "sojourn_s", "cdf")
    if not ss:
        return []
    fig, (ax, tail) = new_figure(1, 2, width=11, height=3.8)
    for s in ss:
        style = "-" if s.get("source") == "simulated" else "--"
        color = COLORS["sim"] if s.get("source") == "simulated" else COLORS["closed"]
        ax.plot(s["x"], s["y"], style, color=color, label=s.get("source"), linewidth=1.6)
        pairs = [(x, 1 - y) for x, y in zip(s["x"], s["y"]) if 1 - y > 1e-5]
        tail.semilogy([p[0] for p in pairs], [p[1] for p in pairs], style, color=color, label=s.get("source"))
    ax.set_xlabel("sojourn time (s)")
    ax.set_ylabel("P[T ≤ t]")
    tail.set_xlabel("sojourn time (s)")
    tail.set_ylabel("P[T > t] (log)")
    for a in (ax, tail):
        a.grid(alpha=0.3)
        a.legend(fontsize=8)
    exact = [s for s in ss if s.get("source") != "simulated"]
    caption = (f"Sojourn time of {fact(doc, 'servers')} server(s), ρ = {fact(doc, 'rho'):.3g}: simulated "
               f"({ss[0].get('note', '')}) against " +
               (f"the exact distribution ({exact[0]['source']})." if exact else
                "no exact distribution (queueing theory has one for M/M/c and M/D/1 only).") +
               " Right: the tail on a log scale.")
    return [Figure(fig, "Sojourn-time distribution", caption)]


def jobs_wait_cdf(doc):
    ss = series(doc, "wait_h", "cdf")
    if not ss or fact(doc, "placement") is not None:  # a shared cluster: shared_cluster_figures
        return []
    fig, (ax,) = new_figure(1, 1, width=9, height=3.6)
    for s in ss:
        ax.plot(s["x"], s["y"], label=s.get("group") or "all jobs", linewidth=1.6)
    marks = []
    for m in doc.get("metrics", []):
        if m.get("name", "").endswith("wait_mean_h") and "analytic" in m:
            ax.axvline(m["analytic"], color=COLORS["closed"], linestyle="--", linewidth=1)
            marks.append(f"mean wait {m['analytic']:.3g} h ({m.get('analytic_source', '')})")
        if m.get("name", "").endswith("wait_mean_h") and "simulated" in m:
            ax.axvline(m["simulated"], color=COLORS["other"], linestyle=":", linewidth=1)
    ax.set_xlabel("wait before the first start (h)")
    ax.set_ylabel("P[W ≤ w]")
    ax.set_ylim(0, 1.01)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    caption = (f"Job waits on {fact(doc, 'gpus'):g} GPUs under {fact(doc, 'policy')} scheduling, offered load "
               f"{fact(doc, 'offered_load'):.3g} ({ss[0].get('note', '')}); dotted: the simulated mean"
               + ("; dashed: " + "; ".join(marks) if marks else
                  "; no closed form for this mix of job widths (M/G/1 holds for whole-cluster FIFO jobs)") + ".")
    return [Figure(fig, "Job wait distribution", caption)]


def shared_cluster_figures(doc):
    """A shared cluster (job_queue.placement): slowdowns, utilisation, placements."""
    if fact(doc, "placement") is None:
        return []
    out = []
    waits, slow = series(doc, "wait_h", "cdf"), series(doc, "slowdown", "cdf")
    if waits and slow:
        fig, (a1, a2) = new_figure(1, 2, width=11, height=3.6)
        a1.plot(waits[0]["x"], waits[0]["y"], linewidth=1.6, label="simulated")
        m = metric(doc, "wait_mean_h")
        if m and "analytic" in m:
            a1.axvline(m["analytic"], color=COLORS["closed"], linestyle="--", linewidth=1,
                       label="GPU-count scheduler, mean")
        a1.set_xlabel("wait before the start (h)")
        a1.set_ylabel("P[W ≤ w]")
        a2.plot(slow[0]["x"], slow[0]["y"], linewidth=1.6, color=COLORS["other"])
        a2.set_xlabel("run time / work (slowdown)")
        for ax in (a1, a2):
            ax.set_ylim(0, 1.01)
            ax.grid(alpha=0.3)
        a1.legend(fontsize=7)
        pc, cc = metric(doc, "placement_cost_gpu_h"), metric(doc, "contention_cost_gpu_h")
        caption = (f"{fact(doc, 'jobs'):g} jobs of {fact(doc, 'job_trace')} on {fact(doc, 'gpus'):g} GPUs "
                   f"({fact(doc, 'topology')}, {fact(doc, 'routing')}, {fact(doc, 'oversubscription'):g}:1), "
                   f"{fact(doc, 'policy')} with {fact(doc, 'placement')} placement, contention "
                   f"{fact(doc, 'contention')}. Left: waits (dashed: the GPU-count scheduler's mean on the "
                   f"same trace). Right: each job's run time over its work; placement cost "
                   f"{pc['simulated']:.4g} GPU h, contention cost {cc['simulated']:.4g} GPU h.")
        out.append(Figure(fig, "Waits and slowdowns on a shared cluster", caption))
    busy = series(doc, "gpus_busy", "time")
    spans = [s for s in doc.get("spans", []) if s.get("lane", "").startswith("node ")]
    if busy and spans:
        nodes = sorted({int(s["lane"].split()[1]) for s in spans})
        fig, (a1, a2) = new_figure(2, 1, width=11, height=6.5)
        a1.step([x / 3600 for x in busy[0]["x"]], busy[0]["y"], where="post", linewidth=1.2)
        a1.set_ylabel("GPUs busy")
        a1.set_ylim(0, 1.02)
        a1.grid(alpha=0.3)
        for kind, color in (("job", COLORS["sim"]), ("contended", COLORS["closed"])):
            bars = {}
            for s in spans:
                if s.get("kind") == kind:
                    start = s.get("start_s", 0.0) / 3600
                    bars.setdefault(int(s["lane"].split()[1]), []).append(
                        (start, s.get("end_s", 0.0) / 3600 - start))
            for node, b in bars.items():
                a2.broken_barh(b, (node - 0.4, 0.8), color=color, linewidth=0)
            a2.plot([], [], color=color, linewidth=6,
                    label="met a neighbour on the fabric" if kind == "contended" else "ran")
        a2.set_ylim(max(nodes) + 1, -1)
        a2.set_ylabel("node")
        a2.set_xlabel("time (h)")
        a2.legend(fontsize=7, loc="upper right")
        caption = ("Top: the share of GPUs busy over the run. Bottom: where each job ran (one row per node); "
                   "jobs whose step was slowed by a neighbour on a shared link are marked.")
        out.append(Figure(fig, "Utilisation and placements over time", caption))
    return out


def sharing_figures(doc):
    """Serving and training on one cluster: the fleet's replicas over the day."""
    reps = series(doc, "serving_replicas", "time")
    if not reps:
        return []
    fig, (ax,) = new_figure(1, 1, width=11, height=3.2)
    ax.step([x / 3600 for x in reps[0]["x"]], reps[0]["y"], where="post", linewidth=1.4,
            label=f"in service ({fact(doc, 'sharing')})")
    fleet = fact(doc, "serving_nodes")
    m = metric(doc, "serving_replicas_mean")
    if m and "analytic" in m:
        ax.axhline(m["analytic"], color=COLORS["closed"], linestyle="--", linewidth=1, label="static split")
    ax.set_xlabel("time (h)")
    ax.set_ylabel("serving replicas")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    lent, pre, loss = metric(doc, "lent_gpu_h"), metric(doc, "training_preemptions"), metric(doc, "preemption_loss_gpu_h")
    caption = (f"The serving fleet ({fleet:g} nodes) as its autoscaler sized it (every "
               f"{fact(doc, 'autoscale_interval_s'):g} s, for {fact(doc, 'autoscale_target'):g} of a replica's "
               f"{fact(doc, 'replica_capacity_qps'):.3g} requests/s); its idle nodes ran training for "
               f"{lent['simulated']:.4g} GPU h, taken back with {pre['simulated']:g} preemption(s) that lost "
               f"{loss['simulated']:.4g} GPU h of work.")
    return [Figure(fig, "Serving replicas over the day", caption)]


# ------------------------------------------------------------------ training


def training_gantt(doc):
    spans = [s for s in doc.get("spans", []) if s.get("kind") not in ("failure", "checkpoint")]
    if not spans:
        return []
    lanes = sorted({s["lane"] for s in spans}, key=lambda l: (int(l.split()[1]), l))
    height = min(9.0, 1.2 + 0.22 * len(lanes))
    fig, (ax,) = new_figure(1, 1, width=11, height=height)
    index = {l: i for i, l in enumerate(lanes)}
    for kind in ["compute", "tp", "ep", "pp", "dp", "bubble"]:
        by_lane = {}
        for s in spans:
            if s["kind"] == kind:
                start = s.get("start_s", 0.0)
                by_lane.setdefault(index[s["lane"]], []).append((start, s.get("end_s", 0.0) - start))
        if not by_lane:
            continue
        for y, bars in by_lane.items():  # one collection per lane and kind
            ax.broken_barh(bars, (y - 0.4, 0.8), color=KIND_COLORS[kind])
        ax.plot([], [], color=KIND_COLORS[kind], linewidth=6, label=kind)
    ax.set_yticks(range(len(lanes)))
    ax.set_yticklabels(lanes, fontsize=6)
    ax.invert_yaxis()
    ax.set_xlabel("time in the step (s)")
    ax.legend(fontsize=7, ncol=6, loc="upper center", bbox_to_anchor=(0.5, 1.12))
    step = metric(doc, "step_time_s")
    if step and "simulated" in step:
        ax.axvline(step["simulated"], color="black", linewidth=0.8)
    caption = ("One training step of data-parallel replica 0 at flow level: per pipeline stage, its compute "
               "(TP/EP collectives nested), pipeline receives and DP all-reduce; bubbles are the idle gaps "
               f"between a stage's compute. Bubble share simulated {metric(doc, 'bubble_fraction').get('simulated', 0):.3f} "
               f"against the schedule's closed form {metric(doc, 'bubble_fraction').get('analytic', 0):.3f}.")
    return [Figure(fig, "Pipeline schedule of one step", caption)]


def training_breakdown(doc):
    step = metric(doc, "step_time_s")
    if not step or "simulated" not in step:
        return []
    parts = [("compute_s", "compute"), ("tp_communication_s", "TP comm"), ("ep_communication_s", "EP comm"),
             ("pipeline_bubble_s", "bubble"), ("exposed_dp_communication_s", "exposed DP comm")]
    fig, (ax,) = new_figure(1, 1, width=11, height=2.6)
    left = 0.0
    for (name, label), color in zip(parts, ["compute", "tp", "ep", "bubble", "dp"]):
        m = metric(doc, name)
        v = m.get("simulated", 0.0) if m else 0.0
        if v > 0:
            ax.barh(1, v, left=left, color=KIND_COLORS[color], label=f"{label} {v:.3g} s")
            left += v
    ax.barh(0, step["analytic"], color=COLORS["closed"], label=f"Iron Law {step['analytic']:.3g} s")
    mls = metric(doc, "step_time_mlsysim")
    rows = ["Iron Law 6PD/(N·peak·η)", "simulated step"]
    if mls and "analytic" in mls:
        ax.barh(2, mls["analytic"], color=COLORS["other"], label=f"mlsysim v0.1.1 {mls['analytic']:.3g} s")
        rows.append("mlsysim DistributedModel")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows, fontsize=8)
    ax.set_xlabel("seconds per step")
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3, axis="x")
    caption = (f"Where a step's {step['simulated']:.3g} s go on the critical path (the busiest stage, replica 0), beside "
               f"the Iron Law's compute-only time ({step['analytic']:.3g} s, gap {step.get('relative_gap', 0):+.1%})"
               + (" and mlsysim v0.1.1's DistributedModel." if len(rows) > 2 else "."))
    return [Figure(fig, "Step-time breakdown", caption)]


def training_timeline(doc):
    fails = [s for s in doc.get("spans", []) if s.get("kind") == "failure"]
    shares = [series(doc, n, "time") for n in ("checkpoint_share", "restart_share")]
    days = fact(doc, "days")
    if not days or not (fails or any(shares)):
        return []
    lanes = sorted({s["lane"] for s in fails})
    fig, (ax, share) = new_figure(2, 1, width=11, height=2.2 + 0.3 * len(lanes), sharex=True)
    for i, lane in enumerate(lanes):
        pts = [s for s in fails if s["lane"] == lane]
        sizes = [12 + 60 * min(1.0, s.get("value", 0.0) / 3600) for s in pts]
        ax.scatter([s.get("start_s", 0.0) / 86400 for s in pts], [i] * len(pts), s=sizes, color=COLORS["fail"],
                   alpha=0.7)
        for s in pts:
            ax.plot([s.get("start_s", 0.0) / 86400, s.get("end_s", 0.0) / 86400], [i, i], color="black", lw=1)
    ax.set_yticks(range(len(lanes)))
    ax.set_yticklabels(lanes, fontsize=7)
    ax.set_ylim(-0.7, max(0.7, len(lanes) - 0.3))
    ax.grid(alpha=0.3, axis="x")
    ax.set_title("failures by cause", fontsize=8, loc="left")
    for ss, label, color in zip(shares, ["writing checkpoints", "down after failures"],
                                [COLORS["other"], COLORS["fail"]]):
        if ss:
            share.plot([x / 86400 for x in ss[0]["x"]], ss[0]["y"], color=color, label=label, linewidth=1.2)
    share.set_ylabel("share of wall time", fontsize=8)
    share.legend(fontsize=7)
    share.grid(alpha=0.3)
    share.set_xlim(0, days)
    share.set_xlabel("day of the run")
    inter = metric(doc, "interruptions")
    caption = (f"Replication 0 over {days:g} days: {len(fails)} failures by cause (dot size: work lost since "
               "the last checkpoint, up to 1 h; line: the downtime), and the share of wall time spent writing "
               "checkpoints and restarting (200 bins). "
               + (f"Expected interruptions {inter['analytic']:.3g} ({inter.get('analytic_source', '')}); simulated "
                  f"{inter.get('simulated', 0):.3g} (mean over replications)." if inter and "analytic" in inter
                  else ""))
    return [Figure(fig, "Failures, checkpoints and restarts over the run", caption)]


def training_ettr(doc):
    ss = series(doc, "ettr", "curve")
    if not ss:
        return []
    fig, (ax,) = new_figure(1, 1, width=11, height=3.8)
    for s in ss:
        x = [v / 60 for v in s["x"]]
        if s.get("source") == "simulated":
            ax.errorbar(x, s["y"], yerr=s.get("y_ci95") or None, fmt="o", color=COLORS["sim"], capsize=4,
                        label="simulated (95 % CI)")
        else:
            style = "--" if s["source"].startswith("first") else "-"
            ax.plot(x, s["y"], style, color=COLORS["closed"] if style == "-" else COLORS["other"], label=s["source"])
    for name, label, color in [("young_interval_s", "Young", "#6a3d9a"), ("daly_interval_s", "Daly", "#b15928")]:
        m = metric(doc, name)
        if m and "analytic" in m:
            ax.axvline(m["analytic"] / 60, color=color, linestyle=":", label=f"{label} {m['analytic'] / 60:.3g} min")
    ax.set_xscale("log")
    exact = [s for s in ss if s.get("source", "").startswith("exact")]
    if exact:
        ys = [y for s in ss for y in s["y"]]
        top, bottom = max(ys), max(0.0, min(exact[0]["y"]))
        pad = max(1e-4, 0.08 * (top - bottom))
        ax.set_ylim(bottom - pad, min(1.0 + pad, top + pad))
    ax.set_xlabel("checkpoint interval (min, log)")
    ax.set_ylabel("ETTR (useful share of wall time)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    caption = ("Effective training time ratio against the checkpoint interval: the exact renewal-reward curve "
               "for exponential failures (Daly 2006) and the first-order approximation, with Young's and Daly's "
               "intervals marked and the simulated run at its interval (mean over replications, 95 % CI). "
               "Simulated failures follow the run's failure model (by cause; Weibull where asked).")
    return [Figure(fig, "ETTR against checkpoint interval", caption)]


# ------------------------------------------------------------------ collective


def collective_sizes(doc):
    ss = series(doc, "time_by_message", "curve")
    if not ss:
        return []
    fig, (ax,) = new_figure(1, 1, width=9, height=3.8)
    for s in ss:
        sim = s.get("source") == "simulated"
        ax.loglog(s["x"], s["y"], "o-" if sim else "--", color=COLORS["sim"] if sim else COLORS["closed"],
                  label="simulated" if sim else f"α-β: {s['source']}")
    ax.set_xlabel("message (B)")
    ax.set_ylabel("time (s)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    caption = (f"{fact(doc, 'op')}/{fact(doc, 'algorithm')} over {fact(doc, 'ranks')} ranks on "
               f"{fact(doc, 'topology')} ({fact(doc, 'routing')} routing): the flow-level simulation "
               f"({ss[0].get('note', '')}) against its α-β closed form.")
    return [Figure(fig, "Collective time by message size", caption)]


BUILDERS = {
    "serving": [serving_cdfs, serving_over_time],
    "queue": [queue_cdf],
    "training": [training_breakdown, training_gantt, training_timeline, training_ettr],
    "collective": [collective_sizes],
    "jobs": [jobs_wait_cdf, shared_cluster_figures],
    "serving+jobs": [sharing_figures],
}


def figures_for(doc):
    """The figures of a simulate Result (parts drawn in turn)."""
    out = []
    for build in BUILDERS.get(doc.get("form", ""), []):
        out += build(doc)
    for part in doc.get("parts", []):
        out += figures_for(part)
    return out
