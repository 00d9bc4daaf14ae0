//===- QGemmAMX.cpp - int8 GEMM on Intel AMX tiles ------------------------===//
//
// Compiled with -mamx-tile -mamx-int8 -mavx512f (runtime/CMakeLists.txt) and
// called only when CPUID reports AMX-INT8 and Linux granted the tile data
// permission (QGemm.cpp), so, like the other ISA files, it defines nothing
// inline or templated outside an anonymous namespace.
//
// Eight tile registers of 16 rows x 64 bytes: four int32 accumulators for a
// 32 x 32 block of C (tiles 0-3), two A tiles (16 rows x 64 values of K)
// and two B tiles (64 values of K x 16 channels, which is the packed
// weights' layout: 16 steps of 4 along K, 64 bytes each). tdpbssd multiplies
// signed by signed bytes, so no offset or correction is needed. After each
// group along K the accumulators are stored, converted and scaled by the
// group's weight scales; the activation scale and the bias are applied in
// the store, as in the VNNI kernel.
//
//===----------------------------------------------------------------------===//
#include "QGemm.h"
#include "QGemmStoreAVX512.h"

#include <immintrin.h>

using namespace dsrt::kernels::q;

namespace {

struct alignas(64) TileConfig {
  uint8_t palette;
  uint8_t startRow;
  uint8_t reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};


} // namespace

void dsrt::kernels::q::amxBegin() {
  TileConfig cfg;
  __builtin_memset(&cfg, 0, sizeof(cfg));
  cfg.palette = 1;
  for (int i = 0; i < 8; ++i) {
    cfg.colsb[i] = 64;
    cfg.rows[i] = 16;
  }
  // Not _tile_loadconfig: GCC 12's declares only the first 8 bytes of the
  // configuration as read, and drops the stores to the rest as dead.
  __asm__ volatile("ldtilecfg %0" ::"m"(cfg));
}

void dsrt::kernels::q::amxEnd() { _tile_release(); }

void dsrt::kernels::q::tileAMX(const Tile &t) {
  const PackedW &w = *t.w;
  const int64_t groups = w.groups;
  const int64_t chunks = (groups == 1 ? w.Kp : w.group) / 64;
  const int64_t pb = w.panelBytes();
  const int8_t *a = static_cast<const int8_t *>(t.a);
  const int64_t lda = t.aStride;
  const int8_t *b0 = w.b + t.p0 * pb;
  const int8_t *b1 = b0 + pb;
  const bool twoPanels = t.np > 1, twoRowTiles = t.mr > 16;
  const int64_t rows = twoRowTiles ? 32 : 16;
  alignas(64) int32_t acc[32][32];
  alignas(64) float f[32][32];
  if (groups > 1)
    for (int64_t r = 0; r < rows; ++r)
      for (int j = 0; j < 32; ++j)
        f[r][j] = 0.0f;

  __m512 bias[2];
  for (int j = 0; j < 2; ++j)
    bias[j] = t.bias ? _mm512_maskz_loadu_ps(columnMask(t.nc - j * 16),
                                             t.bias + j * 16)
                     : _mm512_setzero_ps();

  for (int64_t g = 0; g < groups; ++g) {
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (int64_t c = 0; c < chunks; ++c) {
      int64_t k = (g * chunks + c) * 64;
      // The first row block reads these panels' weights from memory (or
      // L3): tile loads stall on each miss, so fetch two chunks ahead.
      // The other row blocks find them in L2.
      if (t.firstRows && k + 128 < w.Kp)
        for (int64_t line = 0; line < 1024; line += 64) {
          _mm_prefetch(reinterpret_cast<const char *>(b0 + (k + 128) * 16 + line),
                       _MM_HINT_T0);
          if (twoPanels)
            _mm_prefetch(
                reinterpret_cast<const char *>(b1 + (k + 128) * 16 + line),
                _MM_HINT_T0);
        }
      _tile_loadd(4, a + k, lda);
      _tile_loadd(6, b0 + k * 16, 64);
      _tile_dpbssd(0, 4, 6);
      if (twoPanels) {
        _tile_loadd(7, b1 + k * 16, 64);
        _tile_dpbssd(1, 4, 7);
      }
      if (twoRowTiles) {
        _tile_loadd(5, a + 16 * lda + k, lda);
        _tile_dpbssd(2, 5, 6);
        if (twoPanels)
          _tile_dpbssd(3, 5, 7);
      }
    }
    _tile_stored(0, &acc[0][0], 128);
    _tile_stored(1, &acc[0][16], 128);
    _tile_stored(2, &acc[16][0], 128);
    _tile_stored(3, &acc[16][16], 128);
    for (int j = 0; j < (twoPanels ? 2 : 1); ++j) {
      int64_t at = (t.p0 + j) * groups * 16 + g * 16;
      __m512 ws = _mm512_load_ps(w.scale + at);
      int64_t last = groups > 1 ? rows : t.mr;
      for (int64_t r = 0; r < last; ++r) {
        __m512 v = _mm512_mul_ps(
            _mm512_cvtepi32_ps(_mm512_load_si512(&acc[r][j * 16])), ws);
        if (groups > 1) {
          _mm512_store_ps(&f[r][j * 16],
                          _mm512_add_ps(_mm512_load_ps(&f[r][j * 16]), v));
        } else {
          __m512 xs = _mm512_set1_ps(t.aScale[r * t.sAScale]);
          storeVector(t, r, j, _mm512_fmadd_ps(v, xs, bias[j]));
        }
      }
    }
  }
  if (groups > 1)
    for (int64_t r = 0; r < t.mr; ++r) {
      __m512 xs = _mm512_set1_ps(t.aScale[r * t.sAScale]);
      for (int j = 0; j < (twoPanels ? 2 : 1); ++j)
        storeVector(t, r, j,
                    _mm512_fmadd_ps(_mm512_load_ps(&f[r][j * 16]), xs,
                                    bias[j]));
    }
}
