//===- Passes.h - GPU back-end passes ---------------------------*- C++ -*-===//
//
// Internal to lib/Target/GPU: the pipelines in GPUTarget.h are the public
// face.
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_TARGET_GPU_PASSES_H
#define DS_LIB_TARGET_GPU_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::ds {
#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "lib/Target/GPU/Passes.h.inc"
} // namespace mlir::ds

#endif // DS_LIB_TARGET_GPU_PASSES_H
