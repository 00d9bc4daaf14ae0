//===- Passes.h - topology lowering of dsc collectives ----------*- C++ -*-===//
#ifndef DS_PASSES_DISTRIBUTION_LOWERTOPOLOGY_PASSES_H
#define DS_PASSES_DISTRIBUTION_LOWERTOPOLOGY_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::ds {

#define GEN_PASS_DECL
#include "passes/Distributed/LowerTopology/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Distributed/LowerTopology/Passes.h.inc"

} // namespace mlir::ds

#endif // DS_PASSES_DISTRIBUTION_LOWERTOPOLOGY_PASSES_H
