// RUN: ds-opt %s --split-input-file --ds-quantize="weights=int8 activations=dynamic-per-token" | FileCheck %s --check-prefix=INT8
// RUN: ds-opt %s --split-input-file --ds-quantize="weights=int4 group=32 activations=none" | FileCheck %s --check-prefix=INT4
// RUN: ds-opt %s --split-input-file --ds-quantize="weights=int8 activations=dynamic-per-tensor" | FileCheck %s --check-prefix=TENSOR

// A MatMul with a constant [K, N] weight and the constant [N] bias of the
// Add that follows: both move into one dsq.qmatmul.
// INT8-LABEL: func @matmul_bias
// INT8: %[[W:.*]], %[[S:.*]] = dsq.weight {bits = 8 : i64, group_size = 64 : i64
// INT8-SAME: scales = dense<{{.*}}> : tensor<4x1xf32>
// INT8-SAME: : tensor<4x64xi8>, tensor<4x1xf32>
// INT8: %[[B:.*]] = dsg.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// INT8: %[[Q:.*]], %[[QS:.*]] = dsq.dynamic_quantize %arg0 {bits = 8 : i64, granularity = 1 : i32} : tensor<2x3x64xf32> -> tensor<2x3x64xi8>, tensor<2x3x1xf32>
// INT8: %[[R:.*]] = dsq.qmatmul %[[Q]] scale %[[QS]], %[[W]] scale %[[S]] bias %[[B]] {bits = 8 : i64}
// INT8-NOT: dsg.matmul
// INT8-NOT: dsg.add
// INT8: return %[[R]]
// INT4-LABEL: func @matmul_bias
// INT4: dsq.weight {bits = 4 : i64, group_size = 32 : i64
// INT4-SAME: : tensor<4x32xi8>, tensor<4x2xf32>
// INT4-NOT: dynamic_quantize
// INT4: dsq.qmatmul %arg0, %{{.*}} scale %{{.*}} bias %{{.*}} {bits = 4 : i64} : (tensor<2x3x64xf32>, tensor<4x32xi8>, tensor<4x2xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
// TENSOR-LABEL: func @matmul_bias
// TENSOR: dsq.dynamic_quantize %arg0 {bits = 8 : i64, granularity = 0 : i32} : tensor<2x3x64xf32> -> tensor<2x3x64xi8>, tensor<f32>
func.func @matmul_bias(%x: tensor<2x3x64xf32>) -> tensor<2x3x4xf32> {
  %w = dsg.constant dense<0.5> : tensor<64x4xf32>
  %b = dsg.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = dsg.matmul %x, %w : (tensor<2x3x64xf32>, tensor<64x4xf32>) -> tensor<2x3x4xf32>
  %z = dsg.add %y, %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %z : tensor<2x3x4xf32>
}

// -----

// Gemm with trans_b and alpha/beta: alpha goes into the weight scales (0.5
// * 2 / 127 for weights of 0.5 with alpha 2), beta into the bias.
// INT8-LABEL: func @gemm
// INT8: dsq.weight {bits = 8 : i64, group_size = 32 : i64
// INT8-SAME: scales = dense<0.00787401571> : tensor<8x1xf32>
// INT8-SAME: values = dense<127> : tensor<8x32xi8>
// INT8: dsg.constant dense<3.000000e+00> : tensor<8xf32>
// INT8: dsq.qmatmul
// INT8-NOT: dsg.gemm
func.func @gemm(%x: tensor<5x32xf32>) -> tensor<5x8xf32> {
  %w = dsg.constant dense<0.5> : tensor<8x32xf32>
  %c = dsg.constant dense<1.0> : tensor<8xf32>
  %y = dsg.gemm %x, %w, %c {alpha = 2.0 : f32, beta = 3.0 : f32, trans_b = true} : (tensor<5x32xf32>, tensor<8x32xf32>, tensor<8xf32>) -> tensor<5x8xf32>
  return %y : tensor<5x8xf32>
}

// -----

// What stays float: a non-constant weight, a transposed A, and (under int4
// with group 32) a reduction size of 48.
// INT8-LABEL: func @unsupported
// INT8: dsg.matmul %arg0, %arg1
// INT8: dsg.gemm
// INT8: dsq.qmatmul
// INT4-LABEL: func @unsupported
// INT4: dsg.matmul %arg0, %arg1
// INT4: dsg.gemm
// INT4: dsg.matmul
// INT4-NOT: dsq.qmatmul
func.func @unsupported(%x: tensor<5x48xf32>, %w: tensor<48x8xf32>, %xt: tensor<48x5xf32>) -> (tensor<5x8xf32>, tensor<5x8xf32>, tensor<5x8xf32>) {
  %a = dsg.matmul %x, %w : (tensor<5x48xf32>, tensor<48x8xf32>) -> tensor<5x8xf32>
  %cw = dsg.constant dense<0.5> : tensor<48x8xf32>
  %b = dsg.gemm %xt, %cw {trans_a = true} : (tensor<48x5xf32>, tensor<48x8xf32>) -> tensor<5x8xf32>
  %c = dsg.matmul %x, %cw : (tensor<5x48xf32>, tensor<48x8xf32>) -> tensor<5x8xf32>
  return %a, %b, %c : tensor<5x8xf32>, tensor<5x8xf32>, tensor<5x8xf32>
}
