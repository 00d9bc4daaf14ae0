// RUN: ds-opt %s --ds-gpu-map-host-memory | FileCheck %s

// Arguments are registered for the call, globals at their use, and
// allocations become host-shared device allocations freed on a stream.
memref.global "private" constant @w : memref<4xf32> = dense<1.0>
// CHECK-LABEL: func.func @f
// CHECK: %[[A:.*]] = memref.cast %arg0 : memref<4xf32> to memref<*xf32>
// CHECK: gpu.host_register %[[A]] : memref<*xf32>
// CHECK: %[[W:.*]] = memref.get_global @w
// CHECK: %[[WU:.*]] = memref.cast %[[W]]
// CHECK: gpu.host_register %[[WU]]
// CHECK: %[[T:.*]] = gpu.alloc  host_shared () : memref<4xf32>
// CHECK: %[[S:.*]] = gpu.wait async
// CHECK: %[[D:.*]] = gpu.dealloc async [%[[S]]] %[[T]]
// CHECK: gpu.wait [%[[D]]]
// CHECK: gpu.host_unregister %[[A]] : memref<*xf32>
// CHECK-NEXT: return
// CHECK-NOT: memref.alloc
func.func @f(%x: memref<4xf32>, %n: index) {
  %w = memref.get_global @w : memref<4xf32>
  %t = memref.alloc() : memref<4xf32>
  memref.copy %w, %t : memref<4xf32> to memref<4xf32>
  memref.copy %t, %x : memref<4xf32> to memref<4xf32>
  memref.dealloc %t : memref<4xf32>
  return
}
