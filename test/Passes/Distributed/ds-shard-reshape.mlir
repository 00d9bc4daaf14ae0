// RUN: ds-opt %s -ds-shard="tp=2" | FileCheck %s --check-prefix=ANNOT
// RUN: ds-opt %s -ds-distribute="tp=2" | FileCheck %s

// A column-parallel layer whose output meets a broadcast through a
// constant-0 indexing map (a [2, 1] mean read as (d0, 0)): ds-shard rewrites
// that operand to a collapsed one so that propagation can shard the op.
// Here propagation runs the subtraction replicated (it has no reason to keep
// the split: the result is returned whole), so the split output is gathered
// first (ds-decompose-collectives moves the inner-axis gather to the leading
// axis) and the final reshape is replicated. ds-shard-heads.mlir covers
// splits kept through reshapes.

// ANNOT-LABEL: func.func @reshape
// ANNOT: %[[M:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<2x1xf32> into tensor<2xf32>
// ANNOT: linalg.generic {indexing_maps = [#{{.*}}, #[[MAP:.*]], #{{.*}}]{{.*}} ins(%{{.*}}, %[[M]] : tensor<2x8xf32>, tensor<2xf32>)

// CHECK-LABEL: func.func @reshape
// CHECK: linalg.matmul ins(%arg0, %{{.*}} : tensor<2x4xf32>, tensor<4x4xf32>)
// CHECK: dsc.all_gather %{{.*}} on @ds_grid grid_axes = [0] gather_axis = 0
// CHECK: tensor.expand_shape %{{.*}} : tensor<2x8xf32> into tensor<2x2x4xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
func.func @reshape(%x: tensor<2x4xf32>, %mean: tensor<2x1xf32>) -> tensor<2x2x4xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]> : tensor<4x8xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x8xf32>) -> tensor<2x8xf32>
  %h = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x8xf32>) outs(%f : tensor<2x8xf32>) -> tensor<2x8xf32>
  %c = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%h, %mean : tensor<2x8xf32>, tensor<2x1xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %s = arith.subf %a, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  %r = tensor.expand_shape %c [[0], [1, 2]] output_shape [2, 2, 4] : tensor<2x8xf32> into tensor<2x2x4xf32>
  return %r : tensor<2x2x4xf32>
}
