//===- MfmaMatmul.cpp - linalg matmul → tiled MFMA kernels (ROCm) ---------===//
//
// Each eligible linalg.matmul / linalg.batch_matmul on buffers becomes one
// gpu.launch for AMD CDNA matrix cores (gfx90a, gfx94x, gfx950):
//
//   grid  = (N / BN, M / BM, batch), block = 64 · waves threads (wave64)
//   per block: an output tile BM × BN; per wave: a WM × WN sub-tile held in
//   registers as (WM/16) × (WN/16) MFMA accumulators (vector<4xf32>);
//   K loop in steps of BK: the block copies the A (BM × BK) and B (BK × BN)
//   tiles into LDS (workgroup memory; rows padded by 16 bytes), barrier,
//   each wave loads its operands by lane index and issues amdgpu.mfma
//   16x16x4 (f32: v_mfma_f32_16x16x4f32) or 16x16x16 (f16:
//   v_mfma_f32_16x16x16f16, bf16: v_mfma_f32_16x16x16bf16_1k), barrier.
//   Epilogue: the accumulators, which started from C, are stored to C.
//
// Operand and accumulator layouts of the single-block 16 × 16 MFMAs (AMD
// "CDNA3 Instruction Set Architecture", chapter "Matrix Arithmetic
// Instructions", and the AMD Matrix Instruction Calculator's
// --register-layout for these instructions on CDNA2/CDNA3), with lane
// l ∈ [0, 64) and kPerLane = K / 4 values per lane:
//   A[i][k]: lane i + 16 · (k / kPerLane), element k % kPerLane
//   B[k][j]: lane j + 16 · (k / kPerLane), element k % kPerLane
//   D[i][j]: lane j + 16 · (i / 4),        element i % 4
// i.e. lane l holds A row l % 16 at k = kPerLane · (l / 16) + e, B column
// l % 16 at the same k, and D rows 4 · (l / 16) + e of column l % 16.
// See docs/gpu.md "Matrix-core matmul (ROCm)".
//
//===----------------------------------------------------------------------===//
#include "KernelBuilderBase.h"
#include "MatmulMatch.h"
#include "Passes.h"

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::ds {
#define GEN_PASS_DEF_MFMAMATMULPASS
#include "lib/Target/GPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
constexpr int64_t kWaveSize = 64;
constexpr int64_t kTile = 16; // the MFMA's M and N

/// The shape of one kernel: block tile, wave tile, K step, MFMA depth.
struct MfmaPlan {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  /// M rounded up to 16: rows past M are zero in A's tile and not stored.
  int64_t paddedM = 0;
  int64_t blockM = 0, blockN = 0, blockK = 0;
  int64_t waveM = 0, waveN = 0;
  int64_t mfmaK = 4; // 4 for f32 (16x16x4), 16 for f16/bf16 (16x16x16)
  Type inType, accType;

  int64_t kPerLane() const { return mfmaK / 4; }
  int64_t wavesN() const { return blockN / waveN; }
  int64_t numWaves() const { return (blockM / waveM) * wavesN(); }
  int64_t numThreads() const { return kWaveSize * numWaves(); }
  int64_t bytes() const { return inType.getIntOrFloatBitWidth() / 8; }
  /// Elements of padding per LDS row (16 bytes, so 16-byte vector stores
  /// stay aligned and consecutive rows start in different banks).
  int64_t pad() const { return 16 / bytes(); }
};

using mlir::ds::gpu_matmul::largestDividing;

/// The CDNA chips whose MFMA set has all three instructions this kernel
/// uses (gfx908 lacks v_mfma_f32_16x16x16bf16_1k; RDNA has WMMA instead).
bool chipHasMfma(StringRef chip) {
  return chip == "gfx90a" || chip == "gfx940" || chip == "gfx941" ||
         chip == "gfx942" || chip == "gfx950";
}

/// Why `op` cannot use the MFMA kernel, or the plan if it can.
FailureOr<MfmaPlan> planFor(linalg::LinalgOp op, std::string &why) {
  FailureOr<mlir::ds::gpu_matmul::MatmulOperands> operands =
      mlir::ds::gpu_matmul::matchBufferMatmul(op, why);
  if (failed(operands))
    return failure();
  MemRefType aType = operands->a, bType = operands->b, cType = operands->c;
  MfmaPlan plan;
  plan.inType = aType.getElementType();
  plan.accType = cType.getElementType();
  if (bType.getElementType() != plan.inType || !plan.accType.isF32()) {
    why = "mixed input types or a non-f32 result";
    return failure();
  }
  if (plan.inType.isF16() || plan.inType.isBF16()) {
    plan.mfmaK = 16;
  } else if (plan.inType.isF32()) {
    plan.mfmaK = 4;
  } else {
    why = "element type without an MFMA kernel";
    return failure();
  }
  bool batched = isa<linalg::BatchMatmulOp>(op);
  ArrayRef<int64_t> a = aType.getShape(), b = bType.getShape();
  plan.batch = batched ? a[0] : 1;
  plan.m = a[a.size() - 2];
  plan.k = a.back();
  plan.n = b.back();
  plan.paddedM = (plan.m + kTile - 1) / kTile * kTile;
  plan.blockM = largestDividing(plan.paddedM, {64, 32, 16});
  plan.blockN = largestDividing(plan.n, {64, 32, 16});
  // K steps whose rows are whole 16-byte chunks (the copy's vector width).
  int64_t step = std::max<int64_t>(plan.mfmaK, 16 / plan.bytes());
  for (int64_t c : {32, 16, 8, 4})
    if (c % step == 0 && plan.k % c == 0) {
      plan.blockK = c;
      break;
    }
  if (plan.m == 0 || plan.batch == 0 || !plan.blockN || !plan.blockK ||
      plan.k % plan.mfmaK) {
    why = "N not a multiple of 16, K not a multiple of " +
          std::to_string(step) +
          ", or an empty operand";
    return failure();
  }
  plan.waveM = std::min<int64_t>(plan.blockM, 32);
  plan.waveN = std::min<int64_t>(plan.blockN, 32);
  return plan;
}

/// Builds the kernel for one matmul. Indices are relative to the batch
/// element when `batched`.
class KernelBuilder : ds::gpu_kernel::KernelBuilderBase {
public:
  KernelBuilder(OpBuilder &b, Location loc, const MfmaPlan &plan,
                bool batched)
      : KernelBuilderBase(b, loc), plan(plan), batched(batched) {}

  void build(Value a, Value bMat, Value c) {
    auto idx = [&](int64_t v) { return cst(v); };
    auto lds = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
    auto aTile = MemRefType::get({plan.blockM, plan.blockK + plan.pad()},
                                 plan.inType, MemRefLayoutAttrInterface(),
                                 lds);
    auto bTile = MemRefType::get({plan.blockK, plan.blockN + plan.pad()},
                                 plan.inType, MemRefLayoutAttrInterface(),
                                 lds);
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
    Value wave = div(tid, kWaveSize);
    Value lane = rem(tid, kWaveSize);
    Value waveRow = mul(div(wave, plan.wavesN()), plan.waveM);
    Value waveCol = mul(rem(wave, plan.wavesN()), plan.waveN);
    // Lane l works on row/column l % 16 and K slice (or D row quad) l / 16.
    laneIn16 = rem(lane, kTile);
    laneQuad = div(lane, kTile);

    // Accumulators start from C (linalg.matmul accumulates into its init).
    int64_t tilesM = plan.waveM / kTile, tilesN = plan.waveN / kTile;
    SmallVector<Value> init;
    for (int64_t i = 0; i < tilesM; ++i)
      for (int64_t j = 0; j < tilesN; ++j)
        init.push_back(loadAccumulator(c, add(m0, add(waveRow, cst(i * 16))),
                                       add(n0, add(waveCol, cst(j * 16)))));

    auto kLoop = scf::ForOp::create(b, loc, cst(0), cst(plan.k),
                                    cst(plan.blockK), init);
    {
      OpBuilder::InsertionGuard loopGuard(b);
      b.setInsertionPointToStart(kLoop.getBody());
      Value k0 = kLoop.getInductionVar();
      SmallVector<Value> acc(kLoop.getRegionIterArgs());
      copyTile(a, aShared, m0, k0, plan.blockM, plan.blockK, tid,
               /*rowLimit=*/plan.m);
      copyTile(bMat, bShared, k0, n0, plan.blockK, plan.blockN, tid,
               /*rowLimit=*/plan.k);
      gpu::BarrierOp::create(b, loc);
      for (int64_t kk = 0; kk < plan.blockK; kk += plan.mfmaK) {
        SmallVector<Value> aOps, bOps;
        for (int64_t i = 0; i < tilesM; ++i)
          aOps.push_back(loadA(aShared, add(waveRow, cst(i * 16)), kk));
        for (int64_t j = 0; j < tilesN; ++j)
          bOps.push_back(loadB(bShared, kk, add(waveCol, cst(j * 16))));
        for (int64_t i = 0; i < tilesM; ++i)
          for (int64_t j = 0; j < tilesN; ++j) {
            Value &d = acc[i * tilesN + j];
            d = amdgpu::MFMAOp::create(
                b, loc, d.getType(), /*m=*/kTile, /*n=*/kTile,
                /*k=*/plan.mfmaK, /*blocks=*/1, aOps[i], bOps[j], d);
          }
      }
      // The next iteration overwrites the tiles other waves may still read.
      gpu::BarrierOp::create(b, loc);
      scf::YieldOp::create(b, loc, acc);
    }
    for (int64_t i = 0; i < tilesM; ++i)
      for (int64_t j = 0; j < tilesN; ++j)
        storeAccumulator(kLoop.getResult(i * tilesN + j), c,
                         add(m0, add(waveRow, cst(i * 16))),
                         add(n0, add(waveCol, cst(j * 16))));
    gpu::TerminatorOp::create(b, loc);
  }

private:
  /// Indices into a global operand: the batch index first when batched.
  SmallVector<Value> global(Value row, Value col) {
    if (batched)
      return {batchIv, row, col};
    return {row, col};
  }

  /// Cooperative copy of a rows × cols tile at (row0, col0) of `src` into
  /// `dst` in 16-byte vectors, threads striding over the tile so that
  /// consecutive threads touch consecutive addresses. Rows at or past
  /// `rowLimit` (a partial last block of M) read the last row and store
  /// zeros.
  void copyTile(Value src, Value dst, Value row0, Value col0, int64_t rows,
                int64_t cols, Value tid, int64_t rowLimit) {
    int64_t width = std::min<int64_t>(16 / plan.bytes(), cols);
    int64_t chunksPerRow = cols / width;
    int64_t chunks = rows * chunksPerRow;
    int64_t threads = plan.numThreads();
    auto vecType = VectorType::get({width}, plan.inType);
    for (int64_t first = 0; first < chunks; first += threads) {
      Value chunk = add(tid, cst(first));
      auto body = [&]() {
        Value r = div(chunk, chunksPerRow);
        Value cc = mul(rem(chunk, chunksPerRow), width);
        Value row = add(row0, r);
        Value v;
        if (rowLimit % rows == 0) {
          v = vector::LoadOp::create(b, loc, vecType, src,
                                     global(row, add(col0, cc)));
        } else {
          Value inRows = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::ult, row, cst(rowLimit));
          Value clamped =
              arith::MinUIOp::create(b, loc, row, cst(rowLimit - 1));
          v = vector::LoadOp::create(b, loc, vecType, src,
                                     global(clamped, add(col0, cc)));
          Value zero = arith::ConstantOp::create(
              b, loc, vecType,
              DenseElementsAttr::get(vecType, b.getZeroAttr(plan.inType)));
          v = arith::SelectOp::create(b, loc, inRows, v, zero);
        }
        // LDS rows are 16-byte multiples (padded), chunks 16 bytes wide,
        // on a 16-byte-aligned tile (ds-gpu-align-workgroup-memory).
        vector::StoreOp::create(b, loc, v, dst, ValueRange{r, cc},
                                /*nontemporal=*/false, llvm::MaybeAlign(16));
      };
      ifBelow(chunk, chunks, first + threads <= chunks, body);
    }
  }

  /// The A operand of the 16 × mfmaK tile at (row0, kk) in LDS: row
  /// l % 16, K values kPerLane · (l / 16) + e. f32: one scalar;
  /// f16/bf16: four contiguous values, one 8-byte LDS load.
  Value loadA(Value shared, Value row0, int64_t kk) {
    Value row = add(row0, laneIn16);
    Value col = add(cst(kk), mul(laneQuad, plan.kPerLane()));
    if (plan.kPerLane() == 1)
      return memref::LoadOp::create(b, loc, shared, ValueRange{row, col});
    return vector::LoadOp::create(
        b, loc, VectorType::get({plan.kPerLane()}, plan.inType), shared,
        ValueRange{row, col});
  }

  /// The B operand of the mfmaK × 16 tile at (kk, col0) in LDS: column
  /// l % 16, K values kPerLane · (l / 16) + e (strided rows: gathered).
  Value loadB(Value shared, int64_t kk, Value col0) {
    Value col = add(col0, laneIn16);
    Value k = add(cst(kk), mul(laneQuad, plan.kPerLane()));
    if (plan.kPerLane() == 1)
      return memref::LoadOp::create(b, loc, shared, ValueRange{k, col});
    SmallVector<Value> elems;
    for (int64_t e = 0; e < plan.kPerLane(); ++e)
      elems.push_back(memref::LoadOp::create(
          b, loc, shared, ValueRange{e ? add(k, cst(e)) : k, col}));
    return vector::FromElementsOp::create(
        b, loc, VectorType::get({plan.kPerLane()}, plan.inType), elems);
  }

  /// Row `r` of C, clamped into M for loads (rows past M are never stored)
  /// when M is not a multiple of 16.
  Value clampRow(Value r) {
    if (plan.m == plan.paddedM)
      return r;
    return arith::MinUIOp::create(b, loc, r, cst(plan.m - 1));
  }

  /// D layout: element e of lane l is row 4 · (l / 16) + e, column l % 16.
  Value accRow(Value row0, int64_t e) {
    return add(row0, add(mul(laneQuad, 4), cst(e)));
  }

  Value loadAccumulator(Value c, Value row0, Value col0) {
    Value col = add(col0, laneIn16);
    SmallVector<Value> elems;
    for (int64_t e = 0; e < 4; ++e)
      elems.push_back(memref::LoadOp::create(
          b, loc, c, global(clampRow(accRow(row0, e)), col)));
    return vector::FromElementsOp::create(
        b, loc, VectorType::get({4}, plan.accType), elems);
  }

  void storeAccumulator(Value acc, Value c, Value row0, Value col0) {
    Value col = add(col0, laneIn16);
    for (int64_t e = 0; e < 4; ++e) {
      Value v = vector::ExtractOp::create(b, loc, acc, ArrayRef<int64_t>{e});
      Value row = accRow(row0, e);
      ifBelow(row, plan.m, plan.m == plan.paddedM, [&] {
        memref::StoreOp::create(b, loc, v, c, global(row, col));
      });
    }
  }

  const MfmaPlan &plan;
  bool batched;
  Value batchIv, laneIn16, laneQuad;
};

struct MfmaMatmulPass : ds::impl::MfmaMatmulPassBase<MfmaMatmulPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) &&
          !op->getParentOfType<gpu::LaunchOp>())
        candidates.push_back(op);
    });
    if (candidates.empty())
      return;
    if (!chipHasMfma(chip)) {
      if (reportSkipped)
        for (linalg::LinalgOp op : candidates)
          op->emitRemark() << "matmul left to the SIMT path: chip '" << chip
                           << "' has no MFMA kernel (gfx90a, gfx940, "
                              "gfx941, gfx942, gfx950)";
      return;
    }
    for (linalg::LinalgOp op : candidates) {
      std::string why;
      FailureOr<MfmaPlan> plan = planFor(op, why);
      if (failed(plan)) {
        if (reportSkipped)
          op->emitRemark() << "matmul left to the SIMT path: " << why;
        continue;
      }
      OpBuilder b(op);
      KernelBuilder(b, op.getLoc(), *plan, isa<linalg::BatchMatmulOp>(op))
          .build(op.getDpsInputs()[0], op.getDpsInputs()[1],
                 op.getDpsInits()[0]);
      op->erase();
    }
  }
};
} // namespace
