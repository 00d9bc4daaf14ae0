//===- Gemm.cpp - packed, blocked, threaded fp32 GEMM and convolution ----===//
//
// The classic Goto/BLIS structure: C is cut into column blocks of kNC and
// K into slices of kKC; for each (column block, K slice) the B slice is
// packed once into kNR-wide panels (in L2), then for each row block of kMC
// the A block is packed into kMR-high panels and the microkernel sweeps
// them, each A panel (in L1) against every B panel of the slice (streaming
// from L2 with software prefetch; see the blocking constants below).
// Constant operands skip the per-call packing: their whole-K packed form is
// cached.
//
// B is reached through a "row filler" so the same driver serves GEMM (B is
// a strided matrix) and convolution (B is the im2col matrix of the input,
// packed straight from the input without materializing it).
//
// Threads: the caller's (M, N) problem, times the batch, is cut into tasks
// along N (or M when N is narrow) that run on the runtime's pool; each task
// packs its own operands, so tasks share nothing but read-only inputs: a
// large product with neither operand constant gives each thread a range of
// columns, whose B slices it packs into its own L2, and every thread packs
// the A blocks it needs. One large product with both operands constant
// (packed whole, once) is cut into a grid instead, each thread a range of
// columns (gemmGrid).
//
//===----------------------------------------------------------------------===//
#include "../Internal.h"
#include "../ThreadPool.h"
#include "AlignedBuffer.h"
#include "ConvDirect.h"
#include "Depthwise.h"
#include "Epilogue.h"
#include "Gemv.h"
#include "Microkernel.h"

#include "dsrt/kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>
#include <sys/mman.h>

using namespace dsrt;
using namespace dsrt::kernels;

//===----------------------------------------------------------------------===//
// Microkernel selection
//===----------------------------------------------------------------------===//

void dsrt::kernels::microkernelGeneric(int mr, int nr, int64_t kc,
                                       const float *Ap, const float *Bp,
                                       int64_t ldb, float *C, int64_t ldc,
                                       bool accumulate) {
  float acc[kMR][kNR] = {};
  for (int64_t k = 0; k < kc; ++k)
    for (int i = 0; i < mr; ++i) {
      float a = Ap[k * kMR + i];
      for (int j = 0; j < nr; ++j)
        acc[i][j] += a * Bp[k * ldb + j];
    }
  for (int i = 0; i < mr; ++i)
    for (int j = 0; j < nr; ++j)
      C[i * ldc + j] = accumulate ? C[i * ldc + j] + acc[i][j] : acc[i][j];
}

Microkernel dsrt::kernels::selectMicrokernel() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AVX512_KERNELS)
  if (!std::getenv("DSRT_GENERIC_KERNELS") && __builtin_cpu_supports("avx512f"))
    return microkernelAVX512;
#endif
  return microkernelGeneric;
}

void dsrt::kernels::packPanelGeneric(const float *src, int64_t ld,
                                     int64_t kc, float *dst) {
  for (int64_t i = 0; i < kMR; ++i)
    for (int64_t k = 0; k < kc; ++k)
      dst[k * kMR + i] = src[i * ld + k];
}

PanelPacker dsrt::kernels::selectPanelPacker() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AVX512_KERNELS)
  if (!std::getenv("DSRT_GENERIC_KERNELS") && __builtin_cpu_supports("avx512f"))
    return packPanelAVX512;
#endif
  return packPanelGeneric;
}

namespace {

const Microkernel microkernel = selectMicrokernel();
const PanelPacker panelPacker = selectPanelPacker();

/// What a GEMM block does at its innermost step: the microkernel, the
/// packer of full A panels, and for a fused call (epilogue set) the
/// epilogue applied to each finished tile, the first K slice writing C
/// instead of accumulating.
struct BlockOps {
  Microkernel micro = microkernel;
  PanelPacker pack = panelPacker;
  const Epilogue *epilogue = nullptr;
  EpilogueTile epilogueTile = nullptr;
};

/// The kernels chosen at load time, or the portable ones while
/// DSRT_GENERIC_KERNELS is set: read per sgemm call (one getenv, ~0.1 us)
/// so that tests can cover both on one process.
BlockOps currentOps() {
  BlockOps ops;
  if (std::getenv("DSRT_GENERIC_KERNELS")) {
    ops.micro = microkernelGeneric;
    ops.pack = packPanelGeneric;
  }
  return ops;
}

/// Cache blocking, for a 48 KiB L1 and 2 MiB L2 per core (the BLIS
/// arrangement with the roles of A and B swapped, since A is the operand
/// the microkernel broadcasts): an A panel, kKC x kMR (12 KiB), stays in L1
/// while the microkernel sweeps the kKC x kNC B slice (1 MiB, half of L2)
/// panel by panel; a kMC x kKC A block is 144 KiB. Measured with one
/// thread on a loaded host (CPU time, three interleaved rounds of 15 calls)
/// against the previous kKC = 512 with each B panel against every A panel
/// of the block: 1024^3 146-153 vs 135-137 GFLOP/s, 2048^3 +10 %, 256^3
/// +5 %; kKC = 128, 192, 320, 384, kNC = 512, 768 and kMC = 48, 288 were
/// no better.
constexpr int64_t kKC = 256;
constexpr int64_t kMC = 12 * kMR;
constexpr int64_t kNC = 1024;

/// Below this many multiply-adds per task, splitting costs more than it saves.
constexpr int64_t kMinTaskWork = int64_t(1) << 21;

/// Per-thread packing buffers, grown on demand and kept for the next call.
struct Scratch {
  /// a, b: the A block and B slice a task packs; row: one row of an
  /// im2col B.
  std::unique_ptr<float, AlignedFree> a, b, c, row;
  int64_t aSize = 0, bSize = 0, rowSize = 0;
  float *get(std::unique_ptr<float, AlignedFree> &buf, int64_t &size,
             int64_t want) {
    if (size < want) {
      buf = alignedFloats(size_t(want));
      size = want;
    }
    return buf.get();
  }
  float *tile() {
    if (!c)
      c.reset(static_cast<float *>(
          std::aligned_alloc(64, size_t(kMR) * kNR * sizeof(float))));
    return c.get();
  }
};

Scratch &scratch() {
  thread_local Scratch s;
  return s;
}

/// A: element (i, k) at p[i*s0 + k*s1].
struct MatrixA {
  const float *p;
  int64_t s0, s1;
};

/// Packs rows [i0, i0+mc) x columns [k0, k0+kc) of A into kMR-row panels.
void packA(const MatrixA &A, int64_t i0, int64_t mc, int64_t k0, int64_t kc,
           float *dst, PanelPacker packer = panelPacker) {
  for (int64_t ip = 0; ip < mc; ip += kMR) {
    int64_t mr = std::min<int64_t>(kMR, mc - ip);
    float *panel = dst + ip * kc;
    if (mr == kMR && A.s1 == 1) {
      // Rows contiguous: the transposing packer (16 columns at a time in
      // registers with AVX-512 instead of one 4-byte store per element).
      packer(A.p + (i0 + ip) * A.s0 + k0, A.s0, kc, panel);
      continue;
    }
    if (A.s0 == 1) {
      // Columns contiguous (A transposed): each step k is one run of mr.
      const float *src = A.p + (i0 + ip) + k0 * A.s1;
      for (int64_t k = 0; k < kc; ++k)
        std::memcpy(panel + k * kMR, src + k * A.s1,
                    size_t(mr) * sizeof(float));
      continue;
    }
    for (int64_t i = 0; i < mr; ++i) {
      const float *src = A.p + (i0 + ip + i) * A.s0 + k0 * A.s1;
      if (A.s1 == 1)
        for (int64_t k = 0; k < kc; ++k)
          panel[k * kMR + i] = src[k];
      else
        for (int64_t k = 0; k < kc; ++k)
          panel[k * kMR + i] = src[k * A.s1];
    }
  }
}

/// A packed whole: kMR-row panels over all of K, panel p (rows p*kMR ...)
/// at data + p*kMR*K, so the kc slice from k0 of a panel starts k0*kMR
/// further: the layout packA produces per block, without the copy.
struct PackedConstant {
  std::unique_ptr<float, AlignedFree> data;
};

struct PackKey {
  const float *p;
  int64_t M, K, s0, s1;
  bool isB; // B's packing of the same data differs from A's
  bool operator==(const PackKey &o) const {
    return p == o.p && M == o.M && K == o.K && s0 == o.s0 && s1 == o.s1 &&
           isB == o.isB;
  }
};

struct PackKeyHash {
  size_t operator()(const PackKey &k) const {
    size_t h = std::hash<const void *>()(k.p);
    for (int64_t v : {k.M, k.K, k.s0, k.s1, int64_t(k.isB)})
      h = h * 1000003u ^ std::hash<int64_t>()(v);
    return h;
  }
};

std::mutex packedMutex;
std::unordered_map<PackKey, std::shared_ptr<PackedConstant>, PackKeyHash>
    packedConstants;

/// The whole-K packed form of constant A (rows [0, M)), packed on first use.
std::shared_ptr<PackedConstant> packedConstant(const MatrixA &A, int64_t M,
                                               int64_t K) {
  PackKey key{A.p, M, K, A.s0, A.s1, false};
  std::lock_guard<std::mutex> lock(packedMutex);
  auto it = packedConstants.find(key);
  if (it != packedConstants.end())
    return it->second;
  auto packed = std::make_shared<PackedConstant>();
  int64_t rows = (M + kMR - 1) / kMR * kMR;
  packed->data = alignedFloats(size_t(rows) * size_t(K));
  for (int64_t ip = 0; ip < M; ip += kMR)
    packA(A, ip, std::min<int64_t>(kMR, M - ip), 0, K,
          packed->data.get() + ip * K);
  packedConstants.emplace(key, packed);
  return packed;
}

/// B as a strided matrix: element (k, n) at p[k*s0 + n*s1].
struct MatrixB {
  const float *p;
  int64_t s0, s1;
  /// Writes B[k, n0 .. n0+count) to dst.
  void row(int64_t k, int64_t n0, int64_t count, float *dst) const {
    const float *src = p + k * s0 + n0 * s1;
    if (s1 == 1) {
      std::memcpy(dst, src, size_t(count) * sizeof(float));
      return;
    }
    for (int64_t j = 0; j < count; ++j)
      dst[j] = src[j * s1];
  }
  /// Row k of columns from n0 when B can be read in place, else null.
  const float *direct(int64_t k, int64_t n0) const {
    return s1 == 1 ? p + k * s0 + n0 : nullptr;
  }
  /// The distance between rows read in place.
  int64_t ld() const { return s0; }
};

/// The im2col matrix of one (image, group) of a convolution, without
/// materializing it: row k = (c, kh, kw), column n = (oh, ow). Input rows
/// and columns outside [0, IH) x [0, IW) (after subtracting the padding
/// padH, padW) read as zeros.
struct Im2colB {
  const float *in;
  int64_t sc, sh, sw; // input strides of c, h, w
  int64_t OW, KH, KW, strideH, strideW, dilH, dilW;
  int64_t IH, IW, padH, padW;
  /// A 1x1, unit-stride, unpadded window over rows stored back to back:
  /// row k of B is channel k of the input, read as one run.
  bool dense() const {
    return KH == 1 && KW == 1 && strideH == 1 && strideW == 1 && sw == 1 &&
           padH == 0 && padW == 0 && sh == OW && IW == OW;
  }
  void row(int64_t k, int64_t n0, int64_t count, float *dst) const {
    if (dense()) {
      std::memcpy(dst, in + k * sc + n0, size_t(count) * sizeof(float));
      return;
    }
    int64_t kw = k % KW, kh = (k / KW) % KH, c = k / (KW * KH);
    const float *base = in + c * sc;
    int64_t oh = n0 / OW, ow = n0 % OW;
    int64_t step = strideW * sw;
    for (int64_t j = 0; j < count;) {
      int64_t run = std::min(count - j, OW - ow);
      int64_t iy = oh * strideH + kh * dilH - padH;
      int64_t ix = ow * strideW + kw * dilW - padW; // of the run's first
      float *d = dst + j;
      j += run;
      ow = 0;
      ++oh;
      if (iy < 0 || iy >= IH) {
        std::fill(d, d + run, 0.0f);
        continue;
      }
      // Columns t of the run with 0 <= ix + t*strideW < IW: [lo, hi).
      int64_t lo = ix >= 0 ? 0 : (-ix + strideW - 1) / strideW;
      int64_t hi = ix >= IW ? 0 : (IW - 1 - ix) / strideW + 1;
      lo = std::min(lo, run);
      hi = std::max(lo, std::min(hi, run));
      std::fill(d, d + lo, 0.0f);
      std::fill(d + hi, d + run, 0.0f);
      const float *src = base + iy * sh + (ix + lo * strideW) * sw;
      if (step == 1)
        std::memcpy(d + lo, src, size_t(hi - lo) * sizeof(float));
      else
        for (int64_t t = 0; t < hi - lo; ++t)
          d[lo + t] = src[t * step];
    }
  }
  const float *direct(int64_t k, int64_t n0) const {
    return dense() ? in + k * sc + n0 : nullptr;
  }
  int64_t ld() const { return sc; }
};

/// Packs rows [k0, k0+kc) x columns [n0, n0+nc) of B into kNR-wide panels,
/// zero-padding the last one. Row by row: each source row is read once,
/// front to back, and scattered into the panels. (Walking one panel at a
/// time instead reads kNR columns of kc rows a row stride apart, a new page
/// every row for a large B, which the hardware prefetchers do not follow:
/// 8.7 % of a 1024^3 call's time that way, 4.9 % this way.)
template <typename B>
void packB(const B &b, int64_t k0, int64_t kc, int64_t n0, int64_t nc,
           float *dst) {
  int64_t full = nc / kNR * kNR;
  float *rowBuf = nullptr;
  for (int64_t k = 0; k < kc; ++k) {
    const float *src = b.direct(k0 + k, n0);
    if (!src) {
      if (!rowBuf) {
        Scratch &s = scratch();
        rowBuf = s.get(s.row, s.rowSize, nc);
      }
      b.row(k0 + k, n0, nc, rowBuf);
      src = rowBuf;
    }
    float *d = dst + k * kNR;
    for (int64_t jp = 0; jp < full; jp += kNR)
      std::memcpy(d + jp * kc, src + jp, kNR * sizeof(float));
    if (full < nc) {
      float *last = d + full * kc;
      std::memcpy(last, src + full, size_t(nc - full) * sizeof(float));
      std::fill(last + (nc - full), last + kNR, 0.0f);
    }
  }
}

/// The whole-K packed form of constant B (columns [0, N)), packed on first
/// use: panel j (columns j*kNR ...) at data + j*kNR*K, zero-padded.
std::shared_ptr<PackedConstant> packedConstantB(const MatrixB &B, int64_t K,
                                                int64_t N) {
  PackKey key{B.p, N, K, B.s0, B.s1, true};
  std::lock_guard<std::mutex> lock(packedMutex);
  auto it = packedConstants.find(key);
  if (it != packedConstants.end())
    return it->second;
  auto packed = std::make_shared<PackedConstant>();
  int64_t cols = (N + kNR - 1) / kNR * kNR;
  packed->data = alignedFloats(size_t(cols) * size_t(K));
  packB(B, 0, K, 0, N, packed->data.get());
  packedConstants.emplace(key, packed);
  return packed;
}

/// Prefetches into L2 share `step` of `steps` of the `count` floats at p.
inline void prefetchShareL2(const float *p, int64_t count, int64_t step,
                            int64_t steps) {
  constexpr int64_t kLine = 64 / sizeof(float);
  int64_t lines = (count + kLine - 1) / kLine;
  int64_t per = (lines + steps - 1) / steps;
  for (int64_t l = step * per, e = std::min(lines, l + per); l < e; ++l)
    __builtin_prefetch(p + l * kLine, /*rw=*/0, /*locality=*/2);
}

/// C: element (i, n) at p[i*s0 + n*s1].
struct MatrixC {
  float *p;
  int64_t s0, s1;
};

/// C[m0:m1, n0:n1] += A[m0:m1, :] · B[:, n0:n1] on the calling thread.
/// `packedA`, when set, is A in PackedConstant's layout (m0 a multiple of
/// kMR).
/// `packedB`, when set, is B packed whole: kNR-column panels over all of K,
/// panel j at packedB + j*kNR*K (n0 a multiple of kNR).
/// `ops.epilogue`, when set, makes the block write C (the first K slice
/// overwrites it) and finish each tile with the epilogue (element (i, n) of
/// the epilogue's addends is that of C).
template <typename B>
void gemmBlock(int64_t m0, int64_t m1, int64_t n0, int64_t n1, int64_t K,
               const MatrixA &A, const float *packedA, const B &b,
               const float *packedB, const MatrixC &C,
               const BlockOps &ops = {}) {
  Scratch &s = scratch();
  int64_t M = m1 - m0;
  // With few rows, packing B costs as much as the product: read it in place
  // when its rows are contiguous.
  bool packingB = !packedB && (M > 2 * kMR || !b.direct(0, n0));
  int64_t ncMax = std::min<int64_t>(kNC, (n1 - n0 + kNR - 1) / kNR * kNR);
  float *bp = packingB ? s.get(s.b, s.bSize, kKC * ncMax) : nullptr;
  float *ap = packedA ? nullptr
                      : s.get(s.a, s.aSize,
                              kKC * std::min<int64_t>(kMC, (M + kMR - 1) / kMR * kMR));
  float *tile = C.s1 == 1 ? nullptr : s.tile();

  for (int64_t jc = n0; jc < n1; jc += kNC) {
    int64_t nc = std::min(kNC, n1 - jc);
    for (int64_t pc = 0; pc < K; pc += kKC) {
      int64_t kc = std::min(kKC, K - pc);
      const Epilogue *epi = ops.epilogue;
      bool first = pc == 0, last = pc + kc >= K;
      bool accumulate = !(epi && first);
      bool finish = epi && last && !epi->empty();
      if (packingB)
        packB(b, pc, kc, jc, nc, bp);
      for (int64_t ic = m0; ic < m1; ic += kMC) {
        int64_t mc = std::min(kMC, m1 - ic);
        // Panel ir of this block: packed now (stride kc between panels) or
        // once for all calls (stride K, k offset pc).
        const float *aBlock = packedA ? packedA + ic * K + pc * kMR : ap;
        int64_t aPanelStride = packedA ? K : kc;
        if (!packedA)
          packA(A, ic, mc, pc, kc, ap, ops.pack);
        // One microkernel call: A panel ir of the block against B panel jr.
        auto tileAt = [&](int64_t ir, int64_t jr) {
          int mr = int(std::min<int64_t>(kMR, mc - ir));
          int nr = int(std::min<int64_t>(kNR, nc - jr));
          const float *aPanel = aBlock + ir * aPanelStride;
          const float *bPanel = packedB    ? packedB + (jc + jr) * K + pc * kNR
                                : packingB ? bp + jr * kc
                                           : b.direct(pc, jc + jr);
          int64_t ldb = packedB || packingB ? kNR : b.ld();
          float *c = C.p + (ic + ir) * C.s0 + (jc + jr) * C.s1;
          if (!tile) {
            ops.micro(mr, nr, kc, aPanel, bPanel, ldb, c, C.s0, accumulate);
            if (finish)
              ops.epilogueTile(*epi, ic + ir, mr, jc + jr, nr, c, C.s0);
            return;
          }
          // Strided columns: compute into a dense tile, then add or store.
          ops.micro(mr, nr, kc, aPanel, bPanel, ldb, tile, kNR,
                    /*accumulate=*/false);
          if (!epi) {
            for (int i = 0; i < mr; ++i)
              for (int j = 0; j < nr; ++j)
                c[i * C.s0 + j * C.s1] += tile[i * kNR + j];
            return;
          }
          if (!first)
            for (int i = 0; i < mr; ++i)
              for (int j = 0; j < nr; ++j)
                tile[i * kNR + j] += c[i * C.s0 + j * C.s1];
          if (finish)
            ops.epilogueTile(*epi, ic + ir, mr, jc + jr, nr, tile, kNR);
          for (int i = 0; i < mr; ++i)
            for (int j = 0; j < nr; ++j)
              c[i * C.s0 + j * C.s1] = tile[i * kNR + j];
        };
        if (packedB || packingB) {
          // Packed B: an A panel (kc x kMR, in L1) against every B panel
          // of the slice (in L2), the B panels streaming in order. A packed
          // whole is not in L2 (a block packed here is): each tile also
          // prefetches a share of the next A panel into L2.
          int64_t steps = (nc + kNR - 1) / kNR;
          for (int64_t ir = 0; ir < mc; ir += kMR) {
            const float *next =
                packedA && ic + ir + kMR < m1
                    ? packedA + (ic + ir + kMR) * K + pc * kMR
                    : nullptr;
            for (int64_t jr = 0, step = 0; jr < nc; jr += kNR, ++step) {
              tileAt(ir, jr);
              if (next)
                prefetchShareL2(next, kc * kMR, step, steps);
            }
          }
        } else {
          // B read in place (a few rows of A): each B panel once, against
          // every A panel, while it is in cache.
          for (int64_t jr = 0; jr < nc; jr += kNR)
            for (int64_t ir = 0; ir < mc; ir += kMR)
              tileAt(ir, jr);
        }
      }
    }
  }
}

/// How to cut one M x N product into tasks.
struct Split {
  bool alongN;
  int64_t parts, chunk;
};

/// `packedA`: A is packed already, so tasks along N share it for free;
/// otherwise each task packs the A rows it uses, and splitting along M
/// packs every row once (B's packing, a row copy, is what repeats).
/// `packedB`: B is packed already too; with both packed, more tasks than
/// threads cost no repeated packing and balance a shared machine better.
Split splitWork(int64_t M, int64_t N, int64_t K, int64_t batch,
                bool packedA, bool packedB = false) {
  int threads = numThreads();
  int64_t work = M * N * K;
  int64_t parts = 1;
  if (threads > 1 && work >= 2 * kMinTaskWork) {
    // One task per thread when the batch does not already provide them and
    // tasks would repeat packing (measured: 4 per thread lost ~10 % at
    // 1024^3 on 2 threads); four per thread when the operands they share
    // are packed once: a thread that another process delays then holds up
    // one small task, not half the work.
    int64_t perThread = (packedA && packedB) || (packedA && N >= M) ? 4 : 1;
    int64_t wanted = batch >= 2 * threads ? 1 : perThread * threads;
    parts = std::max<int64_t>(1, std::min(wanted, work / kMinTaskWork));
  }
  bool alongN = packedA ? N >= kNR * parts || N >= M
                        : N >= M || M < kMR * parts;
  int64_t unit = alongN ? kNR : kMR;
  int64_t extent = alongN ? N : M;
  int64_t units = (extent + unit - 1) / unit;
  parts = std::max<int64_t>(1, std::min(parts, units));
  int64_t chunk = (units + parts - 1) / parts * unit;
  parts = (extent + chunk - 1) / chunk;
  return {alongN, parts, chunk};
}

template <typename B>
void runTask(const Split &split, int64_t part, int64_t M, int64_t N,
             int64_t K, const MatrixA &A, const float *packedA, const B &b,
             const float *packedB, const MatrixC &C,
             const BlockOps &ops = {}) {
  int64_t lo = part * split.chunk;
  int64_t hi = std::min(lo + split.chunk, split.alongN ? N : M);
  if (split.alongN)
    gemmBlock(0, M, lo, hi, K, A, packedA, b, packedB, C, ops);
  else
    gemmBlock(lo, hi, 0, N, K, A, packedA, b, packedB, C, ops);
}

/// The fewest B panels of a column range of the grid: an A panel fetched
/// into L1 runs against at least this many B panels.
constexpr int64_t kGridMinPanels = 8;
/// Row ranges per column range when the grid splits N: four per thread, as
/// the row-only split had (a thread that another process delays holds up a
/// small range); each still runs ~21 A panels (at 1024 rows) against the
/// B slice its core keeps in L2. Two were no better on the loaded host.
constexpr int64_t kGridRowParts = 4;

/// How gemmGrid cuts C: `cols` ranges of `colChunk` columns (whole kNR
/// panels) times `rows` ranges of `rowChunk` rows (whole kMR panels).
struct Grid {
  int64_t rows, rowChunk, cols, colChunk;
};

/// A and B are packed whole, so column ranges share A for free: each thread
/// streams only its columns' share of B and keeps it in its own L2.
Grid gridSplit(int64_t M, int64_t N, int64_t K) {
  int64_t threads = numThreads();
  int64_t units = (M + kMR - 1) / kMR, panels = (N + kNR - 1) / kNR;
  int64_t cols = std::max<int64_t>(
      1, std::min<int64_t>(threads, panels / kGridMinPanels));
  // kGridRowParts ranges per column range (four per thread when N is too
  // narrow to split), each of at least two panels.
  int64_t tasks = cols > 1 ? kGridRowParts * cols : 4 * threads;
  tasks = std::max<int64_t>(1, std::min(tasks, M * N * K / kMinTaskWork));
  int64_t rows = std::max<int64_t>(
      1, std::min<int64_t>((tasks + cols - 1) / cols, units / 2));
  Grid g;
  g.colChunk = (panels + cols - 1) / cols * kNR;
  g.cols = (N + g.colChunk - 1) / g.colChunk;
  g.rowChunk = (units + rows - 1) / rows * kMR;
  g.rows = (M + g.rowChunk - 1) / g.rowChunk;
  return g;
}

/// C += A·B on several threads, cut by gridSplit. `packedA` and `packedB`
/// are the operands packed whole (PackedConstant's layouts).
/// Task t is row range t / cols and column range t % cols: the first tasks
/// the threads take are one row range, each thread a column range. Every
/// tile runs the microkernel over the same K slices as gemmBlock on any
/// split, so results are bitwise the same on any thread count.
void gemmGrid(int64_t M, int64_t N, int64_t K, const MatrixA &A,
              const float *packedA, const MatrixB &B, const float *packedB,
              const MatrixC &C, const BlockOps &ops) {
  Grid g = gridSplit(M, N, K);
  parallelFor(g.rows * g.cols, [&](int64_t t) {
    int64_t m0 = t / g.cols * g.rowChunk, n0 = t % g.cols * g.colChunk;
    int64_t m1 = std::min(M, m0 + g.rowChunk), n1 = std::min(N, n0 + g.colChunk);
    gemmBlock(m0, m1, n0, n1, K, A, packedA, B, packedB, C, ops);
  });
}

} // namespace

DSRT_EXPORT void dsrt_kernel_sgemm(int64_t batch, int64_t M, int64_t N,
                                   int64_t K, const float *A, int64_t sA0,
                                   int64_t sA1, int64_t sA2, const float *B,
                                   int64_t sB0, int64_t sB1, int64_t sB2,
                                   float *C, int64_t sC0, int64_t sC1,
                                   int64_t sC2, int64_t flags) {
  if (batch <= 0 || M <= 0 || N <= 0 || K <= 0)
    return;
  BlockOps ops = currentOps();
  Split split =
      splitWork(M, N, K, batch, (flags & DSRT_KERNEL_CONSTANT_A) != 0,
                (flags & DSRT_KERNEL_CONSTANT_B) != 0);
  // Constant A: packed once per distinct batch slice, on this thread.
  std::vector<std::shared_ptr<PackedConstant>> packed;
  if (flags & DSRT_KERNEL_CONSTANT_A)
    for (int64_t bi = 0; bi < (sA0 == 0 ? 1 : batch); ++bi)
      packed.push_back(packedConstant(MatrixA{A + bi * sA0, sA1, sA2}, M, K));
  // Constant B: likewise, unless B is already row-major and read in place
  // (few rows), where packing would only add a copy.
  std::vector<std::shared_ptr<PackedConstant>> packedB;
  if ((flags & DSRT_KERNEL_CONSTANT_B) && (M > 2 * kMR || sB2 != 1))
    for (int64_t bi = 0; bi < (sB0 == 0 ? 1 : batch); ++bi)
      packedB.push_back(
          packedConstantB(MatrixB{B + bi * sB0, sB1, sB2}, K, N));
  // One row: a matrix-vector product over B's packed panels or its rows
  // (threads split a batch; gemv splits a single product by panels).
  static_assert(kGemvCols == kNR, "gemv reads the packed B panels");
  if (M == 1 && (!packedB.empty() || sB2 == 1)) {
    parallelFor(batch, [&](int64_t bi) {
      const float *pb =
          packedB.empty() ? nullptr : packedB[sB0 ? bi : 0]->data.get();
      gemv(N, K, A + bi * sA0, sA2, pb ? pb : B + bi * sB0, pb ? kNR : sB1,
           pb ? kNR * K : kNR, C + bi * sC0, sC2);
    });
    return;
  }
  // Both packed, one product: the grid (each thread a range of columns).
  if (batch == 1 && !packed.empty() && !packedB.empty() && split.parts > 1) {
    gemmGrid(M, N, K, MatrixA{A, sA1, sA2}, packed[0]->data.get(),
             MatrixB{B, sB1, sB2}, packedB[0]->data.get(),
             MatrixC{C, sC1, sC2}, ops);
    return;
  }
  parallelFor(batch * split.parts, [&](int64_t t) {
    int64_t bi = t / split.parts, part = t % split.parts;
    MatrixA a{A + bi * sA0, sA1, sA2};
    MatrixB b{B + bi * sB0, sB1, sB2};
    MatrixC c{C + bi * sC0, sC1, sC2};
    const float *pa =
        packed.empty() ? nullptr : packed[sA0 == 0 ? 0 : bi]->data.get();
    const float *pb =
        packedB.empty() ? nullptr : packedB[sB0 == 0 ? 0 : bi]->data.get();
    runTask(split, part, M, N, K, a, pa, b, pb, c, ops);
  });
}

namespace {

/// A convolution call: the sizes, the padding (IH, IW: the unpadded input's
/// extents) and each operand's pointer and five strides.
struct ConvProblem {
  int64_t N, G, F, C, OH, OW, KH, KW, sh, sw, dh, dw;
  int64_t IH, IW, padH, padW;
  const float *in;
  int64_t sI[5];
  const float *weight;
  int64_t sW[5];
  float *out;
  int64_t sO[5];
  int64_t flags;
};

/// A fused call's epilogue on the 5-D output: addends in the output's
/// layout, the clamp.
struct ConvEpilogue {
  const float *add[2];
  int64_t sAdd[2][5];
  float lo, hi;
  bool clamp;
};

/// Whether (oh, ow) fold into one stride in a view with strides s.
bool flatSpatial(const int64_t *s, int64_t OW) { return s[3] == OW * s[4]; }

/// The convolution, accumulated into the output (epi == null) or written
/// with `epi` applied. A fused call reaches this only when the output and
/// the addends have flat (oh, ow).
void conv2d(const ConvProblem &p, const ConvEpilogue *epi) {
  const int64_t *sI = p.sI, *sW = p.sW, *sO = p.sO;
  int64_t N = p.N, G = p.G, F = p.F, C = p.C, OH = p.OH, OW = p.OW,
          KH = p.KH, KW = p.KW;
  // The 2-D epilogue of (image n, group g): rows f, columns oh*OW + ow.
  auto sliceEpilogue = [&](int64_t n, int64_t g, int64_t row, int64_t col) {
    Epilogue e;
    for (int t = 0; t < 2; ++t)
      if (epi->add[t]) {
        const int64_t *s = epi->sAdd[t];
        e.add[t] = Addend{epi->add[t] + n * s[0] + g * s[1], s[row], s[col]};
      }
    e.lo = epi->lo;
    e.hi = epi->hi;
    e.clamp = epi->clamp;
    return e;
  };
  // Depthwise (one input and one output channel per group): a GEMM of one
  // row per group wastes the microkernel; see Depthwise.h.
  if (F == 1 && C == 1) {
    DepthwisePlaneEpilogue planes;
    if (epi)
      planes = [&](int64_t n, int64_t g) { return sliceEpilogue(n, g, 3, 4); };
    depthwiseConv2d(N, G, OH, OW, KH, KW, p.sh, p.sw, p.dh, p.dw, p.IH, p.IW,
                    p.padH, p.padW, p.in, sI[0], sI[1], sI[3], sI[4],
                    p.weight, sW[0], sW[3], sW[4], p.out, sO[0], sO[1], sO[3],
                    sO[4], epi ? &planes : nullptr);
    return;
  }
  int64_t K = C * KH * KW, cols = OH * OW;
  // The weight of a group as an F x K matrix needs (c, kh, kw) to be one
  // dense run; compact it once otherwise.
  std::unique_ptr<float[]> compact;
  const float *w = p.weight;
  int64_t wGroup = sW[0], wRow = sW[1];
  if (!(sW[4] == 1 && sW[3] == KW && sW[2] == KH * KW)) {
    compact.reset(new float[size_t(G * F * K)]);
    for (int64_t g = 0; g < G; ++g)
      for (int64_t f = 0; f < F; ++f)
        for (int64_t c = 0; c < C; ++c)
          for (int64_t kh = 0; kh < KH; ++kh)
            for (int64_t kw = 0; kw < KW; ++kw)
              compact[((g * F + f) * C + c) * KH * KW + kh * KW + kw] =
                  p.weight[g * sW[0] + f * sW[1] + c * sW[2] + kh * sW[3] +
                           kw * sW[4]];
    w = compact.get();
    wGroup = F * K;
    wRow = K;
  }
  // The output of an (image, group) as an F x (OH*OW) matrix needs oh and
  // ow to fold into one stride.
  bool flatOut = flatSpatial(sO, OW);
  bool packWeights = (p.flags & DSRT_KERNEL_CONSTANT_A) && !compact;
  Split split = splitWork(F, cols, K, N * G, packWeights);
  std::vector<std::shared_ptr<PackedConstant>> packed;
  if (packWeights)
    for (int64_t g = 0; g < G; ++g)
      packed.push_back(packedConstant(MatrixA{w + g * wGroup, wRow, 1}, F, K));
  BlockOps ops;
  if (epi) {
    ops.micro = selectMicrokernel();
    ops.epilogueTile = selectEpilogueTile();
  }
  parallelFor(N * G * split.parts, [&](int64_t t) {
    int64_t ng = t / split.parts, part = t % split.parts;
    int64_t n = ng / G, g = ng % G;
    MatrixA a{w + g * wGroup, wRow, 1};
    Im2colB b{p.in + n * sI[0] + g * sI[1], sI[2], sI[3], sI[4], OW, KH, KW,
              p.sh, p.sw, p.dh, p.dw, p.IH, p.IW, p.padH, p.padW};
    float *o = p.out + n * sO[0] + g * sO[1];
    const float *pa = packed.empty() ? nullptr : packed[g]->data.get();
    if (flatOut) {
      BlockOps taskOps = ops;
      Epilogue e;
      if (epi) {
        e = sliceEpilogue(n, g, 2, 4);
        taskOps.epilogue = &e;
      }
      runTask(split, part, F, cols, K, a, pa, b, nullptr,
              MatrixC{o, sO[2], sO[4]}, taskOps);
      return;
    }
    // Rare: compute into a dense buffer, then add it to the strided output.
    int64_t lo = part * split.chunk;
    int64_t hi = std::min(lo + split.chunk, split.alongN ? cols : F);
    std::unique_ptr<float[]> tmp(new float[size_t(F * cols)]());
    MatrixC dense{tmp.get(), cols, 1};
    runTask(split, part, F, cols, K, a, pa, b, nullptr, dense);
    int64_t f0 = split.alongN ? 0 : lo, f1 = split.alongN ? F : hi;
    int64_t c0 = split.alongN ? lo : 0, c1 = split.alongN ? hi : cols;
    for (int64_t f = f0; f < f1; ++f)
      for (int64_t c = c0; c < c1; ++c)
        o[f * sO[2] + (c / OW) * sO[3] + (c % OW) * sO[4]] +=
            tmp[f * cols + c];
  });
}

} // namespace

DSRT_EXPORT void dsrt_kernel_conv2d_f32(
    int64_t N, int64_t G, int64_t F, int64_t C, int64_t OH, int64_t OW,
    int64_t KH, int64_t KW, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    const float *in, int64_t sI0, int64_t sI1, int64_t sI2, int64_t sI3,
    int64_t sI4, const float *weight, int64_t sW0, int64_t sW1, int64_t sW2,
    int64_t sW3, int64_t sW4, float *out, int64_t sO0, int64_t sO1,
    int64_t sO2, int64_t sO3, int64_t sO4, int64_t flags) {
  if (N <= 0 || G <= 0 || F <= 0 || C <= 0 || OH <= 0 || OW <= 0 ||
      KH <= 0 || KW <= 0)
    return;
  // Padding already applied: the window never leaves the input.
  ConvProblem p{N,  G,  F,  C,  OH, OW, KH, KW, sh, sw, dh, dw,
                (OH - 1) * sh + (KH - 1) * dh + 1,
                (OW - 1) * sw + (KW - 1) * dw + 1,
                0,  0,  in, {sI0, sI1, sI2, sI3, sI4},
                weight, {sW0, sW1, sW2, sW3, sW4},
                out, {sO0, sO1, sO2, sO3, sO4}, flags};
  conv2d(p, nullptr);
}

DSRT_EXPORT void dsrt_kernel_conv2d_fused_f32(
    int64_t N, int64_t G, int64_t F, int64_t C, int64_t OH, int64_t OW,
    int64_t KH, int64_t KW, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    int64_t IH, int64_t IW, int64_t padH, int64_t padW, const float *in,
    int64_t sI0, int64_t sI1, int64_t sI2, int64_t sI3, int64_t sI4,
    const float *weight, int64_t sW0, int64_t sW1, int64_t sW2, int64_t sW3,
    int64_t sW4, float *out, int64_t sO0, int64_t sO1, int64_t sO2,
    int64_t sO3, int64_t sO4, const float *add0, int64_t sA0, int64_t sA1,
    int64_t sA2, int64_t sA3, int64_t sA4, const float *add1, int64_t sB0,
    int64_t sB1, int64_t sB2, int64_t sB3, int64_t sB4, float lo, float hi,
    int64_t flags) {
  if (N <= 0 || G <= 0 || F <= 0 || OH <= 0 || OW <= 0)
    return;
  ConvProblem p{N,      G,  F,  C,  OH, OW, KH, KW, sh, sw, dh, dw, IH, IW,
                padH,   padW, in, {sI0, sI1, sI2, sI3, sI4},
                weight, {sW0, sW1, sW2, sW3, sW4},
                out,    {sO0, sO1, sO2, sO3, sO4}, flags};
  ConvEpilogue epi{{add0, add1},
                   {{sA0, sA1, sA2, sA3, sA4}, {sB0, sB1, sB2, sB3, sB4}},
                   lo,
                   hi,
                   lo > -INFINITY || hi < INFINITY};
  auto forEachOutput = [&](auto &&fn) {
    for (int64_t n = 0; n < N; ++n)
      for (int64_t g = 0; g < G; ++g)
        for (int64_t f = 0; f < F; ++f)
          for (int64_t oh = 0; oh < OH; ++oh)
            for (int64_t ow = 0; ow < OW; ++ow)
              fn(n, g, f, oh, ow);
  };
  // maximumf/minimumf with a NaN bound is NaN everywhere.
  if (std::isnan(lo) || std::isnan(hi)) {
    forEachOutput([&](int64_t n, int64_t g, int64_t f, int64_t oh,
                      int64_t ow) {
      out[n * sO0 + g * sO1 + f * sO2 + oh * sO3 + ow * sO4] = NAN;
    });
    return;
  }
  bool flat = flatSpatial(p.sO, OW);
  for (int t = 0; t < 2; ++t)
    if (epi.add[t] && !flatSpatial(epi.sAdd[t], OW))
      flat = false;
  if (flat && C > 0 && KH > 0 && KW > 0) {
    // Stride 1: the direct kernel (no im2col, output channels vectorized).
    DirectConv direct{N,
                      G,
                      F,
                      C,
                      OH,
                      OW,
                      KH,
                      KW,
                      sh,
                      sw,
                      dh,
                      dw,
                      IH,
                      IW,
                      padH,
                      padW,
                      in,
                      {sI0, sI1, sI2, sI3, sI4},
                      weight,
                      {sW0, sW1, sW2, sW3, sW4},
                      out,
                      {sO0, sO1, sO2, sO3, sO4},
                      (flags & DSRT_KERNEL_CONSTANT_A) != 0,
                      {add0, add1},
                      {{sA0, sA1, sA2, sA3, sA4}, {sB0, sB1, sB2, sB3, sB4}},
                      lo,
                      hi,
                      epi.clamp};
    if (!std::getenv("DSRT_CONV_IM2COL") && convDirectApplies(direct)) {
      convDirect(direct);
      return;
    }
    conv2d(p, &epi);
    return;
  }
  // Rare (strided views, empty reductions): accumulate into a dense zeroed
  // buffer, then apply the epilogue element by element.
  std::vector<float> dense(size_t(N * G * F * OH * OW), 0.0f);
  int64_t d[5] = {G * F * OH * OW, F * OH * OW, OH * OW, OW, 1};
  ConvProblem q = p;
  q.out = dense.data();
  std::copy(d, d + 5, q.sO);
  if (C > 0 && KH > 0 && KW > 0)
    conv2d(q, nullptr);
  forEachOutput([&](int64_t n, int64_t g, int64_t f, int64_t oh, int64_t ow) {
    int64_t idx[5] = {n, g, f, oh, ow};
    auto at = [&](const int64_t *s) {
      int64_t o = 0;
      for (int i = 0; i < 5; ++i)
        o += idx[i] * s[i];
      return o;
    };
    float v = dense[size_t(at(d))];
    for (int t = 0; t < 2; ++t)
      if (epi.add[t])
        v += epi.add[t][at(epi.sAdd[t])];
    if (epi.clamp) {
      v = v < lo ? lo : v;
      v = v > hi ? hi : v;
    }
    out[at(p.sO)] = v;
  });
}

void dsrt::clearPackedConstants() {
  {
    std::lock_guard<std::mutex> lock(packedMutex);
    packedConstants.clear();
  }
  clearConvDirectPacked();
}
