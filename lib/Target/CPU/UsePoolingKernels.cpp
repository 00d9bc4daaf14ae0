//===- UsePoolingKernels.cpp - pooling windows → dsrt_kernel_pool2d_f32 ---===//
//
// The max and sum window reductions of MaxPool, AveragePool and
// GlobalAveragePool are left by dsg → linalg as reduction generics, which
// the loop lowering turns into scalar code: LLVM cannot tell the output
// from the input, so every window tap loads, compares (NaN-aware) and stores
// the output element. This pass replaces them with calls of the runtime's
// vectorized, threaded pooling kernel (runtime/lib/kernels/Pooling.cpp).
//
//===----------------------------------------------------------------------===//
#include "Microkernels.h"
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/AffineExpr.h"

namespace mlir::ds {
#define GEN_PASS_DEF_USEPOOLINGKERNELSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds::cpu;

namespace {

constexpr StringLiteral kPool2d = "dsrt_kernel_pool2d_f32";
// runtime/include/dsrt/kernels.h: DSRT_POOL_MAX, DSRT_POOL_SUM.
constexpr int64_t kPoolMax = 0, kPoolSum = 1;

/// One spatial axis of the window: input index o*stride + k*dilation, with
/// `o` the output loop (none when the output has no such axis) and `k` the
/// window loop.
struct Axis {
  std::optional<unsigned> o;
  unsigned k = 0;
  int64_t stride = 1, dilation = 1;
};

struct PoolRoles {
  bool max = false;
  Axis h, w;
  /// The operand whose dims 0 and 1 are KH and KW: the window operand of
  /// MaxPool-style generics, else the input (a global window).
  Value windowShape;
  unsigned windowDimH = 0, windowDimW = 0;
};

/// `e`'s coefficient of loop `d` if `e` is linear in the loops.
std::optional<int64_t> coefficientOf(AffineExpr e, unsigned numDims,
                                     unsigned d) {
  MLIRContext *ctx = e.getContext();
  SmallVector<AffineExpr> dims(numDims, getAffineConstantExpr(0, ctx));
  dims[d] = getAffineConstantExpr(1, ctx);
  auto folded = dyn_cast<AffineConstantExpr>(
      simplifyAffineExpr(e.replaceDimsAndSymbols(dims, {}), 0, 0));
  if (!folded)
    return std::nullopt;
  return folded.getValue();
}

bool isF32Buffer(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.getElementType().isF32();
}

/// The body `yield op(in, out)` with op arith.maximumf or arith.addf.
std::optional<bool> matchBody(linalg::GenericOp op) {
  Block *body = op.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  if (yield.getNumOperands() != 1 || body->getOperations().size() != 2)
    return std::nullopt;
  Operation *def = yield.getOperand(0).getDefiningOp();
  if (!def || !isa<arith::MaximumFOp, arith::AddFOp>(def))
    return std::nullopt;
  Value in = body->getArgument(0), out = body->getArguments().back();
  Value a = def->getOperand(0), b = def->getOperand(1);
  if (!((a == in && b == out) || (a == out && b == in)))
    return std::nullopt;
  return isa<arith::MaximumFOp>(def);
}

/// Input index `e` = o*stride + k*dilation over loops `numDims`, `o`
/// (optional) parallel and `k` a reduction loop.
std::optional<Axis> matchAxis(AffineExpr e, std::optional<unsigned> o,
                              ArrayRef<utils::IteratorType> iterators) {
  unsigned numDims = iterators.size();
  Axis axis;
  axis.o = o;
  std::optional<unsigned> k;
  for (unsigned d = 0; d < numDims; ++d) {
    if (iterators[d] != utils::IteratorType::reduction)
      continue;
    std::optional<int64_t> c = coefficientOf(e, numDims, d);
    if (!c)
      return std::nullopt;
    if (*c == 0)
      continue;
    if (k || *c < 1)
      return std::nullopt;
    k = d;
    axis.dilation = *c;
  }
  if (!k)
    return std::nullopt;
  axis.k = *k;
  MLIRContext *ctx = e.getContext();
  AffineExpr expect = getAffineDimExpr(*k, ctx) * axis.dilation;
  if (o) {
    std::optional<int64_t> s = coefficientOf(e, numDims, *o);
    if (!s || *s < 1)
      return std::nullopt;
    axis.stride = *s;
    expect = getAffineDimExpr(*o, ctx) * axis.stride + expect;
  }
  if (simplifyAffineExpr(e, numDims, 0) !=
      simplifyAffineExpr(expect, numDims, 0))
    return std::nullopt;
  return axis;
}

/// MaxPool/AveragePool (input [N, C, H, W], a [KH, KW] window operand that
/// only sets the loop ranges, output [N, C, OH, OW]) or global pooling
/// (input [N, C, H, W], output [N, C] or [N, C, 1, 1]).
std::optional<PoolRoles> matchPool(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumDpsInputs() < 1 || op.getNumDpsInputs() > 2)
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands())
    if (!isF32Buffer(operand.get()))
      return std::nullopt;
  std::optional<bool> max = matchBody(op);
  if (!max)
    return std::nullopt;
  Value input = op.getDpsInputOperand(0)->get();
  Value output = op.getDpsInitOperand(0)->get();
  auto inType = cast<MemRefType>(input.getType());
  auto outType = cast<MemRefType>(output.getType());
  if (inType.getRank() != 4 ||
      (outType.getRank() != 4 && outType.getRank() != 2))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap inMap = maps[0], outMap = maps.back();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned numDims = op.getNumLoops();
  auto dimOf = [](AffineExpr e) -> std::optional<unsigned> {
    if (auto d = dyn_cast<AffineDimExpr>(e))
      return d.getPosition();
    return std::nullopt;
  };
  auto isZero = [](AffineExpr e) {
    auto c = dyn_cast<AffineConstantExpr>(e);
    return c && c.getValue() == 0;
  };
  // Output (n, c[, oh|0, ow|0]), all parallel.
  std::optional<unsigned> n = dimOf(outMap.getResult(0));
  std::optional<unsigned> c = dimOf(outMap.getResult(1));
  if (!n || !c || *n == *c || inMap.getResult(0) != outMap.getResult(0) ||
      inMap.getResult(1) != outMap.getResult(1))
    return std::nullopt;
  std::optional<unsigned> oh, ow;
  if (outType.getRank() == 4) {
    for (auto [i, slot] : {std::make_pair(2u, &oh), std::make_pair(3u, &ow)}) {
      AffineExpr e = outMap.getResult(i);
      if (isZero(e)) {
        if (outType.getDimSize(i) != 1)
          return std::nullopt;
        continue;
      }
      *slot = dimOf(e);
      if (!*slot)
        return std::nullopt;
    }
  }
  unsigned parallels = 0;
  for (std::optional<unsigned> p : {n, c, oh, ow})
    if (p) {
      if (iterators[*p] != utils::IteratorType::parallel)
        return std::nullopt;
      ++parallels;
    }
  // Exactly the two window loops besides.
  if (numDims != parallels + 2 ||
      op.getNumParallelLoops() != parallels ||
      (oh && ow && *oh == *ow))
    return std::nullopt;
  std::optional<Axis> h = matchAxis(inMap.getResult(2), oh, iterators);
  std::optional<Axis> w = matchAxis(inMap.getResult(3), ow, iterators);
  if (!h || !w || h->k == w->k)
    return std::nullopt;
  PoolRoles roles;
  roles.max = *max;
  roles.h = *h;
  roles.w = *w;
  if (op.getNumDpsInputs() == 2) {
    // The window operand: indexed by exactly (kh, kw).
    AffineMap win = maps[1];
    if (win.getNumResults() != 2 || dimOf(win.getResult(0)) != h->k ||
        dimOf(win.getResult(1)) != w->k)
      return std::nullopt;
    roles.windowShape = op.getDpsInputOperand(1)->get();
    roles.windowDimH = 0;
    roles.windowDimW = 1;
  } else {
    // Without one, the window is the whole input: no output spatial loops.
    if (oh || ow || h->dilation != 1 || w->dilation != 1)
      return std::nullopt;
    roles.windowShape = input;
    roles.windowDimH = 2;
    roles.windowDimW = 3;
  }
  return roles;
}

void replacePool(linalg::GenericOp op, const PoolRoles &roles,
                 ModuleOp module) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value output = op.getDpsInitOperand(0)->get();
  BufferView vi = viewOf(b, loc, op.getDpsInputOperand(0)->get());
  BufferView vo = viewOf(b, loc, output);
  Value zero = constant(0), one = constant(1);
  // Output sizes and strides as [N, C, OH, OW]; an axis without an output
  // loop has one element.
  SmallVector<Value> outSizes = {vo.sizes[0], vo.sizes[1], one, one};
  SmallVector<Value> outStrides = {vo.strides[0], vo.strides[1], zero, zero};
  if (vo.sizes.size() == 4) {
    if (roles.h.o) {
      outSizes[2] = vo.sizes[2];
      outStrides[2] = vo.strides[2];
    }
    if (roles.w.o) {
      outSizes[3] = vo.sizes[3];
      outStrides[3] = vo.strides[3];
    }
  }
  Value KH = memref::DimOp::create(b, loc, roles.windowShape,
                                   roles.windowDimH);
  Value KW = memref::DimOp::create(b, loc, roles.windowShape,
                                   roles.windowDimW);
  SmallVector<Value> args = {
      constant(roles.max ? kPoolMax : kPoolSum), outSizes[0], outSizes[1],
      outSizes[2], outSizes[3], KH, KW, constant(roles.h.stride),
      constant(roles.w.stride), constant(roles.h.dilation),
      constant(roles.w.dilation), vi.pointer};
  args.append(vi.strides.begin(), vi.strides.end());
  args.push_back(vo.pointer);
  args.append(outStrides.begin(), outStrides.end());
  SmallVector<Type> types;
  for (Value v : args)
    types.push_back(v.getType());
  func::FuncOp kernel = declareKernel(module, kPool2d, types);
  func::CallOp::create(b, loc, kernel, args);
  op->erase();
}

struct UsePoolingKernelsPass
    : ds::impl::UsePoolingKernelsPassBase<UsePoolingKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<linalg::GenericOp, PoolRoles>> pools;
    module.walk([&](linalg::GenericOp op) {
      if (std::optional<PoolRoles> roles = matchPool(op))
        pools.emplace_back(op, *roles);
    });
    for (auto &[op, roles] : pools)
      replacePool(op, roles, module);
  }
};

} // namespace
