// flag_table.cc — quick-form flags from one table (see flag_table.h).
#include "sim/forms/flag_table.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace mlsysim {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// The message holding the last component of `path` and that field; null when
// the path names no scalar field (a table bug, reported as such).
const FieldDescriptor* Resolve(const std::string& path, Message* root, Message** holder) {
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  Message* m = root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(parts[i]);
    if (f == nullptr || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated()) {
      return nullptr;
    }
    m = m->GetReflection()->MutableMessage(m, f);
  }
  *holder = m;
  const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(parts.back());
  return f != nullptr && !f->is_repeated() ? f : nullptr;
}

// Sets `path` in `s` from `text` (already checked for its kind).
std::string SetField(const std::string& path, const std::string& text, double number,
                     scenario::Scenario* s) {
  Message* holder = nullptr;
  const FieldDescriptor* f = Resolve(path, s, &holder);
  if (f == nullptr) return absl::StrCat(path, ": no such scenario field (flag table)");
  const auto* r = holder->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: r->SetString(holder, f, text); break;
    case FieldDescriptor::CPPTYPE_INT32:
      r->SetInt32(holder, f, static_cast<int32_t>(number));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      r->SetInt64(holder, f, static_cast<int64_t>(number));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      r->SetUInt32(holder, f, static_cast<uint32_t>(number));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      r->SetUInt64(holder, f, static_cast<uint64_t>(number));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE: r->SetDouble(holder, f, number); break;
    case FieldDescriptor::CPPTYPE_BOOL: r->SetBool(holder, f, number != 0); break;
    default: return absl::StrCat(path, ": field type not settable from a flag (flag table)");
  }
  return "";
}

std::string Named(const FlagRow& row, const std::string& why) {
  return absl::StrCat(*row.field ? absl::StrCat(row.field, " (", row.flag, ")") : row.flag, ": ",
                      why);
}

// A bound as written: integers in full (1048576, not 1.04858e+06).
std::string Bound(double v) {
  if (std::trunc(v) == v && std::abs(v) < 1e15) return absl::StrCat(static_cast<long long>(v));
  return absl::StrCat(v);
}

std::string Range(const FlagRow& row) {
  const bool open = row.kind == FlagRow::kPositive;
  if (row.hi < row.lo) return absl::StrCat(open ? "must be > " : "must be >= ", Bound(row.lo));
  return absl::StrCat("must lie in ", open ? "(" : "[", Bound(row.lo), ", ", Bound(row.hi), "]");
}

// One row: "" or the error.
std::string ApplyRow(const ParsedOptions& o, const FlagRow& row, scenario::Scenario* s) {
  if (*row.field == '\0') return "";
  const bool given = o.Has(row.flag);
  switch (row.kind) {
    case FlagRow::kPresent: return given ? SetField(row.field, "", 1, s) : "";
    case FlagRow::kAbsent: return SetField(row.field, "", given ? 0 : 1, s);
    default: break;
  }
  const std::string text = given ? o.Get(row.flag, "") : row.fallback;
  if (text.empty()) return "";
  if (row.kind == FlagRow::kString) return SetField(row.field, text, 0, s);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !std::isfinite(v))
    return Named(row, absl::StrCat("'", text, "' is not a number"));
  if (row.kind == FlagRow::kInt && std::trunc(v) != v) {
    return Named(row, absl::StrCat("'", text, "' is not an integer"));
  }
  const bool low_ok = row.kind == FlagRow::kPositive ? v > row.lo : v >= row.lo;
  if (!low_ok || (row.hi >= row.lo && v > row.hi)) {
    return Named(row, absl::StrCat(Range(row), "; got ", text));
  }
  return SetField(row.field, text, v, s);
}

const char* ValueName(const FlagRow& row) {
  switch (row.kind) {
    case FlagRow::kString: return "TEXT";
    case FlagRow::kInt: return "N";
    case FlagRow::kNumber:
    case FlagRow::kPositive: return "X";
    case FlagRow::kPresent:
    case FlagRow::kAbsent: return "";
  }
  return "";
}

}  // namespace

std::vector<OptionSpec> FlagTableOptions(absl::Span<const FlagRow> rows) {
  std::vector<OptionSpec> specs;
  for (const FlagRow& row : rows) {
    specs.push_back({row.flag, "", row.kind != FlagRow::kPresent && row.kind != FlagRow::kAbsent});
  }
  return specs;
}

std::string ApplyFlagTable(const ParsedOptions& o, absl::Span<const FlagRow> rows,
                           scenario::Scenario* s) {
  for (const FlagRow& row : rows) {
    if (std::string e = ApplyRow(o, row, s); !e.empty()) return e;
  }
  return "";
}

FieldFlags FieldFlagsOf(absl::Span<const FlagRow> rows) {
  FieldFlags out;
  for (const FlagRow& row : rows) {
    if (*row.field != '\0') out.push_back({row.field, row.flag});
  }
  return out;
}

std::string FlagTableHelp(absl::Span<const FlagRow> rows) {
  std::string out =
      "  Flags (each fills the scenario field named; Python: the same keyword, _ for -):\n";
  for (const FlagRow& row : rows) {
    const std::string left = absl::StrCat(row.flag, *ValueName(row) ? " " : "", ValueName(row));
    absl::StrAppend(&out, absl::StrFormat("    %-26s %s", left, row.help),
                    *row.field ? absl::StrCat(" [", row.field, "]") : "", "\n");
  }
  return out;
}

}  // namespace mlsysim
