//===- NNExtra.cpp - more ONNX NN ops, decomposed into dsg ops ------------===//
//
// LogSoftmax, Hardmax, Clip, Dropout (inference), Celu, PRelu,
// InstanceNormalization, MeanVarianceNormalization, LRN,
// NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss, Einsum and
// ConvTranspose. Each is expressed on import with existing dsg ops, following
// the ONNX specification (and, where it has one, the op's function body).
//
//===----------------------------------------------------------------------===//
#include "Emitter.h"

#include "Graph/GraphOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <functional>
#include <map>

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static bool isFloatTensor(RankedTensorType type) {
  return isa<FloatType>(type.getElementType());
}

static LogicalResult expectFloat(NodeContext &ctx, unsigned i) {
  if (!isFloatTensor(ctx.inputType(i)))
    return ctx.unsupported() << "ds imports it for floating-point inputs "
                                "only, found "
                             << ctx.inputType(i);
  return success();
}

static LogicalResult expectStatic(NodeContext &ctx, RankedTensorType type) {
  if (!type.hasStaticShape())
    return ctx.unsupported() << "ds imports it for static shapes only, found "
                             << type;
  return success();
}

/// Sets output `i` to `value`, reshaped to the declared type if ONNX shape
/// inference recorded a different (but compatible) static shape.
static LogicalResult setResult(NodeContext &ctx, unsigned i, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  FailureOr<RankedTensorType> declared = ctx.outputType(i, type);
  if (failed(declared))
    return failure();
  if (declared->getElementType() != type.getElementType())
    return ctx.invalid() << "expected output " << i << " of type " << type
                         << ", found " << *declared;
  if (*declared != type && declared->hasStaticShape() &&
      type.hasStaticShape()) {
    FailureOr<Value> reshaped = ctx.reshapeTo(value, declared->getShape());
    if (failed(reshaped))
      return failure();
    value = *reshaped;
  }
  ctx.setOutput(i, value);
  return success();
}

//===----------------------------------------------------------------------===//
// LogSoftmax, Hardmax
//===----------------------------------------------------------------------===//

/// log_softmax(x) = (x - max) - log(sum(exp(x - max))) along `axis`.
static Value logSoftmax(Emitter &e, Value x, int64_t axis) {
  Value max = e.reduce<dsg::ReduceMaxOp>(x, {axis}, true);
  Value shifted = e.binary<dsg::SubOp>(x, max);
  Value sum = e.reduce<dsg::ReduceSumOp>(e.unary<dsg::ExpOp>(shifted), {axis},
                                         true);
  return e.binary<dsg::SubOp>(shifted, e.unary<dsg::LogOp>(sum));
}

/// hardmax(x) = 1 at the first maximum along `axis`, 0 elsewhere.
static FailureOr<Value> hardmax(NodeContext &ctx, Emitter &e, Value x,
                                int64_t axis) {
  RankedTensorType type = Emitter::typeOf(x);
  int64_t n = type.getDimSize(axis);
  if (ShapedType::isDynamic(n))
    return ctx.unsupported() << "the size of the axis must be static, found "
                             << type;
  SmallVector<int64_t> argShape(type.getShape());
  argShape[axis] = 1;
  Value arg = dsg::ArgMaxOp::create(
      e.b, e.loc, RankedTensorType::get(argShape, e.b.getI64Type()), x,
      e.b.getI64IntegerAttr(axis), e.b.getBoolAttr(true),
      e.b.getBoolAttr(false));
  Value hot = e.compare<dsg::EqualOp>(
      arg, e.iota(n, axis, type.getRank(), e.b.getI64Type()));
  return e.cast(hot, type.getElementType());
}

/// The opset 13+ form along one axis (default -1) or, before 13, along the
/// input flattened to 2-D at `axis` (default 1).
static LogicalResult
importAxisOp(NodeContext &ctx,
             function_ref<FailureOr<Value>(Emitter &, Value, int64_t)> fn) {
  if (failed(ctx.expectInputs(1, 1)) || failed(expectFloat(ctx, 0)))
    return failure();
  Emitter e(ctx);
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  bool flattened = ctx.sinceVersion() < 13;
  int64_t axis = flattened ? 1 : -1;
  if (failed(ctx.intAttr("axis", axis)))
    return failure();
  if (rank == 0)
    return ctx.invalid() << "expected an input of rank >= 1";
  if (failed(ctx.normalizeAxis(axis, rank)))
    return failure();
  if (!flattened || axis == rank - 1) {
    FailureOr<Value> r = fn(e, ctx.input(0), axis);
    if (failed(r))
      return failure();
    return setResult(ctx, 0, *r);
  }
  if (failed(expectStatic(ctx, type)))
    return failure();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rows = 1, cols = 1;
  for (int64_t i = 0; i < rank; ++i)
    (i < axis ? rows : cols) *= shape[i];
  FailureOr<Value> flat = ctx.reshapeTo(ctx.input(0), {rows, cols});
  if (failed(flat))
    return failure();
  FailureOr<Value> r = fn(e, *flat, 1);
  if (failed(r))
    return failure();
  FailureOr<Value> back = ctx.reshapeTo(*r, shape);
  if (failed(back))
    return failure();
  return setResult(ctx, 0, *back);
}

LogicalResult mlir::ds::onnx_import::importLogSoftmax(NodeContext &ctx) {
  return importAxisOp(ctx, [](Emitter &e, Value x,
                              int64_t axis) -> FailureOr<Value> {
    return logSoftmax(e, x, axis);
  });
}

LogicalResult mlir::ds::onnx_import::importHardmax(NodeContext &ctx) {
  return importAxisOp(ctx, [&](Emitter &e, Value x, int64_t axis) {
    return hardmax(ctx, e, x, axis);
  });
}

//===----------------------------------------------------------------------===//
// Clip, Dropout, Celu, PRelu
//===----------------------------------------------------------------------===//

/// Clip = min(max(x, lo), hi), as numpy.clip computes it. Before opset 11
/// the bounds are float attributes; from 11 they are optional scalar
/// operands (which may be computed at run time).
LogicalResult mlir::ds::onnx_import::importClip(NodeContext &ctx) {
  bool attrs = ctx.sinceVersion() < 11;
  if (failed(ctx.expectInputs(1, attrs ? 1 : 3)))
    return failure();
  Emitter e(ctx);
  RankedTensorType type = ctx.inputType(0);
  Type element = type.getElementType();
  if (element.isInteger(1))
    return ctx.invalid() << "expected a numeric input, found " << type;
  Value x = ctx.input(0);
  if (attrs) {
    if (failed(expectFloat(ctx, 0)))
      return failure();
    float lo = -std::numeric_limits<float>::max(),
          hi = std::numeric_limits<float>::max();
    bool hasLo = ctx.hasAttr("min"), hasHi = ctx.hasAttr("max");
    if (failed(ctx.floatAttr("min", lo)) || failed(ctx.floatAttr("max", hi)))
      return failure();
    if (hasLo)
      x = e.binary<dsg::MaxOp>(x, e.scalar(element, lo));
    if (hasHi)
      x = e.binary<dsg::MinOp>(x, e.scalar(element, hi));
    return setResult(ctx, 0, x);
  }
  for (unsigned i = 1; i < 3; ++i) {
    if (!ctx.hasInput(i))
      continue;
    RankedTensorType bound = ctx.inputType(i);
    if (bound.getElementType() != element || bound.getNumElements() != 1 ||
        bound.getRank() > 1)
      return ctx.invalid() << "expected a scalar bound of the input's element "
                              "type, found "
                           << bound;
    Value v = ctx.input(i);
    if (bound.getRank() == 1) {
      FailureOr<Value> s = ctx.reshapeTo(v, {});
      if (failed(s))
        return failure();
      v = *s;
    }
    x = i == 1 ? e.binary<dsg::MaxOp>(x, v) : e.binary<dsg::MinOp>(x, v);
  }
  return setResult(ctx, 0, x);
}

/// Whether input `i` is a constant floating-point zero.
static bool isConstantZero(NodeContext &ctx, unsigned i) {
  if (!ctx.hasInput(i))
    return false;
  auto constant = ctx.input(i).getDefiningOp<dsg::ConstantOp>();
  if (!constant)
    return false;
  auto dense = dyn_cast<DenseFPElementsAttr>(constant.getValue());
  return dense && dense.getNumElements() == 1 &&
         (*dense.value_begin<APFloat>()).isZero();
}

/// Dropout for inference: the identity, with an all-true mask. Training mode
/// (random) is not supported unless the ratio is a constant 0.
LogicalResult mlir::ds::onnx_import::importDropout(NodeContext &ctx) {
  bool operands = ctx.sinceVersion() >= 12;
  if (failed(ctx.expectInputs(1, operands ? 3 : 1)))
    return failure();
  if (operands && ctx.hasInput(2)) {
    std::optional<SmallVector<int64_t>> training = ctx.constantInts(2);
    if (!training || training->size() != 1)
      return ctx.unsupported() << "training_mode must be a constant false; "
                                  "training mode (random dropout) is not "
                                  "supported";
    // In training mode a constant ratio of 0 still drops nothing.
    if ((*training)[0] != 0 && !isConstantZero(ctx, 1))
      return ctx.unsupported() << "training mode (random dropout) is not "
                                  "supported";
  }
  RankedTensorType type = ctx.inputType(0);
  if (failed(setResult(ctx, 0, ctx.input(0))))
    return failure();
  if (!ctx.hasOutput(1))
    return success();
  if (ctx.sinceVersion() < 10)
    return ctx.unsupported() << "the mask output before opset 10 is not "
                                "supported";
  if (failed(expectStatic(ctx, type)))
    return failure();
  OpBuilder &b = ctx.builder();
  auto maskType = RankedTensorType::get(type.getShape(), b.getI1Type());
  Value mask = dsg::ConstantOp::create(
      b, ctx.getLoc(), maskType, DenseElementsAttr::get(maskType, true));
  return setResult(ctx, 1, mask);
}

/// Celu = alpha * elu(x / alpha) (the ONNX function body).
LogicalResult mlir::ds::onnx_import::importCelu(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)) || failed(expectFloat(ctx, 0)))
    return failure();
  float alpha = 1.0f;
  if (failed(ctx.floatAttr("alpha", alpha)))
    return failure();
  Emitter e(ctx);
  Type element = ctx.inputType(0).getElementType();
  Value a = e.scalar(element, alpha);
  Value scaled = e.binary<dsg::DivOp>(ctx.input(0), a);
  Value elu = dsg::EluOp::create(e.b, e.loc, scaled.getType(), scaled,
                                 e.b.getF32FloatAttr(1.0f));
  return setResult(ctx, 0, e.binary<dsg::MulOp>(elu, a));
}

static FailureOr<Value> channelVector(NodeContext &ctx, Value v, int64_t c,
                                      int64_t rank);

/// PRelu = x < 0 ? slope * x : x, with the slope broadcast to x (from
/// opset 7; PRelu-6 is per channel).
LogicalResult mlir::ds::onnx_import::importPRelu(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)) || failed(expectFloat(ctx, 0)))
    return failure();
  Emitter e(ctx);
  Value x = ctx.input(0), slope = ctx.input(1);
  RankedTensorType type = ctx.inputType(0);
  RankedTensorType slopeType = ctx.inputType(1);
  if (slopeType.getElementType() != type.getElementType())
    return ctx.invalid() << "expected a slope of the input's element type";
  if (ctx.sinceVersion() < 7) {
    // PRelu-6: a slope of size 1 is shared; a slope [C] is per channel
    // (dimension 1), as PyTorch exports it.
    int64_t c = type.getRank() >= 2 ? type.getDimSize(1) : ShapedType::kDynamic;
    if (slopeType.getRank() != 1 || ShapedType::isDynamic(c) ||
        (slopeType.getDimSize(0) != 1 && slopeType.getDimSize(0) != c))
      return ctx.unsupported() << "expected a slope of size 1 or [C] for "
                               << type << ", found " << slopeType;
    if (slopeType.getDimSize(0) == c && type.getRank() > 2) {
      FailureOr<Value> perChannel =
          channelVector(ctx, slope, c, type.getRank());
      if (failed(perChannel))
        return failure();
      slope = *perChannel;
    }
    slopeType = Emitter::typeOf(slope);
  }
  FailureOr<SmallVector<int64_t>> shape =
      dsg::broadcastShapes({type.getShape(), slopeType.getShape()});
  if (failed(shape) || ArrayRef<int64_t>(*shape) != type.getShape())
    return ctx.invalid() << "expected a slope that broadcasts to " << type
                         << ", found " << slopeType;
  Value negative = e.compare<dsg::LessOp>(x, e.scalar(type.getElementType(), 0));
  return setResult(ctx, 0,
                   e.where(negative, e.binary<dsg::MulOp>(x, slope), x));
}

//===----------------------------------------------------------------------===//
// InstanceNormalization, MeanVarianceNormalization, LRN
//===----------------------------------------------------------------------===//

/// Reshapes a per-channel vector [C] to [C, 1, ...] (rank - 1 dimensions)
/// so that it broadcasts along dimension 1 of a rank-`rank` tensor.
static FailureOr<Value> channelVector(NodeContext &ctx, Value v, int64_t c,
                                      int64_t rank) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() != 1 ||
      (!ShapedType::isDynamic(type.getDimSize(0)) && type.getDimSize(0) != c))
    return ctx.invalid() << "expected a per-channel vector of size " << c
                         << ", found " << type;
  SmallVector<int64_t> shape = {c};
  shape.append(rank - 2, 1);
  return ctx.reshapeTo(v, shape);
}

/// y = scale * (x - mean) / sqrt(var + epsilon) + B, with the statistics
/// over the spatial dimensions of each instance and channel.
LogicalResult
mlir::ds::onnx_import::importInstanceNormalization(NodeContext &ctx) {
  if (failed(ctx.expectInputs(3, 3)) || failed(expectFloat(ctx, 0)))
    return failure();
  float epsilon = 1e-5f;
  if (failed(ctx.floatAttr("epsilon", epsilon)))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  if (rank < 3)
    return ctx.invalid() << "expected an input of rank >= 3, found " << type;
  int64_t c = type.getDimSize(1);
  if (ShapedType::isDynamic(c))
    return ctx.unsupported() << "the channel count must be static";
  Emitter e(ctx);
  Type element = type.getElementType();
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(2, rank));
  Value x = ctx.input(0);
  Value mean = e.reduce<dsg::ReduceMeanOp>(x, axes, true);
  Value diff = e.binary<dsg::SubOp>(x, mean);
  Value var = e.reduce<dsg::ReduceMeanOp>(e.binary<dsg::MulOp>(diff, diff),
                                          axes, true);
  Value stddev = e.unary<dsg::SqrtOp>(
      e.binary<dsg::AddOp>(var, e.scalar(element, epsilon)));
  FailureOr<Value> scale = channelVector(ctx, ctx.input(1), c, rank);
  FailureOr<Value> bias = channelVector(ctx, ctx.input(2), c, rank);
  if (failed(scale) || failed(bias))
    return failure();
  Value normalized = e.binary<dsg::DivOp>(diff, stddev);
  return setResult(ctx, 0,
                   e.binary<dsg::AddOp>(
                       e.binary<dsg::MulOp>(normalized, *scale), *bias));
}

/// The ONNX function body: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9).
LogicalResult
mlir::ds::onnx_import::importMeanVarianceNormalization(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)) || failed(expectFloat(ctx, 0)))
    return failure();
  SmallVector<int64_t> axes = {0, 2, 3};
  if (failed(ctx.intsAttr("axes", axes)))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  if (failed(ctx.normalizeAxes(axes, type.getRank())))
    return failure();
  Emitter e(ctx);
  Type element = type.getElementType();
  Value x = ctx.input(0);
  Value mean = e.reduce<dsg::ReduceMeanOp>(x, axes, true);
  Value meanSq = e.binary<dsg::MulOp>(mean, mean);
  Value sqMean =
      e.reduce<dsg::ReduceMeanOp>(e.binary<dsg::MulOp>(x, x), axes, true);
  Value stddev = e.unary<dsg::SqrtOp>(e.binary<dsg::SubOp>(sqMean, meanSq));
  Value denom = e.binary<dsg::AddOp>(stddev, e.scalar(element, 1e-9));
  return setResult(ctx, 0,
                   e.binary<dsg::DivOp>(e.binary<dsg::SubOp>(x, mean), denom));
}

/// y = x / (bias + alpha / size * square_sum)^beta, where square_sum sums
/// x^2 over a window of `size` channels. The window sum is a convolution of
/// x^2, viewed as [N, 1, C, rest], with a [size, 1] kernel of ones.
LogicalResult mlir::ds::onnx_import::importLRN(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)) || failed(expectFloat(ctx, 0)))
    return failure();
  float alpha = 1e-4f, beta = 0.75f, bias = 1.0f;
  int64_t size = 0;
  if (!ctx.hasAttr("size"))
    return ctx.invalid() << "missing required attribute 'size'";
  if (failed(ctx.floatAttr("alpha", alpha)) ||
      failed(ctx.floatAttr("beta", beta)) ||
      failed(ctx.floatAttr("bias", bias)) || failed(ctx.intAttr("size", size)))
    return failure();
  if (size < 1)
    return ctx.invalid() << "expected size >= 1, found " << size;
  RankedTensorType type = ctx.inputType(0);
  if (type.getRank() < 2)
    return ctx.invalid() << "expected an input of rank >= 2, found " << type;
  if (failed(expectStatic(ctx, type)))
    return failure();
  Emitter e(ctx);
  Type element = type.getElementType();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t n = shape[0], c = shape[1], rest = 1;
  for (int64_t d : shape.drop_front(2))
    rest *= d;
  Value x = ctx.input(0);
  FailureOr<Value> sq =
      ctx.reshapeTo(e.binary<dsg::MulOp>(x, x), {n, 1, c, rest});
  if (failed(sq))
    return failure();
  auto weightType = RankedTensorType::get({1, 1, size, 1}, element);
  Value ones = dsg::ConstantOp::create(
      e.b, e.loc, weightType,
      DenseElementsAttr::get(weightType, FloatAttr::get(element, 1.0)));
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  auto convType = RankedTensorType::get({n, 1, c, rest}, element);
  Value sum = dsg::ConvOp::create(
      e.b, e.loc, convType, *sq, ones, Value(),
      e.b.getDenseI64ArrayAttr({1, 1}),
      e.b.getDenseI64ArrayAttr({before, 0, after, 0}),
      e.b.getDenseI64ArrayAttr({1, 1}), e.b.getI64IntegerAttr(1));
  FailureOr<Value> squareSum = ctx.reshapeTo(sum, shape);
  if (failed(squareSum))
    return failure();
  Value scaled = e.binary<dsg::MulOp>(
      *squareSum, e.scalar(element, double(alpha) / double(size)));
  Value base = e.binary<dsg::AddOp>(scaled, e.scalar(element, bias));
  Value denom = e.binary<dsg::PowOp>(base, e.scalar(element, beta));
  return setResult(ctx, 0, e.binary<dsg::DivOp>(x, denom));
}

//===----------------------------------------------------------------------===//
// NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss
//===----------------------------------------------------------------------===//

/// The loss of `input` [N, C, d...] (log-probabilities) for `target`
/// [N, d...], with the optional class `weight` [C], following the ONNX
/// reference: the element input[n, target[n, d...], d...] is picked with a
/// one-hot mask (so that an ignored target outside [0, C) picks nothing),
/// negated and weighted; ignored targets weigh 0.
static FailureOr<Value> nllLoss(NodeContext &ctx, Emitter &e, Value input,
                                Value target, Value weight) {
  std::string reduction = "mean";
  int64_t ignoreIndex = 0;
  bool hasIgnore = ctx.hasAttr("ignore_index");
  if (failed(ctx.stringAttr("reduction", reduction)) ||
      failed(ctx.intAttr("ignore_index", ignoreIndex)))
    return failure();
  if (reduction != "mean" && reduction != "sum" && reduction != "none")
    return ctx.invalid() << "expected reduction 'none', 'sum' or 'mean', "
                            "found '"
                         << reduction << "'";
  RankedTensorType inType = Emitter::typeOf(input);
  RankedTensorType tType = Emitter::typeOf(target);
  int64_t rank = inType.getRank();
  if (!isFloatTensor(inType))
    return ctx.unsupported() << "expected a floating-point input, found "
                             << inType;
  if (rank < 2 || !inType.hasStaticShape())
    return ctx.unsupported() << "expected a static input [N, C, d...], found "
                             << inType;
  Type tElement = tType.getElementType();
  if (!tElement.isSignlessInteger(32) && !tElement.isSignlessInteger(64))
    return ctx.invalid() << "expected an int32 or int64 target, found "
                         << tType;
  ArrayRef<int64_t> inShape = inType.getShape();
  SmallVector<int64_t> tShape = {inShape[0]};
  llvm::append_range(tShape, inShape.drop_front(2));
  if (tType.getShape() != ArrayRef<int64_t>(tShape))
    return ctx.invalid() << "expected a target of shape [N, d...] matching "
                         << inType << ", found " << tType;
  Type element = inType.getElementType();
  int64_t c = inShape[1];
  SmallVector<int64_t> unsqShape(tShape);
  unsqShape.insert(unsqShape.begin() + 1, 1);
  FailureOr<Value> t = ctx.reshapeTo(target, unsqShape);
  if (failed(t))
    return failure();
  Value hot = e.compare<dsg::EqualOp>(*t, e.iota(c, 1, rank, tElement));
  Value zero = e.scalar(element, 0);
  Value picked = e.reduce<dsg::ReduceSumOp>(e.where(hot, input, zero), {1},
                                            false);
  Value loss = e.unary<dsg::NegOp>(picked);
  Value gathered; // the weight of each element, if any
  if (weight) {
    RankedTensorType wType = Emitter::typeOf(weight);
    if (wType.getElementType() != element || wType.getRank() != 1 ||
        wType.getDimSize(0) != c)
      return ctx.invalid() << "expected a weight of shape [" << c
                           << "] and the input's element type, found "
                           << wType;
    FailureOr<Value> w = channelVector(ctx, weight, c, rank);
    if (failed(w))
      return failure();
    gathered =
        e.reduce<dsg::ReduceSumOp>(e.where(hot, *w, zero), {1}, false);
  }
  if (hasIgnore) {
    Value ignored = e.compare<dsg::EqualOp>(
        target, e.scalar(tElement, static_cast<double>(ignoreIndex)));
    gathered = e.where(ignored, zero, gathered ? gathered
                                               : e.scalar(element, 1.0));
    if (Emitter::typeOf(gathered).getShape() != ArrayRef<int64_t>(tShape))
      return ctx.unsupported() << "unexpected weight shape";
  }
  if (gathered)
    loss = e.binary<dsg::MulOp>(gathered, loss);
  if (reduction == "none")
    return loss;
  SmallVector<int64_t> all =
      llvm::to_vector(llvm::seq<int64_t>(0, tShape.size()));
  if (reduction == "sum")
    return e.reduce<dsg::ReduceSumOp>(loss, all, false);
  if (!gathered)
    return e.reduce<dsg::ReduceMeanOp>(loss, all, false);
  // Separate statements: call arguments are evaluated in an unspecified
  // order, and the IR must not depend on the compiler that built ds.
  Value denominator = e.reduce<dsg::ReduceSumOp>(gathered, all, false);
  Value numerator = e.reduce<dsg::ReduceSumOp>(loss, all, false);
  return e.binary<dsg::DivOp>(numerator, denominator);
}

LogicalResult
mlir::ds::onnx_import::importNegativeLogLikelihoodLoss(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 3)))
    return failure();
  Emitter e(ctx);
  FailureOr<Value> loss =
      nllLoss(ctx, e, ctx.input(0), ctx.input(1),
              ctx.hasInput(2) ? ctx.input(2) : Value());
  if (failed(loss))
    return failure();
  return setResult(ctx, 0, *loss);
}

/// SoftmaxCrossEntropyLoss = NegativeLogLikelihoodLoss(LogSoftmax(scores,
/// axis 1)); the optional second output is the log-probabilities.
LogicalResult
mlir::ds::onnx_import::importSoftmaxCrossEntropyLoss(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 3)) || failed(expectFloat(ctx, 0)))
    return failure();
  if (ctx.inputType(0).getRank() < 2)
    return ctx.invalid() << "expected scores of rank >= 2, found "
                         << ctx.inputType(0);
  Emitter e(ctx);
  Value logProb = logSoftmax(e, ctx.input(0), 1);
  FailureOr<Value> loss = nllLoss(ctx, e, logProb, ctx.input(1),
                                  ctx.hasInput(2) ? ctx.input(2) : Value());
  if (failed(loss) || failed(setResult(ctx, 0, *loss)))
    return failure();
  if (ctx.hasOutput(1))
    return setResult(ctx, 1, logProb);
  return success();
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

/// Einsum (an ellipsis is expanded into named dimensions): each operand's repeated labels are reduced to
/// their diagonal (a mask and a sum), every operand is transposed and
/// reshaped onto the common label order (output labels, then summed ones),
/// the operands are multiplied with broadcasting, and the summed labels are
/// reduced.
LogicalResult mlir::ds::onnx_import::importEinsum(NodeContext &ctx) {
  if (ctx.numInputs() < 1)
    return ctx.invalid() << "expected at least one input";
  for (unsigned i = 0; i < ctx.numInputs(); ++i) {
    if (!ctx.hasInput(i))
      return ctx.invalid() << "expected input " << i;
    if (failed(expectStatic(ctx, ctx.inputType(i))))
      return failure();
    Type element = ctx.inputType(i).getElementType();
    if (element != ctx.inputType(0).getElementType() || element.isInteger(1))
      return ctx.invalid() << "expected numeric inputs of one element type";
  }
  std::string equation;
  if (!ctx.hasAttr("equation"))
    return ctx.invalid() << "missing required attribute 'equation'";
  if (failed(ctx.stringAttr("equation", equation)))
    return failure();
  std::string eq;
  for (char ch : equation)
    if (ch != ' ')
      eq.push_back(ch);
  size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  SmallVector<std::string> terms;
  SmallVector<StringRef> parts;
  StringRef(lhs).split(parts, ',');
  for (StringRef term : parts)
    terms.push_back(term.str());
  if (terms.size() != ctx.numInputs())
    return ctx.invalid() << "expected " << terms.size() << " inputs for '"
                         << equation << "'";
  // An ellipsis stands for the leading dimensions the labels leave; they
  // align from the right across operands and are named '0', '1', ... here.
  auto expandEllipsis = [](std::string &term, int64_t count,
                           int64_t total) {
    size_t pos = term.find("...");
    std::string names;
    for (int64_t k = total - count; k < total; ++k)
      names.push_back(static_cast<char>('0' + k));
    term.replace(pos, 3, names);
  };
  int64_t ellipsisDims = 0;
  SmallVector<int64_t> termEllipsis;
  for (auto [i, term] : llvm::enumerate(terms)) {
    for (char ch : term)
      if (!llvm::isAlpha(ch) && ch != '.')
        return ctx.invalid() << "bad label '" << ch << "'";
    size_t pos = term.find("...");
    int64_t dots = llvm::count(term, '.');
    int64_t count = 0;
    if (dots != 0) {
      if (dots != 3 || pos == std::string::npos)
        return ctx.invalid() << "bad ellipsis in '" << term << "'";
      count = ctx.inputType(i).getRank() -
              static_cast<int64_t>(term.size() - 3);
      if (count < 0)
        return ctx.invalid() << "term '" << term << "' does not match "
                             << ctx.inputType(i);
    }
    termEllipsis.push_back(count);
    ellipsisDims = std::max(ellipsisDims, count);
  }
  if (ellipsisDims > 10)
    return ctx.unsupported() << "too many dimensions under the ellipsis";
  for (auto [i, term] : llvm::enumerate(terms))
    if (term.find("...") != std::string::npos)
      expandEllipsis(term, termEllipsis[i], ellipsisDims);
  std::map<char, int64_t> sizes, counts;
  for (auto [i, term] : llvm::enumerate(terms)) {
    RankedTensorType type = ctx.inputType(i);
    if (static_cast<int64_t>(term.size()) != type.getRank())
      return ctx.invalid() << "term '" << term << "' does not match " << type;
    for (auto [j, ch] : llvm::enumerate(term)) {
      int64_t d = type.getDimSize(j);
      auto [it, inserted] = sizes.try_emplace(ch, d);
      if (!inserted && it->second != d)
        return ctx.unsupported() << "label '" << ch
                                 << "' with different sizes (broadcasting) "
                                    "is not supported";
      ++counts[ch];
    }
  }
  std::string out;
  if (arrow != std::string::npos) {
    out = eq.substr(arrow + 2);
    for (char ch : out)
      if (!llvm::isAlpha(ch) && ch != '.')
        return ctx.invalid() << "bad output label '" << ch << "'";
    if (out.find("...") != std::string::npos)
      expandEllipsis(out, ellipsisDims, ellipsisDims);
    for (char ch : out)
      if (!sizes.count(ch) || llvm::count(out, ch) != 1)
        return ctx.invalid() << "bad output label '" << ch << "'";
  } else {
    // Implicit output: the ellipsis dimensions, then the labels that occur
    // once, in alphabetical order.
    for (int64_t k = 0; k < ellipsisDims; ++k)
      out.push_back(static_cast<char>('0' + k));
    for (auto [ch, n] : counts)
      if (n == 1 && llvm::isAlpha(ch))
        out.push_back(ch);
  }
  std::string order = out;
  for (auto [ch, n] : sizes)
    if (out.find(ch) == std::string::npos)
      order.push_back(ch);

  Emitter e(ctx);
  Value product;
  for (auto [i, term] : llvm::enumerate(terms)) {
    Value x = ctx.input(i);
    std::string labels = term;
    // Diagonals: sum x masked with the identity over a repeated label pair.
    for (size_t a = 0; a < labels.size(); ++a) {
      size_t bPos;
      while ((bPos = labels.find(labels[a], a + 1)) != std::string::npos) {
        RankedTensorType type = Emitter::typeOf(x);
        int64_t rank = type.getRank(), n = type.getDimSize(a);
        Value eye = e.compare<dsg::EqualOp>(
            e.iota(n, a, rank, e.b.getI64Type()),
            e.iota(n, bPos, rank, e.b.getI64Type()));
        x = e.where(eye, x, e.scalar(type.getElementType(), 0));
        x = e.reduce<dsg::ReduceSumOp>(x, {static_cast<int64_t>(bPos)}, false);
        labels.erase(bPos, 1);
      }
    }
    // Transpose onto the common order, then insert the missing labels.
    SmallVector<int64_t> perm;
    for (char ch : order) {
      size_t pos = labels.find(ch);
      if (pos != std::string::npos)
        perm.push_back(pos);
    }
    if (!llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
      x = e.transpose(x, perm);
    SmallVector<int64_t> shape;
    for (char ch : order)
      shape.push_back(labels.find(ch) != std::string::npos ? sizes[ch] : 1);
    FailureOr<Value> aligned = ctx.reshapeTo(x, shape);
    if (failed(aligned))
      return failure();
    product = product ? e.binary<dsg::MulOp>(product, *aligned) : *aligned;
  }
  SmallVector<int64_t> summed =
      llvm::to_vector(llvm::seq<int64_t>(out.size(), order.size()));
  Value result = product;
  if (!summed.empty())
    result = e.reduce<dsg::ReduceSumOp>(product, summed, false);
  return setResult(ctx, 0, result);
}

//===----------------------------------------------------------------------===//
// ConvTranspose
//===----------------------------------------------------------------------===//

/// ConvTranspose as a convolution: along each spatial axis the input is
/// gathered into its stride-dilated, padded form (a zero slot appended to
/// the input supplies the inserted zeros; negative pads simply drop
/// positions), and convolved (stride 1, the same dilations) with the weight
/// [C, M / group, k...] rearranged to [M, C / group, k...] and flipped.
LogicalResult mlir::ds::onnx_import::importConvTranspose(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 3)) || failed(expectFloat(ctx, 0)))
    return failure();
  RankedTensorType xType = ctx.inputType(0), wType = ctx.inputType(1);
  int64_t rank = xType.getRank();
  if (rank < 3 || wType.getRank() != rank)
    return ctx.invalid() << "expected input and weight of one rank >= 3, "
                            "found "
                         << xType << " and " << wType;
  if (failed(expectStatic(ctx, xType)) || failed(expectStatic(ctx, wType)))
    return failure();
  size_t spatial = rank - 2;
  SmallVector<int64_t> kernel(wType.getShape().drop_front(2));
  SmallVector<int64_t> kernelAttr, strides(spatial, 1), dilations(spatial, 1),
      pads(2 * spatial, 0), outputPadding(spatial, 0), outputShape;
  int64_t group = 1;
  std::string autoPad = "NOTSET";
  if (failed(ctx.intsAttr("kernel_shape", kernelAttr)) ||
      failed(ctx.intsAttr("strides", strides)) ||
      failed(ctx.intsAttr("dilations", dilations)) ||
      failed(ctx.intsAttr("pads", pads)) ||
      failed(ctx.intsAttr("output_padding", outputPadding)) ||
      failed(ctx.intsAttr("output_shape", outputShape)) ||
      failed(ctx.intAttr("group", group)) ||
      failed(ctx.stringAttr("auto_pad", autoPad)))
    return failure();
  if (!kernelAttr.empty() &&
      ArrayRef<int64_t>(kernelAttr) != ArrayRef<int64_t>(kernel))
    return ctx.invalid() << "attribute kernel_shape does not match the "
                            "weight "
                         << wType;
  if (outputShape.size() == spatial + 2)
    outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  if (strides.size() != spatial || dilations.size() != spatial ||
      pads.size() != 2 * spatial || outputPadding.size() != spatial ||
      (!outputShape.empty() && outputShape.size() != spatial))
    return ctx.invalid() << "expected " << spatial
                         << " values per spatial attribute";
  for (int64_t v : llvm::concat<int64_t>(strides, dilations, kernel))
    if (v < 1)
      return ctx.invalid() << "expected strides, dilations and kernel sizes "
                              ">= 1, found "
                           << v;
  int64_t c = xType.getDimSize(1);
  if (group < 1 || c % group != 0 || wType.getDimSize(0) != c)
    return ctx.invalid() << "expected a weight [C, M / group, k...] for "
                         << xType << " and group " << group << ", found "
                         << wType;
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return ctx.invalid() << "bad auto_pad '" << autoPad << "'";
  if (autoPad == "VALID")
    pads.assign(2 * spatial, 0);
  // With an explicit output shape (or SAME padding), the pads follow from
  // it; negative pads extend the output.
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (!outputShape.empty() || same) {
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = xType.getDimSize(i + 2);
      int64_t target = outputShape.empty() ? in * strides[i] : outputShape[i];
      int64_t total = strides[i] * (in - 1) + outputPadding[i] +
                      (kernel[i] - 1) * dilations[i] + 1 - target;
      int64_t half = llvm::divideFloorSigned(total, 2);
      bool upper = autoPad == "SAME_UPPER";
      pads[i] = upper ? half : total - half;
      pads[i + spatial] = upper ? total - half : half;
    }
  }

  Emitter e(ctx);
  Type element = xType.getElementType();
  Value x = ctx.input(0);
  SmallVector<int64_t> outShape = {xType.getDimSize(0),
                                   wType.getDimSize(1) * group};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t axis = i + 2;
    int64_t in = xType.getDimSize(axis);
    int64_t extent = (kernel[i] - 1) * dilations[i] + 1;
    int64_t out = strides[i] * (in - 1) + outputPadding[i] + extent -
                  pads[i] - pads[i + spatial];
    if (out < 1)
      return ctx.invalid() << "the output would be empty";
    outShape.push_back(out);
    // Append the zero slot (index `in`) along the axis.
    RankedTensorType type = Emitter::typeOf(x);
    SmallVector<int64_t> zeroShape(type.getShape());
    zeroShape[axis] = 1;
    auto zeroType = RankedTensorType::get(zeroShape, element);
    Value zeros = dsg::ConstantOp::create(
        e.b, e.loc, zeroType,
        DenseElementsAttr::get(zeroType, FloatAttr::get(element, 0.0)));
    SmallVector<int64_t> catShape(type.getShape());
    catShape[axis] += 1;
    Value cat = dsg::ConcatOp::create(
        e.b, e.loc, RankedTensorType::get(catShape, element),
        ValueRange{x, zeros}, e.b.getI64IntegerAttr(axis));
    SmallVector<int64_t> indices;
    int64_t offset = pads[i] - (extent - 1);
    for (int64_t j = 0; j < out + extent - 1; ++j) {
      int64_t pos = j + offset;
      bool hit = pos >= 0 && pos % strides[i] == 0 &&
                 pos / strides[i] < in;
      indices.push_back(hit ? pos / strides[i] : in);
    }
    x = e.gather(cat, axis, indices);
  }
  // The weight: [C, M/g, k...] -> [g, C/g, M/g, k...] -> [g, M/g, C/g, k...]
  // -> [M, C/g, k...], flipped along each spatial axis.
  int64_t mg = wType.getDimSize(1), cg = c / group;
  SmallVector<int64_t> split = {group, cg, mg};
  llvm::append_range(split, kernel);
  FailureOr<Value> w = ctx.reshapeTo(ctx.input(1), split);
  if (failed(w))
    return failure();
  SmallVector<int64_t> perm = {0, 2, 1};
  llvm::append_range(perm, llvm::seq<int64_t>(3, rank + 1));
  SmallVector<int64_t> merged = {group * mg, cg};
  llvm::append_range(merged, kernel);
  FailureOr<Value> weight = ctx.reshapeTo(e.transpose(*w, perm), merged);
  if (failed(weight))
    return failure();
  Value flipped = *weight;
  for (size_t i = 0; i < spatial; ++i) {
    if (kernel[i] == 1)
      continue;
    SmallVector<int64_t> rev;
    for (int64_t k = kernel[i] - 1; k >= 0; --k)
      rev.push_back(k);
    flipped = e.gather(flipped, i + 2, rev);
  }
  SmallVector<Value> operands = {x, flipped};
  if (ctx.hasInput(2))
    operands.push_back(ctx.input(2));
  auto outType = RankedTensorType::get(outShape, element);
  OpBuilder &b = e.b;
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("strides",
                     b.getDenseI64ArrayAttr(SmallVector<int64_t>(spatial, 1))),
      b.getNamedAttr("pads", b.getDenseI64ArrayAttr(
                                 SmallVector<int64_t>(2 * spatial, 0))),
      b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(dilations)),
      b.getNamedAttr("group", b.getI64IntegerAttr(group))};
  Value result =
      dsg::ConvOp::create(b, e.loc, TypeRange{outType}, operands, attrs)
          .getResult();
  return setResult(ctx, 0, result);
}

//===----------------------------------------------------------------------===//
// Mish
//===----------------------------------------------------------------------===//

/// Mish = x * tanh(softplus(x)) (the ONNX function body).
LogicalResult mlir::ds::onnx_import::importMish(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)) || failed(expectFloat(ctx, 0)))
    return failure();
  Emitter e(ctx);
  Value x = ctx.input(0);
  Value t = e.unary<dsg::TanhOp>(e.unary<dsg::SoftplusOp>(x));
  return setResult(ctx, 0, e.binary<dsg::MulOp>(x, t));
}
