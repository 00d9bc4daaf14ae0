//===- Passes.td - ds conversion passes --------------------*- tablegen -*-===//
#ifndef DS_CONVERSION_PASSES
#define DS_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// GraphToLinalg
//===----------------------------------------------------------------------===//

def ConvertGraphToLinalg : Pass<"ds-convert-graph-to-linalg", "ModuleOp"> {
  let summary = "Lower dsg ops to linalg, tensor, arith and math";
  let description = [{
    Rewrites every `dsg` op into value-semantic upstream ops (mostly
    `linalg.generic` and named linalg ops on tensors), ready for one-shot
    bufferization. Unsigned element types become signless; the ops that
    depend on signedness (division, casts, comparisons) pick their unsigned
    forms. Function signatures are converted accordingly. An op that cannot
    be lowered is reported with its location and the pass fails.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect",
    "mlir::tensor::TensorDialect",
    "mlir::scf::SCFDialect",
    "mlir::func::FuncDialect",
    "mlir::vector::VectorDialect",
  ];
}

#endif // DS_CONVERSION_PASSES
