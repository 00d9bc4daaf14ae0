//===- InterchangeLoops.cpp - stride-1 parallel loop innermost -----------===//
//
// A cheap stand-in for tiling and packing: loops stay scalar, but the
// innermost one becomes a parallel loop over contiguous (or invariant) data,
// which LLVM's loop vectorizer handles at O3.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::ds {
#define GEN_PASS_DEF_INTERCHANGELOOPSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
/// Named ops worth generalizing: those whose iterator order puts a reduction
/// innermost. Fill, copy, transpose, broadcast, ... have none and keep their
/// names.
bool shouldGeneralize(linalg::LinalgOp op) {
  if (isa<linalg::GenericOp>(op.getOperation()) ||
      op.getNumReductionLoops() == 0)
    return false;
  return linalg::isaContractionOpInterface(op) ||
         linalg::isaConvolutionOpInterface(op);
}

/// True if `map` uses dim `p` at most in its last result.
bool usesOnlyInLastResult(AffineMap map, unsigned p) {
  for (unsigned i = 0, e = map.getNumResults(); i + 1 < e; ++i)
    if (map.getResult(i).isFunctionOfDim(p))
      return false;
  return true;
}

/// The loop order [parallel but p] + [reductions] + [p] when it applies to
/// `op` and differs from the current one; empty otherwise.
SmallVector<unsigned> stride1Order(linalg::GenericOp op) {
  if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() == 0)
    return {};
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outMap.getNumResults() == 0)
    return {};
  auto last = dyn_cast<AffineDimExpr>(outMap.getResults().back());
  if (!last)
    return {};
  unsigned p = last.getPosition();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators[p] != utils::IteratorType::parallel)
    return {};
  // Inputs and the other outputs alike: p must not pick a row.
  for (AffineMap map : maps)
    if (!usesOnlyInLastResult(map, p))
      return {};

  SmallVector<unsigned> order;
  for (unsigned i = 0, e = iterators.size(); i < e; ++i)
    if (i != p && iterators[i] == utils::IteratorType::parallel)
      order.push_back(i);
  for (unsigned i = 0, e = iterators.size(); i < e; ++i)
    if (iterators[i] != utils::IteratorType::parallel)
      order.push_back(i);
  order.push_back(p);
  for (unsigned i = 0, e = order.size(); i < e; ++i)
    if (order[i] != i)
      return order;
  return {};
}

struct InterchangeLoopsPass
    : ds::impl::InterchangeLoopsPassBase<InterchangeLoopsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());

    SmallVector<linalg::LinalgOp> named;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (shouldGeneralize(op))
        named.push_back(op);
    });
    for (linalg::LinalgOp op : named) {
      rewriter.setInsertionPoint(op);
      // Ops without a region builder stay as they are.
      (void)linalg::generalizeNamedOp(rewriter, op);
    }

    SmallVector<linalg::GenericOp> generics;
    getOperation()->walk([&](linalg::GenericOp op) { generics.push_back(op); });
    for (linalg::GenericOp op : generics) {
      SmallVector<unsigned> order = stride1Order(op);
      if (order.empty())
        continue;
      // In place; fails only for an invalid permutation, which `order` is not.
      (void)linalg::interchangeGenericOp(rewriter, op, order);
    }
  }
};
} // namespace
