//===- KernelTimer.cpp - device time of the kernels of a call -------------===//
//
// See KernelTimer.h for what is timed and why.
//
//===----------------------------------------------------------------------===//
#include "KernelTimer.h"

#include <tuple>

using namespace dsrt::gpu;

KernelTimer::~KernelTimer() {
  for (auto &entry : open)
    release(entry.second);
  for (auto &events : spare) {
    (void)backend.destroyEvent(events.first);
    (void)backend.destroyEvent(events.second);
  }
}

void KernelTimer::setEnabled(bool enable) {
  std::lock_guard<std::mutex> lock(mutex);
  on = enable;
}

bool KernelTimer::enabled() const {
  std::lock_guard<std::mutex> lock(mutex);
  return on;
}

void KernelTimer::release(Interval &interval) {
  if (interval.start && interval.stop)
    spare.emplace_back(interval.start, interval.stop);
  interval = Interval();
}

void KernelTimer::beforeLaunch(void *stream) {
  std::lock_guard<std::mutex> lock(mutex);
  if (!on || open.count(stream))
    return;
  Interval interval;
  if (!spare.empty()) {
    std::tie(interval.start, interval.stop) = spare.back();
    spare.pop_back();
  } else {
    if (!backend.createEvent(&interval.start)) {
      ++sums.failures;
      return;
    }
    if (!backend.createEvent(&interval.stop)) {
      (void)backend.destroyEvent(interval.start);
      ++sums.failures;
      return;
    }
  }
  if (!backend.recordEvent(interval.start, stream)) {
    ++sums.failures;
    release(interval);
    return;
  }
  open.emplace(stream, interval);
}

void KernelTimer::afterLaunch(void *stream) {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = open.find(stream);
  if (it != open.end())
    it->second.stopPending = true;
}

void KernelTimer::beforeOtherWork(void *stream) {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = open.find(stream);
  if (it == open.end() || !it->second.stopPending)
    return;
  Interval &interval = it->second;
  if (!backend.recordEvent(interval.stop, stream)) {
    ++sums.failures;
    release(interval);
    open.erase(it);
    return;
  }
  interval.stopPending = false;
  interval.stopRecorded = true;
}

void KernelTimer::synchronized(void *stream) {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = open.find(stream);
  if (it == open.end())
    return;
  Interval interval = it->second;
  open.erase(it);
  // The entry points record the stop before synchronizing; a stop still
  // pending here (a caller that synchronized without that hook) is recorded
  // now, which bounds the kernels' end from above.
  bool ok = true;
  if (interval.stopPending)
    ok = backend.recordEvent(interval.stop, stream) &&
         backend.synchronizeEvent(interval.stop);
  else if (!interval.stopRecorded)
    ok = false; // Cannot happen: a start is recorded only before a launch.
  float ms = 0;
  if (ok && backend.elapsedMilliseconds(interval.start, interval.stop, ms)) {
    sums.milliseconds += ms;
    ++sums.intervals;
  } else {
    ++sums.failures;
  }
  release(interval);
}

void KernelTimer::forget(void *stream) {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = open.find(stream);
  if (it == open.end())
    return;
  release(it->second);
  open.erase(it);
}

KernelTimer::Totals KernelTimer::totals() const {
  std::lock_guard<std::mutex> lock(mutex);
  return sums;
}
