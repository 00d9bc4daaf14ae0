//===- ReshapeSharding.cpp - ShardingInterface for tensor reshapes --------===//
//
// Upstream has no ShardingInterface for tensor.expand_shape and
// tensor.collapse_shape, and sharding-propagation stops with an error when a
// sharded value reaches one. This model maps a split through the
// reassociation, which is what keeps attention heads and feature splits
// local across the reshapes of a transformer block:
//
//  * A split collapsed dimension corresponds to a split of the *major*
//    (outermost non-unit) dimension of its reassociation group: a block of
//    a row-major [H, D] collapsed to H*D is a block of H when the block count
//    divides H. So (B, S, H*D) split on its last dimension expands into
//    (B, S, H, D) split on H, the head split, and (B*S, F) split on F
//    expands into (B, S, F) split on F.
//  * Collapsing keeps a split only on the major dimension of a group:
//    (B, S) split on B collapses to B*S split (a data-parallel batch through
//    a 3-D linear layer), (H, D) split on H to H*D split. A split of any
//    other dimension of a group (S of (B, S), D of (H, D)) is not a block of
//    the collapsed dimension.
//
// Where a split cannot be mapped (the major dimension not divisible by the
// shard count, a split minor dimension, dynamic or haloed shapes), the op is
// sharded *replicated*: its operand is gathered before the reshape. That
// is always correct and costs an all-gather.
//
// Loops of the model are the dimensions of the expanded type (the result of
// expand_shape, the source of collapse_shape); a sharding option splits some
// of them.
//
//===----------------------------------------------------------------------===//
#include "passes/Distributed/Passes.h"

#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/Dialect/Shard/Interfaces/ShardingInterface.h"
#include "mlir/Dialect/Shard/Interfaces/ShardingInterfaceImpl.h"
#include "mlir/IR/SymbolTable.h"

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

/// A reshape seen as (collapsed type, expanded type, groups).
struct Reshape {
  RankedTensorType collapsed, expanded;
  SmallVector<ReassociationIndices> groups;
  /// expand_shape: the source is the collapsed side.
  bool sourceIsCollapsed;

  static Reshape of(Operation *op) {
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op))
      return {expand.getSrcType(), expand.getResultType(),
              expand.getReassociationIndices(), true};
    auto collapse = cast<tensor::CollapseShapeOp>(op);
    return {collapse.getResultType(), collapse.getSrcType(),
            collapse.getReassociationIndices(), false};
  }

  bool isStatic() const {
    return collapsed.hasStaticShape() && expanded.hasStaticShape();
  }

  /// The outermost dimension of `group` whose size is not 1 (the first one
  /// if all are 1).
  int64_t major(const ReassociationIndices &group) const {
    for (int64_t d : group)
      if (expanded.getDimSize(d) != 1)
        return d;
    return group.front();
  }

  /// Split axes of the collapsed type as axes of the expanded one, or
  /// nothing if a split is not a block of the major dimension.
  std::optional<ShardingArray> toExpanded(const ShardingArray &axes,
                                          ArrayRef<int64_t> gridShape) const {
    ShardingArray result(expanded.getRank());
    for (auto [i, group] : llvm::enumerate(groups)) {
      if (i >= axes.size() || axes[i].empty())
        continue;
      int64_t count = collectiveProcessGroupSize(axes[i], gridShape);
      int64_t d = major(group);
      if (ShapedType::isDynamic(count) || expanded.getDimSize(d) % count)
        return std::nullopt;
      result[d] = axes[i];
    }
    return result;
  }

  /// Split axes of the expanded type as axes of the collapsed one, or
  /// nothing if a dimension other than a group's major one is split.
  std::optional<ShardingArray> toCollapsed(const ShardingArray &axes) const {
    ShardingArray result(collapsed.getRank());
    for (auto [i, group] : llvm::enumerate(groups)) {
      int64_t d = major(group);
      for (int64_t e : group) {
        if (e >= static_cast<int64_t>(axes.size()) || axes[e].empty())
          continue;
        if (e != d)
          return std::nullopt;
        result[i] = axes[e];
      }
    }
    return result;
  }
};

/// The split axes of `sharding` for a tensor of `rank` dimensions, or
/// nothing if it has halos or explicit shard offsets.
std::optional<ShardingArray> splitAxesOf(const Sharding &sharding,
                                         int64_t rank) {
  if (!sharding.getStaticHaloSizes().empty() ||
      !sharding.getDynamicHaloSizes().empty() ||
      !sharding.getStaticShardedDimsOffsets().empty() ||
      !sharding.getDynamicShardedDimsOffsets().empty())
    return std::nullopt;
  ShardingArray axes(rank);
  for (auto [i, split] : llvm::enumerate(sharding.getSplitAxes())) {
    if (static_cast<int64_t>(i) >= rank)
      return std::nullopt;
    axes[i] = llvm::to_vector(split.asArrayRef());
  }
  return axes;
}

Sharding makeSharding(FlatSymbolRefAttr grid, ShardingArray axes) {
  removeTrailingEmptySubArray(axes);
  MLIRContext *ctx = grid.getContext();
  SmallVector<GridAxesAttr> attrs;
  for (ArrayRef<GridAxis> split : axes)
    attrs.push_back(GridAxesAttr::get(ctx, split));
  if (attrs.empty())
    attrs.push_back(GridAxesAttr::get(ctx, {}));
  return Sharding::get(grid, attrs);
}

template <typename ReshapeOp>
struct ReshapeShardingModel
    : public ShardingInterface::ExternalModel<ReshapeShardingModel<ReshapeOp>,
                                              ReshapeOp> {
  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    return SmallVector<utils::IteratorType>(Reshape::of(op).expanded.getRank(),
                                            utils::IteratorType::parallel);
  }
  /// The collapsed side's index is not a projected permutation of the loops;
  /// every method that would read maps is implemented here.
  SmallVector<AffineMap> getIndexingMaps(Operation *) const { return {}; }

  FailureOr<ShardingOption>
  getShardingOption(Operation *op, ArrayRef<Sharding> operandShardings,
                    ArrayRef<Sharding> resultShardings) const {
    FlatSymbolRefAttr grid = findGrid(operandShardings.take_front(),
                                      resultShardings);
    if (!grid)
      return ShardingOption::makeEmpty();
    Reshape r = Reshape::of(op);
    ShardingArray replicated(r.expanded.getRank());
    SymbolTableCollection symbols;
    GridOp gridOp = getGridOrNull(op, grid, symbols);
    if (!gridOp || !r.isStatic())
      return ShardingOption(replicated, grid);

    // The source's split first (forward propagation), else the result's.
    auto fromSide = [&](const Sharding &sharding,
                        bool collapsedSide) -> std::optional<ShardingArray> {
      if (!sharding || sharding.getGridAttr() != grid)
        return std::nullopt;
      RankedTensorType type = collapsedSide ? r.collapsed : r.expanded;
      std::optional<ShardingArray> axes =
          splitAxesOf(sharding, type.getRank());
      if (!axes)
        return std::nullopt;
      if (collapsedSide)
        return r.toExpanded(*axes, gridOp.getShape());
      // An expanded split must survive collapsing, and divide its dimension.
      if (!r.toCollapsed(*axes))
        return std::nullopt;
      for (auto [d, split] : llvm::enumerate(*axes)) {
        int64_t count = collectiveProcessGroupSize(split, gridOp.getShape());
        if (ShapedType::isDynamic(count) || r.expanded.getDimSize(d) % count)
          return std::nullopt;
      }
      return axes;
    };
    Sharding source = operandShardings.empty() ? Sharding()
                                               : operandShardings.front();
    Sharding result = resultShardings.empty() ? Sharding()
                                              : resultShardings.front();
    if (source) {
      if (std::optional<ShardingArray> axes =
              fromSide(source, r.sourceIsCollapsed))
        return ShardingOption(*axes, grid);
      return ShardingOption(replicated, grid);
    }
    if (std::optional<ShardingArray> axes =
            fromSide(result, !r.sourceIsCollapsed))
      return ShardingOption(*axes, grid);
    return ShardingOption(replicated, grid);
  }

  /// (source sharding, result sharding) of `option`.
  static std::pair<Sharding, Sharding> shardingsOf(Operation *op,
                                                  const ShardingOption &option) {
    Reshape r = Reshape::of(op);
    ShardingArray expanded = option.shardingArray;
    expanded.resize(r.expanded.getRank());
    std::optional<ShardingArray> collapsed = r.toCollapsed(expanded);
    if (!collapsed) {
      // Not produced by getShardingOption; fall back to replication.
      expanded = ShardingArray(r.expanded.getRank());
      collapsed = ShardingArray(r.collapsed.getRank());
    }
    Sharding e = makeSharding(option.grid, expanded);
    Sharding c = makeSharding(option.grid, *collapsed);
    return r.sourceIsCollapsed ? std::make_pair(c, e) : std::make_pair(e, c);
  }

  FailureOr<std::vector<Sharding>>
  getShardingAnnotations(Operation *op, const ShardingOption &option) const {
    auto [source, result] = shardingsOf(op, option);
    std::vector<Sharding> shardings;
    shardings.push_back(source);
    // expand_shape's dynamic output sizes are indices: no sharding.
    for (unsigned i = 1; i < op->getNumOperands(); ++i)
      shardings.push_back(Sharding());
    shardings.push_back(result);
    return shardings;
  }

  LogicalResult addShardingAnnotations(Operation *op, OpBuilder &b,
                                       const ShardingOption &option) const {
    if (option.empty)
      return success();
    auto [source, result] = shardingsOf(op, option);
    maybeInsertTargetShardingAnnotation(result, op->getResult(0), b);
    maybeInsertSourceShardingAnnotation(source, op->getOpOperand(0), b);
    return success();
  }

  LogicalResult partition(Operation *op, ArrayRef<Value> partitionedOperands,
                          ArrayRef<Sharding> operandShardings,
                          ArrayRef<Sharding> resultShardings,
                          IRMapping &partitionMap,
                          SymbolTableCollection &symbolTable,
                          OpBuilder &builder) const {
    Sharding source = operandShardings.front(),
             result = resultShardings.front();
    bool replicated = (!source || isFullReplication(source)) &&
                      (!result || isFullReplication(result));
    if (replicated) {
      partitionTriviallyShardableOperation(*op, partitionedOperands,
                                           operandShardings, resultShardings,
                                           partitionMap, symbolTable, builder);
      return success();
    }
    Reshape r = Reshape::of(op);
    if (!r.isStatic())
      return op->emitOpError("a split reshape needs static shapes");
    // The annotations must say the same split on both sides.
    RankedTensorType sourceType = r.sourceIsCollapsed ? r.collapsed
                                                      : r.expanded;
    RankedTensorType resultType = r.sourceIsCollapsed ? r.expanded
                                                      : r.collapsed;
    std::optional<ShardingArray> s = splitAxesOf(source, sourceType.getRank());
    std::optional<ShardingArray> t = splitAxesOf(result, resultType.getRank());
    GridOp grid = getGrid(op, result.getGridAttr(), symbolTable);
    if (!s || !t || !grid)
      return op->emitOpError("cannot partition this sharding of a reshape");
    std::optional<ShardingArray> mapped =
        r.sourceIsCollapsed ? r.toExpanded(*s, grid.getShape())
                            : r.toCollapsed(*s);
    if (!mapped || makeSharding(result.getGridAttr(), *mapped) !=
                       makeSharding(result.getGridAttr(), *t))
      return op->emitOpError("operand and result shardings disagree through "
                             "the reassociation");
    auto localType =
        cast<RankedTensorType>(shardType(resultType, grid, result));
    Value local;
    if (r.sourceIsCollapsed)
      local = tensor::ExpandShapeOp::create(builder, op->getLoc(), localType,
                                            partitionedOperands.front(),
                                            r.groups);
    else
      local = tensor::CollapseShapeOp::create(builder, op->getLoc(),
                                              localType,
                                              partitionedOperands.front(),
                                              r.groups);
    partitionMap.map(op->getResult(0), local);
    partitionMap.map(op, local.getDefiningOp());
    return success();
  }
};

} // namespace

void mlir::ds::registerReshapeShardingModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, tensor::TensorDialect *) {
    tensor::ExpandShapeOp::attachInterface<
        ReshapeShardingModel<tensor::ExpandShapeOp>>(*ctx);
    tensor::CollapseShapeOp::attachInterface<
        ReshapeShardingModel<tensor::CollapseShapeOp>>(*ctx);
  });
}
