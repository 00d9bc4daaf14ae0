//===- DeviceMemory.cpp - buffers in device memory, staged I/O -----------===//
//
// After bufferization every buffer a kernel touches is a caller argument, a
// constant (memref.get_global) or a memref.alloc. This pass puts all of them
// in device memory:
//
//  - constants are uploaded once per artifact: a pointer-sized slot global
//    per constant, filled by the runtime on first use
//    (dsrtGpuResidentConstant) and released when the artifact is unloaded
//    (a global destructor calling dsrtGpuReleaseResident);
//  - memref.alloc/dealloc become gpu.alloc/gpu.dealloc (device memory from
//    the runtime's caching pool);
//  - each memref argument of a public function gets a device buffer; it is
//    copied in (host → device) unless the function only overwrites it, and
//    copied out (device → host) before each return if the function may
//    write it.
//
// Every device buffer ds allocates is at least 256-byte aligned (the
// driver's allocation granularity, kept by the pool's size classes); the
// pass states it with memref.assume_alignment so kernel generators may use
// wide vector accesses. The gpu ops are emitted synchronous; gpu-async-region
// later threads them onto one stream with one synchronization per call.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::ds {
#define GEN_PASS_DEF_DEVICEMEMORYPASS
#include "lib/Target/GPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
constexpr int64_t kDeviceAlignment = 256;
constexpr StringLiteral kResidentFn = "dsrtGpuResidentConstant";
constexpr StringLiteral kReleaseFn = "dsrtGpuReleaseResident";
constexpr StringLiteral kReleaseAllFn = "__ds_release_resident_constants";

/// How a function uses one of its buffer arguments.
struct ArgUse {
  bool read = false;
  bool written = false;
  /// Every write covers the whole buffer and nothing reads it first: the
  /// device copy need not be initialized from the caller's data.
  bool fullyOverwritten = false;
};

/// True when `op` writes all of `value` (an operand) without reading it:
/// a memref.copy into it, or a linalg op whose init it is, which does not
/// read the init and writes it through a permutation map.
bool overwritesWithoutReading(Operation *op, Value value) {
  if (auto copy = dyn_cast<memref::CopyOp>(op))
    return copy.getTarget() == value && copy.getSource() != value;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureBufferSemantics())
    return false;
  for (OpOperand &operand : op->getOpOperands()) {
    if (operand.get() != value)
      continue;
    if (!cast<DestinationStyleOpInterface>(op).isDpsInit(&operand) ||
        linalgOp.payloadUsesValueFromOperand(&operand) ||
        !linalgOp.getMatchingIndexingMap(&operand).isPermutation())
      return false;
  }
  return true;
}

/// Classifies the uses of `arg`, following views. Unknown users count as
/// reading and writing.
ArgUse classify(Value arg) {
  ArgUse use;
  bool allOverwrites = true, anyOverwrite = false;
  SmallVector<std::pair<Value, bool>> worklist{{arg, /*direct=*/true}};
  while (!worklist.empty()) {
    auto [value, direct] = worklist.pop_back_val();
    for (OpOperand &operand : value.getUses()) {
      Operation *user = operand.getOwner();
      if (isa<memref::DimOp>(user))
        continue;
      if (isa<ViewLikeOpInterface, memref::CastOp, memref::CollapseShapeOp,
              memref::ExpandShapeOp, memref::ReinterpretCastOp>(user)) {
        for (Value result : user->getResults())
          worklist.push_back({result, false});
        continue;
      }
      if (direct && overwritesWithoutReading(user, value)) {
        anyOverwrite = true;
        use.written = true;
        continue;
      }
      allOverwrites = false;
      auto effects = dyn_cast<MemoryEffectOpInterface>(user);
      if (!effects) {
        use.read = use.written = true;
        continue;
      }
      SmallVector<MemoryEffects::EffectInstance> instances;
      effects.getEffectsOnValue(value, instances);
      for (auto &instance : instances) {
        if (isa<MemoryEffects::Read>(instance.getEffect()))
          use.read = true;
        else if (isa<MemoryEffects::Write>(instance.getEffect()))
          use.written = true;
      }
      if (instances.empty() && !effects.hasNoEffect()) {
        // Effects on unspecified values: assume they touch this one.
        use.read = use.written = true;
      }
    }
  }
  use.fullyOverwritten = anyOverwrite && allOverwrites && !use.read;
  return use;
}

/// True when `op` runs on the host: no enclosing op becomes a kernel (a
/// linalg op's body, a parallel loop, a launch).
bool isHostCode(Operation *op, func::FuncOp func) {
  for (Operation *p = op->getParentOp(); p && p != func; p = p->getParentOp())
    if (isa<linalg::LinalgOp, scf::ParallelOp, gpu::LaunchOp>(p))
      return false;
  return true;
}

/// The memref descriptor struct of a static identity-layout memref type.
LLVM::LLVMStructType descriptorType(MLIRContext *ctx, int64_t rank) {
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = IntegerType::get(ctx, 64);
  SmallVector<Type> fields{ptr, ptr, i64};
  if (rank > 0) {
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
  }
  return LLVM::LLVMStructType::getLiteral(ctx, fields);
}

struct DeviceMemoryPass : ds::impl::DeviceMemoryPassBase<DeviceMemoryPass> {
  void runOnOperation() override;

private:
  /// Slot globals by constant name, in order of first use.
  llvm::MapVector<StringAttr, LLVM::GlobalOp> slots;

  LLVM::LLVMFuncOp declare(ModuleOp module, StringRef name,
                           LLVM::LLVMFunctionType type) {
    if (auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
      return fn;
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    return LLVM::LLVMFuncOp::create(b, module.getLoc(), name, type);
  }
  LLVM::GlobalOp slotFor(ModuleOp module, memref::GlobalOp global);
  Value residentConstant(OpBuilder &b, ModuleOp module,
                         memref::GetGlobalOp get, memref::GlobalOp global);
  LogicalResult convertFunction(ModuleOp module, func::FuncOp func);
  void emitRelease(ModuleOp module);
};

LLVM::GlobalOp DeviceMemoryPass::slotFor(ModuleOp module,
                                         memref::GlobalOp global) {
  StringAttr name = global.getSymNameAttr();
  if (auto it = slots.find(name); it != slots.end())
    return it->second;
  MLIRContext *ctx = module.getContext();
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto slot = LLVM::GlobalOp::create(
      b, global.getLoc(), ptr, /*isConstant=*/false, LLVM::Linkage::Internal,
      ("__ds_resident_" + name.getValue()).str(), Attribute());
  Block *init = b.createBlock(&slot.getInitializerRegion());
  b.setInsertionPointToStart(init);
  Value null = LLVM::ZeroOp::create(b, global.getLoc(), ptr);
  LLVM::ReturnOp::create(b, global.getLoc(), null);
  slots.insert({name, slot});
  return slot;
}

/// The device copy of `global`, as a memref of the same type:
///   ptr = dsrtGpuResidentConstant(&slot, host pointer, bytes)
/// wrapped in a descriptor.
Value DeviceMemoryPass::residentConstant(OpBuilder &b, ModuleOp module,
                                         memref::GetGlobalOp get,
                                         memref::GlobalOp global) {
  MLIRContext *ctx = module.getContext();
  Location loc = get.getLoc();
  auto type = cast<MemRefType>(get.getType());
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = IntegerType::get(ctx, 64);
  LLVM::GlobalOp slot = slotFor(module, global);
  LLVM::LLVMFuncOp resident = declare(
      module, kResidentFn, LLVM::LLVMFunctionType::get(ptr, {ptr, ptr, i64}));

  Value host = memref::GetGlobalOp::create(b, loc, type, global.getSymName());
  Value hostIndex =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, host);
  Value hostInt = arith::IndexCastOp::create(b, loc, i64, hostIndex);
  Value hostPtr = LLVM::IntToPtrOp::create(b, loc, ptr, hostInt);
  Value slotPtr = LLVM::AddressOfOp::create(b, loc, slot);
  int64_t bytes = type.getNumElements() *
                  llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  Value size = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(bytes));
  Value device =
      LLVM::CallOp::create(b, loc, resident, ValueRange{slotPtr, hostPtr, size})
          .getResult();

  // {allocated, aligned, offset = 0, sizes, strides} of the device copy.
  int64_t rank = type.getRank();
  auto structType = descriptorType(ctx, rank);
  Value desc = LLVM::PoisonOp::create(b, loc, structType);
  auto constant = [&](int64_t v) {
    return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v));
  };
  desc = LLVM::InsertValueOp::create(b, loc, desc, device, ArrayRef<int64_t>{0});
  desc = LLVM::InsertValueOp::create(b, loc, desc, device, ArrayRef<int64_t>{1});
  desc = LLVM::InsertValueOp::create(b, loc, desc, constant(0),
                                     ArrayRef<int64_t>{2});
  SmallVector<int64_t> strides;
  int64_t offset;
  (void)type.getStridesAndOffset(strides, offset);
  for (int64_t i = 0; i < rank; ++i) {
    desc = LLVM::InsertValueOp::create(b, loc, desc, constant(type.getDimSize(i)),
                                       ArrayRef<int64_t>{3, i});
    desc = LLVM::InsertValueOp::create(b, loc, desc, constant(strides[i]),
                                       ArrayRef<int64_t>{4, i});
  }
  Value memref =
      UnrealizedConversionCastOp::create(b, loc, TypeRange{type},
                                         ValueRange{desc})
          .getResult(0);
  return memref::AssumeAlignmentOp::create(b, loc, memref, kDeviceAlignment);
}

LogicalResult DeviceMemoryPass::convertFunction(ModuleOp module,
                                                func::FuncOp func) {
  Block &entry = func.getBody().front();
  OpBuilder b(func.getContext());

  // Host-side accesses would dereference device pointers.
  WalkResult hostAccess = func.walk([&](Operation *op) {
    if (isa<memref::LoadOp, memref::StoreOp, memref::AllocaOp>(op) &&
        isHostCode(op, func)) {
      InFlightDiagnostic diag = op->emitOpError();
      // An imported model's ops are located at their node's name inside
      // the file (`"/head/MatMul"("model.onnx":0:0)`), and diagnostics
      // print only the file part: name the node.
      if (auto name = op->getLoc()->findInstanceOf<NameLoc>())
        diag << "from '" << name.getName().getValue() << "' ";
      diag << "in host code: ds keeps every buffer in device memory, so "
              "the host cannot access it (run the access in a kernel, or "
              "build with device-memory=false)";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (hostAccess.wasInterrupted())
    return failure();

  // Constants: one device copy per global, looked up at the entry.
  b.setInsertionPointToStart(&entry);
  llvm::DenseMap<StringAttr, Value> resident;
  Operation *lastConstant = nullptr;
  SmallVector<memref::GetGlobalOp> gets;
  func.walk([&](memref::GetGlobalOp get) { gets.push_back(get); });
  for (memref::GetGlobalOp get : gets) {
    auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
        get, get.getNameAttr());
    if (!global)
      return get.emitOpError("refers to an unknown global");
    if (!global.getConstant())
      return get.emitOpError("reads the mutable global @")
             << global.getSymName()
             << ": only constants can live in device memory";
    auto type = cast<MemRefType>(get.getType());
    if (!type.hasStaticShape() || !type.getLayout().isIdentity())
      return get.emitOpError("expected a static identity-layout constant");
    Value &device = resident[global.getSymNameAttr()];
    if (!device) {
      device = residentConstant(b, module, get, global);
      lastConstant = device.getDefiningOp();
    }
    get.replaceAllUsesWith(device);
  }
  for (memref::GetGlobalOp get : gets)
    if (get->use_empty())
      get.erase();

  // Intermediates: device memory from the pool.
  SmallVector<memref::AllocOp> allocs;
  SmallVector<memref::DeallocOp> deallocs;
  func.walk([&](memref::AllocOp op) { allocs.push_back(op); });
  func.walk([&](memref::DeallocOp op) { deallocs.push_back(op); });
  for (memref::AllocOp alloc : allocs) {
    if (!alloc.getType().getLayout().isIdentity())
      return alloc.emitOpError("expected an identity layout for a device "
                               "allocation");
    b.setInsertionPoint(alloc);
    auto device = gpu::AllocOp::create(
        b, alloc.getLoc(), alloc.getType(), /*asyncToken=*/Type(),
        /*asyncDependencies=*/ValueRange(), alloc.getDynamicSizes(),
        alloc.getSymbolOperands(), /*hostShared=*/false);
    Value aligned = memref::AssumeAlignmentOp::create(
        b, alloc.getLoc(), device.getMemref(), kDeviceAlignment);
    alloc.replaceAllUsesWith(aligned);
    alloc.erase();
  }
  for (memref::DeallocOp dealloc : deallocs) {
    b.setInsertionPoint(dealloc);
    gpu::DeallocOp::create(b, dealloc.getLoc(), /*asyncToken=*/Type(),
                           ValueRange(), dealloc.getMemref());
    dealloc.erase();
  }

  // Caller buffers of public functions: staged through device copies.
  if (!func.isPublic())
    return success();
  struct Staged {
    BlockArgument host;
    Value device;
    bool copyOut;
  };
  SmallVector<Staged> staged;
  // After the constants, so that the runtime calls precede every gpu op.
  if (lastConstant)
    b.setInsertionPointAfter(lastConstant);
  else
    b.setInsertionPointToStart(&entry);
  for (BlockArgument arg : entry.getArguments()) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type) {
      if (isa<UnrankedMemRefType>(arg.getType()))
        return emitError(arg.getLoc(), "argument #")
               << arg.getArgNumber() << " of @" << func.getSymName()
               << " is an unranked memref: device buffers need a rank";
      continue;
    }
    if (!type.getLayout().isIdentity())
      return emitError(arg.getLoc(), "argument #")
             << arg.getArgNumber() << " of @" << func.getSymName()
             << " has a non-identity layout: expected the boundary contract "
                "(identity layouts)";
    ArgUse use = classify(arg);
    Location loc = arg.getLoc();
    SmallVector<Value> dynamicSizes;
    for (int64_t i = 0; i < type.getRank(); ++i)
      if (type.isDynamicDim(i))
        dynamicSizes.push_back(memref::DimOp::create(b, loc, arg, i));
    auto device = gpu::AllocOp::create(b, loc, type, Type(), ValueRange(),
                                       dynamicSizes, ValueRange(),
                                       /*hostShared=*/false);
    Value aligned = memref::AssumeAlignmentOp::create(
        b, loc, device.getMemref(), kDeviceAlignment);
    if (!use.fullyOverwritten)
      gpu::MemcpyOp::create(b, loc, Type(), ValueRange(), device.getMemref(),
                            arg);
    SmallPtrSet<Operation *, 4> keep;
    for (Value size : dynamicSizes)
      keep.insert(size.getDefiningOp());
    for (Operation *user : arg.getUsers())
      if (isa<gpu::MemcpyOp>(user) && user->getBlock() == &entry &&
          user->getOperand(1) == arg)
        keep.insert(user);
    arg.replaceAllUsesExcept(aligned, keep);
    staged.push_back({arg, aligned, use.written});
  }
  func.walk([&](func::ReturnOp ret) {
    b.setInsertionPoint(ret);
    for (Staged &s : staged)
      if (s.copyOut)
        gpu::MemcpyOp::create(b, ret.getLoc(), Type(), ValueRange(), s.host,
                              s.device);
    for (Staged &s : staged)
      gpu::DeallocOp::create(b, ret.getLoc(), Type(), ValueRange(), s.device);
  });
  return success();
}

/// One destructor for the artifact: releases each constant's device copy.
void DeviceMemoryPass::emitRelease(ModuleOp module) {
  if (slots.empty())
    return;
  MLIRContext *ctx = module.getContext();
  Location loc = module.getLoc();
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type voidType = LLVM::LLVMVoidType::get(ctx);
  LLVM::LLVMFuncOp release =
      declare(module, kReleaseFn, LLVM::LLVMFunctionType::get(voidType, {ptr}));
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto releaseAll = LLVM::LLVMFuncOp::create(
      b, loc, kReleaseAllFn, LLVM::LLVMFunctionType::get(voidType, {}),
      LLVM::Linkage::Internal);
  b.setInsertionPointToStart(releaseAll.addEntryBlock(b));
  for (auto &[name, slot] : slots) {
    Value slotPtr = LLVM::AddressOfOp::create(b, loc, slot);
    LLVM::CallOp::create(b, loc, release, ValueRange{slotPtr});
  }
  LLVM::ReturnOp::create(b, loc, ValueRange());
  b.setInsertionPointToEnd(module.getBody());
  LLVM::GlobalDtorsOp::create(
      b, loc, b.getArrayAttr(FlatSymbolRefAttr::get(releaseAll)),
      b.getI32ArrayAttr({0}), b.getArrayAttr(LLVM::ZeroAttr::get(ctx)));
}

void DeviceMemoryPass::runOnOperation() {
  ModuleOp module = getOperation();
  slots.clear();
  if (!module.getOps<LLVM::GlobalDtorsOp>().empty()) {
    module.emitError("ds-gpu-device-memory: the module already has global "
                     "destructors");
    return signalPassFailure();
  }
  for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
    if (func.isExternal())
      continue;
    if (failed(convertFunction(module, func)))
      return signalPassFailure();
  }
  emitRelease(module);
}
} // namespace
