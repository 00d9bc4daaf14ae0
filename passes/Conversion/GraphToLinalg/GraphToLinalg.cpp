//===- GraphToLinalg.cpp - dsg to linalg (placeholder being written) ------===//
#include "Graph/GraphOps.h"
#include "passes/Conversion/Passes.h"

namespace mlir::ds {
#define GEN_PASS_DEF_CONVERTGRAPHTOLINALG
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
struct ConvertGraphToLinalgPass
    : ds::impl::ConvertGraphToLinalgBase<ConvertGraphToLinalgPass> {
  void runOnOperation() override { signalPassFailure(); }
};
} // namespace
