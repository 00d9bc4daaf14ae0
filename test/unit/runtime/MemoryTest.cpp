//===- MemoryTest.cpp - the compiled code's allocator keeps large blocks --===//
//
// runtime/lib/Memory.cpp hands a freed block of at least 128 KiB back to
// the next allocation of the same size and alignment (a model allocates the
// same arena on every run), and never to two owners at once. Under
// AddressSanitizer the cache is off, and the tests that check reuse skip.
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

extern "C" {
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);
}

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCaching = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kCaching = false;
#else
constexpr bool kCaching = true;
#endif
#else
constexpr bool kCaching = true;
#endif

constexpr size_t kLarge = size_t(1) << 20;

TEST(BufferCache, LargeBlockIsReusedForTheSameSize) {
  if (!kCaching)
    GTEST_SKIP() << "the block cache is off under AddressSanitizer";
  void *a = _mlir_memref_to_llvm_aligned_alloc(64, kLarge);
  ASSERT_NE(a, nullptr);
  std::memset(a, 1, kLarge);
  _mlir_memref_to_llvm_free(a);
  void *b = _mlir_memref_to_llvm_aligned_alloc(64, kLarge);
  EXPECT_EQ(a, b);
  _mlir_memref_to_llvm_free(b);

  void *c = _mlir_memref_to_llvm_alloc(kLarge + 16);
  ASSERT_NE(c, nullptr);
  _mlir_memref_to_llvm_free(c);
  EXPECT_EQ(_mlir_memref_to_llvm_alloc(kLarge + 16), c);
  _mlir_memref_to_llvm_free(c);
}

TEST(BufferCache, OtherSizeOrAlignmentGetsItsOwnBlock) {
  void *a = _mlir_memref_to_llvm_aligned_alloc(64, kLarge);
  ASSERT_NE(a, nullptr);
  _mlir_memref_to_llvm_free(a);
  // Another size, or a larger alignment, never receives that block: the
  // whole requested size is usable and the alignment holds.
  void *b = _mlir_memref_to_llvm_aligned_alloc(64, 2 * kLarge);
  ASSERT_NE(b, nullptr);
  std::memset(b, 2, 2 * kLarge);
  void *c = _mlir_memref_to_llvm_aligned_alloc(4096, kLarge);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(c) % 4096, 0u);
  std::memset(c, 3, kLarge);
  if (kCaching)
    EXPECT_NE(c, a);
  _mlir_memref_to_llvm_free(b);
  _mlir_memref_to_llvm_free(c);
}

TEST(BufferCache, LiveBlocksAreDistinctAndCountedOnce) {
  dsrt_memory_stats before;
  dsrt_memory_stats_get(&before);
  std::vector<void *> live;
  for (int i = 0; i < 3; ++i) {
    live.push_back(_mlir_memref_to_llvm_aligned_alloc(64, kLarge));
    ASSERT_NE(live.back(), nullptr);
    std::memset(live.back(), i, kLarge);
  }
  EXPECT_EQ(std::set<void *>(live.begin(), live.end()).size(), 3u);
  dsrt_memory_stats s;
  dsrt_memory_stats_get(&s);
  EXPECT_EQ(s.live_bytes, before.live_bytes + 3 * kLarge);
  for (void *p : live)
    _mlir_memref_to_llvm_free(p);
  // Cached blocks are not live.
  dsrt_memory_stats_get(&s);
  EXPECT_EQ(s.live_bytes, before.live_bytes);
  // The same three come back, each once.
  std::vector<void *> again;
  for (int i = 0; i < 3; ++i)
    again.push_back(_mlir_memref_to_llvm_aligned_alloc(64, kLarge));
  EXPECT_EQ(std::set<void *>(again.begin(), again.end()).size(), 3u);
  if (kCaching)
    EXPECT_EQ(std::set<void *>(again.begin(), again.end()),
              std::set<void *>(live.begin(), live.end()));
  for (void *p : again)
    _mlir_memref_to_llvm_free(p);
}

/// Threads that allocate, fill and check blocks of the same size at once:
/// a block handed to two owners would show the other thread's bytes.
TEST(BufferCache, ConcurrentOwnersNeverShareABlock) {
  constexpr int kThreads = 4, kRounds = 200;
  constexpr size_t kSize = size_t(256) << 10;
  std::vector<int> errors(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([t, &errors] {
      for (int r = 0; r < kRounds; ++r) {
        auto *p = static_cast<unsigned char *>(
            _mlir_memref_to_llvm_aligned_alloc(64, kSize));
        if (!p) {
          ++errors[t];
          return;
        }
        std::memset(p, t + 1, kSize);
        std::this_thread::yield();
        for (size_t i = 0; i < kSize; i += 4096)
          errors[t] += p[i] != t + 1;
        errors[t] += p[kSize - 1] != t + 1;
        _mlir_memref_to_llvm_free(p);
      }
    });
  for (std::thread &t : threads)
    t.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(errors[t], 0) << "thread " << t;
}

} // namespace
