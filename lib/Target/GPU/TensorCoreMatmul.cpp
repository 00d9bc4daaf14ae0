//===- TensorCoreMatmul.cpp - linalg matmul → tiled mma.sync kernels ------===//
//
// Each eligible linalg.matmul / linalg.batch_matmul on buffers becomes one
// gpu.launch:
//
//   grid  = (N / BN, M / BM, batch), block = 32 · warps threads
//   per block: an output tile BM × BN; per warp: a WM × WN sub-tile held in
//   registers as (WM/16) × (WN/8) mma accumulators (vector<2x2xf32>);
//   K loop in steps of BK: the block copies the A (BM × BK) and B (BK × BN)
//   tiles into workgroup memory (rows padded by 16 bytes so the eight row
//   addresses of an 8×8 ldmatrix fall in distinct banks), barrier, each warp
//   loads its fragments (nvgpu.ldmatrix for 16-bit types, lane-indexed loads
//   for tf32) and issues nvgpu.mma.sync, barrier.
//   Init: the accumulators start from C, or from the splat C holds when
//   its last write is a linalg.fill (or a copy of a filled buffer), which
//   then goes away.
//   Epilogue: the accumulators are stored to C once, or, when C's only
//   reader is an elementwise linalg.generic (bias, activation, residual,
//   cast), that generic's body runs on each accumulator element in
//   registers and stores its output instead (MatmulEpilogue.h).
//
// The index math follows the PTX ISA's fragment layouts for
// mma.m16n8k16 (.f16/.bf16) and mma.m16n8k8 (.tf32); see docs/gpu.md.
//
//===----------------------------------------------------------------------===//
#include "ConvAsGemm.h"
#include "MatmulEpilogue.h"
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::ds {
#define GEN_PASS_DEF_TENSORCOREMATMULPASS
#include "lib/Target/GPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds::gpu_epilogue;
using namespace mlir::ds::gpu_conv;

namespace {
/// The shape of one kernel: block tile, warp tile, K step, MMA instruction.
struct MatmulPlan {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  /// M rounded up to 16: rows past M are zero in A's tile and not stored.
  int64_t paddedM = 0;
  int64_t blockM = 0, blockN = 0, blockK = 0;
  int64_t warpM = 0, warpN = 0;
  int64_t mmaK = 16; // 16 for f16 (m16n8k16), 8 for tf32 (m16n8k8)
  bool tf32 = false;
  Type inType, accType;
  /// Set for an implicit-GEMM convolution: A is the weight (shared by the
  /// batch), B is gathered from the input.
  std::optional<ConvGemm> conv;

  int64_t warpsN() const { return blockN / warpN; }
  int64_t numWarps() const { return (blockM / warpM) * warpsN(); }
  int64_t numThreads() const { return 32 * numWarps(); }
  /// Elements of padding per shared-memory row (16 bytes).
  int64_t pad() const { return 16 / (inType.getIntOrFloatBitWidth() / 8); }
};

int64_t largestDividing(int64_t value, ArrayRef<int64_t> candidates) {
  for (int64_t c : candidates)
    if (value % c == 0)
      return c;
  return 0;
}

bool hasStaticIdentityInner(MemRefType type) {
  if (!type.hasStaticShape())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides.back() == 1;
}

FailureOr<MatmulPlan> finishPlan(MatmulPlan plan, bool allowTF32,
                                 std::string &why);

/// Why `op` cannot use the tensor-core kernel, or the plan if it can.
FailureOr<MatmulPlan> planFor(linalg::LinalgOp op, bool allowTF32,
                              std::string &why) {
  if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op)) {
    why = "not a matmul";
    return failure();
  }
  if (!op.hasPureBufferSemantics()) {
    why = "not on buffers";
    return failure();
  }
  // Default indexing maps only: no transposed or broadcast operands.
  if (auto mm = dyn_cast<linalg::MatmulOp>(op.getOperation());
      mm && mm.hasUserDefinedMaps()) {
    why = "user-defined indexing maps";
    return failure();
  }
  if (auto bmm = dyn_cast<linalg::BatchMatmulOp>(op.getOperation());
      bmm && bmm.hasUserDefinedMaps()) {
    why = "user-defined indexing maps";
    return failure();
  }
  auto aType = cast<MemRefType>(op.getDpsInputs()[0].getType());
  auto bType = cast<MemRefType>(op.getDpsInputs()[1].getType());
  auto cType = cast<MemRefType>(op.getDpsInits()[0].getType());
  for (MemRefType t : {aType, bType, cType})
    if (!hasStaticIdentityInner(t)) {
      why = "dynamic shape or non-unit innermost stride";
      return failure();
    }
  bool batched = isa<linalg::BatchMatmulOp>(op);
  ArrayRef<int64_t> a = aType.getShape(), b = bType.getShape();
  MatmulPlan plan;
  plan.batch = batched ? a[0] : 1;
  plan.m = a[a.size() - 2];
  plan.k = a.back();
  plan.n = b.back();
  plan.inType = aType.getElementType();
  plan.accType = cType.getElementType();
  if (bType.getElementType() != plan.inType) {
    why = "mixed input types or a non-f32 result";
    return failure();
  }
  return finishPlan(plan, allowTF32, why);
}

/// The implicit-GEMM plan of a convolution (ConvAsGemm.h).
FailureOr<MatmulPlan> planForConv(const ConvGemm &conv, bool allowTF32,
                                  std::string &why) {
  MatmulPlan plan;
  plan.conv = conv;
  plan.batch = conv.batch;
  plan.m = conv.gemmM();
  plan.n = conv.gemmN();
  plan.k = conv.gemmK();
  plan.inType = cast<MemRefType>(conv.input.getType()).getElementType();
  plan.accType = cast<MemRefType>(conv.output.getType()).getElementType();
  if (cast<MemRefType>(conv.weight.getType()).getElementType() !=
      plan.inType) {
    why = "mixed input types or a non-f32 result";
    return failure();
  }
  return finishPlan(plan, allowTF32, why);
}

/// Types and tiles, once the problem's shape is known.
FailureOr<MatmulPlan> finishPlan(MatmulPlan plan, bool allowTF32,
                                 std::string &why) {
  if (!plan.accType.isF32()) {
    why = "mixed input types or a non-f32 result";
    return failure();
  }
  if (plan.inType.isF16() || plan.inType.isBF16()) {
    plan.mmaK = 16;
  } else if (plan.inType.isF32() && allowTF32) {
    plan.tf32 = true;
    plan.mmaK = 8;
  } else {
    why = plan.inType.isF32() ? "f32 without allow-tf32"
                              : "element type without an mma.sync kernel";
    return failure();
  }
  plan.paddedM = (plan.m + 15) / 16 * 16;
  plan.blockM = largestDividing(plan.paddedM, {64, 32, 16});
  plan.blockN = largestDividing(plan.n, {64, 32, 16, 8});
  plan.blockK = largestDividing(plan.k, {32, 16, plan.mmaK});
  if (plan.m == 0 || !plan.blockN || plan.k % plan.mmaK) {
    why = "N, K not multiples of 8, " + std::to_string(plan.mmaK) +
          " (or M = 0)";
    return failure();
  }
  plan.warpM = std::min<int64_t>(plan.blockM, 32);
  plan.warpN = std::min<int64_t>(plan.blockN, 32);
  return plan;
}

/// Builds the kernel for one matmul. Indices are relative to the batch
/// element when `batched`.
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc, const MatmulPlan &plan,
                bool batched, Value initValue, const Epilogue *epilogue)
      : b(b), loc(loc), plan(plan), batched(batched), initValue(initValue),
        epilogue(epilogue) {}

  void build(Value a, Value bMat, Value c) {
    auto idx = [&](int64_t v) { return cst(v); };
    auto sharedSpace = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
    auto aTile = MemRefType::get({plan.blockM, plan.blockK + plan.pad()},
                                 plan.inType, MemRefLayoutAttrInterface(),
                                 sharedSpace);
    auto bTile = MemRefType::get({plan.blockK, plan.blockN + plan.pad()},
                                 plan.inType, MemRefLayoutAttrInterface(),
                                 sharedSpace);
    auto launch = gpu::LaunchOp::create(
        b, loc, idx(plan.n / plan.blockN), idx(plan.paddedM / plan.blockM),
        idx(plan.batch), idx(plan.numThreads()), idx(1), idx(1),
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/{}, TypeRange{aTile, bTile});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value aShared = launch.getWorkgroupAttributions()[0];
    Value bShared = launch.getWorkgroupAttributions()[1];
    batchIv = launch.getBlockIds().z;
    Value tid = launch.getThreadIds().x;
    Value m0 = mul(launch.getBlockIds().y, plan.blockM);
    Value n0 = mul(launch.getBlockIds().x, plan.blockN);
    Value warp = arith::DivUIOp::create(b, loc, tid, cst(32));
    Value lane = arith::RemUIOp::create(b, loc, tid, cst(32));
    Value warpRow = mul(arith::DivUIOp::create(b, loc, warp,
                                               cst(plan.warpsN())),
                        plan.warpM);
    Value warpCol = mul(arith::RemUIOp::create(b, loc, warp,
                                               cst(plan.warpsN())),
                        plan.warpN);
    group = arith::DivUIOp::create(b, loc, lane, cst(4));
    inGroup = arith::RemUIOp::create(b, loc, lane, cst(4));

    // Accumulators start from C (linalg.matmul accumulates into its init),
    // or from the splat C was filled with.
    int64_t tilesM = plan.warpM / 16, tilesN = plan.warpN / 8;
    auto accType = VectorType::get({2, 2}, plan.accType);
    SmallVector<Value> init;
    Value splat;
    if (initValue)
      splat = vector::BroadcastOp::create(b, loc, accType, initValue);
    for (int64_t i = 0; i < tilesM; ++i)
      for (int64_t j = 0; j < tilesN; ++j)
        init.push_back(splat ? splat
                             : loadAccumulator(
                                   c, add(m0, add(warpRow, cst(i * 16))),
                                   add(n0, add(warpCol, cst(j * 8))),
                                   accType));

    auto kLoop = scf::ForOp::create(b, loc, cst(0), cst(plan.k),
                                    cst(plan.blockK), init);
    {
      OpBuilder::InsertionGuard loopGuard(b);
      b.setInsertionPointToStart(kLoop.getBody());
      Value k0 = kLoop.getInductionVar();
      SmallVector<Value> acc(kLoop.getRegionIterArgs());
      copyTile(a, aShared, m0, k0, plan.blockM, plan.blockK, tid,
               /*rowLimit=*/plan.m, /*isA=*/true);
      copyTile(bMat, bShared, k0, n0, plan.blockK, plan.blockN, tid,
               /*rowLimit=*/plan.k, /*isA=*/false);
      gpu::BarrierOp::create(b, loc);
      for (int64_t kk = 0; kk < plan.blockK; kk += plan.mmaK) {
        SmallVector<Value> aFrags, bFrags;
        for (int64_t i = 0; i < tilesM; ++i)
          aFrags.push_back(
              loadA(aShared, add(warpRow, cst(i * 16)), cst(kk), lane));
        for (int64_t j = 0; j < tilesN; ++j)
          bFrags.push_back(
              loadB(bShared, cst(kk), add(warpCol, cst(j * 8)), lane));
        for (int64_t i = 0; i < tilesM; ++i)
          for (int64_t j = 0; j < tilesN; ++j) {
            Value &d = acc[i * tilesN + j];
            d = nvgpu::MmaSyncOp::create(b, loc, aFrags[i], bFrags[j], d,
                                         {16, 8, plan.mmaK}, plan.tf32);
          }
      }
      // The next iteration overwrites the tiles other warps may still read.
      gpu::BarrierOp::create(b, loc);
      scf::YieldOp::create(b, loc, acc);
    }
    for (int64_t i = 0; i < tilesM; ++i)
      for (int64_t j = 0; j < tilesN; ++j)
        storeAccumulator(kLoop.getResult(i * tilesN + j), c,
                         add(m0, add(warpRow, cst(i * 16))),
                         add(n0, add(warpCol, cst(j * 8))));
    gpu::TerminatorOp::create(b, loc);
  }

private:
  Value cst(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t y) {
    return arith::MulIOp::create(b, loc, x, cst(y));
  }
  /// Indices into a global operand: the batch index first when batched.
  SmallVector<Value> global(Value row, Value col) {
    if (batched)
      return {batchIv, row, col};
    return {row, col};
  }
  /// A convolution's A (the weight) is one matrix for the whole batch.
  SmallVector<Value> globalA(Value row, Value col) {
    if (plan.conv)
      return {row, col};
    return global(row, col);
  }

  /// Element (k, p) of a convolution's B for the block's batch element:
  /// input[n, 0, c, oh·sh + kh·dh, ow·sw + kw·dw] with k = (c·KH + kh)·KW
  /// + kw and p = oh·OW + ow (the input is padded beforehand).
  Value gatherConvB(Value input, Value k, Value p) {
    const ConvGemm &conv = *plan.conv;
    Value kw = arith::RemUIOp::create(b, loc, k, cst(conv.kw));
    Value ckh = arith::DivUIOp::create(b, loc, k, cst(conv.kw));
    Value kh = arith::RemUIOp::create(b, loc, ckh, cst(conv.kh));
    Value c = arith::DivUIOp::create(b, loc, ckh, cst(conv.kh));
    Value ow = arith::RemUIOp::create(b, loc, p, cst(conv.ow));
    Value oh = arith::DivUIOp::create(b, loc, p, cst(conv.ow));
    Value h = add(mul(oh, conv.strideH), mul(kh, conv.dilationH));
    Value w = add(mul(ow, conv.strideW), mul(kw, conv.dilationW));
    return memref::LoadOp::create(b, loc, input,
                                  ValueRange{batchIv, cst(0), c, h, w});
  }

  /// Cooperative copy of a rows × cols tile at (row0, col0) of `src` into
  /// `dst`: contiguous 16-byte vectors where rows allow, threads striding
  /// over the tile so consecutive threads touch consecutive addresses.
  void copyTile(Value src, Value dst, Value row0, Value col0, int64_t rows,
                int64_t cols, Value tid, int64_t rowLimit, bool isA) {
    int64_t width =
        std::min<int64_t>(16 / (plan.inType.getIntOrFloatBitWidth() / 8),
                          cols);
    int64_t chunksPerRow = cols / width;
    int64_t chunks = rows * chunksPerRow;
    int64_t threads = plan.numThreads();
    auto vecType = VectorType::get({width}, plan.inType);
    for (int64_t first = 0; first < chunks; first += threads) {
      Value chunk = add(tid, cst(first));
      auto body = [&]() {
        Value r = arith::DivUIOp::create(b, loc, chunk, cst(chunksPerRow));
        Value cc = mul(arith::RemUIOp::create(b, loc, chunk,
                                              cst(chunksPerRow)),
                       width);
        Value row = add(row0, r);
        auto indices = [&](Value rr, Value ccol) {
          return isA ? globalA(rr, ccol) : global(rr, ccol);
        };
        if (!isA && plan.conv) {
          // Implicit GEMM: the B chunk is gathered element by element
          // (K is a multiple of the tile, so every row exists).
          Value v = arith::ConstantOp::create(
              b, loc, vecType,
              DenseElementsAttr::get(vecType, b.getZeroAttr(plan.inType)));
          for (int64_t e = 0; e < width; ++e)
            v = vector::InsertOp::create(
                b, loc, gatherConvB(src, row, add(col0, add(cc, cst(e)))), v,
                ArrayRef<int64_t>{e});
          vector::StoreOp::create(b, loc, v, dst, ValueRange{r, cc},
                                  /*nontemporal=*/false, llvm::MaybeAlign(16));
          return;
        }
        if (rowLimit % rows == 0) {
          Value v = vector::LoadOp::create(b, loc, vecType, src,
                                           indices(row, add(col0, cc)));
          vector::StoreOp::create(b, loc, v, dst, ValueRange{r, cc},
                                  /*nontemporal=*/false, llvm::MaybeAlign(16));
          return;
        }
        // A partial tile (M not a multiple of the block): rows past the
        // end read the last row and are replaced by zeros.
        Value inRows = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::ult, row, cst(rowLimit));
        Value clamped = arith::MinUIOp::create(b, loc, row, cst(rowLimit - 1));
        Value v = vector::LoadOp::create(b, loc, vecType, src,
                                         indices(clamped, add(col0, cc)));
        Value zero = arith::ConstantOp::create(
            b, loc, vecType,
            DenseElementsAttr::get(vecType, b.getZeroAttr(plan.inType)));
        v = arith::SelectOp::create(b, loc, inRows, v, zero);
        // Shared rows are 16-byte multiples (padded) and chunks 16 bytes
        // wide, on a 16-byte-aligned tile (ds-gpu-align-workgroup-memory).
        vector::StoreOp::create(b, loc, v, dst, ValueRange{r, cc},
                                /*nontemporal=*/false, llvm::MaybeAlign(16));
      };
      if (first + threads <= chunks) {
        body();
        continue;
      }
      Value inTile = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                           chunk, cst(chunks));
      auto guard = scf::IfOp::create(b, loc, inTile, /*withElse=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(guard.thenBlock());
      body();
    }
  }

  /// A fragment of the 16 × mmaK tile of A at (row0, k0) in shared memory.
  Value loadA(Value shared, Value row0, Value k0, Value lane) {
    if (!plan.tf32) {
      // ldmatrix.x4: lanes 0-15 give rows 0-15 at column 0, lanes 16-31
      // the same rows at column 8; the four 8×8 matrices come back in the
      // order of the m16n8k16 A fragment (a0a1, a2a3, a4a5, a6a7).
      Value row = add(row0, arith::RemUIOp::create(b, loc, lane, cst(16)));
      Value col =
          add(k0, mul(arith::DivUIOp::create(b, loc, lane, cst(16)), 8));
      return nvgpu::LdMatrixOp::create(
          b, loc, VectorType::get({4, 2}, plan.inType), shared,
          ValueRange{row, col}, b.getBoolAttr(false), b.getI32IntegerAttr(4));
    }
    // m16n8k8 tf32: a0 (g, t), a1 (g+8, t), a2 (g, t+4), a3 (g+8, t+4).
    Value r = add(row0, group), c = add(k0, inGroup);
    return gatherScalars(shared, {{r, c},
                                  {add(r, cst(8)), c},
                                  {r, add(c, cst(4))},
                                  {add(r, cst(8)), add(c, cst(4))}},
                         {4, 1});
  }

  /// A fragment of the mmaK × 8 tile of B at (k0, col0) in shared memory.
  Value loadB(Value shared, Value k0, Value col0, Value lane) {
    if (!plan.tf32) {
      // ldmatrix.x2.trans: lanes 0-15 give the rows k0..k0+15 (the
      // addresses of lanes 16-31 are ignored but kept in bounds);
      // transposing yields b0b1 = (k = 2t, 2t+1; n = g), b2b3 = k + 8.
      Value row = add(k0, arith::RemUIOp::create(b, loc, lane, cst(16)));
      return nvgpu::LdMatrixOp::create(
          b, loc, VectorType::get({2, 2}, plan.inType), shared,
          ValueRange{row, col0}, b.getBoolAttr(true), b.getI32IntegerAttr(2));
    }
    // m16n8k8 tf32: b0 (k = t, n = g), b1 (k = t+4, n = g).
    Value r = add(k0, inGroup), c = add(col0, group);
    return gatherScalars(shared, {{r, c}, {add(r, cst(4)), c}}, {2, 1});
  }

  Value gatherScalars(Value shared, ArrayRef<std::pair<Value, Value>> at,
                      ArrayRef<int64_t> shape) {
    auto type = VectorType::get(shape, plan.inType);
    Value v = arith::ConstantOp::create(
        b, loc, type,
        DenseElementsAttr::get(type, b.getZeroAttr(plan.inType)));
    for (auto [i, rc] : llvm::enumerate(at)) {
      Value x = memref::LoadOp::create(b, loc, shared,
                                       ValueRange{rc.first, rc.second});
      v = vector::InsertOp::create(b, loc, x, v,
                                   ArrayRef<int64_t>{int64_t(i) / shape[1],
                                                     int64_t(i) % shape[1]});
    }
    return v;
  }

  /// The m16n8 accumulator layout (both instructions): row g holds
  /// c0 c1 at columns 2t, 2t+1; row g+8 holds c2 c3.
  /// Row `r` of C, clamped into M for loads (rows past M are never
  /// stored) when M is not a multiple of 16.
  Value clampRow(Value r) {
    if (plan.m == plan.paddedM)
      return r;
    return arith::MinUIOp::create(b, loc, r, cst(plan.m - 1));
  }

  Value loadAccumulator(Value c, Value row0, Value col0, VectorType type) {
    Value r = add(row0, group);
    Value col = add(col0, mul(inGroup, 2));
    auto rowType = VectorType::get({2}, plan.accType);
    Value top =
        vector::LoadOp::create(b, loc, rowType, c, global(clampRow(r), col));
    Value bottom = vector::LoadOp::create(
        b, loc, rowType, c, global(clampRow(add(r, cst(8))), col));
    Value v = arith::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, b.getZeroAttr(plan.accType)));
    v = vector::InsertOp::create(b, loc, top, v, ArrayRef<int64_t>{0});
    return vector::InsertOp::create(b, loc, bottom, v, ArrayRef<int64_t>{1});
  }

  void storeAccumulator(Value acc, Value c, Value row0, Value col0) {
    Value r = add(row0, group);
    Value col = add(col0, mul(inGroup, 2));
    Value top = vector::ExtractOp::create(b, loc, acc, ArrayRef<int64_t>{0});
    Value bottom =
        vector::ExtractOp::create(b, loc, acc, ArrayRef<int64_t>{1});
    auto storeRow = [&](Value v, Value row) {
      if (!epilogue) {
        vector::StoreOp::create(b, loc, v, c, global(row, col));
        return;
      }
      // The consumer's body on each element, in registers; its result
      // goes to the consumer's output. Rows count across the batch.
      Value flatRow = batched ? add(mul(batchIv, plan.m), row) : row;
      for (int64_t e = 0; e < 2; ++e) {
        Value x = vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{e});
        emitEpilogueElement(b, loc, *epilogue, x, flatRow,
                            e ? add(col, cst(1)) : col);
      }
    };
    auto store = [&](Value v, Value row) {
      if (plan.m == plan.paddedM) {
        storeRow(v, row);
        return;
      }
      Value inRows = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                           row, cst(plan.m));
      auto guard = scf::IfOp::create(b, loc, inRows, /*withElse=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(guard.thenBlock());
      storeRow(v, row);
    };
    store(top, r);
    store(bottom, add(r, cst(8)));
  }

  OpBuilder &b;
  Location loc;
  const MatmulPlan &plan;
  bool batched;
  Value initValue;
  const Epilogue *epilogue;
  Value batchIv, group, inGroup;
};

struct TensorCoreMatmulPass
    : ds::impl::TensorCoreMatmulPassBase<TensorCoreMatmulPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return;
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op)) {
        candidates.push_back(op);
        return;
      }
      // Only convolutions among the generics: the others may be erased as
      // an earlier candidate's epilogue.
      std::string why;
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
          generic && convolutions &&
          (succeeded(matchConvAsGemm(generic, why)) || !why.empty()))
        candidates.push_back(op);
    });
    for (linalg::LinalgOp op : candidates) {
      std::string why;
      FailureOr<MatmulPlan> plan = failure();
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation())) {
        if (!convolutions)
          continue;
        FailureOr<ConvGemm> conv = matchConvAsGemm(generic, why);
        if (succeeded(conv))
          plan = planForConv(*conv, allowTF32, why);
        if (failed(plan)) {
          if (reportSkipped && !why.empty())
            op->emitRemark() << "convolution left to the SIMT path: " << why;
          continue;
        }
      } else {
        plan = planFor(op, allowTF32, why);
        if (failed(plan)) {
          if (reportSkipped)
            op->emitRemark() << "matmul left to the SIMT path: " << why;
          continue;
        }
      }
      Value c = op.getDpsInits()[0];
      FailureOr<ConstantInit> init = failure();
      if (foldFill) {
        init = findConstantInit(op);
        if (succeeded(init) && init->value.getType() != plan->accType)
          init = failure();
      }
      FailureOr<Epilogue> epilogue = failure();
      if (fuseEpilogue) {
        std::string whyNot;
        epilogue = findEpilogue(op, plan->n, whyNot);
        if (failed(epilogue) && reportSkipped)
          op->emitRemark() << "epilogue not fused: " << whyNot;
      }
      // With an epilogue the kernel replaces the consumer, where everything
      // it reads and writes is defined.
      Operation *at = succeeded(epilogue)
                          ? epilogue->generic.getOperation()
                          : op.getOperation();
      OpBuilder b(at);
      Value a = op.getDpsInputs()[0], bMat = op.getDpsInputs()[1], cMat = c;
      if (plan->conv) {
        // GEMM views: A = weight [F, C·KH·KW], C = output [N, F, OH·OW];
        // B is gathered from the input.
        a = memref::CollapseShapeOp::create(
            b, op.getLoc(), plan->conv->weight,
            ArrayRef<ReassociationIndices>{{0, 1}, {2, 3, 4}});
        bMat = plan->conv->input;
        cMat = memref::CollapseShapeOp::create(
            b, op.getLoc(), c,
            ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3, 4}});
      }
      KernelBuilder(b, op.getLoc(), *plan,
                    plan->conv || isa<linalg::BatchMatmulOp>(op),
                    succeeded(init) ? init->value : Value(),
                    succeeded(epilogue) ? &*epilogue : nullptr)
          .build(a, bMat, cMat);
      if (succeeded(epilogue))
        epilogue->generic->erase();
      op->erase();
      // The kernel overwrites C (or, with an epilogue, nothing reads it):
      // the fill or copy that initialized it is dead.
      if (succeeded(init) && init->deadWriter)
        init->deadWriter->erase();
      if (succeeded(epilogue))
        eraseDeadBuffer(c);
    }
  }
};
} // namespace
