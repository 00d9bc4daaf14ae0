//===- MemoryPool.cpp - Caching device allocator -------------------------===//
#include "MemoryPool.h"

#include <algorithm>

using namespace dsrt::gpu;

size_t MemoryPool::roundUp(size_t bytes) const {
  if (bytes == 0)
    bytes = 1;
  if (bytes >= largeThreshold)
    return bytes;
  size_t size = 256;
  while (size < bytes)
    size <<= 1;
  return size;
}

Status MemoryPool::allocate(size_t bytes, void **ptr, void *stream) {
  std::lock_guard<std::mutex> lock(mutex);
  size_t size = roundUp(bytes);
  auto [first, last] = cached.equal_range(size);
  auto it = std::find_if(first, last, [&](const auto &entry) {
    return !entry.second.stream || entry.second.stream == stream;
  });
  if (it != last) {
    *ptr = it->second.ptr;
    cached.erase(it);
    counters.cachedBlocks--;
    counters.cachedBytes -= size;
    counters.hits++;
  } else {
    Status st = allocateFn(size, ptr);
    if (!st && !cached.empty()) {
      // Out of memory with blocks parked in the cache: give them back to
      // the driver and try once more.
      if (Status trimmed = trimLocked(); !trimmed)
        return trimmed;
      st = allocateFn(size, ptr);
    }
    if (!st)
      return Status::error(st.message + " (requested " +
                           std::to_string(bytes) + " bytes; " +
                           std::to_string(counters.liveBytes) +
                           " bytes in use by ds)");
    counters.misses++;
  }
  live[*ptr] = size;
  counters.liveBlocks++;
  counters.liveBytes += size;
  return Status::success();
}

Status MemoryPool::release(void *ptr, void *stream) {
  if (!ptr)
    return Status::success();
  std::lock_guard<std::mutex> lock(mutex);
  auto it = live.find(ptr);
  if (it == live.end())
    return Status::error("device pointer was not allocated by the ds pool");
  size_t size = it->second;
  live.erase(it);
  counters.liveBlocks--;
  counters.liveBytes -= size;
  cached.emplace(size, CachedBlock{ptr, stream});
  counters.cachedBlocks++;
  counters.cachedBytes += size;
  return Status::success();
}

void MemoryPool::settle(void *stream) {
  if (!stream)
    return;
  std::lock_guard<std::mutex> lock(mutex);
  for (auto &entry : cached)
    if (entry.second.stream == stream)
      entry.second.stream = nullptr;
}

Status MemoryPool::trimLocked() {
  Status result;
  for (auto &[size, block] : cached)
    if (Status st = freeFn(block.ptr); !st && result)
      result = st;
  cached.clear();
  counters.cachedBlocks = 0;
  counters.cachedBytes = 0;
  return result;
}

Status MemoryPool::trim() {
  std::lock_guard<std::mutex> lock(mutex);
  return trimLocked();
}

MemoryPool::Stats MemoryPool::stats() const {
  std::lock_guard<std::mutex> lock(mutex);
  return counters;
}
