// RUN: ds-opt %s --ds-cpu-results-to-out-params --split-input-file | FileCheck %s

// Static results become out-parameters (ABI version 2).
// CHECK-LABEL: func.func @static(
// CHECK-SAME: %{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32>) {
func.func @static(%x: memref<4xf32>) -> memref<4xf32> {
  %0 = memref.alloc() : memref<4xf32>
  memref.copy %x, %0 : memref<4xf32> to memref<4xf32>
  return %0 : memref<4xf32>
}

// -----

// A dynamic result keeps every result, static ones included: the callee
// allocates them (ABI version 3).
// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME: %{{.*}}: memref<?xf32>) -> (memref<?xf32>, memref<2xf32>) {
func.func @dynamic(%x: memref<?xf32>) -> (memref<?xf32>, memref<2xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  %0 = memref.alloc(%n) : memref<?xf32>
  %1 = memref.alloc() : memref<2xf32>
  return %0, %1 : memref<?xf32>, memref<2xf32>
}
