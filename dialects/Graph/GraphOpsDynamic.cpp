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

LogicalResult SliceToOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError() << "expected the result to have the input's element "
                            "type "
                         << in.getElementType() << ", found " << out;
  if (in.getRank() != out.getRank())
    return emitOpError() << "expected a result of rank " << in.getRank()
                         << " (the input's), found " << out;
  int64_t n = ShapedType::kDynamic;
  for (Value v : {getStarts(), getEnds(), getAxes(), getSteps()}) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 1)
      return emitOpError("expected 1-D starts, ends, axes and steps");
    int64_t len = t.getDimSize(0);
    if (ShapedType::isDynamic(len))
      continue;
    if (!ShapedType::isDynamic(n) && n != len)
      return emitOpError("expected starts, ends, axes and steps of one "
                         "length");
    n = len;
  }
  if (!ShapedType::isDynamic(n) && n > in.getRank())
    return emitOpError() << "expected at most " << in.getRank()
                         << " (the input rank) sliced axes, found " << n;
  for (auto [d, sizes] : llvm::enumerate(
           llvm::zip(in.getShape(), out.getShape()))) {
    auto [i, o] = sizes;
    if (!ShapedType::isDynamic(i) && !ShapedType::isDynamic(o) && o > i)
      return emitOpError() << "expected result dimension " << d
                           << " no larger than the input's (" << i
                           << "), found " << o;
  }
  return success();
}

#define GET_OP_CLASSES
#include "Graph/GraphOpsDynamic.cpp.inc"
