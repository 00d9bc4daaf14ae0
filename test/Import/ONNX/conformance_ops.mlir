// Older op versions, Det, GridSample, TfIdfVectorizer, the optimizers of
// the ai.onnx.preview.training domain and import-time sequences
// (scripts/gen_onnx_fixtures_conformance.py makes the models).

// Pad-2 and Slice-1 take attributes, which become constant operands.
// RUN: ds-translate --import-onnx %S/Inputs/legacy_pad_slice.onnx | FileCheck %s --check-prefix=LEGACY
// LEGACY: %[[V:.*]] = dsg.constant dense<1.500000e+00> : tensor<f32>
// LEGACY: %[[P:.*]] = dsg.constant dense<[0, 1, 0, 2]> : tensor<4xi64>
// LEGACY: %[[C:.*]] = dsg.pad %arg0, %[[P]], %[[V]] : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<2x6xf32>
// LEGACY: %[[R:.*]] = dsg.pad %[[C]], %{{.*}} {mode = "reflect"} : (tensor<2x6xf32>, tensor<4xi64>) -> tensor<4x6xf32>
// LEGACY-DAG: %[[ONES:.*]] = dsg.constant dense<1> : tensor<2xi64>
// LEGACY-DAG: %[[AXES:.*]] = dsg.constant dense<[0, 1]> : tensor<2xi64>
// LEGACY-DAG: %[[STARTS:.*]] = dsg.constant dense<[1, -3]> : tensor<2xi64>
// The end 100 clamps to the dimension: rows 1..3, columns 3..4.
// LEGACY: dsg.slice %[[R]], %[[STARTS]], %[[AXES]], %[[ONES]] : {{.*}} -> tensor<3x4xf32>
// RUN: not ds-translate --import-onnx %S/Inputs/legacy_pad_bad_mode.onnx 2>&1 | FileCheck %s --check-prefix=PADMODE
// PADMODE: error: node 'pad_wrap' (Pad, opset 6): expected mode constant, reflect or edge, found 'wrap'
// RUN: not ds-translate --import-onnx %S/Inputs/legacy_slice_bad_axes.onnx 2>&1 | FileCheck %s --check-prefix=SLICEAXES
// SLICEAXES: error: node 'slice_twice' (Slice, opset 6): axis 1 is sliced twice

// Upsample-9 is Resize with asymmetric coordinates and floor rounding:
// output column j reads input column floor(j / 3).
// RUN: ds-translate --import-onnx %S/Inputs/upsample.onnx | FileCheck %s --check-prefix=UP
// UP: %[[COLS:.*]] = dsg.constant dense<[0, 0, 0, 1, 1, 1]> : tensor<6xi64>
// UP: %[[G:.*]] = dsg.gather %arg0, %[[COLS]] {axis = 3 : i64} : (tensor<1x1x2x2xf32>, tensor<6xi64>) -> tensor<1x1x2x6xf32>
// UP: %[[ROWS:.*]] = dsg.constant dense<[0, 0, 1, 1]> : tensor<4xi64>
// UP: dsg.gather %[[G]], %[[ROWS]] {axis = 2 : i64} : (tensor<1x1x2x6xf32>, tensor<4xi64>) -> tensor<1x1x4x6xf32>
// RUN: not ds-translate --import-onnx %S/Inputs/upsample_bad_mode.onnx 2>&1 | FileCheck %s --check-prefix=UPMODE
// UPMODE: error: node 'up_cubic' (Upsample, opset 9): expected mode nearest or linear, found 'cubic'

// Det by the Leibniz formula: the 6 permutations of 3 gathered at once.
// RUN: ds-translate --import-onnx %S/Inputs/det.onnx | FileCheck %s --check-prefix=DET
// DET: %[[F:.*]] = dsg.reshape %arg0 : (tensor<2x3x3xf32>) -> tensor<2x9xf32>
// DET: %[[I:.*]] = dsg.constant dense<[0, 4, 8, 0, 5, 7, 1, 3, 8, 1, 5, 6, 2, 3, 7, 2, 4, 6]> : tensor<18xi64>
// DET: %[[G:.*]] = dsg.gather %[[F]], %[[I]] {axis = 1 : i64}
// DET: %[[T:.*]] = dsg.reshape %[[G]] : (tensor<2x18xf32>) -> tensor<2x6x3xf32>
// DET: %[[P:.*]] = dsg.reduce_prod %[[T]] {axes = array<i64: 2>, keepdims = false}
// DET: %[[S:.*]] = dsg.constant dense<[1.000000e+00, -1.000000e+00, -1.000000e+00, 1.000000e+00, 1.000000e+00, -1.000000e+00]>
// DET: %[[M:.*]] = dsg.mul %[[P]], %[[S]]
// DET: dsg.reduce_sum %[[M]] {axes = array<i64: 1>, keepdims = false} : tensor<2x6xf32> -> tensor<2xf32>
// RUN: not ds-translate --import-onnx %S/Inputs/det_too_large.onnx 2>&1 | FileCheck %s --check-prefix=DETBIG
// DETBIG: error: node 'det6' (Det, opset 11): ds expands determinants of order up to 5, found 'tensor<6x6xf32>'

// GridSample: every tap is a gather from the image flattened to
// [N, C, H * W]; bilinear takes 4 taps, bicubic 16.
// RUN: ds-translate --import-onnx %S/Inputs/gridsample.onnx | FileCheck %s --check-prefix=GRID
// GRID: %[[IMG:.*]] = dsg.reshape %arg0 : (tensor<1x2x3x4xf32>) -> tensor<1x2x12xf32>
// GRID-COUNT-4: dsg.gather_elements %[[IMG]], %{{.*}} {axis = 2 : i64} : (tensor<1x2x12xf32>, tensor<1x2x30xi64>) -> tensor<1x2x30xf32>
// GRID: dsg.reshape %{{.*}} : (tensor<1x2x30xf32>) -> tensor<1x2x5x6xf32>
// GRID-COUNT-16: dsg.gather_elements %{{.*}} {axis = 2 : i64} : (tensor<1x2x12xf32>, tensor<1x2x30xi64>) -> tensor<1x2x30xf32>
// GRID: dsg.reshape %{{.*}} : (tensor<1x2x30xf32>) -> tensor<1x2x5x6xf32>
// GRID-NOT: dsg.gather_elements
// RUN: not ds-translate --import-onnx %S/Inputs/gridsample_bad_mode.onnx 2>&1 | FileCheck %s --check-prefix=GRIDMODE
// GRIDMODE: error: node 'gs_linear' (GridSample, opset 16): expected mode bilinear, nearest or bicubic, found 'linear'
// RUN: not ds-translate --import-onnx %S/Inputs/gridsample_int.onnx 2>&1 | FileCheck %s --check-prefix=GRIDINT
// GRIDINT: error: node 'gs_int' (GridSample, opset 16): ds imports it for floating-point X only, found 'tensor<1x2x3x4xi32>'

// TfIdfVectorizer: unigram matches, then bigrams at skips 0 and 1, mapped
// to the output columns by constant weight matrices.
// RUN: ds-translate --import-onnx %S/Inputs/tfidf.onnx | FileCheck %s --check-prefix=TFIDF
// TFIDF: %[[X:.*]] = dsg.cast %arg0 : tensor<2x5xi32> -> tensor<2x5xi64>
// TFIDF: dsg.equal %{{.*}}, %{{.*}} : (tensor<2x5x1xi64>, tensor<2xi64>) -> tensor<2x5x2xi1>
// TFIDF: dsg.constant dense<{{\[\[}}0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+00], [2.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<2x4xf32>
// TFIDF: dsg.and %{{.*}} : (tensor<2x4x2xi1>, tensor<2x4x2xi1>) -> tensor<2x4x2xi1>
// TFIDF: dsg.and %{{.*}} : (tensor<2x3x2xi1>, tensor<2x3x2xi1>) -> tensor<2x3x2xi1>
// TFIDF: dsg.constant dense<{{\[\[}}0.000000e+00, 5.000000e-01, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 3.000000e+00, 0.000000e+00]]> : tensor<2x4xf32>
// TFIDF: dsg.matmul %{{.*}} : (tensor<2x2xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
// RUN: not ds-translate --import-onnx %S/Inputs/tfidf_strings.onnx 2>&1 | FileCheck %s --check-prefix=TFSTR
// TFSTR: error: node 'tfidf_str' (TfIdfVectorizer, opset 9): pool_strings is not supported (ds has no string tensors)

// Optimizers of the training domain in a model without the default domain.
// RUN: ds-translate --import-onnx %S/Inputs/momentum.onnx | FileCheck %s --check-prefix=MOM
// MOM: func.func @main(%[[R:.*]]: tensor<f32> {ds.name = "r"}, %[[T:.*]]: tensor<i64> {ds.name = "t"}, %[[X:.*]]: tensor<3xf32> {ds.name = "x"}
// The coefficient of the gradient is beta after the first step, 1 at it.
// MOM: %[[POS:.*]] = dsg.greater %[[T]], %{{.*}} : (tensor<i64>, tensor<i64>) -> tensor<i1>
// MOM: dsg.where %[[POS]], %{{.*}}, %{{.*}} : (tensor<i1>, tensor<f32>, tensor<f32>) -> tensor<f32>
// Nesterov: X - R * (g' + alpha * V').
// MOM: %[[STEP:.*]] = dsg.mul %[[R]], %{{.*}} : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
// MOM: %[[XNEW:.*]] = dsg.sub %[[X]], %[[STEP]]
// Adagrad: the rate decays as R / (1 + T * decay_factor).
// MOM: %[[TF:.*]] = dsg.cast %[[T]] : tensor<i64> -> tensor<f32>
// MOM: dsg.sqrt
// MOM: return %[[XNEW]]
// RUN: not ds-translate --import-onnx %S/Inputs/momentum_bad_mode.onnx 2>&1 | FileCheck %s --check-prefix=MOMMODE
// MOMMODE: error: node 'heavy_ball' (Momentum, opset 1): expected mode standard or nesterov, found 'heavy'
// RUN: not ds-translate --import-onnx %S/Inputs/adam_bad_arity.onnx 2>&1 | FileCheck %s --check-prefix=ADAM
// ADAM: error: node 'adam3' (Adam, opset 1): expected R, T and 4 lists of N tensors, found 5 inputs
// RUN: not ds-translate --import-onnx %S/Inputs/no_default_opset.onnx 2>&1 | FileCheck %s --check-prefix=NODEFAULT
// NODEFAULT: error: {{.*}}No opset import for domain optype Relu

// Sequences exist only at import: SplitToSequence slices, the edits pick
// values, ConcatFromSequence concatenates and SequenceLength is a constant.
// RUN: ds-translate --import-onnx %S/Inputs/sequence.onnx | FileCheck %s --check-prefix=SEQ
// SEQ: func.func @main(%[[X:.*]]: tensor<2x3xf32> {ds.name = "x"})
// SEQ: dsg.slice %[[X]], {{.*}} -> tensor<1x3xf32>
// SEQ: %[[ROW1:.*]] = dsg.slice %[[X]], {{.*}} -> tensor<1x3xf32>
// SEQ: %[[LAST:.*]] = dsg.reshape %[[ROW1]] : (tensor<1x3xf32>) -> tensor<3xf32>
// SEQ: %[[A:.*]] = dsg.reshape %[[X]] : (tensor<2x3xf32>) -> tensor<1x2x3xf32>
// SEQ: %[[B:.*]] = dsg.reshape %[[X]] : (tensor<2x3xf32>) -> tensor<1x2x3xf32>
// SEQ: %[[CAT:.*]] = dsg.concat %[[A]], %[[B]] {axis = 0 : i64} : (tensor<1x2x3xf32>, tensor<1x2x3xf32>) -> tensor<2x2x3xf32>
// SEQ: %[[LEN:.*]] = dsg.constant dense<2> : tensor<i64>
// SEQ: return %[[CAT]], %[[LAST]], %[[LEN]]
// RUN: not ds-translate --import-onnx %S/Inputs/sequence_runtime_position.onnx 2>&1 | FileCheck %s --check-prefix=SEQPOS
// SEQPOS: error: node 'at_pos' (SequenceAt, opset 12): the position 'pos' is computed at run time; ds needs a constant position
// RUN: not ds-translate --import-onnx %S/Inputs/sequence_to_tensor_op.onnx 2>&1 | FileCheck %s --check-prefix=SEQOP
// SEQOP: error: node 'identity' (Identity, opset 16): input 'pair' is a sequence, which ds imports for the Sequence* ops, SplitToSequence and ConcatFromSequence only
// RUN: not ds-translate --import-onnx %S/Inputs/sequence_output.onnx 2>&1 | FileCheck %s --check-prefix=SEQOUT
// SEQOUT: error: graph output 'pair' is a sequence; ds returns tensors only

// DFT-17: products with constant [L, K] cosine and sine matrices (onesided:
// K = L / 2 + 1), the imaginary part negated for the forward transform.
// RUN: ds-translate --import-onnx %S/Inputs/dft.onnx | FileCheck %s --check-prefix=DFT
// DFT: %[[C:.*]] = dsg.constant dense<{{\[\[}}1.000000e+00, 1.000000e+00, 1.000000e+00], [1.000000e+00, {{.*}}, -1.000000e+00]{{.*}}> : tensor<4x3xf32>
// DFT: %[[S:.*]] = dsg.constant dense<{{\[\[}}0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00, {{.*}}> : tensor<4x3xf32>
// DFT: %[[RE:.*]] = dsg.matmul %[[X:.*]], %[[C]] : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
// DFT: %[[XS:.*]] = dsg.matmul %[[X]], %[[S]]
// DFT: %[[IM:.*]] = dsg.neg %[[XS]]
// DFT: dsg.concat %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<2x3x1xf32>, tensor<2x3x1xf32>) -> tensor<2x3x2xf32>
// RUN: not ds-translate --import-onnx %S/Inputs/dft_bad_axis.onnx 2>&1 | FileCheck %s --check-prefix=DFTAXIS
// DFTAXIS: error: node 'dft_last' (DFT, opset 17): expected an axis among the signal dimensions 1 to 1 of 'tensor<2x4x1xf32>'

// If at a run-time condition: both branches inlined, outputs selected.
// RUN: ds-translate --import-onnx %S/Inputs/if_select.onnx | FileCheck %s --check-prefix=IF
// IF: func.func @main(%[[C:.*]]: tensor<i1> {ds.name = "c"}, %[[X:.*]]: tensor<3xf32> {ds.name = "x"})
// IF: %[[T:.*]] = dsg.add %[[X]], %[[X]]
// IF: %[[F:.*]] = dsg.neg %[[X]]
// IF: %[[Y:.*]] = dsg.where %[[C]], %[[T]], %[[F]] : (tensor<i1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// IF: return %[[Y]]
// RUN: not ds-translate --import-onnx %S/Inputs/if_faulting.onnx 2>&1 | FileCheck %s --check-prefix=IFFAULT
// IFFAULT: error: node 'if_gather' (If, opset 13): the condition is computed at run time and a branch has ops that may fault when not taken

// Scan unrolled over axis 1 (3 steps); the scan output is stacked in
// reverse (scan_output_directions = 1).
// RUN: ds-translate --import-onnx %S/Inputs/scan.onnx | FileCheck %s --check-prefix=SCAN
// SCAN: func.func @main(%[[INIT:.*]]: tensor<2xf32> {ds.name = "init"}, %[[XS:.*]]: tensor<2x3xf32>
// SCAN: %[[S0:.*]] = dsg.add %[[INIT]], %{{.*}} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
// SCAN: %[[S1:.*]] = dsg.add %[[S0]], %{{.*}}
// SCAN: %[[S2:.*]] = dsg.add %[[S1]], %{{.*}}
// SCAN: %[[A:.*]] = dsg.reshape %[[S2]] : (tensor<2xf32>) -> tensor<1x2xf32>
// SCAN: %[[B:.*]] = dsg.reshape %[[S1]]
// SCAN: %[[D:.*]] = dsg.reshape %[[S0]]
// SCAN: %[[P:.*]] = dsg.concat %[[A]], %[[B]], %[[D]] {axis = 0 : i64} : {{.*}} -> tensor<3x2xf32>
// SCAN: return %[[S2]], %[[P]]
// RUN: not ds-translate --import-onnx %S/Inputs/scan_bad_count.onnx 2>&1 | FileCheck %s --check-prefix=SCANBAD
// SCANBAD: error: node 'scan_many' (Scan, opset 11): expected 1 to 2 scan inputs, found 3
