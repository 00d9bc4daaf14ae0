//===- QGemm.h - int8 GEMM: packed layouts and microkernels -----*- C++ -*-===//
//
// Layouts shared by the int8 GEMM driver (QGemm.cpp) and its per-ISA
// microkernels (QGemmVNNI.cpp, QGemmAMX.cpp):
//
//   packed W: panels of kPanel = 16 output channels; K padded with zeros to
//     Kp, a multiple of kKAlign = 64; in a panel, for each step of 4 along K,
//     64 bytes: channel j's 4 bytes at j*4. That is one vpdpbusd operand and,
//     16 steps at a time, one AMX B tile (16 rows of 64 bytes), so every
//     implementation reads the same packed weights. int4 is unpacked to int8
//     here, once. Per panel and group: the weights' sum times 128 (int32, for
//     vpdpbusd's unsigned operand) and the scales (f32), 16 each.
//   packed A (VNNI): panels of kMR = 8 rows; per step of 4 along K, 32 bytes
//     (row r's 4 bytes at r*4), each value + 128 (unsigned).
//   packed A (AMX): rows of Kp bytes, signed, zero padded; rows padded to a
//     multiple of 32.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_KERNELS_QGEMM_H
#define DSRT_LIB_KERNELS_QGEMM_H

#include <cstdint>

namespace dsrt::kernels::q {

constexpr int64_t kPanel = 16;
constexpr int64_t kKAlign = 64;
constexpr int64_t kMR = 8;
constexpr int64_t kAmxRows = 32;

struct PackedW {
  int64_t N = 0, K = 0, Kp = 0, panels = 0, groups = 1, group = 0;
  int8_t *b = nullptr;       // [panels][Kp/4][16][4]
  int32_t *comp = nullptr;   // [panels][groups][16]: 128 * sum of the group
  float *scale = nullptr;    // [panels][groups][16]
  int64_t panelBytes() const { return Kp * kPanel; }
};

/// One block of C for a microkernel: rows [m0, m0 + mr) of the packed A,
/// `np` panels from panel p0 of W.
struct Tile {
  const PackedW *w;
  const void *a;        // packed A (layout of the implementation)
  int64_t aStride;      // AMX: bytes per packed A row; VNNI: unused
  int64_t m0, mr;       // first row and valid rows (<= block height)
  int64_t p0, np;       // first panel, panels (VNNI <= 3, AMX <= 2)
  int64_t nc;           // valid columns from p0*16 (<= np*16)
  const float *aScale;  // row m0's scale
  int64_t sAScale;
  const float *bias;    // at column p0*16, or null
  float *c;             // C at (m0, p0*16)
  int64_t sC0, sC1;
  bool firstRows;       // the first row block of these panels: their
                        // weights come from memory (AMX prefetches them)
};

/// AVX-512 VNNI: blocks of kMR rows and up to 3 panels.
void tileVNNI(const Tile &t);
/// Packs rows [m0, m0 + kMR) of A (int8, strided) for tileVNNI.
void packAVNNI(const int8_t *A, int64_t sA0, int64_t sA1, int64_t M,
               int64_t K, int64_t Kp, int64_t m0, uint8_t *dst);
/// The absmax quantization of one row (AVX-512): q[k*sQ1] =
/// clamp(roundeven(x[k] * inv), ±qmax) for k < K.
void quantizeRowAVX512(const float *x, int64_t K, float inv, float qmax,
                       int8_t *q, int64_t sQ1);
/// max |x[k]| over k < K (AVX-512).
float absmaxAVX512(const float *x, int64_t K);

/// AMX: blocks of 32 rows and up to 2 panels, `a` is the AMX-packed A.
/// Call amxBegin() on the thread first and amxEnd() after its tiles.
void tileAMX(const Tile &t);
void amxBegin();
void amxEnd();

} // namespace dsrt::kernels::q

#endif // DSRT_LIB_KERNELS_QGEMM_H
