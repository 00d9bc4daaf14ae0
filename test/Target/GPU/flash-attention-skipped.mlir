// RUN: ds-opt %s --ds-gpu-flash-attention=report-skipped=true -verify-diagnostics | FileCheck %s

// Left to the generic lowering, each with its reason.
// CHECK-LABEL: func.func @skipped
// CHECK-COUNT-2: dsg.attention
// CHECK-NOT: gpu.launch
func.func @skipped(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x16x8xf32>,
                   %v: tensor<1x2x16x8xf32>, %bq: tensor<1x1x4x512xf32>,
                   %bk: tensor<1x1x4x512xf32>)
    -> (tensor<1x2x?x8xf32>, tensor<1x1x4x512xf32>) {
  // expected-remark @below {{attention left to the generic lowering: dynamic shape}}
  %0 = dsg.attention %q, %k, %v {scale = 1.0 : f32}
      : (tensor<1x2x?x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x?x8xf32>
  // expected-remark @below {{attention left to the generic lowering: head dimension above 256}}
  %1 = dsg.attention %bq, %bk, %bk {scale = 1.0 : f32}
      : (tensor<1x1x4x512xf32>, tensor<1x1x4x512xf32>, tensor<1x1x4x512xf32>) -> tensor<1x1x4x512xf32>
  return %0, %1 : tensor<1x2x?x8xf32>, tensor<1x1x4x512xf32>
}
