"""test_api.py — the Python API against independent references: the
tutorial cheat sheet's snippets (the tutorial's numbers, tests/data/
SOURCES.md), mlsysim v0.1.1's golden outputs, the CLI's `solve` on the same
requests, the registries, and simulations whose DataFrames must match the
Result's own counts."""
import json
import math
import os
import subprocess

import pytest

import mlsysim
from mlsysim import Engine, Hardware, Models, Systems, Infra


def test_cheat_sheet_snippets_run_verbatim_and_give_the_tutorial_numbers():
    from mlsysim import Engine, Hardware, Models
    profile = Engine.solve(model=Models.Llama3_8B, hardware=Hardware.H100, batch_size=1,
                           precision="fp16", efficiency=0.5, is_training=False)
    # The tutorial's first demo: 5.603 ms, 178.46/s, memory-bound (README, SOURCES.md).
    assert f"{profile.latency.to('ms').magnitude:.3f}" == "5.603"
    assert profile.throughput.magnitude == pytest.approx(178.46, abs=0.005)
    assert profile.bottleneck == "Memory"
    assert profile.feasible is True
    for attr in ("memory_footprint", "mfu", "energy"):
        getattr(profile, attr)

    from mlsysim import ServingModel
    result = ServingModel().solve(model=Models.Llama3_8B, hardware=Hardware.H100,
                                  seq_len=4096, batch_size=32, precision="fp16")
    assert result.ttft.units == mlsysim.ureg.second
    assert result.kv_cache_size.to("GiB").magnitude == pytest.approx(16.0)  # 2·32·8·128·2 B·4096·32
    assert result.feasible is True
    for attr in ("itl", "total_memory_required"):
        getattr(result, attr)

    from mlsysim import DistributedModel, Systems
    result = DistributedModel().solve(model=Models.Llama3_70B, fleet=Systems.Clusters.Research_256,
                                      batch_size=1024, tp_size=8, pp_size=4, precision="fp16",
                                      efficiency=0.4, overlap_comm=True)
    # mlsysim's bubble (P-1)/(V·M+P-1) with its default of one microbatch: 3/4.
    assert result.bubble_fraction == pytest.approx(3 / 4, rel=1e-12)
    for attr in ("scaling_efficiency", "step_latency_total", "dp_communication_latency"):
        getattr(result, attr)

    from mlsysim import CompressionModel
    c = CompressionModel().solve(model=Models.Llama3_8B, hardware=Hardware.H100,
                                 method="quantization", target_bitwidth=4)
    # 8.03e9 parameters stored as fp32 (32.12 GB) quantized to 4 bits: ratio 32/4.
    assert c.original_size_gb.magnitude == pytest.approx(8.03 * 4, rel=1e-12)
    assert c.compression_ratio == pytest.approx(32 / 4, rel=1e-12)
    assert c.compressed_size_gb.magnitude == pytest.approx(8.03 * 0.5, rel=1e-12)

    from mlsysim import SustainabilityModel, EconomicsModel, Infra
    fleet = Systems.Clusters.Research_256
    co2 = SustainabilityModel().solve(fleet, duration_days=30, datacenter=Infra.Quebec, mfu=0.4)
    tco = EconomicsModel().solve(fleet, duration_days=365, mfu=0.4)
    # IT energy = N·TDP·(0.3 + 0.7·mfu)·hours: 256 × 700 W × 0.58 × 720 h.
    assert co2.it_energy_kwh.to("kWh").magnitude == pytest.approx(256 * 700 * 0.58 * 720 / 1000, rel=1e-12)
    assert tco.tco_usd > 0


def _golden(source_dir):
    with open(os.path.join(source_dir, "tests", "data", "mlsysim_v011_cases.jsonl")) as f:
        return [json.loads(line) for line in f]


def _python_call(request):
    solver, args = request["solver"], request["args"]
    if solver.startswith("calc_"):
        fn = getattr(mlsysim, solver)
        return fn(**args)
    return getattr(mlsysim, solver)().solve(**args)


def _plain(value):
    """A Python result value as the CLI's JSON writes it (SI magnitude)."""
    if isinstance(value, mlsysim.ureg.Quantity):
        value = value.magnitude
    if isinstance(value, mlsysim.SolverResult):
        value = value.to_dict()
    if isinstance(value, str) and value in ("inf", "-inf", "nan"):
        value = float(value)
    return value


def _same(a, b, rel):
    a, b = _plain(a), _plain(b)
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], rel) for k in a)
    return a == b


def test_all_golden_cases_through_python_equal_the_cli_and_mlsysim(source_dir, cli_binary):
    cases = _golden(source_dir)
    assert len(cases) == 289
    lines = "".join(json.dumps({"id": i, "request": c["request"]}) + "\n" for i, c in enumerate(cases))
    out = subprocess.run([cli_binary, "solve"], input=lines, capture_output=True, text=True).stdout
    cli = {d["id"]: d for d in map(json.loads, out.splitlines())}
    fields = 0
    for i, case in enumerate(cases):
        try:
            py = _python_call(case["request"])
        except ValueError as e:
            assert "error" in cli[i], f"{case['id']}: Python raised {e}, the CLI did not"
            assert str(e).endswith(cli[i]["error"]["message"]), (str(e), cli[i]["error"])
            continue
        assert "result" in cli[i], case["id"]
        cli_fields = cli[i]["result"]
        if not isinstance(py, mlsysim.SolverResult):  # a calc_* formula returns its one value
            (name, value), = cli_fields.items()
            py = mlsysim.SolverResult(case["request"]["solver"], {name: _plain(py)})
        for name, value in cli_fields.items():
            mine = getattr(py, name)
            assert _same(mine, value, 1e-12), f"{case['id']}.{name}: python {mine!r} vs cli {value!r}"
            # mlsysim v0.1.1's own value (the golden file): the C++ suite's bound, 1e-9.
            exp = case["expect"].get(name)
            if isinstance(exp, dict) and "value" in exp:
                exp = exp["value"]
            if name in case["expect"]:
                assert _same(mine, exp, 1e-9), f"{case['id']}.{name}: python {mine!r} vs mlsysim {exp!r}"
            fields += 1
    assert fields > 2000


def test_every_registry_entry_is_reachable_by_attribute(cli_binary):
    zoo = {kind: json.loads(subprocess.run([cli_binary, "-o", "json", "zoo", kind], capture_output=True,
                                           text=True).stdout) for kind in ("hardware", "models", "systems", "grids")}
    for h in zoo["hardware"]["hardware"]:
        entry = getattr(Hardware, h["name"])
        assert entry is getattr(getattr(Hardware, h["tier"]), h["name"])
        assert entry.flops.to("flop/s").magnitude == h["flops"]
    for m in zoo["models"]["models"]:
        assert getattr(Models, m["name"]).layers == m["layers"]
        if "group" in m:
            assert getattr(getattr(Models, m["group"]), m["name"]) is getattr(Models, m["name"])
    for c in zoo["systems"]["clusters"]:
        assert getattr(Systems.Clusters, c["name"]).accelerators == c["accelerators"]
    for f in zoo["systems"]["fabrics"]:
        assert getattr(Systems.Fabrics, f["name"]).bandwidth.magnitude == f["bandwidth"]
    for g in zoo["grids"]["grids"]:
        assert getattr(Infra, g["name"]).pue == g["pue"]
    assert str(Hardware.Tiny.nRF52840).startswith("Nordic")
    # mlsysim's nested hardware fields (contract §0, §2).
    assert Hardware.H100.compute.peak_flops.to("TFLOP/s").magnitude == pytest.approx(989)
    assert Hardware.H100.memory.bandwidth.to("TB/s").magnitude == pytest.approx(3.35)
    assert Models.Tiny.DS_CNN.architecture == "CNN"


def test_quantities_and_unit_strings_are_accepted():
    a = mlsysim.DataModel().solve(workload_data_rate="50 GB/s", hardware=Hardware.H100)
    b = mlsysim.DataModel().solve(workload_data_rate=mlsysim.Q_(400, "Gbps") if False else mlsysim.Q_(50, "GB/s"),
                                  hardware="H100")
    c = mlsysim.DataModel().solve(workload_data_rate=50e9, hardware=Hardware.H100)
    assert a.demand_bw == b.demand_bw == c.demand_bw
    assert a.demand_bw.to("GB/s").magnitude == pytest.approx(50)


def test_bad_input_raises_valueerror_naming_the_field():
    with pytest.raises(ValueError, match="efficiency"):
        Engine.solve(model=Models.Llama3_8B, hardware=Hardware.H100, efficiency=2.0)
    with pytest.raises(ValueError, match="model"):
        Engine.solve(model="Llama9", hardware=Hardware.H100)
    with pytest.raises(ValueError, match="unknown argument"):
        mlsysim.ServingModel().solve(model=Models.Llama3_8B, hardware=Hardware.H100, sequence=4)
    with pytest.raises(ValueError, match=r"serving.replicas \(--replicas\): must lie in \[1, 1048576\]; got 0"):
        mlsysim.simulate.serving(model="Llama3_8B", hardware="H100", replicas=0, qps=1, requests=10)
    with pytest.raises(ValueError, match="queue.arrival_rate"):
        mlsysim.simulate("queue { servers: 1 arrival_rate: 2 service_time: 1 requests: 1000 }")
    with pytest.raises(ValueError, match="training.precision: unknown precision 'fp7'"):
        mlsysim.simulate.training(model="Llama3_8B", nodes=1, batch_size=8, precision="fp7")
    with pytest.raises(ValueError, match="cluster.intra_node_bandwidth"):
        mlsysim.simulate.training(model="Llama3_8B", nodes=1, batch_size=8, intra_node_bandwidth="1 GB")
    with pytest.raises(ValueError, match="serving.precision: unknown precision 'fp7'"):
        mlsysim.simulate.serving(model="Llama3_8B", hardware="H100", replicas=1, qps=1, requests=10,
                                 precision="fp7")


def test_keyword_typos_are_answered_in_keywords_and_the_forms_are_documented():
    with pytest.raises(ValueError, match=r"simulate.serving\(\): unknown keyword 'qsp' "
                                         r"\(did you mean 'qps'\?\); accepted: model, hardware"):
        mlsysim.simulate.serving(model="Llama3_8B", hardware="H100", replicas=1, qsp=200)
    with pytest.raises(ValueError, match="accepted: .*max_batched_tokens") as e:
        mlsysim.simulate.serving(model="Llama3_8B", hardware="H100", replicas=1, xyzzy=1)
    assert "did you mean" not in str(e.value) and "--" not in str(e.value)
    for form in ("training", "serving", "queue", "jobs", "collective", "chakra"):
        doc = getattr(mlsysim.simulate, form).__doc__
        assert doc.startswith(f"simulate.{form}(**keywords)") and f"simulate {form}" in doc, form


def test_a_closed_form_inside_the_ci_is_marked_as_such():
    r = mlsysim.simulate(os.path.join(os.environ.get("MLSYSIM_SOURCE_DIR", "."), "scenarios",
                                      "llama3_70b_research256.textproto"))
    m = r.interruptions  # 0.80 +- 1.04 simulated against rate x T = 1.254
    assert m.within_ci and "within the 95 % CI" in repr(m)
    assert abs(m.simulated.magnitude - m.analytic.magnitude) <= m.ci95.magnitude
    assert not r.step_time_s.within_ci and "CI" not in repr(r.step_time_s)


def test_the_readmes_python_block_runs_as_written():
    # Docs that run: README.md's ```python block, executed verbatim.
    readme = os.path.join(os.environ.get("MLSYSIM_SOURCE_DIR", "."), "README.md")
    with open(readme) as f:
        text = f.read()
    block = text.split("```python\n", 1)[1].split("```", 1)[0]
    scope = {}
    exec(compile(block, "README.md", "exec"), scope)
    assert set(scope["r"].requests.columns) >= {"ttft_s", "tpot_s", "e2e_s", "queue_s"}


def test_per_request_latencies_give_the_summary_recomputed_from_the_table():
    # One replication: the summary's TTFT, TPOT, ITL and end-to-end figures are
    # those of the requests table, recomputed here with numpy (nearest rank =
    # numpy's "inverted_cdf"; the table has 9 decimals, hence 1e-8 s).
    import numpy as np
    r = mlsysim.simulate.serving(model="Llama3_8B", hardware="H100", replicas=2, qps=30,
                                 requests=4000, seed=7)
    df = r.requests
    assert np.allclose(df.ttft_s, df.first_token_s - df.arrival_s, atol=2e-9)
    assert np.allclose(df.e2e_s, df.finish_s - df.arrival_s, atol=2e-9)
    assert np.allclose(df.queue_s, df.start_s - df.arrival_s, atol=2e-9)
    many = df[df.output_tokens > 1]
    assert np.allclose(many.tpot_s, (many.finish_s - many.first_token_s) / (many.output_tokens - 1),
                       atol=2e-9)
    assert df[df.output_tokens == 1].tpot_s.isna().all()

    def near(metric, value):
        assert getattr(r, metric).simulated.to("s").magnitude == pytest.approx(value, abs=1e-8), metric

    near("ttft_mean_s", df.ttft_s.mean())
    near("ttft_p50_s", np.quantile(df.ttft_s, 0.5, method="inverted_cdf"))
    near("ttft_p99_s", np.quantile(df.ttft_s, 0.99, method="inverted_cdf"))
    tpot = many.tpot_s.to_numpy()
    near("tpot_mean_s", tpot.mean())
    near("tpot_p50_s", np.quantile(tpot, 0.5, method="inverted_cdf"))
    near("tpot_p99_s", np.quantile(tpot, 0.99, method="inverted_cdf"))
    near("e2e_mean_s", df.e2e_s.mean())
    # The mean ITL is over every gap: a request's gaps add up to finish - first token.
    near("itl_mean_s", (df.finish_s - df.first_token_s).sum() / (df.output_tokens - 1).sum())


def test_simulations_return_dataframes_matching_the_result():
    r = mlsysim.simulate.serving(model=Models.Llama3_8B, hardware=Hardware.H100, replicas=2, qps=20,
                                 requests=3000, replications=2, seed=12345678)
    assert r.seed == 12345678 and r.replications == 2
    assert len(r.requests) == r.facts["requests"] == 3000
    assert len(r.iterations) == r.facts["iterations"]
    assert list(r.requests.columns)[:4] == ["arrival_s", "start_s", "first_token_s", "finish_s"]
    # The per-request TTFTs of replication 0 give its own p50 (nearest rank); the
    # Result's is the mean over two replications, so compare loosely with its CI.
    ttft = (r.requests.first_token_s - r.requests.arrival_s).sort_values().to_numpy()
    p50_rep0 = ttft[math.ceil(0.5 * len(ttft)) - 1]
    m = r.ttft_p50_s
    assert abs(p50_rep0 - m.simulated.magnitude) <= 3 * m.ci95.magnitude + 1e-9
    assert r.ttft_p50_mlsysim.analytic_source == "mlsysim ServingModel"
    assert r.ttft_p50_mlsysim.simulated == m.simulated
    t = mlsysim.simulate.training(model="Llama3_8B", nodes=4, tp=8, pp=1, batch_size=32, days=30,
                                  failures="registry", seed=3)
    causes = t.sections["interruptions_by_cause"]
    failures = (t.events.kind == "failure").sum()
    assert failures == sum(v for v in causes.values())
    q = mlsysim.simulate(os.path.join(os.environ.get("MLSYSIM_SOURCE_DIR", "."), "scenarios",
                                      "mm8_tail_latency.textproto"))
    assert q.sojourn_p99.analytic.magnitude == pytest.approx(5.152, abs=1e-3)  # M/M/8 at rho 0.8 (exact)
    assert "mlsysim simulate queue" in q.report()


def test_versions_say_which_is_which(cli_binary):
    # The package's version is the CLI's; the API it reproduces is mlsysim v0.1.1's.
    out = subprocess.run([cli_binary, "--version"], capture_output=True, text=True).stdout
    assert out.startswith(f"mlsysim {mlsysim.__version__} ")
    assert f"v{mlsysim.__mlsysim_api__}" in out
    assert "0.1.1" in mlsysim.__doc__ and mlsysim.__version__ in mlsysim.__doc__


def test_a_shared_cluster_from_python_gives_its_jobs_as_a_dataframe(source_dir):
    # The 5-job trace on one 8-GPU node, placed (tests/data/SOURCES.md §13):
    # the hand FIFO schedule's waits, recomputed from the DataFrame, give
    # the result's mean wait; the costs come back in GPU-hours.
    trace = os.path.join(source_dir, "tests", "data", "jobs", "five_jobs.csv")
    r = mlsysim.simulate.jobs(job_trace=trace, placement="first-fit", nodes=1)
    jobs = r.jobs
    assert list(jobs["job"]) == ["j0", "j1", "j2", "j3", "j4"]
    assert list(jobs["wait_h"]) == [0, 1.5, 2, 1.5, 0]
    assert abs(jobs["wait_h"].mean() - r.metrics["wait_mean_h"].simulated.to("hour").magnitude) < 1e-12
    assert str(r.metrics["contention_cost_gpu_h"].simulated.units) == "gpu * hour"
