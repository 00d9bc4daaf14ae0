// RUN: ds-translate --import-onnx %S/Inputs/quant_fold.onnx | FileCheck %s
// Fixture: scripts/gen_onnx_fixtures.py (gen_quant_fold).
//
// int8 MatMulInteger / ConvInteger with zero points absent or constant 0 and
// a constant weight become dsq products on a unit-scale dsq.weight, cast back
// to i32 (exact: every accumulator is bounded by 2^24 from the weights).
// Everything else keeps the i32 dsg arithmetic.

// CHECK-LABEL: func.func @main(
// CHECK-SAME: %[[A:[^:]*]]: tensor<2x4xi8> {ds.name = "a"}
// CHECK-SAME: %[[BRT:[^:]*]]: tensor<4x3xi8> {ds.name = "brt"}
// CHECK-SAME: %[[AU:[^:]*]]: tensor<2x4xui8> {ds.name = "au"}
// CHECK-SAME: %[[ALONG:[^:]*]]: tensor<1x1025xi8> {ds.name = "along"}
// CHECK-SAME: %[[X:[^:]*]]: tensor<1x2x3x3xi8> {ds.name = "x"}

// fold_plain: B [K, N] is transposed into the [N, K] weight, scales are 1.
// CHECK: %[[W0:.*]], %[[S0:.*]] = dsq.weight {bits = 8 : i64, group_size = 4 : i64, scales = dense<1.000000e+00> : tensor<3x1xf32>, values = dense<{{\[}}[43, 78, 33, -115], [78, -8, -55, -57], [-123, 3, 122, -30]]> : tensor<3x4xi8>}
// CHECK: %[[ONE0:.*]] = dsg.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[Q0:.*]] = dsq.qmatmul %[[A]] scale %[[ONE0]], %[[W0]] scale %[[S0]] {bits = 8 : i64} : (tensor<2x4xi8>, tensor<f32>, tensor<3x4xi8>, tensor<3x1xf32>) -> tensor<2x3xf32>
// CHECK: %[[R0:.*]] = dsg.cast %[[Q0]] : tensor<2x3xf32> -> tensor<2x3xi32>

// fold_zero_zp: explicit constant-0 zero points fold too.
// CHECK: dsq.weight
// CHECK: %[[Q1:.*]] = dsq.qmatmul %[[A]] scale
// CHECK: %[[R1:.*]] = dsg.cast %[[Q1]] : tensor<2x3xf32> -> tensor<2x3xi32>

// keep_zp: a nonzero B zero point keeps the i32 product.
// CHECK-NOT: dsq.
// CHECK: %[[R2:.*]] = dsg.matmul {{.*}} : (tensor<2x4xi32>, tensor<4x3xi32>) -> tensor<2x3xi32>
// keep_runtime: B is a graph input.
// CHECK-NOT: dsq.
// CHECK: %[[BI:.*]] = dsg.cast %[[BRT]] : tensor<4x3xi8> -> tensor<4x3xi32>
// CHECK: %[[R3:.*]] = dsg.matmul %{{.*}}, %[[BI]]
// keep_u8: uint8 operands.
// CHECK-NOT: dsq.
// CHECK: %[[AUI:.*]] = dsg.cast %[[AU]] : tensor<2x4xui8> -> tensor<2x4xi32>
// CHECK: %[[R4:.*]] = dsg.matmul %[[AUI]]
// keep_big: 128 * 128 * 1025 > 2^24, f32 could round the accumulator.
// CHECK-NOT: dsq.
// CHECK: %[[ALI:.*]] = dsg.cast %[[ALONG]] : tensor<1x1025xi8> -> tensor<1x1025xi32>
// CHECK: %[[R5:.*]] = dsg.matmul %[[ALI]], %{{.*}} : (tensor<1x1025xi32>, tensor<1025x1xi32>) -> tensor<1x1xi32>

// fold_conv: [F, C, KH, KW] is the [F, C*KH*KW] weight as it is.
// CHECK: %[[WC:.*]], %[[SC:.*]] = dsq.weight {bits = 8 : i64, group_size = 8 : i64, scales = dense<1.000000e+00> : tensor<2x1xf32>, values = dense<{{\[}}[18, -24, -95, -117, -128, -116, -90, 127], [-80, 39, 64, -68, -56, -17, -61, 121]]> : tensor<2x8xi8>}
// CHECK: %[[ONEC:.*]] = dsg.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[QC:.*]] = dsq.qconv %[[X]] scale %[[ONEC]], %[[WC]] scale %[[SC]] {bits = 8 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xi8>, tensor<f32>, tensor<2x8xi8>, tensor<2x1xf32>) -> tensor<1x2x4x4xf32>
// CHECK: %[[RC:.*]] = dsg.cast %[[QC]] : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xi32>
// keep_conv_zp: x's zero point is 1.
// CHECK-NOT: dsq.
// CHECK: %[[RC2:.*]] = dsg.conv {{.*}} -> tensor<1x2x4x4xi32>
// fold_qlinear_mm / fold_qlinear_conv: the i32 core folds, the requantizing
// epilogue stays dsg.
// CHECK: %[[QL:.*]] = dsq.qmatmul %[[A]] scale
// CHECK: %[[QLI:.*]] = dsg.cast %[[QL]] : tensor<2x3xf32> -> tensor<2x3xi32>
// CHECK: dsg.cast %[[QLI]] : tensor<2x3xi32> -> tensor<2x3xf32>
// CHECK: %[[RQ:.*]] = dsg.cast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xi8>
// CHECK: %[[QCL:.*]] = dsq.qconv %[[X]] scale {{.*}} pads = array<i64: 0, 0, 0, 0>
// CHECK: %[[QCLI:.*]] = dsg.cast %[[QCL]] : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xi32>
// CHECK: dsg.cast %[[QCLI]] : tensor<1x2x2x2xi32> -> tensor<1x2x2x2xf32>
// CHECK: %[[RQC:.*]] = dsg.cast %{{.*}} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xi8>
// CHECK-NOT: dsq.
// CHECK: return %[[R0]], %[[R1]], %[[R2]], %[[R3]], %[[R4]], %[[R5]], %[[RC]], %[[RC2]], %[[RQ]], %[[RQC]]

// The import says nothing about what does not fold.
// RUN: ds-translate --import-onnx %S/Inputs/quant_fold.onnx -o /dev/null 2>&1 | count 0
