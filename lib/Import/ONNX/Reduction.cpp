//===- Reduction.cpp - ONNX reductions and global pooling to dsg ----------===//
#include "Emitter.h"
#include "Importer.h"

#include "Graph/GraphOps.h"

#include <functional>

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

/// Maps a value to another of the same type (a step of a decomposition).
using ValueFn = function_ref<Value(OpBuilder &, Location, Value)>;

/// The shape of `shape` reduced over `axes` (non-negative): reduced
/// dimensions dropped, or kept as 1 with `keepdims`.
static SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape,
                                         ArrayRef<int64_t> axes,
                                         bool keepdims) {
  SmallVector<int64_t> result;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      result.push_back(d);
    else if (keepdims)
      result.push_back(1);
  }
  return result;
}

/// Builds the reduction over `axes` (normalized: sorted, non-negative),
/// optionally preceded by `pre` on the input and followed by `post` on the
/// result (both elementwise, type preserving).
template <typename OpTy>
static LogicalResult reduce(NodeContext &ctx, ArrayRef<int64_t> axes,
                            bool keepdims, ValueFn pre = nullptr,
                            ValueFn post = nullptr) {
  RankedTensorType input = ctx.inputType(0);
  SmallVector<int64_t> shape = reducedShape(input.getShape(), axes, keepdims);
  FailureOr<RankedTensorType> type =
      ctx.outputType(0, RankedTensorType::get(shape, input.getElementType()));
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.builder();
  Value x = ctx.input(0);
  if (pre)
    x = pre(b, ctx.getLoc(), x);
  Value r = OpTy::create(b, ctx.getLoc(), *type, x,
                         b.getDenseI64ArrayAttr(axes), b.getBoolAttr(keepdims));
  if (post)
    r = post(b, ctx.getLoc(), r);
  ctx.setOutput(0, r);
  return success();
}

/// Reduces over `axes`; none means all of them (ONNX's default).
template <typename OpTy>
static LogicalResult reduceAxes(NodeContext &ctx, SmallVector<int64_t> axes,
                                bool keepdims, ValueFn pre = nullptr,
                                ValueFn post = nullptr) {
  int64_t rank = ctx.inputType(0).getRank();
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (failed(ctx.normalizeAxes(axes, rank)))
    return failure();
  return reduce<OpTy>(ctx, axes, keepdims, pre, post);
}

/// The forms with an `axes` attribute (every version before 13, and
/// ReduceMean/Max/Min through 17).
template <typename OpTy>
static LogicalResult reduceWithAxesAttr(NodeContext &ctx, ValueFn pre = nullptr,
                                        ValueFn post = nullptr) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  SmallVector<int64_t> axes;
  int64_t keepdims = 1;
  if (failed(ctx.intsAttr("axes", axes)) ||
      failed(ctx.intAttr("keepdims", keepdims)))
    return failure();
  return reduceAxes<OpTy>(ctx, axes, keepdims != 0, pre, post);
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

LogicalResult mlir::ds::onnx_import::importReduceProd(NodeContext &ctx) {
  return reduceWithAxesAttr<dsg::ReduceProdOp>(ctx);
}

/// Elementwise steps of the decomposed reductions.
template <typename OpTy> static Value unary(OpBuilder &b, Location loc, Value x) {
  return OpTy::create(b, loc, x.getType(), x);
}
static Value square(OpBuilder &b, Location loc, Value x) {
  return dsg::MulOp::create(b, loc, x.getType(), x, x);
}

/// The decomposed reductions that take a logarithm or a square root are
/// defined here for floating-point inputs only.
static LogicalResult expectFloatInput(NodeContext &ctx) {
  if (ctx.numInputs() >= 1 &&
      !isa<FloatType>(ctx.inputType(0).getElementType()))
    return ctx.unsupported() << "ds imports it for floating-point inputs "
                                "only, found "
                             << ctx.inputType(0);
  return success();
}

/// ReduceL1 = reduce_sum(abs(x)).
LogicalResult mlir::ds::onnx_import::importReduceL1(NodeContext &ctx) {
  return reduceWithAxesAttr<dsg::ReduceSumOp>(ctx, unary<dsg::AbsOp>);
}
/// ReduceSumSquare = reduce_sum(x * x).
LogicalResult mlir::ds::onnx_import::importReduceSumSquare(NodeContext &ctx) {
  return reduceWithAxesAttr<dsg::ReduceSumOp>(ctx, square);
}
/// ReduceL2 = sqrt(reduce_sum(x * x)).
LogicalResult mlir::ds::onnx_import::importReduceL2(NodeContext &ctx) {
  if (failed(expectFloatInput(ctx)))
    return failure();
  return reduceWithAxesAttr<dsg::ReduceSumOp>(ctx, square,
                                              unary<dsg::SqrtOp>);
}
/// ReduceLogSum = log(reduce_sum(x)).
LogicalResult mlir::ds::onnx_import::importReduceLogSum(NodeContext &ctx) {
  if (failed(expectFloatInput(ctx)))
    return failure();
  return reduceWithAxesAttr<dsg::ReduceSumOp>(ctx, nullptr,
                                              unary<dsg::LogOp>);
}
/// ReduceLogSumExp = log(reduce_sum(exp(x))), as the ONNX reference
/// computes it.
LogicalResult mlir::ds::onnx_import::importReduceLogSumExp(NodeContext &ctx) {
  if (failed(expectFloatInput(ctx)))
    return failure();
  return reduceWithAxesAttr<dsg::ReduceSumOp>(ctx, unary<dsg::ExpOp>,
                                              unary<dsg::LogOp>);
}

/// Without keepdims the output is the input with the reduced dimensions
/// removed: the distinct ways to embed `out` in `in` (static shapes), each
/// as the reduced dimensions of size other than 1 (dropping a size-1
/// dimension changes neither values nor order, so embeddings that differ
/// only there are one). Nullopt when there are more than `limit`, or the
/// enumeration gives up after a few hundred steps.
static std::optional<SmallVector<SmallVector<int64_t>>>
reducedAxesCandidates(ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                      size_t limit) {
  SmallVector<SmallVector<int64_t>> sets;
  bool overflow = false;
  int budget = 256;
  SmallVector<bool> kept(in.size(), false);
  std::function<void(size_t, size_t)> embed = [&](size_t i, size_t j) {
    if (overflow || --budget < 0) {
      overflow = true;
      return;
    }
    if (j == out.size()) {
      SmallVector<int64_t> reduced;
      for (size_t k = 0; k < in.size(); ++k)
        if (!kept[k] && in[k] != 1)
          reduced.push_back(k);
      if (!llvm::is_contained(sets, reduced))
        sets.push_back(std::move(reduced));
      overflow = sets.size() > limit;
      return;
    }
    if (in.size() - i < out.size() - j)
      return;
    if (in[i] == out[j]) {
      kept[i] = true;
      embed(i + 1, j + 1);
      kept[i] = false;
    }
    embed(i + 1, j); // in[i] is reduced.
  };
  embed(0, 0);
  if (overflow)
    return std::nullopt;
  return sets;
}

/// Infers the axes of a reduction from its input and output shapes, or
/// nullopt when they do not determine them. Every size must be static. Only
/// reducing a dimension of size other than 1 changes values, so size-1 input
/// dimensions are never listed; an ambiguity among them is harmless.
static std::optional<SmallVector<int64_t>>
inferReducedAxes(ArrayRef<int64_t> in, ArrayRef<int64_t> out, bool keepdims) {
  if (ShapedType::isDynamicShape(in) || ShapedType::isDynamicShape(out))
    return std::nullopt;
  SmallVector<int64_t> axes;
  if (keepdims) {
    if (in.size() != out.size())
      return std::nullopt;
    for (auto [i, d] : llvm::enumerate(in)) {
      if (d == out[i])
        continue; // Kept (or a size-1 dimension: reducing it is a no-op).
      if (out[i] != 1)
        return std::nullopt;
      axes.push_back(i);
    }
    return axes;
  }
  std::optional<SmallVector<SmallVector<int64_t>>> sets =
      reducedAxesCandidates(in, out, 1);
  if (!sets || sets->size() != 1)
    return std::nullopt;
  return (*sets)[0];
}

/// The most candidate axis sets a run-time ReduceSum computes.
static constexpr size_t kMaxRuntimeAxesCandidates = 8;

/// Selects among the sums over each of `candidates` (sets of dimensions of
/// size other than 1) the one that the 1-D run-time `axesInput` names: its
/// axes, made non-negative, become a bit mask over the dimensions of size
/// other than 1, compared with each candidate's. A mask that matches none
/// (axes inconsistent with the declared output shape) selects the last.
static FailureOr<Value> selectRuntimeAxes(
    NodeContext &ctx, Value axesInput, ArrayRef<int64_t> inShape,
    ArrayRef<SmallVector<int64_t>> candidates,
    function_ref<FailureOr<Value>(ArrayRef<int64_t>)> sumOver) {
  Emitter e(ctx);
  Type i64 = e.b.getI64Type();
  int64_t rank = inShape.size();
  int64_t n = Emitter::typeOf(axesInput).getDimSize(0);
  Value axes = Emitter::typeOf(axesInput).getElementType() == i64
                   ? axesInput
                   : e.cast(axesInput, i64);
  Value wrapped =
      e.where(e.compare<dsg::LessOp>(axes, e.scalar(i64, 0)),
              e.binary<dsg::AddOp>(axes, e.scalar(i64, rank)), axes);
  FailureOr<Value> column = ctx.reshapeTo(wrapped, {n, 1});
  if (failed(column))
    return failure();
  // hits[j][d]: axis j names dimension d; weighted by 2^d (0 for size-1
  // dimensions, which the candidates leave out).
  Value hits = e.cast(
      e.compare<dsg::EqualOp>(*column, e.iota(rank, 1, 2, i64)), i64);
  SmallVector<int64_t> weights;
  for (auto [d, size] : llvm::enumerate(inShape))
    weights.push_back(size == 1 ? 0 : int64_t(1) << d);
  FailureOr<Value> weightRow = ctx.reshapeTo(ctx.constantI64(weights),
                                             {1, rank});
  if (failed(weightRow))
    return failure();
  Value mask = e.reduce<dsg::ReduceSumOp>(
      e.binary<dsg::MulOp>(hits, *weightRow), {0, 1}, false);

  FailureOr<Value> result = sumOver(candidates.back());
  if (failed(result))
    return failure();
  for (const SmallVector<int64_t> &set : llvm::reverse(candidates.drop_back())) {
    int64_t bits = 0;
    for (int64_t d : set)
      bits |= int64_t(1) << d;
    FailureOr<Value> sum = sumOver(set);
    if (failed(sum))
      return failure();
    *result = e.where(e.compare<dsg::EqualOp>(mask, e.scalar(i64, bits)),
                      *sum, *result);
  }
  return result;
}

/// ReduceSum-13 whose axes are computed at run time. The axes change the
/// math, so ds imports the node only when the (static) input and output
/// shapes determine them, or (without keepdims) leave a few candidates,
/// which are all computed and selected at run time.
static LogicalResult importReduceSumRuntimeAxes(NodeContext &ctx,
                                                bool keepdims) {
  const onnx::NodeProto &node = ctx.proto();
  RankedTensorType input = ctx.inputType(0);
  RankedTensorType result;
  if (const onnx::TypeProto *type = ctx.parent.typeOf(node.output(0))) {
    FailureOr<RankedTensorType> converted = ctx.parent.convertType(
        *type, ctx.describe() + ": output '" + node.output(0) + "'",
        ctx.getLoc());
    if (failed(converted))
      return failure();
    result = *converted;
  }
  if (!result || !input.hasStaticShape() || !result.hasStaticShape())
    return ctx.unsupported()
           << "the axes input '" << node.input(1)
           << "' is computed at run time; ds needs constant axes "
              "(initializer or Constant node) or static input and output "
              "shapes that determine them";
  // The sum over `axes` (non-negative, size-1 dimensions omitted) in the
  // output's shape.
  auto sumOver = [&](ArrayRef<int64_t> axes) -> FailureOr<Value> {
    if (axes.empty()) {
      // Only size-1 dimensions (or none) are reduced: the values are the
      // input's, in the output's shape.
      return ctx.reshapeTo(ctx.input(0), result.getShape());
    }
    OpBuilder &b = ctx.builder();
    SmallVector<int64_t> shape =
        reducedShape(input.getShape(), axes, keepdims);
    auto reducedType = RankedTensorType::get(shape, input.getElementType());
    Value sum = dsg::ReduceSumOp::create(b, ctx.getLoc(), reducedType,
                                         ctx.input(0),
                                         b.getDenseI64ArrayAttr(axes),
                                         b.getBoolAttr(keepdims));
    // Size-1 input dimensions the embedding did not account for.
    return ctx.reshapeTo(sum, result.getShape());
  };

  std::optional<SmallVector<int64_t>> axes =
      inferReducedAxes(input.getShape(), result.getShape(), keepdims);
  if (axes) {
    FailureOr<Value> sum = sumOver(*axes);
    if (failed(sum))
      return failure();
    ctx.setOutput(0, *sum);
    return success();
  }
  // Several sets of axes give the output's shape (e.g. [3, 2, 2] to [3, 2]
  // reducing dimension 1 or 2): compute each and select the one the axes
  // input names at run time.
  std::optional<SmallVector<SmallVector<int64_t>>> candidates;
  RankedTensorType axesType = ctx.inputType(1);
  if (!keepdims && axesType.getRank() == 1 && axesType.hasStaticShape() &&
      (axesType.getElementType().isInteger(32) ||
       axesType.getElementType().isInteger(64)))
    candidates = reducedAxesCandidates(input.getShape(), result.getShape(),
                                       kMaxRuntimeAxesCandidates);
  if (!candidates || candidates->size() < 2)
    return ctx.unsupported()
           << "the axes input '" << node.input(1)
           << "' is computed at run time, and reducing " << input << " to "
           << result << " does not determine which axes it reduces";
  FailureOr<Value> selected = selectRuntimeAxes(
      ctx, ctx.input(1), input.getShape(), *candidates, sumOver);
  if (failed(selected))
    return failure();
  ctx.setOutput(0, *selected);
  return success();
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
    RankedTensorType axesType = ctx.inputType(1);
    std::optional<SmallVector<int64_t>> values = ctx.constantInts(1);
    if (values) {
      axes = std::move(*values);
    } else if (axesType.getRank() != 1 || axesType.getDimSize(0) != 0) {
      // Axes computed at run time (and not statically empty).
      return importReduceSumRuntimeAxes(ctx, keepdims != 0);
    }
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

/// ArgMax and ArgMin: the i64 index along one axis.
template <typename OpTy> static LogicalResult importArg(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  int64_t axis = 0, keepdims = 1, last = 0;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.intAttr("keepdims", keepdims)) ||
      failed(ctx.intAttr("select_last_index", last)))
    return failure();
  RankedTensorType input = ctx.inputType(0);
  Type element = input.getElementType();
  if (!isa<FloatType>(element) &&
      !(isa<IntegerType>(element) && element.getIntOrFloatBitWidth() > 1))
    return ctx.unsupported() << "expected a numeric input, found " << input;
  if (failed(ctx.normalizeAxis(axis, input.getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(input.getShape())) {
    if (static_cast<int64_t>(i) != axis)
      shape.push_back(d);
    else if (keepdims)
      shape.push_back(1);
  }
  OpBuilder &b = ctx.builder();
  FailureOr<RankedTensorType> type =
      ctx.outputType(0, RankedTensorType::get(shape, b.getI64Type()));
  if (failed(type))
    return failure();
  ctx.setOutput(0, OpTy::create(b, ctx.getLoc(), *type, ctx.input(0),
                                b.getI64IntegerAttr(axis),
                                b.getBoolAttr(keepdims != 0),
                                b.getBoolAttr(last != 0)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importArgMax(NodeContext &ctx) {
  return importArg<dsg::ArgMaxOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importArgMin(NodeContext &ctx) {
  return importArg<dsg::ArgMinOp>(ctx);
}
