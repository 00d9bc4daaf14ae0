// One value returned twice (two ONNX outputs that CSE merged) needs two
// out-parameters; each repeat gets its own copy.
// RUN: ds-run %s | FileCheck %s

// CHECK: output 'a': float32[2] [1, 0]
// CHECK: output 'b': float32[2] [1, 0]
func.func @main() -> (tensor<2xf32> {ds.name = "a"}, tensor<2xf32> {ds.name = "b"}) {
  %c = dsg.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %0 = dsg.relu %c : tensor<2xf32>
  %1 = dsg.relu %c : tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}
