// RUN: ds-opt %s -split-input-file -ds-convert-shard-to-dsc | FileCheck %s

shard.grid @grid(shape = 2x4)

// CHECK-LABEL: func.func @collectives
func.func @collectives(%t: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x64xf32>, tensor<2x16xf32>, tensor<2x64xf32>, tensor<8x16xf32>, tensor<8x16xf32>) {
  // CHECK: dsc.all_reduce %{{.*}} on @grid grid_axes = [1] : tensor<8x16xf32> -> tensor<8x16xf32>
  %0 = shard.all_reduce %t on @grid grid_axes = [1] : tensor<8x16xf32> -> tensor<8x16xf32>
  // CHECK: dsc.all_gather %{{.*}} on @grid grid_axes = [1] gather_axis = 1 : tensor<8x16xf32> -> tensor<8x64xf32>
  %1 = shard.all_gather %t on @grid grid_axes = [1] gather_axis = 1 : tensor<8x16xf32> -> tensor<8x64xf32>
  // CHECK: dsc.reduce_scatter %{{.*}} on @grid grid_axes = [1] scatter_axis = 0 reduction = max : tensor<8x16xf32> -> tensor<2x16xf32>
  %2 = shard.reduce_scatter %t on @grid grid_axes = [1] reduction = max scatter_axis = 0 : tensor<8x16xf32> -> tensor<2x16xf32>
  // CHECK: dsc.all_to_all %{{.*}} on @grid grid_axes = [1] split_axis = 0 concat_axis = 1 : tensor<8x16xf32> -> tensor<2x64xf32>
  %3 = shard.all_to_all %t on @grid grid_axes = [1] split_axis = 0 concat_axis = 1 : tensor<8x16xf32> -> tensor<2x64xf32>
  // Root (1, 2) over axes [0, 1] of a 2x4 grid is group index 6.
  // CHECK: dsc.broadcast %{{.*}} on @grid grid_axes = [0, 1] root = 6 : tensor<8x16xf32> -> tensor<8x16xf32>
  %4 = shard.broadcast %t on @grid grid_axes = [0, 1] root = [1, 2] : (tensor<8x16xf32>) -> tensor<8x16xf32>
  // CHECK: dsc.all_reduce %{{.*}} on @grid grid_axes = [0] reduction = prod : tensor<8x16xf32> -> tensor<8x16xf32>
  %5 = shard.all_reduce %t on @grid grid_axes = [0] reduction = product : tensor<8x16xf32> -> tensor<8x16xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<8x16xf32>, tensor<8x64xf32>, tensor<2x16xf32>, tensor<2x64xf32>, tensor<8x16xf32>, tensor<8x16xf32>
}

// -----

shard.grid @grid(shape = 2x4)

// all_slice: this rank's chunk, at its group index times the chunk size.
// CHECK-LABEL: func.func @slice
// CHECK: %[[RANK:.*]] = dsc.world_rank : index
// CHECK: %[[COORD:.*]]:2 = affine.delinearize_index %[[RANK]] into (2, 4) : index, index
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[OFF:.*]] = arith.muli %[[COORD]]#1, %[[C4]] : index
// CHECK: tensor.extract_slice %{{.*}}[0, %[[OFF]]] [8, 4] [1, 1] : tensor<8x16xf32> to tensor<8x4xf32>
func.func @slice(%t: tensor<8x16xf32>) -> tensor<8x4xf32> {
  %0 = shard.all_slice %t on @grid grid_axes = [1] slice_axis = 1 : tensor<8x16xf32> -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

shard.grid @grid(shape = 2x4)

// Over both axes, the group index is the linearized coordinate.
// CHECK-LABEL: func.func @slice_two_axes
// CHECK: %[[RANK:.*]] = dsc.world_rank : index
// CHECK: %[[COORD:.*]]:2 = affine.delinearize_index %[[RANK]] into (2, 4)
// CHECK: %[[LIN:.*]] = affine.linearize_index disjoint [%[[COORD]]#1, %[[COORD]]#0] by (4, 2) : index
// CHECK: arith.muli %[[LIN]]
func.func @slice_two_axes(%t: tensor<16xf32>) -> tensor<2xf32> {
  %0 = shard.all_slice %t on @grid grid_axes = [1, 0] slice_axis = 0 : tensor<16xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

shard.grid @grid(shape = 2x4)

// CHECK-LABEL: func.func @indices
// CHECK: %[[RANK:.*]] = dsc.world_rank : index
// CHECK: %[[COORD:.*]]:2 = affine.delinearize_index %[[RANK]] into (2, 4)
// CHECK: %[[LINEAR:.*]] = dsc.world_rank : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: return %[[COORD]]#1, %[[COORD]]#0, %[[LINEAR]], %[[C2]], %[[C4]]
func.func @indices() -> (index, index, index, index, index) {
  %i:2 = shard.process_multi_index on @grid axes = [1, 0] : index, index
  %l = shard.process_linear_index on @grid : index
  %s:2 = shard.grid_shape @grid : index, index
  return %i#0, %i#1, %l, %s#0, %s#1 : index, index, index, index, index
}
