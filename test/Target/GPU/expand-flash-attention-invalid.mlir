// RUN: ds-opt %s --ds-gpu-expand-flash-attention --split-input-file -verify-diagnostics

func.func private @ds_flash_attention(memref<1x2x16x8xf32>, memref<1x2x16x8xf32>, memref<1x2x16x8xf32>) attributes {ds.flash_attention = {causal = false, scale = 1.0 : f32}}
func.func @too_few(%q: memref<1x2x16x8xf32>, %k: memref<1x2x16x8xf32>, %v: memref<1x2x16x8xf32>) {
  // expected-error @below {{ds-gpu-expand-flash-attention: expected a call of (query, key, value[, mask], result) buffers and a callee with 'ds.flash_attention' = {scale: f32, causal: bool}}}
  call @ds_flash_attention(%q, %k, %v) : (memref<1x2x16x8xf32>, memref<1x2x16x8xf32>, memref<1x2x16x8xf32>) -> ()
  return
}

// -----

func.func private @ds_flash_attention(memref<1x2x16x8xf32>, memref<1x2x16x8xf32>, memref<1x2x16x8xf32>, memref<1x2x16x8xf32>) attributes {ds.flash_attention = {causal = false}}
func.func @no_scale(%q: memref<1x2x16x8xf32>, %o: memref<1x2x16x8xf32>) {
  // expected-error @below {{expected a call of (query, key, value[, mask], result) buffers}}
  call @ds_flash_attention(%q, %q, %q, %o) : (memref<1x2x16x8xf32>, memref<1x2x16x8xf32>, memref<1x2x16x8xf32>, memref<1x2x16x8xf32>) -> ()
  return
}

// -----

func.func private @ds_flash_attention(memref<1x2x?x8xf32>, memref<1x2x16x8xf32>, memref<1x2x16x8xf32>, memref<1x2x?x8xf32>) attributes {ds.flash_attention = {causal = false, scale = 1.0 : f32}}
func.func @dynamic(%q: memref<1x2x?x8xf32>, %k: memref<1x2x16x8xf32>, %o: memref<1x2x?x8xf32>) {
  // expected-error @below {{ds-gpu-expand-flash-attention: dynamic shape}}
  call @ds_flash_attention(%q, %k, %k, %o) : (memref<1x2x?x8xf32>, memref<1x2x16x8xf32>, memref<1x2x16x8xf32>, memref<1x2x?x8xf32>) -> ()
  return
}

// -----

func.func private @ds_flash_attention(memref<1x2x16x8xf32, strided<[512, 256, 16, 1]>>, memref<1x2x16x8xf32>, memref<1x2x16x8xf32>, memref<1x2x16x8xf32>) attributes {ds.flash_attention = {causal = true, scale = 1.0 : f32}}
func.func @strided(%q: memref<1x2x16x8xf32, strided<[512, 256, 16, 1]>>, %k: memref<1x2x16x8xf32>) {
  // expected-error @below {{ds-gpu-expand-flash-attention: operand 0 does not have the identity layout}}
  call @ds_flash_attention(%q, %k, %k, %k) : (memref<1x2x16x8xf32, strided<[512, 256, 16, 1]>>, memref<1x2x16x8xf32>, memref<1x2x16x8xf32>, memref<1x2x16x8xf32>) -> ()
  return
}
