//===- FusedConvTest.cpp - dsrt_kernel_conv2d_fused_f32 -------------------===//
//
// The fused convolution (implicit zero padding, output written rather than
// accumulated, bias/residual addends and a clamp applied in the kernel)
// against a naive reference in double precision. Every case runs with the
// AVX-512 kernels (where the CPU has them) and with the scalar ones
// (DSRT_GENERIC_KERNELS set), on the grouped-GEMM (im2col) path, the direct
// output-channel-vectorized path (runtime/lib/kernels/ConvDirect.h) and the
// depthwise one, with dense and strided views.
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"
#include "dsrt/kernels.h"

#include "KernelTestUtil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using dsrt::test::ConvTileEnv;
using dsrt::test::GenericKernels;
using dsrt::test::randomFloats;

enum class Act { None, Relu, Relu6 };

struct FusedCase {
  int64_t N, G, F, C, H, W, KH, KW, sh, sw, dh, dw, padH, padW;
  bool bias, residual;
  Act act;
  /// Input, output and residual with every other column of a wider buffer
  /// (the non-flat fallback on the GEMM path, a strided plane copy on the
  /// depthwise path).
  bool strided;
  int threads;
  /// DSRT_KERNEL_CONSTANT_A, or 0: weights re-laid out per call.
  int64_t flags = DSRT_KERNEL_CONSTANT_A;
  /// DSRT_CONV_TILE for the run (the direct path's tile where both apply).
  const char *tile = nullptr;
};

void PrintTo(const FusedCase &c, std::ostream *os) {
  *os << "N" << c.N << " G" << c.G << " F" << c.F << " C" << c.C << " "
      << c.H << "x" << c.W << " k" << c.KH << "x" << c.KW << " s" << c.sh
      << "," << c.sw << " d" << c.dh << "," << c.dw << " pad" << c.padH
      << "," << c.padW << (c.bias ? " bias" : "")
      << (c.residual ? " residual" : "")
      << (c.act == Act::Relu    ? " relu"
          : c.act == Act::Relu6 ? " relu6"
                                : "")
      << (c.strided ? " strided" : "") << " threads=" << c.threads
      << (c.flags ? "" : " non-constant weights")
      << (c.tile ? std::string(" tile=") + c.tile : std::string());
}

class FusedConvTest
    : public testing::TestWithParam<std::tuple<FusedCase, bool>> {};

TEST_P(FusedConvTest, MatchesNaiveLoops) {
  const FusedCase &c = std::get<0>(GetParam());
  bool generic = std::get<1>(GetParam());
  DSRT_SKIP_AVX512_RUN_WITHOUT_AVX512(generic);
  GenericKernels env(generic);
  ConvTileEnv tileEnv(c.tile);
  dsrt_set_num_threads(c.threads);

  // Symmetric padding, as ONNX models mostly have.
  int64_t OH = (c.H + 2 * c.padH - (c.KH - 1) * c.dh - 1) / c.sh + 1;
  int64_t OW = (c.W + 2 * c.padW - (c.KW - 1) * c.dw - 1) / c.sw + 1;
  ASSERT_GT(OH, 0);
  ASSERT_GT(OW, 0);
  int64_t cs = c.strided ? 2 : 1; // column stride of in, out, residual
  int64_t sI[5] = {c.G * c.C * c.H * c.W * cs, c.C * c.H * c.W * cs,
                   c.H * c.W * cs, c.W * cs, cs};
  int64_t sW[5] = {c.F * c.C * c.KH * c.KW, c.C * c.KH * c.KW, c.KH * c.KW,
                   c.KW, 1};
  int64_t sO[5] = {c.G * c.F * OH * OW * cs, c.F * OH * OW * cs,
                   OH * OW * cs, OW * cs, cs};
  std::vector<float> in = randomFloats(size_t(c.N * sI[0]), 21);
  std::vector<float> w = randomFloats(size_t(c.G * sW[0]), 22);
  // Scaled so that ReLU6 clamps some outputs at 6.
  for (float &x : w)
    x *= 4.f;
  std::vector<float> bias = randomFloats(size_t(c.G * c.F), 23);
  std::vector<float> res = randomFloats(size_t(c.N * sO[0]), 24);
  // The old contents are ignored: NaN would show through.
  std::vector<float> out(size_t(c.N * sO[0]),
                         std::numeric_limits<float>::quiet_NaN());
  // The bias as a per-channel broadcast: strides {0, F, 1, 0, 0}.
  float lo = c.act == Act::None ? -INFINITY : 0.f;
  float hi = c.act == Act::Relu6 ? 6.f : INFINITY;
  dsrt_kernel_conv2d_fused_f32(
      c.N, c.G, c.F, c.C, OH, OW, c.KH, c.KW, c.sh, c.sw, c.dh, c.dw, c.H,
      c.W, c.padH, c.padW, in.data(), sI[0], sI[1], sI[2], sI[3], sI[4],
      w.data(), sW[0], sW[1], sW[2], sW[3], sW[4], out.data(), sO[0], sO[1],
      sO[2], sO[3], sO[4], c.bias ? bias.data() : nullptr, 0, c.F, 1, 0, 0,
      c.residual ? res.data() : nullptr, sO[0], sO[1], sO[2], sO[3], sO[4],
      lo, hi, c.flags);
  dsrt_set_num_threads(0);

  int clamped = 0;
  for (int64_t n = 0; n < c.N; ++n)
    for (int64_t g = 0; g < c.G; ++g)
      for (int64_t f = 0; f < c.F; ++f)
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow) {
            double ref = 0;
            for (int64_t ci = 0; ci < c.C; ++ci)
              for (int64_t kh = 0; kh < c.KH; ++kh)
                for (int64_t kw = 0; kw < c.KW; ++kw) {
                  int64_t y = oh * c.sh + kh * c.dh - c.padH;
                  int64_t x = ow * c.sw + kw * c.dw - c.padW;
                  if (y < 0 || y >= c.H || x < 0 || x >= c.W)
                    continue;
                  ref += double(in[n * sI[0] + g * sI[1] + ci * sI[2] +
                                   y * sI[3] + x * sI[4]]) *
                         double(w[g * sW[0] + f * sW[1] + ci * sW[2] +
                                  kh * sW[3] + kw]);
                }
            int64_t o =
                n * sO[0] + g * sO[1] + f * sO[2] + oh * sO[3] + ow * sO[4];
            if (c.bias)
              ref += bias[g * c.F + f];
            if (c.residual)
              ref += res[o];
            if (c.act != Act::None && ref < 0)
              ref = 0;
            if (c.act == Act::Relu6 && ref > 6)
              ref = 6, ++clamped;
            ASSERT_NEAR(out[o], ref, 1e-4 * (1 + c.C * c.KH * c.KW / 16.0))
                << "n=" << n << " g=" << g << " f=" << f << " oh=" << oh
                << " ow=" << ow;
          }
  if (c.act == Act::Relu6) {
    EXPECT_GT(clamped, 0) << "the case does not exercise the upper bound";
  }
  // Elements between the strided columns are not part of the output.
  if (c.strided) {
    for (size_t i = 1; i < out.size(); i += 2)
      ASSERT_TRUE(std::isnan(out[i])) << "wrote outside the view at " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, FusedConvTest,
    testing::Combine(
        testing::Values(
            // GEMM path (forced): 3x3 pad 1, bias + ReLU6 (MobileNet's
            // first layer).
            FusedCase{1, 1, 16, 3, 17, 19, 3, 3, 2, 2, 1, 1, 1, 1, true,
                      false, Act::Relu6, false, 2, DSRT_KERNEL_CONSTANT_A,
                      "im2col"},
            // Direct with 16 channels (one vector of the 12 x 32 tile):
            // the same shape, and the small CNN's 3->16 3x3 with two
            // images.
            FusedCase{1, 1, 16, 3, 17, 19, 3, 3, 2, 2, 1, 1, 1, 1, true,
                      false, Act::Relu6, false, 2},
            FusedCase{2, 1, 16, 3, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, true,
                      true, Act::Relu, false, 2},
            // Direct with 24 channels (16 + a masked 8 in the second
            // vector), stride 2, K = 72.
            FusedCase{1, 1, 24, 8, 13, 12, 3, 3, 2, 2, 1, 1, 1, 1, true,
                      false, Act::None, false, 1},
            // K = 576 > one K slice (two slices: write, then accumulate),
            // bias + residual + ReLU (ResNet's basic block).
            FusedCase{1, 1, 24, 64, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, true, true,
                      Act::Relu, false, 2},
            // 1x1, no padding, bias + residual, no activation (MobileNet's
            // projection with the skip connection); M spans several tiles.
            // (Kept off the direct path's pointwise tile: K = 16 < 27.)
            FusedCase{2, 1, 40, 16, 12, 12, 1, 1, 1, 1, 1, 1, 0, 0, true,
                      true, Act::None, false, 1, DSRT_KERNEL_CONSTANT_A,
                      "panel"},
            // 1x1 with few output channels: B read in place, not packed.
            FusedCase{1, 1, 8, 16, 12, 13, 1, 1, 1, 1, 1, 1, 0, 0, true,
                      true, Act::Relu6, false, 2},
            // Nothing fused but the write: old contents must not leak.
            FusedCase{1, 2, 13, 4, 11, 10, 2, 3, 1, 2, 2, 1, 2, 1, false,
                      false, Act::None, false, 2},
            // Asymmetric kernel, dilation, large padding (windows entirely
            // in the padding at the borders).
            FusedCase{1, 1, 8, 3, 6, 7, 3, 2, 1, 3, 2, 1, 3, 2, true, false,
                      Act::Relu, false, 1},
            // Strided views: the fallback path.
            FusedCase{1, 1, 8, 5, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, true, true,
                      Act::Relu6, true, 2},
            // Direct path (F >= 32, K >= 27): ResNet's basic block, K = 288
            // (two K slices: written, then accumulated).
            FusedCase{1, 1, 64, 32, 10, 11, 3, 3, 1, 1, 1, 1, 1, 1, true,
                      true, Act::Relu, false, 2},
            // Direct, stride 2 on odd sizes (phase planes of unequal
            // extents), 48 channels (a second panel of 16: one vector).
            FusedCase{1, 1, 48, 16, 15, 13, 3, 3, 2, 2, 1, 1, 1, 1, true,
                      false, Act::Relu6, false, 2},
            // Direct, ResNet's stem: 7x7 stride 2 pad 3 on 3 channels, 33
            // output channels (a panel with one valid channel).
            FusedCase{1, 1, 33, 3, 23, 21, 7, 7, 2, 2, 1, 1, 3, 3, true,
                      false, Act::Relu, false, 1},
            // Direct 1x1, unpadded, read in place, two images, residual.
            FusedCase{2, 1, 96, 64, 9, 9, 1, 1, 1, 1, 1, 1, 0, 0, true, true,
                      Act::None, false, 2},
            // Direct 1x1 stride 2 (ResNet's downsample: one phase used).
            FusedCase{1, 1, 40, 32, 14, 14, 1, 1, 2, 2, 1, 1, 0, 0, true,
                      false, Act::None, false, 2},
            // Direct, groups and dilation 2, weights not constant.
            FusedCase{1, 2, 32, 16, 12, 12, 3, 3, 1, 1, 2, 2, 2, 2, true,
                      false, Act::Relu, false, 2, 0},
            // Direct, K = 864 (four slices), few pixels and many weights:
            // the work is split along channels.
            FusedCase{1, 1, 64, 96, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, true, true,
                      Act::Relu6, false, 2},
            // Direct, more pixels than one tile block (1086 virtual pixels
            // on one thread), unpadded 3x3 read in place.
            FusedCase{1, 1, 64, 8, 34, 34, 3, 3, 1, 1, 1, 1, 0, 0, true,
                      true, Act::Relu, false, 1},
            // Direct, asymmetric stride and dilation, stride 3 rows.
            FusedCase{1, 1, 32, 4, 17, 16, 3, 3, 3, 1, 1, 2, 1, 2, false,
                      true, Act::None, false, 2},
            // Pointwise variant (rows run together, K <= 32: 16 pixels x
            // 16 channels stored from registers). 16 channels (MobileNet's
            // 32->16), 169 pixels (a 9-pixel tail), bias + residual + ReLU6.
            FusedCase{1, 1, 16, 32, 13, 13, 1, 1, 1, 1, 1, 1, 0, 0, true,
                      true, Act::Relu6, false, 2},
            // Pointwise (forced: K = 96), 24 channels (16 + a masked 8 in
            // the second half of the panel), two images, one thread.
            FusedCase{2, 1, 24, 96, 7, 9, 1, 1, 1, 1, 1, 1, 0, 0, true,
                      true, Act::None, false, 1, DSRT_KERNEL_CONSTANT_A,
                      "pixel16"},
            // Pointwise, the smallest it takes: 12 channels, K = 8, groups,
            // weights not constant.
            FusedCase{1, 2, 12, 8, 6, 11, 1, 1, 1, 1, 1, 1, 0, 0, true,
                      false, Act::Relu, false, 2, 0},
            // Pointwise on a padded copy: a 3x1 window with rows padded (K
            // = 15 across rows of the copy), stride 2 rows, 20 channels.
            FusedCase{1, 1, 20, 5, 11, 10, 3, 1, 2, 1, 1, 1, 1, 0, true,
                      true, Act::Relu, false, 2},
            // Pointwise (forced: K = 320) with 72 channels (4 groups + a
            // masked 8), 1x1 stride 2 (one phase plane).
            FusedCase{1, 1, 72, 320, 9, 10, 1, 1, 2, 2, 1, 1, 0, 0, true,
                      false, Act::Relu6, false, 2, DSRT_KERNEL_CONSTANT_A,
                      "pixel16"},
            // Default choice for a 1x1 with K = 32 and F >= 32 (the
            // pointwise tile), 3 threads, residual only.
            FusedCase{1, 1, 40, 32, 14, 14, 1, 1, 1, 1, 1, 1, 0, 0, false,
                      true, Act::None, false, 3},
            // The same shapes forced onto the 12 x 32 panel tile.
            FusedCase{2, 1, 96, 64, 9, 9, 1, 1, 1, 1, 1, 1, 0, 0, true, true,
                      Act::None, false, 2, DSRT_KERNEL_CONSTANT_A, "panel"},
            FusedCase{1, 1, 40, 32, 14, 14, 1, 1, 2, 2, 1, 1, 0, 0, true,
                      false, Act::Relu6, false, 2, DSRT_KERNEL_CONSTANT_A,
                      "panel"},
            // And a 3x3 forced onto the pointwise tile: rows do not run
            // together, so it stays on the panel tile (forcing never
            // breaks a shape).
            FusedCase{1, 1, 32, 8, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, true, true,
                      Act::Relu, false, 2, DSRT_KERNEL_CONSTANT_A, "pixel16"},
            // Output with strided columns: not the direct path (fallback).
            FusedCase{1, 1, 32, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, true, true,
                      Act::Relu, true, 2},
            // Depthwise path: pad 1, stride 1 and 2, ReLU6.
            FusedCase{1, 32, 1, 1, 20, 21, 3, 3, 1, 1, 1, 1, 1, 1, true,
                      false, Act::Relu6, false, 2},
            FusedCase{2, 8, 1, 1, 15, 16, 3, 3, 2, 2, 1, 1, 1, 1, true, true,
                      Act::Relu, false, 2},
            // Depthwise, 5x5 dilated, strided views, no padding needed on
            // the right (odd size, stride 2), residual only.
            FusedCase{1, 4, 1, 1, 13, 13, 5, 5, 2, 2, 2, 1, 2, 2, false, true,
                      Act::None, true, 1},
            // Depthwise without padding: the direct (uncopied) path.
            FusedCase{1, 6, 1, 1, 9, 70, 3, 3, 1, 1, 1, 1, 0, 0, true, false,
                      Act::Relu6, false, 2},
            // Depthwise, direct at stride 2 (the flat run spans two input
            // rows per output row; the dropped columns read the next row).
            FusedCase{1, 5, 1, 1, 17, 33, 3, 3, 2, 2, 1, 1, 0, 0, true, false,
                      Act::Relu6, false, 1},
            // Depthwise, a plane taller than one band of the flat kernel.
            FusedCase{1, 2, 1, 1, 200, 60, 3, 3, 1, 1, 1, 1, 1, 1, true,
                      true, Act::Relu6, false, 2},
            // Depthwise, stride 2 with dilation 2: taps in both row phases.
            FusedCase{1, 3, 1, 1, 19, 18, 3, 3, 2, 2, 2, 2, 2, 2, true, true,
                      Act::Relu, false, 2},
            // Depthwise, stride 3: the kernel's portable strided loads.
            FusedCase{1, 2, 1, 1, 16, 20, 3, 3, 3, 3, 1, 1, 1, 1, true, false,
                      Act::Relu6, false, 1},
            // Depthwise, MobileNet's tail: many 7x7 planes per task.
            FusedCase{1, 96, 1, 1, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, true, false,
                      Act::Relu6, false, 2}),
        testing::Bool()));

TEST(FusedConv, NaNBoundMakesEveryOutputNaN) {
  float in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[1] = {1}, out[9] = {};
  dsrt_kernel_conv2d_fused_f32(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 3, 3, 0, 0,
                               in, 9, 9, 9, 3, 1, w, 1, 1, 1, 1, 1, out, 9, 9,
                               9, 3, 1, nullptr, 0, 0, 0, 0, 0, nullptr, 0, 0,
                               0, 0, 0, NAN, INFINITY, 0);
  for (float v : out)
    EXPECT_TRUE(std::isnan(v));
}

TEST(FusedConv, NaNValuesPropagateThroughTheClamp) {
  // maximumf(NaN, 0) is NaN (ONNX Relu/Clip of NaN is NaN).
  for (bool generic : {false, true}) {
    if (!generic && !__builtin_cpu_supports("avx512f"))
      continue;
    GenericKernels env(generic);
    std::vector<float> in(40 * 40, 1.f), out(40 * 40, 0.f);
    in[5] = NAN;
    float w[1] = {2};
    dsrt_kernel_conv2d_fused_f32(1, 1, 1, 1, 40, 40, 1, 1, 1, 1, 1, 1, 40, 40,
                                 0, 0, in.data(), 1600, 1600, 1600, 40, 1, w,
                                 1, 1, 1, 1, 1, out.data(), 1600, 1600, 1600,
                                 40, 1, nullptr, 0, 0, 0, 0, 0, nullptr, 0,
                                 0, 0, 0, 0, 0.f, 6.f, 0);
    EXPECT_TRUE(std::isnan(out[5])) << (generic ? "generic" : "avx512");
    EXPECT_EQ(out[6], 2.f);
  }
}

TEST(FusedConv, DirectPathNaNValuesPropagateThroughTheClamp) {
  // 32 channels of a 1x1 convolution: the direct path.
  for (bool generic : {false, true}) {
    if (!generic && !__builtin_cpu_supports("avx512f"))
      continue;
    GenericKernels env(generic);
    const int64_t C = 32, F = 32, H = 5, W = 7, P = H * W;
    std::vector<float> in(size_t(C * P), 1.f), w(size_t(F * C), 0.25f);
    std::vector<float> out(size_t(F * P), 0.f);
    in[3] = NAN; // channel 0, pixel 3
    dsrt_kernel_conv2d_fused_f32(
        1, 1, F, C, H, W, 1, 1, 1, 1, 1, 1, H, W, 0, 0, in.data(), C * P,
        C * P, P, W, 1, w.data(), F * C, C, 1, 1, 1, out.data(), F * P,
        F * P, P, W, 1, nullptr, 0, 0, 0, 0, 0, nullptr, 0, 0, 0, 0, 0, 0.f,
        6.f, DSRT_KERNEL_CONSTANT_A);
    for (int64_t f = 0; f < F; ++f) {
      EXPECT_TRUE(std::isnan(out[size_t(f * P + 3)]))
          << (generic ? "generic" : "avx512") << " f=" << f;
      EXPECT_EQ(out[size_t(f * P + 4)], 6.f) << "clamped to hi";
    }
  }
}

TEST(FusedConv, DirectPathIsDeterministicAcrossThreadCounts) {
  // Every output element is reduced in the same order whatever the split:
  // bitwise equal results on 1, 2 and 3 threads.
  const int64_t C = 40, F = 72, H = 20, W = 19, KH = 3, KW = 3;
  std::vector<float> in = randomFloats(size_t(C * H * W), 31);
  std::vector<float> w = randomFloats(size_t(F * C * KH * KW), 32);
  std::vector<float> bias = randomFloats(size_t(F), 33);
  std::vector<std::vector<float>> outs;
  for (int threads : {1, 2, 3}) {
    dsrt_set_num_threads(threads);
    std::vector<float> out(size_t(F * H * W), 0.f);
    dsrt_kernel_conv2d_fused_f32(
        1, 1, F, C, H, W, KH, KW, 1, 1, 1, 1, H, W, 1, 1, in.data(),
        C * H * W, C * H * W, H * W, W, 1, w.data(), F * C * KH * KW,
        C * KH * KW, KH * KW, KW, 1, out.data(), F * H * W,
        F * H * W, H * W, W, 1, bias.data(), 0, F, 1, 0, 0, nullptr, 0, 0, 0,
        0, 0, -INFINITY, INFINITY, DSRT_KERNEL_CONSTANT_A);
    outs.push_back(std::move(out));
  }
  dsrt_set_num_threads(0);
  for (size_t t = 1; t < outs.size(); ++t)
    for (size_t i = 0; i < outs[0].size(); ++i)
      ASSERT_EQ(outs[0][i], outs[t][i]) << "threads run " << t << " at " << i;
}

TEST(FusedConv, PointwiseTileIsDeterministicAcrossThreadCounts) {
  // The pointwise variant splits pixel tiles among tasks; each output is
  // still one k-ordered sum: bitwise equal on 1, 2 and 3 threads.
  const int64_t C = 40, F = 24, H = 20, W = 19;
  std::vector<float> in = randomFloats(size_t(C * H * W), 41);
  std::vector<float> w = randomFloats(size_t(F * C), 42);
  std::vector<float> bias = randomFloats(size_t(F), 43);
  std::vector<std::vector<float>> outs;
  for (int threads : {1, 2, 3}) {
    dsrt_set_num_threads(threads);
    std::vector<float> out(size_t(F * H * W), 0.f);
    dsrt_kernel_conv2d_fused_f32(
        1, 1, F, C, H, W, 1, 1, 1, 1, 1, 1, H, W, 0, 0, in.data(), C * H * W,
        C * H * W, H * W, W, 1, w.data(), F * C, C, 1, 1, 1, out.data(),
        F * H * W, F * H * W, H * W, W, 1, bias.data(), 0, F, 1, 0, 0,
        nullptr, 0, 0, 0, 0, 0, -INFINITY, INFINITY, DSRT_KERNEL_CONSTANT_A);
    outs.push_back(std::move(out));
  }
  dsrt_set_num_threads(0);
  for (size_t t = 1; t < outs.size(); ++t)
    for (size_t i = 0; i < outs[0].size(); ++i)
      ASSERT_EQ(outs[0][i], outs[t][i]) << "threads run " << t << " at " << i;
}

} // namespace

namespace {

/// Depthwise 3x3, padding 1, stride 1, bias + ReLU6 of `img` [G, H, W],
/// in double precision.
std::vector<double> depthwiseReference(const std::vector<float> &img,
                                       const std::vector<float> &w,
                                       const std::vector<float> &bias,
                                       int64_t G, int64_t H, int64_t W) {
  std::vector<double> ref(size_t(G * H * W));
  for (int64_t g = 0; g < G; ++g)
    for (int64_t y = 0; y < H; ++y)
      for (int64_t x = 0; x < W; ++x) {
        double v = bias[size_t(g)];
        for (int64_t kh = 0; kh < 3; ++kh)
          for (int64_t kw = 0; kw < 3; ++kw) {
            int64_t iy = y + kh - 1, ix = x + kw - 1;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W)
              v += double(img[size_t((g * H + iy) * W + ix)]) *
                   w[size_t(g * 9 + kh * 3 + kw)];
          }
        ref[size_t((g * H + y) * W + x)] = std::min(6.0, std::max(0.0, v));
      }
  return ref;
}

} // namespace

/// Compiled code writes a stride-1 depthwise layer's output over its own
/// input (same elements, same strides): every plane must be read before it
/// is overwritten, on every thread count and kernel variant. Any other
/// overlap of input and output is read from a copy.
TEST(FusedConv, DepthwiseWritesOverItsOwnInput) {
  const int64_t G = 37, H = 13, W = 21;
  std::vector<float> img = randomFloats(size_t(G * H * W), 31);
  std::vector<float> w = randomFloats(size_t(G * 9), 32);
  std::vector<float> bias = randomFloats(size_t(G), 33);
  std::vector<double> ref = depthwiseReference(img, w, bias, G, H, W);
  for (bool generic : {false, true}) {
    if (!generic && !__builtin_cpu_supports("avx512f"))
      continue;
    GenericKernels env(generic);
    for (int threads : {1, 2}) {
      dsrt_set_num_threads(threads);
      // Exactly the input.
      std::vector<float> buf = img;
      dsrt_kernel_conv2d_fused_f32(
          1, G, 1, 1, H, W, 3, 3, 1, 1, 1, 1, H, W, 1, 1, buf.data(),
          G * H * W, H * W, H * W, W, 1, w.data(), 9, 9, 9, 3, 1, buf.data(),
          G * H * W, H * W, H * W, W, 1, bias.data(), 0, 1, 0, 0, 0, nullptr,
          0, 0, 0, 0, 0, 0.f, 6.f, 0);
      for (size_t i = 0; i < ref.size(); ++i)
        ASSERT_NEAR(buf[i], ref[i], 1e-5)
            << (generic ? "generic" : "avx512") << " threads=" << threads
            << " in place, element " << i;
      // Shifted by one plane: output plane g is input plane g + 1.
      std::vector<float> big(size_t((G + 1) * H * W), 0.f);
      std::copy(img.begin(), img.end(), big.begin() + H * W);
      dsrt_kernel_conv2d_fused_f32(
          1, G, 1, 1, H, W, 3, 3, 1, 1, 1, 1, H, W, 1, 1, big.data() + H * W,
          G * H * W, H * W, H * W, W, 1, w.data(), 9, 9, 9, 3, 1, big.data(),
          G * H * W, H * W, H * W, W, 1, bias.data(), 0, 1, 0, 0, 0, nullptr,
          0, 0, 0, 0, 0, 0.f, 6.f, 0);
      for (size_t i = 0; i < ref.size(); ++i)
        ASSERT_NEAR(big[i], ref[i], 1e-5)
            << (generic ? "generic" : "avx512") << " threads=" << threads
            << " overlapping, element " << i;
    }
    dsrt_set_num_threads(0);
  }
}
