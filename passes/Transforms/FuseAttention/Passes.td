//===- Passes.td - attention fusion ------------------------*- tablegen -*-===//
#ifndef DS_TRANSFORMS_FUSEATTENTION_PASSES
#define DS_TRANSFORMS_FUSEATTENTION_PASSES

include "mlir/Pass/PassBase.td"

def FuseAttention : Pass<"ds-fuse-attention"> {
  let summary = "Fuse exported attention subgraphs into dsg.attention";
  let description = [{
    Finds `matmul(softmax(scores, axis = -1), V)` where `scores` is
    `matmul(Q, K^T)` followed only by what attention means:

    * scaling by a scalar constant (`mul` or `div`), on the scores or on
      `Q` or `K^T` before the product (the factors multiply into `scale`);
    * one mask: `add` of a tensor (an additive mask, e.g. BERT's
      `(1 - mask) * -10000`) or `where(cond, -inf, scores)` /
      `where(cond, scores, -inf)` (PyTorch's `masked_fill`, a boolean
      mask). A constant mask that is exactly the causal triangle becomes
      `causal = true` (its tiles above the diagonal are then skipped).

    Rank-4 `[B, H, L, D]` operands map onto `dsg.attention` directly;
    rank-3 `[B*H, L, D]` (`nn.MultiheadAttention`'s batched matmuls) are
    reshaped to `[B*H, 1, L, D]`. When `K^T` is a `transpose` (the head
    split's transpose and `k.transpose(-2, -1)` are one op after import),
    the transpose is folded into the key's layout instead of adding another.

    Nothing fuses when the semantics differ: softmax over another axis, a
    mask or scale that broadcasts the scores to a larger shape, a scale or
    another op between softmax and the second product, a scaling applied
    after an additive mask, or intermediate values used elsewhere (e.g.
    returned attention weights).
  }];
  let dependentDialects = ["mlir::ds::graph::DSGDialect"];
}

#endif // DS_TRANSFORMS_FUSEATTENTION_PASSES
