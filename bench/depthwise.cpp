//===- depthwise.cpp - dsrt's depthwise conv2d on MobileNetV2's layers ---===//
//
// Usage: ds-bench-depthwise [--threads T] [--reps R] [--fused]
//
// Runs dsrt_kernel_conv2d_f32 with one input and one output channel per
// group (the depthwise kernel, runtime/lib/kernels/Depthwise.h) on the 3x3
// depthwise layer shapes of MobileNetV2 at 224x224 (input already padded by
// 1) and prints the best-of-R wall time, GFLOP/s and GB/s (input read once
// plus output written once) per layer. With --fused it calls
// dsrt_kernel_conv2d_fused_f32 as compiled MobileNetV2 does: the unpadded
// input with padding 1, a per-channel bias and ReLU6. Set
// DSRT_GENERIC_KERNELS=1 to time the scalar kernel. Wall timings are noisy
// when other processes share the cores.
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"
#include "dsrt/kernels.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

struct Layer {
  int64_t C, H, stride;
};

// Channels, input height = width (before padding), stride.
const Layer kLayers[] = {{32, 112, 1},  {96, 112, 2}, {144, 56, 1},
                         {144, 56, 2},  {192, 28, 1}, {192, 28, 2},
                         {384, 14, 1},  {576, 14, 1}, {576, 14, 2},
                         {960, 7, 1}};

} // namespace

int main(int argc, char **argv) {
  int threads = 0, reps = 50;
  bool fused = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--fused"))
      fused = true;
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc)
      reps = std::max(1, std::atoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: %s [--threads T] [--reps R] [--fused]\n",
                   argv[0]);
      return 2;
    }
  }
  if (threads > 0)
    dsrt_set_num_threads(threads);
  std::printf("depthwise 3x3, %d threads, best of %d%s%s\n",
              dsrt_get_num_threads(), reps,
              fused ? ", fused padding, bias and ReLU6" : "",
              std::getenv("DSRT_GENERIC_KERNELS") ? " (scalar kernel)" : "");
  std::printf("%-22s %10s %10s %10s\n", "layer", "us", "GFLOP/s", "GB/s");
  double total = 0;
  for (const Layer &l : kLayers) {
    int64_t P = l.H + 2, O = (P - 3) / l.stride + 1;
    // --fused: the unpadded H x H input.
    int64_t I = fused ? l.H : P;
    std::vector<float> in(size_t(l.C * I * I), 0.5f), w(size_t(l.C * 9), 0.25f);
    std::vector<float> bias(size_t(l.C), 0.1f);
    std::vector<float> out(size_t(l.C * O * O), 0.f);
    double best = 1e30;
    for (int r = 0; r < reps + 2; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      if (fused)
        dsrt_kernel_conv2d_fused_f32(
            1, l.C, 1, 1, O, O, 3, 3, l.stride, l.stride, 1, 1, I, I, 1, 1,
            in.data(), l.C * I * I, I * I, I * I, I, 1, w.data(), 9, 9, 9, 3,
            1, out.data(), l.C * O * O, O * O, O * O, O, 1, bias.data(), 0, 1,
            0, 0, 0, nullptr, 0, 0, 0, 0, 0, 0.0f, 6.0f,
            DSRT_KERNEL_CONSTANT_A);
      else
        dsrt_kernel_conv2d_f32(1, l.C, 1, 1, O, O, 3, 3, l.stride, l.stride,
                               1, 1, in.data(), l.C * P * P, P * P, P * P, P,
                               1, w.data(), 9, 9, 9, 3, 1, out.data(),
                               l.C * O * O, O * O, O * O, O, 1,
                               DSRT_KERNEL_CONSTANT_A);
      double us = std::chrono::duration<double, std::micro>(
                      std::chrono::steady_clock::now() - t0)
                      .count();
      if (r >= 2)
        best = std::min(best, us);
    }
    total += best;
    char name[64];
    std::snprintf(name, sizeof name, "C%lld %lldx%lld s%lld",
                  (long long)l.C, (long long)l.H, (long long)l.H,
                  (long long)l.stride);
    std::printf("%-22s %10.1f %10.1f %10.1f\n", name, best,
                2.0 * l.C * O * O * 9 / best / 1e3,
                4.0 * l.C * (I * I + O * O) / best / 1e3);
  }
  std::printf("%-22s %10.1f\n", "sum", total);
  return 0;
}
