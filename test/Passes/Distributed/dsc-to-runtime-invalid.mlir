// RUN: ds-opt %s -split-input-file -ds-convert-dsc-to-runtime -verify-diagnostics

shard.grid @grid(shape = 4)
func.func @tensor_form(%t: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{must be in buffer form (run one-shot bufferization before ds-convert-dsc-to-runtime)}}
  %0 = dsc.all_reduce %t on @grid grid_axes = [0] : tensor<8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

shard.grid @grid(shape = 4)
func.func @strided(%in: memref<8xf32, strided<[2]>>, %out: memref<8xf32>) {
  // expected-error @+1 {{needs contiguous identity-layout buffers, found 'memref<8xf32, strided<[2]>>'}}
  dsc.all_reduce %in into %out on @grid grid_axes = [0] : memref<8xf32, strided<[2]>>, memref<8xf32>
  return
}

// -----

shard.grid @grid(shape = 4)
func.func @inner_axis(%in: memref<2x3xf32>, %out: memref<2x12xf32>) {
  // expected-error @+1 {{gather_axis must be 0 for the runtime (run ds-decompose-collectives on tensors)}}
  dsc.all_gather %in into %out on @grid grid_axes = [0] gather_axis = 1 : memref<2x3xf32>, memref<2x12xf32>
  return
}

// -----

shard.grid @grid(shape = 4)
func.func @dtype(%in: memref<4xcomplex<f32>>, %out: memref<4xcomplex<f32>>) {
  // expected-error @+1 {{element type 'complex<f32>' has no dsrt dtype}}
  dsc.all_reduce %in into %out on @grid grid_axes = [0] : memref<4xcomplex<f32>>, memref<4xcomplex<f32>>
  return
}

// -----

shard.grid @grid(shape = 4)
func.func @root(%in: memref<4xf32>, %out: memref<4xf32>) {
  // expected-error @+1 {{root 4 is not below the group size 4}}
  dsc.broadcast %in into %out on @grid grid_axes = [0] root = 4 : memref<4xf32>, memref<4xf32>
  return
}
