// RUN: ds-opt %s --ds-gpu-tensor-core-matmul=report-skipped=true --split-input-file -verify-diagnostics | FileCheck %s

// Consumers the tensor-core kernel does not absorb, each with its reason:
// the matmul still becomes a kernel storing C, and the consumer stays a
// separate op (its own kernel later).

// No consumer.
// CHECK-LABEL: func.func @no_consumer
// CHECK: gpu.launch
// CHECK: vector.store %{{.*}}, %arg2
func.func @no_consumer(%a: memref<32x32xf16>, %b: memref<32x32xf16>,
                       %c: memref<32x32xf32>) {
  // expected-remark @below {{epilogue not fused: the result's next reader is not an elementwise linalg.generic}}
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x32xf16>)
                outs(%c : memref<32x32xf32>)
  return
}

// -----

// The result is the caller's buffer and the consumer writes elsewhere: the
// caller may read C afterwards, so the matmul must store it.
#id = affine_map<(m, n) -> (m, n)>
// CHECK-LABEL: func.func @caller_result
// CHECK: gpu.launch
// CHECK: linalg.generic
func.func @caller_result(%c: memref<32x32xf32>) {
  %a = memref.alloc() : memref<32x32xf16>
  %b = memref.alloc() : memref<32x32xf16>
  %o = memref.alloc() : memref<32x32xf32>
  // expected-remark @below {{epilogue not fused: the result is not a local buffer}}
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x32xf16>)
                outs(%c : memref<32x32xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<32x32xf32>) outs(%o : memref<32x32xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  return
}

// -----

#id = affine_map<(m, n) -> (m, n)>
// CHECK-LABEL: func.func @two_readers
// CHECK: gpu.launch
// CHECK: linalg.generic
// CHECK: memref.copy
func.func @two_readers(%a: memref<32x32xf16>, %b: memref<32x32xf16>,
                       %o: memref<32x32xf32>, %o2: memref<32x32xf32>) {
  %c = memref.alloc() : memref<32x32xf32>
  // expected-remark @below {{epilogue not fused: the result has another reader}}
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x32xf16>)
                outs(%c : memref<32x32xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<32x32xf32>) outs(%o : memref<32x32xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = math.tanh %x : f32
    linalg.yield %r : f32
  }
  memref.copy %c, %o2 : memref<32x32xf32> to memref<32x32xf32>
  memref.dealloc %c : memref<32x32xf32>
  return
}

// -----

#id = affine_map<(m, n) -> (m, n)>
#tr = affine_map<(m, n) -> (n, m)>
// CHECK-LABEL: func.func @transposed_read
// CHECK: gpu.launch
// CHECK: linalg.generic
func.func @transposed_read(%a: memref<32x32xf16>, %b: memref<32x32xf16>,
                           %o: memref<32x32xf32>) {
  %c = memref.alloc() : memref<32x32xf32>
  // expected-remark @below {{epilogue not fused: the consumer reads the result more than once or not elementwise}}
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x32xf16>)
                outs(%c : memref<32x32xf32>)
  linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<32x32xf32>) outs(%o : memref<32x32xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  memref.dealloc %c : memref<32x32xf32>
  return
}

// -----

// A reduction (row sums) is not elementwise.
// CHECK-LABEL: func.func @reduction
// CHECK: gpu.launch
// CHECK: linalg.generic
func.func @reduction(%a: memref<32x32xf16>, %b: memref<32x32xf16>,
                     %o: memref<32xf32>) {
  %c = memref.alloc() : memref<32x32xf32>
  // expected-remark @below {{epilogue not fused: the result's next reader is not an elementwise linalg.generic}}
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x32xf16>)
                outs(%c : memref<32x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>,
                                   affine_map<(m, n) -> (m)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%c : memref<32x32xf32>) outs(%o : memref<32xf32>) {
  ^bb0(%x: f32, %y: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.dealloc %c : memref<32x32xf32>
  return
}

// -----

// The output is a caller buffer that may be A: other blocks still read A
// while the epilogue would store.
#id = affine_map<(m, n) -> (m, n)>
// CHECK-LABEL: func.func @output_may_alias_a
// CHECK: gpu.launch
// CHECK: linalg.generic
func.func @output_may_alias_a(%a: memref<32x32xf16>, %b: memref<32x32xf16>,
                              %o: memref<32x32xf32>) {
  %c = memref.alloc() : memref<32x32xf32>
  // expected-remark @below {{epilogue not fused: the consumer's output may alias a matmul operand}}
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x32xf16>)
                outs(%c : memref<32x32xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<32x32xf32>) outs(%o : memref<32x32xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  memref.dealloc %c : memref<32x32xf32>
  return
}

// -----

// A broadcast input that may be the output (both caller buffers).
// CHECK-LABEL: func.func @broadcast_may_alias_output
// CHECK: gpu.launch
// CHECK: linalg.generic
func.func @broadcast_may_alias_output(%bias: memref<32xf32>,
                                      %o: memref<32x32xf32>) {
  %a = memref.alloc() : memref<32x32xf16>
  %b = memref.alloc() : memref<32x32xf16>
  %c = memref.alloc() : memref<32x32xf32>
  // expected-remark @below {{epilogue not fused: the consumer's output may alias one of its inputs}}
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x32xf16>)
                outs(%c : memref<32x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>,
                                   affine_map<(m, n) -> (n)>,
                                   affine_map<(m, n) -> (m, n)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c, %bias : memref<32x32xf32>, memref<32xf32>)
      outs(%o : memref<32x32xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.dealloc %c : memref<32x32xf32>
  return
}

// -----

// The consumer's second input is written between the matmul and the
// consumer: the fused kernel runs where the consumer is, which is sound
// only when nothing in between touches what either of them uses.
#id = affine_map<(m, n) -> (m, n)>
// CHECK-LABEL: func.func @operand_written_between
// CHECK: gpu.launch
// CHECK: memref.copy
// CHECK: linalg.generic
func.func @operand_written_between(%a: memref<32x32xf16>,
                                   %b: memref<32x32xf16>,
                                   %r: memref<32x32xf32>,
                                   %o: memref<32x32xf32>) {
  %c = memref.alloc() : memref<32x32xf32>
  %res = memref.alloc() : memref<32x32xf32>
  %out = memref.alloc() : memref<32x32xf32>
  // expected-remark @below {{epilogue not fused: an op between the matmul and its consumer touches their operands}}
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x32xf16>)
                outs(%c : memref<32x32xf32>)
  memref.copy %r, %res : memref<32x32xf32> to memref<32x32xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %res : memref<32x32xf32>, memref<32x32xf32>)
      outs(%out : memref<32x32xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.copy %out, %o : memref<32x32xf32> to memref<32x32xf32>
  return
}

// -----

// A view that regroups across a row of the result (32 × 64 read as
// 64 × 32): a row of the consumer is not a row of the matmul.
#id = affine_map<(m, n) -> (m, n)>
// CHECK-LABEL: func.func @view_splits_rows
// CHECK: gpu.launch
// CHECK: linalg.generic
func.func @view_splits_rows(%a: memref<32x32xf16>, %b: memref<32x64xf16>) {
  %o = memref.alloc() : memref<64x32xf32>
  %c = memref.alloc() : memref<32x64xf32>
  // expected-remark @below {{epilogue not fused: the consumer's view splits a row of the result}}
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x64xf16>)
                outs(%c : memref<32x64xf32>)
  %v = memref.expand_shape %c [[0], [1, 2]] output_shape [32, 2, 32]
      : memref<32x64xf32> into memref<32x2x32xf32>
  %w = memref.collapse_shape %v [[0, 1], [2]]
      : memref<32x2x32xf32> into memref<64x32xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%w : memref<64x32xf32>) outs(%o : memref<64x32xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  memref.dealloc %c : memref<32x64xf32>
  return
}
