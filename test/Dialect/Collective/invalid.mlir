// RUN: ds-opt %s -split-input-file -verify-diagnostics

shard.grid @grid(shape = 2x4)
func.func @unknown_grid(%t: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{grid @nope is not a shard.grid in scope}}
  %0 = dsc.all_reduce %t on @nope : tensor<8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

shard.grid @grid(shape = 2x4)
func.func @axis_out_of_range(%t: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{grid axis 2 is out of range for grid @grid of rank 2}}
  %0 = dsc.all_reduce %t on @grid grid_axes = [2] : tensor<8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

shard.grid @grid(shape = 2x4)
func.func @axis_twice(%t: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{grid axis 1 appears twice}}
  %0 = dsc.all_reduce %t on @grid grid_axes = [1, 1] : tensor<8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

shard.grid @grid(shape = 2x4)
func.func @negative_axis(%t: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{grid axis -1 is negative}}
  %0 = dsc.all_reduce %t on @grid grid_axes = [-1] : tensor<8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

shard.grid @grid(shape = 2x4)
func.func @element_type(%t: tensor<8xf32>) -> tensor<8xf16> {
  // expected-error @+1 {{operand and result element types differ: 'f32' vs 'f16'}}
  %0 = dsc.all_reduce %t on @grid : tensor<8xf32> -> tensor<8xf16>
  return %0 : tensor<8xf16>
}

// -----

shard.grid @grid(shape = 2x4)
func.func @all_reduce_shape(%t: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{result dimension 0 should be 8 (operand 8, group size 4), found 4}}
  %0 = dsc.all_reduce %t on @grid grid_axes = [1] : tensor<8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

shard.grid @grid(shape = 2x4)
func.func @all_gather_shape(%t: tensor<8x2xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{result dimension 1 should be 8 (operand 2, group size 4), found 4}}
  %0 = dsc.all_gather %t on @grid grid_axes = [1] gather_axis = 1 : tensor<8x2xf32> -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

shard.grid @grid(shape = 2x4)
func.func @gather_axis_range(%t: tensor<8x2xf32>) -> tensor<8x2xf32> {
  // expected-error @+1 {{tensor axis 2 is out of range for rank 2}}
  %0 = dsc.all_gather %t on @grid grid_axes = [1] gather_axis = 2 : tensor<8x2xf32> -> tensor<8x2xf32>
  return %0 : tensor<8x2xf32>
}

// -----

shard.grid @grid(shape = 2x4)
func.func @rank(%t: tensor<8x2xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{operand and result ranks differ: 2 vs 1}}
  %0 = dsc.all_gather %t on @grid gather_axis = 0 : tensor<8x2xf32> -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

shard.grid @grid(shape = 2x4)
func.func @reduce_scatter_divisible(%t: tensor<6xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{dimension 0 (size 6) is not divisible by the group size 4}}
  %0 = dsc.reduce_scatter %t on @grid grid_axes = [1] scatter_axis = 0 : tensor<6xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

shard.grid @grid(shape = 2x4)
func.func @all_to_all_shape(%t: tensor<8x2xf32>) -> tensor<8x2xf32> {
  // expected-error @+1 {{result dimension 0 should be 2 (operand 8, group size 4), found 8}}
  %0 = dsc.all_to_all %t on @grid grid_axes = [1] split_axis = 0 concat_axis = 1 : tensor<8x2xf32> -> tensor<8x2xf32>
  return %0 : tensor<8x2xf32>
}

// -----

shard.grid @grid(shape = 2x4)
func.func @all_to_all_same_axis(%t: tensor<6xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{dimension 0 (size 6) is not divisible by the group size 4}}
  %0 = dsc.all_to_all %t on @grid grid_axes = [1] split_axis = 0 concat_axis = 0 : tensor<6xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

shard.grid @grid(shape = 2x4)
func.func @tensor_with_into(%t: tensor<8xf32>, %m: memref<8xf32>) {
  // expected-error @+1 {{takes an `into` buffer only in buffer form}}
  %0 = dsc.all_reduce %t into %m on @grid : tensor<8xf32>, memref<8xf32> -> tensor<8xf32>
  return
}

// -----

shard.grid @grid(shape = 2x4)
func.func @tensor_without_result(%t: tensor<8xf32>) {
  // expected-error @+1 {{in tensor form must have a result}}
  dsc.all_reduce %t on @grid : tensor<8xf32>
  return
}

// -----

shard.grid @grid(shape = 2x4)
func.func @buffer_with_result(%m: memref<8xf32>, %o: memref<8xf32>) {
  // expected-error @+1 {{in buffer form has no result}}
  %0 = dsc.all_reduce %m into %o on @grid : memref<8xf32>, memref<8xf32> -> tensor<8xf32>
  return
}

// -----

shard.grid @grid(shape = 2x4)
func.func @buffer_without_into(%m: memref<8xf32>) {
  // expected-error @+1 {{in buffer form needs an `into` buffer}}
  dsc.all_reduce %m on @grid : memref<8xf32>
  return
}

// -----

func.func @recv_both(%m: memref<8xf32>) {
  // expected-error @+1 {{has either a result (tensor form) or an `into` buffer (buffer form), not both}}
  %0 = dsc.recv from 0 into %m : memref<8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @recv_neither() {
  // expected-error @+1 {{needs a result type (tensor form) or an `into` buffer}}
  dsc.recv from 0
  return
}

// -----

func.func @recv_dynamic() {
  // expected-error @+1 {{must be statically shaped tensor}}
  %0 = dsc.recv from 0 -> tensor<?xf32>
  return
}

// -----

shard.grid @grid(shape = 2x4)
func.func @negative_level(%t: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{attribute 'level' failed to satisfy constraint}}
  %0 = dsc.all_reduce %t on @grid level = -1 : tensor<8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

shard.grid @grid(shape = 2x4)
func.func @bad_algorithm(%t: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'algorithm' [auto, ring, tree, rabenseifner, hier2, hier3, native]}}
  %0 = dsc.all_reduce %t on @grid algorithm = fastest : tensor<8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
