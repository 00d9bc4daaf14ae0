//===- GraphOps.td - dsg operations ------------------------*- tablegen -*-===//
#ifndef DS_GRAPH_OPS
#define DS_GRAPH_OPS

include "Graph/GraphDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class DSG_Op<string mnemonic, list<Trait> traits = []>
    : Op<DSG_Dialect, mnemonic, !listconcat(traits, [Pure])>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def DSG_ConstantOp : DSG_Op<"constant",
    [ConstantLike, AllTypesMatch<["value", "result"]>]> {
  let summary = "A tensor constant (model weights and literal tensors)";
  let description = [{
    Holds a dense tensor value. Model initializers above a size threshold are
    stored as `dense_resource` blobs so that the IR stays readable and large
    weights are never printed as text.

    ```mlir
    %w = dsg.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %big = dsg.constant dense_resource<conv1_weight> : tensor<16x3x3x3xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class DSG_BinaryOp<string mnemonic, string what> : DSG_Op<mnemonic> {
  let summary = "Elementwise " # what # " with multidirectional broadcasting";
  let description = [{
    Applies the operation elementwise after NumPy-style (ONNX
    "multidirectional") broadcasting of the two operands: shapes are aligned
    from the right and a dimension of size 1 stretches to the other size.
    Both operands and the result have the same element type.
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let hasFolder = 1;
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::ds::graph::verifyBroadcastingOp(*this,
                                                     /*sameElementTypes=*/true);
    }
  }];
}

def DSG_AddOp : DSG_BinaryOp<"add", "addition">;
def DSG_SubOp : DSG_BinaryOp<"sub", "subtraction">;
def DSG_MulOp : DSG_BinaryOp<"mul", "multiplication">;
def DSG_DivOp : DSG_BinaryOp<"div", "division (integer division truncates toward zero)">;

def DSG_MaxOp : DSG_BinaryOp<"max", "maximum (NaN if either operand is NaN)">;
def DSG_MinOp : DSG_BinaryOp<"min", "minimum (NaN if either operand is NaN)">;

def DSG_ModOp : DSG_Op<"mod"> {
  let summary = "Elementwise remainder with multidirectional broadcasting";
  let description = [{
    With `fmod`, the remainder of truncating division (C `fmod`: the sign of
    the dividend); otherwise the remainder of floor division (Python `%`:
    the sign of the divisor), which is defined for integers only. Both
    operands and the result have the same element type.
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$fmod);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class DSG_BitShiftOp<string mnemonic, string what> : DSG_Op<mnemonic> {
  let summary = "Elementwise bit shift " # what # " with multidirectional broadcasting";
  let description = [{
    Shifts the integer `lhs` by `rhs` bits (the shift amount is read as
    unsigned; shifting by the bit width or more gives 0). A right shift is
    logical for unsigned and arithmetic for signless element types. Both
    operands and the result have the same element type.
  }];
  let arguments = (ins TensorOf<[AnyInteger]>:$lhs, TensorOf<[AnyInteger]>:$rhs);
  let results = (outs TensorOf<[AnyInteger]>:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::ds::graph::verifyBroadcastingOp(*this,
                                                     /*sameElementTypes=*/true);
    }
  }];
}

def DSG_ShiftLeftOp : DSG_BitShiftOp<"shift_left", "to the left">;
def DSG_ShiftRightOp : DSG_BitShiftOp<"shift_right", "to the right">;

class DSG_CompareOp<string mnemonic, string what> : DSG_Op<mnemonic> {
  let summary = "Elementwise comparison (" # what # ") with multidirectional broadcasting";
  let description = [{
    Compares after NumPy-style broadcasting; the result has element type
    `i1`. Both operands have the same element type; unsigned integers
    compare as unsigned, floats compare ordered (false when either is NaN).
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs TensorOf<[I1]>:$result);
  let hasFolder = 1;
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::ds::graph::verifyCompareOp(*this);
    }
  }];
}

def DSG_EqualOp : DSG_CompareOp<"equal", "lhs == rhs">;
def DSG_LessOp : DSG_CompareOp<"less", "lhs < rhs">;
def DSG_LessEqualOp : DSG_CompareOp<"less_equal", "lhs <= rhs">;
def DSG_GreaterOp : DSG_CompareOp<"greater", "lhs > rhs">;
def DSG_GreaterEqualOp : DSG_CompareOp<"greater_equal", "lhs >= rhs">;

class DSG_LogicalOp<string mnemonic, string what> : DSG_Op<mnemonic> {
  let summary = "Elementwise logical " # what # " of booleans with multidirectional broadcasting";
  let description = [{
    Operands and result have element type `i1`; shapes broadcast NumPy-style.
  }];
  let arguments = (ins TensorOf<[I1]>:$lhs, TensorOf<[I1]>:$rhs);
  let results = (outs TensorOf<[I1]>:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::ds::graph::verifyBroadcastingOp(*this,
                                                     /*sameElementTypes=*/true);
    }
  }];
}

def DSG_AndOp : DSG_LogicalOp<"and", "and">;
def DSG_OrOp : DSG_LogicalOp<"or", "or">;
def DSG_XorOp : DSG_LogicalOp<"xor", "exclusive or">;

def DSG_PowOp : DSG_Op<"pow"> {
  let summary = "Elementwise power with multidirectional broadcasting";
  let description = [{
    `result = lhs ^ rhs` after NumPy-style broadcasting. The exponent may
    have a different element type than the base (ONNX Pow, opset 12+); the
    result has the base's element type.
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class DSG_UnaryOp<string mnemonic, string what, bit allowIntegers = 0>
    : DSG_Op<mnemonic, [SameOperandsAndResultType]> {
  let summary = "Elementwise " # what;
  let description =
    "Applies the function to every element; the result has the operand's "
    "type. " # !if(allowIntegers,
      "The element type is a floating-point or a (signless or unsigned) "
      "integer type other than `i1`.",
      "The element type is a floating-point type.");
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::ds::graph::verifyUnaryOp(*this, /*allowIntegers=*/}] #
      !if(allowIntegers, "true", "false") # [{);
    }
  }];
}

def DSG_SqrtOp : DSG_UnaryOp<"sqrt", "square root">;
def DSG_ReluOp : DSG_UnaryOp<"relu", "rectified linear unit, max(x, 0)", 1>;
def DSG_SigmoidOp : DSG_UnaryOp<"sigmoid", "logistic sigmoid, 1 / (1 + exp(-x))">;
def DSG_TanhOp : DSG_UnaryOp<"tanh", "hyperbolic tangent">;
def DSG_ErfOp : DSG_UnaryOp<"erf", "Gauss error function">;
def DSG_ExpOp : DSG_UnaryOp<"exp", "natural exponential">;

// One op per function keeps each op's verifier and printed form simple; the
// lowering shares a single pattern template.
def DSG_NegOp : DSG_UnaryOp<"neg", "negation, -x (integers wrap)", 1> {
  // Folds in shape computations (e.g. LayerNormalization's function body
  // negates its axis to count the reduced dimensions).
  let hasFolder = 1;
}
def DSG_AbsOp : DSG_UnaryOp<"abs", "absolute value (identity on unsigned integers)", 1>;
def DSG_SignOp : DSG_UnaryOp<"sign", "sign: -1, 0 or 1 (NaN stays NaN)", 1>;
def DSG_ReciprocalOp : DSG_UnaryOp<"reciprocal", "reciprocal, 1 / x">;
def DSG_FloorOp : DSG_UnaryOp<"floor", "rounding toward negative infinity">;
def DSG_CeilOp : DSG_UnaryOp<"ceil", "rounding toward positive infinity">;
def DSG_RoundOp : DSG_UnaryOp<"round", "rounding to nearest, halfway cases to even">;
def DSG_LogOp : DSG_UnaryOp<"log", "natural logarithm">;
def DSG_SinOp : DSG_UnaryOp<"sin", "sine">;
def DSG_CosOp : DSG_UnaryOp<"cos", "cosine">;
def DSG_TanOp : DSG_UnaryOp<"tan", "tangent">;
def DSG_AsinOp : DSG_UnaryOp<"asin", "arcsine">;
def DSG_AcosOp : DSG_UnaryOp<"acos", "arccosine">;
def DSG_AtanOp : DSG_UnaryOp<"atan", "arctangent">;
def DSG_SinhOp : DSG_UnaryOp<"sinh", "hyperbolic sine">;
def DSG_CoshOp : DSG_UnaryOp<"cosh", "hyperbolic cosine">;
def DSG_AsinhOp : DSG_UnaryOp<"asinh", "inverse hyperbolic sine">;
def DSG_AcoshOp : DSG_UnaryOp<"acosh", "inverse hyperbolic cosine">;
def DSG_AtanhOp : DSG_UnaryOp<"atanh", "inverse hyperbolic tangent">;
def DSG_SoftplusOp : DSG_UnaryOp<"softplus", "softplus, log(exp(x) + 1)">;
def DSG_SoftsignOp : DSG_UnaryOp<"softsign", "softsign, x / (1 + |x|)">;
def DSG_HardSwishOp : DSG_UnaryOp<"hard_swish", "hard swish, x * max(0, min(1, x / 6 + 1 / 2))">;

class DSG_ActivationOp<string mnemonic, string what, dag params>
    : DSG_Op<mnemonic, [SameOperandsAndResultType]> {
  let summary = "Elementwise " # what;
  let description = [{
    A parameterized activation function applied to every element of a
    floating-point tensor; the result has the operand's type. The parameters
    are always present (the importer fills in ONNX's defaults).
  }];
  let arguments = !con((ins AnyRankedTensor:$input), params);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::ds::graph::verifyUnaryOp(*this, /*allowIntegers=*/false);
    }
  }];
}

def DSG_EluOp : DSG_ActivationOp<"elu",
    "exponential linear unit, x < 0 ? alpha * (exp(x) - 1) : x",
    (ins F32Attr:$alpha)>;
def DSG_SeluOp : DSG_ActivationOp<"selu",
    "scaled exponential linear unit, gamma * (x <= 0 ? alpha * (exp(x) - 1) : x)",
    (ins F32Attr:$alpha, F32Attr:$gamma)>;
def DSG_LeakyReluOp : DSG_ActivationOp<"leaky_relu",
    "leaky rectified linear unit, x < 0 ? alpha * x : x",
    (ins F32Attr:$alpha)>;
def DSG_HardSigmoidOp : DSG_ActivationOp<"hard_sigmoid",
    "hard sigmoid, max(0, min(1, alpha * x + beta))",
    (ins F32Attr:$alpha, F32Attr:$beta)>;
def DSG_ThresholdedReluOp : DSG_ActivationOp<"thresholded_relu",
    "thresholded rectified linear unit, x > alpha ? x : 0",
    (ins F32Attr:$alpha)>;

def DSG_NotOp : DSG_Op<"not", [SameOperandsAndResultType]> {
  let summary = "Elementwise logical negation of booleans";
  let arguments = (ins TensorOf<[I1]>:$input);
  let results = (outs TensorOf<[I1]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def DSG_IsNaNOp : DSG_Op<"is_nan", [SameOperandsAndResultShape]> {
  let summary = "Elementwise test for NaN";
  let description = [{
    `result` (element type `i1`) is true where the floating-point `input` is
    NaN.
  }];
  let arguments = (ins TensorOf<[AnyFloat]>:$input);
  let results = (outs TensorOf<[I1]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def DSG_IsInfOp : DSG_Op<"is_inf", [SameOperandsAndResultShape]> {
  let summary = "Elementwise test for infinity";
  let description = [{
    `result` (element type `i1`) is true where the floating-point `input` is
    +inf (if `detect_positive`) or -inf (if `detect_negative`).
  }];
  let arguments = (ins TensorOf<[AnyFloat]>:$input,
                       DefaultValuedAttr<BoolAttr, "true">:$detect_negative,
                       DefaultValuedAttr<BoolAttr, "true">:$detect_positive);
  let results = (outs TensorOf<[I1]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def DSG_CastOp : DSG_Op<"cast", [SameOperandsAndResultShape]> {
  let summary = "Elementwise conversion to another element type";
  let description = [{
    Converts each element to the result's element type with ONNX Cast
    semantics: float to integer truncates toward zero, integer to integer
    wraps, anything to `i1` compares with zero, unsigned types convert as
    unsigned.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let hasFolder = 1;
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def DSG_WhereOp : DSG_Op<"where"> {
  let summary = "Elementwise select with multidirectional broadcasting";
  let description = [{
    `result = condition ? x : y` after NumPy-style broadcasting of all three
    operands. `condition` has element type `i1`; `x`, `y` and the result
    share one element type.
  }];
  let arguments = (ins TensorOf<[I1]>:$condition, AnyRankedTensor:$x,
                       AnyRankedTensor:$y);
  let results = (outs AnyRankedTensor:$result);
  let hasFolder = 1;
  let assemblyFormat = "$condition `,` $x `,` $y attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def DSG_MatMulOp : DSG_Op<"matmul"> {
  let summary = "NumPy-style batched matrix product";
  let description = [{
    Matrix product with `numpy.matmul` semantics: rank-1 operands are
    promoted to matrices (and the added dimension dropped from the result),
    leading batch dimensions broadcast.

    ```mlir
    %y = dsg.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_GemmOp : DSG_Op<"gemm"> {
  let summary = "General matrix multiply, alpha * op(A) * op(B) + beta * C";
  let description = [{
    ONNX Gemm: `A` and `B` are matrices, optionally transposed; the optional
    `C` is broadcast (unidirectionally) to the `[M, N]` result.
  }];
  let arguments = (ins AnyRankedTensor:$a, AnyRankedTensor:$b,
                       Optional<AnyRankedTensor>:$c,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0">:$beta,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_ConvOp : DSG_Op<"conv"> {
  let summary = "N-dimensional grouped convolution (NC[D]HW layout)";
  let description = [{
    Cross-correlation of `input` `[N, C, spatial...]` with `weight`
    `[F, C / group, kernel...]`, plus an optional per-output-channel `bias`
    `[F]`. `pads` lists the padding before each spatial dimension, then after
    each (ONNX order); `auto_pad` is resolved into `pads` on import.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       Optional<AnyRankedTensor>:$bias,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling and reductions
//===----------------------------------------------------------------------===//

def DSG_MaxPoolOp : DSG_Op<"max_pool"> {
  let summary = "N-dimensional max pooling, optionally with argmax indices";
  let description = [{
    Sliding-window maximum over the spatial dimensions of `[N, C, spatial...]`.
    Padded positions never win. With `ceil_mode`, the output size is rounded
    up and windows may run past the padded input; such positions are
    ignored. The optional `indices` result holds, for each output, the flat
    index of the winning element in the unpadded input (row-major, or
    column-major over the spatial dimensions when `storage_order` is 1).
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<I64Attr, "0">:$storage_order);
  let results = (outs AnyRankedTensor:$result,
                      Optional<TensorOf<[I64]>>:$indices);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type(results)";
  let hasVerifier = 1;
}

def DSG_AveragePoolOp : DSG_Op<"average_pool"> {
  let summary = "N-dimensional average pooling";
  let description = [{
    Sliding-window mean over the spatial dimensions of `[N, C, spatial...]`.
    With `count_include_pad`, padded positions count in the divisor;
    positions beyond the padding (possible with `ceil_mode`) never do.
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

class DSG_ReduceOp<string mnemonic, string what> : DSG_Op<mnemonic> {
  let summary = "Reduction (" # what # ") over the given axes";
  let description = [{
    Reduces `input` over `axes` (sorted, unique, non-negative). With
    `keepdims` the reduced dimensions stay with size 1, otherwise they are
    removed. An empty `axes` reduces nothing (the op is an identity).
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::ds::graph::verifyReduceOp(*this, getAxes(), getKeepdims());
    }
  }];
}

def DSG_ReduceSumOp : DSG_ReduceOp<"reduce_sum", "sum"> {
  let hasFolder = 1;
}
def DSG_ReduceMeanOp : DSG_ReduceOp<"reduce_mean", "arithmetic mean">;
def DSG_ReduceMaxOp : DSG_ReduceOp<"reduce_max", "maximum">;
def DSG_ReduceMinOp : DSG_ReduceOp<"reduce_min", "minimum">;
def DSG_ReduceProdOp : DSG_ReduceOp<"reduce_prod", "product"> {
  let hasFolder = 1;
}

class DSG_ArgOp<string mnemonic, string what> : DSG_Op<mnemonic> {
  let summary = "Index of the " # what # " along an axis";
  let description = [{
    The (i64) index along `axis` (non-negative) of the }] # what # [{ of
    `input`: the first one, or with `select_last_index` the last one when
    several are equal. NaN compares above every other float for the
    maximum and below for the minimum (NumPy's rule). With `keepdims` the
    axis stays with size 1, otherwise it is removed.
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs TensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::ds::graph::verifyArgOp(*this, getAxis(), getKeepdims());
    }
  }];
}

def DSG_ArgMaxOp : DSG_ArgOp<"arg_max", "maximum">;
def DSG_ArgMinOp : DSG_ArgOp<"arg_min", "minimum">;

//===----------------------------------------------------------------------===//
// Normalization and activation functions with an axis
//===----------------------------------------------------------------------===//

def DSG_SoftmaxOp : DSG_Op<"softmax", [SameOperandsAndResultType]> {
  let summary = "Softmax along one axis";
  let description = [{
    `exp(x - max(x)) / sum(exp(x - max(x)))` along `axis` (non-negative).
    The pre-opset-13 ONNX form, which flattens to 2-D first, is expressed on
    import with reshapes around this op.
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def DSG_BatchNormOp : DSG_Op<"batch_norm"> {
  let summary = "Batch normalization with fixed statistics (inference)";
  let description = [{
    `scale * (x - mean) / sqrt(var + epsilon) + bias`, with `scale`, `bias`,
    `mean` and `var` of shape `[C]` applied along dimension 1 of `x`.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                       AnyRankedTensor:$bias, AnyRankedTensor:$mean,
                       AnyRankedTensor:$variance,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_LayerNormOp : DSG_Op<"layer_norm"> {
  let summary = "Layer normalization over the trailing dimensions from `axis`";
  let description = [{
    Normalizes over dimensions `[axis, rank)`: `y = (x - mean) * inv_std_dev
    * scale + bias`, where `inv_std_dev = 1 / sqrt(var + epsilon)`. `scale`
    and the optional `bias` broadcast to the normalized shape. The `mean` and
    `inv_std_dev` results have the input's shape with the normalized
    dimensions set to 1.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                       Optional<AnyRankedTensor>:$bias,
                       I64Attr:$axis,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs AnyRankedTensor:$result, AnyRankedTensor:$mean,
                      AnyRankedTensor:$inv_std_dev);
  let assemblyFormat = "$input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def DSG_ReshapeOp : DSG_Op<"reshape"> {
  let summary = "Reshape to a new shape with the same number of elements";
  let description = [{
    Reinterprets the row-major element order of `input` with the result's
    shape. Without `shape`, the result type is the target shape and must be
    static. With `shape` (a 1-D integer tensor known at run time), the target
    follows ONNX Reshape rules: `0` copies the input dimension (unless
    `allow_zero`), `-1` is inferred; the result type records what is known
    statically.
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       Optional<TensorOf<[I64]>>:$shape,
                       DefaultValuedAttr<BoolAttr, "false">:$allow_zero);
  let results = (outs AnyRankedTensor:$result);
  let hasFolder = 1;
  let assemblyFormat = "$input (`,` $shape^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_TransposeOp : DSG_Op<"transpose"> {
  let summary = "Permutes the dimensions of a tensor";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`.
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def DSG_ConcatOp : DSG_Op<"concat"> {
  let summary = "Concatenates tensors along one axis";
  let description = [{
    All inputs have the same rank and element type and agree on every
    dimension but `axis` (non-negative).
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let hasFolder = 1;
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DSG_GatherOp : DSG_Op<"gather"> {
  let summary = "Gathers slices of `data` along `axis` at `indices`";
  let description = [{
    ONNX Gather: the result shape is `data.shape[:axis] + indices.shape +
    data.shape[axis+1:]`. Negative indices count from the end of the axis.
  }];
  let arguments = (ins AnyRankedTensor:$data, TensorOf<[I32, I64]>:$indices,
                       I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let hasFolder = 1;
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

include "Graph/GraphOpsIndexing.td"
include "Graph/GraphOpsAttention.td"

#endif // DS_GRAPH_OPS
