//===- DecomposeCollectives.cpp - inner-axis collectives → axis 0 ---------===//
//
// The runtime moves contiguous per-rank chunks. A gather along an inner
// axis is a gather of whole operands into a new leading "rank" dimension,
// followed by a transpose that moves that dimension next to the gather axis
// and a collapse that merges the two. Reduce-scatter and all-to-all are
// decomposed the same way in the other direction.
//
//===----------------------------------------------------------------------===//
#include "passes/Distributed/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ds {
#define GEN_PASS_DEF_DECOMPOSECOLLECTIVES
#include "passes/Distributed/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::coll;

namespace {

/// The static group size of a group collective, or failure with a match
/// failure message.
template <typename OpTy>
FailureOr<int64_t> staticGroupSize(OpTy op, PatternRewriter &rewriter) {
  auto grid = SymbolTable::lookupNearestSymbolFrom<shard::GridOp>(
      op.getOperation(), op.getGridAttr());
  if (!grid)
    return rewriter.notifyMatchFailure(op, "unknown grid");
  int64_t size = groupSize(grid.getShape(), op.getGridAxes());
  if (ShapedType::isDynamic(size))
    return rewriter.notifyMatchFailure(op, "dynamic group size");
  return size;
}

/// Reassociation that keeps every dimension of a rank-`rank` tensor except
/// that dimensions `merged` and `merged + 1` form one group.
SmallVector<ReassociationIndices> mergeTwo(int64_t rank, int64_t merged) {
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < rank; ++d) {
    if (d == merged) {
      groups.push_back({d, d + 1});
      ++d;
    } else {
      groups.push_back({d});
    }
  }
  return groups;
}

/// Moves dimension `from` of `value` to position `to` (others keep order).
Value moveDim(OpBuilder &b, Location loc, Value value, int64_t from,
              int64_t to) {
  auto type = cast<RankedTensorType>(value.getType());
  if (from == to)
    return value;
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d != from)
      perm.push_back(d);
  perm.insert(perm.begin() + to, from);
  SmallVector<int64_t> shape;
  for (int64_t d : perm)
    shape.push_back(type.getDimSize(d));
  Value init = tensor::EmptyOp::create(b, loc, shape, type.getElementType());
  return linalg::TransposeOp::create(b, loc, value, init, perm).getResult()[0];
}

/// Splits dimension `dim` of `value` into (`outer`, size / `outer`).
Value splitDim(OpBuilder &b, Location loc, Value value, int64_t dim,
               int64_t outer) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] /= outer;
  shape.insert(shape.begin() + dim, outer);
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value,
      mergeTwo(shape.size(), dim));
}

/// Merges dimensions `dim` and `dim + 1` of `value`.
Value mergeDims(OpBuilder &b, Location loc, Value value, int64_t dim) {
  auto type = cast<RankedTensorType>(value.getType());
  return tensor::CollapseShapeOp::create(b, loc, value,
                                         mergeTwo(type.getRank(), dim));
}

RankedTensorType withShape(RankedTensorType type, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, type.getElementType());
}

struct DecomposeAllGather : OpRewritePattern<AllGatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AllGatherOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getResult() || op.getGatherAxis() == 0)
      return failure();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    FailureOr<int64_t> size = staticGroupSize(op, rewriter);
    if (failed(size))
      return failure();
    Location loc = op.getLoc();
    int64_t axis = op.getGatherAxis();
    // [a...] → [1, a...] → gather → [G, a...] → [.., G, a_k, ..] → merge.
    SmallVector<int64_t> shape(type.getShape());
    shape.insert(shape.begin(), 1);
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, loc, withShape(type, shape), op.getInput(),
        mergeTwo(shape.size(), 0));
    shape[0] = *size;
    Value gathered = AllGatherOp::create(
        rewriter, loc, withShape(type, shape), expanded, Value(),
        op.getGridAttr(), op.getGridAxesAttr(), op.getLevelAttr(),
        rewriter.getI64IntegerAttr(0), op.getAlgorithmAttr()).getResult();
    Value moved = moveDim(rewriter, loc, gathered, 0, axis);
    rewriter.replaceOp(op, mergeDims(rewriter, loc, moved, axis));
    return success();
  }
};

struct DecomposeReduceScatter : OpRewritePattern<ReduceScatterOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceScatterOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getResult() || op.getScatterAxis() == 0)
      return failure();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    FailureOr<int64_t> size = staticGroupSize(op, rewriter);
    if (failed(size))
      return failure();
    Location loc = op.getLoc();
    int64_t axis = op.getScatterAxis();
    // [.., G*c, ..] → [.., G, c, ..] → [G, .., c, ..] → scatter → [1, ..].
    Value split = splitDim(rewriter, loc, op.getInput(), axis, *size);
    Value moved = moveDim(rewriter, loc, split, axis, 0);
    auto movedType = cast<RankedTensorType>(moved.getType());
    SmallVector<int64_t> shape(movedType.getShape());
    shape[0] = 1;
    Value scattered = ReduceScatterOp::create(
        rewriter, loc, withShape(type, shape), moved, Value(),
        op.getGridAttr(), op.getGridAxesAttr(), op.getLevelAttr(),
        rewriter.getI64IntegerAttr(0), op.getReductionAttr(),
        op.getAlgorithmAttr()).getResult();
    rewriter.replaceOp(op, mergeDims(rewriter, loc, scattered, 0));
    return success();
  }
};

struct DecomposeAllToAll : OpRewritePattern<AllToAllOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AllToAllOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getResult() ||
        (op.getSplitAxis() == 0 && op.getConcatAxis() == 0))
      return failure();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    FailureOr<int64_t> size = staticGroupSize(op, rewriter);
    if (failed(size))
      return failure();
    Location loc = op.getLoc();
    int64_t split = op.getSplitAxis(), concat = op.getConcatAxis();
    // Chunk j (along split) to the front, exchange whole leading slices,
    // then put the received rank dimension in front of the concat axis.
    Value chunks = splitDim(rewriter, loc, op.getInput(), split, *size);
    Value moved = moveDim(rewriter, loc, chunks, split, 0);
    Value exchanged = AllToAllOp::create(
        rewriter, loc, moved.getType(), moved, Value(), op.getGridAttr(),
        op.getGridAxesAttr(), op.getLevelAttr(), rewriter.getI64IntegerAttr(0),
        rewriter.getI64IntegerAttr(0)).getResult();
    Value placed = moveDim(rewriter, loc, exchanged, 0, concat);
    rewriter.replaceOp(op, mergeDims(rewriter, loc, placed, concat));
    return success();
  }
};

struct DecomposeCollectivesPass
    : public ds::impl::DecomposeCollectivesBase<DecomposeCollectivesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeAllGather, DecomposeReduceScatter,
                 DecomposeAllToAll>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Whatever is left could not be decomposed (dynamic shapes or groups).
    WalkResult result = getOperation().walk([](Operation *op) {
      auto fail = [&](StringRef what) {
        op->emitOpError("along a non-leading axis could not be decomposed ")
            << "(" << what << "); the runtime only exchanges leading-axis "
            << "chunks";
        return WalkResult::interrupt();
      };
      if (auto g = dyn_cast<AllGatherOp>(op);
          g && g.getResult() && g.getGatherAxis() != 0)
        return fail("needs static shapes and group size");
      if (auto s = dyn_cast<ReduceScatterOp>(op);
          s && s.getResult() && s.getScatterAxis() != 0)
        return fail("needs static shapes and group size");
      if (auto a = dyn_cast<AllToAllOp>(op);
          a && a.getResult() && (a.getSplitAxis() != 0 || a.getConcatAxis() != 0))
        return fail("needs static shapes and group size");
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
