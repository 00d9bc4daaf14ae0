// RUN: ds-opt %s --ds-fold-batch-dims --split-input-file | FileCheck %s

// A contraction over a [B, H] batch (as ds-shard unfolds attention's
// products) is folded back into one batch loop and a linalg.batch_matmul.

// CHECK-LABEL: func.func @fold
// CHECK: %[[L:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2], [3]] : tensor<2x3x4x5xf32> into tensor<6x4x5xf32>
// CHECK: %[[R:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0, 1], [2], [3]] : tensor<2x3x5x6xf32> into tensor<6x5x6xf32>
// CHECK: %[[P:.*]] = linalg.batch_matmul ins(%[[L]], %[[R]] : tensor<6x4x5xf32>, tensor<6x5x6xf32>)
// CHECK: tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 3, 4, 6] : tensor<6x4x6xf32> into tensor<2x3x4x6xf32>
// CHECK-NOT: linalg.generic
#l = affine_map<(b, h, m, n, k) -> (b, h, m, k)>
#r = affine_map<(b, h, m, n, k) -> (b, h, k, n)>
#o = affine_map<(b, h, m, n, k) -> (b, h, m, n)>
func.func @fold(%a: tensor<2x3x4x5xf32>, %b: tensor<2x3x5x6xf32>, %c: tensor<2x3x4x6xf32>) -> tensor<2x3x4x6xf32> {
  %0 = linalg.generic {indexing_maps = [#l, #r, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<2x3x4x5xf32>, tensor<2x3x5x6xf32>) outs(%c : tensor<2x3x4x6xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3x4x6xf32>
  return %0 : tensor<2x3x4x6xf32>
}

// -----

// The batch loops are not the leading ones (the output is [H, B, M, N]):
// left alone.
// CHECK-LABEL: func.func @not_leading
// CHECK: linalg.generic
// CHECK-NOT: linalg.batch_matmul
#l2 = affine_map<(m, b, h, n, k) -> (b, h, m, k)>
#r2 = affine_map<(m, b, h, n, k) -> (b, h, k, n)>
#o2 = affine_map<(m, b, h, n, k) -> (h, b, m, n)>
func.func @not_leading(%a: tensor<2x3x4x5xf32>, %b: tensor<2x3x5x6xf32>, %c: tensor<3x2x4x6xf32>) -> tensor<3x2x4x6xf32> {
  %0 = linalg.generic {indexing_maps = [#l2, #r2, #o2], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<2x3x4x5xf32>, tensor<2x3x5x6xf32>) outs(%c : tensor<3x2x4x6xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x2x4x6xf32>
  return %0 : tensor<3x2x4x6xf32>
}

// -----

// One batch loop already: nothing to fold.
// CHECK-LABEL: func.func @single_batch
// CHECK: linalg.batch_matmul ins(%arg0, %arg1
func.func @single_batch(%a: tensor<6x4x5xf32>, %b: tensor<6x5x6xf32>, %c: tensor<6x4x6xf32>) -> tensor<6x4x6xf32> {
  %0 = linalg.batch_matmul ins(%a, %b : tensor<6x4x5xf32>, tensor<6x5x6xf32>) outs(%c : tensor<6x4x6xf32>) -> tensor<6x4x6xf32>
  return %0 : tensor<6x4x6xf32>
}
