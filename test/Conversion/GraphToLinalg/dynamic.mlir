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

// -----

// Slice with run-time ends: per dimension, the axis entry that names it
// selects its start, end and step (others: 0, dim, 1); negative start/end
// wrap by the dimension; the start clamps to [0, dim] (positive step) or
// [0, dim - 1], the end to [0, dim] or [-1, dim - 1]; the size is
// max(ceildiv(end - start, step), 0) (0 for a zero step). A dynamic result
// size comes from that computation, a static one from the type; the
// generic reads element start + i * step.
// CHECK-LABEL: func.func @slice_to
// CHECK: %[[DIM:.*]] = tensor.dim %arg0, %{{.*}} : tensor<?x6xf32>
// CHECK: %[[A:.*]] = tensor.extract %arg3[%{{.*}}] : tensor<1xi64>
// CHECK: %[[S:.*]] = tensor.extract %arg1[%{{.*}}] : tensor<1xi64>
// CHECK: %[[E:.*]] = tensor.extract %arg2[%{{.*}}] : tensor<1xi32>
// CHECK: %[[EI:.*]] = arith.index_cast %[[E]] : i32 to index
// CHECK: %[[T:.*]] = tensor.extract %arg4[%{{.*}}] : tensor<1xi64>
// CHECK: %[[IS0:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : index
// CHECK: %[[START0:.*]] = arith.select %[[IS0]], %{{.*}}, %{{.*}} : index
// CHECK: %[[END0:.*]] = arith.select %[[IS0]], %[[EI]], %[[DIM]] : index
// CHECK: %[[STEP0:.*]] = arith.select %[[IS0]], %{{.*}}, %{{.*}} : index
// CHECK: %[[POS:.*]] = arith.cmpi sgt, %[[STEP0]], %{{.*}} : index
// CHECK: %[[LAST:.*]] = arith.subi %[[DIM]], %{{.*}} : index
// CHECK: %[[HI:.*]] = arith.select %[[POS]], %[[DIM]], %[[LAST]] : index
// CHECK: %[[LO:.*]] = arith.select %[[POS]], %{{.*}}, %c-1{{.*}} : index
// CHECK: %[[SMAX:.*]] = arith.maxsi %{{.*}}, %{{.*}} : index
// CHECK: %[[SC:.*]] = arith.minsi %[[SMAX]], %[[HI]] : index
// CHECK: %[[EMAX:.*]] = arith.maxsi %{{.*}}, %[[LO]] : index
// CHECK: %[[EC:.*]] = arith.minsi %[[EMAX]], %[[HI]] : index
// CHECK: %[[ZERO:.*]] = arith.cmpi eq, %[[STEP0]], %{{.*}} : index
// CHECK: %[[SAFE:.*]] = arith.select %[[ZERO]], %{{.*}}, %[[STEP0]] : index
// CHECK: %[[DIFF:.*]] = arith.subi %[[EC]], %[[SC]] : index
// CHECK: %[[CD:.*]] = arith.ceildivsi %[[DIFF]], %[[SAFE]] : index
// CHECK: %[[NN:.*]] = arith.maxsi %[[CD]], %{{.*}} : index
// CHECK: %[[N:.*]] = arith.select %[[ZERO]], %{{.*}}, %[[NN]] : index
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[N]]) : tensor<?x6xf32>
// CHECK: linalg.generic {{.*}} outs(%[[EMPTY]] : tensor<?x6xf32>)
// CHECK:   %[[I:.*]] = linalg.index 0 : index
// CHECK:   %[[OFF:.*]] = arith.muli %[[I]], %[[SAFE]] : index
// CHECK:   %[[ROW:.*]] = arith.addi %[[SC]], %[[OFF]] : index
// CHECK:   tensor.extract %arg0[%[[ROW]], %{{.*}}] : tensor<?x6xf32>
// CHECK-NOT: dsg.slice_to
func.func @slice_to(%x: tensor<?x6xf32>, %s: tensor<1xi64>, %e: tensor<1xi32>, %a: tensor<1xi64>, %t: tensor<1xi64>) -> tensor<?x6xf32> {
  %0 = dsg.slice_to %x, %s, %e, %a, %t : (tensor<?x6xf32>, tensor<1xi64>, tensor<1xi32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}
