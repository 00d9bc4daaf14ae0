// RUN: ds-opt %s --ds-gpu-warpgroup-matmul="chip=sm_90a report-skipped=true" -verify-diagnostics | FileCheck %s

// What the wgmma kernel does not take, each with its reason.
// CHECK-LABEL: func.func @skipped
// CHECK-COUNT-7: linalg.matmul
// CHECK-NOT: gpu.launch
func.func @skipped(%f: memref<64x64xf32>, %cf: memref<64x64xf32>,
                   %h: memref<64x64xf16>, %ch: memref<64x64xf16>,
                   %a32: memref<64x32xbf16>, %b32: memref<32x64xbf16>,
                   %b8: memref<64x8xbf16>, %c8: memref<64x8xf32>,
                   %d: memref<?x64xbf16>, %cd: memref<?x64xf32>,
                   %bb: memref<64x64xbf16>, %i: memref<64x64xi8>) {
  // expected-remark @below {{matmul left to mma.sync: f32 operands (tf32 wgmma is not built)}}
  linalg.matmul ins(%f, %f : memref<64x64xf32>, memref<64x64xf32>)
                outs(%cf : memref<64x64xf32>)
  // expected-remark @below {{matmul left to mma.sync: mixed input types or a non-f32 result}}
  linalg.matmul ins(%h, %h : memref<64x64xf16>, memref<64x64xf16>)
                outs(%ch : memref<64x64xf16>)
  // expected-remark @below {{matmul left to mma.sync: N not a multiple of 16 or K not a multiple of 64 (or M = 0)}}
  linalg.matmul ins(%a32, %b32 : memref<64x32xbf16>, memref<32x64xbf16>)
                outs(%cf : memref<64x64xf32>)
  // expected-remark @below {{matmul left to mma.sync: N not a multiple of 16 or K not a multiple of 64 (or M = 0)}}
  linalg.matmul ins(%bb, %b8 : memref<64x64xbf16>, memref<64x8xbf16>)
                outs(%c8 : memref<64x8xf32>)
  // expected-remark @below {{matmul left to mma.sync: dynamic shape or non-unit innermost stride}}
  linalg.matmul ins(%d, %bb : memref<?x64xbf16>, memref<64x64xbf16>)
                outs(%cd : memref<?x64xf32>)
  // expected-remark @below {{matmul left to mma.sync: element type without a wgmma kernel}}
  linalg.matmul ins(%i, %i : memref<64x64xi8>, memref<64x64xi8>)
                outs(%cf : memref<64x64xf32>)
  // expected-remark @below {{matmul left to mma.sync: user-defined indexing maps}}
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                                 affine_map<(m, n, k) -> (k, n)>,
                                 affine_map<(m, n, k) -> (m, n)>]
                ins(%bb, %bb : memref<64x64xbf16>, memref<64x64xbf16>)
                outs(%cf : memref<64x64xf32>)
  return
}
