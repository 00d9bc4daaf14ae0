//===- GraphOpsIndexing.td - dsg indexing ops --------------*- tablegen -*-===//
//
// Slicing, padding, tiling, gathers and scatters, index-based masks. Values
// that ONNX passes as tensors (starts, pads, k, depth...) are operands read
// at run time; result shapes come from the model (they are static where the
// op says so) and the lowering computes indices at run time.
//
// Included from GraphOps.td.
//
//===----------------------------------------------------------------------===//

def DSG_IndexTensor : TensorOf<[I32, I64]>;

def DSG_SliceOp : DSG_Op<"slice"> {
  let summary = "Strided slice with run-time starts, axes and steps";
  let description = [{
    ONNX Slice with the result size given by the (static) result type:
    for each entry `j`, dimension `axes[j]` (negative counts from the end)
    starts at `starts[j]` and steps by `steps[j]` (non-zero); other
    dimensions start at 0 with step 1. A negative start counts from the end
    of the dimension; the start is then clamped to `[0, size]` for a
    positive step and to `[0, size - 1]` for a negative one (ONNX's rules).
    The ends are implied by the result sizes.
  }];
  let arguments = (ins AnyRankedTensor:$input, DSG_IndexTensor:$starts,
                       DSG_IndexTensor:$axes, DSG_IndexTensor:$steps);
  let results = (outs AnyStaticShapeTensor:$result);
  let hasFolder = 1;
  let assemblyFormat = "$input `,` $starts `,` $axes `,` $steps attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_PadOp : DSG_Op<"pad"> {
  let summary = "Pads a tensor with run-time pad amounts";
  let description = [{
    ONNX Pad (version 11+): `pads` (1-D, `2 * rank` entries) holds the
    amount added before each dimension, then after each; negative amounts
    remove elements. `mode` is `constant` (fill with `value`, or zero when
    absent), `reflect` (mirror without repeating the edge) or `edge`
    (repeat the edge). The result type is static.
  }];
  let arguments = (ins AnyRankedTensor:$input, DSG_IndexTensor:$pads,
                       Optional<AnyRankedTensor>:$value,
                       DefaultValuedAttr<StrAttr, "\"constant\"">:$mode);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = "$input `,` $pads (`,` $value^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_TileOp : DSG_Op<"tile"> {
  let summary = "Repeats a tensor along each dimension";
  let description = [{
    Each result dimension is a whole multiple of the input's; element `i`
    reads input element `i mod size` in every dimension. The repeat counts
    are implied by the (static) result type.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyStaticShapeTensor:$result);
  let hasFolder = 1;
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def DSG_ExpandOp : DSG_Op<"expand"> {
  let summary = "Broadcasts a tensor to the result shape";
  let description = [{
    NumPy-style broadcast of `input` to the (static) result shape: shapes
    align from the right, and every input dimension is 1 or equals the
    result's.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyStaticShapeTensor:$result);
  let hasFolder = 1;
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def DSG_RangeOp : DSG_Op<"range"> {
  let summary = "Arithmetic sequence, start + i * delta";
  let description = [{
    A 1-D tensor of static length whose element `i` is `start + i * delta`
    (`start` and `delta` are 0-D tensors of the result's element type, read
    at run time).
  }];
  let arguments = (ins AnyRankedTensor:$start, AnyRankedTensor:$delta);
  let results = (outs AnyStaticShapeTensor:$result);
  let hasFolder = 1;
  let assemblyFormat = "$start `,` $delta attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_TriluOp : DSG_Op<"trilu"> {
  let summary = "Keeps the upper or lower triangle of the last two dimensions";
  let description = [{
    Element `[..., i, j]` is kept when `j - i >= k` (`upper`) or
    `j - i <= k` (lower) and set to zero otherwise. `k` is an optional 0-D
    i64 tensor read at run time (0 when absent).
  }];
  let arguments = (ins AnyRankedTensor:$input, Optional<TensorOf<[I64]>>:$k,
                       DefaultValuedAttr<BoolAttr, "true">:$upper);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input (`,` $k^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_CumSumOp : DSG_Op<"cumsum"> {
  let summary = "Cumulative sum along a run-time axis";
  let description = [{
    ONNX CumSum: the running sum along `axis` (a 0-D integer tensor read at
    run time; negative counts from the end). With `exclusive` an element's
    own value is left out; with `reverse` the sum runs from the end.
  }];
  let arguments = (ins AnyRankedTensor:$input, DSG_IndexTensor:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                       DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $axis attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_GatherElementsOp : DSG_Op<"gather_elements"> {
  let summary = "Gathers elements of `data` along `axis` at `indices`";
  let description = [{
    ONNX GatherElements: the result has the shape of `indices`; element
    `idx` reads `data` at `idx` with dimension `axis` replaced by
    `indices[idx]` (negative counts from the end).
  }];
  let arguments = (ins AnyRankedTensor:$data, DSG_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_GatherNDOp : DSG_Op<"gather_nd"> {
  let summary = "Gathers slices of `data` at N-dimensional indices";
  let description = [{
    ONNX GatherND with `batch_dims` leading batch dimensions: the last
    dimension of `indices` (static, `m`) indexes `data` dimensions
    `[batch_dims, batch_dims + m)`; the result shape is
    `indices.shape[:-1] + data.shape[batch_dims + m:]`.
  }];
  let arguments = (ins AnyRankedTensor:$data, TensorOf<[I64]>:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_ScatterElementsOp : DSG_Op<"scatter_elements"> {
  let summary = "Writes `updates` into a copy of `data` along `axis`";
  let description = [{
    ONNX ScatterElements: update `idx` goes to `data` at `idx` with
    dimension `axis` replaced by `indices[idx]` (negative counts from the
    end). `reduction` is `none` (later updates win), `add` or `mul`.
  }];
  let arguments = (ins AnyRankedTensor:$data, DSG_IndexTensor:$indices,
                       AnyRankedTensor:$updates, I64Attr:$axis,
                       DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_ScatterNDOp : DSG_Op<"scatter_nd"> {
  let summary = "Writes slices of `updates` into a copy of `data`";
  let description = [{
    ONNX ScatterND: `indices[i..., :]` (last dimension static, `k`) names a
    slice of `data` over its first `k` dimensions that receives
    `updates[i..., ...]`. `reduction` is `none` (later updates win), `add`
    or `mul`.
  }];
  let arguments = (ins AnyRankedTensor:$data, TensorOf<[I64]>:$indices,
                       AnyRankedTensor:$updates,
                       DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_OneHotOp : DSG_Op<"one_hot"> {
  let summary = "One-hot encoding along a new axis";
  let description = [{
    ONNX OneHot: the result inserts a dimension at `axis` (non-negative) of
    static size `depth`. Element `idx` is `values[1]` where its index along
    `axis` equals `indices[idx without axis]` (negative indices count from
    `depth`, which is a 0-D tensor read at run time) and `values[0]`
    elsewhere. `indices` and `depth` may be of any numeric type (floats are
    truncated).
  }];
  let arguments = (ins AnyRankedTensor:$indices, AnyRankedTensor:$depth,
                       AnyRankedTensor:$values, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$indices `,` $depth `,` $values attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}
