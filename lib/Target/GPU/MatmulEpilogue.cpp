//===- MatmulEpilogue.cpp - what a tensor-core matmul can absorb ----------===//
//
// Buffer-level analyses for ds-gpu-tensor-core-matmul (MatmulEpilogue.h).
//
// Why on buffers: the kernel itself is built on buffers (after buffer
// deallocation, which rejects GPU ops), and recognizing the producer and
// consumer there keeps everything in one pass with no new op that would have
// to survive bufferization. The price is alias reasoning, kept conservative
// here: two buffers are distinct only when their roots (through view ops)
// differ and one of them is an allocation or a global; ops between the
// matmul and its consumer must not touch any buffer either of them uses.
//
//===----------------------------------------------------------------------===//
#include "MatmulEpilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;
using namespace mlir::ds::gpu_epilogue;

namespace {
/// The buffer a view is a view of (through any number of views).
Value getRoot(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>()) {
    if (view.getViewSource() == v)
      break;
    v = view.getViewSource();
  }
  return v;
}

bool isFreshAllocation(Value root) {
  return root.getDefiningOp<memref::AllocOp>() ||
         root.getDefiningOp<memref::AllocaOp>() ||
         root.getDefiningOp<gpu::AllocOp>();
}

/// Whether two buffers may share memory. Caller buffers (function
/// arguments) may alias each other; allocations alias nothing else; two
/// get_global of one global are the same memory.
bool mayAlias(Value a, Value b) {
  if (!isa<BaseMemRefType>(a.getType()) || !isa<BaseMemRefType>(b.getType()))
    return false;
  Value ra = getRoot(a), rb = getRoot(b);
  if (ra == rb)
    return true;
  if (isFreshAllocation(ra) || isFreshAllocation(rb))
    return false;
  auto ga = ra.getDefiningOp<memref::GetGlobalOp>();
  auto gb = rb.getDefiningOp<memref::GetGlobalOp>();
  if (ga && gb)
    return ga.getName() == gb.getName();
  if (ga || gb)
    return false; // constants are never handed in by the caller
  return true;
}

/// Whether `op` or an op nested in it uses a buffer that may alias `buf`.
bool touches(Operation *op, Value buf) {
  WalkResult r = op->walk([&](Operation *nested) {
    for (Value operand : nested->getOperands())
      if (mayAlias(operand, buf))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return r.wasInterrupted();
}

bool isPureView(Operation *op) {
  return isa<ViewLikeOpInterface>(op) && isMemoryEffectFree(op);
}

/// Whether `op`, which touches `buf`, only reads it.
bool onlyReads(Operation *op, Value buf) {
  if (isPureView(op))
    return true;
  if (auto copy = dyn_cast<memref::CopyOp>(op))
    return !mayAlias(copy.getTarget(), buf);
  if (isa<memref::LoadOp>(op))
    return true;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return llvm::none_of(linalgOp.getDpsInits(),
                         [&](Value init) { return mayAlias(init, buf); });
  return false;
}

/// The op that last wrote all of `buf` before `before` in the same block,
/// if it is a fill or a copy into exactly `buf`; `readBetween` says whether
/// something read `buf` after that write.
Operation *findLastWriter(Value buf, Operation *before, bool &readBetween) {
  readBetween = false;
  for (Operation *op = before->getPrevNode(); op; op = op->getPrevNode()) {
    if (!touches(op, buf))
      continue;
    if (auto fill = dyn_cast<linalg::FillOp>(op);
        fill && fill.hasPureBufferSemantics() &&
        fill.getDpsInits()[0] == buf)
      return op;
    if (auto copy = dyn_cast<memref::CopyOp>(op);
        copy && copy.getTarget() == buf && !mayAlias(copy.getSource(), buf))
      return op;
    if (!onlyReads(op, buf))
      return nullptr;
    if (!isPureView(op))
      readBetween = true;
  }
  return nullptr;
}

/// Every value that views `root` (root included).
SmallVector<Value> viewsOf(Value root) {
  SmallVector<Value> views{root};
  for (size_t i = 0; i < views.size(); ++i)
    for (Operation *user : views[i].getUsers())
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == views[i])
        views.push_back(view.getViewDest());
  return views;
}

bool isDealloc(Operation *op) {
  return isa<memref::DeallocOp, gpu::DeallocOp>(op);
}

/// Whether `view` is `base` re-shaped by expand/collapse_shape only (a
/// different shape over the same contiguous row-major elements).
bool isReshapeOf(Value view, Value base) {
  while (view != base) {
    Operation *def = view.getDefiningOp();
    if (!def || !isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def))
      return false;
    view = def->getOperand(0);
  }
  return true;
}

bool hasIdentityLayout(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.hasStaticShape() && type.getLayout().isIdentity();
}
} // namespace

FailureOr<ConstantInit>
mlir::ds::gpu_epilogue::findConstantInit(linalg::LinalgOp matmul) {
  Value c = matmul.getDpsInits()[0];
  bool readBetween = false;
  Operation *writer = findLastWriter(c, matmul, readBetween);
  if (!writer)
    return failure();
  ConstantInit init;
  if (!readBetween)
    init.deadWriter = writer;
  if (auto fill = dyn_cast<linalg::FillOp>(writer)) {
    init.value = fill.getDpsInputs()[0];
    return init;
  }
  // A copy of a buffer filled earlier (CSE merges identical fills on
  // tensors, so bufferization copies one zero buffer into each init). The
  // copy's shape equals C's, so the source holds the same splat.
  auto copy = cast<memref::CopyOp>(writer);
  bool sourceReadBetween = false;
  auto fill = dyn_cast_or_null<linalg::FillOp>(
      findLastWriter(copy.getSource(), copy, sourceReadBetween));
  if (!fill)
    return failure();
  init.value = fill.getDpsInputs()[0];
  return init;
}

FailureOr<Epilogue>
mlir::ds::gpu_epilogue::findEpilogue(linalg::LinalgOp matmul, int64_t n,
                                     std::string &why) {
  Value c = matmul.getDpsInits()[0];
  Block *block = matmul->getBlock();
  if (!hasIdentityLayout(c)) {
    why = "the result is not a local buffer";
    return failure();
  }
  // The first op after the matmul that touches the result (views aside).
  Operation *consumer = nullptr;
  for (Operation *op = matmul->getNextNode(); op; op = op->getNextNode())
    if (touches(op, c) && !isPureView(op)) {
      consumer = op;
      break;
    }
  auto generic = dyn_cast_or_null<linalg::GenericOp>(consumer);
  if (!generic || !generic.hasPureBufferSemantics() ||
      generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops()) {
    why = "the result's next reader is not an elementwise linalg.generic";
    return failure();
  }
  // In place (bufferization's choice when the result is the caller's
  // buffer): the generic overwrites C with its output, so C ends up as it
  // would unfused and later readers are fine.
  Value out = generic.getDpsInits()[0];
  bool inPlace = out == c;
  if (!inPlace && !isFreshAllocation(c)) {
    why = "the result is not a local buffer";
    return failure();
  }
  // Otherwise everything else using the result comes before the matmul,
  // or frees it.
  for (Value view : inPlace ? SmallVector<Value>() : viewsOf(c))
    for (Operation *user : view.getUsers()) {
      Operation *top = block->findAncestorOpInBlock(*user);
      if (!top || top == generic || isPureView(user) || isDealloc(user))
        continue;
      if (top == matmul || top->isBeforeInBlock(matmul))
        continue;
      why = "the result has another reader";
      return failure();
    }

  Epilogue epilogue;
  epilogue.generic = generic;
  epilogue.inPlace = inPlace;
  std::optional<unsigned> accInput;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    Value v = input->get();
    if (!mayAlias(v, c))
      continue;
    if (accInput || !isReshapeOf(v, c) ||
        !generic.getMatchingIndexingMap(input).isIdentity()) {
      why = "the consumer reads the result more than once or not "
            "elementwise";
      return failure();
    }
    accInput = input->getOperandNumber();
  }
  if (!accInput || (!inPlace && mayAlias(out, c))) {
    why = "the consumer does not read the result";
    return failure();
  }
  epilogue.accInput = *accInput;
  if (!generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
           .isIdentity() ||
      !hasIdentityLayout(out)) {
    why = "the consumer's output is not written elementwise";
    return failure();
  }

  // Other blocks keep reading A and B (and broadcast operands) while the
  // epilogue stores: the output must not overlap them.
  for (Value operand : matmul.getDpsInputs())
    if (mayAlias(out, operand)) {
      why = "the consumer's output may alias a matmul operand";
      return failure();
    }
  for (OpOperand *input : generic.getDpsInputOperands()) {
    if (input->getOperandNumber() == *accInput)
      continue;
    AffineMap map = generic.getMatchingIndexingMap(input);
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/true)) {
      why = "the consumer has an operand indexed by a non-projection";
      return failure();
    }
    // Read at exactly the element written is safe (the same thread reads
    // then writes it); anything else must be distinct memory. In place,
    // the output holds the matmul's result, which only the accumulator
    // has: no other input may read it.
    if (inPlace && mayAlias(input->get(), out)) {
      why = "the consumer's output may alias one of its inputs";
      return failure();
    }
    if (mayAlias(input->get(), out) &&
        !(input->get() == out && map.isIdentity())) {
      why = "the consumer's output may alias one of its inputs";
      return failure();
    }
  }
  // The kernel runs where the consumer is: nothing in between may touch
  // what the kernel reads or writes.
  SmallVector<Value> used(matmul.getDpsInputs());
  llvm::append_range(used, generic->getOperands());
  for (Operation *op = matmul->getNextNode(); op != generic;
       op = op->getNextNode()) {
    if (isPureView(op))
      continue;
    for (Value v : used)
      if (isa<BaseMemRefType>(v.getType()) && !mayAlias(v, c) &&
          touches(op, v)) {
        why = "an op between the matmul and its consumer touches their "
              "operands";
        return failure();
      }
  }

  // Row-major: element (r, n) of the [rows x N] result is linear element
  // r·N + n of the consumer's loop space; N must be a suffix product.
  epilogue.loopShape = llvm::to_vector(
      cast<MemRefType>(generic->getOperand(*accInput).getType()).getShape());
  int64_t suffix = 1;
  int64_t split = epilogue.loopShape.size();
  while (split > 0 && suffix < n)
    suffix *= epilogue.loopShape[--split];
  if (suffix != n) {
    why = "the consumer's view splits a row of the result";
    return failure();
  }
  epilogue.rowDims = split;
  return epilogue;
}

void mlir::ds::gpu_epilogue::emitEpilogueElement(OpBuilder &b, Location loc,
                                                 const Epilogue &epilogue,
                                                 Value acc, Value row,
                                                 Value col) {
  linalg::GenericOp generic = epilogue.generic;
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  // Delinearize row over the leading loops and col over the trailing ones.
  SmallVector<Value> ivs(epilogue.loopShape.size());
  auto delinearize = [&](Value linear, unsigned begin, unsigned end) {
    for (unsigned d = end; d-- > begin;) {
      int64_t extent = epilogue.loopShape[d];
      if (d == begin) {
        ivs[d] = linear;
        break;
      }
      ivs[d] = arith::RemUIOp::create(b, loc, linear, cst(extent));
      linear = arith::DivUIOp::create(b, loc, linear, cst(extent));
    }
  };
  delinearize(row, 0, epilogue.rowDims);
  delinearize(col, epilogue.rowDims, epilogue.loopShape.size());

  auto indicesFor = [&](AffineMap map) {
    SmallVector<Value> indices;
    for (AffineExpr e : map.getResults()) {
      if (auto dim = dyn_cast<AffineDimExpr>(e))
        indices.push_back(ivs[dim.getPosition()]);
      else
        indices.push_back(cst(cast<AffineConstantExpr>(e).getValue()));
    }
    return indices;
  };
  Block *body = generic.getBody();
  IRMapping mapping;
  for (OpOperand &operand : generic->getOpOperands()) {
    BlockArgument arg = body->getArgument(operand.getOperandNumber());
    // In place, the output's old value is the matmul's result too.
    if (operand.getOperandNumber() == epilogue.accInput ||
        (epilogue.inPlace && generic.isDpsInit(&operand))) {
      mapping.map(arg, acc);
      continue;
    }
    if (arg.use_empty())
      continue;
    mapping.map(arg, memref::LoadOp::create(
                         b, loc, operand.get(),
                         indicesFor(generic.getMatchingIndexingMap(&operand))));
  }
  for (Operation &op : body->without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(op)) {
      mapping.map(index.getResult(), ivs[index.getDim()]);
      continue;
    }
    b.clone(op, mapping);
  }
  Value result =
      mapping.lookup(cast<linalg::YieldOp>(body->getTerminator()).getOperand(0));
  memref::StoreOp::create(b, loc, result, generic.getDpsInits()[0], ivs);
}

void mlir::ds::gpu_epilogue::eraseDeadBuffer(Value buffer) {
  Operation *alloc = buffer.getDefiningOp();
  if (!alloc || !isFreshAllocation(buffer))
    return;
  // Views first (users before their sources), then the deallocations.
  SmallVector<Value> views = viewsOf(buffer);
  for (Value view : views)
    for (Operation *user : view.getUsers())
      if (!isDealloc(user) &&
          !(isPureView(user) && llvm::is_contained(views,
                                                   user->getResult(0))))
        return;
  for (Value view : llvm::reverse(ArrayRef(views).drop_front())) {
    for (Operation *user : llvm::make_early_inc_range(view.getUsers()))
      if (isDealloc(user))
        return; // a view being freed: leave it to the canonicalizer
    if (view.use_empty())
      view.getDefiningOp()->erase();
  }
  for (Operation *user : llvm::make_early_inc_range(buffer.getUsers())) {
    if (auto dealloc = dyn_cast<gpu::DeallocOp>(user)) {
      // The async token stands for the dealloc's dependency now.
      if (Value token = dealloc.getAsyncToken()) {
        if (dealloc.getAsyncDependencies().size() != 1)
          return;
        token.replaceAllUsesWith(dealloc.getAsyncDependencies()[0]);
      }
      dealloc->erase();
    } else if (isa<memref::DeallocOp>(user)) {
      user->erase();
    }
  }
  if (buffer.use_empty())
    alloc->erase();
}
