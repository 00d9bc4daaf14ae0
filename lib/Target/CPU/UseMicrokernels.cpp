//===- UseMicrokernels.cpp - linalg on buffers → dsrt kernel calls -------===//
//
// Matches fp32 contractions and the grouped 2-D convolution of dsg → linalg
// by the role of each loop (so any loop order, transposed or broadcast
// operand is fine) and replaces them with calls of the runtime's packed,
// register-blocked, threaded kernels (runtime/include/dsrt/kernels.h).
//
//===----------------------------------------------------------------------===//
#include "Microkernels.h"
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/AffineExpr.h"

namespace mlir::ds {
#define GEN_PASS_DEF_USEMICROKERNELSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds::cpu;

namespace mlir::ds::cpu {

namespace {
constexpr StringLiteral kSgemm = "dsrt_kernel_sgemm";
constexpr StringLiteral kConv2d = "dsrt_kernel_conv2d_f32";
} // namespace

/// True if `op` reads two f32 buffers, writes one, and its body is
/// `yield out + a * b` (either operand order).
bool isF32MulAddOnBuffers(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return false;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.getElementType().isF32())
      return false;
  }
  Block *body = op.getBlock();
  if (!body || body->getNumArguments() != 3)
    return false;
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!yield || yield.getNumOperands() != 1)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value acc = body->getArgument(2);
  Value product = add.getLhs() == acc ? add.getRhs()
                  : add.getRhs() == acc ? add.getLhs()
                                        : Value();
  auto mul = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mul || body->getOperations().size() != 3)
    return false;
  Value a = body->getArgument(0), b = body->getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) ||
         (mul.getLhs() == b && mul.getRhs() == a);
}

BufferView viewOf(OpBuilder &b, Location loc, Value buffer) {
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  Value aligned =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  Value bytes = arith::MulIOp::create(
      b, loc, meta.getOffset(), arith::ConstantIndexOp::create(b, loc, 4));
  Value address = arith::AddIOp::create(b, loc, aligned, bytes);
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
  Value pointer = LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), asInt);
  BufferView view;
  view.pointer = pointer;
  view.sizes.assign(meta.getSizes().begin(), meta.getSizes().end());
  view.strides.assign(meta.getStrides().begin(), meta.getStrides().end());
  return view;
}

/// The result position of loop `dim` in `map`, if it appears as a plain dim.
std::optional<unsigned> resultOf(AffineMap map, unsigned dim) {
  for (unsigned i = 0, e = map.getNumResults(); i < e; ++i)
    if (auto d = dyn_cast<AffineDimExpr>(map.getResult(i)))
      if (d.getPosition() == dim)
        return i;
  return std::nullopt;
}

/// The element stride of loop `dim` in an operand (0 if the operand does not
/// depend on it: a broadcast).
Value strideOf(OpBuilder &b, Location loc, const BufferView &view,
               AffineMap map, std::optional<unsigned> dim) {
  if (dim)
    if (std::optional<unsigned> r = resultOf(map, *dim))
      return view.strides[*r];
  return arith::ConstantIndexOp::create(b, loc, 0);
}

/// True if `buffer` is a view of a constant global (a weight): the kernels
/// may then keep its packed form across calls.
bool isConstantBuffer(Value buffer) {
  while (Operation *def = buffer.getDefiningOp()) {
    if (auto get = dyn_cast<memref::GetGlobalOp>(def)) {
      auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
          def, get.getNameAttr());
      return global && global.getConstant();
    }
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp, memref::SubViewOp,
             memref::CastOp, memref::ReinterpretCastOp, memref::TransposeOp>(
            def))
      return false;
    buffer = def->getOperand(0);
  }
  return false;
}

/// The `flags` argument of a kernel call (runtime/include/dsrt/kernels.h).
Value kernelFlags(OpBuilder &b, Location loc, Value a, Value bm) {
  constexpr int64_t kConstantA = 1; // DSRT_KERNEL_CONSTANT_A
  constexpr int64_t kConstantB = 2; // DSRT_KERNEL_CONSTANT_B
  int64_t flags = (isConstantBuffer(a) ? kConstantA : 0) |
                  (bm && isConstantBuffer(bm) ? kConstantB : 0);
  return arith::ConstantIndexOp::create(b, loc, flags);
}

func::FuncOp declareKernel(ModuleOp module, StringRef name,
                           ArrayRef<Type> inputs) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto func = func::FuncOp::create(
      b, module.getLoc(), name,
      b.getFunctionType(inputs, /*results=*/TypeRange()));
  func.setPrivate();
  return func;
}

/// Loop roles of a contraction: at most one batch loop, exactly one M, N
/// and K loop, every map a projected permutation.
struct ContractionRoles {
  std::optional<unsigned> batch;
  unsigned m, n, k;
};

std::optional<ContractionRoles> matchContraction(linalg::LinalgOp op) {
  if (!isF32MulAddOnBuffers(op) || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->batch.size() > 1 || dims->m.size() != 1 ||
      dims->n.size() != 1 || dims->k.size() != 1 ||
      op.getNumLoops() != 3 + dims->batch.size())
    return std::nullopt;
  for (AffineMap map : op.getIndexingMapsArray())
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/false))
      return std::nullopt;
  ContractionRoles roles;
  if (!dims->batch.empty())
    roles.batch = dims->batch.front();
  roles.m = dims->m.front();
  roles.n = dims->n.front();
  roles.k = dims->k.front();
  return roles;
}

void replaceContraction(linalg::LinalgOp op, const ContractionRoles &roles,
                        ModuleOp module) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  Value a = op.getDpsInputOperand(0)->get();
  Value bm = op.getDpsInputOperand(1)->get();
  Value c = op.getDpsInitOperand(0)->get();
  BufferView va = viewOf(b, loc, a), vb = viewOf(b, loc, bm),
             vc = viewOf(b, loc, c);
  AffineMap ma = maps[0], mb = maps[1], mc = maps[2];
  // inferContractionDims: M is in A and C, N in B and C, K in A and B.
  auto size = [&](const BufferView &v, AffineMap map, unsigned dim) {
    return v.sizes[*resultOf(map, dim)];
  };
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value batch = roles.batch ? size(vc, mc, *roles.batch) : one;
  SmallVector<Value> args = {batch, size(vc, mc, roles.m),
                             size(vc, mc, roles.n), size(va, ma, roles.k)};
  auto push = [&](const BufferView &v, AffineMap map, unsigned r0,
                  unsigned r1) {
    args.push_back(v.pointer);
    args.push_back(strideOf(b, loc, v, map, roles.batch));
    args.push_back(strideOf(b, loc, v, map, r0));
    args.push_back(strideOf(b, loc, v, map, r1));
  };
  push(va, ma, roles.m, roles.k);
  push(vb, mb, roles.k, roles.n);
  push(vc, mc, roles.m, roles.n);
  args.push_back(kernelFlags(b, loc, a, bm));
  SmallVector<Type> types;
  for (Value v : args)
    types.push_back(v.getType());
  func::FuncOp kernel = declareKernel(module, kSgemm, types);
  func::CallOp::create(b, loc, kernel, args);
  op->erase();
}

/// `e`'s coefficient of dim `d` when `e` is linear in the dims (others 0).
std::optional<int64_t> coefficient(AffineExpr e, unsigned numDims,
                                   unsigned d) {
  MLIRContext *ctx = e.getContext();
  SmallVector<AffineExpr> dims(numDims, getAffineConstantExpr(0, ctx));
  dims[d] = getAffineConstantExpr(1, ctx);
  auto folded =
      dyn_cast<AffineConstantExpr>(simplifyAffineExpr(
          e.replaceDimsAndSymbols(dims, {}), 0, 0));
  if (!folded)
    return std::nullopt;
  return folded.getValue();
}

std::optional<ConvRoles> matchConv2d(linalg::LinalgOp op) {
  if (!isa<linalg::GenericOp>(op.getOperation()) || !isF32MulAddOnBuffers(op) ||
      op.getNumLoops() != 8)
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap in = maps[0], w = maps[1], out = maps[2];
  if (in.getNumResults() != 5 || w.getNumResults() != 5 ||
      out.getNumResults() != 5 || !out.isProjectedPermutation() ||
      !w.isProjectedPermutation())
    return std::nullopt;
  auto dimAt = [](AffineMap map, unsigned i) {
    return cast<AffineDimExpr>(map.getResult(i)).getPosition();
  };
  unsigned n = dimAt(out, 0), g = dimAt(out, 1), f = dimAt(out, 2),
           oh = dimAt(out, 3), ow = dimAt(out, 4);
  unsigned c = dimAt(w, 2), kh = dimAt(w, 3), kw = dimAt(w, 4);
  if (dimAt(w, 0) != g || dimAt(w, 1) != f)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned p : {n, g, f, oh, ow})
    if (iterators[p] != utils::IteratorType::parallel)
      return std::nullopt;
  for (unsigned r : {c, kh, kw})
    if (iterators[r] != utils::IteratorType::reduction)
      return std::nullopt;
  MLIRContext *ctx = op->getContext();
  auto dim = [&](unsigned p) { return getAffineDimExpr(p, ctx); };
  if (in.getResult(0) != dim(n) || in.getResult(1) != dim(g) ||
      in.getResult(2) != dim(c))
    return std::nullopt;
  ConvRoles roles;
  unsigned numDims = in.getNumDims();
  auto sh = coefficient(in.getResult(3), numDims, oh);
  auto dh = coefficient(in.getResult(3), numDims, kh);
  auto sw = coefficient(in.getResult(4), numDims, ow);
  auto dw = coefficient(in.getResult(4), numDims, kw);
  if (!sh || !dh || !sw || !dw || *sh < 1 || *dh < 1 || *sw < 1 || *dw < 1)
    return std::nullopt;
  // The whole expression, not just the two coefficients, must match.
  auto expectH = simplifyAffineExpr(dim(oh) * *sh + dim(kh) * *dh, numDims, 0);
  auto expectW = simplifyAffineExpr(dim(ow) * *sw + dim(kw) * *dw, numDims, 0);
  if (simplifyAffineExpr(in.getResult(3), numDims, 0) != expectH ||
      simplifyAffineExpr(in.getResult(4), numDims, 0) != expectW)
    return std::nullopt;
  roles.strideH = *sh;
  roles.strideW = *sw;
  roles.dilH = *dh;
  roles.dilW = *dw;
  return roles;
}

void replaceConv2d(linalg::LinalgOp op, const ConvRoles &roles,
                   ModuleOp module) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  BufferView vi = viewOf(b, loc, op.getDpsInputOperand(0)->get());
  BufferView vw = viewOf(b, loc, op.getDpsInputOperand(1)->get());
  BufferView vo = viewOf(b, loc, op.getDpsInitOperand(0)->get());
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  // N, G, F from the output; C, KH, KW from the weight; OH, OW from the
  // output.
  SmallVector<Value> args = {vo.sizes[0], vo.sizes[1], vo.sizes[2],
                             vw.sizes[2], vo.sizes[3], vo.sizes[4],
                             vw.sizes[3], vw.sizes[4], constant(roles.strideH),
                             constant(roles.strideW), constant(roles.dilH),
                             constant(roles.dilW)};
  for (const BufferView *v : {&vi, &vw, &vo}) {
    args.push_back(v->pointer);
    args.append(v->strides.begin(), v->strides.end());
  }
  args.push_back(kernelFlags(b, loc, op.getDpsInputOperand(1)->get()));
  SmallVector<Type> types;
  for (Value v : args)
    types.push_back(v.getType());
  func::FuncOp kernel = declareKernel(module, kConv2d, types);
  func::CallOp::create(b, loc, kernel, args);
  op->erase();
}

} // namespace mlir::ds::cpu

namespace {

struct UseMicrokernelsPass
    : ds::impl::UseMicrokernelsPassBase<UseMicrokernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> ops;
    module.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    for (linalg::LinalgOp op : ops) {
      if (std::optional<ContractionRoles> roles = matchContraction(op))
        replaceContraction(op, *roles, module);
      else if (std::optional<ConvRoles> conv = matchConv2d(op))
        replaceConv2d(op, *conv, module);
    }
  }
};

} // namespace
