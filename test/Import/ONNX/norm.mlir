// RUN: ds-translate --import-onnx %S/Inputs/norm.onnx | FileCheck %s

// CHECK: func.func @main(%[[X:.*]]: tensor<2x3x4xf32> {ds.name = "x"})
// CHECK-SAME:    -> (tensor<2x3x4xf32> {ds.name = "ln"}, tensor<2x1x1xf32> {ds.name = "mean"})
// CHECK:       %[[BN:.*]] = dsg.batch_norm %[[X]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
// The negative axis is normalized; the unused InvStdDev output still has a type.
// CHECK:       %[[LN:.*]], %[[MEAN:.*]], %{{.*}} = dsg.layer_norm %[[BN]], %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
// CHECK:       return %[[LN]], %[[MEAN]]
