// RUN: ds-translate --import-onnx %S/Inputs/reduce_more.onnx | FileCheck %s

// ReduceProd maps to dsg.reduce_prod; the other reductions decompose into
// reduce_sum and elementwise ops; ArgMax/ArgMin give i64 indices.
// CHECK: func.func @main(%[[X:.*]]: tensor<2x3x4xf32>
// CHECK:      %[[PROD:.*]] = dsg.reduce_prod %[[X]] {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
// ReduceL1 = reduce_sum(abs(x)).
// CHECK-NEXT: %[[ABS:.*]] = dsg.abs %[[X]]
// CHECK-NEXT: %[[L1:.*]] = dsg.reduce_sum %[[ABS]] {axes = array<i64: 2>} : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
// ReduceL2 = sqrt(reduce_sum(x * x)).
// CHECK-NEXT: %[[SQ:.*]] = dsg.mul %[[X]], %[[X]]
// CHECK-NEXT: %[[SUM2:.*]] = dsg.reduce_sum %[[SQ]] {axes = array<i64: 0>, keepdims = false}
// CHECK-NEXT: %[[L2:.*]] = dsg.sqrt %[[SUM2]] : tensor<3x4xf32>
// ReduceSumSquare = reduce_sum(x * x), over all axes by default.
// CHECK-NEXT: %[[SQ2:.*]] = dsg.mul %[[X]], %[[X]]
// CHECK-NEXT: %[[SS:.*]] = dsg.reduce_sum %[[SQ2]] {axes = array<i64: 0, 1, 2>} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
// ReduceLogSum = log(reduce_sum(x)).
// CHECK-NEXT: %[[S:.*]] = dsg.reduce_sum %[[X]] {axes = array<i64: 0, 2>}
// CHECK-NEXT: %[[LS:.*]] = dsg.log %[[S]] : tensor<1x3x1xf32>
// ReduceLogSumExp = log(reduce_sum(exp(x))).
// CHECK-NEXT: %[[E:.*]] = dsg.exp %[[X]]
// CHECK-NEXT: %[[SE:.*]] = dsg.reduce_sum %[[E]] {axes = array<i64: 1>}
// CHECK-NEXT: %[[LSE:.*]] = dsg.log %[[SE]] : tensor<2x1x4xf32>
// CHECK-NEXT: %[[AMAX:.*]] = dsg.arg_max %[[X]] {axis = 2 : i64, select_last_index = true} : tensor<2x3x4xf32> -> tensor<2x3x1xi64>
// CHECK-NEXT: %[[AMIN:.*]] = dsg.arg_min %[[X]] {axis = 0 : i64, keepdims = false} : tensor<2x3x4xf32> -> tensor<3x4xi64>
// CHECK-NEXT: return %[[PROD]], %[[L1]], %[[L2]], %[[SS]], %[[LS]], %[[LSE]], %[[AMAX]], %[[AMIN]]
