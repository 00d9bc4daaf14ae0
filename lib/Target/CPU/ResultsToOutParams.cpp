//===- ResultsToOutParams.cpp - Caller- or callee-allocated results -------===//
//
// Chooses the calling convention of each function by its result shapes: all
// static → out-parameters (the caller allocates, ABI version 2); any dynamic
// → plain results (the callee allocates, ABI version 3). The decision must
// agree with ArtifactMetadata, which picks the version from the same rule.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::ds {
#define GEN_PASS_DEF_RESULTSTOOUTPARAMSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
bool hasDynamicResult(func::FuncOp func) {
  return llvm::any_of(func.getResultTypes(), [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return shaped && !shaped.hasStaticShape();
  });
}

struct ResultsToOutParamsPass
    : ds::impl::ResultsToOutParamsPassBase<ResultsToOutParamsPass> {
  void runOnOperation() override {
    bufferization::BufferResultsToOutParamsOpts options;
    options.hoistStaticAllocs = true;
    options.modifyPublicFunctions = true;
    options.filterFn = [](func::FuncOp *func) {
      return !hasDynamicResult(*func);
    };
    if (failed(bufferization::promoteBufferResultsToOutParams(getOperation(),
                                                              options)))
      signalPassFailure();
  }
};
} // namespace
