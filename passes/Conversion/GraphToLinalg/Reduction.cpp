//===- Reduction.cpp - dsg reduce_* to linalg ----------------------------===//
#include "Common.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::graph_to_linalg;

namespace {

enum class Kind { Sum, Mean, Max, Min, Prod };

template <typename OpTy, Kind kind>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*this->getTypeConverter(), op);
    Value input = adaptor.getInput();
    if (op.getAxes().empty()) {
      rewriter.replaceOp(op, castTo(b, loc, input, resultType));
      return success();
    }
    Type orig = op.getType().getElementType();
    bool isUnsigned = orig.isUnsignedInteger();
    bool additive =
        kind == Kind::Sum || kind == Kind::Mean || kind == Kind::Prod;
    Type acc = additive ? computeType(orig) : toSignless(orig);
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    SmallVector<bool> reduced(rank, false);
    for (int64_t a : op.getAxes())
      reduced[a] = true;
    SmallVector<OpFoldResult> sizes = sizesOf(b, loc, input);

    Value init = kind == Kind::Max   ? lowestOf(b, loc, acc, isUnsigned)
                 : kind == Kind::Min  ? highestOf(b, loc, acc, isUnsigned)
                 : kind == Kind::Prod ? oneOf(b, loc, acc)
                                      : zeroOf(b, loc, acc);
    Value r = buildReduction(
        b, loc, sizes, reduced, ValueRange{input},
        {b.getMultiDimIdentityMap(rank)}, init,
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value x = convertScalar(nb, nloc, args[0], orig, acc);
          if (kind == Kind::Max)
            return maxScalar(nb, nloc, args[1], x, isUnsigned);
          if (kind == Kind::Min)
            return minScalar(nb, nloc, args[1], x, isUnsigned);
          if (kind == Kind::Prod)
            return mulScalar(nb, nloc, args[1], x);
          return addScalar(nb, nloc, args[1], x);
        });

    SmallVector<OpFoldResult> kept, outSizes;
    SmallVector<OpFoldResult> reducedSizes;
    for (int64_t i = 0; i < rank; ++i) {
      if (!reduced[i]) {
        kept.push_back(sizes[i]);
        outSizes.push_back(sizes[i]);
      } else {
        reducedSizes.push_back(sizes[i]);
        if (op.getKeepdims())
          outSizes.push_back(b.getIndexAttr(1));
      }
    }
    // Finish: divide for the mean, convert back from the accumulator type.
    if (kind == Kind::Mean || acc != toSignless(orig)) {
      Value count = kind == Kind::Mean
                        ? productAs(b, loc, reducedSizes, acc)
                        : Value();
      Value out = emptyTensor(b, loc, kept, toSignless(orig));
      int64_t keptRank = kept.size();
      SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(keptRank));
      r = linalg::GenericOp::create(
              b, loc, TypeRange{out.getType()}, ValueRange{r},
              ValueRange{out}, maps,
              SmallVector<utils::IteratorType>(keptRank,
                                               utils::IteratorType::parallel),
              [&](OpBuilder &nb, Location nloc, ValueRange args) {
                Value v = args[0];
                if (count) {
                  if (isa<FloatType>(acc))
                    v = arith::DivFOp::create(nb, nloc, v, count);
                  else if (isUnsigned)
                    v = arith::DivUIOp::create(nb, nloc, v, count);
                  else
                    v = arith::DivSIOp::create(nb, nloc, v, count);
                }
                linalg::YieldOp::create(nb, nloc,
                                        convertScalar(nb, nloc, v, acc, orig));
              })
              .getResult(0);
    }
    rewriter.replaceOp(op, reshapeTo(b, loc, r, resultType, outSizes));
    return success();
  }
};

/// arg_max/arg_min: a reduction to a (value, index) pair whose index is the
/// result.
template <typename OpTy, bool isMax>
struct ArgLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*this->getTypeConverter(), op);
    Value input = adaptor.getInput();
    Type orig = op.getInput().getType().getElementType();
    bool isUnsigned = orig.isUnsignedInteger();
    Type elem = toSignless(orig);
    bool isFloat = isa<FloatType>(elem);
    bool last = op.getSelectLastIndex();
    int64_t axis = op.getAxis();
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    SmallVector<OpFoldResult> sizes = sizesOf(b, loc, input);
    SmallVector<OpFoldResult> kept, outSizes;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t i = 0; i < rank; ++i) {
      iterators.push_back(reduced[i] ? utils::IteratorType::reduction
                                     : utils::IteratorType::parallel);
      if (!reduced[i]) {
        kept.push_back(sizes[i]);
        outSizes.push_back(sizes[i]);
      } else if (op.getKeepdims()) {
        outSizes.push_back(b.getIndexAttr(1));
      }
    }
    Type i64 = b.getI64Type();
    Value initValue = isMax ? lowestOf(b, loc, elem, isUnsigned)
                            : highestOf(b, loc, elem, isUnsigned);
    Value values = linalg::FillOp::create(
                       b, loc, ValueRange{initValue},
                       ValueRange{emptyTensor(b, loc, kept, elem)})
                       .getResult(0);
    Value indices = linalg::FillOp::create(
                        b, loc, ValueRange{zeroOf(b, loc, i64)},
                        ValueRange{emptyTensor(b, loc, kept, i64)})
                        .getResult(0);
    AffineMap keptMap = keptDimsMap(b.getContext(), reduced);
    SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank), keptMap,
                                keptMap};
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{values.getType(), indices.getType()},
        ValueRange{input}, ValueRange{values, indices}, maps, iterators,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value take;
          if (isFloat) {
            // NaN beats everything (NumPy): the first NaN, or the last one
            // with select_last_index.
            auto pred = isMax ? (last ? arith::CmpFPredicate::OGE
                                      : arith::CmpFPredicate::OGT)
                              : (last ? arith::CmpFPredicate::OLE
                                      : arith::CmpFPredicate::OLT);
            Value better = arith::CmpFOp::create(nb, nloc, pred, x, best);
            Value xNaN = arith::CmpFOp::create(
                nb, nloc, arith::CmpFPredicate::UNO, x, x);
            if (!last) {
              Value bestNumber = arith::CmpFOp::create(
                  nb, nloc, arith::CmpFPredicate::ORD, best, best);
              xNaN = arith::AndIOp::create(nb, nloc, xNaN, bestNumber);
            }
            take = arith::OrIOp::create(nb, nloc, better, xNaN);
          } else {
            arith::CmpIPredicate pred;
            if (isMax)
              pred = isUnsigned ? (last ? arith::CmpIPredicate::uge
                                        : arith::CmpIPredicate::ugt)
                                : (last ? arith::CmpIPredicate::sge
                                        : arith::CmpIPredicate::sgt);
            else
              pred = isUnsigned ? (last ? arith::CmpIPredicate::ule
                                        : arith::CmpIPredicate::ult)
                                : (last ? arith::CmpIPredicate::sle
                                        : arith::CmpIPredicate::slt);
            take = arith::CmpIOp::create(nb, nloc, pred, x, best);
          }
          Value index = arith::IndexCastOp::create(
              nb, nloc, i64, linalg::IndexOp::create(nb, nloc, axis));
          linalg::YieldOp::create(
              nb, nloc,
              ValueRange{
                  arith::SelectOp::create(nb, nloc, take, x, best),
                  arith::SelectOp::create(nb, nloc, take, index, bestIndex)});
        });
    rewriter.replaceOp(
        op, reshapeTo(b, loc, generic.getResult(1), resultType, outSizes));
    return success();
  }
};

} // namespace

void graph_to_linalg::populateReductionPatterns(const TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<graph::ReduceSumOp, Kind::Sum>,
               ReduceLowering<graph::ReduceMeanOp, Kind::Mean>,
               ReduceLowering<graph::ReduceMaxOp, Kind::Max>,
               ReduceLowering<graph::ReduceMinOp, Kind::Min>,
               ReduceLowering<graph::ReduceProdOp, Kind::Prod>,
               ArgLowering<graph::ArgMaxOp, true>,
               ArgLowering<graph::ArgMinOp, false>>(
      converter, patterns.getContext());
}
