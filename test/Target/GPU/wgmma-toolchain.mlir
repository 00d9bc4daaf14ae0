// Upstream's warpgroup-MMA path, which ds's wgmma kernel does not use (it
// builds its descriptors itself: ds-gpu-warpgroup-matmul, docs/gpu.md,
// "Warpgroup MMA"), checked as a toolchain probe:
// nvgpu.warpgroup.generate.descriptor / .mma / .mma.store lower to
// nvvm.wgmma.*, which convert-nvvm-to-llvm turns into inline PTX; the PTX
// targets sm_90a and ptxas assembles it (format=bin runs ptxas).
// REQUIRES: ptxas
//
// RUN: ds-opt %s --convert-nvgpu-to-nvvm --convert-gpu-to-nvvm --convert-nvvm-to-llvm --canonicalize --reconcile-unrealized-casts --gpu-module-to-binary=format=isa | FileCheck %s
// CHECK: .target sm_90a
// CHECK: wgmma.fence.sync.aligned;
// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16
// CHECK: wgmma.commit_group.sync.aligned;
// CHECK: wgmma.wait_group.sync.aligned
//
// RUN: ds-opt %s --convert-nvgpu-to-nvvm --convert-gpu-to-nvvm --convert-nvvm-to-llvm --canonicalize --reconcile-unrealized-casts --gpu-module-to-binary=format=bin | FileCheck %s --check-prefix=CUBIN
// CUBIN: bin = "\7FELF
//
// ds's CUDA device pipeline does not run convert-nvvm-to-llvm (its kernels
// need no inline-PTX NVVM ops so far); without it the wgmma ops cannot be
// translated to LLVM IR.
// RUN: not ds-opt %s --convert-nvgpu-to-nvvm --convert-gpu-to-nvvm --canonicalize --reconcile-unrealized-casts --gpu-module-to-binary=format=isa 2>&1 | FileCheck %s --check-prefix=NOINLINE
// NOINLINE: LLVM Translation failed for operation: nvvm.wgmma.mma_async

// The descriptors take their swizzle from a TMA descriptor's type; the
// value is not read, so this probe casts a pointer to it (a kernel argument
// of tensormap type is rejected by convert-gpu-to-nvvm, and creating a real
// one needs the host-side mgpuTensorMapEncodeTiled, which ds's runtime does
// not provide). A: 128 × 64 f16 (128-byte rows, 128B swizzle), B: 64 × 128
// f16 as two 64 × 64 swizzled boxes; 128 × 128 f32 accumulators (two
// m64n128k16 rows of four k16 steps). Only the toolchain path is checked
// here, not the operand layouts: no data moves into the tiles.
!tmA = !nvgpu.tensormap.descriptor<tensor = memref<128x64xf16, 3>, swizzle = swizzle_128b, l2promo = none, oob = zero, interleave = none>
!tmB = !nvgpu.tensormap.descriptor<tensor = memref<64x64xf16, 3>, swizzle = swizzle_128b, l2promo = none, oob = zero, interleave = none>
!dA = !nvgpu.warpgroup.descriptor<tensor = memref<128x64xf16, 3>>
!dB = !nvgpu.warpgroup.descriptor<tensor = memref<64x128xf16, 3>>
!acc = !nvgpu.warpgroup.accumulator<fragmented = vector<128x128xf32>>
module attributes {gpu.container_module} {
  gpu.module @m [#nvvm.target<chip = "sm_90a">] {
    gpu.func @k(%p: !llvm.ptr, %out: memref<128x128xf32>)
        workgroup(%a: memref<128x64xf16, 3>, %b: memref<64x128xf16, 3>) kernel {
      %tA = builtin.unrealized_conversion_cast %p : !llvm.ptr to !tmA
      %tB = builtin.unrealized_conversion_cast %p : !llvm.ptr to !tmB
      %descA = nvgpu.warpgroup.generate.descriptor %a, %tA : memref<128x64xf16, 3>, !tmA -> !dA
      %descB = nvgpu.warpgroup.generate.descriptor %b, %tB : memref<64x128xf16, 3>, !tmB -> !dB
      %acc0 = nvgpu.warpgroup.mma.init.accumulator -> !acc
      %d = nvgpu.warpgroup.mma %descA, %descB, %acc0 {transposeB} : !dA, !dB, !acc -> !acc
      nvgpu.warpgroup.mma.store %d, %out : !acc to memref<128x128xf32>
      gpu.return
    }
  }
}
