// RUN: ds-opt %s | ds-opt | FileCheck %s

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x3xi1>, %i: tensor<3xi32>) -> tensor<2x3xf32> {
  // CHECK: dsg.constant dense<1.000000e+00> : tensor<3xf32>
  %k = dsg.constant dense<1.0> : tensor<3xf32>
  // CHECK: dsg.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = dsg.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: dsg.sub
  %1 = dsg.sub %0, %k : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: dsg.mul
  %2 = dsg.mul %1, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: dsg.div
  %3 = dsg.div %2, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: dsg.pow %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xi32>) -> tensor<2x3xf32>
  %4 = dsg.pow %3, %i : (tensor<2x3xf32>, tensor<3xi32>) -> tensor<2x3xf32>
  // CHECK: dsg.sqrt %{{.*}} : tensor<2x3xf32>
  %5 = dsg.sqrt %4 : tensor<2x3xf32>
  // CHECK: dsg.relu
  %6 = dsg.relu %5 : tensor<2x3xf32>
  // CHECK: dsg.sigmoid
  %7 = dsg.sigmoid %6 : tensor<2x3xf32>
  // CHECK: dsg.tanh
  %8 = dsg.tanh %7 : tensor<2x3xf32>
  // CHECK: dsg.erf
  %9 = dsg.erf %8 : tensor<2x3xf32>
  // CHECK: dsg.exp
  %10 = dsg.exp %9 : tensor<2x3xf32>
  // CHECK: dsg.cast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xui8>
  %11 = dsg.cast %10 : tensor<2x3xf32> -> tensor<2x3xui8>
  // CHECK: dsg.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %12 = dsg.where %c, %10, %b : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %12 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @linear_algebra
func.func @linear_algebra(%a: tensor<2x4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<16xf32>, %x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %bias: tensor<6xf32>)
    -> (tensor<2x4x16xf32>, tensor<16x16xf32>, tensor<1x6x8x8xf32>) {
  // CHECK: dsg.matmul %{{.*}}, %{{.*}} : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  %0 = dsg.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  // CHECK: dsg.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, trans_a = true}
  %1 = dsg.gemm %b, %b, %c {alpha = 0.5 : f32, trans_a = true} : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<16x16xf32>
  // CHECK: dsg.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
  %2 = dsg.conv %x, %w, %bias {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x8x8xf32>
  return %0, %1, %2 : tensor<2x4x16xf32>, tensor<16x16xf32>, tensor<1x6x8x8xf32>
}

// CHECK-LABEL: func.func @pooling_and_reductions
func.func @pooling_and_reductions(%x: tensor<1x3x5x5xf32>) -> (tensor<1x3x3x3xf32>, tensor<1x3x3x3xi64>, tensor<1x3x2x2xf32>, tensor<3xf32>) {
  // CHECK: dsg.max_pool %{{.*}} {ceil_mode = true, {{.*}}} : tensor<1x3x5x5xf32> -> tensor<1x3x3x3xf32>, tensor<1x3x3x3xi64>
  %0, %1 = dsg.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : tensor<1x3x5x5xf32> -> tensor<1x3x3x3xf32>, tensor<1x3x3x3xi64>
  // CHECK: dsg.average_pool %{{.*}} {count_include_pad = true, {{.*}}} : tensor<1x3x5x5xf32> -> tensor<1x3x2x2xf32>
  %2 = dsg.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, count_include_pad = true} : tensor<1x3x5x5xf32> -> tensor<1x3x2x2xf32>
  // CHECK: dsg.reduce_sum %{{.*}} {axes = array<i64: 0, 2, 3>, keepdims = false}
  %3 = dsg.reduce_sum %x {axes = array<i64: 0, 2, 3>, keepdims = false} : tensor<1x3x5x5xf32> -> tensor<3xf32>
  // CHECK: dsg.reduce_mean
  %4 = dsg.reduce_mean %3 {axes = array<i64: 0>} : tensor<3xf32> -> tensor<1xf32>
  // CHECK: dsg.reduce_max
  %5 = dsg.reduce_max %3 {axes = array<i64>} : tensor<3xf32> -> tensor<3xf32>
  // CHECK: dsg.reduce_min
  %6 = dsg.reduce_min %5 {axes = array<i64>} : tensor<3xf32> -> tensor<3xf32>
  return %0, %1, %2, %6 : tensor<1x3x3x3xf32>, tensor<1x3x3x3xi64>, tensor<1x3x2x2xf32>, tensor<3xf32>
}

// CHECK-LABEL: func.func @normalization
func.func @normalization(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>, %t: tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x1x1xf32>) {
  // CHECK: dsg.softmax %{{.*}} {axis = 2 : i64} : tensor<2x3x4xf32>
  %0 = dsg.softmax %x {axis = 2 : i64} : tensor<2x3x4xf32>
  // CHECK: dsg.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32}
  %1 = dsg.batch_norm %x, %s, %s, %s, %s {epsilon = 1.0e-3 : f32} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  // CHECK: dsg.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64}
  %2, %3, %4 = dsg.layer_norm %x, %t, %t {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  return %0, %1, %2, %4 : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x1x1xf32>
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<2x3x4xf32>, %s: tensor<2xi64>, %i: tensor<5xi64>) -> (tensor<?x4xf32>, tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<4x3x4xf32>, tensor<2x5x4xf32>) {
  // CHECK: dsg.reshape %{{.*}}, %{{.*}} {allow_zero = true} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x4xf32>
  %0 = dsg.reshape %x, %s {allow_zero = true} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x4xf32>
  // CHECK: dsg.reshape %{{.*}} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %1 = dsg.reshape %x : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  // CHECK: dsg.transpose %{{.*}} {permutation = array<i64: 2, 0, 1>}
  %2 = dsg.transpose %x {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  // CHECK: dsg.concat %{{.*}}, %{{.*}} {axis = 0 : i64}
  %3 = dsg.concat %x, %x {axis = 0 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<4x3x4xf32>
  // CHECK: dsg.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<2x5x4xf32>
  %4 = dsg.gather %x, %i {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<2x5x4xf32>
  return %0, %1, %2, %3, %4 : tensor<?x4xf32>, tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<4x3x4xf32>, tensor<2x5x4xf32>
}
