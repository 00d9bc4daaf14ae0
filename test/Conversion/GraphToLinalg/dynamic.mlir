// RUN: ds-opt %s --ds-convert-graph-to-linalg --split-input-file | FileCheck %s

// Shape: one tensor.dim per dimension, cast to i64.
// CHECK-LABEL: func.func @shape
// CHECK: %[[D:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[I:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK: %[[E:.*]] = tensor.dim %arg0, %c1
// CHECK: %[[J:.*]] = arith.index_cast %[[E]] : index to i64
// CHECK: tensor.from_elements %[[I]], %[[J]] : tensor<2xi64>
func.func @shape(%x: tensor<?x?x64xf32>) -> tensor<2xi64> {
  %0 = dsg.shape %x {start = 0 : i64, end = 2 : i64} : tensor<?x?x64xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Fill: dynamic sizes read from the shape operand, static ones from the type.
// CHECK-LABEL: func.func @fill
// CHECK: %[[S:.*]] = tensor.extract %arg0[%c0] : tensor<2xi64>
// CHECK: %[[N:.*]] = arith.index_cast %[[S]] : i64 to index
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x3xi8>
// CHECK: linalg.fill ins(%c7_i8 : i8) outs(%[[E]] : tensor<?x3xi8>)
func.func @fill(%s: tensor<2xi64>) -> tensor<?x3xui8> {
  %0 = dsg.fill %s, 7 : ui8 : tensor<2xi64> -> tensor<?x3xui8>
  return %0 : tensor<?x3xui8>
}

// -----

// Range to a run-time limit: the length is ceildiv(limit - start, delta),
// clamped at 0, with 0 for a zero delta.
// CHECK-LABEL: func.func @range_to_int
// CHECK: arith.ceildivsi
// CHECK: arith.maxsi
// CHECK: %[[N:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?xi32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<?xi32>)
// CHECK: linalg.index 0
func.func @range_to_int(%a: tensor<i32>, %b: tensor<i32>, %c: tensor<i32>) -> tensor<?xi32> {
  %0 = dsg.range_to %a, %b, %c : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

// CHECK-LABEL: func.func @range_to_float
// CHECK: arith.divf {{.*}} : f64
// CHECK: math.ceil
// CHECK: arith.fptosi
// CHECK: tensor.empty({{.*}}) : tensor<?xf32>
func.func @range_to_float(%a: tensor<f32>, %b: tensor<f32>, %c: tensor<f32>) -> tensor<?xf32> {
  %0 = dsg.range_to %a, %b, %c : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// NonZero: a counting loop, then a loop that writes each non-zero element's
// indices into the next column (NaN counts as non-zero: une).
// CHECK-LABEL: func.func @nonzero
// CHECK: %[[COUNT:.*]] = scf.for {{.*}} iter_args
// CHECK: arith.cmpf une
// CHECK: %[[E:.*]] = tensor.empty(%[[COUNT]]) : tensor<2x?xi64>
// CHECK: scf.for {{.*}} iter_args({{.*}}, %{{.*}} = %[[E]])
// CHECK: scf.if
// CHECK: tensor.insert
// CHECK: tensor.insert
func.func @nonzero(%x: tensor<2x3xf32>) -> tensor<2x?xi64> {
  %0 = dsg.nonzero %x : tensor<2x3xf32> -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}
