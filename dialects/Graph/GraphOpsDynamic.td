//===- GraphOpsDynamic.td - dsg ops with run-time shapes ---*- tablegen -*-===//
//
// Ops whose result shape depends on run-time values: the shape of a tensor
// with dynamic sizes, a tensor filled to a shape held in a tensor, a range
// to a run-time limit, the indices of non-zero elements, and a slice with
// run-time ends. Their results
// have dynamic sizes where the value is not known at compile time; the
// lowering computes them with tensor.dim and dynamic tensor.empty
// (docs/dynamic-shapes.md).
//
// Generated separately from GraphOps.td (GraphOpsDynamic.h.inc), so that
// these ops can change without rebuilding every user of the dialect;
// GraphDialect.cpp registers both lists.
//
//===----------------------------------------------------------------------===//
#ifndef DS_GRAPH_OPS_DYNAMIC
#define DS_GRAPH_OPS_DYNAMIC

include "Graph/GraphDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class DSG_DynamicShapeOp<string mnemonic, list<Trait> traits = []>
    : Op<DSG_Dialect, mnemonic, !listconcat(traits, [Pure])>;

def DSG_ShapeOp : DSG_DynamicShapeOp<"shape"> {
  let summary = "The sizes of dimensions [start, end) of a tensor, as int64";
  let description = [{
    ONNX Shape for inputs with dynamic sizes (static ones fold to a
    constant): a 1-D `i64` tensor of `end - start` elements holding the
    sizes of input dimensions `start` to `end - 1`, with
    `0 <= start <= end <= rank`.
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$start, I64Attr:$end);
  let results = (outs 1DTensorOf<[I64]>:$result);
  let hasFolder = 1;
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def DSG_FillOp : DSG_DynamicShapeOp<"fill"> {
  let summary = "A tensor of a run-time shape filled with one value";
  let description = [{
    ONNX ConstantOfShape with a shape computed at run time: every element of
    the result is `value`, and its sizes are the elements of the 1-D `shape`
    operand (non-negative; a negative size is undefined behavior, as the
    importer cannot check run-time values). The result type records the
    sizes known statically; its rank is the length of `shape`.
  }];
  let arguments = (ins 1DTensorOf<[I64]>:$shape, TypedAttrInterface:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$shape `,` $value attr-dict `:` type($shape) `->` type($result)";
  let hasVerifier = 1;
}

def DSG_RangeToOp : DSG_DynamicShapeOp<"range_to"> {
  let summary = "Arithmetic sequence from start up to a run-time limit";
  let description = [{
    ONNX Range whose length is known only at run time: a 1-D tensor of
    `max(ceil((limit - start) / delta), 0)` elements, element `i` being
    `start + i * delta`. `start`, `limit` and `delta` are 0-D tensors of the
    result's element type; `delta` must not be zero (ONNX leaves that case
    undefined; the lowering produces an empty result).
  }];
  let arguments = (ins AnyRankedTensor:$start, AnyRankedTensor:$limit,
                       AnyRankedTensor:$delta);
  let results = (outs 1DTensorOf<[AnySignlessInteger, AnyFloat]>:$result);
  let assemblyFormat = "$start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_NonZeroOp : DSG_DynamicShapeOp<"nonzero"> {
  let summary = "Indices of the non-zero elements, in row-major order";
  let description = [{
    ONNX NonZero: a `rank x n` `i64` tensor whose column `j` holds the
    indices of the `j`-th non-zero element of `input` in row-major order,
    where `n`, the number of non-zero elements, is known only at run time.
    NaN counts as non-zero. A 0-D input gives a `0 x n` result (n is 0 or 1).
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs 2DTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def DSG_SliceToOp : DSG_DynamicShapeOp<"slice_to"> {
  let summary = "Strided slice with run-time starts and ends";
  let description = [{
    ONNX Slice whose result sizes are known only at run time (e.g. `ends`
    computed inside a Loop body); `dsg.slice` covers the case where the
    result type is static. For each entry `j` of the 1-D `starts`, `ends`,
    `axes` and `steps` (one length, at most the input rank), dimension
    `axes[j]` (negative counts from the end) is sliced from `starts[j]`
    towards `ends[j]` by `steps[j]`; other dimensions are kept whole.
    ONNX's rules apply: a negative start or end counts from the end of the
    dimension; for a positive step both are then clamped to `[0, size]`,
    for a negative one the start to `[0, size - 1]` and the end to
    `[-1, size - 1]`. The result size along the axis is
    `max(ceil((end - start) / step), 0)`. A zero step is undefined
    behavior (the importer rejects constant ones; the lowering yields an
    empty dimension). The result type records the sizes known statically.

    Example:

    ```mlir
    %r = dsg.slice_to %x, %starts, %ends, %axes, %steps
        : (tensor<5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>,
           tensor<1xi64>) -> tensor<?xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       RankedTensorOf<[I32, I64]>:$starts, RankedTensorOf<[I32, I64]>:$ends,
                       RankedTensorOf<[I32, I64]>:$axes, RankedTensorOf<[I32, I64]>:$steps);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $starts `,` $ends `,` $axes `,` $steps attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // DS_GRAPH_OPS_DYNAMIC
