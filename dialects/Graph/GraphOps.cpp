//===- GraphOps.cpp - dsg operation verifiers and folders ----------------===//
#include "Graph/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace mlir::ds::graph;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static RankedTensorType rankedType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

static std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(d) ? "?" : std::to_string(d);
  }
  return s + "]";
}

/// Two sizes are compatible if either is unknown or they are equal.
static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static LogicalResult verifyShapeMatches(Operation *op, ArrayRef<int64_t> want,
                                        ArrayRef<int64_t> got,
                                        StringRef what = "result") {
  if (want.size() != got.size())
    return op->emitOpError() << "expected " << what << " of rank "
                             << want.size() << " (shape " << shapeStr(want)
                             << "), found rank " << got.size();
  for (auto [w, g] : llvm::zip(want, got))
    if (!compatible(w, g))
      return op->emitOpError() << "expected " << what << " shape "
                               << shapeStr(want) << ", found "
                               << shapeStr(got);
  return success();
}

FailureOr<SmallVector<int64_t>>
mlir::ds::graph::broadcastShapes(ArrayRef<ArrayRef<int64_t>> shapes) {
  size_t rank = 0;
  for (ArrayRef<int64_t> s : shapes)
    rank = std::max(rank, s.size());
  SmallVector<int64_t> out(rank, 1);
  for (ArrayRef<int64_t> s : shapes) {
    size_t offset = rank - s.size();
    for (auto [i, d] : llvm::enumerate(s)) {
      int64_t &o = out[offset + i];
      if (d == 1)
        continue;
      if (o == 1) {
        o = d;
        continue;
      }
      if (ShapedType::isDynamic(d))
        continue; // Keep the known size; a dynamic size must match it.
      if (ShapedType::isDynamic(o)) {
        o = d;
        continue;
      }
      if (o != d)
        return failure();
    }
  }
  return out;
}

LogicalResult mlir::ds::graph::verifyBroadcastingOp(Operation *op,
                                                    bool sameElementTypes) {
  SmallVector<ArrayRef<int64_t>> shapes;
  Type elementType = rankedType(op->getResult(0)).getElementType();
  for (Value operand : op->getOperands()) {
    auto type = rankedType(operand);
    shapes.push_back(type.getShape());
    if (sameElementTypes && type.getElementType() != elementType)
      return op->emitOpError() << "expected operand element type "
                               << elementType << " (the result's), found "
                               << type.getElementType();
  }
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(shapes);
  if (failed(shape)) {
    InFlightDiagnostic diag = op->emitOpError()
                              << "operand shapes do not broadcast:";
    for (ArrayRef<int64_t> s : shapes)
      diag << " " << shapeStr(s);
    return diag;
  }
  return verifyShapeMatches(op, *shape,
                            rankedType(op->getResult(0)).getShape());
}

LogicalResult mlir::ds::graph::verifyUnaryOp(Operation *op,
                                             bool allowIntegers) {
  Type elementType = rankedType(op->getResult(0)).getElementType();
  if (isa<FloatType>(elementType))
    return success();
  if (allowIntegers && elementType.isInteger() &&
      !elementType.isInteger(1))
    return success();
  return op->emitOpError() << "expected a floating-point"
                           << (allowIntegers ? " or integer" : "")
                           << " element type, found " << elementType;
}

LogicalResult mlir::ds::graph::verifyCompareOp(Operation *op) {
  Type lhs = rankedType(op->getOperand(0)).getElementType();
  Type rhs = rankedType(op->getOperand(1)).getElementType();
  if (lhs != rhs)
    return op->emitOpError() << "expected operands of one element type, found "
                             << lhs << " and " << rhs;
  return verifyBroadcastingOp(op, /*sameElementTypes=*/false);
}

static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank,
                                StringRef name = "axis") {
  if (axis < 0 || axis >= rank)
    return op->emitOpError() << "expected " << name << " in [0, " << rank
                             << "), found " << axis;
  return success();
}

LogicalResult mlir::ds::graph::verifyReduceOp(Operation *op,
                                              ArrayRef<int64_t> axes,
                                              bool keepdims) {
  auto inType = rankedType(op->getOperand(0));
  auto outType = rankedType(op->getResult(0));
  if (inType.getElementType() != outType.getElementType())
    return op->emitOpError("expected the result element type to match the "
                           "input's");
  int64_t previous = -1;
  for (int64_t axis : axes) {
    if (failed(verifyAxis(op, axis, inType.getRank())))
      return failure();
    if (axis <= previous)
      return op->emitOpError("expected sorted, unique axes");
    previous = axis;
  }
  SmallVector<int64_t> want;
  for (auto [i, d] : llvm::enumerate(inType.getShape())) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      want.push_back(d);
    else if (keepdims)
      want.push_back(1);
  }
  return verifyShapeMatches(op, want, outType.getShape());
}

LogicalResult mlir::ds::graph::verifyArgOp(Operation *op, int64_t axis,
                                           bool keepdims) {
  auto inType = rankedType(op->getOperand(0));
  auto outType = rankedType(op->getResult(0));
  if (failed(verifyAxis(op, axis, inType.getRank())))
    return failure();
  SmallVector<int64_t> want;
  for (auto [i, d] : llvm::enumerate(inType.getShape())) {
    if (static_cast<int64_t>(i) != axis)
      want.push_back(d);
    else if (keepdims)
      want.push_back(1);
  }
  return verifyShapeMatches(op, want, outType.getShape());
}

/// Checks `values` has `count` entries, all at least `min`.
static LogicalResult verifyList(Operation *op, StringRef name,
                                ArrayRef<int64_t> values, size_t count,
                                int64_t min) {
  if (values.size() != count)
    return op->emitOpError() << "expected " << count << " values in '" << name
                             << "', found " << values.size();
  for (int64_t v : values)
    if (v < min)
      return op->emitOpError() << "expected every value in '" << name
                               << "' to be at least " << min << ", found "
                               << v;
  return success();
}

/// Output size of a sliding window (convolution or pooling) along one
/// dimension.
static int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                int64_t padBegin, int64_t padEnd,
                                int64_t dilation, bool ceilMode) {
  if (ShapedType::isDynamic(in))
    return ShapedType::kDynamic;
  int64_t effective = dilation * (kernel - 1) + 1;
  int64_t span = in + padBegin + padEnd - effective;
  if (span < 0)
    return -1;
  int64_t out = (ceilMode ? llvm::divideCeil(span, stride) : span / stride) + 1;
  // ONNX (unlike PyTorch) does not drop a last window that starts in the
  // trailing padding; follow ONNX, whose shape inference typed the graph.
  return out;
}

/// Verifies the window attributes of convolution and pooling ops and
/// returns the expected spatial output sizes.
static FailureOr<SmallVector<int64_t>>
verifyWindow(Operation *op, ArrayRef<int64_t> inShape,
             ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
             ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
             bool ceilMode) {
  if (inShape.size() < 3)
    return op->emitOpError() << "expected an input of rank at least 3 "
                                "([N, C, spatial...]), found rank "
                             << inShape.size();
  size_t spatial = inShape.size() - 2;
  if (failed(verifyList(op, "kernel_shape", kernel, spatial, 1)) ||
      failed(verifyList(op, "strides", strides, spatial, 1)) ||
      failed(verifyList(op, "pads", pads, 2 * spatial, 0)) ||
      failed(verifyList(op, "dilations", dilations, spatial, 1)))
    return failure();
  SmallVector<int64_t> out;
  for (size_t i = 0; i < spatial; ++i) {
    int64_t size = windowOutputSize(inShape[i + 2], kernel[i], strides[i],
                                    pads[i], pads[i + spatial], dilations[i],
                                    ceilMode);
    if (size == -1)
      return op->emitOpError() << "window of size " << kernel[i]
                               << " does not fit the padded input along "
                                  "spatial dimension "
                               << i;
    out.push_back(size);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult PowOp::verify() {
  if (getLhs().getType().getElementType() != getType().getElementType())
    return emitOpError("expected the base and the result to have the same "
                       "element type");
  return verifyBroadcastingOp(*this, /*sameElementTypes=*/false);
}

LogicalResult ModOp::verify() {
  if (isa<FloatType>(getType().getElementType()) && !getFmod())
    return emitOpError("expected 'fmod' for a floating-point element type");
  return verifyBroadcastingOp(*this, /*sameElementTypes=*/true);
}

LogicalResult WhereOp::verify() {
  if (getX().getType().getElementType() != getType().getElementType() ||
      getY().getType().getElementType() != getType().getElementType())
    return emitOpError("expected 'x', 'y' and the result to have the same "
                       "element type");
  return verifyBroadcastingOp(*this, /*sameElementTypes=*/false);
}

//===----------------------------------------------------------------------===//
// MatMulOp, GemmOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  ArrayRef<int64_t> lhs = getLhs().getType().getShape();
  ArrayRef<int64_t> rhs = getRhs().getType().getShape();
  Type elementType = getType().getElementType();
  if (getLhs().getType().getElementType() != elementType ||
      getRhs().getType().getElementType() != elementType)
    return emitOpError("expected operands and result of one element type");
  if (lhs.empty() || rhs.empty())
    return emitOpError("expected operands of rank at least 1");
  SmallVector<int64_t> a(lhs), b(rhs);
  bool dropM = a.size() == 1, dropN = b.size() == 1;
  if (dropM)
    a.insert(a.begin(), 1);
  if (dropN)
    b.push_back(1);
  int64_t k1 = a.back(), k2 = b[b.size() - 2];
  if (!compatible(k1, k2))
    return emitOpError() << "contraction sizes differ: lhs has " << k1
                         << ", rhs has " << k2;
  FailureOr<SmallVector<int64_t>> batch = broadcastShapes(
      {ArrayRef(a).drop_back(2), ArrayRef(b).drop_back(2)});
  if (failed(batch))
    return emitOpError() << "batch dimensions do not broadcast: "
                         << shapeStr(lhs) << " and " << shapeStr(rhs);
  SmallVector<int64_t> want = *batch;
  if (!dropM)
    want.push_back(a[a.size() - 2]);
  if (!dropN)
    want.push_back(b.back());
  return verifyShapeMatches(*this, want, getType().getShape());
}

LogicalResult GemmOp::verify() {
  auto a = getA().getType(), b = getB().getType();
  if (a.getRank() != 2 || b.getRank() != 2 || getType().getRank() != 2)
    return emitOpError("expected rank-2 operands and result");
  int64_t m = a.getDimSize(getTransA() ? 1 : 0);
  int64_t k1 = a.getDimSize(getTransA() ? 0 : 1);
  int64_t k2 = b.getDimSize(getTransB() ? 1 : 0);
  int64_t n = b.getDimSize(getTransB() ? 0 : 1);
  if (!compatible(k1, k2))
    return emitOpError() << "contraction sizes differ: A has " << k1
                         << ", B has " << k2;
  if (failed(verifyShapeMatches(*this, {m, n}, getType().getShape())))
    return failure();
  if (Value c = getC()) {
    auto cType = cast<RankedTensorType>(c.getType());
    FailureOr<SmallVector<int64_t>> shape =
        broadcastShapes({cType.getShape(), getType().getShape()});
    if (cType.getRank() > 2 || failed(shape) ||
        failed(verifyShapeMatches(*this, getType().getShape(), *shape, "C")))
      return emitOpError() << "expected C of shape " << shapeStr(cType.getShape())
                           << " to broadcast to the result "
                           << shapeStr(getType().getShape());
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ConvOp
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::verify() {
  auto in = getInput().getType(), w = getWeight().getType();
  if (w.getRank() != in.getRank())
    return emitOpError() << "expected weight of rank " << in.getRank()
                         << ", found " << w.getRank();
  if (getGroup() < 1)
    return emitOpError() << "expected group >= 1, found " << getGroup();
  SmallVector<int64_t> kernel(w.getShape().drop_front(2));
  FailureOr<SmallVector<int64_t>> spatial =
      verifyWindow(*this, in.getShape(), kernel, getStrides(), getPads(),
                   getDilations(), /*ceilMode=*/false);
  if (failed(spatial))
    return failure();
  int64_t c = in.getDimSize(1), f = w.getDimSize(0), cg = w.getDimSize(1);
  if (!ShapedType::isDynamic(c) && !ShapedType::isDynamic(cg) &&
      c != cg * getGroup())
    return emitOpError() << "expected input channels (" << c
                         << ") = weight channels (" << cg << ") * group ("
                         << getGroup() << ")";
  if (!ShapedType::isDynamic(f) && f % getGroup() != 0)
    return emitOpError() << "expected output channels (" << f
                         << ") divisible by group (" << getGroup() << ")";
  if (Value bias = getBias()) {
    auto b = cast<RankedTensorType>(bias.getType());
    if (b.getRank() != 1 || !compatible(b.getDimSize(0), f))
      return emitOpError() << "expected bias of shape [" << f << "], found "
                           << shapeStr(b.getShape());
  }
  SmallVector<int64_t> want = {in.getDimSize(0), f};
  want.append(*spatial);
  return verifyShapeMatches(*this, want, getType().getShape());
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

static LogicalResult verifyPool(Operation *op, ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> pads,
                                ArrayRef<int64_t> dilations, bool ceilMode) {
  auto in = rankedType(op->getOperand(0));
  FailureOr<SmallVector<int64_t>> spatial = verifyWindow(
      op, in.getShape(), kernel, strides, pads, dilations, ceilMode);
  if (failed(spatial))
    return failure();
  SmallVector<int64_t> want = {in.getDimSize(0), in.getDimSize(1)};
  want.append(*spatial);
  for (Value result : op->getResults())
    if (failed(verifyShapeMatches(op, want, rankedType(result).getShape())))
      return failure();
  return success();
}

LogicalResult MaxPoolOp::verify() {
  if (getStorageOrder() != 0 && getStorageOrder() != 1)
    return emitOpError() << "expected storage_order 0 or 1, found "
                         << getStorageOrder();
  return verifyPool(*this, getKernelShape(), getStrides(), getPads(),
                    getDilations(), getCeilMode());
}

LogicalResult AveragePoolOp::verify() {
  if (!isa<FloatType>(getType().getElementType()))
    return emitOpError("expected a floating-point element type");
  return verifyPool(*this, getKernelShape(), getStrides(), getPads(),
                    getDilations(), getCeilMode());
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  if (!isa<FloatType>(getType().getElementType()))
    return emitOpError("expected a floating-point element type");
  return verifyAxis(*this, getAxis(), getType().getRank());
}

LogicalResult BatchNormOp::verify() {
  auto in = getInput().getType();
  if (in.getRank() < 2)
    return emitOpError("expected an input of rank at least 2 ([N, C, ...])");
  if (in != getType())
    return emitOpError("expected the result type to match the input's");
  int64_t c = in.getDimSize(1);
  for (Value v : {getScale(), getBias(), getMean(), getVariance()}) {
    auto t = rankedType(v);
    if (t.getRank() != 1 || !compatible(t.getDimSize(0), c))
      return emitOpError() << "expected per-channel operands of shape [" << c
                           << "], found " << shapeStr(t.getShape());
  }
  return success();
}

LogicalResult LayerNormOp::verify() {
  auto in = getInput().getType();
  if (failed(verifyAxis(*this, getAxis(), in.getRank())))
    return failure();
  if (getResult().getType() != in)
    return emitOpError("expected the result type to match the input's");
  ArrayRef<int64_t> normalized = in.getShape().drop_front(getAxis());
  for (Value v : {getScale(), getBias()}) {
    if (!v)
      continue;
    auto t = rankedType(v);
    FailureOr<SmallVector<int64_t>> shape =
        broadcastShapes({t.getShape(), normalized});
    if (t.getRank() > static_cast<int64_t>(normalized.size()) ||
        failed(shape) ||
        failed(verifyShapeMatches(*this, normalized, *shape, "scale/bias")))
      return emitOpError() << "expected scale and bias to broadcast to the "
                              "normalized shape "
                           << shapeStr(normalized);
  }
  SmallVector<int64_t> stats(in.getShape().take_front(getAxis()));
  stats.append(in.getRank() - getAxis(), 1);
  if (failed(verifyShapeMatches(*this, stats,
                                getMean().getType().getShape(), "mean")) ||
      failed(verifyShapeMatches(*this, stats,
                                getInvStdDev().getType().getShape(),
                                "inv_std_dev")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("expected the result element type to match the "
                       "input's");
  if (Value shape = getShape()) {
    auto t = cast<RankedTensorType>(shape.getType());
    if (t.getRank() != 1 || !compatible(t.getDimSize(0), out.getRank()))
      return emitOpError() << "expected a 1-D shape operand of " << out.getRank()
                           << " elements, found " << shapeStr(t.getShape());
    return success();
  }
  if (!out.hasStaticShape())
    return emitOpError("expected a static result type when no shape operand "
                       "is given");
  if (in.hasStaticShape() && in.getNumElements() != out.getNumElements())
    return emitOpError() << "expected " << in.getNumElements()
                         << " elements in the result (as in the input), "
                            "found "
                         << out.getNumElements();
  return success();
}

LogicalResult TransposeOp::verify() {
  auto in = getInput().getType();
  ArrayRef<int64_t> perm = getPermutation();
  if (static_cast<int64_t>(perm.size()) != in.getRank())
    return emitOpError() << "expected a permutation of " << in.getRank()
                         << " dimensions, found " << perm.size();
  llvm::SmallSet<int64_t, 8> seen;
  SmallVector<int64_t> want;
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || !seen.insert(p).second)
      return emitOpError("expected a permutation of [0, rank)");
    want.push_back(in.getDimSize(p));
  }
  if (in.getElementType() != getType().getElementType())
    return emitOpError("expected the result element type to match the "
                       "input's");
  return verifyShapeMatches(*this, want, getType().getShape());
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("expected at least one input");
  auto out = getType();
  if (failed(verifyAxis(*this, getAxis(), out.getRank())))
    return failure();
  int64_t total = 0;
  for (Value v : getInputs()) {
    auto t = rankedType(v);
    if (t.getRank() != out.getRank() ||
        t.getElementType() != out.getElementType())
      return emitOpError() << "expected inputs of rank " << out.getRank()
                           << " and element type " << out.getElementType()
                           << ", found " << t;
    for (int64_t i = 0; i < out.getRank(); ++i) {
      if (i == getAxis())
        continue;
      if (!compatible(t.getDimSize(i), out.getDimSize(i)))
        return emitOpError() << "expected inputs to agree with the result "
                                "outside the axis, found "
                             << t << " for " << out;
    }
    int64_t d = t.getDimSize(getAxis());
    total = (ShapedType::isDynamic(d) || ShapedType::isDynamic(total))
                ? ShapedType::kDynamic
                : total + d;
  }
  if (!compatible(total, out.getDimSize(getAxis())))
    return emitOpError() << "expected the result to have size " << total
                         << " along the axis, found "
                         << out.getDimSize(getAxis());
  return success();
}

LogicalResult GatherOp::verify() {
  auto data = getData().getType();
  if (failed(verifyAxis(*this, getAxis(), data.getRank())))
    return failure();
  if (data.getElementType() != getType().getElementType())
    return emitOpError("expected the result element type to match the "
                       "data's");
  SmallVector<int64_t> want(data.getShape().take_front(getAxis()));
  llvm::append_range(want, getIndices().getType().getShape());
  llvm::append_range(want, data.getShape().drop_front(getAxis() + 1));
  return verifyShapeMatches(*this, want, getType().getShape());
}

#define GET_OP_CLASSES
#include "Graph/GraphOps.cpp.inc"
