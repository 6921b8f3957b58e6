// json_writer.h — a small, fast JSON emitter and an ordered result record.
//
// Numbers use the shortest representation that reads back to the same double
// (std::to_chars); +∞/−∞/NaN are written as the strings "inf", "-inf", "nan"
// (as the golden file does). Keys keep insertion order, so output is
// byte-identical from run to run.
// Usage: Record r; r.Num("latency", 0.0056); r.Str("bottleneck", "Memory");
//        std::string json = r.ToJson();
#ifndef MLSYSIM_TRACES_JSON_WRITER_H_
#define MLSYSIM_TRACES_JSON_WRITER_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace mlsysim {

void AppendJsonNumber(std::string& out, double v);
void AppendJsonString(std::string& out, absl::string_view s);

// An ordered JSON object of scalars, nested records and lists of records.
class Record {
 public:
  Record& Num(absl::string_view key, double v);
  // A number with its unit ("s", "B/s", "flop", …: SI, or the unit the key
  // names). The unit is not written into the JSON (mlsysim's field values
  // stay plain numbers); Units() lists it.
  Record& Num(absl::string_view key, double v, absl::string_view unit);
  Record& Int(absl::string_view key, long long v);
  Record& Bool(absl::string_view key, bool v);
  Record& Str(absl::string_view key, absl::string_view v);
  Record& Null(absl::string_view key);
  Record& Obj(absl::string_view key, Record v);
  Record& List(absl::string_view key, std::vector<Record> v);
  // Appends every field of `other`, with `prefix` before each key.
  Record& Merge(const Record& other, absl::string_view prefix = "");

  bool empty() const { return fields_.empty(); }
  void AppendJson(std::string& out) const;
  std::string ToJson() const;
  // Flat "key value" lines for text output (nested keys as a.b).
  void AppendText(std::string& out, absl::string_view prefix = "") const;
  // Looks up a top-level number (NaN when absent or not a number).
  double GetNum(absl::string_view key) const;
  // (key, unit) of every number given a unit, nested records' and lists'
  // included (by their own key), in order.
  std::vector<std::pair<std::string, std::string>> Units() const;

 private:
  enum class Kind { kNum, kInt, kBool, kStr, kNull, kObj, kList };
  struct Field {
    Field(std::string k, Kind kd) : key(std::move(k)), kind(kd) {}
    std::string key;
    Kind kind;
    double num = 0;
    long long integer = 0;
    std::string str;
    std::string unit;  // of a number, when given
    std::shared_ptr<Record> obj;
    std::shared_ptr<std::vector<Record>> list;
  };
  std::vector<Field> fields_;
};

}  // namespace mlsysim

#endif  // MLSYSIM_TRACES_JSON_WRITER_H_
