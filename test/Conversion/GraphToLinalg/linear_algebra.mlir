// RUN: ds-opt %s --ds-convert-graph-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @matmul_2d
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x16xf32>
// CHECK: %[[Z:.*]] = arith.constant 0.0
// CHECK: %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<4x16xf32>)
// CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<8x16xf32>) outs(%[[F]] : tensor<4x16xf32>)
func.func @matmul_2d(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = dsg.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Batch dims folded into M when the rhs is a matrix.
// CHECK-LABEL: func.func @matmul_batch_lhs
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<2x4x8xf32> into tensor<8x8xf32>
// CHECK: linalg.matmul
// CHECK: tensor.expand_shape {{.*}} {{\[}}[0, 1], [2]] output_shape [2, 4, 16] : tensor<8x16xf32> into tensor<2x4x16xf32>
func.func @matmul_batch_lhs(%a: tensor<2x4x8xf32>, %b: tensor<8x16xf32>) -> tensor<2x4x16xf32> {
  %0 = dsg.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

// Broadcast batch dims are materialized, then batch_matmul.
// CHECK-DAG: #[[BC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>
// CHECK-DAG: #[[BR:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[BC]], #{{.*}}]
// CHECK: linalg.generic {indexing_maps = [#[[BR]], #{{.*}}]
// CHECK: tensor.collapse_shape {{.*}} : tensor<2x3x4x8xf32> into tensor<6x4x8xf32>
// CHECK: tensor.collapse_shape {{.*}} : tensor<2x3x8x5xf32> into tensor<6x8x5xf32>
// CHECK: linalg.batch_matmul ins({{.*}} : tensor<6x4x8xf32>, tensor<6x8x5xf32>) outs({{.*}} : tensor<6x4x5xf32>)
// CHECK: tensor.expand_shape {{.*}} : tensor<6x4x5xf32> into tensor<2x3x4x5xf32>
func.func @matmul_broadcast(%a: tensor<2x1x4x8xf32>, %b: tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = dsg.matmul %a, %b : (tensor<2x1x4x8xf32>, tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// Rank-1 operands are promoted, and the added dims dropped again; f16
// accumulates in f32.
// CHECK-LABEL: func.func @matmul_vector
// CHECK: tensor.expand_shape %arg0 {{\[}}[0, 1]] output_shape [1, 8] : tensor<8xf16> into tensor<1x8xf16>
// CHECK: linalg.matmul ins({{.*}} : tensor<1x8xf16>, tensor<8x16xf16>) outs({{.*}} : tensor<1x16xf32>)
// CHECK: arith.truncf
// CHECK: tensor.collapse_shape {{.*}} {{\[}}[0, 1]] : tensor<1x16xf16> into tensor<16xf16>
func.func @matmul_vector(%a: tensor<8xf16>, %b: tensor<8x16xf16>) -> tensor<16xf16> {
  %0 = dsg.matmul %a, %b : (tensor<8xf16>, tensor<8x16xf16>) -> tensor<16xf16>
  return %0 : tensor<16xf16>
}

// -----

// A transposed operand is read through the contraction's map, not copied.
// CHECK-DAG: #[[TA:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @gemm
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[TA]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%arg0, %arg1 : tensor<8x4xf32>, tensor<8x16xf32>) outs({{.*}} : tensor<4x16xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: ins({{.*}}, %arg2 : tensor<4x16xf32>, tensor<16xf32>)
// CHECK: arith.mulf
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<8x16xf32>, %c: tensor<16xf32>) -> tensor<4x16xf32> {
  %0 = dsg.gemm %a, %b, %c {alpha = 0.5 : f32, beta = 2.0 : f32, trans_a = true} : (tensor<8x4xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// trans_b (an exported nn.Linear): B is read as (n, k).
// CHECK-DAG: #[[A2:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[TB:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @gemm_trans_b
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[A2]], #[[TB]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: outs({{.*}} : tensor<4x16xf32>)
func.func @gemm_trans_b(%a: tensor<4x8xf32>, %b: tensor<16x8xf32>) -> tensor<4x16xf32> {
  %0 = dsg.gemm %a, %b {trans_b = true} : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// One generic for every convolution: (n, g, f, oh, ow, c, kh, kw).
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 * 2 + d6, d4 + d7 * 2)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @conv_grouped
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.expand_shape {{.*}} : tensor<1x4x10x10xf32> into tensor<1x2x2x10x10xf32>
// CHECK: tensor.expand_shape %arg1 {{.*}} : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape {{.*}} {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x4x6xf32> into tensor<1x6x4x6xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BIAS]], #{{.*}}]
func.func @conv_grouped(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x4x6xf32> {
  %0 = dsg.conv %x, %w, %b {strides = array<i64: 2, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 2>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x6xf32>
  return %0 : tensor<1x6x4x6xf32>
}

// -----

// CHECK-LABEL: func.func @conv_1d_dynamic_batch
// CHECK-NOT: tensor.pad
// CHECK: tensor.dim %arg0, %c0
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
func.func @conv_1d_dynamic_batch(%x: tensor<?x2x7xf32>, %w: tensor<3x2x3xf32>) -> tensor<?x3x5xf32> {
  %0 = dsg.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : (tensor<?x2x7xf32>, tensor<3x2x3xf32>) -> tensor<?x3x5xf32>
  return %0 : tensor<?x3x5xf32>
}
