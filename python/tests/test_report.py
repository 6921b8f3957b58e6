"""test_report.py — HTML reports and `Result.plot`: what each report holds,
its plot data against independent references (the M/M/c sojourn law written
here from its textbook form; the request and iteration CSVs the same run
writes), self-containment, determinism, and the messages when Python parts
are missing or an output path is wrong."""
import csv
import json
import math
import os
import re
import subprocess

import pytest

import mlsysim


def _run(cli, *args, env=None, check=True):
    p = subprocess.run([cli, *args], capture_output=True, text=True, env=env, timeout=600)
    if check:
        assert p.returncode == 0, p.stderr
    return p


def _figures(page):
    return re.findall(r"<h2>Figure \d+\. ([^<]+)</h2>", page)


def _self_contained(page):
    assert "<script" not in page
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:|//|file:)""", page)
    assert "<link" not in page


def _mmc_sojourn_cdf(lam, mu, c, t):
    """P(T <= t) for M/M/c: T = S + W, S ~ Exp(mu); W = 0 with prob. 1 - C,
    else Exp(c mu - lam), C = Erlang C (Kleinrock, Queueing Systems I, 3.22)."""
    a = lam / mu
    rho = a / c
    s = sum(a ** k / math.factorial(k) for k in range(c))
    top = a ** c / math.factorial(c) / (1 - rho)
    erlang_c = top / (s + top)
    g = c * mu - lam
    both = (g * math.exp(-mu * t) - mu * math.exp(-g * t)) / (g - mu)
    return 1 - ((1 - erlang_c) * math.exp(-mu * t) + erlang_c * both)


def test_queue_report_and_sojourn_cdf_match_the_mmc_law(cli_binary, tmp_path):
    out = tmp_path / "q.html"
    p = _run(cli_binary, "-o", "json", "--reproducible", "simulate", "queue", "--servers", "8", "--arrival-rate",
             "6.4", "--service-time", "1", "--requests", "200000", "--seed", "3", "--report", str(out))
    result = json.loads(p.stdout)
    page = out.read_text()
    _self_contained(page)
    assert _figures(page) == ["Sojourn-time distribution"]
    assert "M/M/c exact" in page
    sim = [s for s in result["series"] if s["name"] == "sojourn_s" and s["source"] == "simulated"][0]
    exact = [s for s in result["series"] if s["name"] == "sojourn_s" and s["source"] == "M/M/c exact"][0]
    # Kolmogorov distance between the simulated quantiles (10 replications x
    # 190,000 measured sojourns) and the law written above: well under 0.01.
    ks = max(abs(p - _mmc_sojourn_cdf(6.4, 1.0, 8, x)) for x, p in zip(sim["x"], sim["y"]) if 0 < p < 1)
    assert ks < 0.01, ks
    # The core's exact curve is the same law.
    assert max(abs(y - _mmc_sojourn_cdf(6.4, 1.0, 8, x)) for x, y in zip(exact["x"], exact["y"])) < 1e-9


def test_serving_report_time_series_agree_with_the_run_csvs(cli_binary, tmp_path):
    out, reqs, its = tmp_path / "s.html", tmp_path / "r.csv", tmp_path / "i.csv"
    p = _run(cli_binary, "-o", "json", "--reproducible", "simulate", "serving", "--model", "Llama3_8B",
             "--hardware", "H100", "--replicas", "2", "--qps", "30", "--requests", "3000", "--replications", "1",
             "--requests-csv", str(reqs), "--iterations-csv", str(its), "--report", str(out))
    result = json.loads(p.stdout)
    page = out.read_text()
    _self_contained(page)
    assert _figures(page) == ["Latency distributions", "Queue, batch, KV cache and throughput over time"]
    assert "mlsysim ServingModel" in page  # the closed form marked on the TTFT CDF
    series = {s["name"]: s for s in result["series"]}
    with open(reqs) as f:
        rows = list(csv.DictReader(f))
    with open(its) as f:
        iters = list(csv.DictReader(f))
    width = series["queue_length"]["x"][1] - series["queue_length"]["x"][0]
    # Integral of the waiting-requests curve = total time requests waited.
    waited = sum(float(r["start_s"]) - float(r["arrival_s"]) for r in rows)
    assert sum(series["queue_length"]["y"]) * width == pytest.approx(waited, rel=1e-6)
    # Integral of the token rate = decode tokens of all iterations.
    tokens = sum(int(r["decode_sequences"]) for r in iters)
    assert sum(series["output_tokens_per_s"]["y"]) * width == pytest.approx(tokens, rel=1e-6)
    # Finished requests per second integrate to the requests.
    assert sum(series["requests_finished_per_s"]["y"]) * width == pytest.approx(len(rows), rel=1e-9)
    # Inter-token gaps, computed another way: on each replica, the time from
    # one iteration's end to the next's is the gap of every sequence decoding
    # in the later one (weight decode_sequences). The core's series comes
    # from a histogram with 1 % bins.
    prev, gaps = {}, []
    for row in sorted(iters, key=lambda r: (int(r["replica"]), float(r["start_s"]))):
        rep, end = int(row["replica"]), float(row["end_s"])
        if rep in prev and int(row["decode_sequences"]) > 0:
            gaps.append((end - prev[rep], int(row["decode_sequences"])))
        prev[rep] = end
    gaps.sort()
    total = sum(w for _, w in gaps)
    itl = series["itl_s"]
    for p in (0.1, 0.5, 0.9, 0.99):
        acc, want = 0, None
        for g, w in gaps:
            acc += w
            if acc >= p * total:
                want = g
                break
        assert itl["x"][itl["y"].index(p)] == pytest.approx(want, rel=0.015), p
    # The TTFT CDF's median is the ttft_p50 metric (one replication: the same sample).
    ttft = series["ttft_s"]
    assert ttft["x"][ttft["y"].index(0.5)] == pytest.approx(result["metrics"][0]["simulated"], rel=1e-12)


def test_training_report_has_the_schedule_breakdown_timeline_and_ettr(cli_binary, tmp_path):
    out = tmp_path / "t.html"
    p = _run(cli_binary, "-o", "json", "--reproducible", "simulate", "default", "--report", str(out))
    result = json.loads(p.stdout)
    page = out.read_text()
    _self_contained(page)
    assert _figures(page) == ["Step-time breakdown", "Pipeline schedule of one step",
                              "Failures, checkpoints and restarts over the run", "ETTR against checkpoint interval"]
    spans = result["spans"]
    lanes = {s["lane"] for s in spans if s["kind"] != "failure"}
    assert {f"stage {i} compute" for i in range(4)} <= lanes  # pp = 4
    # Bubbles on the critical stage's lane, to the pipeline's flush: the step section's
    # pipeline_bubble_s (replica 0).
    crit = [f for f in result["facts"] if f["name"] == "critical_stage"][0]
    lane = "stage %d compute" % int(crit["number"])
    bubble = sum(s["end_s"] - s.get("start_s", 0) for s in spans if s["lane"] == lane
                 and s["kind"] == "bubble")
    step = {m["name"]: m for sec in result["sections"] if sec["name"] == "step" for m in sec["metrics"]}
    assert bubble == pytest.approx(step["pipeline_bubble_s"]["simulated"], rel=0.02)
    # Young's interval maximises the first-order curve: check on the drawn points.
    first = [s for s in result["series"] if s["name"] == "ettr" and s["source"].startswith("first")][0]
    best = first["x"][first["y"].index(max(first["y"]))]
    young = [m for sec in result["sections"] for m in sec.get("metrics", []) if m["name"] == "young_interval_s"][0]
    assert best == pytest.approx(young["analytic"], rel=0.04)  # 121 log points over a 64x range: 3.5 % apart
    # The sweep report's Python copy of the exact ETTR equals the core's curve.
    from mlsysim._figures_analytic import exponential_checkpoint_ettr
    ck = {m["name"]: m for sec in result["sections"] if sec["name"] == "checkpoint" for m in sec["metrics"]}
    exact = [s for s in result["series"] if s["name"] == "ettr" and s["source"].startswith("exact")][0]
    for x, y in zip(exact["x"], exact["y"]):
        assert exponential_checkpoint_ettr(x, ck["checkpoint_write_s"]["simulated"], ck["restart_time_s"]["simulated"],
                                           ck["cluster_mtbf_s"]["simulated"]) == pytest.approx(y, rel=1e-12)


def test_eval_serve_and_sweep_reports(cli_binary, source_dir, tmp_path):
    ev = tmp_path / "eval.html"
    _run(cli_binary, "eval", "Llama3_8B", "H100", "--report", str(ev))
    page = ev.read_text()
    assert _figures(page) == ["Roofline"]
    assert "Memory-bound" in page or "Memory" in page
    plan = tmp_path / "plan.html"
    _run(cli_binary, "eval", os.path.join(source_dir, "tests", "data", "test_fleet_plan.yaml"), "--report", str(plan))
    assert _figures(plan.read_text()) == ["Roofline", "The plan by wall"]
    sv = tmp_path / "serve.html"
    _run(cli_binary, "serve", "Llama3_8B", "H100", "--report", str(sv))
    assert _figures(sv.read_text()) == ["Memory per accelerator"]
    base = open(os.path.join(source_dir, "scenarios", "llama3_70b_research256.textproto")).read()
    base = base.replace('duration: "7 day"', 'duration: "2 day"')
    sweep = tmp_path / "ck.textproto"
    sweep.write_text('name: "ck" seed: 5\nbase {\n' + base + '\n}\n'
                     'axes { field: "checkpoint.interval" values: ["4 min", "12 min", "36 min"] }\n'
                     'objectives { metric: "ettr" maximize: true }\n')
    sw = tmp_path / "sweep.html"
    _run(cli_binary, "-q", "sweep", str(sweep), "--report", str(sw))
    page = sw.read_text()
    _self_contained(page)
    assert _figures(page) == ["ettr across the sweep"]


def test_report_command_reads_saved_results_and_is_deterministic(cli_binary, tmp_path):
    saved = tmp_path / "r.json"
    saved.write_text(_run(cli_binary, "-o", "json", "--reproducible", "simulate", "collective", "--ranks", "16",
                          "--message", "64 MB", "--bandwidth", "50 GB/s", "--latency", "5 us").stdout)
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    _run(cli_binary, "report", str(saved), "-o", str(a))
    _run(cli_binary, "report", str(saved), "-o", str(b))
    assert a.read_bytes() == b.read_bytes()
    assert _figures(a.read_text()) == ["Collective time by message size"]
    # A symlink at the output is followed, not replaced.
    target = tmp_path / "real.html"
    target.write_text("old")
    link = tmp_path / "link.html"
    link.symlink_to(target)
    _run(cli_binary, "report", str(saved), "-o", str(link))
    assert link.is_symlink() and target.read_bytes() == a.read_bytes()
    # Not a result: exit 1, named.
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": 1}')
    p = _run(cli_binary, "report", str(junk), "-o", str(tmp_path / "j.html"), check=False)
    assert p.returncode == 1 and "not an mlsysim result" in p.stderr
    assert not (tmp_path / "j.html").exists()
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".mlsysim-report-")]


def test_missing_python_parts_and_bad_paths_are_named(cli_binary, tmp_path):
    # matplotlib missing: a stand-in package that fails to import.
    fake = tmp_path / "fake" / "matplotlib"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError(\"No module named 'matplotlib'\", name='matplotlib')\n")
    env = dict(os.environ, PYTHONPATH=f"{tmp_path / 'fake'}:{os.environ.get('PYTHONPATH', '')}")
    out = tmp_path / "m.html"
    p = _run(cli_binary, "simulate", "queue", "--servers", "1", "--arrival-rate", "0.5", "--service-time", "1",
             "--requests", "1000", "--report", str(out), env=env, check=False)
    assert p.returncode == 1
    assert "'matplotlib' is missing (Debian package python3-matplotlib)" in p.stderr
    assert "sojourn" in p.stdout  # the simulation itself ran and printed
    assert not out.exists()
    # No interpreter at all.
    env = dict(os.environ, MLSYSIM_PYTHON="/nonexistent/python3")
    p = _run(cli_binary, "eval", "Llama3_8B", "H100", "--report", str(out), env=env, check=False)
    assert p.returncode == 1 and "python3-matplotlib" in p.stderr
    # Paths refused before anything runs.
    for bad, says in [(str(tmp_path), "is a directory"), (str(tmp_path / "no" / "r.html"), "does not exist")]:
        p = _run(cli_binary, "simulate", "default", "--report", bad, check=False)
        assert p.returncode == 1 and "--report" in p.stderr and says in p.stderr, p.stderr
        assert p.stdout == ""


def test_result_plot_methods_return_figures(source_dir):
    import matplotlib.figure
    r = mlsysim.simulate.queue(servers=2, arrival_rate=1.5, service_time=1, requests=20000, seed=3)
    fig = r.plot.sojourn_cdf()
    assert isinstance(fig, matplotlib.figure.Figure)
    assert len(fig.axes[0].lines) == 2  # simulated and exact
    with pytest.raises(ValueError, match="no TTFT data"):
        r.plot.ttft_cdf()
    assert [t for t, _, _ in r.plot.all()] == ["Sojourn-time distribution"]
    # A combined result (serving + job queue) plots from its parts.
    both = mlsysim.simulate(os.path.join(source_dir, "scenarios", "two_tenants_and_training_queue.textproto"))
    ttft = both.plot.ttft_cdf()
    assert len(ttft.axes) == 1 and len(ttft.axes[0].lines) >= 2  # one line per tenant
    assert isinstance(both.plot.job_waits(), matplotlib.figure.Figure)


def test_job_queue_report_and_wait_cdf_match_the_mm1_law(cli_binary, tmp_path):
    # Whole-cluster FIFO jobs with exponential durations: an M/M/1 queue,
    # P(W <= w) = 1 - rho exp(-(mu - lambda) w) (Kleinrock, Queueing Systems I, 3.5).
    out = tmp_path / "jobs.html"
    p = _run(cli_binary, "-o", "json", "--reproducible", "simulate", "jobs", "--gpus", "64", "--job-gpus", "64",
             "--arrival-rate", "12", "--duration", "1.5", "--duration-dist", "exp", "--jobs", "40000",
             "--replications", "5", "--seed", "9", "--report", str(out))
    result = json.loads(p.stdout)
    assert _figures(out.read_text()) == ["Job wait distribution"]
    lam, mu = 12 / 24.0, 1 / 1.5
    rho = lam / mu
    cdf = [s for s in result["series"] if s["name"] == "wait_h"][0]
    ks = max(abs(y - (1 - rho * math.exp(-(mu - lam) * x))) for x, y in zip(cdf["x"], cdf["y"]) if x > 0 and y < 1)
    assert ks < 0.01, ks  # 0.0033 here


def test_shared_cluster_report_draws_waits_slowdowns_and_placements(cli_binary, source_dir, tmp_path):
    # The 5-job trace on one 8-GPU node, placed: the hand FIFO schedule
    # (tests/data/SOURCES.md §13). The busy-GPU series, integrated here as a
    # step function, gives the utilisation the engine accumulated itself;
    # the node lane holds one span per job, at the hand schedule's times.
    out = tmp_path / "shared.html"
    trace = os.path.join(source_dir, "tests", "data", "jobs", "five_jobs.csv")
    p = _run(cli_binary, "-o", "json", "--reproducible", "simulate", "jobs", "--job-trace", trace,
             "--placement", "first-fit", "--nodes", "1", "--report", str(out))
    result = json.loads(p.stdout)
    page = out.read_text()
    _self_contained(page)
    assert _figures(page) == ["Waits and slowdowns on a shared cluster", "Utilisation and placements over time"]
    busy = [s for s in result["series"] if s["name"] == "gpus_busy"][0]
    area = sum((x1 - x0) * y for x0, x1, y in zip(busy["x"], busy["x"][1:], busy["y"]))
    util = [m for m in result["metrics"] if m["name"] == "utilization"][0]["simulated"]
    assert abs(area / busy["x"][-1] - util) < 1e-12
    spans = sorted((s.get("start_s", 0) / 3600, s["end_s"] / 3600) for s in result["spans"])
    assert spans == [(0, 2), (2, 3), (3, 3.5), (3, 4), (4, 5)]
