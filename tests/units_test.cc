// units_test.cc — the quantity parser: decimal vs binary prefixes, rates,
// declared units, and errors that name the offending token.
#include "analytic/units.h"

#include "gtest/gtest.h"

namespace mlsysim {
namespace {

double Si(const char* text) {
  auto q = ParseQuantity(text);
  EXPECT_TRUE(q.ok()) << text << ": " << q.status();
  return q.ok() ? q->si : -1;
}

TEST(UnitsTest, ContractExamples) {
  EXPECT_DOUBLE_EQ(Si("10 ms"), 0.01);
  EXPECT_DOUBLE_EQ(Si("0.5 us"), 5e-7);
  EXPECT_DOUBLE_EQ(Si("400 Gbps"), 50e9);  // 400 Gbps = 50 GB/s
  EXPECT_DOUBLE_EQ(Si("50 GB/s"), 50e9);
  EXPECT_DOUBLE_EQ(Si("2 GiB"), 2.0 * 1024 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(Si("19 TB/hour"), 19e12 / 3600.0);
  EXPECT_DOUBLE_EQ(Si("1e18 flop"), 1e18);
  EXPECT_DOUBLE_EQ(Si("100 hour"), 360000.0);
  EXPECT_DOUBLE_EQ(Si("30 day"), 30 * 86400.0);
  EXPECT_DOUBLE_EQ(Si("1 TB"), 1000 * Si("1 GB"));
  EXPECT_DOUBLE_EQ(Si("1 TFLOPs"), 1e12);
  EXPECT_DOUBLE_EQ(Si("15 Wh"), 54000.0);
}

TEST(UnitsTest, DimensionsAreChecked) {
  auto bw = ParseQuantityAs("50 GB/s", dims::kByteRate, "bandwidth");
  ASSERT_TRUE(bw.ok());
  auto wrong = ParseQuantityAs("50 GB", dims::kByteRate, "bandwidth");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("bandwidth"), std::string::npos);
  EXPECT_NE(wrong.status().message().find("expected a bandwidth"), std::string::npos);
  // A bare number takes the expected dimension in SI units.
  auto bare = ParseQuantityAs("1e9", dims::kByteRate, "bandwidth");
  ASSERT_TRUE(bare.ok());
  EXPECT_DOUBLE_EQ(bare->si, 1e9);
}

TEST(UnitsTest, UnknownUnitNamesTheToken) {
  auto q = ParseQuantity("50 GBs");
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("'GBs'"), std::string::npos);
  auto n = ParseQuantity("fast");
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("number"), std::string::npos);
  EXPECT_FALSE(ParseQuantity("").ok());
  EXPECT_FALSE(ParseQuantity("1 GB/s/s").ok());
}

TEST(UnitsTest, DeclaredNumberAndMillisecondFactor) {
  auto tb = ParseQuantity("3.35 TB/s");
  ASSERT_TRUE(tb.ok());
  EXPECT_EQ(tb->number, 3.35);
  EXPECT_EQ(tb->MsFactor(), 1e-9);
  auto gb = ParseQuantity("900 GB/s");
  ASSERT_TRUE(gb.ok());
  EXPECT_EQ(gb->MsFactor(), 1.0000000000000002e-6);  // mlsysim's 1e-9 * 1000
  auto pf = ParseQuantity("125 PFLOP/s");
  ASSERT_TRUE(pf.ok());
  EXPECT_EQ(pf->MsFactor(), 1e-12);
}

TEST(UnitsTest, OverlongQuantitiesAreRefusedQuickly) {
  // Found by the units fuzzer: 20 kB inputs made parsing slow. Refused by length.
  auto q = ParseQuantity(std::string(20000, '9') + " GB");
  ASSERT_FALSE(q.ok());
  EXPECT_NE(std::string(q.status().message()).find("longer than 256"), std::string::npos);
}

}  // namespace
}  // namespace mlsysim
