//===- QuantOps.cpp - dsq verifiers ---------------------------------------===//
#include "Quant/QuantOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::ds::quant;

static bool sameSize(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// K of a product on a weight stored `[..., stored]`: int4 packs two
/// values per byte.
static int64_t reductionSizeOf(ShapedType weight, unsigned bits) {
  int64_t stored = weight.getShape().back();
  if (ShapedType::isDynamic(stored))
    return stored;
  return bits == 4 ? 2 * stored : stored;
}

/// The group size of a weight with reduction size `k` and `[..., groups]`
/// scales; dynamic when either is unknown.
static int64_t groupSizeOf(int64_t k, ShapedType weightScale) {
  int64_t groups = weightScale.getShape().back();
  if (ShapedType::isDynamic(k) || ShapedType::isDynamic(groups) || groups == 0)
    return ShapedType::kDynamic;
  return k / groups;
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << "?";
    else
      os << d;
  });
  os << "]";
  return s;
}

LogicalResult mlir::ds::quant::verifyScaleShape(Operation *op,
                                                ArrayRef<int64_t> shape,
                                                RankedTensorType scale,
                                                StringRef what) {
  if (scale.getRank() == 0)
    return success();
  if (shape.empty())
    return op->emitOpError() << "expects a rank-0 scale for a rank-0 " << what
                             << ", found " << shapeString(scale.getShape());
  if (scale.getRank() != static_cast<int64_t>(shape.size()))
    return op->emitOpError()
           << "expects the " << what << " scale to be rank 0 or rank "
           << shape.size() << " (like the " << what << " "
           << shapeString(shape) << "), found "
           << shapeString(scale.getShape());
  for (auto [i, pair] : llvm::enumerate(
           llvm::zip(shape.drop_back(), scale.getShape().drop_back()))) {
    auto [d, s] = pair;
    if (!sameSize(d, s))
      return op->emitOpError()
             << "expects the " << what << " scale's dimension " << i << " to be "
             << d << " like the " << what << "'s, found " << s;
  }
  int64_t k = shape.back(), groups = scale.getShape().back();
  if (ShapedType::isDynamic(k) || ShapedType::isDynamic(groups))
    return success();
  if (groups <= 0 || k % groups != 0)
    return op->emitOpError()
           << "expects the " << what << " scale's last size (" << groups
           << ") to divide the reduction size " << k;
  return success();
}

//===----------------------------------------------------------------------===//
// WeightOp
//===----------------------------------------------------------------------===//

int64_t WeightOp::getReductionSize() {
  int64_t stored = getWeight().getType().getShape().back();
  return getBits() == 4 ? 2 * stored : stored;
}

LogicalResult WeightOp::verify() {
  auto valuesType = dyn_cast<RankedTensorType>(getValues().getType());
  auto scalesType = dyn_cast<RankedTensorType>(getScales().getType());
  if (!valuesType || valuesType != getWeight().getType())
    return emitOpError("expects `values` to have the result type ")
           << getWeight().getType();
  if (!scalesType || scalesType != getScale().getType())
    return emitOpError("expects `scales` to have the result type ")
           << getScale().getType();
  if (valuesType.getRank() != 2 || !valuesType.hasStaticShape())
    return emitOpError("expects static [N, K] weights, found ")
           << valuesType;
  if (scalesType.getRank() != 2 || !scalesType.hasStaticShape())
    return emitOpError("expects static [N, groups] scales, found ")
           << scalesType;
  int64_t n = valuesType.getDimSize(0), k = getReductionSize();
  int64_t group = getGroupSize();
  if (group != k && group != 32 && group != 64 && group != 128)
    return emitOpError("expects group_size 32, 64, 128 or K (")
           << k << "), found " << group;
  if (k % group != 0)
    return emitOpError("expects group_size ")
           << group << " to divide the reduction size " << k;
  if (scalesType.getDimSize(0) != n || scalesType.getDimSize(1) != k / group)
    return emitOpError("expects scales of shape [")
           << n << ", " << k / group << "] for " << n << "x" << k
           << " weights in groups of " << group << ", found "
           << shapeString(scalesType.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// DynamicQuantizeOp
//===----------------------------------------------------------------------===//

LogicalResult DynamicQuantizeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getOutput().getType();
  RankedTensorType scale = getScale().getType();
  if (failed(verifyCompatibleShape(in.getShape(), out.getShape())))
    return emitOpError("expects the output shape to match the input's, found ")
           << in << " and " << out;
  if (getGranularity() == Granularity::per_tensor) {
    if (scale.getRank() != 0)
      return emitOpError("expects a rank-0 scale for per_tensor, found ")
             << scale;
    return success();
  }
  if (in.getRank() == 0)
    return emitOpError("expects a ranked input of rank >= 1 for per_row");
  SmallVector<int64_t> expected(in.getShape());
  expected.back() = 1;
  if (failed(verifyCompatibleShape(expected, scale.getShape())))
    return emitOpError("expects a per_row scale of shape ")
           << shapeString(expected) << ", found "
           << shapeString(scale.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// DequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult DequantizeOp::verify() {
  RankedTensorType in = getInput().getType(), res = getResult().getType();
  if (getPacked() && getBits() != 4)
    return emitOpError("expects `packed` only with bits = 4");
  SmallVector<int64_t> unpacked(in.getShape());
  if (getPacked()) {
    if (unpacked.empty())
      return emitOpError("expects a packed input of rank >= 1");
    if (!ShapedType::isDynamic(unpacked.back()))
      unpacked.back() *= 2;
  }
  if (failed(verifyCompatibleShape(unpacked, res.getShape())))
    return emitOpError("expects a result of shape ")
           << shapeString(unpacked) << ", found "
           << shapeString(res.getShape());
  return verifyScaleShape(*this, unpacked, getScale().getType(), "input");
}

//===----------------------------------------------------------------------===//
// QMatMulOp
//===----------------------------------------------------------------------===//

int64_t QMatMulOp::getReductionSize() {
  return reductionSizeOf(getWeight().getType(), getBits());
}

int64_t QMatMulOp::getGroupSize() {
  return groupSizeOf(getReductionSize(), getWeightScale().getType());
}

LogicalResult QMatMulOp::verify() {
  RankedTensorType lhs = getLhs().getType(), w = getWeight().getType();
  RankedTensorType ws = getWeightScale().getType(), res = getResult().getType();
  bool quantizedLhs = lhs.getElementType().isInteger(8);
  if (quantizedLhs && !getLhsScale())
    return emitOpError("expects a `scale` for the quantized (i8) lhs");
  if (!quantizedLhs && getLhsScale())
    return emitOpError("expects no lhs `scale` with an f32 lhs");
  if (lhs.getRank() < 1)
    return emitOpError("expects an lhs of rank >= 1");
  if (w.getRank() != 2 || ws.getRank() != 2)
    return emitOpError("expects [N, K] weights and [N, groups] weight "
                       "scales, found ")
           << w << " and " << ws;
  int64_t n = w.getDimSize(0), k = getReductionSize();
  if (!sameSize(lhs.getShape().back(), k))
    return emitOpError("expects the lhs's last size (")
           << lhs.getShape().back() << ") to be the weights' reduction size "
           << k << (getBits() == 4 ? " (two 4-bit values per byte)" : "");
  if (failed(verifyScaleShape(*this, {n, k}, ws, "weight")))
    return failure();
  if (ws.getRank() == 2 && !sameSize(ws.getDimSize(0), n))
    return emitOpError("expects ") << n << " rows of weight scales, found "
                                   << ws.getDimSize(0);
  int64_t group = getGroupSize();
  if (getBits() == 4 && !ShapedType::isDynamic(group) && group % 2 != 0)
    return emitOpError("expects an even group size for packed 4-bit "
                       "weights, found ")
           << group;
  if (getLhsScale() &&
      failed(verifyScaleShape(*this, lhs.getShape(), getLhsScale().getType(),
                              "lhs")))
    return failure();
  if (getLhsScale() && getLhsScale().getType().getRank() != 0 &&
      getLhsScale().getType().getShape().back() != 1)
    return emitOpError("expects a per-tensor or per-row lhs scale, found ")
           << getLhsScale().getType();
  if (Value bias = getBias()) {
    auto bt = cast<RankedTensorType>(bias.getType());
    if (bt.getRank() != 1 || !sameSize(bt.getDimSize(0), n))
      return emitOpError("expects a bias of shape [") << n << "], found "
                                                      << bt;
  }
  SmallVector<int64_t> expected(lhs.getShape());
  expected.back() = n;
  if (failed(verifyCompatibleShape(expected, res.getShape())))
    return emitOpError("expects a result of shape ")
           << shapeString(expected) << ", found "
           << shapeString(res.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// QConvOp
//===----------------------------------------------------------------------===//

int64_t QConvOp::getReductionSize() {
  return reductionSizeOf(getWeight().getType(), getBits());
}

int64_t QConvOp::getGroupSize() {
  return groupSizeOf(getReductionSize(), getWeightScale().getType());
}

int64_t QConvOp::getOutputSize(unsigned i, int64_t size) {
  if (ShapedType::isDynamic(size))
    return size;
  int64_t padded = size + getPads()[i] + getPads()[i + 2];
  int64_t extent = getDilations()[i] * (getKernelShape()[i] - 1) + 1;
  return padded < extent ? 0 : (padded - extent) / getStrides()[i] + 1;
}

LogicalResult QConvOp::verify() {
  RankedTensorType in = getInput().getType(), w = getWeight().getType();
  RankedTensorType ws = getWeightScale().getType(), res = getResult().getType();
  bool quantizedInput = in.getElementType().isInteger(8);
  if (quantizedInput && !getInputScale())
    return emitOpError("expects a `scale` for the quantized (i8) input");
  if (!quantizedInput && getInputScale())
    return emitOpError("expects no input `scale` with an f32 input");
  if (getInputScale() && getInputScale().getType().getRank() != 0)
    return emitOpError("expects a rank-0 (per-tensor) input scale, found ")
           << getInputScale().getType();
  if (in.getRank() != 4)
    return emitOpError("expects an [N, C, H, W] input, found ") << in;
  if (in.isDynamicDim(1) || in.isDynamicDim(2) || in.isDynamicDim(3))
    return emitOpError("expects static channel and spatial sizes, found ")
           << in;
  auto positive = [](ArrayRef<int64_t> values) {
    return llvm::all_of(values, [](int64_t v) { return v > 0; });
  };
  if (getKernelShape().size() != 2 || !positive(getKernelShape()))
    return emitOpError("expects a kernel_shape of 2 positive sizes, found ")
           << shapeString(getKernelShape());
  if (getStrides().size() != 2 || !positive(getStrides()))
    return emitOpError("expects 2 positive strides, found ")
           << shapeString(getStrides());
  if (getDilations().size() != 2 || !positive(getDilations()))
    return emitOpError("expects 2 positive dilations, found ")
           << shapeString(getDilations());
  if (getPads().size() != 4 ||
      llvm::any_of(getPads(), [](int64_t p) { return p < 0; }))
    return emitOpError("expects 4 non-negative pads [top, left, bottom, "
                       "right], found ")
           << shapeString(getPads());
  if (w.getRank() != 2 || ws.getRank() != 2 || !w.hasStaticShape() ||
      !ws.hasStaticShape())
    return emitOpError("expects static [F, C / group * KH * KW] weights and "
                       "[F, groups] weight scales, found ")
           << w << " and " << ws;
  int64_t c = in.getDimSize(1), f = w.getDimSize(0), group = getGroup();
  if (group < 1 || c % group != 0 || f % group != 0)
    return emitOpError("expects group (")
           << group << ") to divide the input channels (" << c
           << ") and the output channels (" << f << ")";
  int64_t k = getReductionSize();
  int64_t expectedK = c / group * getKernelShape()[0] * getKernelShape()[1];
  if (!sameSize(k, expectedK))
    return emitOpError("expects a reduction size of C / group * KH * KW = ")
           << expectedK << ", found " << k
           << (getBits() == 4 ? " (two 4-bit values per byte)" : "");
  if (failed(verifyScaleShape(*this, {f, expectedK}, ws, "weight")))
    return failure();
  int64_t groupSize = getGroupSize();
  if (getBits() == 4 && !ShapedType::isDynamic(groupSize) && groupSize % 2)
    return emitOpError("expects an even group size for packed 4-bit "
                       "weights, found ")
           << groupSize;
  if (Value bias = getBias()) {
    auto bt = cast<RankedTensorType>(bias.getType());
    if (bt.getRank() != 1 || !sameSize(bt.getDimSize(0), f))
      return emitOpError("expects a bias of shape [") << f << "], found "
                                                      << bt;
  }
  int64_t oh = getOutputSize(0, in.getDimSize(2));
  int64_t ow = getOutputSize(1, in.getDimSize(3));
  if (oh < 1 || ow < 1)
    return emitOpError("expects the padded input to hold at least one "
                       "window, found an output of ")
           << oh << "x" << ow;
  SmallVector<int64_t> expected = {in.getDimSize(0), f, oh, ow};
  if (failed(verifyCompatibleShape(expected, res.getShape())))
    return emitOpError("expects a result of shape ")
           << shapeString(expected) << ", found "
           << shapeString(res.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// Dot4Op
//===----------------------------------------------------------------------===//

LogicalResult Dot4Op::verify() {
  auto acc = getAcc().getType(), a = getA().getType(), b = getB().getType();
  if (acc != getResult().getType())
    return emitOpError("expects the result type to be the accumulator's");
  if (a != b)
    return emitOpError("expects both byte operands of one type, found ")
           << a << " and " << b;
  if (acc.isScalable() || a.isScalable() ||
      a.getNumElements() != 4 * acc.getNumElements())
    return emitOpError("expects 4 bytes per accumulator lane, found ")
           << a << " for " << acc;
  return success();
}

#define GET_OP_CLASSES
#include "Quant/QuantOps.cpp.inc"
