//===- DecomposeQConv.cpp - dsq.qconv to im2col + dsq.qmatmul -------------===//
//
// A quantized convolution is a quantized matrix product on the patch matrix
// (im2col): row (n, oh, ow) holds the receptive field of one output pixel
// in (c, kh, kw) order, which is the order of the weights' reduction
// dimension. Rewriting dsq.qconv this way lets every later stage treat it
// as a dsq.qmatmul: on the CPU target the runtime's int8 GEMM (AMX, AVX-512
// VNNI or scalar), elsewhere the portable linalg lowering.
//
// The patches are gathered from the i8 activations (a quarter of the bytes
// of f32 patches); zero padding is exact because the quantization is
// symmetric. Grouped convolutions become one product per group on slices
// of the weights.
//
//===----------------------------------------------------------------------===//
#include "passes/Quantization/LowerQuantized.h"
#include "passes/Quantization/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::ds {
#define GEN_PASS_DEF_DECOMPOSEQCONV
#include "passes/Quantization/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;
namespace dsq = mlir::ds::quant;

/// Rows [offset, offset + size) of the rank-2 `t`.
static Value sliceRows(OpBuilder &b, Location loc, Value t, int64_t offset,
                       int64_t size) {
  auto type = cast<RankedTensorType>(t.getType());
  auto sliceType = RankedTensorType::get({size, type.getDimSize(1)},
                                         type.getElementType());
  return tensor::ExtractSliceOp::create(
      b, loc, sliceType, t, ValueRange(), ValueRange(), ValueRange(),
      b.getDenseI64ArrayAttr({offset, 0}),
      b.getDenseI64ArrayAttr({size, type.getDimSize(1)}),
      b.getDenseI64ArrayAttr({1, 1}));
}

LogicalResult mlir::ds::decomposeQConv(dsq::QConvOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  Value x = op.getInput();
  auto xType = cast<RankedTensorType>(x.getType());
  Type elem = xType.getElementType();
  int64_t c = xType.getDimSize(1), h = xType.getDimSize(2),
          w = xType.getDimSize(3);
  ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                    pads = op.getPads(), dilations = op.getDilations();
  int64_t oh = op.getOutputSize(0, h), ow = op.getOutputSize(1, w);
  int64_t groups = op.getGroup();
  int64_t f = op.getWeight().getType().getDimSize(0);
  int64_t cg = c / groups, fg = f / groups;
  int64_t n = xType.getDimSize(0);
  SmallVector<Value> dynN;
  if (ShapedType::isDynamic(n))
    dynN.push_back(tensor::DimOp::create(b, loc, x, 0));

  // Zero padding (0 is exact for symmetric quantization).
  if (llvm::any_of(pads, [](int64_t p) { return p != 0; })) {
    SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0),
                                     b.getIndexAttr(pads[0]),
                                     b.getIndexAttr(pads[1])};
    SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                      b.getIndexAttr(pads[2]),
                                      b.getIndexAttr(pads[3])};
    auto paddedType = RankedTensorType::get(
        {n, c, h + pads[0] + pads[2], w + pads[1] + pads[3]}, elem);
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elem));
    x = tensor::PadOp::create(b, loc, paddedType, x, low, high, zero);
  }

  // One product per group, each [N * OH * OW, F / group].
  int64_t rows = ShapedType::isDynamic(n) ? ShapedType::kDynamic : n * oh * ow;
  auto productType = RankedTensorType::get({rows, fg}, b.getF32Type());
  SmallVector<Value> products;
  for (int64_t g = 0; g < groups; ++g) {
    // The group's channels (linalg wants a channel loop of the operand's
    // size).
    Value xg = x;
    if (groups > 1) {
      auto xType = cast<RankedTensorType>(x.getType());
      SmallVector<OpFoldResult> offsets = {
          b.getIndexAttr(0), b.getIndexAttr(g * cg), b.getIndexAttr(0),
          b.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
      sizes[1] = b.getIndexAttr(cg);
      SmallVector<OpFoldResult> steps(4, b.getIndexAttr(1));
      auto sliceType = RankedTensorType::get(
          {xType.getDimSize(0), cg, xType.getDimSize(2), xType.getDimSize(3)},
          elem);
      xg = tensor::ExtractSliceOp::create(b, loc, sliceType, x, offsets, sizes,
                                          steps);
    }
    // patches[n, oh, ow, c, kh, kw] = xg[n, c, oh * sh + kh * dh,
    //                                    ow * sw + kw * dw]
    AffineExpr dn, doh, dow, dc, dkh, dkw;
    bindDims(ctx, dn, doh, dow, dc, dkh, dkw);
    auto inputMap = AffineMap::get(
        6, 0,
        {dn, dc, doh * strides[0] + dkh * dilations[0],
         dow * strides[1] + dkw * dilations[1]},
        ctx);
    auto patchType =
        RankedTensorType::get({n, oh, ow, cg, kernel[0], kernel[1]}, elem);
    Value init = tensor::EmptyOp::create(b, loc, patchType.getShape(), elem,
                                         dynN);
    Value patches =
        linalg::GenericOp::create(
            b, loc, patchType, ValueRange{xg}, ValueRange{init},
            ArrayRef<AffineMap>{inputMap,
                                AffineMap::getMultiDimIdentityMap(6, ctx)},
            SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
            [](OpBuilder &nb, Location l, ValueRange args) {
              linalg::YieldOp::create(nb, l, args[0]);
            })
            .getResult(0);
    Value lhs = tensor::CollapseShapeOp::create(
        b, loc, patches,
        SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});

    Value weight = op.getWeight(), scale = op.getWeightScale(),
          bias = op.getBias();
    if (groups > 1) {
      weight = sliceRows(b, loc, weight, g * fg, fg);
      scale = sliceRows(b, loc, scale, g * fg, fg);
      if (bias)
        bias = tensor::ExtractSliceOp::create(
            b, loc, RankedTensorType::get({fg}, b.getF32Type()), bias,
            ValueRange(), ValueRange(), ValueRange(),
            b.getDenseI64ArrayAttr({g * fg}), b.getDenseI64ArrayAttr({fg}),
            b.getDenseI64ArrayAttr({1}));
    }
    products.push_back(dsq::QMatMulOp::create(b, loc, productType, lhs,
                                              op.getInputScale(), weight,
                                              scale, bias, op.getBitsAttr()));
  }

  Value all = products.front();
  if (groups > 1) {
    SmallVector<Value> dynRows;
    if (ShapedType::isDynamic(rows))
      dynRows.push_back(tensor::DimOp::create(b, loc, products.front(), 0));
    all = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{rows, f},
                                  b.getF32Type(), dynRows);
    for (auto [g, product] : llvm::enumerate(products)) {
      SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0),
                                           b.getIndexAttr(g * fg)};
      SmallVector<OpFoldResult> sizes = {
          tensor::getMixedSize(b, loc, product, 0), b.getIndexAttr(fg)};
      SmallVector<OpFoldResult> steps = {b.getIndexAttr(1), b.getIndexAttr(1)};
      all = tensor::InsertSliceOp::create(b, loc, product, all, offsets, sizes,
                                          steps);
    }
  }

  // [N * OH * OW, F] → [N, OH, OW, F] → [N, F, OH, OW].
  SmallVector<OpFoldResult> nhwc = {
      ShapedType::isDynamic(n) ? OpFoldResult(dynN.front())
                               : OpFoldResult(b.getIndexAttr(n)),
      b.getIndexAttr(oh), b.getIndexAttr(ow), b.getIndexAttr(f)};
  Value expanded = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({n, oh, ow, f}, b.getF32Type()), all,
      SmallVector<ReassociationIndices>{{0, 1, 2}, {3}}, nhwc);
  Value init = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{n, f, oh, ow},
                                       b.getF32Type(), dynN);
  Value result = linalg::TransposeOp::create(b, loc, expanded, init,
                                             ArrayRef<int64_t>{0, 3, 1, 2})
                     .getResult()[0];
  if (result.getType() != op.getType())
    result = tensor::CastOp::create(b, loc, op.getType(), result);
  op.getResult().replaceAllUsesWith(result);
  op.erase();
  return success();
}

namespace {
struct DecomposeQConvPass
    : public ds::impl::DecomposeQConvBase<DecomposeQConvPass> {
  void runOnOperation() override {
    SmallVector<dsq::QConvOp> convs;
    getOperation().walk([&](dsq::QConvOp op) { convs.push_back(op); });
    for (dsq::QConvOp op : convs)
      if (failed(decomposeQConv(op)))
        return signalPassFailure();
  }
};
} // namespace
