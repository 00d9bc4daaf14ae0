// Products the int8 tensor-core kernel does not take (here N = 12, not a
// multiple of 8) take the portable lowering. On a GPU target that must be
// linalg, which becomes kernels: the x86 VNNI loop nest that
// ds-lower-quantized picks on an AVX-512 VNNI host is host code, and with
// device-resident buffers (the default) its scale loads were rejected:
//   model.onnx:0:0: error: 'memref.load' op in host code: ...
// (issue #7, quantized-ptx.test on the GPT export's LM head, N = 100).
//
// RUN: ds-translate --target=cuda --chip=sm_80 --quantize=int8 --emit=ptx %s -o %t.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// The 64-column product on the int8 tensor cores...
// PTX: mma.sync.aligned.m16n8k32.row.col.satfinite.s32.s8.s8.s32
// ...and the 12-column one as a SIMT kernel accumulating int8 activations.
// PTX: .visible .entry
// PTX: ld.global.s8
//
// The runnable artifact (host code staging device buffers) builds too.
// RUN: ds-translate --target=cuda --chip=sm_80 --quantize=int8 %s -o %t.so
// RUN: test -s %t.so
//
// The same at the pass level: the portable lowering through the pipeline.
// RUN: ds-opt %s --ds-quantize --ds-gpu-quantized-matmul --ds-lower-quantized=vnni=off --ds-convert-graph-to-linalg --ds-gpu-cuda-pipeline | FileCheck %s --check-prefix=PIPE
// PIPE: llvm.func @main(
// PIPE: gpu.binary @ds_kernels
//
// The VNNI loop nest is host code: ds-gpu-device-memory rejects it, and
// names the node (diagnostics print only the file part of an imported
// op's location).
// RUN: not ds-opt %s --ds-quantize --ds-gpu-quantized-matmul --ds-lower-quantized=vnni=on --ds-convert-graph-to-linalg --ds-gpu-cuda-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=HOST
// HOST: model.onnx:0:0: error: 'memref.load' op from '/head/MatMul' in host code: ds keeps every buffer in device memory
func.func @main(%x: tensor<4x64xf32> {ds.name = "x"})
    -> (tensor<4x64xf32> {ds.name = "y"}, tensor<4x12xf32> {ds.name = "z"}) {
  %w = dsg.constant dense<0.25> : tensor<64x64xf32>
  %y = dsg.matmul %x, %w : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32> loc("/proj/MatMul"("model.onnx":0:0))
  %h = dsg.constant dense<-0.5> : tensor<64x12xf32>
  %z = dsg.matmul %y, %h : (tensor<4x64xf32>, tensor<64x12xf32>) -> tensor<4x12xf32> loc("/head/MatMul"("model.onnx":0:0))
  return %y, %z : tensor<4x64xf32>, tensor<4x12xf32>
}
