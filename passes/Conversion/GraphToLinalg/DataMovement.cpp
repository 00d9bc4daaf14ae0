//===- DataMovement.cpp - dsg reshape, transpose, concat, gather ---------===//
#include "Common.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::graph_to_linalg;

namespace {

//===----------------------------------------------------------------------===//
// Reshape
//===----------------------------------------------------------------------===//

struct ReshapeLowering : OpConversionPattern<graph::ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Value input = adaptor.getInput();
    if (resultType.hasStaticShape()) {
      // The type already says what the shape operand holds.
      SmallVector<OpFoldResult> sizes =
          getAsIndexOpFoldResult(b.getContext(), resultType.getShape());
      rewriter.replaceOp(op, reshapeTo(b, loc, input, resultType, sizes));
      return success();
    }
    Value shape = adaptor.getShape();
    if (!shape)
      return op.emitOpError("expected a shape operand for a dynamic result");
    // Resolve the ONNX conventions at run time: 0 copies the input size
    // (unless allow_zero), -1 takes what the other sizes leave.
    Type i64 = b.getI64Type();
    auto cst = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v));
    };
    SmallVector<OpFoldResult> inSizes = sizesOf(b, loc, input);
    auto inDim = [&](int64_t i) -> Value {
      return arith::IndexCastOp::create(
          b, loc, i64, getValueOrCreateConstantIndexOp(b, loc, inSizes[i]));
    };
    Value total = cst(1);
    for (size_t i = 0; i < inSizes.size(); ++i)
      total = arith::MulIOp::create(b, loc, total, inDim(i));
    int64_t rank = resultType.getRank();
    SmallVector<Value> dims;
    Value known = cst(1);
    for (int64_t i = 0; i < rank; ++i) {
      Value idx = arith::ConstantIndexOp::create(b, loc, i);
      Value s = tensor::ExtractOp::create(b, loc, shape, ValueRange{idx});
      if (!op.getAllowZero() && i < static_cast<int64_t>(inSizes.size())) {
        Value isZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                             s, cst(0));
        s = arith::SelectOp::create(b, loc, isZero, inDim(i), s);
      }
      Value isInferred = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq, s, cst(-1));
      known = arith::MulIOp::create(
          b, loc, known, arith::SelectOp::create(b, loc, isInferred, cst(1), s));
      dims.push_back(s);
    }
    Value inferred = arith::DivSIOp::create(b, loc, total, known);
    for (Value &s : dims) {
      Value isInferred = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq, s, cst(-1));
      s = arith::SelectOp::create(b, loc, isInferred, inferred, s);
    }
    auto inputType = cast<RankedTensorType>(input.getType());
    if (rank == 0 || inputType.getRank() == 0) {
      Value newShape = tensor::FromElementsOp::create(
          b, loc, RankedTensorType::get({rank}, i64), dims);
      rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(op, resultType, input,
                                                     newShape);
      return success();
    }
    // Row-major reshape as views: collapse to 1-D, expand to the run-time
    // sizes (static where the result type knows them). Unlike
    // tensor.reshape (memref.reshape after bufferization), both stay
    // strided views that the later memref passes handle.
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < rank; ++i)
      sizes.push_back(resultType.isDynamicDim(i)
                          ? OpFoldResult(arith::IndexCastOp::create(
                                b, loc, b.getIndexType(), dims[i])
                                             .getResult())
                          : OpFoldResult(b.getIndexAttr(
                                resultType.getDimSize(i))));
    ReassociationIndices allIn =
        llvm::to_vector(llvm::seq<int64_t>(0, inputType.getRank()));
    Value flat = tensor::CollapseShapeOp::create(
        b, loc, input, ArrayRef<ReassociationIndices>{allIn});
    ReassociationIndices allOut = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, resultType, flat, ArrayRef<ReassociationIndices>{allOut}, sizes);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Transpose
//===----------------------------------------------------------------------===//

struct TransposeLowering : OpConversionPattern<graph::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value input = adaptor.getInput();
    SmallVector<OpFoldResult> in = sizesOf(b, loc, input), out;
    for (int64_t p : op.getPermutation())
      out.push_back(in[p]);
    Value init = emptyTensor(
        b, loc, out, cast<RankedTensorType>(input.getType()).getElementType());
    Value result =
        linalg::TransposeOp::create(b, loc, input, init, op.getPermutation())
            .getResult()[0];
    rewriter.replaceOp(
        op, castTo(b, loc, result,
                   convertedResultType(*getTypeConverter(), op)));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Concat
//===----------------------------------------------------------------------===//

OpFoldResult addSizes(OpBuilder &b, Location loc, OpFoldResult x,
                      OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x), cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx + *cy);
  return arith::AddIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, x),
                               getValueOrCreateConstantIndexOp(b, loc, y))
      .getResult();
}

struct ConcatLowering : OpConversionPattern<graph::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    int64_t axis = op.getAxis();
    ValueRange inputs = adaptor.getInputs();
    SmallVector<OpFoldResult> sizes = sizesOf(b, loc, inputs.front());
    for (int64_t i = 0; i < resultType.getRank(); ++i)
      if (!resultType.isDynamicDim(i))
        sizes[i] = b.getIndexAttr(resultType.getDimSize(i));
    OpFoldResult total = b.getIndexAttr(0);
    for (Value v : inputs)
      total = addSizes(b, loc, total, sizesOf(b, loc, v)[axis]);
    sizes[axis] = total;
    Value result = emptyTensor(b, loc, sizes, resultType.getElementType());
    OpFoldResult offset = b.getIndexAttr(0);
    SmallVector<OpFoldResult> strides(resultType.getRank(), b.getIndexAttr(1));
    for (Value v : inputs) {
      SmallVector<OpFoldResult> vs = sizesOf(b, loc, v);
      SmallVector<OpFoldResult> offsets(resultType.getRank(),
                                        b.getIndexAttr(0));
      offsets[axis] = offset;
      result = tensor::InsertSliceOp::create(b, loc, v, result, offsets, vs,
                                             strides);
      offset = addSizes(b, loc, offset, vs[axis]);
    }
    rewriter.replaceOp(op, castTo(b, loc, result, resultType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

struct GatherLowering : OpConversionPattern<graph::GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    int64_t axis = op.getAxis();
    int64_t dataRank = op.getData().getType().getRank();
    int64_t q = op.getIndices().getType().getRank();
    int64_t rank = dataRank - 1 + q;
    SmallVector<OpFoldResult> ds = sizesOf(b, loc, data),
                              is = sizesOf(b, loc, indices);
    SmallVector<OpFoldResult> sizes(ds.begin(), ds.begin() + axis);
    sizes.append(is.begin(), is.end());
    sizes.append(ds.begin() + axis + 1, ds.end());
    Value axisSize = getValueOrCreateConstantIndexOp(b, loc, ds[axis]);
    Value init = emptyTensor(
        b, loc, sizes, cast<RankedTensorType>(data.getType()).getElementType());
    SmallVector<AffineExpr> idxExprs;
    for (int64_t i = 0; i < q; ++i)
      idxExprs.push_back(getAffineDimExpr(axis + i, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, idxExprs, ctx),
                                   b.getMultiDimIdentityMap(rank)};
    Value result =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{indices},
            ValueRange{init}, maps,
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location nloc, ValueRange args) {
              Value i = arith::IndexCastOp::create(nb, nloc, nb.getIndexType(),
                                                   args[0]);
              Value zero = arith::ConstantIndexOp::create(nb, nloc, 0);
              Value negative = arith::CmpIOp::create(
                  nb, nloc, arith::CmpIPredicate::slt, i, zero);
              i = arith::SelectOp::create(
                  nb, nloc, negative,
                  arith::AddIOp::create(nb, nloc, i, axisSize), i);
              SmallVector<Value> coords;
              for (int64_t d = 0; d < dataRank; ++d) {
                if (d < axis)
                  coords.push_back(linalg::IndexOp::create(nb, nloc, d));
                else if (d == axis)
                  coords.push_back(i);
                else
                  coords.push_back(
                      linalg::IndexOp::create(nb, nloc, d - 1 + q));
              }
              linalg::YieldOp::create(
                  nb, nloc, tensor::ExtractOp::create(nb, nloc, data, coords)
                                .getResult());
            })
            .getResult(0);
    rewriter.replaceOp(
        op, castTo(b, loc, result,
                   convertedResultType(*getTypeConverter(), op)));
    return success();
  }
};

} // namespace

void graph_to_linalg::populateDataMovementPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering, TransposeLowering, ConcatLowering,
               GatherLowering>(converter, patterns.getContext());
}
