// RUN: ds-opt %s --ds-gpu-align-workgroup-memory --split-input-file | FileCheck %s
// RUN: ds-opt %s --ds-gpu-align-workgroup-memory=alignment=64 --split-input-file | FileCheck %s --check-prefix=A64
// RUN: not ds-opt %s --ds-gpu-align-workgroup-memory=alignment=12 2>&1 | FileCheck %s --check-prefix=BAD

// Every workgroup attribution gets llvm.align = 16; a larger one is kept.
// CHECK-LABEL: gpu.func @kernel
// CHECK-SAME: workgroup(%{{.*}} : memref<16x24xf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 128 : i64})
// A64-LABEL: gpu.func @kernel
// A64-SAME: workgroup(%{{.*}} : memref<16x24xf16, #gpu.address_space<workgroup>> {llvm.align = 64 : i64}, %{{.*}} : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 128 : i64})
// BAD: ds-gpu-align-workgroup-memory: alignment must be a power of two, got 12
gpu.module @k {
  gpu.func @kernel(%a: memref<4xf32>) workgroup(%s: memref<16x24xf16, #gpu.address_space<workgroup>>, %t: memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 128 : i64}) kernel {
    gpu.return
  }
}
