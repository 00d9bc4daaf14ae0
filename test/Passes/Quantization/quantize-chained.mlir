// RUN: ds-opt %s --split-input-file --ds-quantize="weights=int8 activations=dynamic-per-token" | FileCheck %s

// A layer that reads the previous layer's result directly (MobileNetV2's
// linear bottleneck feeding the next block's convolution, two Linear layers
// in a row) quantizes the replacement's result.

// CHECK-LABEL: func @convs
// CHECK: %[[A:.*]] = dsq.qconv
// CHECK: dsq.dynamic_quantize %[[A]]
// CHECK: %[[B:.*]] = dsq.qconv
// CHECK: return %[[B]]
func.func @convs(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  %w1 = dsg.constant dense<0.5> : tensor<8x4x1x1xf32>
  %a = dsg.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x4x5x5xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x5x5xf32>
  %w2 = dsg.constant dense<0.25> : tensor<4x8x1x1xf32>
  %b = dsg.conv %a, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x8x5x5xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x5x5xf32>
  return %b : tensor<1x4x5x5xf32>
}

// -----

// CHECK-LABEL: func @matmuls
// CHECK: %[[A:.*]] = dsq.qmatmul
// CHECK: dsq.dynamic_quantize %[[A]]
// CHECK: %[[B:.*]] = dsq.qmatmul
// CHECK: return %[[B]]
func.func @matmuls(%x: tensor<3x16xf32>) -> tensor<3x8xf32> {
  %w1 = dsg.constant dense<0.5> : tensor<16x32xf32>
  %b1 = dsg.constant dense<1.0> : tensor<32xf32>
  %a = dsg.matmul %x, %w1 : (tensor<3x16xf32>, tensor<16x32xf32>) -> tensor<3x32xf32>
  %c = dsg.add %a, %b1 : (tensor<3x32xf32>, tensor<32xf32>) -> tensor<3x32xf32>
  %w2 = dsg.constant dense<0.25> : tensor<32x8xf32>
  %b = dsg.matmul %c, %w2 : (tensor<3x32xf32>, tensor<32x8xf32>) -> tensor<3x8xf32>
  return %b : tensor<3x8xf32>
}
