//===- Depthwise.cpp - depthwise 2-D convolution driver ------------------===//
//
// See Depthwise.h. One task per (image, channel) plane; a task copies its
// KH x KW weights into a dense array and runs the row kernel over the output
// rows, through a row buffer when the output's width stride is not 1.
//
//===----------------------------------------------------------------------===//
#include "Depthwise.h"

#include "../ThreadPool.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

using namespace dsrt;
using namespace dsrt::kernels;

namespace {
/// Multiply-adds below which another task costs more than it saves.
constexpr int64_t kMinTaskWork = int64_t(1) << 16;
} // namespace

void dsrt::kernels::depthwiseRowGeneric(int64_t OW, int64_t KH, int64_t KW,
                                        int64_t sw, int64_t dw,
                                        const float *in, int64_t rowStep,
                                        int64_t sIW, const float *w,
                                        float *out) {
  for (int64_t kh = 0; kh < KH; ++kh) {
    const float *row = in + kh * rowStep;
    for (int64_t kw = 0; kw < KW; ++kw) {
      float wv = w[kh * KW + kw];
      const float *src = row + kw * dw * sIW;
      int64_t step = sw * sIW;
      for (int64_t ow = 0; ow < OW; ++ow)
        out[ow] += wv * src[ow * step];
    }
  }
}

DepthwiseRow dsrt::kernels::selectDepthwiseRow() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AVX512_KERNELS)
  static const bool hasAVX512 = __builtin_cpu_supports("avx512f");
  if (hasAVX512 && !std::getenv("DSRT_GENERIC_KERNELS"))
    return depthwiseRowAVX512;
#endif
  return depthwiseRowGeneric;
}

void dsrt::kernels::depthwiseConv2d(
    int64_t N, int64_t G, int64_t OH, int64_t OW, int64_t KH, int64_t KW,
    int64_t sh, int64_t sw, int64_t dh, int64_t dw, int64_t IH, int64_t IW,
    int64_t padH, int64_t padW, const float *in, int64_t sI0, int64_t sI1,
    int64_t sI3, int64_t sI4, const float *weight, int64_t sW0, int64_t sW3,
    int64_t sW4, float *out, int64_t sO0, int64_t sO1, int64_t sO3,
    int64_t sO4, const DepthwisePlaneEpilogue *epilogue) {
  DepthwiseRow rowKernel = selectDepthwiseRow();
  EpilogueTile epilogueRow = epilogue ? selectEpilogueTile() : nullptr;
  // The extent of the input the windows cover, padding included.
  int64_t spanH = (OH - 1) * sh + (KH - 1) * dh + 1;
  int64_t spanW = (OW - 1) * sw + (KW - 1) * dw + 1;
  bool padded = padH > 0 || padW > 0 || spanH - padH > IH || spanW - padW > IW;
  // The AVX-512 kernel gathers with 32-bit offsets; rows too wide for them
  // (never met in practice) take the scalar kernel.
  int64_t span = ((OW + 16) * sw + KW * dw) * (padded ? 1 : std::abs(sI4));
  if (span >= (int64_t(1) << 31))
    rowKernel = depthwiseRowGeneric;
  auto plane = [&](int64_t t) {
    int64_t n = t / G, g = t % G;
    // Dense weights: a 3x3 or 5x5 plane fits on the stack.
    float wStack[64];
    std::vector<float> wHeap;
    float *w = wStack;
    if (KH * KW > 64) {
      wHeap.resize(size_t(KH * KW));
      w = wHeap.data();
    }
    const float *wg = weight + g * sW0;
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t kw = 0; kw < KW; ++kw)
        w[kh * KW + kw] = wg[kh * sW3 + kw * sW4];
    const float *src = in + n * sI0 + g * sI1;
    int64_t rowStride = sI3, colStride = sI4;
    if (padded) {
      // The plane with its zero border, in a per-thread buffer that stays
      // in cache for the row kernel (instead of a padded copy of the whole
      // tensor made by a separate loop).
      thread_local std::vector<float> buffer;
      buffer.resize(size_t(spanH * spanW));
      for (int64_t y = 0; y < spanH; ++y) {
        float *row = buffer.data() + y * spanW;
        int64_t iy = y - padH;
        if (iy < 0 || iy >= IH) {
          std::fill(row, row + spanW, 0.0f);
          continue;
        }
        const float *from = src + iy * sI3;
        int64_t x0 = std::min(spanW, padW);
        int64_t x1 = std::max(x0, std::min(spanW, padW + IW));
        std::fill(row, row + x0, 0.0f);
        if (sI4 == 1)
          std::copy(from + (x0 - padW), from + (x1 - padW), row + x0);
        else
          for (int64_t x = x0; x < x1; ++x)
            row[x] = from[(x - padW) * sI4];
        std::fill(row + x1, row + spanW, 0.0f);
      }
      src = buffer.data();
      rowStride = spanW;
      colStride = 1;
    }
    Epilogue e;
    if (epilogue)
      e = (*epilogue)(n, g);
    bool finish = epilogue && !e.empty();
    float *dst = out + n * sO0 + g * sO1;
    std::vector<float> rowBuf;
    if (sO4 != 1)
      rowBuf.resize(size_t(OW));
    for (int64_t oh = 0; oh < OH; ++oh) {
      const float *inRow = src + oh * sh * rowStride;
      float *o = dst + oh * sO3;
      float *r = sO4 == 1 ? o : rowBuf.data();
      if (epilogue)
        std::fill(r, r + OW, 0.0f);
      else if (sO4 != 1)
        for (int64_t ow = 0; ow < OW; ++ow)
          r[ow] = o[ow * sO4];
      rowKernel(OW, KH, KW, sw, dw, inRow, dh * rowStride, colStride, w, r);
      if (finish)
        epilogueRow(e, oh, 1, 0, OW, r, OW);
      if (sO4 != 1)
        for (int64_t ow = 0; ow < OW; ++ow)
          o[ow * sO4] = r[ow];
    }
  };
  // Contiguous runs of planes per task: small planes (7x7 at the end of
  // MobileNet) would otherwise cost more in task hand-out, and in output
  // cache lines shared between threads, than in arithmetic.
  int64_t planes = N * G;
  int64_t planeWork = OH * OW * KH * KW;
  int64_t parts = std::min<int64_t>(
      {planes, int64_t(4) * numThreads(),
       std::max<int64_t>(1, planes * planeWork / kMinTaskWork)});
  int64_t chunk = (planes + parts - 1) / parts;
  parts = (planes + chunk - 1) / chunk;
  parallelFor(parts, [&](int64_t part) {
    for (int64_t t = part * chunk; t < std::min(planes, (part + 1) * chunk);
         ++t)
      plane(t);
  });
}
