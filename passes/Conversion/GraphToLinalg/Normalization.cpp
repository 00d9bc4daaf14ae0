//===- Normalization.cpp - dsg softmax, batch_norm, layer_norm to linalg -===//
//
// 16-bit float inputs are computed in f32; the statistics are reductions
// into tensors without the reduced dimensions, read back through
// projections of the loop nest.
//
//===----------------------------------------------------------------------===//
#include "Common.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::graph_to_linalg;

namespace {

SmallVector<utils::IteratorType> parallel(int64_t n) {
  return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
}

Value floatConst(OpBuilder &b, Location loc, Type t, double v) {
  return arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, v));
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

struct SoftmaxLowering : OpConversionPattern<graph::SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Type elem = op.getType().getElementType();
    Type ct = computeType(elem);
    Value x = adaptor.getInput();
    int64_t rank = op.getType().getRank();
    SmallVector<bool> reduced(rank, false);
    reduced[op.getAxis()] = true;
    SmallVector<OpFoldResult> sizes = sizesOf(b, loc, x);
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap kept = keptDimsMap(ctx, reduced);

    Value max = buildReduction(
        b, loc, sizes, reduced, ValueRange{x}, {id},
        lowestOf(b, loc, ct, false),
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          return arith::MaximumFOp::create(
              nb, nloc, args[1], convertScalar(nb, nloc, args[0], elem, ct));
        });
    Value sum = buildReduction(
        b, loc, sizes, reduced, ValueRange{x, max}, {id, kept},
        zeroOf(b, loc, ct),
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value v = convertScalar(nb, nloc, args[0], elem, ct);
          Value e = math::ExpOp::create(
              nb, nloc, arith::SubFOp::create(nb, nloc, v, args[1]));
          return arith::AddFOp::create(nb, nloc, args[2], e);
        });
    Value out = emptyTensor(b, loc, sizes, toSignless(elem));
    Value result =
        linalg::GenericOp::create(
            b, loc, TypeRange{out.getType()}, ValueRange{x, max, sum},
            ValueRange{out}, {id, kept, kept, id}, parallel(rank),
            [&](OpBuilder &nb, Location nloc, ValueRange args) {
              Value v = convertScalar(nb, nloc, args[0], elem, ct);
              Value e = math::ExpOp::create(
                  nb, nloc, arith::SubFOp::create(nb, nloc, v, args[1]));
              Value r = arith::DivFOp::create(nb, nloc, e, args[2]);
              linalg::YieldOp::create(nb, nloc,
                                      convertScalar(nb, nloc, r, ct, elem));
            })
            .getResult(0);
    rewriter.replaceOp(
        op, castTo(b, loc, result,
                   convertedResultType(*getTypeConverter(), op)));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// BatchNorm
//===----------------------------------------------------------------------===//

struct BatchNormLowering : OpConversionPattern<graph::BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Type elem = op.getType().getElementType();
    Type ct = computeType(elem);
    int64_t rank = op.getType().getRank();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap channel =
        AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
    SmallVector<Type> types;
    for (Value v : op->getOperands())
      types.push_back(cast<RankedTensorType>(v.getType()).getElementType());
    double eps = op.getEpsilon().convertToDouble();
    Value x = adaptor.getInput();
    Value out = emptyTensor(b, loc, sizesOf(b, loc, x), toSignless(elem));
    Value result =
        linalg::GenericOp::create(
            b, loc, TypeRange{out.getType()}, adaptor.getOperands(),
            ValueRange{out}, {id, channel, channel, channel, channel, id},
            parallel(rank),
            [&](OpBuilder &nb, Location nloc, ValueRange args) {
              SmallVector<Value> v;
              for (int i = 0; i < 5; ++i)
                v.push_back(convertScalar(nb, nloc, args[i], types[i], ct));
              // scale * (x - mean) / sqrt(var + eps) + bias
              Value denom = math::SqrtOp::create(
                  nb, nloc,
                  arith::AddFOp::create(nb, nloc, v[4],
                                        floatConst(nb, nloc, ct, eps)));
              Value norm = arith::DivFOp::create(
                  nb, nloc, arith::SubFOp::create(nb, nloc, v[0], v[3]),
                  denom);
              Value r = arith::AddFOp::create(
                  nb, nloc, arith::MulFOp::create(nb, nloc, norm, v[1]), v[2]);
              linalg::YieldOp::create(nb, nloc,
                                      convertScalar(nb, nloc, r, ct, elem));
            })
            .getResult(0);
    rewriter.replaceOp(
        op, castTo(b, loc, result,
                   convertedResultType(*getTypeConverter(), op)));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// LayerNorm
//===----------------------------------------------------------------------===//

struct LayerNormLowering : OpConversionPattern<graph::LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Type elem = op.getResult().getType().getElementType();
    Type ct = computeType(elem);
    Value x = adaptor.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    int64_t rank = xType.getRank(), axis = op.getAxis();
    SmallVector<bool> reduced(rank, false);
    for (int64_t i = axis; i < rank; ++i)
      reduced[i] = true;
    SmallVector<OpFoldResult> sizes = sizesOf(b, loc, x);
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap kept = keptDimsMap(ctx, reduced);
    Value n = productAs(b, loc, ArrayRef(sizes).drop_front(axis), ct);
    double eps = op.getEpsilon().convertToDouble();

    Value sum = buildReduction(
        b, loc, sizes, reduced, ValueRange{x}, {id}, zeroOf(b, loc, ct),
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          return arith::AddFOp::create(
              nb, nloc, args[1], convertScalar(nb, nloc, args[0], elem, ct));
        });
    SmallVector<OpFoldResult> statSizes(sizes.begin(), sizes.begin() + axis);
    auto mapStats = [&](ValueRange inputs,
                        function_ref<Value(OpBuilder &, Location, ValueRange)>
                            fn) -> Value {
      Value out = emptyTensor(b, loc, statSizes, ct);
      SmallVector<AffineMap> maps(inputs.size() + 1,
                                  b.getMultiDimIdentityMap(axis));
      return linalg::GenericOp::create(
                 b, loc, TypeRange{out.getType()}, inputs, ValueRange{out},
                 maps, parallel(axis),
                 [&](OpBuilder &nb, Location nloc, ValueRange args) {
                   linalg::YieldOp::create(nb, nloc, fn(nb, nloc, args));
                 })
          .getResult(0);
    };
    Value mean = mapStats({sum}, [&](OpBuilder &nb, Location nloc,
                                     ValueRange args) -> Value {
      return arith::DivFOp::create(nb, nloc, args[0], n);
    });
    Value sq = buildReduction(
        b, loc, sizes, reduced, ValueRange{x, mean}, {id, kept},
        zeroOf(b, loc, ct),
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value d = arith::SubFOp::create(
              nb, nloc, convertScalar(nb, nloc, args[0], elem, ct), args[1]);
          return arith::AddFOp::create(nb, nloc, args[2],
                                       arith::MulFOp::create(nb, nloc, d, d));
        });
    Value inv = mapStats({sq}, [&](OpBuilder &nb, Location nloc,
                                   ValueRange args) -> Value {
      Value var = arith::DivFOp::create(nb, nloc, args[0], n);
      Value s = math::SqrtOp::create(
          nb, nloc,
          arith::AddFOp::create(nb, nloc, var, floatConst(nb, nloc, ct, eps)));
      return arith::DivFOp::create(nb, nloc, floatConst(nb, nloc, ct, 1.0), s);
    });

    SmallVector<Value> inputs = {x, mean, inv, adaptor.getScale()};
    SmallVector<Type> types = {elem, ct, ct,
                               op.getScale().getType().getElementType()};
    if (Value bias = adaptor.getBias()) {
      inputs.push_back(bias);
      types.push_back(op.getBias().getType().getElementType());
    }
    SmallVector<AffineMap> maps = {id, kept, kept};
    for (Value v : ArrayRef(inputs).drop_front(3))
      maps.push_back(broadcastMap(
          ctx, cast<RankedTensorType>(v.getType()).getShape(),
          xType.getShape()));
    maps.push_back(id);
    Value out = emptyTensor(b, loc, sizes, toSignless(elem));
    Value y =
        linalg::GenericOp::create(
            b, loc, TypeRange{out.getType()}, inputs, ValueRange{out}, maps,
            parallel(rank),
            [&](OpBuilder &nb, Location nloc, ValueRange args) {
              SmallVector<Value> v;
              for (size_t i = 0; i < types.size(); ++i)
                v.push_back(convertScalar(nb, nloc, args[i], types[i], ct));
              Value r = arith::MulFOp::create(
                  nb, nloc,
                  arith::MulFOp::create(
                      nb, nloc, arith::SubFOp::create(nb, nloc, v[0], v[1]),
                      v[2]),
                  v[3]);
              if (v.size() > 4)
                r = arith::AddFOp::create(nb, nloc, r, v[4]);
              linalg::YieldOp::create(nb, nloc,
                                      convertScalar(nb, nloc, r, ct, elem));
            })
            .getResult(0);

    // Statistics: [d0, ..., d(axis-1), 1, ..., 1] in their own types.
    SmallVector<OpFoldResult> statOut(statSizes);
    statOut.append(rank - axis, b.getIndexAttr(1));
    auto finish = [&](Value stat, unsigned i) {
      auto type = convertedResultType(*getTypeConverter(), op, i);
      Value v = convertTensor(b, loc, stat, ct, elementTypeOf(op->getResult(i)));
      return reshapeTo(b, loc, v, type, statOut);
    };
    rewriter.replaceOp(
        op, {castTo(b, loc, y, convertedResultType(*getTypeConverter(), op)),
             finish(mean, 1), finish(inv, 2)});
    return success();
  }
};

} // namespace

void graph_to_linalg::populateNormalizationPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<SoftmaxLowering, BatchNormLowering, LayerNormLowering>(
      converter, patterns.getContext());
}
