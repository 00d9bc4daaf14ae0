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

#include <cstdlib>
#include <cstring>
#include <type_traits>

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

//===----------------------------------------------------------------------===//
// DequantizeLinear of int8 weights → weight-only dsq products
//===----------------------------------------------------------------------===//

/// The values of an f32 constant (dense or a resource blob, as large
/// per-channel scales are imported), if `v` is one.
static std::optional<SmallVector<float>> constantF32(Value v) {
  auto constant = v.getDefiningOp<dsg::ConstantOp>();
  if (!constant)
    return std::nullopt;
  ElementsAttr attr = constant.getValue();
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr))
    return SmallVector<float>(dense.getValues<float>());
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    if (static_cast<int64_t>(data.size()) !=
        type.getNumElements() * static_cast<int64_t>(sizeof(float)))
      return std::nullopt;
    SmallVector<float> out(type.getNumElements());
    std::memcpy(out.data(), data.data(), data.size());
    return out;
  }
  return std::nullopt;
}

Value mlir::ds::onnx_import::foldDequantizeWeight(NodeContext &ctx,
                                                  int64_t axis) {
  RankedTensorType xt = ctx.inputType(0);
  if (!isSignedI8(xt.getElementType()) || !xt.hasStaticShape() ||
      (xt.getRank() != 2 && xt.getRank() != 4) || !zeroOrAbsent(ctx, 2))
    return {};
  std::optional<SmallVector<int8_t>> values = constantI8(ctx.input(0));
  std::optional<SmallVector<float>> scales = constantF32(ctx.input(1));
  if (!values || !scales || scales->empty())
    return {};
  bool perTensor = scales->size() == 1 && ctx.inputType(1).getRank() <= 1;
  // Output channels: the columns of a [K, N] MatMul weight (axis 1), the
  // first dimension of a [F, C, KH, KW] convolution weight (axis 0).
  int64_t channelAxis = xt.getRank() == 2 ? 1 : 0;
  int64_t n = xt.getDimSize(channelAxis);
  int64_t k = xt.getNumElements() / n;
  if (!perTensor && (axis != channelAxis ||
                     static_cast<int64_t>(scales->size()) != n))
    return {};
  SmallVector<int8_t> rows(n * k);
  if (xt.getRank() == 2) {
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < n; ++j)
        rows[j * k + i] = (*values)[i * n + j];
  } else {
    rows = std::move(*values);
  }
  ctx.getContext()->getOrLoadDialect<dsq::DSQDialect>();
  OpBuilder &b = ctx.builder();
  Location loc = ctx.getLoc();
  auto valuesType = RankedTensorType::get({n, k}, b.getI8Type());
  auto scalesType = RankedTensorType::get({n, 1}, b.getF32Type());
  SmallVector<float> rowScales(n, (*scales)[0]);
  if (!perTensor)
    rowScales.assign(scales->begin(), scales->end());
  auto weight = dsq::WeightOp::create(
      b, loc, valuesType, scalesType,
      DenseElementsAttr::get(valuesType, ArrayRef<int8_t>(rows)),
      DenseElementsAttr::get(scalesType, ArrayRef<float>(rowScales)),
      b.getI64IntegerAttr(8), b.getI64IntegerAttr(k));
  Value w = dsq::DequantizeOp::create(
      b, loc, RankedTensorType::get({n, k}, b.getF32Type()),
      weight.getWeight(), weight.getScale(), /*bits=*/8, /*packed=*/false);
  auto ft = xt.clone(b.getF32Type());
  if (xt.getRank() == 2)
    return dsg::TransposeOp::create(b, loc, ft, w,
                                    b.getDenseI64ArrayAttr({1, 0}));
  return dsg::ReshapeOp::create(b, loc, ft, w, Value(), b.getBoolAttr(false));
}

/// The `dsq.weight` whose dequantized values `v` is, through the layout
/// op foldDequantizeWeight put after it (`LayoutOp`); null otherwise.
template <typename LayoutOp>
static dsq::WeightOp dequantizedWeight(Value v) {
  auto layout = v.getDefiningOp<LayoutOp>();
  if (!layout)
    return {};
  if constexpr (std::is_same_v<LayoutOp, dsg::TransposeOp>) {
    if (layout.getPermutation() != ArrayRef<int64_t>{1, 0})
      return {};
  } else {
    if (layout.getShape())
      return {};
  }
  auto deq = layout.getInput().template getDefiningOp<dsq::DequantizeOp>();
  if (!deq || deq.getPacked() || deq.getBits() != 8)
    return {};
  return deq.getInput().template getDefiningOp<dsq::WeightOp>();
}

static bool isF32Tensor(Value v, int64_t minRank) {
  auto t = cast<RankedTensorType>(v.getType());
  return t.getElementType().isF32() && t.getRank() >= minRank;
}

/// Erases the now unused chain that produced `v` (layout op, dequantization,
/// weight).
static void eraseDeadChain(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!def->use_empty() || !isa<dsg::TransposeOp, dsg::ReshapeOp,
                                  dsq::DequantizeOp, dsq::WeightOp>(def))
      return;
    Value next = def->getNumOperands() ? def->getOperand(0) : Value();
    def->erase();
    if (!next)
      return;
    v = next;
  }
}

/// A dequantized weight that no product took (an embedding table, a weight
/// reached through other ops): back to the f32 constant the dsg arithmetic
/// would have folded to, `f32(q) * scale` in ONNX's layout, so nothing is
/// dequantized at run time.
static void restoreConstant(dsq::DequantizeOp deq) {
  auto weight = deq.getInput().getDefiningOp<dsq::WeightOp>();
  if (!weight || !deq->hasOneUse())
    return;
  Operation *layout = *deq->getUsers().begin();
  if (!isa<dsg::TransposeOp, dsg::ReshapeOp>(layout))
    return;
  auto values = dyn_cast<DenseIntElementsAttr>(weight.getValues());
  auto scales = dyn_cast<DenseFPElementsAttr>(weight.getScales());
  if (!values || !scales)
    return;
  RankedTensorType wt = weight.getWeight().getType();
  int64_t n = wt.getDimSize(0), k = wt.getDimSize(1);
  SmallVector<float> rowScales(scales.getValues<float>());
  SmallVector<float> nk;
  nk.reserve(n * k);
  int64_t i = 0;
  for (const APInt &q : values.getValues<APInt>()) {
    nk.push_back(static_cast<float>(q.getSExtValue()) * rowScales[i / k]);
    ++i;
  }
  auto type = cast<RankedTensorType>(layout->getResult(0).getType());
  SmallVector<float> out(nk);
  if (isa<dsg::TransposeOp>(layout))
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < k; ++c)
        out[c * n + r] = nk[r * k + c];
  OpBuilder b(layout);
  Value constant = dsg::ConstantOp::create(
      b, layout->getLoc(), type,
      DenseElementsAttr::get(type, ArrayRef<float>(out)));
  layout->getResult(0).replaceAllUsesWith(constant);
  layout->erase();
  deq->erase();
  if (weight->use_empty())
    weight->erase();
}

void mlir::ds::onnx_import::foldWeightOnlyProducts(Operation *root) {
  SmallVector<Operation *> products;
  root->walk([&](Operation *op) {
    if (isa<dsg::MatMulOp, dsg::GemmOp, dsg::ConvOp>(op))
      products.push_back(op);
  });
  for (Operation *op : products) {
    OpBuilder b(op);
    Value replacement, weightValue;
    if (auto mm = dyn_cast<dsg::MatMulOp>(op)) {
      dsq::WeightOp w = dequantizedWeight<dsg::TransposeOp>(mm.getRhs());
      if (!w || !isF32Tensor(mm.getLhs(), 2) || !isF32Tensor(mm.getResult(), 2))
        continue;
      weightValue = mm.getRhs();
      replacement = dsq::QMatMulOp::create(
          b, op->getLoc(), mm.getType(), mm.getLhs(), Value(), w.getWeight(),
          w.getScale(), Value(), b.getI64IntegerAttr(8));
    } else if (auto gemm = dyn_cast<dsg::GemmOp>(op)) {
      // Y = A · B (+ C) with a per-column [N] bias: no transA, unit factors.
      // A transB weight is [N, K], which foldDequantizeWeight does not take.
      dsq::WeightOp w = gemm.getTransB()
                            ? dsq::WeightOp()
                            : dequantizedWeight<dsg::TransposeOp>(gemm.getB());
      Value c = gemm.getC();
      auto ct = c ? cast<RankedTensorType>(c.getType()) : RankedTensorType();
      if (!w || gemm.getTransA() || gemm.getAlpha().convertToFloat() != 1.0f ||
          (c && (gemm.getBeta().convertToFloat() != 1.0f ||
                 ct.getRank() != 1 || !ct.getElementType().isF32() ||
                 ct.getDimSize(0) != w.getWeight().getType().getDimSize(0))) ||
          !isF32Tensor(gemm.getA(), 2))
        continue;
      weightValue = gemm.getB();
      replacement = dsq::QMatMulOp::create(
          b, op->getLoc(), gemm.getType(), gemm.getA(), Value(), w.getWeight(),
          w.getScale(), c, b.getI64IntegerAttr(8));
    } else {
      auto conv = cast<dsg::ConvOp>(op);
      dsq::WeightOp w = dequantizedWeight<dsg::ReshapeOp>(conv.getWeight());
      auto in = cast<RankedTensorType>(conv.getInput().getType());
      auto res = cast<RankedTensorType>(conv.getType());
      Value bias = conv.getBias();
      if (!w || !in.getElementType().isF32() || in.getRank() != 4 ||
          in.isDynamicDim(1) || in.isDynamicDim(2) || in.isDynamicDim(3) ||
          res.isDynamicDim(1) || res.isDynamicDim(2) || res.isDynamicDim(3) ||
          (bias && (cast<RankedTensorType>(bias.getType()).getRank() != 1 ||
                    !isF32Tensor(bias, 1))))
        continue;
      auto wt = cast<RankedTensorType>(conv.getWeight().getType());
      weightValue = conv.getWeight();
      replacement = dsq::QConvOp::create(
          b, op->getLoc(), conv.getType(), conv.getInput(), Value(),
          w.getWeight(), w.getScale(), bias, b.getI64IntegerAttr(8),
          b.getDenseI64ArrayAttr(wt.getShape().drop_front(2)),
          conv.getStridesAttr(), conv.getPadsAttr(), conv.getDilationsAttr(),
          b.getI64IntegerAttr(conv.getGroup()));
    }
    op->getResult(0).replaceAllUsesWith(replacement);
    op->erase();
    eraseDeadChain(weightValue);
  }
  SmallVector<dsq::DequantizeOp> leftover;
  root->walk([&](dsq::DequantizeOp deq) { leftover.push_back(deq); });
  for (dsq::DequantizeOp deq : leftover)
    restoreConstant(deq);
}
