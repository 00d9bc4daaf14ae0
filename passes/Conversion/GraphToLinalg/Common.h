//===- Common.h - shared helpers of the dsg to linalg conversion -*- C++ -*-===//
//
// The patterns are split by op family (one .cpp each); this header holds
// what they share: the type converter's view of element types, scalar
// conversions with ONNX semantics, broadcasting indexing maps and a builder
// for N-ary elementwise linalg.generic ops.
//
//===----------------------------------------------------------------------===//
#ifndef DS_PASSES_CONVERSION_GRAPHTOLINALG_COMMON_H
#define DS_PASSES_CONVERSION_GRAPHTOLINALG_COMMON_H

#include "Graph/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::ds::graph_to_linalg {

/// Maps unsigned integer element types (ui8...ui64) to signless ones;
/// everything else is kept.
class GraphTypeConverter : public TypeConverter {
public:
  GraphTypeConverter();
};

/// Converts a type to its signless form (also for tensor types).
Type toSignless(Type type);

/// The element type of `v`'s (possibly unconverted) tensor type.
Type elementTypeOf(Value v);
Type elementTypeOf(Type t);

/// f32 for the 16-bit float types (which are computed in f32 for accuracy),
/// otherwise `t` itself (made signless).
Type computeType(Type t);

/// Converts scalar `v` from element type `from` to `to` with ONNX Cast
/// semantics. `from` and `to` are the dsg (possibly unsigned) types; `v`
/// is signless.
Value convertScalar(OpBuilder &b, Location loc, Value v, Type from, Type to);

/// Scalar constants of signless type `t`: zero, one, the identity of max
/// (lowest value: -inf or the integer minimum) and of min (highest value).
/// `isUnsigned` selects the unsigned integer range.
Value zeroOf(OpBuilder &b, Location loc, Type t);
Value oneOf(OpBuilder &b, Location loc, Type t);
Value lowestOf(OpBuilder &b, Location loc, Type t, bool isUnsigned);
Value highestOf(OpBuilder &b, Location loc, Type t, bool isUnsigned);

/// Scalar arithmetic for float or integer signless `a` and `b`.
Value addScalar(OpBuilder &b, Location loc, Value x, Value y);
Value mulScalar(OpBuilder &b, Location loc, Value x, Value y);
Value maxScalar(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned);
Value minScalar(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned);

/// The indexing map that reads an operand of shape `operandShape` inside a
/// loop nest of `outShape` under NumPy broadcasting: dimensions align from
/// the right and a static size-1 dimension of the operand that is not 1 in
/// the output reads index 0.
AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operandShape,
                       ArrayRef<int64_t> outShape);

/// The sizes of `outType`, taking a dynamic size from the first operand in
/// `operands` (right-aligned) that has that dimension not broadcast.
/// Fails if no operand determines a dynamic size.
FailureOr<SmallVector<OpFoldResult>>
broadcastSizes(OpBuilder &b, Location loc, RankedTensorType outType,
               ValueRange operands);

/// tensor.empty of `sizes` with `elementType`.
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                  Type elementType);

/// The sizes of a tensor value (constants where static).
SmallVector<OpFoldResult> sizesOf(OpBuilder &b, Location loc, Value v);

/// Builds `linalg.generic` over the (already converted) `outType`, reading
/// `inputs` with broadcasting maps and producing one element of
/// `outType.getElementType()` per point from `body(scalars)`. Fails (after
/// reporting on `op`) if a dynamic result size cannot be determined.
FailureOr<Value>
buildElementwise(OpBuilder &b, Operation *op, RankedTensorType outType,
                 ValueRange inputs,
                 function_ref<Value(OpBuilder &, Location, ValueRange)> body);

/// Inserts tensor.cast to `type` if `v` has another (compatible) type.
Value castTo(OpBuilder &b, Location loc, Value v, Type type);

/// Reshapes `v` (any rank) to the static or dynamic shape of `type` by
/// collapse/expand; `sizes` gives the result sizes (only dynamic entries
/// are used).
Value reshapeTo(OpBuilder &b, Location loc, Value v, RankedTensorType type,
                ArrayRef<OpFoldResult> sizes);

/// Pads the spatial dimensions (2...) of `v` with `low`/`high` entries of
/// `padValue` (no-op when all pads are 0).
Value padSpatial(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, Value padValue);

/// Converts every element of `v` from `from` to `to` (dsg element types)
/// with a linalg.generic; returns `v` if nothing changes.
Value convertTensor(OpBuilder &b, Location loc, Value v, Type from, Type to);

/// The map from a loop nest of `reduced.size()` dims to its dims that are
/// not reduced.
AffineMap keptDimsMap(MLIRContext *ctx, ArrayRef<bool> reduced);

/// A linalg.generic over `loopSizes` that reduces the dims marked in
/// `reduced` into a fresh tensor of the kept sizes, element type of `init`,
/// initialized with `init`. `inputs` are read with `inputMaps`;
/// `combine(scalars..., accumulator)` returns the new accumulator.
Value buildReduction(OpBuilder &b, Location loc,
                     ArrayRef<OpFoldResult> loopSizes, ArrayRef<bool> reduced,
                     ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                     Value init,
                     function_ref<Value(OpBuilder &, Location, ValueRange)>
                         combine);

/// The product of `sizes` as a scalar of float or integer type `t`.
Value productAs(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                Type t);

/// Pattern registration, one per op family.
void populateElementwisePatterns(const TypeConverter &converter,
                                 RewritePatternSet &patterns);
void populateLinearAlgebraPatterns(const TypeConverter &converter,
                                   RewritePatternSet &patterns);
void populatePoolingPatterns(const TypeConverter &converter,
                             RewritePatternSet &patterns);
void populateNormalizationPatterns(const TypeConverter &converter,
                                   RewritePatternSet &patterns);
void populateReductionPatterns(const TypeConverter &converter,
                               RewritePatternSet &patterns);
void populateDataMovementPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns);
void populateIndexingPatterns(const TypeConverter &converter,
                              RewritePatternSet &patterns);
void populateAttentionPatterns(const TypeConverter &converter,
                               RewritePatternSet &patterns);

/// Convenience: the converted result type of `op`'s result `i`.
inline RankedTensorType convertedResultType(const TypeConverter &converter,
                                            Operation *op, unsigned i = 0) {
  return cast<RankedTensorType>(converter.convertType(op->getResult(i).getType()));
}

} // namespace mlir::ds::graph_to_linalg

#endif // DS_PASSES_CONVERSION_GRAPHTOLINALG_COMMON_H
