// RUN: ds-opt %s --ds-gpu-merge-kernel-modules --split-input-file -verify-diagnostics | FileCheck %s

// Two outlined modules, each with a kernel named after the function: one
// module remains, the kernels take their old modules' names, launches follow.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: gpu.launch_func @ds_kernels::@main_kernel blocks
// CHECK: gpu.launch_func @ds_kernels::@main_kernel_0 blocks
// CHECK: gpu.module @ds_kernels
// CHECK-DAG: gpu.func @main_kernel(
// CHECK-DAG: gpu.func @main_kernel_0(
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @main(%m: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    gpu.launch_func @main_kernel_0::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    return
  }
  gpu.module @main_kernel {
    gpu.func @main_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @main_kernel_0 {
    gpu.func @main_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// A helper defined by two modules cannot be merged.
module attributes {gpu.container_module} {
  gpu.module @a {
    func.func private @helper()
  }
  gpu.module @b {
    // expected-error@below {{two kernel modules define 'helper'}}
    func.func private @helper()
  }
}

// -----

// The merged module's name must be free.
module attributes {gpu.container_module} {
  // expected-error@below {{symbol 'ds_kernels' is taken}}
  func.func private @ds_kernels()
  gpu.module @a {
  }
}
