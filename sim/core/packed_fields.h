// packed_fields.h — named fixed-width fields packed into the 64-bit payload of
// an event or the tag of a flow or collective, checked when packed.
//
// A model that packs (replica, stage, slot) into one integer by hand writes
// shifts and masks twice (pack and unpack) and silently corrupts the
// neighbouring field when a value outgrows its width. PackedFields declares
// the widths once (the first field in the highest bits); Pack refuses a value
// that does not fit, which is a broken precondition of the model that packs it
// (its config check must have refused the input that led there), so it stops
// the program with the field and the value rather than simulating the wrong
// thing.
//
// Usage:
//   using FlowTag = PackedFields<4, 20, 16, 24>;  // kind, replica, stage, slot
//   const uint64_t tag = FlowTag::Pack({kind, r, s, slot});
//   const int r = static_cast<int>(FlowTag::Get<1>(tag));
//   if (slots > FlowTag::Max(3) + 1) return absl::InvalidArgumentError(...);
#ifndef MLSYSIM_SIM_CORE_PACKED_FIELDS_H_
#define MLSYSIM_SIM_CORE_PACKED_FIELDS_H_

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace mlsysim {

template <int... kWidths>
class PackedFields {
 public:
  static constexpr int kCount = sizeof...(kWidths);
  static_assert(kCount > 0, "at least one field");
  static_assert(((kWidths > 0 && kWidths <= 64) && ...), "field widths lie in 1..64");
  static_assert((kWidths + ...) <= 64, "the fields exceed 64 bits");

  // The largest value field i holds.
  static constexpr uint64_t Max(int i) {
    return kWidth[i] == 64 ? ~uint64_t{0} : (uint64_t{1} << kWidth[i]) - 1;
  }

  // The fields in declaration order; stops the program if one does not fit.
  static uint64_t Pack(const std::array<uint64_t, kCount>& values) {
    uint64_t packed = 0;
    for (int i = 0; i < kCount; ++i) {
      if (values[i] > Max(i)) {
        std::fprintf(stderr,
                     "internal error: packed field %d of %d holds %d bits; value %llu does not "
                     "fit (a model's config check let through what its payload cannot carry)\n",
                     i, kCount, kWidth[i], static_cast<unsigned long long>(values[i]));
        std::abort();
      }
      packed |= values[i] << Shift(i);
    }
    return packed;
  }

  template <int kField>
  static constexpr uint64_t Get(uint64_t packed) {
    static_assert(kField >= 0 && kField < kCount, "no such field");
    return (packed >> Shift(kField)) & Max(kField);
  }

 private:
  static constexpr std::array<int, kCount> kWidth{kWidths...};
  // Field i sits above the fields declared after it.
  static constexpr int Shift(int i) {
    int shift = 0;
    for (int j = i + 1; j < kCount; ++j) shift += kWidth[j];
    return shift;
  }
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_CORE_PACKED_FIELDS_H_
