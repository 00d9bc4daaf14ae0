// RUN: ds-opt %s --split-input-file --ds-cpu-plan-buffers | FileCheck %s
// RUN: ds-opt %s --split-input-file --ds-cpu-plan-buffers=in-place=false | FileCheck %s --check-prefix=NOINPLACE
// RUN: not ds-opt %s --split-input-file --ds-cpu-plan-buffers=alignment=48 2>&1 | FileCheck %s --check-prefix=BADALIGN

// BADALIGN: alignment must be a power of two, got 48

#id = affine_map<(d0, d1) -> (d0, d1)>

// A chain a → t0 → t1 → t2 → out: t0 dies where t1 is born, so without
// in-place reuse t0 and t2 share bytes and t1 sits beside them; with it,
// each exp writes over its dead input and one slot holds all three.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: ds.arena_bytes = 128 : i64, ds.buffer_bytes = 384 : i64
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
// CHECK-NOT: memref.alloc
// CHECK: memref.view %[[ARENA]][%{{.*}}][] : memref<128xi8> to memref<4x8xf32>
// NOINPLACE-LABEL: func.func @chain
// NOINPLACE-SAME: ds.arena_bytes = 256 : i64, ds.buffer_bytes = 384 : i64
func.func @chain(%a: memref<4x8xf32>, %out: memref<4x8xf32>) {
  %t0 = memref.alloc() : memref<4x8xf32>
  %t1 = memref.alloc() : memref<4x8xf32>
  %t2 = memref.alloc() : memref<4x8xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<4x8xf32>) outs(%t0 : memref<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %e = math.exp %x : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t0 : memref<4x8xf32>) outs(%t1 : memref<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %e = math.exp %x : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t1 : memref<4x8xf32>) outs(%t2 : memref<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %e = math.exp %x : f32
    linalg.yield %e : f32
  }
  memref.copy %t2, %out : memref<4x8xf32> to memref<4x8xf32>
  return
}

// -----

// Both temporaries are live at the add: disjoint bytes. The 4x8 (128 B)
// one is placed first (larger), the 2x4 (32 B) one above it, at 128.
// CHECK-LABEL: func.func @overlap
// CHECK-SAME: ds.arena_bytes = 192 : i64, ds.buffer_bytes = 160 : i64
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG: memref.view %{{.*}}[%[[C0]]][] : memref<192xi8> to memref<4x8xf32>
// CHECK-DAG: memref.view %{{.*}}[%[[C128]]][] : memref<192xi8> to memref<2x4xf32>
func.func @overlap(%a: memref<4x8xf32>, %out: memref<2x4xf32>) {
  %big = memref.alloc() : memref<4x8xf32>
  %small = memref.alloc() : memref<2x4xf32>
  memref.copy %a, %big : memref<4x8xf32> to memref<4x8xf32>
  %s = memref.subview %big[0, 0] [2, 4] [1, 1] : memref<4x8xf32> to memref<2x4xf32, strided<[8, 1]>>
  memref.copy %s, %small : memref<2x4xf32, strided<[8, 1]>> to memref<2x4xf32>
  linalg.add ins(%s, %small : memref<2x4xf32, strided<[8, 1]>>, memref<2x4xf32>) outs(%out : memref<2x4xf32>)
  return
}

// -----

// Not in place: the output reads its input transposed, so writing an
// element could clobber one still to be read.
// CHECK-LABEL: func.func @transposed
// CHECK-SAME: ds.arena_bytes = 512 : i64, ds.buffer_bytes = 512 : i64
#id = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>
func.func @transposed(%a: memref<8x8xf32>, %out: memref<8x8xf32>) {
  %t0 = memref.alloc() : memref<8x8xf32>
  %t1 = memref.alloc() : memref<8x8xf32>
  linalg.copy ins(%a : memref<8x8xf32>) outs(%t0 : memref<8x8xf32>)
  linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t0 : memref<8x8xf32>) outs(%t1 : memref<8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  memref.copy %t1, %out : memref<8x8xf32> to memref<8x8xf32>
  return
}

// -----

// Left alone: a dynamic shape, a returned buffer, a buffer whose pointer
// is taken, and a sub-byte element type. Nothing to plan, no arena.
// CHECK-LABEL: func.func @untouched
// CHECK-NOT: ds.arena_bytes
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: memref.alloc() : memref<8xf32>
// CHECK: memref.alloc() : memref<8xf32>
// CHECK: memref.alloc() : memref<8xi4>
// CHECK-NOT: memref.view
func.func @untouched(%n: index) -> (memref<?xf32>, memref<8xf32>, index) {
  %d = memref.alloc(%n) : memref<?xf32>
  %r = memref.alloc() : memref<8xf32>
  %p = memref.alloc() : memref<8xf32>
  %i = memref.extract_aligned_pointer_as_index %p : memref<8xf32> -> index
  %q = memref.alloc() : memref<8xi4>
  return %d, %r, %i : memref<?xf32>, memref<8xf32>, index
}

// -----

// A buffer used in a loop is live for the whole loop: %t1, first used
// after the loop, may reuse %t0's bytes; %t2, used inside, may not.
// CHECK-LABEL: func.func @loop
// CHECK-SAME: ds.arena_bytes = 128 : i64, ds.buffer_bytes = 192 : i64
func.func @loop(%a: memref<16xf32>, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %t0 = memref.alloc() : memref<16xf32>
  %t2 = memref.alloc() : memref<16xf32>
  %t1 = memref.alloc() : memref<16xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    memref.copy %a, %t0 : memref<16xf32> to memref<16xf32>
    memref.copy %t0, %t2 : memref<16xf32> to memref<16xf32>
  }
  memref.copy %t2, %t1 : memref<16xf32> to memref<16xf32>
  memref.copy %t1, %out : memref<16xf32> to memref<16xf32>
  return
}

// -----

// Addresses passed to kernel calls (as ds-cpu-fuse-conv-kernels passes
// them): %t0 is live until the second call, which reads it through a view,
// so %t1 gets other bytes; %t2, first used after that call, reuses %t0's.
// CHECK-LABEL: func.func @kernel_calls
// CHECK-SAME: ds.arena_bytes = 128 : i64, ds.buffer_bytes = 192 : i64
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
// CHECK: %[[V0:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<128xi8> to memref<16xf32>
// CHECK: %[[V1:.*]] = memref.view %[[ARENA]][%c64{{.*}}][] : memref<128xi8> to memref<16xf32>
// CHECK: memref.extract_aligned_pointer_as_index %[[V0]]
// CHECK: memref.extract_aligned_pointer_as_index %[[V1]]
// CHECK: %[[V2:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<128xi8> to memref<16xf32>
func.func private @dsrt_kernel_test(!llvm.ptr, !llvm.ptr)
func.func @kernel_calls(%a: memref<16xf32>, %out: memref<16xf32>) {
  %t0 = memref.alloc() : memref<16xf32>
  memref.copy %a, %t0 : memref<16xf32> to memref<16xf32>
  %t1 = memref.alloc() : memref<16xf32>
  %i0 = memref.extract_aligned_pointer_as_index %t0 : memref<16xf32> -> index
  %c0 = arith.index_cast %i0 : index to i64
  %p0 = llvm.inttoptr %c0 : i64 to !llvm.ptr
  %i1 = memref.extract_aligned_pointer_as_index %t1 : memref<16xf32> -> index
  %c1 = arith.index_cast %i1 : index to i64
  %p1 = llvm.inttoptr %c1 : i64 to !llvm.ptr
  func.call @dsrt_kernel_test(%p0, %p1) : (!llvm.ptr, !llvm.ptr) -> ()
  %e0 = memref.expand_shape %t0 [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  %i2 = memref.extract_aligned_pointer_as_index %e0 : memref<4x4xf32> -> index
  %c2 = arith.index_cast %i2 : index to i64
  %p2 = llvm.inttoptr %c2 : i64 to !llvm.ptr
  func.call @dsrt_kernel_test(%p2, %p1) : (!llvm.ptr, !llvm.ptr) -> ()
  %t2 = memref.alloc() : memref<16xf32>
  memref.copy %t1, %t2 : memref<16xf32> to memref<16xf32>
  memref.copy %t2, %out : memref<16xf32> to memref<16xf32>
  return
}

// -----

// An address that is stored, or passed to anything but a runtime kernel
// (which might keep it, like an asynchronous collective), may outlive every
// use the pass can see: those buffers stay separate allocations.
// CHECK-LABEL: func.func @escaping_pointer
// CHECK-NOT: ds.arena_bytes
// CHECK: memref.alloc() : memref<16xf32>
// CHECK: memref.alloc() : memref<16xf32>
// CHECK-NOT: memref.view
func.func private @dsrt_start_async(!llvm.ptr)
func.func @escaping_pointer(%slot: !llvm.ptr) {
  %t0 = memref.alloc() : memref<16xf32>
  %i0 = memref.extract_aligned_pointer_as_index %t0 : memref<16xf32> -> index
  %c0 = arith.index_cast %i0 : index to i64
  %p0 = llvm.inttoptr %c0 : i64 to !llvm.ptr
  llvm.store %p0, %slot : !llvm.ptr, !llvm.ptr
  %t1 = memref.alloc() : memref<16xf32>
  %i1 = memref.extract_aligned_pointer_as_index %t1 : memref<16xf32> -> index
  %c1 = arith.index_cast %i1 : index to i64
  %p1 = llvm.inttoptr %c1 : i64 to !llvm.ptr
  func.call @dsrt_start_async(%p1) : (!llvm.ptr) -> ()
  return
}
