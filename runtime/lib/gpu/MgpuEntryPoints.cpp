//===- MgpuEntryPoints.cpp - what gpu-to-llvm's host code calls ----------===//
//
// The symbols and signatures are those MLIR 22's gpu-to-llvm lowering and
// gpu.binary translation emit (see docs/gpu.md for the list). They are
// exported from libdsrt with default visibility, so an artifact dlopen'ed by
// dsrt resolves them from the process. The backend is chosen by the first
// kernel image loaded: cubin/fatbin/PTX → CUDA, HSACO → HIP.
//
// Environment: DSRT_CUDA_LIBRARY / DSRT_HIP_LIBRARY replace the driver
// library dlopen'ed (e.g. a path that does not exist, to test the missing
// driver path on a GPU machine); DSRT_GPU_DEVICE picks the device ordinal.
//
//===----------------------------------------------------------------------===//
#include "Backend.h"
#include "DeviceMemory.h"
#include "GPUError.h"
#include "KernelTimer.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <unistd.h>

#define MGPU_EXPORT extern "C" __attribute__((visibility("default")))

using namespace dsrt::gpu;

namespace {
thread_local std::string pendingError;

struct Runtime {
  std::mutex mutex;
  std::unique_ptr<Backend> backend;
  std::unique_ptr<DeviceMemory> memory;
  std::unique_ptr<KernelTimer> timer;
  std::unordered_map<void *, std::string> kernelNames;   ///< function → name
  std::unordered_map<void *, std::string> lastLaunch;    ///< stream → kernel
  std::unordered_set<void *> managed;                    ///< host-shared blocks
  std::unordered_map<void *, int> registered; ///< page-aligned base → refs
  /// Registered pointer → the bases each registration of it added.
  std::unordered_map<void *, std::vector<std::vector<void *>>> registrations;
};

/// dsrtGpuKernelTiming's setting, applied to the timer when the backend is
/// opened after it was called.
std::atomic<bool> kernelTimingRequested{false};

Runtime &runtime() {
  // Leaked on purpose: artifacts unload their modules from static
  // destructors that may run after ours.
  static Runtime *r = new Runtime;
  return *r;
}

/// The backend, opened for `kind` on first use; null (and an error raised)
/// when it cannot be opened or a different runtime is already in use.
Backend *backendFor(BackendKind kind) {
  Runtime &r = runtime();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.backend) {
    if (r.backend->kind() != kind) {
      raise(std::string("this process already runs ") +
            (r.backend->kind() == BackendKind::CUDA ? "CUDA" : "HIP") +
            " kernels; a " + (kind == BackendKind::CUDA ? "CUDA" : "HIP") +
            " artifact cannot be loaded beside them");
      return nullptr;
    }
    return r.backend.get();
  }
  int device = 0;
  if (const char *env = std::getenv("DSRT_GPU_DEVICE"))
    device = std::atoi(env);
  Status st = kind == BackendKind::CUDA
                  ? openCudaBackend(r.backend, device,
                                    std::getenv("DSRT_CUDA_LIBRARY"))
                  : openHipBackend(r.backend, device,
                                   std::getenv("DSRT_HIP_LIBRARY"));
  if (!st) {
    raise(st.message);
    return nullptr;
  }
  r.memory = std::make_unique<DeviceMemory>(*r.backend);
  r.timer = std::make_unique<KernelTimer>(*r.backend);
  r.timer->setEnabled(kernelTimingRequested.load());
  return r.backend.get();
}

/// The device memory of the backend in use, or null with an error.
DeviceMemory *memory(const char *what) {
  Runtime &r = runtime();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (!r.memory)
    raise(std::string(what) + ": no GPU runtime is loaded (no kernel image "
                              "was loaded first)");
  return r.memory.get();
}

/// The backend already in use, or null with an error naming `what`.
Backend *current(const char *what) {
  Runtime &r = runtime();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (!r.backend)
    raise(std::string(what) + ": no GPU runtime is loaded (no kernel image "
                              "was loaded first)");
  return r.backend.get();
}

/// The kernel timer of the backend in use; null when none is loaded (then
/// nothing was launched either).
KernelTimer *timer() {
  Runtime &r = runtime();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.timer.get();
}

/// Before a copy, memset or synchronization on `stream`: the kernel timer
/// closes the launches before it (see KernelTimer.h).
void otherWork(void *stream) {
  if (KernelTimer *t = timer())
    t->beforeOtherWork(stream);
}

std::string kernelName(void *function) {
  Runtime &r = runtime();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.kernelNames.find(function);
  return it == r.kernelNames.end() ? "<unknown kernel>" : it->second;
}

/// Bytes spanned by a strided memref descriptor
/// {allocated, aligned, offset, sizes[rank], strides[rank]}.
void spanOf(int64_t rank, void *descriptor, int64_t elementBytes,
            char *&begin, size_t &bytes) {
  auto *words = static_cast<int64_t *>(descriptor);
  char *aligned = reinterpret_cast<char *>(words[1]);
  int64_t offset = words[2];
  const int64_t *sizes = words + 3, *strides = words + 3 + rank;
  int64_t last = 0;
  for (int64_t i = 0; i < rank; ++i) {
    if (sizes[i] == 0) {
      begin = aligned;
      bytes = 0;
      return;
    }
    last += (sizes[i] - 1) * strides[i];
  }
  begin = aligned + offset * elementBytes;
  bytes = static_cast<size_t>((last + 1) * elementBytes);
}
} // namespace

//===----------------------------------------------------------------------===//
// Pending errors
//===----------------------------------------------------------------------===//

void dsrt::gpu::clearPendingError() { pendingError.clear(); }
bool dsrt::gpu::hasPendingError() { return !pendingError.empty(); }
bool dsrt::gpu::takePendingError(std::string &message) {
  if (pendingError.empty())
    return false;
  message = std::move(pendingError);
  pendingError.clear();
  return true;
}
void dsrt::gpu::raise(std::string message) {
  if (pendingError.empty())
    pendingError = std::move(message);
}

//===----------------------------------------------------------------------===//
// Modules and launches
//===----------------------------------------------------------------------===//

MGPU_EXPORT void *mgpuModuleLoad(void *data, size_t size) {
  ImageKind kind = classifyImage(data, size);
  if (kind == ImageKind::Unknown) {
    raise("cannot load kernels: " + std::string(describeImage(kind)) + " (" +
          std::to_string(size) + " bytes)");
    return nullptr;
  }
  Backend *b = backendFor(kind == ImageKind::AMDGPUHSACO ? BackendKind::HIP
                                                         : BackendKind::CUDA);
  if (!b)
    return nullptr;
  void *module = nullptr;
  if (Status st = b->loadModule(data, size, &module); !st) {
    raise(st.message);
    return nullptr;
  }
  return module;
}

MGPU_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel) {
  (void)optLevel;
  const char *text = static_cast<const char *>(data);
  return mgpuModuleLoad(data, text ? std::strlen(text) + 1 : 0);
}

MGPU_EXPORT void mgpuModuleUnload(void *module) {
  if (!module)
    return;
  Runtime &r = runtime();
  Backend *b;
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    b = r.backend.get();
  }
  // Unloading happens at dlclose; errors there have no caller to reach.
  if (b)
    (void)b->unloadModule(module);
}

MGPU_EXPORT void *mgpuModuleGetFunction(void *module, const char *name) {
  if (!module) {
    raise(std::string("kernel '") + (name ? name : "?") +
          "': its module failed to load");
    return nullptr;
  }
  Backend *b = current("mgpuModuleGetFunction");
  if (!b)
    return nullptr;
  void *function = nullptr;
  if (Status st = b->getFunction(module, name, &function); !st) {
    raise(std::string("kernel '") + name + "': " + st.message);
    return nullptr;
  }
  Runtime &r = runtime();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.kernelNames[function] = name;
  return function;
}

MGPU_EXPORT void mgpuLaunchKernel(void *function, intptr_t gridX,
                                  intptr_t gridY, intptr_t gridZ,
                                  intptr_t blockX, intptr_t blockY,
                                  intptr_t blockZ, int32_t smem, void *stream,
                                  void **params, void **extra,
                                  size_t paramsCount) {
  (void)extra;
  (void)paramsCount;
  if (hasPendingError() || !function)
    return raise("a kernel launch was skipped: its function is missing");
  Backend *b = current("mgpuLaunchKernel");
  if (!b)
    return;
  std::string name = kernelName(function);
  int64_t grid[3] = {gridX, gridY, gridZ}, block[3] = {blockX, blockY, blockZ};
  KernelTimer *t = timer();
  if (t)
    t->beforeLaunch(stream);
  if (Status st = b->launch(function, grid, block, smem, stream, params);
      !st) {
    raise("kernel '" + name + "' (grid " + std::to_string(gridX) + "x" +
          std::to_string(gridY) + "x" + std::to_string(gridZ) + ", block " +
          std::to_string(blockX) + "x" + std::to_string(blockY) + "x" +
          std::to_string(blockZ) + "): " + st.message);
    return;
  }
  if (t)
    t->afterLaunch(stream);
  Runtime &r = runtime();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.lastLaunch[stream] = std::move(name);
}

MGPU_EXPORT void mgpuLaunchClusterKernel(void *, intptr_t, intptr_t, intptr_t,
                                         intptr_t, intptr_t, intptr_t,
                                         intptr_t, intptr_t, intptr_t, int32_t,
                                         void *, void **, void **, size_t) {
  raise("thread-block cluster launches are not supported by the ds runtime");
}

MGPU_EXPORT void mgpuSetDefaultDevice(int32_t device) {
  if (Backend *b = current("mgpuSetDefaultDevice"))
    if (Status st = b->setDevice(device); !st)
      raise(st.message);
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

MGPU_EXPORT void *mgpuStreamCreate() {
  Backend *b = current("mgpuStreamCreate");
  void *stream = nullptr;
  if (b)
    if (Status st = b->createStream(&stream); !st)
      raise(st.message);
  return stream;
}

MGPU_EXPORT void mgpuStreamDestroy(void *stream) {
  if (!stream)
    return;
  if (KernelTimer *t = timer())
    t->forget(stream);
  if (Backend *b = current("mgpuStreamDestroy"))
    (void)b->destroyStream(stream);
  if (DeviceMemory *m = memory("mgpuStreamDestroy"))
    m->settle(stream);
  Runtime &r = runtime();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.lastLaunch.erase(stream);
}

MGPU_EXPORT void mgpuStreamSynchronize(void *stream) {
  Backend *b = current("mgpuStreamSynchronize");
  if (!b)
    return;
  KernelTimer *t = timer();
  if (t)
    t->beforeOtherWork(stream);
  Status st = b->synchronizeStream(stream);
  if (st) {
    if (t)
      t->synchronized(stream);
    if (DeviceMemory *m = memory("mgpuStreamSynchronize"))
      m->settle(stream);
  } else {
    if (t)
      t->forget(stream);
    // Kernel faults surface here, asynchronously: name the last kernel
    // launched on the stream.
    std::string last;
    {
      Runtime &r = runtime();
      std::lock_guard<std::mutex> lock(r.mutex);
      auto it = r.lastLaunch.find(stream);
      if (it != r.lastLaunch.end())
        last = it->second;
    }
    raise(last.empty() ? st.message
                       : "kernel '" + last + "' failed: " + st.message);
  }
}

MGPU_EXPORT void mgpuStreamWaitEvent(void *stream, void *event) {
  if (Backend *b = current("mgpuStreamWaitEvent"))
    if (Status st = b->streamWaitEvent(stream, event); !st)
      raise(st.message);
}

MGPU_EXPORT void *mgpuEventCreate() {
  void *event = nullptr;
  if (Backend *b = current("mgpuEventCreate"))
    if (Status st = b->createEvent(&event); !st)
      raise(st.message);
  return event;
}

MGPU_EXPORT void mgpuEventDestroy(void *event) {
  if (event)
    if (Backend *b = current("mgpuEventDestroy"))
      (void)b->destroyEvent(event);
}

MGPU_EXPORT void mgpuEventSynchronize(void *event) {
  if (Backend *b = current("mgpuEventSynchronize"))
    if (Status st = b->synchronizeEvent(event); !st)
      raise(st.message);
}

MGPU_EXPORT void mgpuEventRecord(void *event, void *stream) {
  if (Backend *b = current("mgpuEventRecord"))
    if (Status st = b->recordEvent(event, stream); !st)
      raise(st.message);
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

MGPU_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                               bool isHostShared) {
  Backend *b = current("mgpuMemAlloc");
  if (!b)
    return nullptr;
  Runtime &r = runtime();
  void *ptr = nullptr;
  if (isHostShared) {
    if (Status st = b->allocate(sizeBytes, true, &ptr); !st) {
      raise("cannot allocate " + std::to_string(sizeBytes) +
            " bytes of host-shared memory: " + st.message);
      return nullptr;
    }
    std::lock_guard<std::mutex> lock(r.mutex);
    r.managed.insert(ptr);
    return ptr;
  }
  DeviceMemory *m = memory("mgpuMemAlloc");
  if (!m)
    return nullptr;
  if (Status st = m->allocate(sizeBytes, stream, &ptr); !st) {
    raise("out of device memory: " + st.message);
    return nullptr;
  }
  return ptr;
}

MGPU_EXPORT void mgpuMemFree(void *ptr, void *stream) {
  if (!ptr)
    return;
  Backend *b = current("mgpuMemFree");
  if (!b)
    return;
  Runtime &r = runtime();
  bool isManaged;
  DeviceMemory *m;
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    isManaged = r.managed.erase(ptr) > 0;
    m = r.memory.get();
  }
  Status st = isManaged ? b->free(ptr) : m->release(ptr, stream);
  if (!st)
    raise(st.message);
}

MGPU_EXPORT void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                            void *stream) {
  otherWork(stream);
  if (DeviceMemory *m = memory("mgpuMemcpy"))
    if (Status st = m->copy(dst, src, sizeBytes, stream); !st)
      raise("cannot copy " + std::to_string(sizeBytes) +
            " bytes between host and device: " + st.message);
}

//===----------------------------------------------------------------------===//
// Constants resident in device memory (ds-gpu-device-memory)
//===----------------------------------------------------------------------===//

// The artifact owns one slot per constant; the first call uploads, later
// calls (and other threads) get the same device copy. Returns null with a
// pending error on failure, which skips the launches that would read it.
MGPU_EXPORT void *dsrtGpuResidentConstant(void **slot, const void *host,
                                          uint64_t sizeBytes) {
  DeviceMemory *m = memory("dsrtGpuResidentConstant");
  if (!m || !slot)
    return nullptr;
  void *ptr = nullptr;
  if (Status st = m->resident(slot, host, sizeBytes, &ptr); !st) {
    raise(st.message);
    return nullptr;
  }
  return ptr;
}

// For benchmarks (ds-run --bench): the device memory's counters since the
// GPU runtime was loaded. Returns 0 (and leaves `out` alone) when no GPU
// artifact was loaded. out = {copies, copied bytes, resident constants'
// bytes, constant uploads, driver allocations by the pool}.
MGPU_EXPORT int dsrtGpuMemoryCounters(uint64_t out[5]) {
  Runtime &r = runtime();
  DeviceMemory *m;
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    m = r.memory.get();
  }
  if (!m)
    return 0;
  DeviceMemory::Stats s = m->stats();
  out[0] = s.copies;
  out[1] = s.copiedBytes;
  out[2] = s.residentBytes;
  out[3] = s.uploads;
  out[4] = s.pool.misses;
  return 1;
}

// For benchmarks (ds-run --bench): device-side timing of the kernels of each
// call, from an event before its first launch to one after its last
// (KernelTimer.h). Off by default; may be called before any GPU artifact is
// loaded.
MGPU_EXPORT void dsrtGpuKernelTiming(int enable) {
  kernelTimingRequested.store(enable != 0);
  if (KernelTimer *t = timer())
    t->setEnabled(enable != 0);
}

// The kernel timer's totals since the GPU runtime was loaded: out = {timed
// intervals, intervals that could not be timed}, *milliseconds = their sum.
// Returns 0 (and leaves the outputs alone) when no GPU artifact was loaded.
MGPU_EXPORT int dsrtGpuKernelTime(double *milliseconds, uint64_t out[2]) {
  KernelTimer *t = timer();
  if (!t)
    return 0;
  KernelTimer::Totals totals = t->totals();
  *milliseconds = totals.milliseconds;
  out[0] = totals.intervals;
  out[1] = totals.failures;
  return 1;
}

// Called from the artifact's destructor (dlclose at dsrt_module_free).
MGPU_EXPORT void dsrtGpuReleaseResident(void **slot) {
  if (!slot || !*slot)
    return;
  Runtime &r = runtime();
  DeviceMemory *m;
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    m = r.memory.get();
  }
  // No caller to report to at unload.
  if (m)
    (void)m->releaseResident(slot);
}

MGPU_EXPORT void mgpuMemset32(void *dst, unsigned int value, size_t count,
                              void *stream) {
  otherWork(stream);
  if (Backend *b = current("mgpuMemset32"))
    if (Status st = b->memset32(dst, value, count, stream); !st)
      raise(st.message);
}

MGPU_EXPORT void mgpuMemset16(void *dst, unsigned short value, size_t count,
                              void *stream) {
  otherWork(stream);
  if (Backend *b = current("mgpuMemset16"))
    if (Status st = b->memset16(dst, value, count, stream); !st)
      raise(st.message);
}

// Registration works on whole pages, and the driver refuses a range that
// overlaps one already registered. Small tensors share pages, so a range
// that overlaps is registered page by page, skipping pages registered
// already. Each registration records the bases ds registered (refcounted,
// as globals are registered again on every call) so unregistering releases
// exactly those.
MGPU_EXPORT void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes) {
  if (!ptr || sizeBytes == 0)
    return;
  Backend *b = current("mgpuMemHostRegister");
  if (!b)
    return;
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t lo = reinterpret_cast<uintptr_t>(ptr) & ~(page - 1);
  uintptr_t hi = (reinterpret_cast<uintptr_t>(ptr) + sizeBytes + page - 1) &
                 ~(page - 1);
  Runtime &r = runtime();
  std::vector<void *> bases;
  auto add = [&](uintptr_t base, size_t bytes) -> bool {
    bool already = false;
    void *p = reinterpret_cast<void *>(base);
    if (Status st = b->registerHost(p, bytes, already); !st) {
      raise("cannot map " + std::to_string(sizeBytes) +
            " bytes of host memory for the device: " + st.message);
      return false;
    }
    std::lock_guard<std::mutex> lock(r.mutex);
    if (!already) {
      r.registered[p] = 1;
      bases.push_back(p);
    } else if (auto it = r.registered.find(p); it != r.registered.end()) {
      it->second++;
      bases.push_back(p);
    }
    return true;
  };
  bool already = false;
  if (Status st = b->registerHost(reinterpret_cast<void *>(lo), hi - lo,
                                  already);
      !st)
    return raise("cannot map " + std::to_string(sizeBytes) +
                 " bytes of host memory for the device: " + st.message);
  if (!already) {
    std::lock_guard<std::mutex> lock(r.mutex);
    r.registered[reinterpret_cast<void *>(lo)] = 1;
    bases.push_back(reinterpret_cast<void *>(lo));
  } else {
    for (uintptr_t p = lo; p < hi; p += page)
      if (!add(p, page))
        break;
  }
  std::lock_guard<std::mutex> lock(r.mutex);
  r.registrations[ptr].push_back(std::move(bases));
}

MGPU_EXPORT void mgpuMemHostUnregister(void *ptr) {
  Runtime &r = runtime();
  std::vector<void *> release;
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.registrations.find(ptr);
    // Ranges registered by someone else (the caller) stay registered.
    if (it == r.registrations.end() || it->second.empty())
      return;
    std::vector<void *> bases = std::move(it->second.back());
    it->second.pop_back();
    if (it->second.empty())
      r.registrations.erase(it);
    for (void *base : bases) {
      auto ref = r.registered.find(base);
      if (ref != r.registered.end() && --ref->second == 0) {
        r.registered.erase(ref);
        release.push_back(base);
      }
    }
  }
  if (release.empty())
    return;
  if (Backend *b = current("mgpuMemHostUnregister"))
    for (void *base : release)
      (void)b->unregisterHost(base);
}

MGPU_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                                           int64_t elementSizeBytes) {
  char *begin;
  size_t bytes;
  spanOf(rank, descriptor, elementSizeBytes, begin, bytes);
  mgpuMemHostRegister(begin, bytes);
}

MGPU_EXPORT void mgpuMemHostUnregisterMemRef(int64_t rank, void *descriptor,
                                             int64_t elementSizeBytes) {
  char *begin;
  size_t bytes;
  spanOf(rank, descriptor, elementSizeBytes, begin, bytes);
  if (bytes)
    mgpuMemHostUnregister(begin);
}
