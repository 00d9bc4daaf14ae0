//===- Emitter.h - building dsg ops from ONNX handlers ----------*- C++ -*-===//
//
// A small builder for handlers that decompose an ONNX op into dsg ops: the
// result types follow from the operands (NumPy broadcasting for binary ops).
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_IMPORT_ONNX_EMITTER_H
#define DS_LIB_IMPORT_ONNX_EMITTER_H

#include "Importer.h"

#include "Graph/GraphOps.h"

namespace mlir::ds::onnx_import {

/// Builds dsg ops at the node's location with result types inferred from
/// the operands (NumPy broadcasting for binary ops).
struct Emitter {
  NodeContext &ctx;
  OpBuilder &b;
  Location loc;
  explicit Emitter(NodeContext &ctx)
      : ctx(ctx), b(ctx.builder()), loc(ctx.getLoc()) {}

  static RankedTensorType typeOf(Value v) {
    return llvm::cast<RankedTensorType>(v.getType());
  }
  /// The broadcast shape of the operands (which the importer has checked).
  RankedTensorType bcast(Value x, Value y, Type element = {}) {
    FailureOr<SmallVector<int64_t>> shape =
        graph::broadcastShapes({typeOf(x).getShape(), typeOf(y).getShape()});
    return RankedTensorType::get(shape.value_or(SmallVector<int64_t>{}),
                                 element ? element
                                         : typeOf(x).getElementType());
  }
  template <typename OpTy> Value binary(Value x, Value y) {
    return OpTy::create(b, loc, bcast(x, y), x, y);
  }
  template <typename OpTy> Value compare(Value x, Value y) {
    return OpTy::create(b, loc, bcast(x, y, b.getI1Type()), x, y);
  }
  template <typename OpTy> Value unary(Value x) {
    return OpTy::create(b, loc, x.getType(), x);
  }
  Value where(Value c, Value x, Value y) {
    FailureOr<SmallVector<int64_t>> shape = graph::broadcastShapes(
        {typeOf(c).getShape(), typeOf(x).getShape(), typeOf(y).getShape()});
    auto type = RankedTensorType::get(shape.value_or(SmallVector<int64_t>{}),
                                      typeOf(x).getElementType());
    return graph::WhereOp::create(b, loc, type, c, x, y);
  }
  Value cast(Value x, Type element) {
    return graph::CastOp::create(
        b, loc, RankedTensorType::get(typeOf(x).getShape(), element), x);
  }
  /// Reduces over `axes` (sorted, non-negative).
  template <typename OpTy>
  Value reduce(Value x, ArrayRef<int64_t> axes, bool keepdims) {
    RankedTensorType in = typeOf(x);
    SmallVector<int64_t> shape;
    for (auto [i, d] : llvm::enumerate(in.getShape())) {
      if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
        shape.push_back(d);
      else if (keepdims)
        shape.push_back(1);
    }
    return OpTy::create(b, loc,
                        RankedTensorType::get(shape, in.getElementType()), x,
                        b.getDenseI64ArrayAttr(axes), b.getBoolAttr(keepdims));
  }
  /// A rank-0 constant of element type `element` (float or integer).
  Value scalar(Type element, double value) {
    auto type = RankedTensorType::get({}, element);
    Attribute attr;
    if (isa<FloatType>(element))
      attr = FloatAttr::get(element, value);
    else
      attr = IntegerAttr::get(element, static_cast<int64_t>(value));
    return graph::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, ArrayRef<Attribute>{attr}));
  }
  /// A constant holding 0, 1, ..., n-1 (element type `element`) along
  /// dimension `axis` of a tensor of rank `rank` whose other sizes are 1.
  Value iota(int64_t n, int64_t axis, int64_t rank, Type element) {
    SmallVector<int64_t> shape(rank, 1);
    shape[axis] = n;
    auto type = RankedTensorType::get(shape, element);
    SmallVector<Attribute> values;
    for (int64_t i = 0; i < n; ++i)
      values.push_back(IntegerAttr::get(element, i));
    return graph::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, values));
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    RankedTensorType in = typeOf(x);
    SmallVector<int64_t> shape;
    for (int64_t p : perm)
      shape.push_back(in.getDimSize(p));
    return graph::TransposeOp::create(
        b, loc, RankedTensorType::get(shape, in.getElementType()), x,
        b.getDenseI64ArrayAttr(perm));
  }
  /// Gathers along `axis` at the constant `indices` (a 1-D list).
  Value gather(Value x, int64_t axis, ArrayRef<int64_t> indices) {
    RankedTensorType in = typeOf(x);
    SmallVector<int64_t> shape(in.getShape());
    shape[axis] = indices.size();
    return graph::GatherOp::create(
        b, loc, RankedTensorType::get(shape, in.getElementType()), x,
        ctx.constantI64(indices), b.getI64IntegerAttr(axis));
  }
};

} // namespace mlir::ds::onnx_import

#endif // DS_LIB_IMPORT_ONNX_EMITTER_H
