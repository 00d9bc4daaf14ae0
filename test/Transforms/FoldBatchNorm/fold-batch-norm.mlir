// RUN: ds-opt %s --ds-fold-batch-norm -split-input-file | FileCheck %s

// conv → batch_norm with constant parameters: one conv with the scale
// k = scale / sqrt(var + eps) folded into the weight of each output channel
// and (b - mean) * k + B as its bias. Channel 0: k = 2 / sqrt(3 + 1) = 1,
// bias (1 - 1) * 1 + 0.5 = 0.5; channel 1: k = 4 / sqrt(15 + 1) = 1,
// bias (0 - 2) * 1 + 0 = -2 (eps = 1).
// CHECK-LABEL: func @conv_bn
// CHECK-DAG: %[[W:.+]] = dsg.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00]]], {{\[\[\[}}3.000000e+00, 4.000000e+00]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[B:.+]] = dsg.constant dense<[5.000000e-01, -2.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.+]] = dsg.conv %arg0, %[[W]], %[[B]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
// CHECK-NOT: dsg.batch_norm
// CHECK: return %[[C]]
func.func @conv_bn(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = dsg.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %b = dsg.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %scale = dsg.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %shift = dsg.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = dsg.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = dsg.constant dense<[3.0, 15.0]> : tensor<2xf32>
  %c = dsg.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32>
  %y = dsg.batch_norm %c, %scale, %shift, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32>
  return %y : tensor<1x2x4x3xf32>
}

// -----

// Without a conv bias: b = 0, so the bias is -mean * k + B = -1 * 1 + 0.5.
// CHECK-LABEL: func @conv_no_bias_bn
// CHECK: %[[B:.+]] = dsg.constant dense<-5.000000e-01> : tensor<1xf32>
// CHECK: dsg.conv %arg0, %{{.+}}, %[[B]]
// CHECK-NOT: dsg.batch_norm
func.func @conv_no_bias_bn(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %w = dsg.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = dsg.constant dense<[1.0]> : tensor<1xf32>
  %shift = dsg.constant dense<[0.5]> : tensor<1xf32>
  %var = dsg.constant dense<[0.0]> : tensor<1xf32>
  %c = dsg.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %y = dsg.batch_norm %c, %p, %shift, %p, %var {epsilon = 1.0 : f32} : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

// Negative: the conv's result is used elsewhere too, so the batch norm
// stays.
// CHECK-LABEL: func @conv_used_twice
// CHECK: dsg.conv
// CHECK: dsg.batch_norm
func.func @conv_used_twice(%x: tensor<1x1x4x4xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  %w = dsg.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = dsg.constant dense<[1.0]> : tensor<1xf32>
  %c = dsg.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %y = dsg.batch_norm %c, %p, %p, %p, %p : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  return %c, %y : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}

// -----

// Negative: a parameter that is not a constant (a function argument).
// CHECK-LABEL: func @variable_mean
// CHECK: dsg.conv
// CHECK: dsg.batch_norm
func.func @variable_mean(%x: tensor<1x1x4x4xf32>, %mean: tensor<1xf32>) -> tensor<1x1x4x4xf32> {
  %w = dsg.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = dsg.constant dense<[1.0]> : tensor<1xf32>
  %c = dsg.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %y = dsg.batch_norm %c, %p, %p, %mean, %p : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}
