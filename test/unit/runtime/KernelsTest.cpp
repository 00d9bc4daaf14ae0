//===- KernelsTest.cpp - dsrt GEMM/conv kernels and thread pool ----------===//
//
// The kernels against naive loops in double precision, over shapes that hit
// every edge (rows and columns not multiples of the 12x32 tile, K across
// several 256-slices, N across several 1024-blocks), strided, transposed and
// broadcast operands, batches, groups, strides and dilations, on one and two
// threads, with and without the constant-weight cache (its keys, address
// plus shape and strides, differ between the cases that use it).
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"
#include "dsrt/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>
#include <vector>

namespace {

std::vector<float> randomVector(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

/// Restores the default thread count after a test.
struct ThreadCount {
  explicit ThreadCount(int n) { dsrt_set_num_threads(n); }
  ~ThreadCount() { dsrt_set_num_threads(0); }
};

struct GemmCase {
  int64_t batch, M, N, K;
  bool transA, transB, broadcastB, constantA;
  int threads;
};

void PrintTo(const GemmCase &c, std::ostream *os) {
  *os << c.batch << "x" << c.M << "x" << c.N << "x" << c.K
      << (c.transA ? " At" : "") << (c.transB ? " Bt" : "")
      << (c.broadcastB ? " Bbcast" : "")
      << (c.constantA ? " constAB" : "")
      << " threads=" << c.threads;
}

class SgemmTest : public testing::TestWithParam<GemmCase> {};

TEST_P(SgemmTest, MatchesNaiveLoops) {
  const GemmCase &c = GetParam();
  ThreadCount threads(c.threads);
  int64_t M = c.M, N = c.N, K = c.K;
  std::vector<float> A = randomVector(c.batch * M * K, 1);
  std::vector<float> B = randomVector((c.broadcastB ? 1 : c.batch) * K * N, 2);
  // C starts non-zero: the kernel accumulates.
  std::vector<float> C = randomVector(c.batch * M * N, 3);
  std::vector<float> C0 = C;
  int64_t sA1 = c.transA ? 1 : K, sA2 = c.transA ? M : 1;
  int64_t sB1 = c.transB ? 1 : N, sB2 = c.transB ? K : 1;
  int64_t sB0 = c.broadcastB ? 0 : K * N;
  // Twice: the second call reuses the cached packed A.
  for (int rep = 0; rep < 2; ++rep) {
    if (rep == 1)
      C = C0;
    dsrt_kernel_sgemm(c.batch, M, N, K, A.data(), M * K, sA1, sA2, B.data(),
                      sB0, sB1, sB2, C.data(), M * N, N, 1,
                      c.constantA
                          ? DSRT_KERNEL_CONSTANT_A | DSRT_KERNEL_CONSTANT_B
                          : 0);
    for (int64_t b = 0; b < c.batch; ++b)
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) {
          double ref = C0[b * M * N + i * N + j];
          for (int64_t k = 0; k < K; ++k)
            ref += double(A[b * M * K + i * sA1 + k * sA2]) *
                   double(B[b * sB0 + k * sB1 + j * sB2]);
          ASSERT_NEAR(C[b * M * N + i * N + j], ref, 1e-4 * (1 + K / 64.0))
              << "b=" << b << " i=" << i << " j=" << j << " rep=" << rep;
        }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, SgemmTest,
    testing::Values(GemmCase{1, 1, 1, 1, false, false, false, false, 1},
                    GemmCase{1, 4, 10, 784, false, true, false, false, 1},
                    GemmCase{1, 13, 33, 17, false, false, false, false, 1},
                    GemmCase{1, 37, 70, 300, true, false, false, false, 2},
                    GemmCase{1, 100, 1100, 520, false, false, false, false, 2},
                    GemmCase{1, 64, 200, 600, false, false, false, true, 2},
                    GemmCase{3, 25, 40, 9, false, true, false, false, 2},
                    GemmCase{4, 30, 31, 70, false, false, true, true, 1},
                    GemmCase{2, 50, 300, 257, true, true, false, true, 2}));

TEST(Sgemm, StridedOutputColumns) {
  // C transposed in memory (column stride M): the tile-and-scatter path.
  int64_t M = 14, N = 35, K = 20;
  std::vector<float> A = randomVector(M * K, 4), B = randomVector(K * N, 5);
  std::vector<float> C(M * N, 0.f);
  dsrt_kernel_sgemm(1, M, N, K, A.data(), 0, K, 1, B.data(), 0, N, 1,
                    C.data(), 0, 1, M, 0);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double ref = 0;
      for (int64_t k = 0; k < K; ++k)
        ref += double(A[i * K + k]) * double(B[k * N + j]);
      ASSERT_NEAR(C[j * M + i], ref, 1e-4);
    }
}

TEST(Sgemm, EmptyProblemsDoNothing) {
  float c = 7.f;
  dsrt_kernel_sgemm(1, 1, 1, 0, nullptr, 0, 0, 0, nullptr, 0, 0, 0, &c, 0, 1,
                    1, 0);
  dsrt_kernel_sgemm(0, 1, 1, 1, nullptr, 0, 0, 0, nullptr, 0, 0, 0, &c, 0, 1,
                    1, 0);
  EXPECT_EQ(c, 7.f);
}

struct ConvCase {
  int64_t N, G, F, C, H, W, KH, KW, sh, sw, dh, dw;
  bool constantW;
  int threads;
};

void PrintTo(const ConvCase &c, std::ostream *os) {
  *os << "N" << c.N << " G" << c.G << " F" << c.F << " C" << c.C << " "
      << c.H << "x" << c.W << " k" << c.KH << "x" << c.KW << " s" << c.sh
      << "," << c.sw << " d" << c.dh << "," << c.dw << " threads="
      << c.threads;
}

class ConvTest : public testing::TestWithParam<ConvCase> {};

TEST_P(ConvTest, MatchesNaiveLoops) {
  const ConvCase &c = GetParam();
  ThreadCount threads(c.threads);
  int64_t OH = (c.H - (c.KH - 1) * c.dh - 1) / c.sh + 1;
  int64_t OW = (c.W - (c.KW - 1) * c.dw - 1) / c.sw + 1;
  std::vector<float> in = randomVector(c.N * c.G * c.C * c.H * c.W, 6);
  std::vector<float> w = randomVector(c.G * c.F * c.C * c.KH * c.KW, 7);
  std::vector<float> out = randomVector(c.N * c.G * c.F * OH * OW, 8);
  std::vector<float> out0 = out;
  int64_t sI[5] = {c.G * c.C * c.H * c.W, c.C * c.H * c.W, c.H * c.W, c.W, 1};
  int64_t sW[5] = {c.F * c.C * c.KH * c.KW, c.C * c.KH * c.KW, c.KH * c.KW,
                   c.KW, 1};
  int64_t sO[5] = {c.G * c.F * OH * OW, c.F * OH * OW, OH * OW, OW, 1};
  dsrt_kernel_conv2d_f32(c.N, c.G, c.F, c.C, OH, OW, c.KH, c.KW, c.sh, c.sw,
                         c.dh, c.dw, in.data(), sI[0], sI[1], sI[2], sI[3],
                         sI[4], w.data(), sW[0], sW[1], sW[2], sW[3], sW[4],
                         out.data(), sO[0], sO[1], sO[2], sO[3], sO[4],
                         c.constantW ? DSRT_KERNEL_CONSTANT_A : 0);
  for (int64_t n = 0; n < c.N; ++n)
    for (int64_t g = 0; g < c.G; ++g)
      for (int64_t f = 0; f < c.F; ++f)
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow) {
            int64_t o = n * sO[0] + g * sO[1] + f * sO[2] + oh * sO[3] + ow;
            double ref = out0[o];
            for (int64_t ci = 0; ci < c.C; ++ci)
              for (int64_t kh = 0; kh < c.KH; ++kh)
                for (int64_t kw = 0; kw < c.KW; ++kw)
                  ref += double(in[n * sI[0] + g * sI[1] + ci * sI[2] +
                                   (oh * c.sh + kh * c.dh) * sI[3] +
                                   (ow * c.sw + kw * c.dw)]) *
                         double(w[g * sW[0] + f * sW[1] + ci * sW[2] +
                                  kh * sW[3] + kw]);
            ASSERT_NEAR(out[o], ref, 1e-4 * (1 + c.C * c.KH * c.KW / 64.0))
                << "n=" << n << " g=" << g << " f=" << f << " oh=" << oh
                << " ow=" << ow;
          }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvTest,
    testing::Values(ConvCase{1, 1, 8, 3, 12, 12, 3, 3, 1, 1, 1, 1, false, 1},
                    ConvCase{2, 1, 20, 5, 15, 13, 3, 3, 2, 2, 1, 1, true, 2},
                    ConvCase{1, 2, 13, 4, 11, 10, 2, 3, 1, 2, 2, 1, false, 2},
                    ConvCase{1, 1, 64, 16, 40, 40, 1, 1, 1, 1, 1, 1, true, 2},
                    ConvCase{1, 4, 1, 1, 9, 9, 3, 3, 1, 1, 1, 1, false, 1}));

TEST(ThreadPool, DefaultAndOverride) {
  int def = dsrt_get_num_threads();
  EXPECT_GE(def, 1);
  dsrt_set_num_threads(3);
  EXPECT_EQ(dsrt_get_num_threads(), 3);
  dsrt_set_num_threads(0);
  EXPECT_EQ(dsrt_get_num_threads(), def);
}

TEST(ThreadPool, ConcurrentCallersGetCorrectResults) {
  // Two caller threads share the pool: one runs on it, the other finds it
  // busy and runs alone; both must finish with correct results.
  ThreadCount threads(2);
  int64_t M = 64, N = 256, K = 256;
  std::vector<float> A = randomVector(M * K, 9), B = randomVector(K * N, 10);
  std::vector<float> ref(M * N, 0.f);
  dsrt_kernel_sgemm(1, M, N, K, A.data(), 0, K, 1, B.data(), 0, N, 1,
                    ref.data(), 0, N, 1, 0);
  std::vector<std::vector<float>> results(4, std::vector<float>(M * N, 0.f));
  std::vector<std::thread> callers;
  for (auto &r : results)
    callers.emplace_back([&] {
      for (int rep = 0; rep < 5; ++rep) {
        std::fill(r.begin(), r.end(), 0.f);
        dsrt_kernel_sgemm(1, M, N, K, A.data(), 0, K, 1, B.data(), 0, N, 1,
                          r.data(), 0, N, 1, 0);
      }
    });
  for (auto &t : callers)
    t.join();
  for (auto &r : results)
    EXPECT_EQ(r, ref);
}

} // namespace
