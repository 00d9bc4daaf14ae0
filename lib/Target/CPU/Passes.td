//===- Passes.td - CPU back-end passes ---------------------*- tablegen -*-===//
#ifndef DS_TARGET_CPU_PASSES
#define DS_TARGET_CPU_PASSES

include "mlir/Pass/PassBase.td"

def LowerStridedCopiesPass : Pass<"ds-cpu-lower-strided-copies"> {
  let summary = "Turn memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    `finalize-memref-to-llvm` lowers a `memref.copy` between contiguous
    buffers to `memcpy`, but any other copy to a call of `memrefCopy` from
    MLIR's C runner utilities, which artifacts do not link. This pass
    rewrites those copies (they come from slices and concatenation after
    bufferization) into `linalg.copy`, which later becomes plain loops.
    Copies between identity-layout buffers are left alone.
  }];
  let dependentDialects = ["linalg::LinalgDialect"];
}

#endif // DS_TARGET_CPU_PASSES
