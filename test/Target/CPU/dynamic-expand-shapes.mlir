// RUN: ds-opt %s --ds-cpu-lower-dynamic-expand-shapes --split-input-file | FileCheck %s
// RUN: ds-opt %s --ds-cpu-lower-to-llvm --split-input-file | FileCheck %s --check-prefix=LLVM

// memref.expand_shape ops that split one dimension into several dynamic ones
// become reinterpret_casts of the source's base buffer; the others are left
// to expand-strided-metadata. Upstream's expand-strided-metadata (LLVM 22)
// crashes on the first kind (llvm/llvm-project#186830); the LLVM run checks
// that the whole CPU pipeline gets through each function.

// A 1-D buffer to ?x? (ONNX Reshape to [0, -1] of a tensor with unknown
// sizes): the inner stride is the source's, the outer one the inner size.
// CHECK-LABEL: func.func @two_dynamic
// CHECK-SAME:    (%[[M:.*]]: memref<?xf32>, %[[A:.*]]: index, %[[B:.*]]: index
// CHECK:         %[[BASE:.*]], %{{.*}}, %{{.*}}, %{{.*}} = memref.extract_strided_metadata %[[M]]
// CHECK:         memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[A]], %[[B]]], strides: [%[[B]], 1]
// CHECK-SAME:      : memref<f32> to memref<?x?xf32>
// CHECK-NOT:     memref.expand_shape
// LLVM: llvm.func @two_dynamic
func.func @two_dynamic(%m: memref<?xf32>, %a: index, %b: index, %out: memref<?x?xf32>) {
  %e = memref.expand_shape %m [[0, 1]] output_shape [%a, %b] : memref<?xf32> into memref<?x?xf32>
  memref.copy %e, %out : memref<?x?xf32> to memref<?x?xf32>
  return
}

// -----

// Three dynamic sizes in one group: the strides are running products.
// CHECK-LABEL: func.func @three_dynamic
// CHECK-SAME:    (%[[M:.*]]: memref<?xf32>, %[[A:.*]]: index, %[[B:.*]]: index, %[[C:.*]]: index
// CHECK:         %[[BASE:.*]], %{{.*}}, %{{.*}}, %{{.*}} = memref.extract_strided_metadata %[[M]]
// CHECK:         %[[BC:.*]] = arith.muli %[[C]], %[[B]] : index
// CHECK:         memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[A]], %[[B]], %[[C]]], strides: [%[[BC]], %[[C]], 1]
// LLVM: llvm.func @three_dynamic
func.func @three_dynamic(%m: memref<?xf32>, %a: index, %b: index, %c: index, %out: memref<?x?x?xf32>) {
  %e = memref.expand_shape %m [[0, 1, 2]] output_shape [%a, %b, %c] : memref<?xf32> into memref<?x?x?xf32>
  memref.copy %e, %out : memref<?x?x?xf32> to memref<?x?x?xf32>
  return
}

// -----

// A strided source with a dynamic offset: the group's innermost dimension
// keeps the source dimension's stride, and the offset is the source's. The
// static group (the 4) keeps its stride of 1.
// CHECK-LABEL: func.func @strided_source
// CHECK-SAME:    (%[[M:.*]]: memref<?x4xf32, strided<[?, 1], offset: ?>>, %[[A:.*]]: index, %[[B:.*]]: index
// CHECK:         %[[BASE:.*]], %[[OFF:.*]], %{{.*}}:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[M]]
// CHECK:         %[[OUTER:.*]] = arith.muli %[[STRIDES]]#0, %[[B]] : index
// CHECK:         memref.reinterpret_cast %[[BASE]] to offset: [%[[OFF]]], sizes: [%[[A]], %[[B]], 4], strides: [%[[OUTER]], %[[STRIDES]]#0, 1]
// CHECK-SAME:      to memref<?x?x4xf32, strided<[?, ?, 1], offset: ?>>
// LLVM: llvm.func @strided_source
func.func @strided_source(%m: memref<?x4xf32, strided<[?, 1], offset: ?>>, %a: index, %b: index, %out: memref<?x?x4xf32>) {
  %e = memref.expand_shape %m [[0, 1], [2]] output_shape [%a, %b, 4]
      : memref<?x4xf32, strided<[?, 1], offset: ?>> into memref<?x?x4xf32, strided<[?, ?, 1], offset: ?>>
  memref.copy %e, %out : memref<?x?x4xf32, strided<[?, ?, 1], offset: ?>> to memref<?x?x4xf32>
  return
}

// -----

// At most one dynamic size per group: left to expand-strided-metadata.
// CHECK-LABEL: func.func @one_dynamic_per_group
// CHECK-NOT:     memref.reinterpret_cast
// CHECK:         memref.expand_shape %{{.*}} {{\[}}[0, 1], [2, 3]] output_shape [%{{.*}}, 3, 2, %{{.*}}]
// CHECK-NOT:     memref.reinterpret_cast
// LLVM: llvm.func @one_dynamic_per_group
func.func @one_dynamic_per_group(%m: memref<?x?xf32>, %a: index, %b: index, %out: memref<?x3x2x?xf32>) {
  %e = memref.expand_shape %m [[0, 1], [2, 3]] output_shape [%a, 3, 2, %b] : memref<?x?xf32> into memref<?x3x2x?xf32>
  memref.copy %e, %out : memref<?x3x2x?xf32> to memref<?x3x2x?xf32>
  return
}
