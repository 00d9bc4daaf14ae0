//===- Passes.h - CPU back-end passes ---------------------------*- C++ -*-===//
//
// Internal to lib/Target/CPU: the pipeline in CPUTarget.h is the public face.
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_TARGET_CPU_PASSES_H
#define DS_LIB_TARGET_CPU_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::ds {
#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::ds

#endif // DS_LIB_TARGET_CPU_PASSES_H
