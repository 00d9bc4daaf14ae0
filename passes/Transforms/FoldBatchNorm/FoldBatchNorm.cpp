//===- FoldBatchNorm.cpp - batch norm into the convolution's constants ---===//
//
// One pattern, rooted at dsg.batch_norm: when its input is a dsg.conv used
// only there and every parameter involved is an f32 constant, the
// normalization's per-channel scale and shift go into new constant weights
// and bias of the convolution (see Passes.td).
//
//===----------------------------------------------------------------------===//
#include "passes/Transforms/FoldBatchNorm/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::ds {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "passes/Transforms/FoldBatchNorm/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::graph;

namespace {

/// The values of an f32 dsg.constant with `count` elements (dense or
/// dense_resource), if `v` is one.
std::optional<SmallVector<float>> constantFloats(Value v, int64_t count) {
  auto constant = v.getDefiningOp<ConstantOp>();
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!constant || !type || !type.getElementType().isF32() ||
      !type.hasStaticShape() || type.getNumElements() != count)
    return std::nullopt;
  Attribute value = constant.getValue();
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    auto values = dense.getValues<float>();
    return SmallVector<float>(values.begin(), values.end());
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> bytes = blob->getData();
    if (bytes.size() != size_t(count) * sizeof(float))
      return std::nullopt;
    SmallVector<float> values(count);
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
  }
  return std::nullopt;
}

/// A dsg.constant holding `values`: dense_resource above 1 KiB (as the
/// importer stores weights), dense below.
Value makeConstant(PatternRewriter &rewriter, Location loc,
                   RankedTensorType type, ArrayRef<float> values) {
  ElementsAttr attr;
  if (values.size() * sizeof(float) >= 1024) {
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(reinterpret_cast<const char *>(values.data()),
                       values.size() * sizeof(float)),
        alignof(uint64_t), /*dataIsMutable=*/false);
    attr = DenseResourceElementsAttr::get(type, "folded_batch_norm",
                                          std::move(blob));
  } else {
    attr = DenseElementsAttr::get(type, values);
  }
  return ConstantOp::create(rewriter, loc, type, attr);
}

struct FoldBatchNormIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<ConvOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a conv used once");
    auto wType = dyn_cast<RankedTensorType>(conv.getWeight().getType());
    auto outType = dyn_cast<RankedTensorType>(conv.getType());
    if (!wType || !wType.hasStaticShape() || !outType ||
        !outType.getElementType().isF32() ||
        bn.getType() != conv.getType())
      return rewriter.notifyMatchFailure(bn, "expected static f32 shapes");
    int64_t F = wType.getDimSize(0);
    int64_t perChannel = wType.getNumElements() / F;
    auto weight = constantFloats(conv.getWeight(), wType.getNumElements());
    auto scale = constantFloats(bn.getScale(), F);
    auto shift = constantFloats(bn.getBias(), F);
    auto mean = constantFloats(bn.getMean(), F);
    auto var = constantFloats(bn.getVariance(), F);
    std::optional<SmallVector<float>> bias;
    if (conv.getBias())
      bias = constantFloats(conv.getBias(), F);
    if (!weight || !scale || !shift || !mean || !var ||
        (conv.getBias() && !bias))
      return rewriter.notifyMatchFailure(bn, "non-constant parameters");

    double eps = bn.getEpsilon().convertToDouble();
    SmallVector<float> newWeight(weight->size()), newBias(F);
    for (int64_t f = 0; f < F; ++f) {
      double k = double((*scale)[f]) / std::sqrt(double((*var)[f]) + eps);
      for (int64_t i = 0; i < perChannel; ++i)
        newWeight[f * perChannel + i] =
            float(double((*weight)[f * perChannel + i]) * k);
      double b = bias ? double((*bias)[f]) : 0.0;
      newBias[f] = float((b - double((*mean)[f])) * k + double((*shift)[f]));
    }
    Location loc = bn.getLoc();
    Value w = makeConstant(rewriter, loc, wType, newWeight);
    Value b = makeConstant(
        rewriter, loc, RankedTensorType::get({F}, rewriter.getF32Type()),
        newBias);
    auto folded = ConvOp::create(
        rewriter, conv.getLoc(), conv.getType(), conv.getInput(), w, b,
        conv.getStridesAttr(), conv.getPadsAttr(), conv.getDilationsAttr(),
        conv.getGroupAttr());
    rewriter.replaceOp(bn, folded.getResult());
    rewriter.eraseOp(conv);
    return success();
  }
};

struct FoldBatchNormPass : ds::impl::FoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNormIntoConv>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
