// Opset-6 forms: legacy broadcasting of binary ops becomes a reshape plus
// NumPy broadcasting; without `broadcast`, shapes must agree.
// RUN: ds-translate --import-onnx %S/Inputs/legacy_broadcast.onnx | FileCheck %s
// RUN: not ds-translate --import-onnx %S/Inputs/legacy_broadcast_bad.onnx 2>&1 | FileCheck --check-prefix=BAD %s

// CHECK-LABEL: func.func @main
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<2x3x4xf32> {ds.name = "x"}, %[[B:[a-z0-9]+]]: tensor<3xf32> {ds.name = "b"}, %[[S:[a-z0-9]+]]: tensor<4xf32>
// `axis = 1`: B's one dimension aligns with x's dimension 1.
// CHECK: %[[R:.*]] = dsg.reshape %[[B]] : (tensor<3xf32>) -> tensor<3x1xf32>
// CHECK: %[[ADD:.*]] = dsg.add %[[X]], %[[R]] : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
// No axis: suffix alignment, as NumPy does.
// CHECK: %[[MUL:.*]] = dsg.mul %[[ADD]], %[[S]] : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
// CHECK: dsg.sub %[[MUL]], %[[X]]

// BAD: error: node 'add_no_broadcast' (Add, opset 6): expected operands of one shape without 'broadcast'

// The pytorch-converted suite is opset 6: AveragePool-1, BatchNormalization-6
// (is_test=1) and Gemm-6 (with `broadcast`) run against its reference data.
// REQUIRES: onnx-testdata
// RUN: ds-run %onnx_testdata/pytorch-converted/test_AvgPool2d/model.onnx --test-data %onnx_testdata/pytorch-converted/test_AvgPool2d/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/pytorch-converted/test_BatchNorm2d_eval/model.onnx --test-data %onnx_testdata/pytorch-converted/test_BatchNorm2d_eval/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/pytorch-converted/test_Linear/model.onnx --test-data %onnx_testdata/pytorch-converted/test_Linear/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// LIVE-LABEL: PASS
