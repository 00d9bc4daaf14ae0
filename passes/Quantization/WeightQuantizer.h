//===- WeightQuantizer.h - compile-time weight quantization -----*- C++ -*-===//
//
// Plain C++ (no IR): symmetric absmax quantization of a row-major [N, K]
// weight matrix, the packing of 4-bit values, and the tile layout of the
// VNNI kernel. Kept apart from the passes so that unit tests check the
// numbers directly.
//
//===----------------------------------------------------------------------===//
#ifndef DS_PASSES_QUANTIZATION_WEIGHTQUANTIZER_H
#define DS_PASSES_QUANTIZATION_WEIGHTQUANTIZER_H

#include <cstdint>
#include <vector>

namespace mlir::ds {

struct QuantizedWeights {
  /// [N, K] values for 8 bits, [N, K / 2] packed bytes for 4 bits.
  std::vector<int8_t> values;
  /// [N, K / group] scales: value = q * scale.
  std::vector<float> scales;
};

/// Quantizes `w` ([n, k], row-major) symmetrically with one scale per
/// `group` consecutive elements of a row: scale = absmax / qmax and
/// q = clamp(roundeven(w / scale), -qmax, qmax). `group` divides `k`; for
/// 4 bits `group` is even.
QuantizedWeights quantizeWeights(const std::vector<float> &w, int64_t n,
                                 int64_t k, int64_t bits, int64_t group);

/// Element `i` of a row of packed 4-bit values (low nibble first).
inline int8_t unpackInt4(const int8_t *row, int64_t i) {
  // Shift as an unsigned byte: a left shift of a negative int is undefined
  // before C++20 (UBSan flags it). The arithmetic right shift of the
  // signed result sign-extends the nibble.
  auto byte = static_cast<uint8_t>(row[i / 2]);
  auto v = static_cast<int8_t>(i % 2 == 0 ? static_cast<uint8_t>(byte << 4)
                                           : byte);
  return static_cast<int8_t>(v >> 4);
}

/// The layout the `vpdpbusd` kernel reads. Output channels are split into
/// blocks of 16 (the last zero-padded); a block's weights come in chunks of
/// 64 bytes, one per step of the reduction:
///  - 8 bits: chunk c holds w[16b + j][4c + t] at byte 4j + t (4 values of
///    K per channel, the operand order of `vpdpbusd`);
///  - 4 bits: chunk c covers K values 8c..8c+7: byte 4j + t holds
///    w[16b + j][8c + t] in its low nibble and w[16b + j][8c + 4 + t] in its
///    high nibble, so shifting gives the two `vpdpbusd` operands.
/// `sums` holds 128 * (sum of the group's weights) per [block][group][16]
/// (the correction for the kernel's unsigned activations), `scales` the
/// scales in the same layout, zero for padded channels.
struct VNNIPackedWeights {
  int64_t blocks = 0;
  std::vector<int8_t> tiles;
  std::vector<int32_t> sums;
  std::vector<float> scales;
};

/// Repacks `q` (as produced by quantizeWeights) for the kernel. `k` is a
/// multiple of 4 (8 bits) or 8 (4 bits), and so is `group`.
VNNIPackedWeights packForVNNI(const QuantizedWeights &q, int64_t n, int64_t k,
                              int64_t bits, int64_t group);

} // namespace mlir::ds

#endif // DS_PASSES_QUANTIZATION_WEIGHTQUANTIZER_H
