//===- Dynamic.cpp - Lowering of dsg ops with run-time shapes -------------===//
//
// dsg.shape, dsg.fill, dsg.range_to, dsg.nonzero and dsg.slice_to: their result sizes are
// computed at run time (tensor.dim, values read from tensors) and given to
// a dynamic tensor.empty. NonZero counts first, then writes each non-zero
// element's indices in a sequential loop (tensor.insert, bufferized in
// place).
//
//===----------------------------------------------------------------------===//
#include "Dynamic.h"

#include "Common.h"
#include "Graph/GraphOpsDynamic.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::graph_to_linalg;

namespace {

Value cIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value toI64(OpBuilder &b, Location loc, Value index) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
}

Value toIndexValue(OpBuilder &b, Location loc, Value i64) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), i64);
}

struct ShapeLowering : OpConversionPattern<graph::ShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> sizes;
    for (int64_t d = op.getStart(); d < op.getEnd(); ++d)
      sizes.push_back(toI64(
          rewriter, loc, tensor::DimOp::create(rewriter, loc, adaptor.getInput(), d)));
    auto type = RankedTensorType::get({int64_t(sizes.size())},
                                      rewriter.getI64Type());
    rewriter.replaceOp(op,
                       tensor::FromElementsOp::create(rewriter, loc, type, sizes));
    return success();
  }
};

struct FillLowering : OpConversionPattern<graph::FillOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::FillOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Type t = resultType.getElementType();
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < resultType.getRank(); ++d) {
      if (!resultType.isDynamicDim(d)) {
        sizes.push_back(rewriter.getIndexAttr(resultType.getDimSize(d)));
        continue;
      }
      Value size = tensor::ExtractOp::create(rewriter, loc, adaptor.getShape(),
                                             ValueRange{cIndex(rewriter, loc, d)});
      sizes.push_back(toIndexValue(rewriter, loc, size));
    }
    // The value in the signless element type of the lowered tensor.
    TypedAttr value;
    Attribute attr = op.getValue();
    if (auto f = dyn_cast<FloatAttr>(attr))
      value = FloatAttr::get(t, f.getValue());
    else if (auto i = dyn_cast<IntegerAttr>(attr))
      value = IntegerAttr::get(t, i.getValue());
    else if (auto dense = dyn_cast<DenseElementsAttr>(attr);
             dense && dense.isSplat())
      value = cast<TypedAttr>(dense.getSplatValue<Attribute>());
    if (!value)
      return rewriter.notifyMatchFailure(op, "expected a scalar value");
    Value fill = arith::ConstantOp::create(rewriter, loc, t, value);
    Value empty = emptyTensor(rewriter, loc, sizes, t);
    rewriter.replaceOp(
        op, linalg::FillOp::create(rewriter, loc, fill, empty).getResult(0));
    return success();
  }
};

struct RangeToLowering : OpConversionPattern<graph::RangeToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::RangeToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Type t = resultType.getElementType();
    auto scalar = [&](Value v) {
      return tensor::ExtractOp::create(b, loc, v, ValueRange{}).getResult();
    };
    Value start = scalar(adaptor.getStart());
    Value limit = scalar(adaptor.getLimit());
    Value delta = scalar(adaptor.getDelta());
    // n = max(ceil((limit - start) / delta), 0), and 0 for delta == 0.
    Type i64 = b.getI64Type();
    Value zero64 = arith::ConstantIntOp::create(b, loc, i64, 0);
    Value count, isZeroDelta;
    if (auto f = dyn_cast<FloatType>(t)) {
      Value zero = zeroOf(b, loc, t);
      isZeroDelta = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                          delta, zero);
      Value f64Diff = convertScalar(
          b, loc, arith::SubFOp::create(b, loc, limit, start), t, b.getF64Type());
      Value f64Delta = convertScalar(b, loc, delta, t, b.getF64Type());
      Value steps = math::CeilOp::create(
          b, loc, arith::DivFOp::create(b, loc, f64Diff, f64Delta));
      // Clamp in floating point before the conversion (NaN -> 0).
      Value zeroF = zeroOf(b, loc, b.getF64Type());
      steps = arith::MaximumFOp::create(b, loc, steps, zeroF);
      Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO,
                                          steps, steps);
      steps = arith::SelectOp::create(b, loc, isNaN, zeroF, steps);
      Value maxCount = arith::ConstantOp::create(
          b, loc, b.getF64FloatAttr(static_cast<double>(int64_t(1) << 60)));
      steps = arith::MinimumFOp::create(b, loc, steps, maxCount);
      count = arith::FPToSIOp::create(b, loc, i64, steps);
    } else {
      Value zero = zeroOf(b, loc, t);
      isZeroDelta = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          delta, zero);
      Value wideStart = convertScalar(b, loc, start, t, i64);
      Value wideLimit = convertScalar(b, loc, limit, t, i64);
      Value wideDelta = convertScalar(b, loc, delta, t, i64);
      Value safeDelta = arith::SelectOp::create(
          b, loc, isZeroDelta, arith::ConstantIntOp::create(b, loc, i64, 1),
          wideDelta);
      Value diff = arith::SubIOp::create(b, loc, wideLimit, wideStart);
      count = arith::CeilDivSIOp::create(b, loc, diff, safeDelta);
      count = arith::MaxSIOp::create(b, loc, count, zero64);
    }
    count = arith::SelectOp::create(b, loc, isZeroDelta, zero64, count);
    Value n = toIndexValue(b, loc, count);
    Value empty = tensor::EmptyOp::create(b, loc, resultType, ValueRange{n});
    AffineMap identity = b.getMultiDimIdentityMap(1);
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{resultType}, ValueRange{}, ValueRange{empty},
        ArrayRef<AffineMap>{identity},
        ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
        [&](OpBuilder &nb, Location nloc, ValueRange) {
          Value i = toI64(nb, nloc, linalg::IndexOp::create(nb, nloc, 0));
          i = convertScalar(nb, nloc, i, nb.getI64Type(), t);
          Value v = addScalar(nb, nloc, start, mulScalar(nb, nloc, i, delta));
          linalg::YieldOp::create(nb, nloc, v);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct NonZeroLowering : OpConversionPattern<graph::NonZeroOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::NonZeroOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    Type elementType = inputType.getElementType();
    auto resultType = convertedResultType(*getTypeConverter(), op);

    SmallVector<Value> sizes;
    Value total = cIndex(b, loc, 1);
    for (int64_t d = 0; d < rank; ++d) {
      sizes.push_back(tensor::DimOp::create(b, loc, input, d));
      total = arith::MulIOp::create(b, loc, total, sizes.back());
    }
    // Element `linear` (row-major) of the input and its indices.
    auto indicesOf = [&](OpBuilder &nb, Location nloc, Value linear) {
      SmallVector<Value> indices(rank);
      for (int64_t d = rank - 1; d >= 0; --d) {
        indices[d] = arith::RemUIOp::create(nb, nloc, linear, sizes[d]);
        linear = arith::DivUIOp::create(nb, nloc, linear, sizes[d]);
      }
      return indices;
    };
    auto isNonZero = [&](OpBuilder &nb, Location nloc, ValueRange indices) {
      Value x = tensor::ExtractOp::create(nb, nloc, input, indices);
      Value zero = zeroOf(nb, nloc, elementType);
      if (isa<FloatType>(elementType))
        return arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::UNE, x,
                                     zero)
            .getResult();
      return arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::ne, x, zero)
          .getResult();
    };

    Value c0 = cIndex(b, loc, 0), c1 = cIndex(b, loc, 1);
    // Pass 1: count.
    auto countLoop = scf::ForOp::create(
        b, loc, c0, total, c1, ValueRange{c0},
        [&](OpBuilder &nb, Location nloc, Value i, ValueRange iter) {
          Value nz = isNonZero(nb, nloc, indicesOf(nb, nloc, i));
          Value next = arith::AddIOp::create(
              nb, nloc, iter[0],
              arith::SelectOp::create(nb, nloc, nz, cIndex(nb, nloc, 1),
                                      cIndex(nb, nloc, 0)));
          scf::YieldOp::create(nb, nloc, next);
        });
    Value count = countLoop.getResult(0);

    // Pass 2: write the indices of each non-zero element into column j.
    Value init = tensor::EmptyOp::create(b, loc, resultType, ValueRange{count});
    if (rank == 0) {
      // A 0 x n result holds no elements: only its size matters.
      rewriter.replaceOp(op, init);
      return success();
    }
    auto writeLoop = scf::ForOp::create(
        b, loc, c0, total, c1, ValueRange{c0, init},
        [&](OpBuilder &nb, Location nloc, Value i, ValueRange iter) {
          SmallVector<Value> indices = indicesOf(nb, nloc, i);
          Value nz = isNonZero(nb, nloc, indices);
          auto ifOp = scf::IfOp::create(
              nb, nloc, nz,
              [&](OpBuilder &tb, Location tloc) {
                Value j = iter[0], result = iter[1];
                for (int64_t d = 0; d < rank; ++d)
                  result = tensor::InsertOp::create(
                      tb, tloc, toI64(tb, tloc, indices[d]), result,
                      ValueRange{cIndex(tb, tloc, d), j});
                Value next =
                    arith::AddIOp::create(tb, tloc, j, cIndex(tb, tloc, 1));
                scf::YieldOp::create(tb, tloc, ValueRange{next, result});
              },
              [&](OpBuilder &eb, Location eloc) {
                scf::YieldOp::create(eb, eloc, iter);
              });
          scf::YieldOp::create(nb, nloc, ifOp.getResults());
        });
    rewriter.replaceOp(op, writeLoop.getResult(1));
    return success();
  }
};

/// The ONNX Slice bounds of one dimension of size `dim`: `start` and `end`
/// wrapped when negative and clamped, and the number of elements.
struct SliceBounds {
  Value start, step, size;
};

SliceBounds sliceBounds(OpBuilder &b, Location loc, Value start, Value end,
                        Value step, Value dim) {
  Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
  auto wrap = [&](Value i) {
    Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i,
                                      zero);
    return arith::SelectOp::create(b, loc, neg,
                                   arith::AddIOp::create(b, loc, i, dim), i)
        .getResult();
  };
  auto clamp = [&](Value v, Value lo, Value hi) {
    return arith::MinSIOp::create(b, loc,
                                  arith::MaxSIOp::create(b, loc, v, lo), hi)
        .getResult();
  };
  start = wrap(start);
  end = wrap(end);
  Value positive =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, step, zero);
  Value last = arith::SubIOp::create(b, loc, dim, one);
  // Positive step: start and end in [0, dim]; negative: start in
  // [0, dim - 1] and end in [-1, dim - 1].
  Value startHi = arith::SelectOp::create(b, loc, positive, dim, last);
  Value endLo = arith::SelectOp::create(b, loc, positive, zero,
                                        cIndex(b, loc, -1));
  start = clamp(start, zero, startHi);
  end = clamp(end, endLo, startHi);
  // size = max(ceil((end - start) / step), 0); 0 for a zero step.
  Value isZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, step, zero);
  Value safeStep = arith::SelectOp::create(b, loc, isZero, one, step);
  Value size = arith::CeilDivSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, end, start), safeStep);
  size = arith::MaxSIOp::create(b, loc, size, zero);
  size = arith::SelectOp::create(b, loc, isZero, zero, size);
  return {start, safeStep, size};
}

/// dsg.slice_to: the per-dimension start, step and size are computed from
/// the run-time operands; a linalg.generic reads element
/// `start + i * step` of each dimension (either sign of step).
struct SliceToLowering : OpConversionPattern<graph::SliceToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::SliceToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Value input = adaptor.getInput();
    int64_t rank = resultType.getRank();
    int64_t n = op.getStarts().getType().getDimSize(0);
    for (Value v : {op.getEnds(), op.getAxes(), op.getSteps()})
      if (ShapedType::isDynamic(n))
        n = cast<RankedTensorType>(v.getType()).getDimSize(0);
    if (ShapedType::isDynamic(n))
      return op.emitOpError("expected starts, ends, axes and steps of a "
                            "static length");
    auto read = [&](Value t, int64_t j) {
      Value v = tensor::ExtractOp::create(b, loc, t,
                                          ValueRange{cIndex(b, loc, j)});
      return arith::IndexCastOp::create(b, loc, b.getIndexType(), v)
          .getResult();
    };
    SmallVector<Value> dims, starts(rank, cIndex(b, loc, 0)),
        steps(rank, cIndex(b, loc, 1));
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(tensor::DimOp::create(b, loc, input, d));
    SmallVector<Value> ends(dims);
    Value rankV = cIndex(b, loc, rank);
    for (int64_t j = 0; j < n; ++j) {
      Value axis = read(adaptor.getAxes(), j);
      Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                        axis, cIndex(b, loc, 0));
      axis = arith::SelectOp::create(
          b, loc, neg, arith::AddIOp::create(b, loc, axis, rankV), axis);
      Value start = read(adaptor.getStarts(), j);
      Value end = read(adaptor.getEnds(), j);
      Value step = read(adaptor.getSteps(), j);
      for (int64_t d = 0; d < rank; ++d) {
        Value is = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                         axis, cIndex(b, loc, d));
        starts[d] = arith::SelectOp::create(b, loc, is, start, starts[d]);
        ends[d] = arith::SelectOp::create(b, loc, is, end, ends[d]);
        steps[d] = arith::SelectOp::create(b, loc, is, step, steps[d]);
      }
    }
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < rank; ++d) {
      SliceBounds bounds =
          sliceBounds(b, loc, starts[d], ends[d], steps[d], dims[d]);
      starts[d] = bounds.start;
      steps[d] = bounds.step;
      // A static result size is the verifier's and the importer's promise.
      sizes.push_back(resultType.isDynamicDim(d)
                          ? OpFoldResult(bounds.size)
                          : b.getIndexAttr(resultType.getDimSize(d)));
    }
    Value empty = emptyTensor(b, loc, sizes, resultType.getElementType());
    AffineMap identity = b.getMultiDimIdentityMap(rank);
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{empty.getType()}, ValueRange{}, ValueRange{empty},
        ArrayRef<AffineMap>{identity},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location nloc, ValueRange) {
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d)
            coords.push_back(arith::AddIOp::create(
                nb, nloc, starts[d],
                arith::MulIOp::create(nb, nloc,
                                      linalg::IndexOp::create(nb, nloc, d),
                                      steps[d])));
          linalg::YieldOp::create(
              nb, nloc,
              tensor::ExtractOp::create(nb, nloc, input, coords).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void graph_to_linalg::populateDynamicShapePatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ShapeLowering, FillLowering, RangeToLowering, NonZeroLowering,
               SliceToLowering>(
      converter, patterns.getContext());
}
