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
//   Copies: 16-byte chunks, declared 16-byte aligned (128-bit loads) when
//   the operand's base alignment and row strides prove it; when both
//   operands are aligned, cp.async into two shared stages, the copy of tile
//   k+1 issued before the MMAs of tile k (software pipelining).
//   Padding: M, N and K need not be multiples of the tiles: A and B tiles
//   are zero past the operands' ends and stores past M and N are skipped.
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
#include "KernelBuilderBase.h"
#include "MatmulMatch.h"
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
  /// N and K rounded up to the block tile: columns past N are zero in B's
  /// tile and not stored, K past the end is zero in both tiles.
  int64_t paddedN = 0, paddedK = 0;
  int64_t blockM = 0, blockN = 0, blockK = 0;
  int64_t warpM = 0, warpN = 0;
  int64_t mmaK = 16; // 16 for f16 (m16n8k16), 8 for tf32 (m16n8k8)
  bool tf32 = false;
  Type inType, accType;
  /// Set for an implicit-GEMM convolution: A is the weight (shared by the
  /// batch), B is gathered from the input.
  std::optional<ConvGemm> conv;
  /// Every 16-byte chunk of A's (B's) tile rows is 16-byte aligned in
  /// global memory (alignedRowChunks).
  bool alignedA = false, alignedB = false;
  /// cp.async into two shared stages (pipelinable).
  bool pipelined = false;

  int64_t warpsN() const { return blockN / warpN; }
  int64_t numWarps() const { return (blockM / warpM) * warpsN(); }
  int64_t numThreads() const { return 32 * numWarps(); }
  /// Elements of padding per shared-memory row (16 bytes).
  int64_t pad() const { return 16 / elementBytes(); }
  int64_t elementBytes() const { return inType.getIntOrFloatBitWidth() / 8; }
  /// Elements per cooperative copy chunk (16 bytes).
  int64_t chunk() const { return 16 / elementBytes(); }
  int64_t stages() const { return pipelined ? 2 : 1; }
  /// Static shared memory of the A and B tiles.
  int64_t sharedBytes(int64_t numStages) const {
    return numStages * elementBytes() *
           (blockM * (blockK + pad()) + blockK * (blockN + pad()));
  }
};

int64_t roundUp(int64_t value, int64_t to) { return (value + to - 1) / to * to; }

using mlir::ds::gpu_matmul::largestDividing;

FailureOr<MatmulPlan> finishPlan(MatmulPlan plan, bool allowTF32,
                                 std::string &why);

/// The largest candidate dividing `value`; otherwise the largest whose
/// padding of `value` is at most an eighth of it, else the smallest.
int64_t tileWithPadding(int64_t value, ArrayRef<int64_t> candidates) {
  if (int64_t t = largestDividing(value, candidates))
    return t;
  for (int64_t c : candidates)
    if ((roundUp(value, c) - value) * 8 <= value)
      return c;
  return candidates.back();
}

/// Bytes the base (aligned) pointer of `memref` is known to be aligned to:
/// views keep their source's base and only change the offset.
int64_t baseAlignment(Value memref) {
  while (Operation *def = memref.getDefiningOp()) {
    if (auto assume = dyn_cast<memref::AssumeAlignmentOp>(def))
      return assume.getAlignment();
    if (auto alloc = dyn_cast<memref::AllocOp>(def))
      return alloc.getAlignment().value_or(0);
    if (!isa<memref::SubViewOp, memref::CollapseShapeOp,
             memref::ExpandShapeOp, memref::CastOp,
             memref::ReinterpretCastOp>(def))
      return 0;
    memref = def->getOperand(0);
  }
  return 0;
}

/// Whether every `chunkBytes`-byte chunk that starts at a column multiple
/// of the chunk in any row of `memref` is `chunkBytes`-aligned: the base is,
/// and the static offset and every outer stride are multiples of it.
bool alignedRowChunks(Value memref, int64_t chunkBytes) {
  auto type = cast<MemRefType>(memref.getType());
  int64_t elementBytes = type.getElementTypeBitWidth() / 8;
  if (baseAlignment(memref) < chunkBytes)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) || (offset * elementBytes) % chunkBytes)
    return false;
  for (int64_t stride : ArrayRef<int64_t>(strides).drop_back())
    if (ShapedType::isDynamic(stride) || (stride * elementBytes) % chunkBytes)
      return false;
  return true;
}

/// Why `op` cannot use the tensor-core kernel, or the plan if it can.
FailureOr<MatmulPlan> planFor(linalg::LinalgOp op, bool allowTF32,
                              std::string &why) {
  FailureOr<mlir::ds::gpu_matmul::MatmulOperands> operands =
      mlir::ds::gpu_matmul::matchBufferMatmul(op, why);
  if (failed(operands))
    return failure();
  MemRefType aType = operands->a, bType = operands->b, cType = operands->c;
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
  if (plan.m == 0 || plan.n == 0 || plan.k == 0) {
    why = "an empty dimension (M, N or K = 0)";
    return failure();
  }
  plan.paddedM = roundUp(plan.m, 16);
  plan.blockM = largestDividing(plan.paddedM, {64, 32, 16});
  plan.blockN = tileWithPadding(plan.n, {64, 32, 16, 8});
  plan.blockK = tileWithPadding(plan.k, {32, 16, plan.mmaK});
  plan.paddedN = roundUp(plan.n, plan.blockN);
  plan.paddedK = roundUp(plan.k, plan.blockK);
  plan.warpM = std::min<int64_t>(plan.blockM, 32);
  plan.warpN = std::min<int64_t>(plan.blockN, 32);
  return plan;
}

/// Builds the kernel for one matmul. Indices are relative to the batch
/// element when `batched`.
class KernelBuilder : ds::gpu_kernel::KernelBuilderBase {
public:
  KernelBuilder(OpBuilder &b, Location loc, const MatmulPlan &plan,
                bool batched, Value initValue, const Epilogue *epilogue)
      : KernelBuilderBase(b, loc), plan(plan), batched(batched), initValue(initValue),
        epilogue(epilogue) {}

  void build(Value a, Value bMat, Value c) {
    auto idx = [&](int64_t v) { return cst(v); };
    auto sharedSpace = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
    // With pipelining, a leading dimension of 2 holds the two stages.
    auto tileType = [&](int64_t rows, int64_t cols) {
      SmallVector<int64_t> shape;
      if (plan.pipelined)
        shape.push_back(2);
      shape.append({rows, cols});
      return MemRefType::get(shape, plan.inType, MemRefLayoutAttrInterface(),
                             sharedSpace);
    };
    auto aTile = tileType(plan.blockM, plan.blockK + plan.pad());
    auto bTile = tileType(plan.blockK, plan.blockN + plan.pad());
    auto launch = gpu::LaunchOp::create(
        b, loc, idx(plan.paddedN / plan.blockN),
        idx(plan.paddedM / plan.blockM),
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

    // Pipelined: the prologue starts copying tile 0 into stage 0.
    auto copyTiles = [&](Value stage, Value k0, Value issue) {
      SmallVector<Value> tokens =
          copyTile(a, aShared, stage, m0, k0, plan.blockM, plan.blockK, tid,
                   /*rowLimit=*/plan.m, /*colLimit=*/plan.k, /*isA=*/true,
                   issue);
      tokens.append(copyTile(bMat, bShared, stage, k0, n0, plan.blockK,
                             plan.blockN, tid, /*rowLimit=*/plan.k,
                             /*colLimit=*/plan.n, /*isA=*/false, issue));
      return tokens;
    };
    if (plan.pipelined)
      nvgpu::DeviceAsyncCreateGroupOp::create(
          b, loc, copyTiles(cst(0), cst(0), Value()));

    auto kLoop = scf::ForOp::create(b, loc, cst(0), cst(plan.paddedK),
                                    cst(plan.blockK), init);
    {
      OpBuilder::InsertionGuard loopGuard(b);
      b.setInsertionPointToStart(kLoop.getBody());
      Value k0 = kLoop.getInductionVar();
      SmallVector<Value> acc(kLoop.getRegionIterArgs());
      Value stage;
      if (plan.pipelined) {
        // Tile k is in stage k % 2; issue the copy of tile k + 1 into the
        // other stage (the barrier ending iteration k - 1 freed it), then
        // wait for all but that newest group: tile k has landed. The last
        // iteration copies nothing (0 source bytes), so every iteration
        // commits one group.
        stage = arith::RemUIOp::create(
            b, loc, arith::DivUIOp::create(b, loc, k0, cst(plan.blockK)),
            cst(2));
        Value other = arith::SubIOp::create(b, loc, cst(1), stage);
        Value next = add(k0, cst(plan.blockK));
        Value hasNext = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::ult, next, cst(plan.paddedK));
        Value nextK =
            arith::MinUIOp::create(b, loc, next, cst(plan.paddedK - plan.blockK));
        Value group = nvgpu::DeviceAsyncCreateGroupOp::create(
            b, loc, copyTiles(other, nextK, hasNext));
        nvgpu::DeviceAsyncWaitOp::create(b, loc, group, b.getI32IntegerAttr(1));
      } else {
        copyTiles(Value(), k0, Value());
      }
      gpu::BarrierOp::create(b, loc);
      for (int64_t kk = 0; kk < plan.blockK; kk += plan.mmaK) {
        SmallVector<Value> aFrags, bFrags;
        for (int64_t i = 0; i < tilesM; ++i)
          aFrags.push_back(loadA(aShared, stage, add(warpRow, cst(i * 16)),
                                 cst(kk), lane));
        for (int64_t j = 0; j < tilesN; ++j)
          bFrags.push_back(loadB(bShared, stage, cst(kk),
                                 add(warpCol, cst(j * 8)), lane));
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

  /// Indices into a shared tile: the stage first when pipelined.
  SmallVector<Value> sharedAt(Value stage, Value row, Value col) {
    if (stage)
      return {stage, row, col};
    return {row, col};
  }

  /// Cooperative copy of a rows × cols tile at (row0, col0) of `src` into
  /// `dst` (at `stage` when pipelined): 16-byte chunks, threads striding
  /// over the tile so consecutive threads touch consecutive addresses.
  /// Rows past `rowLimit` and columns past `colLimit` are zeros. Pipelined,
  /// the chunks are cp.async copies (their tokens are returned), which copy
  /// nothing (zeros) where `issue` is false.
  SmallVector<Value> copyTile(Value src, Value dst, Value stage, Value row0,
                              Value col0, int64_t rows, int64_t cols,
                              Value tid, int64_t rowLimit, int64_t colLimit,
                              bool isA, Value issue) {
    int64_t width = std::min<int64_t>(plan.chunk(), cols);
    int64_t chunksPerRow = cols / width;
    int64_t chunks = rows * chunksPerRow;
    int64_t threads = plan.numThreads();
    auto vecType = VectorType::get({width}, plan.inType);
    bool gather = !isA && plan.conv;
    bool aligned = isA ? plan.alignedA : plan.alignedB;
    bool rowsMasked = rowLimit % rows != 0;
    bool colsMasked = colLimit % cols != 0;
    llvm::MaybeAlign globalAlign = aligned && width == plan.chunk()
                                       ? llvm::MaybeAlign(16)
                                       : llvm::MaybeAlign();
    SmallVector<Value> tokens;
    for (int64_t first = 0; first < chunks; first += threads) {
      Value chunk = add(tid, cst(first));
      auto body = [&]() {
        Value r = arith::DivUIOp::create(b, loc, chunk, cst(chunksPerRow));
        Value cc = mul(arith::RemUIOp::create(b, loc, chunk,
                                              cst(chunksPerRow)),
                       width);
        Value row = add(row0, r);
        Value col = add(col0, cc);
        auto indices = [&](Value rr, Value ccol) {
          return isA ? globalA(rr, ccol) : global(rr, ccol);
        };
        // Rows past the end read the last row and are replaced by zeros.
        Value inRows, srcRow = row;
        if (rowsMasked) {
          inRows = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         row, cst(rowLimit));
          srcRow = arith::MinUIOp::create(b, loc, row, cst(rowLimit - 1));
        }
        // Shared rows are 16-byte multiples (padded) and chunks 16 bytes
        // wide, on a 16-byte-aligned tile (ds-gpu-align-workgroup-memory).
        auto storeShared = [&](Value v) {
          vector::StoreOp::create(b, loc, v, dst, sharedAt(stage, r, cc),
                                  /*nontemporal=*/false, llvm::MaybeAlign(16));
        };
        if (plan.pipelined) {
          // 16 bytes per thread, bypassing L1 (cp.async.cg); a source size
          // of 0 fills the chunk with zeros.
          Value valid = inRows;
          if (issue)
            valid =
                valid ? arith::AndIOp::create(b, loc, valid, issue) : issue;
          Value srcElements =
              valid ? arith::SelectOp::create(b, loc, valid, cst(width),
                                              cst(0))
                    : Value();
          tokens.push_back(nvgpu::DeviceAsyncCopyOp::create(
              b, loc, dst, sharedAt(stage, r, cc), src,
              indices(srcRow, col), b.getIndexAttr(width), srcElements,
              b.getUnitAttr()));
          return;
        }
        if (gather || colsMasked) {
          // Element by element: the implicit GEMM's B gathers from the
          // input, and a chunk may straddle the end of a row (N or K not a
          // multiple of the chunk); elements past it are zeros.
          Value v = zeros(vecType);
          for (int64_t e = 0; e < width; ++e) {
            Value c = add(col, cst(e));
            Value valid = inRows, srcCol = c;
            if (colsMasked) {
              Value inCols = arith::CmpIOp::create(
                  b, loc, arith::CmpIPredicate::ult, c, cst(colLimit));
              valid = valid ? arith::AndIOp::create(b, loc, valid, inCols)
                            : inCols;
              srcCol = arith::MinUIOp::create(b, loc, c, cst(colLimit - 1));
            }
            Value x = gather ? gatherConvB(src, srcRow, srcCol)
                             : memref::LoadOp::create(b, loc, src,
                                                      indices(srcRow, srcCol))
                                   .getResult();
            if (valid)
              x = arith::SelectOp::create(b, loc, valid, x,
                                          zeros(plan.inType));
            v = vector::InsertOp::create(b, loc, x, v, ArrayRef<int64_t>{e});
          }
          storeShared(v);
          return;
        }
        Value v = vector::LoadOp::create(b, loc, vecType, src,
                                         indices(srcRow, col),
                                         /*nontemporal=*/false, globalAlign);
        if (inRows)
          v = arith::SelectOp::create(b, loc, inRows, v, zeros(vecType));
        storeShared(v);
      };
      // Pipelined plans have no partial rounds (planned so).
      ifBelow(chunk, chunks, first + threads <= chunks, body);
    }
    return tokens;
  }

  /// A fragment of the 16 × mmaK tile of A at (row0, k0) in shared memory.
  Value loadA(Value shared, Value stage, Value row0, Value k0, Value lane) {
    if (!plan.tf32) {
      // ldmatrix.x4: lanes 0-15 give rows 0-15 at column 0, lanes 16-31
      // the same rows at column 8; the four 8×8 matrices come back in the
      // order of the m16n8k16 A fragment (a0a1, a2a3, a4a5, a6a7).
      Value row = add(row0, arith::RemUIOp::create(b, loc, lane, cst(16)));
      Value col =
          add(k0, mul(arith::DivUIOp::create(b, loc, lane, cst(16)), 8));
      return nvgpu::LdMatrixOp::create(
          b, loc, VectorType::get({4, 2}, plan.inType), shared,
          sharedAt(stage, row, col), b.getBoolAttr(false),
          b.getI32IntegerAttr(4));
    }
    // m16n8k8 tf32: a0 (g, t), a1 (g+8, t), a2 (g, t+4), a3 (g+8, t+4).
    Value r = add(row0, group), c = add(k0, inGroup);
    return gatherScalars(shared, stage, {{r, c},
                                  {add(r, cst(8)), c},
                                  {r, add(c, cst(4))},
                                  {add(r, cst(8)), add(c, cst(4))}},
                         {4, 1});
  }

  /// A fragment of the mmaK × 8 tile of B at (k0, col0) in shared memory.
  Value loadB(Value shared, Value stage, Value k0, Value col0, Value lane) {
    if (!plan.tf32) {
      // ldmatrix.x2.trans: lanes 0-15 give the rows k0..k0+15 (the
      // addresses of lanes 16-31 are ignored but kept in bounds);
      // transposing yields b0b1 = (k = 2t, 2t+1; n = g), b2b3 = k + 8.
      Value row = add(k0, arith::RemUIOp::create(b, loc, lane, cst(16)));
      return nvgpu::LdMatrixOp::create(
          b, loc, VectorType::get({2, 2}, plan.inType), shared,
          sharedAt(stage, row, col0), b.getBoolAttr(true),
          b.getI32IntegerAttr(2));
    }
    // m16n8k8 tf32: b0 (k = t, n = g), b1 (k = t+4, n = g).
    Value r = add(k0, inGroup), c = add(col0, group);
    return gatherScalars(shared, stage, {{r, c}, {add(r, cst(4)), c}},
                         {2, 1});
  }

  Value gatherScalars(Value shared, Value stage,
                      ArrayRef<std::pair<Value, Value>> at,
                      ArrayRef<int64_t> shape) {
    auto type = VectorType::get(shape, plan.inType);
    Value v = arith::ConstantOp::create(
        b, loc, type,
        DenseElementsAttr::get(type, b.getZeroAttr(plan.inType)));
    for (auto [i, rc] : llvm::enumerate(at)) {
      Value x = memref::LoadOp::create(b, loc, shared,
                                       sharedAt(stage, rc.first, rc.second));
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
    auto loadRow = [&](Value row) -> Value {
      if (plan.n == plan.paddedN)
        return vector::LoadOp::create(b, loc, rowType, c, global(row, col));
      // Columns past N (never stored) read the last column; the pair may
      // straddle N, so element by element.
      Value v = zeros(rowType);
      for (int64_t e = 0; e < 2; ++e) {
        Value at = arith::MinUIOp::create(b, loc, add(col, cst(e)),
                                          cst(plan.n - 1));
        Value x = memref::LoadOp::create(b, loc, c, global(row, at));
        v = vector::InsertOp::create(b, loc, x, v, ArrayRef<int64_t>{e});
      }
      return v;
    };
    Value top = loadRow(clampRow(r));
    Value bottom = loadRow(clampRow(add(r, cst(8))));
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
    bool paddedN = plan.n != plan.paddedN;
    auto storeRow = [&](Value v, Value row) {
      if (!epilogue && !paddedN) {
        vector::StoreOp::create(b, loc, v, c, global(row, col));
        return;
      }
      // The consumer's body on each element, in registers; its result
      // goes to the consumer's output. Rows count across the batch.
      // Columns past N are not stored.
      Value flatRow = batched ? add(mul(batchIv, plan.m), row) : row;
      for (int64_t e = 0; e < 2; ++e) {
        Value x = vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{e});
        Value at = e ? add(col, cst(1)) : col;
        ifBelow(at, plan.n, !paddedN, [&] {
          if (epilogue)
            emitEpilogueElement(b, loc, *epilogue, x, flatRow, at);
          else
            memref::StoreOp::create(b, loc, x, c, global(row, at));
        });
      }
    };
    auto store = [&](Value v, Value row) {
      ifBelow(row, plan.m, plan.m == plan.paddedM,
              [&] { storeRow(v, row); });
    };
    store(top, r);
    store(bottom, add(r, cst(8)));
  }

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
      // 128-bit copies where both ends are provably aligned; cp.async
      // double buffering where both operands are, no chunk straddles a row
      // end (N and K multiples of the tiles), every thread copies whole
      // rounds of chunks, and two stages fit in static shared memory.
      MatmulPlan &p = *plan;
      p.alignedA = alignedRowChunks(a, 16);
      p.alignedB = !p.conv && alignedRowChunks(bMat, 16);
      auto wholeRounds = [&](int64_t rows, int64_t cols) {
        return (rows * cols / p.chunk()) % p.numThreads() == 0;
      };
      p.pipelined = pipeline && p.alignedA && p.alignedB &&
                    p.n == p.paddedN && p.k == p.paddedK &&
                    wholeRounds(p.blockM, p.blockK) &&
                    wholeRounds(p.blockK, p.blockN) &&
                    p.sharedBytes(2) <= 48 * 1024;
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
