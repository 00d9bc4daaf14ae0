//===- Reduction.cpp - dsg reduce_* to linalg ----------------------------===//
#include "Common.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::graph_to_linalg;

namespace {

enum class Kind { Sum, Mean, Max, Min };

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
    bool additive = kind == Kind::Sum || kind == Kind::Mean;
    Type acc = additive ? computeType(orig) : toSignless(orig);
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    SmallVector<bool> reduced(rank, false);
    for (int64_t a : op.getAxes())
      reduced[a] = true;
    SmallVector<OpFoldResult> sizes = sizesOf(b, loc, input);

    Value init = kind == Kind::Max   ? lowestOf(b, loc, acc, isUnsigned)
                 : kind == Kind::Min ? highestOf(b, loc, acc, isUnsigned)
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

} // namespace

void graph_to_linalg::populateReductionPatterns(const TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<graph::ReduceSumOp, Kind::Sum>,
               ReduceLowering<graph::ReduceMeanOp, Kind::Mean>,
               ReduceLowering<graph::ReduceMaxOp, Kind::Max>,
               ReduceLowering<graph::ReduceMinOp, Kind::Min>>(
      converter, patterns.getContext());
}
