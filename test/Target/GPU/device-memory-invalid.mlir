// RUN: ds-opt %s --split-input-file --ds-gpu-device-memory -verify-diagnostics

// The host cannot dereference device memory.
func.func @host_load(%x: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @below {{in host code: ds keeps every buffer in device memory}}
  %v = memref.load %x[%c0] : memref<4xf32>
  return %v : f32
}

// -----

func.func @host_alloca(%x: memref<4xf32>) {
  // expected-error @below {{in host code: ds keeps every buffer in device memory}}
  %a = memref.alloca() : memref<4xf32>
  memref.copy %x, %a : memref<4xf32> to memref<4xf32>
  return
}

// -----

memref.global "private" @state : memref<4xf32> = dense<0.0>
func.func @mutable(%x: memref<4xf32>) {
  // expected-error @below {{reads the mutable global @state: only constants can live in device memory}}
  %s = memref.get_global @state : memref<4xf32>
  memref.copy %x, %s : memref<4xf32> to memref<4xf32>
  return
}

// -----

// expected-error @below {{argument #0 of @strided has a non-identity layout}}
func.func @strided(%x: memref<4xf32, strided<[2]>>, %y: memref<4xf32>) {
  memref.copy %x, %y : memref<4xf32, strided<[2]>> to memref<4xf32>
  return
}

// -----

// expected-error @below {{argument #0 of @unranked is an unranked memref}}
func.func @unranked(%x: memref<*xf32>) {
  return
}

// -----

func.func @layout_alloc() {
  // expected-error @below {{expected an identity layout for a device allocation}}
  %a = memref.alloc() : memref<4xf32, strided<[1], offset: 2>>
  return
}
