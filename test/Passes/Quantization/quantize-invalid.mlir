// RUN: not ds-opt %s --ds-quantize="weights=int2" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not ds-opt %s --ds-quantize="weights=int4 group=48" 2>&1 | FileCheck %s --check-prefix=GROUP
// RUN: not ds-opt %s --ds-quantize="activations=static" 2>&1 | FileCheck %s --check-prefix=ACT
// RUN: not ds-opt %s --ds-quantize="report=%t/no/such/dir/r.json" 2>&1 | FileCheck %s --check-prefix=REPORT
// RUN: not ds-opt %s --ds-lower-quantized="vnni=maybe" 2>&1 | FileCheck %s --check-prefix=VNNI

// BITS: error: ds-quantize: weights must be int8 or int4, found 'int2'
// GROUP: error: ds-quantize: group must be 32, 64 or 128, found 48
// ACT: error: ds-quantize: activations must be dynamic-per-token, dynamic-per-tensor, dynamic-auto, none or target, found 'static'
// REPORT: error: ds-quantize: cannot write the report '{{.*}}r.json'
// VNNI: error: ds-lower-quantized: vnni must be auto, on or off, found 'maybe'
func.func @main(%x: tensor<5x64xf32>) -> tensor<5x64xf32> {
  %w = dsg.constant dense<0.5> : tensor<64x64xf32>
  %a = dsg.matmul %x, %w : (tensor<5x64xf32>, tensor<64x64xf32>) -> tensor<5x64xf32>
  return %a : tensor<5x64xf32>
}
