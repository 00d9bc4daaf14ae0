//===- WeightQuantizerTest.cpp - compile-time weight quantization --------===//
#include "passes/Quantization/WeightQuantizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mlir::ds;

namespace {

std::vector<float> randomWeights(int64_t n, int64_t k, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> w(n * k);
  for (float &v : w)
    v = dist(gen);
  return w;
}

TEST(WeightQuantizer, Int8PerChannelRoundTrip) {
  int64_t n = 3, k = 8;
  std::vector<float> w = {1.0f, -2.0f, 0.5f, 0.0f, 0.25f, -0.25f, 2.0f, 1.5f,
                          0.0f, 0.0f,  0.0f, 0.0f, 0.0f,  0.0f,   0.0f, 0.0f,
                          -1.27f, 0.01f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  QuantizedWeights q = quantizeWeights(w, n, k, /*bits=*/8, /*group=*/k);
  ASSERT_EQ(q.values.size(), size_t(n * k));
  ASSERT_EQ(q.scales.size(), size_t(n));
  // Row 0: absmax 2 -> scale 2/127; the extremes map to +-127.
  EXPECT_FLOAT_EQ(q.scales[0], 2.0f / 127.0f);
  EXPECT_EQ(q.values[1], -127);
  EXPECT_EQ(q.values[6], 127);
  EXPECT_EQ(q.values[0], 64); // 63.5 rounds half to even
  // An all-zero row: scale 0 and zero values, no NaN.
  EXPECT_EQ(q.scales[1], 0.0f);
  for (int64_t j = 0; j < k; ++j)
    EXPECT_EQ(q.values[k + j], 0);
  EXPECT_FLOAT_EQ(q.scales[2], 0.01f);
  EXPECT_EQ(q.values[2 * k], -127);
  EXPECT_EQ(q.values[2 * k + 1], 1);
}

TEST(WeightQuantizer, Int4PackingAndError) {
  int64_t n = 5, k = 256, group = 64;
  std::vector<float> w = randomWeights(n, k, 1);
  QuantizedWeights q = quantizeWeights(w, n, k, /*bits=*/4, group);
  ASSERT_EQ(q.values.size(), size_t(n * k / 2));
  ASSERT_EQ(q.scales.size(), size_t(n * k / group));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j) {
      int8_t v = unpackInt4(&q.values[i * k / 2], j);
      ASSERT_GE(v, -7);
      ASSERT_LE(v, 7);
      float scale = q.scales[i * (k / group) + j / group];
      // Within half a step of the original.
      EXPECT_LE(std::fabs(v * scale - w[i * k + j]), 0.5f * scale + 1e-6f);
    }
}

TEST(WeightQuantizer, UnpackInt4SignExtends) {
  int8_t bytes[2] = {static_cast<int8_t>(0x9F), static_cast<int8_t>(0x70)};
  EXPECT_EQ(unpackInt4(bytes, 0), -1); // low nibble 0xF
  EXPECT_EQ(unpackInt4(bytes, 1), -7); // high nibble 0x9
  EXPECT_EQ(unpackInt4(bytes, 2), 0);
  EXPECT_EQ(unpackInt4(bytes, 3), 7);
}

/// The VNNI layout reproduces w . x for every channel, with the unsigned
/// offset corrected by the precomputed sums.
void checkVNNILayout(int64_t bits, int64_t n, int64_t k, int64_t group) {
  std::vector<float> w = randomWeights(n, k, 2);
  QuantizedWeights q = quantizeWeights(w, n, k, bits, group);
  VNNIPackedWeights p = packForVNNI(q, n, k, bits, group);
  ASSERT_EQ(p.blocks, (n + 15) / 16);
  int64_t step = bits == 8 ? 4 : 8, chunks = k / step, groups = k / group;
  std::mt19937 gen(3);
  std::uniform_int_distribution<int> dist(-127, 127);
  std::vector<int8_t> x(k);
  for (int8_t &v : x)
    v = static_cast<int8_t>(dist(gen));
  auto weight = [&](int64_t row, int64_t col) -> int32_t {
    return bits == 8 ? q.values[row * k + col]
                     : unpackInt4(&q.values[row * (k / 2)], col);
  };
  for (int64_t b = 0; b < p.blocks; ++b)
    for (int64_t j = 0; j < 16; ++j) {
      int64_t row = b * 16 + j;
      for (int64_t g = 0; g < groups; ++g) {
        // What the kernel computes: sum of (x + 128) * w over the group's
        // chunks, minus the stored 128 * sum(w).
        int32_t acc = 0;
        for (int64_t c = g * group / step; c < (g + 1) * group / step; ++c) {
          for (int64_t t = 0; t < 4; ++t) {
            int8_t byte = p.tiles[(b * chunks + c) * 64 + 4 * j + t];
            if (bits == 8) {
              acc += (x[4 * c + t] + 128) * int32_t(byte);
            } else {
              int8_t lo = static_cast<int8_t>(
                  static_cast<int8_t>(static_cast<uint8_t>(byte) << 4) >> 4);
              int8_t hi = static_cast<int8_t>(byte >> 4);
              acc += (x[8 * c + t] + 128) * int32_t(lo);
              acc += (x[8 * c + 4 + t] + 128) * int32_t(hi);
            }
          }
        }
        acc -= p.sums[(b * groups + g) * 16 + j];
        int32_t expected = 0;
        if (row < n)
          for (int64_t col = g * group; col < (g + 1) * group; ++col)
            expected += x[col] * weight(row, col);
        EXPECT_EQ(acc, expected) << "block " << b << " lane " << j;
        float scale = p.scales[(b * groups + g) * 16 + j];
        EXPECT_EQ(scale, row < n ? q.scales[row * groups + g] : 0.0f);
      }
    }
}

TEST(WeightQuantizer, VNNILayoutInt8) { checkVNNILayout(8, 20, 64, 64); }
TEST(WeightQuantizer, VNNILayoutInt4) { checkVNNILayout(4, 33, 256, 128); }
TEST(WeightQuantizer, VNNILayoutInt4Group32) { checkVNNILayout(4, 16, 64, 32); }

} // namespace
