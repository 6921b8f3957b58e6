// sweep_points.cc — see sweep_points.h.
#include "sim/scenario/sweep_points.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "sim/core/random.h"
#include "sim/scenario/scenario_check.h"

namespace mlsysim {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The shortest text that reads back as `v` (0.1, not 0.10000000000000001).
std::string Number(double v, bool integer) {
  if (integer) return absl::StrCat(static_cast<long long>(std::llround(v)));
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

double RangeValue(const sweep::Range& r, double f) {
  if (f <= 0) return r.from();
  if (f >= 1) return r.to();
  return r.log() ? r.from() * std::pow(r.to() / r.from(), f) : r.from() + f * (r.to() - r.from());
}

std::string WithUnit(const std::string& number, const std::string& unit) {
  return unit.empty() ? number : number + " " + unit;
}

absl::StatusOr<std::vector<std::string>> AxisValues(const sweep::Axis& a, int index) {
  const std::string name = absl::StrCat("axes[", index, "] (", a.field(), ")");
  if (a.field().empty())
    return absl::InvalidArgumentError(absl::StrCat(name, ": field is required"));
  std::vector<std::string> values(a.values().begin(), a.values().end());
  if (a.has_range()) {
    if (!values.empty())
      return absl::InvalidArgumentError(absl::StrCat(name, ": give values or range, not both"));
    const auto& r = a.range();
    if (r.points() < 2 || r.points() > 100000) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": range.points must lie in [2, 100000]"));
    }
    if (!std::isfinite(r.from()) || !std::isfinite(r.to())) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": range.from and range.to must be finite"));
    }
    if (r.log() && !(r.from() > 0 && r.to() > 0)) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": a log range needs from, to > 0"));
    }
    for (int k = 0; k < r.points(); ++k) {
      const double v = RangeValue(r, static_cast<double>(k) / (r.points() - 1));
      const std::string text = WithUnit(Number(v, r.integer()), a.unit());
      if (values.empty() || values.back() != text) values.push_back(text);
    }
  }
  if (values.empty())
    return absl::InvalidArgumentError(absl::StrCat(name, ": no values (give values or range)"));
  return values;
}

// A sampled value of an axis at u in [0, 1).
std::string SampleAxis(const sweep::Axis& a, const std::vector<std::string>& values, double u) {
  if (!a.has_range())
    return values[std::min<size_t>(values.size() - 1, static_cast<size_t>(u * values.size()))];
  const auto& r = a.range();
  return WithUnit(Number(RangeValue(r, u), r.integer()), a.unit());
}

absl::Status SetScalar(Message* msg, const FieldDescriptor* f, const std::string& text,
                       const std::string& path) {
  const Reflection* r = msg->GetReflection();
  auto bad = [&](const char* what) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": '", text, "' is not ", what));
  };
  const bool repeated = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad("an integer");
      repeated ? r->AddInt32(msg, f, v) : r->SetInt32(msg, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad("an integer");
      repeated ? r->AddInt64(msg, f, v) : r->SetInt64(msg, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad("a non-negative integer");
      repeated ? r->AddUInt32(msg, f, v) : r->SetUInt32(msg, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad("a non-negative integer");
      repeated ? r->AddUInt64(msg, f, v) : r->SetUInt64(msg, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v;
      if (!absl::SimpleAtod(text, &v) || !std::isfinite(v)) return bad("a number");
      repeated ? r->AddDouble(msg, f, v) : r->SetDouble(msg, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (!absl::SimpleAtob(text, &v)) return bad("true or false");
      repeated ? r->AddBool(msg, f, v) : r->SetBool(msg, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING:
      repeated ? r->AddString(msg, f, text) : r->SetString(msg, f, text);
      break;
    default: return absl::InvalidArgumentError(absl::StrCat(path, ": this field cannot be swept"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SetFieldByPath(Message* msg, const std::string& path, const std::string& value) {
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  Message* m = msg;
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(parts[i]);
    if (f == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": no field '", parts[i], "' in ", m->GetDescriptor()->name()));
    }
    const Reflection* r = m->GetReflection();
    if (i + 1 < parts.size()) {
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": '", parts[i], "' is not a message"));
      }
      if (f->containing_oneof() != nullptr && !r->HasField(*m, f)) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": the base scenario has no '",
                                                       parts[i], "' (it holds another workload)"));
      }
      m = r->MutableMessage(m, f);
      continue;
    }
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": a message, not a value; sweep one of its fields"));
    }
    if (f->is_repeated()) {
      r->ClearField(m, f);
      for (absl::string_view piece : absl::StrSplit(value, ',')) {
        if (auto st = SetScalar(m, f, std::string(absl::StripAsciiWhitespace(piece)), path);
            !st.ok())
          return st;
      }
      return absl::OkStatus();
    }
    return SetScalar(m, f, value, path);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SweepPoint>> SweepPoints(const sweep::Sweep& s) {
  std::vector<std::vector<std::string>> axes;
  for (int i = 0; i < s.axes_size(); ++i) {
    auto v = AxisValues(s.axes(i), i);
    if (!v.ok()) return v.status();
    axes.push_back(*std::move(v));
  }
  if (axes.empty()) return absl::InvalidArgumentError("axes: at least one axis is required");
  std::vector<SweepPoint> points;
  if (s.has_sample()) {
    const auto& smp = s.sample();
    if (smp.points() < 1 || smp.points() > kMaxSweepPoints) {
      return absl::InvalidArgumentError(
          absl::StrCat("sample.points must lie in [1, ", kMaxSweepPoints, "]"));
    }
    const bool lhs = smp.method() == "latin_hypercube";
    if (!lhs && smp.method() != "random") {
      return absl::InvalidArgumentError("sample.method: accepted: random, latin_hypercube");
    }
    RandomStreams streams(s.seed() > 0 ? s.seed() : 1, 0);
    const int n = smp.points();
    std::vector<std::vector<double>> u(axes.size(), std::vector<double>(n));
    for (size_t a = 0; a < axes.size(); ++a) {
      RandomStream rs = streams.Stream(a, "sweep-sample");
      if (lhs) {
        std::vector<int> strata(n);
        std::iota(strata.begin(), strata.end(), 0);
        for (int k = n - 1; k > 0; --k)
          std::swap(strata[k], strata[rs.Bits() % static_cast<uint64_t>(k + 1)]);
        for (int k = 0; k < n; ++k) u[a][k] = (strata[k] + rs.Uniform()) / n;
      } else {
        for (int k = 0; k < n; ++k) u[a][k] = rs.Uniform();
      }
    }
    for (int k = 0; k < n; ++k) {
      SweepPoint p;
      for (size_t a = 0; a < axes.size(); ++a) p.push_back(SampleAxis(s.axes(a), axes[a], u[a][k]));
      points.push_back(std::move(p));
    }
    return points;
  }
  int64_t total = 1;
  for (const auto& v : axes) {
    total *= static_cast<int64_t>(v.size());
    if (total > kMaxSweepPoints) {
      return absl::InvalidArgumentError(absl::StrCat("the grid has more than ", kMaxSweepPoints,
                                                     " points; use sample {} or fewer values"));
    }
  }
  for (int64_t k = 0; k < total; ++k) {
    SweepPoint p(axes.size());
    int64_t rest = k;
    for (size_t a = axes.size(); a-- > 0;) {
      p[a] = axes[a][rest % axes[a].size()];
      rest /= axes[a].size();
    }
    points.push_back(std::move(p));
  }
  return points;
}

absl::StatusOr<scenario::Scenario> PointScenario(const sweep::Sweep& s, const SweepPoint& point,
                                                 int64_t index) {
  scenario::Scenario sc = s.base();
  sc.set_seed(MixHash(s.seed() > 0 ? s.seed() : 1, static_cast<uint64_t>(index)) % 2000000000 + 1);
  for (int a = 0; a < s.axes_size(); ++a) {
    if (auto st = SetFieldByPath(&sc, s.axes(a).field(), point[a]); !st.ok()) return st;
  }
  if (sc.name().empty())
    sc.set_name(absl::StrCat(s.name().empty() ? "sweep" : s.name(), " #", index));
  return sc;
}

}  // namespace mlsysim
