// RUN: ds-translate --import-onnx %S/Inputs/misc.onnx | FileCheck %s

// CHECK: func.func @main(%[[X:.*]]: tensor<3x4xf32> {ds.name = "x"}, %{{.*}}: tensor<i64> {ds.name = "size"}, %[[COND:.*]]: tensor<3xi1> {ds.name = "cond"}, %[[LENS:.*]]: tensor<3xi64> {ds.name = "lens"})
// Shrink: two selects.
// CHECK: %[[LOW:.*]] = dsg.less %[[X]], %{{.*}} : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xi1>
// CHECK: %[[HIGH:.*]] = dsg.greater %[[X]], %{{.*}}
// CHECK: %[[INNER:.*]] = dsg.where %[[HIGH]], %{{.*}}, %{{.*}} : (tensor<3x4xi1>, tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
// CHECK: %[[SHRINK:.*]] = dsg.where %[[LOW]], %{{.*}}, %[[INNER]]
// EyeLike and HannWindow are constants.
// CHECK: %[[EYE:.*]] = dsg.constant dense<{{\[\[}}0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]> : tensor<3x4xi64>
// CHECK: %[[HANN:.*]] = dsg.constant dense<[0.000000e+00, 5.000000e-01, 1.000000e+00, 5.000000e-01]> : tensor<4xf32>
// Compress: selected rows ranked, their indices summed out, then gathered.
// CHECK: dsg.cast %[[COND]] : tensor<3xi1> -> tensor<3xi64>
// CHECK: %[[IDX:.*]] = dsg.reduce_sum %{{.*}} {axes = array<i64: 0>, keepdims = false} : tensor<3x2xi64> -> tensor<2xi64>
// CHECK: %[[COMPRESS:.*]] = dsg.gather %[[X]], %[[IDX]] {axis = 0 : i64} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
// ReverseSequence: len - 1 - t inside the sequence, t outside.
// CHECK: dsg.reshape %[[LENS]] : (tensor<3xi64>) -> tensor<3x1xi64>
// CHECK: %[[RIDX:.*]] = dsg.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3x4xi1>, tensor<3x4xi64>, tensor<3x4xi64>) -> tensor<3x4xi64>
// CHECK: %[[REV:.*]] = dsg.gather_elements %[[X]], %[[RIDX]] {axis = 1 : i64}
// CHECK: return %[[SHRINK]], %[[EYE]], %[[HANN]], %[[COMPRESS]], %[[REV]]

// RUN: not ds-translate --import-onnx %S/Inputs/compress_dynamic.onnx 2>&1 | FileCheck %s --check-prefix=DYN
// DYN: error: node 'dyn_compress' (Compress, opset 11): output 'y' needs a static shape, found 'tensor<?x4xf32>'

// RUN: ds-translate --import-onnx %S/Inputs/maxunpool.onnx | FileCheck %s --check-prefix=UNPOOL
// MaxUnpool: values scattered into a flat zero tensor at their flat indices.
// UNPOOL: %[[Z:.*]] = dsg.constant dense<0.000000e+00> : tensor<16xf32>
// UNPOOL: %[[V:.*]] = dsg.reshape %{{.*}} : (tensor<1x1x2x2xf32>) -> tensor<4xf32>
// UNPOOL: %[[I:.*]] = dsg.reshape %{{.*}} : (tensor<1x1x2x2xi64>) -> tensor<4xi64>
// UNPOOL: %[[S:.*]] = dsg.scatter_elements %[[Z]], %[[I]], %[[V]] {axis = 0 : i64} : (tensor<16xf32>, tensor<4xi64>, tensor<4xf32>) -> tensor<16xf32>
// UNPOOL: dsg.reshape %[[S]] : (tensor<16xf32>) -> tensor<1x1x4x4xf32>

// A larger output_shape pads the unpooled tensor at the end of each spatial
// dimension; a smaller one is rejected.
// RUN: ds-translate --import-onnx %S/Inputs/maxunpool_padded.onnx | FileCheck %s --check-prefix=PADDED
// PADDED: %[[S:.*]] = dsg.scatter_elements
// PADDED: %[[R:.*]] = dsg.reshape %[[S]] : (tensor<16xf32>) -> tensor<1x1x4x4xf32>
// PADDED: %[[P:.*]] = dsg.constant dense<[0, 0, 0, 0, 0, 0, 1, 1]> : tensor<8xi64>
// PADDED: dsg.pad %[[R]], %[[P]] : (tensor<1x1x4x4xf32>, tensor<8xi64>) -> tensor<1x1x5x5xf32>
// RUN: not ds-translate --import-onnx %S/Inputs/maxunpool_small.onnx 2>&1 | FileCheck %s --check-prefix=SMALL
// SMALL: error: node 'small_unpool' (MaxUnpool, opset 11): an output shape smaller than the default 'tensor<1x1x4x4xf32>' (or with other batch or channel sizes) is not supported, found 'tensor<1x1x3x3xf32>'
