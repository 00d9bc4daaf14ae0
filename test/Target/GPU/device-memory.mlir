// RUN: ds-opt %s --split-input-file --ds-gpu-device-memory | FileCheck %s

// A constant is uploaded once per artifact through its slot and read from
// the device copy; the input is copied in, the output (written by a copy
// from an intermediate) is not copied in but copied out; the intermediate
// is a device allocation. Every device buffer is stated 256-byte aligned.
memref.global "private" constant @w : memref<4xf32> = dense<1.0>
// CHECK: func.func @f(%[[X:.*]]: memref<4xf32>, %[[Y:.*]]: memref<4xf32>)
// CHECK: %[[HOST:.*]] = memref.get_global @w
// CHECK: %[[HI:.*]] = memref.extract_aligned_pointer_as_index %[[HOST]]
// CHECK: %[[SLOT:.*]] = llvm.mlir.addressof @__ds_resident_w
// CHECK: %[[BYTES:.*]] = llvm.mlir.constant(16 : i64)
// CHECK: %[[DP:.*]] = llvm.call @dsrtGpuResidentConstant(%[[SLOT]], %{{.*}}, %[[BYTES]])
// CHECK: llvm.insertvalue %[[DP]], %{{.*}}[0]
// CHECK: llvm.insertvalue %[[DP]], %{{.*}}[1]
// CHECK: %[[WC:.*]] = builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<4xf32>
// CHECK: %[[W:.*]] = memref.assume_alignment %[[WC]], 256
// CHECK: %[[DX0:.*]] = gpu.alloc  () : memref<4xf32>
// CHECK: %[[DX:.*]] = memref.assume_alignment %[[DX0]], 256
// CHECK: gpu.memcpy  %[[DX0]], %[[X]]
// CHECK: %[[DY0:.*]] = gpu.alloc  () : memref<4xf32>
// CHECK: %[[DY:.*]] = memref.assume_alignment %[[DY0]], 256
// CHECK-NOT: gpu.memcpy  %[[DY0]]
// CHECK: %[[T0:.*]] = gpu.alloc  () : memref<4xf32>
// CHECK: %[[T:.*]] = memref.assume_alignment %[[T0]], 256
// CHECK: linalg.add ins(%[[W]], %[[DX]] : {{.*}}) outs(%[[T]] : memref<4xf32>)
// CHECK: memref.copy %[[T]], %[[DY]]
// CHECK: gpu.dealloc  %[[T]]
// CHECK: gpu.memcpy  %[[Y]], %[[DY]]
// CHECK-NOT: gpu.memcpy  %[[X]]
// CHECK: gpu.dealloc  %[[DX]]
// CHECK: gpu.dealloc  %[[DY]]
// CHECK-NEXT: return
// CHECK-NOT: memref.alloc
// The slot starts null; one destructor frees the constants' device copies
// at unload.
// CHECK: llvm.mlir.global internal @__ds_resident_w() {{.*}} : !llvm.ptr
// CHECK-NEXT: llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.func internal @__ds_release_resident_constants()
// CHECK: %[[S:.*]] = llvm.mlir.addressof @__ds_resident_w
// CHECK: llvm.call @dsrtGpuReleaseResident(%[[S]])
// CHECK: llvm.mlir.global_dtors dtors = [@__ds_release_resident_constants]
func.func @f(%x: memref<4xf32>, %y: memref<4xf32>) {
  %w = memref.get_global @w : memref<4xf32>
  %t = memref.alloc() : memref<4xf32>
  linalg.add ins(%w, %x : memref<4xf32>, memref<4xf32>) outs(%t : memref<4xf32>)
  memref.copy %t, %y : memref<4xf32> to memref<4xf32>
  memref.dealloc %t : memref<4xf32>
  return
}

// -----

// In-place update (the output is read: accumulate) and an output written
// through a view: both are copied in and out. A read-only input is not
// copied out. Dynamic sizes come from the caller's buffer.
// CHECK: func.func @inplace(%[[A:.*]]: memref<?x8xf32>, %[[B:.*]]: memref<?x8xf32>, %[[C:.*]]: memref<2x8xf32>)
// CHECK-NOT: llvm.call
// CHECK: %[[N:.*]] = memref.dim %[[A]], %c0
// CHECK: %[[DA0:.*]] = gpu.alloc  (%[[N]]) : memref<?x8xf32>
// CHECK: gpu.memcpy  %[[DA0]], %[[A]]
// CHECK: %[[DB0:.*]] = gpu.alloc  (%{{.*}}) : memref<?x8xf32>
// CHECK: gpu.memcpy  %[[DB0]], %[[B]]
// CHECK: %[[DC0:.*]] = gpu.alloc  () : memref<2x8xf32>
// CHECK: gpu.memcpy  %[[DC0]], %[[C]]
// CHECK: linalg.generic
// CHECK: memref.subview
// CHECK: linalg.fill
// CHECK-NOT: gpu.memcpy %[[A]]
// CHECK: gpu.memcpy  %[[B]], %{{.*}}
// CHECK: gpu.memcpy  %[[C]], %{{.*}}
// CHECK-COUNT-3: gpu.dealloc
// CHECK-NEXT: return
// No constants: no destructor.
// CHECK-NOT: global_dtors
func.func @inplace(%a: memref<?x8xf32>, %b: memref<?x8xf32>, %c: memref<2x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<?x8xf32>) outs(%b : memref<?x8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  %zero = arith.constant 0.0 : f32
  %v = memref.subview %c[0, 0] [1, 8] [1, 1] : memref<2x8xf32> to memref<1x8xf32, strided<[8, 1]>>
  linalg.fill ins(%zero : f32) outs(%v : memref<1x8xf32, strided<[8, 1]>>)
  return
}

// -----

// A constant returned directly (copied into the output), used twice: one
// device copy per function; private helpers keep their arguments (the
// caller passes device buffers) but their allocations move to the device.
memref.global "private" constant @k : memref<2xf32> = dense<[1.0, 2.0]>
// CHECK-LABEL: func.func private @helper(
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.alloc  () : memref<2xf32>
// CHECK: return
// CHECK-LABEL: func.func @konst(
// CHECK-COUNT-1: llvm.call @dsrtGpuResidentConstant
// CHECK-NOT: llvm.call @dsrtGpuResidentConstant
// CHECK: gpu.alloc
// CHECK-NOT: gpu.memcpy
// CHECK: memref.copy
// CHECK: memref.copy
// CHECK: gpu.memcpy
// CHECK-NOT: gpu.memcpy
// CHECK: return
// CHECK-COUNT-1: llvm.func @dsrtGpuReleaseResident
func.func private @helper(%p: memref<2xf32>) {
  %t = memref.alloc() : memref<2xf32>
  memref.copy %p, %t : memref<2xf32> to memref<2xf32>
  memref.dealloc %t : memref<2xf32>
  return
}
func.func @konst(%out: memref<2xf32>) {
  %k = memref.get_global @k : memref<2xf32>
  memref.copy %k, %out : memref<2xf32> to memref<2xf32>
  %k2 = memref.get_global @k : memref<2xf32>
  memref.copy %k2, %out : memref<2xf32> to memref<2xf32>
  return
}

// -----

// Zero-size tensors are ordinary buffers (the runtime skips empty copies).
// CHECK: func.func @empty(%[[E:.*]]: memref<0x4xf32>, %[[O:.*]]: memref<0x4xf32>)
// CHECK: gpu.alloc  () : memref<0x4xf32>
// CHECK: gpu.memcpy
// CHECK: gpu.alloc  () : memref<0x4xf32>
// CHECK: gpu.memcpy  %[[O]]
func.func @empty(%e: memref<0x4xf32>, %o: memref<0x4xf32>) {
  memref.copy %e, %o : memref<0x4xf32> to memref<0x4xf32>
  return
}

// -----

// A load inside a linalg body (a gather from a constant table) runs in the
// kernel: the table is the device copy.
memref.global "private" constant @table : memref<4x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]>
// CHECK-LABEL: func.func @gather(
// CHECK: %[[T:.*]] = memref.assume_alignment %{{.*}}, 256 : memref<4x2xf32>
// CHECK: linalg.generic
// CHECK: memref.load %[[T]]
func.func @gather(%idx: memref<3xindex>, %out: memref<3x2xf32>) {
  %t = memref.get_global @table : memref<4x2xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%idx : memref<3xindex>) outs(%out : memref<3x2xf32>) {
  ^bb0(%i: index, %o: f32):
    %j = linalg.index 1 : index
    %v = memref.load %t[%i, %j] : memref<4x2xf32>
    linalg.yield %v : f32
  }
  return
}
