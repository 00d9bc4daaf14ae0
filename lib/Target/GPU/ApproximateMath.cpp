//===- ApproximateMath.cpp - self-contained math for device code ---------===//
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ds {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "lib/Target/GPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
/// The ops MLIR has f32 polynomial approximations for, minus rsqrt (whose
/// approximation is AVX-only) and those the GPU back ends lower natively.
bool isApproximated(StringRef name) {
  return llvm::is_contained(
      {"atan", "atan2", "tanh", "log", "log2", "log1p", "erf", "erfc", "asin",
       "acos", "exp", "expm1", "cbrt", "sin", "cos"},
      name);
}

struct ApproximateMathPass
    : ds::impl::ApproximateMathPassBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // powf → exp/log first, so the approximations below catch it; erf and
    // erfc have patterns of their own outside the generic table.
    math::populateExpansionPatterns(patterns, {"powf", "fpowi"});
    populateMathF32ExpansionPatterns(patterns, isApproximated);
    populateMathPolynomialApproximationPatterns(patterns, isApproximated);
    populatePolynomialApproximateErfPattern(patterns);
    populatePolynomialApproximateErfcPattern(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
