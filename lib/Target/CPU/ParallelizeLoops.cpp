//===- ParallelizeLoops.cpp - large linalg ops → dsrt_parallel_for -------===//
//
// Outlines a linalg op on buffers into a function over a range of one
// parallel loop and calls it through the runtime's pool (see Passes.td).
// The memrefs travel as their LLVM descriptors: an unrealized cast to the
// descriptor struct at the call site and back in the outlined function,
// which `reconcile-unrealized-casts` folds away once memrefs are lowered.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::ds {
#define GEN_PASS_DEF_PARALLELIZELOOPSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {

constexpr StringLiteral kParallelFor = "dsrt_parallel_for";

/// The LLVM struct a memref of `rank` lowers to (64-bit index).
Type descriptorType(MLIRContext *ctx, int64_t rank) {
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  if (rank == 0)
    return LLVM::LLVMStructType::getLiteral(ctx, {ptr, ptr, i64});
  auto array = LLVM::LLVMArrayType::get(i64, rank);
  return LLVM::LLVMStructType::getLiteral(ctx, {ptr, ptr, i64, array, array});
}

/// The loop to split `op` along, or nullopt if the op does not qualify.
std::optional<unsigned> splitLoop(linalg::LinalgOp op, int64_t minIterations) {
  if (!op.hasPureBufferSemantics() || op.hasIndexSemantics() ||
      op->getNumRegions() != 1)
    return std::nullopt;
  for (Value v : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(v.getType());
    if (!type || !type.hasStaticShape())
      return std::nullopt;
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t iterations = 1;
  for (int64_t r : ranges) {
    if (ShapedType::isDynamic(r))
      return std::nullopt;
    iterations *= r;
  }
  if (iterations < minIterations)
    return std::nullopt;

  // Constants from above are cloned; anything else keeps the op here.
  bool capturesOther = false;
  visitUsedValuesDefinedAbove(op->getRegion(0), [&](OpOperand *use) {
    Operation *def = use->get().getDefiningOp();
    if (!def || !def->hasTrait<OpTrait::ConstantLike>())
      capturesOther = true;
  });
  if (capturesOther)
    return std::nullopt;

  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < ranges.size(); ++d) {
    if (iterators[d] != utils::IteratorType::parallel || ranges[d] < 2)
      continue;
    bool ok = true;
    for (OpOperand &operand : op->getOpOperands()) {
      AffineMap map = op.getMatchingIndexingMap(&operand);
      unsigned plain = 0;
      bool other = false;
      for (AffineExpr e : map.getResults()) {
        if (auto dim = dyn_cast<AffineDimExpr>(e)) {
          plain += dim.getPosition() == d;
          continue;
        }
        other |= e.isFunctionOfDim(d);
      }
      // Outputs: exactly one plain `d`. Inputs: plain `d` at most once, or
      // not at all (a broadcast along `d`).
      if (other || plain > 1 || (op.isDpsInit(&operand) && plain != 1))
        ok = false;
    }
    if (ok)
      return d;
  }
  return std::nullopt;
}

struct ParallelizeLoopsPass
    : ds::impl::ParallelizeLoopsPassBase<ParallelizeLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (minIterations < 1) {
      module.emitError() << "ds-cpu-parallelize-loops: min-iterations must "
                            "be positive, got "
                         << static_cast<int64_t>(minIterations);
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::LinalgOp, unsigned>> work;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      for (Block &block : func.getBody())
        for (Operation &op : block)
          if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
            if (std::optional<unsigned> d = splitLoop(linalgOp, minIterations))
              work.emplace_back(linalgOp, *d);
    }
    if (work.empty())
      return;

    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    auto bodyType = FunctionType::get(ctx, {ptr, i64, i64}, {});
    SymbolTable symbols(module);
    if (!symbols.lookup<func::FuncOp>(kParallelFor)) {
      OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
      auto decl = func::FuncOp::create(
          b, module.getLoc(), kParallelFor,
          FunctionType::get(ctx, {i64, bodyType, ptr}, {}));
      decl.setPrivate();
      symbols.insert(decl);
    }

    for (auto [op, d] : work)
      outline(op, d, symbols, bodyType);
  }

  void outline(linalg::LinalgOp op, unsigned d, SymbolTable &symbols,
               FunctionType bodyType) {
    MLIRContext *ctx = &getContext();
    Location loc = op.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    auto parent = op->getParentOfType<func::FuncOp>();

    SmallVector<Value> operands(op->getOperands());
    SmallVector<Type> fields;
    for (Value v : operands)
      fields.push_back(
          descriptorType(ctx, cast<MemRefType>(v.getType()).getRank()));
    auto ctxType = LLVM::LLVMStructType::getLiteral(ctx, fields);

    // The body: descriptors → memrefs → subviews [lo, hi) along d → the op.
    OpBuilder b(ctx);
    b.setInsertionPoint(parent);
    auto body = func::FuncOp::create(
        b, loc, (parent.getSymName() + "_par").str(), bodyType);
    body.setPrivate();
    symbols.insert(body); // renames on a clash
    Block *entry = body.addEntryBlock();
    b.setInsertionPointToStart(entry);
    Value all = LLVM::LoadOp::create(b, loc, ctxType, entry->getArgument(0));
    Value lo = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                          entry->getArgument(1));
    Value hi = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                          entry->getArgument(2));
    Value len = arith::SubIOp::create(b, loc, hi, lo);
    IRMapping mapping;
    for (auto [i, v] : llvm::enumerate(operands)) {
      auto type = cast<MemRefType>(v.getType());
      Value desc = LLVM::ExtractValueOp::create(b, loc, all, int64_t(i));
      Value memref =
          UnrealizedConversionCastOp::create(b, loc, type, desc).getResult(0);
      // The result of the operand's map that is `d`, if any.
      AffineMap map = op.getMatchingIndexingMap(&op->getOpOperand(i));
      std::optional<unsigned> pos = map.getResultPosition(
          getAffineDimExpr(d, ctx));
      if (pos) {
        SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
        SmallVector<OpFoldResult> sizes, strides(type.getRank(),
                                                 b.getIndexAttr(1));
        for (int64_t s : type.getShape())
          sizes.push_back(b.getIndexAttr(s));
        offsets[*pos] = lo;
        sizes[*pos] = len;
        memref = memref::SubViewOp::create(b, loc, memref, offsets, sizes,
                                           strides);
      }
      mapping.map(v, memref);
    }
    // Constants the body reads from above.
    visitUsedValuesDefinedAbove(op->getRegion(0), [&](OpOperand *use) {
      Value v = use->get();
      if (!mapping.contains(v))
        mapping.map(v, b.clone(*v.getDefiningOp())->getResult(0));
    });
    b.clone(*op.getOperation(), mapping);
    func::ReturnOp::create(b, loc);

    // The call site: descriptors into a stack struct, then the pool.
    b.setInsertionPoint(op);
    Value packed = LLVM::UndefOp::create(b, loc, ctxType);
    for (auto [i, v] : llvm::enumerate(operands)) {
      Value desc =
          UnrealizedConversionCastOp::create(b, loc, fields[i], v).getResult(0);
      packed = LLVM::InsertValueOp::create(b, loc, packed, desc, int64_t(i));
    }
    Value one = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(1));
    Value slot = LLVM::AllocaOp::create(b, loc, ptr, ctxType, one);
    LLVM::StoreOp::create(b, loc, packed, slot);
    int64_t extent = op.getStaticLoopRanges()[d];
    Value n = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(extent));
    Value fn = func::ConstantOp::create(b, loc, bodyType,
                                        FlatSymbolRefAttr::get(ctx, body.getSymName()));
    func::CallOp::create(b, loc, kParallelFor, TypeRange{},
                         ValueRange{n, fn, slot});
    op->erase();
  }
};

} // namespace
