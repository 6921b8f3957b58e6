// options.cc — option reading shared by the quick forms and the CLI (see options.h).
#include "sim/forms/options.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "topology/registry.h"

namespace mlsysim {

bool ParsedOptions::Has(const std::string& name) const {
  for (const auto& [k, v] : values)
    if (k == name) return true;
  return false;
}

std::string ParsedOptions::Get(const std::string& name, const std::string& def) const {
  std::string found = def;
  for (const auto& [k, v] : values)
    if (k == name) found = v;  // the last occurrence wins
  return found;
}

std::vector<std::string> ParsedOptions::GetAll(const std::string& name) const {
  std::vector<std::string> all;
  for (const auto& [k, v] : values)
    if (k == name) all.push_back(v);
  return all;
}

std::string ParseOptions(const CommandArgs& args, const std::vector<OptionSpec>& specs,
                         const std::string& command, ParsedOptions* parsed) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-' || (a[1] >= '0' && a[1] <= '9')) {
      parsed->positional.push_back(a);
      continue;
    }
    std::string name = a, value;
    bool inline_value = false;
    if (const size_t eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : specs)
      if (name == s.long_name || (!s.short_name.empty() && name == s.short_name)) spec = &s;
    if (spec == nullptr) {
      std::vector<std::string> names;
      for (const OptionSpec& s : specs)
        names.push_back(s.short_name.empty() ? s.long_name
                                             : absl::StrCat(s.short_name, "/", s.long_name));
      std::vector<std::string> long_names;
      for (const OptionSpec& s : specs) long_names.push_back(s.long_name);
      const std::string guess = DidYouMean(name, long_names);
      return absl::StrCat("unknown option '", name, "' for ", command,
                          guess.empty() ? "" : absl::StrCat(" (did you mean '", guess, "'?)"),
                          "; accepted: ", absl::StrJoin(names, ", "));
    }
    if (spec->takes_value && !inline_value) {
      if (i + 1 >= args.size()) return absl::StrCat(spec->long_name, " needs a value");
      value = args[++i];
    }
    parsed->values.emplace_back(spec->long_name, value);
  }
  return "";
}

absl::StatusOr<double> ParseNumber(const std::string& field, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": '", text, "' is not a number"));
  }
  return v;
}

absl::StatusOr<int> ParseInt(const std::string& field, const std::string& text) {
  auto v = ParseNumber(field, text);
  if (!v.ok()) return v.status();
  if (std::trunc(*v) != *v || std::abs(*v) > 2e9) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": '", text, "' is not an integer"));
  }
  return static_cast<int>(*v);
}

std::string GetInt(const ParsedOptions& o, const std::string& name, long long lo, long long hi,
                   int* out) {
  long long v = *out;
  const std::string e = GetInt64(o, name, lo, hi, &v);
  if (e.empty()) *out = static_cast<int>(v);  // within [lo, hi], which callers keep inside int
  return e;
}

std::string GetInt64(const ParsedOptions& o, const std::string& name, long long lo, long long hi,
                     long long* out) {
  if (!o.Has(name)) return "";
  const std::string v = o.Get(name, "");
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || std::trunc(d) != d) {
    return absl::StrCat(name, ": '", v, "' is not an integer");
  }
  if (d < lo || d > hi) return absl::StrCat(name, " must lie in [", lo, ", ", hi, "]; got ", v);
  *out = std::strtoll(v.c_str(), nullptr, 10);
  if (std::to_string(*out) != v) *out = static_cast<long long>(d);
  return "";
}

std::string GetNumber(const ParsedOptions& o, const std::string& name, double* out) {
  if (!o.Has(name)) return "";
  const std::string v = o.Get(name, "");
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !std::isfinite(d)) {
    return absl::StrCat(name, ": '", v, "' is not a number");
  }
  *out = d;
  return "";
}

std::string GetQuantity(const ParsedOptions& o, const std::string& name, const Dimension& dim,
                        double* out) {
  if (!o.Has(name)) return "";
  auto q = ParseQuantityAs(o.Get(name, ""), dim, name);
  if (!q.ok()) return std::string(q.status().message());
  *out = q->si;
  return "";
}

std::string NameFlags(const std::string& msg, const FieldFlags& flags) {
  std::string out = msg;
  auto ident = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  };
  for (const auto& [field, flag] : flags) {
    for (size_t pos = out.find(field); pos != std::string::npos; pos = out.find(field, pos + 1)) {
      const size_t end = pos + field.size();
      if ((pos > 0 && ident(out[pos - 1])) || (end < out.size() && ident(out[end]))) continue;
      if (out.compare(end, 2, " (") == 0) break;  // already named
      out.insert(end, " (" + flag + ")");
      break;
    }
  }
  return out;
}

}  // namespace mlsysim
