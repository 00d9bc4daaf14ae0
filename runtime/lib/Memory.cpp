//===- Memory.cpp - the heap of compiled models, with usage counters -----===//
//
// Compiled CPU artifacts allocate their buffers through the generic
// allocation functions of MLIR's memref → LLVM lowering
// (`finalize-memref-to-llvm{use-generic-functions}`), which libdsrt defines
// here: the heap is malloc's, and every block carries a 16-byte header
// with its size, so the runtime can count what the model's own buffers
// take (dsrt_memory_stats_get) without asking the allocator.
//
// The counters are process-wide (every loaded module, every caller thread)
// and relaxed atomics: a reader sees a consistent value of each counter, not
// a snapshot of all of them at one instant.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>

namespace {

/// malloc's alignment on x86-64/AArch64 glibc; the lowering relies on it for
/// allocations without an explicit alignment, so the header keeps it.
constexpr size_t kHeader = 16;

std::atomic<uint64_t> liveBytes{0}, peakBytes{0}, allocCount{0},
    allocBytes{0};

void recordAlloc(uint64_t size) {
  uint64_t live = liveBytes.fetch_add(size, std::memory_order_relaxed) + size;
  uint64_t peak = peakBytes.load(std::memory_order_relaxed);
  while (live > peak &&
         !peakBytes.compare_exchange_weak(peak, live, std::memory_order_relaxed))
    ;
  allocCount.fetch_add(1, std::memory_order_relaxed);
  allocBytes.fetch_add(size, std::memory_order_relaxed);
}

} // namespace

DSRT_EXPORT void *_mlir_memref_to_llvm_alloc(size_t size) {
  auto *block = static_cast<unsigned char *>(std::malloc(size + kHeader));
  if (!block)
    return nullptr;
  unsigned char *user = block + kHeader;
  // Size and offset back to the block, right before the user pointer.
  reinterpret_cast<uint64_t *>(user)[-2] = size;
  reinterpret_cast<uint64_t *>(user)[-1] = kHeader;
  recordAlloc(size);
  return user;
}

/// Used when the lowering is asked for aligned_alloc; the header is one
/// alignment unit so the returned pointer keeps the alignment.
DSRT_EXPORT void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                     size_t size) {
  if (alignment < kHeader)
    alignment = kHeader;
  void *block = nullptr;
  if (posix_memalign(&block, alignment, size + alignment) != 0)
    return nullptr;
  auto *user = static_cast<unsigned char *>(block) + alignment;
  // Size and offset back to the block, right before the user pointer.
  reinterpret_cast<uint64_t *>(user)[-2] = size;
  reinterpret_cast<uint64_t *>(user)[-1] = alignment;
  recordAlloc(size);
  return user;
}

DSRT_EXPORT void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  auto *user = static_cast<unsigned char *>(ptr);
  uint64_t size = reinterpret_cast<uint64_t *>(user)[-2];
  uint64_t offset = reinterpret_cast<uint64_t *>(user)[-1];
  liveBytes.fetch_sub(size, std::memory_order_relaxed);
  std::free(user - offset);
}

DSRT_EXPORT void dsrt_memory_stats_get(dsrt_memory_stats *stats) {
  if (!stats)
    return;
  stats->live_bytes = liveBytes.load(std::memory_order_relaxed);
  stats->peak_bytes = peakBytes.load(std::memory_order_relaxed);
  stats->allocations = allocCount.load(std::memory_order_relaxed);
  stats->allocated_bytes = allocBytes.load(std::memory_order_relaxed);
}

DSRT_EXPORT void dsrt_memory_stats_reset(void) {
  peakBytes.store(liveBytes.load(std::memory_order_relaxed),
                  std::memory_order_relaxed);
  allocCount.store(0, std::memory_order_relaxed);
  allocBytes.store(0, std::memory_order_relaxed);
}
