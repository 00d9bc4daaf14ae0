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

// -----

// CHECK-LABEL: func.func @reduce_prod
// CHECK: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK: linalg.fill ins(%[[ONE]] : i32)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.muli
func.func @reduce_prod(%x: tensor<2x3xi32>) -> tensor<2xi32> {
  %0 = dsg.reduce_prod %x {axes = array<i64: 1>, keepdims = false} : tensor<2x3xi32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// A (value, index) pair reduction: the first maximum; NaN beats any number.
// CHECK-LABEL: func.func @arg_max
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[VALS:.*]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[IDXS:.*]] = linalg.fill ins(%{{.*}} : i64)
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<2x3xf32>) outs(%[[VALS]], %[[IDXS]] : tensor<2xf32>, tensor<2xi64>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %[[BEST:.*]]: f32, %[[BESTI:.*]]: i64):
// CHECK-NEXT: %[[GT:.*]] = arith.cmpf ogt, %[[IN]], %[[BEST]]
// CHECK-NEXT: %[[XNAN:.*]] = arith.cmpf uno, %[[IN]], %[[IN]]
// CHECK-NEXT: %[[BNUM:.*]] = arith.cmpf ord, %[[BEST]], %[[BEST]]
// CHECK-NEXT: %[[NAN:.*]] = arith.andi %[[XNAN]], %[[BNUM]]
// CHECK-NEXT: %[[TAKE:.*]] = arith.ori %[[GT]], %[[NAN]]
// CHECK-NEXT: %[[I:.*]] = linalg.index 1
// CHECK-NEXT: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT: %[[V:.*]] = arith.select %[[TAKE]], %[[IN]], %[[BEST]]
// CHECK-NEXT: %[[J:.*]] = arith.select %[[TAKE]], %[[I64]], %[[BESTI]]
// CHECK-NEXT: linalg.yield %[[V]], %[[J]]
// CHECK: tensor.expand_shape %[[R]]#1 {{\[\[}}0, 1]] output_shape [2, 1]
func.func @arg_max(%x: tensor<2x3xf32>) -> tensor<2x1xi64> {
  %0 = dsg.arg_max %x {axis = 1 : i64} : tensor<2x3xf32> -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

// The last minimum of unsigned integers: ule against the highest value.
// CHECK-LABEL: func.func @arg_min_last
// CHECK: arith.constant -1 : i8
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: arith.cmpi ule
// CHECK: linalg.index 0
// CHECK: return %{{.*}}#1 : tensor<3xi64>
func.func @arg_min_last(%x: tensor<2x3xui8>) -> tensor<3xi64> {
  %0 = dsg.arg_min %x {axis = 0 : i64, keepdims = false, select_last_index = true} : tensor<2x3xui8> -> tensor<3xi64>
  return %0 : tensor<3xi64>
}
