// RUN: ds-opt %s --ds-convert-graph-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @reshape_static
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: tensor.collapse_shape {{.*}} {{\[}}[0, 1]] : tensor<6x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape {{.*}} {{\[}}[0, 1, 2]] output_shape [4, 3, 2] : tensor<24xf32> into tensor<4x3x2xf32>
func.func @reshape_static(%x: tensor<2x3x4xf32>, %s: tensor<2xi64>) -> (tensor<6x4xf32>, tensor<4x3x2xf32>) {
  %0 = dsg.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  %1 = dsg.reshape %0 : (tensor<6x4xf32>) -> tensor<4x3x2xf32>
  return %0, %1 : tensor<6x4xf32>, tensor<4x3x2xf32>
}

// -----

// ONNX 0 and -1 are resolved at run time.
// CHECK-LABEL: func.func @reshape_dynamic
// CHECK: tensor.extract %arg1
// CHECK: arith.cmpi eq
// CHECK: arith.select
// CHECK: arith.divsi
// The row-major reshape is a collapse to 1-D and an expand to the run-time
// sizes (views, no memref.reshape after bufferization).
// CHECK: %[[D:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: %[[F:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1]] : tensor<?x4xf32> into tensor<?xf32>
// CHECK: tensor.expand_shape %[[F]] {{\[}}[0, 1]] output_shape [%[[D]], 2] : tensor<?xf32> into tensor<?x2xf32>
func.func @reshape_dynamic(%x: tensor<?x4xf32>, %s: tensor<2xi64>) -> tensor<?x2xf32> {
  %0 = dsg.reshape %x, %s : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x2x3xi8>
// CHECK: linalg.transpose ins(%arg0 : tensor<2x3x4xi8>) outs(%[[E]] : tensor<4x2x3xi8>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xui8>) -> tensor<4x2x3xui8> {
  %0 = dsg.transpose %x {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xui8> -> tensor<4x2x3xui8>
  return %0 : tensor<4x2x3xui8>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<2x?xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK: %[[B:.*]] = tensor.insert_slice %arg1 into %[[A]][0, 3] [2, %{{.*}}] [1, 1]
// CHECK: tensor.insert_slice %arg0 into %[[B]][0, %{{.*}}] [2, 3] [1, 1]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %0 = dsg.concat %a, %b, %a {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x?xf32>, tensor<2x3xf32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @gather
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%arg1 : tensor<2x2xi32>)
// CHECK: arith.index_cast {{.*}} : i32 to index
// CHECK: arith.cmpi slt
// CHECK: arith.select
// CHECK: %[[I0:.*]] = linalg.index 0
// CHECK: %[[I3:.*]] = linalg.index 3
// CHECK: tensor.extract %arg0[%[[I0]], %{{.*}}, %[[I3]]] : tensor<3x4x2xf32>
func.func @gather(%x: tensor<3x4x2xf32>, %i: tensor<2x2xi32>) -> tensor<3x2x2x2xf32> {
  %0 = dsg.gather %x, %i {axis = 1 : i64} : (tensor<3x4x2xf32>, tensor<2x2xi32>) -> tensor<3x2x2x2xf32>
  return %0 : tensor<3x2x2x2xf32>
}
