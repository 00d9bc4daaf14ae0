// Max-6 and Min-6 (the pytorch-operator suite's opset) require operands of
// one shape, a special case of the broadcasting that versions 8+ import.
// REQUIRES: onnx-testdata
// RUN: ds-translate --import-onnx %onnx_testdata/pytorch-operator/test_operator_max/model.onnx | FileCheck --check-prefix=MAX %s
// RUN: ds-translate --import-onnx %onnx_testdata/pytorch-operator/test_operator_min/model.onnx | FileCheck --check-prefix=MIN %s
// RUN: ds-run %onnx_testdata/pytorch-operator/test_operator_max/model.onnx --test-data %onnx_testdata/pytorch-operator/test_operator_max/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/pytorch-operator/test_operator_min/model.onnx --test-data %onnx_testdata/pytorch-operator/test_operator_min/test_data_set_0 | FileCheck --check-prefix=LIVE %s

// MAX: dsg.max %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
// MIN: dsg.min %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
// LIVE: {{^PASS$}}
