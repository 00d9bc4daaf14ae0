// RUN: ds-opt %s --split-input-file --ds-gpu-expand-quantized -verify-diagnostics

func.func private @ds_gpu_qmatmul(memref<4x64xi8>, memref<4xf32>, memref<16x64xi8>, memref<16x1xf32>) attributes {ds.gpu_qmatmul = {bits = 8 : i64}}
func.func @missing_result(%x: memref<4x64xi8>, %xs: memref<4xf32>, %w: memref<16x64xi8>, %ws: memref<16x1xf32>) {
  // expected-error @below {{ds-gpu-expand-quantized: expected a call of (lhs, lhs scale, weight, weight scale[, bias], result) buffers and a callee with 'ds.gpu_qmatmul' = {bits: 8 | 4}}}
  call @ds_gpu_qmatmul(%x, %xs, %w, %ws) : (memref<4x64xi8>, memref<4xf32>, memref<16x64xi8>, memref<16x1xf32>) -> ()
  return
}

// -----

func.func private @ds_gpu_qmatmul(memref<4x64xi8>, memref<4xf32>, memref<16x64xi8>, memref<16x1xf32>, memref<4x16xf32>) attributes {ds.gpu_qmatmul = {}}
func.func @missing_bits(%x: memref<4x64xi8>, %xs: memref<4xf32>, %w: memref<16x64xi8>, %ws: memref<16x1xf32>, %o: memref<4x16xf32>) {
  // expected-error @below {{expected a call of (lhs, lhs scale, weight, weight scale[, bias], result) buffers}}
  call @ds_gpu_qmatmul(%x, %xs, %w, %ws, %o) : (memref<4x64xi8>, memref<4xf32>, memref<16x64xi8>, memref<16x1xf32>, memref<4x16xf32>) -> ()
  return
}

// -----

func.func private @ds_gpu_qmatmul(memref<4x48xi8>, memref<4xf32>, memref<16x48xi8>, memref<16x1xf32>, memref<4x16xf32>) attributes {ds.gpu_qmatmul = {bits = 8 : i64}}
func.func @unaligned_k(%x: memref<4x48xi8>, %xs: memref<4xf32>, %w: memref<16x48xi8>, %ws: memref<16x1xf32>, %o: memref<4x16xf32>) {
  // expected-error @below {{ds-gpu-expand-quantized: K (48) or its weight group (48) is not a multiple of 32}}
  call @ds_gpu_qmatmul(%x, %xs, %w, %ws, %o) : (memref<4x48xi8>, memref<4xf32>, memref<16x48xi8>, memref<16x1xf32>, memref<4x16xf32>) -> ()
  return
}

// -----

func.func private @ds_gpu_qmatmul(memref<4x64xi8>, memref<3xf32>, memref<16x64xi8>, memref<16x1xf32>, memref<4x16xf32>) attributes {ds.gpu_qmatmul = {bits = 8 : i64}}
func.func @bad_scale(%x: memref<4x64xi8>, %xs: memref<3xf32>, %w: memref<16x64xi8>, %ws: memref<16x1xf32>, %o: memref<4x16xf32>) {
  // expected-error @below {{ds-gpu-expand-quantized: scale, bias or result buffers do not match the product}}
  call @ds_gpu_qmatmul(%x, %xs, %w, %ws, %o) : (memref<4x64xi8>, memref<3xf32>, memref<16x64xi8>, memref<16x1xf32>, memref<4x16xf32>) -> ()
  return
}

// -----

func.func private @ds_gpu_qmatmul(memref<4x64xi8, strided<[128, 1]>>, memref<4xf32>, memref<16x64xi8>, memref<16x1xf32>, memref<4x16xf32>) attributes {ds.gpu_qmatmul = {bits = 8 : i64}}
func.func @strided(%x: memref<4x64xi8, strided<[128, 1]>>, %xs: memref<4xf32>, %w: memref<16x64xi8>, %ws: memref<16x1xf32>, %o: memref<4x16xf32>) {
  // expected-error @below {{ds-gpu-expand-quantized: operand 0 is not a static buffer with the identity layout}}
  call @ds_gpu_qmatmul(%x, %xs, %w, %ws, %o) : (memref<4x64xi8, strided<[128, 1]>>, memref<4xf32>, memref<16x64xi8>, memref<16x1xf32>, memref<4x16xf32>) -> ()
  return
}

// -----

func.func private @ds_gpu_qmatmul(memref<4x64xf32>, memref<4xf32>, memref<16x64xi8>, memref<16x1xf32>, memref<4x16xf32>) attributes {ds.gpu_qmatmul = {bits = 8 : i64}}
func.func @float_lhs(%x: memref<4x64xf32>, %xs: memref<4xf32>, %w: memref<16x64xi8>, %ws: memref<16x1xf32>, %o: memref<4x16xf32>) {
  // expected-error @below {{ds-gpu-expand-quantized: float activations (weight-only quantization)}}
  call @ds_gpu_qmatmul(%x, %xs, %w, %ws, %o) : (memref<4x64xf32>, memref<4xf32>, memref<16x64xi8>, memref<16x1xf32>, memref<4x16xf32>) -> ()
  return
}

// -----

func.func private @ds_gpu_quantize(memref<6x64xf32>, memref<6x64xi8>, memref<5xf32>) attributes {ds.gpu_quantize = {bits = 8 : i64}}
func.func @quantize_scale(%x: memref<6x64xf32>, %q: memref<6x64xi8>, %s: memref<5xf32>) {
  // expected-error @below {{ds-gpu-expand-quantized: expected a call of (f32 [R, C] input, i8 [R, C] result, f32 [R] scales) and a callee with 'ds.gpu_quantize' = {bits: 8 | 4}}}
  call @ds_gpu_quantize(%x, %q, %s) : (memref<6x64xf32>, memref<6x64xi8>, memref<5xf32>) -> ()
  return
}

// -----

func.func private @ds_gpu_quantize(memref<6x64xf32>, memref<6x64xi8>, memref<6xf32>) attributes {ds.gpu_quantize = {bits = 2 : i64}}
func.func @quantize_bits(%x: memref<6x64xf32>, %q: memref<6x64xi8>, %s: memref<6xf32>) {
  // expected-error @below {{expected a call of (f32 [R, C] input, i8 [R, C] result, f32 [R] scales)}}
  call @ds_gpu_quantize(%x, %q, %s) : (memref<6x64xf32>, memref<6x64xi8>, memref<6xf32>) -> ()
  return
}
