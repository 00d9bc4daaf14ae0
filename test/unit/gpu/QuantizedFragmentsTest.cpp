//===- QuantizedFragmentsTest.cpp - the int8 MMA fragment coordinates -----===//
//
// The coordinates the int8 tensor-core kernel (lib/Target/GPU/
// QuantizedMatmul.cpp) indexes its operands with come from
// QuantizedFragments.h; here the same functions, evaluated on integers,
// are compared element by element with the PTX ISA's formulas for
// mma.m16n8k32 with .s8 multiplicands ("Matrix Fragments for
// mma.m16n8k32"), transcribed independently below, and a warp's product is
// replayed through them against a plain matrix product.
//
//===----------------------------------------------------------------------===//
#include "lib/Target/GPU/QuantizedFragments.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

using namespace mlir::ds;

namespace {
struct IntOps {
  int64_t div(int64_t x, int64_t y) { return x / y; }
  int64_t rem(int64_t x, int64_t y) { return x % y; }
  int64_t add(int64_t x, int64_t y) { return x + y; }
  int64_t mul(int64_t x, int64_t y) { return x * y; }
};

// The PTX ISA's formulas, element i of a lane's fragment.
int64_t specARow(int64_t lane, int64_t i) {
  int64_t groupID = lane >> 2;
  return (i < 4 || (i >= 8 && i < 12)) ? groupID : groupID + 8;
}
int64_t specACol(int64_t lane, int64_t i) {
  int64_t tig = lane % 4;
  return i < 8 ? tig * 4 + (i & 0x3) : tig * 4 + (i & 0x3) + 16;
}
int64_t specBRow(int64_t lane, int64_t i) {
  int64_t tig = lane % 4;
  return i < 4 ? tig * 4 + (i & 0x3) : tig * 4 + (i & 0x3) + 16;
}
int64_t specBCol(int64_t lane, int64_t) { return lane >> 2; }
int64_t specCRow(int64_t lane, int64_t i) {
  return i < 2 ? (lane >> 2) : (lane >> 2) + 8;
}
int64_t specCCol(int64_t lane, int64_t i) { return (lane % 4) * 2 + (i & 0x1); }

TEST(QuantizedFragments, AMatchesPTXISAAndCoversTheTile) {
  IntOps o;
  std::vector<int> seen(16 * 32, 0);
  for (int64_t lane = 0; lane < 32; ++lane)
    for (int64_t r = 0; r < s8mma::kARegisters; ++r)
      for (int64_t byte = 0; byte < s8mma::kBytesPerRegister; ++byte) {
        int64_t i = r * 4 + byte;
        int64_t row = s8mma::aRow(o, lane, r);
        int64_t col = s8mma::aColumn(o, lane, r) + byte;
        EXPECT_EQ(row, specARow(lane, i)) << "lane " << lane << " a" << i;
        EXPECT_EQ(col, specACol(lane, i)) << "lane " << lane << " a" << i;
        ASSERT_TRUE(row >= 0 && row < 16 && col >= 0 && col < 32);
        ++seen[row * 32 + col];
      }
  for (int count : seen)
    EXPECT_EQ(count, 1);
}

TEST(QuantizedFragments, BMatchesPTXISAAndCoversTheTile) {
  IntOps o;
  std::vector<int> seen(32 * 8, 0);
  for (int64_t lane = 0; lane < 32; ++lane)
    for (int64_t r = 0; r < s8mma::kBRegisters; ++r)
      for (int64_t byte = 0; byte < s8mma::kBytesPerRegister; ++byte) {
        int64_t i = r * 4 + byte;
        int64_t k = s8mma::bRow(o, lane, r) + byte;
        int64_t n = s8mma::bColumn(o, lane);
        EXPECT_EQ(k, specBRow(lane, i)) << "lane " << lane << " b" << i;
        EXPECT_EQ(n, specBCol(lane, i)) << "lane " << lane << " b" << i;
        ASSERT_TRUE(k >= 0 && k < 32 && n >= 0 && n < 8);
        ++seen[k * 8 + n];
      }
  for (int count : seen)
    EXPECT_EQ(count, 1);
}

TEST(QuantizedFragments, CMatchesPTXISAAndCoversTheTile) {
  IntOps o;
  std::vector<int> seen(16 * 8, 0);
  for (int64_t lane = 0; lane < 32; ++lane)
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t j = 0; j < 2; ++j) {
        int64_t i = 2 * h + j;
        int64_t row = s8mma::cRow(o, lane, h);
        int64_t col = s8mma::cColumn(o, lane, j);
        EXPECT_EQ(row, specCRow(lane, i)) << "lane " << lane << " c" << i;
        EXPECT_EQ(col, specCCol(lane, i)) << "lane " << lane << " c" << i;
        ASSERT_TRUE(row >= 0 && row < 16 && col >= 0 && col < 8);
        ++seen[row * 8 + col];
      }
  for (int count : seen)
    EXPECT_EQ(count, 1);
}

// One warp step as the kernel does it: lanes load their A bytes from a
// row-major [16, 32] activation tile and their B bytes from a [8, 32]
// weight tile ([N, K], B "col") through the coordinate functions; the
// hardware (emulated with the PTX ISA's formulas) multiplies; lanes store
// their C elements through the coordinate functions. The result must be
// activations · weightsᵀ.
TEST(QuantizedFragments, WarpStepReplaysTheProduct) {
  IntOps o;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> dist(-127, 127);
  int8_t act[16][32], w[8][32];
  for (auto &row : act)
    for (int8_t &v : row)
      v = static_cast<int8_t>(dist(rng));
  for (auto &row : w)
    for (int8_t &v : row)
      v = static_cast<int8_t>(dist(rng));

  int8_t aFrag[32][16], bFrag[32][8];
  for (int64_t lane = 0; lane < 32; ++lane) {
    for (int64_t r = 0; r < s8mma::kARegisters; ++r)
      for (int64_t byte = 0; byte < 4; ++byte)
        aFrag[lane][r * 4 + byte] =
            act[s8mma::aRow(o, lane, r)][s8mma::aColumn(o, lane, r) + byte];
    for (int64_t r = 0; r < s8mma::kBRegisters; ++r)
      for (int64_t byte = 0; byte < 4; ++byte)
        bFrag[lane][r * 4 + byte] =
            w[s8mma::bColumn(o, lane)][s8mma::bRow(o, lane, r) + byte];
  }
  // The MMA unit: gathers A (16 × 32) and B (32 × 8) by the ISA's layout.
  int32_t a[16][32], b[32][8], d[16][8] = {};
  for (int64_t lane = 0; lane < 32; ++lane) {
    for (int64_t i = 0; i < 16; ++i)
      a[specARow(lane, i)][specACol(lane, i)] = aFrag[lane][i];
    for (int64_t i = 0; i < 8; ++i)
      b[specBRow(lane, i)][specBCol(lane, i)] = bFrag[lane][i];
  }
  for (int m = 0; m < 16; ++m)
    for (int n = 0; n < 8; ++n)
      for (int k = 0; k < 32; ++k)
        d[m][n] += a[m][k] * b[k][n];
  int32_t out[16][8];
  for (int64_t lane = 0; lane < 32; ++lane)
    for (int64_t i = 0; i < 4; ++i)
      out[s8mma::cRow(o, lane, i / 2)][s8mma::cColumn(o, lane, i % 2)] =
          d[specCRow(lane, i)][specCCol(lane, i)];

  for (int m = 0; m < 16; ++m)
    for (int n = 0; n < 8; ++n) {
      int32_t expected = 0;
      for (int k = 0; k < 32; ++k)
        expected += int32_t(act[m][k]) * int32_t(w[n][k]);
      EXPECT_EQ(out[m][n], expected) << "row " << m << " column " << n;
    }
}
} // namespace
