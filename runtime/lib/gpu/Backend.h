//===- Backend.h - Device runtimes behind the mgpu* entry points -*- C++ -*-===//
//
// The artifact's host code calls the mgpu* functions of MLIR's gpu-to-llvm
// lowering (MgpuEntryPoints.cpp); they forward to one Backend, CUDA's driver
// API or HIP, loaded with dlopen the first time a kernel image is loaded. ds
// therefore builds, links and runs its CPU paths on machines without any GPU
// software, and a GPU artifact fails with a message instead of a loader
// error.
//
// Backends report failures as Status values carrying the driver's message;
// the entry points turn them into the pending error that dsrt_module_load /
// dsrt_module_run return (see GPUError.h).
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_GPU_BACKEND_H
#define DSRT_LIB_GPU_BACKEND_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace dsrt::gpu {

/// Success, or a message that says what failed and what the driver said.
struct Status {
  bool ok = true;
  std::string message;
  static Status success() { return {}; }
  static Status error(std::string message) { return {false, std::move(message)}; }
  explicit operator bool() const { return ok; }
};

/// What a kernel image is, from its first bytes.
enum class ImageKind { Unknown, CudaCubin, CudaFatbin, CudaPTX, AMDGPUHSACO };
ImageKind classifyImage(const void *data, size_t size);
const char *describeImage(ImageKind kind);

enum class BackendKind { CUDA, HIP };

/// One device runtime. Handles are the driver's own (CUmodule, CUstream...).
class Backend {
public:
  virtual ~Backend() = default;
  virtual BackendKind kind() const = 0;
  /// "CUDA driver 12.4, device 0: NVIDIA H200 (sm_90)".
  virtual std::string describe() const = 0;

  virtual Status loadModule(const void *data, size_t size, void **module) = 0;
  virtual Status unloadModule(void *module) = 0;
  virtual Status getFunction(void *module, const char *name,
                             void **function) = 0;
  virtual Status launch(void *function, const int64_t grid[3],
                        const int64_t block[3], int32_t sharedBytes,
                        void *stream, void **params) = 0;

  virtual Status createStream(void **stream) = 0;
  virtual Status destroyStream(void *stream) = 0;
  virtual Status synchronizeStream(void *stream) = 0;
  virtual Status createEvent(void **event) = 0;
  virtual Status destroyEvent(void *event) = 0;
  virtual Status recordEvent(void *event, void *stream) = 0;
  virtual Status synchronizeEvent(void *event) = 0;
  virtual Status streamWaitEvent(void *stream, void *event) = 0;
  /// Milliseconds between two completed events (KernelTimer). Backends
  /// without event timing keep this default, which says so.
  virtual Status elapsedMilliseconds(void *start, void *stop, float &ms) {
    (void)start;
    (void)stop;
    ms = 0;
    return Status::error("this GPU backend cannot time events");
  }

  /// Device memory (or host-visible managed memory when `hostShared`).
  virtual Status allocate(size_t bytes, bool hostShared, void **ptr) = 0;
  virtual Status free(void *ptr) = 0;
  virtual Status copy(void *dst, const void *src, size_t bytes,
                      void *stream) = 0;
  virtual Status memset32(void *dst, uint32_t value, size_t count,
                          void *stream) = 0;
  virtual Status memset16(void *dst, uint16_t value, size_t count,
                          void *stream) = 0;
  /// Page-locks host memory and maps it for the device at the same address.
  /// `alreadyRegistered` is set (and the call succeeds) when the range was
  /// registered before, by ds or by the caller.
  virtual Status registerHost(void *ptr, size_t bytes,
                              bool &alreadyRegistered) = 0;
  virtual Status unregisterHost(void *ptr) = 0;
  virtual Status setDevice(int32_t device) = 0;
};

/// Opens the CUDA driver (libcuda.so.1) or HIP runtime (libamdhip64.so) and
/// initializes device `device`. `library` overrides the file dlopen'ed
/// (tests use it to simulate a missing driver). Fails with a message naming
/// the library and the loader's or driver's error.
Status openCudaBackend(std::unique_ptr<Backend> &backend, int device = 0,
                       const char *library = nullptr);
Status openHipBackend(std::unique_ptr<Backend> &backend, int device = 0,
                      const char *library = nullptr);

} // namespace dsrt::gpu

#endif // DSRT_LIB_GPU_BACKEND_H
