//===- QGemmVNNI.cpp - int8 GEMM microkernel with AVX-512 VNNI -----------===//
//
// Compiled with -mavx512f -mavx512bw -mavx512vnni (runtime/CMakeLists.txt)
// and called only after a CPUID check, so, like MicrokernelAVX512.cpp, it
// defines nothing inline or templated outside an anonymous namespace.
//
// vpdpbusd multiplies 4 unsigned bytes by 4 signed bytes and adds the four
// products to each 32-bit lane. A is packed with 128 added (QGemm.h), so
// sum((a + 128) * w) - 128 * sum(w) is the signed product; the second term
// is precomputed per channel and group when W is packed. Per step of 4
// along K: up to 3 weight vectors, 8 activation broadcasts, 24 vpdpbusd
// into 24 zmm accumulators. After each group the int32 sums are converted
// and scaled by the group's weight scales; the activation scale and the
// bias are applied in the store.
//
//===----------------------------------------------------------------------===//
#include "QGemm.h"
#include "QGemmStoreAVX512.h"

#include <immintrin.h>

using namespace dsrt::kernels::q;

namespace {

template <int NP> void tileImpl(const Tile &t) {
  const PackedW &w = *t.w;
  const int64_t kp4 = w.Kp / 4;
  const int64_t groups = w.groups;
  const int64_t gk4 = groups == 1 ? kp4 : w.group / 4;
  const int64_t pb = w.panelBytes();
  const uint8_t *a = static_cast<const uint8_t *>(t.a);
  const int8_t *b = w.b + t.p0 * pb;
  alignas(64) float f[kMR][NP * 16];
  if (groups > 1)
    for (int r = 0; r < kMR; ++r)
      for (int j = 0; j < NP * 16; ++j)
        f[r][j] = 0.0f;

  __m512 bias[NP];
  for (int j = 0; j < NP; ++j)
    bias[j] = t.bias ? _mm512_maskz_loadu_ps(columnMask(t.nc - j * 16),
                                             t.bias + j * 16)
                     : _mm512_setzero_ps();

  for (int64_t g = 0; g < groups; ++g) {
    __m512i acc[kMR][NP];
#pragma GCC unroll 8
    for (int r = 0; r < kMR; ++r)
#pragma GCC unroll 3
      for (int j = 0; j < NP; ++j)
        acc[r][j] = _mm512_setzero_si512();
    const uint8_t *ag = a + g * gk4 * (kMR * 4);
    const int8_t *bg = b + g * gk4 * 64;
    for (int64_t k = 0; k < gk4; ++k) {
      const int8_t *bk = bg + k * 64;
      __m512i bv[NP];
#pragma GCC unroll 3
      for (int j = 0; j < NP; ++j) {
        _mm_prefetch(reinterpret_cast<const char *>(bk + j * pb + 512),
                     _MM_HINT_T0);
        bv[j] = _mm512_load_si512(bk + j * pb);
      }
      const uint8_t *ak = ag + k * (kMR * 4);
#pragma GCC unroll 8
      for (int r = 0; r < kMR; ++r) {
        int32_t word;
        __builtin_memcpy(&word, ak + r * 4, 4);
        __m512i av = _mm512_set1_epi32(word);
#pragma GCC unroll 3
        for (int j = 0; j < NP; ++j)
          acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], av, bv[j]);
      }
    }
    for (int j = 0; j < NP; ++j) {
      int64_t at = (t.p0 + j) * groups * 16 + g * 16;
      __m512i comp = _mm512_load_si512(w.comp + at);
      __m512 ws = _mm512_load_ps(w.scale + at);
      for (int r = 0; r < kMR; ++r) {
        __m512 v = _mm512_mul_ps(
            _mm512_cvtepi32_ps(_mm512_sub_epi32(acc[r][j], comp)), ws);
        if (groups > 1) {
          _mm512_store_ps(&f[r][j * 16],
                          _mm512_add_ps(_mm512_load_ps(&f[r][j * 16]), v));
        } else if (r < t.mr) {
          __m512 xs = _mm512_set1_ps(t.aScale[r * t.sAScale]);
          storeVector(t, r, j, _mm512_fmadd_ps(v, xs, bias[j]));
        }
      }
    }
  }
  if (groups > 1)
    for (int64_t r = 0; r < t.mr; ++r) {
      __m512 xs = _mm512_set1_ps(t.aScale[r * t.sAScale]);
      for (int j = 0; j < NP; ++j)
        storeVector(t, r, j,
                    _mm512_fmadd_ps(_mm512_load_ps(&f[r][j * 16]), xs,
                                    bias[j]));
    }
}

} // namespace

void dsrt::kernels::q::tileVNNI(const Tile &t) {
  switch (t.np) {
  case 1:
    return tileImpl<1>(t);
  case 2:
    return tileImpl<2>(t);
  default:
    return tileImpl<3>(t);
  }
}

void dsrt::kernels::q::packAVNNI(const int8_t *A, int64_t sA0, int64_t sA1,
                                 int64_t M, int64_t K, int64_t Kp, int64_t m0,
                                 uint8_t *dst) {
  const __m512i offset = _mm512_set1_epi8(static_cast<char>(0x80));
  for (int64_t r = 0; r < kMR; ++r) {
    int64_t m = m0 + r;
    uint8_t *out = dst + r * 4;
    if (m >= M) {
      for (int64_t k4 = 0; k4 < Kp / 4; ++k4)
        __builtin_memset(out + k4 * (kMR * 4), 0x80, 4);
      continue;
    }
    const int8_t *src = A + m * sA0;
    int64_t k = 0;
    if (sA1 == 1) {
      // 64 values at a time: add 128 (xor the sign bit), scatter 16 words.
      for (; k + 64 <= K; k += 64) {
        __m512i v = _mm512_xor_si512(_mm512_loadu_si512(src + k), offset);
        alignas(64) uint32_t words[16];
        _mm512_store_si512(words, v);
        for (int i = 0; i < 16; ++i)
          __builtin_memcpy(out + (k / 4 + i) * (kMR * 4), &words[i], 4);
      }
    }
    for (; k < Kp; ++k) {
      int8_t v = k < K ? src[k * sA1] : 0;
      out[(k / 4) * (kMR * 4) + (k % 4)] = static_cast<uint8_t>(v) ^ 0x80u;
    }
  }
}

float dsrt::kernels::q::absmaxAVX512(const float *x, int64_t K) {
  __m512 m = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + 16 <= K; k += 16)
    m = _mm512_max_ps(m, _mm512_abs_ps(_mm512_loadu_ps(x + k)));
  if (k < K)
    m = _mm512_max_ps(
        m, _mm512_abs_ps(_mm512_maskz_loadu_ps(columnMask(K - k), x + k)));
  return _mm512_reduce_max_ps(m);
}

void dsrt::kernels::q::quantizeRowAVX512(const float *x, int64_t K, float inv,
                                         float qmax, int8_t *q, int64_t sQ1) {
  const __m512 vinv = _mm512_set1_ps(inv), hi = _mm512_set1_ps(qmax),
               lo = _mm512_set1_ps(-qmax);
  int64_t k = 0;
  for (; k < K; k += 16) {
    __mmask16 mask = columnMask(K - k);
    __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, x + k), vinv);
    v = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);
    __m128i bytes = _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(v));
    if (sQ1 == 1) {
      _mm_mask_storeu_epi8(q + k, mask, bytes);
    } else {
      alignas(16) int8_t tmp[16];
      _mm_store_si128(reinterpret_cast<__m128i *>(tmp), bytes);
      for (int64_t i = 0; i < 16 && k + i < K; ++i)
        q[(k + i) * sQ1] = tmp[i];
    }
  }
}
