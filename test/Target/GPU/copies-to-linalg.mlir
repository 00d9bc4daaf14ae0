// RUN: ds-opt %s --ds-gpu-copies-to-linalg | FileCheck %s

// Every ranked copy, contiguous or strided, becomes linalg.copy (then a
// kernel); unranked copies stay.
// CHECK-LABEL: func.func @copies
// CHECK: linalg.copy ins(%arg0 : memref<4x4xf32>) outs(%arg1 : memref<4x4xf32>)
// CHECK: linalg.copy ins(%{{.*}} : memref<2x2xf32, strided<[4, 1], offset: 1>>)
// CHECK: memref.copy %arg2, %arg3 : memref<*xf32> to memref<*xf32>
// CHECK-NOT: memref.copy
func.func @copies(%a: memref<4x4xf32>, %b: memref<4x4xf32>,
                  %u: memref<*xf32>, %v: memref<*xf32>, %c: memref<2x2xf32>) {
  memref.copy %a, %b : memref<4x4xf32> to memref<4x4xf32>
  %s = memref.subview %a[0, 1] [2, 2] [1, 1] : memref<4x4xf32> to memref<2x2xf32, strided<[4, 1], offset: 1>>
  memref.copy %s, %c : memref<2x2xf32, strided<[4, 1], offset: 1>> to memref<2x2xf32>
  memref.copy %u, %v : memref<*xf32> to memref<*xf32>
  return
}
