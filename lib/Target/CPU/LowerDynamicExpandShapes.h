//===- LowerDynamicExpandShapes.h - LLVM 22 workaround ----------*- C++ -*-===//
//
// Internal to lib/Target/CPU (see LowerDynamicExpandShapes.td).
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_TARGET_CPU_LOWERDYNAMICEXPANDSHAPES_H
#define DS_LIB_TARGET_CPU_LOWERDYNAMICEXPANDSHAPES_H

#include "mlir/Pass/Pass.h"

namespace mlir::ds {
#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "lib/Target/CPU/LowerDynamicExpandShapes.h.inc"
} // namespace mlir::ds

#endif // DS_LIB_TARGET_CPU_LOWERDYNAMICEXPANDSHAPES_H
