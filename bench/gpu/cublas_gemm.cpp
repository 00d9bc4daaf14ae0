// cuBLAS bf16 GEMM (fp32 accumulate and output), timed with CUDA events:
// the reference row of bench/gpu/run.sh. libcudart and libcublas are
// dlopen'ed, as ds's own runtime does, so this builds without linking them.
//   cublas_gemm M N K ITERS   → prints "cublas_tflops=X ms=Y"
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

namespace {
// Values from cuda_runtime_api.h / library_types.h / cublas_api.h.
constexpr int kR16BF = 14, kR32F = 0, kCompute32F = 68, kGemmDefault = -1,
              kOpN = 0;
using Malloc = int (*)(void **, size_t);
using Memset = int (*)(void *, int, size_t);
using EventCreate = int (*)(void **);
using EventRecord = int (*)(void *, void *);
using EventSync = int (*)(void *);
using EventElapsed = int (*)(float *, void *, void *);
using Create = int (*)(void **);
using GemmEx = int (*)(void *, int, int, int, int, int, const void *,
                       const void *, int, int, const void *, int, int,
                       const void *, void *, int, int, int, int);

void *open(const char *const *names) {
  for (; *names; ++names)
    if (void *h = dlopen(*names, RTLD_NOW | RTLD_GLOBAL))
      return h;
  return nullptr;
}

template <typename T> T sym(void *lib, const char *name) {
  void *p = dlsym(lib, name);
  if (!p) {
    std::fprintf(stderr, "cublas_gemm: missing %s\n", name);
    std::exit(2);
  }
  return reinterpret_cast<T>(p);
}
} // namespace

int main(int argc, char **argv) {
  int m = argc > 1 ? std::atoi(argv[1]) : 4096;
  int n = argc > 2 ? std::atoi(argv[2]) : 4096;
  int k = argc > 3 ? std::atoi(argv[3]) : 4096;
  int iters = argc > 4 ? std::atoi(argv[4]) : 20;
  const char *cudartNames[] = {"libcudart.so", "libcudart.so.13",
                               "libcudart.so.12", nullptr};
  const char *cublasNames[] = {"libcublas.so", "libcublas.so.13",
                               "libcublas.so.12", nullptr};
  void *cudart = open(cudartNames), *cublas = open(cublasNames);
  if (!cudart || !cublas) {
    std::fprintf(stderr, "cublas_gemm: cannot load %s\n",
                 cudart ? "libcublas" : "libcudart");
    return 2;
  }
  auto cudaMalloc = sym<Malloc>(cudart, "cudaMalloc");
  auto cudaMemset = sym<Memset>(cudart, "cudaMemset");
  auto eventCreate = sym<EventCreate>(cudart, "cudaEventCreate");
  auto eventRecord = sym<EventRecord>(cudart, "cudaEventRecord");
  auto eventSync = sym<EventSync>(cudart, "cudaEventSynchronize");
  auto elapsed = sym<EventElapsed>(cudart, "cudaEventElapsedTime");
  auto create = sym<Create>(cublas, "cublasCreate_v2");
  auto gemm = sym<GemmEx>(cublas, "cublasGemmEx");

  void *a, *b, *c, *handle, *start, *stop;
  if (cudaMalloc(&a, size_t(m) * k * 2) || cudaMalloc(&b, size_t(k) * n * 2) ||
      cudaMalloc(&c, size_t(m) * n * 4) || create(&handle)) {
    std::fprintf(stderr, "cublas_gemm: CUDA setup failed\n");
    return 1;
  }
  cudaMemset(a, 0, size_t(m) * k * 2);
  cudaMemset(b, 0, size_t(k) * n * 2);
  float alpha = 1, beta = 0;
  auto run = [&] {
    // Column-major C^T = B^T A^T gives the row-major C = A B.
    return gemm(handle, kOpN, kOpN, n, m, k, &alpha, b, kR16BF, n, a, kR16BF,
                k, &beta, c, kR32F, n, kCompute32F, kGemmDefault);
  };
  for (int i = 0; i < 3; ++i)
    if (int rc = run()) {
      std::fprintf(stderr, "cublas_gemm: cublasGemmEx failed (%d)\n", rc);
      return 1;
    }
  eventCreate(&start);
  eventCreate(&stop);
  eventRecord(start, nullptr);
  for (int i = 0; i < iters; ++i)
    run();
  eventRecord(stop, nullptr);
  eventSync(stop);
  float ms = 0;
  elapsed(&ms, start, stop);
  ms /= iters;
  double tflops = 2.0 * m * n * k / (ms * 1e-3) / 1e12;
  std::printf("cublas_tflops=%.1f ms=%.3f\n", tflops, ms);
  return 0;
}
