// RUN: ds-opt %s --ds-gpu-warpgroup-matmul="chip=sm_90a" | FileCheck %s
// Any chip but sm_90a: every matmul is left alone, with the reason.
// RUN: ds-opt %s --ds-gpu-warpgroup-matmul="chip=sm_90 report-skipped=true" 2>&1 | FileCheck %s --check-prefix=CHIP
// CHIP-COUNT-3: remark: matmul left to mma.sync: wgmma needs chip sm_90a, compiling for 'sm_90'
// CHIP-NOT: gpu.launch

// bf16, 128 × 256 × 128: BN = 128, grid (2, 2, 1), one warpgroup; a
// 1024-byte-aligned buffer of 1024 + 64·128 + 128·128 bytes; per K step of
// 64 the swizzled copies, the proxy fence, four m64n128k16 wgmma on
// in-kernel descriptors, commit, wait; then C += D.
// CHECK-LABEL: func.func @bf16
// CHECK-NOT: linalg.matmul
// CHECK: %[[C128:.*]] = arith.constant 128 : index
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}}) threads({{.*}}) in ({{.*}} = %[[C128]],
// CHECK-SAME: workgroup(%[[BUF:.*]] : memref<12800xbf16, #gpu.address_space<workgroup>>)
// CHECK: memref.extract_aligned_pointer_as_index %[[BUF]]
// CHECK: llvm.mlir.zero : !llvm.struct<(f32{{(, f32)+}})>
// CHECK: scf.for
// CHECK: arith.xori
// CHECK: vector.store {{.*}}, %[[BUF]]
// CHECK: memref.store {{.*}}, %[[BUF]]
// CHECK: nvvm.fence.proxy
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: nvvm.wgmma.fence.aligned
// CHECK-COUNT-4: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK-NEXT: nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-NEXT: gpu.barrier
// CHECK: llvm.extractvalue
// CHECK: arith.addf {{.*}} : vector<2xf32>
// CHECK-NOT: scf.if
// CHECK: gpu.terminator
func.func @bf16(%a: memref<128x128xbf16>, %b: memref<128x256xbf16>,
                %c: memref<128x256xf32>) {
  linalg.matmul ins(%a, %b : memref<128x128xbf16>, memref<128x256xbf16>)
                outs(%c : memref<128x256xf32>)
  return
}

// f16 batch matmul, M = 100: BN = 64, grid (1, 2, 3); A rows past M are
// zeros (clamped load + select), stores past M are guarded.
// CHECK-LABEL: func.func @batched_padded
// CHECK-NOT: linalg.batch_matmul
// CHECK: gpu.launch
// CHECK-SAME: workgroup(%[[BUF:.*]] : memref<8704xf16, #gpu.address_space<workgroup>>)
// CHECK: arith.minui
// CHECK: arith.select
// CHECK-COUNT-4: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 64, k = 16>, D[<f32>, <one>], A[<f16>, <one>, <row>], B[<f16>, <one>, <col>]
// CHECK: scf.if
// CHECK: vector.load {{.*}} : memref<3x100x64xf32>, vector<2xf32>
func.func @batched_padded(%a: memref<3x100x64xf16>, %b: memref<3x64x64xf16>,
                          %c: memref<3x100x64xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<3x100x64xf16>, memref<3x64x64xf16>)
                      outs(%c : memref<3x100x64xf32>)
  return
}

// N = 48: the largest tile dividing it is 16 (m64n16k16).
// CHECK-LABEL: func.func @narrow
// CHECK: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 16, k = 16>
func.func @narrow(%a: memref<64x64xbf16>, %b: memref<64x48xbf16>,
                  %c: memref<64x48xf32>) {
  linalg.matmul ins(%a, %b : memref<64x64xbf16>, memref<64x48xbf16>)
                outs(%c : memref<64x48xf32>)
  return
}
