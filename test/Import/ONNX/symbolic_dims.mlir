// RUN: ds-translate --import-onnx %S/Inputs/symbolic_dims.onnx | FileCheck %s

// A named (dim_param) and an anonymous dimension both import as `?`.
// CHECK: func.func @main(%[[X:.*]]: tensor<?x3x?xf32> {ds.name = "x"})
// CHECK-SAME:    -> (tensor<?x?x3xf32> {ds.name = "y"}, tensor<?x?xf32> {ds.name = "f"})
// CHECK:       %[[R:.*]] = dsg.relu %[[X]] : tensor<?x3x?xf32>
// CHECK:       dsg.transpose %[[R]] {permutation = array<i64: 0, 2, 1>} : tensor<?x3x?xf32> -> tensor<?x?x3xf32>
// Flatten with unknown sizes: 0 copies the batch, -1 infers the rest.
// CHECK:       %[[S:.*]] = dsg.constant dense<[0, -1]> : tensor<2xi64>
// CHECK:       dsg.reshape %[[X]], %[[S]] : (tensor<?x3x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
