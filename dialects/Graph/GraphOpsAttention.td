//===- GraphOpsAttention.td - dsg attention ----------------*- tablegen -*-===//
//
// Scaled dot-product attention as one op, so that the back end can compute
// it with an online softmax instead of materializing the seq x seq scores.
// Produced by the ONNX importer (Attention, opset 23) and by
// ds-fuse-attention from exported MatMul/Softmax/MatMul subgraphs.
//
// Included from GraphOps.td.
//
//===----------------------------------------------------------------------===//

def DSG_AttentionOp : DSG_Op<"attention"> {
  let summary = "Scaled dot-product attention (optional mask, causal, GQA)";
  let description = [{
    Computes, for every batch `b` and query head `h`,

    ```
    scores = scale * query[b, h] @ transpose(key[b, g])  +  mask  (+ causal)
    result[b, h] = softmax(scores, axis = -1) @ value[b, g]
    ```

    where `g = h / (Hq / Hkv)` picks the key/value head of the query head's
    group: `Hq` query heads share `Hkv` key/value heads (`Hkv == Hq` is
    multi-head, `1 < Hkv < Hq` grouped-query, `Hkv == 1` multi-query
    attention). The number of key/value heads is the size of dimension 1 of
    `key` and `value`; it must divide the number of query heads.

    Layouts: `query` is `[B, Hq, Lq, D]`, `key` is `[B, Hkv, Lk, D]`,
    `value` is `[B, Hkv, Lk, Dv]` and the result is `[B, Hq, Lq, Dv]`, all
    of one floating-point element type. The 16-bit types are computed in
    f32.

    `mask`, when present, broadcasts (NumPy rules, right-aligned, rank at
    most 4) to `[B, Hq, Lq, Lk]`. An `i1` mask says which keys a query may
    attend to (`true`: attend; `false`: the score is `-inf`); a float mask
    of the operands' element type is added to the scaled scores.

    With `causal`, query `i` attends to keys `j <= i + (Lk - Lq)`: the
    triangle is aligned to the bottom-right corner, so that the last query
    sees every key when `Lq != Lk` (decoding with a cache).

    A query whose every score is `-inf` (fully masked by a boolean mask or
    by `causal`) gets NaN, as `softmax` of an all `-inf` row does.

    ```mlir
    %o = dsg.attention %q, %k, %v {scale = 0.125 : f32, causal = true}
        : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>,
           tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$query, AnyRankedTensor:$key,
                       AnyRankedTensor:$value,
                       Optional<AnyRankedTensor>:$mask,
                       F32Attr:$scale,
                       DefaultValuedAttr<BoolAttr, "false">:$causal);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`,` $mask^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Query heads per key/value head, or ShapedType::kDynamic.
    int64_t getGroupSize();
  }];
}
