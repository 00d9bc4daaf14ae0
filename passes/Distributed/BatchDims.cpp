//===- BatchDims.cpp - unfold/fold the batch dimensions of batch_matmul ---===//
//
// dsg.matmul of [B, H, M, K] x [B, H, K, N] lowers to a linalg.batch_matmul
// over B*H. A split of H (attention's heads) is not a block of B*H when
// B > 1, so sharding would have to gather the heads before the product.
// Around sharding, the product is therefore a linalg.generic over the
// unfolded batch [B, H] (unfoldBatchMatmuls, called by ds-shard); after
// partitioning, ds-fold-batch-dims folds the local [B, H/tp] back into one
// batch loop and a linalg.batch_matmul, the form the CPU back end's GEMM
// kernel takes.
//
//===----------------------------------------------------------------------===//
#include "passes/Distributed/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::ds {
#define GEN_PASS_DEF_FOLDBATCHDIMS
#include "passes/Distributed/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;

/// The source of `value` if it is a collapse_shape that folds the leading
/// `rank - 2` dimensions of a static tensor into one and keeps the last two.
static tensor::CollapseShapeOp foldedBatchOperand(Value value) {
  auto collapse = value.getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse || !collapse.getSrcType().hasStaticShape())
    return {};
  int64_t rank = collapse.getSrcType().getRank();
  SmallVector<ReassociationIndices> groups =
      collapse.getReassociationIndices();
  if (rank < 4 || groups.size() != 3 ||
      groups[0].size() != static_cast<size_t>(rank - 2) ||
      groups[1] != ReassociationIndices{rank - 2} ||
      groups[2] != ReassociationIndices{rank - 1})
    return {};
  return collapse;
}

/// The scalar a tensor is filled with, if `init` is a linalg.fill.
static Value fillValue(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  return fill ? fill.getDpsInputOperand(0)->get() : Value();
}

unsigned mlir::ds::unfoldBatchMatmuls(func::FuncOp func) {
  SmallVector<linalg::BatchMatmulOp> candidates;
  func.walk([&](linalg::BatchMatmulOp op) { candidates.push_back(op); });
  unsigned count = 0;
  for (linalg::BatchMatmulOp op : candidates) {
    if (!op.hasPureTensorSemantics() || !op->hasOneUse())
      continue;
    tensor::CollapseShapeOp lhs = foldedBatchOperand(op.getInputs()[0]);
    tensor::CollapseShapeOp rhs = foldedBatchOperand(op.getInputs()[1]);
    auto expand = dyn_cast<tensor::ExpandShapeOp>(*op->user_begin());
    Value zero = fillValue(op.getOutputs()[0]);
    if (!lhs || !rhs || !expand || !zero ||
        lhs.getSrcType().getRank() != rhs.getSrcType().getRank() ||
        expand.getResultType().getRank() != lhs.getSrcType().getRank() ||
        !expand.getResultType().hasStaticShape() ||
        expand.getReassociationIndices() != lhs.getReassociationIndices())
      continue;
    // Indexing maps other than the default ones (transposes, broadcasts)
    // are read as they are; the body must be the plain multiply-add.
    if (op.hasUserDefinedMaps())
      continue;
    Type elem = expand.getResultType().getElementType();
    if (!isa<FloatType>(elem) ||
        lhs.getSrcType().getElementType() != elem ||
        rhs.getSrcType().getElementType() != elem)
      continue;
    int64_t rank = lhs.getSrcType().getRank(), nb = rank - 2;
    ArrayRef<int64_t> l = lhs.getSrcType().getShape(),
                      r = rhs.getSrcType().getShape(),
                      o = expand.getResultType().getShape();
    if (l.take_front(nb) != r.take_front(nb) ||
        l.take_front(nb) != o.take_front(nb) || o[nb] != l[nb] ||
        o[nb + 1] != r[nb + 1] || l[nb + 1] != r[nb])
      continue;

    // Loops: batch..., m, n, k.
    OpBuilder b(op);
    MLIRContext *ctx = op.getContext();
    Location loc = op.getLoc();
    SmallVector<AffineExpr> batch;
    for (int64_t i = 0; i < nb; ++i)
      batch.push_back(getAffineDimExpr(i, ctx));
    AffineExpr m = getAffineDimExpr(nb, ctx), n = getAffineDimExpr(nb + 1, ctx),
               k = getAffineDimExpr(nb + 2, ctx);
    auto map = [&](AffineExpr a, AffineExpr c) {
      SmallVector<AffineExpr> exprs(batch);
      exprs.append({a, c});
      return AffineMap::get(nb + 3, 0, exprs, ctx);
    };
    SmallVector<utils::IteratorType> iterators(nb + 2,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value empty = tensor::EmptyOp::create(b, loc, o, elem);
    Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
    auto generic = linalg::GenericOp::create(
        b, loc, expand.getResultType(),
        ValueRange{lhs.getSrc(), rhs.getSrc()}, ValueRange{init},
        ArrayRef<AffineMap>{map(m, k), map(k, n), map(m, n)}, iterators,
        [](OpBuilder &b, Location loc, ValueRange args) {
          Value product = arith::MulFOp::create(b, loc, args[0], args[1]);
          linalg::YieldOp::create(
              b, loc, arith::AddFOp::create(b, loc, args[2], product).getResult());
        });
    expand.replaceAllUsesWith(generic.getResult(0));
    Operation *oldInit = op.getOutputs()[0].getDefiningOp();
    expand.erase();
    op.erase();
    // The folded fill and its tensor.empty, now dead.
    while (oldInit && oldInit->use_empty() && isMemoryEffectFree(oldInit)) {
      Operation *next = oldInit->getNumOperands()
                            ? oldInit->getOperands().back().getDefiningOp()
                            : nullptr;
      oldInit->erase();
      oldInit = next;
    }
    if (lhs->use_empty())
      lhs.erase();
    if (rhs != lhs && rhs->use_empty())
      rhs.erase();
    ++count;
  }
  return count;
}

namespace {

struct FoldBatchDimsPass
    : public ds::impl::FoldBatchDimsBase<FoldBatchDimsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp op) {
      if (!op.hasPureTensorSemantics() || op.hasDynamicShape() ||
          !linalg::isaContractionOpInterface(op))
        return;
      FailureOr<linalg::ContractionDimensions> dims =
          linalg::inferContractionDims(op);
      // Batch loops first, in order: the form unfoldBatchMatmuls builds.
      if (failed(dims) || dims->batch.size() < 2)
        return;
      for (auto [i, loop] : llvm::enumerate(dims->batch))
        if (loop != i)
          return;
      candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates) {
      int64_t nb = linalg::inferContractionDims(op)->batch.size();
      SmallVector<ReassociationIndices> folded = {
          llvm::to_vector(llvm::seq<int64_t>(0, nb))};
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::CollapseResult> collapsed =
          linalg::collapseOpIterationDims(op, folded, rewriter);
      if (failed(collapsed))
        continue;
      rewriter.replaceOp(op, collapsed->results);
      if (auto generic = dyn_cast<linalg::GenericOp>(
              collapsed->collapsedOp.getOperation())) {
        rewriter.setInsertionPoint(generic);
        (void)linalg::specializeGenericOp(rewriter, generic);
      }
    }
  }
};

} // namespace
