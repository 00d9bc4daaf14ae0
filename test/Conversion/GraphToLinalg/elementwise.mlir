// RUN: ds-opt %s --ds-convert-graph-to-linalg --split-input-file | FileCheck %s

// Broadcasting reads size-1 dimensions at index 0 and aligns from the right;
// unsigned types become signless and keep their names on @main.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32> {ds.name = "a"}, %[[B:.*]]: tensor<3xf32>, %[[C:.*]]: tensor<2x1xf32>)
// CHECK-SAME: -> (tensor<2x3xf32> {ds.name = "y"})
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>) outs(%[[E]] : tensor<2x3xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]]]
// CHECK: arith.subf
func.func @main(%a: tensor<2x3xf32> {ds.name = "a"}, %b: tensor<3xf32>, %c: tensor<2x1xf32>) -> (tensor<2x3xf32> {ds.name = "y"}) {
  %0 = dsg.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = dsg.sub %0, %c : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @div_signedness
// CHECK-SAME: tensor<4xi8>, %{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi32>
// CHECK: arith.constant dense<[1, 2, 3, 4]> : tensor<4xi8>
// CHECK: arith.divui {{.*}} : i8
// CHECK: arith.divsi {{.*}} : i32
// CHECK: arith.muli {{.*}} : i32
func.func @div_signedness(%a: tensor<4xui8>, %b: tensor<4xui8>, %c: tensor<4xi32>) -> (tensor<4xui8>, tensor<4xi32>) {
  %k = dsg.constant dense<[1, 2, 3, 4]> : tensor<4xui8>
  %0 = dsg.div %a, %k : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = dsg.div %c, %c : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %2 = dsg.mul %1, %c : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %2 : tensor<4xui8>, tensor<4xi32>
}

// -----

// A dynamic size comes from the operand that has it unbroadcast.
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[D:.*]] = tensor.dim %arg0, %c0 : tensor<?x3xf32>
// CHECK: tensor.empty(%[[D]]) : tensor<?x3xf32>
// CHECK: arith.mulf
func.func @dynamic(%a: tensor<?x3xf32>, %b: tensor<1x3xf32>) -> tensor<?x3xf32> {
  %0 = dsg.mul %a, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @pow
// CHECK: math.powf {{.*}} : f32
// CHECK: arith.sitofp {{.*}} : i32 to f32
// CHECK: math.powf
// CHECK: arith.extsi {{.*}} : i32 to i64
// CHECK: scf.while
// CHECK: arith.muli
// CHECK: arith.shrui
// CHECK: arith.fptosi {{.*}} : f64 to i32
func.func @pow(%x: tensor<4xf32>, %e: tensor<4xf32>, %i: tensor<4xi32>, %l: tensor<4xi64>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi64>, tensor<4xi32>) {
  %0 = dsg.pow %x, %e : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = dsg.pow %x, %i : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  %2 = dsg.pow %l, %i : (tensor<4xi64>, tensor<4xi32>) -> tensor<4xi64>
  %3 = dsg.pow %i, %e : (tensor<4xi32>, tensor<4xf32>) -> tensor<4xi32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xi64>, tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @where
// CHECK: linalg.generic
// CHECK-SAME: ins(%arg0, %arg1, %arg2 : tensor<2x1xi1>, tensor<3xf32>, tensor<2x3xf32>)
// CHECK: arith.select
func.func @where(%c: tensor<2x1xi1>, %x: tensor<3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = dsg.where %c, %x, %y : (tensor<2x1xi1>, tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// 16-bit floats are computed in f32.
// CHECK-LABEL: func.func @unary
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK-NEXT: math.sqrt {{.*}} : f32
// CHECK-NEXT: arith.truncf {{.*}} : f32 to f16
// CHECK: arith.maximumf
// CHECK: arith.negf
// CHECK-NEXT: math.exp
// CHECK-NEXT: arith.addf
// CHECK-NEXT: arith.divf
// CHECK: math.tanh
// CHECK: math.erf
// CHECK: math.exp
// CHECK: arith.maxsi {{.*}} : i32
func.func @unary(%h: tensor<4xf16>, %x: tensor<4xf32>, %i: tensor<4xi32>)
    -> (tensor<4xf16>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>) {
  %0 = dsg.sqrt %h : tensor<4xf16>
  %1 = dsg.relu %x : tensor<4xf32>
  %2 = dsg.sigmoid %x : tensor<4xf32>
  %3 = dsg.tanh %x : tensor<4xf32>
  %4 = dsg.erf %x : tensor<4xf32>
  %5 = dsg.exp %x : tensor<4xf32>
  %6 = dsg.relu %i : tensor<4xi32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4xf16>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @cast
// CHECK: arith.cmpf une, {{.*}} : f32
// CHECK: arith.uitofp {{.*}} : i8 to f32
// CHECK: arith.fptoui {{.*}} : f32 to i16
// CHECK: arith.fptosi {{.*}} : f32 to i64
// CHECK: arith.extui {{.*}} : i1 to i32
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.trunci {{.*}} : i64 to i8
// CHECK: arith.extf {{.*}} : bf16 to f32
// CHECK-NEXT: arith.truncf {{.*}} : f32 to f16
func.func @cast(%x: tensor<4xf32>, %u: tensor<4xui8>, %b: tensor<4xi1>, %s: tensor<4xi8>, %l: tensor<4xi64>, %bf: tensor<4xbf16>)
    -> (tensor<4xi1>, tensor<4xf32>, tensor<4xui16>, tensor<4xi64>, tensor<4xi32>, tensor<4xi32>, tensor<4xui8>, tensor<4xf16>) {
  %0 = dsg.cast %x : tensor<4xf32> -> tensor<4xi1>
  %1 = dsg.cast %u : tensor<4xui8> -> tensor<4xf32>
  %2 = dsg.cast %x : tensor<4xf32> -> tensor<4xui16>
  %3 = dsg.cast %x : tensor<4xf32> -> tensor<4xi64>
  %4 = dsg.cast %b : tensor<4xi1> -> tensor<4xi32>
  %5 = dsg.cast %s : tensor<4xi8> -> tensor<4xi32>
  %6 = dsg.cast %l : tensor<4xi64> -> tensor<4xui8>
  %7 = dsg.cast %bf : tensor<4xbf16> -> tensor<4xf16>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<4xi1>, tensor<4xf32>, tensor<4xui16>, tensor<4xi64>, tensor<4xi32>, tensor<4xi32>, tensor<4xui8>, tensor<4xf16>
}

// -----

// Resource blobs keep their handle and get the signless type.
// CHECK-LABEL: func.func @resource
// CHECK: arith.constant dense_resource<blob> : tensor<2xi8>
func.func @resource() -> tensor<2xui8> {
  %0 = dsg.constant dense_resource<blob> : tensor<2xui8>
  return %0 : tensor<2xui8>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000102"
    }
  }
#-}
