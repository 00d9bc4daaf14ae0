//===- FuseAttention.cpp - exported attention subgraphs → dsg.attention ---===//
//
// One pattern, rooted at the second product `matmul(softmax(s), V)`, walks
// the score chain backwards to `matmul(Q, K^T)`. The walk accepts only ops
// whose meaning it can carry into dsg.attention exactly (see Passes.td);
// anything else, or a value with another use, stops the match, so a near
// miss is left as it is rather than fused with other semantics.
//
//===----------------------------------------------------------------------===//
#include "passes/Transforms/FuseAttention/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::ds {
#define GEN_PASS_DEF_FUSEATTENTION
#include "passes/Transforms/FuseAttention/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::graph;

namespace {

/// The value of a splat floating-point dsg.constant, if `v` is one.
std::optional<double> splatFloat(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (!c)
    return std::nullopt;
  auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
  if (!dense || !dense.isSplat() ||
      !isa<FloatType>(dense.getElementType()))
    return std::nullopt;
  return dense.getSplatValue<APFloat>().convertToDouble();
}

bool isNegInf(Value v) {
  std::optional<double> x = splatFloat(v);
  return x && std::isinf(*x) && *x < 0;
}

/// `x op c` or `c op x` with a scalar (splat) constant `c` that does not
/// broadcast `x` to a larger shape: returns x and the factor that `op`
/// applies (c for mul, 1 / c for div with c on the right).
std::optional<std::pair<Value, double>> scaling(Operation *op) {
  if (!op || !isa<MulOp, DivOp>(op))
    return std::nullopt;
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  Type resultType = op->getResult(0).getType();
  if (std::optional<double> c = splatFloat(rhs);
      c && lhs.getType() == resultType) {
    if (isa<MulOp>(op))
      return std::make_pair(lhs, *c);
    if (*c == 0)
      return std::nullopt;
    return std::make_pair(lhs, 1.0 / *c);
  }
  if (std::optional<double> c = splatFloat(lhs);
      c && isa<MulOp>(op) && rhs.getType() == resultType)
    return std::make_pair(rhs, *c);
  return std::nullopt;
}

/// What the backward walk found.
struct Match {
  MatMulOp scores;           // matmul(Q, K^T)
  double scale = 1.0;        // product of the scalings on the way
  Value mask;                // additive mask
  Value maskCondition;       // where's condition, when masked by where
  bool maskInverted = false; // where(cond, -inf, s): attend where !cond
  bool maskSeen = false;
  // Scalings between the mask and the softmax also scale the mask.
  bool scaledAfterMask = false;
  bool nonPositiveAfterMask = false;
};

/// Matches `v` (one use) back to matmul(Q, K^T), from the softmax side.
bool matchScores(Value v, Match &m) {
  Operation *def = v.getDefiningOp();
  if (!def || !v.hasOneUse())
    return false;
  if (auto mm = dyn_cast<MatMulOp>(def)) {
    m.scores = mm;
    return true;
  }
  if (auto s = scaling(def)) {
    if (!m.maskSeen) {
      m.scaledAfterMask = true;
      m.nonPositiveAfterMask |= s->second <= 0;
    }
    m.scale *= s->second;
    return matchScores(s->first, m);
  }
  if (m.maskSeen)
    return false;
  Type type = v.getType();
  if (auto add = dyn_cast<AddOp>(def)) {
    // (s + mask) * c would scale the mask as well.
    if (m.scaledAfterMask)
      return false;
    for (auto [chain, mask] : {std::pair{add.getLhs(), add.getRhs()},
                               std::pair{add.getRhs(), add.getLhs()}}) {
      if (chain.getType() != type)
        continue;
      Match trial = m;
      trial.maskSeen = true;
      trial.mask = mask;
      if (matchScores(chain, trial)) {
        m = trial;
        return true;
      }
    }
    return false;
  }
  if (auto where = dyn_cast<WhereOp>(def)) {
    // where(c, s, -inf) * k keeps its -inf only for k > 0.
    if (m.nonPositiveAfterMask)
      return false;
    Value chain;
    if (isNegInf(where.getX()) && where.getY().getType() == type) {
      chain = where.getY();
      m.maskInverted = true;
    } else if (isNegInf(where.getY()) && where.getX().getType() == type) {
      chain = where.getX();
    } else {
      return false;
    }
    m.maskCondition = where.getCondition();
    m.maskSeen = true;
    return matchScores(chain, m);
  }
  return false;
}

/// Strips scalings off a product operand, multiplying them into `scale`.
Value stripScaling(Value v, double &scale) {
  while (auto s = scaling(v.getDefiningOp())) {
    scale *= s->second;
    v = s->first;
  }
  return v;
}

/// True if the constant `v` is the causal triangle over scores of
/// `[.., lq, lk]`: attend (true, or 0 when additive) exactly where
/// j <= i + (lk - lq), masked (false, or -inf) elsewhere.
bool isCausalConstant(Value v, int64_t lq, int64_t lk, bool inverted) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (!c)
    return false;
  auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
  auto type = cast<RankedTensorType>(v.getType());
  if (!dense || type.getRank() < 2 || type.getDimSize(type.getRank() - 2) != lq ||
      type.getDimSize(type.getRank() - 1) != lk)
    return false;
  for (int64_t d = 0; d + 2 < type.getRank(); ++d)
    if (type.getDimSize(d) != 1)
      return false;
  auto attends = [&](int64_t i, int64_t j) { return j <= i + (lk - lq); };
  if (dense.getElementType().isInteger(1)) {
    auto values = dense.getValues<bool>();
    for (int64_t i = 0; i < lq; ++i)
      for (int64_t j = 0; j < lk; ++j)
        if ((values[i * lk + j] != inverted) != attends(i, j))
          return false;
    return true;
  }
  if (!isa<FloatType>(dense.getElementType()))
    return false;
  auto values = dense.getValues<APFloat>();
  for (int64_t i = 0; i < lq; ++i)
    for (int64_t j = 0; j < lk; ++j) {
      APFloat x = values[i * lk + j];
      bool ok = attends(i, j) ? x.isZero() : (x.isInfinity() && x.isNegative());
      if (!ok)
        return false;
    }
  return true;
}

/// `v` reshaped to `shape` (static), as a dsg.reshape.
Value reshape(PatternRewriter &rewriter, Location loc, Value v,
              ArrayRef<int64_t> shape) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getShape() == shape)
    return v;
  return ReshapeOp::create(rewriter, loc, t.clone(shape), v, Value(), false);
}

/// Inserts a unit heads dimension: [N, L, D] -> [N, 1, L, D].
SmallVector<int64_t> withUnitHeads(RankedTensorType t) {
  SmallVector<int64_t> shape(t.getShape());
  shape.insert(shape.begin() + 1, 1);
  return shape;
}

struct FuseAttentionPattern : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp pv,
                                PatternRewriter &rewriter) const override {
    auto softmax = pv.getLhs().getDefiningOp<SoftmaxOp>();
    if (!softmax || !softmax->hasOneUse())
      return rewriter.notifyMatchFailure(pv, "lhs is not a softmax");
    auto probs = softmax.getType();
    int64_t rank = probs.getRank();
    if (rank != 3 && rank != 4)
      return rewriter.notifyMatchFailure(pv, "scores are not rank 3 or 4");
    if (softmax.getAxis() != rank - 1)
      return rewriter.notifyMatchFailure(pv, "softmax is not over the keys");
    if (!isa<FloatType>(probs.getElementType()))
      return failure();

    Match m;
    if (!matchScores(softmax.getInput(), m))
      return rewriter.notifyMatchFailure(pv, "no matmul(Q, K^T) chain");

    Value q = stripScaling(m.scores.getLhs(), m.scale);
    Value kt = stripScaling(m.scores.getRhs(), m.scale);
    Value v = pv.getRhs();
    auto qt = cast<RankedTensorType>(q.getType());
    auto ktt = cast<RankedTensorType>(kt.getType());
    auto vt = cast<RankedTensorType>(v.getType());
    auto outType = pv.getType();
    // Same rank and batch dims everywhere: no broadcasting products.
    for (RankedTensorType t : {qt, ktt, vt, outType, m.scores.getType()})
      if (t.getRank() != rank || !t.hasStaticShape() ||
          t.getShape().take_front(rank - 2) != probs.getShape().take_front(rank - 2))
        return rewriter.notifyMatchFailure(pv, "operands are not [batch.., L, D] "
                                               "with one static batch");
    if (m.scores.getType() != probs)
      return rewriter.notifyMatchFailure(pv, "mask broadcasts the scores");
    int64_t lq = qt.getDimSize(rank - 2), d = qt.getDimSize(rank - 1);
    int64_t lk = ktt.getDimSize(rank - 1);
    if (ktt.getDimSize(rank - 2) != d || vt.getDimSize(rank - 2) != lk)
      return failure();
    float scale = static_cast<float>(m.scale);
    if (!std::isfinite(scale))
      return rewriter.notifyMatchFailure(pv, "scale is not finite");

    Location loc = pv.getLoc();
    // The mask: an additive tensor, or where's condition (negated when the
    // -inf is where the condition holds). The causal triangle becomes an
    // attribute.
    Value mask = m.mask;
    bool causal = false;
    if (m.maskCondition) {
      if (isCausalConstant(m.maskCondition, lq, lk, m.maskInverted)) {
        causal = true;
      } else {
        mask = m.maskCondition;
        // masked_fill(~keep, -inf) exports as where(not(keep), -inf, s):
        // the mask is `keep` itself.
        if (m.maskInverted) {
          if (auto negated = mask.getDefiningOp<NotOp>())
            mask = negated.getInput();
          else
            mask = NotOp::create(rewriter, loc, mask.getType(), mask);
        }
      }
    } else if (mask && isCausalConstant(mask, lq, lk, false)) {
      causal = true;
      mask = Value();
    }

    // K from K^T: fold a transpose into the key's layout.
    Value k;
    if (auto t = kt.getDefiningOp<TransposeOp>()) {
      SmallVector<int64_t> perm(t.getPermutation());
      std::swap(perm[rank - 2], perm[rank - 1]);
      auto kType = ktt.clone(
          llvm::to_vector(llvm::map_range(perm, [&](int64_t p) {
            return cast<RankedTensorType>(t.getInput().getType()).getDimSize(p);
          })));
      if (llvm::equal(perm, llvm::seq<int64_t>(0, rank)))
        k = t.getInput();
      else
        k = TransposeOp::create(rewriter, loc, kType, t.getInput(),
                                rewriter.getDenseI64ArrayAttr(perm));
    } else {
      SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
      std::swap(perm[rank - 2], perm[rank - 1]);
      SmallVector<int64_t> shape(ktt.getShape());
      std::swap(shape[rank - 2], shape[rank - 1]);
      k = TransposeOp::create(rewriter, loc, ktt.clone(shape), kt,
                              rewriter.getDenseI64ArrayAttr(perm));
    }

    RankedTensorType resultType = outType;
    if (rank == 3) {
      q = reshape(rewriter, loc, q, withUnitHeads(qt));
      k = reshape(rewriter, loc, k,
                  withUnitHeads(cast<RankedTensorType>(k.getType())));
      v = reshape(rewriter, loc, v, withUnitHeads(vt));
      resultType = outType.clone(withUnitHeads(outType));
      if (mask && cast<RankedTensorType>(mask.getType()).getRank() == 3)
        mask = reshape(rewriter, loc, mask,
                       withUnitHeads(cast<RankedTensorType>(mask.getType())));
    }
    Value attention = AttentionOp::create(
        rewriter, loc, resultType, q, k, v, mask,
        rewriter.getF32FloatAttr(scale), rewriter.getBoolAttr(causal));
    if (rank == 3)
      attention = reshape(rewriter, loc, attention, outType.getShape());
    rewriter.replaceOp(pv, attention);
    return success();
  }
};

struct FuseAttentionPass
    : ds::impl::FuseAttentionBase<FuseAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseAttentionPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::ds::populateFuseAttentionPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseAttentionPattern>(patterns.getContext());
}
