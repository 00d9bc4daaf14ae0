//===- ConvDirect.cpp - output-channel-vectorized direct convolution -----===//
//
// See ConvDirect.h. The driver: the padded input copy, the cached weight
// panels, the split into tasks, the K-sliced tile loop and the transposing
// epilogue; and the portable tile.
//
//===----------------------------------------------------------------------===//
#include "AlignedBuffer.h"
#include "ConvDirect.h"
#include "ConvPointwise.h"

#include "../ThreadPool.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

using namespace dsrt;
using namespace dsrt::kernels;

void dsrt::kernels::convTileGeneric(int rows, int vecs, int64_t kc,
                                    const float *in, const int64_t *off,
                                    const float *W, float *C, int64_t ldc,
                                    bool accumulate) {
  float acc[kConvRows][kConvCols] = {};
  int cols = 16 * vecs;
  for (int64_t k = 0; k < kc; ++k) {
    const float *x = in + off[k];
    const float *w = W + k * kConvCols;
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < cols; ++j)
        acc[i][j] += x[i] * w[j];
  }
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      C[i * ldc + j] = accumulate ? C[i * ldc + j] + acc[i][j] : acc[i][j];
}

void dsrt::kernels::convStoreGeneric(const float *T, int64_t ldT,
                                     int64_t count, int64_t nf, float *out,
                                     int64_t ldo, const ConvAddend *add,
                                     float lo, float hi, bool clamp) {
  for (int64_t f = 0; f < nf; ++f)
    for (int64_t i = 0; i < count; ++i) {
      float v = T[i * ldT + f];
      for (int a = 0; a < 2; ++a)
        if (add[a].p)
          v += add[a].p[f * add[a].sf + i * add[a].si];
      if (clamp) {
        // A NaN value stays NaN (comparisons with it are false).
        v = v < lo ? lo : v;
        v = v > hi ? hi : v;
      }
      out[f * ldo + i] = v;
    }
}

void dsrt::kernels::convTileStoreGeneric(int rows, int64_t nf, int64_t K,
                                         const float *in, const int64_t *off,
                                         const float *W, int64_t ldW,
                                         float *out, int64_t ldo,
                                         const ConvAddend *add, float lo,
                                         float hi, bool clamp) {
  float acc[kConvStoreRows][16] = {};
  for (int64_t k = 0; k < K; ++k) {
    const float *x = in + off[k];
    const float *w = W + k * ldW;
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < 16; ++j)
        acc[i][j] += x[i] * w[j];
  }
  convStoreGeneric(&acc[0][0], 16, rows, nf, out, ldo, add, lo, hi, clamp);
}

namespace {

ConvTileStore selectConvTileStore() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AVX512_KERNELS)
  static const bool hasAVX512 = __builtin_cpu_supports("avx512f");
  if (hasAVX512 && !std::getenv("DSRT_GENERIC_KERNELS"))
    return convTileStoreAVX512;
#endif
  return convTileStoreGeneric;
}

ConvStore selectConvStore() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AVX512_KERNELS)
  static const bool hasAVX512 = __builtin_cpu_supports("avx512f");
  if (hasAVX512 && !std::getenv("DSRT_GENERIC_KERNELS"))
    return convStoreAVX512;
#endif
  return convStoreGeneric;
}

ConvTile selectConvTile() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AVX512_KERNELS)
  static const bool hasAVX512 = __builtin_cpu_supports("avx512f");
  if (hasAVX512 && !std::getenv("DSRT_GENERIC_KERNELS"))
    return convTileAVX512;
#endif
  return convTileGeneric;
}

/// Reduction steps per K slice: a 32-channel weight slice of kKC steps is
/// 32 KiB, so it stays in a 48 KiB L1 while the pixel tiles sweep it.
constexpr int64_t kKC = 256;
/// Floats of a task's output tile between stores (256 KiB, in L2).
constexpr int64_t kTileFloats = int64_t(64) << 10;
/// Below this many multiply-adds per task, splitting costs more than it saves.
constexpr int64_t kMinTaskWork = int64_t(1) << 20;

/// A buffer grown on demand and kept for the next call of this thread.
struct Growable {
  AlignedBuffer data;
  size_t size = 0;
  float *get(size_t want) {
    if (size < want) {
      data = alignedFloats(want);
      size = want;
    }
    return data.get();
  }
};

/// Weight panels of one convolution, all groups:
/// group g, panel jp at data + (g * panels + jp) * K * kConvCols, element
/// (k, j) at k * kConvCols + j; channels past F are zeros.
struct PackedWeights {
  AlignedBuffer data;
};

struct WeightKey {
  const float *p;
  int64_t G, F, C, KH, KW, s[5];
  bool operator==(const WeightKey &o) const {
    return p == o.p && G == o.G && F == o.F && C == o.C && KH == o.KH &&
           KW == o.KW && std::equal(s, s + 5, o.s);
  }
};

struct WeightKeyHash {
  size_t operator()(const WeightKey &k) const {
    size_t h = std::hash<const void *>()(k.p);
    for (int64_t v : {k.G, k.F, k.C, k.KH, k.KW, k.s[0], k.s[1], k.s[2],
                      k.s[3], k.s[4]})
      h = h * 1000003u ^ std::hash<int64_t>()(v);
    return h;
  }
};

std::mutex packedMutex;
std::unordered_map<WeightKey, std::shared_ptr<PackedWeights>, WeightKeyHash>
    packedWeights;

void packWeights(const DirectConv &p, float *dst) {
  int64_t K = p.C * p.KH * p.KW;
  int64_t panels = (p.F + kConvCols - 1) / kConvCols;
  const int64_t *s = p.sW;
  for (int64_t g = 0; g < p.G; ++g)
    for (int64_t jp = 0; jp < panels; ++jp) {
      float *panel = dst + (g * panels + jp) * K * kConvCols;
      for (int64_t j = 0; j < kConvCols; ++j) {
        int64_t f = jp * kConvCols + j;
        int64_t k = 0;
        for (int64_t c = 0; c < p.C; ++c)
          for (int64_t kh = 0; kh < p.KH; ++kh)
            for (int64_t kw = 0; kw < p.KW; ++kw, ++k)
              panel[k * kConvCols + j] =
                  f < p.F ? p.weight[g * s[0] + f * s[1] + c * s[2] +
                                     kh * s[3] + kw * s[4]]
                          : 0.0f;
      }
    }
}

size_t packedWeightFloats(const DirectConv &p) {
  int64_t panels = (p.F + kConvCols - 1) / kConvCols;
  return size_t(p.G * panels * p.C * p.KH * p.KW * kConvCols);
}

std::shared_ptr<PackedWeights> cachedWeights(const DirectConv &p) {
  WeightKey key{p.weight, p.G, p.F, p.C, p.KH, p.KW,
                {p.sW[0], p.sW[1], p.sW[2], p.sW[3], p.sW[4]}};
  std::lock_guard<std::mutex> lock(packedMutex);
  auto it = packedWeights.find(key);
  if (it != packedWeights.end())
    return it->second;
  auto packed = std::make_shared<PackedWeights>();
  packed->data = alignedFloats(packedWeightFloats(p));
  packWeights(p, packed->data.get());
  packedWeights.emplace(key, packed);
  return packed;
}

/// Width of the rows the tiles read (see convDirect): the input's own rows
/// when read in place, else the phase planes' rows.
int64_t readRowWidth(const DirectConv &p) {
  int64_t Hv = (p.OH - 1) * p.sh + (p.KH - 1) * p.dh + 1;
  int64_t Wv = (p.OW - 1) * p.sw + (p.KW - 1) * p.dw + 1;
  bool inPlace = p.sh == 1 && p.sw == 1 && p.padH == 0 && p.padW == 0 &&
                 p.sI[4] == 1 && p.sI[3] == p.IW && Hv <= p.IH && Wv <= p.IW;
  return inPlace ? p.IW : (Wv + p.sw - 1) / p.sw;
}

/// Largest reduction the pointwise variant is picked for by default. Its
/// tile issues one load per FMA (16 broadcasts + a weight vector per 16
/// FMAs, against 15 per 24 for the 12 x 32 tile), so it wins only where the
/// store dominates: measured (bench/conv.cpp, docs/direct-conv.md) faster
/// than both the 12 x 32 tile and the im2col GEMM for K = 16, 24, 32 at
/// 56^2-112^2, slower from K = 96 (96->24, 144->24, 144->32).
constexpr int64_t kStoreTileMaxK = 32;

/// Whether convDirect runs the pointwise variant (16 pixels x 16 channels,
/// stored from registers) rather than the 12 x 32 tile with its buffer.
/// DSRT_CONV_TILE=panel|pixel16 forces one where both apply (comparisons).
bool usesStoreTile(const DirectConv &p) {
  if (readRowWidth(p) != p.OW)
    return false;
  if (const char *e = std::getenv("DSRT_CONV_TILE")) {
    if (!std::strcmp(e, "panel"))
      return false;
    if (!std::strcmp(e, "pixel16"))
      return true;
  }
  return p.C * p.KH * p.KW <= kStoreTileMaxK;
}

} // namespace

bool dsrt::kernels::convDirectApplies(const DirectConv &p) {
  if (p.sO[4] != 1 || p.sO[3] != p.OW)
    return false;
  for (int t = 0; t < 2; ++t)
    if (p.add[t] && p.sAdd[t][3] != p.OW * p.sAdd[t][4])
      return false;
  // 1x1 stride-1 convolutions on large planes: the pixel-vectorized kernel.
  if (convPointwiseApplies(p))
    return true;
  // Depthwise has its own kernel; a handful of output channels would waste
  // most of the 32-channel tile (or the 16-channel one of the pointwise
  // variant).
  int64_t K = p.C * p.KH * p.KW;
  if (p.F >= 32 && K >= 27)
    return true;
  // 16-31 channels with a window wider than one column (the small CNN's
  // 3->16 3x3: 1.85x the GEMM's speed with one or two vectors of the 12 x
  // 32 tile). Pointwise shapes with K > 32 and F < 32 (MobileNetV2's 96->24,
  // 144->24) measured faster on the GEMM and stay there.
  if (p.F >= 16 && K >= 27 && readRowWidth(p) != p.OW)
    return true;
  return p.F >= 12 && K >= 8 && usesStoreTile(p);
}

void dsrt::kernels::convDirect(const DirectConv &p) {
  if (convPointwiseApplies(p)) {
    convPointwise(p);
    return;
  }
  ConvTile tileFn = selectConvTile();
  ConvStore storeFn = selectConvStore();
  int64_t N = p.N, G = p.G, F = p.F, C = p.C, OH = p.OH, OW = p.OW;
  int64_t KH = p.KH, KW = p.KW, K = C * KH * KW;

  // The input of one (image, group), per channel, as sh * sw phase planes
  // of Hh x Wh (phase (py, px) holds padded rows py, py + sh, ... and
  // columns px, px + sw, ...) with unit column stride and rows Wh apart: in
  // place when stride 1, unpadded and dense, else a zero-padded copy. Tap
  // (kh, kw) of the window at (oh, ow) is then at
  //   phase(kh*dh % sh, kw*dw % sw) + (oh + kh*dh / sh) * Wh + ow + kw*dw / sw,
  // linear in the virtual pixel q = oh * Wh + ow.
  int64_t sh = p.sh, sw = p.sw;
  int64_t Hv = (OH - 1) * sh + (KH - 1) * p.dh + 1;
  int64_t Wv = (OW - 1) * sw + (KW - 1) * p.dw + 1;
  int64_t Hh = (Hv + sh - 1) / sh, Wh = (Wv + sw - 1) / sw;
  const float *in = p.in;
  int64_t sN = p.sI[0], sG = p.sI[1], sC = p.sI[2], sPhase = Hh * Wh;
  bool inPlace = sh == 1 && sw == 1 && p.padH == 0 && p.padW == 0 &&
                 p.sI[4] == 1 && p.sI[3] == p.IW && Hv <= p.IH &&
                 Wv <= p.IW;
  thread_local Growable paddedInput;
  if (inPlace) {
    Wh = p.IW;
  } else {
    // Only the phases some tap reads are filled.
    std::vector<char> used(size_t(sh * sw), 0);
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t kw = 0; kw < KW; ++kw)
        used[size_t((kh * p.dh % sh) * sw + kw * p.dw % sw)] = 1;
    float *padded = paddedInput.get(size_t(N * G * C * sh * sw * sPhase));
    sC = sh * sw * sPhase;
    sG = C * sC;
    sN = G * sG;
    parallelFor(N * G * C, [&](int64_t plane) {
      int64_t n = plane / (G * C), g = plane / C % G, c = plane % C;
      const float *src = p.in + n * p.sI[0] + g * p.sI[1] + c * p.sI[2];
      for (int64_t py = 0; py < sh; ++py)
        for (int64_t px = 0; px < sw; ++px) {
          if (!used[size_t(py * sw + px)])
            continue;
          float *dst = padded + plane * sC + (py * sw + px) * sPhase;
          // Columns xx with 0 <= xx*sw + px - padW < IW: [lo, hi).
          int64_t first = p.padW - px; // ix of xx = 0 is -first
          int64_t lo = first <= 0 ? 0 : (first + sw - 1) / sw;
          int64_t hi = (p.IW - 1 + first) / sw + 1; // last valid xx + 1
          if (p.IW - 1 + first < 0)
            hi = 0;
          lo = std::min(lo, Wh);
          hi = std::max(lo, std::min(hi, Wh));
          for (int64_t yy = 0; yy < Hh; ++yy) {
            float *row = dst + yy * Wh;
            int64_t iy = yy * sh + py - p.padH;
            if (iy < 0 || iy >= p.IH) {
              std::fill(row, row + Wh, 0.0f);
              continue;
            }
            std::fill(row, row + lo, 0.0f);
            const float *s = src + iy * p.sI[3] + (lo * sw - first) * p.sI[4];
            int64_t step = sw * p.sI[4];
            if (step == 1)
              std::memcpy(row + lo, s, size_t(hi - lo) * sizeof(float));
            else
              for (int64_t xx = lo; xx < hi; ++xx)
                row[xx] = s[(xx - lo) * step];
            std::fill(row + hi, row + Wh, 0.0f);
          }
        }
    });
    in = padded;
  }

  // off[k] for k = (c, kh, kw): where the window's element k is, relative to
  // the window's first element.
  std::vector<int64_t> off(static_cast<size_t>(K));
  for (int64_t c = 0, k = 0; c < C; ++c)
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t kw = 0; kw < KW; ++kw, ++k) {
        int64_t y = kh * p.dh, x = kw * p.dw;
        off[size_t(k)] = c * sC + ((y % sh) * sw + x % sw) * sPhase +
                         y / sh * Wh + x / sw;
      }

  // Weight panels: cached for constant weights, else packed per call.
  std::shared_ptr<PackedWeights> cached;
  AlignedBuffer perCall;
  const float *weights;
  if (p.constantWeight) {
    cached = cachedWeights(p);
    weights = cached->data.get();
  } else {
    perCall = alignedFloats(packedWeightFloats(p));
    packWeights(p, perCall.get());
    weights = perCall.get();
  }

  int64_t P = OH * OW;
  int64_t panels = (F + kConvCols - 1) / kConvCols;
  int threads = numThreads();
  // Tasks: up to 4 per thread (a thread another process delays then holds
  // up a small part), none below kMinTaskWork multiply-adds, and a multiple
  // of the thread count once there are enough (3 equal tasks on 2 threads
  // leave one thread 2/3 of the work; 2 or 4 split it evenly).
  auto tasksWanted = [&](int64_t work) -> int64_t {
    if (threads <= 1 || N * G >= 2 * threads)
      return 1;
    int64_t n = std::min<int64_t>(4 * int64_t(threads), work / kMinTaskWork);
    return n < threads ? std::max<int64_t>(1, n) : n - n % threads;
  };

  if (Wh == OW && usesStoreTile(p)) {
    // The pointwise variant: tiles of 16 consecutive pixels (across output
    // rows), each computed for every 16-channel group over the whole
    // reduction and stored from registers. A block of tiles whose input
    // (C channels x 16 pixels each) fits in about 128 KiB of L2 is swept
    // once per channel group, so a group's weights stay in L1 meanwhile.
    // Tasks split the tiles; each output element is one call's sum in k
    // order whatever the split (deterministic).
    ConvTileStore tileStoreFn = selectConvTileStore();
    int64_t numTiles = (P + kConvStoreRows - 1) / kConvStoreRows;
    int64_t groups16 = (F + 15) / 16;
    int64_t tileParts = std::min(numTiles, tasksWanted(P * F * K));
    int64_t tileChunk = (numTiles + tileParts - 1) / tileParts;
    tileParts = (numTiles + tileChunk - 1) / tileChunk;
    int64_t blockTiles = std::max<int64_t>(
        1, (int64_t(32) << 10) / (C * KH * kConvStoreRows));
    parallelFor(N * G * tileParts, [&](int64_t t) {
      int64_t ng = t / tileParts, part = t % tileParts;
      int64_t n = ng / G, g = ng % G;
      int64_t t0 = part * tileChunk, t1 = std::min(numTiles, t0 + tileChunk);
      const float *x = in + n * sN + g * sG;
      float *o = p.out + n * p.sO[0] + g * p.sO[1];
      for (int64_t tb = t0; tb < t1; tb += blockTiles) {
        int64_t te = std::min(t1, tb + blockTiles);
        for (int64_t fg = 0; fg < groups16; ++fg) {
          int64_t f0 = fg * 16, nf = std::min<int64_t>(16, F - f0);
          const float *w = weights +
                           (g * panels + f0 / kConvCols) * K * kConvCols +
                           f0 % kConvCols;
          for (int64_t i = tb; i < te; ++i) {
            int64_t pix = i * kConvStoreRows;
            int rows = int(std::min<int64_t>(kConvStoreRows, P - pix));
            ConvAddend add[2];
            for (int a = 0; a < 2; ++a)
              if (p.add[a])
                add[a] = {p.add[a] + n * p.sAdd[a][0] + g * p.sAdd[a][1] +
                              f0 * p.sAdd[a][2] + pix * p.sAdd[a][4],
                          p.sAdd[a][2], p.sAdd[a][4]};
            tileStoreFn(rows, nf, K, x + pix, off.data(), w, kConvCols,
                        o + f0 * p.sO[2] + pix, p.sO[2], add, p.lo, p.hi,
                        p.clamp);
          }
        }
      }
    });
    return;
  }

  // Tiles of at most kConvRows consecutive output pixels, in pixel order.
  // When an input row is as wide as an output row (1x1, unpadded, stride 1)
  // pixel p reads from p and tiles run across rows; otherwise each output
  // row is cut as evenly as possible (7 -> 7, 14 -> 7 + 7, 56 -> 12 + 4 x
  // 11), so that no tile computes a pixel outside the output.
  struct PixelTile {
    int64_t pix, in; // first pixel: output index oh * OW + ow, input offset
    int rows;
  };
  std::vector<PixelTile> tiles;
  if (Wh == OW) {
    for (int64_t pix = 0; pix < P; pix += kConvRows)
      tiles.push_back({pix, pix, int(std::min<int64_t>(kConvRows, P - pix))});
  } else {
    int64_t perRow = (OW + kConvRows - 1) / kConvRows;
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t i = 0; i < perRow; ++i) {
        int64_t ow = OW * i / perRow, end = OW * (i + 1) / perRow;
        tiles.push_back({oh * OW + ow, oh * Wh + ow, int(end - ow)});
      }
  }
  int64_t numTiles = int64_t(tiles.size());
  // Split along channels first when the weights outweigh the input (late
  // layers: each task then reads only its own weights), then along pixel
  // tiles for the rest (5 panels on 2 threads would otherwise leave one
  // thread 3 of them), else along pixel tiles only.
  // DSRT_CONV_SPLIT=pixels|channels forces one split (for comparisons).
  bool alongChannels = F * K > C * Hv * Wv && panels > 1;
  if (const char *e = std::getenv("DSRT_CONV_SPLIT"))
    alongChannels = panels > 1 && !std::strcmp(e, "channels");
  int64_t wanted = tasksWanted(P * F * K);
  int64_t channelParts = alongChannels ? std::min(panels, wanted) : 1;
  int64_t panelChunk = (panels + channelParts - 1) / channelParts;
  channelParts = (panels + panelChunk - 1) / panelChunk;
  int64_t tileParts =
      std::min(numTiles, (wanted + channelParts - 1) / channelParts);
  int64_t tileChunk = (numTiles + tileParts - 1) / tileParts;
  tileParts = (numTiles + tileChunk - 1) / tileChunk;
  int64_t parts = channelParts * tileParts;

  // K slices of at most kKC steps, as even as possible (576 = 3 x 192
  // rather than 256 + 256 + 64: a short last slice costs a pass over the
  // partial sums for little work).
  int64_t slices = (K + kKC - 1) / kKC;
  int64_t kSlice = (K + slices - 1) / slices;

  thread_local Growable tileBuffer;
  parallelFor(N * G * parts, [&](int64_t t) {
    int64_t ng = t / parts, part = t % parts;
    int64_t n = ng / G, g = ng % G;
    int64_t p0 = part / tileParts * panelChunk;
    int64_t p1 = std::min(panels, p0 + panelChunk);
    int64_t t0 = part % tileParts * tileChunk;
    int64_t t1 = std::min(numTiles, t0 + tileChunk);
    // The task's tile buffer, pixel-major: row pix - (block's first pixel),
    // column (jp - p0) * 32 + j; rows padded by 16 floats against cache-set
    // conflicts. Pixel tiles go in blocks whose rows stay in L2 (about
    // 256 KiB) until they are stored.
    int64_t ldT = (p1 - p0) * kConvCols + 16;
    int64_t blockTiles = std::max<int64_t>(1, kTileFloats / (kConvRows * ldT));
    float *T = tileBuffer.get(
        size_t(std::min(blockTiles, t1 - t0) * kConvRows * ldT));
    const float *x = in + n * sN + g * sG;
    int64_t f0 = p0 * kConvCols, f1 = std::min(F, p1 * kConvCols);
    float *o = p.out + n * p.sO[0] + g * p.sO[1] + f0 * p.sO[2];
    ConvAddend add[2];
    for (int a = 0; a < 2; ++a)
      if (p.add[a])
        add[a] = {p.add[a] + n * p.sAdd[a][0] + g * p.sAdd[a][1] +
                      f0 * p.sAdd[a][2],
                  p.sAdd[a][2], p.sAdd[a][4]};
    for (int64_t tb = t0; tb < t1; tb += blockTiles) {
      int64_t te = std::min(t1, tb + blockTiles);
      int64_t pb = tiles[size_t(tb)].pix;
      int64_t pe = tiles[size_t(te - 1)].pix + tiles[size_t(te - 1)].rows;
      for (int64_t jp = p0; jp < p1; ++jp) {
        const float *w = weights + (g * panels + jp) * K * kConvCols;
        int vecs = F - jp * kConvCols > 16 ? 2 : 1;
        float *Tp = T + (jp - p0) * kConvCols;
        for (int64_t pc = 0, kc; pc < K; pc += kc) {
          kc = std::min(kSlice, K - pc);
          for (int64_t i = tb; i < te; ++i) {
            const PixelTile &tile = tiles[size_t(i)];
            tileFn(tile.rows, vecs, kc, x + tile.in, off.data() + pc,
                   w + pc * kConvCols, Tp + (tile.pix - pb) * ldT, ldT,
                   /*accumulate=*/pc > 0);
          }
        }
      }
      // Transpose into the output with the epilogue, up to 16 pixels at a
      // time, cut at multiples of 16 pixels (whole cache lines of the
      // output planes whose size is a multiple of 16).
      for (int64_t pix = pb, count; pix < pe; pix += count) {
        count = std::min<int64_t>(16 - pix % 16, pe - pix);
        ConvAddend at[2] = {add[0], add[1]};
        for (int a = 0; a < 2; ++a)
          if (at[a].p)
            at[a].p += pix * at[a].si;
        storeFn(T + (pix - pb) * ldT, ldT, count, f1 - f0, o + pix, p.sO[2],
                at, p.lo, p.hi, p.clamp);
      }
    }
  });
}

void dsrt::kernels::clearConvDirectPacked() {
  std::lock_guard<std::mutex> lock(packedMutex);
  packedWeights.clear();
  clearConvPointwisePacked();
}
