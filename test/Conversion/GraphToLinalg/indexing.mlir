// RUN: ds-opt %s --ds-convert-graph-to-linalg --split-input-file | FileCheck %s

// Starts and steps are read at run time, per axis entry, then normalized
// and clamped; the generic reads input[start + i * step].
// CHECK-LABEL: func.func @slice
// CHECK: tensor.extract %arg2
// CHECK: tensor.extract %arg1
// CHECK: tensor.extract %arg3
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<3x10xf32>)
// CHECK: linalg.index 0
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: tensor.extract %arg0
func.func @slice(%x: tensor<20x10xf32>, %s: tensor<1xi64>, %a: tensor<1xi32>, %t: tensor<1xi64>) -> tensor<3x10xf32> {
  %0 = dsg.slice %x, %s, %a, %t : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi32>, tensor<1xi64>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}

// -----

// Constant mode: out-of-range positions take the value.
// CHECK-LABEL: func.func @pad_constant
// CHECK: tensor.extract %arg2[]
// CHECK: linalg.generic
// CHECK: arith.cmpi sge
// CHECK: arith.cmpi slt
// CHECK: tensor.extract %arg0
// CHECK: arith.select
func.func @pad_constant(%x: tensor<2x3xf32>, %p: tensor<4xi64>, %v: tensor<f32>) -> tensor<4x6xf32> {
  %0 = dsg.pad %x, %p, %v : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// Reflect mode mirrors with period 2 * (size - 1).
// CHECK-LABEL: func.func @pad_reflect
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK: tensor.extract %arg0
// CHECK-NOT: arith.select {{.*}} : f32
func.func @pad_reflect(%x: tensor<2x3xi32>, %p: tensor<4xi64>) -> tensor<4x6xi32> {
  %0 = dsg.pad %x, %p {mode = "reflect"} : (tensor<2x3xi32>, tensor<4xi64>) -> tensor<4x6xi32>
  return %0 : tensor<4x6xi32>
}

// -----

// CHECK-LABEL: func.func @tile
// CHECK: linalg.generic
// CHECK: arith.remui
// CHECK: tensor.extract %arg0
func.func @tile(%x: tensor<2x3xf32>) -> tensor<4x9xf32> {
  %0 = dsg.tile %x : tensor<2x3xf32> -> tensor<4x9xf32>
  return %0 : tensor<4x9xf32>
}

// -----

// CHECK: #[[MAP:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-LABEL: func.func @expand
// CHECK: linalg.generic {indexing_maps = [#[[MAP]], #{{.*}}]
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = dsg.expand %x : tensor<3x1xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @range
// CHECK: tensor.extract %arg0[]
// CHECK: tensor.extract %arg1[]
// CHECK: linalg.generic
// CHECK: arith.index_cast
// CHECK: arith.trunci
// CHECK: arith.muli
// CHECK: arith.addi
func.func @range(%s: tensor<i32>, %d: tensor<i32>) -> tensor<5xi32> {
  %0 = dsg.range %s, %d : (tensor<i32>, tensor<i32>) -> tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

// CHECK-LABEL: func.func @trilu
// CHECK: tensor.extract %arg1[]
// CHECK: linalg.generic
// CHECK: linalg.index 1
// CHECK: linalg.index 2
// CHECK: arith.subi
// CHECK: arith.cmpi sle
// CHECK: arith.select
func.func @trilu(%x: tensor<2x4x5xf32>, %k: tensor<i64>) -> tensor<2x4x5xf32> {
  %0 = dsg.trilu %x, %k {upper = false} : (tensor<2x4x5xf32>, tensor<i64>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// The axis is known at run time: one case per axis.
// CHECK-LABEL: func.func @cumsum
// CHECK: tensor.extract %arg1[]
// CHECK: scf.index_switch
// CHECK: case 0 {
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.cmpi sgt
// CHECK: default {
// CHECK: linalg.generic
func.func @cumsum(%x: tensor<2x3xf64>, %a: tensor<i32>) -> tensor<2x3xf64> {
  %0 = dsg.cumsum %x, %a {exclusive = true, reverse = true} : (tensor<2x3xf64>, tensor<i32>) -> tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// -----

// CHECK-LABEL: func.func @gather_elements
// CHECK: linalg.generic
// CHECK-SAME: ins(%arg1 : tensor<2x3xi64>)
// CHECK: arith.index_cast
// CHECK: tensor.extract %arg0
func.func @gather_elements(%d: tensor<2x2xf32>, %i: tensor<2x3xi64>) -> tensor<2x3xf32> {
  %0 = dsg.gather_elements %d, %i {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @gather_nd
// CHECK: linalg.generic
// CHECK: tensor.extract %arg1
// CHECK: tensor.extract %arg0
func.func @gather_nd(%d: tensor<2x2x2xf32>, %i: tensor<2x1xi64>) -> tensor<2x2xf32> {
  %0 = dsg.gather_nd %d, %i {batch_dims = 1 : i64} : (tensor<2x2x2xf32>, tensor<2x1xi64>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Updates apply in order, so scatters are loops over a tensor.
// CHECK-LABEL: func.func @scatter_elements
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tensor.extract %arg1
// CHECK: tensor.extract %arg2
// CHECK: tensor.extract
// CHECK: arith.mulf
// CHECK: tensor.insert
func.func @scatter_elements(%d: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf32>) -> tensor<3x3xf32> {
  %0 = dsg.scatter_elements %d, %i, %u {axis = 0 : i64, reduction = "mul"} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// CHECK-LABEL: func.func @scatter_nd
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tensor.extract %arg1
// CHECK: tensor.extract %arg2
// CHECK-NOT: arith.addf
// CHECK: tensor.insert
func.func @scatter_nd(%d: tensor<4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) -> tensor<4x4xf32> {
  %0 = dsg.scatter_nd %d, %i, %u : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Float indices are truncated; negative ones count from depth.
// CHECK: #[[IN:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @one_hot
// CHECK: tensor.extract %arg1[]
// CHECK: arith.fptosi
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #{{.*}}]
// CHECK: linalg.index 0
// CHECK: arith.fptosi
// CHECK: arith.cmpi slt
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @one_hot(%i: tensor<3xf32>, %d: tensor<f32>, %v: tensor<2xf32>) -> tensor<10x3xf32> {
  %0 = dsg.one_hot %i, %d, %v {axis = 0 : i64} : (tensor<3xf32>, tensor<f32>, tensor<2xf32>) -> tensor<10x3xf32>
  return %0 : tensor<10x3xf32>
}
