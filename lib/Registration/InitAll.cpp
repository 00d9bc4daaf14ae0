//===- InitAll.cpp - register ds dialects and passes ----------------------===//
#include "ds/InitAll.h"

#include "Collective/CollectiveOps.h"
#include "Graph/GraphOps.h"
#include "Quant/QuantOps.h"
#include "ds/Target/CPU/CPUTarget.h"
#include "ds/Target/GPU/GPUTarget.h"
#include "passes/Conversion/Passes.h"
#include "passes/Distributed/LowerTopology/Passes.h"
#include "passes/Transforms/FoldBatchNorm/Passes.h"
#include "passes/Transforms/FuseAttention/Passes.h"
#include "passes/Distributed/Passes.h"
#include "passes/Quantization/Passes.h"

void mlir::ds::registerAllDialects(DialectRegistry &registry) {
  registry.insert<graph::DSGDialect, coll::DSCDialect, quant::DSQDialect>();
  registerReshapeShardingModels(registry);
  registerQuantToLLVMInterface(registry);
}

void mlir::ds::registerAllPasses() {
  registerDSConversionPasses();
  registerDSLowerTopologyPasses();
  registerDSFuseAttentionPasses();
  registerDSFoldBatchNormPasses();
  registerDistributedPasses();
  registerDSQuantizationPasses();
  registerCPUPipelines();
  registerGPUPipelines();
}
