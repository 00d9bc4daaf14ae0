//===- DepthwiseConvTest.cpp - dsrt depthwise convolution path -----------===//
//
// dsrt_kernel_conv2d_f32 with one input and one output channel per group
// (F == 1, C == 1) takes the depthwise kernel (runtime/lib/kernels/
// Depthwise.h). Each case runs twice, with the AVX-512 row kernel (where the
// CPU has it) and with the scalar one (DSRT_GENERIC_KERNELS set), against a
// naive reference in double precision on the unpadded image: the test pads
// the input itself, as the generated code does, with zeros.
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"
#include "dsrt/kernels.h"

#include "KernelTestUtil.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <vector>

namespace {

using dsrt::test::GenericKernels;
using dsrt::test::randomFloats;

struct DwCase {
  int64_t N, G, H, W, KH, KW, sh, sw, dh, dw, pad;
  /// Input width stride 2 (every other column of a wider buffer) and output
  /// width stride 3: strided views of both.
  bool stridedViews;
  int threads;
};

void PrintTo(const DwCase &c, std::ostream *os) {
  *os << "N" << c.N << " G" << c.G << " " << c.H << "x" << c.W << " k"
      << c.KH << "x" << c.KW << " s" << c.sh << "," << c.sw << " d" << c.dh
      << "," << c.dw << " pad" << c.pad << (c.stridedViews ? " strided" : "")
      << " threads=" << c.threads;
}

class DepthwiseConvTest
    : public testing::TestWithParam<std::tuple<DwCase, bool>> {};

TEST_P(DepthwiseConvTest, MatchesNaiveLoops) {
  const DwCase &c = std::get<0>(GetParam());
  bool generic = std::get<1>(GetParam());
  DSRT_SKIP_AVX512_RUN_WITHOUT_AVX512(generic);
  GenericKernels env(generic);
  dsrt_set_num_threads(c.threads);

  int64_t PH = c.H + 2 * c.pad, PW = c.W + 2 * c.pad;
  int64_t OH = (PH - (c.KH - 1) * c.dh - 1) / c.sh + 1;
  int64_t OW = (PW - (c.KW - 1) * c.dw - 1) / c.sw + 1;
  ASSERT_GT(OH, 0);
  ASSERT_GT(OW, 0);
  std::vector<float> img = randomFloats(c.N * c.G * c.H * c.W, 11);
  std::vector<float> w = randomFloats(c.G * c.KH * c.KW, 12);

  // Padded input [N, G, 1, PH, PW], columns `inW` apart.
  int64_t inW = c.stridedViews ? 2 : 1;
  int64_t sI[5] = {c.G * PH * PW * inW, PH * PW * inW, PH * PW * inW,
                   PW * inW, inW};
  std::vector<float> in(size_t(c.N * sI[0]), 0.f);
  for (int64_t n = 0; n < c.N; ++n)
    for (int64_t g = 0; g < c.G; ++g)
      for (int64_t h = 0; h < c.H; ++h)
        for (int64_t x = 0; x < c.W; ++x)
          in[n * sI[0] + g * sI[1] + (h + c.pad) * sI[3] +
             (x + c.pad) * sI[4]] = img[((n * c.G + g) * c.H + h) * c.W + x];

  int64_t outW = c.stridedViews ? 3 : 1;
  int64_t sO[5] = {c.G * OH * OW * outW, OH * OW * outW, OH * OW * outW,
                   OW * outW, outW};
  std::vector<float> out = randomFloats(size_t(c.N * sO[0]), 13);
  std::vector<float> out0 = out;
  int64_t sW[5] = {c.KH * c.KW, c.KH * c.KW, c.KH * c.KW, c.KW, 1};

  dsrt_kernel_conv2d_f32(c.N, c.G, 1, 1, OH, OW, c.KH, c.KW, c.sh, c.sw,
                         c.dh, c.dw, in.data(), sI[0], sI[1], sI[2], sI[3],
                         sI[4], w.data(), sW[0], sW[1], sW[2], sW[3], sW[4],
                         out.data(), sO[0], sO[1], sO[2], sO[3], sO[4], 0);
  dsrt_set_num_threads(0);

  for (int64_t n = 0; n < c.N; ++n)
    for (int64_t g = 0; g < c.G; ++g)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          int64_t o = n * sO[0] + g * sO[1] + oh * sO[3] + ow * sO[4];
          double ref = out0[o];
          for (int64_t kh = 0; kh < c.KH; ++kh)
            for (int64_t kw = 0; kw < c.KW; ++kw) {
              int64_t h = oh * c.sh + kh * c.dh - c.pad;
              int64_t x = ow * c.sw + kw * c.dw - c.pad;
              if (h < 0 || h >= c.H || x < 0 || x >= c.W)
                continue;
              ref += double(img[((n * c.G + g) * c.H + h) * c.W + x]) *
                     double(w[(g * c.KH + kh) * c.KW + kw]);
            }
          ASSERT_NEAR(out[o], ref, 1e-5 * (1 + c.KH * c.KW))
              << "n=" << n << " g=" << g << " oh=" << oh << " ow=" << ow;
        }
  // Elements between strided output columns are not touched.
  if (c.stridedViews)
    for (size_t i = 0; i < out.size(); ++i)
      if (i % size_t(outW) != 0)
        ASSERT_EQ(out[i], out0[i]) << "element " << i;
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, DepthwiseConvTest,
    testing::Combine(
        testing::Values(
            // MobileNetV2-like: 3x3, pad 1, stride 1 and 2, widths that
            // leave masked tails (odd, not multiples of 16 or 64).
            DwCase{1, 32, 112, 112, 3, 3, 1, 1, 1, 1, 1, false, 2},
            DwCase{1, 24, 57, 57, 3, 3, 2, 2, 1, 1, 1, false, 2},
            DwCase{2, 7, 13, 9, 3, 3, 1, 1, 1, 1, 1, false, 1},
            DwCase{1, 5, 15, 70, 3, 3, 2, 2, 1, 1, 1, false, 1},
            // 5x5, no padding, dilation, mixed strides, 1x1 output.
            DwCase{1, 3, 20, 21, 5, 5, 1, 2, 1, 1, 2, false, 2},
            DwCase{1, 4, 17, 19, 3, 3, 2, 1, 2, 3, 0, false, 1},
            DwCase{1, 3, 3, 3, 3, 3, 1, 1, 1, 1, 0, false, 1},
            // KH*KW above the kernel's on-stack weight buffer.
            DwCase{1, 2, 12, 12, 9, 9, 1, 1, 1, 1, 4, false, 2},
            // Strided input and output views.
            DwCase{2, 6, 11, 37, 3, 3, 1, 1, 1, 1, 1, true, 2},
            DwCase{1, 3, 16, 33, 3, 3, 2, 2, 1, 1, 1, true, 1},
            // Stride 3 (portable strided loads), and a plane taller than
            // one band of the flat kernel.
            DwCase{1, 2, 20, 23, 3, 3, 3, 3, 1, 1, 1, false, 2},
            DwCase{1, 2, 150, 40, 3, 3, 1, 1, 1, 1, 1, false, 2}),
        testing::Bool()),
    [](const testing::TestParamInfo<std::tuple<DwCase, bool>> &info) {
      return "Case" + std::to_string(info.index / 2) +
             (std::get<1>(info.param) ? "_Generic" : "_AVX512");
    });

} // namespace
