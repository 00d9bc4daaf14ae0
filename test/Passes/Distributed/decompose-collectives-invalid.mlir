// RUN: ds-opt %s -split-input-file -ds-decompose-collectives -verify-diagnostics

shard.grid @grid(shape = 4)
func.func @dynamic(%t: tensor<?x3xf32>) -> tensor<?x12xf32> {
  // expected-error @+1 {{along a non-leading axis could not be decomposed (needs static shapes and group size)}}
  %0 = dsc.all_gather %t on @grid grid_axes = [0] gather_axis = 1 : tensor<?x3xf32> -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

// -----

shard.grid @grid(shape = ?)
func.func @dynamic_group(%t: tensor<2x3xf32>) -> tensor<2x?xf32> {
  // expected-error @+1 {{along a non-leading axis could not be decomposed}}
  %0 = dsc.all_gather %t on @grid grid_axes = [0] gather_axis = 1 : tensor<2x3xf32> -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}
