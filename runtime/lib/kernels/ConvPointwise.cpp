//===- ConvPointwise.cpp - pixel-vectorized 1x1 convolution --------------===//
//
// See ConvPointwise.h. The driver (cached weight blocks, the split into
// tasks, the tile loop) and the portable tile.
//
//===----------------------------------------------------------------------===//
#include "ConvPointwise.h"
#include "AlignedBuffer.h"

#include "../ThreadPool.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>

using namespace dsrt;
using namespace dsrt::kernels;

void dsrt::kernels::convPointwiseTileGeneric(int nf, int npix, int64_t K,
                                             const float *x, int64_t ldx,
                                             const float *W, float *out,
                                             int64_t ldo,
                                             const ConvAddend *add, float lo,
                                             float hi, bool clamp,
                                             bool /*prefetch*/) {
  constexpr int kPix = 16 * kPwVecs;
  float acc[kPwRows][kPix] = {};
  for (int64_t k = 0; k < K; ++k) {
    const float *xk = x + k * ldx;
    const float *w = W + k * kPwRows;
    for (int r = 0; r < nf; ++r)
      for (int i = 0; i < npix; ++i)
        acc[r][i] += w[r] * xk[i];
  }
  for (int r = 0; r < nf; ++r)
    for (int i = 0; i < npix; ++i) {
      float v = acc[r][i];
      for (int t = 0; t < 2; ++t)
        if (add[t].p)
          v += add[t].p[r * add[t].sf + i * add[t].si];
      if (clamp) {
        // A NaN value stays NaN (comparisons with it are false).
        v = v < lo ? lo : v;
        v = v > hi ? hi : v;
      }
      out[r * ldo + i] = v;
    }
}

namespace {

ConvPointwiseTile selectTile() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AVX512_KERNELS)
  static const bool hasAVX512 = __builtin_cpu_supports("avx512f");
  if (hasAVX512 && !std::getenv("DSRT_GENERIC_KERNELS"))
    return convPointwiseTileAVX512;
#endif
  return convPointwiseTileGeneric;
}

/// Pixels of a full tile.
constexpr int64_t kTilePixels = 16 * kPwVecs;
/// Below this many multiply-adds per task, splitting costs more than it saves.
constexpr int64_t kMinTaskWork = int64_t(1) << 20;

/// Blocks of kPwRows output channels of every group: group g, block b at
/// data + (g * blocks + b) * C * kPwRows, element (c, r) at c * kPwRows + r;
/// channels past F are zeros.
void packWeights(const DirectConv &p, float *dst) {
  int64_t blocks = (p.F + kPwRows - 1) / kPwRows;
  const int64_t *s = p.sW;
  for (int64_t g = 0; g < p.G; ++g)
    for (int64_t b = 0; b < blocks; ++b) {
      float *block = dst + (g * blocks + b) * p.C * kPwRows;
      for (int64_t c = 0; c < p.C; ++c)
        for (int64_t r = 0; r < kPwRows; ++r) {
          int64_t f = b * kPwRows + r;
          block[c * kPwRows + r] =
              f < p.F ? p.weight[g * s[0] + f * s[1] + c * s[2]] : 0.0f;
        }
    }
}

size_t packedFloats(const DirectConv &p) {
  return size_t(p.G * ((p.F + kPwRows - 1) / kPwRows) * p.C * kPwRows);
}

struct WeightKey {
  const float *p;
  int64_t G, F, C, s[3];
  bool operator==(const WeightKey &o) const {
    return p == o.p && G == o.G && F == o.F && C == o.C &&
           std::equal(s, s + 3, o.s);
  }
};

struct WeightKeyHash {
  size_t operator()(const WeightKey &k) const {
    size_t h = std::hash<const void *>()(k.p);
    for (int64_t v : {k.G, k.F, k.C, k.s[0], k.s[1], k.s[2]})
      h = h * 1000003u ^ std::hash<int64_t>()(v);
    return h;
  }
};

std::mutex packedMutex;
std::unordered_map<WeightKey, std::shared_ptr<AlignedBuffer>, WeightKeyHash>
    packedWeights;

std::shared_ptr<AlignedBuffer> cachedWeights(const DirectConv &p) {
  WeightKey key{p.weight, p.G, p.F, p.C, {p.sW[0], p.sW[1], p.sW[2]}};
  std::lock_guard<std::mutex> lock(packedMutex);
  auto it = packedWeights.find(key);
  if (it != packedWeights.end())
    return it->second;
  auto packed = std::make_shared<AlignedBuffer>(alignedFloats(packedFloats(p)));
  packWeights(p, packed->get());
  packedWeights.emplace(key, packed);
  return packed;
}

/// Whether the kernel can run `p` at all.
bool canRun(const DirectConv &p) {
  if (p.KH != 1 || p.KW != 1 || p.sh != 1 || p.sw != 1 || p.padH != 0 ||
      p.padW != 0 || p.IH != p.OH || p.IW != p.OW)
    return false;
  // Dense input planes (pixel p of channel c at c * sI[2] + p) and flat
  // output planes.
  if (p.sI[4] != 1 || p.sI[3] != p.IW || p.sO[4] != 1 || p.sO[3] != p.OW)
    return false;
  for (int t = 0; t < 2; ++t)
    if (p.add[t] && (p.sAdd[t][3] != p.OW * p.sAdd[t][4] ||
                     (p.sAdd[t][4] != 0 && p.sAdd[t][4] != 1)))
      return false;
  return p.C > 0 && p.F > 0;
}

} // namespace

bool dsrt::kernels::convPointwiseApplies(const DirectConv &p) {
  if (!canRun(p))
    return false;
  if (const char *e = std::getenv("DSRT_CONV_TILE")) {
    if (!std::strcmp(e, "pixelvec"))
      return true;
    if (!std::strcmp(e, "panel") || !std::strcmp(e, "pixel16"))
      return false;
  }
  // Measured (bench/conv.cpp, docs/direct-conv.md): faster than every other
  // path on MobileNetV2's 1x1 shapes with planes of at least 28 x 28
  // (16-144 output channels, 16-192 input channels); on 14 x 14 and 7 x 7
  // planes the channel-vectorized tiles are as fast or faster (196 and 49
  // pixels leave lanes of the 48-pixel tile empty, and there the weights,
  // not the input, are the larger stream). Outside the measured channel
  // counts the previous choice stands (fewer than 8 output channels leave
  // most of a block's FMAs unused; a reduction longer than 256 no longer
  // keeps a tile's input, C x 192 bytes, in L1).
  return p.OH * p.OW >= 784 && p.F >= 16 && p.C <= 256;
}

void dsrt::kernels::convPointwise(const DirectConv &p) {
  ConvPointwiseTile tileFn = selectTile();
  int64_t N = p.N, G = p.G, F = p.F, C = p.C, P = p.OH * p.OW;
  std::shared_ptr<AlignedBuffer> cached;
  AlignedBuffer perCall;
  const float *weights;
  if (p.constantWeight) {
    cached = cachedWeights(p);
    weights = cached->get();
  } else {
    perCall = alignedFloats(packedFloats(p));
    packWeights(p, perCall.get());
    weights = perCall.get();
  }

  int64_t blocks = (F + kPwRows - 1) / kPwRows;
  int64_t numTiles = (P + kTilePixels - 1) / kTilePixels;
  int threads = numThreads();
  // Up to 4 tasks per thread (a thread another process delays then holds
  // up a small part), none below kMinTaskWork multiply-adds, and a multiple
  // of the thread count (3 equal tasks on 2 threads take 2 tasks' time).
  int64_t wanted = 1;
  if (threads > 1 && N * G < 2 * threads) {
    wanted = std::min<int64_t>(4 * int64_t(threads), P * F * C / kMinTaskWork);
    wanted = wanted < threads ? std::max<int64_t>(1, wanted)
                              : wanted - wanted % threads;
  }
  // Split the pixel tiles first (each task then reads only its part of the
  // input), then the channel blocks.
  int64_t tileParts = std::min(numTiles, wanted);
  int64_t tileChunk = (numTiles + tileParts - 1) / tileParts;
  tileParts = (numTiles + tileChunk - 1) / tileChunk;
  int64_t blockParts = std::min(blocks, (wanted + tileParts - 1) / tileParts);
  int64_t blockChunk = (blocks + blockParts - 1) / blockParts;
  blockParts = (blocks + blockChunk - 1) / blockChunk;
  int64_t parts = tileParts * blockParts;
  int64_t blockTiles = std::max<int64_t>(
      1, (int64_t(128) << 10) / (C * kTilePixels * int64_t(sizeof(float))));

  parallelFor(N * G * parts, [&](int64_t t) {
    int64_t ng = t / parts, part = t % parts;
    int64_t n = ng / G, g = ng % G;
    int64_t i0 = part % tileParts * tileChunk;
    int64_t i1 = std::min(numTiles, i0 + tileChunk);
    int64_t b0 = part / tileParts * blockChunk;
    int64_t b1 = std::min(blocks, b0 + blockChunk);
    const float *x = p.in + n * p.sI[0] + g * p.sI[1];
    float *o = p.out + n * p.sO[0] + g * p.sO[1];
    const float *w = weights + g * blocks * C * kPwRows;
    // Blocks of pixel tiles whose input (C rows of 48 floats per tile)
    // fits about 128 KiB of L2, swept once per channel block: a block's
    // weights stay in L1 meanwhile, and its 8 output planes are written as
    // 8 long runs (a store stream per plane that the L2 prefetcher follows;
    // a tile at a time over all channels would write F short runs, and
    // with a cold output each line would wait for its read for ownership).
    // The first channel block prefetches each tile's successor's input.
    for (int64_t tb = i0; tb < i1; tb += blockTiles) {
      int64_t te = std::min(i1, tb + blockTiles);
      for (int64_t b = b0; b < b1; ++b) {
        int64_t f0 = b * kPwRows;
        int nf = int(std::min<int64_t>(kPwRows, F - f0));
        for (int64_t i = tb; i < te; ++i) {
          int64_t pix = i * kTilePixels;
          int npix = int(std::min(kTilePixels, P - pix));
          ConvAddend add[2];
          for (int a = 0; a < 2; ++a)
            if (p.add[a])
              add[a] = {p.add[a] + n * p.sAdd[a][0] + g * p.sAdd[a][1] +
                            f0 * p.sAdd[a][2] + pix * p.sAdd[a][4],
                        p.sAdd[a][2], p.sAdd[a][4]};
          tileFn(nf, npix, C, x + pix, p.sI[2], w + b * C * kPwRows,
                 o + f0 * p.sO[2] + pix, p.sO[2], add, p.lo, p.hi, p.clamp,
                 /*prefetch=*/b == b0 && i + 1 < i1);
        }
      }
    }
  });
}

void dsrt::kernels::clearConvPointwisePacked() {
  std::lock_guard<std::mutex> lock(packedMutex);
  packedWeights.clear();
}
