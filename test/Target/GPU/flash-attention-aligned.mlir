// RUN: ds-opt %s --ds-gpu-expand-flash-attention --split-input-file | FileCheck %s
// The tensor-core flash-attention kernel's global accesses are as wide as
// the operands provably allow: 16-byte Q/K/V tile loads and 4-byte output
// pair stores when the first element is known to be 16-byte aligned
// (memref.assume_alignment as ds-gpu-device-memory emits it, an aligned
// allocation, through casts and reshapes); element-aligned otherwise.
// The PTX side: flash-attention-ptx.test.

// Device buffers (assume_alignment 256): ld.global.v4 and paired stores.
// CHECK-LABEL: func.func @device_buffers
// CHECK: %[[Q:.*]] = memref.assume_alignment %arg0, 256
// CHECK: %[[K:.*]] = memref.assume_alignment %arg1, 256
// CHECK: %[[V:.*]] = memref.assume_alignment %arg2, 256
// CHECK: %[[O:.*]] = memref.assume_alignment %arg3, 256
// CHECK: gpu.launch
// CHECK: vector.load %[[Q]][{{[^]]*}}] {alignment = 16 : i64} : memref<1x2x64x64xf16>, vector<8xf16>
// CHECK: vector.load %[[K]][{{[^]]*}}] {alignment = 16 : i64} : memref<1x2x64x64xf16>, vector<8xf16>
// CHECK: vector.load %[[V]][{{[^]]*}}] {alignment = 16 : i64} : memref<1x2x64x64xf16>, vector<8xf16>
// CHECK: vector.store %{{.*}}, %[[O]][{{[^]]*}}] {alignment = 4 : i64} : memref<1x2x64x64xf16>, vector<2xf16>
func.func private @ds_flash_attention(memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>) attributes {ds.flash_attention = {causal = false, scale = 0.125 : f32}}
func.func @device_buffers(%q: memref<1x2x64x64xf16>, %k: memref<1x2x64x64xf16>, %v: memref<1x2x64x64xf16>, %o: memref<1x2x64x64xf16>) {
  %qa = memref.assume_alignment %q, 256 : memref<1x2x64x64xf16>
  %ka = memref.assume_alignment %k, 256 : memref<1x2x64x64xf16>
  %va = memref.assume_alignment %v, 256 : memref<1x2x64x64xf16>
  %oa = memref.assume_alignment %o, 256 : memref<1x2x64x64xf16>
  call @ds_flash_attention(%qa, %ka, %va, %oa) : (memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>) -> ()
  return
}

// -----

// Nothing known (plain arguments): element-aligned accesses, as before.
// CHECK-LABEL: func.func @unknown
// CHECK: gpu.launch
// CHECK: vector.load %arg0[{{[^]]*}}] : memref<1x2x64x64xf16>, vector<8xf16>
// CHECK: vector.load %arg1[{{[^]]*}}] : memref<1x2x64x64xf16>, vector<8xf16>
// CHECK: vector.store %{{.*}}, %arg3[{{[^]]*}}] : memref<1x2x64x64xf16>, vector<2xf16>
func.func private @ds_flash_attention(memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>) attributes {ds.flash_attention = {causal = false, scale = 0.125 : f32}}
func.func @unknown(%q: memref<1x2x64x64xf16>, %k: memref<1x2x64x64xf16>, %v: memref<1x2x64x64xf16>, %o: memref<1x2x64x64xf16>) {
  call @ds_flash_attention(%q, %k, %v, %o) : (memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>) -> ()
  return
}

// -----

// Only 8 bytes known: 8-byte loads (gcd(8, row 128 B, 16)); an allocation
// aligned to 32 through expand_shape: 16-byte loads; an unaligned
// allocation: nothing; the output pairs are 4-byte aligned either way
// where the start is known.
// CHECK-LABEL: func.func @partial
// CHECK: %[[Q:.*]] = memref.assume_alignment %arg0, 8
// CHECK: %[[KA:.*]] = memref.alloc() {alignment = 32 : i64} : memref<2x64x64xbf16>
// CHECK: %[[K:.*]] = memref.expand_shape %[[KA]]
// CHECK: %[[V:.*]] = memref.alloc() : memref<1x2x64x64xbf16>
// CHECK: gpu.launch
// CHECK: vector.load %[[Q]][{{[^]]*}}] {alignment = 8 : i64} : memref<1x2x64x64xbf16>, vector<8xbf16>
// CHECK: vector.load %[[K]][{{[^]]*}}] {alignment = 16 : i64} : memref<1x2x64x64xbf16>, vector<8xbf16>
// CHECK: vector.load %[[V]][{{[^]]*}}] : memref<1x2x64x64xbf16>, vector<8xbf16>
// CHECK: vector.store %{{.*}}, %arg1[{{[^]]*}}] : memref<1x2x64x64xbf16>, vector<2xbf16>
func.func private @ds_flash_attention(memref<1x2x64x64xbf16>, memref<1x2x64x64xbf16>, memref<1x2x64x64xbf16>, memref<1x2x64x64xbf16>) attributes {ds.flash_attention = {causal = true, scale = 0.125 : f32}}
func.func @partial(%q: memref<1x2x64x64xbf16>, %o: memref<1x2x64x64xbf16>) {
  %qa = memref.assume_alignment %q, 8 : memref<1x2x64x64xbf16>
  %kalloc = memref.alloc() {alignment = 32 : i64} : memref<2x64x64xbf16>
  %k = memref.expand_shape %kalloc [[0, 1], [2], [3]] output_shape [1, 2, 64, 64] : memref<2x64x64xbf16> into memref<1x2x64x64xbf16>
  %v = memref.alloc() : memref<1x2x64x64xbf16>
  call @ds_flash_attention(%qa, %k, %v, %o) : (memref<1x2x64x64xbf16>, memref<1x2x64x64xbf16>, memref<1x2x64x64xbf16>, memref<1x2x64x64xbf16>) -> ()
  return
}

// -----

// Views other than casts and reshapes are not followed (a reinterpret_cast
// may move the start; here by 4 elements, 8 bytes, then back): the loads of
// Q stay element-aligned, K's (an argument) too.
// CHECK-LABEL: func.func @offset_view
// CHECK: memref.reinterpret_cast %{{.*}} to offset: [4]
// CHECK: %[[Q:.*]] = memref.reinterpret_cast %{{.*}} to offset: [0]
// CHECK: gpu.launch
// CHECK: vector.load %[[Q]][{{[^]]*}}] : memref<1x2x64x64xf16>, vector<8xf16>
func.func private @ds_flash_attention(memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>) attributes {ds.flash_attention = {causal = false, scale = 0.125 : f32}}
func.func @offset_view(%buf: memref<16384xf16>, %k: memref<1x2x64x64xf16>, %o: memref<1x2x64x64xf16>) {
  %a = memref.assume_alignment %buf, 256 : memref<16384xf16>
  %q = memref.reinterpret_cast %a to offset: [4], sizes: [1, 2, 64, 64], strides: [8192, 4096, 64, 1] : memref<16384xf16> to memref<1x2x64x64xf16, strided<[8192, 4096, 64, 1], offset: 4>>
  %qc = memref.reinterpret_cast %q to offset: [0], sizes: [1, 2, 64, 64], strides: [8192, 4096, 64, 1] : memref<1x2x64x64xf16, strided<[8192, 4096, 64, 1], offset: 4>> to memref<1x2x64x64xf16>
  call @ds_flash_attention(%qc, %k, %k, %o) : (memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>) -> ()
  return
}
