// RUN: ds-opt %s --ds-quantize="weights=int8 activations=dynamic-per-token report=%t.json" | FileCheck %s --check-prefix=INT8
// RUN: FileCheck %s --check-prefix=REPORT < %t.json
// RUN: ds-opt %s --ds-quantize="weights=int8 activations=dynamic-auto" | FileCheck %s --check-prefix=INT8
// RUN: ds-opt %s --ds-quantize="weights=int4 group=32 activations=none report=%t.int4.json" | FileCheck %s --check-prefix=INT4
// RUN: FileCheck %s --check-prefix=REPORT4 < %t.int4.json

// ds-quantize on convolutions: weights [F, C, KH, KW] become a dsq.weight
// [F, C*KH*KW] (per output channel for int8, per group along C*KH*KW for
// int4), the bias moves into the dsq.qconv, and activations are quantized
// per tensor even under dynamic-per-token and dynamic-auto (the patches of
// neighbouring pixels overlap: a per-token scale has no meaning).

// INT8-LABEL: func @main
// INT8: %[[W:.*]], %[[S:.*]] = dsq.weight {bits = 8 : i64, group_size = 18 : i64
// INT8-SAME: scales = dense<0.00393700786> : tensor<4x1xf32>
// INT8-SAME: values = dense<127> : tensor<4x18xi8>
// INT8: %[[B:.*]] = dsg.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// INT8: %[[Q:.*]], %[[QS:.*]] = dsq.dynamic_quantize %arg0 {bits = 8 : i64, granularity = 0 : i32} : tensor<1x2x6x6xf32> -> tensor<1x2x6x6xi8>, tensor<f32>
// INT8-NOT: scf.if
// INT8: %[[C:.*]] = dsq.qconv %[[Q]] scale %[[QS]], %[[W]] scale %[[S]] bias %[[B]] {bits = 8 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// INT8-SAME: (tensor<1x2x6x6xi8>, tensor<f32>, tensor<4x18xi8>, tensor<4x1xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
// The depthwise convolution stays float.
// INT8: dsg.conv %[[C]]
// INT8-SAME: group = 4
// INT8: dsq.qconv {{.*}} -> tensor<1x2x3x3xf32>
// INT8-NOT: dsg.conv

// int4 weight-only: conv2's K = 4*2*4 = 32 in one group of 32, two values a byte;
// the 3x3 layer's K = 18 is not a multiple of the group and stays float.
// INT4-LABEL: func @main
// INT4: dsg.conv %arg0
// INT4-SAME: (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
// INT4: dsg.conv
// INT4-SAME: group = 4
// INT4: dsq.weight {bits = 4 : i64, group_size = 32 : i64
// INT4-SAME: : tensor<2x16xi8>, tensor<2x1xf32>
// INT4-NOT: dynamic_quantize
// INT4: dsq.qconv %{{.*}}, %{{.*}} scale %{{.*}} {bits = 4 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 4>, pads = array<i64: 0, 1, 1, 2>, strides = array<i64: 1, 1>}
// INT4-SAME: (tensor<1x4x3x3xf32>, tensor<2x16xi8>, tensor<2x1xf32>) -> tensor<1x2x3x3xf32>

// REPORT: "k": 18,
// REPORT-NEXT: "n": 4,
// REPORT-NEXT: "name": "conv1",
// REPORT-NEXT: "op": "Conv",
// REPORT-NEXT: "quantized": true,
// REPORT: "name": "depthwise",
// REPORT-NEXT: "op": "Conv",
// REPORT-NEXT: "quantized": false,
// REPORT-NEXT: "reason": "depthwise convolution (group = C = 4): its reduction is only KH*KW values per output, too short for the int8 GEMM; the float depthwise kernel is kept"
// REPORT: "name": "conv2",
// REPORT-NEXT: "op": "Conv",
// REPORT-NEXT: "quantized": true,

// REPORT4: "name": "conv1",
// REPORT4-NEXT: "op": "Conv",
// REPORT4-NEXT: "quantized": false,
// REPORT4-NEXT: "reason": "the reduction size 18 is not a multiple of the group size 32"
// REPORT4: "k": 32,
// REPORT4-NEXT: "n": 2,
// REPORT4-NEXT: "name": "conv2",
// REPORT4-NEXT: "op": "Conv",
// REPORT4-NEXT: "quantized": true,
func.func @main(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %w1 = dsg.constant dense<0.5> : tensor<4x2x3x3xf32>
  %b1 = dsg.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %a = dsg.conv %x, %w1, %b1 {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32> loc("conv1")
  %wd = dsg.constant dense<0.25> : tensor<4x1x3x3xf32>
  %d = dsg.conv %a, %wd {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 4 : i64}
      : (tensor<1x4x3x3xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32> loc("depthwise")
  %w2 = dsg.constant dense<-0.5> : tensor<2x4x2x4xf32>
  %c = dsg.conv %d, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 1, 1, 2>, dilations = array<i64: 1, 1>}
      : (tensor<1x4x3x3xf32>, tensor<2x4x2x4xf32>) -> tensor<1x2x3x3xf32> loc("conv2")
  return %c : tensor<1x2x3x3xf32>
}
