//===- ReshapeSharding.cpp - ShardingInterface for tensor reshapes --------===//
//
// Upstream has no ShardingInterface for tensor.expand_shape and
// tensor.collapse_shape, and sharding-propagation stops with an error when a
// sharded value reaches one. This model makes them *replicated* ops: their
// operand is resharded to replicated (an all-gather if it was split) and
// their result is replicated. That is always correct; it costs the
// communication of gathering before a reshape (e.g. before attention's head
// split). A model that maps split dimensions through the reassociation would
// avoid it (docs/distribution.md, "Status").
//
//===----------------------------------------------------------------------===//
#include "passes/Distributed/Passes.h"

#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/Dialect/Shard/Interfaces/ShardingInterface.h"
#include "mlir/Dialect/Shard/Interfaces/ShardingInterfaceImpl.h"

using namespace mlir;
using namespace mlir::shard;

namespace {

/// The grid of the first annotated operand or result, if any.
FlatSymbolRefAttr findGrid(ArrayRef<Sharding> operands,
                           ArrayRef<Sharding> results) {
  for (ArrayRef<Sharding> list : {operands, results})
    for (const Sharding &sharding : list)
      if (sharding)
        return sharding.getGridAttr();
  return {};
}

template <typename ReshapeOp>
struct ReplicatedReshapeShardingModel
    : public ShardingInterface::ExternalModel<
          ReplicatedReshapeShardingModel<ReshapeOp>, ReshapeOp> {
  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *) const {
    return {};
  }
  SmallVector<AffineMap> getIndexingMaps(Operation *) const { return {}; }

  FailureOr<ShardingOption>
  getShardingOption(Operation *, ArrayRef<Sharding> operandShardings,
                    ArrayRef<Sharding> resultShardings) const {
    FlatSymbolRefAttr grid = findGrid(operandShardings, resultShardings);
    if (!grid)
      return ShardingOption::makeEmpty();
    return ShardingOption(ShardingArray{}, grid);
  }

  FailureOr<std::vector<Sharding>>
  getShardingAnnotations(Operation *op, const ShardingOption &option) const {
    std::vector<Sharding> shardings;
    Sharding replicated = Sharding::get(option.grid, {});
    for (Value v : llvm::concat<Value>(op->getOperands(), op->getResults()))
      shardings.push_back(isa<RankedTensorType>(v.getType()) ? replicated
                                                             : Sharding());
    return shardings;
  }

  LogicalResult addShardingAnnotations(Operation *op, OpBuilder &b,
                                       const ShardingOption &option) const {
    if (option.empty)
      return success();
    Sharding replicated = Sharding::get(option.grid, {});
    for (OpResult result : op->getResults())
      if (isa<RankedTensorType>(result.getType()))
        maybeInsertTargetShardingAnnotation(replicated, result, b);
    for (OpOperand &operand : op->getOpOperands())
      if (isa<RankedTensorType>(operand.get().getType()))
        maybeInsertSourceShardingAnnotation(replicated, operand, b);
    return success();
  }

  LogicalResult partition(Operation *op, ArrayRef<Value> partitionedOperands,
                          ArrayRef<Sharding> operandShardings,
                          ArrayRef<Sharding> resultShardings,
                          IRMapping &partitionMap,
                          SymbolTableCollection &symbolTable,
                          OpBuilder &builder) const {
    for (const Sharding &sharding :
         llvm::concat<const Sharding>(operandShardings, resultShardings))
      if (sharding && !isFullReplication(sharding))
        return op->emitOpError("can only be partitioned replicated");
    partitionTriviallyShardableOperation(*op, partitionedOperands,
                                         operandShardings, resultShardings,
                                         partitionMap, symbolTable, builder);
    return success();
  }
};

} // namespace

void mlir::ds::registerReshapeShardingModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, tensor::TensorDialect *) {
    tensor::ExpandShapeOp::attachInterface<
        ReplicatedReshapeShardingModel<tensor::ExpandShapeOp>>(*ctx);
    tensor::CollapseShapeOp::attachInterface<
        ReplicatedReshapeShardingModel<tensor::CollapseShapeOp>>(*ctx);
  });
}
