// RUN: ds-opt %s -ds-distribute="tp=2" | FileCheck %s
// RUN: ds-opt %s -ds-distribute="tp=4" 2>&1 | FileCheck %s --check-prefix=UNEVEN

// Megatron attention over heads: the projection is column parallel, its
// [B*S, H*D] output reaches the head split [B, S, H, D] split on H (the
// reshape sharding model maps the split through the reassociation), the
// batched product runs on this rank's H/tp heads of every batch row (its
// [B, H] batch is unfolded around sharding and folded back after), and the
// output projection, fed through the head merge, is row parallel: one
// all-reduce, no all-gather.

// CHECK-LABEL: func.func @heads
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x8xf32>, tensor<8x4xf32>)
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] output_shape [2, 4, 1, 4] : tensor<8x4xf32> into tensor<2x4x1x4xf32>
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x4x1x4xf32>)
// CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<2x4x4xf32>, tensor<2x4x4xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] : tensor<2x4x1x4xf32> into tensor<8x4xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x4xf32>, tensor<4x8xf32>)
// CHECK: dsc.all_reduce %{{.*}} on @ds_grid grid_axes = [0] : tensor<8x8xf32>
// CHECK-NOT: dsc.
// CHECK: return

// Two heads on four ranks: the projection stays whole and attention runs
// replicated, with a remark; the output projection is then column parallel
// and its output gathered for the replicated result.
// UNEVEN: remark: ds-shard: the 2 attention heads this projection feeds are not divisible by tp=4; projection left replicated (attention runs replicated)
// UNEVEN-LABEL: func.func @heads
// UNEVEN: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x8xf32>, tensor<8x8xf32>)
// UNEVEN: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<4x4x4xf32>, tensor<4x4x4xf32>)
// UNEVEN-NOT: dsc.all_reduce
// UNEVEN: dsc.all_gather
// UNEVEN-NOT: dsc.
// UNEVEN: return

func.func @heads(%x: tensor<2x4x8xf32>) -> tensor<8x8xf32> {
  %wq = arith.constant dense<0.5> : tensor<8x8xf32>
  %wo = arith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]> : tensor<8x8xf32>
  %z = arith.constant 0.0 : f32
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x4x8xf32> into tensor<8x8xf32>
  %e = tensor.empty() : tensor<8x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %q = linalg.matmul ins(%x2, %wq : tensor<8x8xf32>, tensor<8x8xf32>) outs(%f : tensor<8x8xf32>) -> tensor<8x8xf32>
  %q3 = tensor.expand_shape %q [[0, 1], [2, 3]] output_shape [2, 4, 2, 4] : tensor<8x8xf32> into tensor<2x4x2x4xf32>
  %et = tensor.empty() : tensor<2x2x4x4xf32>
  %qt = linalg.transpose ins(%q3 : tensor<2x4x2x4xf32>) outs(%et : tensor<2x2x4x4xf32>) permutation = [0, 2, 1, 3]
  %l = tensor.collapse_shape %qt [[0, 1], [2], [3]] : tensor<2x2x4x4xf32> into tensor<4x4x4xf32>
  %eb = tensor.empty() : tensor<4x4x4xf32>
  %fb = linalg.fill ins(%z : f32) outs(%eb : tensor<4x4x4xf32>) -> tensor<4x4x4xf32>
  %s = linalg.batch_matmul ins(%l, %l : tensor<4x4x4xf32>, tensor<4x4x4xf32>) outs(%fb : tensor<4x4x4xf32>) -> tensor<4x4x4xf32>
  %s4 = tensor.expand_shape %s [[0, 1], [2], [3]] output_shape [2, 2, 4, 4] : tensor<4x4x4xf32> into tensor<2x2x4x4xf32>
  %eo = tensor.empty() : tensor<2x4x2x4xf32>
  %st = linalg.transpose ins(%s4 : tensor<2x2x4x4xf32>) outs(%eo : tensor<2x4x2x4xf32>) permutation = [0, 2, 1, 3]
  %c = tensor.collapse_shape %st [[0, 1], [2, 3]] : tensor<2x4x2x4xf32> into tensor<8x8xf32>
  %e2 = tensor.empty() : tensor<8x8xf32>
  %f2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<8x8xf32>) -> tensor<8x8xf32>
  %o = linalg.matmul ins(%c, %wo : tensor<8x8xf32>, tensor<8x8xf32>) outs(%f2 : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %o : tensor<8x8xf32>
}
