// RUN: ds-opt %s --ds-convert-graph-to-linalg --split-input-file --verify-diagnostics

func.func @grouped_conv_dynamic_channels(%x: tensor<1x?x8xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x4x6xf32> {
  // expected-error @+2 {{expected static channel counts for a grouped convolution}}
  // expected-error @+1 {{failed to legalize operation 'dsg.conv'}}
  %0 = dsg.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>, group = 2 : i64} : (tensor<1x?x8xf32>, tensor<4x2x3xf32>) -> tensor<1x4x6xf32>
  return %0 : tensor<1x4x6xf32>
}

// -----

func.func @pool_dynamic_spatial(%x: tensor<1x2x?xf32>) -> tensor<1x2x?xf32> {
  // expected-error @+2 {{expected static spatial sizes}}
  // expected-error @+1 {{failed to legalize operation 'dsg.max_pool'}}
  %0 = dsg.max_pool %x {kernel_shape = array<i64: 2>, strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : tensor<1x2x?xf32> -> tensor<1x2x?xf32>
  return %0 : tensor<1x2x?xf32>
}


// -----

func.func @slice_to_dynamic_count(%x: tensor<4xf32>, %i: tensor<?xi64>) -> tensor<?xf32> {
  // expected-error @+2 {{expected starts, ends, axes and steps of a static length}}
  // expected-error @+1 {{failed to legalize operation 'dsg.slice_to'}}
  %0 = dsg.slice_to %x, %i, %i, %i, %i : (tensor<4xf32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
