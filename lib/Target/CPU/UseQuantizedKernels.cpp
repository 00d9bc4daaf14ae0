//===- UseQuantizedKernels.cpp - dsq products → dsrt int8 kernel calls ---===//
//
// The quantized counterpart of UseMicrokernels.cpp: dsq.qmatmul with int8
// activations and dsq.weight weights, and dsq.dynamic_quantize, become calls
// of the runtime's kernels (runtime/include/dsrt/quant_kernels.h), which
// pick AMX, AVX-512 VNNI or scalar code when the program runs and pack the
// constant weights once.
//
// It runs on tensors, before ds-lower-quantized (which lowers what is left
// portably), because dsq has no buffer form: each call reads its operands
// through `bufferization.to_buffer ... read_only` and writes a fresh
// `memref.alloc` that `bufferization.to_tensor ... restrict writable` turns
// back into the op's result; one-shot bufferization then removes the
// conversions. The to_buffer ops are created right before the call, so no
// in-place write can come between the read they stand for and the call.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "Quant/QuantOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/IR/Matchers.h"

namespace mlir::ds {
#define GEN_PASS_DEF_USEQUANTIZEDKERNELSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
namespace dsq = mlir::ds::quant;

namespace {

constexpr StringLiteral kQGemm = "dsrt_kernel_qgemm_s8";
constexpr StringLiteral kQuantize = "dsrt_kernel_quantize_s8";
/// DSRT_KERNEL_CONSTANT_B (runtime/include/dsrt/kernels.h).
constexpr int64_t kConstantB = 2;

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// `t` ([..., K], rank >= 1) as a rank-2 [M, K] tensor.
Value to2D(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  int64_t rank = type.getRank();
  if (rank == 2)
    return t;
  if (rank == 1) {
    auto shape = SmallVector<int64_t>{1, type.getDimSize(0)};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1),
                                       tensor::getMixedSize(b, loc, t, 0)};
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), t,
        SmallVector<ReassociationIndices>{{0, 1}}, sizes);
  }
  ReassociationIndices lead;
  for (int64_t i = 0; i + 1 < rank; ++i)
    lead.push_back(i);
  return tensor::CollapseShapeOp::create(
      b, loc, t, SmallVector<ReassociationIndices>{lead, {rank - 1}});
}

/// The rank-2 `t` back in `type`'s shape, with the leading sizes of
/// `leadSizes` (the original tensor's).
Value from2D(OpBuilder &b, Location loc, Value t, RankedTensorType type,
             ArrayRef<OpFoldResult> sizes) {
  int64_t rank = type.getRank();
  if (rank == 2)
    return t;
  if (rank == 1)
    return tensor::CollapseShapeOp::create(
        b, loc, type, t, SmallVector<ReassociationIndices>{{0, 1}});
  ReassociationIndices lead;
  for (int64_t i = 0; i + 1 < rank; ++i)
    lead.push_back(i);
  return tensor::ExpandShapeOp::create(
      b, loc, type, t, SmallVector<ReassociationIndices>{lead, {rank - 1}},
      sizes);
}

/// A read-only buffer of tensor `t`, with any layout.
Value readBuffer(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  auto layout = StridedLayoutAttr::get(
      b.getContext(), ShapedType::kDynamic,
      SmallVector<int64_t>(type.getRank(), ShapedType::kDynamic));
  auto memrefType =
      MemRefType::get(type.getShape(), type.getElementType(), layout);
  return bufferization::ToBufferOp::create(b, loc, memrefType, t,
                                           /*read_only=*/true);
}

/// The data pointer (aligned pointer + offset) of `buffer` as an !llvm.ptr,
/// and its strides.
struct View {
  Value pointer;
  SmallVector<Value> strides;
};

View viewOf(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  Value aligned =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  int64_t bytes = type.getElementTypeBitWidth() / 8;
  Value offset = meta.getOffset();
  if (bytes != 1)
    offset = arith::MulIOp::create(b, loc, offset, indexConst(b, loc, bytes));
  Value address = arith::AddIOp::create(b, loc, aligned, offset);
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
  View view;
  view.pointer = LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), asInt);
  view.strides.assign(meta.getStrides().begin(), meta.getStrides().end());
  return view;
}

/// A new row-major buffer of `shape` (dynamic sizes from `dynamicSizes`).
Value allocate(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
               Type elementType, ValueRange dynamicSizes) {
  return memref::AllocOp::create(b, loc,
                                 MemRefType::get(shape, elementType),
                                 dynamicSizes, b.getI64IntegerAttr(64));
}

Value resultTensor(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  return bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get(type.getShape(), type.getElementType()),
      buffer, /*restrict=*/true, /*writable=*/true);
}

void callKernel(OpBuilder &b, Location loc, ModuleOp module, StringRef name,
                ArrayRef<Value> args) {
  SmallVector<Type> types;
  for (Value v : args)
    types.push_back(v.getType());
  auto kernel = module.lookupSymbol<func::FuncOp>(name);
  if (!kernel) {
    OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
    kernel = func::FuncOp::create(mb, module.getLoc(), name,
                                  mb.getFunctionType(types, TypeRange()));
    kernel.setPrivate();
  }
  func::CallOp::create(b, loc, kernel, args);
}

/// A convolution's product (ds-decompose-qconv) is `[OH * OW, F]` for one
/// image, expanded to `[1, OH, OW, F]` and transposed to `[1, F, OH, OW]`.
/// Returns that transpose when `op` is such a product, so that the kernel
/// can write NCHW directly (C strides 1 and OH * OW) instead of a separate
/// transposing pass over the result.
linalg::TransposeOp nchwTransposeOf(dsq::QMatMulOp op) {
  if (!op->hasOneUse())
    return nullptr;
  auto expand = dyn_cast<tensor::ExpandShapeOp>(*op->getUsers().begin());
  if (!expand || !expand->hasOneUse())
    return nullptr;
  RankedTensorType nhwc = expand.getResultType();
  if (nhwc.getRank() != 4 || !nhwc.hasStaticShape() || nhwc.getDimSize(0) != 1)
    return nullptr;
  auto transpose = dyn_cast<linalg::TransposeOp>(*expand->getUsers().begin());
  if (!transpose || transpose.getInput() != expand.getResult() ||
      transpose.getPermutation() != ArrayRef<int64_t>{0, 3, 1, 2} ||
      !transpose.getInit().getDefiningOp<tensor::EmptyOp>())
    return nullptr;
  return transpose;
}

/// dsq.qmatmul with int8 activations and dsq.weight weights (and a constant
/// bias) → dsrt_kernel_qgemm_s8; anything else is left alone.
bool replaceQMatMul(dsq::QMatMulOp op, ModuleOp module) {
  auto weight = op.getWeight().getDefiningOp<dsq::WeightOp>();
  if (!op.getLhsScale() || !op.getLhs().getType().getElementType().isInteger(8) ||
      !weight || op.getWeightScale() != weight.getScale())
    return false;
  if (op.getBias() && !matchPattern(op.getBias(), m_Constant()))
    return false;
  int64_t k = op.getReductionSize(), group = op.getGroupSize();
  RankedTensorType resultType = op.getResult().getType();
  int64_t n = resultType.getShape().back();
  if (ShapedType::isDynamic(k) || ShapedType::isDynamic(group) ||
      ShapedType::isDynamic(n) || op.getLhs().getType().getRank() < 1)
    return false;

  OpBuilder b(op);
  Location loc = op.getLoc();
  Value lhs2d = to2D(b, loc, op.getLhs());
  Value m = tensor::DimOp::create(b, loc, lhs2d, 0);
  Value scale = op.getLhsScale();
  bool perTensor = cast<RankedTensorType>(scale.getType()).getRank() == 0;
  Value scale2d = perTensor ? scale : to2D(b, loc, scale);
  int64_t staticM = cast<RankedTensorType>(lhs2d.getType()).getDimSize(0);
  linalg::TransposeOp nchw = nchwTransposeOf(op);
  Value out =
      nchw ? allocate(b, loc, nchw.getInit().getType().getShape(),
                      b.getF32Type(), {})
           : allocate(b, loc, {staticM, n}, b.getF32Type(),
                      ShapedType::isDynamic(staticM) ? ValueRange{m}
                                                     : ValueRange{});

  // Buffers last, right before the call.
  View a = viewOf(b, loc, readBuffer(b, loc, lhs2d));
  View s = viewOf(b, loc, readBuffer(b, loc, scale2d));
  View w = viewOf(b, loc, readBuffer(b, loc, op.getWeight()));
  View ws = viewOf(b, loc, readBuffer(b, loc, op.getWeightScale()));
  Value bias = op.getBias()
                   ? viewOf(b, loc, readBuffer(b, loc, op.getBias())).pointer
                   : LLVM::ZeroOp::create(
                         b, loc, LLVM::LLVMPointerType::get(b.getContext()));
  View c = viewOf(b, loc, out);
  if (nchw) {
    // Row m = oh * OW + ow of channel f lives at f * OH * OW + m.
    int64_t plane = staticM;
    c.strides = {indexConst(b, loc, 1), indexConst(b, loc, plane)};
  }
  SmallVector<Value> args = {
      m,
      indexConst(b, loc, n),
      indexConst(b, loc, k),
      a.pointer,
      a.strides[0],
      a.strides[1],
      s.pointer,
      perTensor ? indexConst(b, loc, 0) : s.strides[0],
      w.pointer,
      w.strides[0],
      indexConst(b, loc, op.getBits()),
      indexConst(b, loc, group),
      ws.pointer,
      bias,
      c.pointer,
      c.strides[0],
      c.strides[1],
      indexConst(b, loc, kConstantB)};
  callKernel(b, loc, module, kQGemm, args);

  if (nchw) {
    Operation *expand = *op->getUsers().begin();
    nchw.getResult()[0].replaceAllUsesWith(resultTensor(b, loc, out));
    nchw.erase();
    expand->erase();
    op.erase();
    return true;
  }
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, op.getLhs());
  sizes.back() = b.getIndexAttr(n);
  Value result = from2D(b, loc, resultTensor(b, loc, out), resultType, sizes);
  op.getResult().replaceAllUsesWith(result);
  op.erase();
  return true;
}

/// dsq.dynamic_quantize → dsrt_kernel_quantize_s8.
bool replaceDynamicQuantize(dsq::DynamicQuantizeOp op, ModuleOp module) {
  RankedTensorType inputType = op.getInput().getType();
  if (inputType.getRank() < 1)
    return false;
  OpBuilder b(op);
  Location loc = op.getLoc();
  bool perRow = op.getGranularity() == dsq::Granularity::per_row;
  Value x2d = to2D(b, loc, op.getInput());
  Value m = tensor::DimOp::create(b, loc, x2d, 0);
  Value k = tensor::DimOp::create(b, loc, x2d, 1);
  int64_t staticK = inputType.getShape().back();
  int64_t staticM = cast<RankedTensorType>(x2d.getType()).getDimSize(0);
  SmallVector<Value> mSizes, qSizes;
  if (ShapedType::isDynamic(staticM))
    mSizes.push_back(m);
  qSizes = mSizes;
  if (ShapedType::isDynamic(staticK))
    qSizes.push_back(k);
  Value q = allocate(b, loc, {staticM, staticK}, b.getI8Type(), qSizes);
  Value scale = perRow ? allocate(b, loc, {staticM, 1}, b.getF32Type(), mSizes)
                       : allocate(b, loc, {}, b.getF32Type(), {});

  View x = viewOf(b, loc, readBuffer(b, loc, x2d));
  View vq = viewOf(b, loc, q), vs = viewOf(b, loc, scale);
  SmallVector<Value> args = {
      m,
      k,
      x.pointer,
      x.strides[0],
      x.strides[1],
      vq.pointer,
      vq.strides[0],
      vq.strides[1],
      vs.pointer,
      perRow ? vs.strides[0] : indexConst(b, loc, 0),
      indexConst(b, loc, perRow ? 1 : 0),
      indexConst(b, loc, dsq::getQMax(op.getBits()))};
  callKernel(b, loc, module, kQuantize, args);

  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, op.getInput());
  Value qt = from2D(b, loc, resultTensor(b, loc, q), op.getOutput().getType(),
                    sizes);
  Value st = resultTensor(b, loc, scale);
  if (perRow) {
    sizes.back() = b.getIndexAttr(1);
    st = from2D(b, loc, st, op.getScale().getType(), sizes);
  }
  op.getOutput().replaceAllUsesWith(qt);
  op.getScale().replaceAllUsesWith(st);
  op.erase();
  return true;
}

struct UseQuantizedKernelsPass
    : ds::impl::UseQuantizedKernelsPassBase<UseQuantizedKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<dsq::QMatMulOp> products;
    module.walk([&](dsq::QMatMulOp op) { products.push_back(op); });
    for (dsq::QMatMulOp op : products)
      replaceQMatMul(op, module);
    SmallVector<dsq::DynamicQuantizeOp> quantizations;
    module.walk(
        [&](dsq::DynamicQuantizeOp op) { quantizations.push_back(op); });
    for (dsq::DynamicQuantizeOp op : quantizations)
      replaceDynamicQuantize(op, module);
  }
};

} // namespace
