// RUN: ds-opt %s -split-input-file -ds-decompose-collectives | FileCheck %s

shard.grid @grid(shape = 4)

// Gather along dimension 1: gather whole operands into a leading rank
// dimension, move it in front of dimension 1, merge.
// CHECK-LABEL: func.func @all_gather
// CHECK: %[[E:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] output_shape [1, 2, 3, 5] : tensor<2x3x5xf32> into tensor<1x2x3x5xf32>
// CHECK: %[[G:.*]] = dsc.all_gather %[[E]] on @grid grid_axes = [0] gather_axis = 0 algorithm = ring : tensor<1x2x3x5xf32> -> tensor<4x2x3x5xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[G]] : tensor<4x2x3x5xf32>) outs(%{{.*}} : tensor<2x4x3x5xf32>) permutation = [1, 0, 2, 3]
// CHECK: tensor.collapse_shape %[[T]] {{\[\[}}0], [1, 2], [3]] : tensor<2x4x3x5xf32> into tensor<2x12x5xf32>
func.func @all_gather(%t: tensor<2x3x5xf32>) -> tensor<2x12x5xf32> {
  %0 = dsc.all_gather %t on @grid grid_axes = [0] gather_axis = 1 algorithm = ring : tensor<2x3x5xf32> -> tensor<2x12x5xf32>
  return %0 : tensor<2x12x5xf32>
}

// -----

shard.grid @grid(shape = 4)

// CHECK-LABEL: func.func @reduce_scatter
// CHECK: %[[E:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [2, 4, 3] : tensor<2x12xf32> into tensor<2x4x3xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[E]] : tensor<2x4x3xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [1, 0, 2]
// CHECK: %[[S:.*]] = dsc.reduce_scatter %[[T]] on @grid grid_axes = [0] scatter_axis = 0 reduction = max level = 1 : tensor<4x2x3xf32> -> tensor<1x2x3xf32>
// CHECK: tensor.collapse_shape %[[S]] {{\[\[}}0, 1], [2]] : tensor<1x2x3xf32> into tensor<2x3xf32>
func.func @reduce_scatter(%t: tensor<2x12xf32>) -> tensor<2x3xf32> {
  %0 = dsc.reduce_scatter %t on @grid grid_axes = [0] scatter_axis = 1 reduction = max level = 1 : tensor<2x12xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

shard.grid @grid(shape = 4)

// Split dimension 0, concatenate along dimension 1.
// CHECK-LABEL: func.func @all_to_all
// CHECK: %[[E:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [4, 2, 3] : tensor<8x3xf32> into tensor<4x2x3xf32>
// CHECK: %[[A:.*]] = dsc.all_to_all %[[E]] on @grid grid_axes = [0] split_axis = 0 concat_axis = 0 : tensor<4x2x3xf32> -> tensor<4x2x3xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[A]] : tensor<4x2x3xf32>) outs(%{{.*}} : tensor<2x4x3xf32>) permutation = [1, 0, 2]
// CHECK: tensor.collapse_shape %[[T]] {{\[\[}}0], [1, 2]] : tensor<2x4x3xf32> into tensor<2x12xf32>
func.func @all_to_all(%t: tensor<8x3xf32>) -> tensor<2x12xf32> {
  %0 = dsc.all_to_all %t on @grid grid_axes = [0] split_axis = 0 concat_axis = 1 : tensor<8x3xf32> -> tensor<2x12xf32>
  return %0 : tensor<2x12xf32>
}

// -----

shard.grid @grid(shape = 4)

// Leading-axis collectives are left alone.
// CHECK-LABEL: func.func @leading
// CHECK-NEXT: dsc.all_gather %{{.*}} gather_axis = 0
// CHECK-NEXT: return
func.func @leading(%t: tensor<2x3xf32>) -> tensor<8x3xf32> {
  %0 = dsc.all_gather %t on @grid grid_axes = [0] gather_axis = 0 : tensor<2x3xf32> -> tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}
