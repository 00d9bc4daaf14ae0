//===- Training.cpp - ONNX optimizer ops (ai.onnx.preview.training) -------===//
//
// Adagrad, Adam and Momentum update N tensors at once: inputs are the scalar
// learning rate R and step count T, then the N tensors X, their gradients G
// and one or two state tensors per X; outputs are the new X and states. Each
// update is elementwise, so it decomposes into dsg arithmetic following the
// formulas of the ONNX specification (version 1 of the domain).
//
// Gradient (the same domain) needs automatic differentiation and is not
// imported.
//
//===----------------------------------------------------------------------===//
#include "Emitter.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

namespace {
/// The operands of an optimizer node: R, T, then `groups` lists of N tensors.
struct OptimizerOperands {
  Value r, t;
  int64_t n = 0;
  /// groups[g][i]: tensor i of group g (X, G, then the states).
  SmallVector<SmallVector<Value>> groups;
};
} // namespace

/// Checks the operand layout and that every tensor is float of X's shape.
static FailureOr<OptimizerOperands> optimizerOperands(NodeContext &ctx,
                                                      unsigned groups) {
  unsigned inputs = ctx.numInputs();
  if (inputs < 2 || (inputs - 2) % groups != 0 || inputs == 2)
    return ctx.invalid() << "expected R, T and " << groups
                         << " lists of N tensors, found " << inputs
                         << " inputs";
  OptimizerOperands ops;
  ops.n = (inputs - 2) / groups;
  if (ctx.numOutputs() != (groups - 1) * ops.n)
    return ctx.invalid() << "expected " << (groups - 1) * ops.n
                         << " outputs, found " << ctx.numOutputs();
  for (unsigned i = 0; i < inputs; ++i)
    if (!ctx.hasInput(i))
      return ctx.invalid() << "input " << i << " may not be omitted";
  ops.r = ctx.input(0);
  ops.t = ctx.input(1);
  RankedTensorType rType = ctx.inputType(0), tType = ctx.inputType(1);
  if (rType.getNumElements() != 1 || !isa<FloatType>(rType.getElementType()))
    return ctx.invalid() << "expected a float scalar R, found " << rType;
  if (tType.getNumElements() != 1 || !tType.getElementType().isInteger(64))
    return ctx.invalid() << "expected an int64 scalar T, found " << tType;
  Type element = rType.getElementType();
  for (unsigned g = 0; g < groups; ++g) {
    ops.groups.emplace_back();
    for (int64_t i = 0; i < ops.n; ++i) {
      unsigned k = 2 + g * ops.n + i;
      RankedTensorType type = ctx.inputType(k);
      RankedTensorType x = ctx.inputType(2 + i);
      if (type.getElementType() != element)
        return ctx.unsupported()
               << "input " << k << " is " << type << "; ds imports the "
               << "optimizers with every tensor of R's element type "
               << element;
      if (type != x)
        return ctx.invalid() << "expected input " << k << " of X" << i
                             << "'s type " << x << ", found " << type;
      ops.groups.back().push_back(ctx.input(k));
    }
  }
  // R and T broadcast as rank-0 scalars.
  for (Value *v : {&ops.r, &ops.t}) {
    FailureOr<Value> scalar = ctx.reshapeTo(*v, {});
    if (failed(scalar))
      return failure();
    *v = *scalar;
  }
  return ops;
}

/// Sets output `i` and checks it against the declared type.
static LogicalResult setOptimizerOutput(NodeContext &ctx, unsigned i,
                                        Value value) {
  FailureOr<RankedTensorType> declared =
      ctx.outputType(i, cast<RankedTensorType>(value.getType()));
  if (failed(declared))
    return failure();
  if (*declared != value.getType())
    return ctx.invalid() << "expected output " << i << " of type "
                         << value.getType() << ", found " << *declared;
  ctx.setOutput(i, value);
  return success();
}

/// Adagrad: r' = R / (1 + T * decay_factor); g' = norm_coefficient * X + G;
/// H' = H + g'^2; X' = X - r' * g' / (sqrt(H') + epsilon).
LogicalResult mlir::ds::onnx_import::importAdagrad(NodeContext &ctx) {
  float decay = 0.0f, epsilon = 1e-6f, norm = 0.0f;
  if (failed(ctx.floatAttr("decay_factor", decay)) ||
      failed(ctx.floatAttr("epsilon", epsilon)) ||
      failed(ctx.floatAttr("norm_coefficient", norm)))
    return failure();
  FailureOr<OptimizerOperands> ops = optimizerOperands(ctx, 3);
  if (failed(ops))
    return failure();
  Emitter e(ctx);
  Type element = cast<RankedTensorType>(ops->r.getType()).getElementType();
  Value t = e.cast(ops->t, element);
  Value rate = e.binary<dsg::DivOp>(
      ops->r, e.binary<dsg::AddOp>(
                  e.scalar(element, 1.0),
                  e.binary<dsg::MulOp>(t, e.scalar(element, decay))));
  for (int64_t i = 0; i < ops->n; ++i) {
    Value x = ops->groups[0][i], g = ops->groups[1][i], h = ops->groups[2][i];
    Value reg = e.binary<dsg::AddOp>(
        e.binary<dsg::MulOp>(e.scalar(element, norm), x), g);
    Value hNew = e.binary<dsg::AddOp>(h, e.binary<dsg::MulOp>(reg, reg));
    Value denom = e.binary<dsg::AddOp>(e.unary<dsg::SqrtOp>(hNew),
                                       e.scalar(element, epsilon));
    Value step =
        e.binary<dsg::DivOp>(e.binary<dsg::MulOp>(rate, reg), denom);
    if (failed(setOptimizerOutput(ctx, i, e.binary<dsg::SubOp>(x, step))) ||
        failed(setOptimizerOutput(ctx, ops->n + i, hNew)))
      return failure();
  }
  return success();
}

/// Adam: g' = norm_coefficient * X + G; V' = alpha * V + (1 - alpha) * g';
/// H' = beta * H + (1 - beta) * g'^2; r' = T > 0 ? R * sqrt(1 - beta^T) /
/// (1 - alpha^T) : R; X' = (1 - norm_coefficient_post) *
/// (X - r' * V' / (sqrt(H') + epsilon)).
LogicalResult mlir::ds::onnx_import::importAdam(NodeContext &ctx) {
  float alpha = 0.9f, beta = 0.999f, epsilon = 1e-6f, norm = 0.0f,
        normPost = 0.0f;
  if (failed(ctx.floatAttr("alpha", alpha)) ||
      failed(ctx.floatAttr("beta", beta)) ||
      failed(ctx.floatAttr("epsilon", epsilon)) ||
      failed(ctx.floatAttr("norm_coefficient", norm)) ||
      failed(ctx.floatAttr("norm_coefficient_post", normPost)))
    return failure();
  FailureOr<OptimizerOperands> ops = optimizerOperands(ctx, 4);
  if (failed(ops))
    return failure();
  Emitter e(ctx);
  Type element = cast<RankedTensorType>(ops->r.getType()).getElementType();
  auto c = [&](double v) { return e.scalar(element, v); };
  Value t = e.cast(ops->t, element);
  Value one = c(1.0);
  Value adjusted = e.binary<dsg::DivOp>(
      e.binary<dsg::MulOp>(
          ops->r, e.unary<dsg::SqrtOp>(e.binary<dsg::SubOp>(
                      one, e.binary<dsg::PowOp>(c(beta), t)))),
      e.binary<dsg::SubOp>(one, e.binary<dsg::PowOp>(c(alpha), t)));
  Value positive = e.compare<dsg::GreaterOp>(ops->t, e.scalar(
                                                         e.b.getI64Type(), 0));
  Value rate = e.where(positive, adjusted, ops->r);
  for (int64_t i = 0; i < ops->n; ++i) {
    Value x = ops->groups[0][i], g = ops->groups[1][i],
          v = ops->groups[2][i], h = ops->groups[3][i];
    Value reg = e.binary<dsg::AddOp>(e.binary<dsg::MulOp>(c(norm), x), g);
    Value vNew =
        e.binary<dsg::AddOp>(e.binary<dsg::MulOp>(c(alpha), v),
                             e.binary<dsg::MulOp>(c(1.0 - alpha), reg));
    Value hNew = e.binary<dsg::AddOp>(
        e.binary<dsg::MulOp>(c(beta), h),
        e.binary<dsg::MulOp>(c(1.0 - beta), e.binary<dsg::MulOp>(reg, reg)));
    Value denom = e.binary<dsg::AddOp>(e.unary<dsg::SqrtOp>(hNew), c(epsilon));
    Value xNew = e.binary<dsg::SubOp>(
        x, e.binary<dsg::MulOp>(rate, e.binary<dsg::DivOp>(vNew, denom)));
    Value xFinal = e.binary<dsg::MulOp>(c(1.0 - normPost), xNew);
    if (failed(setOptimizerOutput(ctx, i, xFinal)) ||
        failed(setOptimizerOutput(ctx, ops->n + i, vNew)) ||
        failed(setOptimizerOutput(ctx, 2 * ops->n + i, hNew)))
      return failure();
  }
  return success();
}

/// Momentum: g' = norm_coefficient * X + G; b = T > 0 ? beta : 1;
/// V' = alpha * V + b * g'; X' = X - R * V' (standard) or
/// X - R * (g' + alpha * V') (nesterov).
LogicalResult mlir::ds::onnx_import::importMomentum(NodeContext &ctx) {
  float alpha = 0.0f, beta = 0.0f, norm = 0.0f;
  std::string mode;
  for (const char *name : {"alpha", "beta", "norm_coefficient", "mode"})
    if (!ctx.hasAttr(name))
      return ctx.invalid() << "the required attribute '" << name
                           << "' is missing";
  if (failed(ctx.floatAttr("alpha", alpha)) ||
      failed(ctx.floatAttr("beta", beta)) ||
      failed(ctx.floatAttr("norm_coefficient", norm)) ||
      failed(ctx.stringAttr("mode", mode)))
    return failure();
  if (mode != "standard" && mode != "nesterov")
    return ctx.invalid() << "expected mode standard or nesterov, found '"
                         << mode << "'";
  FailureOr<OptimizerOperands> ops = optimizerOperands(ctx, 3);
  if (failed(ops))
    return failure();
  Emitter e(ctx);
  Type element = cast<RankedTensorType>(ops->r.getType()).getElementType();
  auto c = [&](double v) { return e.scalar(element, v); };
  Value positive =
      e.compare<dsg::GreaterOp>(ops->t, e.scalar(e.b.getI64Type(), 0));
  Value betaT = e.where(positive, c(beta), c(1.0));
  for (int64_t i = 0; i < ops->n; ++i) {
    Value x = ops->groups[0][i], g = ops->groups[1][i], v = ops->groups[2][i];
    Value reg = e.binary<dsg::AddOp>(e.binary<dsg::MulOp>(c(norm), x), g);
    Value vNew = e.binary<dsg::AddOp>(e.binary<dsg::MulOp>(c(alpha), v),
                                      e.binary<dsg::MulOp>(betaT, reg));
    Value dir = mode == "standard"
                    ? vNew
                    : e.binary<dsg::AddOp>(
                          reg, e.binary<dsg::MulOp>(c(alpha), vNew));
    Value xNew =
        e.binary<dsg::SubOp>(x, e.binary<dsg::MulOp>(ops->r, dir));
    if (failed(setOptimizerOutput(ctx, i, xNew)) ||
        failed(setOptimizerOutput(ctx, ops->n + i, vNew)))
      return failure();
  }
  return success();
}

static const OpTableEntry kTrainingOps[] = {
    {"Adagrad", 1, importAdagrad},
    {"Adam", 1, importAdam},
    {"Momentum", 1, importMomentum},
};

const OpTableEntry *mlir::ds::onnx_import::lookupTrainingOpHandler(
    StringRef opType, int64_t opset, SmallVectorImpl<int> &versions) {
  const OpTableEntry *best = nullptr;
  for (const OpTableEntry &entry : kTrainingOps) {
    if (opType != entry.opType)
      continue;
    versions.push_back(entry.sinceVersion);
    if (entry.sinceVersion <= opset &&
        (!best || entry.sinceVersion > best->sinceVersion))
      best = &entry;
  }
  return best;
}
