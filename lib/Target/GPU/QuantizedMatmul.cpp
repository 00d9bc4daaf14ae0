//===- QuantizedMatmul.cpp - dsq products and quantization as CUDA kernels ===//
//
// On CUDA, the int8 products of `dsq.qmatmul` (run-time int8 activations
// times int8 per-channel or int4 per-group weights) run on the int8 tensor
// cores, and `dsq.dynamic_quantize` runs as one block per row:
//
//   qmatmul:  grid (N / BN, ceil(M / 64)), 4 warps; warp w owns rows
//             16w..16w+15 of the block tile and BN / 8 column fragments.
//             For each weight group (the whole K for int8), i32 fragments
//             accumulate `mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32`
//             over steps of 32 along K and are then rescaled into f32
//             fragments by the group's weight scale; the epilogue
//             multiplies by the activation scale (row or tensor), adds the
//             bias and stores. int4 weights are read packed (two values a
//             byte) and sign-extended to s8 in registers by the B-fragment
//             loader: no unpacked or dequantized weight exists in memory.
//   quantize: grid (rows), 256 threads: strided absmax, a warp reduction
//             with shuffles and one across the 8 warps through workgroup
//             memory, then the strided round-and-clamp.
//
// Fragment layouts: PTX ISA, "Matrix Fragments for mma.m16n8k32" (.s8):
// with g = lane / 4 and t = lane % 4, A's four b32 registers hold row g
// (registers 0, 2) or g + 8 (1, 3), columns 4t..4t+3 (0, 1) or 16+4t..
// (2, 3); B's two registers hold column g, rows 4t..4t+3 and 16+4t..;
// C's registers c0..c3 are rows g, g, g+8, g+8 and columns 2t, 2t+1.
// A is row-major [M, K] activations and B "col" is exactly the [N, K]
// weight, so every register is 4 consecutive bytes of one row.
//
// Two steps, like flash attention (buffer deallocation rejects GPU ops):
// ds-gpu-quantized-matmul rewrites the dsq ops on tensors into calls of
// tagged bodiless functions on buffers; ds-gpu-expand-quantized builds the
// kernels after bufferization and deallocation.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilderBase.h"
#include "Passes.h"
#include "QuantizedFragments.h"

#include "ds/Target/GPU/QuantizedKernels.h"

#include "Quant/QuantOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::ds {
#define GEN_PASS_DEF_QUANTIZEDMATMULPASS
#define GEN_PASS_DEF_EXPANDQUANTIZEDPASS
#include "lib/Target/GPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
namespace dsq = mlir::ds::quant;
namespace s8mma = mlir::ds::s8mma;

namespace {
constexpr StringLiteral kMatmulTag = "ds.gpu_qmatmul";
constexpr StringLiteral kQuantizeTag = "ds.gpu_quantize";
constexpr StringLiteral kBits = "bits";

/// Rows of a block tile (4 warps of 16 rows) and the MMA depth.
constexpr int64_t kBlockM = 64;
constexpr int64_t kWarps = 4;
constexpr int64_t kMmaK = 32;
/// Threads of the quantization kernel (8 warps).
constexpr int64_t kQuantizeThreads = 256;

//===----------------------------------------------------------------------===//
// Shapes and what the kernels take
//===----------------------------------------------------------------------===//

struct QMatmulShape {
  int64_t m, n, k, groups, bits;
  int64_t group() const { return k / groups; }
  /// Column fragments per warp (block tile BN = 8 · fragments).
  int64_t fragments() const { return n % 32 == 0 ? 4 : n % 16 == 0 ? 2 : 1; }
};

/// The reason an int8 product cannot use the kernel, or its shape. `lhs`
/// is `[M, K]` (after collapsing), `weight` `[N, K]` or `[N, K/2]`,
/// `weightScale` `[N, G]`.
FailureOr<QMatmulShape> qmatmulShape(ShapedType lhs, ShapedType weight,
                                     ShapedType weightScale, int64_t bits,
                                     std::string &why) {
  for (ShapedType t : {lhs, weight, weightScale})
    if (!t.hasStaticShape()) {
      why = "dynamic shape";
      return failure();
    }
  if (!lhs.getElementType().isInteger(8)) {
    why = "float activations (weight-only quantization)";
    return failure();
  }
  if (bits != 8 && bits != 4) {
    why = "weights of " + std::to_string(bits) + " bits";
    return failure();
  }
  QMatmulShape s{lhs.getDimSize(0), weight.getDimSize(0), lhs.getDimSize(1),
                 weightScale.getDimSize(1), bits};
  if (s.m == 0 || s.n == 0 || s.k == 0 || s.groups == 0) {
    why = "empty";
    return failure();
  }
  if (weight.getDimSize(1) != (bits == 4 ? s.k / 2 : s.k) ||
      weightScale.getDimSize(0) != s.n || s.k % s.groups != 0) {
    why = "operand shapes do not match";
    return failure();
  }
  if (s.k % kMmaK != 0 || s.group() % kMmaK != 0) {
    why = "K (" + std::to_string(s.k) + ") or its weight group (" +
          std::to_string(s.group()) + ") is not a multiple of 32";
    return failure();
  }
  if (s.n % 8 != 0) {
    why = "N (" + std::to_string(s.n) + ") is not a multiple of 8";
    return failure();
  }
  return s;
}

//===----------------------------------------------------------------------===//
// ds-gpu-quantized-matmul (tensors)
//===----------------------------------------------------------------------===//

/// `[..., K]` as `[rows, K]` (a rank-1 tensor is one row).
Value toMatrix(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  int64_t rank = type.getRank();
  if (rank == 2)
    return t;
  if (rank == 1)
    return tensor::ExpandShapeOp::create(
        b, loc,
        RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType()),
        t, ArrayRef<ReassociationIndices>{{0, 1}});
  ReassociationIndices lead;
  int64_t rows = 1;
  for (int64_t i = 0; i + 1 < rank; ++i) {
    lead.push_back(i);
    rows *= type.getDimSize(i);
  }
  return tensor::CollapseShapeOp::create(
      b, loc,
      RankedTensorType::get({rows, type.getDimSize(rank - 1)},
                            type.getElementType()),
      t, ArrayRef<ReassociationIndices>{lead, {rank - 1}});
}

/// The inverse of toMatrix: `[rows, K]` back to `type`.
Value fromMatrix(OpBuilder &b, Location loc, Value m, RankedTensorType type) {
  int64_t rank = type.getRank();
  if (rank == 2)
    return m;
  if (rank == 1)
    return tensor::CollapseShapeOp::create(
        b, loc, type, m, ArrayRef<ReassociationIndices>{{0, 1}});
  ReassociationIndices lead;
  for (int64_t i = 0; i + 1 < rank; ++i)
    lead.push_back(i);
  return tensor::ExpandShapeOp::create(
      b, loc, type, m, ArrayRef<ReassociationIndices>{lead, {rank - 1}});
}

/// Every dimension into one: `[..., 1]` scales → `[rows]`.
Value flatten(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  if (type.getRank() == 1)
    return t;
  ReassociationIndices all;
  for (int64_t i = 0; i < type.getRank(); ++i)
    all.push_back(i);
  return tensor::CollapseShapeOp::create(
      b, loc,
      RankedTensorType::get({type.getNumElements()}, type.getElementType()), t,
      ArrayRef<ReassociationIndices>{all});
}

Value readOnlyBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto t = cast<RankedTensorType>(tensor.getType());
  auto toBuffer = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(t.getShape(), t.getElementType()), tensor);
  toBuffer.setReadOnly(true);
  return toBuffer;
}

/// A call of a fresh private declaration `name` tagged `tag = {bits}`.
void createKernelCall(OpBuilder &b, Location loc, SymbolTable &symbols,
                      ModuleOp module, StringRef name, StringRef tag,
                      int64_t bits, ValueRange operands) {
  auto decl = func::FuncOp::create(loc, name,
                                   b.getFunctionType(operands.getTypes(), {}));
  decl.setPrivate();
  decl->setAttr(tag, b.getDictionaryAttr(
                         {b.getNamedAttr(kBits, b.getI64IntegerAttr(bits))}));
  symbols.insert(decl, module.getBody()->begin());
  func::CallOp::create(b, loc, decl, operands);
}

Value freshResult(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type element) {
  return memref::AllocOp::create(b, loc, MemRefType::get(shape, element));
}

Value toTensor(OpBuilder &b, Location loc, Value buffer) {
  auto t = cast<MemRefType>(buffer.getType());
  return bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get(t.getShape(), t.getElementType()), buffer,
      /*restrict=*/true, /*writable=*/true);
}

LogicalResult rewriteQMatmul(dsq::QMatMulOp op, SymbolTable &symbols,
                             ModuleOp module, std::string &why) {
  auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
  if (!op.getLhsScale()) {
    why = "float activations (weight-only quantization)";
    return failure();
  }
  if (lhsType.getRank() < 1 || !lhsType.hasStaticShape()) {
    why = "dynamic shape";
    return failure();
  }
  auto lhsScaleType = cast<RankedTensorType>(op.getLhsScale().getType());
  if (!lhsScaleType.hasStaticShape()) {
    why = "dynamic shape";
    return failure();
  }
  int64_t rows = lhsType.getNumElements() /
                 std::max<int64_t>(1, lhsType.getShape().back());
  auto collapsed = RankedTensorType::get({rows, lhsType.getShape().back()},
                                         lhsType.getElementType());
  FailureOr<QMatmulShape> shape = qmatmulShape(
      collapsed, cast<ShapedType>(op.getWeight().getType()),
      cast<ShapedType>(op.getWeightScale().getType()), op.getBits(), why);
  if (failed(shape))
    return failure();

  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<Value> operands{
      readOnlyBuffer(b, loc, toMatrix(b, loc, op.getLhs()))};
  Value lhsScale = op.getLhsScale();
  operands.push_back(readOnlyBuffer(
      b, loc,
      lhsScaleType.getRank() == 0 ? lhsScale : flatten(b, loc, lhsScale)));
  operands.push_back(readOnlyBuffer(b, loc, op.getWeight()));
  operands.push_back(readOnlyBuffer(b, loc, op.getWeightScale()));
  if (Value bias = op.getBias())
    operands.push_back(readOnlyBuffer(b, loc, flatten(b, loc, bias)));
  Value out = freshResult(b, loc, {shape->m, shape->n}, b.getF32Type());
  operands.push_back(out);
  createKernelCall(b, loc, symbols, module, "ds_gpu_qmatmul", kMatmulTag,
                   op.getBits(), operands);
  Value result = fromMatrix(b, loc, toTensor(b, loc, out),
                            cast<RankedTensorType>(op.getType()));
  op.getResult().replaceAllUsesWith(result);
  op->erase();
  return success();
}

LogicalResult rewriteQuantize(dsq::DynamicQuantizeOp op, SymbolTable &symbols,
                              ModuleOp module, std::string &why) {
  auto type = cast<RankedTensorType>(op.getInput().getType());
  if (!type.hasStaticShape()) {
    why = "dynamic shape";
    return failure();
  }
  if (type.getRank() == 0 || type.getNumElements() == 0) {
    why = type.getRank() == 0 ? "rank-0 input" : "empty";
    return failure();
  }
  bool perRow = op.getGranularity() == dsq::Granularity::per_row;
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value input = op.getInput();
  if (!perRow)
    input = tensor::ExpandShapeOp::create(
        b, loc,
        RankedTensorType::get({1, type.getNumElements()},
                              type.getElementType()),
        flatten(b, loc, input), ArrayRef<ReassociationIndices>{{0, 1}});
  else
    input = toMatrix(b, loc, input);
  auto matrix = cast<RankedTensorType>(input.getType());
  int64_t rows = matrix.getDimSize(0), cols = matrix.getDimSize(1);
  Value q = freshResult(b, loc, {rows, cols}, b.getI8Type());
  Value scale = freshResult(b, loc, {rows}, b.getF32Type());
  createKernelCall(b, loc, symbols, module, "ds_gpu_quantize", kQuantizeTag,
                   op.getBits(), {readOnlyBuffer(b, loc, input), q, scale});
  Value qTensor = toTensor(b, loc, q);
  Value scaleTensor = toTensor(b, loc, scale);
  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  auto scaleType = cast<RankedTensorType>(op.getScale().getType());
  if (perRow) {
    qTensor = fromMatrix(b, loc, qTensor, outType);
    if (scaleType.getRank() != 1)
      scaleTensor = tensor::ExpandShapeOp::create(
          b, loc, scaleType, scaleTensor, ArrayRef<ReassociationIndices>{[&] {
            ReassociationIndices all;
            for (int64_t i = 0; i < scaleType.getRank(); ++i)
              all.push_back(i);
            return all;
          }()});
  } else {
    qTensor = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({cols}, b.getI8Type()), qTensor,
        ArrayRef<ReassociationIndices>{{0, 1}});
    if (outType.getRank() != 1) {
      ReassociationIndices all;
      for (int64_t i = 0; i < outType.getRank(); ++i)
        all.push_back(i);
      qTensor = tensor::ExpandShapeOp::create(
          b, loc, outType, qTensor, ArrayRef<ReassociationIndices>{all});
    }
    // [1] → rank 0.
    scaleTensor = tensor::CollapseShapeOp::create(
        b, loc, scaleType, scaleTensor, ArrayRef<ReassociationIndices>{});
  }
  op.getOutput().replaceAllUsesWith(qTensor);
  op.getScale().replaceAllUsesWith(scaleTensor);
  op->erase();
  return success();
}

struct QuantizedMatmulPass
    : ds::impl::QuantizedMatmulPassBase<QuantizedMatmulPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<dsq::QMatMulOp, dsq::DynamicQuantizeOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      std::string why;
      LogicalResult taken =
          isa<dsq::QMatMulOp>(op)
              ? rewriteQMatmul(cast<dsq::QMatMulOp>(op), symbols, module, why)
              : rewriteQuantize(cast<dsq::DynamicQuantizeOp>(op), symbols,
                                module, why);
      if (failed(taken) && reportSkipped)
        op->emitRemark() << op->getName()
                         << " left to the portable lowering: " << why;
    }
  }
};

//===----------------------------------------------------------------------===//
// ds-gpu-expand-quantized (buffers → kernels)
//===----------------------------------------------------------------------===//

class Builder : public ds::gpu_kernel::KernelBuilderBase {
public:
  Builder(OpBuilder &b, Location loc) : KernelBuilderBase(b, loc) {}

  /// The int8 product kernel: out[m, n] = (Σ_g f32(Σ_k∈g lhs·w) · ws[n, g])
  /// · lhsScale[m | ·] (+ bias[n]).
  void buildQMatmul(const QMatmulShape &s, Value lhs, Value lhsScale,
                    Value weight, Value weightScale, Value bias, Value out) {
    int64_t frags = s.fragments();
    auto launch = gpu::LaunchOp::create(
        b, loc, cst(s.n / (8 * frags)), cst((s.m + kBlockM - 1) / kBlockM),
        cst(1), cst(kWarps * 32), cst(1), cst(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value tid = launch.getThreadIds().x;
    Value lane = rem(tid, 32);
    Value n0 = mul(launch.getBlockIds().x, 8 * frags);
    Value m0 = add(mul(launch.getBlockIds().y, kBlockM), mul(div(tid, 32), 16));
    // Rows past M read row M - 1 and are never stored.
    auto clampRow = [&](Value r) {
      return arith::MinUIOp::create(b, loc, r, cst(s.m - 1)).getResult();
    };
    // The fragment coordinates (QuantizedFragments.h): A's registers 0 and
    // 2 (1 and 3) hold one row, the C elements 0, 1 (2, 3) another.
    Value aRows[2] = {clampRow(add(m0, s8mma::aRow(*this, lane, 0))),
                      clampRow(add(m0, s8mma::aRow(*this, lane, 1)))};
    Value cRows[2] = {add(m0, s8mma::cRow(*this, lane, 0)),
                      add(m0, s8mma::cRow(*this, lane, 1))};
    Type f32 = b.getF32Type(), i32 = b.getI32Type(), i8 = b.getI8Type();
    auto accType = VectorType::get({2, 2}, i32);
    auto faccType = VectorType::get({2, 2}, f32);
    auto zeros = [&](VectorType type) -> Value {
      return arith::ConstantOp::create(
          b, loc, type,
          DenseElementsAttr::get(type, b.getZeroAttr(type.getElementType())));
    };
    SmallVector<Value> finit(frags, zeros(faccType));
    auto groupLoop =
        scf::ForOp::create(b, loc, cst(0), cst(s.groups), cst(1), finit);
    {
      OpBuilder::InsertionGuard loopGuard(b);
      b.setInsertionPointToStart(groupLoop.getBody());
      Value gi = groupLoop.getInductionVar();
      Value kBegin = mul(gi, s.group());
      SmallVector<Value> init(frags, zeros(accType));
      auto kLoop = scf::ForOp::create(b, loc, kBegin, add(kBegin, s.group()),
                                      cst(kMmaK), init);
      {
        OpBuilder::InsertionGuard kGuard(b);
        b.setInsertionPointToStart(kLoop.getBody());
        Value k0 = kLoop.getInductionVar();
        // A: register r = 4 bytes of one activation row.
        auto quad = VectorType::get({4}, i8);
        Value a = zeros(VectorType::get({4, 4}, i8));
        for (int64_t r = 0; r < s8mma::kARegisters; ++r) {
          Value reg = vector::LoadOp::create(
              b, loc, quad, lhs,
              ValueRange{aRows[r & 1],
                         add(k0, s8mma::aColumn(*this, lane, r))});
          a = vector::InsertOp::create(b, loc, reg, a, r);
        }
        SmallVector<Value> acc(kLoop.getRegionIterArgs());
        for (int64_t f = 0; f < frags; ++f) {
          // B: register r = 4 consecutive k of one weight row (channel).
          Value col = add(n0, add(s8mma::bColumn(*this, lane), 8 * f));
          Value bFrag = zeros(VectorType::get({2, 4}, i8));
          for (int64_t r = 0; r < s8mma::kBRegisters; ++r)
            bFrag = vector::InsertOp::create(
                b, loc,
                loadWeightQuad(s, weight, col,
                               add(k0, s8mma::bRow(*this, lane, r))),
                bFrag, r);
          acc[f] = nvgpu::MmaSyncOp::create(b, loc, a, bFrag, acc[f],
                                            {16, 8, kMmaK}, /*tf32=*/false);
        }
        scf::YieldOp::create(b, loc, acc);
      }
      // The group's sums, exact in i32, scaled by its weight scales
      // (the two columns of each C fragment).
      SmallVector<Value> facc(groupLoop.getRegionIterArgs());
      for (int64_t f = 0; f < frags; ++f) {
        Value ws0 = memref::LoadOp::create(
            b, loc, weightScale,
            ValueRange{add(n0, add(s8mma::cColumn(*this, lane, 0), 8 * f)),
                       gi});
        Value ws1 = memref::LoadOp::create(
            b, loc, weightScale,
            ValueRange{add(n0, add(s8mma::cColumn(*this, lane, 1), 8 * f)),
                       gi});
        Value scales = vector::FromElementsOp::create(
            b, loc, faccType, ValueRange{ws0, ws1, ws0, ws1});
        Value sums =
            arith::SIToFPOp::create(b, loc, faccType, kLoop.getResult(f));
        facc[f] = arith::AddFOp::create(
            b, loc, facc[f], arith::MulFOp::create(b, loc, sums, scales));
      }
      scf::YieldOp::create(b, loc, facc);
    }

    // Epilogue in registers: activation scale, bias, store (rows < M).
    bool perTensor = cast<MemRefType>(lhsScale.getType()).getRank() == 0;
    auto rowScale = [&](Value row) -> Value {
      if (perTensor)
        return memref::LoadOp::create(b, loc, lhsScale, ValueRange{});
      return memref::LoadOp::create(b, loc, lhsScale, ValueRange{row});
    };
    Value rowScales[2] = {rowScale(clampRow(cRows[0])),
                          rowScale(clampRow(cRows[1]))};
    auto pair = VectorType::get({2}, f32);
    for (int64_t f = 0; f < frags; ++f) {
      // C elements 2h and 2h + 1 are adjacent columns of row cRows[h].
      Value col = add(n0, add(s8mma::cColumn(*this, lane, 0), 8 * f));
      Value biasPair;
      if (bias)
        biasPair = vector::LoadOp::create(b, loc, pair, bias, ValueRange{col});
      for (int64_t half = 0; half < 2; ++half) {
        Value row = cRows[half];
        Value v =
            vector::ExtractOp::create(b, loc, groupLoop.getResult(f), half);
        Value sc = vector::BroadcastOp::create(b, loc, pair, rowScales[half]);
        v = arith::MulFOp::create(b, loc, v, sc);
        if (biasPair)
          v = arith::AddFOp::create(b, loc, v, biasPair);
        ifBelow(row, s.m, /*alwaysBelow=*/false, [&] {
          vector::StoreOp::create(b, loc, v, out, ValueRange{row, col});
        });
      }
    }
    gpu::TerminatorOp::create(b, loc);
  }

  /// The absmax quantization kernel, one block per row of `in` [R, C].
  void buildQuantize(int64_t bits, Value in, Value outQ, Value outScale) {
    auto type = cast<MemRefType>(in.getType());
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    float qmax = static_cast<float>(dsq::getQMax(bits));
    auto shared = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
    auto partials = MemRefType::get({kQuantizeThreads / 32}, b.getF32Type(),
                                    MemRefLayoutAttrInterface(), shared);
    auto launch = gpu::LaunchOp::create(
        b, loc, cst(rows), cst(1), cst(1), cst(kQuantizeThreads), cst(1),
        cst(1), nullptr, nullptr, {}, TypeRange{partials});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value partial = launch.getWorkgroupAttributions()[0];
    Value row = launch.getBlockIds().x;
    Value tid = launch.getThreadIds().x;
    Value lane = rem(tid, 32), warp = div(tid, 32);

    auto absLoop = scf::ForOp::create(
        b, loc, tid, cst(cols), cst(kQuantizeThreads), ValueRange{fcst(0.0f)});
    {
      OpBuilder::InsertionGuard loopGuard(b);
      b.setInsertionPointToStart(absLoop.getBody());
      Value x = memref::LoadOp::create(
          b, loc, in, ValueRange{row, absLoop.getInductionVar()});
      Value m =
          arith::MaximumFOp::create(b, loc, absLoop.getRegionIterArgs()[0],
                                    math::AbsFOp::create(b, loc, x));
      scf::YieldOp::create(b, loc, m);
    }
    Value amax = absLoop.getResult(0);
    for (int64_t offset = 16; offset >= 1; offset /= 2) {
      Value other = gpu::ShuffleOp::create(b, loc, amax, offset, 32,
                                           gpu::ShuffleMode::XOR)
                        .getShuffleResult();
      amax = arith::MaximumFOp::create(b, loc, amax, other);
    }
    {
      Value first =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, cst(0));
      auto ifOp = scf::IfOp::create(b, loc, first, /*withElse=*/false);
      OpBuilder::InsertionGuard ifGuard(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      memref::StoreOp::create(b, loc, amax, partial, ValueRange{warp});
    }
    gpu::BarrierOp::create(b, loc);
    Value total = memref::LoadOp::create(b, loc, partial, ValueRange{cst(0)});
    for (int64_t w = 1; w < kQuantizeThreads / 32; ++w)
      total = arith::MaximumFOp::create(
          b, loc, total,
          memref::LoadOp::create(b, loc, partial, ValueRange{cst(w)}));
    // scale = absmax / qmax; q = clamp(roundeven(x · (qmax / absmax))), as
    // ds-lower-quantized computes it; an all-zero row gets scale 0.
    Value q = fcst(qmax);
    {
      Value first =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, cst(0));
      auto ifOp = scf::IfOp::create(b, loc, first, /*withElse=*/false);
      OpBuilder::InsertionGuard ifGuard(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      memref::StoreOp::create(b, loc, arith::DivFOp::create(b, loc, total, q),
                              outScale, ValueRange{row});
    }
    Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                           total, fcst(0.0f));
    Value inv = arith::SelectOp::create(
        b, loc, positive, arith::DivFOp::create(b, loc, q, total), fcst(0.0f));
    auto qLoop =
        scf::ForOp::create(b, loc, tid, cst(cols), cst(kQuantizeThreads));
    {
      OpBuilder::InsertionGuard loopGuard(b);
      b.setInsertionPointToStart(qLoop.getBody());
      Value c = qLoop.getInductionVar();
      Value x = memref::LoadOp::create(b, loc, in, ValueRange{row, c});
      Value v = math::RoundEvenOp::create(
          b, loc, arith::MulFOp::create(b, loc, x, inv));
      v = arith::MinimumFOp::create(
          b, loc, arith::MaximumFOp::create(b, loc, v, fcst(-qmax)), q);
      memref::StoreOp::create(b, loc,
                              arith::FPToSIOp::create(b, loc, b.getI8Type(), v),
                              outQ, ValueRange{row, c});
    }
    gpu::TerminatorOp::create(b, loc);
  }

private:
  /// Four consecutive weights of column `col` from `k`: bytes of an int8
  /// weight, or two packed bytes sign-extended nibble by nibble (element
  /// 2j in the low nibble of byte j).
  Value loadWeightQuad(const QMatmulShape &s, Value weight, Value col,
                       Value k) {
    Type i8 = b.getI8Type();
    if (s.bits == 8)
      return vector::LoadOp::create(b, loc, VectorType::get({4}, i8), weight,
                                    ValueRange{col, k});
    auto pairType = VectorType::get({2}, i8);
    Value packed = vector::LoadOp::create(b, loc, pairType, weight,
                                          ValueRange{col, div(k, 2)});
    Value four = arith::ConstantOp::create(
        b, loc, pairType,
        DenseElementsAttr::get(pairType, b.getI8IntegerAttr(4)));
    Value low = arith::ShRSIOp::create(
        b, loc, arith::ShLIOp::create(b, loc, packed, four), four);
    Value high = arith::ShRSIOp::create(b, loc, packed, four);
    return vector::ShuffleOp::create(b, loc, low, high,
                                     ArrayRef<int64_t>{0, 2, 1, 3});
  }

};

struct ExpandQuantizedPass
    : ds::impl::ExpandQuantizedPassBase<ExpandQuantizedPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> decls;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn->hasAttr(kMatmulTag) || fn->hasAttr(kQuantizeTag))
        decls.push_back(fn);
    if (decls.empty())
      return;
    SmallVector<func::CallOp> calls;
    module.walk([&](func::CallOp call) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      if (callee &&
          (callee->hasAttr(kMatmulTag) || callee->hasAttr(kQuantizeTag)))
        calls.push_back(call);
    });
    for (func::CallOp call : calls)
      if (failed(expand(module, call)))
        return signalPassFailure();
    for (func::FuncOp decl : decls)
      if (decl.symbolKnownUseEmpty(module))
        decl.erase();
  }

  LogicalResult expand(ModuleOp module, func::CallOp call) {
    auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
    bool matmul = callee->hasAttr(kMatmulTag);
    auto params = callee->getAttrOfType<DictionaryAttr>(matmul ? kMatmulTag
                                                               : kQuantizeTag);
    auto bitsAttr = params ? params.getAs<IntegerAttr>(kBits) : nullptr;
    ValueRange args = call.getOperands();
    auto memref = [&](unsigned i) {
      return i < args.size() ? dyn_cast<MemRefType>(args[i].getType())
                             : MemRefType();
    };
    auto fail = [&](const Twine &why) {
      return call.emitError() << "ds-gpu-expand-quantized: " << why;
    };
    for (unsigned i = 0; i < args.size(); ++i) {
      MemRefType t = memref(i);
      if (!t || !t.getLayout().isIdentity() || !t.hasStaticShape())
        return fail("operand " + Twine(i) +
                    " is not a static buffer with the identity layout");
    }
    int64_t bits = bitsAttr ? bitsAttr.getInt() : 0;
    OpBuilder b(call);
    Builder builder(b, call.getLoc());
    if (!matmul) {
      if (!bitsAttr || (bits != 8 && bits != 4) || args.size() != 3 ||
          memref(0).getRank() != 2 || !memref(0).getElementType().isF32() ||
          memref(1).getShape() != memref(0).getShape() ||
          !memref(1).getElementType().isInteger(8) ||
          memref(2).getRank() != 1 ||
          memref(2).getDimSize(0) != memref(0).getDimSize(0) ||
          !memref(2).getElementType().isF32())
        return fail("expected a call of (f32 [R, C] input, i8 [R, C] "
                    "result, f32 [R] scales) and a callee with '" +
                    Twine(kQuantizeTag) + "' = {bits: 8 | 4}");
      builder.buildQuantize(bits, args[0], args[1], args[2]);
      call.erase();
      return success();
    }
    bool hasBias = args.size() == 6;
    if (!bitsAttr || (args.size() != 5 && !hasBias))
      return fail("expected a call of (lhs, lhs scale, weight, weight scale"
                  "[, bias], result) buffers and a callee with '" +
                  Twine(kMatmulTag) + "' = {bits: 8 | 4}");
    if (memref(0).getRank() != 2 || memref(2).getRank() != 2 ||
        memref(3).getRank() != 2)
      return fail("lhs, weight and weight scale must be matrices");
    std::string why;
    FailureOr<QMatmulShape> shape =
        qmatmulShape(memref(0), memref(2), memref(3), bits, why);
    if (failed(shape))
      return fail(why);
    MemRefType lhsScale = memref(1), out = memref(args.size() - 1);
    if ((lhsScale.getRank() != 0 &&
         (lhsScale.getRank() != 1 || lhsScale.getDimSize(0) != shape->m)) ||
        !lhsScale.getElementType().isF32() ||
        !memref(3).getElementType().isF32() ||
        !memref(2).getElementType().isInteger(8) ||
        (hasBias &&
         (memref(4).getRank() != 1 || memref(4).getDimSize(0) != shape->n ||
          !memref(4).getElementType().isF32())) ||
        out.getRank() != 2 || out.getDimSize(0) != shape->m ||
        out.getDimSize(1) != shape->n || !out.getElementType().isF32())
      return fail("scale, bias or result buffers do not match the product");
    builder.buildQMatmul(*shape, args[0], args[1], args[2], args[3],
                         hasBias ? args[4] : Value(), args.back());
    call.erase();
    return success();
  }
};
} // namespace

void mlir::ds::addGPUQuantizedKernelPasses(OpPassManager &pm) {
  pm.addPass(createQuantizedMatmulPass());
}
