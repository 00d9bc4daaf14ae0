//===- QuantizeLayers.h - ds-quantize's layers and report -------*- C++ -*-===//
//
// Shared by the pass (Quantize.cpp) and its report writer (Report.cpp): one
// record per candidate product, what calibration measured, what was chosen.
//
//===----------------------------------------------------------------------===//
#ifndef DS_PASSES_QUANTIZATION_QUANTIZELAYERS_H
#define DS_PASSES_QUANTIZATION_QUANTIZELAYERS_H

#include "passes/Quantization/Calibration.h"

#include "mlir/IR/Operation.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlir::ds {

/// A candidate product (dsg.matmul / dsg.gemm / dsg.conv) and its fate.
struct QuantLayer {
  Operation *op = nullptr;
  /// The op whose result the quantized product replaces: `op`, or the
  /// dsg.add that adds a MatMul's bias.
  Operation *replaced = nullptr;
  Value lhs;
  std::string name, kind;
  /// Why the layer stays float (empty if it is a candidate).
  std::string reason;
  int64_t k = 0, n = 0;
  /// For a convolution (dsg.conv, quantized to dsq.qconv): its input
  /// channels C; K is C * KH * KW and E[x] is measured per channel. 0 for
  /// matrix products.
  int64_t convChannels = 0;
  /// [N, K] weights (Gemm's alpha applied) and the [N] bias, if any.
  std::vector<float> weights;
  std::optional<std::vector<float>> bias;
  /// Whether 4-bit weights are possible (the group divides K).
  bool int4 = false;
  /// The chosen width: 4, 8, or 32 for float.
  int64_t bits = 32;
  /// E[x] per reduction index over the calibration rows (empty without
  /// calibration), and the largest |bias change| correction applied, per
  /// width.
  std::vector<float> mean;
  std::map<int64_t, double> maxBiasShift;
  /// Each width measured alone on the calibration inputs (the rest float).
  std::map<int64_t, CalibrationMetrics> sensitivity;

  bool isCandidate() const { return reason.empty(); }
  int64_t floatBytes() const { return 4 * k * n; }
  /// Bytes of the stored weights (values + f32 scales) at `width`.
  int64_t bytes(int64_t width, int64_t group) const {
    if (width == 8)
      return n * k + 4 * n;
    if (width == 4)
      return n * k / 2 + 4 * n * (k / group);
    return floatBytes();
  }
};

/// One step of the bits=auto search: the assignment measured, and what
/// changed from the previous step.
struct SearchStep {
  std::string promoted; // empty for the first step
  int64_t toBits = 0;
  int64_t bytes = 0;
  CalibrationMetrics metrics;
};

/// Everything the report says beyond the layers.
struct QuantReport {
  std::string weights, activations;
  int64_t group = 128;
  bool autoBits = false;
  // Calibration (absent when none).
  std::string calibrationDir;
  int64_t calibrationSets = 0;
  bool biasCorrection = false;
  std::string metric;
  double budget = 0;
  bool budgetChecked = false, budgetMet = true;
  std::optional<CalibrationMetrics> measured, measuredWithoutCorrection;
  std::vector<SearchStep> search;
};

/// Writes the JSON report to `path` and the Markdown one beside it (`path`
/// with the extension `.md`). Fails with a diagnostic at `loc`.
LogicalResult writeQuantReport(Location loc, StringRef path,
                               const QuantReport &report,
                               ArrayRef<QuantLayer> layers);

} // namespace mlir::ds

#endif // DS_PASSES_QUANTIZATION_QUANTIZELAYERS_H
