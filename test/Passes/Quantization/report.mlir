// RUN: ds-opt %s --ds-quantize="weights=int4 group=32 report=%t.json" > /dev/null
// RUN: FileCheck %s < %t.json

// Every candidate is listed, with why it stayed float.
// CHECK: "activations":
// CHECK: "layers": [
// CHECK: "bits": 4,
// CHECK-NEXT: "float_bytes": 16384,
// CHECK-NEXT: "group": 32,
// CHECK-NEXT: "k": 64,
// CHECK-NEXT: "n": 64,
// CHECK-NEXT: "name": "fc1",
// CHECK-NEXT: "op": "MatMul",
// CHECK-NEXT: "quantized": true,
// CHECK-NEXT: "quantized_bytes": 2560
// CHECK: "float_bytes": 1536,
// CHECK-NEXT: "k": 48,
// CHECK-NEXT: "n": 8,
// CHECK-NEXT: "name": "narrow",
// CHECK-NEXT: "op": "Gemm",
// CHECK-NEXT: "quantized": false,
// CHECK-NEXT: "reason": "the reduction size 48 is not a multiple of the group size 32"
// CHECK: "name": "dynamic",
// CHECK-NEXT: "op": "MatMul",
// CHECK-NEXT: "quantized": false,
// CHECK-NEXT: "reason": "the weight is not a constant"
// CHECK: "quantized_bytes": 2560,
// CHECK-NEXT: "quantized_float_bytes": 16384,
// CHECK-NEXT: "weight_bytes_ratio": 0.22
// CHECK-NEXT: "weights": "int4"
func.func @main(%x: tensor<5x64xf32>, %y: tensor<5x48xf32>, %w: tensor<48x8xf32>) -> (tensor<5x64xf32>, tensor<5x8xf32>, tensor<5x8xf32>) {
  %w1 = dsg.constant dense<0.5> : tensor<64x64xf32>
  %a = dsg.matmul %x, %w1 : (tensor<5x64xf32>, tensor<64x64xf32>) -> tensor<5x64xf32> loc("fc1")
  %w2 = dsg.constant dense<0.5> : tensor<48x8xf32>
  %b = dsg.gemm %y, %w2 : (tensor<5x48xf32>, tensor<48x8xf32>) -> tensor<5x8xf32> loc("narrow")
  %c = dsg.matmul %y, %w : (tensor<5x48xf32>, tensor<48x8xf32>) -> tensor<5x8xf32> loc("dynamic")
  return %a, %b, %c : tensor<5x64xf32>, tensor<5x8xf32>, tensor<5x8xf32>
}

// layers=: only the named layers are quantized; the others say why not.
// RUN: ds-opt %s --ds-quantize="weights=int8 layers=narrow report=%t.sel.json" | FileCheck %s --check-prefix=SELECT
// RUN: FileCheck %s --check-prefix=SELECT-REPORT < %t.sel.json
// SELECT: dsg.matmul
// SELECT: dsq.qmatmul
// SELECT-REPORT: "name": "fc1",
// SELECT-REPORT-NEXT: "op": "MatMul",
// SELECT-REPORT-NEXT: "quantized": false,
// SELECT-REPORT-NEXT: "reason": "not selected (layers=...)"
// SELECT-REPORT: "name": "narrow",
// SELECT-REPORT-NEXT: "op": "Gemm",
// SELECT-REPORT-NEXT: "quantized": true,
