// RNN, GRU and LSTM are unrolled on import over the static sequence length
// (Recurrent.cpp): per gate, the input projection X * W^T + Wb + Rb is one
// batched matmul over all steps; each step gathers its slice and adds H * R^T.
// RUN: ds-translate --import-onnx %S/Inputs/rnn.onnx | FileCheck %s --check-prefix=RNN
// RUN: ds-translate --import-onnx %S/Inputs/gru_lbr.onnx | FileCheck %s --check-prefix=GRU
// RUN: ds-translate --import-onnx %S/Inputs/lstm_lens.onnx | FileCheck %s --check-prefix=LSTM
// RUN: ds-translate --import-onnx %S/Inputs/rnn_bidir.onnx | FileCheck %s --check-prefix=BI
// RUN: not ds-translate --import-onnx %S/Inputs/rnn_bad_activation.onnx 2>&1 | FileCheck %s --check-prefix=BADACT
// RUN: not ds-translate --import-onnx %S/Inputs/rnn_dynamic_seq.onnx 2>&1 | FileCheck %s --check-prefix=DYN
// RUN: not ds-translate --import-onnx %S/Inputs/gru_bad_weights.onnx 2>&1 | FileCheck %s --check-prefix=BADW
// RUN: not ds-translate --import-onnx %S/Inputs/lstm_bad_direction.onnx 2>&1 | FileCheck %s --check-prefix=BADDIR
// RUN: not ds-translate --import-onnx %S/Inputs/lstm_bad_activation_count.onnx 2>&1 | FileCheck %s --check-prefix=BADCOUNT
// RUN: not ds-translate --import-onnx %S/Inputs/rnn_bad_lens.onnx 2>&1 | FileCheck %s --check-prefix=BADLENS

// RNN-14, forward, T = 2, B = 1, I = 3, H = 2, with a bias.
// RNN:      func.func @main(%[[X:.*]]: tensor<2x1x3xf32> {{.*}}, %[[W:.*]]: tensor<1x2x3xf32> {{.*}}, %[[R:.*]]: tensor<1x2x2xf32> {{.*}}, %[[B:.*]]: tensor<1x4xf32>
// RNN:        %[[WT:.*]] = dsg.transpose %{{.*}} {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
// RNN:        %[[XW:.*]] = dsg.matmul %[[X]], %[[WT]] : (tensor<2x1x3xf32>, tensor<3x2xf32>) -> tensor<2x1x2xf32>
// RNN:        %[[BIAS:.*]] = dsg.add %{{.*}}, %{{.*}} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
// RNN:        %[[PROJ:.*]] = dsg.add %[[XW]], %[[BIAS]] : (tensor<2x1x2xf32>, tensor<2xf32>) -> tensor<2x1x2xf32>
// RNN:        %[[RT:.*]] = dsg.transpose %{{.*}} {permutation = array<i64: 1, 0>} : tensor<2x2xf32> -> tensor<2x2xf32>
// Step 0 starts from a zero state.
// RNN:        %[[H0:.*]] = dsg.constant dense<0.000000e+00> : tensor<1x2xf32>
// RNN:        %[[HR0:.*]] = dsg.matmul %[[H0]], %[[RT]]
// RNN:        %[[I0:.*]] = dsg.constant dense<0> : tensor<1xi64>
// RNN:        %[[G0:.*]] = dsg.gather %[[PROJ]], %[[I0]] {axis = 0 : i64}
// RNN:        %[[S0:.*]] = dsg.reshape %[[G0]] : (tensor<1x1x2xf32>) -> tensor<1x2xf32>
// RNN:        %[[A0:.*]] = dsg.add %[[S0]], %[[HR0]]
// RNN:        %[[H1:.*]] = dsg.tanh %[[A0]] : tensor<1x2xf32>
// RNN:        %[[Y0:.*]] = dsg.reshape %[[H1]] : (tensor<1x2xf32>) -> tensor<1x1x1x2xf32>
// RNN:        %[[HR1:.*]] = dsg.matmul %[[H1]], %[[RT]]
// RNN:        %[[I1:.*]] = dsg.constant dense<1> : tensor<1xi64>
// RNN:        dsg.gather %[[PROJ]], %[[I1]] {axis = 0 : i64}
// RNN:        %[[H2:.*]] = dsg.tanh
// RNN:        %[[Y1:.*]] = dsg.reshape %[[H2]] : (tensor<1x2xf32>) -> tensor<1x1x1x2xf32>
// RNN:        %[[Y:.*]] = dsg.concat %[[Y0]], %[[Y1]] {axis = 0 : i64} : (tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>) -> tensor<2x1x1x2xf32>
// RNN:        %[[YH:.*]] = dsg.reshape %[[H2]] : (tensor<1x2xf32>) -> tensor<1x1x2xf32>
// RNN:        return %[[Y]], %[[YH]]

// GRU-7, linear_before_reset: Rb_h stays out of the input projection of the
// hidden gate and is added to H * R_h^T before the reset gate scales it.
// GRU:        %[[OFF:.*]] = dsg.constant dense<10> : tensor<1xi64>
// GRU:        %[[RBH:.*]] = dsg.slice %{{.*}}, %[[OFF]], %{{.*}}, %{{.*}} : (tensor<12xf32>, {{.*}}) -> tensor<2xf32>
// GRU-NOT:    %[[RBH]]
// GRU:        %[[Z:.*]] = dsg.sigmoid
// GRU:        %[[RG:.*]] = dsg.sigmoid
// GRU:        %[[HR:.*]] = dsg.matmul
// GRU:        %[[HRB:.*]] = dsg.add %[[HR]], %[[RBH]] : (tensor<1x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
// GRU:        %[[GATED:.*]] = dsg.mul %[[RG]], %[[HRB]]
// GRU:        %[[PRE:.*]] = dsg.add %{{.*}}, %[[GATED]]
// GRU:        %[[HH:.*]] = dsg.tanh %[[PRE]]
// H = hh + z * (H - hh)
// GRU:        %[[D:.*]] = dsg.sub %{{.*}}, %[[HH]]
// GRU:        %[[ZD:.*]] = dsg.mul %[[Z]], %[[D]]
// GRU:        %[[HN:.*]] = dsg.add %[[HH]], %[[ZD]]
// GRU:        return

// LSTM-14, layout 1 (batch first): the input is transposed to [T, B, I] and
// the outputs back; clip bounds every gate pre-activation; a run-time
// sequence_lens masks the state update and zeroes Y past each length.
// LSTM:       func.func @main(%[[X:.*]]: tensor<3x2x1xf32> {{.*}}, %[[LENS:.*]]: tensor<3xi32> {{.*}}) -> (tensor<3x2x1x2xf32> {{.*}}, tensor<3x1x2xf32>
// LSTM:         dsg.transpose %[[X]] {permutation = array<i64: 1, 0, 2>} : tensor<3x2x1xf32> -> tensor<2x3x1xf32>
// LSTM:         %[[C:.*]] = dsg.constant dense<2.000000e+00> : tensor<f32>
// LSTM:         %[[LO:.*]] = dsg.min %{{.*}}, %[[C]]
// LSTM:         %[[NC:.*]] = dsg.constant dense<-2.000000e+00> : tensor<f32>
// LSTM:         %[[HI:.*]] = dsg.max %[[LO]], %[[NC]]
// LSTM:         dsg.sigmoid %[[HI]]
// LSTM:         %[[T0:.*]] = dsg.constant dense<0> : tensor<i32>
// LSTM:         %[[V:.*]] = dsg.less %[[T0]], %[[LENS]] : (tensor<i32>, tensor<3xi32>) -> tensor<3xi1>
// LSTM:         %[[VM:.*]] = dsg.reshape %[[V]] : (tensor<3xi1>) -> tensor<3x1xi1>
// LSTM:         dsg.where %[[VM]], %{{.*}}, %{{.*}} : (tensor<3x1xi1>, tensor<3x2xf32>, tensor<f32>) -> tensor<3x2xf32>
// LSTM:         dsg.where %[[VM]], %{{.*}}, %{{.*}} : (tensor<3x1xi1>, tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
// LSTM:         dsg.where %[[VM]], %{{.*}}, %{{.*}} : (tensor<3x1xi1>, tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
// LSTM:         %[[T1:.*]] = dsg.constant dense<1> : tensor<i32>
// LSTM:         dsg.less %[[T1]], %[[LENS]]
// LSTM:         %[[Y:.*]] = dsg.concat {{.*}} -> tensor<2x1x3x2xf32>
// LSTM:         %[[YT:.*]] = dsg.transpose %[[Y]] {permutation = array<i64: 2, 0, 1, 3>} : tensor<2x1x3x2xf32> -> tensor<3x2x1x2xf32>
// Y_h (unused here), then Y_c.
// LSTM:         dsg.transpose %{{.*}} {permutation = array<i64: 1, 0, 2>} : tensor<1x3x2xf32> -> tensor<3x1x2xf32>
// LSTM:         %[[YC:.*]] = dsg.transpose %{{.*}} {permutation = array<i64: 1, 0, 2>} : tensor<1x3x2xf32> -> tensor<3x1x2xf32>
// LSTM:         return %[[YT]], %[[YC]]

// Bidirectional with one activation per direction (LeakyRelu takes the
// first activation_alpha); Y_h stacks the forward and reverse states.
// BI:         dsg.relu
// BI:         dsg.leaky_relu %{{.*}} {alpha = 2.500000e-01 : f32}
// BI:         %[[YH:.*]] = dsg.concat %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<2x1x2xf32>
// BI:         return %[[YH]]

// BADACT: node 'bad_act' (RNN, opset 14): activation 'Swish' is not supported
// DYN: node 'dyn_rnn' (RNN, opset 14): ds imports it for a static 3-D input only, found 'tensor<?x1x3xf32>'
// BADW: node 'bad_w' (GRU, opset 14): expected W of type 'tensor<1x6x3xf32>', found 'tensor<1x4x3xf32>'
// BADDIR: node 'bad_dir' (LSTM, opset 14): expected direction 'forward', 'reverse' or 'bidirectional', found 'sideways'
// BADCOUNT: node 'bad_count' (LSTM, opset 14): expected 3 activations, found 2
// BADLENS: node 'bad_lens' (RNN, opset 14): expected sequence_lens in [0, 2]
