//===- WeightQuantizer.cpp - compile-time weight quantization -------------===//
#include "passes/Quantization/WeightQuantizer.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace mlir::ds;

QuantizedWeights mlir::ds::quantizeWeights(const std::vector<float> &w,
                                           int64_t n, int64_t k, int64_t bits,
                                           int64_t group) {
  assert(k % group == 0 && (bits == 8 || group % 2 == 0));
  const float qmax = static_cast<float>((1 << (bits - 1)) - 1);
  int64_t groups = k / group;
  QuantizedWeights q;
  q.scales.resize(n * groups);
  std::vector<int8_t> unpacked(n * k);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t g = 0; g < groups; ++g) {
      const float *src = &w[i * k + g * group];
      float absmax = 0.0f;
      for (int64_t j = 0; j < group; ++j)
        absmax = std::max(absmax, std::fabs(src[j]));
      float scale = absmax / qmax;
      q.scales[i * groups + g] = scale;
      float inv = absmax > 0.0f ? qmax / absmax : 0.0f;
      for (int64_t j = 0; j < group; ++j) {
        float v = std::nearbyint(src[j] * inv); // round half to even
        unpacked[i * k + g * group + j] =
            static_cast<int8_t>(std::clamp(v, -qmax, qmax));
      }
    }
  }
  if (bits == 8) {
    q.values = std::move(unpacked);
    return q;
  }
  q.values.resize(n * k / 2);
  for (int64_t i = 0; i < n * k / 2; ++i)
    // Nibbles as unsigned bytes: shifting a negative int8 left is UB.
    q.values[i] = static_cast<int8_t>(
        (static_cast<uint8_t>(unpacked[2 * i]) & 0x0F) |
        ((static_cast<uint8_t>(unpacked[2 * i + 1]) & 0x0F) << 4));
  return q;
}

VNNIPackedWeights mlir::ds::packForVNNI(const QuantizedWeights &q, int64_t n,
                                        int64_t k, int64_t bits,
                                        int64_t group) {
  assert(k % (bits == 8 ? 4 : 8) == 0 && k % group == 0);
  auto at = [&](int64_t row, int64_t col) -> int32_t {
    if (bits == 8)
      return q.values[row * k + col];
    return unpackInt4(&q.values[row * (k / 2)], col);
  };
  VNNIPackedWeights p;
  p.blocks = (n + 15) / 16;
  int64_t groups = k / group;
  int64_t chunks = bits == 8 ? k / 4 : k / 8;
  p.tiles.assign(p.blocks * chunks * 64, 0);
  p.sums.assign(p.blocks * groups * 16, 0);
  p.scales.assign(p.blocks * groups * 16, 0.0f);
  for (int64_t b = 0; b < p.blocks; ++b) {
    for (int64_t j = 0; j < 16; ++j) {
      int64_t row = b * 16 + j;
      if (row >= n)
        continue;
      for (int64_t c = 0; c < chunks; ++c) {
        for (int64_t t = 0; t < 4; ++t) {
          int8_t &byte = p.tiles[(b * chunks + c) * 64 + 4 * j + t];
          if (bits == 8) {
            byte = static_cast<int8_t>(at(row, 4 * c + t));
          } else {
            int32_t lo = at(row, 8 * c + t), hi = at(row, 8 * c + 4 + t);
            byte = static_cast<int8_t>((lo & 0x0F) | ((hi & 0x0F) << 4));
          }
        }
      }
      for (int64_t g = 0; g < groups; ++g) {
        int32_t sum = 0;
        for (int64_t col = g * group; col < (g + 1) * group; ++col)
          sum += at(row, col);
        p.sums[(b * groups + g) * 16 + j] = 128 * sum;
        p.scales[(b * groups + g) * 16 + j] = q.scales[row * groups + g];
      }
    }
  }
  return p;
}
