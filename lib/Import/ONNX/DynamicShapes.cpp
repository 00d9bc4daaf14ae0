//===- DynamicShapes.cpp - importing ops with run-time shapes -------------===//
#include "DynamicShapes.h"

#include "Graph/GraphOpsDynamic.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

LogicalResult mlir::ds::onnx_import::importDynamicShape(NodeContext &ctx,
                                                        int64_t start,
                                                        int64_t end) {
  OpBuilder &b = ctx.builder();
  auto type = RankedTensorType::get({std::max<int64_t>(end - start, 0)},
                                    b.getI64Type());
  end = std::max(start, end);
  ctx.setOutput(0, dsg::ShapeOp::create(b, ctx.getLoc(), type, ctx.input(0),
                                        b.getI64IntegerAttr(start),
                                        b.getI64IntegerAttr(end)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importDynamicSize(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.getLoc();
  int64_t rank = ctx.inputType(0).getRank();
  auto shapeType = RankedTensorType::get({rank}, b.getI64Type());
  Value shape = dsg::ShapeOp::create(b, loc, shapeType, ctx.input(0),
                                     b.getI64IntegerAttr(0),
                                     b.getI64IntegerAttr(rank));
  auto scalar = RankedTensorType::get({}, b.getI64Type());
  ctx.setOutput(0, dsg::ReduceProdOp::create(
                       b, loc, scalar, shape, b.getDenseI64ArrayAttr({0}),
                       b.getBoolAttr(false)));
  return success();
}

LogicalResult
mlir::ds::onnx_import::importDynamicConstantOfShape(NodeContext &ctx,
                                                    TypedAttr element) {
  RankedTensorType shapeType = ctx.inputType(0);
  if (shapeType.getRank() != 1 || !shapeType.getElementType().isInteger(64))
    return ctx.invalid() << "expected a 1-D int64 shape, found " << shapeType;
  if (shapeType.isDynamicDim(0))
    return ctx.unsupported()
           << "the shape input '" << ctx.proto().input(0)
           << "' has a length known only at run time, so the output rank is "
              "unknown; ds needs ranked tensors";
  SmallVector<int64_t> dims(shapeType.getDimSize(0), ShapedType::kDynamic);
  auto fallback = RankedTensorType::get(dims, element.getType());
  FailureOr<RankedTensorType> type = ctx.outputType(0, fallback);
  if (failed(type))
    return failure();
  if (type->getRank() != fallback.getRank() ||
      type->getElementType() != element.getType())
    return ctx.invalid() << "expected an output of rank "
                         << fallback.getRank() << " and element type "
                         << element.getType() << ", found " << *type;
  ctx.setOutput(0, dsg::FillOp::create(ctx.builder(), ctx.getLoc(), *type,
                                       ctx.input(0), element));
  return success();
}

LogicalResult mlir::ds::onnx_import::importDynamicRange(NodeContext &ctx,
                                                        RankedTensorType type) {
  if (type.getRank() != 1)
    return ctx.invalid() << "expected a 1-D output, found " << type;
  ctx.setOutput(0, dsg::RangeToOp::create(ctx.builder(), ctx.getLoc(), type,
                                          ctx.input(0), ctx.input(1),
                                          ctx.input(2)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importNonZero(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  RankedTensorType input = ctx.inputType(0);
  Type element = input.getElementType();
  if (!element.isIntOrFloat())
    return ctx.unsupported() << "element type " << element
                             << " is not supported";
  OpBuilder &b = ctx.builder();
  auto fallback = RankedTensorType::get({input.getRank(), ShapedType::kDynamic},
                                        b.getI64Type());
  FailureOr<RankedTensorType> type = ctx.outputType(0, fallback);
  if (failed(type))
    return failure();
  if (type->getRank() != 2 || !type->getElementType().isInteger(64))
    return ctx.invalid() << "expected a 2-D int64 output, found " << *type;
  if (type->getDimSize(0) != input.getRank() && !type->isDynamicDim(0))
    return ctx.invalid() << "expected " << input.getRank()
                         << " output rows (the input rank), found " << *type;
  // The count of non-zero elements is a run-time value even where the model
  // declares a static size (the backend tests declare the count of their
  // data): the result stays dynamic, and the artifact returns what the run
  // found rather than trusting the declaration.
  auto result = RankedTensorType::get({input.getRank(), ShapedType::kDynamic},
                                      b.getI64Type());
  Value nonzero =
      dsg::NonZeroOp::create(b, ctx.getLoc(), result, ctx.input(0));
  ctx.setOutput(0, nonzero);
  return success();
}
