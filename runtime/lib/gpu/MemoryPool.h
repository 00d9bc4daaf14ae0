//===- MemoryPool.h - Caching device allocator ------------------*- C++ -*-===//
//
// cuMemAlloc/cuMemFree synchronize the device and cost tens of
// microseconds; a model that allocates its intermediates on every run pays
// that per tensor. The pool keeps freed blocks in size classes (powers of
// two from 256 bytes, exact sizes above `largeThreshold`) and hands them out
// again. It only does bookkeeping: the allocator callbacks do the real work,
// so the logic is tested without a device.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_GPU_MEMORYPOOL_H
#define DSRT_LIB_GPU_MEMORYPOOL_H

#include "Backend.h"

#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace dsrt::gpu {

class MemoryPool {
public:
  using AllocateFn = std::function<Status(size_t bytes, void **ptr)>;
  using FreeFn = std::function<Status(void *ptr)>;

  struct Stats {
    size_t liveBlocks = 0, liveBytes = 0;     ///< handed out, not returned
    size_t cachedBlocks = 0, cachedBytes = 0; ///< returned, kept for reuse
    size_t hits = 0, misses = 0;              ///< reuses vs. new allocations
  };

  MemoryPool(AllocateFn allocate, FreeFn free,
             size_t largeThreshold = size_t(1) << 30)
      : allocateFn(std::move(allocate)), freeFn(std::move(free)),
        largeThreshold(largeThreshold) {}
  ~MemoryPool() { (void)trim(); }
  MemoryPool(const MemoryPool &) = delete;
  MemoryPool &operator=(const MemoryPool &) = delete;

  /// The block size a request of `bytes` is served with.
  size_t roundUp(size_t bytes) const;

  /// A block of at least `bytes` (0 is treated as 1) for work on `stream`.
  /// A cached block is reused if it is settled or was released on the same
  /// stream (stream order makes that safe: the work that used it is queued
  /// before the work that will). On an out-of-memory failure the cache is
  /// released and the allocation retried once.
  Status allocate(size_t bytes, void **ptr, void *stream = nullptr);
  /// Returns a block from allocate(), possibly still in use by work queued
  /// on `stream` (null: no pending work); unknown pointers are an error.
  Status release(void *ptr, void *stream = nullptr);
  /// The work queued on `stream` has finished (it was synchronized or is
  /// being destroyed): blocks released on it may serve any stream.
  void settle(void *stream);
  /// Frees every cached block (the driver's free waits for pending work).
  Status trim();
  Stats stats() const;

private:
  AllocateFn allocateFn;
  FreeFn freeFn;
  size_t largeThreshold;
  mutable std::mutex mutex;
  std::unordered_map<void *, size_t> live; ///< block → its rounded size
  struct CachedBlock {
    void *ptr;
    void *stream; ///< released on this stream, not yet settled; or null
  };
  std::multimap<size_t, CachedBlock> cached; ///< rounded size → free block
  Stats counters;
  Status trimLocked();
};

} // namespace dsrt::gpu

#endif // DSRT_LIB_GPU_MEMORYPOOL_H
