//===- QGemm.cpp - int8 GEMM and run-time quantization -------------------===//
//
// The driver of dsrt_kernel_qgemm_s8 and dsrt_kernel_quantize_s8
// (dsrt/quant_kernels.h): weight packing (and its cache for constant
// weights), the choice of implementation (AMX, AVX-512 VNNI, scalar), the
// packing of activations, and the split into tasks on the runtime's pool.
// The layouts are described in QGemm.h.
//
// Groups: each group's products are summed exactly in int32, converted to
// f32 and multiplied by the group's weight scale; the groups' results are
// added in f32, then multiplied by the activation scale, plus the bias.
// This is dsq.qmatmul's definition (per-group int32 accumulation, then a
// float rescale), so int4 weights with groups of 32/64/128 lose nothing
// to the kernel. int4 weights are unpacked to int8 when packed, so they run
// at the int8 speed.
//
//===----------------------------------------------------------------------===//
#include "../Internal.h"
#include "../LargeAlloc.h"
#include "../ThreadPool.h"
#include "QGemm.h"

#include "dsrt/kernels.h"
#include "dsrt/quant_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#if defined(__x86_64__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

using namespace dsrt;
using namespace dsrt::kernels::q;

namespace {

//===----------------------------------------------------------------------===//
// Implementation choice
//===----------------------------------------------------------------------===//

enum class Isa { Scalar = 0, VNNI = 1, AMX = 2 };

bool cpuHasVNNI() {
#if defined(__x86_64__) && defined(DSRT_HAVE_VNNI_KERNELS)
  static const bool ok = __builtin_cpu_supports("avx512f") &&
                         __builtin_cpu_supports("avx512bw") &&
                         __builtin_cpu_supports("avx512vl") &&
                         __builtin_cpu_supports("avx512vnni");
  return ok;
#else
  return false;
#endif
}

/// AMX-TILE and AMX-INT8 in CPUID, and Linux's permission to use the tile
/// data state (asked once for the process; without it the first tile
/// instruction would fault).
bool cpuHasAMX() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AMX_KERNELS) && defined(__linux__)
  static const bool ok = [] {
    unsigned a, b, c, d;
    if (!cpuHasVNNI() || !__get_cpuid_count(7, 0, &a, &b, &c, &d))
      return false;
    if (!(d & (1u << 24)) || !(d & (1u << 25)))
      return false;
    constexpr long kArchReqXcompPerm = 0x1023;
    constexpr long kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
  }();
  return ok;
#else
  return false;
#endif
}

/// The best implementation this CPU has, capped by DSRT_QGEMM_KERNEL or
/// DSRT_GENERIC_KERNELS (read on every call, so tests can switch).
Isa selectIsa() {
  if (std::getenv("DSRT_GENERIC_KERNELS"))
    return Isa::Scalar;
  Isa limit = Isa::AMX;
  if (const char *cap = std::getenv("DSRT_QGEMM_KERNEL")) {
    if (!std::strcmp(cap, "scalar"))
      limit = Isa::Scalar;
    else if (!std::strcmp(cap, "vnni"))
      limit = Isa::VNNI;
  }
  if (limit >= Isa::AMX && cpuHasAMX())
    return Isa::AMX;
  if (limit >= Isa::VNNI && cpuHasVNNI())
    return Isa::VNNI;
  return Isa::Scalar;
}

const char *isaName(Isa isa) {
  switch (isa) {
  case Isa::AMX:
    return "amx";
  case Isa::VNNI:
    return "vnni";
  default:
    return "scalar";
  }
}

//===----------------------------------------------------------------------===//
// Packed weights
//===----------------------------------------------------------------------===//

struct FreeDeleter {
  void operator()(void *p) const { std::free(p); }
};

void *alignedZeroed(size_t bytes) {
  bytes = (bytes + 63) / 64 * 64;
  void *p = allocLarge(bytes ? bytes : 64, 64);
  if (p)
    std::memset(p, 0, bytes ? bytes : 64);
  return p;
}

struct OwnedPackedW {
  PackedW w;
  std::unique_ptr<void, FreeDeleter> b, comp, scale;
};

int64_t roundUp(int64_t v, int64_t to) { return (v + to - 1) / to * to; }

int8_t weightAt(const int8_t *W, int64_t sW0, int64_t bits, int64_t n,
                int64_t k) {
  if (bits == 8)
    return W[n * sW0 + k];
  uint8_t byte = static_cast<uint8_t>(W[n * sW0 + k / 2]);
  uint8_t nibble = (k & 1) ? (byte >> 4) : (byte & 0xF);
  return static_cast<int8_t>(static_cast<int8_t>(nibble << 4) >> 4);
}

std::shared_ptr<OwnedPackedW> packWeights(const int8_t *W, int64_t sW0,
                                          int64_t N, int64_t K, int64_t bits,
                                          int64_t group,
                                          const float *wScale) {
  auto owned = std::make_shared<OwnedPackedW>();
  PackedW &w = owned->w;
  w.N = N;
  w.K = K;
  w.group = group;
  w.groups = (K + group - 1) / group;
  w.Kp = roundUp(w.groups > 1 ? w.groups * group : K, kKAlign);
  w.panels = (N + kPanel - 1) / kPanel;
  owned->b.reset(alignedZeroed(size_t(w.panels) * w.panelBytes()));
  owned->comp.reset(
      alignedZeroed(size_t(w.panels * w.groups * kPanel) * sizeof(int32_t)));
  owned->scale.reset(
      alignedZeroed(size_t(w.panels * w.groups * kPanel) * sizeof(float)));
  w.b = static_cast<int8_t *>(owned->b.get());
  w.comp = static_cast<int32_t *>(owned->comp.get());
  w.scale = static_cast<float *>(owned->scale.get());
  for (int64_t n = 0; n < N; ++n) {
    int64_t p = n / kPanel, j = n % kPanel;
    int8_t *panel = w.b + p * w.panelBytes();
    for (int64_t g = 0; g < w.groups; ++g) {
      int32_t sum = 0;
      int64_t k1 = std::min(K, (g + 1) * group);
      for (int64_t k = g * group; k < k1; ++k) {
        int8_t v = weightAt(W, sW0, bits, n, k);
        panel[(k / 4) * 64 + j * 4 + (k % 4)] = v;
        sum += v;
      }
      int64_t at = (p * w.groups + g) * kPanel + j;
      w.comp[at] = 128 * sum;
      w.scale[at] = wScale[n * w.groups + g];
    }
  }
  return owned;
}

struct WKey {
  const int8_t *W;
  const float *scale;
  int64_t N, K, sW0, bits, group;
  bool operator==(const WKey &o) const {
    return W == o.W && scale == o.scale && N == o.N && K == o.K &&
           sW0 == o.sW0 && bits == o.bits && group == o.group;
  }
};

struct WKeyHash {
  size_t operator()(const WKey &k) const {
    size_t h = std::hash<const void *>()(k.W) ^
               (std::hash<const void *>()(k.scale) << 1);
    for (int64_t v : {k.N, k.K, k.sW0, k.bits, k.group})
      h = h * 1000003u ^ std::hash<int64_t>()(v);
    return h;
  }
};

std::mutex cacheMutex;
std::unordered_map<WKey, std::shared_ptr<OwnedPackedW>, WKeyHash> cache;

std::shared_ptr<OwnedPackedW> cachedWeights(const WKey &key,
                                            const float *wScale) {
  std::lock_guard<std::mutex> lock(cacheMutex);
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  auto packed =
      packWeights(key.W, key.sW0, key.N, key.K, key.bits, key.group, wScale);
  cache.emplace(key, packed);
  return packed;
}

//===----------------------------------------------------------------------===//
// Scratch and tasks
//===----------------------------------------------------------------------===//

/// The calling thread's buffer for packed activations, kept between calls.
uint8_t *scratch(size_t bytes) {
  thread_local std::unique_ptr<void, FreeDeleter> buffer;
  thread_local size_t size = 0;
  if (size < bytes) {
    size_t rounded = (bytes + 4095) / 4096 * 4096;
    buffer.reset(allocLarge(rounded, 64));
    size = rounded;
  }
  return static_cast<uint8_t *>(buffer.get());
}

/// Below this many multiply-adds per task, splitting costs more than it
/// saves.
constexpr int64_t kMinTaskWork = int64_t(1) << 22;

/// Splits `units` column blocks into tasks: one per unit at most, at least
/// kMinTaskWork each, about four per thread.
int64_t taskCount(int64_t units, int64_t workPerUnit) {
  int64_t threads = numThreads();
  if (threads <= 1)
    return 1;
  int64_t byWork = std::max<int64_t>(1, units * workPerUnit / kMinTaskWork);
  return std::max<int64_t>(1, std::min({units, byWork, 4 * threads}));
}

void runScalar(int64_t M, int64_t N, const PackedW &w, const int8_t *A,
               int64_t sA0, int64_t sA1, const float *aScale, int64_t sAScale,
               const float *bias, float *C, int64_t sC0, int64_t sC1) {
  int64_t tasks = taskCount(w.panels, M * w.K * kPanel);
  int64_t per = (w.panels + tasks - 1) / tasks;
  parallelFor(tasks, [&](int64_t task) {
    int64_t n0 = task * per * kPanel, n1 = std::min(N, n0 + per * kPanel);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = n0; n < n1; ++n) {
        const int8_t *panel = w.b + (n / kPanel) * w.panelBytes();
        int64_t j = n % kPanel;
        float f = 0.0f;
        for (int64_t g = 0; g < w.groups; ++g) {
          int32_t acc = 0;
          int64_t k1 = std::min(w.K, (g + 1) * w.group);
          for (int64_t k = g * w.group; k < k1; ++k)
            acc += int32_t(A[m * sA0 + k * sA1]) *
                   int32_t(panel[(k / 4) * 64 + j * 4 + (k % 4)]);
          f += float(acc) *
               w.scale[((n / kPanel) * w.groups + g) * kPanel + j];
        }
        C[m * sC0 + n * sC1] =
            f * aScale[m * sAScale] + (bias ? bias[n] : 0.0f);
      }
  });
}

/// Column blocks of `width` panels, each task sweeping every row block of
/// `height` rows for its blocks; `tile` runs one block.
template <typename TileFn>
void runBlocked(int64_t M, int64_t N, const PackedW &w, int64_t width,
                int64_t height, const void *a, int64_t aStride,
                int64_t aBlockBytes, const float *aScale, int64_t sAScale,
                const float *bias, float *C, int64_t sC0, int64_t sC1,
                bool amx, TileFn tile) {
  int64_t units = (w.panels + width - 1) / width;
  int64_t tasks = taskCount(units, M * w.Kp * width * kPanel);
  int64_t per = (units + tasks - 1) / tasks;
  parallelFor(tasks, [&](int64_t task) {
    int64_t u0 = task * per, u1 = std::min(units, u0 + per);
    if (u0 >= u1)
      return;
#if defined(DSRT_HAVE_AMX_KERNELS)
    if (amx)
      amxBegin();
#endif
    for (int64_t u = u0; u < u1; ++u) {
      Tile t;
      t.w = &w;
      t.aStride = aStride;
      t.p0 = u * width;
      t.np = std::min(width, w.panels - t.p0);
      t.nc = std::min(t.np * kPanel, N - t.p0 * kPanel);
      t.sAScale = sAScale;
      t.bias = bias ? bias + t.p0 * kPanel : nullptr;
      t.sC0 = sC0;
      t.sC1 = sC1;
      for (int64_t m0 = 0; m0 < M; m0 += height) {
        t.m0 = m0;
        t.firstRows = m0 == 0;
        t.mr = std::min(height, M - m0);
        t.a = static_cast<const uint8_t *>(a) + (m0 / height) * aBlockBytes;
        t.aScale = aScale + m0 * sAScale;
        t.c = C + m0 * sC0 + t.p0 * kPanel * sC1;
        tile(t);
      }
    }
#if defined(DSRT_HAVE_AMX_KERNELS)
    if (amx)
      amxEnd();
#endif
  });
}

} // namespace

void dsrt::clearQuantizedPackedWeights() {
  std::lock_guard<std::mutex> lock(cacheMutex);
  cache.clear();
}

DSRT_EXPORT const char *dsrt_kernel_qgemm_isa(void) {
  return isaName(selectIsa());
}

DSRT_EXPORT void dsrt_kernel_qgemm_s8(int64_t M, int64_t N, int64_t K,
                                      const int8_t *A, int64_t sA0,
                                      int64_t sA1, const float *aScale,
                                      int64_t sAScale, const int8_t *W,
                                      int64_t sW0, int64_t bits, int64_t group,
                                      const float *wScale, const float *bias,
                                      float *C, int64_t sC0, int64_t sC1,
                                      int64_t flags) {
  if (M <= 0 || N <= 0)
    return;
  if (K <= 0 || group <= 0) {
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n)
        C[m * sC0 + n * sC1] = bias ? bias[n] : 0.0f;
    return;
  }
  std::shared_ptr<OwnedPackedW> packed =
      (flags & DSRT_KERNEL_CONSTANT_B)
          ? cachedWeights(WKey{W, wScale, N, K, sW0, bits, group}, wScale)
          : packWeights(W, sW0, N, K, bits, group, wScale);
  const PackedW &w = packed->w;

  Isa isa = selectIsa();
  // Group boundaries must fall on the implementation's step along K.
  if (isa == Isa::AMX && w.groups > 1 && group % 64 != 0)
    isa = Isa::VNNI;
  if (isa == Isa::VNNI && w.groups > 1 && group % 4 != 0)
    isa = Isa::Scalar;

#if defined(DSRT_HAVE_AMX_KERNELS)
  if (isa == Isa::AMX) {
    // A is read in place when whole 16-row, 64-byte tiles cover it.
    const void *a = A;
    int64_t lda = sA0;
    if (sA1 != 1 || K != w.Kp || M % 16 != 0) {
      int64_t rows = roundUp(M, kAmxRows);
      uint8_t *buf = scratch(size_t(rows) * w.Kp);
      parallelFor(rows / kAmxRows, [&](int64_t blk) {
        for (int64_t m = blk * kAmxRows; m < (blk + 1) * kAmxRows; ++m) {
          int8_t *dst = reinterpret_cast<int8_t *>(buf) + m * w.Kp;
          if (m >= M) {
            std::memset(dst, 0, size_t(w.Kp));
            continue;
          }
          if (sA1 == 1)
            std::memcpy(dst, A + m * sA0, size_t(K));
          else
            for (int64_t k = 0; k < K; ++k)
              dst[k] = A[m * sA0 + k * sA1];
          std::memset(dst + K, 0, size_t(w.Kp - K));
        }
      });
      a = buf;
      lda = w.Kp;
    }
    runBlocked(M, N, w, 2, kAmxRows, a, lda, kAmxRows * lda, aScale, sAScale,
               bias, C, sC0, sC1, /*amx=*/true,
               [](const Tile &t) { tileAMX(t); });
    return;
  }
#endif
#if defined(DSRT_HAVE_VNNI_KERNELS)
  if (isa == Isa::VNNI) {
    int64_t blocks = (M + kMR - 1) / kMR;
    int64_t blockBytes = kMR * w.Kp;
    uint8_t *buf = scratch(size_t(blocks * blockBytes));
    parallelFor(blocks, [&](int64_t blk) {
      packAVNNI(A, sA0, sA1, M, K, w.Kp, blk * kMR, buf + blk * blockBytes);
    });
    runBlocked(M, N, w, 3, kMR, buf, 0, blockBytes, aScale, sAScale, bias, C,
               sC0, sC1, /*amx=*/false, [](const Tile &t) { tileVNNI(t); });
    return;
  }
#endif
  runScalar(M, N, w, A, sA0, sA1, aScale, sAScale, bias, C, sC0, sC1);
}

DSRT_EXPORT void dsrt_kernel_quantize_s8(int64_t M, int64_t K, const float *X,
                                         int64_t sX0, int64_t sX1, int8_t *Q,
                                         int64_t sQ0, int64_t sQ1,
                                         float *scale, int64_t sScale,
                                         int64_t per_row, int64_t qmax) {
  if (M <= 0)
    return;
  const float q = static_cast<float>(qmax);
  const bool vector = sX1 == 1 && selectIsa() != Isa::Scalar;
  auto absmax = [&](int64_t m) {
#if defined(DSRT_HAVE_VNNI_KERNELS)
    if (vector)
      return absmaxAVX512(X + m * sX0, K);
#endif
    float a = 0.0f;
    for (int64_t k = 0; k < K; ++k)
      a = std::max(a, std::fabs(X[m * sX0 + k * sX1]));
    return a;
  };
  auto quantize = [&](int64_t m, float a) {
    float inv = a > 0.0f ? q / a : 0.0f;
#if defined(DSRT_HAVE_VNNI_KERNELS)
    if (vector)
      return quantizeRowAVX512(X + m * sX0, K, inv, q, Q + m * sQ0, sQ1);
#endif
    for (int64_t k = 0; k < K; ++k) {
      float v = std::nearbyint(X[m * sX0 + k * sX1] * inv);
      v = std::min(std::max(v, -q), q);
      Q[m * sQ0 + k * sQ1] = static_cast<int8_t>(v);
    }
  };
  // Row chunks of at least 256K elements (~50 us; waking the pool for
  // less cost more than it saved: 128 x 768 took 76 us on two threads,
  // 21 us on one), at most four per thread.
  int64_t rowsPerTask =
      std::max<int64_t>(1, (int64_t(1) << 18) / std::max<int64_t>(K, 1));
  int64_t tasks = std::min<int64_t>((M + rowsPerTask - 1) / rowsPerTask,
                                    4 * numThreads());
  tasks = std::max<int64_t>(1, tasks);
  int64_t per = (M + tasks - 1) / tasks;
  if (per_row) {
    parallelFor(tasks, [&](int64_t t) {
      for (int64_t m = t * per; m < std::min(M, (t + 1) * per); ++m) {
        float a = absmax(m);
        scale[m * sScale] = a / q;
        quantize(m, a);
      }
    });
    return;
  }
  std::vector<float> partial(size_t(tasks), 0.0f);
  parallelFor(tasks, [&](int64_t t) {
    float a = 0.0f;
    for (int64_t m = t * per; m < std::min(M, (t + 1) * per); ++m)
      a = std::max(a, absmax(m));
    partial[size_t(t)] = a;
  });
  float a = *std::max_element(partial.begin(), partial.end());
  scale[0] = a / q;
  parallelFor(tasks, [&](int64_t t) {
    for (int64_t m = t * per; m < std::min(M, (t + 1) * per); ++m)
      quantize(m, a);
  });
}
