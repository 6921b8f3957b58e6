// packed_fields_test.cc — checked fixed-width payload fields
// (sim/core/packed_fields.h): the layout is the hand-written shifts it
// replaced, values round-trip at their widths' limits, and a value that does
// not fit stops the program instead of landing in the next field.
#include "sim/core/packed_fields.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace mlsysim {
namespace {

using FlowTag = PackedFields<4, 20, 16, 24>;  // the training step's pipeline flow tag

TEST(PackedFieldsTest, LayoutIsTheHandWrittenShifts) {
  // kind << 60 | replica << 40 | stage << 24 | slot, as the step packed it
  // before (the route hash depends on these bits).
  const uint64_t by_hand = (uint64_t{2} << 60) | (uint64_t{777} << 40) |
                           (uint64_t{1023} << 24) | uint64_t{123456};
  EXPECT_EQ(FlowTag::Pack({2, 777, 1023, 123456}), by_hand);
  EXPECT_EQ((PackedFields<48, 16>::Pack({5, 9})), (uint64_t{5} << 16) | 9);
  EXPECT_EQ((PackedFields<64>::Pack({~uint64_t{0}})), ~uint64_t{0});
}

TEST(PackedFieldsTest, ValuesRoundTripAtTheirLimits) {
  EXPECT_EQ(FlowTag::Max(0), 15u);
  EXPECT_EQ(FlowTag::Max(1), (uint64_t{1} << 20) - 1);
  EXPECT_EQ(FlowTag::Max(2), 65535u);
  EXPECT_EQ(FlowTag::Max(3), (uint64_t{1} << 24) - 1);
  const uint64_t t = FlowTag::Pack({15, (1u << 20) - 1, 0, (1u << 24) - 1});
  EXPECT_EQ(FlowTag::Get<0>(t), 15u);
  EXPECT_EQ(FlowTag::Get<1>(t), (1u << 20) - 1);
  EXPECT_EQ(FlowTag::Get<2>(t), 0u);
  EXPECT_EQ(FlowTag::Get<3>(t), (1u << 24) - 1);
}

TEST(PackedFieldsDeathTest, AValueTooWideStopsInsteadOfCorruptingItsNeighbour) {
  // 65,536 in a 16-bit field: the hand-packed form silently added 1 to the
  // field above it (this is how a tiny --bucket crashed the training step).
  EXPECT_DEATH((PackedFields<48, 16>::Pack({3, 65536})), "field 1 of 2 holds 16 bits");
}

}  // namespace
}  // namespace mlsysim
