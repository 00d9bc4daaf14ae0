// RUN: ds-translate --import-onnx %S/Inputs/shape_ops.onnx | FileCheck %s

// Shape, Size and ConstantOfShape (with a constant shape) fold to constants.
// CHECK: func.func @main(%{{.*}}: tensor<2x3x4xf32>
// CHECK-DAG: %[[SHAPE:.*]] = dsg.constant dense<[2, 3, 4]> : tensor<3xi64>
// Shape-15 start = -2, end = 10 (clamped to the rank).
// CHECK-DAG: %[[TAIL:.*]] = dsg.constant dense<[3, 4]> : tensor<2xi64>
// CHECK-DAG: %[[SIZE:.*]] = dsg.constant dense<24> : tensor<i64>
// CHECK-DAG: %[[FILL:.*]] = dsg.constant dense<7> : tensor<2x1xi32>
// The default value is a float zero.
// CHECK-DAG: %[[ZEROS:.*]] = dsg.constant dense<0.000000e+00> : tensor<2x1xf32>
// CHECK: return %[[SHAPE]], %[[TAIL]], %[[SIZE]], %[[FILL]], %[[ZEROS]]
