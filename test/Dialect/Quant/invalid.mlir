// RUN: ds-opt %s -split-input-file -verify-diagnostics

func.func @bad_group() {
  // expected-error @+1 {{expects group_size 32, 64, 128 or K (64), found 16}}
  %w, %s = dsq.weight {bits = 4 : i64, group_size = 16 : i64,
      values = dense<0> : tensor<2x32xi8>, scales = dense<1.0> : tensor<2x4xf32>}
      : tensor<2x32xi8>, tensor<2x4xf32>
  return
}

// -----

func.func @bad_scales() {
  // expected-error @+1 {{expects scales of shape [2, 2] for 2x64 weights in groups of 32, found [2, 1]}}
  %w, %s = dsq.weight {bits = 4 : i64, group_size = 32 : i64,
      values = dense<0> : tensor<2x32xi8>, scales = dense<1.0> : tensor<2x1xf32>}
      : tensor<2x32xi8>, tensor<2x1xf32>
  return
}

// -----

func.func @group_not_dividing() {
  // expected-error @+1 {{expects group_size 128 to divide the reduction size 192}}
  %w, %s = dsq.weight {bits = 8 : i64, group_size = 128 : i64,
      values = dense<0> : tensor<2x192xi8>, scales = dense<1.0> : tensor<2x1xf32>}
      : tensor<2x192xi8>, tensor<2x1xf32>
  return
}

// -----

func.func @values_type_mismatch() {
  // expected-error @+1 {{expects `values` to have the result type 'tensor<2x8xi8>'}}
  %w, %s = dsq.weight {bits = 8 : i64, group_size = 8 : i64,
      values = dense<0> : tensor<2x4xi8>, scales = dense<1.0> : tensor<2x1xf32>}
      : tensor<2x8xi8>, tensor<2x1xf32>
  return
}

// -----

func.func @bad_bits() {
  // expected-error @+1 {{attribute 'bits' failed to satisfy constraint}}
  %w, %s = dsq.weight {bits = 2 : i64, group_size = 8 : i64,
      values = dense<0> : tensor<2x8xi8>, scales = dense<1.0> : tensor<2x1xf32>}
      : tensor<2x8xi8>, tensor<2x1xf32>
  return
}

// -----

func.func @storage_type(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{result #0 must be ranked tensor of 8-bit signless integer values}}
  %q, %s = dsq.dynamic_quantize %x {bits = 8 : i64, granularity = 1 : i32}
      : tensor<4x8xf32> -> tensor<4x8xi16>, tensor<4x1xf32>
  return
}

// -----

func.func @per_row_scale(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{expects a per_row scale of shape [4, 1], found [4]}}
  %q, %s = dsq.dynamic_quantize %x {bits = 8 : i64, granularity = 1 : i32}
      : tensor<4x8xf32> -> tensor<4x8xi8>, tensor<4xf32>
  return
}

// -----

func.func @per_tensor_scale(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{expects a rank-0 scale for per_tensor, found 'tensor<4x1xf32>'}}
  %q, %s = dsq.dynamic_quantize %x {bits = 8 : i64, granularity = 0 : i32}
      : tensor<4x8xf32> -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @packed_int8(%w: tensor<4x16xi8>, %s: tensor<4x1xf32>) {
  // expected-error @+1 {{expects `packed` only with bits = 4}}
  %a = dsq.dequantize %w, %s {bits = 8 : i64, packed} : tensor<4x16xi8>, tensor<4x1xf32> -> tensor<4x32xf32>
  return
}

// -----

func.func @packed_shape(%w: tensor<4x16xi8>, %s: tensor<4x1xf32>) {
  // expected-error @+1 {{expects a result of shape [4, 32], found [4, 16]}}
  %a = dsq.dequantize %w, %s {bits = 4 : i64, packed} : tensor<4x16xi8>, tensor<4x1xf32> -> tensor<4x16xf32>
  return
}

// -----

func.func @dequant_scale(%w: tensor<4x16xi8>, %s: tensor<4x3xf32>) {
  // expected-error @+1 {{expects the input scale's last size (3) to divide the reduction size 16}}
  %a = dsq.dequantize %w, %s {bits = 8 : i64} : tensor<4x16xi8>, tensor<4x3xf32> -> tensor<4x16xf32>
  return
}

// -----

func.func @missing_lhs_scale(%x: tensor<5x64xi8>, %w: tensor<8x64xi8>, %s: tensor<8x1xf32>) {
  // expected-error @+1 {{expects a `scale` for the quantized (i8) lhs}}
  %a = dsq.qmatmul %x, %w scale %s {bits = 8 : i64}
      : (tensor<5x64xi8>, tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<5x8xf32>
  return
}

// -----

func.func @float_lhs_scale(%x: tensor<5x64xf32>, %xs: tensor<5x1xf32>, %w: tensor<8x64xi8>, %s: tensor<8x1xf32>) {
  // expected-error @+1 {{expects no lhs `scale` with an f32 lhs}}
  %a = dsq.qmatmul %x scale %xs, %w scale %s {bits = 8 : i64}
      : (tensor<5x64xf32>, tensor<5x1xf32>, tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<5x8xf32>
  return
}

// -----

func.func @reduction_mismatch(%x: tensor<5x64xi8>, %xs: tensor<5x1xf32>, %w: tensor<8x64xi8>, %s: tensor<8x2xf32>) {
  // expected-error @+1 {{expects the lhs's last size (64) to be the weights' reduction size 128 (two 4-bit values per byte)}}
  %a = dsq.qmatmul %x scale %xs, %w scale %s {bits = 4 : i64}
      : (tensor<5x64xi8>, tensor<5x1xf32>, tensor<8x64xi8>, tensor<8x2xf32>) -> tensor<5x8xf32>
  return
}

// -----

func.func @grouped_lhs_scale(%x: tensor<5x64xi8>, %xs: tensor<5x2xf32>, %w: tensor<8x64xi8>, %s: tensor<8x1xf32>) {
  // expected-error @+1 {{expects a per-tensor or per-row lhs scale, found 'tensor<5x2xf32>'}}
  %a = dsq.qmatmul %x scale %xs, %w scale %s {bits = 8 : i64}
      : (tensor<5x64xi8>, tensor<5x2xf32>, tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<5x8xf32>
  return
}

// -----

func.func @bias_shape(%x: tensor<5x64xi8>, %xs: tensor<5x1xf32>, %w: tensor<8x64xi8>, %s: tensor<8x1xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{expects a bias of shape [8], found 'tensor<5xf32>'}}
  %a = dsq.qmatmul %x scale %xs, %w scale %s bias %b {bits = 8 : i64}
      : (tensor<5x64xi8>, tensor<5x1xf32>, tensor<8x64xi8>, tensor<8x1xf32>, tensor<5xf32>) -> tensor<5x8xf32>
  return
}

// -----

func.func @result_shape(%x: tensor<5x64xi8>, %xs: tensor<5x1xf32>, %w: tensor<8x64xi8>, %s: tensor<8x1xf32>) {
  // expected-error @+1 {{expects a result of shape [5, 8], found [5, 64]}}
  %a = dsq.qmatmul %x scale %xs, %w scale %s {bits = 8 : i64}
      : (tensor<5x64xi8>, tensor<5x1xf32>, tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<5x64xf32>
  return
}

// -----

func.func @dot4_lanes(%acc: vector<16xi32>, %a: vector<32xi8>) -> vector<16xi32> {
  // expected-error @+1 {{expects 4 bytes per accumulator lane, found 'vector<32xi8>' for 'vector<16xi32>'}}
  %r = dsq.dot4 %acc, %a, %a : vector<16xi32>, vector<32xi8>, vector<32xi8>
  return %r : vector<16xi32>
}
