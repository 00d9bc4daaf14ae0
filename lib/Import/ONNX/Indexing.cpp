//===- Indexing.cpp - ONNX slicing, padding, gathers, scatters to dsg -----===//
//
// ONNX passes many of these ops' parameters (starts, pads, repeats, k,
// depth...) as tensors, which node tests and real models often compute at
// run time. They become dsg operands; the result shapes come from ONNX shape
// inference or the model's declared outputs, and several ops need them to be
// static.
//
//===----------------------------------------------------------------------===//
#include "DynamicShapes.h"
#include "Importer.h"

#include "Graph/GraphOps.h"
#include "Graph/GraphOpsDynamic.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

/// The type of output `i`, which must be static.
static FailureOr<RankedTensorType>
staticOutputType(NodeContext &ctx, unsigned i,
                 RankedTensorType fallback = {}) {
  FailureOr<RankedTensorType> type = ctx.outputType(i, fallback);
  if (failed(type))
    return failure();
  if (!type->hasStaticShape())
    return ctx.unsupported() << "output '" << ctx.proto().output(i)
                             << "' needs a static shape, found " << *type;
  return type;
}

static bool isIndexTensor(RankedTensorType t) {
  return t.getElementType().isInteger(32) || t.getElementType().isInteger(64);
}

/// Checks that input `i` is a 1-D int32/int64 tensor of static length.
static LogicalResult expectIndexList(NodeContext &ctx, unsigned i,
                                     StringRef what) {
  RankedTensorType t = ctx.inputType(i);
  if (!isIndexTensor(t) || t.getRank() != 1)
    return ctx.invalid() << "expected " << what
                         << " to be a 1-D int32 or int64 tensor, found " << t;
  if (t.isDynamicDim(0))
    return ctx.unsupported() << "expected " << what
                             << " of a length known at import, found " << t;
  return success();
}

//===----------------------------------------------------------------------===//
// Slice, Split
//===----------------------------------------------------------------------===//

/// The result type of Slice-10+ where starts, ends, axes and steps are
/// constants (the sliced input sizes must be static); null otherwise. ONNX
/// shape inference gives up when these are computed by other nodes, even
/// when the importer folds them to constants.
static RankedTensorType constantSliceType(NodeContext &ctx, int64_t n) {
  RankedTensorType in = ctx.inputType(0);
  int64_t rank = in.getRank();
  std::optional<SmallVector<int64_t>> starts = ctx.constantInts(1),
                                      ends = ctx.constantInts(2);
  SmallVector<int64_t> axes, steps(n, 1);
  for (int64_t i = 0; i < n; ++i)
    axes.push_back(i);
  if (ctx.hasInput(3)) {
    std::optional<SmallVector<int64_t>> a = ctx.constantInts(3);
    if (!a)
      return {};
    axes = *a;
  }
  if (ctx.hasInput(4)) {
    std::optional<SmallVector<int64_t>> t = ctx.constantInts(4);
    if (!t)
      return {};
    steps = *t;
  }
  if (!starts || !ends || static_cast<int64_t>(starts->size()) != n ||
      static_cast<int64_t>(ends->size()) != n ||
      static_cast<int64_t>(axes.size()) != n ||
      static_cast<int64_t>(steps.size()) != n)
    return {};
  SmallVector<int64_t> shape(in.getShape());
  for (int64_t j = 0; j < n; ++j) {
    int64_t axis = axes[j] < 0 ? axes[j] + rank : axes[j];
    if (axis < 0 || axis >= rank || steps[j] == 0 ||
        in.isDynamicDim(axis))
      return {};
    int64_t size = in.getDimSize(axis), step = steps[j];
    int64_t start = (*starts)[j], end = (*ends)[j];
    if (start < 0)
      start += size;
    if (end < 0)
      end += size;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, size);
      end = std::clamp<int64_t>(end, 0, size);
      shape[axis] = end > start ? (end - start + step - 1) / step : 0;
    } else {
      start = std::clamp<int64_t>(start, 0, std::max<int64_t>(size - 1, 0));
      end = std::clamp<int64_t>(end, -1, size - 1);
      shape[axis] = start > end ? (start - end - step - 1) / -step : 0;
    }
  }
  return RankedTensorType::get(shape, in.getElementType());
}

/// The result type of Slice-10+ whose sizes along the sliced axes are known
/// only at run time: those dimensions are dynamic, and the others (when the
/// axes are constants) keep the input's sizes.
static RankedTensorType runTimeSliceType(NodeContext &ctx, int64_t n) {
  RankedTensorType in = ctx.inputType(0);
  int64_t rank = in.getRank();
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
  SmallVector<int64_t> axes;
  if (ctx.hasInput(3)) {
    std::optional<SmallVector<int64_t>> a = ctx.constantInts(3);
    if (!a)
      return RankedTensorType::get(shape, in.getElementType());
    axes = *a;
  } else {
    for (int64_t i = 0; i < n; ++i)
      axes.push_back(i);
  }
  shape.assign(in.getShape().begin(), in.getShape().end());
  for (int64_t axis : axes)
    if (axis >= -rank && axis < rank)
      shape[axis < 0 ? axis + rank : axis] = ShapedType::kDynamic;
  return RankedTensorType::get(shape, in.getElementType());
}

/// Slice-10+: starts, ends, axes and steps are inputs. The result is a
/// dsg.slice when its type is static (from constant operands or ONNX shape
/// inference), a dsg.slice_to otherwise.
LogicalResult mlir::ds::onnx_import::importSlice(NodeContext &ctx) {
  if (failed(ctx.expectInputs(3, 5)) || failed(expectIndexList(ctx, 1, "starts")) ||
      failed(expectIndexList(ctx, 2, "ends")))
    return failure();
  int64_t n = ctx.inputType(1).getDimSize(0);
  if (ctx.inputType(2).getDimSize(0) != n)
    return ctx.invalid() << "expected starts and ends of one length";
  SmallVector<int64_t> iota, ones(n, 1);
  for (int64_t i = 0; i < n; ++i)
    iota.push_back(i);
  Value axes = ctx.hasInput(3) ? ctx.input(3) : ctx.constantI64(iota);
  Value steps = ctx.hasInput(4) ? ctx.input(4) : ctx.constantI64(ones);
  for (auto [v, what] : {std::pair{axes, "axes"}, std::pair{steps, "steps"}}) {
    auto t = cast<RankedTensorType>(v.getType());
    if (!isIndexTensor(t) || t.getRank() != 1 || t.getDimSize(0) != n)
      return ctx.invalid() << "expected " << what << " to be a 1-D int32 or "
                           << "int64 tensor of " << n << " entries, found "
                           << t;
  }
  if (std::optional<SmallVector<int64_t>> s = ctx.constantInts(4))
    if (llvm::is_contained(*s, 0))
      return ctx.invalid() << "expected non-zero steps";
  RankedTensorType fallback = constantSliceType(ctx, n);
  if (!fallback)
    fallback = runTimeSliceType(ctx, n);
  FailureOr<RankedTensorType> type = ctx.outputType(0, fallback);
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.builder();
  if (type->hasStaticShape()) {
    ctx.setOutput(0, dsg::SliceOp::create(b, ctx.getLoc(), *type,
                                          ctx.input(0), ctx.input(1), axes,
                                          steps));
    return success();
  }
  // The result sizes depend on run-time starts or ends (e.g. computed in a
  // Loop body): dsg.slice_to computes them from all four operands.
  if (type->getRank() != ctx.inputType(0).getRank())
    return ctx.invalid() << "expected output '" << ctx.proto().output(0)
                         << "' of rank " << ctx.inputType(0).getRank()
                         << ", found " << *type;
  ctx.setOutput(0, dsg::SliceToOp::create(b, ctx.getLoc(), *type,
                                          ctx.input(0), ctx.input(1),
                                          ctx.input(2), axes, steps));
  return success();
}

/// Split: each output is a slice along `axis` at the sum of the sizes of
/// the outputs before it (the output shapes are static).
LogicalResult mlir::ds::onnx_import::importSplit(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 2)))
    return failure();
  RankedTensorType in = ctx.inputType(0);
  int64_t axis = 0;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.normalizeAxis(axis, in.getRank())))
    return failure();
  int64_t offset = 0;
  OpBuilder &b = ctx.builder();
  Value axes = ctx.constantI64({axis}), steps = ctx.constantI64({1});
  for (unsigned i = 0; i < ctx.numOutputs(); ++i) {
    if (!ctx.hasOutput(i))
      return ctx.unsupported() << "omitted outputs are not supported";
    FailureOr<RankedTensorType> type = staticOutputType(ctx, i);
    if (failed(type))
      return failure();
    if (type->getRank() != in.getRank())
      return ctx.invalid() << "expected output " << i << " of rank "
                           << in.getRank() << ", found " << *type;
    ctx.setOutput(i, dsg::SliceOp::create(b, ctx.getLoc(), *type, ctx.input(0),
                                          ctx.constantI64({offset}), axes,
                                          steps));
    offset += type->getDimSize(axis);
  }
  if (!in.isDynamicDim(axis) && offset != in.getDimSize(axis))
    return ctx.invalid() << "expected the outputs to cover dimension " << axis
                         << " (" << in.getDimSize(axis) << "), found "
                         << offset;
  return success();
}

//===----------------------------------------------------------------------===//
// Pad, Tile, Expand, Range
//===----------------------------------------------------------------------===//

/// Pad-11+: pads (and the optional constant value) are inputs.
LogicalResult mlir::ds::onnx_import::importPad(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 3)) || failed(expectIndexList(ctx, 1, "pads")))
    return failure();
  RankedTensorType in = ctx.inputType(0);
  if (ctx.inputType(1).getDimSize(0) != 2 * in.getRank())
    return ctx.invalid() << "expected " << 2 * in.getRank() << " pads, found "
                         << ctx.inputType(1).getDimSize(0);
  std::string mode = "constant";
  if (failed(ctx.stringAttr("mode", mode)))
    return failure();
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return ctx.unsupported() << "mode '" << mode << "' is not supported";
  Value value;
  if (ctx.hasInput(2) && mode == "constant") {
    value = ctx.input(2);
    RankedTensorType t = ctx.inputType(2);
    if (t.getElementType() != in.getElementType())
      return ctx.invalid() << "expected constant_value of the data's element "
                           << "type, found " << t;
    if (t.getRank() != 0) {
      if (t.getNumElements() != 1)
        return ctx.invalid() << "expected a scalar constant_value, found " << t;
      FailureOr<Value> scalar = ctx.reshapeTo(value, {});
      if (failed(scalar))
        return failure();
      value = *scalar;
    }
  }
  FailureOr<RankedTensorType> type = staticOutputType(ctx, 0);
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.builder();
  ctx.setOutput(0, dsg::PadOp::create(b, ctx.getLoc(), *type, ctx.input(0),
                                      ctx.input(1), value,
                                      b.getStringAttr(mode)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importTile(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)) || failed(expectIndexList(ctx, 1, "repeats")))
    return failure();
  RankedTensorType in = ctx.inputType(0);
  RankedTensorType fallback;
  if (std::optional<SmallVector<int64_t>> reps = ctx.constantInts(1)) {
    if (static_cast<int64_t>(reps->size()) != in.getRank())
      return ctx.invalid() << "expected " << in.getRank() << " repeats";
    SmallVector<int64_t> shape;
    for (auto [d, r] : llvm::zip(in.getShape(), *reps)) {
      if (r < 0)
        return ctx.invalid() << "expected non-negative repeats";
      shape.push_back(ShapedType::isDynamic(d) ? d : d * r);
    }
    fallback = RankedTensorType::get(shape, in.getElementType());
  }
  FailureOr<RankedTensorType> type = staticOutputType(ctx, 0, fallback);
  if (failed(type))
    return failure();
  ctx.setOutput(0, dsg::TileOp::create(ctx.builder(), ctx.getLoc(), *type,
                                       ctx.input(0)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importExpand(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)) || failed(expectIndexList(ctx, 1, "shape")))
    return failure();
  RankedTensorType in = ctx.inputType(0);
  RankedTensorType fallback;
  if (std::optional<SmallVector<int64_t>> shape = ctx.constantInts(1)) {
    FailureOr<SmallVector<int64_t>> out =
        dsg::broadcastShapes({in.getShape(), ArrayRef<int64_t>(*shape)});
    if (failed(out))
      return ctx.invalid() << "shape does not broadcast with the input";
    fallback = RankedTensorType::get(*out, in.getElementType());
  }
  FailureOr<RankedTensorType> type = staticOutputType(ctx, 0, fallback);
  if (failed(type))
    return failure();
  ctx.setOutput(0, dsg::ExpandOp::create(ctx.builder(), ctx.getLoc(), *type,
                                         ctx.input(0)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importRange(NodeContext &ctx) {
  if (failed(ctx.expectInputs(3, 3)))
    return failure();
  Type t = ctx.inputType(0).getElementType();
  for (unsigned i = 0; i < 3; ++i)
    if (ctx.inputType(i).getRank() != 0 ||
        ctx.inputType(i).getElementType() != t)
      return ctx.invalid() << "expected scalar start, limit and delta of one "
                              "element type";
  if (t.isInteger(1) || t.isInteger(8) || t.isUnsignedInteger())
    return ctx.unsupported() << "element type " << t << " is not supported";
  FailureOr<RankedTensorType> type =
      ctx.outputType(0, RankedTensorType::get({ShapedType::kDynamic}, t));
  if (failed(type))
    return failure();
  if (!type->hasStaticShape()) // the length depends on run-time values
    return importDynamicRange(ctx, *type);
  ctx.setOutput(0, dsg::RangeOp::create(ctx.builder(), ctx.getLoc(), *type,
                                        ctx.input(0), ctx.input(2)));
  return success();
}

//===----------------------------------------------------------------------===//
// Trilu, CumSum
//===----------------------------------------------------------------------===//

LogicalResult mlir::ds::onnx_import::importTrilu(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 2)))
    return failure();
  RankedTensorType in = ctx.inputType(0);
  if (in.getRank() < 2)
    return ctx.invalid() << "expected an input of rank 2 or more, found " << in;
  int64_t upper = 1;
  if (failed(ctx.intAttr("upper", upper)))
    return failure();
  Value k;
  if (ctx.hasInput(1)) {
    k = ctx.input(1);
    RankedTensorType t = ctx.inputType(1);
    if (!t.getElementType().isInteger(64) || t.getNumElements() != 1)
      return ctx.invalid() << "expected a scalar int64 k, found " << t;
    if (t.getRank() != 0) {
      FailureOr<Value> scalar = ctx.reshapeTo(k, {});
      if (failed(scalar))
        return failure();
      k = *scalar;
    }
  }
  OpBuilder &b = ctx.builder();
  ctx.setOutput(0, dsg::TriluOp::create(b, ctx.getLoc(), in, ctx.input(0), k,
                                        b.getBoolAttr(upper != 0)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importCumSum(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  RankedTensorType in = ctx.inputType(0), axisType = ctx.inputType(1);
  if (in.getRank() < 1)
    return ctx.invalid() << "expected an input of rank 1 or more";
  if (!isIndexTensor(axisType) || axisType.getNumElements() != 1 ||
      axisType.getRank() > 1)
    return ctx.invalid() << "expected a scalar int32 or int64 axis, found "
                         << axisType;
  if (!isa<FloatType>(in.getElementType()) &&
      !(isa<IntegerType>(in.getElementType()) &&
        in.getElementType().getIntOrFloatBitWidth() >= 32))
    return ctx.unsupported() << "element type " << in.getElementType()
                             << " is not supported";
  Value axis = ctx.input(1);
  if (axisType.getRank() == 1) {
    FailureOr<Value> scalar = ctx.reshapeTo(axis, {});
    if (failed(scalar))
      return failure();
    axis = *scalar;
  }
  if (std::optional<SmallVector<int64_t>> a = ctx.constantInts(1))
    if ((*a)[0] < -in.getRank() || (*a)[0] >= in.getRank())
      return ctx.invalid() << "axis " << (*a)[0] << " is out of range";
  int64_t exclusive = 0, reverse = 0;
  if (failed(ctx.intAttr("exclusive", exclusive)) ||
      failed(ctx.intAttr("reverse", reverse)))
    return failure();
  OpBuilder &b = ctx.builder();
  ctx.setOutput(0, dsg::CumSumOp::create(b, ctx.getLoc(), in, ctx.input(0),
                                         axis, b.getBoolAttr(exclusive != 0),
                                         b.getBoolAttr(reverse != 0)));
  return success();
}

//===----------------------------------------------------------------------===//
// GatherElements, GatherND, ScatterElements, ScatterND, OneHot
//===----------------------------------------------------------------------===//

LogicalResult mlir::ds::onnx_import::importGatherElements(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  RankedTensorType data = ctx.inputType(0), indices = ctx.inputType(1);
  int64_t axis = 0;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.normalizeAxis(axis, data.getRank())))
    return failure();
  if (!isIndexTensor(indices) || indices.getRank() != data.getRank())
    return ctx.invalid() << "expected int32 or int64 indices of the data's "
                            "rank, found "
                         << indices;
  FailureOr<RankedTensorType> type = ctx.outputType(
      0, RankedTensorType::get(indices.getShape(), data.getElementType()));
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.builder();
  ctx.setOutput(0, dsg::GatherElementsOp::create(
                       b, ctx.getLoc(), *type, ctx.input(0), ctx.input(1),
                       b.getI64IntegerAttr(axis)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importGatherND(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  RankedTensorType data = ctx.inputType(0), indices = ctx.inputType(1);
  int64_t batch = 0;
  if (failed(ctx.intAttr("batch_dims", batch)))
    return failure();
  if (!indices.getElementType().isInteger(64) || indices.getRank() < 1)
    return ctx.invalid() << "expected int64 indices of rank 1 or more, found "
                         << indices;
  if (indices.isDynamicDim(indices.getRank() - 1))
    return ctx.unsupported() << "expected the last dimension of the indices "
                                "to be known at import";
  int64_t m = indices.getShape().back();
  if (batch < 0 || batch >= indices.getRank() || m < 1 ||
      batch + m > data.getRank())
    return ctx.invalid() << "batch_dims " << batch << " and indices " << indices
                         << " do not fit data " << data;
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  llvm::append_range(shape, data.getShape().drop_front(batch + m));
  FailureOr<RankedTensorType> type =
      ctx.outputType(0, RankedTensorType::get(shape, data.getElementType()));
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.builder();
  ctx.setOutput(0, dsg::GatherNDOp::create(b, ctx.getLoc(), *type,
                                           ctx.input(0), ctx.input(1),
                                           b.getI64IntegerAttr(batch)));
  return success();
}

static LogicalResult scatterReduction(NodeContext &ctx, std::string &out) {
  out = "none";
  if (failed(ctx.stringAttr("reduction", out)))
    return failure();
  if (out != "none" && out != "add" && out != "mul")
    return ctx.unsupported() << "reduction '" << out << "' is not supported";
  if (out != "none" && ctx.inputType(0).getElementType().isInteger(1))
    return ctx.unsupported() << "reduction '" << out
                             << "' of booleans is not supported";
  return success();
}

LogicalResult mlir::ds::onnx_import::importScatterElements(NodeContext &ctx) {
  if (failed(ctx.expectInputs(3, 3)))
    return failure();
  RankedTensorType data = ctx.inputType(0), indices = ctx.inputType(1);
  int64_t axis = 0;
  std::string reduction;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.normalizeAxis(axis, data.getRank())) ||
      failed(scatterReduction(ctx, reduction)))
    return failure();
  if (!isIndexTensor(indices) || indices.getRank() != data.getRank() ||
      ctx.inputType(2).getShape() != indices.getShape() ||
      ctx.inputType(2).getElementType() != data.getElementType())
    return ctx.invalid() << "expected int32 or int64 indices of the data's "
                            "rank and updates of the indices' shape";
  OpBuilder &b = ctx.builder();
  ctx.setOutput(0, dsg::ScatterElementsOp::create(
                       b, ctx.getLoc(), data, ctx.input(0), ctx.input(1),
                       ctx.input(2), b.getI64IntegerAttr(axis),
                       b.getStringAttr(reduction)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importScatterND(NodeContext &ctx) {
  if (failed(ctx.expectInputs(3, 3)))
    return failure();
  RankedTensorType data = ctx.inputType(0), indices = ctx.inputType(1);
  std::string reduction;
  if (failed(scatterReduction(ctx, reduction)))
    return failure();
  if (!indices.getElementType().isInteger(64) || indices.getRank() < 1 ||
      indices.isDynamicDim(indices.getRank() - 1))
    return ctx.unsupported() << "expected int64 indices with a last dimension "
                                "known at import, found "
                             << indices;
  int64_t k = indices.getShape().back();
  if (k < 1 || k > data.getRank())
    return ctx.invalid() << "indices " << indices << " do not fit data "
                         << data;
  if (ctx.inputType(2).getElementType() != data.getElementType())
    return ctx.invalid() << "expected updates of the data's element type";
  OpBuilder &b = ctx.builder();
  ctx.setOutput(0, dsg::ScatterNDOp::create(b, ctx.getLoc(), data,
                                            ctx.input(0), ctx.input(1),
                                            ctx.input(2),
                                            b.getStringAttr(reduction)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importOneHot(NodeContext &ctx) {
  if (failed(ctx.expectInputs(3, 3)))
    return failure();
  RankedTensorType indices = ctx.inputType(0), depth = ctx.inputType(1),
                   values = ctx.inputType(2);
  int64_t axis = -1;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.normalizeAxis(axis, indices.getRank() + 1)))
    return failure();
  for (RankedTensorType t : {indices, depth})
    if (!t.getElementType().isIntOrFloat() || t.getElementType().isInteger(1))
      return ctx.invalid() << "expected numeric indices and depth";
  if (depth.getNumElements() != 1 || depth.getRank() > 1)
    return ctx.invalid() << "expected a scalar depth, found " << depth;
  if (values.getRank() != 1 || values.getDimSize(0) != 2)
    return ctx.invalid() << "expected values of shape [2], found " << values;
  Value depthV = ctx.input(1);
  if (depth.getRank() == 1) {
    FailureOr<Value> scalar = ctx.reshapeTo(depthV, {});
    if (failed(scalar))
      return failure();
    depthV = *scalar;
  }
  SmallVector<int64_t> shape(indices.getShape());
  shape.insert(shape.begin() + axis, ShapedType::kDynamic);
  FailureOr<RankedTensorType> type = staticOutputType(
      ctx, 0, RankedTensorType::get(shape, values.getElementType()));
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.builder();
  ctx.setOutput(0, dsg::OneHotOp::create(b, ctx.getLoc(), *type, ctx.input(0),
                                         depthV, ctx.input(2),
                                         b.getI64IntegerAttr(axis)));
  return success();
}

//===----------------------------------------------------------------------===//
// DepthToSpace, SpaceToDepth: reshape, transpose, reshape
//===----------------------------------------------------------------------===//

static LogicalResult blockRearrange(NodeContext &ctx, bool toSpace) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  RankedTensorType in = ctx.inputType(0);
  if (in.getRank() != 4 || !in.hasStaticShape())
    return ctx.unsupported() << "expected a 4-D input of static shape, found "
                             << in;
  int64_t bs = 0;
  if (failed(ctx.intAttr("blocksize", bs)))
    return failure();
  if (bs < 1)
    return ctx.invalid() << "expected a positive blocksize";
  std::string mode = "DCR";
  if (toSpace && failed(ctx.stringAttr("mode", mode)))
    return failure();
  if (mode != "DCR" && mode != "CRD")
    return ctx.invalid() << "unknown mode '" << mode << "'";
  int64_t n = in.getDimSize(0), c = in.getDimSize(1), h = in.getDimSize(2),
          w = in.getDimSize(3);
  SmallVector<int64_t> split, perm, out;
  if (toSpace) {
    if (c % (bs * bs))
      return ctx.invalid() << "expected channels divisible by blocksize^2";
    int64_t oc = c / (bs * bs);
    if (mode == "DCR") {
      split = {n, bs, bs, oc, h, w};
      perm = {0, 3, 4, 1, 5, 2};
    } else {
      split = {n, oc, bs, bs, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    }
    out = {n, oc, h * bs, w * bs};
  } else {
    if (h % bs || w % bs)
      return ctx.invalid() << "expected spatial sizes divisible by blocksize";
    split = {n, c, h / bs, bs, w / bs, bs};
    perm = {0, 3, 5, 1, 2, 4};
    out = {n, c * bs * bs, h / bs, w / bs};
  }
  FailureOr<Value> reshaped = ctx.reshapeTo(ctx.input(0), split);
  if (failed(reshaped))
    return failure();
  SmallVector<int64_t> permuted;
  for (int64_t p : perm)
    permuted.push_back(split[p]);
  OpBuilder &b = ctx.builder();
  Value t = dsg::TransposeOp::create(
      b, ctx.getLoc(), RankedTensorType::get(permuted, in.getElementType()),
      *reshaped, b.getDenseI64ArrayAttr(perm));
  FailureOr<Value> result = ctx.reshapeTo(t, out);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result);
  return success();
}

LogicalResult mlir::ds::onnx_import::importDepthToSpace(NodeContext &ctx) {
  return blockRearrange(ctx, /*toSpace=*/true);
}

LogicalResult mlir::ds::onnx_import::importSpaceToDepth(NodeContext &ctx) {
  return blockRearrange(ctx, /*toSpace=*/false);
}
