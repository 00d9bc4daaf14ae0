// RUN: ds-opt %s -split-input-file -verify-diagnostics

func.func @case0(%a: tensor<2xf32>, %b: tensor<2xf16>) {
  // expected-error @+1 {{expected operand element type 'f32' (the result's), found 'f16'}}
  %0 = dsg.add %a, %b : (tensor<2xf32>, tensor<2xf16>) -> tensor<2xf32>
  return
}

// -----

func.func @case1(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{operand shapes do not broadcast: [2, 3] [4]}}
  %0 = dsg.mul %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @case2(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{expected result shape [2, 3], found [3, 3]}}
  %0 = dsg.sub %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @case3(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{expected result of rank 2 (shape [2, 3]), found rank 1}}
  %0 = dsg.div %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @case4(%a: tensor<4xi32>) {
  // expected-error @+1 {{expected a floating-point element type, found 'i32'}}
  %0 = dsg.sqrt %a : tensor<4xi32>
  return
}

// -----

func.func @case5(%a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{expected the base and the result to have the same element type}}
  %0 = dsg.pow %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @case6(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{expected 'x', 'y' and the result to have the same element type}}
  %0 = dsg.where %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @case7(%a: tensor<2x3xf32>, %b: tensor<3x4xf16>) {
  // expected-error @+1 {{expected operands and result of one element type}}
  %0 = dsg.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @case8(%a: tensor<f32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{expected operands of rank at least 1}}
  %0 = dsg.matmul %a, %b : (tensor<f32>, tensor<3x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @case9(%a: tensor<2x3xf32>, %b: tensor<5x4xf32>) {
  // expected-error @+1 {{contraction sizes differ: lhs has 3, rhs has 5}}
  %0 = dsg.matmul %a, %b : (tensor<2x3xf32>, tensor<5x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @case10(%a: tensor<2x2x3xf32>, %b: tensor<3x3x4xf32>) {
  // expected-error @+1 {{batch dimensions do not broadcast: [2, 2, 3] and [3, 3, 4]}}
  %0 = dsg.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x4xf32>) -> tensor<3x2x4xf32>
  return
}

// -----

func.func @case11(%a: tensor<2x2x3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{expected rank-2 operands and result}}
  %0 = dsg.gemm %a, %b : (tensor<2x2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @case12(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{contraction sizes differ: A has 2, B has 3}}
  %0 = dsg.gemm %a, %b {trans_a = true} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @case13(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) {
  // expected-error @+1 {{expected C of shape [3] to broadcast to the result [2, 4]}}
  %0 = dsg.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @case14(%x: tensor<1x2x5x5xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+1 {{expected weight of rank 4, found 3}}
  %0 = dsg.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x5x5xf32>, tensor<4x2x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @case15(%x: tensor<1x2x5xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+1 {{expected group >= 1, found 0}}
  %0 = dsg.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>, group = 0 : i64} : (tensor<1x2x5xf32>, tensor<4x2x3xf32>) -> tensor<1x4x3xf32>
  return
}

// -----

func.func @case16(%x: tensor<1x4x5xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{expected input channels (4) = weight channels (3) * group (1)}}
  %0 = dsg.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : (tensor<1x4x5xf32>, tensor<4x3x3xf32>) -> tensor<1x4x3xf32>
  return
}

// -----

func.func @case17(%x: tensor<1x4x5xf32>, %w: tensor<3x2x3xf32>) {
  // expected-error @+1 {{expected output channels (3) divisible by group (2)}}
  %0 = dsg.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>, group = 2 : i64} : (tensor<1x4x5xf32>, tensor<3x2x3xf32>) -> tensor<1x3x3xf32>
  return
}

// -----

func.func @case18(%x: tensor<1x2x5xf32>, %w: tensor<4x2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{expected bias of shape [4], found [3]}}
  %0 = dsg.conv %x, %w, %b {strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : (tensor<1x2x5xf32>, tensor<4x2x3xf32>, tensor<3xf32>) -> tensor<1x4x3xf32>
  return
}

// -----

func.func @case19(%x: tensor<1x2x5xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+1 {{expected 2 values in 'pads', found 1}}
  %0 = dsg.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0>, dilations = array<i64: 1>} : (tensor<1x2x5xf32>, tensor<4x2x3xf32>) -> tensor<1x4x3xf32>
  return
}

// -----

func.func @case20(%x: tensor<1x2x5xf32>) {
  // expected-error @+1 {{expected every value in 'strides' to be at least 1, found 0}}
  %0 = dsg.max_pool %x {kernel_shape = array<i64: 2>, strides = array<i64: 0>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : tensor<1x2x5xf32> -> tensor<1x2x4xf32>
  return
}

// -----

func.func @case21(%x: tensor<1x2xf32>) {
  // expected-error @+1 {{expected an input of rank at least 3 ([N, C, spatial...]), found rank 2}}
  %0 = dsg.max_pool %x {kernel_shape = array<i64>, strides = array<i64>, pads = array<i64>, dilations = array<i64>} : tensor<1x2xf32> -> tensor<1x2xf32>
  return
}

// -----

func.func @case22(%x: tensor<1x2x5xf32>) {
  // expected-error @+1 {{window of size 7 does not fit the padded input along spatial dimension 0}}
  %0 = dsg.max_pool %x {kernel_shape = array<i64: 7>, strides = array<i64: 1>, pads = array<i64: 0, 1>, dilations = array<i64: 1>} : tensor<1x2x5xf32> -> tensor<1x2x1xf32>
  return
}

// -----

func.func @case23(%x: tensor<1x2x5xf32>) {
  // expected-error @+1 {{expected storage_order 0 or 1, found 2}}
  %0 = dsg.max_pool %x {kernel_shape = array<i64: 2>, strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>, storage_order = 2 : i64} : tensor<1x2x5xf32> -> tensor<1x2x4xf32>
  return
}

// -----

func.func @case24(%x: tensor<1x2x5xf32>) {
  // expected-error @+1 {{expected result shape [1, 2, 4], found [1, 2, 3]}}
  %0, %1 = dsg.max_pool %x {kernel_shape = array<i64: 2>, strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : tensor<1x2x5xf32> -> tensor<1x2x4xf32>, tensor<1x2x3xi64>
  return
}

// -----

func.func @case25(%x: tensor<1x2x5xi32>) {
  // expected-error @+1 {{expected a floating-point element type}}
  %0 = dsg.average_pool %x {kernel_shape = array<i64: 2>, strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : tensor<1x2x5xi32> -> tensor<1x2x4xi32>
  return
}

// -----

func.func @case26(%x: tensor<4xf32>) {
  // expected-error @+1 {{expected the result element type to match the input's}}
  %0 = dsg.reduce_sum %x {axes = array<i64: 0>} : tensor<4xf32> -> tensor<1xf16>
  return
}

// -----

func.func @case27(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{expected axis in [0, 2), found 2}}
  %0 = dsg.reduce_max %x {axes = array<i64: 2>} : tensor<4x4xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @case28(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{expected sorted, unique axes}}
  %0 = dsg.reduce_min %x {axes = array<i64: 1, 0>} : tensor<4x4xf32> -> tensor<1x1xf32>
  return
}

// -----

func.func @case29(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{expected result shape [4], found [1]}}
  %0 = dsg.reduce_mean %x {axes = array<i64: 0>, keepdims = false} : tensor<3x4xf32> -> tensor<1xf32>
  return
}

// -----

func.func @case29_prod(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{expected sorted, unique axes}}
  %0 = dsg.reduce_prod %x {axes = array<i64: 1, 1>} : tensor<3x4xf32> -> tensor<3x1xf32>
  return
}

// -----

func.func @case29_argmax_axis(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{expected axis in [0, 2), found 2}}
  %0 = dsg.arg_max %x {axis = 2 : i64} : tensor<3x4xf32> -> tensor<3x4xi64>
  return
}

// -----

func.func @case29_argmin_shape(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{expected result of rank 1 (shape [3]), found rank 2}}
  %0 = dsg.arg_min %x {axis = 1 : i64, keepdims = false} : tensor<3x4xf32> -> tensor<3x1xi64>
  return
}

// -----

func.func @case29_argmax_type(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{must be tensor of 64-bit signless integer values}}
  %0 = dsg.arg_max %x {axis = 1 : i64} : tensor<3x4xf32> -> tensor<3x1xi32>
  return
}

// -----

func.func @case30(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{expected axis in [0, 2), found 5}}
  %0 = dsg.softmax %x {axis = 5 : i64} : tensor<4x4xf32>
  return
}

// -----

func.func @case31(%x: tensor<4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{expected an input of rank at least 2 ([N, C, ...])}}
  %0 = dsg.batch_norm %x, %s, %s, %s, %s : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @case32(%x: tensor<2x3xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{expected per-channel operands of shape [3], found [4]}}
  %0 = dsg.batch_norm %x, %s, %s, %s, %s : (tensor<2x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @case33(%x: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expected the result type to match the input's}}
  %0 = dsg.batch_norm %x, %s, %s, %s, %s : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf16>
  return
}

// -----

func.func @case34(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expected scale and bias to broadcast to the normalized shape [3, 4]}}
  %0, %1, %2 = dsg.layer_norm %x, %s {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  return
}

// -----

func.func @case35(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{expected mean shape [2, 1, 1], found [2, 3, 1]}}
  %0, %1, %2 = dsg.layer_norm %x, %s {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x1xf32>, tensor<2x1x1xf32>)
  return
}

// -----

func.func @case36(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{expected mean of rank 3 (shape [2, 1, 1]), found rank 2}}
  %0, %1, %2 = dsg.layer_norm %x, %s {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1xf32>, tensor<2x1x1xf32>)
  return
}

// -----

func.func @case37(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{expected inv_std_dev shape [2, 1, 1], found [3, 1, 1]}}
  %0, %1, %2 = dsg.layer_norm %x, %s {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<3x1x1xf32>)
  return
}

// -----

func.func @case38(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{expected 24 elements in the result (as in the input), found 20}}
  %0 = dsg.reshape %x : (tensor<2x3x4xf32>) -> tensor<5x4xf32>
  return
}

// -----

func.func @case39(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{expected a static result type when no shape operand is given}}
  %0 = dsg.reshape %x : (tensor<2x3x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @case40(%x: tensor<2x3x4xf32>, %s: tensor<3xi64>) {
  // expected-error @+1 {{expected a 1-D shape operand of 2 elements, found [3]}}
  %0 = dsg.reshape %x, %s : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<?x4xf32>
  return
}

// -----

func.func @case41(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{expected the result element type to match the input's}}
  %0 = dsg.reshape %x : (tensor<2x3xf32>) -> tensor<6xf16>
  return
}

// -----

func.func @case42(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{expected a permutation of 3 dimensions, found 2}}
  %0 = dsg.transpose %x {permutation = array<i64: 1, 0>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return
}

// -----

func.func @case43(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{expected a permutation of [0, rank)}}
  %0 = dsg.transpose %x {permutation = array<i64: 0, 0, 1>} : tensor<2x3x4xf32> -> tensor<2x2x3xf32>
  return
}

// -----

func.func @case44(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{expected result shape [4, 2, 3], found [2, 3, 4]}}
  %0 = dsg.transpose %x {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @case45() {
  // expected-error @+1 {{expected at least one input}}
  %0 = dsg.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return
}

// -----

func.func @case46(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{expected inputs of rank 2 and element type 'f32', found 'tensor<2xf32>'}}
  %0 = dsg.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @case47(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{expected inputs to agree with the result outside the axis}}
  %0 = dsg.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @case48(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{expected the result to have size 4 along the axis, found 5}}
  %0 = dsg.concat %a, %a {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @case49(%x: tensor<3x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{expected axis in [0, 2), found 2}}
  %0 = dsg.gather %x, %i {axis = 2 : i64} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case50(%x: tensor<3x4x5xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{expected result shape [3, 2, 5], found [3, 4, 5]}}
  %0 = dsg.gather %x, %i {axis = 1 : i64} : (tensor<3x4x5xf32>, tensor<2xi64>) -> tensor<3x4x5xf32>
  return
}

// -----

func.func @case51(%x: tensor<3xf32>, %i: tensor<2xi32>) {
  // expected-error @+1 {{expected the result element type to match the data's}}
  %0 = dsg.gather %x, %i {axis = 0 : i64} : (tensor<3xf32>, tensor<2xi32>) -> tensor<2xf16>
  return
}

// -----

func.func @new_case0(%a: tensor<4xi32>) {
  // expected-error @+1 {{expected a floating-point element type, found 'i32'}}
  %0 = dsg.floor %a : tensor<4xi32>
  return
}

// -----

func.func @new_case1(%a: tensor<4xi1>) {
  // expected-error @+1 {{expected a floating-point or integer element type, found 'i1'}}
  %0 = dsg.neg %a : tensor<4xi1>
  return
}

// -----

func.func @new_case2(%a: tensor<4xi32>) {
  // expected-error @+1 {{expected a floating-point element type, found 'i32'}}
  %0 = dsg.elu %a {alpha = 1.0 : f32} : tensor<4xi32>
  return
}

// -----

func.func @new_case3(%a: tensor<4xf32>) {
  // expected-error @+1 {{requires attribute 'alpha'}}
  %0 = dsg.leaky_relu %a : tensor<4xf32>
  return
}

// -----

func.func @new_case4(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{expected 'fmod' for a floating-point element type}}
  %0 = dsg.mod %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @new_case5(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{expected operands of one element type, found 'f32' and 'f16'}}
  %0 = dsg.less %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xi1>
  return
}

// -----

func.func @new_case6(%a: tensor<4xf32>) {
  // expected-error @+1 {{result #0 must be tensor of 1-bit signless integer values}}
  %0 = dsg.equal %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @new_case7(%a: tensor<2x3xi32>, %b: tensor<2xi32>) {
  // expected-error @+1 {{operand shapes do not broadcast: [2, 3] [2]}}
  %0 = dsg.greater %a, %b : (tensor<2x3xi32>, tensor<2xi32>) -> tensor<2x3xi1>
  return
}

// -----

func.func @new_case8(%a: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be tensor of 1-bit signless integer values}}
  %0 = dsg.and %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

func.func @new_case9(%a: tensor<4xi1>) {
  // expected-error @+1 {{expected result shape [4], found [2]}}
  %0 = dsg.xor %a, %a : (tensor<4xi1>, tensor<4xi1>) -> tensor<2xi1>
  return
}

// -----

func.func @new_case10(%a: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be tensor of integer values}}
  %0 = dsg.shift_left %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @new_case11(%a: tensor<4xui8>, %b: tensor<4xui16>) {
  // expected-error @+1 {{expected operand element type 'ui8' (the result's), found 'ui16'}}
  %0 = dsg.shift_right %a, %b : (tensor<4xui8>, tensor<4xui16>) -> tensor<4xui8>
  return
}

// -----

func.func @new_case12(%a: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be tensor of floating-point values}}
  %0 = dsg.is_nan %a : tensor<4xi32> -> tensor<4xi1>
  return
}

// -----

func.func @new_case13(%a: tensor<4xf32>) {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = dsg.is_inf %a : tensor<4xf32> -> tensor<2xi1>
  return
}
