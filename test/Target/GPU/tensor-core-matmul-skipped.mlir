// RUN: ds-opt %s --ds-gpu-tensor-core-matmul=report-skipped=true -verify-diagnostics | FileCheck %s

// What stays on the SIMT path, each with its reason.
// CHECK-LABEL: func.func @skipped
// CHECK-COUNT-7: linalg.matmul
// CHECK-NOT: gpu.launch
func.func @skipped(%a: memref<30x64xf16>, %b: memref<64x64xf16>,
                   %c: memref<30x30xf32>, %d: memref<?x64xf16>,
                   %e: memref<?x64xf32>, %i: memref<32x64xi8>,
                   %i2: memref<64x64xi8>, %c2: memref<32x64xf32>,
                   %h: memref<32x64xf16>, %ch: memref<32x64xf16>,
                   %t: memref<64x32xf16>, %c32: memref<32x32xf32>,
                   %f: memref<64x64xf32>, %b0: memref<64x0xf16>,
                   %c0: memref<30x0xf32>) {
  // expected-remark @below {{matmul left to the SIMT path: f32 without allow-tf32}}
  linalg.matmul ins(%c2, %f : memref<32x64xf32>, memref<64x64xf32>)
                outs(%c2 : memref<32x64xf32>)
  // N, K not multiples of 8 are padded (tensor-core-copies.mlir); an
  // empty dimension is not.
  // expected-remark @below {{matmul left to the SIMT path: an empty dimension (M, N or K = 0)}}
  linalg.matmul ins(%a, %b0 : memref<30x64xf16>, memref<64x0xf16>)
                outs(%c0 : memref<30x0xf32>)
  // expected-remark @below {{matmul left to the SIMT path: dynamic shape or non-unit innermost stride}}
  linalg.matmul ins(%d, %b : memref<?x64xf16>, memref<64x64xf16>)
                outs(%e : memref<?x64xf32>)
  // expected-remark @below {{matmul left to the SIMT path: element type without an mma.sync kernel}}
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
  // A strided (column) view of A: the innermost stride is not 1.
  %col = memref.subview %b[0, 0] [32, 64] [1, 1] : memref<64x64xf16> to memref<32x64xf16, strided<[64, 1]>>
  %tr = memref.transpose %col (i, j) -> (j, i) : memref<32x64xf16, strided<[64, 1]>> to memref<64x32xf16, strided<[1, 64]>>
  // expected-remark @below {{matmul left to the SIMT path: dynamic shape or non-unit innermost stride}}
  linalg.matmul ins(%h, %tr : memref<32x64xf16>, memref<64x32xf16, strided<[1, 64]>>)
                outs(%c32 : memref<32x32xf32>)
  return
}
