//===- Passes.td - batch-norm folding ----------------------*- tablegen -*-===//
#ifndef DS_TRANSFORMS_FOLDBATCHNORM_PASSES
#define DS_TRANSFORMS_FOLDBATCHNORM_PASSES

include "mlir/Pass/PassBase.td"

def FoldBatchNorm : Pass<"ds-fold-batch-norm"> {
  let summary = "Fold inference batch normalization into the preceding "
                "convolution's constant weight and bias";
  let description = [{
    `dsg.batch_norm(dsg.conv(x, W, b), scale, B, mean, var)` with every
    parameter a `dsg.constant` of f32, and the convolution's result used by
    the batch norm alone, becomes `dsg.conv(x, W', b')` with

      k[f]  = scale[f] / sqrt(var[f] + epsilon)
      W'[f] = W[f] * k[f]                 (every weight of output channel f)
      b'[f] = (b[f] - mean[f]) * k[f] + B[f]       (b = 0 without a bias)

    computed in double precision and rounded to f32 once. Models exported
    in training mode (or without constant folding) keep their batch norms;
    folded, the convolution's epilogue (bias, activation) can then fuse into
    its kernel call on the CPU. Anything else (non-constant parameters,
    other element types, a convolution result used elsewhere) is left alone.
  }];
  let dependentDialects = ["mlir::ds::graph::DSGDialect"];
}

#endif // DS_TRANSFORMS_FOLDBATCHNORM_PASSES
