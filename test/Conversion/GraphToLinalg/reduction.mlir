// RUN: ds-opt %s --ds-convert-graph-to-linalg --split-input-file | FileCheck %s

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[KEPT:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @reduce_sum
// CHECK: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]]], iterator_types = ["reduction", "parallel", "reduction"]}
// CHECK: arith.addf
// CHECK: tensor.expand_shape {{.*}} : tensor<3xf32> into tensor<1x3x1xf32>
func.func @reduce_sum(%x: tensor<2x3x4xf32>) -> tensor<1x3x1xf32> {
  %0 = dsg.reduce_sum %x {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_mean
// CHECK: arith.extf {{.*}} : bf16 to f32
// CHECK: arith.sitofp {{.*}} : i64 to f32
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: arith.truncf {{.*}} : f32 to bf16
func.func @reduce_mean(%x: tensor<2x?xbf16>) -> tensor<2xbf16> {
  %0 = dsg.reduce_mean %x {axes = array<i64: 1>, keepdims = false} : tensor<2x?xbf16> -> tensor<2xbf16>
  return %0 : tensor<2xbf16>
}

// -----

// CHECK-LABEL: func.func @reduce_max_min
// CHECK: arith.constant -128 : i8
// CHECK: arith.maxsi
// CHECK: arith.constant -1 : i8
// CHECK: arith.minui
// CHECK: arith.constant 0x7F800000 : f32
// CHECK: arith.minimumf
func.func @reduce_max_min(%x: tensor<4xi8>, %u: tensor<4xui8>, %f: tensor<4xf32>) -> (tensor<i8>, tensor<ui8>, tensor<f32>) {
  %0 = dsg.reduce_max %x {axes = array<i64: 0>, keepdims = false} : tensor<4xi8> -> tensor<i8>
  %1 = dsg.reduce_min %u {axes = array<i64: 0>, keepdims = false} : tensor<4xui8> -> tensor<ui8>
  %2 = dsg.reduce_min %f {axes = array<i64: 0>, keepdims = false} : tensor<4xf32> -> tensor<f32>
  return %0, %1, %2 : tensor<i8>, tensor<ui8>, tensor<f32>
}

// -----

// Empty axes: identity.
// CHECK-LABEL: func.func @reduce_none
// CHECK-NEXT: return %arg0
func.func @reduce_none(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dsg.reduce_sum %x {axes = array<i64>} : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
