// RUN: ds-translate --import-onnx %S/Inputs/shape_folding.onnx | FileCheck %s

// Shape -> Gather -> Mul -> Unsqueeze -> Concat folds to a constant shape
// as the nodes are imported, so the Reshape and the Slice (whose end is
// computed by Div) get static result types although the model declares
// none and ONNX shape inference finds none.
// CHECK: func.func @main(%[[X:.*]]: tensor<2x3x4xf32> {ds.name = "x"}) -> (tensor<2x12xf32> {ds.name = "y"}, tensor<2x3x2xf32> {ds.name = "z"})
// CHECK-DAG: dsg.constant dense<12> : tensor<i64>
// CHECK-DAG: dsg.constant dense<[2, 12]> : tensor<2xi64>
// CHECK-NOT: dsg.gather
// CHECK-NOT: dsg.concat
// CHECK-NOT: dsg.mul
// CHECK-NOT: dsg.div
// CHECK: %[[Y:.*]] = dsg.reshape %[[X]] : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
// CHECK: %[[Z:.*]] = dsg.slice %[[X]], {{.*}} -> tensor<2x3x2xf32>
// CHECK: return %[[Y]], %[[Z]]
