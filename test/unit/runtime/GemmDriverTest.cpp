//===- GemmDriverTest.cpp - dsrt_kernel_sgemm's packing and thread splits -===//
//
// The fp32 GEMM driver (runtime/lib/kernels/Gemm.cpp) against a scalar
// double-precision reference, on the shapes that reach each of its paths:
// the shared whole-B (and whole-A) packing of one large product on several
// threads (the grid: column ranges per thread when A is packed whole and N
// has enough panels, row ranges otherwise), the per-task packing (column blocks, batches, few rows),
// B read in place; odd M/N/K (edge tiles in both directions, K across
// several 256-slices, N across several 1024-column blocks), transposed
// operands (B packed through its row copy), leading dimensions larger than
// the extents, and strided C columns. Each runs with the AVX-512 and the
// portable microkernel, and every thread count must give bitwise the same
// C (each element's accumulation order is fixed by the K slicing alone).
//
//===----------------------------------------------------------------------===//
#include "KernelTestUtil.h"

#include "dsrt/dsrt.h"
#include "dsrt/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <vector>

using dsrt::test::GenericKernels;
using dsrt::test::randomFloats;

namespace {

struct ThreadCount {
  explicit ThreadCount(int n) { dsrt_set_num_threads(n); }
  ~ThreadCount() { dsrt_set_num_threads(0); }
};

/// One product C (+)= A·B with A M x K, B K x N stored with the given
/// leading dimensions (`transA`: A stored K x M, column i of the storage is
/// row i of A; likewise `transB`), C with leading dimension ldc, or with
/// unit row stride and column stride ldc when `stridedC`.
struct DriverCase {
  int64_t M, N, K;
  bool transA, transB, stridedC;
  int64_t padA, padB, padC; // extra elements per stored row
  int64_t flags;
};

void PrintTo(const DriverCase &c, std::ostream *os) {
  *os << c.M << "x" << c.N << "x" << c.K << (c.transA ? " At" : "")
      << (c.transB ? " Bt" : "") << (c.stridedC ? " Cstrided" : "")
      << " pad=" << c.padA << "/" << c.padB << "/" << c.padC
      << " flags=" << c.flags;
}

struct Operands {
  std::vector<float> A, B, C0;
  int64_t sA1, sA2, sB1, sB2, sC1, sC2;
};

Operands makeOperands(const DriverCase &c) {
  Operands o;
  int64_t ldA = (c.transA ? c.M : c.K) + c.padA;
  int64_t ldB = (c.transB ? c.K : c.N) + c.padB;
  int64_t ldC = (c.stridedC ? c.M : c.N) + c.padC;
  o.A = randomFloats(size_t((c.transA ? c.K : c.M) * ldA), 11);
  o.B = randomFloats(size_t((c.transB ? c.N : c.K) * ldB), 12);
  o.C0 = randomFloats(size_t((c.stridedC ? c.N : c.M) * ldC), 13);
  o.sA1 = c.transA ? 1 : ldA;
  o.sA2 = c.transA ? ldA : 1;
  o.sB1 = c.transB ? 1 : ldB;
  o.sB2 = c.transB ? ldB : 1;
  o.sC1 = c.stridedC ? 1 : ldC;
  o.sC2 = c.stridedC ? ldC : 1;
  return o;
}

std::vector<float> run(const DriverCase &c, const Operands &o) {
  std::vector<float> C = o.C0;
  dsrt_kernel_sgemm(1, c.M, c.N, c.K, o.A.data(), 0, o.sA1, o.sA2,
                    o.B.data(), 0, o.sB1, o.sB2, C.data(), 0, o.sC1, o.sC2,
                    c.flags);
  return C;
}

class SgemmDriverTest
    : public testing::TestWithParam<std::tuple<DriverCase, bool>> {};

TEST_P(SgemmDriverTest, MatchesReferenceOnEveryThreadCount) {
  const DriverCase &c = std::get<0>(GetParam());
  GenericKernels generic(std::get<1>(GetParam()));
  Operands o = makeOperands(c);
  std::vector<float> one;
  {
    ThreadCount threads(1);
    one = run(c, o);
  }
  // The reference: C0 + A·B in double precision, element by element.
  for (int64_t i = 0; i < c.M; ++i)
    for (int64_t j = 0; j < c.N; ++j) {
      size_t at = size_t(i * o.sC1 + j * o.sC2);
      double ref = o.C0[at];
      for (int64_t k = 0; k < c.K; ++k)
        ref += double(o.A[size_t(i * o.sA1 + k * o.sA2)]) *
               double(o.B[size_t(k * o.sB1 + j * o.sB2)]);
      ASSERT_NEAR(one[at], ref, 2e-6 * c.K + 1e-5)
          << "i=" << i << " j=" << j;
    }
  // The padding between stored rows is never written.
  for (int64_t r = 0; r < (c.stridedC ? c.N : c.M); ++r)
    for (int64_t p = 0; p < c.padC; ++p) {
      size_t at = size_t(r * ((c.stridedC ? c.M : c.N) + c.padC) +
                         (c.stridedC ? c.M : c.N) + p);
      ASSERT_EQ(one[at], o.C0[at]) << "padding of row " << r;
    }
  for (int threads : {2, 3}) {
    ThreadCount t(threads);
    std::vector<float> C = run(c, o);
    for (size_t e = 0; e < C.size(); ++e)
      ASSERT_EQ(C[e], one[e]) << "element " << e << " on " << threads
                              << " threads differs from 1 thread";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, SgemmDriverTest,
    testing::Combine(
        testing::Values(
            // One product, several threads: B packed whole and shared.
            DriverCase{300, 333, 700, false, false, false, 0, 0, 0, 0},
            DriverCase{161, 1100, 530, false, false, false, 3, 5, 7, 0},
            DriverCase{299, 97, 1029, true, false, false, 1, 0, 0, 0},
            DriverCase{240, 100, 300, false, true, false, 0, 2, 0, 0},
            DriverCase{190, 64, 1100, true, true, false, 0, 0, 0, 0},
            DriverCase{150, 70, 460, false, false, true, 0, 0, 3, 0},
            // ... with A packed whole too and the grid cutting N (at least
            // 8 panels per thread), the last column range short: A
            // transposed, C strided.
            DriverCase{200, 610, 300, true, false, false, 0, 0, 0, 0},
            DriverCase{130, 600, 280, false, false, true, 0, 0, 0, 0},
            // Per-task packing: few rows, constant operands.
            DriverCase{40, 1500, 300, false, false, false, 0, 0, 0, 0},
            DriverCase{20, 700, 333, false, false, false, 0, 1, 0, 0},
            DriverCase{200, 300, 600, false, false, false, 0, 0, 0,
                       DSRT_KERNEL_CONSTANT_B},
            DriverCase{130, 260, 520, true, false, false, 0, 0, 0,
                       DSRT_KERNEL_CONSTANT_A | DSRT_KERNEL_CONSTANT_B},
            // Both constant and wide enough for the grid to cut N.
            DriverCase{150, 590, 300, false, false, false, 2, 3, 1,
                       DSRT_KERNEL_CONSTANT_A | DSRT_KERNEL_CONSTANT_B}),
        testing::Bool()),
    [](const testing::TestParamInfo<std::tuple<DriverCase, bool>> &info) {
      const DriverCase &c = std::get<0>(info.param);
      std::string name = std::to_string(c.M) + "x" + std::to_string(c.N) +
                         "x" + std::to_string(c.K);
      if (c.transA)
        name += "_At";
      if (c.transB)
        name += "_Bt";
      if (c.stridedC)
        name += "_Cstrided";
      if (c.padA || c.padB || c.padC)
        name += "_padded";
      if (c.flags)
        name += "_const" + std::to_string(c.flags);
      return name + (std::get<1>(info.param) ? "_generic" : "_native");
    });

TEST(SgemmDriver, LargeSquareIsTheSameOnEveryThreadCount) {
  // The bench's problem (C += A·B, 1024^3 scaled down to keep the test
  // short): several K slices and row blocks per thread; bitwise equal on
  // 1, 2 and 3 threads, and equal to the sum computed without threads.
  const int64_t n = 520;
  std::vector<float> A = randomFloats(n * n, 21), B = randomFloats(n * n, 22);
  std::vector<float> C0 = randomFloats(n * n, 23);
  std::vector<std::vector<float>> out;
  for (int threads : {1, 2, 3}) {
    ThreadCount t(threads);
    std::vector<float> C = C0;
    dsrt_kernel_sgemm(1, n, n, n, A.data(), 0, n, 1, B.data(), 0, n, 1,
                      C.data(), 0, n, 1, 0);
    out.push_back(C);
  }
  EXPECT_EQ(out[0], out[1]);
  EXPECT_EQ(out[0], out[2]);
  for (int64_t i = 0; i < n; i += 37)
    for (int64_t j = 0; j < n; j += 41) {
      double ref = C0[i * n + j];
      for (int64_t k = 0; k < n; ++k)
        ref += double(A[i * n + k]) * double(B[k * n + j]);
      ASSERT_NEAR(out[0][i * n + j], ref, 2e-3) << i << "," << j;
    }
}

/// C = A·B for an M x K A and a K x N B (random, seeds `seedA`, `seedB`)
/// on one and on two threads: the same bits, and every `rowStep`-th row and
/// `colStep`-th column within 5e-3 of a double-precision reference.
void expectSameBitsOnOneAndTwoThreads(int64_t M, int64_t N, int64_t K,
                                      unsigned seedA, unsigned seedB,
                                      int64_t rowStep, int64_t colStep) {
  std::vector<float> A = randomFloats(M * K, seedA),
                     B = randomFloats(K * N, seedB);
  std::vector<std::vector<float>> out;
  for (int threads : {1, 2}) {
    ThreadCount t(threads);
    std::vector<float> C(M * N, 0.f);
    dsrt_kernel_sgemm(1, M, N, K, A.data(), 0, K, 1, B.data(), 0, N, 1,
                      C.data(), 0, N, 1, 0);
    out.push_back(std::move(C));
  }
  EXPECT_EQ(out[0], out[1]);
  for (int64_t i = 0; i < M; i += rowStep)
    for (int64_t j = 0; j < N; j += colStep) {
      double ref = 0;
      for (int64_t k = 0; k < K; ++k)
        ref += double(A[i * K + k]) * double(B[k * N + j]);
      ASSERT_NEAR(out[1][i * N + j], ref, 5e-3) << i << "," << j;
    }
}

TEST(SgemmDriver, WideProductIsTheSameOnOneAndTwoThreads) {
  // Few rows, B over 16 MiB: the threads cut N, each packing its own
  // B slices and every A block.
  expectSameBitsOnOneAndTwoThreads(/*M=*/100, /*N=*/2049, /*K=*/2050, 41, 42,
                                   13, 97);
}

TEST(SgemmDriver, TallProductIsTheSameOnOneAndTwoThreads) {
  // N < M, A over 16 MiB: the threads cut M, each packing its own A rows
  // and every B slice.
  expectSameBitsOnOneAndTwoThreads(/*M=*/2100, /*N=*/300, /*K=*/2000, 51, 52,
                                   101, 23);
}

TEST(SgemmDriver, RepeatedCallsReuseScratchCorrectly) {
  // A large product grows the per-thread packing buffers; a smaller one
  // after it must not read stale panels of the larger one.
  ThreadCount t(2);
  for (int64_t n : {400, 130, 401}) {
    std::vector<float> A = randomFloats(n * n, 31 + n),
                       B = randomFloats(n * n, 32 + n);
    std::vector<float> C(n * n, 0.f);
    dsrt_kernel_sgemm(1, n, n, n, A.data(), 0, n, 1, B.data(), 0, n, 1,
                      C.data(), 0, n, 1, 0);
    for (int64_t i = 0; i < n; i += 29)
      for (int64_t j = 0; j < n; j += 31) {
        double ref = 0;
        for (int64_t k = 0; k < n; ++k)
          ref += double(A[i * n + k]) * double(B[k * n + j]);
        ASSERT_NEAR(C[i * n + j], ref, 1e-3) << "n=" << n;
      }
  }
}

} // namespace
