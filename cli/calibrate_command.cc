// calibrate_command.cc — `mlsysim calibrate PROFILE… --accelerator KEY
// -o MACHINE.textproto`: fits a machine model (topology/calibrate.h) to
// measured kernel and collective times and writes it as a registry file that
// `--registry MACHINE.textproto` then uses under --hardware-model calibrated.
// Prints the fitted parameters and the fit error per operator.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/commands.h"
#include "cli/report.h"
#include "google/protobuf/text_format.h"
#include "topology/calibrate.h"
#include "traces/atomic_file.h"
#include "traces/json_writer.h"

namespace mlsysim {
namespace {

constexpr const char kUsage[] =
    "usage: mlsysim calibrate PROFILE.csv... --accelerator KEY [--node NODE] [--sms N]\n"
    "                         [--attention-efficiency X --attention-source TEXT]\n"
    "                         -o MACHINE.textproto\n"
    "  Fits a machine model (GEMM efficiency with tile and wave quantisation, weight\n"
    "  streaming, streaming-kernel bandwidths, launch costs, NCCL all-reduce efficiency\n"
    "  inside a node) to measured kernel times and writes it as a registry `machine`\n"
    "  entry: use it with --registry MACHINE.textproto --hardware-model calibrated.\n"
    "  PROFILE: Vidur's mlp.csv or all_reduce.csv, or a CSV with columns\n"
    "    op,time_us and m,n,k,precision (op gemm; fp16|bf16|fp8),\n"
    "    bytes (op norm|activation|elementwise|rope) or gpus,bytes (op all_reduce).\n"
    "  --node: the node whose NVLink the all-reduce samples ran on (needed with them).\n"
    "  --sms: streaming multiprocessors (default from the datasheet for A100, H100,\n"
    "    H200, B200).\n";

// Streaming multiprocessors, from NVIDIA's datasheets / whitepapers.
int DatasheetSms(const std::string& key) {
  if (key == "A100") return 108;
  if (key == "H100" || key == "H200") return 132;
  if (key == "B200") return 148;
  return 0;
}

}  // namespace

int RunCalibrate(const CommandContext& ctx, const CommandArgs& args) {
  std::vector<std::string> files;
  std::string out_path, accelerator, node_name, attention_source;
  int sms = 0;
  double attention = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      *ctx.out << kUsage;
      return kExitOk;
    }
    const bool has_value = i + 1 < args.size();
    if (a == "-o" || a == "--output" || a == "--accelerator" || a == "--node" || a == "--sms" ||
        a == "--attention-efficiency" || a == "--attention-source") {
      if (!has_value) {
        *ctx.err << "error: calibrate: " << a << " needs a value\n" << kUsage;
        return kExitBadInput;
      }
      const std::string& v = args[++i];
      if (a == "-o" || a == "--output") out_path = v;
      if (a == "--accelerator") accelerator = v;
      if (a == "--node") node_name = v;
      if (a == "--attention-source") attention_source = v;
      if (a == "--sms") {
        auto n = ParseInt("--sms", v);
        if (!n.ok() || *n < 1 || *n > 65536) {
          *ctx.err << "error: calibrate: --sms must be an integer 1…65,536; got '" << v << "'\n";
          return kExitBadInput;
        }
        sms = *n;
      }
      if (a == "--attention-efficiency") {
        auto x = ParseNumber("--attention-efficiency", v);
        if (!x.ok() || !(*x > 0) || *x > 1.5) {
          *ctx.err << "error: calibrate: --attention-efficiency must lie in (0, 1.5]; got '" << v
                   << "'\n";
          return kExitBadInput;
        }
        attention = *x;
      }
    } else if (!a.empty() && a[0] == '-') {
      *ctx.err << "error: calibrate: unknown option '" << a
               << "'; accepted: --accelerator, --node, --sms, --attention-efficiency, "
                  "--attention-source, -o/--output, --help\n";
      return kExitBadInput;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty() || accelerator.empty() || out_path.empty()) {
    *ctx.err << "error: calibrate: needs PROFILE files, --accelerator and -o MACHINE.textproto\n"
             << kUsage;
    return kExitBadInput;
  }
  auto hw = ctx.registry->FindAccelerator(accelerator);
  if (!hw.ok()) {
    *ctx.err << "error: calibrate: --accelerator: " << hw.status().message() << "\n";
    return kExitBadInput;
  }
  CalibrationTarget target;
  target.accelerator = hw->key;
  target.peak_16bit = hw->PeakFor("bf16").si;
  target.peak_fp8 = hw->HasPrecision("fp8") ? hw->PeakFor("fp8").si : 0;
  target.hbm = hw->memory_bw.si;
  target.sms = sms > 0 ? sms : DatasheetSms(hw->key);
  target.attention_efficiency = attention;
  target.attention_source = attention_source;
  if (target.sms < 1) {
    *ctx.err << "error: calibrate: --sms is needed for '" << hw->key
             << "' (its streaming multiprocessors, from the datasheet)\n";
    return kExitBadInput;
  }
  if (!node_name.empty()) {
    auto node = ctx.registry->FindNode(node_name);
    if (!node.ok()) {
      *ctx.err << "error: calibrate: --node: " << node.status().message() << "\n";
      return kExitBadInput;
    }
    // Registry NVLink figures are both directions together.
    target.nvlink_per_direction = node->intra_node_bw.si / 2;
  }
  if (const std::string e = CheckReportPath(out_path); !e.empty()) {
    *ctx.err << "error: calibrate: -o" << e.substr(e.find(':')) << "\n";
    return kExitBadInput;
  }
  CalibrationSamples samples;
  for (const std::string& f : files) {
    if (absl::Status s = ReadProfileFile(f, &samples); !s.ok()) {
      *ctx.err << "error: calibrate: " << s.message() << "\n";
      return kExitBadInput;
    }
  }
  auto fit = Calibrate(samples, target);
  if (!fit.ok()) {
    *ctx.err << "error: " << fit.status().message() << "\n";
    return kExitBadInput;
  }
  registry::Registry file;
  *file.add_machine() = fit->profile;
  std::string text;
  google::protobuf::TextFormat::PrintToString(file, &text);
  AtomicFile out(out_path);
  out.stream() << "# Written by mlsysim calibrate; use with --registry " << out_path
               << " --hardware-model calibrated.\n"
               << text;
  if (absl::Status s = out.Commit(); !s.ok()) {
    *ctx.err << "error: calibrate: " << s.message() << "\n";
    return kExitBadInput;
  }
  if (ctx.format == OutputFormat::kJson) {
    std::string j = "{\"status\": \"ok\", \"machine\": ";
    AppendJsonString(j, out_path);
    j += ", \"fit_errors\": [";
    for (size_t i = 0; i < fit->errors.size(); ++i) {
      const FitError& e = fit->errors[i];
      if (i > 0) j += ", ";
      j += "{\"op\": ";
      AppendJsonString(j, e.op);
      j += absl::StrFormat(", \"samples\": %d, \"median_abs_error\": %.6g, \"max_abs_error\": %.6g}",
                           e.samples, e.median_abs_error, e.max_abs_error);
    }
    j += "]}\n";
    *ctx.out << j;
    return kExitOk;
  }
  *ctx.out << "machine model of " << hw->key << " written to " << out_path << "\n\n" << text
           << "\nfit error per operator (|predicted / measured − 1|):\n";
  *ctx.out << absl::StrFormat("  %-44s %8s %8s %8s\n", "operator", "samples", "median", "max");
  for (const FitError& e : fit->errors) {
    *ctx.out << absl::StrFormat("  %-44s %8d %7.1f%% %7.1f%%\n", e.op, e.samples,
                                100 * e.median_abs_error, 100 * e.max_abs_error);
  }
  return kExitOk;
}

}  // namespace mlsysim
