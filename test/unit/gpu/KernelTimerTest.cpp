//===- KernelTimerTest.cpp - kernel-only device timing, no GPU ------------===//
//
// KernelTimer (runtime/lib/gpu) against a fake Backend with a simulated
// device clock: launches and copies advance it, events read it when they are
// recorded. Checks that a call's interval spans its first to its last launch
// and excludes the staging copies before and after, that events are reused,
// that a backend without event timing only counts failures, and, end to end
// on the fake CUDA driver, that ds's entry points time each dsrt_module_run.
//
//===----------------------------------------------------------------------===//
#include "FakeCudaUtil.h"
#include "gpu/KernelTimer.h"

#include "ds/Compiler/Compiler.h"
#include "ds/ds.h"
#include "dsrt/dsrt.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

using namespace dsrt::gpu;

extern "C" void dsrtGpuKernelTiming(int enable);
extern "C" int dsrtGpuKernelTime(double *milliseconds, uint64_t out[2]);

namespace {

/// A device whose work runs in order, one stream at a time (enough here):
/// a launch takes 2 ms, a copy 5 ms. Events hold the clock at recording.
class ClockBackend : public Backend {
public:
  double clock = 0;
  int eventsCreated = 0, eventsDestroyed = 0, records = 0;
  bool canTime = true, failRecord = false;
  std::map<void *, double> events;

  BackendKind kind() const override { return BackendKind::CUDA; }
  std::string describe() const override { return "clock"; }
  Status loadModule(const void *, size_t, void **) override { return {}; }
  Status unloadModule(void *) override { return {}; }
  Status getFunction(void *, const char *, void **) override { return {}; }
  Status launch(void *, const int64_t *, const int64_t *, int32_t, void *,
                void **) override {
    clock += 2;
    return {};
  }
  Status createStream(void **) override { return {}; }
  Status destroyStream(void *) override { return {}; }
  Status synchronizeStream(void *) override { return {}; }
  Status createEvent(void **event) override {
    *event = reinterpret_cast<void *>(uintptr_t(0x1000 + 16 * ++eventsCreated));
    events[*event] = -1;
    return {};
  }
  Status destroyEvent(void *event) override {
    ++eventsDestroyed;
    events.erase(event);
    return {};
  }
  Status recordEvent(void *event, void *) override {
    if (failRecord)
      return Status::error("record failed");
    ++records;
    events.at(event) = clock;
    return {};
  }
  Status synchronizeEvent(void *) override { return {}; }
  Status streamWaitEvent(void *, void *) override { return {}; }
  Status elapsedMilliseconds(void *start, void *stop, float &ms) override {
    if (!canTime)
      return Backend::elapsedMilliseconds(start, stop, ms);
    ms = float(events.at(stop) - events.at(start));
    return {};
  }
  Status allocate(size_t, bool, void **) override { return {}; }
  Status free(void *) override { return {}; }
  Status copy(void *, const void *, size_t, void *) override {
    clock += 5;
    return {};
  }
  Status memset32(void *, uint32_t, size_t, void *) override { return {}; }
  Status memset16(void *, uint16_t, size_t, void *) override { return {}; }
  Status registerHost(void *, size_t, bool &already) override {
    already = false;
    return {};
  }
  Status unregisterHost(void *) override { return {}; }
  Status setDevice(int32_t) override { return {}; }
};

void *const kStream = reinterpret_cast<void *>(0x5000);

/// What the entry points do for a launch / copy / synchronization.
void launch(KernelTimer &t, ClockBackend &b, void *stream = kStream) {
  t.beforeLaunch(stream);
  int64_t dims[3] = {1, 1, 1};
  ASSERT_TRUE(b.launch(nullptr, dims, dims, 0, stream, nullptr));
  t.afterLaunch(stream);
}
void copy(KernelTimer &t, ClockBackend &b, void *stream = kStream) {
  t.beforeOtherWork(stream);
  ASSERT_TRUE(b.copy(nullptr, nullptr, 0, stream));
}
void sync(KernelTimer &t, ClockBackend &b, void *stream = kStream) {
  t.beforeOtherWork(stream);
  ASSERT_TRUE(b.synchronizeStream(stream));
  t.synchronized(stream);
}

/// Stage two inputs, three kernels, stage one output, synchronize.
void call(KernelTimer &t, ClockBackend &b) {
  copy(t, b);
  copy(t, b);
  launch(t, b);
  launch(t, b);
  launch(t, b);
  copy(t, b);
  sync(t, b);
}

TEST(GPUKernelTimer, OffByDefaultRecordsNothing) {
  ClockBackend b;
  KernelTimer t(b);
  call(t, b);
  EXPECT_EQ(b.records, 0);
  EXPECT_EQ(b.eventsCreated, 0);
  EXPECT_EQ(t.totals().intervals, 0u);
  EXPECT_EQ(t.totals().milliseconds, 0);
}

TEST(GPUKernelTimer, TimesFirstToLastLaunchWithoutTheStagingCopies) {
  ClockBackend b;
  KernelTimer t(b);
  t.setEnabled(true);
  call(t, b);
  // 3 launches of 2 ms; the 3 copies (15 ms) are outside the interval.
  KernelTimer::Totals s = t.totals();
  EXPECT_EQ(s.intervals, 1u);
  EXPECT_EQ(s.failures, 0u);
  EXPECT_DOUBLE_EQ(s.milliseconds, 6.0);
  EXPECT_EQ(b.clock, 21.0);
}

TEST(GPUKernelTimer, WorkBetweenLaunchesCountsAndTheStopMovesToTheLast) {
  ClockBackend b;
  KernelTimer t(b);
  t.setEnabled(true);
  launch(t, b);
  copy(t, b); // A device-to-device copy between kernels: stop recorded here...
  launch(t, b);
  sync(t, b); // ...and moved after the second launch, at the synchronization.
  KernelTimer::Totals s = t.totals();
  EXPECT_EQ(s.intervals, 1u);
  EXPECT_DOUBLE_EQ(s.milliseconds, 2 + 5 + 2);
  // start, the stop at the copy, the stop re-recorded before the sync.
  EXPECT_EQ(b.records, 3);
}

TEST(GPUKernelTimer, EachSynchronizationClosesOneIntervalAndEventsAreReused) {
  ClockBackend b;
  KernelTimer t(b);
  t.setEnabled(true);
  for (int i = 0; i < 4; ++i)
    call(t, b);
  KernelTimer::Totals s = t.totals();
  EXPECT_EQ(s.intervals, 4u);
  EXPECT_DOUBLE_EQ(s.milliseconds, 4 * 6.0);
  EXPECT_EQ(b.eventsCreated, 2);
  // A synchronization without launches since the last one adds nothing.
  sync(t, b);
  EXPECT_EQ(t.totals().intervals, 4u);
}

TEST(GPUKernelTimer, StreamsAreTimedSeparately) {
  ClockBackend b;
  KernelTimer t(b);
  t.setEnabled(true);
  void *other = reinterpret_cast<void *>(0x6000);
  launch(t, b, kStream);
  launch(t, b, other);
  sync(t, b, other);
  EXPECT_EQ(t.totals().intervals, 1u);
  EXPECT_DOUBLE_EQ(t.totals().milliseconds, 2.0);
  sync(t, b, kStream);
  EXPECT_EQ(t.totals().intervals, 2u);
  EXPECT_EQ(b.eventsCreated, 4);
}

TEST(GPUKernelTimer, ForgottenStreamsDropTheirIntervalAndReturnEvents) {
  ClockBackend b;
  {
    KernelTimer t(b);
    t.setEnabled(true);
    launch(t, b);
    t.forget(kStream); // The synchronization failed, or the stream died.
    EXPECT_EQ(t.totals().intervals, 0u);
    call(t, b);
    EXPECT_EQ(t.totals().intervals, 1u);
    EXPECT_EQ(b.eventsCreated, 2);
  }
  EXPECT_EQ(b.eventsDestroyed, 2);
}

TEST(GPUKernelTimer, BackendWithoutEventTimingCountsFailuresOnly) {
  ClockBackend b;
  b.canTime = false;
  KernelTimer t(b);
  t.setEnabled(true);
  call(t, b);
  call(t, b);
  KernelTimer::Totals s = t.totals();
  EXPECT_EQ(s.intervals, 0u);
  EXPECT_EQ(s.failures, 2u);
  EXPECT_EQ(s.milliseconds, 0);
}

TEST(GPUKernelTimer, FailedRecordsDropTheInterval) {
  ClockBackend b;
  b.failRecord = true;
  KernelTimer t(b);
  t.setEnabled(true);
  call(t, b);
  // Each of the 3 launches tried to start an interval and could not.
  EXPECT_EQ(t.totals().intervals, 0u);
  EXPECT_EQ(t.totals().failures, 3u);
  b.failRecord = false;
  call(t, b);
  EXPECT_EQ(t.totals().intervals, 1u);
  EXPECT_DOUBLE_EQ(t.totals().milliseconds, 6.0);
}

TEST(GPUKernelTimer, DisablingLetsTheOpenIntervalFinish) {
  ClockBackend b;
  KernelTimer t(b);
  t.setEnabled(true);
  launch(t, b);
  t.setEnabled(false);
  launch(t, b);
  sync(t, b);
  EXPECT_EQ(t.totals().intervals, 1u);
  EXPECT_DOUBLE_EQ(t.totals().milliseconds, 4.0);
  call(t, b);
  EXPECT_EQ(t.totals().intervals, 1u);
}

// End to end on the fake CUDA driver (test/unit/gpu/fake_cuda.c), whose
// events hold the launch count and whose kernels "take" 0.5 ms: each call's
// device time is 0.5 ms times its launches. In the GPUFakeDriver suite, so
// it runs after GPUPipelineTest's missing-driver tests (the backend stays
// open for the process once loaded).
constexpr const char *kThreeOps = R"mlir(
func.func @main(%x: tensor<2x3xf32> {ds.name = "x"},
                %y: tensor<2x3xf32> {ds.name = "y"})
    -> (tensor<2x2xf32> {ds.name = "z"}) {
  %s = dsg.add %x, %y : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %t = dsg.transpose %x {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %z = dsg.matmul %s, %t : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %z : tensor<2x2xf32>
}
)mlir";

int fakeLaunchCount() {
  return dsrt::test::fakeCudaCounter("fake_cuda_launches");
}

TEST(GPUFakeDriver, KernelTimingCoversTheLaunchesOfEachCall) {
  ds::CompileResult r = dsrt::test::compileForFakeCuda(kThreeOps);
  ASSERT_TRUE(r.ok());
  unsetenv("FAKE_CUDA_FAIL");
  dsrt_module *module = nullptr;
  ASSERT_EQ(dsrt_module_load_memory(r.artifact.data(), r.artifact.size(),
                                    &module),
            DSRT_OK)
      << dsrt_last_error();
  float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {0}, z[4];
  int64_t xs[2] = {2, 3}, zs[2] = {2, 2};
  dsrt_tensor in[2] = {{x, DSRT_F32, 2, xs}, {y, DSRT_F32, 2, xs}};
  dsrt_tensor out[1] = {{z, DSRT_F32, 2, zs}};
  // Off: runs add nothing.
  dsrtGpuKernelTiming(0);
  double ms0 = 0;
  uint64_t n0[2] = {0, 0};
  ASSERT_EQ(dsrt_module_run(module, in, 2, out, 1), DSRT_OK)
      << dsrt_last_error();
  ASSERT_EQ(dsrtGpuKernelTime(&ms0, n0), 1);
  ASSERT_EQ(dsrt_module_run(module, in, 2, out, 1), DSRT_OK);
  double ms1 = 0;
  uint64_t n1[2] = {0, 0};
  ASSERT_EQ(dsrtGpuKernelTime(&ms1, n1), 1);
  EXPECT_EQ(n1[0], n0[0]);
  // On: one interval per call, 0.5 ms per launch of that call.
  dsrtGpuKernelTiming(1);
  for (int run = 0; run < 3; ++run) {
    int launchesBefore = fakeLaunchCount();
    double before = 0;
    uint64_t nb[2] = {0, 0};
    ASSERT_EQ(dsrtGpuKernelTime(&before, nb), 1);
    ASSERT_EQ(dsrt_module_run(module, in, 2, out, 1), DSRT_OK)
        << dsrt_last_error();
    int launched = fakeLaunchCount() - launchesBefore;
    double after = 0;
    uint64_t na[2] = {0, 0};
    ASSERT_EQ(dsrtGpuKernelTime(&after, na), 1);
    EXPECT_GE(launched, 3);
    EXPECT_EQ(na[0] - nb[0], 1u);
    EXPECT_EQ(na[1] - nb[1], 0u);
    EXPECT_DOUBLE_EQ(after - before, 0.5 * launched);
  }
  dsrtGpuKernelTiming(0);
  dsrt_module_free(module);
}

} // namespace
