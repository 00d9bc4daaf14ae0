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
  name.consume_front("math.");
  return llvm::is_contained(
      {"atan", "atan2", "tanh", "log", "log2", "log1p", "erf", "erfc", "asin",
       "acos", "exp", "expm1", "cbrt", "sin", "cos"},
      name);
}

/// floor(x) = -ceil(-x), exact in IEEE arithmetic; MLIR expands ceil but
/// not floor.
struct FloorViaCeil : OpRewritePattern<math::FloorOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::FloorOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value neg = arith::NegFOp::create(rewriter, loc, op.getOperand());
    Value ceil = math::CeilOp::create(rewriter, loc, neg);
    rewriter.replaceOpWithNewOp<arith::NegFOp>(op, ceil);
    return success();
  }
};

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
    // floor/ceil/round have no ROCDL intrinsic lowering (they become ocml
    // calls); their expansions use only arithmetic and casts.
    patterns.add<FloorViaCeil>(&getContext());
    math::populateExpansionPatterns(patterns,
                                    {"ceil", "round", "roundeven"});
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
