// RUN: ds-translate --import-onnx %S/Inputs/squeeze_runtime_axes.onnx | FileCheck %s --check-prefix=SQUEEZE
// RUN: ds-translate --import-onnx %S/Inputs/reduce_runtime_axes.onnx | FileCheck %s --check-prefix=REDUCE
// RUN: ds-translate --import-onnx %S/Inputs/reduce_runtime_axes_ambiguous.onnx | FileCheck %s --check-prefix=AMBIGUOUS
// RUN: not ds-translate --import-onnx %S/Inputs/reduce_runtime_axes_too_many.onnx 2>&1 | FileCheck %s --check-prefix=TOOMANY
// RUN: rm -rf %t && mkdir -p %t
// RUN: ds-translate --target=cpu %S/Inputs/reduce_runtime_axes_ambiguous.onnx -o %t/ambiguous.so
// RUN: ds-run %t/ambiguous.so --test-data %S/Inputs/reduce_runtime_axes_ambiguous_data/test_data_set_0 | FileCheck %s --check-prefix=NUMERICS
// RUN: ds-run %t/ambiguous.so --test-data %S/Inputs/reduce_runtime_axes_ambiguous_data/test_data_set_1 | FileCheck %s --check-prefix=NUMERICS
// RUN: ds-run %t/ambiguous.so --test-data %S/Inputs/reduce_runtime_axes_ambiguous_data/test_data_set_2 | FileCheck %s --check-prefix=NUMERICS

// Squeeze/Unsqueeze-13 with axes computed at run time never move elements:
// with the output shape known they are reshapes to it, the axes unused. One
// dynamic size is inferred (-1) by a constant-shape reshape.
// SQUEEZE: func.func @main(%[[X:.*]]: tensor<2x3xf32> {ds.name = "x"}, %{{.*}}: tensor<2xi64> {ds.name = "ua"}, %[[D:.*]]: tensor<?x3x1xf32> {ds.name = "d"}, %{{.*}}: tensor<1xi64> {ds.name = "sa"})
// SQUEEZE:       %[[U:.*]] = dsg.reshape %[[X]] : (tensor<2x3xf32>) -> tensor<1x2x3x1xf32>
// SQUEEZE:       %[[SH:.*]] = dsg.constant dense<[-1, 3]> : tensor<2xi64>
// SQUEEZE:       %[[S:.*]] = dsg.reshape %[[D]], %[[SH]] : (tensor<?x3x1xf32>, tensor<2xi64>) -> tensor<?x3xf32>
// SQUEEZE:       return %[[U]], %[[S]]

// ReduceSum-13 with axes computed at run time: the static input and output
// shapes determine the reduced axes. Without keepdims, a size-1 input
// dimension may or may not be among them; it does not change the values, so
// the sum skips it and a reshape drops it. A statically empty axes tensor
// with noop_with_empty_axes is the identity.
// REDUCE: func.func @main(%[[X:.*]]: tensor<2x3x4xf32> {ds.name = "x"}, %{{.*}}: tensor<1xi64> {ds.name = "a"}, %[[X1:.*]]: tensor<2x3x1x4xf32> {ds.name = "x1"}, %{{.*}}: tensor<2xi64> {ds.name = "b"}, %{{.*}}: tensor<0xi64> {ds.name = "e"})
// REDUCE:       %[[KEEP:.*]] = dsg.reduce_sum %[[X]] {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
// REDUCE:       %[[SUM:.*]] = dsg.reduce_sum %[[X1]] {axes = array<i64: 0>, keepdims = false} : tensor<2x3x1x4xf32> -> tensor<3x1x4xf32>
// REDUCE:       %[[DROP:.*]] = dsg.reshape %[[SUM]] : (tensor<3x1x4xf32>) -> tensor<3x4xf32>
// REDUCE:       return %[[KEEP]], %[[DROP]], %[[X]]

// [3, 2, 2] -> [3, 2] reduces axis 1 or axis 2: different sums. Both are
// computed; the axes, made non-negative, become a bit mask over the
// dimensions (2^d) that selects one (the last candidate when none matches).
// AMBIGUOUS: func.func @main(%[[X:.*]]: tensor<3x2x2xf32> {ds.name = "x"}, %[[A:.*]]: tensor<1xi64> {ds.name = "a"})
// AMBIGUOUS: %[[NEG:.*]] = dsg.less %[[A]]
// AMBIGUOUS: %[[WRAPPED:.*]] = dsg.where %[[NEG]]
// AMBIGUOUS: %[[COL:.*]] = dsg.reshape %[[WRAPPED]] : (tensor<1xi64>) -> tensor<1x1xi64>
// AMBIGUOUS: %[[HIT:.*]] = dsg.equal %[[COL]], %{{.*}} : (tensor<1x1xi64>, tensor<1x3xi64>) -> tensor<1x3xi1>
// AMBIGUOUS: %[[BITS:.*]] = dsg.constant dense<{{\[\[}}1, 2, 4]]> : tensor<1x3xi64>
// AMBIGUOUS: %[[MASK:.*]] = dsg.reduce_sum %{{.*}} {axes = array<i64: 0, 1>, keepdims = false} : tensor<1x3xi64> -> tensor<i64>
// AMBIGUOUS-DAG: %[[SUM1:.*]] = dsg.reduce_sum %[[X]] {axes = array<i64: 1>, keepdims = false} : tensor<3x2x2xf32> -> tensor<3x2xf32>
// AMBIGUOUS-DAG: %[[SUM2:.*]] = dsg.reduce_sum %[[X]] {axes = array<i64: 2>, keepdims = false} : tensor<3x2x2xf32> -> tensor<3x2xf32>
// AMBIGUOUS-DAG: %[[FOUR:.*]] = dsg.constant dense<4> : tensor<i64>
// AMBIGUOUS: %[[IS2:.*]] = dsg.equal %[[MASK]], %[[FOUR]]
// AMBIGUOUS: %[[Y:.*]] = dsg.where %[[IS2]], %[[SUM2]], %[[SUM1]]
// AMBIGUOUS: return %[[Y]]

// Numerics for axes [2], [-2] and [1] against NumPy.
// NUMERICS: {{^PASS$}}

// Twenty candidate sets are more than ds computes (8): still unsupported.
// TOOMANY: error: node 'sum6' (ReduceSum, opset 13): the axes input 'a' is computed at run time, and reducing 'tensor<2x2x2x2x2x2xf32>' to 'tensor<2x2x2xf32>' does not determine which axes it reduces
