//===- DSCToRuntime.cpp - buffer-form dsc → dsrt collective calls ---------===//
//
// Emits calls to the functions of runtime/include/dsrt/collectives.h. The
// arguments are plain pointers and integers, so the calls are built with
// the func dialect and LLVM pointers (memref → aligned pointer) and lower
// with the rest of the module. Grid shapes and axes become private
// constant globals, one per distinct value.
//
// Failure handling: a failing collective must make ds_entry fail, and the
// ranks that still run must not block in a later collective that the failed
// rank never enters. Every call is therefore guarded by the module's status
// global: once one collective has failed, the remaining ones of the run are
// skipped (the computation runs to completion on stale data, which nobody
// reads), and ds_entry returns the status.
//
//===----------------------------------------------------------------------===//
#include "passes/Distributed/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::ds {
#define GEN_PASS_DEF_CONVERTDSCTORUNTIME
#include "passes/Distributed/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::coll;

namespace {

/// dsrt dtype codes (dsrt.h: ONNX TensorProto numbering).
std::optional<int32_t> dtypeCode(Type type) {
  if (type.isF32())
    return 1;
  if (type.isF16())
    return 10;
  if (type.isBF16())
    return 16;
  if (type.isF64())
    return 11;
  if (type.isInteger(1))
    return 9;
  if (type.isInteger(8))
    return 3;
  if (type.isInteger(16))
    return 5;
  if (type.isInteger(32))
    return 6;
  if (type.isInteger(64))
    return 7;
  return std::nullopt;
}

/// Status stored when the world size does not match the grid.
constexpr int32_t kWorldSizeMismatch = -1;

class RuntimeLowering {
public:
  RuntimeLowering(ModuleOp module)
      : module(module), ctx(module.getContext()), b(ctx),
        ptrType(LLVM::LLVMPointerType::get(ctx)), i32(b.getI32Type()),
        i64(b.getI64Type()) {}

  LogicalResult run();

private:
  LogicalResult lower(Operation *op);
  LogicalResult checkWorldSize(func::FuncOp func);

  func::FuncOp declare(StringRef name, TypeRange inputs);
  memref::GlobalOp constantGlobal(StringRef prefix, Type elementType,
                                  ArrayRef<int64_t> values);
  memref::GlobalOp statusGlobal();
  Value pointer(Location loc, Value memref);
  Value i32Const(Location loc, int64_t v) {
    return arith::ConstantIntOp::create(b, loc, i32, v);
  }
  Value i64Const(Location loc, int64_t v) {
    return arith::ConstantIntOp::create(b, loc, i64, v);
  }
  Value numElements(Location loc, Value memref);
  /// Emits `if (status == 0) status = call name(args)`.
  void guardedCall(Location loc, StringRef name, ValueRange args);
  /// (grid shape pointer, rank, axes pointer, axis count) of a group op.
  FailureOr<SmallVector<Value>> groupArgs(Operation *op, Location loc,
                                          FlatSymbolRefAttr grid,
                                          ArrayRef<int16_t> axes,
                                          int64_t &size);

  ModuleOp module;
  MLIRContext *ctx;
  OpBuilder b;
  Type ptrType, i32, i64;
  SymbolTableCollection symbols;
  llvm::StringMap<memref::GlobalOp> globals;
};

func::FuncOp RuntimeLowering::declare(StringRef name, TypeRange inputs) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto func = func::FuncOp::create(b, module.getLoc(), name,
                                   b.getFunctionType(inputs, {i32}));
  func.setPrivate();
  return func;
}

memref::GlobalOp RuntimeLowering::constantGlobal(StringRef prefix,
                                                 Type elementType,
                                                 ArrayRef<int64_t> values) {
  std::string name = "__dsc_" + prefix.str();
  for (int64_t v : values)
    name += "_" + std::to_string(v);
  if (auto it = globals.find(name); it != globals.end())
    return it->second;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto type = MemRefType::get({static_cast<int64_t>(values.size())},
                              elementType);
  SmallVector<Attribute> elements;
  for (int64_t v : values)
    elements.push_back(b.getIntegerAttr(elementType, v));
  auto tensorType =
      RankedTensorType::get(type.getShape(), type.getElementType());
  auto global = memref::GlobalOp::create(
      b, module.getLoc(), name, b.getStringAttr("private"), type,
      DenseElementsAttr::get(tensorType, elements), /*constant=*/true,
      /*alignment=*/IntegerAttr());
  globals[name] = global;
  return global;
}

memref::GlobalOp RuntimeLowering::statusGlobal() {
  if (auto existing =
          module.lookupSymbol<memref::GlobalOp>(kCollectiveStatusGlobal))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto type = MemRefType::get({}, i32);
  return memref::GlobalOp::create(
      b, module.getLoc(), kCollectiveStatusGlobal, b.getStringAttr("private"),
      type,
      DenseElementsAttr::get(RankedTensorType::get({}, i32),
                             b.getI32IntegerAttr(0)),
      /*constant=*/false, /*alignment=*/IntegerAttr());
}

Value RuntimeLowering::pointer(Location loc, Value memref) {
  Value index =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  Value integer = arith::IndexCastOp::create(b, loc, i64, index);
  return LLVM::IntToPtrOp::create(b, loc, ptrType, integer);
}

Value RuntimeLowering::numElements(Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  int64_t staticCount = 1;
  Value dynamic;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!type.isDynamicDim(d)) {
      staticCount *= type.getDimSize(d);
      continue;
    }
    Value dim = memref::DimOp::create(b, loc, memref, d);
    dynamic = dynamic ? arith::MulIOp::create(b, loc, dynamic, dim) : dim;
  }
  Value count = i64Const(loc, staticCount);
  if (dynamic)
    count = arith::MulIOp::create(
        b, loc, count, arith::IndexCastOp::create(b, loc, i64, dynamic));
  return count;
}

void RuntimeLowering::guardedCall(Location loc, StringRef name,
                                  ValueRange args) {
  func::FuncOp callee = declare(name, args.getTypes());
  memref::GlobalOp global = statusGlobal();
  Value status = memref::GetGlobalOp::create(b, loc, global.getType(),
                                             global.getSymName());
  Value current = memref::LoadOp::create(b, loc, status);
  Value ok = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, current,
                                   i32Const(loc, 0));
  auto ifOp = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  Value result = func::CallOp::create(b, loc, callee, args).getResult(0);
  memref::StoreOp::create(b, loc, result, status);
}

FailureOr<SmallVector<Value>>
RuntimeLowering::groupArgs(Operation *op, Location loc, FlatSymbolRefAttr grid,
                           ArrayRef<int16_t> axes, int64_t &size) {
  auto gridOp = symbols.lookupNearestSymbolFrom<shard::GridOp>(op, grid);
  if (!gridOp)
    return op->emitOpError("refers to an unknown grid ") << grid, failure();
  ArrayRef<int64_t> shape = gridOp.getShape();
  if (llvm::any_of(shape, ShapedType::isDynamic))
    return op->emitOpError("needs a grid of static shape"), failure();
  size = groupSize(shape, axes);
  memref::GlobalOp shapeGlobal = constantGlobal("grid", i64, shape);
  SmallVector<int64_t> axes64(axes.begin(), axes.end());
  memref::GlobalOp axesGlobal = constantGlobal("axes", i32, axes64);
  auto address = [&](memref::GlobalOp g) {
    return pointer(loc, memref::GetGlobalOp::create(b, loc, g.getType(),
                                                    g.getSymName()));
  };
  return SmallVector<Value>{address(shapeGlobal),
                            i32Const(loc, shape.size()),
                            address(axesGlobal), i32Const(loc, axes.size())};
}

/// Checks the buffer-form preconditions of the lowering.
LogicalResult checkBuffers(Operation *op, ValueRange buffers) {
  for (Value buffer : buffers) {
    auto type = dyn_cast<MemRefType>(buffer.getType());
    if (!type)
      return op->emitOpError("must be in buffer form (run one-shot "
                             "bufferization before ds-convert-dsc-to-runtime)");
    if (!type.getLayout().isIdentity())
      return op->emitOpError("needs contiguous identity-layout buffers, "
                             "found ")
             << type;
    if (!dtypeCode(type.getElementType()))
      return op->emitOpError("element type ")
             << type.getElementType() << " has no dsrt dtype";
  }
  return success();
}

LogicalResult RuntimeLowering::lower(Operation *op) {
  Location loc = op->getLoc();
  b.setInsertionPoint(op);

  if (auto rank = dyn_cast<WorldRankOp>(op)) {
    func::FuncOp callee = declare("dsrt_world_rank", {});
    Value r = func::CallOp::create(b, loc, callee, ValueRange{}).getResult(0);
    rank.replaceAllUsesWith(
        arith::IndexCastOp::create(b, loc, b.getIndexType(), r).getResult());
    op->erase();
    return success();
  }
  if (auto send = dyn_cast<SendOp>(op)) {
    if (failed(checkBuffers(op, send.getInput())))
      return failure();
    Type element = cast<MemRefType>(send.getInput().getType()).getElementType();
    guardedCall(loc, "dsrt_send",
                {pointer(loc, send.getInput()), numElements(loc, send.getInput()),
                 i32Const(loc, *dtypeCode(element)),
                 i64Const(loc, send.getPeer()), i32Const(loc, send.getTag())});
    op->erase();
    return success();
  }
  if (auto recv = dyn_cast<RecvOp>(op)) {
    if (!recv.getOut())
      return checkBuffers(op, recv.getResult());
    if (failed(checkBuffers(op, recv.getOut())))
      return failure();
    Type element = cast<MemRefType>(recv.getOut().getType()).getElementType();
    guardedCall(loc, "dsrt_recv",
                {pointer(loc, recv.getOut()), numElements(loc, recv.getOut()),
                 i32Const(loc, *dtypeCode(element)),
                 i64Const(loc, recv.getPeer()), i32Const(loc, recv.getTag())});
    op->erase();
    return success();
  }

  // Group collectives: common operands.
  Value input = op->getOperand(0);
  Value out = op->getNumOperands() > 1 ? op->getOperand(1) : Value();
  if (!out)
    return checkBuffers(op, input);
  if (failed(checkBuffers(op, {input, out})))
    return failure();
  auto gridAttr = op->getAttrOfType<FlatSymbolRefAttr>("grid");
  ArrayRef<int16_t> axes =
      op->getAttrOfType<DenseI16ArrayAttr>("grid_axes").asArrayRef();
  int64_t size = 0;
  FailureOr<SmallVector<Value>> group =
      groupArgs(op, loc, gridAttr, axes, size);
  if (failed(group))
    return failure();
  if (ShapedType::isDynamic(size))
    return op->emitOpError("needs a static group size");
  Type element = cast<MemRefType>(input.getType()).getElementType();
  Value dtype = i32Const(loc, *dtypeCode(element));
  auto algorithm = [&](Algorithm a) {
    return i32Const(loc, static_cast<int32_t>(a));
  };
  auto reduction = [&](ReductionKind k) {
    return i32Const(loc, static_cast<int32_t>(k));
  };
  auto leading = [&](uint64_t axis, StringRef what) -> LogicalResult {
    if (axis == 0)
      return success();
    return op->emitOpError() << what << " must be 0 for the runtime "
                             << "(run ds-decompose-collectives on tensors)";
  };

  // A group of one rank: the collective is a copy.
  if (size == 1) {
    memref::CopyOp::create(b, loc, input, out);
    op->erase();
    return success();
  }

  SmallVector<Value> args;
  StringRef callee;
  if (auto allReduce = dyn_cast<AllReduceOp>(op)) {
    callee = "dsrt_all_reduce";
    args = {pointer(loc, input), pointer(loc, out), numElements(loc, input),
            dtype, reduction(allReduce.getReduction())};
    args.append(*group);
    args.push_back(algorithm(allReduce.getAlgorithm()));
  } else if (auto gather = dyn_cast<AllGatherOp>(op)) {
    if (failed(leading(gather.getGatherAxis(), "gather_axis")))
      return failure();
    callee = "dsrt_all_gather";
    args = {pointer(loc, input), pointer(loc, out), numElements(loc, input),
            dtype};
    args.append(*group);
    args.push_back(algorithm(gather.getAlgorithm()));
  } else if (auto scatter = dyn_cast<ReduceScatterOp>(op)) {
    if (failed(leading(scatter.getScatterAxis(), "scatter_axis")))
      return failure();
    callee = "dsrt_reduce_scatter";
    args = {pointer(loc, input), pointer(loc, out), numElements(loc, out),
            dtype, reduction(scatter.getReduction())};
    args.append(*group);
    args.push_back(algorithm(scatter.getAlgorithm()));
  } else if (auto allToAll = dyn_cast<AllToAllOp>(op)) {
    if (failed(leading(allToAll.getSplitAxis(), "split_axis")) ||
        failed(leading(allToAll.getConcatAxis(), "concat_axis")))
      return failure();
    callee = "dsrt_all_to_all";
    Value count = arith::DivSIOp::create(b, loc, numElements(loc, input),
                                         i64Const(loc, size));
    args = {pointer(loc, input), pointer(loc, out), count, dtype};
    args.append(*group);
  } else if (auto broadcast = dyn_cast<BroadcastOp>(op)) {
    if (broadcast.getRoot() >= static_cast<uint64_t>(size))
      return op->emitOpError("root ")
             << broadcast.getRoot() << " is not below the group size " << size;
    // The runtime broadcasts in place: the result buffer starts as the
    // operand.
    memref::CopyOp::create(b, loc, input, out);
    callee = "dsrt_broadcast";
    args = {pointer(loc, out), numElements(loc, out), dtype,
            i64Const(loc, broadcast.getRoot())};
    args.append(*group);
  } else {
    return op->emitOpError("has no runtime lowering");
  }
  guardedCall(loc, callee, args);
  op->erase();
  return success();
}

LogicalResult RuntimeLowering::checkWorldSize(func::FuncOp func) {
  // The grids the function's collectives use, in order of first use.
  llvm::SetVector<Operation *> grids;
  WalkResult result = func.walk([&](Operation *op) {
    if (!isa<DSCDialect>(op->getDialect()))
      return WalkResult::advance();
    if (auto grid = op->getAttrOfType<FlatSymbolRefAttr>("grid")) {
      Operation *gridOp = symbols.lookupNearestSymbolFrom(op, grid);
      if (!isa_and_nonnull<shard::GridOp>(gridOp)) {
        op->emitOpError("refers to an unknown grid ") << grid;
        return WalkResult::interrupt();
      }
      grids.insert(gridOp);
    }
    return WalkResult::advance();
  });
  if (result.wasInterrupted())
    return failure();
  if (grids.empty() || func.isExternal())
    return success();
  Location loc = func.getLoc();
  b.setInsertionPointToStart(&func.getBody().front());
  func::FuncOp worldSize = declare("dsrt_world_size", {});
  Value world =
      func::CallOp::create(b, loc, worldSize, ValueRange{}).getResult(0);
  memref::GlobalOp global = statusGlobal();
  for (Operation *gridOp : grids) {
    int64_t size = 1;
    for (int64_t d : cast<shard::GridOp>(gridOp).getShape())
      size *= d;
    Value mismatch = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                           world, i32Const(loc, size));
    auto ifOp = scf::IfOp::create(b, loc, mismatch, false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    Value status = memref::GetGlobalOp::create(b, loc, global.getType(),
                                               global.getSymName());
    memref::StoreOp::create(b, loc, i32Const(loc, kWorldSizeMismatch),
                            status);
  }
  return success();
}

LogicalResult RuntimeLowering::run() {
  bool failed = false;
  for (auto func : llvm::to_vector(module.getOps<func::FuncOp>()))
    if (mlir::failed(checkWorldSize(func)))
      failed = true;
  if (failed)
    return failure();
  SmallVector<Operation *> ops;
  module.walk([&](Operation *op) {
    if (isa<DSCDialect>(op->getDialect()))
      ops.push_back(op);
  });
  for (Operation *op : ops)
    if (mlir::failed(lower(op)))
      failed = true;
  if (failed)
    return failure();
  // The grids now live in the constants passed to the runtime; nothing
  // below the func level knows shard.grid.
  for (auto grid : llvm::to_vector(module.getOps<shard::GridOp>()))
    if (SymbolTable::symbolKnownUseEmpty(grid, module))
      grid.erase();
  return success();
}

struct ConvertDSCToRuntimePass
    : public ds::impl::ConvertDSCToRuntimeBase<ConvertDSCToRuntimePass> {
  void runOnOperation() override {
    if (failed(RuntimeLowering(getOperation()).run()))
      signalPassFailure();
  }
};

} // namespace
