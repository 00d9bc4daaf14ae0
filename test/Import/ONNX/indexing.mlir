// RUN: ds-translate --import-onnx %S/Inputs/indexing.onnx | FileCheck %s

// Shape-like inputs stay run-time operands; the declared output shapes give
// the result types.
// CHECK: func.func @main(%[[X:.*]]: tensor<4x6xf32> {ds.name = "x"}, %[[STARTS:.*]]: tensor<2xi64> {ds.name = "starts"}, %{{.*}}: tensor<2xi64> {ds.name = "ends"}, %[[AXES:.*]]: tensor<2xi32> {ds.name = "axes"}, %[[STEPS:.*]]: tensor<2xi64> {ds.name = "steps"}
// CHECK: dsg.slice %[[X]], %[[STARTS]], %[[AXES]], %[[STEPS]] : (tensor<4x6xf32>, tensor<2xi64>, tensor<2xi32>, tensor<2xi64>) -> tensor<2x3xf32>
// Default axes and steps are constants.
// CHECK: %[[IOTA:.*]] = dsg.constant dense<[0, 1]> : tensor<2xi64>
// CHECK: %[[ONES:.*]] = dsg.constant dense<1> : tensor<2xi64>
// CHECK: dsg.slice %[[X]], %[[STARTS]], %[[IOTA]], %[[ONES]] : {{.*}} -> tensor<2x2xf32>
// Split: slices at the sums of the declared output sizes.
// CHECK: %[[START0:.*]] = dsg.constant dense<0> : tensor<1xi64>
// CHECK: dsg.slice %[[X]], %[[START0]], {{.*}} -> tensor<4x2xf32>
// CHECK: %[[START2:.*]] = dsg.constant dense<2> : tensor<1xi64>
// CHECK: dsg.slice %[[X]], %[[START2]], {{.*}} -> tensor<4x4xf32>
// CHECK: dsg.pad %[[X]], %{{.*}}, %{{.*}} : (tensor<4x6xf32>, tensor<4xi64>, tensor<f32>) -> tensor<5x9xf32>
// CHECK: dsg.pad %[[X]], %{{.*}} {mode = "reflect"} : (tensor<4x6xf32>, tensor<4xi64>) -> tensor<5x9xf32>
// CHECK: dsg.tile %[[X]] : tensor<4x6xf32> -> tensor<8x12xf32>
// CHECK: dsg.expand %{{.*}} : tensor<4x1xf32> -> tensor<2x4x3xf32>
// The limit is implied by the result size.
// CHECK: dsg.range %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<5xf32>
// CHECK: dsg.trilu %[[X]], %{{.*}} {upper = false} : (tensor<4x6xf32>, tensor<i64>) -> tensor<4x6xf32>
// CHECK: dsg.cumsum %[[X]], %{{.*}} {exclusive = true, reverse = true} : (tensor<4x6xf32>, tensor<i32>) -> tensor<4x6xf32>
// Axis -1 is normalized.
// CHECK: dsg.gather_elements %[[X]], %{{.*}} {axis = 1 : i64} : (tensor<4x6xf32>, tensor<4x2xi64>) -> tensor<4x2xf32>
// CHECK: dsg.gather_nd %[[X]], %{{.*}} : (tensor<4x6xf32>, tensor<2x1xi64>) -> tensor<2x6xf32>
// CHECK: dsg.scatter_elements %[[X]], %{{.*}}, %{{.*}} {axis = 1 : i64, reduction = "add"}
// CHECK: dsg.scatter_nd %[[X]], %{{.*}}, %{{.*}} {reduction = "mul"}
// CHECK: dsg.one_hot %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<5x3xf32>
// DepthToSpace (CRD) and SpaceToDepth: reshape, transpose, reshape.
// CHECK: dsg.reshape %{{.*}} : (tensor<1x8x2x3xf32>) -> tensor<1x2x2x2x2x3xf32>
// CHECK: dsg.transpose %{{.*}} {permutation = array<i64: 0, 1, 4, 2, 5, 3>}
// CHECK: dsg.reshape %{{.*}} -> tensor<1x2x4x6xf32>
// CHECK: dsg.reshape %{{.*}} : (tensor<1x2x4x6xf32>) -> tensor<1x2x2x2x3x2xf32>
// CHECK: dsg.transpose %{{.*}} {permutation = array<i64: 0, 3, 5, 1, 2, 4>}
// CHECK: dsg.reshape %{{.*}} -> tensor<1x8x2x3xf32>

// A run-time slice whose result shape nobody declares computes its size at
// run time (dsg.slice_to); the dimension not sliced keeps the input's size.
// RUN: ds-translate --import-onnx %S/Inputs/slice_unknown_shape.onnx | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: dsg.slice_to %arg0, %arg1, %arg2, %{{.*}}, %{{.*}} : (tensor<4x6xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x6xf32>

// RUN: not ds-translate --import-onnx %S/Inputs/scatter_bool_add.onnx 2>&1 | FileCheck %s --check-prefix=BOOL
// BOOL: error: node 'bool_scatter' (ScatterElements, opset 16): reduction 'add' of booleans is not supported

// RUN: ds-translate --import-onnx %S/Inputs/scatter_legacy.onnx | FileCheck %s --check-prefix=LEGACY
// LEGACY: dsg.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2x1xi64>, tensor<2x1xf32>) -> tensor<2x4xf32>
