//===- PoolStatsTest.cpp - the thread pool's DSRT_POOL_STATS counters ----===//
//
// The counters are read once per process and printed at exit, so each case
// runs in a fresh process (a death test in the "threadsafe" style re-runs
// the test binary) and matches what that process wrote to stderr.
//
//===----------------------------------------------------------------------===//
#include "dsrt/dsrt.h"
#include "dsrt/parallel.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

namespace {

void nothing(void *, int64_t, int64_t) {}

/// One pooled call of 4 tasks (100 elements on 2 threads: two ranges per
/// thread), one call of 1 task (run inline, not through the pool), exit.
[[noreturn]] void runAndExit(const char *statsEnv) {
  if (statsEnv)
    setenv("DSRT_POOL_STATS", statsEnv, 1);
  else
    unsetenv("DSRT_POOL_STATS");
  dsrt_set_num_threads(2);
  dsrt_parallel_for(100, nothing, nullptr);
  dsrt_parallel_for(1, nothing, nullptr);
  std::exit(0);
}

TEST(PoolStatsDeathTest, CountsPooledCallsAndTasks) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(runAndExit("1"), testing::ExitedWithCode(0),
              "dsrt pool: parallel_calls=1 tasks=4 caller_tasks=[0-4] "
              "serial_calls=0 serial_tasks=0 worker_sleeps=[0-9]+");
}

// Nothing at all on stderr.
TEST(PoolStatsDeathTest, SilentUnlessAsked) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(runAndExit(nullptr), testing::ExitedWithCode(0), "^$");
  EXPECT_EXIT(runAndExit("0"), testing::ExitedWithCode(0), "^$");
}

} // namespace
