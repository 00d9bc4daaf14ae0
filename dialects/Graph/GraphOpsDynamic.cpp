//===- GraphOpsDynamic.cpp - dsg ops with run-time shapes ----------------===//
#include "Graph/GraphOpsDynamic.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::ds::graph;

LogicalResult ShapeOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t start = getStart(), end = getEnd();
  if (start < 0 || start > end || end > rank)
    return emitOpError() << "expected 0 <= start <= end <= " << rank
                         << " (the input rank), found start " << start
                         << " and end " << end;
  int64_t length = getType().getDimSize(0);
  if (!ShapedType::isDynamic(length) && length != end - start)
    return emitOpError() << "expected a result of " << end - start
                         << " elements, found " << getType();
  return success();
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> dims = getInput().getType().getShape().slice(
      getStart(), getEnd() - getStart());
  if (ShapedType::isDynamicShape(dims) || !getType().hasStaticShape())
    return {};
  return DenseIntElementsAttr::get(getType(), dims);
}

LogicalResult FillOp::verify() {
  auto valueType = cast<TypedAttr>(getValue()).getType();
  if (valueType != getType().getElementType())
    return emitOpError() << "expected the value to have the result's element "
                            "type "
                         << getType().getElementType() << ", found "
                         << valueType;
  int64_t length = getShape().getType().getDimSize(0);
  if (ShapedType::isDynamic(length))
    return emitOpError("expected a shape operand of static length (the "
                       "result rank)");
  if (length != getType().getRank())
    return emitOpError() << "expected a result of rank " << length
                         << " (the shape's length), found " << getType();
  return success();
}

LogicalResult RangeToOp::verify() {
  for (Value v : {getStart(), getLimit(), getDelta()}) {
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getRank() != 0)
      return emitOpError("expected 0-D start, limit and delta");
    if (type.getElementType() != getType().getElementType())
      return emitOpError("expected start, limit and delta to have the "
                         "result's element type");
  }
  return success();
}

LogicalResult NonZeroOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t rows = getType().getDimSize(0);
  if (!ShapedType::isDynamic(rows) && rows != rank)
    return emitOpError() << "expected " << rank
                         << " result rows (the input rank), found "
                         << getType();
  return success();
}

#define GET_OP_CLASSES
#include "Graph/GraphOpsDynamic.cpp.inc"
