//===- Passes.h - batch-norm folding ----------------------------*- C++ -*-===//
#ifndef DS_PASSES_TRANSFORMS_FOLDBATCHNORM_PASSES_H
#define DS_PASSES_TRANSFORMS_FOLDBATCHNORM_PASSES_H

#include "Graph/GraphOps.h"

#include "mlir/Pass/Pass.h"

namespace mlir::ds {

#define GEN_PASS_DECL
#include "passes/Transforms/FoldBatchNorm/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Transforms/FoldBatchNorm/Passes.h.inc"

} // namespace mlir::ds

#endif // DS_PASSES_TRANSFORMS_FOLDBATCHNORM_PASSES_H
