// RUN: ds-translate --import-onnx %S/Inputs/resize.onnx | FileCheck %s

// Constant scales: nearest neighbours are constant gathers, innermost axis
// first; axes of scale 1 are left alone.
// CHECK: func.func @main(%[[X:.*]]: tensor<1x1x2x2xf32> {ds.name = "x"}, %{{.*}}: tensor<4xi64> {ds.name = "sizes"}, %[[SCALES:.*]]: tensor<4xf32> {ds.name = "scales"})
// CHECK: %[[I3:.*]] = dsg.constant dense<[0, 0, 1, 1]> : tensor<4xi64>
// CHECK: %[[G3:.*]] = dsg.gather %[[X]], %[[I3]] {axis = 3 : i64} : (tensor<1x1x2x2xf32>, tensor<4xi64>) -> tensor<1x1x2x4xf32>
// CHECK: dsg.gather %[[G3]], %{{.*}} {axis = 2 : i64} : (tensor<1x1x2x4xf32>, tensor<4xi64>) -> tensor<1x1x4x4xf32>
// CHECK-NOT: dsg.gather %{{.*}} {axis = 1 : i64}
// Sizes (a run-time input): the declared output shape gives the scales;
// linear taps are gathers weighted by constants and summed.
// CHECK: %[[L0:.*]] = dsg.gather %[[X]], %{{.*}} {axis = 3 : i64} : (tensor<1x1x2x2xf32>, tensor<3xi64>) -> tensor<1x1x2x3xf32>
// CHECK: %[[W0:.*]] = dsg.constant dense<{{\[\[\[\[}}1.000000e+00, 5.000000e-01, 1.000000e+00]]]]> : tensor<1x1x1x3xf32>
// CHECK: %[[M0:.*]] = dsg.mul %[[L0]], %[[W0]]
// CHECK: %[[L1:.*]] = dsg.gather %[[X]], %{{.*}} {axis = 3 : i64}
// CHECK: %[[W1:.*]] = dsg.constant dense<{{\[\[\[\[}}0.000000e+00, 5.000000e-01, 0.000000e+00]]]]> : tensor<1x1x1x3xf32>
// CHECK: %[[M1:.*]] = dsg.mul %[[L1]], %[[W1]]
// CHECK: dsg.add %[[M0]], %[[M1]] : {{.*}} -> tensor<1x1x2x3xf32>
// CHECK: -> tensor<1x1x3x3xf32>
// Run-time scales: source coordinates, taps and weights are computed in f64.
// CHECK: %[[S64:.*]] = dsg.cast %[[SCALES]] : tensor<4xf32> -> tensor<4xf64>
// CHECK: dsg.gather %[[S64]], %{{.*}} {axis = 0 : i64} : (tensor<4xf64>, tensor<1xi64>) -> tensor<1xf64>
// CHECK: dsg.ceil %{{.*}} : tensor<4xf64>
// exclude_outside renormalizes the weights of the taps inside the input.
// CHECK: dsg.and
// CHECK: dsg.where
// CHECK: dsg.cast %{{.*}} : tensor<4xf64> -> tensor<4xi64>
// CHECK: dsg.gather %[[X]], %{{.*}} {axis = 3 : i64} : (tensor<1x1x2x2xf32>, tensor<4xi64>) -> tensor<1x1x2x4xf32>
// CHECK: dsg.cast %{{.*}} : tensor<4xf64> -> tensor<4xf32>
// CHECK: return {{.*}} : tensor<1x1x4x4xf32>, tensor<1x1x3x3xf32>, tensor<1x1x4x4xf32>

// RUN: not ds-translate --import-onnx %S/Inputs/resize_dynamic.onnx 2>&1 | FileCheck %s --check-prefix=DYN
// DYN: error: node 'dyn_resize' (Resize, opset 13): output 'y' needs a static shape (scales are computed at run time), found 'tensor<1x1x?x?xf32>'
