//===- MergeKernelModules.cpp - one gpu.module per model -----------------===//
#include "Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::ds {
#define GEN_PASS_DEF_MERGEKERNELMODULESPASS
#include "lib/Target/GPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
struct MergeKernelModulesPass
    : ds::impl::MergeKernelModulesPassBase<MergeKernelModulesPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> sources(
        module.getOps<gpu::GPUModuleOp>());
    if (sources.empty())
      return;
    if (sources.size() == 1 && sources.front().getName() == moduleName)
      return;
    if (auto clash = module.lookupSymbol(moduleName)) {
      if (!llvm::is_contained(sources, clash)) {
        clash->emitError() << "ds-gpu-merge-kernel-modules: symbol '"
                           << moduleName
                           << "' is taken; expected it free for the merged "
                              "kernel module";
        return signalPassFailure();
      }
    }

    // The merged module takes over the first one's attributes (targets,
    // offloading handler), which outlining gives every module alike.
    OpBuilder b(sources.front());
    auto merged = gpu::GPUModuleOp::create(b, sources.front().getLoc(),
                                           "ds_merge_tmp");
    merged->setAttrs(sources.front()->getAttrs());
    merged.setName("ds_merge_tmp");
    SymbolTable mergedSymbols(merged);
    Block &body = merged.getBodyRegion().front();

    // Outlining names every kernel after its function (all `main_kernel`)
    // but makes the module names unique: kernels take their module's name.
    // (old module, old kernel) → new kernel name.
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp source : sources) {
      StringAttr sourceName = source.getNameAttr();
      for (Operation &op :
           llvm::make_early_inc_range(source.getBodyRegion().front())) {
        auto symbol = dyn_cast<SymbolOpInterface>(&op);
        if (auto kernel = dyn_cast<gpu::GPUFuncOp>(&op);
            kernel && kernel.isKernel()) {
          renamed[{sourceName, kernel.getNameAttr()}] = sourceName;
          kernel.setName(sourceName);
        }
        if (symbol && mergedSymbols.lookup(symbol.getName())) {
          op.emitError() << "ds-gpu-merge-kernel-modules: two kernel "
                            "modules define '"
                         << symbol.getName() << "'";
          return signalPassFailure();
        }
        op.moveBefore(&body, body.end());
        if (symbol)
          mergedSymbols.insert(&op);
      }
    }
    for (gpu::GPUModuleOp source : sources)
      source.erase();
    merged.setName(moduleName);

    // Redirect launches: @old_module::@kernel → @merged::@old_module.
    auto mergedName = StringAttr::get(&getContext(), moduleName);
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto it = renamed.find(
          {launch.getKernelModuleName(), launch.getKernelName()});
      if (it == renamed.end())
        return;
      launch.setKernelAttr(SymbolRefAttr::get(
          mergedName, {FlatSymbolRefAttr::get(it->second)}));
    });
  }
};
} // namespace
