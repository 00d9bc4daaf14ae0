//===- gemm.cpp - fp32 GEMM throughput of dsrt's kernel vs the FMA peak ---===//
//
// Usage: ds-bench-gemm [--threads T] [--reps R] [SIZE...]   (default sizes
//        256 512 1024 2048; T defaults to dsrt's default thread count)
//
// Measures, in one run:
//   - the FMA peak of this CPU on T threads: each thread runs a loop of
//     independent AVX-512 FMAs (24 accumulators, no memory traffic);
//   - for each SIZE n, C += A·B with n x n x n row-major matrices through
//     dsrt_kernel_sgemm (the entry point compiled models call), best of R;
//   - the same with OpenBLAS's cblas_sgemm when libopenblas is installed.
// Prints GFLOP/s and the fraction of the measured peak. Timings are noisy
// when other processes share the cores: compare columns within one run.
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"
#include "dsrt/kernels.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <random>
#include <string>
#include <thread>
#include <vector>

#ifdef DS_BENCH_AVX512
#include <immintrin.h>
#endif

using Clock = std::chrono::steady_clock;

static double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

#ifdef DS_BENCH_AVX512
/// 24 independent FMA chains of 16 floats: 768 flops per iteration.
__attribute__((target("avx512f"))) static float fmaLoop(int64_t iters) {
  __m512 acc[24];
  for (int i = 0; i < 24; ++i)
    acc[i] = _mm512_set1_ps(float(i) * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t it = 0; it < iters; ++it)
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i)
      acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  __m512 s = acc[0];
  for (int i = 1; i < 24; ++i)
    s = _mm512_add_ps(s, acc[i]);
  return _mm512_reduce_add_ps(s);
}
#endif

/// GFLOP/s of `threads` threads running the FMA loop at once (best of 3).
static double fmaPeak(int threads) {
#ifdef DS_BENCH_AVX512
  if (!__builtin_cpu_supports("avx512f"))
    return 0;
  const int64_t iters = 20000000;
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    std::vector<std::thread> pool;
    std::atomic<float> sink{0};
    auto t0 = Clock::now();
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] { sink = sink + fmaLoop(iters); });
    for (auto &th : pool)
      th.join();
    double s = seconds(t0, Clock::now());
    best = std::max(best, 768.0 * iters * threads / s / 1e9);
  }
  return best;
#else
  (void)threads;
  return 0;
#endif
}

using CblasSgemm = void (*)(int, int, int, int, int, int, float, const float *,
                            int, const float *, int, float, float *, int);

int main(int argc, char **argv) {
  int threads = 0, reps = 5;
  std::vector<int64_t> sizes;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (a == "--reps" && i + 1 < argc)
      reps = std::max(1, std::atoi(argv[++i]));
    else if (a == "-h" || a == "--help") {
      std::printf("usage: ds-bench-gemm [--threads T] [--reps R] [SIZE...]\n");
      return 0;
    } else if (std::atoll(a.c_str()) > 0)
      sizes.push_back(std::atoll(a.c_str()));
    else {
      std::fprintf(stderr, "ds-bench-gemm: bad argument '%s'\n", a.c_str());
      return 2;
    }
  }
  if (sizes.empty())
    sizes = {256, 512, 1024, 2048};
  if (threads > 0)
    dsrt_set_num_threads(threads);
  threads = dsrt_get_num_threads();

  void *blas = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!blas) // Debian's libblas.so.3 alternative may be OpenBLAS
    blas = dlopen("libblas.so.3", RTLD_NOW | RTLD_LOCAL);
  auto cblas = blas ? reinterpret_cast<CblasSgemm>(dlsym(blas, "cblas_sgemm"))
                    : nullptr;
  if (auto setThreads = blas ? reinterpret_cast<void (*)(int)>(
                                   dlsym(blas, "openblas_set_num_threads"))
                             : nullptr)
    setThreads(threads);

  double peak = fmaPeak(threads);
  std::printf("threads=%d fma_peak_gflops=%.1f\n", threads, peak);
  std::printf("%6s %12s %10s %12s %10s %10s\n", "n", "ds_gflops", "ds/peak",
              "blas_gflops", "blas/peak", "ds/blas");
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  for (int64_t n : sizes) {
    std::vector<float> A(n * n), B(n * n), C(n * n);
    for (float &x : A)
      x = dist(rng);
    for (float &x : B)
      x = dist(rng);
    double flops = 2.0 * n * n * n;
    auto best = [&](auto &&fn) {
      fn(); // warm-up
      double t = 1e30;
      for (int r = 0; r < reps; ++r) {
        auto t0 = Clock::now();
        fn();
        t = std::min(t, seconds(t0, Clock::now()));
      }
      return flops / t / 1e9;
    };
    double ds = best([&] {
      dsrt_kernel_sgemm(1, n, n, n, A.data(), 0, n, 1, B.data(), 0, n, 1,
                        C.data(), 0, n, 1, /*flags=*/0);
    });
    double ob = cblas ? best([&] {
      cblas(101, 111, 111, int(n), int(n), int(n), 1.f, A.data(), int(n),
            B.data(), int(n), 1.f, C.data(), int(n));
    })
                      : 0;
    std::printf("%6lld %12.1f %10.2f %12.1f %10.2f %10.2f\n", (long long)n, ds,
                peak > 0 ? ds / peak : 0, ob, peak > 0 ? ob / peak : 0,
                ob > 0 ? ds / ob : 0);
  }
  return 0;
}
