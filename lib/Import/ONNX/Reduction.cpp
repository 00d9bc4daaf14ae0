//===- Reduction.cpp - ONNX reductions and global pooling to dsg ----------===//
#include "Importer.h"

#include "Graph/GraphOps.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

/// Builds the reduction over `axes` (normalized: sorted, non-negative).
template <typename OpTy>
static LogicalResult reduce(NodeContext &ctx, ArrayRef<int64_t> axes,
                            bool keepdims) {
  RankedTensorType input = ctx.inputType(0);
  SmallVector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(input.getShape())) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      shape.push_back(d);
    else if (keepdims)
      shape.push_back(1);
  }
  FailureOr<RankedTensorType> type =
      ctx.outputType(0, RankedTensorType::get(shape, input.getElementType()));
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.builder();
  ctx.setOutput(0, OpTy::create(b, ctx.getLoc(), *type, ctx.input(0),
                                b.getDenseI64ArrayAttr(axes),
                                b.getBoolAttr(keepdims)));
  return success();
}

/// Reduces over `axes`; none means all of them (ONNX's default).
template <typename OpTy>
static LogicalResult reduceAxes(NodeContext &ctx, SmallVector<int64_t> axes,
                                bool keepdims) {
  int64_t rank = ctx.inputType(0).getRank();
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (failed(ctx.normalizeAxes(axes, rank)))
    return failure();
  return reduce<OpTy>(ctx, axes, keepdims);
}

/// The forms with an `axes` attribute (every version before 13, and
/// ReduceMean/Max/Min through 17).
template <typename OpTy>
static LogicalResult reduceWithAxesAttr(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  SmallVector<int64_t> axes;
  int64_t keepdims = 1;
  if (failed(ctx.intsAttr("axes", axes)) ||
      failed(ctx.intAttr("keepdims", keepdims)))
    return failure();
  return reduceAxes<OpTy>(ctx, axes, keepdims != 0);
}

LogicalResult mlir::ds::onnx_import::importReduceMean(NodeContext &ctx) {
  return reduceWithAxesAttr<dsg::ReduceMeanOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importReduceMax(NodeContext &ctx) {
  return reduceWithAxesAttr<dsg::ReduceMaxOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importReduceMin(NodeContext &ctx) {
  return reduceWithAxesAttr<dsg::ReduceMinOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importReduceSum(NodeContext &ctx) {
  return reduceWithAxesAttr<dsg::ReduceSumOp>(ctx);
}

/// ReduceSum-13: axes come as an optional second input, which ds needs as a
/// constant; an empty list reduces everything unless noop_with_empty_axes.
LogicalResult
mlir::ds::onnx_import::importReduceSumAxesInput(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 2)))
    return failure();
  int64_t keepdims = 1, noop = 0;
  if (failed(ctx.intAttr("keepdims", keepdims)) ||
      failed(ctx.intAttr("noop_with_empty_axes", noop)))
    return failure();
  SmallVector<int64_t> axes;
  if (ctx.hasInput(1)) {
    std::optional<SmallVector<int64_t>> values = ctx.constantInts(1);
    if (!values)
      return ctx.unsupported() << "the axes input '" << ctx.proto().input(1)
                               << "' must be a constant (initializer or "
                                  "Constant node)";
    axes = std::move(*values);
  }
  if (axes.empty() && noop) {
    ctx.setOutput(0, ctx.input(0));
    return success();
  }
  return reduceAxes<dsg::ReduceSumOp>(ctx, axes, keepdims != 0);
}

/// Global pooling reduces every spatial dimension of [N, C, spatial...].
template <typename OpTy> static LogicalResult globalPool(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  int64_t rank = ctx.inputType(0).getRank();
  if (rank < 3)
    return ctx.invalid() << "expected an input of rank >= 3 ([N, C, "
                            "spatial...]), found "
                         << ctx.inputType(0);
  return reduce<OpTy>(ctx, llvm::to_vector(llvm::seq<int64_t>(2, rank)),
                      /*keepdims=*/true);
}

LogicalResult mlir::ds::onnx_import::importGlobalAveragePool(NodeContext &ctx) {
  return globalPool<dsg::ReduceMeanOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importGlobalMaxPool(NodeContext &ctx) {
  return globalPool<dsg::ReduceMaxOp>(ctx);
}
