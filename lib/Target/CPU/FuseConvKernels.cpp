//===- FuseConvKernels.cpp - conv + padding + epilogue → one kernel call --===//
//
// After bufferization a convolution from dsg → linalg is five separate
// passes over memory: a zero-filled padded copy of the input, a zero fill of
// the output, the convolution generic accumulating into it, and elementwise
// generics for the bias, a residual add and the activation. This pass finds
// that shape of code around each convolution generic and replaces all of it
// with one call of dsrt_kernel_conv2d_fused_f32, which reads the padding as
// zeros, writes its output, and applies the epilogue to each tile while it
// is in cache. What it cannot prove safe it leaves alone, for
// ds-cpu-use-microkernels and the loop lowering.
//
// Why a matcher on buffers rather than an op or attribute at the dsg or
// linalg level: the kernel call is only formed on buffers, after one-shot
// bufferization has decided in-place updates and buffer reuse (the epilogue
// generics often update the bias's output buffer in place), and every
// higher-level form would have to survive bufferization unchanged to be
// matched here anyway. The facts the fusion needs (who else reads a buffer,
// whether anything writes an input in between) are facts about buffers.
//
//===----------------------------------------------------------------------===//
#include "Microkernels.h"
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/SetVector.h"

#include <cmath>

namespace mlir::ds {
#define GEN_PASS_DEF_FUSECONVKERNELSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds::cpu;

namespace {

constexpr StringLiteral kConvFused = "dsrt_kernel_conv2d_fused_f32";

//===----------------------------------------------------------------------===//
// Buffers and effects
//===----------------------------------------------------------------------===//

/// The buffer `v` is a view of: an allocation, a global or a block argument.
Value rootOf(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      break;
    v = view.getViewSource();
  }
  return v;
}

/// True if `v` is its root buffer reshaped (every element of the root).
bool coversRoot(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp, memref::CastOp>(
            def)) {
      v = def->getOperand(0);
      continue;
    }
    return !isa<ViewLikeOpInterface>(def);
  }
  return true;
}

/// The buffers a call of a dsrt kernel (emitted by this pass) reads or
/// writes: those its pointer arguments were taken from. False if a pointer
/// has another origin.
bool kernelCallBuffers(func::CallOp call, SmallVectorImpl<Value> &buffers) {
  if (!call.getCallee().starts_with("dsrt_kernel_"))
    return false;
  for (Value arg : call.getOperands()) {
    if (!isa<LLVM::LLVMPointerType>(arg.getType()))
      continue;
    if (arg.getDefiningOp<LLVM::ZeroOp>())
      continue;
    auto toPtr = arg.getDefiningOp<LLVM::IntToPtrOp>();
    auto cast = toPtr ? toPtr.getArg().getDefiningOp<arith::IndexCastOp>()
                      : nullptr;
    auto add = cast ? cast.getIn().getDefiningOp<arith::AddIOp>() : nullptr;
    auto base =
        add ? add.getLhs()
                  .getDefiningOp<memref::ExtractAlignedPointerAsIndexOp>()
            : nullptr;
    if (!base)
      return false;
    buffers.push_back(base.getSource());
  }
  return true;
}

/// Whether `op` may read (or, with `write`, write) buffer `root`; ops of
/// unknown effect may.
bool mayAccess(Operation *op, Value root, bool write) {
  if (isMemoryEffectFree(op))
    return false;
  if (auto call = dyn_cast<func::CallOp>(op)) {
    SmallVector<Value> buffers;
    if (kernelCallBuffers(call, buffers))
      return llvm::any_of(buffers,
                          [&](Value v) { return rootOf(v) == root; });
    return true;
  }
  auto iface = dyn_cast<MemoryEffectOpInterface>(op);
  if (!iface)
    return true;
  SmallVector<MemoryEffects::EffectInstance> effects;
  iface.getEffects(effects);
  for (const MemoryEffects::EffectInstance &e : effects) {
    bool matches = write ? isa<MemoryEffects::Write>(e.getEffect())
                         : isa<MemoryEffects::Read>(e.getEffect());
    if (!matches)
      continue;
    Value v = e.getValue();
    if (!v || rootOf(v) == root)
      return true;
  }
  return false;
}

/// The scalar `v` is, if it is a constant float.
std::optional<APFloat> constantFloat(Value v) {
  FloatAttr attr;
  if (matchPattern(v, m_Constant(&attr)))
    return attr.getValue();
  return std::nullopt;
}

/// The buffer `op` sets to +0.0 everywhere, if it is such a fill.
Value zeroFillTarget(Operation *op) {
  if (auto fill = dyn_cast<linalg::FillOp>(op)) {
    std::optional<APFloat> v = constantFloat(fill.getInputs()[0]);
    if (v && v->isPosZero() && fill.hasPureBufferSemantics())
      return fill.getOutputs()[0];
    return {};
  }
  if (auto map = dyn_cast<linalg::MapOp>(op)) {
    if (!map.getInputs().empty() || !map.hasPureBufferSemantics())
      return {};
    auto yield = cast<linalg::YieldOp>(map.getMapper().front().getTerminator());
    std::optional<APFloat> v = constantFloat(yield.getOperand(0));
    if (v && v->isPosZero())
      return map.getInit();
  }
  return {};
}

/// The op before `before` in its block that last wrote buffer `root`, if it
/// can be found (null when an op of unknown effect or the allocation comes
/// first).
Operation *lastWriter(Value root, Operation *before) {
  for (Operation *op = before->getPrevNode(); op; op = op->getPrevNode()) {
    if (llvm::is_contained(op->getResults(), root))
      return nullptr;
    if (mayAccess(op, root, /*write=*/true))
      return op;
  }
  return nullptr;
}

/// True if every element of `buffer` is +0.0 just before `before`: its last
/// writer is a zero fill of the whole buffer, or a copy into the whole
/// buffer of one that is.
bool isZeroBefore(Value buffer, Operation *before, int depth = 0) {
  Value root = rootOf(buffer);
  Operation *writer = lastWriter(root, before);
  if (!writer || depth > 4)
    return false;
  if (Value target = zeroFillTarget(writer))
    return rootOf(target) == root && coversRoot(target);
  if (auto copy = dyn_cast<memref::CopyOp>(writer))
    return rootOf(copy.getTarget()) == root && coversRoot(copy.getTarget()) &&
           isZeroBefore(copy.getSource(), copy, depth + 1);
  return false;
}

/// Every op that uses `root` or a view of it.
void collectUsers(Value root, SmallVectorImpl<Operation *> &users) {
  for (Operation *user : root.getUsers()) {
    users.push_back(user);
    if (auto view = dyn_cast<ViewLikeOpInterface>(user))
      if (view.getViewSource() == root)
        for (Value result : user->getResults())
          collectUsers(result, users);
  }
}

/// Erases the allocation `root` and its deallocations and views when nothing
/// else uses it any more.
void eraseIfUnused(Value root) {
  auto alloc = root.getDefiningOp<memref::AllocOp>();
  if (!alloc)
    return;
  SmallVector<Operation *> users;
  collectUsers(root, users);
  for (Operation *user : users)
    if (!isa<memref::DeallocOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
             memref::SubViewOp, memref::CastOp, memref::ReinterpretCastOp>(
            user))
      return;
  // Views before their sources: users were collected source first.
  for (Operation *user : llvm::reverse(users))
    user->erase();
  alloc->erase();
}

//===----------------------------------------------------------------------===//
// The fusion plan of one convolution
//===----------------------------------------------------------------------===//

/// A clamp bound: a constant, or the element of a 0-d buffer.
struct Bound {
  std::optional<APFloat> constant;
  Value buffer;
  bool set() const { return constant || buffer; }
};

struct Plan {
  linalg::GenericOp conv;
  ConvRoles roles;
  /// The unpadded input [N, G*C, H, W] of a padded copy the kernel replaces,
  /// with the copy's offsets; null when the conv reads its input directly.
  Value unpadded;
  int64_t padH = 0, padW = 0;
  memref::CopyOp padCopy;
  /// The elementwise generics folded into the call, in order.
  SmallVector<linalg::GenericOp> steps;
  /// What the call writes: the conv's output ([N, G, F, OH, OW]) or the last
  /// step's ([N, G*F, OH, OW], `collapsed`).
  Value result;
  bool collapsed = false;
  /// Addends (each with its map over the chain's loops) and bounds.
  SmallVector<std::pair<Value, AffineMap>, 2> addends;
  Bound lo, hi;
};

/// Ops between the conv and its epilogue generics that touch no memory a
/// fused call could disturb.
bool isTransparent(Operation *op) {
  return isMemoryEffectFree(op) || isa<memref::AllocOp>(op);
}

/// Extends `plan` with `step` if it is an epilogue generic on `cur` (the
/// chain's buffer so far) that the kernel can apply; `plan` is unchanged
/// otherwise.
bool matchStep(linalg::GenericOp step, Value cur, bool collapsedSoFar,
               Plan &plan) {
  if (!step.hasPureBufferSemantics() || step.getNumDpsInits() != 1 ||
      step.getNumReductionLoops() != 0)
    return false;
  Value out = step.getDpsInitOperand(0)->get();
  auto outType = dyn_cast<MemRefType>(out.getType());
  if (!outType || !outType.getElementType().isF32() ||
      !step.getMatchingIndexingMap(step.getDpsInitOperand(0)).isIdentity())
    return false;
  // The chain's input: `cur`, or (once) its [N, G*F, OH, OW] collapse.
  std::optional<unsigned> chainIdx;
  bool collapsed = collapsedSoFar;
  for (OpOperand *in : step.getDpsInputOperands()) {
    Value v = in->get();
    bool same = v == cur;
    bool collapse = false;
    if (!same && !collapsedSoFar && plan.steps.empty())
      if (auto c = v.getDefiningOp<memref::CollapseShapeOp>())
        if (c.getSrc() == cur &&
            c.getReassociationIndices() ==
                SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}})
          collapse = true;
    if (!same && !collapse)
      continue;
    if (chainIdx || !step.getMatchingIndexingMap(in).isIdentity())
      return false;
    chainIdx = in->getOperandNumber();
    collapsed = collapsedSoFar || collapse;
  }
  if (!chainIdx ||
      cast<MemRefType>(step->getOperand(*chainIdx).getType()).getShape() !=
          outType.getShape())
    return false;

  Block &body = step.getRegion().front();
  Value chain = body.getArgument(*chainIdx);
  if (!body.getArgument(step.getNumDpsInputs()).use_empty())
    return false;
  Plan next = plan;
  for (Operation &op : body.without_terminator()) {
    if (op.getNumOperands() != 2 || op.getNumResults() != 1)
      return false;
    Value lhs = op.getOperand(0), rhs = op.getOperand(1);
    if (lhs != chain && rhs != chain)
      return false;
    Value other = lhs == chain ? rhs : lhs;
    if (other == chain)
      return false;
    auto arg = dyn_cast<BlockArgument>(other);
    bool isInput = arg && arg.getOwner() == &body &&
                   arg.getArgNumber() < step.getNumDpsInputs() &&
                   other.hasOneUse();
    if (isa<arith::AddFOp>(op)) {
      // An addend after the clamp would change what the clamp means.
      if (!isInput || next.lo.set() || next.hi.set() ||
          next.addends.size() == 2)
        return false;
      OpOperand *operand = step.getDpsInputOperand(arg.getArgNumber());
      AffineMap map = step.getMatchingIndexingMap(operand);
      auto type = dyn_cast<MemRefType>(operand->get().getType());
      if (!type || !type.getElementType().isF32() ||
          !map.isProjectedPermutation(/*allowZeroInResults=*/false))
        return false;
      next.addends.push_back({operand->get(), map});
    } else if (isa<arith::MaximumFOp, arith::MinimumFOp>(op)) {
      bool isMax = isa<arith::MaximumFOp>(op);
      // max then min, each at most once: the kernel's min(max(v, lo), hi).
      if ((isMax && (next.lo.set() || next.hi.set())) ||
          (!isMax && next.hi.set()))
        return false;
      Bound bound;
      if (std::optional<APFloat> c = constantFloat(other)) {
        bound.constant = *c;
      } else if (isInput) {
        OpOperand *operand = step.getDpsInputOperand(arg.getArgNumber());
        auto type = dyn_cast<MemRefType>(operand->get().getType());
        if (!type || type.getRank() != 0 || !type.getElementType().isF32())
          return false;
        bound.buffer = operand->get();
      } else {
        return false;
      }
      (isMax ? next.lo : next.hi) = bound;
    } else {
      return false;
    }
    chain = op.getResult(0);
  }
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getNumOperands() != 1 || yield.getOperand(0) != chain)
    return false;
  next.steps.push_back(step);
  next.result = out;
  next.collapsed = collapsed;
  plan = std::move(next);
  return true;
}

/// The padded copy feeding `conv`'s input, if the kernel can read its
/// source instead: `input` is a [N, G, C, Hp, Wp] expansion of an
/// allocation that is only zero-filled, given the source through a subview
/// at [0, 0, padH, padW], and read by this conv.
void matchPadding(Plan &plan) {
  Value input = plan.conv.getDpsInputOperand(0)->get();
  auto expand = input.getDefiningOp<memref::ExpandShapeOp>();
  if (!expand || !input.hasOneUse() ||
      expand.getReassociationIndices() !=
          SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}})
    return;
  Value padded = expand.getSrc();
  if (!padded.getDefiningOp<memref::AllocOp>())
    return;
  Operation *fill = nullptr;
  memref::SubViewOp subview;
  for (Operation *user : padded.getUsers()) {
    if (user == expand || isa<memref::DeallocOp>(user))
      continue;
    if (zeroFillTarget(user) == padded && !fill) {
      fill = user;
      continue;
    }
    auto sv = dyn_cast<memref::SubViewOp>(user);
    if (!sv || subview)
      return;
    subview = sv;
  }
  if (!fill || !subview || !subview->hasOneUse())
    return;
  auto copy = dyn_cast<memref::CopyOp>(*subview->getUsers().begin());
  if (!copy || copy.getTarget() != subview.getResult() ||
      !subview.hasUnitStride())
    return;
  ArrayRef<int64_t> offsets = subview.getStaticOffsets();
  if (offsets.size() != 4 || offsets[0] != 0 || offsets[1] != 0 ||
      ShapedType::isDynamic(offsets[2]) || ShapedType::isDynamic(offsets[3]))
    return;
  // Same block, fill → copy → conv, and nothing writes the source between
  // the copy and the conv.
  Block *block = plan.conv->getBlock();
  if (fill->getBlock() != block || copy->getBlock() != block ||
      !fill->isBeforeInBlock(copy) || !copy->isBeforeInBlock(plan.conv))
    return;
  Value source = copy.getSource();
  auto sourceType = dyn_cast<MemRefType>(source.getType());
  if (!sourceType || sourceType.getRank() != 4 ||
      !sourceType.getElementType().isF32())
    return;
  Value sourceRoot = rootOf(source);
  for (Operation *op = copy->getNextNode(); op != plan.conv;
       op = op->getNextNode()) {
    if (mayAccess(op, sourceRoot, /*write=*/true))
      return;
    // The call reads the source later than the copy did.
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op))
      if (rootOf(dealloc.getMemref()) == sourceRoot)
        return;
  }
  plan.unpadded = source;
  plan.padH = offsets[2];
  plan.padW = offsets[3];
  plan.padCopy = copy;
}

/// Whether `plan` is a depthwise convolution with folded padding whose
/// result is its unpadded input's buffer, element for element: both cover
/// the same allocation, the input as [N, C, H, W] and the result as
/// [N, C, 1, H, W] or [N, C, H, W]. dsrt_kernel_conv2d_fused_f32 allows that
/// (each channel's plane is read whole before it is written), and one-shot
/// bufferization produces it for every stride-1 depthwise layer whose
/// epilogue it writes into the dead input.
bool writesOverOwnInput(Plan &plan) {
  if (!plan.unpadded || rootOf(plan.unpadded) != rootOf(plan.result) ||
      !coversRoot(plan.unpadded) || !coversRoot(plan.result))
    return false;
  auto weight = dyn_cast<MemRefType>(
      plan.conv.getDpsInputOperand(1)->get().getType());
  auto out = dyn_cast<MemRefType>(
      plan.conv.getDpsInitOperand(0)->get().getType());
  auto in = dyn_cast<MemRefType>(plan.unpadded.getType());
  auto result = dyn_cast<MemRefType>(plan.result.getType());
  if (!weight || !out || !in || !result || !weight.hasStaticShape() ||
      !out.hasStaticShape() || !in.hasStaticShape() ||
      !result.hasStaticShape() || !in.getLayout().isIdentity() ||
      !result.getLayout().isIdentity() || weight.getRank() != 5 ||
      out.getRank() != 5 || in.getRank() != 4)
    return false;
  // Weight [G, F, C, KH, KW], output [N, G, F, OH, OW].
  if (weight.getDimSize(1) != 1 || weight.getDimSize(2) != 1)
    return false;
  ArrayRef<int64_t> o = out.getShape();
  SmallVector<int64_t> nchw = {o[0], o[1], o[3], o[4]};
  if (in.getShape() != ArrayRef<int64_t>(nchw))
    return false;
  return result.getShape() == o || result.getShape() == ArrayRef<int64_t>(nchw);
}

/// Roots the call reads and writes must not overlap (the kernel reads its
/// input and addends while it writes; the one exception is
/// writesOverOwnInput), and buffers that the folded steps wrote but the call
/// no longer does must be dead.
bool isSafe(Plan &plan, ArrayRef<Operation *> foldedOps) {
  Value input = plan.unpadded ? plan.unpadded
                              : plan.conv.getDpsInputOperand(0)->get();
  SmallVector<Value> reads = {rootOf(plan.conv.getDpsInputOperand(1)->get())};
  if (!writesOverOwnInput(plan))
    reads.push_back(rootOf(input));
  for (const auto &addend : plan.addends)
    reads.push_back(rootOf(addend.first));
  for (const Bound *b : {&plan.lo, &plan.hi})
    if (b->buffer)
      reads.push_back(rootOf(b->buffer));
  // Every buffer the chain wrote: the conv's output, each step's output.
  SmallVector<Value> written = {plan.conv.getDpsInitOperand(0)->get()};
  for (linalg::GenericOp step : plan.steps)
    written.push_back(step.getDpsInitOperand(0)->get());
  Value resultRoot = rootOf(plan.result);
  for (Value w : written) {
    Value root = rootOf(w);
    if (llvm::is_contained(reads, root))
      return false;
    if (root == resultRoot)
      continue;
    // Intermediate: only the folded ops (and deallocations) may use it.
    SmallVector<Operation *> users;
    collectUsers(root, users);
    for (Operation *user : users)
      if (!isa<memref::DeallocOp, ViewLikeOpInterface>(user) &&
          !llvm::is_contained(foldedOps, user))
        return false;
  }
  // The call writes the result whole, where the conv or a step did.
  return !plan.steps.empty() || coversRoot(plan.result) ||
         plan.result == plan.conv.getDpsInitOperand(0)->get();
}

std::optional<Plan> planFusion(linalg::GenericOp conv, bool foldPadding) {
  std::optional<ConvRoles> roles = matchConv2d(conv);
  if (!roles)
    return std::nullopt;
  Value out = conv.getDpsInitOperand(0)->get();
  // The call writes its output: only valid where the conv accumulated into
  // zeros.
  if (!isZeroBefore(out, conv))
    return std::nullopt;
  Plan plan;
  plan.conv = conv;
  plan.roles = *roles;
  plan.result = out;
  if (foldPadding)
    matchPadding(plan);

  // Epilogue steps: generics right after the conv (only allocations and
  // memory-free ops between), each continuing the previous one's buffer.
  SmallVector<Plan, 4> prefixes = {plan};
  Operation *pos = conv;
  Value cur = out;
  while (true) {
    Operation *next = pos->getNextNode();
    while (next && isTransparent(next))
      next = next->getNextNode();
    auto step = dyn_cast_or_null<linalg::GenericOp>(next);
    if (!step || !matchStep(step, cur, plan.collapsed, plan))
      break;
    prefixes.push_back(plan);
    pos = step;
    cur = plan.result;
  }
  // The longest safe prefix of the chain.
  for (Plan &p : llvm::reverse(prefixes)) {
    SmallVector<Operation *> folded = {p.conv};
    if (Operation *init = lastWriter(rootOf(out), conv))
      folded.push_back(init);
    for (linalg::GenericOp step : p.steps)
      folded.push_back(step);
    if (isSafe(p, folded))
      return std::move(p);
  }
  return std::nullopt;
}

/// The plan that folds the most epilogue steps, preferring the one that
/// also folds the padding. Bufferization often gives the epilogue the
/// buffer of the conv's unpadded input (dead once copied into the padded
/// one), which the call cannot write while it reads it; keeping the padded
/// copy then lets the epilogue fold.
std::optional<Plan> planFusion(linalg::GenericOp conv) {
  std::optional<Plan> padded = planFusion(conv, /*foldPadding=*/true);
  if (!padded || !padded->unpadded)
    return padded;
  std::optional<Plan> unpaddedRead = planFusion(conv, /*foldPadding=*/false);
  if (unpaddedRead && unpaddedRead->steps.size() > padded->steps.size())
    return unpaddedRead;
  return padded;
}

//===----------------------------------------------------------------------===//
// The call
//===----------------------------------------------------------------------===//

void emitCall(Plan &plan, ModuleOp module) {
  Operation *last = plan.steps.empty() ? plan.conv.getOperation()
                                       : plan.steps.back().getOperation();
  OpBuilder b(last);
  Location loc = plan.conv.getLoc();
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto mul = [&](Value x, Value y) -> Value {
    return arith::MulIOp::create(b, loc, x, y);
  };
  Value convIn = plan.conv.getDpsInputOperand(0)->get();
  Value weight = plan.conv.getDpsInputOperand(1)->get();
  Value convOut = plan.conv.getDpsInitOperand(0)->get();

  // The output's initialising fill or copy is dead when nothing reads the
  // buffer between it and the conv, which overwrote it whole.
  Operation *deadInit = nullptr;
  Value outRoot = rootOf(convOut);
  if (Operation *init = lastWriter(outRoot, plan.conv)) {
    bool read = false;
    for (Operation *op = init->getNextNode(); op != plan.conv;
         op = op->getNextNode())
      read |= mayAccess(op, outRoot, /*write=*/false);
    Value target = isa<memref::CopyOp>(init)
                       ? cast<memref::CopyOp>(init).getTarget()
                       : zeroFillTarget(init);
    if (!read && target && coversRoot(target) && coversRoot(convOut))
      deadInit = init;
  }
  BufferView vw = viewOf(b, loc, weight);
  // Sizes from the types where static, so that the conv's output and
  // padded input, which the call replaces, keep no users.
  auto sizesOf = [&](Value buffer) {
    auto type = cast<MemRefType>(buffer.getType());
    SmallVector<Value> sizes;
    std::optional<BufferView> view;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d)) {
        sizes.push_back(index(type.getDimSize(d)));
        continue;
      }
      if (!view)
        view = viewOf(b, loc, buffer);
      sizes.push_back(view->sizes[d]);
    }
    return sizes;
  };
  SmallVector<Value> os = sizesOf(convOut);
  Value G = os[1], F = os[2], C = vw.sizes[2];

  SmallVector<Value> args = {os[0],       G,           F,
                             C,           os[3],       os[4],
                             vw.sizes[3], vw.sizes[4], index(plan.roles.strideH),
                             index(plan.roles.strideW), index(plan.roles.dilH),
                             index(plan.roles.dilW)};
  // Input: the unpadded source [N, G*C, H, W] as [N, G, C, H, W], or the
  // conv's own input with no padding.
  if (plan.unpadded) {
    BufferView vu = viewOf(b, loc, plan.unpadded);
    args.append({vu.sizes[2], vu.sizes[3], index(plan.padH),
                 index(plan.padW), vu.pointer, vu.strides[0],
                 mul(C, vu.strides[1]), vu.strides[1], vu.strides[2],
                 vu.strides[3]});
  } else {
    BufferView vi = viewOf(b, loc, convIn);
    args.append({vi.sizes[3], vi.sizes[4], index(0), index(0), vi.pointer});
    args.append(vi.strides.begin(), vi.strides.end());
  }
  args.push_back(vw.pointer);
  args.append(vw.strides.begin(), vw.strides.end());

  // A view in the chain's layout as 5-D output strides: [N, G*F, OH, OW]
  // splits its channel stride s into g: F*s, f: s.
  auto push5D = [&](ArrayRef<Value> strides) {
    if (!plan.collapsed) {
      args.append(strides.begin(), strides.end());
      return;
    }
    args.append({strides[0], mul(F, strides[1]), strides[1], strides[2],
                 strides[3]});
  };
  BufferView vr = viewOf(b, loc, plan.result);
  args.push_back(vr.pointer);
  push5D(vr.strides);
  unsigned rank = plan.collapsed ? 4 : 5;
  for (unsigned t = 0; t < 2; ++t) {
    if (t >= plan.addends.size()) {
      args.push_back(LLVM::ZeroOp::create(
          b, loc, LLVM::LLVMPointerType::get(b.getContext())));
      for (int i = 0; i < 5; ++i)
        args.push_back(index(0));
      continue;
    }
    auto [buffer, map] = plan.addends[t];
    BufferView va = viewOf(b, loc, buffer);
    args.push_back(va.pointer);
    SmallVector<Value> strides;
    for (unsigned d = 0; d < rank; ++d)
      strides.push_back(strideOf(b, loc, va, map, d));
    push5D(strides);
  }
  for (auto [bound, fallback] :
       {std::pair{&plan.lo, -INFINITY}, std::pair{&plan.hi, INFINITY}}) {
    if (bound->buffer)
      args.push_back(memref::LoadOp::create(b, loc, bound->buffer));
    else
      args.push_back(arith::ConstantOp::create(
          b, loc,
          b.getF32FloatAttr(bound->constant
                                ? bound->constant->convertToFloat()
                                : fallback)));
  }
  args.push_back(kernelFlags(b, loc, weight));
  SmallVector<Type> types;
  for (Value v : args)
    types.push_back(v.getType());
  func::FuncOp kernel = declareKernel(module, kConvFused, types);
  func::CallOp::create(b, loc, kernel, args);

  // What the call replaces.
  llvm::SetVector<Value> maybeDead;
  maybeDead.insert(rootOf(convOut));
  if (deadInit)
    deadInit->erase();
  for (linalg::GenericOp step : llvm::reverse(plan.steps)) {
    for (Value v : step->getOperands())
      maybeDead.insert(rootOf(v));
    step->erase();
  }
  Value paddedRoot = rootOf(convIn);
  plan.conv->erase();
  if (plan.unpadded) {
    Operation *subview = plan.padCopy.getTarget().getDefiningOp();
    plan.padCopy->erase();
    subview->erase();
    for (Operation *user : llvm::make_early_inc_range(paddedRoot.getUsers()))
      if (zeroFillTarget(user) == paddedRoot)
        user->erase();
    maybeDead.insert(paddedRoot);
  }
  for (Value root : maybeDead)
    if (root != rootOf(plan.result))
      eraseIfUnused(root);
}

struct FuseConvKernelsPass
    : ds::impl::FuseConvKernelsPassBase<FuseConvKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::GenericOp> convs;
    module.walk([&](linalg::GenericOp op) {
      if (matchConv2d(op))
        convs.push_back(op);
    });
    for (linalg::GenericOp conv : convs)
      if (std::optional<Plan> plan = planFusion(conv))
        emitCall(*plan, module);
  }
};

} // namespace
