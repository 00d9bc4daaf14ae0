// RUN: ds-opt %s --ds-gpu-tensor-core-matmul=allow-tf32=true --cse --split-input-file | FileCheck %s
// RUN: ds-opt %s --ds-gpu-tensor-core-matmul="allow-tf32=true pipeline=false" --cse --split-input-file | FileCheck %s --check-prefix=SYNC
// How ds-gpu-tensor-core-matmul copies the A and B tiles global → shared:
// cp.async into two stages when both operands' tile rows are provably
// 16-byte aligned (memref.assume_alignment, seen through views, and row
// strides), 16-byte-aligned vector loads without pipelining, plain vector
// loads (element alignment) otherwise.

// Both operands are device buffers (assume_alignment 256, as
// ds-gpu-device-memory states them) with 128-byte rows: pipelined. The
// tiles get a leading stage dimension; the prologue copies tile 0 into
// stage 0 (16-byte cp.async, L1 bypassed) and commits it; each iteration
// copies tile k + 1 into the other stage (0 source elements, i.e. zeros,
// past the last tile), commits, waits for all groups but the newest, and
// only then runs the MMAs of tile k out of stage k % 2.
// CHECK-LABEL: func.func @pipelined
// CHECK: %[[A:.*]] = memref.assume_alignment %arg0, 256
// CHECK: %[[B:.*]] = memref.assume_alignment %arg1, 256
// CHECK: gpu.launch
// CHECK-SAME: workgroup(%[[AS:.*]] : memref<2x64x40xbf16, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<2x32x72xbf16, #gpu.address_space<workgroup>>)
// CHECK-COUNT-2: nvgpu.device_async_copy %[[A]][{{.*}}], %[[AS]][%c0, {{.*}}], 8 {bypassL1} : memref<128x64xbf16> to memref<2x64x40xbf16, #gpu.address_space<workgroup>>
// CHECK-COUNT-2: nvgpu.device_async_copy %[[B]][{{.*}}], %[[BS]][%c0, {{.*}}], 8 {bypassL1}
// CHECK: nvgpu.device_async_create_group
// CHECK: scf.for %[[K:.*]] = %c0 to %c64 step %c32 iter_args(
// CHECK: %[[IT:.*]] = arith.divui %[[K]], %c32
// CHECK: %[[STAGE:.*]] = arith.remui %[[IT]], %c2
// CHECK: %[[OTHER:.*]] = arith.subi %c1, %[[STAGE]]
// CHECK: %[[NEXT:.*]] = arith.addi %[[K]], %c32
// CHECK: %[[HAS:.*]] = arith.cmpi ult, %[[NEXT]], %c64
// CHECK: %[[NK:.*]] = arith.minui %[[NEXT]], %c32
// CHECK: %[[N:.*]] = arith.select %[[HAS]], %c8, %c0
// CHECK: nvgpu.device_async_copy %[[A]][{{.*}}], %[[AS]][%[[OTHER]], {{.*}}], 8, %[[N]] {bypassL1}
// CHECK: nvgpu.device_async_copy %[[B]][{{.*}}], %[[BS]][%[[OTHER]], {{.*}}], 8, %[[N]] {bypassL1}
// CHECK: %[[G:.*]] = nvgpu.device_async_create_group
// CHECK: nvgpu.device_async_wait %[[G]] {numGroups = 1 : i32}
// CHECK-NEXT: gpu.barrier
// CHECK: nvgpu.ldmatrix %[[AS]][%[[STAGE]],
// CHECK: nvgpu.ldmatrix %[[BS]][%[[STAGE]],
// CHECK: nvgpu.mma.sync
// CHECK: gpu.barrier
// CHECK-NEXT: scf.yield
// CHECK-NOT: vector.load %[[A]]
// SYNC-LABEL: func.func @pipelined
// SYNC-NOT: nvgpu.device_async_copy
// SYNC: workgroup(%{{.*}} : memref<64x40xbf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<32x72xbf16, #gpu.address_space<workgroup>>)
// SYNC: scf.for
// SYNC-COUNT-2: vector.load %{{.*}} {alignment = 16 : i64} : memref<128x64xbf16>, vector<8xbf16>
// SYNC-COUNT-2: vector.load %{{.*}} {alignment = 16 : i64} : memref<64x128xbf16>, vector<8xbf16>
// SYNC-NOT: nvgpu.device_async
func.func @pipelined(%a0: memref<128x64xbf16>, %b0: memref<64x128xbf16>,
                     %c: memref<128x128xf32>) {
  %a = memref.assume_alignment %a0, 256 : memref<128x64xbf16>
  %b = memref.assume_alignment %b0, 256 : memref<64x128xbf16>
  linalg.matmul ins(%a, %b : memref<128x64xbf16>, memref<64x128xbf16>)
                outs(%c : memref<128x128xf32>)
  return
}

// -----

// M = 40 is padded to 48 (block 16): rows past M copy 0 source elements,
// in the prologue as in the loop.
// CHECK-LABEL: func.func @pipelined_padded_m
// CHECK: gpu.launch
// CHECK: %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %c40
// CHECK: %[[ROW:.*]] = arith.minui %{{.*}}, %c39
// CHECK: %[[N:.*]] = arith.select %[[IN]], %c8, %c0
// CHECK: nvgpu.device_async_copy %{{.*}}[%[[ROW]], %{{.*}}], %{{.*}}[%c0, %{{.*}}, %{{.*}}], 8, %[[N]] {bypassL1}
// CHECK: scf.for
// CHECK: arith.andi
// CHECK: nvgpu.device_async_copy
func.func @pipelined_padded_m(%a0: memref<40x64xf16>, %b0: memref<64x64xf16>,
                              %c: memref<40x64xf32>) {
  %a = memref.assume_alignment %a0, 256 : memref<40x64xf16>
  %b = memref.assume_alignment %b0, 256 : memref<64x64xf16>
  linalg.matmul ins(%a, %b : memref<40x64xf16>, memref<64x64xf16>)
                outs(%c : memref<40x64xf32>)
  return
}

// -----

// Views keep the base's alignment when their offset does: a subview at
// row 64 of an aligned [128, 64] buffer (offset 64·64 elements) and a
// batch_matmul's operands through expand_shape. tf32 takes 4-element
// (16-byte) chunks.
// CHECK-LABEL: func.func @aligned_views
// CHECK: gpu.launch
// CHECK: nvgpu.device_async_copy {{.*}}, 8 {bypassL1} : memref<64x64xbf16, strided<[64, 1], offset: 4096>> to
// CHECK: nvgpu.device_async_copy {{.*}}, 8 {bypassL1} : memref<64x64xbf16> to
// CHECK: nvgpu.device_async_wait
func.func @aligned_views(%a0: memref<128x64xbf16>, %b0: memref<64x64xbf16>,
                         %c: memref<64x64xf32>) {
  %a1 = memref.assume_alignment %a0, 256 : memref<128x64xbf16>
  %b = memref.assume_alignment %b0, 256 : memref<64x64xbf16>
  %a = memref.subview %a1[64, 0] [64, 64] [1, 1]
      : memref<128x64xbf16> to memref<64x64xbf16, strided<[64, 1], offset: 4096>>
  linalg.matmul ins(%a, %b : memref<64x64xbf16, strided<[64, 1], offset: 4096>>, memref<64x64xbf16>)
                outs(%c : memref<64x64xf32>)
  return
}

// -----

// CHECK-LABEL: func.func @aligned_batch_tf32
// CHECK: gpu.launch
// CHECK: nvgpu.device_async_copy {{.*}}, 4 {bypassL1} : memref<2x32x32xf32> to memref<2x32x36xf32, #gpu.address_space<workgroup>>
// CHECK: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
func.func @aligned_batch_tf32(%a0: memref<64x32xf32>, %b0: memref<64x32xf32>,
                              %c: memref<2x32x32xf32>) {
  %a1 = memref.assume_alignment %a0, 256 : memref<64x32xf32>
  %b1 = memref.assume_alignment %b0, 256 : memref<64x32xf32>
  %a = memref.expand_shape %a1 [[0, 1], [2]] output_shape [2, 32, 32]
      : memref<64x32xf32> into memref<2x32x32xf32>
  %b = memref.expand_shape %b1 [[0, 1], [2]] output_shape [2, 32, 32]
      : memref<64x32xf32> into memref<2x32x32xf32>
  linalg.batch_matmul ins(%a, %b : memref<2x32x32xf32>, memref<2x32x32xf32>)
                      outs(%c : memref<2x32x32xf32>)
  return
}

// -----

// Not provably aligned, each for one reason: the old synchronous copies
// with element-aligned vector loads (no alignment attribute) and one stage.
// A caller buffer (no assume_alignment):
// CHECK-LABEL: func.func @unaligned_caller
// CHECK-NOT: nvgpu.device_async_copy
// CHECK: workgroup(%{{.*}} : memref<64x40xbf16, #gpu.address_space<workgroup>>
// CHECK: vector.load %arg0[{{.*}}] : memref<64x64xbf16>, vector<8xbf16>
// CHECK: vector.load %[[B:.*]][{{.*}}] {alignment = 16 : i64} : memref<64x64xbf16>, vector<8xbf16>
// CHECK-NOT: nvgpu.device_async_copy
func.func @unaligned_caller(%a: memref<64x64xbf16>, %b0: memref<64x64xbf16>,
                            %c: memref<64x64xf32>) {
  %b = memref.assume_alignment %b0, 256 : memref<64x64xbf16>
  linalg.matmul ins(%a, %b : memref<64x64xbf16>, memref<64x64xbf16>)
                outs(%c : memref<64x64xf32>)
  return
}

// -----

// A subview at column 4 (8 bytes into each row) of an aligned buffer, and
// a view whose rows are 264 bytes apart (row stride 132 bf16).
// CHECK-LABEL: func.func @unaligned_views
// CHECK-NOT: nvgpu.device_async_copy
// CHECK: vector.load %{{.*}} : memref<64x64xbf16, strided<[68, 1], offset: 4>>, vector<8xbf16>
// CHECK: vector.load %{{.*}} : memref<64x64xbf16, strided<[132, 1]>>, vector<8xbf16>
// CHECK-NOT: alignment = 16 : i64} : memref<64x64xbf16, strided
func.func @unaligned_views(%a0: memref<64x68xbf16>, %b0: memref<64x132xbf16>,
                           %c: memref<64x64xf32>) {
  %a1 = memref.assume_alignment %a0, 256 : memref<64x68xbf16>
  %b1 = memref.assume_alignment %b0, 256 : memref<64x132xbf16>
  %a = memref.subview %a1[0, 4] [64, 64] [1, 1]
      : memref<64x68xbf16> to memref<64x64xbf16, strided<[68, 1], offset: 4>>
  %b = memref.subview %b1[0, 0] [64, 64] [1, 1]
      : memref<64x132xbf16> to memref<64x64xbf16, strided<[132, 1]>>
  linalg.matmul ins(%a, %b : memref<64x64xbf16, strided<[68, 1], offset: 4>>, memref<64x64xbf16, strided<[132, 1]>>)
                outs(%c : memref<64x64xf32>)
  return
}

// -----

// An alignment below 16 bytes proves nothing.
// CHECK-LABEL: func.func @weakly_aligned
// CHECK-NOT: nvgpu.device_async_copy
// CHECK-NOT: alignment = 16 : i64} : memref<64x64xbf16>,
func.func @weakly_aligned(%a0: memref<64x64xbf16>, %b0: memref<64x64xbf16>,
                          %c: memref<64x64xf32>) {
  %a = memref.assume_alignment %a0, 8 : memref<64x64xbf16>
  %b = memref.assume_alignment %b0, 8 : memref<64x64xbf16>
  linalg.matmul ins(%a, %b : memref<64x64xbf16>, memref<64x64xbf16>)
                outs(%c : memref<64x64xf32>)
  return
}

// -----

// N = 30 and K = 20 (not multiples of 8): padded to the tiles (N to 32,
// K to 32), chunks straddling a row's end copied element by element with
// the elements past it zero, and stores past N skipped. Never pipelined.
// CHECK-LABEL: func.func @padded_n_k
// CHECK: gpu.launch
// CHECK-NOT: nvgpu.device_async_copy
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c16
// A's columns past K = 20:
// CHECK: arith.cmpi ult, %{{.*}}, %c20
// CHECK: arith.minui %{{.*}}, %c19
// CHECK: memref.load %arg0
// CHECK: arith.select
// B's rows past K and columns past N:
// CHECK: arith.cmpi ult, %{{.*}}, %c30
// CHECK: memref.load %arg1
// CHECK: nvgpu.mma.sync
// CHECK: scf.yield
// CHECK: scf.if
// CHECK: memref.store %{{.*}}, %arg2
func.func @padded_n_k(%a: memref<30x20xf16>, %b: memref<20x30xf16>,
                      %c: memref<30x30xf32>) {
  linalg.matmul ins(%a, %b : memref<30x20xf16>, memref<20x30xf16>)
                outs(%c : memref<30x30xf32>)
  return
}
