// The registered pipelines, end to end on a small model: one gpu.binary
// holding every kernel, host code in the LLVM dialect calling the runtime.
// RUN: ds-opt %s --pass-pipeline='builtin.module(ds-gpu-cuda-pipeline{chip=sm_90})' | FileCheck %s --check-prefix=CUDA
// RUN: ds-opt %s --pass-pipeline='builtin.module(ds-gpu-rocm-pipeline{chip=gfx942})' | FileCheck %s --check-prefix=ROCM
// RUN: ds-opt %s --pass-pipeline='builtin.module(ds-gpu-cuda-pipeline{chip=sm_80 map-host-memory=false})' | FileCheck %s --check-prefix=NOMAP
// RUN: ds-opt %s --pass-pipeline='builtin.module(ds-gpu-cuda-pipeline{chip=sm_90 device-memory=false})' | FileCheck %s --check-prefix=HOSTMAP
// Bad options are errors, not crashes.
// RUN: not ds-opt %s --pass-pipeline='builtin.module(ds-gpu-cuda-pipeline{chip=gfx942})' 2>&1 | FileCheck %s --check-prefix=BADCHIP
// RUN: not ds-opt %s --pass-pipeline='builtin.module(ds-gpu-rocm-pipeline{chip=gfx942 format=fatbin})' 2>&1 | FileCheck %s --check-prefix=BADFORMAT

// Device memory (default): staged inputs and output on one stream, one
// synchronization. The output is a distinct device buffer, so the fill,
// matmul and tail fuse into one kernel.
// CUDA: llvm.func @main(
// CUDA: %[[S:.*]] = llvm.call @mgpuStreamCreate()
// CUDA: %[[X:.*]] = llvm.call @mgpuMemAlloc(%{{.*}}, %[[S]], %{{.*}})
// CUDA: llvm.call @mgpuMemcpy(%[[X]], %arg1, %{{.*}}, %[[S]])
// CUDA: gpu.launch_func <%[[S]] : !llvm.ptr> @ds_kernels::@main_kernel
// CUDA: llvm.call @mgpuMemcpy(%arg15, %{{.*}}, %{{.*}}, %[[S]])
// CUDA-COUNT-3: llvm.call @mgpuMemFree({{.*}}, %[[S]])
// CUDA-NEXT: llvm.call @mgpuStreamSynchronize(%[[S]])
// CUDA-NEXT: llvm.call @mgpuStreamDestroy(%[[S]])
// CUDA-NOT: mgpuMemHostRegister
// CUDA: gpu.binary @ds_kernels{{ +}}[#gpu.object<#nvvm.target<O = 3, chip = "sm_90"
// CUDA-SAME: .target sm_90
// CUDA-SAME: .visible .entry main_kernel
// CUDA-NOT: gpu.module

// ROCM: gpu.launch_func <%{{.*}} : !llvm.ptr> @ds_kernels::@main_kernel
// ROCM: gpu.binary @ds_kernels{{ +}}[#gpu.object<#rocdl.target<O = 3, chip = "gfx942">
// ROCM-SAME: .amdgcn_target {{\\22}}amdgcn-amd-amdhsa--gfx942
// ROCM-NOT: __ocml

// The host-mapped model: caller buffers registered, one stream per launch.
// HOSTMAP: llvm.func @main(
// HOSTMAP: llvm.call @mgpuMemHostRegisterMemRef
// HOSTMAP-COUNT-3: gpu.launch_func{{ +}}@ds_kernels::@main_kernel
// HOSTMAP: llvm.call @mgpuMemHostUnregisterMemRef

// NOMAP-NOT: mgpuMemHostRegisterMemRef
// NOMAP-NOT: mgpuMemcpy
// NOMAP: gpu.launch_func

// BADCHIP: expected a CUDA chip such as sm_80 or sm_90a, found 'gfx942'
// BADFORMAT: unknown format 'fatbin': expected isa, bin
// BADFORMAT-NOT: or fatbin

// y = gelu-ish(x @ w): a contraction and a fused elementwise tail.
func.func @main(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%mm : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.tanh %a : f32
    %s = math.erf %t : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}
