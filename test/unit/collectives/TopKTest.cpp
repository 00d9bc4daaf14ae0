//===- TopKTest.cpp - Top-k all-reduce with error feedback (one rank) ----===//
#include "dsrt/collectives.h"
#include "dsrt/compression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

const int64_t kMesh[] = {1};
const int32_t kAxes[] = {0};

TEST(TopK, SendsLargestAndKeepsTheRest) {
  dsrt_topk *s = nullptr;
  ASSERT_EQ(dsrt_topk_create(6, &s), 0);
  std::vector<float> g = {0.5f, -4.0f, 1.0f, 3.0f, -0.25f, 2.0f}, out(6);
  ASSERT_EQ(dsrt_topk_all_reduce(s, g.data(), out.data(), 2, kMesh, 1, kAxes, 1), 0)
      << dsrt_last_error();
  EXPECT_EQ(out, (std::vector<float>{0, -4.0f, 0, 3.0f, 0, 0}));
  const float *r = dsrt_topk_residual(s);
  EXPECT_EQ(std::vector<float>(r, r + 6), (std::vector<float>{0.5f, 0, 1.0f, 0, -0.25f, 2.0f}));
  // Error feedback: the residual joins the next gradient, so entry 5
  // (2 + 1.5) now wins over the new large entry 0 (2.5).
  std::vector<float> g2 = {2.0f, 0, 0, 0, 0, 1.5f};
  ASSERT_EQ(dsrt_topk_all_reduce(s, g2.data(), out.data(), 1, kMesh, 1, kAxes, 1), 0);
  EXPECT_EQ(out, (std::vector<float>{0, 0, 0, 0, 0, 3.5f}));
  r = dsrt_topk_residual(s);
  EXPECT_EQ(std::vector<float>(r, r + 6), (std::vector<float>{2.5f, 0, 1.0f, 0, -0.25f, 0}));
  dsrt_topk_free(s);
}

TEST(TopK, ConservesTheGradientSum) {
  const int64_t n = 257;
  dsrt_topk *s = nullptr;
  ASSERT_EQ(dsrt_topk_create(n, &s), 0);
  std::vector<double> sent(n, 0), total(n, 0);
  std::vector<float> g(n), out(n);
  for (int step = 0; step < 20; ++step) {
    for (int64_t i = 0; i < n; ++i) {
      g[i] = std::sin(0.37f * i + step) * (1 + i % 5);
      total[i] += g[i];
    }
    ASSERT_EQ(dsrt_topk_all_reduce(s, g.data(), out.data(), 16, kMesh, 1, kAxes, 1), 0);
    int nonzero = 0;
    for (int64_t i = 0; i < n; ++i) {
      sent[i] += out[i];
      nonzero += out[i] != 0;
    }
    EXPECT_LE(nonzero, 16);
  }
  const float *r = dsrt_topk_residual(s);
  for (int64_t i = 0; i < n; ++i)
    EXPECT_NEAR(sent[i] + r[i], total[i], 1e-3) << i;
  dsrt_topk_free(s);
}

TEST(TopK, Rejections) {
  dsrt_topk *s = nullptr;
  EXPECT_NE(dsrt_topk_create(0, &s), 0);
  EXPECT_NE(std::string(dsrt_last_error()).find("count 0 must be > 0"), std::string::npos);
  ASSERT_EQ(dsrt_topk_create(4, &s), 0);
  float g[4] = {1, 2, 3, 4}, out[4];
  EXPECT_NE(dsrt_topk_all_reduce(s, g, out, 5, kMesh, 1, kAxes, 1), 0);
  EXPECT_NE(std::string(dsrt_last_error()).find("k = 5 must be in [1, 4]"), std::string::npos);
  EXPECT_NE(dsrt_topk_all_reduce(s, g, g, 1, kMesh, 1, kAxes, 1), 0);
  EXPECT_NE(dsrt_topk_all_reduce(nullptr, g, out, 1, kMesh, 1, kAxes, 1), 0);
  dsrt_topk_free(s);
}

} // namespace
