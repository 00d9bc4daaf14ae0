//===- gemm.cpp - fp32 GEMM throughput of dsrt's kernel vs the FMA peak ---===//
//
// Usage: ds-bench-gemm [--threads T] [--reps R] [SIZE...]   (default sizes
//        256 512 1024 2048; T defaults to dsrt's default thread count;
//        R, at least 5, defaults to 20)
//
// Measures, in one run, with the same clock (steady_clock wall time), the
// same T threads, one warm-up and R timed repetitions for every figure:
//   - the FMA peak of this CPU on T threads: each thread runs a loop of
//     independent AVX-512 FMAs (24 accumulators, no memory traffic), a burst
//     of about the length of a 1024^3 product;
//   - for each SIZE n, C += A·B with n x n x n row-major matrices through
//     dsrt_kernel_sgemm (the entry point compiled models call);
//   - the same product with both operands marked constant, so the driver
//     packs them on the warm-up call and then only computes: the gap to the
//     previous figure is the packing's cost;
//   - OpenBLAS's cblas_sgemm when libopenblas is installed (0 otherwise).
// Prints the median GFLOP/s with its spread (min-max over the R runs) and
// the median as a fraction of the peak's median; `best` is the fastest run
// over the fastest peak burst. CPU time per thread (median) is the speed
// while the threads run, which other processes sharing the cores do not
// slow down. Wall timings are noisy on a shared machine: compare columns
// within one run, and repeat runs.
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

/// GFLOP/s of R timed runs (after one warm-up): median, min, max of the
/// wall figure and median of the CPU-per-thread one.
struct Stats {
  double med = 0, lo = 0, hi = 0, cpu = 0, cpuHi = 0;
};

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

template <typename F>
static Stats measure(F &&fn, double flops, int threads, int reps) {
  fn(); // warm-up: pages touched, packed constants cached, pool started
  std::vector<double> wall, cpu;
  for (int r = 0; r < reps; ++r) {
    Timing t = timeOnce(fn, threads);
    wall.push_back(flops / t.wall / 1e9);
    cpu.push_back(flops / t.cpu / 1e9);
  }
  Stats s;
  s.med = median(wall);
  s.lo = *std::min_element(wall.begin(), wall.end());
  s.hi = *std::max_element(wall.begin(), wall.end());
  s.cpu = median(cpu);
  s.cpuHi = *std::max_element(cpu.begin(), cpu.end());
  return s;
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

/// GFLOP/s of `threads` threads running the FMA loop at once, measured
/// like the GEMM: a warm-up, then `reps` bursts of about 10 ms.
static Stats fmaPeak(int threads, int reps) {
#ifdef DS_BENCH_AVX512
  if (!__builtin_cpu_supports("avx512f"))
    return {};
  const int64_t iters = 2000000;
  double flops = 768.0 * iters * threads;
  std::atomic<float> sink{0};
  return measure(
      [&] {
        std::vector<std::thread> pool;
        for (int i = 0; i < threads; ++i)
          pool.emplace_back([&] { sink = sink + fmaLoop(iters); });
        for (auto &th : pool)
          th.join();
      },
      flops, threads, reps);
#else
  (void)threads;
  (void)reps;
  return {};
#endif
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
      reps = std::max(5, std::atoi(argv[++i]));
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

  Stats peak = fmaPeak(threads, reps);
  std::printf("threads=%d reps=%d fma_peak_gflops wall=%.1f min=%.1f "
              "max=%.1f cpu=%.1f cpu_max=%.1f\n",
              threads, reps, peak.med, peak.lo, peak.hi, peak.cpu,
              peak.cpuHi);
  std::printf("(GFLOP/s: median of the runs [min-max]; /peak: median over "
              "the peak's median; best: fastest run over the fastest peak "
              "burst; packed: both operands constant, packed once; cpu: CPU "
              "time per thread, median, and /peak over the peak's CPU "
              "median)\n");
  std::printf("%6s %8s %6s %17s %6s %8s %6s %8s %6s %8s %6s %8s %6s\n", "n",
              "ds_med", "/peak", "[min-max]", "best", "packed", "/peak",
              "ds_cpu", "/peak", "pk_cpu", "/peak", "blas", "/peak");
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  auto frac = [](double v, double p) { return p > 0 ? v / p : 0.0; };
  for (int64_t n : sizes) {
    std::vector<float> A(n * n), B(n * n), C(n * n, 0.f);
    for (float &x : A)
      x = dist(rng);
    for (float &x : B)
      x = dist(rng);
    double flops = 2.0 * n * n * n;
    auto sgemm = [&](int64_t flags) {
      return [&, flags] {
        dsrt_kernel_sgemm(1, n, n, n, A.data(), 0, n, 1, B.data(), 0, n, 1,
                          C.data(), 0, n, 1, flags);
      };
    };
    Stats ds = measure(sgemm(0), flops, threads, reps);
    Stats packed =
        measure(sgemm(DSRT_KERNEL_CONSTANT_A | DSRT_KERNEL_CONSTANT_B), flops,
                threads, reps);
    Stats ob;
    if (cblas)
      ob = measure(
          [&] {
            cblas(101, 111, 111, int(n), int(n), int(n), 1.f, A.data(),
                  int(n), B.data(), int(n), 1.f, C.data(), int(n));
          },
          flops, threads, reps);
    char spread[32];
    std::snprintf(spread, sizeof(spread), "[%.0f-%.0f]", ds.lo, ds.hi);
    std::printf("%6lld %8.1f %6.2f %17s %6.2f %8.1f %6.2f %8.1f %6.2f %8.1f "
                "%6.2f %8.1f %6.2f\n",
                (long long)n, ds.med, frac(ds.med, peak.med), spread,
                frac(ds.hi, peak.hi), packed.med, frac(packed.med, peak.med),
                ds.cpu, frac(ds.cpu, peak.cpu), packed.cpu,
                frac(packed.cpu, peak.cpu), ob.med, frac(ob.med, peak.med));
  }
  return 0;
}
