//===- Depthwise.cpp - depthwise 2-D convolution driver ------------------===//
//
// See Depthwise.h. One task per run of (image, channel) planes; a task
// copies a plane's KH x KW weights into a dense array, lays the plane's
// input out for the flat kernel (phase planes with the zero border, in a
// per-thread buffer that stays in cache, or the input itself), runs the flat
// kernel over bands of output rows into a per-thread buffer and copies each
// row's OW outputs to the output, accumulating or with the epilogue.
//
//===----------------------------------------------------------------------===//
#include "Depthwise.h"

#include "../ThreadPool.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <initializer_list>
#include <utility>
#include <vector>

using namespace dsrt;
using namespace dsrt::kernels;

namespace {
/// Multiply-adds below which another task costs more than it saves.
constexpr int64_t kMinTaskWork = int64_t(1) << 16;
/// Flat outputs per band: the band's buffer stays in L1.
constexpr int64_t kBandElems = 4096;

bool useAVX512() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AVX512_KERNELS)
  static const bool hasAVX512 = __builtin_cpu_supports("avx512f");
  return hasAVX512 && !std::getenv("DSRT_GENERIC_KERNELS");
#else
  return false;
#endif
}
} // namespace

void dsrt::kernels::depthwiseFlatGeneric(int64_t L, int64_t step, int64_t T,
                                         const int64_t *off, const float *w,
                                         const float *in,
                                         const DepthwiseFinish &finish,
                                         float *out) {
  std::fill(out, out + L, 0.0f);
  for (int64_t t = 0; t < T; ++t) {
    const float *src = in + off[t];
    float wt = w[t];
    for (int64_t p = 0; p < L; ++p)
      out[p] += wt * src[step * p];
  }
  for (int64_t p = 0; p < L; ++p) {
    float v = out[p] + finish.bias;
    if (finish.clamp) {
      // A NaN value stays NaN (comparisons with it are false).
      v = v < finish.lo ? finish.lo : v;
      v = v > finish.hi ? finish.hi : v;
    }
    out[p] = v;
  }
}

void dsrt::kernels::copyRowsGeneric(const float *src, int64_t srcStride,
                                    int64_t rows, int64_t n, float *dst,
                                    int64_t dstStride) {
  for (int64_t i = 0; i < rows; ++i)
    std::copy(src + i * srcStride, src + i * srcStride + n,
              dst + i * dstStride);
}

CopyRows dsrt::kernels::selectCopyRows() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AVX512_KERNELS)
  if (useAVX512())
    return copyRowsAVX512;
#endif
  return copyRowsGeneric;
}

DepthwiseFlat dsrt::kernels::selectDepthwiseFlat() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AVX512_KERNELS)
  if (useAVX512())
    return depthwiseFlatAVX512;
#endif
  return depthwiseFlatGeneric;
}

void dsrt::kernels::depthwiseConv2d(
    int64_t N, int64_t G, int64_t OH, int64_t OW, int64_t KH, int64_t KW,
    int64_t sh, int64_t sw, int64_t dh, int64_t dw, int64_t IH, int64_t IW,
    int64_t padH, int64_t padW, const float *in, int64_t sI0, int64_t sI1,
    int64_t sI3, int64_t sI4, const float *weight, int64_t sW0, int64_t sW3,
    int64_t sW4, float *out, int64_t sO0, int64_t sO1, int64_t sO3,
    int64_t sO4, const DepthwisePlaneEpilogue *epilogue) {
  if (N <= 0 || G <= 0 || OH <= 0 || OW <= 0)
    return;
  // An output over the input: each plane is copied before it is written
  // when the output is the input element for element (compiled code writes
  // a stride-1 layer's result over its dead input); any other overlap reads
  // from a copy of the whole input.
  bool inPlace = false;
  std::vector<float> inputCopy;
  auto extent = [](const float *base, std::initializer_list<
                                          std::pair<int64_t, int64_t>> dims) {
    const float *lo = base, *hi = base;
    for (auto [size, stride] : dims) {
      int64_t span = (size - 1) * stride;
      (span < 0 ? lo : hi) += span;
    }
    return std::make_pair(lo, hi);
  };
  auto [inLo, inHi] =
      extent(in, {{N, sI0}, {G, sI1}, {IH, sI3}, {IW, sI4}});
  auto [outLo, outHi] =
      extent(out, {{N, sO0}, {G, sO1}, {OH, sO3}, {OW, sO4}});
  if (IH > 0 && IW > 0 && inLo <= outHi && outLo <= inHi) {
    if (in == out && sI0 == sO0 && sI1 == sO1 && sI3 == sO3 && sI4 == sO4 &&
        IH == OH && IW == OW) {
      inPlace = true;
    } else {
      inputCopy.resize(size_t(N * G * IH * IW));
      for (int64_t n = 0; n < N; ++n)
        for (int64_t g = 0; g < G; ++g)
          for (int64_t y = 0; y < IH; ++y)
            for (int64_t x = 0; x < IW; ++x)
              inputCopy[size_t(((n * G + g) * IH + y) * IW + x)] =
                  in[n * sI0 + g * sI1 + y * sI3 + x * sI4];
      in = inputCopy.data();
      sI0 = G * IH * IW;
      sI1 = IH * IW;
      sI3 = IW;
      sI4 = 1;
    }
  }
  DepthwiseFlat flatKernel = selectDepthwiseFlat();
  CopyRows copyRows = selectCopyRows();
  // Tells the threads' phase buffers of this call from earlier ones.
  static std::atomic<uint64_t> calls{0};
  uint64_t callId = ++calls;
  EpilogueTile epilogueRow = epilogue ? selectEpilogueTile() : nullptr;
  int64_t T = KH * KW;
  // The extent of the input the windows cover, padding included.
  int64_t spanH = (OH - 1) * sh + (KH - 1) * dh + 1;
  int64_t spanW = (OW - 1) * sw + (KW - 1) * dw + 1;
  bool padded = padH > 0 || padW > 0 || spanH - padH > IH || spanW - padW > IW;
  // No padding and unit-stride rows R = sI3 apart: the kernel reads the
  // input where it is, with Wo = sh*R/sw. When sh > 1 the output rows of
  // the flat run then cover sh input rows each, and the columns beyond OW
  // (about (sh-1)/sh of them) are computed and dropped, which costs less
  // than copying the plane: at stride 2 the sums are a quarter of the reads.
  bool direct = !padded && !inPlace && sI4 == 1 && sI3 >= spanW && (sh * sI3) % sw == 0 &&
                sh * sI3 / sw <= 2 * OW + 32;
  // Otherwise: sh phase planes of Hs rows of R floats, R a multiple of sw,
  // and Wo = R/sw.
  int64_t Hs = (spanH + sh - 1) / sh;
  int64_t R = direct ? sI3 : (spanW + sw - 1) / sw * sw;
  int64_t Wo = direct ? sh * R / sw : R / sw;
  // Input elements between the first inputs of consecutive output rows.
  int64_t rowStep = direct ? sh * R : R;
  // Tap offsets from sw * (oh * Wo + ow).
  std::vector<int64_t> off(static_cast<size_t>(T));
  for (int64_t kh = 0; kh < KH; ++kh)
    for (int64_t kw = 0; kw < KW; ++kw) {
      int64_t y = kh * dh, x = kw * dw;
      off[size_t(kh * KW + kw)] =
          direct ? y * R + x : ((y % sh) * Hs + y / sh) * R + x;
    }
  // Output rows per band.
  int64_t bandRows = std::max<int64_t>(1, kBandElems / Wo);
  // Padded columns [x0, x1) come from the input.
  int64_t x0 = std::min(spanW, padW);
  int64_t x1 = std::max(x0, std::min(spanW, padW + IW));

  auto plane = [&](int64_t t) {
    int64_t n = t / G, g = t % G;
    thread_local std::vector<float> wBuf, phases, band;
    thread_local uint64_t zeroedFor = 0;
    wBuf.resize(size_t(T));
    const float *wg = weight + g * sW0;
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t kw = 0; kw < KW; ++kw)
        wBuf[size_t(kh * KW + kw)] = wg[kh * sW3 + kw * sW4];
    const float *src = in + n * sI0 + g * sI1;
    if (!direct) {
      // Phase a, row r holds padded input row r*sh + a, zero outside the
      // input and beyond spanW. The zeros are where they were for the
      // previous plane of this call on this thread: only the input part is
      // copied.
      size_t size = size_t(sh * Hs * R);
      if (zeroedFor != callId || phases.size() < size) {
        phases.assign(size, 0.0f);
        zeroedFor = callId;
      }
      for (int64_t a = 0; a < sh; ++a) {
        // Rows r with padH <= r*sh + a < min(spanH, padH + IH).
        int64_t yEnd = std::min(spanH, padH + IH);
        int64_t r0 = padH - a > 0 ? (padH - a + sh - 1) / sh : 0;
        int64_t r1 = yEnd - a > 0 ? (yEnd - a + sh - 1) / sh : 0;
        if (r1 <= r0 || x1 <= x0)
          continue;
        const float *from = src + (r0 * sh + a - padH) * sI3 + (x0 - padW) * sI4;
        float *to = phases.data() + (a * Hs + r0) * R + x0;
        if (sI4 == 1) {
          copyRows(from, sh * sI3, r1 - r0, x1 - x0, to, R);
          continue;
        }
        for (int64_t r = 0; r < r1 - r0; ++r)
          for (int64_t x = 0; x < x1 - x0; ++x)
            to[r * R + x] = from[r * sh * sI3 + x * sI4];
      }
      src = phases.data();
    }

    Epilogue e;
    if (epilogue)
      e = (*epilogue)(n, g);
    // Per-plane constant addends (a bias) and the clamp go into the
    // kernel; anything else is applied to each output row afterwards.
    DepthwiseFinish finish;
    bool rowEpilogue = false;
    if (epilogue && !e.empty()) {
      bool scalar = true;
      for (const Addend &a : e.add)
        if (a.p && (a.s0 != 0 || a.s1 != 0))
          scalar = false;
      if (scalar) {
        for (const Addend &a : e.add)
          if (a.p)
            finish.bias += *a.p;
        finish.clamp = e.clamp;
        finish.lo = e.lo;
        finish.hi = e.hi;
      } else {
        rowEpilogue = true;
      }
    }
    float *dst = out + n * sO0 + g * sO1;
    band.resize(size_t(std::min(OH, bandRows) * Wo));
    for (int64_t oh0 = 0; oh0 < OH; oh0 += bandRows) {
      int64_t rows = std::min(bandRows, OH - oh0);
      int64_t L = (rows - 1) * Wo + OW;
      flatKernel(L, sw, T, off.data(), wBuf.data(), src + oh0 * rowStep, finish,
                 band.data());
      float *o = dst + oh0 * sO3;
      if (epilogue && !rowEpilogue && sO4 == 1) {
        copyRows(band.data(), Wo, rows, OW, o, sO3);
        continue;
      }
      for (int64_t i = 0; i < rows; ++i, o += sO3) {
        float *r = band.data() + i * Wo;
        if (!epilogue) {
          for (int64_t ow = 0; ow < OW; ++ow)
            o[ow * sO4] += r[ow];
          continue;
        }
        if (rowEpilogue)
          epilogueRow(e, oh0 + i, 1, 0, OW, r, OW);
        if (sO4 == 1)
          std::copy(r, r + OW, o);
        else
          for (int64_t ow = 0; ow < OW; ++ow)
            o[ow * sO4] = r[ow];
      }
    }
  };
  // Contiguous runs of planes per task: small planes (7x7 at the end of
  // MobileNet) would otherwise cost more in task hand-out, and in output
  // cache lines shared between threads, than in arithmetic.
  int64_t planes = N * G;
  int64_t planeWork = OH * OW * T;
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
