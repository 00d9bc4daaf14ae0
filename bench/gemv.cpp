//===- gemv.cpp - dsrt's one-row GEMM (matrix-vector product) ------------===//
//
// Usage: ds-bench-gemv [--threads T] [--reps R] [--cold]
//
// Times dsrt_kernel_sgemm with M == 1 on a batch-1 classifier and on
// decode-like transformer products, and prints per shape the best-of-R
// time per call (CPU time of the process, so other processes' load does not
// count), the GB/s of B streamed, and that figure as a ratio of a memcpy of
// the same size measured the same way (the bound such a product has). With
// --cold a 64 MiB buffer is swept before every call, so B comes from memory
// as in a model that touched much else since (a classifier's weights are read
// once per inference). Run the same binary with
// LD_LIBRARY_PATH=<other build>/lib to compare two runtimes.
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"
#include "dsrt/kernels.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

struct Shape {
  const char *name;
  int64_t N, K;
  bool transB; // B(k, n) at B[n * K + k] (Gemm transB, constant)
};

const Shape kShapes[] = {
    {"mobilenet_v2 classifier 1280->1000", 1000, 1280, true},
    {"resnet18 classifier 512->1000", 1000, 512, true},
    {"decode 768->768 (B row-major)", 768, 768, false},
    {"decode 768->3072 (B row-major)", 3072, 768, false},
    {"decode 3072->768 (Bt constant)", 768, 3072, true}};

double cpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

std::vector<char> sweep(64 << 20, 1);
volatile char sink;

void sweepCaches() {
  for (size_t i = 0; i < sweep.size(); i += 64)
    sweep[i] = char(sweep[i] + 1);
  sink = sweep[4096];
}

} // namespace

int main(int argc, char **argv) {
  int threads = 1, reps = 20;
  bool cold = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (a == "--reps" && i + 1 < argc)
      reps = std::max(1, std::atoi(argv[++i]));
    else if (a == "--cold")
      cold = true;
    else {
      std::printf("usage: ds-bench-gemv [--threads T] [--reps R] [--cold]\n");
      return a == "-h" || a == "--help" ? 0 : 1;
    }
  }
  dsrt_set_num_threads(threads);
  std::printf("threads=%d reps=%d %s; CPU time per call, best of reps\n",
              threads, reps, cold ? "cold (caches swept)" : "hot");
  std::printf("%-36s %10s %8s %12s %8s\n", "shape", "us", "GB/s", "memcpy GB/s",
              "ratio");
  for (const Shape &s : kShapes) {
    std::vector<float> A(size_t(s.K), 0.5f), B(size_t(s.N * s.K), 0.25f),
        C(size_t(s.N), 0.f), copy(B.size());
    int64_t sB1 = s.transB ? 1 : s.N, sB2 = s.transB ? s.K : 1;
    int64_t flags = s.transB ? DSRT_KERNEL_CONSTANT_B : 0;
    auto gemv = [&] {
      dsrt_kernel_sgemm(1, 1, s.N, s.K, A.data(), 0, 0, 1, B.data(), 0, sB1,
                        sB2, C.data(), 0, 0, 1, flags);
    };
    auto memcopy = [&] {
      std::memcpy(copy.data(), B.data(), B.size() * sizeof(float));
    };
    auto best = [&](auto &&f) {
      f(); // warm-up (packs a constant B once)
      double b = 1e30;
      for (int r = 0; r < reps; ++r) {
        if (cold)
          sweepCaches();
        double t0 = cpuSeconds();
        f();
        b = std::min(b, cpuSeconds() - t0);
      }
      return b;
    };
    double t = best(gemv), tc = best(memcopy);
    double bytes = double(B.size()) * sizeof(float);
    // memcpy reads and writes: its bandwidth counts both.
    double gbs = bytes / t * 1e-9, gbsCopy = 2 * bytes / tc * 1e-9;
    std::printf("%-36s %10.1f %8.1f %12.1f %8.2f\n", s.name, t * 1e6, gbs,
                gbsCopy, gbs / gbsCopy);
  }
  return 0;
}
