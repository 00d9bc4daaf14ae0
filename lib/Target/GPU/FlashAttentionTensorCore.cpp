//===- FlashAttentionTensorCore.cpp - FlashAttention-2 on mma.sync --------===//
//
// The tensor-core flash-attention kernel for f16/bf16 `dsg.attention`
// (FlashAttention-2's structure, Dao 2023), built by
// ds-gpu-expand-flash-attention:
//
//   grid = (ceil(Lq / 64), B · Hq), block = 4 warps (128 threads);
//   warp w owns query rows 16w..16w+15 of the block's 64-row tile.
//
//   - The Q tile is staged once through workgroup memory (the K tile's
//     buffer) and each warp keeps its Q fragments in registers
//     (ldmatrix.x4, D/16 of them).
//   - The key/value sequence is walked in tiles of 64 keys; each K and V
//     tile is copied into workgroup memory (rows padded by 16 bytes so that
//     ldmatrix is conflict-free), between barriers.
//   - S = Q·Kᵀ: 8 accumulators of 16×8 (f32) per warp, D/16 mma.sync
//     m16n8k16 each, K fragments by ldmatrix.x2.
//   - Scale, mask (added or selected) and, on tiles that cross Lk or the
//     causal diagonal, -inf on the accumulator fragments; the online
//     softmax keeps each row's running max m and (lane-partial) sum l; the
//     row max is reduced over the 4 lanes sharing a row with shuffle-xor.
//   - P = exp(S - m) is converted to f16/bf16 in registers and is directly
//     the A operand of P·V (FlashAttentionLayout.h says why the layouts
//     agree); V fragments by ldmatrix.x2.trans; O (16 × Dv per warp, f32)
//     accumulates in registers, rescaled by exp(m_old - m_new).
//   - Tiles wholly below the diagonal and inside Lk run a loop without the
//     bound/causal selects; the remaining tiles (at most two) a loop with
//     them; with `causal` the tiles above the diagonal are never visited.
//   - O / l is stored (the row sums reduced over the 4 lanes first).
//
// Global accesses are as wide as the buffers provably allow: Q/K/V tile
// copies are 16-byte loads (ld.global.v4.b32) when each operand's start is
// known to be 16-byte aligned (memref.assume_alignment, which
// ds-gpu-device-memory puts on every device buffer, or an aligned
// allocation, seen through casts and reshapes) — the identity layout's row
// stride D·2 bytes is a multiple of 32 and every chunk starts at a multiple
// of 8 elements, so every chunk is then aligned; the output's element
// pairs are stored as one 4-byte access under the same condition. Without
// the proof they stay element-aligned.
//
// Not done: cp.async double buffering of K/V, wgmma on sm_90 (docs/gpu.md).
//
//===----------------------------------------------------------------------===//
#include "FlashAttention.h"
#include "FlashAttentionLayout.h"
#include "KernelBuilderBase.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>
#include <numeric>

using namespace mlir;
using namespace mlir::ds::flash;

std::optional<std::string>
mlir::ds::flash::tensorCoreRejection(const AttentionShape &s, Type inType,
                                     Type outType) {
  if (!inType.isF16() && !inType.isBF16())
    return std::string("f32 operands (the tensor-core kernel takes f16 and "
                       "bf16)");
  if (!isa<FloatType>(outType))
    return std::string("non-float result");
  auto fits = [](int64_t d) { return d % 16 == 0 && d >= 16 && d <= 128; };
  if (!fits(s.d) || !fits(s.dv))
    return "head dimensions " + std::to_string(s.d) + " and " +
           std::to_string(s.dv) +
           " (the tensor-core kernel takes multiples of 16 up to 128)";
  return std::nullopt;
}

/// The alignment in bytes the first element of `memref` provably has: what
/// memref.assume_alignment states or an allocation requests, seen through
/// ops that keep the start (casts, reshapes). 1 when nothing is known.
static uint64_t knownStartAlignment(Value memref) {
  for (int depth = 0; depth < 16 && memref; ++depth) {
    Operation *def = memref.getDefiningOp();
    if (!def)
      return 1;
    uint64_t align = 0;
    if (auto op = dyn_cast<memref::AssumeAlignmentOp>(def))
      align = op.getAlignment();
    else if (auto op = dyn_cast<memref::AllocOp>(def))
      align = op.getAlignment().value_or(1);
    else if (auto op = dyn_cast<memref::AllocaOp>(def))
      align = op.getAlignment().value_or(1);
    if (align) {
      // The stated alignment is the aligned pointer's; the first element
      // is there only at offset 0.
      auto type = dyn_cast<MemRefType>(memref.getType());
      SmallVector<int64_t> strides;
      int64_t offset;
      if (!type || failed(type.getStridesAndOffset(strides, offset)) ||
          offset != 0)
        return 1;
      return align;
    }
    if (!isa<memref::CastOp, memref::ExpandShapeOp, memref::CollapseShapeOp>(
            def))
      return 1;
    memref = def->getOperand(0);
  }
  return 1;
}

/// The alignment of accesses of `accessBytes` bytes at element offsets that
/// are multiples of accessBytes / elementBytes within rows of `rowBytes`
/// (identity layout) of a buffer whose start has `startAlign`.
static uint64_t accessAlignment(uint64_t startAlign, int64_t rowBytes,
                                int64_t accessBytes) {
  return std::gcd(std::gcd(startAlign, uint64_t(rowBytes)),
                  uint64_t(accessBytes));
}

namespace {
using mlir::ds::gpu_kernel::Idx;

class TensorCoreKernel : ds::gpu_kernel::KernelBuilderBase {
public:
  TensorCoreKernel(OpBuilder &b, Location loc, const AttentionShape &s,
                   float scale, bool causal, Type inType)
      : KernelBuilderBase(b, loc), s(s), scale(scale), causal(causal), inType(inType) {}

  void build(Value q, Value k, Value v, Value mask, Value out) {
    this->mask = mask;
    for (Value buffer : {q, k, v, out})
      startAlign[buffer] = knownStartAlignment(buffer);
    auto shared = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
    // The K buffer also stages the Q tile (64 rows of D) before the loop.
    auto kTile = MemRefType::get({kTileKV, s.d + kRowPad}, inType,
                                 MemRefLayoutAttrInterface(), shared);
    auto vTile = MemRefType::get({kTileKV, s.dv + kRowPad}, inType,
                                 MemRefLayoutAttrInterface(), shared);
    auto launch = gpu::LaunchOp::create(
        b, loc, cst((s.lq + kTileQ - 1) / kTileQ), cst(s.b * s.hq), cst(1),
        cst(32 * kWarps), cst(1), cst(1), nullptr, nullptr, {},
        TypeRange{kTile, vTile});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    kShared = launch.getWorkgroupAttributions()[0];
    vShared = launch.getWorkgroupAttributions()[1];
    buildBody(launch, q, k, v, out);
    gpu::TerminatorOp::create(b, loc);
  }

private:
  Value extract(Value v, ArrayRef<int64_t> pos) {
    return vector::ExtractOp::create(b, loc, v, pos);
  }
  VectorType accType() { return VectorType::get({2, 2}, b.getF32Type()); }

  /// Cooperative copy of rows [row0, row0 + 64) of src[bIdx, head] (width
  /// `width`) into the padded tile `dst`, 8 elements (16 bytes) per thread
  /// and step, consecutive threads on consecutive addresses; rows past
  /// `limit` read the last row (their scores are masked, or, for queries,
  /// their results are not stored).
  void stage(Value src, Value dst, Value bIdx, Value head, Value row0,
             int64_t width, int64_t limit, Value tid) {
    int64_t chunksPerRow = width / 8;
    int64_t chunks = kTileKV * chunksPerRow;
    int64_t threads = 32 * kWarps;
    auto vecType = VectorType::get({8}, inType);
    int64_t bytes = inType.getIntOrFloatBitWidth() / 8;
    uint64_t align = accessAlignment(startAlign.lookup(src), width * bytes,
                                     8 * bytes);
    for (int64_t first = 0; first < chunks; first += threads) {
      Idx chunk = idx(tid) + first;
      Value r = chunk / chunksPerRow;
      Value c = (chunk % chunksPerRow) * 8;
      Value row = add(row0, r);
      if (limit % kTileKV != 0)
        row = arith::MinUIOp::create(b, loc, row, cst(limit - 1));
      Value x =
          align > uint64_t(bytes)
              ? vector::LoadOp::create(b, loc, vecType, src,
                                       ValueRange{bIdx, head, row, c},
                                       /*nontemporal=*/false,
                                       llvm::MaybeAlign(align))
              : vector::LoadOp::create(b, loc, vecType, src,
                                       ValueRange{bIdx, head, row, c});
      // Padded rows are 16-byte multiples on a 16-byte-aligned tile
      // (ds-gpu-align-workgroup-memory).
      vector::StoreOp::create(b, loc, x, dst, ValueRange{r, c},
                              /*nontemporal=*/false, llvm::MaybeAlign(16));
    }
  }

  /// Index of a broadcasting mask operand at (batch, head, row, key).
  SmallVector<Value> maskIndices(ArrayRef<Value> full) {
    auto shape = cast<MemRefType>(mask.getType()).getShape();
    SmallVector<Value> indices;
    size_t skip = full.size() - shape.size();
    for (auto [i, size] : llvm::enumerate(shape))
      indices.push_back(size == 1 ? cst(0) : full[skip + i]);
    return indices;
  }

  Value rowMax(ArrayRef<Value> tiles, int64_t half) {
    Value m;
    for (Value t : tiles) {
      Value rowMax = vector::ReductionOp::create(
          b, loc, vector::CombiningKind::MAXIMUMF, extract(t, {half}));
      m = m ? arith::MaximumFOp::create(b, loc, m, rowMax) : rowMax;
    }
    return m;
  }

  /// Combines `x` over the 4 lanes that share its accumulator row.
  Value rowReduce(Value x, bool isMax) {
    for (int32_t offset : kRowShuffleOffsets) {
      Value other = gpu::ShuffleOp::create(b, loc, x, offset, 32,
                                           gpu::ShuffleMode::XOR)
                        .getShuffleResult();
      x = isMax ? Value(arith::MaximumFOp::create(b, loc, x, other))
                : Value(arith::AddFOp::create(b, loc, x, other));
    }
    return x;
  }

  /// One 64-key tile at `k0`; `state` is (m0, m1, l0, l1, O...) and is
  /// updated. `bounded`: apply the Lk bound and the causal diagonal.
  void tile(Value k0, SmallVector<Value> &state, bool bounded,
            ArrayRef<Value> qFrags, Value k, Value v, Value bIdx, Value head,
            Value kvHead, Value qStart, Value tid, Idx warp, Idx lane) {
    stage(k, kShared, bIdx, kvHead, k0, s.d, s.lk, tid);
    stage(v, vShared, bIdx, kvHead, k0, s.dv, s.lk, tid);
    gpu::BarrierOp::create(b, loc);

    // S = Q·Kᵀ, 8 tiles of 16 × 8 per warp.
    constexpr int64_t nTiles = kTileKV / 8;
    auto fragB = VectorType::get({2, 2}, inType);
    SmallVector<Value> scores;
    for (int64_t n = 0; n < nTiles; ++n) {
      Value acc = zeros(accType());
      for (int64_t kk = 0; kk < s.d / 16; ++kk) {
        Value bFrag = nvgpu::LdMatrixOp::create(
            b, loc, fragB, kShared,
            ValueRange{kLdmatrixRow(lane, n), kLdmatrixCol(lane, kk)},
            b.getBoolAttr(false), b.getI32IntegerAttr(2));
        acc = nvgpu::MmaSyncOp::create(b, loc, qFrags[kk], bFrag, acc,
                                       {16, 8, 16}, /*tf32Enabled=*/false);
      }
      scores.push_back(acc);
    }

    // Scale, mask and bounds on the fragments.
    Value negInf = fcst(-std::numeric_limits<double>::infinity());
    Value scaleV = arith::ConstantOp::create(
        b, loc, accType(),
        DenseElementsAttr::get(accType(), b.getF32FloatAttr(scale)));
    Value rows[2] = {add(qStart, accRow(warp, lane, 0)),
                     add(qStart, accRow(warp, lane, 1))};
    for (int64_t n = 0; n < nTiles; ++n) {
      Value t = arith::MulFOp::create(b, loc, scores[n], scaleV);
      if (mask || bounded) {
        for (int64_t half = 0; half < 2; ++half)
          for (int64_t c = 0; c < 2; ++c) {
            Value x = extract(t, {half, c});
            Value key = add(k0, accCol(lane, n, c));
            Value keyIn = key;
            if (s.lk % kTileKV != 0)
              keyIn = arith::MinUIOp::create(b, loc, key, cst(s.lk - 1));
            if (mask) {
              Value rowIn = rows[half];
              if (s.lq % kTileQ != 0)
                rowIn = arith::MinUIOp::create(b, loc, rowIn, cst(s.lq - 1));
              Value mv = memref::LoadOp::create(
                  b, loc, mask, maskIndices({bIdx, head, rowIn, keyIn}));
              if (mv.getType().isInteger(1))
                x = arith::SelectOp::create(b, loc, mv, x, negInf);
              else
                x = arith::AddFOp::create(
                    b, loc, x,
                    mv.getType().isF32()
                        ? mv
                        : Value(arith::ExtFOp::create(b, loc, b.getF32Type(),
                                                      mv)));
            }
            if (bounded) {
              Value masked;
              if (s.lk % kTileKV != 0)
                masked = arith::CmpIOp::create(
                    b, loc, arith::CmpIPredicate::sge, key, cst(s.lk));
              if (causal) {
                Value diag = add(rows[half], cst(s.lk - s.lq));
                Value above = arith::CmpIOp::create(
                    b, loc, arith::CmpIPredicate::sgt, key, diag);
                masked = masked ? Value(arith::OrIOp::create(b, loc, masked,
                                                             above))
                                : above;
              }
              if (masked)
                x = arith::SelectOp::create(b, loc, masked, negInf, x);
            }
            t = vector::InsertOp::create(b, loc, x, t,
                                         ArrayRef<int64_t>{half, c});
          }
      }
      scores[n] = t;
    }

    // Online softmax per row (half 0: row g, half 1: row g + 8). While
    // every score of a row is -inf, 0 is the reference so that exp gives 0
    // (not NaN) and nothing accumulates.
    Value refs[2], alphas[2];
    for (int64_t half = 0; half < 2; ++half) {
      Value tileMax = rowReduce(rowMax(scores, half), /*isMax=*/true);
      Value m = state[half];
      Value mNew = arith::MaximumFOp::create(b, loc, m, tileMax);
      Value isNegInf = arith::CmpFOp::create(
          b, loc, arith::CmpFPredicate::OEQ, mNew, negInf);
      refs[half] = arith::SelectOp::create(b, loc, isNegInf, fcst(0), mNew);
      alphas[half] = math::ExpOp::create(
          b, loc, arith::SubFOp::create(b, loc, m, refs[half]));
      state[half] = mNew;
    }
    Value refV = vector::FromElementsOp::create(
        b, loc, accType(), ValueRange{refs[0], refs[0], refs[1], refs[1]});
    Value alphaV = vector::FromElementsOp::create(
        b, loc, accType(),
        ValueRange{alphas[0], alphas[0], alphas[1], alphas[1]});
    SmallVector<Value> probs;
    Value sums[2] = {arith::MulFOp::create(b, loc, state[2], alphas[0]),
                     arith::MulFOp::create(b, loc, state[3], alphas[1])};
    for (int64_t n = 0; n < nTiles; ++n) {
      Value p = math::ExpOp::create(
          b, loc, arith::SubFOp::create(b, loc, scores[n], refV));
      for (int64_t half = 0; half < 2; ++half)
        for (int64_t c = 0; c < 2; ++c)
          sums[half] =
              arith::AddFOp::create(b, loc, sums[half], extract(p, {half, c}));
      probs.push_back(arith::TruncFOp::create(b, loc, fragB, p));
    }
    state[2] = sums[0];
    state[3] = sums[1];
    MutableArrayRef<Value> o(state.begin() + 4, state.end());
    for (Value &acc : o)
      acc = arith::MulFOp::create(b, loc, acc, alphaV);

    // O += P·V: the accumulators of S tiles 2kk and 2kk+1, converted, are
    // the A fragment of keys 16kk..16kk+15.
    auto fragA = VectorType::get({4, 2}, inType);
    for (int64_t kk = 0; kk < kTileKV / 16; ++kk) {
      Value a = zeros(fragA);
      for (int64_t r = 0; r < 4; ++r)
        a = vector::InsertOp::create(b, loc,
                                     extract(probs[2 * kk + r / 2], {r % 2}),
                                     a, ArrayRef<int64_t>{r});
      for (int64_t n = 0; n < s.dv / 8; ++n) {
        Value bFrag = nvgpu::LdMatrixOp::create(
            b, loc, fragB, vShared,
            ValueRange{vLdmatrixRow(lane, kk), cst(vLdmatrixCol(n))},
            b.getBoolAttr(true), b.getI32IntegerAttr(2));
        o[n] = nvgpu::MmaSyncOp::create(b, loc, a, bFrag, o[n], {16, 8, 16},
                                        /*tf32Enabled=*/false);
      }
    }
    // The next tile overwrites what other warps may still read.
    gpu::BarrierOp::create(b, loc);
  }

  /// scf.for over tiles [from, to) carrying `state`.
  SmallVector<Value> tileLoop(Value from, Value to, ValueRange init,
                              bool bounded, ArrayRef<Value> qFrags, Value k,
                              Value v, Value bIdx, Value head, Value kvHead,
                              Value qStart, Value tid, Idx warp, Idx lane) {
    auto loop = scf::ForOp::create(b, loc, from, to, cst(1), init);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> state(loop.getRegionIterArgs());
    Value k0 = arith::MulIOp::create(b, loc, loop.getInductionVar(),
                                     cst(kTileKV));
    tile(k0, state, bounded, qFrags, k, v, bIdx, head, kvHead, qStart, tid,
         warp, lane);
    scf::YieldOp::create(b, loc, state);
    return SmallVector<Value>(loop.getResults());
  }

  void buildBody(gpu::LaunchOp launch, Value q, Value k, Value v, Value out) {
    Value tid = launch.getThreadIds().x;
    Idx warp = idx(tid) / 32;
    Idx lane = idx(tid) % 32;
    Value bh = launch.getBlockIds().y;
    Value bIdx = arith::DivUIOp::create(b, loc, bh, cst(s.hq));
    Value head = arith::RemUIOp::create(b, loc, bh, cst(s.hq));
    Value kvHead = arith::DivUIOp::create(b, loc, head, cst(s.hq / s.hkv));
    Value qStart =
        arith::MulIOp::create(b, loc, launch.getBlockIds().x, cst(kTileQ));

    // Q fragments, once: stage the query tile in the K buffer, ldmatrix.
    stage(q, kShared, bIdx, head, qStart, s.d, s.lq, tid);
    gpu::BarrierOp::create(b, loc);
    SmallVector<Value> qFrags;
    auto fragA = VectorType::get({4, 2}, inType);
    for (int64_t kk = 0; kk < s.d / 16; ++kk)
      qFrags.push_back(nvgpu::LdMatrixOp::create(
          b, loc, fragA, kShared,
          ValueRange{qLdmatrixRow(warp, lane), qLdmatrixCol(lane, kk)},
          b.getBoolAttr(false), b.getI32IntegerAttr(4)));
    gpu::BarrierOp::create(b, loc);

    // Keys the block visits: all, or up to the last one its bottom row may
    // see under the (bottom-right) causal diagonal. Keys below `fullEnd`
    // are inside Lk and visible to every row of the block.
    Value keyEnd = cst(s.lk);
    Value fullEnd = cst(s.lk);
    if (causal) {
      Value lastRow = arith::MinUIOp::create(
          b, loc, add(qStart, cst(kTileQ - 1)), cst(s.lq - 1));
      Value end = add(lastRow, cst(s.lk - s.lq + 1));
      end = arith::MaxSIOp::create(b, loc, end, cst(0));
      keyEnd = arith::MinSIOp::create(b, loc, end, cst(s.lk));
      Value firstEnd = add(qStart, cst(s.lk - s.lq + 1));
      firstEnd = arith::MaxSIOp::create(b, loc, firstEnd, cst(0));
      fullEnd = arith::MinSIOp::create(b, loc, firstEnd, cst(s.lk));
    }
    Value numTiles = arith::CeilDivSIOp::create(b, loc, keyEnd, cst(kTileKV));
    Value fullTiles = arith::DivSIOp::create(b, loc, fullEnd, cst(kTileKV));

    SmallVector<Value> init{fcst(-std::numeric_limits<double>::infinity()),
                            fcst(-std::numeric_limits<double>::infinity()),
                            fcst(0), fcst(0)};
    for (int64_t n = 0; n < s.dv / 8; ++n)
      init.push_back(zeros(accType()));
    SmallVector<Value> state = init;
    bool needsBounds = causal || s.lk % kTileKV != 0;
    if (needsBounds) {
      state = tileLoop(cst(0), fullTiles, state, /*bounded=*/false, qFrags, k,
                       v, bIdx, head, kvHead, qStart, tid, warp, lane);
      state = tileLoop(fullTiles, numTiles, state, /*bounded=*/true, qFrags,
                       k, v, bIdx, head, kvHead, qStart, tid, warp, lane);
    } else {
      state = tileLoop(cst(0), numTiles, state, /*bounded=*/false, qFrags, k,
                       v, bIdx, head, kvHead, qStart, tid, warp, lane);
    }

    // O / l (0 / 0 = NaN for a fully masked row, as softmax gives).
    Value l[2] = {rowReduce(state[2], /*isMax=*/false),
                  rowReduce(state[3], /*isMax=*/false)};
    Type outElem = cast<MemRefType>(out.getType()).getElementType();
    auto pairF32 = VectorType::get({2}, b.getF32Type());
    for (int64_t half = 0; half < 2; ++half) {
      Value row = add(qStart, accRow(warp, lane, half));
      Value lV = vector::BroadcastOp::create(b, loc, pairF32, l[half]);
      SmallVector<Value> results;
      for (int64_t n = 0; n < s.dv / 8; ++n) {
        Value r = arith::DivFOp::create(b, loc, extract(state[4 + n], {half}),
                                        lV);
        if (!outElem.isF32())
          r = arith::TruncFOp::create(b, loc, VectorType::get({2}, outElem),
                                      r);
        results.push_back(r);
      }
      // Element pairs at even columns: 2·bytes-aligned when the buffer is.
      int64_t bytes = outElem.getIntOrFloatBitWidth() / 8;
      uint64_t align = accessAlignment(startAlign.lookup(out), s.dv * bytes,
                                       2 * bytes);
      auto store = [&]() {
        for (int64_t n = 0; n < s.dv / 8; ++n) {
          SmallVector<Value, 4> at{bIdx, head, row, accCol(lane, n, 0)};
          if (align > uint64_t(bytes))
            vector::StoreOp::create(b, loc, results[n], out, at,
                                    /*nontemporal=*/false,
                                    llvm::MaybeAlign(align));
          else
            vector::StoreOp::create(b, loc, results[n], out, at);
        }
      };
      ifBelow(row, s.lq, s.lq % kTileQ == 0, store);
    }
  }

  const AttentionShape &s;
  float scale;
  bool causal;
  Type inType;
  Value mask, kShared, vShared;
  /// knownStartAlignment of the global buffers.
  llvm::DenseMap<Value, uint64_t> startAlign;
};
} // namespace

void mlir::ds::flash::buildTensorCoreFlashAttention(
    OpBuilder &b, Location loc, const AttentionShape &s, float scale,
    bool causal, Value q, Value k, Value v, Value mask, Value out) {
  Type inType = cast<MemRefType>(q.getType()).getElementType();
  TensorCoreKernel(b, loc, s, scale, causal, inType).build(q, k, v, mask, out);
}
