//===- LargeAllocTest.cpp - large runtime buffers on huge pages -----------===//
//
// runtime/lib/LargeAlloc.h: small buffers keep the requested alignment;
// from 2 MiB up they start on a 2 MiB boundary (so their whole 2 MiB
// pieces can be huge pages), unless DSRT_HUGE_PAGES=0. The compiled model's
// allocator (Memory.cpp) and the kernels' weight buffers go through it.
// Whether the kernel then backs the pieces with huge pages depends on the
// system's THP setting and free memory, so that is measured (see
// docs/performance.md), not asserted.
//
//===----------------------------------------------------------------------===//
#include "LargeAlloc.h"
#include "kernels/AlignedBuffer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" {
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);
}

namespace {

uintptr_t addr(const void *p) { return reinterpret_cast<uintptr_t>(p); }

/// The alignment a buffer of `bytes` gets when `requested` was asked for.
size_t expectedAlignment(size_t bytes, size_t requested) {
  return bytes >= dsrt::kHugePageBytes && dsrt::hugePagesEnabled()
             ? dsrt::kHugePageBytes
             : requested;
}

TEST(LargeAlloc, SmallBuffersKeepTheRequestedAlignment) {
  for (size_t alignment : {size_t(16), size_t(64), size_t(4096)})
    for (size_t bytes : {size_t(0), size_t(1), size_t(100), size_t(1) << 20}) {
      void *p = dsrt::allocLarge(bytes, alignment);
      ASSERT_NE(p, nullptr) << bytes;
      EXPECT_EQ(addr(p) % alignment, 0u) << bytes << " " << alignment;
      std::memset(p, 0x5a, bytes ? bytes : 1);
      std::free(p);
    }
}

TEST(LargeAlloc, LargeBuffersStartOnAHugePageBoundary) {
  for (size_t bytes : {dsrt::kHugePageBytes, dsrt::kHugePageBytes + 4096,
                       5 * dsrt::kHugePageBytes / 2}) {
    void *p = dsrt::allocLarge(bytes, 64);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(addr(p) % expectedAlignment(bytes, 64), 0u) << bytes;
    // All of it is usable, the small-page tail included.
    std::memset(p, 0x5a, bytes);
    EXPECT_EQ(static_cast<unsigned char *>(p)[bytes - 1], 0x5a);
    std::free(p);
  }
}

TEST(LargeAlloc, AlignmentsAboveAHugePageAreKept) {
  size_t alignment = 2 * dsrt::kHugePageBytes;
  void *p = dsrt::allocLarge(3 * dsrt::kHugePageBytes, alignment);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(addr(p) % alignment, 0u);
  std::free(p);
}

TEST(LargeAlloc, KernelWeightBuffersUseIt) {
  size_t floats = 3 * dsrt::kHugePageBytes / sizeof(float);
  dsrt::kernels::AlignedBuffer b = dsrt::kernels::alignedFloats(floats);
  ASSERT_NE(b.get(), nullptr);
  EXPECT_EQ(addr(b.get()) % expectedAlignment(floats * sizeof(float), 64), 0u);
  b.get()[floats - 1] = 1.0f;
}

TEST(LargeAlloc, CompiledModelArenaStartsOnAHugePageBoundary) {
  // The compiled code's allocator puts a 16-byte header (one alignment unit
  // for the aligned form) in front of the buffer: the block before it is
  // what starts on the boundary.
  size_t bytes = 3 * dsrt::kHugePageBytes;
  void *a = _mlir_memref_to_llvm_alloc(bytes);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ((addr(a) - 16) % expectedAlignment(bytes, 16), 0u);
  EXPECT_EQ(addr(a) % 16, 0u);
  std::memset(a, 0, bytes);
  void *b = _mlir_memref_to_llvm_aligned_alloc(64, bytes);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ((addr(b) - 64) % expectedAlignment(bytes, 64), 0u);
  EXPECT_EQ(addr(b) % 64, 0u);
  std::memset(b, 0, bytes);
  _mlir_memref_to_llvm_free(a);
  _mlir_memref_to_llvm_free(b);
}

} // namespace
