// RUN: ds-opt %s | FileCheck %s
// RUN: ds-opt %s --mlir-print-op-generic | ds-opt | FileCheck %s

// CHECK-LABEL: func @weights
func.func @weights() -> (tensor<2x8xi8>, tensor<2x1xf32>, tensor<2x32xi8>, tensor<2x2xf32>) {
  // CHECK: dsq.weight {bits = 8 : i64, group_size = 8 : i64
  // CHECK-SAME: : tensor<2x8xi8>, tensor<2x1xf32>
  %w8, %s8 = dsq.weight {bits = 8 : i64, group_size = 8 : i64,
      values = dense<1> : tensor<2x8xi8>, scales = dense<0.5> : tensor<2x1xf32>}
      : tensor<2x8xi8>, tensor<2x1xf32>
  // 64 four-bit values per row, packed into 32 bytes, in two groups of 32.
  // CHECK: dsq.weight {bits = 4 : i64, group_size = 32 : i64
  // CHECK-SAME: : tensor<2x32xi8>, tensor<2x2xf32>
  %w4, %s4 = dsq.weight {bits = 4 : i64, group_size = 32 : i64,
      values = dense<17> : tensor<2x32xi8>, scales = dense<0.25> : tensor<2x2xf32>}
      : tensor<2x32xi8>, tensor<2x2xf32>
  return %w8, %s8, %w4, %s4 : tensor<2x8xi8>, tensor<2x1xf32>, tensor<2x32xi8>, tensor<2x2xf32>
}

// CHECK-LABEL: func @dynamic_quantize
func.func @dynamic_quantize(%x: tensor<3x?x16xf32>) -> (tensor<3x?x16xi8>, tensor<3x?x1xf32>, tensor<3x?x16xi8>, tensor<f32>) {
  // CHECK: dsq.dynamic_quantize %{{.*}} {bits = 8 : i64, granularity = 1 : i32} : tensor<3x?x16xf32> -> tensor<3x?x16xi8>, tensor<3x?x1xf32>
  %q, %s = dsq.dynamic_quantize %x {bits = 8 : i64, granularity = 1 : i32}
      : tensor<3x?x16xf32> -> tensor<3x?x16xi8>, tensor<3x?x1xf32>
  // CHECK: dsq.dynamic_quantize %{{.*}} {bits = 4 : i64, granularity = 0 : i32} : tensor<3x?x16xf32> -> tensor<3x?x16xi8>, tensor<f32>
  %q4, %t = dsq.dynamic_quantize %x {bits = 4 : i64, granularity = 0 : i32}
      : tensor<3x?x16xf32> -> tensor<3x?x16xi8>, tensor<f32>
  return %q, %s, %q4, %t : tensor<3x?x16xi8>, tensor<3x?x1xf32>, tensor<3x?x16xi8>, tensor<f32>
}

// CHECK-LABEL: func @dequantize
func.func @dequantize(%w: tensor<4x16xi8>, %s: tensor<4x1xf32>, %p: tensor<4x16xi8>, %g: tensor<4x1xf32>, %t: tensor<f32>) -> (tensor<4x16xf32>, tensor<4x32xf32>, tensor<4x16xf32>) {
  // CHECK: dsq.dequantize %{{.*}}, %{{.*}} {bits = 8 : i64} : tensor<4x16xi8>, tensor<4x1xf32> -> tensor<4x16xf32>
  %a = dsq.dequantize %w, %s {bits = 8 : i64} : tensor<4x16xi8>, tensor<4x1xf32> -> tensor<4x16xf32>
  // CHECK: dsq.dequantize %{{.*}}, %{{.*}} {bits = 4 : i64, packed} : tensor<4x16xi8>, tensor<4x1xf32> -> tensor<4x32xf32>
  %b = dsq.dequantize %p, %g {bits = 4 : i64, packed} : tensor<4x16xi8>, tensor<4x1xf32> -> tensor<4x32xf32>
  // CHECK: dsq.dequantize %{{.*}}, %{{.*}} {bits = 8 : i64} : tensor<4x16xi8>, tensor<f32> -> tensor<4x16xf32>
  %c = dsq.dequantize %w, %t {bits = 8 : i64} : tensor<4x16xi8>, tensor<f32> -> tensor<4x16xf32>
  return %a, %b, %c : tensor<4x16xf32>, tensor<4x32xf32>, tensor<4x16xf32>
}

// CHECK-LABEL: func @qmatmul
func.func @qmatmul(%x: tensor<2x5x64xi8>, %xs: tensor<2x5x1xf32>, %t: tensor<f32>,
                   %f: tensor<5x64xf32>,
                   %w8: tensor<8x64xi8>, %s8: tensor<8x1xf32>,
                   %w4: tensor<8x32xi8>, %s4: tensor<8x2xf32>, %b: tensor<8xf32>)
    -> (tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<5x8xf32>) {
  // CHECK: dsq.qmatmul %{{.*}} scale %{{.*}}, %{{.*}} scale %{{.*}} bias %{{.*}} {bits = 8 : i64}
  // CHECK-SAME: : (tensor<2x5x64xi8>, tensor<2x5x1xf32>, tensor<8x64xi8>, tensor<8x1xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  %a = dsq.qmatmul %x scale %xs, %w8 scale %s8 bias %b {bits = 8 : i64}
      : (tensor<2x5x64xi8>, tensor<2x5x1xf32>, tensor<8x64xi8>, tensor<8x1xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  // CHECK: dsq.qmatmul %{{.*}} scale %{{.*}}, %{{.*}} scale %{{.*}} {bits = 4 : i64}
  // CHECK-SAME: : (tensor<2x5x64xi8>, tensor<f32>, tensor<8x32xi8>, tensor<8x2xf32>) -> tensor<2x5x8xf32>
  %c = dsq.qmatmul %x scale %t, %w4 scale %s4 {bits = 4 : i64}
      : (tensor<2x5x64xi8>, tensor<f32>, tensor<8x32xi8>, tensor<8x2xf32>) -> tensor<2x5x8xf32>
  // Weight-only: float activations, 4-bit weights.
  // CHECK: dsq.qmatmul %{{.*}}, %{{.*}} scale %{{.*}} bias %{{.*}} {bits = 4 : i64}
  // CHECK-SAME: : (tensor<5x64xf32>, tensor<8x32xi8>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<5x8xf32>
  %d = dsq.qmatmul %f, %w4 scale %s4 bias %b {bits = 4 : i64}
      : (tensor<5x64xf32>, tensor<8x32xi8>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<5x8xf32>
  return %a, %c, %d : tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<5x8xf32>
}

// CHECK-LABEL: func @dot4
func.func @dot4(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  // CHECK: dsq.dot4 %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi32>, vector<64xi8>, vector<64xi8>
  %r = dsq.dot4 %acc, %a, %b : vector<16xi32>, vector<64xi8>, vector<64xi8>
  return %r : vector<16xi32>
}

// CHECK-LABEL: func @qconv
func.func @qconv(%x: tensor<?x4x9x9xi8>, %xs: tensor<f32>, %w: tensor<8x36xi8>, %ws: tensor<8x1xf32>, %b: tensor<8xf32>,
                 %f: tensor<2x4x9x9xf32>, %w4: tensor<8x32xi8>, %ws4: tensor<8x2xf32>, %wg: tensor<8x18xi8>, %wgs: tensor<8x1xf32>)
    -> (tensor<?x8x4x4xf32>, tensor<2x8x6x6xf32>, tensor<2x8x9x9xf32>) {
  // int8 activations and weights, stride 2 with asymmetric padding.
  // CHECK: dsq.qconv %{{.*}} scale %{{.*}}, %{{.*}} scale %{{.*}} bias %{{.*}} {bits = 8 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 2, 2>}
  // CHECK-SAME: (tensor<?x4x9x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>, tensor<8xf32>) -> tensor<?x8x4x4xf32>
  %a = dsq.qconv %x scale %xs, %w scale %ws bias %b {bits = 8 : i64,
      kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
      pads = array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 1>}
      : (tensor<?x4x9x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>, tensor<8xf32>) -> tensor<?x8x4x4xf32>
  // Weight-only with 4-bit weights: a dilated 4x4 kernel over 4 channels
  // reduces over K = 64 values (32 bytes), in two groups of 32.
  // CHECK: dsq.qconv %{{.*}}, %{{.*}} scale %{{.*}} {bits = 4 : i64
  // CHECK-SAME: (tensor<2x4x9x9xf32>, tensor<8x32xi8>, tensor<8x2xf32>) -> tensor<2x8x6x6xf32>
  %c = dsq.qconv %f, %w4 scale %ws4 {bits = 4 : i64,
      kernel_shape = array<i64: 4, 4>, strides = array<i64: 1, 1>,
      pads = array<i64: 2, 2, 1, 1>, dilations = array<i64: 2, 2>}
      : (tensor<2x4x9x9xf32>, tensor<8x32xi8>, tensor<8x2xf32>) -> tensor<2x8x6x6xf32>
  // Two groups: each output channel reduces over 2 of the 4 channels.
  // CHECK: dsq.qconv {{.*}}group = 2 : i64
  %g = dsq.qconv %f, %wg scale %wgs {bits = 8 : i64, group = 2 : i64,
      kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
      pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<2x4x9x9xf32>, tensor<8x18xi8>, tensor<8x1xf32>) -> tensor<2x8x9x9xf32>
  return %a, %c, %g : tensor<?x8x4x4xf32>, tensor<2x8x6x6xf32>, tensor<2x8x9x9xf32>
}
