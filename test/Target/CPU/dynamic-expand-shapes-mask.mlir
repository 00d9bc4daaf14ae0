// RUN: ds-opt %s --split-input-file --ds-cpu-lower-dynamic-expand-shapes | FileCheck %s
// Upstream expand-strided-metadata (MLIR 22.1) crashes on the first two
// functions as they are; after this pass it lowers all of them.
// RUN: ds-opt %s --split-input-file --ds-cpu-lower-dynamic-expand-shapes --expand-strided-metadata | FileCheck %s --check-prefix=META
// RUN: ds-opt %s --split-input-file --ds-cpu-lower-to-llvm | FileCheck %s --check-prefix=LLVM

// A [batch, seq] mask viewed as [batch, 1, seq]: one group, two dynamic
// sizes. Strides, innermost first: the source's stride (1, as the
// identity layout says), then seq, then seq * 1.

// CHECK-LABEL: func.func @mask
// CHECK-SAME: (%[[M:.*]]: memref<?xf32>, %[[B:.*]]: index, %[[S:.*]]: index)
// CHECK: %[[BASE:.*]], %[[OFF:.*]], %[[SIZE:.*]], %[[STRIDE:.*]] = memref.extract_strided_metadata %[[M]]
// CHECK-NOT: arith.muli
// CHECK: %[[V:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[B]], 1, %[[S]]], strides: [%[[S]], %[[S]], 1] : memref<f32> to memref<?x1x?xf32>
// CHECK-NOT: memref.expand_shape
// CHECK: memref.load %[[V]]

// META-LABEL: func.func @mask
// META-NOT: memref.expand_shape
// META: memref.reinterpret_cast
// META: memref.load

// LLVM: llvm.func @mask
func.func @mask(%m: memref<?xf32>, %b: index, %s: index) -> f32 {
  %c0 = arith.constant 0 : index
  %e = memref.expand_shape %m [[0, 1, 2]] output_shape [%b, 1, %s]
      : memref<?xf32> into memref<?x1x?xf32>
  %v = memref.load %e[%c0, %c0, %c0] : memref<?x1x?xf32>
  return %v : f32
}

// -----

// A strided source with a dynamic offset, two groups: [?x?] of source dim
// 0 and [4x16] of source dim 1. The result's static strides stay
// constants; the dynamic ones come from the source's strides.

// CHECK-LABEL: func.func @strided
// CHECK-SAME: (%[[M:.*]]: memref<?x64xf32, strided<[?, 1], offset: ?>>, %[[B:.*]]: index, %[[S:.*]]: index)
// CHECK: %[[BASE:.*]], %[[OFF:.*]], %[[SIZES:.*]]:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[M]]
// CHECK: %[[S1:.*]] = arith.muli %[[STRIDES]]#0, %[[S]] : index
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [%[[OFF]]], sizes: [%[[B]], %[[S]], 4, 16], strides: [%[[S1]], %[[STRIDES]]#0, 16, 1]
// CHECK-SAME: to memref<?x?x4x16xf32, strided<[?, ?, 16, 1], offset: ?>>

// META-LABEL: func.func @strided
// META-NOT: memref.expand_shape
// LLVM: llvm.func @strided
func.func @strided(%m: memref<?x64xf32, strided<[?, 1], offset: ?>>, %b: index, %s: index) -> f32 {
  %c0 = arith.constant 0 : index
  %e = memref.expand_shape %m [[0, 1], [2, 3]] output_shape [%b, %s, 4, 16]
      : memref<?x64xf32, strided<[?, 1], offset: ?>> into memref<?x?x4x16xf32, strided<[?, ?, 16, 1], offset: ?>>
  %v = memref.load %e[%c0, %c0, %c0, %c0] : memref<?x?x4x16xf32, strided<[?, ?, 16, 1], offset: ?>>
  return %v : f32
}

// -----

// Negative: at most one dynamic size per group is what the upstream pass
// handles; those ops are left alone.

// CHECK-LABEL: func.func @one_dynamic_per_group
// CHECK: memref.expand_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] output_shape [%{{.*}}, 4, %{{.*}}, 8]
// CHECK-NOT: memref.reinterpret_cast
// LLVM: llvm.func @one_dynamic_per_group
func.func @one_dynamic_per_group(%m: memref<?x?xf32>, %b: index, %s: index) -> f32 {
  %c0 = arith.constant 0 : index
  %e = memref.expand_shape %m [[0, 1], [2, 3]] output_shape [%b, 4, %s, 8]
      : memref<?x?xf32> into memref<?x4x?x8xf32>
  %v = memref.load %e[%c0, %c0, %c0, %c0] : memref<?x4x?x8xf32>
  return %v : f32
}

// -----

// Negative: static expand_shapes are not touched either.

// CHECK-LABEL: func.func @static
// CHECK: memref.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [2, 3]
// CHECK-NOT: memref.reinterpret_cast
func.func @static(%m: memref<6xf32>) -> memref<2x3xf32> {
  %e = memref.expand_shape %m [[0, 1]] output_shape [2, 3]
      : memref<6xf32> into memref<2x3xf32>
  return %e : memref<2x3xf32>
}
