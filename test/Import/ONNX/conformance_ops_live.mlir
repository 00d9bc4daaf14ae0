// The ops of conformance_ops.mlir run against the references of the ONNX
// backend suites (libonnx-testdata), one test per family.
// REQUIRES: onnx-testdata
// RUN: ds-run %onnx_testdata/pytorch-converted/test_ReflectionPad2d/model.onnx --test-data %onnx_testdata/pytorch-converted/test_ReflectionPad2d/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/pytorch-operator/test_operator_index/model.onnx --test-data %onnx_testdata/pytorch-operator/test_operator_index/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/node/test_upsample_nearest/model.onnx --test-data %onnx_testdata/node/test_upsample_nearest/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/node/test_det_nd/model.onnx --test-data %onnx_testdata/node/test_det_nd/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/node/test_gridsample_bicubic/model.onnx --test-data %onnx_testdata/node/test_gridsample_bicubic/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/node/test_gridsample_reflection_padding/model.onnx --test-data %onnx_testdata/node/test_gridsample_reflection_padding/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/node/test_tfidfvectorizer_tf_batch_uniandbigrams_skip5/model.onnx --test-data %onnx_testdata/node/test_tfidfvectorizer_tf_batch_uniandbigrams_skip5/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/node/test_dft_inverse/model.onnx --test-data %onnx_testdata/node/test_dft_inverse/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/node/test_adam/model.onnx --test-data %onnx_testdata/node/test_adam/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/node/test_nesterov_momentum/model.onnx --test-data %onnx_testdata/node/test_nesterov_momentum/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/simple/test_sequence_model3/model.onnx --test-data %onnx_testdata/simple/test_sequence_model3/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/node/test_scan_sum/model.onnx --test-data %onnx_testdata/node/test_scan_sum/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/node/test_if/model.onnx --test-data %onnx_testdata/node/test_if/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// RUN: ds-run %onnx_testdata/node/test_maxunpool_export_with_output_shape/model.onnx --test-data %onnx_testdata/node/test_maxunpool_export_with_output_shape/test_data_set_0 | FileCheck --check-prefix=LIVE %s
// LIVE-LABEL: PASS
