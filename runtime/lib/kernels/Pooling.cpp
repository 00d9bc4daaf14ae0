//===- Pooling.cpp - 2-D pooling reductions ------------------------------===//
//
// See Pooling.h. The C entry point, the plane tasks and the portable plane
// kernel.
//
//===----------------------------------------------------------------------===//
#include "Pooling.h"

#include "../Internal.h"
#include "../ThreadPool.h"

#include "dsrt/kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

using namespace dsrt;
using namespace dsrt::kernels;

namespace {
/// Window reads below which another task costs more than it saves.
constexpr int64_t kMinTaskWork = int64_t(1) << 15;

float combine(bool max, float acc, float x) {
  if (!max)
    return acc + x;
  // arith.maximumf: NaN when either operand is.
  if (std::isnan(acc) || std::isnan(x))
    return acc + x;
  return acc < x ? x : acc;
}

PoolPlane selectPoolPlane() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AVX512_KERNELS)
  static const bool hasAVX512 = __builtin_cpu_supports("avx512f");
  if (hasAVX512 && !std::getenv("DSRT_GENERIC_KERNELS"))
    return poolPlaneAVX512;
#endif
  return poolPlaneGeneric;
}
} // namespace

void dsrt::kernels::poolPlaneGeneric(bool max, int64_t OH, int64_t OW,
                                     int64_t KH, int64_t KW, int64_t sh,
                                     int64_t sw, int64_t dh, int64_t dw,
                                     const float *in, int64_t sI2,
                                     int64_t sI3, float *out, int64_t sO2,
                                     int64_t sO3) {
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow = 0; ow < OW; ++ow) {
      float acc = out[oh * sO2 + ow * sO3];
      for (int64_t kh = 0; kh < KH; ++kh)
        for (int64_t kw = 0; kw < KW; ++kw)
          acc = combine(max, acc,
                        in[(oh * sh + kh * dh) * sI2 + (ow * sw + kw * dw) * sI3]);
      out[oh * sO2 + ow * sO3] = acc;
    }
}

DSRT_EXPORT void dsrt_kernel_pool2d_f32(
    int64_t kind, int64_t N, int64_t C, int64_t OH, int64_t OW, int64_t KH,
    int64_t KW, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    const float *in, int64_t sI0, int64_t sI1, int64_t sI2, int64_t sI3,
    float *out, int64_t sO0, int64_t sO1, int64_t sO2, int64_t sO3) {
  if (N <= 0 || C <= 0 || OH <= 0 || OW <= 0 || KH <= 0 || KW <= 0)
    return;
  bool max = kind == DSRT_POOL_MAX;
  PoolPlane plane = selectPoolPlane();
  int64_t planes = N * C;
  int64_t work = OH * OW * KH * KW;
  int64_t parts = std::min<int64_t>(
      {planes, int64_t(4) * numThreads(),
       std::max<int64_t>(1, planes * work / kMinTaskWork)});
  int64_t chunk = (planes + parts - 1) / parts;
  parts = (planes + chunk - 1) / chunk;
  parallelFor(parts, [&](int64_t part) {
    for (int64_t t = part * chunk; t < std::min(planes, (part + 1) * chunk);
         ++t) {
      int64_t n = t / C, c = t % C;
      plane(max, OH, OW, KH, KW, sh, sw, dh, dw, in + n * sI0 + c * sI1, sI2,
            sI3, out + n * sO0 + c * sO1, sO2, sO3);
    }
  });
}
