//===- LowerDynamicExpandShapes.td - LLVM 22 workaround ----*- tablegen -*-===//
//
// A pass of the CPU back end that only works around an upstream bug; in its
// own file so that it goes away in one piece (this file, the .cpp, its line
// in Pipeline.cpp and CMakeLists.txt) once ds builds against an LLVM with
// the fix.
//
//===----------------------------------------------------------------------===//
#ifndef DS_TARGET_CPU_LOWER_DYNAMIC_EXPAND_SHAPES
#define DS_TARGET_CPU_LOWER_DYNAMIC_EXPAND_SHAPES

include "mlir/Pass/PassBase.td"

def LowerDynamicExpandShapesPass
    : Pass<"ds-cpu-lower-dynamic-expand-shapes"> {
  let summary = "Turn memref.expand_shape ops that split one dimension into "
                "several dynamic ones into memref.reinterpret_cast";
  let description = [{
    `expand-strided-metadata` in LLVM 22 assumes at most one dynamic size
    per reassociation group of a `memref.expand_shape` and crashes (a null
    size reaches `memref.reinterpret_cast`'s builder) on one with more,
    which the `output_shape` operand allows: llvm/llvm-project#186830, fixed
    upstream after LLVM 22 by #187844. ds emits such expands for reshapes to
    run-time shapes (e.g. ONNX `Reshape` or `Flatten` of a tensor with
    several unknown dimensions). This pass rewrites exactly those expands
    into a `memref.extract_strided_metadata` of the source and a
    `memref.reinterpret_cast` with the expand's sizes and the strides it
    implies: within a group, the last dimension keeps the source
    dimension's stride and each earlier one is the next one's stride times
    the next one's size. Every other expand is left to
    `expand-strided-metadata`. The CPU pipeline runs it right before that
    pass; remove it once ds moves to an LLVM with the fix.
  }];
  let dependentDialects = ["arith::ArithDialect", "memref::MemRefDialect"];
}

#endif // DS_TARGET_CPU_LOWER_DYNAMIC_EXPAND_SHAPES
