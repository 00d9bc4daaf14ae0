// RUN: ds-opt %s --ds-convert-graph-to-linalg --split-input-file | FileCheck %s

// The window is a generic over (n, c, oh, ow, kh, kw) with a kernel-shaped
// tensor.empty; ceil_mode pads one extra row of -inf at the end.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[K:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @max_pool
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NINF]]
// CHECK: tensor.empty() : tensor<2x2xf32>
// CHECK: linalg.fill ins(%[[NINF]] : f32)
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[K]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK: arith.maximumf
func.func @max_pool(%x: tensor<1x3x5x5xf32>) -> tensor<1x3x3x3xf32> {
  %0 = dsg.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : tensor<1x3x5x5xf32> -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

// Indices: flat position in the unpadded input, first strict maximum wins.
// CHECK-LABEL: func.func @max_pool_indices
// CHECK: tensor.pad %arg0 low[0, 0, 1] high[0, 0, 1]
// CHECK: linalg.fill ins(%c-1_i64 : i64)
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<1x2x5xi8>, tensor<1x2x5xi64>)
// CHECK: arith.cmpi ugt
// CHECK-DAG: linalg.index 0
// CHECK-DAG: linalg.index 1
// CHECK: arith.index_cast {{.*}} : index to i64
// CHECK: arith.select
// CHECK: arith.select
func.func @max_pool_indices(%x: tensor<1x2x5xui8>) -> (tensor<1x2x5xui8>, tensor<1x2x5xi64>) {
  %0, %1 = dsg.max_pool %x {kernel_shape = array<i64: 3>, strides = array<i64: 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1>} : tensor<1x2x5xui8> -> tensor<1x2x5xui8>, tensor<1x2x5xi64>
  return %0, %1 : tensor<1x2x5xui8>, tensor<1x2x5xi64>
}

// -----

// Average: zero padding, a summing window, then a division whose divisor
// is computed from linalg.index.
// CHECK-LABEL: func.func @average_pool
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK: linalg.index 2
// CHECK: arith.ceildivsi
// CHECK: linalg.index 3
// CHECK: arith.divf
// CHECK: arith.truncf
func.func @average_pool(%x: tensor<1x1x4x4xf16>) -> tensor<1x1x2x2xf16> {
  %0 = dsg.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : tensor<1x1x4x4xf16> -> tensor<1x1x2x2xf16>
  return %0 : tensor<1x1x2x2xf16>
}
