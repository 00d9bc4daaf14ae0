//===- MapHostMemory.cpp - host buffers the device can reach -------------===//
#include "Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::ds {
#define GEN_PASS_DEF_MAPHOSTMEMORYPASS
#include "lib/Target/GPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
/// gpu.host_register takes an unranked memref.
Value castToUnranked(OpBuilder &b, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  auto unranked =
      UnrankedMemRefType::get(type.getElementType(), type.getMemorySpace());
  return memref::CastOp::create(b, loc, unranked, memref);
}

struct MapHostMemoryPass
    : ds::impl::MapHostMemoryPassBase<MapHostMemoryPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    IRRewriter rewriter(&getContext());

    // Arguments: registered for the duration of the call.
    Block &entry = func.getBody().front();
    SmallVector<Value> registered;
    rewriter.setInsertionPointToStart(&entry);
    for (BlockArgument arg : entry.getArguments()) {
      if (!isa<MemRefType>(arg.getType()))
        continue;
      Value unranked = castToUnranked(rewriter, arg.getLoc(), arg);
      gpu::HostRegisterOp::create(rewriter, arg.getLoc(), unranked);
      registered.push_back(unranked);
    }
    func.walk([&](func::ReturnOp ret) {
      rewriter.setInsertionPoint(ret);
      for (Value unranked : registered)
        gpu::HostUnregisterOp::create(rewriter, ret.getLoc(), unranked);
    });

    // Globals: registered at each use (idempotent in the runtime).
    func.walk([&](memref::GetGlobalOp global) {
      rewriter.setInsertionPointAfter(global);
      Value unranked = castToUnranked(rewriter, global.getLoc(), global);
      gpu::HostRegisterOp::create(rewriter, global.getLoc(), unranked);
    });

    // Allocations: managed memory.
    SmallVector<memref::AllocOp> allocs;
    SmallVector<memref::DeallocOp> deallocs;
    func.walk([&](memref::AllocOp op) { allocs.push_back(op); });
    func.walk([&](memref::DeallocOp op) { deallocs.push_back(op); });
    for (memref::AllocOp alloc : allocs) {
      rewriter.setInsertionPoint(alloc);
      auto replacement = gpu::AllocOp::create(
          rewriter, alloc.getLoc(), alloc.getType(), /*asyncToken=*/Type(),
          /*asyncDependencies=*/ValueRange(), alloc.getDynamicSizes(),
          alloc.getSymbolOperands(), /*hostShared=*/true);
      rewriter.replaceOp(alloc, replacement.getMemref());
    }
    // gpu-to-llvm lowers only the asynchronous gpu.dealloc: free on a
    // fresh stream and wait for it.
    auto tokenType = gpu::AsyncTokenType::get(&getContext());
    for (memref::DeallocOp dealloc : deallocs) {
      Location loc = dealloc.getLoc();
      rewriter.setInsertionPoint(dealloc);
      Value start = gpu::WaitOp::create(rewriter, loc, tokenType, ValueRange())
                        .getAsyncToken();
      Value done = gpu::DeallocOp::create(rewriter, loc, tokenType,
                                          ValueRange{start},
                                          dealloc.getMemref())
                       .getAsyncToken();
      gpu::WaitOp::create(rewriter, loc, Type(), ValueRange{done});
      rewriter.eraseOp(dealloc);
    }
  }
};
} // namespace
