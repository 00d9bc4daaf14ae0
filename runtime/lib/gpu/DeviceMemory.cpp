//===- DeviceMemory.cpp - Device buffers of ds artifacts -----------------===//
#include "DeviceMemory.h"

#include <algorithm>

using namespace dsrt::gpu;

DeviceMemory::DeviceMemory(Backend &backend)
    : backend(backend),
      pool([&backend](size_t bytes,
                      void **ptr) { return backend.allocate(bytes, false, ptr); },
           [&backend](void *ptr) { return backend.free(ptr); }) {}

Status DeviceMemory::allocate(size_t bytes, void *stream, void **ptr) {
  Status st = pool.allocate(bytes, ptr, stream);
  if (st)
    return st;
  size_t resident;
  {
    std::lock_guard<std::mutex> lock(mutex);
    resident = counters.residentBytes;
  }
  if (resident)
    st.message += " (" + std::to_string(resident) +
                  " more bytes hold the model's constants)";
  return st;
}

Status DeviceMemory::release(void *ptr, void *stream) {
  return pool.release(ptr, stream);
}

void DeviceMemory::settle(void *stream) { pool.settle(stream); }

Status DeviceMemory::copy(void *dst, const void *src, size_t bytes,
                          void *stream) {
  if (bytes == 0)
    return Status::success();
  if (Status st = backend.copy(dst, src, bytes, stream); !st)
    return st;
  std::lock_guard<std::mutex> lock(mutex);
  counters.copies++;
  counters.copiedBytes += bytes;
  return Status::success();
}

Status DeviceMemory::resident(void **slot, const void *host, size_t bytes,
                              void **ptr) {
  // Held across the upload: two threads running the artifact's first call
  // at once must not both upload, and neither may see the slot early.
  std::lock_guard<std::mutex> lock(mutex);
  if (*slot) {
    *ptr = *slot;
    return Status::success();
  }
  size_t size = std::max(bytes, kAlignment);
  void *device = nullptr;
  if (Status st = backend.allocate(size, false, &device); !st) {
    MemoryPool::Stats p = pool.stats();
    return Status::error("cannot keep a constant in device memory: " +
                         st.message + " (requested " + std::to_string(bytes) +
                         " bytes; " +
                         std::to_string(p.liveBytes + p.cachedBytes +
                                        counters.residentBytes) +
                         " bytes in use by ds)");
  }
  Status st = bytes ? backend.copy(device, host, bytes, nullptr)
                    : Status::success();
  if (st)
    st = backend.synchronizeStream(nullptr);
  if (!st) {
    (void)backend.free(device);
    return Status::error("cannot upload a constant of " +
                         std::to_string(bytes) + " bytes: " + st.message);
  }
  *slot = *ptr = device;
  residentSizes[device] = size;
  counters.residentBlocks++;
  counters.residentBytes += size;
  counters.uploads++;
  return Status::success();
}

Status DeviceMemory::releaseResident(void **slot) {
  std::lock_guard<std::mutex> lock(mutex);
  if (!*slot)
    return Status::success();
  void *device = *slot;
  *slot = nullptr;
  if (auto it = residentSizes.find(device); it != residentSizes.end()) {
    counters.residentBlocks--;
    counters.residentBytes -= it->second;
    residentSizes.erase(it);
  }
  return backend.free(device);
}

DeviceMemory::Stats DeviceMemory::stats() const {
  std::lock_guard<std::mutex> lock(mutex);
  Stats s = counters;
  s.pool = pool.stats();
  return s;
}
