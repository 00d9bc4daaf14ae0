// RUN: ds-opt %s -split-input-file -verify-diagnostics

// dsq.qconv's verifier: storage types, scale shapes, window attributes.

func.func @missing_scale(%x: tensor<2x4x9x9xi8>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects a `scale` for the quantized (i8) input}}
  %y = dsq.qconv %x, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<8x36xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @float_with_scale(%x: tensor<2x4x9x9xf32>, %xs: tensor<f32>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects no input `scale` with an f32 input}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xf32>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @per_row_scale(%x: tensor<2x4x9x9xi8>, %xs: tensor<2x1xf32>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects a rank-0 (per-tensor) input scale, found 'tensor<2x1xf32>'}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<2x1xf32>, tensor<8x36xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @rank3(%x: tensor<2x4x9xi8>, %xs: tensor<f32>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects an [N, C, H, W] input, found 'tensor<2x4x9xi8>'}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @dynamic_channels(%x: tensor<2x?x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects static channel and spatial sizes, found 'tensor<2x?x9x9xi8>'}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x?x9x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @kernel_rank(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects a kernel_shape of 2 positive sizes, found [3, 3, 3]}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @zero_stride(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects 2 positive strides, found [0, 1]}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 0, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @zero_dilation(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects 2 positive dilations, found [1, 0]}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 0>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @negative_pad(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects 4 non-negative pads [top, left, bottom, right], found [1, -1, 1, 1]}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, -1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @two_pads(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects 4 non-negative pads [top, left, bottom, right], found [1, 1]}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @weight_rank(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x4x9xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects static [F, C / group * KH * KW] weights and [F, groups] weight scales, found 'tensor<8x4x9xi8>' and 'tensor<8x1xf32>'}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x4x9xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @group_divides(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x12xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects group (3) to divide the input channels (4) and the output channels (8)}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 3 : i64}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x12xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @reduction_size(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x32xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects a reduction size of C / group * KH * KW = 36, found 32}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x32xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @reduction_size_int4(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects a reduction size of C / group * KH * KW = 36, found 72 (two 4-bit values per byte)}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 4 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @scale_groups(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x36xi8>, %ws: tensor<8x5xf32>) {
  // expected-error @+1 {{expects the weight scale's last size (5) to divide the reduction size 36}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x5xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @scale_rows(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<4x36xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects the weight scale's dimension 0 to be 4 like the weight's, found 8}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<4x36xi8>, tensor<8x1xf32>) -> tensor<2x4x9x9xf32>
  return
}

// -----

func.func @odd_int4_group(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x18xi8>, %ws: tensor<8x4xf32>) {
  // expected-error @+1 {{expects an even group size for packed 4-bit weights, found 9}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 4 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x18xi8>, tensor<8x4xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @bias_shape(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{expects a bias of shape [8], found 'tensor<4xf32>'}}
  %y = dsq.qconv %x scale %xs, %w scale %ws bias %b {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>, tensor<4xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @no_window(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x108xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects the padded input to hold at least one window, found an output of 0x9}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 9, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 2, 1>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x108xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}

// -----

func.func @result_shape(%x: tensor<2x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>) {
  // expected-error @+1 {{expects a result of shape [2, 8, 5, 5], found [2, 8, 9, 9]}}
  %y = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return
}
