//===- Passes.h - ds distribution passes ------------------------*- C++ -*-===//
#ifndef DS_PASSES_DISTRIBUTED_PASSES_H
#define DS_PASSES_DISTRIBUTED_PASSES_H

#include "Collective/CollectiveOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Shard/IR/ShardDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::ds {

#define GEN_PASS_DECL
#include "passes/Distributed/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Distributed/Passes.h.inc"

/// Options of the distribution pipeline (`ds-distribute`).
struct DistributeOptions : public PassPipelineOptions<DistributeOptions> {
  Option<int64_t> tp{*this, "tp", llvm::cl::desc("tensor-parallel degree"),
                     llvm::cl::init(1)};
  Option<int64_t> dp{*this, "dp", llvm::cl::desc("data-parallel degree"),
                     llvm::cl::init(1)};
};

/// ds-shard, upstream sharding propagation and partitioning, the conversion
/// to dsc and the decomposition of inner-axis collectives: linalg on tensors
/// in, an SPMD linalg + dsc program out.
void buildDistributePipeline(OpPassManager &pm, const DistributeOptions &options);

/// Attaches a ShardingInterface to tensor.expand_shape and
/// tensor.collapse_shape (upstream has none; propagation fails without it)
/// that maps a split through the reassociation where it stays a block split
/// (attention's head split) and replicates otherwise.
void registerReshapeShardingModels(DialectRegistry &registry);

/// Rewrites every `collapse_shape -> linalg.batch_matmul -> expand_shape`
/// chain that folds several batch dimensions into one (dsg.matmul of 4-D
/// attention operands) into a `linalg.generic` contraction over the
/// unfolded batch dimensions, so that a split of an inner batch dimension
/// (the heads of [B, H, S, D]) stays a block split; ds-fold-batch-dims folds
/// them back after partitioning. Returns the number of rewrites.
unsigned unfoldBatchMatmuls(func::FuncOp func);

/// Registers the passes and the `ds-distribute` pipeline.
void registerDistributedPasses();

/// Argument attribute of a constant that ds-shard hoisted into a function
/// argument for the duration of shard partitioning (which cannot partition
/// non-splat constants); ds-convert-shard-to-dsc puts the constant back.
inline constexpr const char *kHoistedConstantAttr = "ds.hoisted_constant";

/// Name of the i32 global holding the first failing collective's status.
inline constexpr const char *kCollectiveStatusGlobal = "ds_collective_status";

} // namespace mlir::ds

#endif // DS_PASSES_DISTRIBUTED_PASSES_H
