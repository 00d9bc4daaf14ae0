// RUN: ds-translate --import-onnx %S/Inputs/matmul.onnx | FileCheck %s --check-prefix=MATMUL
// RUN: ds-translate --import-onnx %S/Inputs/gemm.onnx | FileCheck %s --check-prefix=GEMM

// MATMUL-LABEL: func.func @main
// MATMUL:       %[[MM:.*]] = dsg.matmul %arg0, %arg1 : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
// MATMUL:       dsg.matmul %[[MM]], %arg2 : (tensor<2x4x16xf32>, tensor<16xf32>) -> tensor<2x4xf32>

// Defaults (beta = 1, trans_a = false) are left implicit; C is optional.
// GEMM-LABEL: func.func @main
// GEMM:       dsg.gemm %arg0, %arg1, %arg2 {alpha = 5.000000e-01 : f32, trans_b = true} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// GEMM:       dsg.gemm %arg0, %arg1 {trans_b = true} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
