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
// Large blocks are kept after they are freed and handed out again to the
// next allocation of the same size and alignment. A model allocates the
// same buffers (usually one arena) on every run; from malloc, blocks this
// large come from mmap and go back with munmap, so every run paid a page
// fault and a zeroed page per 4 KiB it touched (about a fifth of
// MobileNetV2's time on one thread) and started with cold caches. The cache
// is bounded, dropped whole when a module is freed (dsrt_module_free) and
// off under AddressSanitizer, which must see every free. Blocks from 2 MiB
// up (the arena) are 2 MiB aligned and advised onto transparent huge pages
// (LargeAlloc.h).
//
//===----------------------------------------------------------------------===//
#include "Internal.h"
#include "LargeAlloc.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <vector>

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

#if defined(__SANITIZE_ADDRESS__)
#define DSRT_CACHE_BLOCKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DSRT_CACHE_BLOCKS 0
#endif
#endif
#ifndef DSRT_CACHE_BLOCKS
#define DSRT_CACHE_BLOCKS 1
#endif

/// Freed blocks of at least this many bytes are cached (glibc's default
/// mmap threshold: smaller ones stay in malloc's own free lists).
constexpr uint64_t kCacheMinBytes = uint64_t(128) << 10;
/// At most this many bytes and blocks wait in the cache; beyond, the
/// oldest go back to malloc.
constexpr uint64_t kCacheMaxBytes = uint64_t(256) << 20;
constexpr size_t kCacheMaxBlocks = 16;

/// Free blocks by (size, header), newest last.
class BlockCache {
public:
  /// A cached block for `size` bytes after a header of `offset`, or null.
  unsigned char *take(uint64_t size, uint64_t offset) {
    if (!DSRT_CACHE_BLOCKS || size < kCacheMinBytes)
      return nullptr;
    std::lock_guard<std::mutex> lock(mutex);
    for (size_t i = blocks.size(); i-- > 0;) {
      if (blocks[i].size != size || blocks[i].offset != offset)
        continue;
      unsigned char *block = blocks[i].block;
      bytes -= size;
      blocks.erase(blocks.begin() + i);
      return block;
    }
    return nullptr;
  }

  /// Keeps `block` (the start of an allocation whose user part has `size`
  /// bytes after `offset`) or frees it.
  void give(unsigned char *block, uint64_t size, uint64_t offset) {
    if (!DSRT_CACHE_BLOCKS || size < kCacheMinBytes ||
        size > kCacheMaxBytes) {
      std::free(block);
      return;
    }
    std::vector<unsigned char *> evicted;
    {
      std::lock_guard<std::mutex> lock(mutex);
      blocks.push_back({block, size, offset});
      bytes += size;
      while (bytes > kCacheMaxBytes || blocks.size() > kCacheMaxBlocks) {
        evicted.push_back(blocks.front().block);
        bytes -= blocks.front().size;
        blocks.erase(blocks.begin());
      }
    }
    for (unsigned char *b : evicted)
      std::free(b);
  }

  void clear() {
    std::vector<Block> all;
    {
      std::lock_guard<std::mutex> lock(mutex);
      all.swap(blocks);
      bytes = 0;
    }
    for (const Block &b : all)
      std::free(b.block);
  }

  uint64_t cachedBytes() {
    std::lock_guard<std::mutex> lock(mutex);
    return bytes;
  }

private:
  struct Block {
    unsigned char *block;
    uint64_t size, offset;
  };
  std::mutex mutex;
  std::vector<Block> blocks;
  uint64_t bytes = 0;
};

BlockCache &cache() {
  // Leaked on purpose: compiled code may free buffers while static
  // destructors run at exit.
  static BlockCache *c = new BlockCache();
  return *c;
}

/// The user pointer of `block`, with its size and header offset recorded
/// right before it.
void *finishAlloc(unsigned char *block, uint64_t size, uint64_t offset) {
  unsigned char *user = block + offset;
  reinterpret_cast<uint64_t *>(user)[-2] = size;
  reinterpret_cast<uint64_t *>(user)[-1] = offset;
  recordAlloc(size);
  return user;
}

} // namespace

void dsrt::releaseCachedBuffers() { cache().clear(); }

uint64_t dsrt::cachedBufferBytes() { return cache().cachedBytes(); }

DSRT_EXPORT void *_mlir_memref_to_llvm_alloc(size_t size) {
  if (unsigned char *block = cache().take(size, kHeader))
    return finishAlloc(block, size, kHeader);
  auto *block = static_cast<unsigned char *>(
      dsrt::allocLarge(size + kHeader, kHeader));
  if (!block)
    return nullptr;
  return finishAlloc(block, size, kHeader);
}

/// Used when the lowering is asked for aligned_alloc; the header is one
/// alignment unit so the returned pointer keeps the alignment.
DSRT_EXPORT void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                     size_t size) {
  if (alignment < kHeader)
    alignment = kHeader;
  // A cached block serves only the same alignment (its header offset).
  if (unsigned char *block = cache().take(size, alignment))
    return finishAlloc(block, size, alignment);
  void *block = dsrt::allocLarge(size + alignment, alignment);
  if (!block)
    return nullptr;
  return finishAlloc(static_cast<unsigned char *>(block), size, alignment);
}

DSRT_EXPORT void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  auto *user = static_cast<unsigned char *>(ptr);
  uint64_t size = reinterpret_cast<uint64_t *>(user)[-2];
  uint64_t offset = reinterpret_cast<uint64_t *>(user)[-1];
  liveBytes.fetch_sub(size, std::memory_order_relaxed);
  cache().give(user - offset, size, offset);
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
