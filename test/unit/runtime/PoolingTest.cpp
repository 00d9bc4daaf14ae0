//===- PoolingTest.cpp - dsrt_kernel_pool2d_f32 ---------------------------===//
//
// The pooling kernel against naive loops in the order the kernel documents
// (kh, then kw, from the output's old value), with the AVX-512 plane kernel
// (where the CPU has it) and the scalar one: max (NaN-propagating) and sum,
// strides, dilations, strided views, global windows, several threads.
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"
#include "dsrt/kernels.h"

#include "KernelTestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <vector>

namespace {

using dsrt::test::GenericKernels;
using dsrt::test::randomFloats;

struct PoolCase {
  bool max;
  int64_t N, C, OH, OW, KH, KW, sh, sw, dh, dw;
  /// Input columns two apart and output columns three apart.
  bool strided;
  int threads;
};

void PrintTo(const PoolCase &c, std::ostream *os) {
  *os << (c.max ? "max" : "sum") << " N" << c.N << " C" << c.C << " "
      << c.OH << "x" << c.OW << " k" << c.KH << "x" << c.KW << " s" << c.sh
      << "," << c.sw << " d" << c.dh << "," << c.dw
      << (c.strided ? " strided" : "") << " threads=" << c.threads;
}

float combine(bool max, float acc, float x) {
  if (!max)
    return acc + x;
  if (std::isnan(acc) || std::isnan(x))
    return NAN;
  return acc < x ? x : acc;
}

class PoolingTest
    : public testing::TestWithParam<std::tuple<PoolCase, bool>> {};

TEST_P(PoolingTest, MatchesNaiveLoops) {
  const PoolCase &c = std::get<0>(GetParam());
  bool generic = std::get<1>(GetParam());
  DSRT_SKIP_AVX512_RUN_WITHOUT_AVX512(generic);
  GenericKernels env(generic);
  dsrt_set_num_threads(c.threads);
  int64_t H = (c.OH - 1) * c.sh + (c.KH - 1) * c.dh + 1;
  int64_t W = (c.OW - 1) * c.sw + (c.KW - 1) * c.dw + 1 + 1; // one spare
  int64_t iw = c.strided ? 2 : 1, ow = c.strided ? 3 : 1;
  int64_t sI[4] = {c.C * H * W * iw, H * W * iw, W * iw, iw};
  int64_t sO[4] = {c.C * c.OH * c.OW * ow, c.OH * c.OW * ow, c.OW * ow, ow};
  std::vector<float> in = randomFloats(size_t(c.N * sI[0]), 7);
  if (c.max)
    in[size_t(sI[1] + 2 * sI[2] + sI[3])] = NAN; // channel 1, row 2, col 1
  std::vector<float> out = randomFloats(size_t(c.N * sO[0]), 8);
  std::vector<float> ref = out;
  for (int64_t n = 0; n < c.N; ++n)
    for (int64_t ch = 0; ch < c.C; ++ch)
      for (int64_t y = 0; y < c.OH; ++y)
        for (int64_t x = 0; x < c.OW; ++x) {
          float &r = ref[size_t(n * sO[0] + ch * sO[1] + y * sO[2] + x * sO[3])];
          for (int64_t kh = 0; kh < c.KH; ++kh)
            for (int64_t kw = 0; kw < c.KW; ++kw)
              r = combine(c.max, r,
                          in[size_t(n * sI[0] + ch * sI[1] +
                                    (y * c.sh + kh * c.dh) * sI[2] +
                                    (x * c.sw + kw * c.dw) * sI[3])]);
        }
  dsrt_kernel_pool2d_f32(c.max ? DSRT_POOL_MAX : DSRT_POOL_SUM, c.N, c.C,
                         c.OH, c.OW, c.KH, c.KW, c.sh, c.sw, c.dh, c.dw,
                         in.data(), sI[0], sI[1], sI[2], sI[3], out.data(),
                         sO[0], sO[1], sO[2], sO[3]);
  dsrt_set_num_threads(0);
  for (size_t i = 0; i < out.size(); ++i) {
    if (std::isnan(ref[i])) {
      ASSERT_TRUE(std::isnan(out[i])) << "element " << i;
      continue;
    }
    // Max is exact; sums in the documented order are too.
    ASSERT_EQ(out[i], ref[i]) << "element " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, PoolingTest,
    testing::Combine(
        testing::Values(
            // cnn's and ResNet's MaxPool: 2x2 s2, 3x3 s2 (odd width tails).
            PoolCase{true, 2, 16, 16, 16, 2, 2, 2, 2, 1, 1, false, 2},
            PoolCase{true, 1, 5, 11, 37, 3, 3, 2, 2, 1, 1, false, 1},
            // AveragePool's sum: stride 1, wide rows (several vectors),
            // stride 3 and dilation (gathered columns).
            PoolCase{false, 1, 3, 4, 70, 2, 3, 1, 1, 1, 1, false, 2},
            PoolCase{false, 2, 3, 5, 9, 2, 2, 3, 3, 2, 2, false, 1},
            // Strided views of input and output.
            PoolCase{true, 1, 4, 6, 7, 3, 2, 1, 2, 1, 1, true, 2}),
        testing::Bool()),
    [](const testing::TestParamInfo<std::tuple<PoolCase, bool>> &info) {
      return "Case" + std::to_string(info.index / 2) +
             (std::get<1>(info.param) ? "_Generic" : "_AVX512");
    });

/// A window over the whole contiguous plane (global pooling) may be summed
/// in another order: close to the sequential sum, not bit-exact. Max stays
/// exact and a NaN anywhere in a plane makes its maximum NaN.
TEST(Pooling, GlobalWindow) {
  for (bool generic : {false, true}) {
    if (!generic && !__builtin_cpu_supports("avx512f"))
      continue;
    GenericKernels env(generic);
    const int64_t N = 2, C = 5, H = 7, W = 9;
    std::vector<float> in = randomFloats(size_t(N * C * H * W), 9);
    in[size_t(3 * H * W + 17)] = NAN; // plane (0, 3)
    for (bool max : {false, true}) {
      std::vector<float> out(size_t(N * C), max ? -INFINITY : 0.f);
      dsrt_kernel_pool2d_f32(max ? DSRT_POOL_MAX : DSRT_POOL_SUM, N, C, 1, 1,
                             H, W, 1, 1, 1, 1, in.data(), C * H * W, H * W,
                             W, 1, out.data(), C, 1, 0, 0);
      for (int64_t p = 0; p < N * C; ++p) {
        double ref = max ? -INFINITY : 0.0;
        bool nan = false;
        for (int64_t i = 0; i < H * W; ++i) {
          float x = in[size_t(p * H * W + i)];
          nan |= std::isnan(x);
          ref = max ? std::max<double>(ref, x) : ref + x;
        }
        if (nan) {
          EXPECT_TRUE(std::isnan(out[size_t(p)])) << "plane " << p;
          continue;
        }
        if (max)
          EXPECT_EQ(out[size_t(p)], float(ref)) << "plane " << p;
        else
          EXPECT_NEAR(out[size_t(p)], ref, 1e-4) << "plane " << p;
      }
    }
  }
}

} // namespace
