//===- NN.cpp - ONNX matmul, convolution, pooling, normalization to dsg ---===//
#include "Importer.h"

#include "Graph/GraphOps.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

//===----------------------------------------------------------------------===//
// MatMul, Gemm
//===----------------------------------------------------------------------===//

LogicalResult mlir::ds::onnx_import::importMatMul(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  ctx.setOutput(0, dsg::MatMulOp::create(ctx.builder(), ctx.getLoc(), *type,
                                         ctx.input(0), ctx.input(1)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importGemm(NodeContext &ctx) {
  // C is required before opset 11.
  if (failed(ctx.expectInputs(ctx.sinceVersion() < 11 ? 3 : 2, 3)))
    return failure();
  float alpha = 1.0f, beta = 1.0f;
  int64_t transA = 0, transB = 0;
  if (failed(ctx.floatAttr("alpha", alpha)) ||
      failed(ctx.floatAttr("beta", beta)) ||
      failed(ctx.intAttr("transA", transA)) ||
      failed(ctx.intAttr("transB", transB)))
    return failure();
  RankedTensorType a = ctx.inputType(0), b = ctx.inputType(1);
  if (a.getRank() != 2 || b.getRank() != 2)
    return ctx.invalid() << "expected matrices A and B, found " << a << " and "
                         << b;
  RankedTensorType fallback = RankedTensorType::get(
      {a.getDimSize(transA ? 1 : 0), b.getDimSize(transB ? 0 : 1)},
      a.getElementType());
  FailureOr<RankedTensorType> type = ctx.outputType(0, fallback);
  if (failed(type))
    return failure();
  OpBuilder &builder = ctx.builder();
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  if (ctx.hasInput(2))
    operands.push_back(ctx.input(2));
  NamedAttribute attrs[] = {
      builder.getNamedAttr("alpha", builder.getF32FloatAttr(alpha)),
      builder.getNamedAttr("beta", builder.getF32FloatAttr(beta)),
      builder.getNamedAttr("trans_a", builder.getBoolAttr(transA != 0)),
      builder.getNamedAttr("trans_b", builder.getBoolAttr(transB != 0))};
  ctx.setOutput(0, dsg::GemmOp::create(builder, ctx.getLoc(), TypeRange{*type},
                                       operands, attrs)
                       .getResult());
  return success();
}

//===----------------------------------------------------------------------===//
// Sliding windows: Conv, MaxPool, AveragePool
//===----------------------------------------------------------------------===//

namespace {
/// The normalized window attributes shared by convolution and pooling.
struct Window {
  SmallVector<int64_t> kernel, strides, pads, dilations;
  bool ceilMode = false;
};
} // namespace

/// Reads strides, dilations, pads and auto_pad for a window over the spatial
/// dimensions of `input` ([N, C, spatial...]); `w.kernel` is already set.
static LogicalResult readWindow(NodeContext &ctx, RankedTensorType input,
                                Window &w) {
  int64_t rank = input.getRank();
  if (rank < 3)
    return ctx.invalid() << "expected an input of rank >= 3 ([N, C, "
                            "spatial...]), found "
                         << input;
  size_t spatial = rank - 2;
  if (w.kernel.size() != spatial)
    return ctx.invalid() << "expected " << spatial
                         << " kernel dimensions, found " << w.kernel.size();
  w.strides.assign(spatial, 1);
  w.dilations.assign(spatial, 1);
  w.pads.assign(2 * spatial, 0);
  std::string autoPad = "NOTSET";
  int64_t ceilMode = 0;
  if (failed(ctx.intsAttr("strides", w.strides)) ||
      failed(ctx.intsAttr("dilations", w.dilations)) ||
      failed(ctx.intsAttr("pads", w.pads)) ||
      failed(ctx.stringAttr("auto_pad", autoPad)) ||
      failed(ctx.intAttr("ceil_mode", ceilMode)))
    return failure();
  w.ceilMode = ceilMode != 0;
  if (w.strides.size() != spatial || w.dilations.size() != spatial ||
      w.pads.size() != 2 * spatial)
    return ctx.invalid() << "expected " << spatial << " strides and dilations "
                         << "and " << 2 * spatial << " pads, found "
                         << w.strides.size() << ", " << w.dilations.size()
                         << " and " << w.pads.size();
  for (int64_t v : llvm::concat<int64_t>(w.strides, w.dilations, w.kernel))
    if (v < 1)
      return ctx.invalid() << "expected strides, dilations and kernel sizes "
                              ">= 1, found "
                           << v;
  for (int64_t p : w.pads)
    if (p < 0)
      return ctx.invalid() << "expected non-negative pads, found " << p;

  if (autoPad == "NOTSET")
    return success();
  if (autoPad == "VALID") {
    w.pads.assign(2 * spatial, 0);
    return success();
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return ctx.invalid() << "expected auto_pad NOTSET, SAME_UPPER, SAME_LOWER "
                            "or VALID, found '"
                         << autoPad << "'";
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = input.getDimSize(i + 2);
    if (ShapedType::isDynamic(in))
      return ctx.unsupported()
             << "auto_pad " << autoPad << " needs static spatial sizes, found "
             << input;
    // SAME: the output has ceil(in / stride) elements.
    int64_t out = llvm::divideCeil(in, w.strides[i]);
    int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;
    int64_t total =
        std::max<int64_t>(0, (out - 1) * w.strides[i] + extent - in);
    int64_t small = total / 2, large = total - small;
    w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
    w.pads[i + spatial] = autoPad == "SAME_UPPER" ? large : small;
  }
  return success();
}

/// The output shape of a window op: [N, channels, spatial...].
static SmallVector<int64_t> windowShape(RankedTensorType input,
                                        int64_t channels, const Window &w) {
  SmallVector<int64_t> shape = {input.getDimSize(0), channels};
  size_t spatial = w.kernel.size();
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = input.getDimSize(i + 2);
    if (ShapedType::isDynamic(in)) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t span = in + w.pads[i] + w.pads[i + spatial] -
                   ((w.kernel[i] - 1) * w.dilations[i] + 1);
    shape.push_back((w.ceilMode ? llvm::divideCeil(span, w.strides[i])
                                : llvm::divideFloorSigned(span, w.strides[i])) +
                    1);
  }
  return shape;
}

static SmallVector<NamedAttribute> windowAttrs(OpBuilder &b, const Window &w,
                                               bool withKernel) {
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("strides", b.getDenseI64ArrayAttr(w.strides)),
      b.getNamedAttr("pads", b.getDenseI64ArrayAttr(w.pads)),
      b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(w.dilations))};
  if (withKernel)
    attrs.push_back(
        b.getNamedAttr("kernel_shape", b.getDenseI64ArrayAttr(w.kernel)));
  return attrs;
}

LogicalResult mlir::ds::onnx_import::importConv(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 3)))
    return failure();
  RankedTensorType input = ctx.inputType(0), weight = ctx.inputType(1);
  if (weight.getRank() != input.getRank())
    return ctx.invalid() << "expected a weight of the input's rank, found "
                         << weight << " for " << input;
  Window w;
  w.kernel.assign(weight.getShape()
                      .drop_front(std::min<int64_t>(2, weight.getRank()))
                      .begin(),
                  weight.getShape().end());
  SmallVector<int64_t> kernelAttr;
  int64_t group = 1;
  if (failed(ctx.intsAttr("kernel_shape", kernelAttr)) ||
      failed(ctx.intAttr("group", group)))
    return failure();
  if (!kernelAttr.empty()) {
    for (auto [i, k] : llvm::enumerate(w.kernel))
      if (i < kernelAttr.size() && ShapedType::isDynamic(k))
        k = kernelAttr[i];
    if (kernelAttr != ArrayRef<int64_t>(w.kernel))
      return ctx.invalid() << "attribute kernel_shape does not match the "
                              "weight's spatial dimensions "
                           << weight;
  }
  if (llvm::any_of(w.kernel, ShapedType::isDynamic))
    return ctx.unsupported()
           << "the kernel size must be static, found " << weight;
  if (failed(readWindow(ctx, input, w)))
    return failure();
  if (group < 1)
    return ctx.invalid() << "expected group >= 1, found " << group;
  FailureOr<RankedTensorType> type = ctx.outputType(
      0, RankedTensorType::get(windowShape(input, weight.getDimSize(0), w),
                               input.getElementType()));
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.builder();
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  if (ctx.hasInput(2))
    operands.push_back(ctx.input(2));
  SmallVector<NamedAttribute> attrs = windowAttrs(b, w, /*withKernel=*/false);
  attrs.push_back(b.getNamedAttr("group", b.getI64IntegerAttr(group)));
  ctx.setOutput(
      0, dsg::ConvOp::create(b, ctx.getLoc(), TypeRange{*type}, operands, attrs)
             .getResult());
  return success();
}

/// Reads the attributes common to MaxPool and AveragePool.
static LogicalResult readPoolWindow(NodeContext &ctx, Window &w) {
  if (!ctx.hasAttr("kernel_shape"))
    return ctx.invalid() << "missing required attribute 'kernel_shape'";
  if (failed(ctx.intsAttr("kernel_shape", w.kernel)))
    return failure();
  return readWindow(ctx, ctx.inputType(0), w);
}

LogicalResult mlir::ds::onnx_import::importMaxPool(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  Window w;
  int64_t storageOrder = 0;
  if (failed(readPoolWindow(ctx, w)) ||
      failed(ctx.intAttr("storage_order", storageOrder)))
    return failure();
  RankedTensorType input = ctx.inputType(0);
  SmallVector<int64_t> shape = windowShape(input, input.getDimSize(1), w);
  FailureOr<RankedTensorType> type =
      ctx.outputType(0, RankedTensorType::get(shape, input.getElementType()));
  if (failed(type))
    return failure();
  SmallVector<Type> types = {*type};
  bool withIndices = ctx.hasOutput(1);
  if (withIndices) {
    FailureOr<RankedTensorType> indices = ctx.outputType(
        1, RankedTensorType::get(shape, ctx.builder().getI64Type()));
    if (failed(indices))
      return failure();
    types.push_back(*indices);
  }
  OpBuilder &b = ctx.builder();
  SmallVector<NamedAttribute> attrs = windowAttrs(b, w, /*withKernel=*/true);
  attrs.push_back(b.getNamedAttr("ceil_mode", b.getBoolAttr(w.ceilMode)));
  attrs.push_back(
      b.getNamedAttr("storage_order", b.getI64IntegerAttr(storageOrder)));
  auto op = dsg::MaxPoolOp::create(b, ctx.getLoc(), types,
                                   ValueRange{ctx.input(0)}, attrs);
  ctx.setOutput(0, op.getResult());
  if (withIndices)
    ctx.setOutput(1, op.getIndices());
  return success();
}

LogicalResult mlir::ds::onnx_import::importAveragePool(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  Window w;
  int64_t countIncludePad = 0;
  if (failed(readPoolWindow(ctx, w)) ||
      failed(ctx.intAttr("count_include_pad", countIncludePad)))
    return failure();
  RankedTensorType input = ctx.inputType(0);
  FailureOr<RankedTensorType> type = ctx.outputType(
      0, RankedTensorType::get(windowShape(input, input.getDimSize(1), w),
                               input.getElementType()));
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.builder();
  SmallVector<NamedAttribute> attrs = windowAttrs(b, w, /*withKernel=*/true);
  attrs.push_back(b.getNamedAttr("ceil_mode", b.getBoolAttr(w.ceilMode)));
  attrs.push_back(
      b.getNamedAttr("count_include_pad", b.getBoolAttr(countIncludePad != 0)));
  ctx.setOutput(0, dsg::AveragePoolOp::create(b, ctx.getLoc(), TypeRange{*type},
                                              ValueRange{ctx.input(0)}, attrs)
                       .getResult());
  return success();
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

/// A rank-0 constant of the float element type `type`.
static Value scalarConstant(NodeContext &ctx, Type type, double value) {
  auto tensorType = RankedTensorType::get({}, type);
  auto attr = DenseElementsAttr::get(
      tensorType, ArrayRef<Attribute>{FloatAttr::get(type, value)});
  return dsg::ConstantOp::create(ctx.builder(), ctx.getLoc(), tensorType,
                                 attr);
}

/// BatchNormalization-14/15 with training_mode=1, decomposed: the batch
/// statistics over every axis but 1 (population variance) normalize the
/// input, and the running statistics outputs blend them with the inputs:
///   running = input * momentum + current * (1 - momentum).
static LogicalResult importBatchNormTraining(NodeContext &ctx,
                                             float epsilon) {
  float momentum = 0.9f;
  if (failed(ctx.floatAttr("momentum", momentum)))
    return failure();
  Value x = ctx.input(0);
  RankedTensorType xType = ctx.inputType(0);
  int64_t rank = xType.getRank();
  if (rank < 2)
    return ctx.invalid() << "expected an input of rank at least 2 ([N, C, "
                            "...]), found "
                         << xType;
  Type element = xType.getElementType();
  if (!isa<FloatType>(element))
    return ctx.invalid() << "expected a floating-point input, found " << xType;
  for (unsigned i = 3; i < 5; ++i)
    if (!isa<FloatType>(ctx.inputType(i).getElementType()))
      return ctx.invalid() << "expected floating-point running statistics, "
                              "found "
                           << ctx.inputType(i);
  OpBuilder &b = ctx.builder();
  Location loc = ctx.getLoc();
  SmallVector<int64_t> axes = {0};
  llvm::append_range(axes, llvm::seq<int64_t>(2, rank));
  int64_t c = xType.getDimSize(1);
  auto statsType = RankedTensorType::get({c}, element);
  // [C, 1, ...]: the statistics aligned with dimension 1 of X under
  // NumPy broadcasting.
  SmallVector<int64_t> bcastShape = {c};
  bcastShape.append(rank - 2, 1);
  auto mean = [&](Value v) -> Value {
    return dsg::ReduceMeanOp::create(b, loc, statsType, v,
                                     b.getDenseI64ArrayAttr(axes),
                                     b.getBoolAttr(false));
  };
  Value currentMean = mean(x);
  FailureOr<Value> meanBcast =
      ctx.reshapeTo(currentMean, bcastShape, /*copyFrom=*/{0});
  if (failed(meanBcast))
    return failure();
  Value diff = dsg::SubOp::create(b, loc, xType, x, *meanBcast);
  Value sq = dsg::MulOp::create(b, loc, xType, diff, diff);
  Value currentVar = mean(sq);
  auto bn = dsg::BatchNormOp::create(
      b, loc, TypeRange{xType},
      ValueRange{x, ctx.input(1), ctx.input(2), currentMean, currentVar},
      {b.getNamedAttr("epsilon", b.getF32FloatAttr(epsilon))});
  ctx.setOutput(0, bn.getResult());

  for (unsigned i = 1; i < 3; ++i) {
    if (!ctx.hasOutput(i))
      continue;
    Value running = ctx.input(2 + i); // input_mean or input_var
    auto runningType = cast<RankedTensorType>(running.getType());
    Type runningElement = runningType.getElementType();
    Value current = i == 1 ? currentMean : currentVar;
    auto currentType =
        RankedTensorType::get(statsType.getShape(), runningElement);
    if (runningElement != element)
      current = dsg::CastOp::create(b, loc, currentType, current);
    FailureOr<SmallVector<int64_t>> shape =
        dsg::broadcastShapes({runningType.getShape(), currentType.getShape()});
    if (failed(shape))
      return ctx.invalid() << "expected running statistics of shape [" << c
                           << "], found " << runningType;
    auto outType = RankedTensorType::get(*shape, runningElement);
    Value keep = dsg::MulOp::create(
        b, loc, runningType, running,
        scalarConstant(ctx, runningElement, momentum));
    Value update = dsg::MulOp::create(
        b, loc, currentType, current,
        scalarConstant(ctx, runningElement, 1.0 - double(momentum)));
    Value blended = dsg::AddOp::create(b, loc, outType, keep, update);
    FailureOr<RankedTensorType> declared = ctx.outputType(i, outType);
    if (failed(declared))
      return failure();
    if (*declared != outType) {
      FailureOr<Value> reshaped = ctx.reshapeTo(blended, declared->getShape());
      if (failed(reshaped))
        return failure();
      blended = *reshaped;
    }
    ctx.setOutput(i, blended);
  }
  return success();
}

LogicalResult
mlir::ds::onnx_import::importBatchNormalization(NodeContext &ctx) {
  if (failed(ctx.expectInputs(5, 5)))
    return failure();
  int64_t trainingMode = 0, spatial = 1;
  float epsilon = 1e-5f;
  if (failed(ctx.intAttr("training_mode", trainingMode)) ||
      failed(ctx.intAttr("spatial", spatial)) ||
      failed(ctx.floatAttr("epsilon", epsilon)))
    return failure();
  if (spatial != 1)
    return ctx.unsupported() << "spatial=0 is not supported";
  // Opset 6: is_test=0 normalizes with the batch's statistics (training).
  int64_t isTest = 0;
  if (ctx.sinceVersion() < 7 &&
      (failed(ctx.intAttr("is_test", isTest)) || isTest == 0))
    return ctx.unsupported() << "is_test=0 (training) is not supported";
  if (trainingMode != 0) {
    // The attribute exists from opset 14; earlier versions have other
    // training outputs (saved mean/variance) that ds does not produce.
    if (ctx.sinceVersion() < 14)
      return ctx.invalid() << "unexpected attribute 'training_mode' before "
                              "opset 14";
    return importBatchNormTraining(ctx, epsilon);
  }
  for (unsigned i = 1; i < ctx.numOutputs(); ++i)
    if (ctx.hasOutput(i))
      return ctx.unsupported() << "the running statistics outputs (training "
                                  "mode) are not supported";
  Value input = ctx.input(0);
  OpBuilder &b = ctx.builder();
  auto op = dsg::BatchNormOp::create(
      b, ctx.getLoc(), TypeRange{input.getType()},
      ValueRange{input, ctx.input(1), ctx.input(2), ctx.input(3), ctx.input(4)},
      {b.getNamedAttr("epsilon", b.getF32FloatAttr(epsilon))});
  ctx.setOutput(0, op.getResult());
  return success();
}

LogicalResult
mlir::ds::onnx_import::importLayerNormalization(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 3)))
    return failure();
  int64_t axis = -1, stashType = 1;
  float epsilon = 1e-5f;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.floatAttr("epsilon", epsilon)) ||
      failed(ctx.intAttr("stash_type", stashType)))
    return failure();
  RankedTensorType input = ctx.inputType(0);
  if (failed(ctx.normalizeAxis(axis, input.getRank())))
    return failure();
  // Mean and InvStdDev have the stash type (float unless stated otherwise).
  Type statsElement = convertElementType(ctx.getContext(), stashType);
  if (!statsElement)
    return ctx.unsupported()
           << "unsupported stash_type " << dataTypeName(stashType);
  SmallVector<int64_t> statsShape(input.getShape().take_front(axis));
  statsShape.append(input.getRank() - axis, 1);
  auto statsType = RankedTensorType::get(statsShape, statsElement);
  SmallVector<Type> types = {input};
  for (unsigned i = 1; i < 3; ++i) {
    if (!ctx.hasOutput(i)) {
      types.push_back(statsType);
      continue;
    }
    FailureOr<RankedTensorType> type = ctx.outputType(i, statsType);
    if (failed(type))
      return failure();
    types.push_back(*type);
  }
  OpBuilder &b = ctx.builder();
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  if (ctx.hasInput(2))
    operands.push_back(ctx.input(2));
  auto op = dsg::LayerNormOp::create(
      b, ctx.getLoc(), types, operands,
      {b.getNamedAttr("axis", b.getI64IntegerAttr(axis)),
       b.getNamedAttr("epsilon", b.getF32FloatAttr(epsilon))});
  for (unsigned i = 0; i < 3; ++i)
    if (ctx.hasOutput(i))
      ctx.setOutput(i, op->getResult(i));
  return success();
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

static Value softmax(NodeContext &ctx, Value input, int64_t axis) {
  return dsg::SoftmaxOp::create(ctx.builder(), ctx.getLoc(), input.getType(),
                                input, ctx.builder().getI64IntegerAttr(axis));
}

LogicalResult mlir::ds::onnx_import::importSoftmax(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  int64_t axis = -1;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.normalizeAxis(axis, ctx.inputType(0).getRank())))
    return failure();
  ctx.setOutput(0, softmax(ctx, ctx.input(0), axis));
  return success();
}

/// Before opset 13, Softmax flattens the input to 2-D at `axis` (default 1)
/// and normalizes each row.
LogicalResult mlir::ds::onnx_import::importSoftmaxFlattened(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank(), axis = 1;
  if (failed(ctx.intAttr("axis", axis)))
    return failure();
  if (rank == 0)
    return ctx.invalid() << "expected an input of rank >= 1";
  if (failed(ctx.normalizeAxis(axis, rank)))
    return failure();
  if (axis == rank - 1) {
    ctx.setOutput(0, softmax(ctx, ctx.input(0), axis));
    return success();
  }
  auto product = [&](ArrayRef<int64_t> dims) {
    int64_t p = 1;
    for (int64_t d : dims) {
      if (ShapedType::isDynamic(d))
        return ShapedType::kDynamic;
      p *= d;
    }
    return p;
  };
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> flat = {product(shape.take_front(axis)),
                               product(shape.drop_front(axis))};
  SmallVector<int64_t> copy = {axis == 1 ? 0 : -1, -1};
  FailureOr<Value> rows = ctx.reshapeTo(ctx.input(0), flat, copy);
  if (failed(rows))
    return failure();
  Value normalized = softmax(ctx, *rows, 1);
  SmallVector<int64_t> back(rank, -1);
  back[0] = axis == 1 ? 0 : -1;
  FailureOr<Value> result = ctx.reshapeTo(normalized, shape, back);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result);
  return success();
}
