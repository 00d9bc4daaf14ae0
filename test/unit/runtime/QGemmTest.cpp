//===- QGemmTest.cpp - dsrt's int8 GEMM and run-time quantization --------===//
//
// dsrt_kernel_qgemm_s8 against naive loops that follow dsq.qmatmul's
// definition (exact int32 sums per group, then the float rescale), for each
// implementation (AMX, AVX-512 VNNI, scalar; a case whose implementation
// this CPU lacks is skipped with a message, never run on another one), over
// sizes that are not multiples of any block (rows vs the 8- and 32-row
// blocks, channels vs the 16-column panels, K vs the 64-byte step), int4
// weights with groups of 32, 64 and 128, strided and per-tensor operands,
// no bias, one and two threads, and the constant-weight cache.
// dsrt_kernel_quantize_s8 against the NumPy-style reference of
// scripts/quant_reference.py, bit for bit.
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"
#include "dsrt/kernels.h"
#include "dsrt/quant_kernels.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

/// Caps the implementation for one test and checks the cap took effect.
struct Implementation {
  explicit Implementation(const std::string &isa) {
    setenv("DSRT_QGEMM_KERNEL", isa.c_str(), 1);
  }
  ~Implementation() { unsetenv("DSRT_QGEMM_KERNEL"); }
  bool available(const std::string &isa) const {
    return dsrt_kernel_qgemm_isa() == isa;
  }
};

struct ThreadCount {
  explicit ThreadCount(int n) { dsrt_set_num_threads(n); }
  ~ThreadCount() { dsrt_set_num_threads(0); }
};

struct QCase {
  std::string isa;
  int64_t M, N, K, bits, group;
  bool stridedA, perTensor, bias, stridedC, constant;
  int threads;
  /// C column-major (strides 1 and M): how ds-cpu-use-quantized-kernels
  /// has a one-image convolution's product written NCHW.
  bool columnMajorC = false;
};

void PrintTo(const QCase &c, std::ostream *os) {
  *os << c.isa << " " << c.M << "x" << c.N << "x" << c.K << " int" << c.bits
      << " g" << c.group << (c.stridedA ? " At" : "")
      << (c.perTensor ? " per-tensor" : "") << (c.bias ? " bias" : "")
      << (c.stridedC ? " Cstrided" : "")
      << (c.columnMajorC ? " Ccolumn-major" : "")
      << (c.constant ? " const" : "")
      << " threads=" << c.threads;
}

class QGemmTest : public testing::TestWithParam<QCase> {};

TEST_P(QGemmTest, MatchesNaiveLoops) {
  const QCase &c = GetParam();
  Implementation impl(c.isa);
  if (!impl.available(c.isa))
    GTEST_SKIP() << "this CPU (or build) has no " << c.isa << " kernel";
  ThreadCount threads(c.threads);
  const int64_t M = c.M, N = c.N, K = c.K, G = K / c.group;
  std::mt19937 rng(unsigned(M * 1000003 + N * 1009 + K + c.bits));
  int qa = 127, qw = c.bits == 8 ? 127 : 7;
  std::uniform_int_distribution<int> av(-qa, qa), wv(-qw, qw);
  std::uniform_real_distribution<float> sv(0.001f, 0.02f), bv(-1.f, 1.f);

  // A: [M, K] row-major, or K-major (A[m, k] at k*M + m) when strided.
  std::vector<int8_t> A(size_t(M * K));
  for (int8_t &v : A)
    v = int8_t(av(rng));
  int64_t sA0 = c.stridedA ? 1 : K, sA1 = c.stridedA ? M : 1;
  std::vector<int8_t> Wfull(size_t(N * K));
  for (int8_t &v : Wfull)
    v = int8_t(wv(rng));
  // Storage: int8 rows, or two nibbles per byte (element 2j low).
  int64_t sW0 = c.bits == 8 ? K : K / 2;
  std::vector<int8_t> W(size_t(N * sW0));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      if (c.bits == 8) {
        W[n * K + k] = Wfull[n * K + k];
        continue;
      }
      uint8_t nib = uint8_t(Wfull[n * K + k]) & 0xF;
      uint8_t &byte = reinterpret_cast<uint8_t &>(W[n * sW0 + k / 2]);
      byte = (k & 1) ? uint8_t((byte & 0x0F) | (nib << 4))
                     : uint8_t((byte & 0xF0) | nib);
    }
  std::vector<float> ws(static_cast<size_t>(N * G));
  std::vector<float> as(static_cast<size_t>(M));
  std::vector<float> bias(static_cast<size_t>(N));
  for (float &v : ws)
    v = sv(rng);
  for (float &v : as)
    v = sv(rng);
  for (float &v : bias)
    v = bv(rng);

  int64_t sC1 = c.stridedC ? 2 : 1, sC0 = c.stridedC ? 2 * N + 3 : N;
  if (c.columnMajorC) {
    sC0 = 1;
    sC1 = M;
  }
  std::vector<float> C(size_t(c.columnMajorC ? M * N : M * sC0 + 1), -7.0f);
  int calls = c.constant ? 2 : 1; // the second call reads the cache
  for (int call = 0; call < calls; ++call)
    dsrt_kernel_qgemm_s8(M, N, K, A.data(), sA0, sA1, as.data(),
                         c.perTensor ? 0 : 1, W.data(), sW0, c.bits, c.group,
                         ws.data(), c.bias ? bias.data() : nullptr, C.data(),
                         sC0, sC1, c.constant ? DSRT_KERNEL_CONSTANT_B : 0);

  double worst = 0, scaleRef = 0;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double f = 0;
      for (int64_t g = 0; g < G; ++g) {
        int32_t acc = 0;
        for (int64_t k = g * c.group; k < (g + 1) * c.group; ++k)
          acc += int32_t(A[m * sA0 + k * sA1]) * int32_t(Wfull[n * K + k]);
        f += double(acc) * ws[n * G + g];
      }
      double ref = f * as[c.perTensor ? 0 : m] + (c.bias ? bias[n] : 0.0);
      worst = std::max(worst, std::fabs(ref - C[m * sC0 + n * sC1]));
      scaleRef = std::max(scaleRef, std::fabs(ref));
    }
  EXPECT_LE(worst, 1e-5 * (scaleRef + 1)) << "largest |ref| " << scaleRef;
  // Nothing outside C's elements was written.
  if (c.stridedC)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n)
        ASSERT_EQ(C[m * sC0 + n * sC1 + 1], -7.0f) << m << "," << n;
}

std::vector<QCase> cases() {
  std::vector<QCase> out;
  for (std::string isa : {"amx", "vnni", "scalar"}) {
    // int8, per-channel (group = K).
    for (auto [M, N, K] : std::vector<std::array<int64_t, 3>>{
             {1, 1, 1},
             {7, 13, 37},
             {33, 50, 130},
             {17, 35, 64},
             {128, 96, 768},
             {40, 48, 200},
             {64, 33, 4}})
      for (int threads : {1, 2})
        out.push_back({isa, M, N, K, 8, K, false, false, true, false, true,
                       threads});
    // int4 with groups.
    for (int64_t group : {32, 64, 128})
      for (auto [M, N, K] : std::vector<std::array<int64_t, 3>>{
               {5, 20, 128}, {33, 70, 256}, {48, 33, 384}})
        out.push_back({isa, M, N, K, 4, group, false, false, true, false,
                       true, 2});
    // int8 with groups (a layer the pass gave per-group int8 scales).
    out.push_back({isa, 19, 40, 256, 8, 64, false, false, true, false, false,
                   1});
    // Operand variants.
    out.push_back({isa, 37, 29, 96, 8, 96, true, false, true, false, false, 2});
    out.push_back({isa, 37, 29, 96, 8, 96, false, true, false, false, false,
                   2});
    out.push_back({isa, 20, 21, 160, 4, 32, true, true, false, true, false,
                   1});
    out.push_back({isa, 64, 64, 128, 8, 128, false, false, true, true, true,
                   2});
    // Column-major C (a convolution's [pixels, channels] product written
    // as [channels, pixels]).
    out.push_back({isa, 49, 40, 288, 8, 288, false, true, true, false, true,
                   2, true});
    out.push_back({isa, 70, 33, 96, 4, 32, false, true, false, false, true,
                   1, true});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Kernels, QGemmTest, testing::ValuesIn(cases()));

/// scripts/quant_reference.py's dynamic quantization, in float.
void referenceQuantize(const std::vector<float> &x, int64_t M, int64_t K,
                       bool perRow, float qmax, std::vector<int8_t> &q,
                       std::vector<float> &scale) {
  q.assign(size_t(M * K), 0);
  scale.assign(perRow ? size_t(M) : 1, 0.0f);
  auto quantizeRows = [&](int64_t m0, int64_t m1, float absmax) {
    float inv = absmax > 0 ? qmax / absmax : 0.0f;
    for (int64_t m = m0; m < m1; ++m)
      for (int64_t k = 0; k < K; ++k)
        q[m * K + k] = int8_t(
            std::fmin(std::fmax(std::nearbyint(x[m * K + k] * inv), -qmax),
                      qmax));
  };
  if (perRow) {
    for (int64_t m = 0; m < M; ++m) {
      float a = 0;
      for (int64_t k = 0; k < K; ++k)
        a = std::fmax(a, std::fabs(x[m * K + k]));
      scale[m] = a / qmax;
      quantizeRows(m, m + 1, a);
    }
  } else {
    float a = 0;
    for (float v : x)
      a = std::fmax(a, std::fabs(v));
    scale[0] = a / qmax;
    quantizeRows(0, M, a);
  }
}

struct QuantCase {
  bool generic;
  int64_t M, K;
  bool perRow;
  int qmax;
};

class QuantizeTest : public testing::TestWithParam<QuantCase> {};

TEST_P(QuantizeTest, MatchesReferenceExactly) {
  const QuantCase &c = GetParam();
  if (c.generic)
    setenv("DSRT_GENERIC_KERNELS", "1", 1);
  ThreadCount threads(2);
  std::mt19937 rng(unsigned(c.M * 31 + c.K));
  std::uniform_real_distribution<float> dist(-3.f, 3.f);
  std::vector<float> x(size_t(c.M * c.K));
  for (float &v : x)
    v = dist(rng);
  // An all-zero row, and exact halves that must round to even.
  if (c.M > 2) {
    std::fill(x.begin() + c.K, x.begin() + 2 * c.K, 0.0f);
    x[0] = 3.0f;
    if (c.K > 2) {
      x[1] = 1.5f * 3.0f / float(c.qmax);
      x[2] = -2.5f * 3.0f / float(c.qmax);
    }
  }
  std::vector<int8_t> q(size_t(c.M * c.K), 99), qref;
  std::vector<float> scale(size_t(c.M), -1.0f), sref;
  dsrt_kernel_quantize_s8(c.M, c.K, x.data(), c.K, 1, q.data(), c.K, 1,
                          scale.data(), 1, c.perRow, c.qmax);
  unsetenv("DSRT_GENERIC_KERNELS");
  referenceQuantize(x, c.M, c.K, c.perRow, float(c.qmax), qref, sref);
  for (size_t i = 0; i < sref.size(); ++i)
    EXPECT_EQ(scale[i], sref[i]) << "scale " << i;
  for (size_t i = 0; i < qref.size(); ++i)
    ASSERT_EQ(int(q[i]), int(qref[i])) << "element " << i;
}

INSTANTIATE_TEST_SUITE_P(
    Kernels, QuantizeTest,
    testing::Values(QuantCase{false, 1, 1, true, 127},
                    QuantCase{false, 5, 37, true, 127},
                    QuantCase{true, 5, 37, true, 127},
                    QuantCase{false, 130, 768, true, 127},
                    QuantCase{true, 130, 768, true, 127},
                    QuantCase{false, 130, 100, false, 127},
                    QuantCase{true, 130, 100, false, 127},
                    // Large enough to be split across the pool.
                    QuantCase{false, 700, 768, true, 127},
                    QuantCase{false, 700, 768, false, 127},
                    QuantCase{true, 700, 768, false, 127},
                    QuantCase{false, 9, 64, true, 7},
                    QuantCase{false, 9, 65, false, 7}));

/// Strided input and output (a transposed view).
TEST(QuantizeTest, StridedOperands) {
  const int64_t M = 6, K = 20;
  std::vector<float> x(size_t(M * K));
  for (int64_t i = 0; i < M * K; ++i)
    x[size_t(i)] = std::sin(float(i));
  // X[m, k] at x[k*M + m]; Q[m, k] at q[k*M + m].
  std::vector<int8_t> q(size_t(M * K));
  std::vector<float> scale(size_t(2 * M), -1.0f);
  dsrt_kernel_quantize_s8(M, K, x.data(), 1, M, q.data(), 1, M, scale.data(),
                          2, 1, 127);
  for (int64_t m = 0; m < M; ++m) {
    float a = 0;
    for (int64_t k = 0; k < K; ++k)
      a = std::fmax(a, std::fabs(x[k * M + m]));
    EXPECT_EQ(scale[2 * m], a / 127.0f);
    EXPECT_EQ(scale[2 * m + 1], -1.0f);
    for (int64_t k = 0; k < K; ++k)
      EXPECT_EQ(int(q[k * M + m]), int(std::nearbyint(x[k * M + m] * (127.0f / a))));
  }
}

} // namespace
