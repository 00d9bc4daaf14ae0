//===- QuantOps.td - dsq operations ------------------------*- tablegen -*-===//
#ifndef DS_QUANT_OPS
#define DS_QUANT_OPS

include "Quant/QuantDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class DSQ_Op<string mnemonic, list<Trait> traits = []>
    : Op<DSQ_Dialect, mnemonic, !listconcat(traits, [Pure])>;

def DSQ_GranularityPerTensor : I32EnumAttrCase<"per_tensor", 0>;
def DSQ_GranularityPerRow : I32EnumAttrCase<"per_row", 1>;
def DSQ_Granularity : I32EnumAttr<"Granularity",
    "how many run-time scales an activation gets",
    [DSQ_GranularityPerTensor, DSQ_GranularityPerRow]> {
  let cppNamespace = "::mlir::ds::quant";
}

// Quantized storage: 4 or 8 bits.
def DSQ_BitsAttr : ConfinedAttr<I64Attr, [IntIsOneOf<[4, 8]>]>;

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

def DSQ_WeightOp : DSQ_Op<"weight"> {
  let summary = "Weights quantized at compile time, with their scales";
  let description = [{
    A `[N, K]` weight matrix (output channels first, the reduction
    dimension contiguous) quantized symmetrically: `values` holds `i8`
    storage, `[N, K]` for 8 bits or `[N, K / 2]` packed two to a byte for 4
    bits; `scales` holds `f32` scales `[N, K / group_size]`. Per-output-
    channel quantization is `group_size = K`; 4-bit weights use groups of
    32, 64 or 128 along `K`.

    ```mlir
    %w, %s = dsq.weight {bits = 4 : i64, group_size = 128 : i64,
        values = dense<...> : tensor<64x128xi8>,
        scales = dense<...> : tensor<64x2xf32>}
        : tensor<64x128xi8>, tensor<64x2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$values, ElementsAttr:$scales,
                       DSQ_BitsAttr:$bits, I64Attr:$group_size);
  let results = (outs RankedTensorOf<[I8]>:$weight,
                      RankedTensorOf<[F32]>:$scale);
  let assemblyFormat = "attr-dict `:` type($weight) `,` type($scale)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The unpacked size of the reduction dimension.
    int64_t getReductionSize();
  }];
}

//===----------------------------------------------------------------------===//
// Run-time quantization
//===----------------------------------------------------------------------===//

def DSQ_DynamicQuantizeOp : DSQ_Op<"dynamic_quantize"> {
  let summary = "Symmetric absmax quantization with scales computed at run time";
  let description = [{
    Quantizes a float tensor with scales measured when the program runs:
    `scale = absmax / qmax` over the whole tensor (`per_tensor`, a rank-0
    scale) or over each row of the last dimension (`per_row`, i.e. per
    token: a `[..., 1]` scale), with `qmax` 127 for 8 bits and 7 for 4 bits.
    The result is `clamp(roundeven(x / scale), -qmax, qmax)` in `i8`
    storage (4-bit values are not packed). An all-zero row gets scale 0
    and zero values.

    ```mlir
    %q, %s = dsq.dynamic_quantize %x {bits = 8 : i64, granularity = per_row}
        : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<4x1xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input, DSQ_BitsAttr:$bits,
                       DSQ_Granularity:$granularity);
  let results = (outs RankedTensorOf<[I8]>:$output,
                      RankedTensorOf<[F32]>:$scale);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($output) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def DSQ_DequantizeOp : DSQ_Op<"dequantize"> {
  let summary = "Quantized values times their scales, back to f32";
  let description = [{
    `input * scale` in `f32`, with the scale broadcast over its group (see
    the dialect's rule for scale shapes). With `bits = 4` and `packed`, the
    input holds two values per byte and the result's last dimension is
    twice the input's.

    ```mlir
    %f = dsq.dequantize %w, %s {bits = 4 : i64, packed}
        : tensor<64x64xi8>, tensor<64x1xf32> -> tensor<64x128xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8]>:$input,
                       RankedTensorOf<[F32]>:$scale, DSQ_BitsAttr:$bits,
                       UnitAttr:$packed);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $input `,` $scale attr-dict `:` type($input) `,` type($scale) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Products
//===----------------------------------------------------------------------===//

def DSQ_QMatMulOp : DSQ_Op<"qmatmul", [AttrSizedOperandSegments]> {
  let summary = "Matrix product with quantized weights, optionally quantized "
                "activations";
  let description = [{
    `result[..., n] = sum_k lhs[..., k] * w[n, k] (+ bias[n])` where `w` is
    a `dsq.weight`-style operand: `weight` (`[N, K]` or packed `[N, K / 2]`)
    with `weight_scale` `[N, K / group]`.

    With an `i8` `lhs` (quantized activations, with `lhs_scale` rank 0 or
    `[..., 1]`), each group's products accumulate in `i32` and are then
    rescaled: `sum_g f32(acc_g) * weight_scale[n, g] * lhs_scale`. With an
    `f32` `lhs` and no `lhs_scale` the weights are only dequantized
    (weight-only quantization).

    ```mlir
    %y = dsq.qmatmul %q scale %s, %w scale %ws bias %b {bits = 8 : i64}
        : (tensor<4x64xi8>, tensor<4x1xf32>, tensor<32x64xi8>,
           tensor<32x1xf32>, tensor<32xf32>) -> tensor<4x32xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8, F32]>:$lhs,
                       Optional<RankedTensorOf<[F32]>>:$lhs_scale,
                       RankedTensorOf<[I8]>:$weight,
                       RankedTensorOf<[F32]>:$weight_scale,
                       Optional<RankedTensorOf<[F32]>>:$bias,
                       DSQ_BitsAttr:$bits);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $lhs (`scale` $lhs_scale^)? `,` $weight `scale` $weight_scale
    (`bias` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The unpacked size of the reduction dimension (dynamic if unknown).
    int64_t getReductionSize();
    /// Elements of K that share one weight scale (dynamic if unknown).
    int64_t getGroupSize();
  }];
}

def DSQ_QConvOp : DSQ_Op<"qconv", [AttrSizedOperandSegments]> {
  let summary = "2-D convolution with quantized weights, optionally quantized "
                "activations";
  let description = [{
    A grouped 2-D cross-correlation of `input` `[N, C, H, W]` with
    quantized weights, plus an optional per-output-channel `bias` `[F]`:
    the result is `[N, F, OH, OW]` with
    `OH = (H + pads[0] + pads[2] - dilations[0] * (kernel_shape[0] - 1) - 1)
    / strides[0] + 1` (likewise `OW`), the attributes following ONNX's
    `Conv` (`pads` is `[top, left, bottom, right]`).

    The weights are a `dsq.weight`-style operand whose rows are the output
    channels and whose reduction dimension is one group's receptive field
    flattened in `(c, kh, kw)` order: `weight` `[F, C / group * KH * KW]`
    (packed `[F, C / group * KH * KW / 2]` for 4 bits) with `weight_scale`
    `[F, (C / group * KH * KW) / group_size]`. int8 weights have one scale
    per output channel; int4 weights one per group of 32, 64 or 128 along
    that flattened `C·KH·KW` dimension.

    With an `i8` `input` (activations quantized by `dsq.dynamic_quantize`),
    `input_scale` is rank 0: the input is quantized per tensor, because
    the patches of neighbouring output pixels overlap and one scale per
    patch row would require quantizing the `KH * KW` times larger patch
    matrix. Zero padding is exact (the quantization is symmetric). Each
    group of products accumulates in `i32` and is then rescaled:
    `sum_g f32(acc_g) * weight_scale[f, g] * input_scale (+ bias[f])`.
    With an `f32` input and no `input_scale`, the weights are only
    dequantized (weight-only quantization).

    ```mlir
    %y = dsq.qconv %x scale %xs, %w scale %ws bias %b {bits = 8 : i64,
        kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
        pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>,
        group = 1 : i64}
        : (tensor<1x3x8x8xi8>, tensor<f32>, tensor<16x27xi8>,
           tensor<16x1xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8, F32]>:$input,
                       Optional<RankedTensorOf<[F32]>>:$input_scale,
                       RankedTensorOf<[I8]>:$weight,
                       RankedTensorOf<[F32]>:$weight_scale,
                       Optional<RankedTensorOf<[F32]>>:$bias,
                       DSQ_BitsAttr:$bits,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $input (`scale` $input_scale^)? `,` $weight `scale` $weight_scale
    (`bias` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The unpacked size of the reduction dimension, C / group * KH * KW.
    int64_t getReductionSize();
    /// Elements of the reduction dimension that share one weight scale.
    int64_t getGroupSize();
    /// The output's spatial size along spatial dimension `i` (0: H, 1: W)
    /// for an input of spatial size `size`; dynamic if `size` is.
    int64_t getOutputSize(unsigned i, int64_t size);
  }];
}

//===----------------------------------------------------------------------===//
// Kernel building blocks
//===----------------------------------------------------------------------===//

def DSQ_Dot4Op : DSQ_Op<"dot4", [AllTypesMatch<["acc", "result"]>]> {
  let summary = "Unsigned-by-signed byte dot products of 4, accumulated in i32";
  let description = [{
    For each 32-bit lane `i`: `acc[i] + sum_{t<4} zext(a[4i+t]) *
    sext(b[4i+t])`, the operation of x86's `vpdpbusd` (AVX-512 VNNI). The
    quantized matmul kernel is written with it on vectors; `convert-to-llvm`
    turns the 16-lane form into the `vpdpbusd` intrinsic.

    ```mlir
    %r = dsq.dot4 %acc, %a, %b : vector<16xi32>, vector<64xi8>, vector<64xi8>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                       VectorOfRankAndType<[1], [I8]>:$a,
                       VectorOfRankAndType<[1], [I8]>:$b);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $a `,` $b attr-dict `:` type($acc) `,` type($a) `,` type($b)
  }];
  let hasVerifier = 1;
}

#endif // DS_QUANT_OPS
