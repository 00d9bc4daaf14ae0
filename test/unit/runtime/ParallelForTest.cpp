//===- ParallelForTest.cpp - dsrt_parallel_for and the buffer counters ---===//
#include "dsrt/dsrt.h"
#include "dsrt/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

extern "C" {
// libdsrt's allocation functions for compiled code (runtime/lib/Memory.cpp).
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);
}

namespace {

struct Ranges {
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> seen;
  std::vector<std::atomic<int>> hits;
  explicit Ranges(int64_t n) : hits(n > 0 ? n : 0) {}
};

void record(void *ctx, int64_t lo, int64_t hi) {
  auto *r = static_cast<Ranges *>(ctx);
  for (int64_t i = lo; i < hi; ++i)
    r->hits[i].fetch_add(1);
  std::lock_guard<std::mutex> lock(r->mutex);
  r->seen.emplace_back(lo, hi);
}

class ParallelFor : public ::testing::TestWithParam<int> {
protected:
  void SetUp() override { dsrt_set_num_threads(GetParam()); }
  void TearDown() override { dsrt_set_num_threads(0); }
};

TEST_P(ParallelFor, CoversEveryIndexOnce) {
  for (int64_t n : {1, 2, 3, 7, 64, 1000}) {
    Ranges r(n);
    dsrt_parallel_for(n, record, &r);
    for (int64_t i = 0; i < n; ++i)
      EXPECT_EQ(r.hits[i].load(), 1) << "n=" << n << " i=" << i;
    for (auto [lo, hi] : r.seen)
      EXPECT_LT(lo, hi);
    // At most two ranges per thread.
    EXPECT_LE(r.seen.size(), size_t(2 * GetParam()));
  }
}

TEST_P(ParallelFor, EmptyRangeCallsNothing) {
  Ranges r(0);
  dsrt_parallel_for(0, record, &r);
  dsrt_parallel_for(-5, record, &r);
  EXPECT_TRUE(r.seen.empty());
}

/// A body that calls dsrt_parallel_for again runs the inner loop on its
/// own thread and still covers it.
TEST_P(ParallelFor, NestedCallsComplete) {
  std::atomic<int64_t> total{0};
  struct Ctx {
    std::atomic<int64_t> *total;
  } ctx{&total};
  dsrt_parallel_for(
      8,
      [](void *c, int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i)
          dsrt_parallel_for(
              10,
              [](void *c2, int64_t l, int64_t h) {
                static_cast<Ctx *>(c2)->total->fetch_add(h - l);
              },
              c);
      },
      &ctx);
  EXPECT_EQ(total.load(), 80);
}

INSTANTIATE_TEST_SUITE_P(Threads, ParallelFor, ::testing::Values(1, 2, 3));

TEST(MemoryStats, CountsCompiledCodeAllocations) {
  dsrt_memory_stats_reset();
  dsrt_memory_stats before;
  dsrt_memory_stats_get(&before);
  EXPECT_EQ(before.allocations, 0u);

  void *a = _mlir_memref_to_llvm_alloc(1000);
  void *b = _mlir_memref_to_llvm_aligned_alloc(64, 4096);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 16, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 64, 0u);
  static_cast<char *>(a)[999] = 1; // the whole block is usable
  static_cast<char *>(b)[4095] = 1;

  dsrt_memory_stats s;
  dsrt_memory_stats_get(&s);
  EXPECT_EQ(s.live_bytes, before.live_bytes + 5096);
  EXPECT_EQ(s.peak_bytes, before.live_bytes + 5096);
  EXPECT_EQ(s.allocations, 2u);
  EXPECT_EQ(s.allocated_bytes, 5096u);

  _mlir_memref_to_llvm_free(a);
  dsrt_memory_stats_get(&s);
  EXPECT_EQ(s.live_bytes, before.live_bytes + 4096);
  EXPECT_EQ(s.peak_bytes, before.live_bytes + 5096); // the peak stays
  _mlir_memref_to_llvm_free(b);
  _mlir_memref_to_llvm_free(nullptr);
  dsrt_memory_stats_get(&s);
  EXPECT_EQ(s.live_bytes, before.live_bytes);

  dsrt_memory_stats_reset();
  dsrt_memory_stats_get(&s);
  EXPECT_EQ(s.peak_bytes, s.live_bytes);
  EXPECT_EQ(s.allocations, 0u);
  EXPECT_EQ(s.allocated_bytes, 0u);
  dsrt_memory_stats_get(nullptr); // ignored
}

} // namespace
