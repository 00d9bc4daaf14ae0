// RUN: ds-opt %s -split-input-file -ds-shard="tp=2" -verify-diagnostics
// RUN: not ds-opt %s -split-input-file -ds-shard="tp=0" 2>&1 | FileCheck %s --check-prefix=DEGREE

// DEGREE: ds-shard: tp and dp must be at least 1 (got tp=0, dp=1)

// expected-error @+1 {{ds-shard: the module is already sharded}}
shard.grid @mine(shape = 2)
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// -----

// A weight that tp does not divide stays replicated, with a remark.
func.func @odd(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [1.0, 2.0, 3.0]]> : tensor<4x3xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  // expected-remark @+1 {{ds-shard: weight dimension 1 is not divisible by tp=2; layer left replicated}}
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
