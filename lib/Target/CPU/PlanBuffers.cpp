//===- PlanBuffers.cpp - static buffers → views of one arena -------------===//
//
// Liveness-based offset planning for a function's statically shaped
// intermediate buffers (see Passes.td for the rules). Deterministic: every
// decision depends on program order and sizes only, never on pointers.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/MathExtras.h"

namespace mlir::ds {
#define GEN_PASS_DEF_PLANBUFFERSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {

/// One plannable buffer.
struct Buffer {
  memref::AllocOp alloc;
  /// The alloc's result and type.
  Value value;
  MemRefType type;
  int64_t bytes = 0;
  /// Live interval, in top-level operation numbers (inclusive).
  int64_t first = 0, last = 0;
  /// The buffer and its views.
  llvm::SmallPtrSet<Value, 4> aliases;
};

/// Bytes of one element, or nullopt for types the arena does not hold
/// (sub-byte integers other than i1, vectors, complex, ...). i1 takes a
/// byte, as in the memref → LLVM lowering.
std::optional<int64_t> elementBytes(Type type) {
  if (isa<IndexType>(type))
    return 8;
  if (!type.isIntOrFloat())
    return std::nullopt;
  unsigned bits = type.getIntOrFloatBitWidth();
  if (bits == 1)
    return 1;
  if (bits % 8)
    return std::nullopt;
  return bits / 8;
}

/// The buffer size of `alloc` if the arena may hold it.
std::optional<int64_t> plannableBytes(memref::AllocOp alloc,
                                      int64_t alignment) {
  MemRefType type = alloc.getType();
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace() || !alloc.getDynamicSizes().empty() ||
      !alloc.getSymbolOperands().empty())
    return std::nullopt;
  if (std::optional<uint64_t> align = alloc.getAlignment())
    if (static_cast<int64_t>(*align) > alignment)
      return std::nullopt;
  std::optional<int64_t> elt = elementBytes(type.getElementType());
  if (!elt)
    return std::nullopt;
  return type.getNumElements() * *elt;
}

/// The top-level operations that use the address in `pointer` (the result
/// of memref.extract_aligned_pointer_as_index), added to `users`. The
/// address may pass through integer casts, `llvm.inttoptr` and offset
/// arithmetic and must end in operands of `func.call`s of `dsrt_kernel_*`
/// functions: the runtime kernels (FuseConvKernels calls them this way) use
/// their pointer arguments during the call only. Fails on any other use, which could keep the address beyond
/// the operation that uses it (a store, a returned value, a struct).
LogicalResult collectPointerUsers(Value pointer, Block &body,
                                  SmallVectorImpl<Operation *> &users) {
  SmallVector<Value> worklist{pointer};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (isa<arith::IndexCastOp, arith::IndexCastUIOp, LLVM::IntToPtrOp,
              LLVM::GEPOp, arith::AddIOp>(user)) {
        worklist.push_back(user->getResult(0));
        continue;
      }
      // dsrt_kernel_* calls are synchronous and keep no pointer.
      auto call = dyn_cast<func::CallOp>(user);
      if (!call || !call.getCallee().starts_with("dsrt_kernel_"))
        return failure();
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!top)
        return failure();
      users.push_back(top);
    }
  }
  return success();
}

/// Collects the views of `buffer` and its live interval. Fails when a use
/// lets the buffer escape the analysis.
LogicalResult analyzeUses(Buffer &buffer, Block &body,
                          const llvm::DenseMap<Operation *, int64_t> &order) {
  SmallVector<Value> worklist{buffer.value};
  buffer.aliases.insert(buffer.value);
  buffer.first = buffer.last = order.lookup(buffer.alloc.getOperation());
  bool used = false;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (user->hasTrait<OpTrait::IsTerminator>() ||
          isa<memref::DeallocOp, UnrealizedConversionCastOp>(user))
        return failure();
      // The address, passed to calls: live until the last of them.
      SmallVector<Operation *> pointerUsers;
      if (isa<memref::ExtractAlignedPointerAsIndexOp>(user) &&
          failed(collectPointerUsers(user->getResult(0), body, pointerUsers)))
        return failure();
      bool isView = false;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        isView = view.getViewSource() == value;
      if (isa<memref::ExtractStridedMetadataOp>(user))
        isView = true;
      for (Value result : user->getResults()) {
        if (!isa<BaseMemRefType>(result.getType()))
          continue;
        if (!isView)
          return failure();
        if (buffer.aliases.insert(result).second)
          worklist.push_back(result);
      }
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!top)
        return failure();
      pointerUsers.push_back(top);
      for (Operation *at : pointerUsers) {
        int64_t i = order.lookup(at);
        if (!used) {
          buffer.first = buffer.last = i;
          used = true;
        } else {
          buffer.first = std::min(buffer.first, i);
          buffer.last = std::max(buffer.last, i);
        }
      }
    }
  }
  return success();
}

/// If `op` may write buffer `out` in place of buffer `in` (see Passes.td).
bool canWriteInPlace(linalg::LinalgOp op, const Buffer &in,
                     const Buffer &out) {
  if (!op.hasPureBufferSemantics() ||
      op.getNumLoops() != op.getNumParallelLoops() ||
      in.type.getShape() != out.type.getShape() ||
      elementBytes(in.type.getElementType()) !=
          elementBytes(out.type.getElementType()))
    return false;
  std::optional<AffineMap> inMap, outMap;
  for (OpOperand &operand : op->getOpOperands()) {
    Value v = operand.get();
    bool isIn = v == in.value;
    bool isOut = v == out.value;
    if (!isIn && !isOut) {
      // Another view of either buffer would read or write other addresses.
      if (in.aliases.contains(v) || out.aliases.contains(v))
        return false;
      continue;
    }
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!map.isPermutation())
      return false;
    if (isOut && !op.isDpsInit(&operand))
      return false;
    if (isIn && op.isDpsInit(&operand))
      return false;
    std::optional<AffineMap> &slot = isIn ? inMap : outMap;
    if (slot && *slot != map)
      return false;
    slot = map;
  }
  return inMap && outMap && *inMap == *outMap;
}

struct PlanBuffersPass : ds::impl::PlanBuffersPassBase<PlanBuffersPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (alignment < 1 || !llvm::isPowerOf2_64(alignment)) {
      func.emitError() << "ds-cpu-plan-buffers: alignment must be a power of "
                          "two, got "
                       << static_cast<int64_t>(alignment);
      return signalPassFailure();
    }
    if (func.isExternal() || !func.getBody().hasOneBlock())
      return;
    Block &body = func.getBody().front();

    llvm::DenseMap<Operation *, int64_t> order;
    for (auto [i, op] : llvm::enumerate(body))
      order[&op] = i;

    // Candidates, in program order.
    SmallVector<Buffer> buffers;
    for (auto alloc : body.getOps<memref::AllocOp>()) {
      std::optional<int64_t> bytes = plannableBytes(alloc, alignment);
      if (!bytes)
        continue;
      Buffer buffer;
      buffer.alloc = alloc;
      buffer.value = alloc.getResult();
      buffer.type = alloc.getType();
      buffer.bytes = *bytes;
      if (succeeded(analyzeUses(buffer, body, order)))
        buffers.push_back(std::move(buffer));
    }
    if (buffers.empty())
      return;

    // In-place groups: a buffer joins the group of the input it overwrites.
    llvm::EquivalenceClasses<unsigned> groups;
    for (unsigned i = 0; i < buffers.size(); ++i)
      groups.insert(i);
    if (inPlace) {
      llvm::DenseMap<Value, unsigned> index;
      for (auto [i, b] : llvm::enumerate(buffers))
        index[b.value] = i;
      // One input per group at a time: the group's last use must be the op.
      SmallVector<int64_t> groupLast;
      for (const Buffer &b : buffers)
        groupLast.push_back(b.last);
      for (Operation &op : body) {
        auto linalgOp = dyn_cast<linalg::LinalgOp>(&op);
        if (!linalgOp || linalgOp.getNumDpsInits() != 1)
          continue;
        auto outIt = index.find(linalgOp.getDpsInits()[0]);
        if (outIt == index.end())
          continue;
        const Buffer &out = buffers[outIt->second];
        int64_t at = order.lookup(&op);
        if (out.first != at)
          continue;
        for (OpOperand *input : linalgOp.getDpsInputOperands()) {
          auto inIt = index.find(input->get());
          if (inIt == index.end())
            continue;
          const Buffer &in = buffers[inIt->second];
          unsigned leader = groups.getLeaderValue(inIt->second);
          if (in.last != at || groupLast[leader] != at ||
              !canWriteInPlace(linalgOp, in, out))
            continue;
          groups.unionSets(inIt->second, outIt->second);
          groupLast[groups.getLeaderValue(outIt->second)] = out.last;
          break;
        }
      }
    }

    // One slot per group: the union of the intervals, the largest size.
    struct Slot {
      int64_t bytes = 0, first = 0, last = 0, offset = 0;
      unsigned firstBuffer = 0;
    };
    SmallVector<Slot> slots;
    llvm::DenseMap<unsigned, unsigned> slotOf; // leader -> slot
    SmallVector<unsigned> bufferSlot(buffers.size());
    for (auto [i, b] : llvm::enumerate(buffers)) {
      unsigned leader = groups.getLeaderValue(i);
      auto [it, inserted] = slotOf.try_emplace(leader, slots.size());
      if (inserted)
        slots.push_back({b.bytes, b.first, b.last, 0, unsigned(i)});
      Slot &s = slots[it->second];
      s.bytes = std::max(s.bytes, b.bytes);
      s.first = std::min(s.first, b.first);
      s.last = std::max(s.last, b.last);
      bufferSlot[i] = it->second;
    }

    // Greedy by size, best fit.
    SmallVector<unsigned> bySize(slots.size());
    for (unsigned i = 0; i < slots.size(); ++i)
      bySize[i] = i;
    llvm::stable_sort(bySize, [&](unsigned a, unsigned b) {
      return slots[a].bytes > slots[b].bytes;
    });
    SmallVector<unsigned> placed;
    int64_t arenaBytes = 0;
    for (unsigned i : bySize) {
      Slot &s = slots[i];
      auto padded = [&](int64_t bytes) {
        return static_cast<int64_t>(
            llvm::alignTo(std::max<int64_t>(bytes, 1), alignment));
      };
      int64_t size = padded(s.bytes);
      // Placed slots live at the same time, by offset.
      SmallVector<const Slot *> busy;
      for (unsigned j : placed)
        if (slots[j].first <= s.last && s.first <= slots[j].last)
          busy.push_back(&slots[j]);
      llvm::stable_sort(busy, [](const Slot *a, const Slot *b) {
        return a->offset < b->offset;
      });
      int64_t best = -1, bestGap = 0, top = 0;
      for (const Slot *other : busy) {
        int64_t gap = other->offset - top;
        if (gap >= size && (best < 0 || gap < bestGap)) {
          best = top;
          bestGap = gap;
        }
        top = std::max(top, other->offset + padded(other->bytes));
      }
      s.offset = best >= 0 ? best : top;
      arenaBytes = std::max(arenaBytes, s.offset + size);
      placed.push_back(i);
    }

    // Rewrite: the arena first, then each alloc as a view into it.
    OpBuilder b(&getContext());
    b.setInsertionPointToStart(&body);
    Location loc = func.getLoc();
    auto arenaType = MemRefType::get({arenaBytes}, b.getI8Type());
    Value arena = memref::AllocOp::create(b, loc, arenaType, ValueRange{},
                                          b.getI64IntegerAttr(alignment));
    int64_t sumBytes = 0;
    for (auto [i, buffer] : llvm::enumerate(buffers)) {
      sumBytes += buffer.bytes;
      b.setInsertionPoint(buffer.alloc);
      Value offset = arith::ConstantIndexOp::create(
          b, buffer.alloc.getLoc(), slots[bufferSlot[i]].offset);
      Value view = memref::ViewOp::create(b, buffer.alloc.getLoc(),
                                          buffer.type, arena,
                                          offset, ValueRange{});
      buffer.value.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    func->setAttr("ds.arena_bytes", b.getI64IntegerAttr(arenaBytes));
    func->setAttr("ds.buffer_bytes", b.getI64IntegerAttr(sumBytes));
  }
};

} // namespace
