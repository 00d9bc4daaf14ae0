/* A stand-in for libcuda.so.1 that runs nothing: it lets the runtime's GPU
 * paths (module load, launches, memory, streams, and every error path) be
 * tested on machines without a GPU. Memory is host memory; kernels are not
 * executed, only counted. FAKE_CUDA_FAIL selects a failure to inject:
 *   nodevice | chip | oom | launch | sync
 * fake_cuda_launches() / fake_cuda_last_kernel() report what was launched. */
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
enum {
  OK = 0, OOM = 2, NO_DEVICE = 100, NO_BINARY_FOR_GPU = 209,
  NOT_FOUND = 500, LAUNCH_FAILED = 719, ILLEGAL_ADDRESS = 700
};

static int launches;
static char lastKernel[128];
/* Memory traffic, for the device-resident memory tests. */
static int allocs, frees, copies, syncs;
int fake_cuda_allocs(void) { return allocs; }
int fake_cuda_frees(void) { return frees; }
int fake_cuda_copies(void) { return copies; }
int fake_cuda_syncs(void) { return syncs; }

static int failing(const char *what) {
  const char *f = getenv("FAKE_CUDA_FAIL");
  return f && strcmp(f, what) == 0;
}

int fake_cuda_launches(void) { return launches; }
const char *fake_cuda_last_kernel(void) { return lastKernel; }
void fake_cuda_reset(void) { launches = 0; lastKernel[0] = 0; }

CUresult cuInit(unsigned flags) { (void)flags; return OK; }
CUresult cuDriverGetVersion(int *v) { *v = 12040; return OK; }
CUresult cuDeviceGetCount(int *n) { *n = failing("nodevice") ? 0 : 1; return OK; }
CUresult cuDeviceGet(int *d, int ordinal) { *d = ordinal; return OK; }
CUresult cuDeviceGetName(char *name, int len, int d) {
  (void)d; strncpy(name, "Fake GPU", len); return OK;
}
CUresult cuDeviceGetAttribute(int *v, int attr, int d) {
  (void)d; *v = attr == 75 ? 8 : 0; /* sm_80 */ return OK;
}
CUresult cuDevicePrimaryCtxRetain(void **ctx, int d) {
  (void)d; *ctx = (void *)0x1; return OK;
}
CUresult cuCtxSetCurrent(void *ctx) { (void)ctx; return OK; }
CUresult cuGetErrorName(CUresult rc, const char **s) {
  switch (rc) {
  case OOM: *s = "CUDA_ERROR_OUT_OF_MEMORY"; break;
  case NO_BINARY_FOR_GPU: *s = "CUDA_ERROR_NO_BINARY_FOR_GPU"; break;
  case LAUNCH_FAILED: *s = "CUDA_ERROR_LAUNCH_FAILED"; break;
  case ILLEGAL_ADDRESS: *s = "CUDA_ERROR_ILLEGAL_ADDRESS"; break;
  case NOT_FOUND: *s = "CUDA_ERROR_NOT_FOUND"; break;
  default: *s = "CUDA_ERROR_UNKNOWN";
  }
  return OK;
}
CUresult cuGetErrorString(CUresult rc, const char **s) {
  (void)rc; *s = "injected by the fake driver"; return OK;
}
CUresult cuModuleLoadData(void **m, const void *image) {
  (void)image;
  if (failing("chip")) return NO_BINARY_FOR_GPU;
  *m = malloc(1);
  return OK;
}
CUresult cuModuleUnload(void *m) { free(m); return OK; }
CUresult cuModuleGetFunction(void **f, void *m, const char *name) {
  (void)m; *f = strdup(name); return OK;
}
CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned smem,
                        void *stream, void **params, void **extra) {
  (void)gx; (void)gy; (void)gz; (void)bx; (void)by; (void)bz; (void)smem;
  (void)stream; (void)params; (void)extra;
  strncpy(lastKernel, (const char *)f, sizeof(lastKernel) - 1);
  if (failing("launch")) return LAUNCH_FAILED;
  ++launches;
  return OK;
}
CUresult cuStreamCreate(void **s, unsigned flags) { (void)flags; *s = malloc(1); return OK; }
CUresult cuStreamDestroy_v2(void *s) { free(s); return OK; }
CUresult cuStreamSynchronize(void *s) {
  (void)s; ++syncs; return failing("sync") ? ILLEGAL_ADDRESS : OK;
}
CUresult cuStreamWaitEvent(void *s, void *e, unsigned f) { (void)s; (void)e; (void)f; return OK; }
/* Events hold the number of launches when they were recorded; the fake's
 * kernels "take" 0.5 ms each, so cuEventElapsedTime between two events is
 * 0.5 ms per launch between them (kernel timing tests). */
CUresult cuEventCreate(void **e, unsigned f) {
  (void)f;
  *e = calloc(1, sizeof(int));
  return OK;
}
CUresult cuEventDestroy_v2(void *e) { free(e); return OK; }
CUresult cuEventRecord(void *e, void *s) { (void)s; *(int *)e = launches; return OK; }
CUresult cuEventElapsedTime(float *ms, void *start, void *stop) {
  *ms = 0.5f * (float)(*(int *)stop - *(int *)start);
  return OK;
}
CUresult cuEventSynchronize(void *e) { (void)e; return OK; }
CUresult cuMemAlloc_v2(unsigned long long *p, size_t n) {
  if (failing("oom")) return OOM;
  ++allocs;
  *p = (unsigned long long)malloc(n ? n : 1); return OK;
}
CUresult cuMemAllocManaged(unsigned long long *p, size_t n, unsigned f) {
  (void)f;
  if (failing("oom")) return OOM;
  *p = (unsigned long long)calloc(1, n ? n : 1); return OK;
}
CUresult cuMemFree_v2(unsigned long long p) { ++frees; free((void *)p); return OK; }
CUresult cuMemcpyAsync(unsigned long long d, unsigned long long s, size_t n, void *st) {
  (void)st; ++copies; memcpy((void *)d, (const void *)s, n); return OK;
}
CUresult cuMemsetD32Async(unsigned long long d, unsigned v, size_t n, void *st) {
  (void)st; for (size_t i = 0; i < n; ++i) ((unsigned *)d)[i] = v; return OK;
}
CUresult cuMemsetD16Async(unsigned long long d, unsigned short v, size_t n, void *st) {
  (void)st; for (size_t i = 0; i < n; ++i) ((unsigned short *)d)[i] = v; return OK;
}
/* Registered ranges, with the driver's overlap rule. */
static char *regLo[256], *regHi[256];
static int regCount, badUnregisters;
int fake_cuda_registered_ranges(void) { return regCount; }
int fake_cuda_bad_unregisters(void) { return badUnregisters; }
CUresult cuMemHostRegister_v2(void *p, size_t n, unsigned f) {
  (void)f;
  char *lo = (char *)p, *hi = lo + n;
  for (int i = 0; i < regCount; ++i)
    if (lo < regHi[i] && regLo[i] < hi)
      return 712; /* CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED */
  if (regCount == 256) return OOM;
  regLo[regCount] = lo;
  regHi[regCount++] = hi;
  return OK;
}
CUresult cuMemHostUnregister(void *p) {
  for (int i = 0; i < regCount; ++i)
    if (regLo[i] == (char *)p) {
      regLo[i] = regLo[--regCount];
      regHi[i] = regHi[regCount];
      return OK;
    }
  ++badUnregisters;
  return 713; /* CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED */
}
