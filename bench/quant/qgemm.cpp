//===- qgemm.cpp - the int8 GEMM kernels alone, against the fp32 GEMM ----===//
//
//   ds-bench-qgemm [--threads T] [--reps R] [MxNxK ...]
//
// For each shape: C = A·Wᵀ through dsrt_kernel_sgemm (fp32, constant
// weights pre-packed), and through dsrt_kernel_qgemm_s8 with int8 weights
// per channel and int4 weights in groups of 128, for each implementation
// this CPU has (AMX, AVX-512 VNNI, scalar; capped with DSRT_QGEMM_KERNEL),
// plus the run-time quantization of A. Prints the best time of R runs,
// GMAC/s and the speed-up over fp32. Never run by tests.
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"
#include "dsrt/kernels.h"
#include "dsrt/quant_kernels.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

template <typename F> double bestSeconds(int reps, F &&f) {
  f(); // warm-up (packs constant weights)
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  return best;
}

} // namespace

int main(int argc, char **argv) {
  int threads = 1, reps = 20;
  std::vector<std::string> shapes;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc)
      reps = std::atoi(argv[++i]);
    else
      shapes.push_back(argv[i]);
  }
  if (shapes.empty())
    shapes = {"128x3072x768", "128x768x3072", "512x1024x1024"};
  dsrt_set_num_threads(threads);
  std::printf("threads %d, best of %d\n", threads, reps);
  std::printf("%-15s %-12s %10s %9s %9s\n", "MxNxK", "kernel", "ms", "GMAC/s",
              "vs fp32");
  for (const std::string &shape : shapes) {
    long long M, N, K;
    if (std::sscanf(shape.c_str(), "%lldx%lldx%lld", &M, &N, &K) != 3 ||
        M < 1 || N < 1 || K < 1) {
      std::fprintf(stderr, "bad shape '%s' (want MxNxK)\n", shape.c_str());
      return 1;
    }
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-1.f, 1.f);
    std::vector<float> A(size_t(M * K)), W(size_t(N * K)), C(size_t(M * N));
    for (float &v : A)
      v = dist(rng);
    for (float &v : W)
      v = dist(rng);
    std::vector<int8_t> Aq(size_t(M * K)), Wq(size_t(N * K)),
        W4(size_t(N * K / 2 + 1));
    for (size_t i = 0; i < Wq.size(); ++i)
      Wq[i] = int8_t(int(W[i] * 127));
    for (size_t i = 0; i < W4.size(); ++i)
      W4[i] = int8_t(rng());
    std::vector<float> as(static_cast<size_t>(M)), ws(size_t(N), 0.01f),
        ws4(size_t(N * ((K + 127) / 128)), 0.01f), bias(size_t(N), 0.5f);
    double macs = double(M) * N * K;
    auto report = [&](const char *name, double s, double fp32) {
      std::printf("%-15s %-12s %10.3f %9.1f %9.2f\n", shape.c_str(), name,
                  s * 1e3, macs / s * 1e-9, fp32 / s);
    };
    // fp32: C = A [M,K] · Wᵀ (B = W viewed as [K, N] with strides (1, K)).
    double fp32 = bestSeconds(reps, [&] {
      std::memset(C.data(), 0, C.size() * sizeof(float));
      dsrt_kernel_sgemm(1, M, N, K, A.data(), 0, K, 1, W.data(), 0, 1, K,
                        C.data(), 0, N, 1, DSRT_KERNEL_CONSTANT_B);
    });
    report("fp32", fp32, fp32);
    double quant = bestSeconds(reps, [&] {
      dsrt_kernel_quantize_s8(M, K, A.data(), K, 1, Aq.data(), K, 1,
                              as.data(), 1, 1, 127);
    });
    report("quantize A", quant, fp32);
    for (const char *isa : {"amx", "vnni", "scalar"}) {
      setenv("DSRT_QGEMM_KERNEL", isa, 1);
      if (std::strcmp(dsrt_kernel_qgemm_isa(), isa))
        continue;
      if (!std::strcmp(isa, "scalar") && macs > 2e8)
        continue; // minutes, and says nothing new
      int r = !std::strcmp(isa, "scalar") ? 2 : reps;
      double s8 = bestSeconds(r, [&] {
        dsrt_kernel_qgemm_s8(M, N, K, Aq.data(), K, 1, as.data(), 1,
                             Wq.data(), K, 8, K, ws.data(), bias.data(),
                             C.data(), N, 1, DSRT_KERNEL_CONSTANT_B);
      });
      report((std::string(isa) + " int8").c_str(), s8, fp32);
      if (K % 128 == 0) {
        double s4 = bestSeconds(r, [&] {
          dsrt_kernel_qgemm_s8(M, N, K, Aq.data(), K, 1, as.data(), 1,
                               W4.data(), K / 2, 4, 128, ws4.data(),
                               bias.data(), C.data(), N, 1,
                               DSRT_KERNEL_CONSTANT_B);
        });
        report((std::string(isa) + " int4").c_str(), s4, fp32);
      }
    }
    unsetenv("DSRT_QGEMM_KERNEL");
  }
  return 0;
}
