//===- InitAll.cpp - register ds dialects and passes ----------------------===//
#include "ds/InitAll.h"

#include "Graph/GraphOps.h"
#include "ds/Target/CPU/CPUTarget.h"
#include "ds/Target/GPU/GPUTarget.h"
#include "passes/Conversion/Passes.h"

void mlir::ds::registerAllDialects(DialectRegistry &registry) {
  registry.insert<graph::DSGDialect>();
}

void mlir::ds::registerAllPasses() {
  registerDSConversionPasses();
  registerCPUPipelines();
  registerGPUPipelines();
}
