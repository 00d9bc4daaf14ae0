//===- ShardModel.cpp - Megatron-style sharding annotations ---------------===//
//
// Chooses shardings for a linalg-on-tensors model and writes them as
// upstream shard annotations; sharding-propagation and shard-partition do
// the rest. Only the choice lives here:
//
//  * A linear layer is a 2-D contraction (linalg.matmul, or the generic a
//    transposed Gemm lowers to) whose right operand is a weight (a constant,
//    possibly transposed or reshaped: anything computed from constants
//    alone). Column parallel: the weight is split over its output features
//    (its n dimension, wherever the indexing map puts it), so the layer's
//    output is split over features and needs no communication. Row
//    parallel: the weight is split over its input features (its k
//    dimension); the activation arrives already split on
//    that dimension from a column-parallel layer and the partial results are
//    summed by one all-reduce. A layer is row parallel exactly when its
//    activation comes, through elementwise ops, from a column-parallel one —
//    Megatron's pairing of consecutive linear layers.
//  * Attention over heads needs no annotation of its own: the Q/K/V
//    projections are column parallel, and propagation carries their split
//    through the head split (ReshapeSharding.cpp maps it onto H), the
//    transposes, the batched products (unfolded over [B, H] here, see
//    BatchDims.cpp) and the softmax. The output projection's activation
//    comes from the heads through those ops, which makes it row parallel.
//    A projection whose heads tp does not divide stays whole (remark).
//  * Data parallel: activations entering a function are split over
//    dimension 0 on the data-parallel grid axis.
//
// Function boundaries stay replicated: every rank takes the full inputs and
// returns the full outputs, as ds-run and the artifact ABI expect.
//
//===----------------------------------------------------------------------===//
#include "passes/Distributed/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::ds {
#define GEN_PASS_DEF_SHARDMODEL
#include "passes/Distributed/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;

/// A linear layer: a 2-D contraction out[m, n] += x[m, k] * w[., .] with one
/// m, n and k loop each: linalg.matmul, or the generic that a transposed Gemm
/// lowers to.
static bool isLinearLayer(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op))
    return false;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || !dims->batch.empty() || dims->m.size() != 1 ||
      dims->n.size() != 1 || dims->k.size() != 1)
    return false;
  auto weight =
      dyn_cast<RankedTensorType>(op.getDpsInputOperand(1)->get().getType());
  return weight && weight.getRank() == 2;
}

namespace {

constexpr StringLiteral kGridName = "ds_grid";

/// True if `value` is computed from constants only (a weight).
bool isWeight(Value value, llvm::SmallPtrSetImpl<Value> &visited) {
  if (!visited.insert(value).second)
    return true;
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    return func && arg.getOwner()->isEntryBlock() &&
           func.getArgAttr(arg.getArgNumber(), kHoistedConstantAttr);
  }
  Operation *def = value.getDefiningOp();
  if (!def || def->getNumRegions() > 1)
    return false;
  if (def->hasTrait<OpTrait::ConstantLike>())
    return true;
  if (def->getNumOperands() == 0 && isa<tensor::EmptyOp>(def))
    return true;
  bool anyOperand = false;
  for (Value operand : def->getOperands()) {
    if (isa<shard::ShardingType>(operand.getType()))
      continue;
    if (!isa<TensorType>(operand.getType()) &&
        operand.getDefiningOp<arith::ConstantOp>())
      continue;
    if (!isa<TensorType>(operand.getType()))
      return false;
    anyOperand = true;
    if (!isWeight(operand, visited))
      return false;
  }
  return anyOperand;
}

bool isWeight(Value value) {
  llvm::SmallPtrSet<Value, 8> visited;
  return isWeight(value, visited);
}

/// True for a linalg op whose loops are all parallel and whose indexing maps
/// are projected permutations (elementwise with broadcasting).
bool isElementwise(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || linalgOp.getNumReductionLoops() != 0)
    return false;
  return llvm::all_of(linalgOp.getIndexingMapsArray(), [](AffineMap map) {
    return map.isProjectedPermutation();
  });
}

/// True for a batched product of two activations (Q·Kᵀ, P·V): a
/// contraction with batch loops whose operands are not weights.
bool isActivationBatchProduct(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || linalgOp.getNumDpsInputs() != 2 ||
      !linalg::isaContractionOpInterface(linalgOp))
    return false;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(linalgOp);
  return succeeded(dims) && !dims->batch.empty() &&
         !isWeight(linalgOp.getDpsInputOperand(0)->get()) &&
         !isWeight(linalgOp.getDpsInputOperand(1)->get());
}

/// True if `activation` comes from a column-parallel layer through ops that
/// keep its feature split local: elementwise ops (following the operands
/// shaped like the result), reshapes and transposes (attention's head split
/// and merge), and batched products of activations (attention over the
/// split heads). Megatron's row-parallel layers are exactly those.
bool comesFromColumnParallel(Value activation,
                             const llvm::SmallPtrSetImpl<Operation *> &column) {
  llvm::SmallPtrSet<Value, 16> visited;
  SmallVector<Value> worklist = {activation};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (!visited.insert(v).second)
      continue;
    Operation *def = v.getDefiningOp();
    if (!def)
      continue;
    if (column.contains(def))
      return true;
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def)) {
      worklist.push_back(def->getOperand(0));
      continue;
    }
    if (auto transpose = dyn_cast<linalg::TransposeOp>(def)) {
      worklist.push_back(transpose.getInput());
      continue;
    }
    if (isActivationBatchProduct(def)) {
      auto linalgOp = cast<linalg::LinalgOp>(def);
      for (OpOperand *input : linalgOp.getDpsInputOperands())
        worklist.push_back(input->get());
      continue;
    }
    if (!isElementwise(def))
      continue;
    auto linalgOp = cast<linalg::LinalgOp>(def);
    for (OpOperand *input : linalgOp.getDpsInputOperands())
      if (input->get().getType() == v.getType() && !isWeight(input->get()))
        worklist.push_back(input->get());
  }
  return false;
}

/// The number of heads a column-parallel output would be split into: the
/// major size of the first reshape downstream of `layer` (through
/// elementwise ops and reshapes that keep the feature dimension whole) that
/// splits its output-feature dimension `featureDim`, as attention's
/// [B, S, H*D] -> [B, S, H, D] does. Nothing if no reshape splits it.
std::optional<int64_t> headsDownstream(linalg::LinalgOp layer,
                                       int64_t featureDim) {
  SmallVector<std::pair<Value, int64_t>> worklist = {
      {layer->getResult(0), featureDim}};
  llvm::SmallPtrSet<Value, 16> visited;
  while (!worklist.empty()) {
    auto [v, dim] = worklist.pop_back_val();
    if (!visited.insert(v).second)
      continue;
    for (Operation *user : v.getUsers()) {
      if (auto expand = dyn_cast<tensor::ExpandShapeOp>(user)) {
        ReassociationIndices group = expand.getReassociationIndices()[dim];
        SmallVector<int64_t> nonUnit;
        for (int64_t d : group)
          if (expand.getResultType().getDimSize(d) != 1)
            nonUnit.push_back(d);
        if (nonUnit.size() > 1)
          return expand.getResultType().getDimSize(nonUnit.front());
        worklist.push_back(
            {expand.getResult(),
             nonUnit.empty() ? group.front() : nonUnit.front()});
        continue;
      }
      if (isElementwise(user) && user->getNumResults() == 1 &&
          user->getResult(0).getType() == v.getType())
        worklist.push_back({user->getResult(0), dim});
    }
  }
  return std::nullopt;
}

/// Rewrites the inputs of `generic` that broadcast through constant-0
/// indexing-map results (size-1 dimensions, e.g. a LayerNorm mean of shape
/// [B, T, 1] read as (d0, d1, 0)) into collapsed operands read through plain
/// dimension maps. Upstream's sharding model cannot derive a sharding
/// option for constant map results.
void dropConstantIndexing(linalg::GenericOp generic, OpBuilder &b) {
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  bool changed = false;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = maps[input->getOperandNumber()];
    auto type = dyn_cast<RankedTensorType>(input->get().getType());
    if (!type || map.getNumResults() == 0)
      continue;
    SmallVector<AffineExpr> kept;
    SmallVector<ReassociationIndices> groups;
    bool droppable = true, any = false;
    for (auto [i, expr] : llvm::enumerate(map.getResults())) {
      auto constant = dyn_cast<AffineConstantExpr>(expr);
      if (!constant) {
        kept.push_back(expr);
        groups.push_back({static_cast<int64_t>(i)});
        continue;
      }
      if (constant.getValue() != 0 || type.getDimSize(i) != 1) {
        droppable = false;
        break;
      }
      any = true;
      if (groups.empty())
        groups.push_back({});
      groups.back().push_back(i);
    }
    if (!droppable || !any)
      continue;
    // Leading unit dimensions joined an empty group: merge it forward.
    if (!groups.empty() && groups.size() > kept.size()) {
      ReassociationIndices lead = groups.front();
      groups.erase(groups.begin());
      if (groups.empty())
        groups.push_back({});
      groups.front().insert(groups.front().begin(), lead.begin(), lead.end());
    }
    if (kept.empty())
      groups.clear();
    SmallVector<int64_t> shape;
    for (AffineExpr expr : kept)
      (void)expr;
    for (const ReassociationIndices &group : groups) {
      int64_t size = 1;
      for (int64_t d : group)
        size = ShapedType::isDynamic(type.getDimSize(d)) ||
                       ShapedType::isDynamic(size)
                   ? ShapedType::kDynamic
                   : size * type.getDimSize(d);
      shape.push_back(size);
    }
    if (llvm::any_of(shape, ShapedType::isDynamic))
      continue;
    b.setInsertionPoint(generic);
    Value collapsed = tensor::CollapseShapeOp::create(
        b, generic.getLoc(), RankedTensorType::get(shape, type.getElementType()),
        input->get(), groups);
    input->set(collapsed);
    maps[input->getOperandNumber()] =
        AffineMap::get(map.getNumDims(), map.getNumSymbols(), kept,
                       map.getContext());
    changed = true;
  }
  if (changed)
    generic.setIndexingMapsAttr(b.getAffineMapArrayAttr(maps));
}

struct ShardModelPass : public ds::impl::ShardModelBase<ShardModelPass> {
  using ShardModelBase::ShardModelBase;
  void runOnOperation() override;
};

void ShardModelPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (tp < 1 || dp < 1) {
    emitError(module.getLoc(), "ds-shard: tp and dp must be at least 1 (got tp=")
        << tp.getValue() << ", dp=" << dp.getValue() << ")";
    return signalPassFailure();
  }
  if (tp == 1 && dp == 1)
    return;
  for (auto grid : module.getOps<shard::GridOp>()) {
    grid.emitError("ds-shard: the module is already sharded (has a "
                   "shard.grid); annotate by hand or by ds-shard, not both");
    return signalPassFailure();
  }

  OpBuilder b(module.getBodyRegion());
  SmallVector<int64_t> shape;
  int16_t dpAxis = -1, tpAxis = -1;
  if (dp > 1) {
    dpAxis = shape.size();
    shape.push_back(dp);
  }
  if (tp > 1) {
    tpAxis = shape.size();
    shape.push_back(tp);
  }
  shard::GridOp::create(b, module.getLoc(), kGridName, shape);
  MLIRContext *ctx = &getContext();
  auto gridRef = FlatSymbolRefAttr::get(ctx, kGridName);

  auto sharding = [&](OpBuilder &builder, Location loc,
                      ArrayRef<SmallVector<int16_t>> splits) -> Value {
    SmallVector<shard::GridAxesAttr> axes;
    for (ArrayRef<int16_t> split : splits)
      axes.push_back(shard::GridAxesAttr::get(ctx, split));
    if (axes.empty())
      axes.push_back(shard::GridAxesAttr::get(ctx, {}));
    return shard::ShardingOp::create(builder, loc, gridRef, axes).getResult();
  };

  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    Block &entry = func.getBody().front();
    Location loc = func.getLoc();

    // One tensor.empty per use: a shared one would need one sharding for
    // all of its users, and propagation reshards (communicates) to get it.
    // Attention's [B, H] batch, folded into one dimension by the matmul
    // lowering, is unfolded so that a head split stays a block split.
    if (tpAxis >= 0)
      unfoldBatchMatmuls(func);
    SmallVector<linalg::GenericOp> generics;
    func.walk([&](linalg::GenericOp g) { generics.push_back(g); });
    for (linalg::GenericOp generic : generics)
      dropConstantIndexing(generic, b);

    SmallVector<Operation *> ops;
    func.walk([&](Operation *op) { ops.push_back(op); });
    llvm::SmallPtrSet<Operation *, 16> firstUseSeen;
    for (Operation *user : ops) {
      for (OpOperand &operand : user->getOpOperands()) {
        auto empty = operand.get().getDefiningOp<tensor::EmptyOp>();
        if (!empty || firstUseSeen.insert(empty).second)
          continue;
        b.setInsertionPoint(empty);
        operand.set(b.clone(*empty)->getResult(0));
      }
    }

    // Inputs: replicated at the boundary; activations split over the batch
    // for data parallelism.
    for (BlockArgument arg : entry.getArguments()) {
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      if (!type || arg.use_empty())
        continue;
      b.setInsertionPointToStart(&entry);
      Value replicated = sharding(b, loc, {});
      Value pinned = shard::ShardOp::create(b, loc, arg, replicated);
      Value use = pinned;
      if (dpAxis >= 0 && type.getRank() >= 2 && !type.isDynamicDim(0) &&
          type.getDimSize(0) % dp == 0) {
        Value batch = sharding(b, loc, {{dpAxis}});
        use = shard::ShardOp::create(b, loc, pinned, batch,
                                     /*annotate_for_users=*/true);
      }
      arg.replaceAllUsesExcept(use, pinned.getDefiningOp());
    }

    // Constants (weights) stay whole on every rank, which slices them where
    // a split is needed. shard-partition cannot partition non-splat
    // constants, not even replicated ones, so they pass through it as
    // function arguments: hoisted here (the value kept in an argument
    // attribute) and put back by ds-convert-shard-to-dsc.
    SmallVector<Operation *> constants;
    func.walk([&](Operation *op) {
      Attribute value;
      if (op->getNumResults() == 1 &&
          isa<RankedTensorType>(op->getResult(0).getType()) &&
          matchPattern(op->getResult(0), m_Constant(&value)) &&
          !(isa<SplatElementsAttr>(value)) && !op->use_empty())
        constants.push_back(op);
    });
    for (Operation *op : constants) {
      Attribute value;
      (void)matchPattern(op->getResult(0), m_Constant(&value));
      Type type = op->getResult(0).getType();
      unsigned index = func.getNumArguments();
      if (failed(func.insertArgument(index, type,
                                     b.getDictionaryAttr(b.getNamedAttr(
                                         kHoistedConstantAttr, value)),
                                     op->getLoc())))
        return signalPassFailure();
      BlockArgument arg = func.getArgument(index);
      b.setInsertionPointToStart(&entry);
      Value replicated = sharding(b, op->getLoc(), {});
      Value pinned = shard::ShardOp::create(b, op->getLoc(), arg, replicated);
      op->getResult(0).replaceAllUsesWith(pinned);
      op->erase();
    }

    // Outputs: replicated.
    SmallVector<func::ReturnOp> returns;
    func.walk([&](func::ReturnOp ret) { returns.push_back(ret); });
    for (func::ReturnOp ret : returns) {
      b.setInsertionPoint(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        if (!isa<RankedTensorType>(operand.get().getType()))
          continue;
        Value replicated = sharding(b, ret.getLoc(), {});
        operand.set(shard::ShardOp::create(b, ret.getLoc(), operand.get(),
                                           replicated));
      }
    }

    if (tpAxis < 0)
      continue;
    // Linear layers, in program order, so a layer's producer is classified
    // before the layer.
    llvm::SmallPtrSet<Operation *, 8> column;
    SmallVector<linalg::LinalgOp> layers;
    func.walk([&](linalg::LinalgOp op) {
      if (isLinearLayer(op))
        layers.push_back(op);
    });
    for (linalg::LinalgOp layer : layers) {
      Value lhs = layer.getDpsInputOperand(0)->get();
      OpOperand &rhs = *layer.getDpsInputOperand(1);
      auto weightType = cast<RankedTensorType>(rhs.get().getType());
      if (!isWeight(rhs.get()) || isWeight(lhs))
        continue;
      bool row = comesFromColumnParallel(lhs, column);
      // The weight dimension to split: its reduction (k) dimension for a
      // row-parallel layer, its output-feature (n) dimension for a
      // column-parallel one, wherever the indexing map puts it (an exported
      // nn.Linear reads its weight transposed).
      linalg::ContractionDimensions dims =
          *linalg::inferContractionDims(layer);
      unsigned loop = row ? dims.k.front() : dims.n.front();
      std::optional<unsigned> position =
          layer.getMatchingIndexingMap(&rhs).getResultPosition(
              getAffineDimExpr(loop, layer.getContext()));
      if (!position)
        continue;
      int64_t dim = *position;
      if (weightType.isDynamicDim(dim) || weightType.getDimSize(dim) % tp) {
        layer.emitRemark("ds-shard: weight dimension ")
            << dim << " is not divisible by tp=" << tp.getValue()
            << "; layer left replicated";
        continue;
      }
      // Heads that tp does not divide cannot be split: the projection's
      // output would be gathered again before attention. Leaving the
      // projection whole runs that attention replicated, without any
      // communication.
      if (!row) {
        int64_t featureDim =
            *layer.getMatchingIndexingMap(layer.getDpsInitOperand(0))
                 .getResultPosition(getAffineDimExpr(loop, layer.getContext()));
        std::optional<int64_t> heads = headsDownstream(layer, featureDim);
        if (heads && (ShapedType::isDynamic(*heads) || *heads % tp)) {
          layer.emitRemark("ds-shard: ")
              << "the " << *heads << " attention heads this projection feeds "
              << "are not divisible by tp=" << tp.getValue()
              << "; projection left replicated (attention runs replicated)";
          continue;
        }
      }
      b.setInsertionPoint(layer);
      SmallVector<SmallVector<int16_t>> split(weightType.getRank());
      split[dim] = {tpAxis};
      Value s = sharding(b, layer.getLoc(), split);
      rhs.set(shard::ShardOp::create(b, layer.getLoc(), rhs.get(), s,
                                     /*annotate_for_users=*/true));
      if (!row)
        column.insert(layer);
    }
  }
}

} // namespace
