//===- LowerTopology.cpp - choose dsc collective algorithms ---------------===//
//
// The bridge between the dsc dialect and the topology cost model
// (ds::sched::chooseSchedule): message size and rank group come from the op,
// the algorithm and level go back onto it.
//
//===----------------------------------------------------------------------===//
#include "passes/Distributed/LowerTopology/Passes.h"

#include "Collective/CollectiveOps.h"
#include "ds/Collectives/Schedule.h"
#include "ds/Topology/Topology.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ManagedStatic.h"

namespace mlir::ds {
#define GEN_PASS_DEF_LOWERTOPOLOGY
#include "passes/Distributed/LowerTopology/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;
namespace sched = ::ds::sched;
namespace topo = ::ds::topo;

namespace {

/// The command-line flag, constructed only by registerLowerTopologyCLOptions
/// so that libraries linking the pass do not grow a global option.
struct TopologyCLOptions {
  llvm::cl::opt<bool> report{
      "ds-topology-report",
      llvm::cl::desc("Explain ds-lower-topology's choices: per collective, "
                     "every candidate schedule with its predicted time and "
                     "the one chosen (remarks on stderr)"),
      llvm::cl::init(false)};
};
llvm::ManagedStatic<TopologyCLOptions> clOptions;

/// Bytes of a ranked tensor or memref with a static shape, or -1.
int64_t staticBytes(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape() ||
      !shaped.getElementType().isIntOrFloat())
    return -1;
  int64_t bits = shaped.getElementType().getIntOrFloatBitWidth();
  return shaped.getNumElements() * ((bits + 7) / 8);
}

/// What the cost model needs from one collective.
struct Collective {
  sched::CollectiveKind kind;
  Value input;
  FlatSymbolRefAttr grid;
  ArrayRef<int16_t> axes;
  /// nccl-tests size: the output for all_gather, the input otherwise.
  bool sizeIsOutput = false;
};

std::optional<Collective> describe(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<Collective>>(op)
      .Case([](coll::AllReduceOp o) {
        return Collective{sched::CollectiveKind::AllReduce, o.getInput(),
                          o.getGridAttr(), o.getGridAxes()};
      })
      .Case([](coll::AllGatherOp o) {
        return Collective{sched::CollectiveKind::AllGather, o.getInput(),
                          o.getGridAttr(), o.getGridAxes(),
                          /*sizeIsOutput=*/true};
      })
      .Case([](coll::ReduceScatterOp o) {
        return Collective{sched::CollectiveKind::ReduceScatter, o.getInput(),
                          o.getGridAttr(), o.getGridAxes()};
      })
      .Case([](coll::AllToAllOp o) {
        return Collective{sched::CollectiveKind::AllToAll, o.getInput(),
                          o.getGridAttr(), o.getGridAxes()};
      })
      .Case([](coll::BroadcastOp o) {
        return Collective{sched::CollectiveKind::Broadcast, o.getInput(),
                          o.getGridAttr(), o.getGridAxes()};
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// Sets `algorithm` on the ops that have one and are still `auto`.
void setAlgorithm(Operation *op, sched::Algorithm a) {
  auto value = static_cast<coll::Algorithm>(static_cast<int32_t>(a));
  llvm::TypeSwitch<Operation *>(op)
      .Case<coll::AllReduceOp, coll::AllGatherOp, coll::ReduceScatterOp>(
          [&](auto o) {
            if (o.getAlgorithm() == coll::Algorithm::Auto)
              o.setAlgorithm(value);
          });
}

bool hasAutoAlgorithm(Operation *op) {
  return llvm::TypeSwitch<Operation *, bool>(op)
      .Case<coll::AllReduceOp, coll::AllGatherOp, coll::ReduceScatterOp>(
          [](auto o) { return o.getAlgorithm() == coll::Algorithm::Auto; })
      .Default([](Operation *) { return false; });
}

struct LowerTopologyPass
    : mlir::ds::impl::LowerTopologyBase<LowerTopologyPass> {
  using LowerTopologyBase::LowerTopologyBase;

  /// `report`, or --ds-topology-report.
  bool explain = false;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (topology.empty()) {
      module.emitError("ds-lower-topology needs a cluster description: "
                       "ds-lower-topology{topology=FILE}");
      return signalPassFailure();
    }
    topo::Diagnostic diag;
    std::optional<topo::Topology> t = topo::loadTopology(topology, diag);
    if (!t) {
      module.emitError("invalid topology: ") << diag.str();
      return signalPassFailure();
    }
    explain = report || isTopologyReportRequested();
    SymbolTableCollection symbols;
    WalkResult result = module.walk([&](Operation *op) {
      std::optional<Collective> c = describe(op);
      if (!c)
        return WalkResult::advance();
      return lower(op, *c, *t, symbols);
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  WalkResult lower(Operation *op, const Collective &c, const topo::Topology &t,
                   SymbolTableCollection &symbols) {
    auto grid = symbols.lookupNearestSymbolFrom<shard::GridOp>(op, c.grid);
    if (!grid) {
      op->emitError("unknown grid ") << c.grid;
      return WalkResult::interrupt();
    }
    ArrayRef<int64_t> shape = grid.getShape();
    int64_t devices = 1;
    for (int64_t s : shape) {
      if (ShapedType::isDynamic(s)) {
        op->emitError("grid ")
            << c.grid << " has a dynamic axis; topology lowering needs "
            << "every device placed";
        return WalkResult::interrupt();
      }
      devices *= s;
    }
    if (devices != t.ranks()) {
      op->emitError("grid ")
          << c.grid << " has " << devices << " devices but topology '" << t.name
          << "' has " << t.ranks() << " ranks";
      return WalkResult::interrupt();
    }
    int64_t bytes = staticBytes(c.input.getType());
    if (bytes < 0) {
      op->emitError(
          "topology lowering needs a static shape and an integer or float "
          "element type, found ")
          << c.input.getType();
      return WalkResult::interrupt();
    }
    // The group of rank 0: coordinates 0 off the axes, every value on them.
    // All groups have the same shape, so this one prices them all.
    SmallVector<int64_t> strides(shape.size(), 1);
    for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
      strides[i] = strides[i + 1] * shape[i + 1];
    sched::Group group;
    group.ranks.push_back(0);
    for (int16_t axis : c.axes) {
      size_t n = group.ranks.size();
      for (int64_t k = 1; k < shape[axis]; ++k)
        for (size_t j = 0; j < n; ++j)
          group.ranks.push_back(group.ranks[j] + k * strides[axis]);
    }
    uint64_t size = static_cast<uint64_t>(bytes);
    if (c.sizeIsOutput)
      size *= group.ranks.size();

    // The level: the outermost one the group spans.
    int level = 0;
    for (int64_t r : group.ranks)
      if (r != group.ranks.front())
        level = std::max(level, t.levelBetween(group.ranks.front(), r));
    if (!op->hasAttr("level"))
      op->setAttr("level", IntegerAttr::get(
                               IntegerType::get(op->getContext(), 64), level));

    if (group.ranks.size() < 2 || size == 0) {
      if (explain)
        op->emitRemark("a group of one rank: the collective is a local copy");
      return WalkResult::advance();
    }
    bool choose = hasAutoAlgorithm(op);
    if (!choose && !explain)
      return WalkResult::advance();
    sched::Schedule s = sched::chooseSchedule(t, c.kind, size, group);
    if (s.algorithm == sched::Algorithm::Auto) {
      op->emitError("no schedule: ") << s.explanation;
      return WalkResult::interrupt();
    }
    if (choose)
      setAlgorithm(op, s.algorithm);
    if (explain)
      op->emitRemark(sched::report(s));
    return WalkResult::advance();
  }
};

} // namespace

void mlir::ds::registerLowerTopologyCLOptions() { *clOptions; }

bool mlir::ds::isTopologyReportRequested() {
  return clOptions.isConstructed() && clOptions->report;
}
