//===- Passes.h - attention fusion ------------------------------*- C++ -*-===//
#ifndef DS_PASSES_TRANSFORMS_FUSEATTENTION_PASSES_H
#define DS_PASSES_TRANSFORMS_FUSEATTENTION_PASSES_H

#include "Graph/GraphOps.h"

#include "mlir/Pass/Pass.h"

namespace mlir::ds {

#define GEN_PASS_DECL
#include "passes/Transforms/FuseAttention/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Transforms/FuseAttention/Passes.h.inc"

/// The fusion patterns, for pipelines that run them with others.
void populateFuseAttentionPatterns(RewritePatternSet &patterns);

} // namespace mlir::ds

#endif // DS_PASSES_TRANSFORMS_FUSEATTENTION_PASSES_H
