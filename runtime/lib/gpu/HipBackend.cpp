//===- HipBackend.cpp - the HIP runtime, loaded at run time --------------===//
//
// HIP's module API mirrors the CUDA driver API one to one. When ds is
// configured with HIP's headers (Debian: libamdhip64-dev), the function
// pointer types below are checked against their prototypes.
//
//===----------------------------------------------------------------------===//
#include "Backend.h"

#include <dlfcn.h>

#include <type_traits>

#ifdef DSRT_HAVE_HIP_H
#ifndef __HIP_PLATFORM_AMD__
#define __HIP_PLATFORM_AMD__
#endif
#include <hip/hip_runtime_api.h>
#else
typedef int hipError_t;
typedef int hipDevice_t;
typedef struct ihipModule_t *hipModule_t;
typedef struct ihipModuleSymbol_t *hipFunction_t;
typedef struct ihipStream_t *hipStream_t;
typedef struct ihipEvent_t *hipEvent_t;
typedef void *hipDeviceptr_t;
typedef int hipMemcpyKind;
#endif

namespace {
using namespace dsrt::gpu;

constexpr int kSuccess = 0;
constexpr int kErrorAlreadyRegistered = 712;
constexpr unsigned kRegisterMapped = 0x2, kAttachGlobal = 0x1,
                   kStreamNonBlocking = 0x1;
constexpr int kMemcpyDefault = 4;

struct HipAPI {
  hipError_t (*hipInit)(unsigned);
  hipError_t (*hipDriverGetVersion)(int *);
  hipError_t (*hipGetDeviceCount)(int *);
  hipError_t (*hipSetDevice)(int);
  hipError_t (*hipDeviceGetName)(char *, int, hipDevice_t);
  const char *(*hipGetErrorName)(hipError_t);
  const char *(*hipGetErrorString)(hipError_t);
  hipError_t (*hipModuleLoadData)(hipModule_t *, const void *);
  hipError_t (*hipModuleUnload)(hipModule_t);
  hipError_t (*hipModuleGetFunction)(hipFunction_t *, hipModule_t,
                                     const char *);
  hipError_t (*hipModuleLaunchKernel)(hipFunction_t, unsigned, unsigned,
                                      unsigned, unsigned, unsigned, unsigned,
                                      unsigned, hipStream_t, void **,
                                      void **);
  hipError_t (*hipStreamCreateWithFlags)(hipStream_t *, unsigned);
  hipError_t (*hipStreamDestroy)(hipStream_t);
  hipError_t (*hipStreamSynchronize)(hipStream_t);
  hipError_t (*hipStreamWaitEvent)(hipStream_t, hipEvent_t, unsigned);
  hipError_t (*hipEventCreate)(hipEvent_t *);
  hipError_t (*hipEventDestroy)(hipEvent_t);
  hipError_t (*hipEventRecord)(hipEvent_t, hipStream_t);
  hipError_t (*hipEventSynchronize)(hipEvent_t);
  hipError_t (*hipEventElapsedTime)(float *, hipEvent_t, hipEvent_t);
  hipError_t (*hipMalloc)(void **, size_t);
  hipError_t (*hipMallocManaged)(void **, size_t, unsigned);
  hipError_t (*hipFree)(void *);
  hipError_t (*hipMemcpyAsync)(void *, const void *, size_t, hipMemcpyKind,
                               hipStream_t);
  hipError_t (*hipMemsetD32Async)(hipDeviceptr_t, int, size_t, hipStream_t);
  hipError_t (*hipMemsetD16Async)(hipDeviceptr_t, unsigned short, size_t,
                                  hipStream_t);
  hipError_t (*hipHostRegister)(void *, size_t, unsigned);
  hipError_t (*hipHostUnregister)(void *);
};

#ifdef DSRT_HAVE_HIP_H
// HIP overloads some functions in C++ (hipMalloc for T**): initializing a
// pointer of ds's type picks the exact match or fails to compile.
#define DS_CHECK_PROTOTYPE(name)                                               \
  [[maybe_unused]] constexpr decltype(HipAPI::name) check_##name = &::name;
DS_CHECK_PROTOTYPE(hipInit)
DS_CHECK_PROTOTYPE(hipDriverGetVersion)
DS_CHECK_PROTOTYPE(hipGetDeviceCount)
DS_CHECK_PROTOTYPE(hipSetDevice)
DS_CHECK_PROTOTYPE(hipDeviceGetName)
DS_CHECK_PROTOTYPE(hipGetErrorName)
DS_CHECK_PROTOTYPE(hipGetErrorString)
DS_CHECK_PROTOTYPE(hipModuleLoadData)
DS_CHECK_PROTOTYPE(hipModuleUnload)
DS_CHECK_PROTOTYPE(hipModuleGetFunction)
DS_CHECK_PROTOTYPE(hipModuleLaunchKernel)
DS_CHECK_PROTOTYPE(hipStreamCreateWithFlags)
DS_CHECK_PROTOTYPE(hipStreamDestroy)
DS_CHECK_PROTOTYPE(hipStreamSynchronize)
DS_CHECK_PROTOTYPE(hipStreamWaitEvent)
DS_CHECK_PROTOTYPE(hipEventCreate)
DS_CHECK_PROTOTYPE(hipEventDestroy)
DS_CHECK_PROTOTYPE(hipEventRecord)
DS_CHECK_PROTOTYPE(hipEventSynchronize)
DS_CHECK_PROTOTYPE(hipEventElapsedTime)
DS_CHECK_PROTOTYPE(hipMalloc)
DS_CHECK_PROTOTYPE(hipMallocManaged)
DS_CHECK_PROTOTYPE(hipFree)
DS_CHECK_PROTOTYPE(hipMemcpyAsync)
DS_CHECK_PROTOTYPE(hipMemsetD32Async)
DS_CHECK_PROTOTYPE(hipMemsetD16Async)
DS_CHECK_PROTOTYPE(hipHostRegister)
DS_CHECK_PROTOTYPE(hipHostUnregister)
#undef DS_CHECK_PROTOTYPE
#endif

class HipBackend final : public Backend {
public:
  BackendKind kind() const override { return BackendKind::HIP; }
  std::string describe() const override { return description; }

  Status open(int ordinal, const char *library) {
    const char *file = library ? library : "libamdhip64.so";
    handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!handle && !library)
      handle = dlopen("libamdhip64.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *why = dlerror();
      return Status::error(std::string("no HIP runtime: cannot load ") +
                           file + " (" + (why ? why : "unknown error") +
                           "); install ROCm or compile with --target=cpu");
    }
#define DS_LOAD(name)                                                          \
  if (!(api.name = reinterpret_cast<decltype(api.name)>(                       \
            dlsym(handle, #name))))                                            \
    return Status::error(std::string("the HIP runtime ") + file +              \
                         " lacks " #name);
    DS_LOAD(hipInit)
    DS_LOAD(hipDriverGetVersion)
    DS_LOAD(hipGetDeviceCount)
    DS_LOAD(hipSetDevice)
    DS_LOAD(hipDeviceGetName)
    DS_LOAD(hipGetErrorName)
    DS_LOAD(hipGetErrorString)
    DS_LOAD(hipModuleLoadData)
    DS_LOAD(hipModuleUnload)
    DS_LOAD(hipModuleGetFunction)
    DS_LOAD(hipModuleLaunchKernel)
    DS_LOAD(hipStreamCreateWithFlags)
    DS_LOAD(hipStreamDestroy)
    DS_LOAD(hipStreamSynchronize)
    DS_LOAD(hipStreamWaitEvent)
    DS_LOAD(hipEventCreate)
    DS_LOAD(hipEventDestroy)
    DS_LOAD(hipEventRecord)
    DS_LOAD(hipEventSynchronize)
    DS_LOAD(hipEventElapsedTime)
    DS_LOAD(hipMalloc)
    DS_LOAD(hipMallocManaged)
    DS_LOAD(hipFree)
    DS_LOAD(hipMemcpyAsync)
    DS_LOAD(hipMemsetD32Async)
    DS_LOAD(hipMemsetD16Async)
    DS_LOAD(hipHostRegister)
    DS_LOAD(hipHostUnregister)
#undef DS_LOAD
    if (Status st = check(api.hipInit(0), "hipInit"); !st)
      return st;
    int count = 0;
    if (Status st = check(api.hipGetDeviceCount(&count), "hipGetDeviceCount");
        !st)
      return st;
    if (count == 0)
      return Status::error("no HIP device: the runtime reports 0 devices");
    if (ordinal < 0 || ordinal >= count)
      return Status::error("no HIP device " + std::to_string(ordinal) +
                           ": the runtime reports " + std::to_string(count));
    if (Status st = check(api.hipSetDevice(ordinal), "hipSetDevice"); !st)
      return st;
    int version = 0;
    char name[256] = {0};
    api.hipDriverGetVersion(&version);
    api.hipDeviceGetName(name, sizeof(name) - 1, ordinal);
    description = "HIP runtime " + std::to_string(version) + ", device " +
                  std::to_string(ordinal) + ": " + name;
    return Status::success();
  }

  Status loadModule(const void *data, size_t size, void **module) override {
    hipModule_t m = nullptr;
    hipError_t rc = api.hipModuleLoadData(&m, data);
    if (rc != kSuccess)
      return Status::error(
          "cannot load the " +
          std::string(describeImage(classifyImage(data, size))) + " on " +
          description + ": " + message(rc) +
          " (an HSACO runs only on the chip it was compiled for: check "
          "--chip)");
    *module = m;
    return Status::success();
  }
  Status unloadModule(void *module) override {
    return check(api.hipModuleUnload(static_cast<hipModule_t>(module)),
                 "hipModuleUnload");
  }
  Status getFunction(void *module, const char *name,
                     void **function) override {
    hipFunction_t f = nullptr;
    Status st = check(api.hipModuleGetFunction(
                          &f, static_cast<hipModule_t>(module), name),
                      "hipModuleGetFunction");
    *function = f;
    return st;
  }
  Status launch(void *function, const int64_t grid[3], const int64_t block[3],
                int32_t sharedBytes, void *stream, void **params) override {
    return check(api.hipModuleLaunchKernel(
                     static_cast<hipFunction_t>(function), grid[0], grid[1],
                     grid[2], block[0], block[1], block[2], sharedBytes,
                     static_cast<hipStream_t>(stream), params, nullptr),
                 "hipModuleLaunchKernel");
  }
  Status createStream(void **stream) override {
    hipStream_t s = nullptr;
    Status st = check(api.hipStreamCreateWithFlags(&s, kStreamNonBlocking),
                      "hipStreamCreateWithFlags");
    *stream = s;
    return st;
  }
  Status destroyStream(void *stream) override {
    return check(api.hipStreamDestroy(static_cast<hipStream_t>(stream)),
                 "hipStreamDestroy");
  }
  Status synchronizeStream(void *stream) override {
    return check(api.hipStreamSynchronize(static_cast<hipStream_t>(stream)),
                 "hipStreamSynchronize");
  }
  Status createEvent(void **event) override {
    hipEvent_t e = nullptr;
    Status st = check(api.hipEventCreate(&e), "hipEventCreate");
    *event = e;
    return st;
  }
  Status destroyEvent(void *event) override {
    return check(api.hipEventDestroy(static_cast<hipEvent_t>(event)),
                 "hipEventDestroy");
  }
  Status recordEvent(void *event, void *stream) override {
    return check(api.hipEventRecord(static_cast<hipEvent_t>(event),
                                    static_cast<hipStream_t>(stream)),
                 "hipEventRecord");
  }
  Status synchronizeEvent(void *event) override {
    return check(api.hipEventSynchronize(static_cast<hipEvent_t>(event)),
                 "hipEventSynchronize");
  }
  Status elapsedMilliseconds(void *start, void *stop, float &ms) override {
    ms = 0;
    return check(api.hipEventElapsedTime(&ms, static_cast<hipEvent_t>(start),
                                         static_cast<hipEvent_t>(stop)),
                 "hipEventElapsedTime");
  }
  Status streamWaitEvent(void *stream, void *event) override {
    return check(api.hipStreamWaitEvent(static_cast<hipStream_t>(stream),
                                        static_cast<hipEvent_t>(event), 0),
                 "hipStreamWaitEvent");
  }
  Status allocate(size_t bytes, bool hostShared, void **ptr) override {
    return hostShared
               ? check(api.hipMallocManaged(ptr, bytes, kAttachGlobal),
                       "hipMallocManaged")
               : check(api.hipMalloc(ptr, bytes), "hipMalloc");
  }
  Status free(void *ptr) override {
    return check(api.hipFree(ptr), "hipFree");
  }
  Status copy(void *dst, const void *src, size_t bytes,
              void *stream) override {
    return check(api.hipMemcpyAsync(dst, src, bytes,
                                    static_cast<hipMemcpyKind>(kMemcpyDefault),
                                    static_cast<hipStream_t>(stream)),
                 "hipMemcpyAsync");
  }
  Status memset32(void *dst, uint32_t value, size_t count,
                  void *stream) override {
    return check(api.hipMemsetD32Async(dst, static_cast<int>(value), count,
                                       static_cast<hipStream_t>(stream)),
                 "hipMemsetD32Async");
  }
  Status memset16(void *dst, uint16_t value, size_t count,
                  void *stream) override {
    return check(api.hipMemsetD16Async(dst, value, count,
                                       static_cast<hipStream_t>(stream)),
                 "hipMemsetD16Async");
  }
  Status registerHost(void *ptr, size_t bytes,
                      bool &alreadyRegistered) override {
    alreadyRegistered = false;
    hipError_t rc = api.hipHostRegister(ptr, bytes, kRegisterMapped);
    if (rc == kErrorAlreadyRegistered) {
      alreadyRegistered = true;
      return Status::success();
    }
    return check(rc, "hipHostRegister");
  }
  Status unregisterHost(void *ptr) override {
    return check(api.hipHostUnregister(ptr), "hipHostUnregister");
  }
  Status setDevice(int32_t ordinal) override {
    return check(api.hipSetDevice(ordinal), "hipSetDevice");
  }

private:
  void *handle = nullptr;
  HipAPI api = {};
  std::string description;

  std::string message(hipError_t rc) const {
    const char *name = api.hipGetErrorName(rc);
    const char *text = api.hipGetErrorString(rc);
    return std::string(name ? name : "hipError") + ": " +
           (text ? text : "unknown error");
  }
  Status check(hipError_t rc, const char *what) const {
    if (rc == kSuccess)
      return Status::success();
    return Status::error(std::string(what) + " failed: " + message(rc));
  }
};
} // namespace

Status dsrt::gpu::openHipBackend(std::unique_ptr<Backend> &backend, int device,
                                 const char *library) {
  auto hip = std::make_unique<HipBackend>();
  if (Status st = hip->open(device, library); !st)
    return st;
  backend = std::move(hip);
  return Status::success();
}
