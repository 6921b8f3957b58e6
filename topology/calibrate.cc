// calibrate.cc — reading kernel profiles and fitting a MachineProfile (see
// calibrate.h).
#include "topology/calibrate.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "analytic/least_squares.h"
#include "traces/small_file.h"

namespace mlsysim {
namespace {

constexpr int64_t kMaxProfileBytes = 256 << 20;

struct Table {
  absl::flat_hash_map<std::string, int> column;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> line;  // 1-based file line of each row
  bool Has(const std::string& name) const { return column.contains(name); }
};

absl::StatusOr<Table> ParseCsv(const std::string& text, const std::string& origin) {
  Table t;
  int line_no = 0;
  bool header = true;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripSuffix(line, "\r");
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    if (line.find('"') != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, " line ", line_no, ": quoted fields are not accepted"));
    }
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    for (std::string& f : fields) f = std::string(absl::StripAsciiWhitespace(f));
    if (header) {
      for (size_t i = 0; i < fields.size(); ++i) t.column[fields[i]] = static_cast<int>(i);
      header = false;
      continue;
    }
    t.rows.push_back(std::move(fields));
    t.line.push_back(line_no);
  }
  if (header) return absl::InvalidArgumentError(absl::StrCat(origin, ": empty file"));
  return t;
}

// The value of `name` in row i as a positive finite number (or >= 0 when
// `allow_zero`); an empty field is "missing" (nullopt through *present).
absl::StatusOr<double> Number(const Table& t, size_t i, const std::string& name,
                              const std::string& origin, bool* present = nullptr) {
  auto it = t.column.find(name);
  const std::vector<std::string>& row = t.rows[i];
  if (it == t.column.end() || it->second >= static_cast<int>(row.size()) ||
      row[it->second].empty()) {
    if (present != nullptr) {
      *present = false;
      return 0.0;
    }
    return absl::InvalidArgumentError(
        absl::StrCat(origin, " line ", t.line[i], ": column '", name, "' is empty"));
  }
  if (present != nullptr) *present = true;
  double v;
  if (!absl::SimpleAtod(row[it->second], &v) || !std::isfinite(v) || v <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(origin, " line ", t.line[i], ": ", name, " '",
                                                   row[it->second],
                                                   "' is not a positive finite number"));
  }
  return v;
}

std::string Field(const Table& t, size_t i, const std::string& name) {
  auto it = t.column.find(name);
  if (it == t.column.end() || it->second >= static_cast<int>(t.rows[i].size())) return "";
  return t.rows[i][it->second];
}

absl::Status ReadVidurMlp(const Table& t, const std::string& origin, CalibrationSamples* s) {
  for (const char* col : {"num_tokens", "num_tensor_parallel_workers", "n_head", "n_kv_head",
                          "n_embd", "n_expanded_embd", "use_gated_mlp"}) {
    if (!t.Has(col)) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": Vidur operator profile without column '", col, "'"));
    }
  }
  int gemms = 0, streams = 0;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    double v[6];
    const char* names[6] = {"num_tokens", "num_tensor_parallel_workers", "n_head",
                            "n_kv_head",  "n_embd",                      "n_expanded_embd"};
    for (int j = 0; j < 6; ++j) {
      auto x = Number(t, i, names[j], origin);
      if (!x.ok()) return x.status();
      v[j] = *x;
    }
    const double m = v[0], tp = v[1], heads = v[2], kv = v[3], h = v[4], f = v[5];
    const std::string gated = Field(t, i, "use_gated_mlp");
    const bool is_gated = gated == "True" || gated == "true" || gated == "1";
    const double hd = h / heads;
    struct Op {
      const char* name;
      double n, k;
    };
    const Op ops[] = {{"attn_pre_proj", (heads + 2 * kv) * hd / tp, h},
                      {"attn_post_proj", h, h / tp},
                      {"mlp_up_proj", (is_gated ? 2 : 1) * f / tp, h},
                      {"mlp_down_proj", h, f / tp}};
    for (const Op& op : ops) {
      bool present;
      auto ms = Number(t, i, absl::StrCat("time_stats.", op.name, ".median"), origin, &present);
      if (!ms.ok()) return ms.status();
      if (!present) continue;
      s->gemms.push_back({op.name, m, op.n, op.k, 2.0, false, *ms * 1e-3});
      ++gemms;
    }
    struct Streamed {
      const char* name;
      StreamKind kind;
      double bytes;
    };
    const Streamed st[] = {
        {"input_layernorm", StreamKind::kNorm, 4 * m * h},
        {"post_attention_layernorm", StreamKind::kNorm, 4 * m * h},
        {"mlp_act", StreamKind::kActivation, (is_gated ? 6 : 4) * m * f / tp},
        {"add", StreamKind::kElementwise, 6 * m * h},
        {"attn_rope", StreamKind::kRope, 4 * m * (heads + kv) * hd / tp}};
    for (const Streamed& op : st) {
      bool present;
      auto ms = Number(t, i, absl::StrCat("time_stats.", op.name, ".median"), origin, &present);
      if (!ms.ok()) return ms.status();
      if (!present) continue;
      s->streams.push_back({op.name, op.kind, op.bytes, *ms * 1e-3});
      ++streams;
    }
  }
  s->files.push_back(absl::StrCat(origin, " (Vidur operators: ", gemms, " GEMM, ", streams,
                                  " streaming samples)"));
  return absl::OkStatus();
}

absl::Status ReadVidurAllReduce(const Table& t, const std::string& origin,
                                CalibrationSamples* s) {
  int kept = 0, skipped = 0;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    auto n = Number(t, i, "num_workers", origin);
    auto per_node = Number(t, i, "devices_per_node", origin);
    auto size = Number(t, i, "size", origin);
    auto ms = Number(t, i, "time_stats.all_reduce.median", origin);
    for (const auto* x : {&n, &per_node, &size, &ms})
      if (!x->ok()) return x->status();
    if (*n != std::floor(*n) || *n > 65536 || *per_node > 65536) {
      return absl::InvalidArgumentError(absl::StrCat(
          origin, " line ", t.line[i], ": num_workers and devices_per_node must be integers "
          "1…65,536"));
    }
    if (*n != *per_node || *n < 2) {
      ++skipped;  // spans nodes (the profiling cluster's network), or one GPU
      continue;
    }
    s->all_reduces.push_back({static_cast<int>(*n), *size, *ms * 1e-3});
    ++kept;
  }
  s->files.push_back(absl::StrCat(origin, " (Vidur all-reduce: ", kept,
                                  " samples inside a node; ", skipped, " multi-node rows not used)"));
  return absl::OkStatus();
}

absl::Status ReadPlain(const Table& t, const std::string& origin, CalibrationSamples* s) {
  int count = 0;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const std::string op = Field(t, i, "op");
    auto us = Number(t, i, "time_us", origin);
    if (!us.ok()) return us.status();
    const double seconds = *us * 1e-6;
    if (op == "gemm") {
      auto m = Number(t, i, "m", origin), n = Number(t, i, "n", origin),
           k = Number(t, i, "k", origin);
      for (const auto* x : {&m, &n, &k})
        if (!x->ok()) return x->status();
      const std::string p = Field(t, i, "precision");
      if (p != "fp16" && p != "bf16" && p != "fp8") {
        return absl::InvalidArgumentError(absl::StrCat(origin, " line ", t.line[i], ": precision '",
                                                       p, "' (accepted: fp16, bf16, fp8)"));
      }
      s->gemms.push_back({"gemm", *m, *n, *k, p == "fp8" ? 1.0 : 2.0, p == "fp8", seconds});
    } else if (op == "all_reduce" || op == "all_reduce_nvls") {
      auto g = Number(t, i, "gpus", origin), b = Number(t, i, "bytes", origin);
      for (const auto* x : {&g, &b})
        if (!x->ok()) return x->status();
      if (*g < 2 || *g > 65536 || *g != std::floor(*g)) {
        return absl::InvalidArgumentError(
            absl::StrCat(origin, " line ", t.line[i], ": gpus must be an integer 2…65,536"));
      }
      s->all_reduces.push_back({static_cast<int>(*g), *b, seconds, op == "all_reduce_nvls"});
    } else {
      StreamKind kind;
      if (op == "norm") kind = StreamKind::kNorm;
      else if (op == "activation") kind = StreamKind::kActivation;
      else if (op == "elementwise") kind = StreamKind::kElementwise;
      else if (op == "rope") kind = StreamKind::kRope;
      else {
        return absl::InvalidArgumentError(absl::StrCat(
            origin, " line ", t.line[i], ": op '", op,
            "' (accepted: gemm, norm, activation, elementwise, rope, all_reduce, "
            "all_reduce_nvls)"));
      }
      auto b = Number(t, i, "bytes", origin);
      if (!b.ok()) return b.status();
      s->streams.push_back({op, kind, *b, seconds});
    }
    ++count;
  }
  s->files.push_back(absl::StrCat(origin, " (plain: ", count, " samples)"));
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseProfileText(const std::string& text, const std::string& origin,
                              CalibrationSamples* samples) {
  auto table = ParseCsv(text, origin);
  if (!table.ok()) return table.status();
  if (table->Has("time_stats.all_reduce.median")) return ReadVidurAllReduce(*table, origin, samples);
  if (table->Has("num_tokens")) return ReadVidurMlp(*table, origin, samples);
  if (table->Has("op") && table->Has("time_us")) return ReadPlain(*table, origin, samples);
  return absl::InvalidArgumentError(absl::StrCat(
      origin,
      ": unknown profile layout (accepted: Vidur's mlp.csv or all_reduce.csv, or a CSV with "
      "columns op,time_us and m,n,k,precision | bytes | gpus,bytes)"));
}

absl::Status ReadProfileFile(const std::string& path, CalibrationSamples* samples) {
  auto text = ReadSmallFile(path, "profile", kMaxProfileBytes);
  if (!text.ok()) return text.status();
  return ParseProfileText(*text, path, samples);
}

}  // namespace mlsysim
