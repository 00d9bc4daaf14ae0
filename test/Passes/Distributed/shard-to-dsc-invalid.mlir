// RUN: ds-opt %s -split-input-file -ds-convert-shard-to-dsc -verify-diagnostics

shard.grid @grid(shape = 4)
func.func @average(%t: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{reduction 'average' has no dsc counterpart (sum, product, max, min)}}
  %0 = shard.all_reduce %t on @grid grid_axes = [0] reduction = average : tensor<8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

shard.grid @grid(shape = 4)
func.func @widening(%t: tensor<8xf32>) -> tensor<8xf64> {
  // expected-error @+1 {{changes the element type; dsc.all_reduce keeps it}}
  %0 = shard.all_reduce %t on @grid grid_axes = [0] : tensor<8xf32> -> tensor<8xf64>
  return %0 : tensor<8xf64>
}

// -----

shard.grid @grid(shape = ?)
func.func @dynamic_grid(%t: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{uses grid @grid with a dynamic shape}}
  %0 = shard.all_reduce %t on @grid grid_axes = [0] : tensor<8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

shard.grid @grid(shape = 4)
func.func @shift(%t: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{has no dsc counterpart}}
  %0 = shard.shift %t on @grid grid_axes = [0] shift_axis = 0 offset = 1 : tensor<8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

shard.grid @grid(shape = 4)
func.func @unpartitioned(%t: tensor<8xf32>) -> tensor<8xf32> {
  %s = shard.sharding @grid split_axes = [[0]] : !shard.sharding
  // expected-error @+1 {{is left after partitioning; run shard-partition before ds-convert-shard-to-dsc}}
  %0 = shard.shard %t to %s : tensor<8xf32>
  return %0 : tensor<8xf32>
}
