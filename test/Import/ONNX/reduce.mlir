// RUN: ds-translate --import-onnx %S/Inputs/reduce.onnx | FileCheck %s

// Axes are normalized (non-negative, sorted); no axes means all of them.
// CHECK: func.func @main(%[[X:.*]]: tensor<2x3x4xf32>
// CHECK:       %[[MEAN:.*]] = dsg.reduce_mean %[[X]] {axes = array<i64: 1, 2>} : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
// CHECK:       %[[MAX:.*]] = dsg.reduce_max %[[X]] {axes = array<i64: 0, 1, 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
// ReduceSum-13 takes its axes from a constant input.
// CHECK:       %[[SUM:.*]] = dsg.reduce_sum %[[X]] {axes = array<i64: 0>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3x4xf32>
// CHECK:       return %[[MEAN]], %[[MAX]], %[[SUM]]
