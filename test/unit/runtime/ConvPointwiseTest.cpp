//===- ConvPointwiseTest.cpp - the pixel-vectorized 1x1 convolution ------===//
//
// dsrt_kernel_conv2d_fused_f32 on 1x1 stride-1 unpadded convolutions, run by
// the pixel-vectorized kernel (runtime/lib/kernels/ConvPointwise.h): chosen
// by default on planes of at least 28 x 28, forced with
// DSRT_CONV_TILE=pixelvec on smaller ones. Against a double-precision
// reference, with the AVX-512 and the portable tiles (DSRT_GENERIC_KERNELS);
// pixel counts that are not multiples of 16 or of the 48-pixel tile,
// channel counts that are not multiples of the 8-channel block, every
// epilogue (bias, residual, ReLU, ReLU6), groups, batches, non-constant
// weights, and bitwise determinism across thread counts.
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"
#include "dsrt/kernels.h"

#include "KernelTestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <ostream>
#include <vector>

namespace {

using dsrt::test::ConvTileEnv;
using dsrt::test::GenericKernels;
using dsrt::test::randomFloats;

enum class Act { None, Relu, Relu6 };

struct PwCase {
  int64_t N, G, F, C, H, W;
  bool bias, residual;
  Act act;
  int threads;
  /// Set DSRT_CONV_TILE=pixelvec (planes below the default's 784 pixels).
  bool force;
  int64_t flags = DSRT_KERNEL_CONSTANT_A;
};

void PrintTo(const PwCase &c, std::ostream *os) {
  *os << "N" << c.N << " G" << c.G << " F" << c.F << " C" << c.C << " "
      << c.H << "x" << c.W << (c.bias ? " bias" : "")
      << (c.residual ? " residual" : "")
      << (c.act == Act::Relu    ? " relu"
          : c.act == Act::Relu6 ? " relu6"
                                : "")
      << " threads=" << c.threads << (c.force ? " forced" : "")
      << (c.flags ? "" : " non-constant weights");
}

/// Runs case `c` and returns the output ([N, G, F, H, W]).
std::vector<float> run(const PwCase &c, const std::vector<float> &in,
                       const std::vector<float> &w,
                       const std::vector<float> &bias,
                       const std::vector<float> &res, float lo, float hi) {
  int64_t P = c.H * c.W;
  int64_t sI[3] = {c.G * c.C * P, c.C * P, P};
  int64_t sO[3] = {c.G * c.F * P, c.F * P, P};
  std::vector<float> out(size_t(c.N * sO[0]),
                         std::numeric_limits<float>::quiet_NaN());
  dsrt_set_num_threads(c.threads);
  dsrt_kernel_conv2d_fused_f32(
      c.N, c.G, c.F, c.C, c.H, c.W, 1, 1, 1, 1, 1, 1, c.H, c.W, 0, 0,
      in.data(), sI[0], sI[1], sI[2], c.W, 1, w.data(), c.F * c.C, c.C, 1, 1,
      1, out.data(), sO[0], sO[1], sO[2], c.W, 1,
      c.bias ? bias.data() : nullptr, 0, c.F, 1, 0, 0,
      c.residual ? res.data() : nullptr, sO[0], sO[1], sO[2], c.W, 1, lo, hi,
      c.flags);
  dsrt_set_num_threads(0);
  return out;
}

class ConvPointwiseTest
    : public testing::TestWithParam<std::tuple<PwCase, bool>> {};

TEST_P(ConvPointwiseTest, MatchesNaiveLoops) {
  const PwCase &c = std::get<0>(GetParam());
  bool generic = std::get<1>(GetParam());
  DSRT_SKIP_AVX512_RUN_WITHOUT_AVX512(generic);
  GenericKernels env(generic);
  ConvTileEnv tile(c.force ? "pixelvec" : nullptr);
  int64_t P = c.H * c.W;
  std::vector<float> in = randomFloats(size_t(c.N * c.G * c.C * P), 51);
  std::vector<float> w = randomFloats(size_t(c.G * c.F * c.C), 52);
  // Scaled so that ReLU6 clamps some outputs at 6.
  for (float &x : w)
    x *= 4.f;
  std::vector<float> bias = randomFloats(size_t(c.G * c.F), 53);
  std::vector<float> res = randomFloats(size_t(c.N * c.G * c.F * P), 54);
  float lo = c.act == Act::None ? -INFINITY : 0.f;
  float hi = c.act == Act::Relu6 ? 6.f : INFINITY;
  std::vector<float> out = run(c, in, w, bias, res, lo, hi);

  int clamped = 0;
  for (int64_t n = 0; n < c.N; ++n)
    for (int64_t g = 0; g < c.G; ++g)
      for (int64_t f = 0; f < c.F; ++f)
        for (int64_t p = 0; p < P; ++p) {
          double ref = 0;
          for (int64_t ci = 0; ci < c.C; ++ci)
            ref += double(in[size_t(((n * c.G + g) * c.C + ci) * P + p)]) *
                   double(w[size_t((g * c.F + f) * c.C + ci)]);
          size_t o = size_t(((n * c.G + g) * c.F + f) * P + p);
          if (c.bias)
            ref += bias[size_t(g * c.F + f)];
          if (c.residual)
            ref += res[o];
          if (c.act != Act::None && ref < 0)
            ref = 0;
          if (c.act == Act::Relu6 && ref > 6)
            ref = 6, ++clamped;
          ASSERT_NEAR(out[o], ref, 1e-4 * (1 + c.C / 16.0))
              << "n=" << n << " g=" << g << " f=" << f << " p=" << p;
        }
  if (c.act == Act::Relu6) {
    EXPECT_GT(clamped, 0) << "the case does not exercise the upper bound";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvPointwiseTest,
    testing::Combine(
        testing::Values(
            // Chosen by default: 29 x 29 = 841 pixels (17 full 48-pixel
            // tiles and a 25-pixel one), 24 channels (3 blocks), as
            // MobileNetV2's 96->24 projection.
            PwCase{1, 1, 24, 96, 29, 29, true, false, Act::Relu6, 1, false},
            // The same on 2 threads with a residual (tasks split the tiles).
            PwCase{1, 1, 24, 96, 29, 29, true, true, Act::None, 2, false},
            // 13 channels (a 5-channel block), 143 pixels, every addend.
            PwCase{1, 1, 13, 7, 11, 13, true, true, Act::Relu, 2, true},
            // Batch and groups, residual only, weights laid out per call.
            PwCase{2, 2, 20, 9, 7, 9, false, true, Act::None, 3, true,
                   /*flags=*/0},
            // Fewer pixels than one vector; one input channel.
            PwCase{1, 1, 8, 1, 5, 3, true, false, Act::Relu, 1, true},
            // Exactly one full tile, 33 channels (a 1-channel block).
            PwCase{1, 1, 33, 40, 16, 3, true, true, Act::Relu6, 2, true},
            // A long reduction (300 channels) on 100 pixels.
            PwCase{1, 1, 16, 300, 10, 10, true, false, Act::Relu, 1, true},
            // Many channel blocks on a plane large enough for the default
            // and for splitting on 3 threads.
            PwCase{1, 1, 96, 16, 30, 31, true, false, Act::Relu6, 3,
                   false}),
        testing::Bool()));

TEST(ConvPointwise, IsDeterministicAcrossThreadCounts) {
  // Tasks split pixel tiles and channel blocks; each output is one
  // channel-ordered sum whatever the split: bitwise equal on 1, 2 and 3
  // threads, with the AVX-512 and the portable tiles.
  for (bool generic : {false, true}) {
    if (!generic && !__builtin_cpu_supports("avx512f"))
      continue;
    GenericKernels env(generic);
    ConvTileEnv tile(nullptr);
    PwCase c{1, 1, 40, 72, 37, 29, true, true, Act::None, 1, false};
    int64_t P = c.H * c.W;
    std::vector<float> in = randomFloats(size_t(c.C * P), 61);
    std::vector<float> w = randomFloats(size_t(c.F * c.C), 62);
    std::vector<float> bias = randomFloats(size_t(c.F), 63);
    std::vector<float> res = randomFloats(size_t(c.F * P), 64);
    std::vector<float> first;
    for (int threads : {1, 2, 3}) {
      c.threads = threads;
      std::vector<float> out =
          run(c, in, w, bias, res, -INFINITY, INFINITY);
      if (first.empty()) {
        first = std::move(out);
        continue;
      }
      for (size_t i = 0; i < first.size(); ++i)
        ASSERT_EQ(first[i], out[i])
            << (generic ? "generic" : "avx512") << " threads=" << threads
            << " at " << i;
    }
  }
}

TEST(ConvPointwise, NaNValuesPropagateThroughTheClamp) {
  // A NaN input reaches its pixel's outputs through the clamp (as
  // arith.maximumf/minimumf); others are clamped as usual.
  for (bool generic : {false, true}) {
    if (!generic && !__builtin_cpu_supports("avx512f"))
      continue;
    GenericKernels env(generic);
    ConvTileEnv tile("pixelvec");
    PwCase c{1, 1, 10, 3, 5, 7, false, false, Act::Relu6, 1, true};
    int64_t P = c.H * c.W;
    std::vector<float> in(size_t(c.C * P), 1.f);
    in[size_t(1 * P + 20)] = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> w(size_t(c.F * c.C), 4.f);
    std::vector<float> out = run(c, in, w, {}, {}, 0.f, 6.f);
    for (int64_t f = 0; f < c.F; ++f)
      for (int64_t p = 0; p < P; ++p) {
        float v = out[size_t(f * P + p)];
        if (p == 20) {
          EXPECT_TRUE(std::isnan(v))
              << (generic ? "generic" : "avx512") << " f=" << f;
        } else {
          EXPECT_EQ(v, 6.f) << (generic ? "generic" : "avx512") << " f=" << f
                            << " p=" << p;
        }
      }
  }
}

} // namespace
