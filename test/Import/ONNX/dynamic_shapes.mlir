// Values whose shapes are known only at run time (scripts/gen_dynamic_fixtures.py).
// RUN: ds-translate --import-onnx %S/Inputs/dynamic/shape_ops.onnx | FileCheck %s
// RUN: not ds-translate --import-onnx %S/Inputs/dynamic/fill_unknown_rank.onnx 2>&1 | FileCheck %s --check-prefix=RANK

// CHECK: func.func @main(%[[X:.*]]: tensor<?x3xf32> {ds.name = "x"})
// CHECK-SAME: -> (tensor<2xi64> {ds.name = "s"}, tensor<i64> {ds.name = "sz"}, tensor<?x3xf32> {ds.name = "c"}, tensor<2x?xi64> {ds.name = "nz"}, tensor<?xi64> {ds.name = "r"}, tensor<3x?xf32> {ds.name = "y"})
// Shape of a tensor with a `?`: dsg.shape (not a constant).
// CHECK: %[[S:.*]] = dsg.shape %[[X]] {end = 2 : i64, start = 0 : i64} : tensor<?x3xf32> -> tensor<2xi64>
// Size: the product of the shape.
// CHECK: %[[S2:.*]] = dsg.shape %[[X]] {end = 2 : i64, start = 0 : i64}
// CHECK: %[[SZ:.*]] = dsg.reduce_prod %[[S2]] {axes = array<i64: 0>, keepdims = false} : tensor<2xi64> -> tensor<i64>
// ConstantOfShape with a run-time shape: dsg.fill.
// CHECK: dsg.fill %[[S]], 2.500000e+00 : f32 : tensor<2xi64> -> tensor<?x3xf32>
// CHECK: dsg.nonzero %[[X]] : tensor<?x3xf32> -> tensor<2x?xi64>
// Range to a run-time limit.
// CHECK: dsg.range_to %{{.*}}, %[[SZ]], %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
// Reshape to a target computed from Shape.
// CHECK: dsg.reshape %[[X]], %{{.*}} : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<3x?xf32>

// RANK: error: node 'fill' (ConstantOfShape, opset 17): the shape input 's' has a length known only at run time, so the output rank is unknown; ds needs ranked tensors
