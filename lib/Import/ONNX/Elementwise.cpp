//===- Elementwise.cpp - ONNX elementwise ops to dsg ----------------------===//
#include "Importer.h"

#include "Graph/GraphOps.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

/// The broadcast of the operands' shapes with `elementType`, or null when the
/// shapes do not broadcast (the verifier then reports it).
static RankedTensorType broadcastType(ArrayRef<Value> operands,
                                      Type elementType) {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : operands)
    shapes.push_back(cast<RankedTensorType>(v.getType()).getShape());
  FailureOr<SmallVector<int64_t>> shape = dsg::broadcastShapes(shapes);
  if (failed(shape))
    return {};
  return RankedTensorType::get(*shape, elementType);
}

template <typename OpTy> static LogicalResult importBinary(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  if (ctx.hasAttr("broadcast") || ctx.hasAttr("axis"))
    return ctx.unsupported() << "the legacy 'broadcast'/'axis' attributes are "
                                "not supported";
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  FailureOr<RankedTensorType> type = ctx.outputType(
      0, broadcastType({lhs, rhs}, ctx.inputType(0).getElementType()));
  if (failed(type))
    return failure();
  ctx.setOutput(0, OpTy::create(ctx.builder(), ctx.getLoc(), *type, lhs, rhs));
  return success();
}

LogicalResult mlir::ds::onnx_import::importAdd(NodeContext &ctx) {
  return importBinary<dsg::AddOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importSub(NodeContext &ctx) {
  return importBinary<dsg::SubOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importMul(NodeContext &ctx) {
  return importBinary<dsg::MulOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importDiv(NodeContext &ctx) {
  return importBinary<dsg::DivOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importPow(NodeContext &ctx) {
  return importBinary<dsg::PowOp>(ctx);
}

template <typename OpTy> static LogicalResult importUnary(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  Value input = ctx.input(0);
  // The result type is the operand's by definition; ONNX's inferred type
  // adds nothing.
  ctx.setOutput(
      0, OpTy::create(ctx.builder(), ctx.getLoc(), input.getType(), input));
  return success();
}

LogicalResult mlir::ds::onnx_import::importSqrt(NodeContext &ctx) {
  return importUnary<dsg::SqrtOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importRelu(NodeContext &ctx) {
  return importUnary<dsg::ReluOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importSigmoid(NodeContext &ctx) {
  return importUnary<dsg::SigmoidOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importTanh(NodeContext &ctx) {
  return importUnary<dsg::TanhOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importErf(NodeContext &ctx) {
  return importUnary<dsg::ErfOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importExp(NodeContext &ctx) {
  return importUnary<dsg::ExpOp>(ctx);
}

static LogicalResult castTo(NodeContext &ctx, Type elementType) {
  Value input = ctx.input(0);
  auto type = RankedTensorType::get(ctx.inputType(0).getShape(), elementType);
  ctx.setOutput(0,
                dsg::CastOp::create(ctx.builder(), ctx.getLoc(), type, input));
  return success();
}

LogicalResult mlir::ds::onnx_import::importCast(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  if (!ctx.hasAttr("to"))
    return ctx.invalid() << "missing required attribute 'to'";
  int64_t to = 0;
  if (failed(ctx.intAttr("to", to)))
    return failure();
  Type elementType = convertElementType(ctx.getContext(), to);
  if (!elementType)
    return ctx.unsupported()
           << "unsupported target element type " << dataTypeName(to);
  return castTo(ctx, elementType);
}

LogicalResult mlir::ds::onnx_import::importCastLike(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  return castTo(ctx, ctx.inputType(1).getElementType());
}

LogicalResult mlir::ds::onnx_import::importWhere(NodeContext &ctx) {
  if (failed(ctx.expectInputs(3, 3)))
    return failure();
  Value cond = ctx.input(0), x = ctx.input(1), y = ctx.input(2);
  FailureOr<RankedTensorType> type = ctx.outputType(
      0, broadcastType({cond, x, y}, ctx.inputType(1).getElementType()));
  if (failed(type))
    return failure();
  ctx.setOutput(
      0, dsg::WhereOp::create(ctx.builder(), ctx.getLoc(), *type, cond, x, y));
  return success();
}
