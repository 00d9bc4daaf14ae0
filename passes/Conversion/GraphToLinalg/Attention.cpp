//===- Attention.cpp - dsg.attention to a tiled online-softmax loop nest ---===//
//
// FlashAttention-style lowering: for each (batch, query head, query tile),
// a loop over key tiles keeps a running row maximum `m`, a running row sum
// `l` and an accumulator `acc` rescaled by exp(m_old - m_new) whenever the
// maximum grows. Only tile-sized temporaries exist (no seq x seq buffer),
// so memory is O(seq * head dim) and the working set of one step (a query
// tile, a key tile, a value tile, the score tile and the accumulator, 16 KiB
// each at 64 x 64 f32) stays in L2. With `causal`, the key loop stops at the
// last key the tile's bottom query may see: tiles above the diagonal are
// never visited.
//
// Every loop body is a linalg op on tensors: the CPU pipeline's loop
// interchange puts a stride-1 loop innermost and LLVM vectorizes them. The
// exponential is expanded here into a polynomial (exp is only ever taken of
// values <= 0 here, so only underflow needs care) because LLVM would turn
// `llvm.exp` on vectors back into scalar libm calls. Row reductions carry
// `reassoc` so that LLVM may vectorize them.
//
// The 16-bit float types are read as they are and computed in f32.
//
//===----------------------------------------------------------------------===//
#include "Common.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::graph_to_linalg;

namespace {

/// Query rows and key columns per tile. 64 x 64 f32 is 16 KiB per tile.
constexpr int64_t kQueryTile = 64;
constexpr int64_t kKeyTile = 64;

Value cst(OpBuilder &b, Location loc, float v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// exp(x) for f32 `x`, as straight-line arithmetic that vectorizes:
/// exp(x) = 2^n * exp(r) with n = round(x / ln 2) and |r| <= ln(2) / 2,
/// exp(r) by its degree-6 Taylor polynomial (relative error below 2e-7).
/// Below -87.3 (where 2^n would be subnormal) and for -inf the result is 0.
Value expPolynomial(OpBuilder &b, Location loc, Value x) {
  Type i32 = b.getI32Type();
  Value lo = cst(b, loc, -87.3f), hi = cst(b, loc, 88.3f);
  // Clamps as compare + select, which x86 does in one vmaxps/vminps (the
  // NaN-propagating arith.maximumf needs extra blends).
  auto clamp = [&](arith::CmpFPredicate pred, Value v, Value bound) {
    Value out = arith::CmpFOp::create(b, loc, pred, v, bound);
    return arith::SelectOp::create(b, loc, out, bound, v).getResult();
  };
  Value xc = clamp(arith::CmpFPredicate::OGT,
                   clamp(arith::CmpFPredicate::OLT, x, lo), hi);
  Value n = math::FloorOp::create(
      b, loc,
      arith::AddFOp::create(
          b, loc, arith::MulFOp::create(b, loc, xc, cst(b, loc, 1.44269504f)),
          cst(b, loc, 0.5f)));
  // Two-step Cody-Waite reduction: ln 2 = hi + lo, hi exact in few bits.
  Value r = math::FmaOp::create(b, loc, n, cst(b, loc, -0.693359375f), xc);
  r = math::FmaOp::create(b, loc, n, cst(b, loc, 2.12194440e-4f), r);
  const float coeffs[] = {1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6,
                          0.5f,       1.0f,       1.0f};
  Value p = cst(b, loc, coeffs[0]);
  for (float c : ArrayRef<float>(coeffs).drop_front())
    p = math::FmaOp::create(b, loc, p, r, cst(b, loc, c));
  // 2^n by building the exponent bits; n is in [-126, 128) here.
  Value ni = arith::FPToSIOp::create(b, loc, i32, n);
  Value bits = arith::ShLIOp::create(
      b, loc,
      arith::AddIOp::create(
          b, loc, ni,
          arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(127))),
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(23)));
  Value pow2 = arith::BitcastOp::create(b, loc, b.getF32Type(), bits);
  Value e = arith::MulFOp::create(b, loc, p, pow2);
  Value under =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ULT, x, lo);
  return arith::SelectOp::create(b, loc, under, cst(b, loc, 0.0f), e);
}

Value indexCst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// The size of the tile at `iv` of a loop over `[0, total)` with step
/// `tile`: the constant `tile` when it divides a static `total`, otherwise
/// min(tile, total - iv).
OpFoldResult tileSize(OpBuilder &b, Location loc, OpFoldResult total,
                      int64_t tile, Value iv, bool fullTiles) {
  if (fullTiles)
    return b.getIndexAttr(tile);
  Value rest = arith::SubIOp::create(
      b, loc, getValueOrCreateConstantIndexOp(b, loc, total), iv);
  return arith::MinSIOp::create(b, loc, indexCst(b, loc, tile), rest)
      .getResult();
}

SmallVector<int64_t> staticSizes(ArrayRef<OpFoldResult> sizes) {
  SmallVector<int64_t> shape;
  for (OpFoldResult s : sizes)
    shape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
  return shape;
}

/// A rank-2 `[rows, cols]` slice of the rank-4 `v` at `[i0, i1, off2, off3]`.
Value slice2d(OpBuilder &b, Location loc, Value v, OpFoldResult i0,
              OpFoldResult i1, OpFoldResult off2, OpFoldResult off3,
              OpFoldResult rows, OpFoldResult cols) {
  auto t = cast<RankedTensorType>(v.getType());
  OpFoldResult one = b.getIndexAttr(1);
  auto type = RankedTensorType::get(staticSizes({rows, cols}),
                                    t.getElementType());
  return tensor::ExtractSliceOp::create(
      b, loc, type, v, SmallVector<OpFoldResult>{i0, i1, off2, off3},
      SmallVector<OpFoldResult>{one, one, rows, cols},
      SmallVector<OpFoldResult>(4, one));
}

Value filled(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
             Value value) {
  Value init = emptyTensor(b, loc, sizes, value.getType());
  return linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{init})
      .getResult(0);
}

SmallVector<utils::IteratorType> iterators(ArrayRef<bool> reduction) {
  SmallVector<utils::IteratorType> its;
  for (bool r : reduction)
    its.push_back(r ? utils::IteratorType::reduction
                    : utils::IteratorType::parallel);
  return its;
}

using BodyFn = function_ref<void(OpBuilder &, Location, ValueRange)>;

/// A linalg.generic with explicit maps; `body` yields itself.
ValueRange generic(OpBuilder &b, Location loc, ValueRange ins, ValueRange outs,
                   ArrayRef<AffineMap> maps, ArrayRef<bool> reduction,
                   BodyFn body) {
  return linalg::GenericOp::create(b, loc, TypeRange(outs), ins, outs, maps,
                                   iterators(reduction), body)
      .getResults();
}

/// f32 lanes of one zmm register, and rows per register block.
constexpr int64_t kLanes = 16;
constexpr int64_t kBlockRows = 4;

/// `C + A @ B` for static [M, K] x [K, N] tiles as a register-blocked
/// micro-kernel: 4 rows x N columns of C (N <= 64: up to 16 zmm
/// accumulators) stay in registers across the K loop, each step loading one
/// row of B and broadcasting 4 scalars of A. (The generic linalg.matmul,
/// lowered to loops, keeps its accumulator row in memory: a load and a store
/// per FMA.) With `zeroInit`, C's values are not read. Returns null when the
/// shapes or element types do not fit; the caller then uses linalg.matmul.
Value registerBlockedMatmul(OpBuilder &b, Location loc, Value a, Value bm,
                            Value c, bool zeroInit) {
  auto at = cast<RankedTensorType>(a.getType());
  auto bt = cast<RankedTensorType>(bm.getType());
  auto ct = cast<RankedTensorType>(c.getType());
  auto readable = [](Type t) { return t.isF32() || t.isF16(); };
  if (!at.hasStaticShape() || !bt.hasStaticShape() || !ct.hasStaticShape() ||
      !readable(at.getElementType()) || !readable(bt.getElementType()) ||
      !ct.getElementType().isF32())
    return Value();
  int64_t m = ct.getDimSize(0), n = ct.getDimSize(1), k = at.getDimSize(1);
  if (m % kBlockRows != 0 || n % kLanes != 0 || n > 4 * kLanes || k == 0)
    return Value();
  int64_t vecs = n / kLanes;
  Type f32 = b.getF32Type();
  auto vf32 = VectorType::get({kLanes}, f32);
  auto vb = VectorType::get({kLanes}, bt.getElementType());
  Value c0 = indexCst(b, loc, 0);
  auto col = [&](int64_t v) { return indexCst(b, loc, v * kLanes); };
  auto row = [&](Value base, int64_t r) {
    return r == 0 ? base
                  : arith::AddIOp::create(b, loc, base, indexCst(b, loc, r))
                        .getResult();
  };
  const bool inBoundsFlags[] = {true};
  ArrayRef<bool> inBounds(inBoundsFlags);
  auto loop = scf::ForOp::create(
      b, loc, c0, indexCst(b, loc, m), indexCst(b, loc, kBlockRows),
      ValueRange{c},
      [&](OpBuilder &b, Location loc, Value i0, ValueRange it) {
        SmallVector<Value> init;
        Value zeroVec = arith::ConstantOp::create(
            b, loc, vf32, DenseElementsAttr::get(vf32, 0.0f));
        Value pad = cst(b, loc, 0.0f);
        for (int64_t r = 0; r < kBlockRows; ++r)
          for (int64_t v = 0; v < vecs; ++v)
            init.push_back(
                zeroInit ? zeroVec
                         : vector::TransferReadOp::create(
                               b, loc, vf32, it[0],
                               ValueRange{row(i0, r), col(v)}, pad, inBounds)
                               .getResult());
        auto kLoop = scf::ForOp::create(
            b, loc, c0, indexCst(b, loc, k), indexCst(b, loc, 1), init,
            [&](OpBuilder &b, Location loc, Value kk, ValueRange acc) {
              SmallVector<Value> bRow;
              Value bPad = arith::ConstantOp::create(
                  b, loc, b.getZeroAttr(bt.getElementType()));
              for (int64_t v = 0; v < vecs; ++v) {
                Value x = vector::TransferReadOp::create(
                    b, loc, vb, bm, ValueRange{kk, col(v)}, bPad, inBounds);
                if (!bt.getElementType().isF32())
                  x = arith::ExtFOp::create(b, loc, vf32, x);
                bRow.push_back(x);
              }
              SmallVector<Value> next;
              for (int64_t r = 0; r < kBlockRows; ++r) {
                Value s = tensor::ExtractOp::create(
                    b, loc, a, ValueRange{row(i0, r), kk});
                if (!at.getElementType().isF32())
                  s = arith::ExtFOp::create(b, loc, f32, s);
                Value splat = vector::BroadcastOp::create(b, loc, vf32, s);
                for (int64_t v = 0; v < vecs; ++v)
                  next.push_back(vector::FMAOp::create(
                      b, loc, splat, bRow[v], acc[r * vecs + v]));
              }
              scf::YieldOp::create(b, loc, next);
            });
        Value t = it[0];
        for (int64_t r = 0; r < kBlockRows; ++r)
          for (int64_t v = 0; v < vecs; ++v)
            t = vector::TransferWriteOp::create(
                    b, loc, kLoop.getResult(r * vecs + v), t,
                    ValueRange{row(i0, r), col(v)}, inBounds)
                    .getResult();
        scf::YieldOp::create(b, loc, t);
      });
  return loop.getResult(0);
}

/// Row maxima (`isMax`) or row sums of a static f32 [M, N] tile
/// (N % 16 == 0, N <= 64), combined with `init` [M]: each row's vectors are
/// combined lane-wise, then reduced across lanes. (As linalg loops, the max
/// reduction stays scalar: LLVM does not vectorize a NaN-propagating
/// maximum.) Returns null when the shape does not fit.
Value vectorRowReduce(OpBuilder &b, Location loc, Value s, Value init,
                      bool isMax) {
  auto st = cast<RankedTensorType>(s.getType());
  if (!st.hasStaticShape() || !st.getElementType().isF32())
    return Value();
  int64_t m = st.getDimSize(0), n = st.getDimSize(1);
  if (n % kLanes != 0 || n > 4 * kLanes)
    return Value();
  auto vf32 = VectorType::get({kLanes}, b.getF32Type());
  const bool inBoundsFlags[] = {true};
  ArrayRef<bool> inBounds(inBoundsFlags);
  auto reassoc = arith::FastMathFlags::reassoc;
  Value c0 = indexCst(b, loc, 0);
  auto loop = scf::ForOp::create(
      b, loc, c0, indexCst(b, loc, m), indexCst(b, loc, 1), ValueRange{init},
      [&](OpBuilder &b, Location loc, Value i, ValueRange it) {
        Value pad = cst(b, loc, 0.0f);
        Value v;
        for (int64_t c = 0; c < n / kLanes; ++c) {
          Value x = vector::TransferReadOp::create(
              b, loc, vf32, s, ValueRange{i, indexCst(b, loc, c * kLanes)},
              pad, inBounds);
          v = !v ? x
              : isMax
                  ? arith::MaximumFOp::create(b, loc, v, x).getResult()
                  : arith::AddFOp::create(b, loc, v, x, reassoc).getResult();
        }
        Value acc = tensor::ExtractOp::create(b, loc, it[0], ValueRange{i});
        Value r = vector::ReductionOp::create(
            b, loc,
            isMax ? vector::CombiningKind::MAXIMUMF : vector::CombiningKind::ADD,
            v, acc, reassoc);
        scf::YieldOp::create(
            b, loc,
            tensor::InsertOp::create(b, loc, r, it[0], ValueRange{i})
                .getResult());
      });
  return loop.getResult(0);
}

struct AttentionLowering : OpConversionPattern<graph::AttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(graph::AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Type elem = op.getType().getElementType();
    Type f32 = b.getF32Type();
    if (computeType(elem) != f32)
      return rewriter.notifyMatchFailure(op, "only f16, bf16 and f32");
    auto resultType = convertedResultType(*getTypeConverter(), op);

    Value q = adaptor.getQuery(), k = adaptor.getKey(), v = adaptor.getValue();
    Value mask = adaptor.getMask();
    SmallVector<OpFoldResult> qs = sizesOf(b, loc, q), ks = sizesOf(b, loc, k),
                              vs = sizesOf(b, loc, v);
    auto idx = [&](OpFoldResult s) {
      return getValueOrCreateConstantIndexOp(b, loc, s);
    };
    std::optional<int64_t> lqStatic = getConstantIntValue(qs[2]),
                           lkStatic = getConstantIntValue(ks[2]);

    // Tiles no larger than a static sequence; full tiles when they divide it.
    int64_t br = lqStatic ? std::clamp<int64_t>(*lqStatic, 1, kQueryTile)
                          : kQueryTile;
    int64_t bc = lkStatic ? std::clamp<int64_t>(*lkStatic, 1, kKeyTile)
                          : kKeyTile;
    bool fullQ = lqStatic && *lqStatic % br == 0;
    std::optional<int64_t> offStatic;
    if (lqStatic && lkStatic)
      offStatic = *lkStatic - *lqStatic;
    // Causal key loops end at the diagonal: still whole tiles when the
    // diagonal's offset and the query tile are multiples of the key tile.
    bool fullK = lkStatic && *lkStatic % bc == 0 &&
                 (!op.getCausal() ||
                  (fullQ && offStatic && *offStatic >= 0 &&
                   *offStatic % bc == 0 && br % bc == 0));

    // Keys transposed once to [B, Hkv, D, Lk] (O(seq * d)): both products
    // then run with a stride-1 innermost loop.
    Value kt = linalg::TransposeOp::create(
                   b, loc, k,
                   emptyTensor(b, loc, {ks[0], ks[1], ks[3], ks[2]},
                               elementTypeOf(k)),
                   ArrayRef<int64_t>{0, 1, 3, 2})
                   .getResult()[0];

    Value zero = cst(b, loc, 0.0f), one = cst(b, loc, 1.0f);
    Value negInf =
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(-INFINITY));
    Value scale = cst(b, loc, op.getScale().convertToFloat());
    Value c0 = indexCst(b, loc, 0), c1 = indexCst(b, loc, 1);
    Value lq = idx(qs[2]), lk = idx(ks[2]);
    // Query i sees keys j <= i + (Lk - Lq).
    Value diagOffset = arith::SubIOp::create(b, loc, lk, lq);
    Value group = arith::DivUIOp::create(b, loc, idx(qs[1]), idx(ks[1]));

    AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
    AffineMap id2 = AffineMap::get(2, 0, {d0, d1}, ctx);
    AffineMap rows2 = AffineMap::get(2, 0, {d0}, ctx);
    AffineMap id1 = AffineMap::get(1, 0, {d0}, ctx);

    // The mask tile's indexing: broadcast dims read index 0.
    auto maskType = mask ? cast<RankedTensorType>(mask.getType())
                         : RankedTensorType();
    int64_t maskRank = mask ? maskType.getRank() : 0;
    auto maskDim = [&](int64_t scoreDim) -> int64_t {
      return scoreDim - (4 - maskRank);
    };
    auto maskBroadcast = [&](int64_t scoreDim) {
      int64_t d = maskDim(scoreDim);
      return d < 0 || maskType.getDimSize(d) == 1;
    };

    Value init = emptyTensor(
        b, loc, {qs[0], qs[1], qs[2], vs[3]}, resultType.getElementType());
    scf::LoopNest nest = scf::buildLoopNest(
        b, loc, ValueRange{c0, c0, c0},
        ValueRange{idx(qs[0]), idx(qs[1]), lq},
        ValueRange{c1, c1, indexCst(b, loc, br)}, ValueRange{init},
        [&](OpBuilder &b, Location loc, ValueRange ivs,
            ValueRange iters) -> scf::ValueVector {
          Value bi = ivs[0], hi = ivs[1], qi = ivs[2];
          Value kvh = arith::DivUIOp::create(b, loc, hi, group);
          OpFoldResult rows = tileSize(b, loc, qs[2], br, qi, fullQ);
          Value qTile = slice2d(b, loc, q, bi, hi, qi, b.getIndexAttr(0),
                                rows, qs[3]);

          // Keys beyond `kEnd` are masked for every row of the tile.
          Value kEnd = lk;
          if (op.getCausal()) {
            Value last = arith::AddIOp::create(
                b, loc, arith::AddIOp::create(b, loc, qi, idx(rows)),
                diagOffset);
            kEnd = arith::MaxSIOp::create(
                b, loc, c0, arith::MinSIOp::create(b, loc, lk, last));
          }

          Value m0 = filled(b, loc, {rows}, negInf);
          Value l0 = filled(b, loc, {rows}, zero);
          Value acc0 = filled(b, loc, {rows, vs[3]}, zero);
          auto kLoop = scf::ForOp::create(
              b, loc, c0, kEnd, indexCst(b, loc, bc),
              ValueRange{m0, l0, acc0},
              [&](OpBuilder &b, Location loc, Value kj, ValueRange it) {
                Value m = it[0], l = it[1], acc = it[2];
                OpFoldResult cols = tileSize(b, loc, kEnd, bc, kj, fullK);
                Value ktTile = slice2d(b, loc, kt, bi, kvh, b.getIndexAttr(0),
                                       kj, ks[3], cols);
                Value vTile = slice2d(b, loc, v, bi, kvh, kj,
                                      b.getIndexAttr(0), cols, vs[3]);

                // s = q k^T (f32 accumulation).
                Value s = registerBlockedMatmul(
                    b, loc, qTile, ktTile,
                    emptyTensor(b, loc, {rows, cols}, f32), /*zeroInit=*/true);
                if (!s) {
                  s = filled(b, loc, {rows, cols}, zero);
                  s = linalg::MatmulOp::create(b, loc, TypeRange{s.getType()},
                                               ValueRange{qTile, ktTile},
                                               ValueRange{s})
                          .getResult(0);
                }

                // s = s * scale + mask, -inf where masked or causal.
                SmallVector<Value> ins;
                SmallVector<AffineMap> maps;
                if (mask) {
                  SmallVector<OpFoldResult> offs, sizes;
                  SmallVector<int64_t> shape;
                  SmallVector<AffineExpr> exprs;
                  Value pos[4] = {bi, hi, qi, kj};
                  OpFoldResult tile[4] = {b.getIndexAttr(1), b.getIndexAttr(1),
                                          rows, cols};
                  for (int64_t sd = 4 - maskRank; sd < 4; ++sd) {
                    bool bcast = maskBroadcast(sd);
                    offs.push_back(bcast ? OpFoldResult(b.getIndexAttr(0))
                                         : OpFoldResult(pos[sd]));
                    sizes.push_back(bcast ? OpFoldResult(b.getIndexAttr(1))
                                          : tile[sd]);
                    if (sd >= 2) {
                      shape.push_back(bcast ? 1
                                            : getConstantIntValue(tile[sd])
                                                  .value_or(
                                                      ShapedType::kDynamic));
                      exprs.push_back(bcast ? getAffineConstantExpr(0, ctx)
                                            : getAffineDimExpr(sd - 2, ctx));
                    }
                  }
                  Value mTile = tensor::ExtractSliceOp::create(
                      b, loc,
                      RankedTensorType::get(shape, maskType.getElementType()),
                      mask, offs, sizes,
                      SmallVector<OpFoldResult>(maskRank, b.getIndexAttr(1)));
                  ins.push_back(mTile);
                  maps.push_back(AffineMap::get(2, 0, exprs, ctx));
                }
                maps.push_back(id2);
                bool boolMask = mask && maskType.getElementType().isInteger(1);
                bool causal = op.getCausal();
                s = generic(
                        b, loc, ins, ValueRange{s}, maps, {false, false},
                        [&](OpBuilder &b, Location loc, ValueRange args) {
                          Value x = arith::MulFOp::create(b, loc, args.back(),
                                                          scale);
                          if (mask && !boolMask)
                            x = arith::AddFOp::create(
                                b, loc, x,
                                convertScalar(b, loc, args[0],
                                              maskType.getElementType(), f32));
                          if (boolMask)
                            x = arith::SelectOp::create(b, loc, args[0], x,
                                                        negInf);
                          if (causal) {
                            Value i = arith::AddIOp::create(
                                b, loc,
                                arith::AddIOp::create(
                                    b, loc, qi,
                                    linalg::IndexOp::create(b, loc, 0)),
                                diagOffset);
                            Value j = arith::AddIOp::create(
                                b, loc, kj, linalg::IndexOp::create(b, loc, 1));
                            Value hidden = arith::CmpIOp::create(
                                b, loc, arith::CmpIPredicate::sgt, j, i);
                            x = arith::SelectOp::create(b, loc, hidden, negInf,
                                                        x);
                          }
                          linalg::YieldOp::create(b, loc, x);
                        })[0];

                // Row maxima of the tile, then the new running maximum and
                // the factor exp(m_old - m_new) for what was accumulated.
                auto reassoc = arith::FastMathFlags::reassoc;
                Value tileMax = vectorRowReduce(
                    b, loc, s, filled(b, loc, {rows}, negInf), /*isMax=*/true);
                if (!tileMax)
                  tileMax = generic(
                    b, loc, ValueRange{s},
                    ValueRange{filled(b, loc, {rows}, negInf)}, {id2, rows2},
                    {false, true},
                    [&](OpBuilder &b, Location loc, ValueRange args) {
                      linalg::YieldOp::create(
                          b, loc,
                          arith::MaximumFOp::create(b, loc, args[0], args[1],
                                                    reassoc)
                              .getResult());
                    })[0];
                ValueRange mAlpha = generic(
                    b, loc, ValueRange{tileMax},
                    ValueRange{m, emptyTensor(b, loc, {rows}, f32)},
                    {id1, id1, id1}, {false},
                    [&](OpBuilder &b, Location loc, ValueRange args) {
                      Value mNew = arith::MaximumFOp::create(b, loc, args[0],
                                                             args[1]);
                      // Nothing seen yet (all -inf so far): keep acc as is
                      // (it is 0) rather than computing exp(-inf - -inf).
                      Value none = arith::CmpFOp::create(
                          b, loc, arith::CmpFPredicate::OEQ, mNew, negInf);
                      Value alpha = arith::SelectOp::create(
                          b, loc, none, one,
                          expPolynomial(b, loc,
                                        arith::SubFOp::create(b, loc, args[1],
                                                              mNew)));
                      linalg::YieldOp::create(b, loc,
                                              ValueRange{mNew, alpha});
                    });
                Value mNew = mAlpha[0], alpha = mAlpha[1];

                // p = exp(s - m_new), 0 for masked scores (also when the
                // whole row so far is masked and m_new is -inf).
                Value p = generic(
                    b, loc, ValueRange{mNew}, ValueRange{s}, {rows2, id2},
                    {false, false},
                    [&](OpBuilder &b, Location loc, ValueRange args) {
                      Value none = arith::CmpFOp::create(
                          b, loc, arith::CmpFPredicate::OEQ, args[0], negInf);
                      Value e = expPolynomial(
                          b, loc,
                          arith::SubFOp::create(b, loc, args[1], args[0]));
                      linalg::YieldOp::create(
                          b, loc,
                          arith::SelectOp::create(b, loc, none, zero, e)
                              .getResult());
                    })[0];

                // l = l * alpha + rowsum(p); acc = acc * alpha + p v.
                Value lScaled = generic(
                    b, loc, ValueRange{alpha}, ValueRange{l}, {id1, id1},
                    {false}, [&](OpBuilder &b, Location loc, ValueRange args) {
                      linalg::YieldOp::create(
                          b, loc,
                          arith::MulFOp::create(b, loc, args[0], args[1])
                              .getResult());
                    })[0];
                Value lNew = vectorRowReduce(b, loc, p, lScaled,
                                             /*isMax=*/false);
                if (!lNew)
                  lNew = generic(
                    b, loc, ValueRange{p}, ValueRange{lScaled}, {id2, rows2},
                    {false, true},
                    [&](OpBuilder &b, Location loc, ValueRange args) {
                      linalg::YieldOp::create(
                          b, loc,
                          arith::AddFOp::create(b, loc, args[0], args[1],
                                                reassoc)
                              .getResult());
                    })[0];
                Value accScaled = generic(
                    b, loc, ValueRange{alpha}, ValueRange{acc}, {rows2, id2},
                    {false, false},
                    [&](OpBuilder &b, Location loc, ValueRange args) {
                      linalg::YieldOp::create(
                          b, loc,
                          arith::MulFOp::create(b, loc, args[0], args[1])
                              .getResult());
                    })[0];
                Value accNew = registerBlockedMatmul(b, loc, p, vTile, accScaled,
                                                     /*zeroInit=*/false);
                if (!accNew)
                  accNew = linalg::MatmulOp::create(
                               b, loc, TypeRange{accScaled.getType()},
                               ValueRange{p, vTile}, ValueRange{accScaled})
                               .getResult(0);
                scf::YieldOp::create(b, loc, ValueRange{mNew, lNew, accNew});
              });

          // out = acc / l: 0 / 0 = NaN for fully masked rows, as softmax of
          // an all -inf row gives.
          Value l = kLoop.getResult(1), acc = kLoop.getResult(2);
          Value outTile = generic(
              b, loc, ValueRange{acc, l},
              ValueRange{emptyTensor(b, loc, {rows, vs[3]},
                                     resultType.getElementType())},
              {id2, rows2, id2}, {false, false},
              [&](OpBuilder &b, Location loc, ValueRange args) {
                Value y = arith::DivFOp::create(b, loc, args[0], args[1]);
                linalg::YieldOp::create(b, loc,
                                        convertScalar(b, loc, y, f32, elem));
              })[0];
          OpFoldResult oneSize = b.getIndexAttr(1);
          Value updated = tensor::InsertSliceOp::create(
              b, loc, outTile, iters[0],
              SmallVector<OpFoldResult>{bi, hi, qi, b.getIndexAttr(0)},
              SmallVector<OpFoldResult>{oneSize, oneSize, rows, vs[3]},
              SmallVector<OpFoldResult>(4, oneSize));
          return {updated};
        });
    rewriter.replaceOp(op, castTo(b, loc, nest.results[0], resultType));
    return success();
  }
};

} // namespace

void graph_to_linalg::populateAttentionPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<AttentionLowering>(converter, patterns.getContext());
}
