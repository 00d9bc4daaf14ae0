//===- gemm.cpp - fp32 GEMM throughput of dsrt's kernel vs the FMA peak ---===//
//
// Usage: ds-bench-gemm [--threads T] [--reps R] [SIZE...]   (default sizes
//        256 512 1024 2048; T defaults to dsrt's default thread count)
//
// Measures, in one run:
//   - the FMA peak of this CPU on T threads: each thread runs a loop of
//     independent AVX-512 FMAs (24 accumulators, no memory traffic);
//   - for each SIZE n, C += A·B with n x n x n row-major matrices through
//     dsrt_kernel_sgemm (the entry point compiled models call), best of R
//     (default 20) runs;
//   - the same with OpenBLAS's cblas_sgemm when libopenblas is installed
//     (columns show 0 otherwise).
// Prints GFLOP/s and the fraction of the measured peak, from wall time and
// from CPU time per thread (best of the runs each). Wall timings are noisy
// when other processes share the cores: compare columns within one run,
// and read the CPU-time columns as the speed while the threads run.
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
#include <ctime>
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

/// CPU seconds this process has used (all threads).
static double cpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/// One measurement: wall seconds and CPU seconds per thread. On a machine
/// other processes share, the wall time includes waiting for a core and
/// the CPU time does not; the CPU figure is the speed when running.
struct Timing {
  double wall, cpu;
};

template <typename F> static Timing timeOnce(F &&fn, int threads) {
  double c0 = cpuSeconds();
  auto t0 = Clock::now();
  fn();
  double wall = seconds(t0, Clock::now());
  return {wall, (cpuSeconds() - c0) / threads};
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

/// GFLOP/s of `threads` threads running the FMA loop at once: the best of
/// many short bursts (~2 ms), so a loaded machine still shows its peak.
static Timing fmaPeak(int threads) {
  Timing best{0, 0};
#ifdef DS_BENCH_AVX512
  if (!__builtin_cpu_supports("avx512f"))
    return best;
  const int64_t iters = 500000;
  double flops = 768.0 * iters * threads;
  for (int rep = 0; rep < 100; ++rep) {
    std::atomic<float> sink{0};
    Timing t = timeOnce(
        [&] {
          std::vector<std::thread> pool;
          for (int i = 0; i < threads; ++i)
            pool.emplace_back([&] { sink = sink + fmaLoop(iters); });
          for (auto &th : pool)
            th.join();
        },
        threads);
    best.wall = std::max(best.wall, flops / t.wall / 1e9);
    best.cpu = std::max(best.cpu, flops / t.cpu / 1e9);
  }
#else
  (void)threads;
#endif
  return best;
}

using CblasSgemm = void (*)(int, int, int, int, int, int, float, const float *,
                            int, const float *, int, float, float *, int);

int main(int argc, char **argv) {
  int threads = 0, reps = 20;
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

  // OpenBLAS only (Debian's libblas.so.3 may be it); the reference BLAS
  // is too slow to be a useful peer.
  void *blas = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!blas)
    blas = dlopen("libblas.so.3", RTLD_NOW | RTLD_LOCAL);
  if (blas && !dlsym(blas, "openblas_get_config")) {
    dlclose(blas);
    blas = nullptr;
  }
  auto cblas = blas ? reinterpret_cast<CblasSgemm>(dlsym(blas, "cblas_sgemm"))
                    : nullptr;
  if (auto setThreads = blas ? reinterpret_cast<void (*)(int)>(
                                   dlsym(blas, "openblas_set_num_threads"))
                             : nullptr)
    setThreads(threads);

  Timing peak = fmaPeak(threads);
  std::printf("threads=%d fma_peak_gflops wall=%.1f cpu=%.1f\n", threads,
              peak.wall, peak.cpu);
  std::printf("(wall: elapsed time; cpu: CPU time per thread, i.e. the speed "
              "while running, which other processes sharing the cores do not "
              "slow down)\n");
  std::printf("%6s %10s %8s %10s %8s %10s %8s\n", "n", "ds_wall", "/peak",
              "ds_cpu", "/peak", "blas_wall", "/peak");
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
      Timing b{0, 0};
      for (int r = 0; r < reps; ++r) {
        Timing t = timeOnce(fn, threads);
        b.wall = std::max(b.wall, flops / t.wall / 1e9);
        b.cpu = std::max(b.cpu, flops / t.cpu / 1e9);
      }
      return b;
    };
    Timing ds = best([&] {
      dsrt_kernel_sgemm(1, n, n, n, A.data(), 0, n, 1, B.data(), 0, n, 1,
                        C.data(), 0, n, 1, /*flags=*/0);
    });
    Timing ob{0, 0};
    if (cblas)
      ob = best([&] {
        cblas(101, 111, 111, int(n), int(n), int(n), 1.f, A.data(), int(n),
              B.data(), int(n), 1.f, C.data(), int(n));
      });
    auto frac = [](double v, double p) { return p > 0 ? v / p : 0.0; };
    std::printf("%6lld %10.1f %8.2f %10.1f %8.2f %10.1f %8.2f\n",
                (long long)n, ds.wall, frac(ds.wall, peak.wall), ds.cpu,
                frac(ds.cpu, peak.cpu), ob.wall, frac(ob.wall, peak.wall));
  }
  return 0;
}
