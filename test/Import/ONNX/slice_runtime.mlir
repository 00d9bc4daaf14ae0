// RUN: ds-translate --import-onnx %S/Inputs/slice_runtime.onnx | FileCheck %s
// RUN: not ds-translate --import-onnx %S/Inputs/slice_runtime_bad_rank.onnx 2>&1 | FileCheck %s --check-prefix=RANK
// RUN: rm -rf %t && mkdir -p %t
// RUN: ds-translate --target=cpu %S/Inputs/slice_runtime.onnx -o %t/slice.so
// RUN: ds-run %t/slice.so --test-data %S/Inputs/slice_runtime_data/test_data_set_0 --print-outputs | FileCheck %s --check-prefix=RUN0
// RUN: ds-run %t/slice.so --test-data %S/Inputs/slice_runtime_data/test_data_set_1 --print-outputs | FileCheck %s --check-prefix=RUN1
// RUN: ds-run %t/slice.so --test-data %S/Inputs/slice_runtime_data/test_data_set_2 --print-outputs | FileCheck %s --check-prefix=RUN2

// Slice-13 whose starts, ends and steps are graph inputs: ONNX shape
// inference gives no result size, so the importer emits dsg.slice_to (ends
// as an operand, dynamic result sizes) instead of dsg.slice. The default
// axes and steps of the 3-input form become constants; int32 starts and
// ends stay int32.
// CHECK: func.func @main(%[[X:.*]]: tensor<4x6xf32> {ds.name = "x"}, %[[S:.*]]: tensor<2xi64> {ds.name = "starts"}, %[[E:.*]]: tensor<2xi64> {ds.name = "ends"}, %[[ST:.*]]: tensor<2xi64> {ds.name = "steps"}, %[[V:.*]]: tensor<5xi32> {ds.name = "v"}, %[[S1:.*]]: tensor<1xi32> {ds.name = "s"}, %[[E1:.*]]: tensor<1xi32> {ds.name = "e"})
// CHECK-NOT: dsg.slice %
// CHECK:       %[[AXES:.*]] = dsg.constant dense<[0, -1]> : tensor<2xi64>
// CHECK:       %[[Y:.*]] = dsg.slice_to %[[X]], %[[S]], %[[E]], %[[AXES]], %[[ST]] : (tensor<4x6xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
// CHECK:       %[[A0:.*]] = dsg.constant dense<0> : tensor<1xi64>
// CHECK:       %[[ONE:.*]] = dsg.constant dense<1> : tensor<1xi64>
// CHECK:       %[[W:.*]] = dsg.slice_to %[[V]], %[[S1]], %[[E1]], %[[A0]], %[[ONE]] : (tensor<5xi32>, tensor<1xi32>, tensor<1xi32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xi32>
// CHECK:       return %[[Y]], %[[W]]

// A declared output of another rank than the input's is rejected.
// RANK: error: node 'slice_rank' (Slice, opset 13): expected output 'y' of rank 2, found 'tensor<?x?x?xf32>'

// Against the references of scripts/gen_onnx_fixtures_conformance.py
// (slice_reference, ONNX's wrap-and-clamp rules; exact, tolerance 0).
// Set 0: starts [1, -4], ends [3, 100], steps [1, 2]; w = v[-2:INT32_MAX].
// RUN0:      output 'y': float32[2, 2] [0.5, 2.5, 6.5, 8.5]
// RUN0-NEXT: output 'w': int32[2] [40, 50]
// RUN0:      output 'y': max_abs_err=0 max_rel_err=0 PASS
// RUN0-NEXT: output 'w': max_abs_err=0 max_rel_err=0 PASS
// RUN0-NEXT: {{^PASS$}}
// Set 1: negative steps [-2, -1] from starts [-1, 5] to ends [-100, 0]
// (-100 wraps to -94, clamps to -1: rows 3 and 1); w = v[-10:-3] (the
// start clamps to 0).
// RUN1:      output 'y': float32[2, 5] [15.5, 14.5, 13.5, 12.5, 11.5, 3.5, 2.5, 1.5, 0.5, -0.5]
// RUN1-NEXT: output 'w': int32[2] [10, 20]
// RUN1:      {{^PASS$}}
// Set 2: start 10 past 4 rows and end INT64_MAX: empty; w = v[3:1]: empty.
// RUN2:      output 'y': float32[0, 6] []
// RUN2-NEXT: output 'w': int32[0] []
// RUN2:      {{^PASS$}}
