//===- WarpgroupLayoutTest.cpp - the wgmma kernel's index math, on CPU ----===//
//
// Replays the sm_90a warpgroup-MMA matmul kernel (lib/Target/GPU/
// WarpgroupMatmul.cpp) on the CPU, thread by thread, with the kernel's own
// formulas (WarpgroupLayout.h, instantiated on integers): the in-kernel
// 1024-byte alignment of the shared buffer, the swizzled cooperative copies
// of A and of the transposed B tile, the matrix descriptors of each k16
// slice, and the accumulator ownership of the C += D store with its M
// guard. The hardware side is emulated here from the PTX ISA's
// descriptions (section 9.7.15, written independently of the header):
//   - "Matrix Descriptor Format": fields decoded bit by bit;
//   - "Shared Memory Matrix Layout" with the 128-byte swizzle: element
//     (r, k) of a K-major operand is at start + (r / 8)·SBO + (r % 8)·128 +
//     2k, with address bits 4-6 XORed with bits 7-9;
//   - "Register Fragments", m64nNk16 accumulator D.
// Values are small integers (exact in float and bf16), so the comparison
// with the reference product is exact and any index error shows.
//
// What this does not check: the IR the builder emits beyond these formulas
// (lit tests), ptxas's view of it (ptx test), the hardware (a device run).
//
//===----------------------------------------------------------------------===//
#include "lib/Target/GPU/WarpgroupLayout.h"
#include "ds/Target/GPU/GPUTarget.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {
using namespace mlir::ds::wgmma;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// The block's shared buffer, in 2-byte elements, at shared byte address
/// `raw` (NaN until written).
struct Shared {
  int64_t raw;
  std::vector<float> data;
  std::vector<int> writes;
  Shared(int64_t raw, int64_t bytes)
      : raw(raw), data(bytes / 2, kNaN), writes(bytes / 2, 0) {}
  float &atElement(int64_t element) {
    EXPECT_GE(element, 0);
    EXPECT_LT(element, int64_t(data.size()));
    return data.at(element);
  }
  /// What the async proxy reads at a shared byte address.
  float atAddress(int64_t address) {
    EXPECT_EQ(address % 2, 0);
    return atElement((address - raw) / 2);
  }
};

struct Descriptor {
  int64_t start, leading, stride, baseOffset, swizzle;
};

/// PTX ISA, "Matrix Descriptor Format".
Descriptor decode(uint64_t d) {
  Descriptor r;
  r.start = int64_t(d & 0x3FFF) << 4;
  r.leading = int64_t((d >> 16) & 0x3FFF) << 4;
  r.stride = int64_t((d >> 32) & 0x3FFF) << 4;
  r.baseOffset = int64_t((d >> 49) & 0x7);
  r.swizzle = int64_t(d >> 62);
  return r;
}

/// The byte address of element (r, k) of a K-major operand slice (rows ×
/// 16) described by `d` with the 128-byte swizzle.
int64_t operandAddress(const Descriptor &d, int64_t r, int64_t k) {
  EXPECT_EQ(d.swizzle, 1) << "expected the 128-byte swizzle mode";
  EXPECT_EQ(d.baseOffset, 0);
  int64_t logical = d.start + r / 8 * d.stride + r % 8 * 128 + 2 * k;
  return logical ^ (((logical >> 7) & 7) << 4);
}

struct Problem {
  int64_t m, n, k, tileN;
};

/// Replays the kernel on every block and returns C0 + A·B as the kernel
/// computes it. `swizzleCopies = false` copies without the XOR, to show
/// that the emulation notices a layout mismatch.
std::vector<float> runKernel(const Problem &p, const std::vector<float> &a,
                             const std::vector<float> &b,
                             std::vector<float> c, int64_t raw,
                             bool swizzleCopies = true) {
  int64_t bufferBytes = kAtomBytes + aTileBytes() + bTileBytes(p.tileN);
  int64_t paddedM = (p.m + kTileM - 1) / kTileM * kTileM;
  for (int64_t by = 0; by < paddedM / kTileM; ++by)
    for (int64_t bx = 0; bx < p.n / p.tileN; ++bx) {
      int64_t m0 = by * kTileM, n0 = bx * p.tileN;
      Shared shared(raw, bufferBytes);
      int64_t tileBase = alignedTileBase(raw);
      EXPECT_EQ(tileBase % kAtomBytes, 0);
      EXPECT_LE(tileBase + aTileBytes() + bTileBytes(p.tileN),
                raw + bufferBytes);
      int64_t first = (tileBase - raw) / kElementBytes;
      // registers[tid][i]
      std::vector<std::vector<float>> acc(
          kThreads, std::vector<float>(p.tileN / 2, 0.0f));
      for (int64_t k0 = 0; k0 < p.k; k0 += kTileK) {
        std::fill(shared.data.begin(), shared.data.end(), kNaN);
        std::fill(shared.writes.begin(), shared.writes.end(), 0);
        auto offsetOf = [&](int64_t row, int64_t chunk) {
          return swizzleCopies ? swizzledChunkOffset(row, chunk)
                               : row * kRowBytes + chunk * kChunkBytes;
        };
        for (int64_t tid = 0; tid < kThreads; ++tid) {
          for (int64_t i = 0; i < kACopiesPerThread; ++i) {
            int64_t row = aCopyRow(tid, i), chunk = aCopyChunk(tid, i);
            for (int64_t e = 0; e < 8; ++e) {
              int64_t gr = m0 + row, gk = k0 + chunk * 8 + e;
              int64_t at = first + offsetOf(row, chunk) / kElementBytes + e;
              shared.atElement(at) = gr < p.m ? a[gr * p.k + gk] : 0.0f;
              ++shared.writes[at];
            }
          }
          for (int64_t i = 0; i < bCopiesPerThread(p.tileN); ++i) {
            int64_t kr = bCopyK(tid, i, p.tileN), nc = bCopyN(tid, i, p.tileN);
            for (int64_t e = 0; e < 8; ++e) {
              int64_t elementOffset =
                  swizzleCopies ? swizzledElementOffset(nc + e, kr)
                                : (nc + e) * kRowBytes + kr * kElementBytes;
              int64_t at =
                  first + (elementOffset + aTileBytes()) / kElementBytes;
              shared.atElement(at) = b[(k0 + kr) * p.n + n0 + nc + e];
              ++shared.writes[at];
            }
          }
        }
        // Both tiles are written exactly once, nothing else.
        int64_t badWrites = 0;
        for (int64_t e = 0; e < int64_t(shared.writes.size()); ++e) {
          bool inTiles = e >= first &&
                         e < first + (aTileBytes() + bTileBytes(p.tileN)) /
                                         kElementBytes;
          badWrites += shared.writes[e] != (inTiles ? 1 : 0);
        }
        EXPECT_EQ(badWrites, 0) << "shared elements not written exactly once";
        // Four wgmma.m64nNk16 from the descriptors.
        std::vector<float> d(kTileM * p.tileN, 0.0f);
        for (int64_t kk = 0; kk < kTileK / kMmaK; ++kk) {
          uint64_t descA = uint64_t(descriptorAddressField(
                               sliceAddress(tileBase, kk))) +
                           descriptorHighBits();
          uint64_t descB = uint64_t(descriptorAddressField(sliceAddress(
                               tileBase + aTileBytes(), kk))) +
                           descriptorHighBits();
          Descriptor da = decode(descA), db = decode(descB);
          EXPECT_EQ(da.stride, 1024);
          for (int64_t r = 0; r < kTileM; ++r)
            for (int64_t col = 0; col < p.tileN; ++col) {
              float sum = 0;
              for (int64_t k = 0; k < kMmaK; ++k)
                sum += shared.atAddress(operandAddress(da, r, k)) *
                       shared.atAddress(operandAddress(db, col, k));
              d[r * p.tileN + col] += sum;
            }
        }
        // The D fragments (PTX ISA figure for the m64nNk16 accumulator).
        for (int64_t w = 0; w < 4; ++w)
          for (int64_t lane = 0; lane < 32; ++lane)
            for (int64_t j = 0; j < p.tileN / 8; ++j)
              for (int64_t h = 0; h < 2; ++h)
                for (int64_t e = 0; e < 2; ++e) {
                  int64_t row = 16 * w + lane / 4 + 8 * h;
                  int64_t col = 8 * j + 2 * (lane % 4) + e;
                  acc[32 * w + lane][4 * j + 2 * h + e] +=
                      d[row * p.tileN + col];
                }
      }
      // The kernel's store: C += D for rows below M.
      for (int64_t tid = 0; tid < kThreads; ++tid)
        for (int64_t i = 0; i < p.tileN / 2; ++i) {
          int64_t row = m0 + accRow(tid, i), col = n0 + accCol(tid, i);
          EXPECT_LT(col, p.n);
          if (row < p.m)
            c[row * p.n + col] += acc[tid][i];
        }
    }
  return c;
}

struct Data {
  std::vector<float> a, b, c, expected;
};

Data makeData(const Problem &p, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> small(-3, 3);
  Data data;
  data.a.resize(p.m * p.k);
  data.b.resize(p.k * p.n);
  data.c.resize(p.m * p.n);
  for (float &x : data.a)
    x = float(small(rng));
  for (float &x : data.b)
    x = float(small(rng));
  for (float &x : data.c)
    x = float(small(rng));
  data.expected = data.c;
  for (int64_t i = 0; i < p.m; ++i)
    for (int64_t j = 0; j < p.n; ++j) {
      float sum = 0;
      for (int64_t k = 0; k < p.k; ++k)
        sum += data.a[i * p.k + k] * data.b[k * p.n + j];
      data.expected[i * p.n + j] += sum;
    }
  return data;
}

class WarpgroupKernelTest : public ::testing::TestWithParam<Problem> {};

TEST_P(WarpgroupKernelTest, MatchesReference) {
  Problem p = GetParam();
  Data data = makeData(p, 7);
  // Shared addresses as the driver may place the buffer: aligned, or 16
  // bytes past a boundary.
  for (int64_t raw : {int64_t(0), int64_t(0x410), int64_t(0x2230)}) {
    std::vector<float> c = runKernel(p, data.a, data.b, data.c, raw);
    for (int64_t i = 0; i < p.m * p.n; ++i)
      ASSERT_EQ(c[i], data.expected[i])
          << "row " << i / p.n << " col " << i % p.n << " raw " << raw;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, WarpgroupKernelTest,
    ::testing::Values(Problem{64, 128, 64, 128},  // one block, one K step
                      Problem{100, 256, 128, 128}, // M padding, 2×2 blocks
                      Problem{37, 64, 128, 64},   // M < 64
                      Problem{70, 48, 64, 16}),   // smallest tile
    [](const ::testing::TestParamInfo<Problem> &info) {
      const Problem &p = info.param;
      return "m" + std::to_string(p.m) + "n" + std::to_string(p.n) + "k" +
             std::to_string(p.k) + "bn" + std::to_string(p.tileN);
    });

// The emulation is sensitive to the layout: copies without the swizzle
// (what the descriptor does not describe) give a wrong product.
TEST(WarpgroupLayout, UnswizzledCopiesAreDetected) {
  Problem p{64, 64, 64, 64};
  Data data = makeData(p, 3);
  std::vector<float> c =
      runKernel(p, data.a, data.b, data.c, 0, /*swizzleCopies=*/false);
  int64_t wrong = 0;
  for (int64_t i = 0; i < p.m * p.n; ++i)
    wrong += c[i] != data.expected[i];
  EXPECT_GT(wrong, p.m * p.n / 2);
}

TEST(WarpgroupLayout, DescriptorFields) {
  // PTX ISA "Matrix Descriptor Format": the constant fields land where the
  // decoder looks for them, and the address field never reaches bit 14.
  Descriptor d = decode(descriptorHighBits());
  EXPECT_EQ(d.start, 0);
  EXPECT_EQ(d.leading, 16);
  EXPECT_EQ(d.stride, 1024);
  EXPECT_EQ(d.baseOffset, 0);
  EXPECT_EQ(d.swizzle, 1);
  EXPECT_EQ(descriptorAddressField(int64_t(0x3FFF0)), 0x3FFF);
  EXPECT_EQ(decode(uint64_t(descriptorAddressField(int64_t(0x1230))) +
                   descriptorHighBits())
                .start,
            0x1230);
}

TEST(WarpgroupLayout, AccumulatorOwnership) {
  // Every element of a 64 × N tile has exactly one (thread, register).
  for (int64_t tileN : {16, 32, 64, 128}) {
    std::vector<int> owners(kTileM * tileN, 0);
    for (int64_t tid = 0; tid < kThreads; ++tid)
      for (int64_t i = 0; i < tileN / 2; ++i) {
        int64_t r = accRow(tid, i), c = accCol(tid, i);
        ASSERT_LT(r, kTileM);
        ASSERT_LT(c, tileN);
        ++owners[r * tileN + c];
      }
    for (int owner : owners)
      EXPECT_EQ(owner, 1);
  }
}

// The option's gate: CUDA and chip sm_90a exactly.
TEST(WarpgroupLayout, OptionNeedsSm90a) {
  mlir::ds::GPUPipelineOptions options;
  EXPECT_FALSE(mlir::ds::checkWgmma(options)); // off: nothing to check
  options.wgmma = true;
  options.chip = "sm_90a";
  EXPECT_FALSE(mlir::ds::checkWgmma(options));
  for (const char *chip : {"sm_90", "sm_80", "sm_100a", ""}) {
    options.chip = chip;
    EXPECT_TRUE(mlir::ds::checkWgmma(options)) << chip;
  }
  options.chip = "sm_90a";
  options.runtime = mlir::ds::GPURuntime::ROCm;
  EXPECT_TRUE(mlir::ds::checkWgmma(options));
}

} // namespace
