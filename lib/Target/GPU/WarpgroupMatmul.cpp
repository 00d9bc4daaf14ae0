//===- WarpgroupMatmul.cpp - linalg matmul → sm_90a wgmma kernels ---------===//
//
// Each eligible linalg.matmul / linalg.batch_matmul on buffers becomes one
// gpu.launch of one warpgroup (128 threads) per 64 × BN output tile:
//
//   grid = (N / BN, ceil(M / 64), batch), block = 128 threads
//   shared: one buffer, 1024-byte-aligned in-kernel, holding the A tile
//   (64 rows × 64 k) and the Bᵀ tile (BN rows × 64 k), both K-major with the
//   128-byte swizzle (16-byte chunk c of row r at chunk c XOR r % 8);
//   per K step of 64: cooperative copy (A rows past M are zeros), every
//   thread's fence.proxy.async.shared::cta (its generic-proxy writes become
//   visible to the async proxy wgmma reads through), barrier, wgmma.fence,
//   four wgmma.mma_async.m64nBNk16.f32.{f16,bf16} on descriptors built from
//   the tile addresses, commit_group, wait_group 0, barrier;
//   then C += the accumulators, in the m64nNk16 D layout.
//
// The index math is WarpgroupLayout.h's (PTX ISA references there), shared
// with the CPU emulation in test/unit/gpu/WarpgroupLayoutTest.cpp.
//
// Not done (docs/gpu.md, "Warpgroup MMA"): TMA loads, a multi-stage
// pipeline overlapping copies with wgmma, B read MN-major through the
// descriptor's transpose bit instead of transposed by the copy, fused
// fills/epilogues, tf32.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilderBase.h"
#include "MatmulMatch.h"
#include "Passes.h"
#include "WarpgroupLayout.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::ds {
#define GEN_PASS_DEF_WARPGROUPMATMULPASS
#include "lib/Target/GPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
namespace wg = mlir::ds::wgmma;

namespace {
/// The shape of one kernel.
struct Plan {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  int64_t paddedM = 0;
  int64_t tileN = 0;
  Type inType;
  bool batched = false;
};

/// Why `op` cannot use the wgmma kernel, or its plan.
FailureOr<Plan> planFor(linalg::LinalgOp op, std::string &why) {
  FailureOr<mlir::ds::gpu_matmul::MatmulOperands> operands =
      mlir::ds::gpu_matmul::matchBufferMatmul(op, why);
  if (failed(operands))
    return failure();
  MemRefType aType = operands->a, bType = operands->b, cType = operands->c;
  Plan plan;
  plan.batched = isa<linalg::BatchMatmulOp>(op);
  ArrayRef<int64_t> a = aType.getShape(), b = bType.getShape();
  plan.batch = plan.batched ? a[0] : 1;
  plan.m = a[a.size() - 2];
  plan.k = a.back();
  plan.n = b.back();
  plan.inType = aType.getElementType();
  if (bType.getElementType() != plan.inType ||
      !cType.getElementType().isF32()) {
    why = "mixed input types or a non-f32 result";
    return failure();
  }
  if (plan.inType.isF32()) {
    why = "f32 operands (tf32 wgmma is not built)";
    return failure();
  }
  if (!plan.inType.isF16() && !plan.inType.isBF16()) {
    why = "element type without a wgmma kernel";
    return failure();
  }
  if (plan.m == 0 || plan.n % 16 || plan.k % wg::kTileK) {
    why = "N not a multiple of 16 or K not a multiple of 64 (or M = 0)";
    return failure();
  }
  for (int64_t tile : {128, 64, 32, 16})
    if (plan.n % tile == 0) {
      plan.tileN = tile;
      break;
    }
  plan.paddedM = (plan.m + wg::kTileM - 1) / wg::kTileM * wg::kTileM;
  return plan;
}

using ds::gpu_kernel::Idx;

class KernelBuilder : ds::gpu_kernel::KernelBuilderBase {
public:
  KernelBuilder(OpBuilder &b, Location loc, const Plan &plan)
      : KernelBuilderBase(b, loc), plan(plan) {}

  void build(Value a, Value bMat, Value c) {
    MLIRContext *ctx = b.getContext();
    auto sharedSpace = gpu::AddressSpaceAttr::get(
        ctx, gpu::GPUDialect::getWorkgroupAddressSpace());
    int64_t bTileOffset = wg::aTileBytes();
    int64_t bufferBytes =
        wg::kAtomBytes + wg::aTileBytes() + wg::bTileBytes(plan.tileN);
    auto bufferType =
        MemRefType::get({bufferBytes / wg::kElementBytes}, plan.inType,
                        MemRefLayoutAttrInterface(), sharedSpace);
    auto launch = gpu::LaunchOp::create(
        b, loc, cst(plan.n / plan.tileN), cst(plan.paddedM / wg::kTileM),
        cst(plan.batch), cst(wg::kThreads), cst(1), cst(1),
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/{}, TypeRange{bufferType});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value shared = launch.getWorkgroupAttributions()[0];
    batchIv = launch.getBlockIds().z;
    Idx tid = idx(launch.getThreadIds().x);
    Value m0 = mul(launch.getBlockIds().y, wg::kTileM);
    Value n0 = mul(launch.getBlockIds().x, plan.tileN);

    // The tiles start at the first 1024-byte boundary of the buffer (the
    // 128-byte swizzle is a function of the address bits 4-9).
    Idx raw = idx(memref::ExtractAlignedPointerAsIndexOp::create(b, loc,
                                                                 shared));
    Idx tileBase = wg::alignedTileBase(raw);
    Idx firstElement = (tileBase - raw) / wg::kElementBytes;

    auto accType = LLVM::LLVMStructType::getLiteral(
        ctx, SmallVector<Type>(plan.tileN / 2, b.getF32Type()));
    Value zeroAcc = LLVM::ZeroOp::create(b, loc, accType);
    Value descHigh = arith::ConstantIntOp::create(
        b, loc, b.getI64Type(), int64_t(wg::descriptorHighBits()));
    auto descriptor = [&](Idx address) -> Value {
      Value field = arith::IndexCastUIOp::create(
          b, loc, b.getI64Type(), wg::descriptorAddressField(address));
      return arith::AddIOp::create(b, loc, field, descHigh);
    };

    auto kLoop = scf::ForOp::create(b, loc, cst(0), cst(plan.k),
                                    cst(wg::kTileK), ValueRange{zeroAcc});
    {
      OpBuilder::InsertionGuard loopGuard(b);
      b.setInsertionPointToStart(kLoop.getBody());
      Value k0 = kLoop.getInductionVar();
      Value acc = kLoop.getRegionIterArgs()[0];
      copyA(a, shared, firstElement, tid, m0, k0);
      copyB(bMat, shared, firstElement, tid, n0, k0, bTileOffset);
      // Each thread orders its generic-proxy shared writes before the async
      // proxy's reads (PTX ISA, "Memory Consistency Model": proxies), then
      // the barrier makes all of them precede every warp's wgmma.
      NVVM::FenceProxyOp::create(
          b, loc, NVVM::ProxyKind::async_shared,
          NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
      gpu::BarrierOp::create(b, loc);
      NVVM::WgmmaFenceAlignedOp::create(b, loc);
      auto wgmmaType = plan.inType.isBF16() ? NVVM::WGMMATypes::bf16
                                            : NVVM::WGMMATypes::f16;
      for (int64_t kk = 0; kk < wg::kTileK / wg::kMmaK; ++kk) {
        Value descA = descriptor(wg::sliceAddress(tileBase, kk));
        Value descB =
            descriptor(wg::sliceAddress(tileBase + bTileOffset, kk));
        // Layouts row (A) and col (B): both operands K-major, no
        // transpose.
        acc = NVVM::WgmmaMmaAsyncOp::create(
            b, loc, accType, acc, descA, descB,
            NVVM::MMAShapeAttr::get(ctx, wg::kTileM, plan.tileN, wg::kMmaK),
            wgmmaType, wgmmaType, NVVM::WGMMATypes::f32,
            NVVM::WGMMAScaleOut::one, NVVM::WGMMAScaleIn::one,
            NVVM::WGMMAScaleIn::one, NVVM::MMALayout::row,
            NVVM::MMALayout::col, /*satfinite=*/nullptr);
      }
      NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
      NVVM::WgmmaWaitGroupSyncOp::create(b, loc, uint64_t(0));
      // The next step overwrites tiles other warps' wgmma may have read.
      gpu::BarrierOp::create(b, loc);
      scf::YieldOp::create(b, loc, acc);
    }
    storeAccumulators(kLoop.getResult(0), c, tid, m0, n0);
    gpu::TerminatorOp::create(b, loc);
  }

private:
  SmallVector<Value> global(Value row, Value col) {
    if (plan.batched)
      return {batchIv, row, col};
    return {row, col};
  }

  /// A's 64 × 64 tile at (m0, k0): 16-byte vectors to their swizzled
  /// chunks; rows past M read the last row and store zeros.
  void copyA(Value a, Value shared, Idx firstElement, Idx tid, Value m0,
             Value k0) {
    auto vecType = VectorType::get({8}, plan.inType);
    for (int64_t i = 0; i < wg::kACopiesPerThread; ++i) {
      Idx row = wg::aCopyRow(tid, i);
      Idx chunk = wg::aCopyChunk(tid, i);
      Value globalRow = add(m0, row);
      Value col = add(k0, chunk * 8);
      Value v;
      if (plan.m == plan.paddedM) {
        v = vector::LoadOp::create(b, loc, vecType, a, global(globalRow, col));
      } else {
        Value inRows = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::ult, globalRow, cst(plan.m));
        Value clamped =
            arith::MinUIOp::create(b, loc, globalRow, cst(plan.m - 1));
        v = vector::LoadOp::create(b, loc, vecType, a, global(clamped, col));
        v = arith::SelectOp::create(b, loc, inRows, v, zeros(vecType));
      }
      Value at = firstElement +
                 wg::swizzledChunkOffset(row, chunk) / wg::kElementBytes;
      vector::StoreOp::create(b, loc, v, shared, ValueRange{at},
                              /*nontemporal=*/false, llvm::MaybeAlign(16));
    }
  }

  /// B's 64 × BN tile at (k0, n0), transposed: 8 consecutive n of one k
  /// row are read as a vector and stored as 8 elements of column k.
  void copyB(Value bMat, Value shared, Idx firstElement, Idx tid, Value n0,
             Value k0, int64_t tileOffset) {
    auto vecType = VectorType::get({8}, plan.inType);
    for (int64_t i = 0; i < wg::bCopiesPerThread(plan.tileN); ++i) {
      Idx kRow = wg::bCopyK(tid, i, plan.tileN);
      Idx nCol = wg::bCopyN(tid, i, plan.tileN);
      Value v = vector::LoadOp::create(b, loc, vecType, bMat,
                                       global(add(k0, kRow), add(n0, nCol)));
      for (int64_t e = 0; e < 8; ++e) {
        Value x = vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{e});
        Value at = firstElement + (wg::swizzledElementOffset(nCol + e, kRow) +
                                   tileOffset) /
                                      wg::kElementBytes;
        memref::StoreOp::create(b, loc, x, shared, ValueRange{at});
      }
    }
  }

  /// C += D: registers 2p and 2p+1 are adjacent columns of one row.
  void storeAccumulators(Value acc, Value c, Idx tid, Value m0, Value n0) {
    auto pairType = VectorType::get({2}, b.getF32Type());
    for (int64_t i = 0; i < plan.tileN / 2; i += 2) {
      Value row = add(m0, wg::accRow(tid, i));
      Value col = add(n0, wg::accCol(tid, i));
      auto body = [&]() {
        Value pair = zeros(pairType);
        for (int64_t e = 0; e < 2; ++e) {
          Value x = LLVM::ExtractValueOp::create(b, loc, acc,
                                                 ArrayRef<int64_t>{i + e});
          pair = vector::InsertOp::create(b, loc, x, pair,
                                          ArrayRef<int64_t>{e});
        }
        Value old =
            vector::LoadOp::create(b, loc, pairType, c, global(row, col));
        Value sum = arith::AddFOp::create(b, loc, old, pair);
        vector::StoreOp::create(b, loc, sum, c, global(row, col));
      };
      ifBelow(row, plan.m, plan.m == plan.paddedM, body);
    }
  }

  const Plan &plan;
  Value batchIv;
};

struct WarpgroupMatmulPass
    : ds::impl::WarpgroupMatmulPassBase<WarpgroupMatmulPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) &&
          !op->getParentOfType<gpu::LaunchOp>())
        candidates.push_back(op);
    });
    for (linalg::LinalgOp op : candidates) {
      // wgmma exists on sm_90a only: an sm_90 or later cubin/PTX must not
      // contain it.
      if (chip != "sm_90a") {
        if (reportSkipped)
          op->emitRemark() << "matmul left to mma.sync: wgmma needs chip "
                              "sm_90a, compiling for '"
                           << chip << "'";
        continue;
      }
      std::string why;
      FailureOr<Plan> plan = planFor(op, why);
      if (failed(plan)) {
        if (reportSkipped)
          op->emitRemark() << "matmul left to mma.sync: " << why;
        continue;
      }
      OpBuilder b(op);
      KernelBuilder(b, op.getLoc(), *plan)
          .build(op.getDpsInputs()[0], op.getDpsInputs()[1],
                 op.getDpsInits()[0]);
      op->erase();
    }
  }
};
} // namespace
