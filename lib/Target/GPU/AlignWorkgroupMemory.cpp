//===- AlignWorkgroupMemory.cpp - 16-byte-aligned workgroup buffers ------===//
//
// The NVVM/ROCDL lowering gives each workgroup attribution of a gpu.func
// the alignment its `llvm.align` attribute names, else its element's (2
// bytes for f16). ldmatrix reads 16-byte rows and vector accesses want
// their width, so the kernels' shared tiles must start 16-byte aligned.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::ds {
#define GEN_PASS_DEF_ALIGNWORKGROUPMEMORYPASS
#include "lib/Target/GPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
struct AlignWorkgroupMemoryPass
    : ds::impl::AlignWorkgroupMemoryPassBase<AlignWorkgroupMemoryPass> {
  using Base::Base;
  void runOnOperation() override {
    if (alignment < 1 || !llvm::isPowerOf2_64(alignment)) {
      getOperation()->emitError()
          << "ds-gpu-align-workgroup-memory: alignment must be a power of "
             "two, got "
          << static_cast<int64_t>(alignment);
      return signalPassFailure();
    }
    StringRef name = LLVM::LLVMDialect::getAlignAttrName();
    getOperation()->walk([&](gpu::GPUFuncOp func) {
      Builder b(func.getContext());
      for (unsigned i = 0, e = func.getNumWorkgroupAttributions(); i < e;
           ++i) {
        auto existing = dyn_cast_or_null<IntegerAttr>(
            func.getWorkgroupAttributionAttr(i, name));
        if (existing && existing.getInt() >= alignment)
          continue;
        func.setWorkgroupAttributionAttr(i, b.getStringAttr(name),
                                         b.getI64IntegerAttr(alignment));
      }
    });
  }
};
} // namespace
