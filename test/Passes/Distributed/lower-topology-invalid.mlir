// RUN: ds-opt %s --split-input-file --verify-diagnostics --ds-lower-topology="topology=%S/Inputs/cluster-4x4.yaml"
// RUN: not ds-opt %s --split-input-file --ds-lower-topology 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: not ds-opt %s --split-input-file --ds-lower-topology="topology=%S/Inputs/bad-cluster.yaml" 2>&1 | FileCheck %s --check-prefix=BADFILE

// NOFILE: error: ds-lower-topology needs a cluster description: ds-lower-topology{topology=FILE}
// BADFILE: error: invalid topology: {{.*}}bad-cluster.yaml:7:5: error: field '/levels/1/latency_us': missing required field

shard.grid @grid(shape = 2x4)
func.func @size_mismatch(%t: tensor<16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{grid @grid has 8 devices but topology 'small-4x4' has 16 ranks}}
  %0 = dsc.all_reduce %t on @grid grid_axes = [1] : tensor<16xf32> -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

shard.grid @dyn(shape = 4x?)
func.func @dynamic_grid(%t: tensor<16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{grid @dyn has a dynamic axis}}
  %0 = dsc.all_reduce %t on @dyn grid_axes = [0] : tensor<16xf32> -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

shard.grid @grid(shape = 4x4)
func.func @dynamic_shape(%t: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{topology lowering needs a static shape and an integer or float element type, found 'tensor<?xf32>'}}
  %0 = dsc.all_reduce %t on @grid grid_axes = [0] : tensor<?xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
