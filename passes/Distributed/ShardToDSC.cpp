//===- ShardToDSC.cpp - shard SPMD collectives → dsc ----------------------===//
//
// shard-partition leaves a program whose communication is expressed with
// shard collectives and whose rank-dependence is expressed with
// process_multi_index & co. Collectives map one to one onto dsc; the
// rank-local ops become arithmetic on dsc.world_rank (ranks are the
// row-major linearization of grid coordinates, the convention of both
// shard.process_linear_index and the dsrt collectives ABI).
//
//===----------------------------------------------------------------------===//
#include "passes/Distributed/Passes.h"

#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/BitVector.h"

namespace mlir::ds {
#define GEN_PASS_DEF_CONVERTSHARDTODSC
#include "passes/Distributed/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;

namespace {

/// Looks up the static-shaped grid `symbol` for `op`.
FailureOr<shard::GridOp> lookupGrid(Operation *op, FlatSymbolRefAttr symbol,
                                    SymbolTableCollection &symbols) {
  auto grid = symbols.lookupNearestSymbolFrom<shard::GridOp>(op, symbol);
  if (!grid)
    return op->emitOpError("refers to an unknown grid ") << symbol, failure();
  if (llvm::any_of(grid.getShape(), ShapedType::isDynamic))
    return op->emitOpError("uses grid ")
           << symbol << " with a dynamic shape; ds needs the rank count at "
           << "compile time",
           failure();
  return grid;
}

/// This rank's coordinates on every axis of `grid`.
SmallVector<Value> gridCoordinates(OpBuilder &b, Location loc,
                                   shard::GridOp grid) {
  Value rank = coll::WorldRankOp::create(b, loc, b.getIndexType());
  if (grid.getShape().size() == 1)
    return {rank};
  auto delinearize = affine::AffineDelinearizeIndexOp::create(
      b, loc, rank, grid.getShape(), /*hasOuterBound=*/true);
  return SmallVector<Value>(delinearize.getResults());
}

/// This rank's index in its group over `axes` (row-major over `axes`).
Value groupIndex(OpBuilder &b, Location loc, shard::GridOp grid,
                 ArrayRef<int16_t> axes) {
  SmallVector<Value> coords = gridCoordinates(b, loc, grid);
  if (axes.empty())
    return arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<Value> selected;
  SmallVector<int64_t> bounds;
  for (int16_t axis : axes) {
    selected.push_back(coords[axis]);
    bounds.push_back(grid.getShape()[axis]);
  }
  if (selected.size() == 1)
    return selected.front();
  return affine::AffineLinearizeIndexOp::create(b, loc, selected, bounds,
                                                /*disjoint=*/true);
}

FailureOr<coll::ReductionKind> convertReduction(Operation *op,
                                                shard::ReductionKind kind) {
  switch (kind) {
  case shard::ReductionKind::Sum:
    return coll::ReductionKind::Sum;
  case shard::ReductionKind::Product:
    return coll::ReductionKind::Prod;
  case shard::ReductionKind::Max:
    return coll::ReductionKind::Max;
  case shard::ReductionKind::Min:
    return coll::ReductionKind::Min;
  default:
    return op->emitOpError("reduction '")
               << shard::stringifyReductionKind(kind)
               << "' has no dsc counterpart (sum, product, max, min)",
           failure();
  }
}

struct ConvertShardToDSCPass
    : public ds::impl::ConvertShardToDSCBase<ConvertShardToDSCPass> {
  void runOnOperation() override;
  LogicalResult convert(Operation *op, IRRewriter &rewriter,
                        SymbolTableCollection &symbols);
};

LogicalResult ConvertShardToDSCPass::convert(Operation *op,
                                             IRRewriter &rewriter,
                                             SymbolTableCollection &symbols) {
  Location loc = op->getLoc();
  rewriter.setInsertionPoint(op);
  auto axesAttr = [&](ArrayRef<int16_t> axes) {
    return rewriter.getDenseI16ArrayAttr(axes);
  };
  MLIRContext *ctx = rewriter.getContext();
  auto i64 = [&](uint64_t v) { return rewriter.getI64IntegerAttr(v); };
  auto reductionAttr = [&](coll::ReductionKind kind) {
    return coll::ReductionKindAttr::get(ctx, kind);
  };
  auto autoAlgorithm = coll::AlgorithmAttr::get(ctx, coll::Algorithm::Auto);

  if (auto allReduce = dyn_cast<shard::AllReduceOp>(op)) {
    if (failed(lookupGrid(op, allReduce.getGridAttr(), symbols)))
      return failure();
    if (!isa<RankedTensorType>(allReduce.getInput().getType()))
      return op->emitOpError("on buffers is not supported; convert before "
                             "bufferization");
    if (allReduce.getInput().getType() != allReduce.getResult().getType())
      return op->emitOpError("changes the element type; dsc.all_reduce keeps "
                             "it (insert an explicit cast)");
    FailureOr<coll::ReductionKind> kind =
        convertReduction(op, allReduce.getReduction());
    if (failed(kind))
      return failure();
    rewriter.replaceOpWithNewOp<coll::AllReduceOp>(
        op, allReduce.getResult().getType(), allReduce.getInput(), Value(),
        allReduce.getGridAttr(), axesAttr(allReduce.getGridAxes()),
        IntegerAttr(), reductionAttr(*kind), autoAlgorithm);
    return success();
  }
  if (auto gather = dyn_cast<shard::AllGatherOp>(op)) {
    if (failed(lookupGrid(op, gather.getGridAttr(), symbols)))
      return failure();
    rewriter.replaceOpWithNewOp<coll::AllGatherOp>(
        op, gather.getResult().getType(), gather.getInput(), Value(),
        gather.getGridAttr(), axesAttr(gather.getGridAxes()), IntegerAttr(),
        i64(gather.getGatherAxis().getZExtValue()), autoAlgorithm);
    return success();
  }
  if (auto scatter = dyn_cast<shard::ReduceScatterOp>(op)) {
    if (failed(lookupGrid(op, scatter.getGridAttr(), symbols)))
      return failure();
    FailureOr<coll::ReductionKind> kind =
        convertReduction(op, scatter.getReduction());
    if (failed(kind))
      return failure();
    rewriter.replaceOpWithNewOp<coll::ReduceScatterOp>(
        op, scatter.getResult().getType(), scatter.getInput(), Value(),
        scatter.getGridAttr(), axesAttr(scatter.getGridAxes()), IntegerAttr(),
        i64(scatter.getScatterAxis().getZExtValue()), reductionAttr(*kind),
        autoAlgorithm);
    return success();
  }
  if (auto allToAll = dyn_cast<shard::AllToAllOp>(op)) {
    if (failed(lookupGrid(op, allToAll.getGridAttr(), symbols)))
      return failure();
    rewriter.replaceOpWithNewOp<coll::AllToAllOp>(
        op, allToAll.getResult().getType(), allToAll.getInput(), Value(),
        allToAll.getGridAttr(), axesAttr(allToAll.getGridAxes()),
        IntegerAttr(), i64(allToAll.getSplitAxis().getZExtValue()),
        i64(allToAll.getConcatAxis().getZExtValue()));
    return success();
  }
  if (auto broadcast = dyn_cast<shard::BroadcastOp>(op)) {
    FailureOr<shard::GridOp> grid =
        lookupGrid(op, broadcast.getGridAttr(), symbols);
    if (failed(grid))
      return failure();
    if (!broadcast.getRootDynamic().empty() ||
        llvm::any_of(broadcast.getRoot(), ShapedType::isDynamic))
      return op->emitOpError("has a dynamic root; dsc.broadcast needs a "
                             "static one");
    ArrayRef<int16_t> axes = broadcast.getGridAxes();
    ArrayRef<int64_t> root = broadcast.getRoot();
    if (root.size() != axes.size())
      return op->emitOpError("root has ")
             << root.size() << " coordinates for " << axes.size()
             << " grid axes";
    int64_t linear = 0;
    for (auto [axis, coord] : llvm::zip(axes, root))
      linear = linear * grid->getShape()[axis] + coord;
    rewriter.replaceOpWithNewOp<coll::BroadcastOp>(
        op, broadcast.getResult().getType(), broadcast.getInput(), Value(),
        broadcast.getGridAttr(), axesAttr(axes), IntegerAttr(), i64(linear));
    return success();
  }
  if (auto slice = dyn_cast<shard::AllSliceOp>(op)) {
    FailureOr<shard::GridOp> grid =
        lookupGrid(op, slice.getGridAttr(), symbols);
    if (failed(grid))
      return failure();
    auto inType = cast<RankedTensorType>(slice.getInput().getType());
    auto outType = cast<RankedTensorType>(slice.getResult().getType());
    if (!outType.hasStaticShape())
      return op->emitOpError("with a dynamic result shape is not supported");
    int64_t axis = slice.getSliceAxis().getZExtValue();
    Value index = groupIndex(rewriter, loc, *grid, slice.getGridAxes());
    Value chunk =
        arith::ConstantIndexOp::create(rewriter, loc, outType.getDimSize(axis));
    Value offset = arith::MulIOp::create(rewriter, loc, index, chunk);
    SmallVector<OpFoldResult> offsets(inType.getRank(),
                                      rewriter.getIndexAttr(0));
    offsets[axis] = offset;
    SmallVector<OpFoldResult> sizes, strides(inType.getRank(),
                                             rewriter.getIndexAttr(1));
    for (int64_t size : outType.getShape())
      sizes.push_back(rewriter.getIndexAttr(size));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, outType, slice.getInput(), offsets, sizes, strides);
    return success();
  }
  if (auto multi = dyn_cast<shard::ProcessMultiIndexOp>(op)) {
    FailureOr<shard::GridOp> grid =
        lookupGrid(op, multi.getGridAttr(), symbols);
    if (failed(grid))
      return failure();
    SmallVector<Value> coords = gridCoordinates(rewriter, loc, *grid);
    SmallVector<Value> results;
    if (multi.getAxes().empty())
      results = coords;
    else
      for (int16_t axis : multi.getAxes())
        results.push_back(coords[axis]);
    rewriter.replaceOp(op, results);
    return success();
  }
  if (auto linear = dyn_cast<shard::ProcessLinearIndexOp>(op)) {
    if (failed(lookupGrid(op, linear.getGridAttr(), symbols)))
      return failure();
    rewriter.replaceOpWithNewOp<coll::WorldRankOp>(op,
                                                   rewriter.getIndexType());
    return success();
  }
  if (auto shape = dyn_cast<shard::GridShapeOp>(op)) {
    FailureOr<shard::GridOp> grid =
        lookupGrid(op, shape.getGridAttr(), symbols);
    if (failed(grid))
      return failure();
    SmallVector<Value> results;
    ArrayRef<int16_t> axes = shape.getAxes();
    for (size_t i = 0, e = axes.empty() ? grid->getShape().size()
                                        : axes.size();
         i < e; ++i)
      results.push_back(arith::ConstantIndexOp::create(
          rewriter, loc, grid->getShape()[axes.empty() ? i : axes[i]]));
    rewriter.replaceOp(op, results);
    return success();
  }
  if (isa<shard::ShardOp, shard::ShardingOp>(op)) {
    if (op->use_empty()) {
      rewriter.eraseOp(op);
      return success();
    }
    // A sharding used by a leftover shard.shard: that one is reported.
    if (isa<shard::ShardingOp>(op))
      return failure();
    return op->emitOpError("is left after partitioning; run shard-partition "
                           "before ds-convert-shard-to-dsc");
  }
  return op->emitOpError("has no dsc counterpart");
}

/// Puts back the constants ds-shard hoisted into arguments.
LogicalResult restoreHoistedConstants(func::FuncOp func, OpBuilder &b) {
  if (func.isExternal())
    return success();
  llvm::BitVector erase(func.getNumArguments());
  for (BlockArgument arg : func.getArguments()) {
    Attribute value =
        func.getArgAttr(arg.getArgNumber(), kHoistedConstantAttr);
    if (!value)
      continue;
    auto typed = dyn_cast<TypedAttr>(value);
    if (!typed || typed.getType() != arg.getType())
      return func.emitOpError("argument ")
             << arg.getArgNumber()
             << " holds a hoisted constant but its type changed during "
                "partitioning (constants must stay replicated)";
    b.setInsertionPointToStart(&func.getBody().front());
    Value constant = arith::ConstantOp::create(b, arg.getLoc(), typed);
    arg.replaceAllUsesWith(constant);
    erase.set(arg.getArgNumber());
  }
  if (erase.any() && failed(func.eraseArguments(erase)))
    return failure();
  return success();
}

void ConvertShardToDSCPass::runOnOperation() {
  OpBuilder builder(&getContext());
  for (auto func : getOperation().getOps<func::FuncOp>())
    if (failed(restoreHoistedConstants(func, builder)))
      return signalPassFailure();
  SmallVector<Operation *> ops;
  getOperation().walk([&](Operation *op) {
    if (isa<shard::ShardDialect>(op->getDialect()) && !isa<shard::GridOp>(op))
      ops.push_back(op);
  });
  IRRewriter rewriter(&getContext());
  SymbolTableCollection symbols;
  bool failed = false;
  // Users first, so that dead annotations can be erased.
  for (Operation *op : llvm::reverse(ops))
    if (mlir::failed(convert(op, rewriter, symbols)))
      failed = true;
  if (failed)
    signalPassFailure();
}

} // namespace
