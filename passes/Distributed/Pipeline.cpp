//===- Pipeline.cpp - the ds-distribute pipeline --------------------------===//
#include "passes/Distributed/Passes.h"

#include "mlir/Dialect/Shard/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void ds::buildDistributePipeline(OpPassManager &pm,
                                 const DistributeOptions &options) {
  // Folds scalar shape arithmetic (element counts of reductions, ...):
  // sharding-propagation rejects ops without a ShardingInterface, scalar
  // arith included.
  pm.addPass(createCanonicalizerPass());
  ShardModelOptions shardOptions;
  shardOptions.tp = options.tp;
  shardOptions.dp = options.dp;
  pm.addPass(createShardModel(shardOptions));
  pm.addNestedPass<func::FuncOp>(shard::createShardingPropagation());
  pm.addNestedPass<func::FuncOp>(shard::createPartition());
  pm.addNestedPass<func::FuncOp>(createFoldBatchDims());
  pm.addPass(createConvertShardToDSC());
  pm.addNestedPass<func::FuncOp>(createDecomposeCollectives());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void ds::registerDistributedPasses() {
  registerDSDistributedPasses();
  PassPipelineRegistration<DistributeOptions>(
      "ds-distribute",
      "Shard a linalg-on-tensors model (ds-shard{tp,dp}), partition it into "
      "an SPMD program and express its communication with dsc collectives",
      [](OpPassManager &pm, const DistributeOptions &options) {
        buildDistributePipeline(pm, options);
      });
}
