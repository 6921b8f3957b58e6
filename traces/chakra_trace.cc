// chakra_trace.cc — reading and writing Chakra `.et` streams (see chakra_trace.h).
#include "traces/chakra_trace.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "traces/atomic_file.h"
#include "traces/small_file.h"

namespace mlsysim {
namespace {

constexpr uint64_t kMaxFileBytes = uint64_t{1} << 30;
constexpr uint32_t kMaxMessageBytes = 64u << 20;

absl::Status FileError(const std::string& path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

}  // namespace

absl::StatusOr<ChakraTrace> ReadChakraTrace(const std::string& path) {
  absl::StatusOr<std::string> bytes =
      ReadSmallFile(path, "Chakra trace", static_cast<int64_t>(kMaxFileBytes));
  if (!bytes.ok()) return bytes.status();
  return ParseChakraTrace(*bytes, path);
}

absl::StatusOr<ChakraTrace> ParseChakraTrace(const std::string& bytes, const std::string& path) {
  if (bytes.size() > kMaxFileBytes) return FileError(path, "larger than 1 GiB");
  google::protobuf::io::ArrayInputStream array(bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::io::CodedInputStream coded(&array);
  coded.SetTotalBytesLimit(static_cast<int>(std::min<uint64_t>(bytes.size() + 16, INT32_MAX)));
  ChakraTrace trace;
  absl::flat_hash_set<uint64_t> ids;
  bool have_metadata = false;
  for (int index = 0; coded.CurrentPosition() < static_cast<int>(bytes.size()); ++index) {
    uint32_t size = 0;
    if (!coded.ReadVarint32(&size)) {
      return FileError(path, absl::StrCat("message ", index, ": truncated length prefix"));
    }
    if (size > kMaxMessageBytes) {
      return FileError(path, absl::StrCat("message ", index, ": length ", size, " exceeds 64 MiB"));
    }
    const auto limit = coded.PushLimit(static_cast<int>(size));
    const int start = coded.CurrentPosition();
    bool parsed;
    if (!have_metadata) {
      parsed = trace.metadata.ParseFromCodedStream(&coded);
      have_metadata = true;
    } else {
      chakra::Node node;
      parsed = node.ParseFromCodedStream(&coded);
      if (parsed) {
        if (node.type() < chakra::INVALID_NODE || node.type() > chakra::CHECKPOINT_NODE) {
          return FileError(path, absl::StrCat("node ", node.id(), ": type: unknown value ",
                                              static_cast<int>(node.type())));
        }
        if (!ids.insert(node.id()).second) {
          return FileError(path, absl::StrCat("node ", node.id(), ": id: duplicate"));
        }
        trace.nodes.push_back(std::move(node));
      }
    }
    if (!parsed || coded.CurrentPosition() - start != static_cast<int>(size)) {
      return FileError(path, absl::StrCat("message ", index, " (", index == 0 ? "metadata" : "node",
                                          "): malformed protobuf or truncated"));
    }
    coded.PopLimit(limit);
  }
  if (!have_metadata) return FileError(path, "empty: no GlobalMetadata message");
  for (const chakra::Node& n : trace.nodes) {
    for (const auto* deps : {&n.data_deps(), &n.ctrl_deps()}) {
      for (uint64_t d : *deps) {
        if (!ids.contains(d)) {
          return FileError(path, absl::StrCat("node ", n.id(), ": ",
                                              deps == &n.data_deps() ? "data_deps" : "ctrl_deps",
                                              ": no node with id ", d));
        }
      }
    }
  }
  return trace;
}

absl::StatusOr<std::vector<ChakraTrace>> ReadChakraWorkload(const std::string& prefix) {
  std::vector<ChakraTrace> ranks;
  for (int r = 0;; ++r) {
    const std::string path = absl::StrCat(prefix, ".", r, ".et");
    struct stat st;
    if (stat(path.c_str(), &st) != 0) break;
    auto t = ReadChakraTrace(path);
    if (!t.ok()) return t.status();
    ranks.push_back(*std::move(t));
    if (ranks.size() > (1u << 20)) return FileError(prefix, "more than 1,048,576 ranks");
  }
  if (ranks.empty()) {
    return absl::NotFoundError(absl::StrCat(prefix,
                                            ".0.et: no such file (the workload is given "
                                            "as PREFIX, read as PREFIX.<rank>.et)"));
  }
  return ranks;
}

absl::Status WriteChakraTrace(const std::string& path, const ChakraTrace& trace) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    auto put = [&](const google::protobuf::MessageLite& m) {
      coded.WriteVarint32(static_cast<uint32_t>(m.ByteSizeLong()));
      m.SerializeToCodedStream(&coded);
    };
    put(trace.metadata);
    for (const chakra::Node& n : trace.nodes) put(n);
  }
  AtomicFile f(path);
  if (!f.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": cannot be written"));
  f.stream().write(out.data(), static_cast<std::streamsize>(out.size()));
  return f.Commit();
}

const chakra::AttributeProto* FindChakraAttr(const chakra::Node& node, absl::string_view name) {
  for (const auto& a : node.attr())
    if (a.name() == name) return &a;
  return nullptr;
}

absl::StatusOr<int64_t> ChakraIntAttr(const chakra::Node& node, absl::string_view name) {
  const chakra::AttributeProto* a = FindChakraAttr(node, name);
  if (a == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("node ", node.id(), ": attribute '", name, "' is missing"));
  }
  using A = chakra::AttributeProto;
  switch (a->value_case()) {
    case A::kInt32Val: return a->int32_val();
    case A::kInt64Val: return a->int64_val();
    case A::kUint32Val: return static_cast<int64_t>(a->uint32_val());
    case A::kUint64Val:
      if (a->uint64_val() > static_cast<uint64_t>(INT64_MAX)) break;
      return static_cast<int64_t>(a->uint64_val());
    case A::kSint32Val: return a->sint32_val();
    case A::kSint64Val: return a->sint64_val();
    case A::kFixed32Val: return static_cast<int64_t>(a->fixed32_val());
    case A::kFixed64Val:
      if (a->fixed64_val() > static_cast<uint64_t>(INT64_MAX)) break;
      return static_cast<int64_t>(a->fixed64_val());
    case A::kSfixed32Val: return a->sfixed32_val();
    case A::kSfixed64Val: return a->sfixed64_val();
    case A::kBoolVal: return a->bool_val() ? 1 : 0;
    default: break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("node ", node.id(), ": attribute '", name, "' is not an integer in range"));
}

bool ChakraBoolAttr(const chakra::Node& node, absl::string_view name, bool def) {
  const chakra::AttributeProto* a = FindChakraAttr(node, name);
  if (a == nullptr) return def;
  if (a->value_case() == chakra::AttributeProto::kBoolVal) return a->bool_val();
  auto v = ChakraIntAttr(node, name);
  return v.ok() ? *v != 0 : def;
}

std::vector<bool> ChakraBoolListAttr(const chakra::Node& node, absl::string_view name) {
  std::vector<bool> out;
  const chakra::AttributeProto* a = FindChakraAttr(node, name);
  if (a == nullptr) return out;
  if (a->value_case() == chakra::AttributeProto::kBoolList) {
    for (bool b : a->bool_list().values()) out.push_back(b);
  } else if (a->value_case() == chakra::AttributeProto::kInt64List) {
    for (int64_t v : a->int64_list().values()) out.push_back(v != 0);
  } else if (a->value_case() == chakra::AttributeProto::kInt32List) {
    for (int32_t v : a->int32_list().values()) out.push_back(v != 0);
  }
  return out;
}

}  // namespace mlsysim
