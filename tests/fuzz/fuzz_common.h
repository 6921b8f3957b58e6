// fuzz_common.h — shared by the libFuzzer harnesses: the built-in registry,
// loaded once. Build: cmake -DMLSYSIM_FUZZ=ON with clang (see CMakeLists.txt).
#ifndef MLSYSIM_TESTS_FUZZ_FUZZ_COMMON_H_
#define MLSYSIM_TESTS_FUZZ_FUZZ_COMMON_H_

#include <memory>
#include <string>

#include "topology/registry.h"

namespace mlsysim {

inline const Registry& FuzzRegistry() {
  static const std::shared_ptr<const Registry> kReg = *Registry::Builtin();
  return *kReg;
}

inline std::string AsString(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace mlsysim

#endif  // MLSYSIM_TESTS_FUZZ_FUZZ_COMMON_H_
