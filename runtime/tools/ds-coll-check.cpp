//===- ds-coll-check.cpp - Exercise the collective ABI across ranks ------===//
//
// Usage (one process per rank, e.g. under mpirun):
//   ds-coll-check verify [--mesh 2x2] [--axes 0,1] [--counts 0,1,7,1000]
//                        [--dtypes f32,i32,...] [--algos ring,tree,...]
//     Runs every collective x algorithm x count x dtype, and compares each
//     result with MPI's native collective (DSRT_ALGO_NATIVE) and with the
//     value computed from the known inputs; prints one line per failure and
//     a summary. Exit 0 only if all checks pass.
//   ds-coll-check fault --mode exit-early|die|never-join|mismatch|
//                               mismatch-count|oom --rank R
//     Rank R misbehaves; the others run an all_reduce. Every rank that gets
//     an error prints "rank N: error: MESSAGE" and exits 1.
//   ds-coll-check bench --algo ring|tree|rabenseifner|hier2|hier3|native
//                       --bytes N [--iters K]
//     Times all_reduce of N bytes of float32 over the world; rank 0 prints
//     "algo=... bytes=... time_us=..." (slowest rank, median of K).
//   ds-coll-check sendrecv: ring of send/recv between world ranks.
//
//===----------------------------------------------------------------------===//
#include "dsrt/collectives.h"
#include "dsrt/compression.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <signal.h>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string::npos)
      end = s.size();
    if (end > start)
      out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

struct DT {
  const char *name;
  int32_t code;
  size_t size;
};
const DT kDTypes[] = {
    {"f32", DSRT_F32, 4},  {"f64", DSRT_F64, 8},  {"f16", DSRT_F16, 2},
    {"bf16", DSRT_BF16, 2}, {"i8", DSRT_I8, 1},   {"u8", DSRT_U8, 1},
    {"i16", DSRT_I16, 2},  {"u16", DSRT_U16, 2},  {"i32", DSRT_I32, 4},
    {"u32", DSRT_U32, 4},  {"i64", DSRT_I64, 8},  {"u64", DSRT_U64, 8},
    {"bool", DSRT_BOOL, 1},
};

struct Algo {
  const char *name;
  int32_t code;
};
const Algo kAlgos[] = {{"auto", DSRT_ALGO_AUTO},   {"ring", DSRT_ALGO_RING},
                       {"tree", DSRT_ALGO_TREE},   {"rabenseifner", DSRT_ALGO_RABENSEIFNER},
                       {"hier2", DSRT_ALGO_HIER2}, {"hier3", DSRT_ALGO_HIER3},
                       {"native", DSRT_ALGO_NATIVE}};

// Conversions for the 16-bit float types (values used are small integers,
// exact in both formats).
uint16_t toHalf(double v) {
  // Small integers only: |v| <= 2048.
  if (v == 0)
    return 0;
  uint16_t sign = v < 0 ? 0x8000 : 0;
  double a = std::fabs(v);
  int e = static_cast<int>(std::floor(std::log2(a)));
  uint16_t man = static_cast<uint16_t>((a / std::ldexp(1.0, e) - 1.0) * 1024.0 + 0.5);
  return sign | static_cast<uint16_t>((e + 15) << 10) | man;
}
double fromHalf(uint16_t h) {
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  double v = e == 0 ? std::ldexp(m, -24) : std::ldexp(1.0 + m / 1024.0, e - 15);
  return (h & 0x8000) ? -v : v;
}
uint16_t toBf16(double v) {
  float f = static_cast<float>(v);
  uint32_t x;
  std::memcpy(&x, &f, 4);
  return static_cast<uint16_t>(x >> 16);
}
double fromBf16(uint16_t h) {
  uint32_t x = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

void store(void *buf, int64_t i, int32_t dt, double v) {
  switch (dt) {
  case DSRT_F32: static_cast<float *>(buf)[i] = static_cast<float>(v); break;
  case DSRT_F64: static_cast<double *>(buf)[i] = v; break;
  case DSRT_F16: static_cast<uint16_t *>(buf)[i] = toHalf(v); break;
  case DSRT_BF16: static_cast<uint16_t *>(buf)[i] = toBf16(v); break;
  case DSRT_I8: static_cast<int8_t *>(buf)[i] = static_cast<int8_t>(v); break;
  case DSRT_U8: static_cast<uint8_t *>(buf)[i] = static_cast<uint8_t>(v); break;
  case DSRT_BOOL: static_cast<uint8_t *>(buf)[i] = v != 0; break;
  case DSRT_I16: static_cast<int16_t *>(buf)[i] = static_cast<int16_t>(v); break;
  case DSRT_U16: static_cast<uint16_t *>(buf)[i] = static_cast<uint16_t>(v); break;
  case DSRT_I32: static_cast<int32_t *>(buf)[i] = static_cast<int32_t>(v); break;
  case DSRT_U32: static_cast<uint32_t *>(buf)[i] = static_cast<uint32_t>(v); break;
  case DSRT_I64: static_cast<int64_t *>(buf)[i] = static_cast<int64_t>(v); break;
  case DSRT_U64: static_cast<uint64_t *>(buf)[i] = static_cast<uint64_t>(v); break;
  }
}

double load(const void *buf, int64_t i, int32_t dt) {
  switch (dt) {
  case DSRT_F32: return static_cast<const float *>(buf)[i];
  case DSRT_F64: return static_cast<const double *>(buf)[i];
  case DSRT_F16: return fromHalf(static_cast<const uint16_t *>(buf)[i]);
  case DSRT_BF16: return fromBf16(static_cast<const uint16_t *>(buf)[i]);
  case DSRT_I8: return static_cast<const int8_t *>(buf)[i];
  case DSRT_U8: case DSRT_BOOL: return static_cast<const uint8_t *>(buf)[i];
  case DSRT_I16: return static_cast<const int16_t *>(buf)[i];
  case DSRT_U16: return static_cast<const uint16_t *>(buf)[i];
  case DSRT_I32: return static_cast<const int32_t *>(buf)[i];
  case DSRT_U32: return static_cast<const uint32_t *>(buf)[i];
  case DSRT_I64: return static_cast<const int64_t *>(buf)[i];
  case DSRT_U64: return static_cast<const uint64_t *>(buf)[i];
  }
  return 0;
}

bool isSigned(int32_t dt) {
  return dt != DSRT_U8 && dt != DSRT_U16 && dt != DSRT_U32 && dt != DSRT_U64 &&
         dt != DSRT_BOOL;
}

/// Input value of group index g at element i: small integers so that every
/// dtype holds sums and products exactly whatever the reduction order.
double input(int g, int64_t i, int32_t dt, int32_t red) {
  if (dt == DSRT_BOOL)
    return ((i + g) % 3) == 0;
  if (red == DSRT_RED_PROD)
    return ((i + g) % 3 == 0 ? 2.0 : 1.0) * (isSigned(dt) && i % 5 == 0 ? -1.0 : 1.0);
  int64_t v = (i * 7 + g * 3) % 11;
  return isSigned(dt) ? static_cast<double>(v - 5) : static_cast<double>(v);
}

double combine(double a, double b, int32_t dt, int32_t red) {
  if (dt == DSRT_BOOL)
    return (red == DSRT_RED_SUM || red == DSRT_RED_MAX) ? (a || b) : (a && b);
  switch (red) {
  case DSRT_RED_SUM: return a + b;
  case DSRT_RED_PROD: return a * b;
  case DSRT_RED_MAX: return std::max(a, b);
  default: return std::min(a, b);
  }
}

struct Ctx {
  int rank = 0, size = 1;
  std::vector<int64_t> mesh;
  std::vector<int32_t> axes;
  int groupSize = 1, groupIndex = 0;
};

void computeGroupIndex(Ctx &c) {
  std::vector<int64_t> coord(c.mesh.size());
  int64_t r = c.rank;
  for (int i = static_cast<int>(c.mesh.size()) - 1; i >= 0; --i) {
    coord[i] = r % c.mesh[i];
    r /= c.mesh[i];
  }
  c.groupSize = 1;
  c.groupIndex = 0;
  for (int32_t a : c.axes) {
    c.groupSize *= static_cast<int>(c.mesh[a]);
    c.groupIndex = c.groupIndex * static_cast<int>(c.mesh[a]) + static_cast<int>(coord[a]);
  }
}

int failures = 0, checks = 0;

void report(const Ctx &c, const char *coll, const char *algo, const DT &dt,
            int64_t count, const char *red, const std::string &what) {
  ++failures;
  if (failures <= 20)
    std::printf("rank %d: FAIL %s algo=%s dtype=%s count=%lld%s%s: %s\n", c.rank, coll,
                algo, dt.name, static_cast<long long>(count), red[0] ? " red=" : "", red,
                what.c_str());
}

/// Checks `got` against `native` (bytes) and against `want(i)`.
template <typename F>
void compare(const Ctx &c, const char *coll, const Algo &algo, const DT &dt,
             int64_t count, const char *red, const std::vector<char> &got,
             const std::vector<char> &native, int64_t n, F want) {
  ++checks;
  for (int64_t i = 0; i < n; ++i) {
    double g = load(got.data(), i, dt.code), w = want(i);
    if (g != w) {
      report(c, coll, algo.name, dt, count, red,
             "element " + std::to_string(i) + " is " + std::to_string(g) +
                 ", expected " + std::to_string(w));
      return;
    }
  }
  if (std::memcmp(got.data(), native.data(), n * dt.size) != 0)
    report(c, coll, algo.name, dt, count, red, "differs from MPI's native result");
}

const char *redNames[] = {"sum", "prod", "max", "min"};

int verify(Ctx &c, const std::vector<int64_t> &counts,
           const std::vector<const DT *> &dts, const std::vector<const Algo *> &algos) {
  const int64_t *mesh = c.mesh.data();
  int32_t nd = static_cast<int32_t>(c.mesh.size());
  const int32_t *axes = c.axes.data();
  int32_t na = static_cast<int32_t>(c.axes.size());
  int n = c.groupSize, gi = c.groupIndex;
  for (const DT *dtp : dts) {
    const DT &dt = *dtp;
    for (int64_t count : counts) {
      size_t es = dt.size;
      // all_reduce, every reduction.
      for (int32_t red = 0; red < 4; ++red) {
        std::vector<char> in(count * es + 1), out(count * es + 1), ref(count * es + 1);
        for (int64_t i = 0; i < count; ++i)
          store(in.data(), i, dt.code, input(gi, i, dt.code, red));
        if (dsrt_all_reduce(in.data(), ref.data(), count, dt.code, red, mesh, nd, axes, na,
                            DSRT_ALGO_NATIVE)) {
          std::printf("rank %d: error: %s\n", c.rank, dsrt_last_error());
          return 1;
        }
        for (const Algo *a : algos) {
          std::fill(out.begin(), out.end(), 0);
          if (dsrt_all_reduce(in.data(), out.data(), count, dt.code, red, mesh, nd, axes, na,
                              a->code)) {
            report(c, "all_reduce", a->name, dt, count, redNames[red], dsrt_last_error());
            return 1;
          }
          compare(c, "all_reduce", *a, dt, count, redNames[red], out, ref, count,
                  [&](int64_t i) {
                    double acc = input(0, i, dt.code, red);
                    for (int g = 1; g < n; ++g)
                      acc = combine(acc, input(g, i, dt.code, red), dt.code, red);
                    return acc;
                  });
        }
      }
      // reduce_scatter (sum and max).
      for (int32_t red : {DSRT_RED_SUM, DSRT_RED_MAX}) {
        std::vector<char> in(count * n * es + 1), out(count * es + 1), ref(count * es + 1);
        for (int64_t i = 0; i < count * n; ++i)
          store(in.data(), i, dt.code, input(gi, i, dt.code, red));
        if (dsrt_reduce_scatter(in.data(), ref.data(), count, dt.code, red, mesh, nd, axes,
                                na, DSRT_ALGO_NATIVE)) {
          std::printf("rank %d: error: %s\n", c.rank, dsrt_last_error());
          return 1;
        }
        for (const Algo *a : algos) {
          if (dsrt_reduce_scatter(in.data(), out.data(), count, dt.code, red, mesh, nd, axes,
                                  na, a->code)) {
            report(c, "reduce_scatter", a->name, dt, count, redNames[red], dsrt_last_error());
            return 1;
          }
          compare(c, "reduce_scatter", *a, dt, count, redNames[red], out, ref, count,
                  [&](int64_t i) {
                    double acc = input(0, gi * count + i, dt.code, red);
                    for (int g = 1; g < n; ++g)
                      acc = combine(acc, input(g, gi * count + i, dt.code, red), dt.code, red);
                    return acc;
                  });
        }
      }
      // all_gather.
      {
        std::vector<char> in(count * es + 1), out(count * n * es + 1), ref(count * n * es + 1);
        for (int64_t i = 0; i < count; ++i)
          store(in.data(), i, dt.code, input(gi, i, dt.code, 0));
        if (dsrt_all_gather(in.data(), ref.data(), count, dt.code, mesh, nd, axes, na,
                            DSRT_ALGO_NATIVE)) {
          std::printf("rank %d: error: %s\n", c.rank, dsrt_last_error());
          return 1;
        }
        for (const Algo *a : algos) {
          if (dsrt_all_gather(in.data(), out.data(), count, dt.code, mesh, nd, axes, na,
                              a->code)) {
            report(c, "all_gather", a->name, dt, count, "", dsrt_last_error());
            return 1;
          }
          compare(c, "all_gather", *a, dt, count, "", out, ref, count * n, [&](int64_t i) {
            return input(static_cast<int>(i / std::max<int64_t>(count, 1)), i % std::max<int64_t>(count, 1), dt.code, 0);
          });
        }
      }
      // all_to_all and broadcast (one algorithm each: ds's own; the native
      // result is MPI_Alltoall / MPI_Bcast via a second group call).
      {
        std::vector<char> in(count * n * es + 1), out(count * n * es + 1);
        for (int64_t i = 0; i < count * n; ++i)
          store(in.data(), i, dt.code, input(gi, i, dt.code, 0));
        static const Algo ds{"pairwise", DSRT_ALGO_AUTO};
        if (dsrt_all_to_all(in.data(), out.data(), count, dt.code, mesh, nd, axes, na)) {
          report(c, "all_to_all", ds.name, dt, count, "", dsrt_last_error());
          return 1;
        }
        compare(c, "all_to_all", ds, dt, count, "", out, out, count * n, [&](int64_t i) {
          int64_t src = i / std::max<int64_t>(count, 1), k = i % std::max<int64_t>(count, 1);
          return input(static_cast<int>(src), gi * count + k, dt.code, 0);
        });
        for (int64_t root = 0; root < n; ++root) {
          std::vector<char> buf(count * es + 1, 0);
          if (gi == root)
            for (int64_t i = 0; i < count; ++i)
              store(buf.data(), i, dt.code, input(gi, i, dt.code, 0));
          if (dsrt_broadcast(buf.data(), count, dt.code, root, mesh, nd, axes, na)) {
            report(c, "broadcast", "tree", dt, count, "", dsrt_last_error());
            return 1;
          }
          static const Algo tree{"tree", DSRT_ALGO_TREE};
          compare(c, "broadcast", tree, dt, count, "", buf, buf, count, [&](int64_t i) {
            return input(static_cast<int>(root), i, dt.code, 0);
          });
        }
      }
    }
  }
  int total[2] = {failures, checks};
  // Gather the failure count at world level with the ABI itself.
  int64_t world[] = {c.size};
  int32_t ax[] = {0};
  int32_t mine = failures, sum = 0;
  if (dsrt_all_reduce(&mine, &sum, 1, DSRT_I32, DSRT_RED_SUM, world, 1, ax, 1, DSRT_ALGO_RING)) {
    std::printf("rank %d: error: %s\n", c.rank, dsrt_last_error());
    return 1;
  }
  (void)total;
  if (c.rank == 0)
    std::printf("%s: %d checks per rank on %d ranks, %d failures\n",
                sum ? "FAIL" : "PASS", checks, c.size, sum);
  return sum ? 1 : 0;
}

int fault(Ctx &c, const std::string &mode, int badRank) {
  int64_t mesh[] = {c.size};
  int32_t axes[] = {0};
  int64_t count = 1000;
  std::vector<float> in(count, 1.0f), out(count);
  // A first collective that succeeds everywhere (all ranks joined).
  if (mode != "never-join-init") {
    if (dsrt_all_reduce(in.data(), out.data(), count, DSRT_F32, DSRT_RED_SUM, mesh, 1, axes, 1,
                        DSRT_ALGO_RING)) {
      std::printf("rank %d: error: %s\n", c.rank, dsrt_last_error());
      return 1;
    }
  }
  int32_t st = 0;
  std::vector<char> big;
  if (c.rank == badRank) {
    if (mode == "exit-early") {
      std::fprintf(stderr, "rank %d: exiting early on purpose\n", c.rank);
      std::fflush(nullptr);
      _exit(0); // without MPI_Finalize, like a process that returns early
    }
    if (mode == "die") {
      std::fflush(nullptr);
      raise(SIGKILL);
    }
    if (mode == "never-join" || mode == "never-join-init") {
      for (;;)
        pause();
    }
    if (mode == "mismatch") {
      std::vector<float> g(count * c.size);
      st = dsrt_all_gather(in.data(), g.data(), count, DSRT_F32, mesh, 1, axes, 1,
                           DSRT_ALGO_RING);
    } else if (mode == "mismatch-count") {
      st = dsrt_all_reduce(in.data(), out.data(), count - 1, DSRT_F32, DSRT_RED_SUM, mesh, 1,
                           axes, 1, DSRT_ALGO_RING);
    } else if (mode == "oom") {
      // Leave this rank 8 MiB of address space above what it has now, then
      // ask for a reduce_scatter whose scratch needs 40 MiB.
      std::vector<float> rs(8 << 20), r2(2 << 20);
      rlimit lim;
      getrlimit(RLIMIT_AS, &lim);
      FILE *f = std::fopen("/proc/self/statm", "r");
      long pages = 0;
      if (f && std::fscanf(f, "%ld", &pages) == 1) {
        lim.rlim_cur = static_cast<rlim_t>(pages) * sysconf(_SC_PAGESIZE) + (8 << 20);
        setrlimit(RLIMIT_AS, &lim);
      }
      if (f)
        std::fclose(f);
      st = dsrt_reduce_scatter(rs.data(), r2.data(), 2 << 20, DSRT_F32, DSRT_RED_SUM, mesh, 1,
                               axes, 1, DSRT_ALGO_RING);
      // Without the scratch failure the result would be wrong-sized; the
      // test expects the error.
    }
  } else if (mode == "oom") {
    std::vector<float> rs(8 << 20), r2(2 << 20);
    st = dsrt_reduce_scatter(rs.data(), r2.data(), 2 << 20, DSRT_F32, DSRT_RED_SUM, mesh, 1,
                             axes, 1, DSRT_ALGO_RING);
  } else {
    st = dsrt_all_reduce(in.data(), out.data(), count, DSRT_F32, DSRT_RED_SUM, mesh, 1, axes,
                         1, DSRT_ALGO_RING);
  }
  if (st) {
    std::printf("rank %d: error: %s\n", c.rank, dsrt_last_error());
    std::fflush(stdout);
    return 1;
  }
  std::printf("rank %d: no error\n", c.rank);
  return 0;
}

int bench(Ctx &c, const std::string &algoName, int64_t bytes, int iters) {
  int32_t code = -1;
  for (const Algo &a : kAlgos)
    if (algoName == a.name)
      code = a.code;
  if (code < 0) {
    std::fprintf(stderr, "unknown algorithm %s\n", algoName.c_str());
    return 2;
  }
  int64_t count = bytes / 4;
  std::vector<float> in(count, 1.0f), out(count);
  int64_t mesh[] = {c.size};
  int32_t axes[] = {0};
  std::vector<double> times;
  for (int it = 0; it < iters + 1; ++it) {
    // Line up the ranks so that one timed call measures the collective.
    float z = 0, zz;
    if (dsrt_all_reduce(&z, &zz, 1, DSRT_F32, DSRT_RED_SUM, mesh, 1, axes, 1, DSRT_ALGO_NATIVE))
      return 1;
    auto t0 = std::chrono::steady_clock::now();
    if (dsrt_all_reduce(in.data(), out.data(), count, DSRT_F32, DSRT_RED_SUM, mesh, 1, axes, 1,
                        code)) {
      std::printf("rank %d: error: %s\n", c.rank, dsrt_last_error());
      return 1;
    }
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    double slowest = 0;
    if (dsrt_all_reduce(&us, &slowest, 1, DSRT_F64, DSRT_RED_MAX, mesh, 1, axes, 1,
                        DSRT_ALGO_NATIVE))
      return 1;
    if (it > 0) // the first call is a warm-up (connections, plans)
      times.push_back(slowest);
    if (out[0] != static_cast<float>(c.size)) {
      std::printf("rank %d: error: wrong result %g\n", c.rank, out[0]);
      return 1;
    }
  }
  std::sort(times.begin(), times.end());
  if (c.rank == 0)
    std::printf("algo=%s bytes=%lld ranks=%d time_us=%.1f\n", algoName.c_str(),
                static_cast<long long>(count * 4), c.size, times[times.size() / 2]);
  return 0;
}

int sendrecv(Ctx &c) {
  int next = (c.rank + 1) % c.size, prev = (c.rank + c.size - 1) % c.size;
  int64_t v = c.rank * 10, got = -1;
  int32_t st = c.rank % 2 == 0 ? dsrt_send(&v, 1, DSRT_I64, next, 7)
                               : dsrt_recv(&got, 1, DSRT_I64, prev, 7);
  if (!st)
    st = c.rank % 2 == 0 ? dsrt_recv(&got, 1, DSRT_I64, prev, 7)
                         : dsrt_send(&v, 1, DSRT_I64, next, 7);
  if (st) {
    std::printf("rank %d: error: %s\n", c.rank, dsrt_last_error());
    return 1;
  }
  std::printf("rank %d: got %lld from %d\n", c.rank, static_cast<long long>(got), prev);
  return got == prev * 10 ? 0 : 1;
}

/// Top-k all-reduce over the world: identical outputs on every rank, the
/// sum conserved by error feedback, and k = count equal to all_reduce.
int topk(Ctx &c) {
  const int64_t n = 1000;
  int64_t mesh[] = {c.size};
  int32_t ax[] = {0};
  dsrt_topk *s = nullptr, *full = nullptr;
  if (dsrt_topk_create(n, &s) || dsrt_topk_create(n, &full)) {
    std::printf("rank %d: error: %s\n", c.rank, dsrt_last_error());
    return 1;
  }
  std::vector<float> g(n), out(n), lo(n), hi(n), ref(n), outFull(n);
  std::vector<double> sentSum(n, 0), gradSum(n, 0);
  int bad = 0;
  for (int step = 0; step < 5; ++step) {
    for (int64_t i = 0; i < n; ++i)
      g[i] = static_cast<float>(((i * 37 + c.rank * 11 + step * 5) % 23) - 11) * 0.125f;
    if (dsrt_topk_all_reduce(s, g.data(), out.data(), 50, mesh, 1, ax, 1) ||
        dsrt_topk_all_reduce(full, g.data(), outFull.data(), n, mesh, 1, ax, 1) ||
        dsrt_all_reduce(out.data(), lo.data(), n, DSRT_F32, DSRT_RED_MIN, mesh, 1, ax, 1, 0) ||
        dsrt_all_reduce(out.data(), hi.data(), n, DSRT_F32, DSRT_RED_MAX, mesh, 1, ax, 1, 0) ||
        dsrt_all_reduce(g.data(), ref.data(), n, DSRT_F32, DSRT_RED_SUM, mesh, 1, ax, 1,
                        DSRT_ALGO_NATIVE)) {
      std::printf("rank %d: error: %s\n", c.rank, dsrt_last_error());
      return 1;
    }
    for (int64_t i = 0; i < n; ++i) {
      bad += lo[i] != hi[i];                           // same on all ranks
      bad += std::fabs(outFull[i] - ref[i]) > 1e-4f;   // k = count: plain sum
      sentSum[i] += out[i];
      gradSum[i] += ref[i];
    }
  }
  // Conservation: outputs + every rank's residual = all gradients.
  std::vector<float> res(dsrt_topk_residual(s), dsrt_topk_residual(s) + n), resSum(n);
  if (dsrt_all_reduce(res.data(), resSum.data(), n, DSRT_F32, DSRT_RED_SUM, mesh, 1, ax, 1, 0)) {
    std::printf("rank %d: error: %s\n", c.rank, dsrt_last_error());
    return 1;
  }
  for (int64_t i = 0; i < n; ++i)
    bad += std::fabs(sentSum[i] + resSum[i] - gradSum[i]) > 1e-3;
  dsrt_topk_free(s);
  dsrt_topk_free(full);
  std::printf("rank %d: topk %s (%d bad)\n", c.rank, bad ? "FAIL" : "PASS", bad);
  return bad ? 1 : 0;
}

/// Invalid arguments: each call must fail with a message, never crash.
int badArgs(Ctx &c) {
  float a[4] = {1, 2, 3, 4}, b[16];
  int64_t world[] = {c.size}, wrong[] = {c.size + 1}, zero[] = {0};
  int32_t ax0[] = {0}, ax5[] = {5};
  auto show = [](const char *what, int32_t st) {
    std::printf("%s: status=%d %s\n", what, st, st ? dsrt_last_error() : "ok");
  };
  show("dtype", dsrt_all_reduce(a, b, 4, 99, DSRT_RED_SUM, world, 1, ax0, 1, 0));
  show("reduction", dsrt_all_reduce(a, b, 4, DSRT_F32, 9, world, 1, ax0, 1, 0));
  show("algorithm", dsrt_all_reduce(a, b, 4, DSRT_F32, DSRT_RED_SUM, world, 1, ax0, 1, 42));
  show("count", dsrt_all_gather(a, b, -1, DSRT_F32, world, 1, ax0, 1, 0));
  show("null", dsrt_reduce_scatter(nullptr, b, 4, DSRT_F32, DSRT_RED_SUM, world, 1, ax0, 1, 0));
  show("root", dsrt_broadcast(a, 4, DSRT_F32, 7, world, 1, ax0, 1));
  show("mesh", dsrt_all_reduce(a, b, 4, DSRT_F32, DSRT_RED_SUM, wrong, 1, ax0, 1, 0));
  show("mesh0", dsrt_all_to_all(a, b, 1, DSRT_F32, zero, 1, ax0, 1));
  show("axis", dsrt_all_reduce(a, b, 4, DSRT_F32, DSRT_RED_SUM, world, 1, ax5, 1, 0));
  show("peer", dsrt_send(a, 4, DSRT_F32, c.size, 0));
  show("self", dsrt_recv(a, 4, DSRT_F32, c.rank, 0));
  show("ok", dsrt_all_reduce(a, b, 4, DSRT_F32, DSRT_RED_SUM, world, 1, ax0, 1, 0));
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ds-coll-check verify|fault|bench|sendrecv [options]\n");
    return 2;
  }
  std::string cmd = argv[1];
  std::string meshS, axesS, countsS = "0,1,7,100,1001", dtypesS = "f32,i32",
                            algosS = "ring,tree,rabenseifner,hier2,hier3,auto", mode, algo = "ring";
  int badRank = 1, iters = 5;
  int64_t bytes = 1 << 20;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--mesh") meshS = v;
    else if (k == "--axes") axesS = v;
    else if (k == "--counts") countsS = v;
    else if (k == "--dtypes") dtypesS = v;
    else if (k == "--algos") algosS = v;
    else if (k == "--mode") mode = v;
    else if (k == "--rank") badRank = std::atoi(v.c_str());
    else if (k == "--algo") algo = v;
    else if (k == "--bytes") bytes = std::atoll(v.c_str());
    else if (k == "--iters") iters = std::atoi(v.c_str());
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  Ctx c;
  if (cmd == "fault" && mode == "never-join-init" ) {
    // Rank badRank never calls into the runtime (and so never joins MPI).
    const char *r = std::getenv("OMPI_COMM_WORLD_RANK");
    if (!r)
      r = std::getenv("RANK");
    if (r && std::atoi(r) == badRank)
      for (;;)
        pause();
  }
  c.rank = dsrt_world_rank();
  c.size = dsrt_world_size();
  if (c.rank < 0) {
    std::printf("error: %s\n", dsrt_last_error());
    return 1;
  }
  if (cmd == "fault")
    return fault(c, mode, badRank);
  if (cmd == "bench")
    return bench(c, algo, bytes, iters);
  if (cmd == "sendrecv")
    return sendrecv(c);
  if (cmd == "topk")
    return topk(c);
  if (cmd == "badargs")
    return badArgs(c);
  if (cmd != "verify") {
    std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
    return 2;
  }
  if (meshS.empty())
    meshS = std::to_string(c.size);
  for (const std::string &d : split(meshS, 'x'))
    c.mesh.push_back(std::atoll(d.c_str()));
  if (axesS.empty())
    for (size_t i = 0; i < c.mesh.size(); ++i)
      c.axes.push_back(static_cast<int32_t>(i));
  else
    for (const std::string &a : split(axesS, ','))
      c.axes.push_back(std::atoi(a.c_str()));
  computeGroupIndex(c);
  std::vector<int64_t> counts;
  for (const std::string &s : split(countsS, ','))
    counts.push_back(std::atoll(s.c_str()));
  std::vector<const DT *> dts;
  for (const std::string &s : split(dtypesS, ',')) {
    const DT *found = nullptr;
    for (const DT &d : kDTypes)
      if (s == d.name)
        found = &d;
    if (!found) {
      std::fprintf(stderr, "unknown dtype %s\n", s.c_str());
      return 2;
    }
    dts.push_back(found);
  }
  std::vector<const Algo *> algos;
  for (const std::string &s : split(algosS, ',')) {
    const Algo *found = nullptr;
    for (const Algo &a : kAlgos)
      if (s == a.name)
        found = &a;
    if (!found) {
      std::fprintf(stderr, "unknown algorithm %s\n", s.c_str());
      return 2;
    }
    algos.push_back(found);
  }
  return verify(c, counts, dts, algos);
}
