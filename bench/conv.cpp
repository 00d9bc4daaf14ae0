//===- conv.cpp - dsrt's dense conv2d on ResNet-18, MobileNetV2 layers ---===//
//
// Usage: ds-bench-conv [--threads T] [--reps R]
//                      [--only resnet18|mobilenet_v2|cnn] [--cpu-time]
//                      [--cold]
//
// Runs dsrt_kernel_conv2d_fused_f32 (the entry point compiled models call
// for a convolution with its bias and ReLU fused, constant weights, implicit
// zero padding) on the dense (non-depthwise) convolution shapes of
// ResNet-18 and the 1x1 (pointwise) convolutions of MobileNetV2 at 224x224
// and the two of the small CNN (scripts/export_models.py) at 32x32, batch
// 1, and prints the best-of-R wall time and GFLOP/s per layer and the
// FLOP-weighted sum over each model's layers (each shape counted as often
// as the model has it). Set DSRT_GENERIC_KERNELS=1 to time the scalar
// kernels, DSRT_CONV_IM2COL=1 to time the im2col GEMM instead of the
// direct convolution, DSRT_CONV_TILE=panel (or pixel16) to force the
// direct path's 12 x 32 tile (or its pointwise 16 x 16 tile) where both
// apply. Wall timings are noisy when other processes share the cores;
// --cpu-time times the process's CPU time instead (all threads together:
// GFLOP/s per core-second; with --threads 1, what the call would take on
// an idle core, less the cache effects of the other processes). --cold
// sweeps a 16 MiB buffer before every timed call, so that the weights and
// the input come from L3 or memory as in a whole model (where each layer's
// weights were last touched one inference ago), not from L1/L2.
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"
#include "dsrt/kernels.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Layer {
  const char *model;
  int64_t Cin, Cout, H, K, stride, pad, count;
};

// Input channels, output channels, input height = width, kernel, stride,
// padding, how many times the model has this shape.
const Layer kLayers[] = {
    {"resnet18", 3, 64, 224, 7, 2, 3, 1},
    {"resnet18", 64, 64, 56, 3, 1, 1, 4},
    {"resnet18", 64, 128, 56, 3, 2, 1, 1},
    {"resnet18", 64, 128, 56, 1, 2, 0, 1},
    {"resnet18", 128, 128, 28, 3, 1, 1, 3},
    {"resnet18", 128, 256, 28, 3, 2, 1, 1},
    {"resnet18", 128, 256, 28, 1, 2, 0, 1},
    {"resnet18", 256, 256, 14, 3, 1, 1, 3},
    {"resnet18", 256, 512, 14, 3, 2, 1, 1},
    {"resnet18", 256, 512, 14, 1, 2, 0, 1},
    {"resnet18", 512, 512, 7, 3, 1, 1, 3},
    {"mobilenet_v2", 3, 32, 224, 3, 2, 1, 1},
    {"mobilenet_v2", 32, 16, 112, 1, 1, 0, 1},
    {"mobilenet_v2", 16, 96, 112, 1, 1, 0, 1},
    {"mobilenet_v2", 96, 24, 56, 1, 1, 0, 1},
    {"mobilenet_v2", 24, 144, 56, 1, 1, 0, 2},
    {"mobilenet_v2", 144, 24, 56, 1, 1, 0, 1},
    {"mobilenet_v2", 144, 32, 28, 1, 1, 0, 1},
    {"mobilenet_v2", 32, 192, 28, 1, 1, 0, 3},
    {"mobilenet_v2", 192, 32, 28, 1, 1, 0, 2},
    {"mobilenet_v2", 192, 64, 14, 1, 1, 0, 1},
    {"mobilenet_v2", 64, 384, 14, 1, 1, 0, 4},
    {"mobilenet_v2", 384, 64, 14, 1, 1, 0, 3},
    {"mobilenet_v2", 384, 96, 14, 1, 1, 0, 1},
    {"mobilenet_v2", 96, 576, 14, 1, 1, 0, 3},
    {"mobilenet_v2", 576, 96, 14, 1, 1, 0, 2},
    {"mobilenet_v2", 576, 160, 7, 1, 1, 0, 1},
    {"mobilenet_v2", 160, 960, 7, 1, 1, 0, 3},
    {"mobilenet_v2", 960, 160, 7, 1, 1, 0, 2},
    {"mobilenet_v2", 960, 320, 7, 1, 1, 0, 1},
    {"mobilenet_v2", 320, 1280, 7, 1, 1, 0, 1},
    {"cnn", 3, 16, 32, 3, 1, 1, 1},
    {"cnn", 16, 32, 16, 3, 1, 1, 1},
};

} // namespace

int main(int argc, char **argv) {
  int threads = 0, reps = 20;
  std::string only;
  bool cpuTime = false, cold = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc)
      reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--cpu-time"))
      cpuTime = true;
    else if (!std::strcmp(argv[i], "--cold"))
      cold = true;
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc)
      only = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: %s [--threads T] [--reps R] [--only MODEL] "
                   "[--cpu-time] [--cold]\n",
                   argv[0]);
      return 2;
    }
  }
  if (threads > 0)
    dsrt_set_num_threads(threads);
  const char *tile = std::getenv("DSRT_CONV_TILE");
  std::printf("dense conv2d + bias + ReLU, %d threads, best of %d, %s%s%s%s%s%s\n",
              dsrt_get_num_threads(), reps, cpuTime ? "CPU time" : "wall time",
              cold ? " (caches swept)" : "",
              std::getenv("DSRT_GENERIC_KERNELS") ? " (scalar kernels)" : "",
              std::getenv("DSRT_CONV_IM2COL") ? " (im2col GEMM)" : "",
              tile ? " DSRT_CONV_TILE=" : "", tile ? tile : "");
  auto now = [&] {
    if (!cpuTime)
      return std::chrono::duration<double, std::micro>(
                 std::chrono::steady_clock::now().time_since_epoch())
          .count();
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3;
  };
  std::printf("%-14s %-28s %10s %10s\n", "model", "layer", "us", "GFLOP/s");
  std::string model;
  double total = 0, flops = 0;
  auto summary = [&] {
    if (!model.empty())
      std::printf("%-14s %-28s %10.1f %10.1f\n", model.c_str(),
                  "sum (x count)", total, flops / total / 1e3);
    total = flops = 0;
  };
  for (const Layer &l : kLayers) {
    if (!only.empty() && only != l.model)
      continue;
    if (model != l.model) {
      summary();
      model = l.model;
    }
    int64_t H = l.H, O = (H + 2 * l.pad - l.K) / l.stride + 1;
    std::vector<float> in(size_t(l.Cin * H * H)), bias(size_t(l.Cout));
    std::vector<float> w(size_t(l.Cout * l.Cin * l.K * l.K));
    std::vector<float> out(size_t(l.Cout * O * O), 0.f);
    for (size_t i = 0; i < in.size(); ++i)
      in[i] = float(int(i % 17) - 8) / 8;
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = float(int(i % 13) - 6) / 64;
    for (size_t i = 0; i < bias.size(); ++i)
      bias[i] = float(i % 5) / 4;
    double best = 1e30;
    int64_t KK = l.K * l.K;
    std::vector<float> sweep(cold ? size_t(4) << 20 : 0);
    for (int r = 0; r < reps + 2; ++r) {
      for (size_t i = 0; i < sweep.size(); i += 16)
        sweep[i] += 1.0f;
      double t0 = now();
      dsrt_kernel_conv2d_fused_f32(
          1, 1, l.Cout, l.Cin, O, O, l.K, l.K, l.stride, l.stride, 1, 1, H, H,
          l.pad, l.pad, in.data(), l.Cin * H * H, l.Cin * H * H, H * H, H, 1,
          w.data(), l.Cout * l.Cin * KK, l.Cin * KK, KK, l.K, 1,
          out.data(), l.Cout * O * O, l.Cout * O * O, O * O, O, 1,
          bias.data(), 0, l.Cout, 1, 0, 0, nullptr, 0, 0, 0, 0, 0, 0.0f,
          INFINITY, DSRT_KERNEL_CONSTANT_A);
      double us = now() - t0;
      if (r >= 2)
        best = std::min(best, us);
    }
    double f = 2.0 * l.Cout * l.Cin * KK * O * O;
    total += best * l.count;
    flops += f * l.count;
    char name[64];
    std::snprintf(name, sizeof name, "%lld->%lld %lldx%lld k%lld s%lld",
                  (long long)l.Cin, (long long)l.Cout, (long long)H,
                  (long long)H, (long long)l.K, (long long)l.stride);
    std::printf("%-14s %-28s %10.1f %10.1f\n", l.model, name, best,
                f / best / 1e3);
  }
  summary();
  return 0;
}
