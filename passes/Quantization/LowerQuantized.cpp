//===- LowerQuantized.cpp - dsq to linalg/vector/arith --------------------===//
//
// The portable lowering: every dsq op becomes linalg.generic ops on tensors.
// dsq.qmatmul with quantized activations and constant weights takes the
// vpdpbusd kernel of VNNIMatMul.cpp instead where the target has it.
//
//===----------------------------------------------------------------------===//
#include "passes/Quantization/LowerQuantized.h"
#include "passes/Quantization/Passes.h"

#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::ds {
#define GEN_PASS_DEF_LOWERQUANTIZED
#include "passes/Quantization/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;
namespace dsq = mlir::ds::quant;

using IT = utils::IteratorType;

/// An empty tensor of `sizes` (static or taken from `dims`).
static Value emptyTensor(OpBuilder &b, Location loc,
                         ArrayRef<OpFoldResult> sizes, Type elementType) {
  return tensor::EmptyOp::create(b, loc, sizes, elementType);
}

static Value zeroFilled(OpBuilder &b, Location loc,
                        ArrayRef<OpFoldResult> sizes, Type elementType) {
  Value empty = emptyTensor(b, loc, sizes, elementType);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elementType));
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

/// Sign-extends the 4-bit value at element `index` of a packed byte
/// (low nibble for even indices).
static Value unpackNibble(OpBuilder &b, Location loc, Value byte,
                          Value index) {
  Value four = arith::ConstantIntOp::create(b, loc, b.getI8Type(), 4);
  Value lo = arith::ShRSIOp::create(
      b, loc, arith::ShLIOp::create(b, loc, byte, four), four);
  Value hi = arith::ShRSIOp::create(b, loc, byte, four);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value odd = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::ne,
      arith::AndIOp::create(b, loc, index, one),
      arith::ConstantIndexOp::create(b, loc, 0));
  return arith::SelectOp::create(b, loc, odd, hi, lo);
}

//===----------------------------------------------------------------------===//
// dsq.weight
//===----------------------------------------------------------------------===//

static void lowerWeight(dsq::WeightOp op) {
  OpBuilder b(op);
  Value values = arith::ConstantOp::create(b, op.getLoc(), op.getValues());
  Value scales = arith::ConstantOp::create(b, op.getLoc(), op.getScales());
  op.getWeight().replaceAllUsesWith(values);
  op.getScale().replaceAllUsesWith(scales);
  op.erase();
}

//===----------------------------------------------------------------------===//
// dsq.dynamic_quantize
//===----------------------------------------------------------------------===//

static void lowerDynamicQuantize(dsq::DynamicQuantizeOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  Value x = op.getInput();
  int64_t rank = op.getInput().getType().getRank();
  bool perRow = op.getGranularity() == dsq::Granularity::per_row;
  float qmax = static_cast<float>(dsq::getQMax(op.getBits()));
  Type f32 = b.getF32Type();

  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
  SmallVector<OpFoldResult> scaleSizes;
  SmallVector<AffineExpr> scaleExprs;
  if (perRow) {
    scaleSizes.assign(sizes.begin(), sizes.end());
    scaleSizes.back() = b.getIndexAttr(1);
    for (int64_t i = 0; i + 1 < rank; ++i)
      scaleExprs.push_back(getAffineDimExpr(i, ctx));
    scaleExprs.push_back(getAffineConstantExpr(0, ctx));
  }
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap scaleMap = AffineMap::get(rank, 0, scaleExprs, ctx);
  SmallVector<IT> reduce(rank, IT::reduction);
  if (perRow)
    std::fill(reduce.begin(), reduce.end() - 1, IT::parallel);

  // absmax over each row (or everything).
  Value absmax =
      linalg::GenericOp::create(
          b, loc, TypeRange{op.getScale().getType()}, ValueRange{x},
          ValueRange{zeroFilled(b, loc, scaleSizes, f32)},
          ArrayRef<AffineMap>{identity, scaleMap}, reduce,
          [](OpBuilder &nb, Location l, ValueRange args) {
            Value abs = math::AbsFOp::create(nb, l, args[0]);
            linalg::YieldOp::create(
                nb, l, ValueRange{arith::MaximumFOp::create(nb, l, args[1], abs)});
          })
          .getResult(0);

  // scale = absmax / qmax.
  int64_t scaleRank = op.getScale().getType().getRank();
  AffineMap scaleIdentity = AffineMap::getMultiDimIdentityMap(scaleRank, ctx);
  Value scale =
      linalg::GenericOp::create(
          b, loc, TypeRange{op.getScale().getType()}, ValueRange{absmax},
          ValueRange{emptyTensor(b, loc, scaleSizes, f32)},
          ArrayRef<AffineMap>{scaleIdentity, scaleIdentity},
          SmallVector<IT>(scaleRank, IT::parallel),
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value q = arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(qmax));
            linalg::YieldOp::create(
                nb, l, ValueRange{arith::DivFOp::create(nb, l, args[0], q)});
          })
          .getResult(0);

  // q = clamp(roundeven(x * qmax / absmax)); an all-zero row stays zero.
  Value quantized =
      linalg::GenericOp::create(
          b, loc, TypeRange{op.getOutput().getType()}, ValueRange{x, absmax},
          ValueRange{emptyTensor(b, loc, sizes, b.getI8Type())},
          ArrayRef<AffineMap>{identity, scaleMap, identity},
          SmallVector<IT>(rank, IT::parallel),
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value q = arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(qmax));
            Value negQ =
                arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(-qmax));
            Value zero = arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(0));
            Value positive = arith::CmpFOp::create(
                nb, l, arith::CmpFPredicate::OGT, args[1], zero);
            Value inv = arith::SelectOp::create(
                nb, l, positive, arith::DivFOp::create(nb, l, q, args[1]), zero);
            Value v = math::RoundEvenOp::create(
                nb, l, arith::MulFOp::create(nb, l, args[0], inv));
            v = arith::MinimumFOp::create(
                nb, l, arith::MaximumFOp::create(nb, l, v, negQ), q);
            linalg::YieldOp::create(
                nb, l,
                ValueRange{arith::FPToSIOp::create(nb, l, nb.getI8Type(), v)});
          })
          .getResult(0);
  op.getOutput().replaceAllUsesWith(quantized);
  op.getScale().replaceAllUsesWith(scale);
  op.erase();
}

//===----------------------------------------------------------------------===//
// dsq.dequantize
//===----------------------------------------------------------------------===//

/// The map from the iteration space (`rank` dims, the last one over K) to a
/// scale of type `scaleType` with groups of `group` along K.
static AffineMap scaleMapFor(RankedTensorType scaleType, int64_t rank,
                             int64_t group, MLIRContext *ctx) {
  if (scaleType.getRank() == 0)
    return AffineMap::get(rank, 0, {}, ctx);
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i + 1 < rank; ++i)
    exprs.push_back(getAffineDimExpr(i, ctx));
  if (scaleType.getShape().back() == 1)
    exprs.push_back(getAffineConstantExpr(0, ctx));
  else
    exprs.push_back(getAffineDimExpr(rank - 1, ctx).floorDiv(group));
  return AffineMap::get(rank, 0, exprs, ctx);
}

static LogicalResult lowerDequantize(dsq::DequantizeOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  RankedTensorType resultType = op.getResult().getType();
  RankedTensorType scaleType = op.getScale().getType();
  int64_t rank = resultType.getRank();
  int64_t group = 1;
  if (scaleType.getRank() != 0 && scaleType.getShape().back() != 1) {
    int64_t k = resultType.getShape().back();
    if (ShapedType::isDynamic(k) ||
        ShapedType::isDynamic(scaleType.getShape().back()))
      return op.emitOpError("cannot lower grouped scales of a dynamic size");
    group = k / scaleType.getShape().back();
  }
  bool packed = op.getPacked();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap inputMap = identity;
  if (packed) {
    SmallVector<AffineExpr> exprs(identity.getResults());
    exprs.back() = exprs.back().floorDiv(2);
    inputMap = AffineMap::get(rank, 0, exprs, ctx);
  }
  // Result sizes: the input's, with K doubled when packed.
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(b, loc, op.getInput());
  if (packed) {
    if (resultType.isDynamicDim(rank - 1)) {
      Value k = arith::MulIOp::create(
          b, loc,
          getValueOrCreateConstantIndexOp(b, loc, sizes.back()),
          arith::ConstantIndexOp::create(b, loc, 2));
      sizes.back() = k;
    } else {
      sizes.back() = b.getIndexAttr(resultType.getShape().back());
    }
  }
  Value result =
      linalg::GenericOp::create(
          b, loc, TypeRange{resultType},
          ValueRange{op.getInput(), op.getScale()},
          ValueRange{emptyTensor(b, loc, sizes, b.getF32Type())},
          ArrayRef<AffineMap>{inputMap,
                              scaleMapFor(scaleType, rank, group, ctx),
                              identity},
          SmallVector<IT>(rank, IT::parallel),
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value v = args[0];
            if (packed)
              v = unpackNibble(nb, l, v, linalg::IndexOp::create(nb, l, rank - 1));
            Value f = arith::SIToFPOp::create(nb, l, nb.getF32Type(), v);
            linalg::YieldOp::create(
                nb, l, ValueRange{arith::MulFOp::create(nb, l, f, args[1])});
          })
          .getResult(0);
  op.getResult().replaceAllUsesWith(result);
  op.erase();
  return success();
}

//===----------------------------------------------------------------------===//
// dsq.qmatmul, portable form
//===----------------------------------------------------------------------===//

/// [lead..., N] initialized with the bias (broadcast over the leading
/// dimensions) or zeros.
static Value initWithBias(OpBuilder &b, Location loc, dsq::QMatMulOp op,
                          ArrayRef<OpFoldResult> sizes) {
  Type f32 = b.getF32Type();
  if (!op.getBias())
    return zeroFilled(b, loc, sizes, f32);
  MLIRContext *ctx = op.getContext();
  int64_t rank = sizes.size();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap biasMap =
      AffineMap::get(rank, 0, {getAffineDimExpr(rank - 1, ctx)}, ctx);
  return linalg::GenericOp::create(
             b, loc, TypeRange{op.getResult().getType()},
             ValueRange{op.getBias()},
             ValueRange{emptyTensor(b, loc, sizes, f32)},
             ArrayRef<AffineMap>{biasMap, identity},
             SmallVector<IT>(rank, IT::parallel),
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, ValueRange{args[0]});
             })
      .getResult(0);
}

/// The weight element at iteration dims (n, kExpr): a byte map, and in the
/// body the (sign-extended to i32) value.
static AffineMap weightMap(unsigned numDims, unsigned nDim, AffineExpr k,
                           bool packed, MLIRContext *ctx) {
  return AffineMap::get(numDims, 0,
                        {getAffineDimExpr(nDim, ctx), packed ? k.floorDiv(2) : k},
                        ctx);
}

static LogicalResult lowerQMatMulPortable(dsq::QMatMulOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  RankedTensorType lhsType = op.getLhs().getType();
  int64_t lead = lhsType.getRank() - 1;
  int64_t k = op.getReductionSize(), group = op.getGroupSize();
  if (ShapedType::isDynamic(k) || ShapedType::isDynamic(group))
    return op.emitOpError("cannot lower weights of a dynamic size");
  int64_t groups = k / group;
  bool packed = op.getBits() == 4;
  Type f32 = b.getF32Type(), i32 = b.getI32Type();

  SmallVector<OpFoldResult> outSizes =
      tensor::getMixedSizes(b, loc, op.getLhs());
  outSizes.back() = tensor::getMixedSize(b, loc, op.getWeight(), 0);
  Value init = initWithBias(b, loc, op, outSizes);

  SmallVector<AffineExpr> leadDims;
  for (int64_t i = 0; i < lead; ++i)
    leadDims.push_back(getAffineDimExpr(i, ctx));

  Value result;
  if (!op.getLhsScale()) {
    // Weight-only: dims (lead..., n, k); weights dequantized as read.
    unsigned numDims = lead + 2;
    AffineExpr n = getAffineDimExpr(lead, ctx), kd = getAffineDimExpr(lead + 1, ctx);
    SmallVector<AffineExpr> lhsExprs(leadDims), outExprs(leadDims);
    lhsExprs.push_back(kd);
    outExprs.push_back(n);
    AffineExpr g = groups == 1 ? getAffineConstantExpr(0, ctx) : kd.floorDiv(group);
    SmallVector<IT> iters(lead + 1, IT::parallel);
    iters.push_back(IT::reduction);
    result =
        linalg::GenericOp::create(
            b, loc, TypeRange{op.getResult().getType()},
            ValueRange{op.getLhs(), op.getWeight(), op.getWeightScale()},
            ValueRange{init},
            ArrayRef<AffineMap>{
                AffineMap::get(numDims, 0, lhsExprs, ctx),
                weightMap(numDims, lead, kd, packed, ctx),
                AffineMap::get(numDims, 0, {n, g}, ctx),
                AffineMap::get(numDims, 0, outExprs, ctx)},
            iters,
            [&](OpBuilder &nb, Location l, ValueRange args) {
              Value w = args[1];
              if (packed)
                w = unpackNibble(nb, l, w, linalg::IndexOp::create(nb, l, lead + 1));
              Value wf = arith::MulFOp::create(
                  nb, l, arith::SIToFPOp::create(nb, l, f32, w), args[2]);
              Value prod = arith::MulFOp::create(nb, l, args[0], wf);
              linalg::YieldOp::create(
                  nb, l, ValueRange{arith::AddFOp::create(nb, l, args[3], prod)});
            })
            .getResult(0);
  } else {
    // i32 partial sums per group: dims (lead..., n, g, kk), over the lhs
    // as [lead..., groups, group] and the weights as [N, groups, bytes].
    unsigned numDims = lead + 3;
    AffineExpr n = getAffineDimExpr(lead, ctx), g = getAffineDimExpr(lead + 1, ctx);
    AffineExpr kk = getAffineDimExpr(lead + 2, ctx);
    SmallVector<AffineExpr> lhsExprs(leadDims), accExprs(leadDims);
    lhsExprs.push_back(g);
    lhsExprs.push_back(kk);
    accExprs.push_back(n);
    accExprs.push_back(g);
    auto split = [&](Value v, int64_t inner) -> Value {
      auto type = cast<RankedTensorType>(v.getType());
      int64_t rank = type.getRank();
      SmallVector<ReassociationIndices> reassociation;
      for (int64_t i = 0; i + 1 < rank; ++i)
        reassociation.push_back({i});
      reassociation.push_back({rank - 1, rank});
      SmallVector<int64_t> shape(type.getShape().drop_back());
      shape.push_back(groups);
      shape.push_back(inner);
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
      sizes.back() = b.getIndexAttr(groups);
      sizes.push_back(b.getIndexAttr(inner));
      return tensor::ExpandShapeOp::create(
          b, loc, RankedTensorType::get(shape, type.getElementType()), v,
          reassociation, sizes);
    };
    Value lhsGroups = split(op.getLhs(), group);
    Value weightGroups = split(op.getWeight(), packed ? group / 2 : group);
    SmallVector<OpFoldResult> accSizes(outSizes);
    accSizes.push_back(b.getIndexAttr(groups));
    SmallVector<IT> iters(lead + 2, IT::parallel);
    iters.push_back(IT::reduction);
    auto accType = RankedTensorType::get(
        llvm::to_vector(llvm::concat<const int64_t>(
            op.getResult().getType().getShape(), ArrayRef<int64_t>{groups})),
        i32);
    AffineMap wMap = AffineMap::get(
        numDims, 0, {n, g, packed ? kk.floorDiv(2) : kk}, ctx);
    Value acc =
        linalg::GenericOp::create(
            b, loc, TypeRange{accType},
            ValueRange{lhsGroups, weightGroups},
            ValueRange{zeroFilled(b, loc, accSizes, i32)},
            ArrayRef<AffineMap>{AffineMap::get(numDims, 0, lhsExprs, ctx),
                                wMap,
                                AffineMap::get(numDims, 0, accExprs, ctx)},
            iters,
            [&](OpBuilder &nb, Location l, ValueRange args) {
              Value w = args[1];
              if (packed) // group is even, so kk has k's parity
                w = unpackNibble(nb, l, w, linalg::IndexOp::create(nb, l, lead + 2));
              Value x = arith::ExtSIOp::create(nb, l, i32, args[0]);
              Value prod = arith::MulIOp::create(
                  nb, l, x, arith::ExtSIOp::create(nb, l, i32, w));
              linalg::YieldOp::create(
                  nb, l, ValueRange{arith::AddIOp::create(nb, l, args[2], prod)});
            })
            .getResult(0);

    // Rescale: dims (lead..., n, g), reducing g.
    unsigned rsDims = lead + 2;
    AffineExpr rn = getAffineDimExpr(lead, ctx), rg = getAffineDimExpr(lead + 1, ctx);
    SmallVector<AffineExpr> accMapExprs(leadDims), outExprs(leadDims),
        xsExprs;
    accMapExprs.push_back(rn);
    accMapExprs.push_back(rg);
    outExprs.push_back(rn);
    if (op.getLhsScale().getType().getRank() != 0) {
      xsExprs.assign(leadDims.begin(), leadDims.end());
      xsExprs.push_back(getAffineConstantExpr(0, ctx));
    }
    SmallVector<IT> rsIters(lead + 1, IT::parallel);
    rsIters.push_back(IT::reduction);
    result =
        linalg::GenericOp::create(
            b, loc, TypeRange{op.getResult().getType()},
            ValueRange{acc, op.getWeightScale(), op.getLhsScale()},
            ValueRange{init},
            ArrayRef<AffineMap>{AffineMap::get(rsDims, 0, accMapExprs, ctx),
                                AffineMap::get(rsDims, 0, {rn, rg}, ctx),
                                AffineMap::get(rsDims, 0, xsExprs, ctx),
                                AffineMap::get(rsDims, 0, outExprs, ctx)},
            rsIters,
            [&](OpBuilder &nb, Location l, ValueRange args) {
              Value a = arith::SIToFPOp::create(nb, l, f32, args[0]);
              Value s = arith::MulFOp::create(nb, l, args[1], args[2]);
              Value v = arith::MulFOp::create(nb, l, a, s);
              linalg::YieldOp::create(
                  nb, l, ValueRange{arith::AddFOp::create(nb, l, args[3], v)});
            })
            .getResult(0);
  }
  op.getResult().replaceAllUsesWith(result);
  op.erase();
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct LowerQuantizedPass
    : public ds::impl::LowerQuantizedBase<LowerQuantizedPass> {
  using LowerQuantizedBase::LowerQuantizedBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool useVNNI;
    if (vnni == "auto") {
      useVNNI = hostHasAVX512VNNI();
    } else if (vnni == "on" || vnni == "off") {
      useVNNI = vnni == "on";
    } else {
      emitError(module.getLoc()) << "ds-lower-quantized: vnni must be auto, on or "
                            "off, found '"
                         << vnni << "'";
      return signalPassFailure();
    }

    // Convolutions become products on their patch matrix.
    SmallVector<dsq::QConvOp> convs;
    module.walk([&](dsq::QConvOp op) { convs.push_back(op); });
    for (dsq::QConvOp op : convs)
      if (failed(decomposeQConv(op)))
        return signalPassFailure();

    // Products first: the kernel reads the dsq.weight constants to repack
    // them, so weights are lowered last.
    SmallVector<dsq::QMatMulOp> products;
    module.walk([&](dsq::QMatMulOp op) { products.push_back(op); });
    for (dsq::QMatMulOp op : products) {
      if (useVNNI && succeeded(lowerQMatMulToVNNI(op)))
        continue;
      if (failed(lowerQMatMulPortable(op)))
        return signalPassFailure();
    }
    bool failed = false;
    module.walk([&](Operation *op) {
      if (auto q = dyn_cast<dsq::DynamicQuantizeOp>(op))
        lowerDynamicQuantize(q);
      else if (auto d = dyn_cast<dsq::DequantizeOp>(op))
        failed |= mlir::failed(lowerDequantize(d));
    });
    module.walk([&](dsq::WeightOp op) { lowerWeight(op); });
    if (failed)
      signalPassFailure();
  }
};
} // namespace
