//===- Passes.h - topology lowering of dsc collectives ----------*- C++ -*-===//
#ifndef DS_PASSES_DISTRIBUTION_LOWERTOPOLOGY_PASSES_H
#define DS_PASSES_DISTRIBUTION_LOWERTOPOLOGY_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::ds {

#define GEN_PASS_DECL
#include "passes/Distributed/LowerTopology/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Distributed/LowerTopology/Passes.h.inc"

/// Registers `--ds-topology-report`, the tool-wide spelling of
/// ds-lower-topology's `report` option: every run of the pass in the process
/// then explains its choices. Tools call this before parsing their command
/// line (ds-opt, ds-translate and ds-run do).
void registerLowerTopologyCLOptions();

/// True when `--ds-topology-report` was given on the command line.
bool isTopologyReportRequested();

} // namespace mlir::ds

#endif // DS_PASSES_DISTRIBUTION_LOWERTOPOLOGY_PASSES_H
