// RUN: ds-opt %s --ds-cpu-lower-strided-copies | FileCheck %s
// RUN: ds-opt %s --ds-cpu-lower-to-llvm | FileCheck %s --check-prefix=LLVM

// A copy into a strided view becomes linalg.copy (then loops); one between
// identity layouts stays a memref.copy (then memcpy). Artifacts never call
// `memrefCopy`, which lives in a library they do not link.

// CHECK-LABEL: func.func @concat
// CHECK: linalg.copy ins(%{{.*}} : memref<4x8xf32>) outs(%{{.*}} : memref<4x8xf32, strided<[16, 1], offset: 8>>)
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<4x8xf32> to memref<4x8xf32>

// LLVM-NOT: memrefCopy
// LLVM: llvm.func @concat
func.func @concat(%a: memref<4x8xf32>, %b: memref<4x8xf32>, %out: memref<4x16xf32>) {
  %view = memref.subview %out[0, 8] [4, 8] [1, 1]
      : memref<4x16xf32> to memref<4x8xf32, strided<[16, 1], offset: 8>>
  memref.copy %a, %view : memref<4x8xf32> to memref<4x8xf32, strided<[16, 1], offset: 8>>
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  return
}
