// RUN: ds-opt %s --ds-gpu-expand-flash-attention=report-simt=true --split-input-file -verify-diagnostics | FileCheck %s
// RUN: ds-opt %s --ds-gpu-expand-flash-attention="tensor-cores=false report-simt=true" --split-input-file 2>&1 >/dev/null | FileCheck %s --check-prefix=OFF
// Calls the tensor-core kernel (flash-attention-mma.mlir) rejects take the
// SIMT kernel (flash-attention.mlir), each with its reason. With
// tensor-cores=false every call does:
// OFF-COUNT-6: remark: flash attention on the SIMT kernel: tensor cores disabled
// OFF-NOT: remark: flash attention

func.func private @ds_flash_attention(memref<1x2x64x64xf32>, memref<1x2x64x64xf32>, memref<1x2x64x64xf32>, memref<1x2x64x64xf32>) attributes {ds.flash_attention = {causal = false, scale = 1.0 : f32}}
// CHECK-LABEL: func.func @f32
// CHECK: gpu.launch
// CHECK-NOT: nvgpu.mma.sync
func.func @f32(%q: memref<1x2x64x64xf32>, %o: memref<1x2x64x64xf32>) {
  // expected-remark @below {{flash attention on the SIMT kernel: f32 operands (the tensor-core kernel takes f16 and bf16)}}
  call @ds_flash_attention(%q, %q, %q, %o) : (memref<1x2x64x64xf32>, memref<1x2x64x64xf32>, memref<1x2x64x64xf32>, memref<1x2x64x64xf32>) -> ()
  return
}

// -----

func.func private @ds_flash_attention(memref<1x2x16x8xf16>, memref<1x2x16x8xf16>, memref<1x2x16x8xf16>, memref<1x2x16x8xf16>) attributes {ds.flash_attention = {causal = true, scale = 1.0 : f32}}
// CHECK-LABEL: func.func @small_head
// CHECK-NOT: nvgpu.mma.sync
func.func @small_head(%q: memref<1x2x16x8xf16>, %o: memref<1x2x16x8xf16>) {
  // expected-remark @below {{flash attention on the SIMT kernel: head dimensions 8 and 8 (the tensor-core kernel takes multiples of 16 up to 128)}}
  call @ds_flash_attention(%q, %q, %q, %o) : (memref<1x2x16x8xf16>, memref<1x2x16x8xf16>, memref<1x2x16x8xf16>, memref<1x2x16x8xf16>) -> ()
  return
}

// -----

func.func private @ds_flash_attention(memref<1x1x32x256xbf16>, memref<1x1x32x256xbf16>, memref<1x1x32x256xbf16>, memref<1x1x32x256xbf16>) attributes {ds.flash_attention = {causal = false, scale = 1.0 : f32}}
// CHECK-LABEL: func.func @large_head
// CHECK-NOT: nvgpu.mma.sync
func.func @large_head(%q: memref<1x1x32x256xbf16>, %o: memref<1x1x32x256xbf16>) {
  // expected-remark @below {{flash attention on the SIMT kernel: head dimensions 256 and 256 (the tensor-core kernel takes multiples of 16 up to 128)}}
  call @ds_flash_attention(%q, %q, %q, %o) : (memref<1x1x32x256xbf16>, memref<1x1x32x256xbf16>, memref<1x1x32x256xbf16>, memref<1x1x32x256xbf16>) -> ()
  return
}

// -----

// Q·Kᵀ over 64 but a value width of 40 (not a multiple of 16).
func.func private @ds_flash_attention(memref<1x1x32x64xbf16>, memref<1x1x32x64xbf16>, memref<1x1x32x40xbf16>, memref<1x1x32x40xbf16>) attributes {ds.flash_attention = {causal = false, scale = 1.0 : f32}}
func.func @value_width(%q: memref<1x1x32x64xbf16>, %v: memref<1x1x32x40xbf16>, %o: memref<1x1x32x40xbf16>) {
  // expected-remark @below {{flash attention on the SIMT kernel: head dimensions 64 and 40}}
  call @ds_flash_attention(%q, %q, %v, %o) : (memref<1x1x32x64xbf16>, memref<1x1x32x64xbf16>, memref<1x1x32x40xbf16>, memref<1x1x32x40xbf16>) -> ()
  return
}

// -----

// Mixed element types (dsg.attention's verifier rejects them; a call made
// by hand may still hold them).
func.func private @ds_flash_attention(memref<1x1x32x64xbf16>, memref<1x1x32x64xf16>, memref<1x1x32x64xf16>, memref<1x1x32x64xbf16>) attributes {ds.flash_attention = {causal = false, scale = 1.0 : f32}}
func.func @mixed(%q: memref<1x1x32x64xbf16>, %k: memref<1x1x32x64xf16>, %o: memref<1x1x32x64xbf16>) {
  // expected-remark @below {{flash attention on the SIMT kernel: query, key and value element types differ}}
  call @ds_flash_attention(%q, %k, %k, %o) : (memref<1x1x32x64xbf16>, memref<1x1x32x64xf16>, memref<1x1x32x64xf16>, memref<1x1x32x64xbf16>) -> ()
  return
}

// -----

// A call the tensor-core kernel takes; with tensor-cores=false it runs on
// the SIMT kernel and says so.
func.func private @ds_flash_attention(memref<1x1x64x64xbf16>, memref<1x1x64x64xbf16>, memref<1x1x64x64xbf16>, memref<1x1x64x64xbf16>) attributes {ds.flash_attention = {causal = false, scale = 1.0 : f32}}
// CHECK-LABEL: func.func @eligible
// CHECK: nvgpu.mma.sync
func.func @eligible(%q: memref<1x1x64x64xbf16>, %o: memref<1x1x64x64xbf16>) {
  call @ds_flash_attention(%q, %q, %q, %o) : (memref<1x1x64x64xbf16>, memref<1x1x64x64xbf16>, memref<1x1x64x64xbf16>, memref<1x1x64x64xbf16>) -> ()
  return
}
