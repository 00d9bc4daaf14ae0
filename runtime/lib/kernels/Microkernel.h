//===- Microkernel.h - register-blocked GEMM microkernels -------*- C++ -*-===//
//
// The innermost GEMM step, C[mr x nr] += Ap · Bp over kc, with the operand
// layouts the packing in Gemm.cpp produces:
//   Ap: kc groups of kMR floats (row i of step k at Ap[k*kMR + i]);
//   Bp: kc rows of at least nr floats, row k at Bp[k*ldb] (a packed panel
//       has ldb = kNR and zero padding; an unpacked row-major B is used in
//       place when its rows are contiguous).
//   C : row i at C[i*ldc], unit column stride; accumulated into
//       (C += Ap·Bp) or, with accumulate == false, overwritten (C = Ap·Bp,
//       its old contents never read).
// mr <= kMR, nr <= kNR. Each variant is compiled for its ISA in its own
// translation unit and chosen once at run time.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_KERNELS_MICROKERNEL_H
#define DSRT_LIB_KERNELS_MICROKERNEL_H

#include <cstdint>

namespace dsrt::kernels {

/// Rows of C per microkernel call (12 rows x 2 zmm = 24 accumulators).
constexpr int kMR = 12;
/// Columns of C per microkernel call (two 16-float vectors).
constexpr int kNR = 32;

using Microkernel = void (*)(int mr, int nr, int64_t kc, const float *Ap,
                             const float *Bp, int64_t ldb, float *C,
                             int64_t ldc, bool accumulate);

/// AVX-512F (zmm FMAs); only to be called when the CPU has AVX-512F.
void microkernelAVX512(int mr, int nr, int64_t kc, const float *Ap,
                       const float *Bp, int64_t ldb, float *C, int64_t ldc,
                       bool accumulate);
/// Portable scalar code for every other CPU.
void microkernelGeneric(int mr, int nr, int64_t kc, const float *Ap,
                        const float *Bp, int64_t ldb, float *C, int64_t ldc,
                        bool accumulate);

/// The best microkernel for this CPU.
Microkernel selectMicrokernel();

/// Packs a full panel of A: kMR rows `ld` floats apart, columns [0, kc) of
/// each contiguous, into dst[k*kMR + i] (the Ap layout above).
using PanelPacker = void (*)(const float *src, int64_t ld, int64_t kc,
                             float *dst);

/// AVX-512F: 16 columns at a time, transposed in registers.
void packPanelAVX512(const float *src, int64_t ld, int64_t kc, float *dst);
/// Portable scalar code.
void packPanelGeneric(const float *src, int64_t ld, int64_t kc, float *dst);

/// The best panel packer for this CPU (same choice as selectMicrokernel).
PanelPacker selectPanelPacker();

} // namespace dsrt::kernels

#endif // DSRT_LIB_KERNELS_MICROKERNEL_H
