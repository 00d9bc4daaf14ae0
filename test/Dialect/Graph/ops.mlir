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

// Unary math: one op per function, all with the operand's type.
// CHECK-LABEL: func.func @unary_math
func.func @unary_math(%x: tensor<2x3xf32>, %i: tensor<4xi8>, %u: tensor<4xui8>) -> (tensor<2x3xf32>, tensor<4xi8>, tensor<4xui8>) {
  // CHECK: dsg.neg %{{.*}} : tensor<2x3xf32>
  %u0 = dsg.neg %x : tensor<2x3xf32>
  // CHECK: dsg.abs %{{.*}} : tensor<2x3xf32>
  %u1 = dsg.abs %u0 : tensor<2x3xf32>
  // CHECK: dsg.sign %{{.*}} : tensor<2x3xf32>
  %u2 = dsg.sign %u1 : tensor<2x3xf32>
  // CHECK: dsg.reciprocal %{{.*}} : tensor<2x3xf32>
  %u3 = dsg.reciprocal %u2 : tensor<2x3xf32>
  // CHECK: dsg.floor %{{.*}} : tensor<2x3xf32>
  %u4 = dsg.floor %u3 : tensor<2x3xf32>
  // CHECK: dsg.ceil %{{.*}} : tensor<2x3xf32>
  %u5 = dsg.ceil %u4 : tensor<2x3xf32>
  // CHECK: dsg.round %{{.*}} : tensor<2x3xf32>
  %u6 = dsg.round %u5 : tensor<2x3xf32>
  // CHECK: dsg.log %{{.*}} : tensor<2x3xf32>
  %u7 = dsg.log %u6 : tensor<2x3xf32>
  // CHECK: dsg.sin %{{.*}} : tensor<2x3xf32>
  %u8 = dsg.sin %u7 : tensor<2x3xf32>
  // CHECK: dsg.cos %{{.*}} : tensor<2x3xf32>
  %u9 = dsg.cos %u8 : tensor<2x3xf32>
  // CHECK: dsg.tan %{{.*}} : tensor<2x3xf32>
  %u10 = dsg.tan %u9 : tensor<2x3xf32>
  // CHECK: dsg.asin %{{.*}} : tensor<2x3xf32>
  %u11 = dsg.asin %u10 : tensor<2x3xf32>
  // CHECK: dsg.acos %{{.*}} : tensor<2x3xf32>
  %u12 = dsg.acos %u11 : tensor<2x3xf32>
  // CHECK: dsg.atan %{{.*}} : tensor<2x3xf32>
  %u13 = dsg.atan %u12 : tensor<2x3xf32>
  // CHECK: dsg.sinh %{{.*}} : tensor<2x3xf32>
  %u14 = dsg.sinh %u13 : tensor<2x3xf32>
  // CHECK: dsg.cosh %{{.*}} : tensor<2x3xf32>
  %u15 = dsg.cosh %u14 : tensor<2x3xf32>
  // CHECK: dsg.asinh %{{.*}} : tensor<2x3xf32>
  %u16 = dsg.asinh %u15 : tensor<2x3xf32>
  // CHECK: dsg.acosh %{{.*}} : tensor<2x3xf32>
  %u17 = dsg.acosh %u16 : tensor<2x3xf32>
  // CHECK: dsg.atanh %{{.*}} : tensor<2x3xf32>
  %u18 = dsg.atanh %u17 : tensor<2x3xf32>
  // CHECK: dsg.softplus %{{.*}} : tensor<2x3xf32>
  %u19 = dsg.softplus %u18 : tensor<2x3xf32>
  // CHECK: dsg.softsign %{{.*}} : tensor<2x3xf32>
  %u20 = dsg.softsign %u19 : tensor<2x3xf32>
  // CHECK: dsg.hard_swish %{{.*}} : tensor<2x3xf32>
  %u21 = dsg.hard_swish %u20 : tensor<2x3xf32>
  // CHECK: dsg.neg %{{.*}} : tensor<4xi8>
  %n = dsg.neg %i : tensor<4xi8>
  // CHECK: dsg.abs %{{.*}} : tensor<4xi8>
  %a = dsg.abs %n : tensor<4xi8>
  // CHECK: dsg.sign %{{.*}} : tensor<4xui8>
  %s = dsg.sign %u : tensor<4xui8>
  return %u21, %a, %s : tensor<2x3xf32>, tensor<4xi8>, tensor<4xui8>
}

// Parameterized activations keep their parameters as f32 attributes.
// CHECK-LABEL: func.func @activations
func.func @activations(%x: tensor<2x3xf16>) -> tensor<2x3xf16> {
  // CHECK: dsg.elu %{{.*}} {alpha = 1.000000e+00 : f32} : tensor<2x3xf16>
  %0 = dsg.elu %x {alpha = 1.0 : f32} : tensor<2x3xf16>
  // CHECK: dsg.selu %{{.*}} {alpha = 1.500000e+00 : f32, gamma = 2.000000e+00 : f32}
  %1 = dsg.selu %0 {alpha = 1.5 : f32, gamma = 2.0 : f32} : tensor<2x3xf16>
  // CHECK: dsg.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32}
  %2 = dsg.leaky_relu %1 {alpha = 0.1 : f32} : tensor<2x3xf16>
  // CHECK: dsg.hard_sigmoid %{{.*}} {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32}
  %3 = dsg.hard_sigmoid %2 {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<2x3xf16>
  // CHECK: dsg.thresholded_relu %{{.*}} {alpha = 1.000000e+00 : f32}
  %4 = dsg.thresholded_relu %3 {alpha = 1.0 : f32} : tensor<2x3xf16>
  return %4 : tensor<2x3xf16>
}

// Binary ops with broadcasting: max/min/mod/shifts keep the operand type,
// comparisons and logical ops produce i1.
// CHECK-LABEL: func.func @binary_ops
func.func @binary_ops(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %i: tensor<2x1xi32>, %j: tensor<3xi32>, %u: tensor<3xui16>, %p: tensor<2x3xi1>, %q: tensor<3xi1>)
    -> (tensor<2x3xf32>, tensor<2x3xi32>, tensor<3xui16>, tensor<2x3xi1>, tensor<3xi1>, tensor<2x3xi1>) {
  // CHECK: dsg.max %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = dsg.max %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: dsg.min
  %1 = dsg.min %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: dsg.mod %{{.*}}, %{{.*}} {fmod = true} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = dsg.mod %1, %b {fmod = true} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: dsg.mod %{{.*}}, %{{.*}} : (tensor<2x1xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %3 = dsg.mod %i, %j : (tensor<2x1xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  // CHECK: dsg.shift_left %{{.*}}, %{{.*}} : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xui16>
  %4 = dsg.shift_left %u, %u : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xui16>
  // CHECK: dsg.shift_right
  %5 = dsg.shift_right %4, %u : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xui16>
  // CHECK: dsg.equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %6 = dsg.equal %2, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: dsg.less
  %7 = dsg.less %u, %5 : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xi1>
  // CHECK: dsg.less_equal
  %8 = dsg.less_equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: dsg.greater
  %9 = dsg.greater %i, %j : (tensor<2x1xi32>, tensor<3xi32>) -> tensor<2x3xi1>
  // CHECK: dsg.greater_equal
  %10 = dsg.greater_equal %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  // CHECK: dsg.and %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %11 = dsg.and %6, %q : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  // CHECK: dsg.or
  %12 = dsg.or %11, %8 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: dsg.xor
  %13 = dsg.xor %12, %9 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: dsg.not %{{.*}} : tensor<2x3xi1>
  %14 = dsg.not %13 : tensor<2x3xi1>
  // CHECK: dsg.is_nan %{{.*}} : tensor<2x3xf32> -> tensor<2x3xi1>
  %15 = dsg.is_nan %a : tensor<2x3xf32> -> tensor<2x3xi1>
  // CHECK: dsg.is_inf %{{.*}} {detect_negative = false} : tensor<2x3xf32> -> tensor<2x3xi1>
  %16 = dsg.is_inf %a {detect_negative = false} : tensor<2x3xf32> -> tensor<2x3xi1>
  %17 = dsg.or %15, %16 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %18 = dsg.and %17, %14 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  return %2, %3, %5, %10, %7, %18 : tensor<2x3xf32>, tensor<2x3xi32>, tensor<3xui16>, tensor<2x3xi1>, tensor<3xi1>, tensor<2x3xi1>
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

// CHECK-LABEL: func.func @prod_and_arg
func.func @prod_and_arg(%x: tensor<2x3xf32>, %i: tensor<2x3xi32>) -> (tensor<3xf32>, tensor<2x1xi64>, tensor<3xi64>) {
  // CHECK: dsg.reduce_prod %{{.*}} {axes = array<i64: 0>, keepdims = false} : tensor<2x3xf32> -> tensor<3xf32>
  %0 = dsg.reduce_prod %x {axes = array<i64: 0>, keepdims = false} : tensor<2x3xf32> -> tensor<3xf32>
  // CHECK: dsg.arg_max %{{.*}} {axis = 1 : i64, select_last_index = true} : tensor<2x3xf32> -> tensor<2x1xi64>
  %1 = dsg.arg_max %x {axis = 1 : i64, select_last_index = true} : tensor<2x3xf32> -> tensor<2x1xi64>
  // CHECK: dsg.arg_min %{{.*}} {axis = 0 : i64, keepdims = false} : tensor<2x3xi32> -> tensor<3xi64>
  %2 = dsg.arg_min %i {axis = 0 : i64, keepdims = false} : tensor<2x3xi32> -> tensor<3xi64>
  return %0, %1, %2 : tensor<3xf32>, tensor<2x1xi64>, tensor<3xi64>
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
