// json_writer.cc — JSON emission (see json_writer.h).
#include "traces/json_writer.h"
#include "absl/strings/string_view.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mlsysim {

void AppendJsonNumber(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "\"nan\"";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "\"inf\"" : "\"-inf\"";
    return;
  }
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  const size_t n = static_cast<size_t>(res.ptr - buf);
  out.append(buf, n);
  // Keep doubles recognisable as such ("1.0", not "1").
  if (absl::string_view(buf, n).find_first_of(".eE") == absl::string_view::npos) out += ".0";
}

void AppendJsonString(std::string& out, absl::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

Record& Record::Num(absl::string_view key, double v) {
  Field f{std::string(key), Kind::kNum};
  f.num = v;
  fields_.push_back(std::move(f));
  return *this;
}
Record& Record::Num(absl::string_view key, double v, absl::string_view unit) {
  Num(key, v);
  fields_.back().unit = std::string(unit);
  return *this;
}

std::vector<std::pair<std::string, std::string>> Record::Units() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Field& f : fields_) {
    if (!f.unit.empty()) out.emplace_back(f.key, f.unit);
    if (f.obj != nullptr) {
      for (auto& u : f.obj->Units()) out.push_back(std::move(u));
    }
    if (f.list != nullptr) {
      for (const Record& r : *f.list) {
        for (auto& u : r.Units()) out.push_back(std::move(u));
      }
    }
  }
  return out;
}

Record& Record::Int(absl::string_view key, long long v) {
  Field f{std::string(key), Kind::kInt};
  f.integer = v;
  fields_.push_back(std::move(f));
  return *this;
}
Record& Record::Bool(absl::string_view key, bool v) {
  Field f{std::string(key), Kind::kBool};
  f.integer = v ? 1 : 0;
  fields_.push_back(std::move(f));
  return *this;
}
Record& Record::Str(absl::string_view key, absl::string_view v) {
  Field f{std::string(key), Kind::kStr};
  f.str = std::string(v);
  fields_.push_back(std::move(f));
  return *this;
}
Record& Record::Null(absl::string_view key) {
  fields_.push_back(Field{std::string(key), Kind::kNull});
  return *this;
}
Record& Record::Obj(absl::string_view key, Record v) {
  Field f{std::string(key), Kind::kObj};
  f.obj = std::make_shared<Record>(std::move(v));
  fields_.push_back(std::move(f));
  return *this;
}
Record& Record::List(absl::string_view key, std::vector<Record> v) {
  Field f{std::string(key), Kind::kList};
  f.list = std::make_shared<std::vector<Record>>(std::move(v));
  fields_.push_back(std::move(f));
  return *this;
}

Record& Record::Merge(const Record& other, absl::string_view prefix) {
  for (Field f : other.fields_) {
    f.key = absl::StrCat(prefix, f.key);
    fields_.push_back(std::move(f));
  }
  return *this;
}

void Record::AppendJson(std::string& out) const {
  out += '{';
  bool first = true;
  for (const Field& f : fields_) {
    if (!first) out += ", ";
    first = false;
    AppendJsonString(out, f.key);
    out += ": ";
    switch (f.kind) {
      case Kind::kNum: AppendJsonNumber(out, f.num); break;
      case Kind::kInt: absl::StrAppend(&out, f.integer); break;
      case Kind::kBool: out += f.integer ? "true" : "false"; break;
      case Kind::kStr: AppendJsonString(out, f.str); break;
      case Kind::kNull: out += "null"; break;
      case Kind::kObj: f.obj->AppendJson(out); break;
      case Kind::kList: {
        out += '[';
        for (size_t i = 0; i < f.list->size(); ++i) {
          if (i) out += ", ";
          (*f.list)[i].AppendJson(out);
        }
        out += ']';
        break;
      }
    }
  }
  out += '}';
}

std::string Record::ToJson() const {
  std::string out;
  AppendJson(out);
  return out;
}

void Record::AppendText(std::string& out, absl::string_view prefix) const {
  for (const Field& f : fields_) {
    const std::string key = prefix.empty() ? f.key : absl::StrCat(prefix, ".", f.key);
    switch (f.kind) {
      case Kind::kObj: f.obj->AppendText(out, key); continue;
      case Kind::kList:
        for (size_t i = 0; i < f.list->size(); ++i)
          (*f.list)[i].AppendText(out, absl::StrCat(key, "[", i, "]"));
        continue;
      default: break;
    }
    absl::StrAppend(&out, absl::StrFormat("%-34s ", key));
    switch (f.kind) {
      case Kind::kNum:
        if (std::isinf(f.num)) {
          out += f.num > 0 ? "inf" : "-inf";
        } else {
          absl::StrAppend(&out, absl::StrFormat("%.6g", f.num));
        }
        break;
      case Kind::kInt: absl::StrAppend(&out, f.integer); break;
      case Kind::kBool: out += f.integer ? "true" : "false"; break;
      case Kind::kStr: out += f.str; break;
      default: out += "null"; break;
    }
    out += '\n';
  }
}

double Record::GetNum(absl::string_view key) const {
  for (const Field& f : fields_) {
    if (f.key != key) continue;
    if (f.kind == Kind::kNum) return f.num;
    if (f.kind == Kind::kInt) return static_cast<double>(f.integer);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace mlsysim
