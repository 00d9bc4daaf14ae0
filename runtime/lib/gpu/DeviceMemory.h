//===- DeviceMemory.h - Device buffers of ds artifacts ----------*- C++ -*-===//
//
// What the host code of a device-resident artifact (ds-gpu-device-memory,
// docs/gpu.md "Runtime") needs from the runtime, over one Backend:
//
//  - intermediates and staged copies of the caller's buffers come from a
//    stream-aware caching pool (MemoryPool): a block freed on a stream is
//    reused at once by the same stream and by others once it is settled
//    (the stream synchronized or destroyed);
//  - constants are uploaded once into a slot owned by the artifact and
//    freed when the artifact releases them (at unload);
//  - zero-byte copies are skipped.
//
// Every block is a separate driver allocation, so it is aligned to the
// driver's granularity (256 bytes for cuMemAlloc and hipMalloc), which the
// compiler states in the IR (memref.assume_alignment 256).
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_GPU_DEVICEMEMORY_H
#define DSRT_LIB_GPU_DEVICEMEMORY_H

#include "Backend.h"
#include "MemoryPool.h"

#include <mutex>
#include <unordered_map>

namespace dsrt::gpu {

class DeviceMemory {
public:
  /// The alignment every block handed out is guaranteed to have.
  static constexpr size_t kAlignment = 256;

  struct Stats {
    MemoryPool::Stats pool;
    size_t residentBlocks = 0, residentBytes = 0; ///< constants on device
    size_t uploads = 0;                           ///< constants uploaded
    size_t copies = 0, copiedBytes = 0;           ///< gpu.memcpy calls
  };

  explicit DeviceMemory(Backend &backend);

  /// Device memory for work on `stream`; out of memory is an error naming
  /// the bytes requested and in use (pool and resident constants).
  Status allocate(size_t bytes, void *stream, void **ptr);
  /// Returns a block from allocate() to the pool, ordered after the work
  /// already queued on `stream`.
  Status release(void *ptr, void *stream);
  /// Work queued on `stream` has completed.
  void settle(void *stream);
  /// Copies `bytes` on `stream` (skipped when zero).
  Status copy(void *dst, const void *src, size_t bytes, void *stream);

  /// The device copy of a constant: `*slot` if set, else a new device
  /// block holding `bytes` from `host`, stored in `*slot`. The upload is
  /// complete when this returns, so any stream may read it.
  Status resident(void **slot, const void *host, size_t bytes, void **ptr);
  /// Frees `*slot` (if set) and clears it.
  Status releaseResident(void **slot);

  Stats stats() const;
  /// Frees the pool's cached blocks.
  Status trim() { return pool.trim(); }

private:
  Backend &backend;
  MemoryPool pool;
  mutable std::mutex mutex; ///< guards the resident slots and counters
  Stats counters;
  std::unordered_map<void *, size_t> residentSizes; ///< device copy → bytes
};

} // namespace dsrt::gpu

#endif // DSRT_LIB_GPU_DEVICEMEMORY_H
