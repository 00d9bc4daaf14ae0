// RUN: ds-opt %s --split-input-file --ds-gpu-mfma-matmul=report-skipped=true -verify-diagnostics | FileCheck %s
// RUN: ds-opt %s --split-input-file --ds-gpu-mfma-matmul="chip=gfx1100 report-skipped=true" | FileCheck %s --check-prefix=RDNA
// RUN: ds-opt %s --split-input-file --ds-gpu-mfma-matmul="chip=gfx1100 report-skipped=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=RDNA-REMARK
// RUN: ds-opt %s --split-input-file --ds-gpu-mfma-matmul="chip=gfx908 report-skipped=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=GFX908-REMARK

// What stays on the SIMT path, each with its reason.
// CHECK-LABEL: func.func @skipped
// CHECK-COUNT-8: linalg.matmul
// CHECK-NOT: gpu.launch
func.func @skipped(%a: memref<30x64xf16>, %b: memref<64x64xf16>,
                   %c: memref<30x8xf32>, %d: memref<?x64xf16>,
                   %e: memref<?x64xf32>, %i: memref<32x64xi8>,
                   %i2: memref<64x64xi8>, %c2: memref<32x64xf32>,
                   %h: memref<32x64xf16>, %ch: memref<32x64xf16>,
                   %t: memref<64x32xf16>, %c32: memref<32x32xf32>,
                   %b8: memref<64x8xf16>, %h8: memref<32x8xf16>,
                   %k8: memref<8x64xf16>, %f6: memref<32x6xf32>,
                   %g6: memref<6x64xf32>) {
  // expected-remark @below {{matmul left to the SIMT path: N not a multiple of 16, K not a multiple of 16, or an empty operand}}
  linalg.matmul ins(%a, %b8 : memref<30x64xf16>, memref<64x8xf16>)
                outs(%c : memref<30x8xf32>)
  // f16 K = 8 is not a whole 16x16x16 step.
  // expected-remark @below {{matmul left to the SIMT path: N not a multiple of 16, K not a multiple of 16, or an empty operand}}
  linalg.matmul ins(%h8, %k8 : memref<32x8xf16>, memref<8x64xf16>)
                outs(%c2 : memref<32x64xf32>)
  // f32 K = 6 is not a multiple of 4.
  // expected-remark @below {{matmul left to the SIMT path: N not a multiple of 16, K not a multiple of 4, or an empty operand}}
  linalg.matmul ins(%f6, %g6 : memref<32x6xf32>, memref<6x64xf32>)
                outs(%c2 : memref<32x64xf32>)
  // expected-remark @below {{matmul left to the SIMT path: dynamic shape or non-unit innermost stride}}
  linalg.matmul ins(%d, %b : memref<?x64xf16>, memref<64x64xf16>)
                outs(%e : memref<?x64xf32>)
  // expected-remark @below {{matmul left to the SIMT path: element type without an MFMA kernel}}
  linalg.matmul ins(%i, %i2 : memref<32x64xi8>, memref<64x64xi8>)
                outs(%c2 : memref<32x64xf32>)
  // expected-remark @below {{matmul left to the SIMT path: mixed input types or a non-f32 result}}
  linalg.matmul ins(%h, %b : memref<32x64xf16>, memref<64x64xf16>)
                outs(%ch : memref<32x64xf16>)
  // expected-remark @below {{matmul left to the SIMT path: user-defined indexing maps}}
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                                 affine_map<(m, n, k) -> (k, n)>,
                                 affine_map<(m, n, k) -> (m, n)>]
                ins(%t, %b : memref<64x32xf16>, memref<64x64xf16>)
                outs(%c2 : memref<32x64xf32>)
  // A strided (column) view of B: the innermost stride is not 1.
  %col = memref.subview %b[0, 0] [32, 64] [1, 1] : memref<64x64xf16> to memref<32x64xf16, strided<[64, 1]>>
  %tr = memref.transpose %col (i, j) -> (j, i) : memref<32x64xf16, strided<[64, 1]>> to memref<64x32xf16, strided<[1, 64]>>
  // expected-remark @below {{matmul left to the SIMT path: dynamic shape or non-unit innermost stride}}
  linalg.matmul ins(%h, %tr : memref<32x64xf16>, memref<64x32xf16, strided<[1, 64]>>)
                outs(%c32 : memref<32x32xf32>)
  return
}

// -----

// Matmuls on tensors (before bufferization) are not taken.
// CHECK-LABEL: func.func @tensors
// CHECK: linalg.matmul
// CHECK-NOT: gpu.launch
func.func @tensors(%a: tensor<32x32xf32>, %b: tensor<32x32xf32>,
                   %c: tensor<32x32xf32>) -> tensor<32x32xf32> {
  // expected-remark @below {{matmul left to the SIMT path: not on buffers}}
  %r = linalg.matmul ins(%a, %b : tensor<32x32xf32>, tensor<32x32xf32>)
                     outs(%c : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %r : tensor<32x32xf32>
}

// -----

// A chip without the MFMA instructions keeps every matmul on the SIMT path
// (RDNA has WMMA, gfx908 lacks v_mfma_f32_16x16x16bf16_1k), even an
// eligible one.
// RDNA-LABEL: func.func @eligible
// RDNA: linalg.matmul
// RDNA-NOT: gpu.launch
// RDNA-REMARK: remark: matmul left to the SIMT path: chip 'gfx1100' has no MFMA kernel (gfx90a, gfx940, gfx941, gfx942, gfx950)
// GFX908-REMARK: remark: matmul left to the SIMT path: chip 'gfx908' has no MFMA kernel
// CHECK-LABEL: func.func @eligible
// CHECK: gpu.launch
func.func @eligible(%a: memref<32x32xf32>, %b: memref<32x32xf32>,
                    %c: memref<32x32xf32>) {
  linalg.matmul ins(%a, %b : memref<32x32xf32>, memref<32x32xf32>)
                outs(%c : memref<32x32xf32>)
  return
}
