//===- CudaBackend.cpp - the CUDA driver API, loaded at run time ---------===//
//
// Only the driver API (libcuda.so.1, installed with the NVIDIA driver) is
// used: no CUDA runtime library, so an artifact needs nothing from the
// toolkit at run time. When ds is configured with the toolkit's cuda.h, the
// function pointer types below are checked against its prototypes.
//
//===----------------------------------------------------------------------===//
#include "Backend.h"

#include <dlfcn.h>

#include <cstdio>
#include <type_traits>

#ifdef DSRT_HAVE_CUDA_H
#include <cuda.h>
#else
typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;
typedef unsigned long long CUdeviceptr;
#endif

namespace {
using namespace dsrt::gpu;

// Values of the driver API's enums that ds relies on (stable across CUDA
// releases).
constexpr int kSuccess = 0;
constexpr int kErrorAlreadyRegistered = 712;
constexpr int kAttrComputeMajor = 75, kAttrComputeMinor = 76;
constexpr unsigned kRegisterPortable = 0x1, kRegisterDeviceMap = 0x2,
                   kRegisterReadOnly = 0x8;
constexpr unsigned kAttachGlobal = 0x1, kStreamNonBlocking = 0x1;

struct DriverAPI {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CUstream,
                             void **, void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy_v2)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuStreamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventDestroy_v2)(CUevent);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
  /// cuEventElapsedTime_v2 (CUDA 12.8+, which cuda.h maps the name to) or
  /// cuEventElapsedTime; optional: null when the driver has neither, and
  /// then only kernel timing (ds-run --bench) is unavailable.
  CUresult (*eventElapsedTime)(float *, CUevent, CUevent);
  CUresult (*cuMemAlloc_v2)(CUdeviceptr *, size_t);
  CUresult (*cuMemAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*cuMemFree_v2)(CUdeviceptr);
  CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
  CUresult (*cuMemsetD16Async)(CUdeviceptr, unsigned short, size_t, CUstream);
  CUresult (*cuMemHostRegister_v2)(void *, size_t, unsigned);
  CUresult (*cuMemHostUnregister)(void *);
};

#ifdef DSRT_HAVE_CUDA_H
#define DS_CHECK_PROTOTYPE(name)                                               \
  static_assert(std::is_same_v<decltype(&::name), decltype(DriverAPI::name)>, \
                "prototype of " #name " differs from cuda.h");
DS_CHECK_PROTOTYPE(cuInit)
DS_CHECK_PROTOTYPE(cuDriverGetVersion)
DS_CHECK_PROTOTYPE(cuDeviceGetCount)
DS_CHECK_PROTOTYPE(cuDeviceGet)
DS_CHECK_PROTOTYPE(cuDeviceGetName)
DS_CHECK_PROTOTYPE(cuDevicePrimaryCtxRetain)
DS_CHECK_PROTOTYPE(cuCtxSetCurrent)
DS_CHECK_PROTOTYPE(cuGetErrorName)
DS_CHECK_PROTOTYPE(cuGetErrorString)
DS_CHECK_PROTOTYPE(cuModuleLoadData)
DS_CHECK_PROTOTYPE(cuModuleUnload)
DS_CHECK_PROTOTYPE(cuModuleGetFunction)
DS_CHECK_PROTOTYPE(cuLaunchKernel)
DS_CHECK_PROTOTYPE(cuStreamCreate)
DS_CHECK_PROTOTYPE(cuStreamDestroy_v2)
DS_CHECK_PROTOTYPE(cuStreamSynchronize)
DS_CHECK_PROTOTYPE(cuStreamWaitEvent)
DS_CHECK_PROTOTYPE(cuEventCreate)
DS_CHECK_PROTOTYPE(cuEventDestroy_v2)
DS_CHECK_PROTOTYPE(cuEventRecord)
DS_CHECK_PROTOTYPE(cuEventSynchronize)
DS_CHECK_PROTOTYPE(cuMemAlloc_v2)
DS_CHECK_PROTOTYPE(cuMemAllocManaged)
DS_CHECK_PROTOTYPE(cuMemFree_v2)
DS_CHECK_PROTOTYPE(cuMemcpyAsync)
DS_CHECK_PROTOTYPE(cuMemsetD32Async)
DS_CHECK_PROTOTYPE(cuMemsetD16Async)
DS_CHECK_PROTOTYPE(cuMemHostRegister_v2)
DS_CHECK_PROTOTYPE(cuMemHostUnregister)
#undef DS_CHECK_PROTOTYPE
#endif

class CudaBackend final : public Backend {
public:
  ~CudaBackend() override {
    // The primary context and the library stay: kernels' modules may be
    // unloaded by static destructors after this object is gone.
  }

  BackendKind kind() const override { return BackendKind::CUDA; }
  std::string describe() const override { return description; }

  Status open(int ordinal, const char *library) {
    const char *file = library ? library : "libcuda.so.1";
    handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *why = dlerror();
      return Status::error(std::string("no CUDA driver: cannot load ") +
                           file + " (" + (why ? why : "unknown error") +
                           "); install the NVIDIA driver or compile with "
                           "--target=cpu");
    }
#define DS_LOAD(name)                                                          \
  if (!(api.name = reinterpret_cast<decltype(api.name)>(                       \
            dlsym(handle, #name))))                                            \
    return Status::error(std::string("the CUDA driver ") + file +              \
                         " lacks " #name " (driver too old?)");
    DS_LOAD(cuInit)
    DS_LOAD(cuDriverGetVersion)
    DS_LOAD(cuDeviceGetCount)
    DS_LOAD(cuDeviceGet)
    DS_LOAD(cuDeviceGetName)
    DS_LOAD(cuDeviceGetAttribute)
    DS_LOAD(cuDevicePrimaryCtxRetain)
    DS_LOAD(cuCtxSetCurrent)
    DS_LOAD(cuGetErrorName)
    DS_LOAD(cuGetErrorString)
    DS_LOAD(cuModuleLoadData)
    DS_LOAD(cuModuleUnload)
    DS_LOAD(cuModuleGetFunction)
    DS_LOAD(cuLaunchKernel)
    DS_LOAD(cuStreamCreate)
    DS_LOAD(cuStreamDestroy_v2)
    DS_LOAD(cuStreamSynchronize)
    DS_LOAD(cuStreamWaitEvent)
    DS_LOAD(cuEventCreate)
    DS_LOAD(cuEventDestroy_v2)
    DS_LOAD(cuEventRecord)
    DS_LOAD(cuEventSynchronize)
    DS_LOAD(cuMemAlloc_v2)
    DS_LOAD(cuMemAllocManaged)
    DS_LOAD(cuMemFree_v2)
    DS_LOAD(cuMemcpyAsync)
    DS_LOAD(cuMemsetD32Async)
    DS_LOAD(cuMemsetD16Async)
    DS_LOAD(cuMemHostRegister_v2)
    DS_LOAD(cuMemHostUnregister)
#undef DS_LOAD
    api.eventElapsedTime = reinterpret_cast<decltype(api.eventElapsedTime)>(
        dlsym(handle, "cuEventElapsedTime_v2"));
    if (!api.eventElapsedTime)
      api.eventElapsedTime = reinterpret_cast<decltype(api.eventElapsedTime)>(
          dlsym(handle, "cuEventElapsedTime"));
    if (Status st = check(api.cuInit(0), "cuInit"); !st)
      return st;
    int count = 0;
    if (Status st = check(api.cuDeviceGetCount(&count), "cuDeviceGetCount");
        !st)
      return st;
    if (count == 0)
      return Status::error("no CUDA device: the driver reports 0 devices");
    if (ordinal < 0 || ordinal >= count)
      return Status::error("no CUDA device " + std::to_string(ordinal) +
                           ": the driver reports " + std::to_string(count));
    if (Status st = check(api.cuDeviceGet(&device, ordinal), "cuDeviceGet");
        !st)
      return st;
    if (Status st = check(api.cuDevicePrimaryCtxRetain(&context, device),
                          "cuDevicePrimaryCtxRetain");
        !st)
      return st;
    int version = 0, major = 0, minor = 0;
    char name[256] = {0};
    api.cuDriverGetVersion(&version);
    api.cuDeviceGetName(name, sizeof(name) - 1, device);
    api.cuDeviceGetAttribute(&major, kAttrComputeMajor, device);
    api.cuDeviceGetAttribute(&minor, kAttrComputeMinor, device);
    chip = "sm_" + std::to_string(major * 10 + minor);
    description = "CUDA driver " + std::to_string(version / 1000) + "." +
                  std::to_string(version % 1000 / 10) + ", device " +
                  std::to_string(ordinal) + ": " + name + " (" + chip + ")";
    return makeCurrent();
  }

  Status loadModule(const void *data, size_t size, void **module) override {
    if (Status st = makeCurrent(); !st)
      return st;
    CUmodule m = nullptr;
    CUresult rc = api.cuModuleLoadData(&m, data);
    if (rc != kSuccess)
      return Status::error(
          "cannot load the " +
          std::string(describeImage(classifyImage(data, size))) + " on " +
          description + ": " + message(rc) +
          (rc == 209 /*NO_BINARY_FOR_GPU*/ || rc == 222 /*UNSUPPORTED_PTX*/
               ? " (compiled for another chip: recompile with --chip=" +
                     chip + ")"
               : ""));
    *module = m;
    return Status::success();
  }
  Status unloadModule(void *module) override {
    return check(api.cuModuleUnload(static_cast<CUmodule>(module)),
                 "cuModuleUnload");
  }
  Status getFunction(void *module, const char *name,
                     void **function) override {
    CUfunction f = nullptr;
    if (Status st = check(api.cuModuleGetFunction(
                              &f, static_cast<CUmodule>(module), name),
                          "cuModuleGetFunction");
        !st)
      return st;
    *function = f;
    return Status::success();
  }
  Status launch(void *function, const int64_t grid[3], const int64_t block[3],
                int32_t sharedBytes, void *stream, void **params) override {
    if (Status st = makeCurrent(); !st)
      return st;
    return check(api.cuLaunchKernel(static_cast<CUfunction>(function),
                                    grid[0], grid[1], grid[2], block[0],
                                    block[1], block[2], sharedBytes,
                                    static_cast<CUstream>(stream), params,
                                    nullptr),
                 "cuLaunchKernel");
  }
  Status createStream(void **stream) override {
    if (Status st = makeCurrent(); !st)
      return st;
    CUstream s = nullptr;
    Status st =
        check(api.cuStreamCreate(&s, kStreamNonBlocking), "cuStreamCreate");
    *stream = s;
    return st;
  }
  Status destroyStream(void *stream) override {
    return check(api.cuStreamDestroy_v2(static_cast<CUstream>(stream)),
                 "cuStreamDestroy");
  }
  Status synchronizeStream(void *stream) override {
    return check(api.cuStreamSynchronize(static_cast<CUstream>(stream)),
                 "cuStreamSynchronize");
  }
  Status createEvent(void **event) override {
    CUevent e = nullptr;
    Status st = check(api.cuEventCreate(&e, 0), "cuEventCreate");
    *event = e;
    return st;
  }
  Status destroyEvent(void *event) override {
    return check(api.cuEventDestroy_v2(static_cast<CUevent>(event)),
                 "cuEventDestroy");
  }
  Status recordEvent(void *event, void *stream) override {
    return check(api.cuEventRecord(static_cast<CUevent>(event),
                                   static_cast<CUstream>(stream)),
                 "cuEventRecord");
  }
  Status synchronizeEvent(void *event) override {
    return check(api.cuEventSynchronize(static_cast<CUevent>(event)),
                 "cuEventSynchronize");
  }
  Status elapsedMilliseconds(void *start, void *stop, float &ms) override {
    ms = 0;
    if (!api.eventElapsedTime)
      return Status::error("the CUDA driver lacks cuEventElapsedTime");
    return check(api.eventElapsedTime(&ms, static_cast<CUevent>(start),
                                      static_cast<CUevent>(stop)),
                 "cuEventElapsedTime");
  }
  Status streamWaitEvent(void *stream, void *event) override {
    return check(api.cuStreamWaitEvent(static_cast<CUstream>(stream),
                                       static_cast<CUevent>(event), 0),
                 "cuStreamWaitEvent");
  }
  Status allocate(size_t bytes, bool hostShared, void **ptr) override {
    if (Status st = makeCurrent(); !st)
      return st;
    CUdeviceptr p = 0;
    Status st = hostShared ? check(api.cuMemAllocManaged(&p, bytes,
                                                         kAttachGlobal),
                                   "cuMemAllocManaged")
                           : check(api.cuMemAlloc_v2(&p, bytes), "cuMemAlloc");
    *ptr = reinterpret_cast<void *>(p);
    return st;
  }
  Status free(void *ptr) override {
    return check(api.cuMemFree_v2(reinterpret_cast<CUdeviceptr>(ptr)),
                 "cuMemFree");
  }
  Status copy(void *dst, const void *src, size_t bytes,
              void *stream) override {
    return check(api.cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                   reinterpret_cast<CUdeviceptr>(src), bytes,
                                   static_cast<CUstream>(stream)),
                 "cuMemcpyAsync");
  }
  Status memset32(void *dst, uint32_t value, size_t count,
                  void *stream) override {
    return check(api.cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst),
                                      value, count,
                                      static_cast<CUstream>(stream)),
                 "cuMemsetD32Async");
  }
  Status memset16(void *dst, uint16_t value, size_t count,
                  void *stream) override {
    return check(api.cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst),
                                      value, count,
                                      static_cast<CUstream>(stream)),
                 "cuMemsetD16Async");
  }
  Status registerHost(void *ptr, size_t bytes,
                      bool &alreadyRegistered) override {
    alreadyRegistered = false;
    if (Status st = makeCurrent(); !st)
      return st;
    unsigned flags = kRegisterPortable | kRegisterDeviceMap;
    CUresult rc = api.cuMemHostRegister_v2(ptr, bytes, flags);
    // Constants live in read-only pages, which need the READ_ONLY flag.
    if (rc != kSuccess && rc != kErrorAlreadyRegistered)
      rc = api.cuMemHostRegister_v2(ptr, bytes, flags | kRegisterReadOnly);
    if (rc == kErrorAlreadyRegistered) {
      alreadyRegistered = true;
      return Status::success();
    }
    return check(rc, "cuMemHostRegister");
  }
  Status unregisterHost(void *ptr) override {
    return check(api.cuMemHostUnregister(ptr), "cuMemHostUnregister");
  }
  Status setDevice(int32_t ordinal) override {
    if (ordinal == 0)
      return Status::success();
    return Status::error("ds runs on device 0; selecting device " +
                         std::to_string(ordinal) +
                         " needs CUDA_VISIBLE_DEVICES");
  }

private:
  void *handle = nullptr;
  DriverAPI api = {};
  CUdevice device = 0;
  CUcontext context = nullptr;
  std::string chip, description;

  Status makeCurrent() {
    return check(api.cuCtxSetCurrent(context), "cuCtxSetCurrent");
  }
  std::string message(CUresult rc) const {
    const char *name = nullptr, *text = nullptr;
    api.cuGetErrorName(rc, &name);
    api.cuGetErrorString(rc, &text);
    return std::string(name ? name : "CUDA_ERROR_" + std::to_string(rc)) +
           ": " + (text ? text : "unknown error");
  }
  Status check(CUresult rc, const char *what) const {
    if (rc == kSuccess)
      return Status::success();
    return Status::error(std::string(what) + " failed: " + message(rc));
  }
};
} // namespace

Status dsrt::gpu::openCudaBackend(std::unique_ptr<Backend> &backend,
                                  int device, const char *library) {
  auto cuda = std::make_unique<CudaBackend>();
  if (Status st = cuda->open(device, library); !st)
    return st;
  backend = std::move(cuda);
  return Status::success();
}
