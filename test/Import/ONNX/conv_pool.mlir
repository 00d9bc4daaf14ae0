// RUN: ds-translate --import-onnx %S/Inputs/conv_pool.onnx | FileCheck %s

// auto_pad is resolved into explicit pads from the static input sizes:
// SAME_UPPER puts the odd padding at the end, SAME_LOWER at the beginning.
// CHECK: func.func @main(%[[X:.*]]: tensor<1x2x5x5xf32> {ds.name = "x"})
// CHECK-SAME:    -> (tensor<1x4x1x1xf32> {ds.name = "gap"}, tensor<1x4x3x3xi64> {ds.name = "idx"})
// CHECK:       %[[W:.*]] = dsg.constant dense<{{.*}}> : tensor<4x2x3x3xf32>
// CHECK:       %[[B:.*]] = dsg.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK:       %[[CONV:.*]] = dsg.conv %[[X]], %[[W]], %[[B]] {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x5x5xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
// CHECK:       %[[POOL:.*]], %[[IDX:.*]] = dsg.max_pool %[[CONV]] {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x4x3x3xf32> -> tensor<1x4x3x3xf32>, tensor<1x4x3x3xi64>
// CHECK:       %[[AVG:.*]] = dsg.average_pool %[[POOL]] {count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
// GlobalAveragePool is a mean over the spatial axes.
// CHECK:       %[[GAP:.*]] = dsg.reduce_mean %[[AVG]] {axes = array<i64: 2, 3>} : tensor<1x4x3x3xf32> -> tensor<1x4x1x1xf32>
// CHECK:       return %[[GAP]], %[[IDX]]
