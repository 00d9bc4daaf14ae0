// RUN: ds-translate --import-onnx %S/Inputs/external_data.onnx | FileCheck %s
// RUN: not ds-translate --import-onnx %S/Inputs/missing_external_data.onnx 2>&1 | FileCheck %s --check-prefix=MISSING

// The weights live in Inputs/external_data.bin at offset 8.
// CHECK: dsg.constant dense<{{\[\[}}0.000000e+00, 1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00, 5.000000e+00]]> : tensor<2x3xf32>

// MISSING: missing_external_data.onnx:0:0: error: initializer 'w': cannot read external data file '{{.*}}no_such_file.bin'
