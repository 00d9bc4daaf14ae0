// RUN: ds-translate --import-onnx %S/Inputs/batchnorm_training.onnx | FileCheck %s

// BatchNormalization-15 with training_mode=1 decomposes: the batch mean and
// population variance over every axis but 1 normalize X, and the running
// statistics blend as input * momentum + current * (1 - momentum).
// CHECK: func.func @main(%[[X:.*]]: tensor<2x3x4xf32> {ds.name = "x"}, %[[S:.*]]: tensor<3xf32> {ds.name = "s"}, %[[B:.*]]: tensor<3xf32> {ds.name = "b"}, %[[M:.*]]: tensor<3xf32> {ds.name = "m"}, %[[V:.*]]: tensor<3xf32> {ds.name = "v"})
// CHECK-SAME:    -> (tensor<2x3x4xf32> {ds.name = "y"}, tensor<3xf32> {ds.name = "rm"}, tensor<3xf32> {ds.name = "rv"})
// CHECK:       %[[MEAN:.*]] = dsg.reduce_mean %[[X]] {axes = array<i64: 0, 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
// CHECK:       %[[MEANB:.*]] = dsg.reshape %[[MEAN]] : (tensor<3xf32>) -> tensor<3x1xf32>
// CHECK:       %[[DIFF:.*]] = dsg.sub %[[X]], %[[MEANB]] : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
// CHECK:       %[[SQ:.*]] = dsg.mul %[[DIFF]], %[[DIFF]]
// CHECK:       %[[VAR:.*]] = dsg.reduce_mean %[[SQ]] {axes = array<i64: 0, 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
// CHECK:       %[[Y:.*]] = dsg.batch_norm %[[X]], %[[S]], %[[B]], %[[MEAN]], %[[VAR]] {epsilon = 0.00999999977 : f32}
// CHECK:       %[[MOM1:.*]] = dsg.constant dense<7.500000e-01> : tensor<f32>
// CHECK:       %[[KM:.*]] = dsg.mul %[[M]], %[[MOM1]]
// CHECK:       %[[REST1:.*]] = dsg.constant dense<2.500000e-01> : tensor<f32>
// CHECK:       %[[UM:.*]] = dsg.mul %[[MEAN]], %[[REST1]]
// CHECK:       %[[RM:.*]] = dsg.add %[[KM]], %[[UM]] : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK:       %[[MOM2:.*]] = dsg.constant dense<7.500000e-01> : tensor<f32>
// CHECK:       %[[KV:.*]] = dsg.mul %[[V]], %[[MOM2]]
// CHECK:       %[[REST2:.*]] = dsg.constant dense<2.500000e-01> : tensor<f32>
// CHECK:       %[[UV:.*]] = dsg.mul %[[VAR]], %[[REST2]]
// CHECK:       %[[RV:.*]] = dsg.add %[[KV]], %[[UV]] : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK:       return %[[Y]], %[[RM]], %[[RV]]
