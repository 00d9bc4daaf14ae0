// RUN: ds-opt %s --ds-gpu-fuse-elementwise | FileCheck %s
// RUN: ds-opt %s --ds-gpu-fuse-elementwise=keep-matmuls=false | FileCheck %s --check-prefix=UPSTREAM

// A projection whose result is split into heads and then biased: upstream
// propagates the reshape through the matmul (a rank-4 generic); with
// keep-matmuls the matmul stays named, the reshape a view of its result,
// and the bias add still fuses with what follows.
// CHECK-LABEL: func.func @projection
// CHECK: %[[MM:.*]] = linalg.matmul
// CHECK: tensor.expand_shape %[[MM]]
// CHECK: linalg.generic
// CHECK-NOT: linalg.generic
// UPSTREAM-LABEL: func.func @projection
// UPSTREAM-NOT: linalg.matmul
// UPSTREAM: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
func.func @projection(%x: tensor<32x64xf32>, %w: tensor<64x64xf32>,
                      %b: tensor<32x4x16xf32>) -> tensor<32x4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x64xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<32x64xf32>) -> tensor<32x64xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<32x64xf32>, tensor<64x64xf32>)
                      outs(%z : tensor<32x64xf32>) -> tensor<32x64xf32>
  %heads = tensor.expand_shape %mm [[0], [1, 2]] output_shape [32, 4, 16]
      : tensor<32x64xf32> into tensor<32x4x16xf32>
  %e2 = tensor.empty() : tensor<32x4x16xf32>
  %add = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, j, k)>, affine_map<(i, j, k) -> (i, j, k)>, affine_map<(i, j, k) -> (i, j, k)>],
                         iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%heads, %b : tensor<32x4x16xf32>, tensor<32x4x16xf32>) outs(%e2 : tensor<32x4x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  } -> tensor<32x4x16xf32>
  %e3 = tensor.empty() : tensor<32x4x16xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, j, k)>, affine_map<(i, j, k) -> (i, j, k)>],
                         iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%add : tensor<32x4x16xf32>) outs(%e3 : tensor<32x4x16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %t = arith.mulf %p, %p : f32
    linalg.yield %t : f32
  } -> tensor<32x4x16xf32>
  return %act : tensor<32x4x16xf32>
}
