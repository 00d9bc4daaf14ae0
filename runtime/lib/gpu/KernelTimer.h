//===- KernelTimer.h - device time of the kernels of a call -----*- C++ -*-===//
//
// Wall-clock time of dsrt_module_run on a GPU includes staging the caller's
// inputs to the device and the outputs back. Benchmarks that compare with
// libraries timed by device events (cuBLAS, FlashAttention) need the time
// of the kernels alone, so the runtime can bracket them with events:
//
//   - before the first launch on a stream (since that stream's last
//     synchronization) it records a start event;
//   - when other work (a copy, a memset) or a synchronization follows a
//     launch on that stream, it records the stop event there, so the stop
//     marks the end of the last launch before it. A later launch on the same
//     stream moves the stop again (re-recording an event replaces it), so
//     the interval always ends at the last launch of the call;
//   - after the stream is synchronized the elapsed time between the two
//     events is added to the totals.
//
// The interval includes whatever the stream ran between the first and last
// launch (e.g. device-to-device copies between kernels) but no staging
// before the first or after the last launch. Streams are timed separately and
// their intervals summed: a call whose kernels overlap on several streams
// would count the overlap twice (ds runs each call on one stream).
//
// Events come from the Backend, so the logic is tested with a fake backend
// (test/unit/gpu/KernelTimerTest.cpp). Timing is off until enabled (the
// events cost a little host time per launch sequence); ds-run --bench turns
// it on. Failures to time (a driver without event timing) never fail the
// call: they are counted and the interval is dropped.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_GPU_KERNELTIMER_H
#define DSRT_LIB_GPU_KERNELTIMER_H

#include "Backend.h"

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dsrt::gpu {

class KernelTimer {
public:
  struct Totals {
    double milliseconds = 0; ///< Sum of the completed intervals.
    uint64_t intervals = 0;  ///< Completed first-launch..last-launch spans.
    uint64_t failures = 0;   ///< Intervals dropped: events failed.
  };

  explicit KernelTimer(Backend &backend) : backend(backend) {}
  ~KernelTimer();
  KernelTimer(const KernelTimer &) = delete;
  KernelTimer &operator=(const KernelTimer &) = delete;

  void setEnabled(bool on);
  bool enabled() const;

  /// Before a kernel is launched on `stream`: starts an interval if none is
  /// open there (and timing is enabled).
  void beforeLaunch(void *stream);
  /// After a successful launch on `stream`.
  void afterLaunch(void *stream);
  /// Before a copy, memset or synchronization is enqueued on `stream`:
  /// records the stop event if a launch was the last work there.
  void beforeOtherWork(void *stream);
  /// After `stream` was synchronized successfully: closes its interval.
  void synchronized(void *stream);
  /// `stream` is being destroyed, or its synchronization failed: its open
  /// interval (if any) is dropped and its events are reused.
  void forget(void *stream);

  Totals totals() const;

private:
  struct Interval {
    void *start = nullptr, *stop = nullptr;
    bool stopPending = false; ///< A launch came after the last stop record.
    bool stopRecorded = false;
  };
  void release(Interval &interval);

  Backend &backend;
  mutable std::mutex mutex;
  bool on = false;
  std::unordered_map<void *, Interval> open; ///< stream → its interval
  std::vector<std::pair<void *, void *>> spare; ///< events to reuse
  Totals sums;
};

} // namespace dsrt::gpu

#endif // DSRT_LIB_GPU_KERNELTIMER_H
