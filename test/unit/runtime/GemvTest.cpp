//===- GemvTest.cpp - one-row GEMMs through the matrix-vector kernel -----===//
//
// dsrt_kernel_sgemm with M == 1 runs the matrix-vector kernel
// (runtime/lib/kernels/Gemv.h) on B's packed panels (constant B that is not
// row-major: a Gemm with transB, the batch-1 classifier) or on B's rows in
// place (row-major B, constant or not). Against a double-precision
// reference, with the AVX-512 and the portable tiles (DSRT_GENERIC_KERNELS):
// column counts that are not multiples of the 32-column panel or of the
// four-panel group, K of 1 and K across several hundred steps, strided A,
// strided C, padded rows of B, batches with a broadcast B; and bitwise
// equality of the results on 1, 2 and 3 threads.
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"
#include "dsrt/kernels.h"

#include "KernelTestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

namespace {

using dsrt::test::GenericKernels;
using dsrt::test::randomFloats;

enum class BLayout {
  /// B(k, n) at B[n * K + k], constant: the packed panels.
  TransposedConstant,
  /// B(k, n) at B[k * ldb + n], ldb = N: rows read in place.
  RowMajor,
  /// The same with ldb = N + 7 (a view of a wider matrix).
  RowMajorPadded,
};

struct GemvCase {
  int64_t batch, N, K;
  BLayout layout;
  /// Element strides of A along K and of C along N.
  int64_t sa, sc;
  /// Batches share one B (stride 0).
  bool broadcastB;
};

void PrintTo(const GemvCase &c, std::ostream *os) {
  static const char *names[] = {"Bt-const", "B-rows", "B-rows-padded"};
  *os << c.batch << "x1x" << c.N << "x" << c.K << " " << names[int(c.layout)]
      << " sa=" << c.sa << " sc=" << c.sc << (c.broadcastB ? " Bbcast" : "");
}

struct Operands {
  std::vector<float> A, B, C;
  int64_t sA0, sB0, sB1, sB2, sC0;
  int64_t flags;
};

Operands makeOperands(const GemvCase &c) {
  Operands o;
  int64_t N = c.N, K = c.K;
  int64_t ldb = c.layout == BLayout::RowMajorPadded ? N + 7 : N;
  int64_t bSize = c.layout == BLayout::TransposedConstant ? N * K : K * ldb;
  o.sA0 = K * c.sa;
  o.sB0 = c.broadcastB ? 0 : bSize;
  o.sC0 = N * c.sc;
  if (c.layout == BLayout::TransposedConstant) {
    o.sB1 = 1;
    o.sB2 = K;
    o.flags = DSRT_KERNEL_CONSTANT_B;
  } else {
    o.sB1 = ldb;
    o.sB2 = 1;
    o.flags = 0;
  }
  o.A = randomFloats(size_t(c.batch * o.sA0), 11);
  o.B = randomFloats(size_t((c.broadcastB ? 1 : c.batch) * bSize), 12);
  // C starts non-zero: the kernel accumulates.
  o.C = randomFloats(size_t(c.batch * o.sC0), 13);
  return o;
}

std::vector<float> run(const GemvCase &c, Operands o, int threads) {
  dsrt_set_num_threads(threads);
  dsrt_kernel_sgemm(c.batch, 1, c.N, c.K, o.A.data(), o.sA0, 0, c.sa,
                    o.B.data(), o.sB0, o.sB1, o.sB2, o.C.data(), o.sC0, 0, c.sc,
                    o.flags);
  dsrt_set_num_threads(0);
  return o.C;
}

void expectMatchesReference(const GemvCase &c, const Operands &o,
                            const std::vector<float> &C) {
  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t n = 0; n < c.N; ++n) {
      double ref = o.C[b * o.sC0 + n * c.sc], mag = std::fabs(ref);
      for (int64_t k = 0; k < c.K; ++k) {
        double p = double(o.A[b * o.sA0 + k * c.sa]) *
                   double(o.B[b * o.sB0 + k * o.sB1 + n * o.sB2]);
        ref += p;
        mag += std::fabs(p);
      }
      // The float sum's worst-case error bound, (K + 1) * eps * sum |terms|.
      double tol = double(c.K + 1) * 1.2e-7 * mag + 1e-7;
      ASSERT_NEAR(C[b * o.sC0 + n * c.sc], ref, tol) << "b=" << b << " n=" << n;
    }
  // Elements between strided outputs are not touched.
  for (size_t i = 0; i < C.size(); ++i)
    if (i % size_t(c.sc) != 0)
      ASSERT_EQ(C[i], o.C[i]) << "gap element " << i << " written";
}

class GemvTest : public testing::TestWithParam<std::tuple<GemvCase, bool>> {};

TEST_P(GemvTest, MatchesReferenceAndIsDeterministic) {
  const GemvCase &c = std::get<0>(GetParam());
  GenericKernels env(std::get<1>(GetParam()));
  Operands o = makeOperands(c);
  std::vector<float> one = run(c, o, 1);
  expectMatchesReference(c, o, one);
  for (int threads : {2, 3}) {
    std::vector<float> many = run(c, o, threads);
    ASSERT_EQ(0,
              std::memcmp(one.data(), many.data(), one.size() * sizeof(float)))
        << threads << " threads differ from one";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, GemvTest,
    testing::Combine(
        testing::Values(
            GemvCase{1, 1, 1, BLayout::TransposedConstant, 1, 1, false},
            GemvCase{1, 1, 1, BLayout::RowMajor, 1, 1, false},
            GemvCase{1, 7, 5, BLayout::TransposedConstant, 1, 1, false},
            GemvCase{1, 31, 17, BLayout::RowMajor, 1, 1, false},
            GemvCase{1, 33, 64, BLayout::RowMajorPadded, 1, 1, false},
            GemvCase{1, 100, 257, BLayout::TransposedConstant, 1, 1, false},
            GemvCase{1, 129, 300, BLayout::RowMajor, 3, 1, false},
            GemvCase{1, 161, 90, BLayout::TransposedConstant, 2, 3, false},
            GemvCase{1, 1000, 1280, BLayout::TransposedConstant, 1, 1, false},
            GemvCase{1, 1000, 1280, BLayout::RowMajorPadded, 1, 2, false},
            GemvCase{3, 250, 513, BLayout::TransposedConstant, 1, 1, false},
            GemvCase{2, 65, 700, BLayout::RowMajor, 1, 1, true},
            GemvCase{2, 300, 400, BLayout::TransposedConstant, 1, 1, true}),
        testing::Bool()),
    [](const testing::TestParamInfo<GemvTest::ParamType> &info) {
      std::string name = "case" + std::to_string(info.index);
      return name + (std::get<1>(info.param) ? "_generic" : "_native");
    });

} // namespace
