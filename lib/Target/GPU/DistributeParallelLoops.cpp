//===- DistributeParallelLoops.cpp - scf.parallel → blocks × threads -----===//
//
// A linearized 1-D distribution: it handles any rank and any bounds, keeps
// consecutive threads on consecutive innermost indices (coalesced accesses
// for row-major buffers), and needs no shape-specific tuning. Tiled,
// shared-memory kernels for contractions are a separate step.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::ds {
#define GEN_PASS_DEF_DISTRIBUTEPARALLELLOOPSPASS
#include "lib/Target/GPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
gpu::ParallelLoopDimMappingAttr mapTo(MLIRContext *ctx, gpu::Processor p) {
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
  return gpu::ParallelLoopDimMappingAttr::get(ctx, p, id, id);
}

/// Replaces `loop` with a block loop × thread loop nest over its linearized
/// iteration space.
LogicalResult distribute(scf::ParallelOp loop, int64_t blockSize) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  MLIRContext *ctx = loop.getContext();
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value zero = cst(0), one = cst(1), block = cst(blockSize);

  // Trip count of each dimension and of the whole space, computed on the
  // host (constants fold for static shapes).
  SmallVector<Value> extents;
  Value total = one;
  for (auto [lb, ub, step] : llvm::zip_equal(
           loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    Value span = arith::SubIOp::create(b, loc, ub, lb);
    Value extent = arith::CeilDivSIOp::create(b, loc, span, step);
    // An empty dimension (ub <= lb) contributes zero iterations.
    extent = arith::MaxSIOp::create(b, loc, extent, zero);
    extents.push_back(extent);
    total = arith::MulIOp::create(b, loc, total, extent);
  }
  Value numBlocks = arith::CeilDivSIOp::create(b, loc, total, block);

  auto blocks = scf::ParallelOp::create(
      b, loc, ValueRange{zero}, ValueRange{numBlocks}, ValueRange{one},
      [&](OpBuilder &bb, Location l, ValueRange blockIvs) {
        auto threads = scf::ParallelOp::create(
            bb, l, ValueRange{zero}, ValueRange{block}, ValueRange{one},
            [&](OpBuilder &tb, Location tl, ValueRange threadIvs) {
              Value base = arith::MulIOp::create(tb, tl, blockIvs[0], block);
              Value linear =
                  arith::AddIOp::create(tb, tl, base, threadIvs[0]);
              Value inBounds = arith::CmpIOp::create(
                  tb, tl, arith::CmpIPredicate::slt, linear, total);
              scf::IfOp::create(
                  tb, tl, inBounds, [&](OpBuilder &ib, Location il) {
                    // Innermost dimension varies fastest.
                    IRMapping mapping;
                    Value rest = linear;
                    for (int64_t d = loop.getNumLoops() - 1; d >= 0; --d) {
                      Value idx = rest;
                      if (d > 0) {
                        idx = arith::RemUIOp::create(ib, il, rest,
                                                     extents[d]);
                        rest = arith::DivUIOp::create(ib, il, rest,
                                                      extents[d]);
                      }
                      Value scaled = arith::MulIOp::create(
                          ib, il, idx, loop.getStep()[d]);
                      Value iv = arith::AddIOp::create(
                          ib, il, scaled, loop.getLowerBound()[d]);
                      mapping.map(loop.getInductionVars()[d], iv);
                    }
                    for (Operation &op :
                         loop.getBody()->without_terminator())
                      ib.clone(op, mapping);
                    scf::YieldOp::create(ib, il);
                  });
            });
        if (failed(gpu::setMappingAttr(
                threads, {mapTo(ctx, gpu::Processor::ThreadX)})))
          return;
      });
  if (failed(gpu::setMappingAttr(blocks,
                                 {mapTo(ctx, gpu::Processor::BlockX)})))
    return failure();
  loop.erase();
  return success();
}

struct DistributeParallelLoopsPass
    : ds::impl::DistributeParallelLoopsPassBase<DistributeParallelLoopsPass> {
  using Base::Base;
  void runOnOperation() override {
    if (blockSize < 1 || blockSize > 1024) {
      getOperation().emitError()
          << "ds-gpu-distribute-parallel-loops: block-size must be in "
             "[1, 1024], got "
          << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    SmallVector<scf::ParallelOp> roots;
    getOperation().walk<WalkOrder::PreOrder>([&](scf::ParallelOp loop) {
      if (loop->getNumResults() == 0 &&
          !loop->hasAttr(gpu::getMappingAttrName()) &&
          !loop->getParentOfType<gpu::LaunchOp>())
        roots.push_back(loop);
      // Inner parallel loops run sequentially inside the distributed one.
      return WalkResult::skip();
    });
    for (scf::ParallelOp loop : roots)
      if (failed(distribute(loop, blockSize)))
        return signalPassFailure();
  }
};
} // namespace
