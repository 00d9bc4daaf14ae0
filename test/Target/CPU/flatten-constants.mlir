// RUN: ds-opt %s --ds-cpu-flatten-constants --split-input-file | FileCheck %s

// A multi-dimensional constant becomes a flat one plus a free expand.
// CHECK-LABEL: func.func @dense
// CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]> : tensor<6xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[C]] {{\[\[}}0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
// CHECK: return %[[E]]
func.func @dense() -> tensor<2x3xf32> {
  %c = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

// Resource blobs keep their handle (no copy of the data).
// CHECK-LABEL: func.func @resource
// CHECK: arith.constant dense_resource<w> : tensor<4xf32>
// CHECK: tensor.expand_shape {{.*}} output_shape [2, 2] : tensor<4xf32> into tensor<2x2xf32>
func.func @resource() -> tensor<2x2xf32> {
  %c = arith.constant dense_resource<w> : tensor<2x2xf32>
  return %c : tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

// Splats, vectors and 1-D constants are left alone.
// CHECK-LABEL: func.func @unchanged
// CHECK-NOT: tensor.expand_shape
// CHECK: arith.constant dense<0.000000e+00> : tensor<2x3xf32>
// CHECK: arith.constant dense<[1, 2]> : tensor<2xi64>
func.func @unchanged() -> (tensor<2x3xf32>, tensor<2xi64>) {
  %z = arith.constant dense<0.0> : tensor<2x3xf32>
  %v = arith.constant dense<[1, 2]> : tensor<2xi64>
  return %z, %v : tensor<2x3xf32>, tensor<2xi64>
}
