//===- Indexing.cpp - dsg slicing, padding, gathers, scatters to linalg ---===//
//
// These ops compute, for each result element, where to read from. Values
// that ONNX passes as tensors (starts, pads, k, axis, ...) are read with
// tensor.extract before the loops; the loops are linalg.generic ops whose
// bodies compute coordinates and read with tensor.extract. Scatters are
// sequential (later updates win or accumulate) and use scf.for loops over a
// tensor that is updated in place.
//
//===----------------------------------------------------------------------===//
#include "Common.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::graph_to_linalg;

namespace {

Value cIdx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// An integer scalar as an index (sign-extended).
Value toIndex(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isIndex())
    return v;
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

/// Element `i` of the 1-D integer tensor `t` as an index.
Value extractIndex(OpBuilder &b, Location loc, Value t, ValueRange coords) {
  return toIndex(b, loc, tensor::ExtractOp::create(b, loc, t, coords));
}

Value dimOf(OpBuilder &b, Location loc, Value t, int64_t d) {
  return getValueOrCreateConstantIndexOp(b, loc, sizesOf(b, loc, t)[d]);
}

Value cmp(OpBuilder &b, Location loc, arith::CmpIPredicate p, Value x,
          Value y) {
  return arith::CmpIOp::create(b, loc, p, x, y);
}

Value select(OpBuilder &b, Location loc, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, loc, c, x, y);
}

/// `i < 0 ? i + size : i`.
Value wrapNegative(OpBuilder &b, Location loc, Value i, Value size) {
  Value neg = cmp(b, loc, arith::CmpIPredicate::slt, i, cIdx(b, loc, 0));
  return select(b, loc, neg, arith::AddIOp::create(b, loc, i, size), i);
}

Value clampIndex(OpBuilder &b, Location loc, Value v, Value lo, Value hi) {
  v = arith::MaxSIOp::create(b, loc, v, lo);
  return arith::MinSIOp::create(b, loc, v, hi);
}

/// A linalg.generic producing a fresh tensor of `sizes` and `elementType`;
/// `inputs` are read with `inputMaps`, and `body(args, ivs)` computes an
/// element from the input scalars and the loop indices.
Value buildGenerator(
    OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes, Type elementType,
    ValueRange inputs, ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange, ArrayRef<Value>)>
        body) {
  int64_t rank = sizes.size();
  Value init = emptyTensor(b, loc, sizes, elementType);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               SmallVector<Value> ivs;
               for (int64_t d = 0; d < rank; ++d)
                 ivs.push_back(linalg::IndexOp::create(nb, nloc, d));
               linalg::YieldOp::create(
                   nb, nloc, body(nb, nloc, args.drop_back(), ivs));
             })
      .getResult(0);
}

SmallVector<OpFoldResult> staticSizes(OpBuilder &b, RankedTensorType t) {
  return getAsIndexOpFoldResult(b.getContext(), t.getShape());
}

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

struct SliceLowering : OpConversionPattern<graph::SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Value input = adaptor.getInput();
    int64_t rank = resultType.getRank();
    int64_t n = op.getStarts().getType().getDimSize(0);
    if (ShapedType::isDynamic(n))
      return rewriter.notifyMatchFailure(op, "dynamic number of axes");
    SmallVector<Value> starts(rank, cIdx(b, loc, 0)),
        steps(rank, cIdx(b, loc, 1));
    SmallVector<Value> hasStart(rank);
    Value rankV = cIdx(b, loc, rank);
    for (int64_t j = 0; j < n; ++j) {
      Value jv = cIdx(b, loc, j);
      Value axis = wrapNegative(
          b, loc, extractIndex(b, loc, adaptor.getAxes(), jv), rankV);
      Value start = extractIndex(b, loc, adaptor.getStarts(), jv);
      Value step = extractIndex(b, loc, adaptor.getSteps(), jv);
      for (int64_t d = 0; d < rank; ++d) {
        Value is = cmp(b, loc, arith::CmpIPredicate::eq, axis, cIdx(b, loc, d));
        starts[d] = select(b, loc, is, start, starts[d]);
        steps[d] = select(b, loc, is, step, steps[d]);
      }
    }
    // ONNX: a negative start counts from the end; then clamp to [0, dim]
    // (positive step) or [0, dim - 1] (negative step).
    for (int64_t d = 0; d < rank; ++d) {
      Value dim = dimOf(b, loc, input, d);
      Value s = wrapNegative(b, loc, starts[d], dim);
      Value positive = cmp(b, loc, arith::CmpIPredicate::sgt, steps[d],
                           cIdx(b, loc, 0));
      Value hi = select(b, loc, positive, dim,
                        arith::SubIOp::create(b, loc, dim, cIdx(b, loc, 1)));
      starts[d] = clampIndex(b, loc, s, cIdx(b, loc, 0), hi);
    }
    Value result = buildGenerator(
        b, loc, staticSizes(b, resultType), resultType.getElementType(), {},
        {}, [&](OpBuilder &nb, Location nloc, ValueRange, ArrayRef<Value> ivs) {
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d)
            coords.push_back(arith::AddIOp::create(
                nb, nloc, starts[d],
                arith::MulIOp::create(nb, nloc, ivs[d], steps[d])));
          return tensor::ExtractOp::create(nb, nloc, input, coords).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pad
//===----------------------------------------------------------------------===//

struct PadLowering : OpConversionPattern<graph::PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Type elementType = resultType.getElementType();
    Value input = adaptor.getInput();
    int64_t rank = resultType.getRank();
    StringRef mode = op.getMode();
    SmallVector<Value> before, dims;
    for (int64_t d = 0; d < rank; ++d) {
      before.push_back(extractIndex(b, loc, adaptor.getPads(), cIdx(b, loc, d)));
      dims.push_back(dimOf(b, loc, input, d));
    }
    Value padValue;
    if (mode == "constant")
      padValue = adaptor.getValue()
                     ? tensor::ExtractOp::create(b, loc, adaptor.getValue(),
                                                 ValueRange{})
                           .getResult()
                     : zeroOf(b, loc, elementType);
    Value result = buildGenerator(
        b, loc, staticSizes(b, resultType), elementType, {}, {},
        [&](OpBuilder &nb, Location nloc, ValueRange, ArrayRef<Value> ivs) {
          Value zero = cIdx(nb, nloc, 0), one = cIdx(nb, nloc, 1);
          Value inBounds;
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d) {
            Value src = arith::SubIOp::create(nb, nloc, ivs[d], before[d]);
            Value last = arith::SubIOp::create(nb, nloc, dims[d], one);
            if (mode == "reflect") {
              // Period 2 * (dim - 1); indices beyond dim - 1 mirror back.
              Value period = arith::MaxSIOp::create(
                  nb, nloc, arith::AddIOp::create(nb, nloc, last, last), one);
              Value m = arith::RemSIOp::create(nb, nloc, src, period);
              m = wrapNegative(nb, nloc, m, period);
              Value beyond = cmp(nb, nloc, arith::CmpIPredicate::sgt, m, last);
              src = select(nb, nloc, beyond,
                           arith::SubIOp::create(nb, nloc, period, m), m);
            } else if (mode == "constant") {
              Value ok = arith::AndIOp::create(
                  nb, nloc, cmp(nb, nloc, arith::CmpIPredicate::sge, src, zero),
                  cmp(nb, nloc, arith::CmpIPredicate::slt, src, dims[d]));
              inBounds =
                  inBounds ? arith::AndIOp::create(nb, nloc, inBounds, ok) : ok;
            }
            coords.push_back(clampIndex(nb, nloc, src, zero, last));
          }
          Value v = tensor::ExtractOp::create(nb, nloc, input, coords);
          if (inBounds)
            v = select(nb, nloc, inBounds, v, padValue);
          return v;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Tile, Expand, Range
//===----------------------------------------------------------------------===//

struct TileLowering : OpConversionPattern<graph::TileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Value input = adaptor.getInput();
    SmallVector<Value> dims;
    for (int64_t d = 0; d < resultType.getRank(); ++d)
      dims.push_back(dimOf(b, loc, input, d));
    Value result = buildGenerator(
        b, loc, staticSizes(b, resultType), resultType.getElementType(), {},
        {}, [&](OpBuilder &nb, Location nloc, ValueRange, ArrayRef<Value> ivs) {
          SmallVector<Value> coords;
          for (auto [iv, dim] : llvm::zip(ivs, dims))
            coords.push_back(arith::RemUIOp::create(nb, nloc, iv, dim));
          return tensor::ExtractOp::create(nb, nloc, input, coords).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ExpandLowering : OpConversionPattern<graph::ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = convertedResultType(*getTypeConverter(), op);
    FailureOr<Value> result = buildElementwise(
        rewriter, op, resultType, adaptor.getInput(),
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

struct RangeLowering : OpConversionPattern<graph::RangeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::RangeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Type t = resultType.getElementType();
    Value start =
        tensor::ExtractOp::create(b, loc, adaptor.getStart(), ValueRange{});
    Value delta =
        tensor::ExtractOp::create(b, loc, adaptor.getDelta(), ValueRange{});
    Value result = buildGenerator(
        b, loc, staticSizes(b, resultType), t, {}, {},
        [&](OpBuilder &nb, Location nloc, ValueRange, ArrayRef<Value> ivs) {
          Value i = arith::IndexCastOp::create(nb, nloc, nb.getI64Type(),
                                               ivs[0]);
          i = convertScalar(nb, nloc, i, nb.getI64Type(), t);
          return addScalar(nb, nloc, start, mulScalar(nb, nloc, i, delta));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Trilu, CumSum
//===----------------------------------------------------------------------===//

struct TriluLowering : OpConversionPattern<graph::TriluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::TriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    int64_t rank = resultType.getRank();
    Value k = adaptor.getK() ? toIndex(b, loc,
                                       tensor::ExtractOp::create(
                                           b, loc, adaptor.getK(), ValueRange{}))
                             : cIdx(b, loc, 0);
    bool upper = op.getUpper();
    FailureOr<Value> result = buildElementwise(
        b, op, resultType, adaptor.getInput(),
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value i = linalg::IndexOp::create(nb, nloc, rank - 2);
          Value j = linalg::IndexOp::create(nb, nloc, rank - 1);
          Value diff = arith::SubIOp::create(nb, nloc, j, i);
          Value keep = cmp(nb, nloc,
                           upper ? arith::CmpIPredicate::sge
                                 : arith::CmpIPredicate::sle,
                           diff, k);
          return select(nb, nloc, keep, args[0],
                        zeroOf(nb, nloc, args[0].getType()));
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

struct CumSumLowering : OpConversionPattern<graph::CumSumOp> {
  using OpConversionPattern::OpConversionPattern;

  /// The cumulative sum along `axis`: a reduction over an extra loop `k`
  /// that adds the elements whose index along `axis` comes before (or, with
  /// `reverse`, after) the result element's.
  static Value along(OpBuilder &b, Location loc, Value input, int64_t axis,
                     bool exclusive, bool reverse) {
    MLIRContext *ctx = b.getContext();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    SmallVector<OpFoldResult> sizes = sizesOf(b, loc, input);
    Value init = emptyTensor(b, loc, sizes, type.getElementType());
    init = linalg::FillOp::create(
               b, loc, zeroOf(b, loc, type.getElementType()), init)
               .getResult(0);
    SmallVector<AffineExpr> in, out;
    for (int64_t d = 0; d < rank; ++d) {
      in.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
      out.push_back(getAffineDimExpr(d, ctx));
    }
    SmallVector<AffineMap> maps = {AffineMap::get(rank + 1, 0, in, ctx),
                                   AffineMap::get(rank + 1, 0, out, ctx)};
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    arith::CmpIPredicate pred =
        reverse ? (exclusive ? arith::CmpIPredicate::sgt
                             : arith::CmpIPredicate::sge)
                : (exclusive ? arith::CmpIPredicate::slt
                             : arith::CmpIPredicate::sle);
    return linalg::GenericOp::create(
               b, loc, TypeRange{init.getType()}, ValueRange{input},
               ValueRange{init}, maps, iters,
               [&](OpBuilder &nb, Location nloc, ValueRange args) {
                 Value i = linalg::IndexOp::create(nb, nloc, axis);
                 Value k = linalg::IndexOp::create(nb, nloc, rank);
                 Value take = cmp(nb, nloc, pred, k, i);
                 Value sum = addScalar(nb, nloc, args[1], args[0]);
                 linalg::YieldOp::create(
                     nb, nloc, select(nb, nloc, take, sum, args[1]));
               })
        .getResult(0);
  }

  LogicalResult
  matchAndRewrite(graph::CumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Value input = adaptor.getInput();
    int64_t rank = resultType.getRank();
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    if (rank == 1) {
      rewriter.replaceOp(
          op, castTo(b, loc, along(b, loc, input, 0, exclusive, reverse),
                     resultType));
      return success();
    }
    // The axis is known at run time only: switch over the possible axes.
    Value axis = wrapNegative(
        b, loc,
        extractIndex(b, loc, adaptor.getAxis(), ValueRange{}),
        cIdx(b, loc, rank));
    SmallVector<int64_t> cases;
    for (int64_t a = 0; a + 1 < rank; ++a)
      cases.push_back(a);
    auto sw = scf::IndexSwitchOp::create(b, loc, TypeRange{resultType}, axis,
                                         cases, cases.size());
    auto fill = [&](Region &region, int64_t a) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&region.emplaceBlock());
      scf::YieldOp::create(
          b, loc,
          castTo(b, loc, along(b, loc, input, a, exclusive, reverse),
                 resultType));
    };
    for (int64_t a = 0; a + 1 < rank; ++a)
      fill(sw.getCaseRegions()[a], a);
    fill(sw.getDefaultRegion(), rank - 1);
    rewriter.replaceOp(op, sw.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// GatherElements, GatherND, OneHot
//===----------------------------------------------------------------------===//

struct GatherElementsLowering : OpConversionPattern<graph::GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    int64_t axis = op.getAxis();
    int64_t rank = resultType.getRank();
    Value axisSize = dimOf(b, loc, data, axis);
    Value result = buildGenerator(
        b, loc, sizesOf(b, loc, indices), resultType.getElementType(),
        indices, b.getMultiDimIdentityMap(rank),
        [&](OpBuilder &nb, Location nloc, ValueRange args,
            ArrayRef<Value> ivs) {
          SmallVector<Value> coords(ivs);
          coords[axis] =
              wrapNegative(nb, nloc, toIndex(nb, nloc, args[0]), axisSize);
          return tensor::ExtractOp::create(nb, nloc, data, coords).getResult();
        });
    rewriter.replaceOp(op, castTo(b, loc, result, resultType));
    return success();
  }
};

struct GatherNDLowering : OpConversionPattern<graph::GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    int64_t batch = op.getBatchDims();
    int64_t q = op.getIndices().getType().getRank();
    int64_t m = op.getIndices().getType().getShape().back();
    SmallVector<OpFoldResult> ds = sizesOf(b, loc, data),
                              is = sizesOf(b, loc, indices);
    SmallVector<OpFoldResult> sizes(is.begin(), is.end() - 1);
    sizes.append(ds.begin() + batch + m, ds.end());
    SmallVector<Value> dims;
    for (OpFoldResult s : ds)
      dims.push_back(getValueOrCreateConstantIndexOp(b, loc, s));
    Value result = buildGenerator(
        b, loc, sizes, resultType.getElementType(), {}, {},
        [&](OpBuilder &nb, Location nloc, ValueRange, ArrayRef<Value> ivs) {
          SmallVector<Value> coords(ivs.take_front(batch));
          SmallVector<Value> at(ivs.take_front(q - 1));
          at.push_back(Value());
          for (int64_t t = 0; t < m; ++t) {
            at.back() = cIdx(nb, nloc, t);
            coords.push_back(wrapNegative(
                nb, nloc, extractIndex(nb, nloc, indices, at),
                dims[batch + t]));
          }
          llvm::append_range(coords, ivs.drop_front(q - 1));
          return tensor::ExtractOp::create(nb, nloc, data, coords).getResult();
        });
    rewriter.replaceOp(op, castTo(b, loc, result, resultType));
    return success();
  }
};

struct OneHotLowering : OpConversionPattern<graph::OneHotOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::OneHotOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Type i64 = b.getI64Type();
    int64_t axis = op.getAxis();
    int64_t rank = resultType.getRank();
    Value indices = adaptor.getIndices();
    Type indexType = elementTypeOf(op.getIndices());
    Value depth = convertScalar(
        b, loc, tensor::ExtractOp::create(b, loc, adaptor.getDepth(),
                                          ValueRange{}),
        elementTypeOf(op.getDepth()), i64);
    Value off = tensor::ExtractOp::create(b, loc, adaptor.getValues(),
                                          ValueRange{cIdx(b, loc, 0)});
    Value on = tensor::ExtractOp::create(b, loc, adaptor.getValues(),
                                         ValueRange{cIdx(b, loc, 1)});
    SmallVector<OpFoldResult> sizes = sizesOf(b, loc, indices);
    sizes.insert(sizes.begin() + axis,
                 resultType.isDynamicDim(axis)
                     ? OpFoldResult(arith::IndexCastOp::create(
                                        b, loc, b.getIndexType(), depth)
                                        .getResult())
                     : OpFoldResult(b.getIndexAttr(resultType.getDimSize(axis))));
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        exprs.push_back(getAffineDimExpr(d, ctx));
    Value result = buildGenerator(
        b, loc, sizes, resultType.getElementType(), indices,
        AffineMap::get(rank, 0, exprs, ctx),
        [&](OpBuilder &nb, Location nloc, ValueRange args,
            ArrayRef<Value> ivs) {
          Value v = convertScalar(nb, nloc, args[0], indexType, i64);
          Value neg = cmp(nb, nloc, arith::CmpIPredicate::slt, v,
                          arith::ConstantOp::create(
                              nb, nloc, i64, nb.getI64IntegerAttr(0)));
          v = select(nb, nloc, neg, arith::AddIOp::create(nb, nloc, v, depth),
                     v);
          Value j = arith::IndexCastOp::create(nb, nloc, i64, ivs[axis]);
          return select(nb, nloc, cmp(nb, nloc, arith::CmpIPredicate::eq, v, j),
                        on, off);
        });
    rewriter.replaceOp(op, castTo(b, loc, result, resultType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// ScatterElements, ScatterND
//===----------------------------------------------------------------------===//

/// Loops over `sizes` with `data` as the loop-carried tensor; `coordsOf`
/// maps the loop indices to where update `ivs` goes in `data`.
Value buildScatter(
    OpBuilder &b, Location loc, Value data, Value updates, StringRef reduction,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
        coordsOf) {
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, updates);
  SmallVector<Value> lbs, ubs, steps;
  for (OpFoldResult s : sizes) {
    lbs.push_back(cIdx(b, loc, 0));
    ubs.push_back(getValueOrCreateConstantIndexOp(b, loc, s));
    steps.push_back(cIdx(b, loc, 1));
  }
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, ValueRange{data},
      [&](OpBuilder &nb, Location nloc, ValueRange ivs,
          ValueRange iterArgs) -> scf::ValueVector {
        Value dest = iterArgs[0];
        SmallVector<Value> coords = coordsOf(nb, nloc, ivs);
        Value u = tensor::ExtractOp::create(nb, nloc, updates, ivs);
        if (reduction != "none") {
          Value old = tensor::ExtractOp::create(nb, nloc, dest, coords);
          u = reduction == "add" ? addScalar(nb, nloc, old, u)
                                 : mulScalar(nb, nloc, old, u);
        }
        return {tensor::InsertOp::create(nb, nloc, u, dest, coords)
                    .getResult()};
      });
  if (nest.results.empty())
    return data;
  return nest.results[0];
}

struct ScatterElementsLowering
    : OpConversionPattern<graph::ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    int64_t axis = op.getAxis();
    Value axisSize = dimOf(b, loc, data, axis);
    Value result = buildScatter(
        b, loc, data, adaptor.getUpdates(), op.getReduction(),
        [&](OpBuilder &nb, Location nloc, ValueRange ivs) {
          SmallVector<Value> coords(ivs);
          coords[axis] = wrapNegative(
              nb, nloc, extractIndex(nb, nloc, indices, ivs), axisSize);
          return coords;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ScatterNDLowering : OpConversionPattern<graph::ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    int64_t q = op.getIndices().getType().getRank();
    int64_t k = op.getIndices().getType().getShape().back();
    SmallVector<Value> dims;
    for (int64_t d = 0; d < k; ++d)
      dims.push_back(dimOf(b, loc, data, d));
    Value result = buildScatter(
        b, loc, data, adaptor.getUpdates(), op.getReduction(),
        [&](OpBuilder &nb, Location nloc, ValueRange ivs) {
          SmallVector<Value> coords, at(ivs.take_front(q - 1));
          at.push_back(Value());
          for (int64_t t = 0; t < k; ++t) {
            at.back() = cIdx(nb, nloc, t);
            coords.push_back(wrapNegative(
                nb, nloc, extractIndex(nb, nloc, indices, at), dims[t]));
          }
          llvm::append_range(coords, ivs.drop_front(q - 1));
          return coords;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void graph_to_linalg::populateIndexingPatterns(const TypeConverter &converter,
                                               RewritePatternSet &patterns) {
  patterns.add<SliceLowering, PadLowering, TileLowering, ExpandLowering,
               RangeLowering, TriluLowering, CumSumLowering,
               GatherElementsLowering, GatherNDLowering, OneHotLowering,
               ScatterElementsLowering, ScatterNDLowering>(
      converter, patterns.getContext());
}
