//===- QuantFold.cpp - exact integer ONNX products as dsq ops -------------===//
//
// MatMulInteger / ConvInteger (and the integer core of QLinearMatMul /
// QLinearConv) with int8 operands, zero points that are constant 0 (or
// absent) and a constant weight are imported as `dsq.qmatmul` / `dsq.qconv`
// on a `dsq.weight` constant with unit scales, applied to the int8
// activations with a unit per-tensor scale, followed by a cast back to i32.
//
// dsq products always rescale to f32: `f32(acc) * 1 * 1`. That is exact as
// long as every accumulator is an integer of magnitude <= 2^24, which is
// checked from the constant weights: |acc[n]| <= 128 * sum_k |w[n, k]|. The
// cast back to i32 is then exact too, so the result is bit-for-bit the i32
// product. Anything else (uint8, nonzero or non-constant zero points,
// non-constant weights, a possible accumulator above 2^24) returns null and
// the caller keeps its i32 `dsg` arithmetic, silently.
//
//===----------------------------------------------------------------------===//

#include "QuantFold.h"

#include "Graph/GraphOps.h"
#include "Quant/QuantOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;
namespace dsq = mlir::ds::quant;

/// The largest accumulator magnitude that f32 represents exactly, with all
/// integers below it: 2^24.
static constexpr int64_t kExactF32 = int64_t(1) << 24;

static bool isSignedI8(Type t) { return t.isSignlessInteger(8); }

/// The int8 values of a constant (`dsg.constant` of signless i8, dense or a
/// resource blob), in row-major order; nullopt if `v` is not one.
static std::optional<SmallVector<int8_t>> constantI8(Value v) {
  auto constant = v.getDefiningOp<dsg::ConstantOp>();
  if (!constant)
    return std::nullopt;
  ElementsAttr attr = constant.getValue();
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape() || !isSignedI8(type.getElementType()))
    return std::nullopt;
  SmallVector<int8_t> out;
  out.reserve(type.getNumElements());
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    for (const APInt &x : dense.getValues<APInt>())
      out.push_back(static_cast<int8_t>(x.getSExtValue()));
    return out;
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    if (static_cast<int64_t>(data.size()) != type.getNumElements())
      return std::nullopt;
    for (char c : data)
      out.push_back(static_cast<int8_t>(c));
    return out;
  }
  return std::nullopt;
}

/// Whether input `i` is absent or a constant whose values are all 0.
static bool zeroOrAbsent(NodeContext &ctx, unsigned i) {
  if (!ctx.hasInput(i))
    return true;
  if (!isSignedI8(ctx.inputType(i).getElementType()))
    return false;
  std::optional<SmallVector<int64_t>> values = ctx.constantInts(i);
  return values && llvm::all_of(*values, [](int64_t x) { return x == 0; });
}

/// A `dsq.weight` of `[n, k]` int8 values with unit per-row scales, or
/// null if some row could give an accumulator above 2^24 (for activations
/// in [-128, 127]).
static dsq::WeightOp unitScaleWeight(NodeContext &ctx, int64_t n, int64_t k,
                                     ArrayRef<int8_t> rows) {
  for (int64_t r = 0; r < n; ++r) {
    int64_t bound = 0;
    for (int64_t c = 0; c < k; ++c)
      bound += 128 * std::abs(static_cast<int64_t>(rows[r * k + c]));
    if (bound > kExactF32)
      return {};
  }
  ctx.getContext()->getOrLoadDialect<dsq::DSQDialect>();
  OpBuilder &b = ctx.builder();
  auto valuesType = RankedTensorType::get({n, k}, b.getI8Type());
  auto scalesType = RankedTensorType::get({n, 1}, b.getF32Type());
  auto values = DenseElementsAttr::get(valuesType, rows);
  auto scales = DenseElementsAttr::get(scalesType, 1.0f);
  return dsq::WeightOp::create(b, ctx.getLoc(), valuesType, scalesType,
                               values, scales, b.getI64IntegerAttr(8),
                               b.getI64IntegerAttr(k));
}

/// A rank-0 f32 constant 1.
static Value unitScale(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  auto type = RankedTensorType::get({}, b.getF32Type());
  return dsg::ConstantOp::create(b, ctx.getLoc(), type,
                                 DenseElementsAttr::get(type, 1.0f));
}

/// `v` (f32 holding exact integers) cast to i32.
static Value toI32(NodeContext &ctx, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  return dsg::CastOp::create(ctx.builder(), ctx.getLoc(),
                             type.clone(ctx.builder().getI32Type()), v);
}

Value mlir::ds::onnx_import::foldIntegerMatMul(NodeContext &ctx, unsigned a,
                                               unsigned aZp, unsigned b,
                                               unsigned bZp,
                                               RankedTensorType i32Type) {
  RankedTensorType at = ctx.inputType(a), bt = ctx.inputType(b);
  if (!isSignedI8(at.getElementType()) || !isSignedI8(bt.getElementType()) ||
      at.getRank() < 2 || bt.getRank() != 2 || !bt.hasStaticShape() ||
      !zeroOrAbsent(ctx, aZp) || !zeroOrAbsent(ctx, bZp))
    return {};
  int64_t k = bt.getDimSize(0), n = bt.getDimSize(1);
  if (k < 1 || n < 1 ||
      (!ShapedType::isDynamic(at.getShape().back()) &&
       at.getShape().back() != k) ||
      i32Type.getRank() != at.getRank() || i32Type.getShape().back() != n)
    return {};
  std::optional<SmallVector<int8_t>> kn = constantI8(ctx.input(b));
  if (!kn)
    return {};
  // dsq weights are [N, K]: transpose the [K, N] constant.
  SmallVector<int8_t> nk(n * k);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      nk[j * k + i] = (*kn)[i * n + j];
  dsq::WeightOp weight = unitScaleWeight(ctx, n, k, nk);
  if (!weight)
    return {};
  Value y = dsq::QMatMulOp::create(
      ctx.builder(), ctx.getLoc(),
      i32Type.clone(ctx.builder().getF32Type()), ctx.input(a), unitScale(ctx),
      weight.getWeight(), weight.getScale(), Value(),
      ctx.builder().getI64IntegerAttr(8));
  return toI32(ctx, y);
}

Value mlir::ds::onnx_import::foldIntegerConv(
    NodeContext &ctx, unsigned x, unsigned xZp, unsigned w, unsigned wZp,
    const IntegerConvAttrs &attrs, RankedTensorType i32Type) {
  RankedTensorType xt = ctx.inputType(x), wt = ctx.inputType(w);
  if (!isSignedI8(xt.getElementType()) || !isSignedI8(wt.getElementType()) ||
      xt.getRank() != 4 || wt.getRank() != 4 || !wt.hasStaticShape() ||
      xt.isDynamicDim(1) || xt.isDynamicDim(2) || xt.isDynamicDim(3) ||
      !zeroOrAbsent(ctx, xZp) || !zeroOrAbsent(ctx, wZp))
    return {};
  auto positive = [](ArrayRef<int64_t> v) {
    return llvm::all_of(v, [](int64_t e) { return e > 0; });
  };
  if (attrs.strides.size() != 2 || attrs.dilations.size() != 2 ||
      attrs.pads.size() != 4 || !positive(attrs.strides) ||
      !positive(attrs.dilations) ||
      llvm::any_of(attrs.pads, [](int64_t p) { return p < 0; }))
    return {};
  int64_t c = xt.getDimSize(1), f = wt.getDimSize(0), group = attrs.group;
  ArrayRef<int64_t> kernel = wt.getShape().drop_front(2);
  if (group < 1 || c % group || f % group || wt.getDimSize(1) != c / group ||
      !positive(kernel))
    return {};
  // The result must be the static-channel [N, F, OH, OW] qconv computes.
  SmallVector<int64_t> expected = {xt.getDimSize(0), f};
  for (unsigned i = 0; i < 2; ++i) {
    int64_t padded = xt.getDimSize(2 + i) + attrs.pads[i] + attrs.pads[i + 2];
    int64_t extent = attrs.dilations[i] * (kernel[i] - 1) + 1;
    if (padded < extent)
      return {};
    expected.push_back((padded - extent) / attrs.strides[i] + 1);
  }
  if (failed(verifyCompatibleShape(expected, i32Type.getShape())))
    return {};
  std::optional<SmallVector<int8_t>> values = constantI8(ctx.input(w));
  if (!values)
    return {};
  // [F, C/g, KH, KW] row-major is already [F, C/g·KH·KW] in (c, kh, kw) order.
  int64_t k = wt.getNumElements() / f;
  dsq::WeightOp weight = unitScaleWeight(ctx, f, k, *values);
  if (!weight)
    return {};
  OpBuilder &b = ctx.builder();
  SmallVector<int64_t> resultShape(expected);
  if (ShapedType::isDynamic(resultShape[0]))
    resultShape[0] = i32Type.getDimSize(0);
  Value y = dsq::QConvOp::create(
      b, ctx.getLoc(), RankedTensorType::get(resultShape, b.getF32Type()),
      ctx.input(x), unitScale(ctx), weight.getWeight(), weight.getScale(),
      Value(), b.getI64IntegerAttr(8), b.getDenseI64ArrayAttr(kernel),
      b.getDenseI64ArrayAttr(attrs.strides), b.getDenseI64ArrayAttr(attrs.pads),
      b.getDenseI64ArrayAttr(attrs.dilations), b.getI64IntegerAttr(group));
  return toI32(ctx, y);
}
