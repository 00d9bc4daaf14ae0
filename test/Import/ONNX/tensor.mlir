// RUN: ds-translate --import-onnx %S/Inputs/tensor.onnx | FileCheck %s

// CHECK: func.func @main(%[[X:.*]]: tensor<2x3x4xf32> {ds.name = "x"}, %[[S:.*]]: tensor<2xi64> {ds.name = "s"})
// A constant shape with 0 (copy) and -1 (infer) becomes a static reshape.
// CHECK:       dsg.constant dense<[0, -1, 2]> : tensor<3xi64>
// CHECK:       %[[R:.*]] = dsg.reshape %[[X]] : (tensor<2x3x4xf32>) -> tensor<2x6x2xf32>
// A shape known only at run time stays an operand.
// CHECK:       %[[RD:.*]] = dsg.reshape %[[X]], %[[S]] {allow_zero = true} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
// CHECK:       %[[FLAT:.*]] = dsg.reshape %[[X]] : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
// The default permutation reverses the dimensions.
// CHECK:       %[[T:.*]] = dsg.transpose %[[X]] {permutation = array<i64: 2, 1, 0>} : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
// CHECK:       %[[CAT:.*]] = dsg.concat %[[X]], %[[X]] {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x8xf32>
// CHECK:       %[[IDX:.*]] = dsg.constant dense<{{\[\[}}0, 2]]> : tensor<1x2xi64>
// CHECK:       %[[G:.*]] = dsg.gather %[[X]], %[[IDX]] {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<1x2xi64>) -> tensor<2x1x2x4xf32>
// CHECK:       %[[K:.*]] = dsg.constant dense<2.000000e+00> : tensor<f32>
// Identity forwards its operand.
// CHECK:       return %[[R]], %[[RD]], %[[FLAT]], %[[T]], %[[CAT]], %[[G]], %[[K]]
