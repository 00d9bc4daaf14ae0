//===- DynamicShapes.h - importing ops with run-time shapes -----*- C++ -*-===//
//
// The importer's handling of values whose shape is known only at run time:
// Shape and Size of tensors with dynamic sizes, ConstantOfShape and Range
// with run-time operands, NonZero. Handlers in Tensor.cpp and Indexing.cpp
// call these when the static forms do not apply (docs/dynamic-shapes.md).
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_IMPORT_ONNX_DYNAMICSHAPES_H
#define DS_LIB_IMPORT_ONNX_DYNAMICSHAPES_H

#include "Importer.h"

namespace mlir::ds::onnx_import {

/// Shape of input 0, dimensions [start, end) (normalized), some dynamic:
/// `dsg.shape`.
LogicalResult importDynamicShape(NodeContext &ctx, int64_t start,
                                 int64_t end);
/// Size of an input with dynamic sizes: the product of its `dsg.shape`.
LogicalResult importDynamicSize(NodeContext &ctx);
/// ConstantOfShape whose shape input is computed at run time: `dsg.fill`
/// with `element` (the `value` attribute's element, typed).
LogicalResult importDynamicConstantOfShape(NodeContext &ctx,
                                           TypedAttr element);
/// Range whose output length is not known statically: `dsg.range_to`.
LogicalResult importDynamicRange(NodeContext &ctx, RankedTensorType type);
/// NonZero (opsets 9 and 13): `dsg.nonzero`.
LogicalResult importNonZero(NodeContext &ctx);

} // namespace mlir::ds::onnx_import

#endif // DS_LIB_IMPORT_ONNX_DYNAMICSHAPES_H
