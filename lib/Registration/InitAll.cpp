//===- InitAll.cpp - register ds dialects and passes ----------------------===//
#include "ds/InitAll.h"

#include "Graph/GraphOps.h"
#include "Quant/QuantOps.h"
#include "ds/Target/CPU/CPUTarget.h"
#include "passes/Conversion/Passes.h"
#include "passes/Quantization/Passes.h"

void mlir::ds::registerAllDialects(DialectRegistry &registry) {
  registry.insert<graph::DSGDialect, quant::DSQDialect>();
  registerQuantToLLVMInterface(registry);
}

void mlir::ds::registerAllPasses() {
  registerDSConversionPasses();
  registerDSQuantizationPasses();
  registerCPUPipelines();
}
