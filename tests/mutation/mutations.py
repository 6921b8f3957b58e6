# mutations.py — one-line model bugs for the mutation check (issue 24), used by
# run.py: (id, file, exact text, replacement, what it breaks). Each site must
# occur exactly once in its file; the 2026-12-07 runs caught 14 of 14 (after four
# new tests; before them M3 and M4 went uncaught and M11, M12 only by pins).
MUTATIONS = [
 ("M1", "sim/training/training_step.cc", "const double grad = p_stage_total * stage_layers[s] * bpp / c.tp;",
  "const double grad = p_stage_total * stage_layers[s] * bpp / c.tp / 2;", "training: DP gradient bytes halved"),
 ("M2", "sim/training/training_step.cc", "StepSimulation sim(c, dp, fwd + 2 * tp_ar, bwd + 2 * tp_ar,",
  "StepSimulation sim(c, dp, fwd + 1 * tp_ar, bwd + 2 * tp_ar,", "training: one TP all-reduce per layer forward"),
 ("M3", "sim/serving/serving_iteration.cc", ": n * (2 * p + n);", ": n * (p + n);",
  "serving: square-attention chunk cost (pieces no longer sum to S^2)"),
 ("M4", "sim/serving/serving_iteration.cc", "c.bytes += m.kv_bytes_per_token * p;", "c.bytes += 0 * m.kv_bytes_per_token * p;",
  "serving: a chunk's cached-prefix KV read dropped"),
 ("M5", "workloads/failure_presets.cc", "total += c.components * c.rate_per_hour;", "total += c.rate_per_hour;",
  "failures: cluster rate ignores component counts"),
 ("M6", "analytic/formulas.cc", "return std::sqrt(2.0 * delta * mtbf);", "return std::sqrt(delta * mtbf);",
  "checkpoints: Young's interval without the 2"),
 ("M7", "sim/network/collective.cc", "for (int p = 0; p < n_; ++p) out.push_back({r[p], r[(p + 1) % n_], m / n_});",
  "for (int p = 0; p < n_; ++p) out.push_back({r[p], r[(p + 1) % n_], m / (n_ + 1)});", "collectives: ring step of M/(N+1)"),
 ("M8", "topology/cluster_graph.cc", "  return port % width;", "  return 0 * port % width;",
  "routing: D-mod-k sends every flow up spine 0"),
 ("M9", "sim/network/flow_network.cc", "const double rate = std::max(0.0, share);", "const double rate = std::max(0.0, 0.9 * share);",
  "flow network: shared links filled to 90 %"),
 ("M10", "sim/queueing/queue_sim.cc", "const double wait = now - arrival;", "const double wait = 0.5 * (now - arrival);",
  "queues: waits halved"),
 ("M11", "sim/core/sampling.cc", "v = std::round(rng.Lognormal(d.a, d.b));", "v = std::round(rng.Lognormal(d.a, 0.5 * d.b));",
  "token lengths: lognormal sigma halved"),
 ("M13", "sim/serving/serving_sim.cc", "      v.target = v.input + v.generated;", "      v.target = v.input;",
  "serving: a recomputed request prefills only its prompt, not its generated tokens"),
 ("M14", "sim/training/training_run.cc", "Exponential(cause.components * cause.rate_per_hour)",
  "Exponential(1.03 * cause.components * cause.rate_per_hour)", "failures: simulated exponential rate 3 % high"),
 ("M12", "sim/training/training_run.cc", "double downtime = c_.detection_s + c_.restart_s;", "double downtime = c_.restart_s;",
  "failures: detection time not charged"),
]
