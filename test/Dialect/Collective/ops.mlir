// RUN: ds-opt %s | FileCheck %s
// RUN: ds-opt %s | ds-opt | FileCheck %s
// RUN: ds-opt %s --mlir-print-op-generic | ds-opt | FileCheck %s

shard.grid @grid(shape = 2x4)
shard.grid @dyn(shape = 2x?)

// CHECK-LABEL: func.func @tensor_form
func.func @tensor_form(%t: tensor<8x16xf32>, %i: tensor<4xi32>) {
  // CHECK: dsc.all_reduce %{{.*}} on @grid grid_axes = [1] : tensor<8x16xf32> -> tensor<8x16xf32>
  %0 = dsc.all_reduce %t on @grid grid_axes = [1] : tensor<8x16xf32> -> tensor<8x16xf32>
  // CHECK: dsc.all_reduce %{{.*}} on @grid grid_axes = [0, 1] reduction = max algorithm = hier2 level = 1 : tensor<8x16xf32> -> tensor<8x16xf32>
  %1 = dsc.all_reduce %t on @grid grid_axes = [0, 1] reduction = max algorithm = hier2 level = 1 : tensor<8x16xf32> -> tensor<8x16xf32>
  // CHECK: dsc.all_gather %{{.*}} on @grid grid_axes = [1] gather_axis = 1 algorithm = ring : tensor<8x16xf32> -> tensor<8x64xf32>
  %2 = dsc.all_gather %t on @grid grid_axes = [1] gather_axis = 1 algorithm = ring : tensor<8x16xf32> -> tensor<8x64xf32>
  // CHECK: dsc.reduce_scatter %{{.*}} on @grid grid_axes = [0] scatter_axis = 0 reduction = min : tensor<8x16xf32> -> tensor<4x16xf32>
  %3 = dsc.reduce_scatter %t on @grid grid_axes = [0] scatter_axis = 0 reduction = min : tensor<8x16xf32> -> tensor<4x16xf32>
  // CHECK: dsc.all_to_all %{{.*}} on @grid grid_axes = [1] split_axis = 1 concat_axis = 0 : tensor<8x16xf32> -> tensor<32x4xf32>
  %4 = dsc.all_to_all %t on @grid grid_axes = [1] split_axis = 1 concat_axis = 0 : tensor<8x16xf32> -> tensor<32x4xf32>
  // CHECK: dsc.broadcast %{{.*}} on @grid grid_axes = [0, 1] root = 5 : tensor<4xi32> -> tensor<4xi32>
  %5 = dsc.broadcast %i on @grid grid_axes = [0, 1] root = 5 : tensor<4xi32> -> tensor<4xi32>
  // CHECK: dsc.send %{{.*}} to 3 tag = 7 : tensor<4xi32>
  dsc.send %i to 3 tag = 7 : tensor<4xi32>
  // CHECK: dsc.recv from 2 level = 0 -> tensor<4xi32>
  %6 = dsc.recv from 2 level = 0 -> tensor<4xi32>
  // CHECK: dsc.world_rank : index
  %7 = dsc.world_rank : index
  // A dynamic grid axis: group size unknown, shapes not checked.
  // CHECK: dsc.all_gather %{{.*}} on @dyn grid_axes = [1] gather_axis = 0 : tensor<8x16xf32> -> tensor<?x16xf32>
  %8 = dsc.all_gather %t on @dyn grid_axes = [1] gather_axis = 0 : tensor<8x16xf32> -> tensor<?x16xf32>
  return
}

// CHECK-LABEL: func.func @buffer_form
func.func @buffer_form(%m: memref<8x16xf32>, %o: memref<8x16xf32>, %g: memref<8x64xf32>, %d: memref<?x16xf32>, %e: memref<?x16xf32>) {
  // CHECK: dsc.all_reduce %{{.*}} into %{{.*}} on @grid grid_axes = [1] algorithm = rabenseifner : memref<8x16xf32>, memref<8x16xf32>
  dsc.all_reduce %m into %o on @grid grid_axes = [1] algorithm = rabenseifner : memref<8x16xf32>, memref<8x16xf32>
  // CHECK: dsc.all_gather %{{.*}} into %{{.*}} on @grid grid_axes = [1] gather_axis = 1 : memref<8x16xf32>, memref<8x64xf32>
  dsc.all_gather %m into %g on @grid grid_axes = [1] gather_axis = 1 : memref<8x16xf32>, memref<8x64xf32>
  // CHECK: dsc.all_reduce %{{.*}} into %{{.*}} on @grid : memref<?x16xf32>, memref<?x16xf32>
  dsc.all_reduce %d into %e on @grid : memref<?x16xf32>, memref<?x16xf32>
  // CHECK: dsc.send %{{.*}} to 1 : memref<8x16xf32>
  dsc.send %m to 1 : memref<8x16xf32>
  // CHECK: dsc.recv from 1 tag = 3 into %{{.*}} : memref<8x16xf32>
  dsc.recv from 1 tag = 3 into %o : memref<8x16xf32>
  return
}
