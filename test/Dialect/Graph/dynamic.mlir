// RUN: ds-opt %s | ds-opt | FileCheck %s
// RUN: ds-opt %s --canonicalize | FileCheck %s --check-prefix=FOLD

// The ops with run-time result shapes (GraphOpsDynamic.td) round-trip.

// CHECK-LABEL: func.func @shape
// CHECK: dsg.shape %arg0 {end = 2 : i64, start = 0 : i64} : tensor<?x16x64xf32> -> tensor<2xi64>
// FOLD-LABEL: func.func @shape
// FOLD: dsg.shape %arg0 {end = 2 : i64, start = 0 : i64}
func.func @shape(%x: tensor<?x16x64xf32>) -> tensor<2xi64> {
  %0 = dsg.shape %x {start = 0 : i64, end = 2 : i64} : tensor<?x16x64xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// Static dimensions fold to a constant.
// FOLD-LABEL: func.func @shape_static_part
// FOLD-NOT: dsg.shape
// FOLD: dsg.constant dense<[16, 64]> : tensor<2xi64>
func.func @shape_static_part(%x: tensor<?x16x64xf32>) -> tensor<2xi64> {
  %0 = dsg.shape %x {start = 1 : i64, end = 3 : i64} : tensor<?x16x64xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// An empty range of dimensions folds too.
// FOLD-LABEL: func.func @shape_empty
// FOLD: dsg.constant dense<> : tensor<0xi64>
func.func @shape_empty(%x: tensor<?xf32>) -> tensor<0xi64> {
  %0 = dsg.shape %x {start = 1 : i64, end = 1 : i64} : tensor<?xf32> -> tensor<0xi64>
  return %0 : tensor<0xi64>
}

// CHECK-LABEL: func.func @fill
// CHECK: dsg.fill %arg0, 1.500000e+00 : f32 : tensor<2xi64> -> tensor<?x3xf32>
func.func @fill(%s: tensor<2xi64>) -> tensor<?x3xf32> {
  %0 = dsg.fill %s, 1.5 : f32 : tensor<2xi64> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// CHECK-LABEL: func.func @range_to
// CHECK: dsg.range_to %arg0, %arg1, %arg2 : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
func.func @range_to(%a: tensor<i64>, %b: tensor<i64>, %c: tensor<i64>) -> tensor<?xi64> {
  %0 = dsg.range_to %a, %b, %c : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// CHECK-LABEL: func.func @nonzero
// CHECK: dsg.nonzero %arg0 : tensor<2x3xf32> -> tensor<2x?xi64>
func.func @nonzero(%x: tensor<2x3xf32>) -> tensor<2x?xi64> {
  %0 = dsg.nonzero %x : tensor<2x3xf32> -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// A slice with run-time ends; static result sizes are allowed where known
// (here the unsliced dimension).
// CHECK-LABEL: func.func @slice_to
// CHECK: dsg.slice_to %arg0, %arg1, %arg2, %arg3, %arg4 : (tensor<4x6xf32>, tensor<1xi64>, tensor<1xi32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x6xf32>
// FOLD-LABEL: func.func @slice_to
// FOLD: dsg.slice_to
func.func @slice_to(%x: tensor<4x6xf32>, %s: tensor<1xi64>, %e: tensor<1xi32>, %a: tensor<1xi64>, %t: tensor<1xi64>) -> tensor<?x6xf32> {
  %0 = dsg.slice_to %x, %s, %e, %a, %t : (tensor<4x6xf32>, tensor<1xi64>, tensor<1xi32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}
