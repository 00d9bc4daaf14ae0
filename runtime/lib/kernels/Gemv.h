//===- Gemv.h - matrix-vector product for one-row GEMMs ---------*- C++ -*-===//
//
// A GEMM with one row of A (M == 1: a batch-1 classifier, a decode step) is
// a matrix-vector product c += a · B that streams B once and does one
// multiply-add per element of B: the 12-row GEMM microkernel would compute
// eleven rows of zeros alongside it. This kernel vectorizes along the
// columns of B, 32 columns (two zmm) per panel and up to kGemvPanels panels
// at once (2 * kGemvPanels independent accumulators hide the FMA latency),
// broadcasts a[k] and walks k.
//
// B is read as panels: element (k, j) of panel p is at
//   b[p * panelStride + k * ldb + j],   0 <= j < kGemvCols,
// which covers both the GEMM's whole-K packed constant B (ldb = kGemvCols,
// panelStride = kGemvCols * K, zero-padded past N) and a row-major B read in
// place (ldb = its row stride, panelStride = kGemvCols).
//
// Every output element is one sum over k in increasing order, started from
// zero and then added to c, whatever the thread count or the task split:
// results are bitwise identical for any number of threads.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_KERNELS_GEMV_H
#define DSRT_LIB_KERNELS_GEMV_H

#include <cstdint>

namespace dsrt::kernels {

/// Columns per panel (the GEMM's kNR, so its packed B serves as is).
constexpr int kGemvCols = 32;
/// Panels per kernel call.
constexpr int kGemvPanels = 4;

/// out[p * kGemvCols + j] = sum_{k < K, in order} a[k] * b[p * panelStride
/// + k * ldb + j] for p < np (1 <= np <= kGemvPanels) and j < kGemvCols,
/// except that the last panel reads only its first `lastCols` columns
/// (1..kGemvCols) and leaves the rest of its output zero. `out` holds
/// np * kGemvCols floats.
using GemvTile = void (*)(int np, int lastCols, int64_t K, const float *a,
                          const float *b, int64_t ldb, int64_t panelStride,
                          float *out);
/// AVX-512F (zmm FMAs); only to be called when the CPU has AVX-512F.
void gemvTileAVX512(int np, int lastCols, int64_t K, const float *a,
                    const float *b, int64_t ldb, int64_t panelStride,
                    float *out);
/// Portable code.
void gemvTileGeneric(int np, int lastCols, int64_t K, const float *a,
                     const float *b, int64_t ldb, int64_t panelStride,
                     float *out);

/// c[n * sc] += sum_{k < K} a[k * sa] * B(k, n) for n < N, with B(k, n) at
/// b[(n / kGemvCols) * panelStride + k * ldb + n % kGemvCols] (see above),
/// split by panels over the runtime's pool when B is large enough.
void gemv(int64_t N, int64_t K, const float *a, int64_t sa, const float *b,
          int64_t ldb, int64_t panelStride, float *c, int64_t sc);

} // namespace dsrt::kernels

#endif // DSRT_LIB_KERNELS_GEMV_H
