//===- ThreadPool.cpp - the runtime's compute thread pool ----------------===//
//
// Workers spin briefly after each job (model layers arrive back to back, and
// waking a sleeping thread costs tens of microseconds), then sleep on a
// condition variable. A job is a counter of indices that the caller and the
// workers claim one at a time.
//
// DSRT_POOL_STATS=1 counts, for the whole process, the calls that ran on the
// pool and those that ran serially, their tasks, how many of them the caller
// ran itself, and how often a worker went to sleep, and prints the counts to
// stderr at exit (a diagnostic of task splits and load balance).
//
//===----------------------------------------------------------------------===//
#include "Internal.h"
#include "ThreadPool.h"

#include "dsrt/dsrt.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <sched.h>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DSRT_PAUSE() _mm_pause()
#else
#define DSRT_PAUSE() ((void)0)
#endif

namespace {

/// The DSRT_POOL_STATS counters (relaxed atomics: a diagnostic).
struct Stats {
  std::atomic<int64_t> parallelCalls{0}, serialCalls{0}, tasks{0},
      callerTasks{0}, serialTasks{0}, sleeps{0};
};

Stats *stats() {
  static Stats *s = [] {
    const char *e = std::getenv("DSRT_POOL_STATS");
    if (!e || !*e || !std::strcmp(e, "0"))
      return static_cast<Stats *>(nullptr);
    // Leaked on purpose, like the pool: printed by an atexit handler.
    static Stats *made = new Stats();
    std::atexit([] {
      Stats &t = *made;
      std::fprintf(stderr,
                   "dsrt pool: parallel_calls=%lld tasks=%lld "
                   "caller_tasks=%lld serial_calls=%lld serial_tasks=%lld "
                   "worker_sleeps=%lld\n",
                   (long long)t.parallelCalls.load(), (long long)t.tasks.load(),
                   (long long)t.callerTasks.load(),
                   (long long)t.serialCalls.load(),
                   (long long)t.serialTasks.load(), (long long)t.sleeps.load());
    });
    return made;
  }();
  return s;
}

int defaultThreads() {
  if (const char *env = std::getenv("DS_NUM_THREADS")) {
    char *end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v > 0)
      return v > 1024 ? 1024 : static_cast<int>(v);
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0)
      return n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? static_cast<int>(hw) : 1;
}

class Pool {
public:
  static Pool &get() {
    // Leaked on purpose: workers may still spin while static destructors
    // run at exit.
    static Pool *pool = new Pool();
    return *pool;
  }

  int threads() const { return requested.load(std::memory_order_relaxed); }
  void setThreads(int n) {
    requested.store(n < 1 ? defaultThreads() : n, std::memory_order_relaxed);
  }

  void run(int64_t n, void (*fn)(void *, int64_t), void *ctx) {
    int want = threads();
    if (n <= 1 || want <= 1 || insideWorker || n >= kMaxTasks ||
        !busy.try_lock()) {
      if (Stats *st = stats()) {
        st->serialCalls.fetch_add(1, std::memory_order_relaxed);
        st->serialTasks.fetch_add(n, std::memory_order_relaxed);
      }
      for (int64_t i = 0; i < n; ++i)
        fn(ctx, i);
      return;
    }
    std::lock_guard<std::mutex> hold(busy, std::adopt_lock);
    int helpers = static_cast<int>(std::min<int64_t>(want, n)) - 1;
    ensureWorkers(helpers);

    // Retire the previous job's counter before touching the job fields, so
    // a worker still looking at it cannot claim an index of this one.
    uint32_t id = ++jobId;
    next.store(pack(id, kMaxTasks), std::memory_order_release);
    jobFn = fn;
    jobCtx = ctx;
    jobSize.store(n, std::memory_order_relaxed);
    done.store(0, std::memory_order_relaxed);
    next.store(pack(id, 0), std::memory_order_release);
    {
      std::lock_guard<std::mutex> lock(mutex);
      for (int i = 0; i < helpers; ++i)
        slots[i]->ticket.store(id, std::memory_order_release);
    }
    wake.notify_all();
    insideWorker = true;
    int64_t mine = drain(id);
    insideWorker = false;
    if (Stats *st = stats()) {
      st->parallelCalls.fetch_add(1, std::memory_order_relaxed);
      st->tasks.fetch_add(n, std::memory_order_relaxed);
      st->callerTasks.fetch_add(mine, std::memory_order_relaxed);
    }
    // Wait only for tasks that a worker has claimed and is running; a
    // worker that has not woken up yet has nothing to finish. Spin briefly,
    // then yield: on a loaded machine the worker may need this core.
    for (int spin = 0; done.load(std::memory_order_acquire) != n; ++spin) {
      if (spin < 2000)
        DSRT_PAUSE();
      else
        std::this_thread::yield();
    }
  }

private:
  Pool() { requested.store(defaultThreads()); }

  static constexpr int64_t kMaxTasks = int64_t(1) << 31;
  static uint64_t pack(uint32_t id, int64_t index) {
    return (uint64_t(id) << 32) | uint64_t(index);
  }

  /// Claims and runs tasks of job `id` until none is left. An index is
  /// claimed by advancing `next` from (id, i) to (id, i + 1), so a thread
  /// that woke late for an older job claims nothing. Returns how many tasks
  /// this thread ran.
  int64_t drain(uint32_t id) {
    int64_t ran = 0;
    for (;;) {
      uint64_t v = next.load(std::memory_order_acquire);
      if (uint32_t(v >> 32) != id)
        return ran;
      int64_t i = int64_t(v & 0xffffffffu);
      if (i >= jobSize.load(std::memory_order_relaxed))
        return ran;
      if (!next.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel))
        continue;
      jobFn(jobCtx, i);
      ++ran;
      done.fetch_add(1, std::memory_order_release);
    }
  }


  void ensureWorkers(int n) {
    while (static_cast<int>(workers.size()) < n) {
      slots.emplace_back(new Slot());
      Slot *slot = slots.back().get();
      workers.emplace_back([this, slot] { workerLoop(slot->ticket); });
      workers.back().detach();
    }
  }

  // A worker runs the jobs whose id the caller writes into its slot, so it
  // never joins a job it was not counted in.
  void workerLoop(std::atomic<uint64_t> &ticket) {
    insideWorker = true;
    uint64_t seen = 0;
    for (;;) {
      // Spin for a while (some tens of microseconds), then sleep.
      uint64_t t = seen;
      for (int spin = 0; spin < 4000 && t == seen; ++spin) {
        DSRT_PAUSE();
        t = ticket.load(std::memory_order_acquire);
      }
      if (t == seen) {
        if (Stats *st = stats())
          st->sleeps.fetch_add(1, std::memory_order_relaxed);
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] {
          return ticket.load(std::memory_order_acquire) != seen;
        });
        t = ticket.load(std::memory_order_acquire);
      }
      seen = t;
      drain(uint32_t(t));
    }
  }

  struct alignas(64) Slot {
    std::atomic<uint64_t> ticket{0};
  };

  std::atomic<int> requested{1};
  std::mutex busy; // held by the thread whose job the pool runs
  std::vector<std::thread> workers;

  std::mutex mutex;
  std::condition_variable wake;
  // Pointers, so a worker's reference survives the vector growing.
  std::vector<std::unique_ptr<Slot>> slots;

  // The current job. jobFn and jobCtx are written before `next` publishes
  // the job and read only by a thread that claimed one of its indices.
  void (*jobFn)(void *, int64_t) = nullptr;
  void *jobCtx = nullptr;
  std::atomic<int64_t> jobSize{0};
  std::atomic<uint64_t> next{0}; // (job id << 32) | next index
  std::atomic<int64_t> done{0};  // tasks of the current job finished
  uint32_t jobId = 0;

  static thread_local bool insideWorker;
};

thread_local bool Pool::insideWorker = false;

} // namespace

void dsrt::parallelFor(int64_t n, void (*fn)(void *, int64_t), void *ctx) {
  Pool::get().run(n, fn, ctx);
}

int dsrt::numThreads() { return Pool::get().threads(); }

DSRT_EXPORT void dsrt_set_num_threads(int32_t n) { Pool::get().setThreads(n); }

DSRT_EXPORT int32_t dsrt_get_num_threads(void) { return Pool::get().threads(); }
