//===- DeviceMemoryTest.cpp - device-resident memory without a GPU -------===//
//
// A fake in-process Backend whose "device memory" is host memory and which
// records every call lets the device-resident memory model be checked here:
// constants uploaded once and freed on release, the pool's stream-ordered
// reuse, zero-byte copies skipped, and out-of-memory errors.
//
//===----------------------------------------------------------------------===//
#include "gpu/DeviceMemory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

using namespace dsrt::gpu;

namespace {

class FakeBackend : public Backend {
public:
  /// "alloc 256", "free", "copy 16 on 0x...", "sync", ... in call order.
  std::vector<std::string> calls;
  std::map<void *, std::vector<char>> blocks;
  size_t capacity = SIZE_MAX, used = 0;

  BackendKind kind() const override { return BackendKind::CUDA; }
  std::string describe() const override { return "fake"; }
  Status loadModule(const void *, size_t, void **) override { return {}; }
  Status unloadModule(void *) override { return {}; }
  Status getFunction(void *, const char *, void **) override { return {}; }
  Status launch(void *, const int64_t *, const int64_t *, int32_t, void *,
                void **) override {
    calls.push_back("launch");
    return {};
  }
  Status createStream(void **s) override {
    *s = reinterpret_cast<void *>(0x5000 + 16 * ++streams);
    return {};
  }
  Status destroyStream(void *) override { return {}; }
  Status synchronizeStream(void *stream) override {
    calls.push_back(stream ? "sync" : "sync default");
    return {};
  }
  Status createEvent(void **) override { return {}; }
  Status destroyEvent(void *) override { return {}; }
  Status recordEvent(void *, void *) override { return {}; }
  Status synchronizeEvent(void *) override { return {}; }
  Status streamWaitEvent(void *, void *) override { return {}; }
  Status allocate(size_t bytes, bool hostShared, void **ptr) override {
    if (hostShared)
      return Status::error("unexpected host-shared allocation");
    if (used + bytes > capacity)
      return Status::error("CUDA_ERROR_OUT_OF_MEMORY: out of memory");
    std::vector<char> block(bytes + 256);
    // Hand out 256-byte-aligned addresses, as the driver does.
    void *p = reinterpret_cast<void *>(
        (reinterpret_cast<uintptr_t>(block.data()) + 255) & ~uintptr_t(255));
    blocks.emplace(p, std::move(block));
    used += bytes;
    sizes[p] = bytes;
    *ptr = p;
    calls.push_back("alloc " + std::to_string(bytes));
    return {};
  }
  Status free(void *ptr) override {
    if (!blocks.erase(ptr))
      return Status::error("double free");
    used -= sizes[ptr];
    calls.push_back("free");
    return {};
  }
  Status copy(void *dst, const void *src, size_t bytes,
              void *stream) override {
    std::memcpy(dst, src, bytes);
    calls.push_back("copy " + std::to_string(bytes) +
                    (stream ? " on stream" : " on default"));
    return {};
  }
  Status memset32(void *, uint32_t, size_t, void *) override { return {}; }
  Status memset16(void *, uint16_t, size_t, void *) override { return {}; }
  Status registerHost(void *, size_t, bool &) override {
    return Status::error("host registration is not used for device memory");
  }
  Status unregisterHost(void *) override { return {}; }
  Status setDevice(int32_t) override { return {}; }

private:
  int streams = 0;
  std::map<void *, size_t> sizes;
};

void *const streamA = reinterpret_cast<void *>(0xA0);
void *const streamB = reinterpret_cast<void *>(0xB0);

TEST(GPUDeviceMemory, ConstantIsUploadedOnceAndFreedOnRelease) {
  FakeBackend backend;
  DeviceMemory memory(backend);
  const float weights[4] = {1, 2, 3, 4};
  void *slot = nullptr, *first = nullptr, *again = nullptr;
  ASSERT_TRUE(memory.resident(&slot, weights, sizeof(weights), &first));
  EXPECT_EQ(slot, first);
  EXPECT_EQ(std::memcmp(first, weights, sizeof(weights)), 0);
  // The upload completes before the pointer is published.
  EXPECT_EQ(backend.calls, (std::vector<std::string>{
                               "alloc 256", "copy 16 on default",
                               "sync default"}));
  for (int run = 0; run < 3; ++run) {
    ASSERT_TRUE(memory.resident(&slot, weights, sizeof(weights), &again));
    EXPECT_EQ(again, first);
  }
  EXPECT_EQ(backend.calls.size(), 3u) << "later runs must not upload again";
  DeviceMemory::Stats s = memory.stats();
  EXPECT_EQ(s.uploads, 1u);
  EXPECT_EQ(s.residentBlocks, 1u);
  EXPECT_EQ(s.residentBytes, 256u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % DeviceMemory::kAlignment, 0u);

  ASSERT_TRUE(memory.releaseResident(&slot));
  EXPECT_EQ(slot, nullptr);
  EXPECT_EQ(backend.calls.back(), "free");
  EXPECT_TRUE(backend.blocks.empty());
  EXPECT_EQ(memory.stats().residentBytes, 0u);
  // Releasing twice (two destructors, or none uploaded) is harmless.
  ASSERT_TRUE(memory.releaseResident(&slot));
  EXPECT_EQ(backend.calls.back(), "free");
  EXPECT_EQ(backend.calls.size(), 4u);
}

TEST(GPUDeviceMemory, EmptyConstantGetsABlockButNoCopy) {
  FakeBackend backend;
  DeviceMemory memory(backend);
  void *slot = nullptr, *ptr = nullptr;
  ASSERT_TRUE(memory.resident(&slot, nullptr, 0, &ptr));
  EXPECT_NE(ptr, nullptr);
  EXPECT_EQ(backend.calls,
            (std::vector<std::string>{"alloc 256", "sync default"}));
}

TEST(GPUDeviceMemory, ConstantOutOfMemoryNamesTheBytes) {
  FakeBackend backend;
  backend.capacity = 1000;
  DeviceMemory memory(backend);
  std::vector<char> big(4096);
  void *slot = nullptr, *ptr = nullptr;
  Status st = memory.resident(&slot, big.data(), big.size(), &ptr);
  ASSERT_FALSE(st);
  EXPECT_NE(st.message.find("CUDA_ERROR_OUT_OF_MEMORY"), std::string::npos);
  EXPECT_NE(st.message.find("requested 4096 bytes"), std::string::npos);
  EXPECT_NE(st.message.find("bytes in use by ds"), std::string::npos);
  EXPECT_EQ(slot, nullptr);
}

TEST(GPUDeviceMemory, IntermediatesReuseBlocksOnTheSameStream) {
  FakeBackend backend;
  DeviceMemory memory(backend);
  void *a, *b;
  ASSERT_TRUE(memory.allocate(1000, streamA, &a));
  ASSERT_TRUE(memory.release(a, streamA));
  // Stream order: work queued later on A runs after the work that used a.
  ASSERT_TRUE(memory.allocate(900, streamA, &b));
  EXPECT_EQ(a, b);
  EXPECT_EQ(memory.stats().pool.hits, 1u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % DeviceMemory::kAlignment, 0u);
}

TEST(GPUDeviceMemory, OtherStreamsWaitUntilTheBlockSettles) {
  FakeBackend backend;
  DeviceMemory memory(backend);
  void *a, *b, *c;
  ASSERT_TRUE(memory.allocate(1000, streamA, &a));
  ASSERT_TRUE(memory.release(a, streamA));
  // Kernels on A may still read a: B must get another block.
  ASSERT_TRUE(memory.allocate(1000, streamB, &b));
  EXPECT_NE(a, b);
  ASSERT_TRUE(memory.release(b, streamB));
  // A synchronized (end of a run): its blocks serve anyone; b is still
  // pending on B, so only B may take it.
  memory.settle(streamA);
  ASSERT_TRUE(memory.allocate(1000, nullptr, &c));
  EXPECT_EQ(c, a) << "the block settled on A, not the one pending on B";
  void *d;
  ASSERT_TRUE(memory.allocate(1000, streamB, &d));
  EXPECT_EQ(d, b);
  EXPECT_EQ(memory.stats().pool.misses, 2u);
}

TEST(GPUDeviceMemory, RunPatternKeepsThePoolHot) {
  // What one call of a device-resident artifact does: stage an input,
  // allocate two intermediates, copy the output back, free everything,
  // synchronize. The second call allocates nothing from the driver.
  FakeBackend backend;
  DeviceMemory memory(backend);
  std::vector<float> in(64, 1.0f), out(64, 0.0f);
  auto run = [&](void *stream) {
    void *x, *t1, *t2, *y;
    ASSERT_TRUE(memory.allocate(in.size() * 4, stream, &x));
    ASSERT_TRUE(memory.copy(x, in.data(), in.size() * 4, stream));
    ASSERT_TRUE(memory.allocate(4096, stream, &t1));
    ASSERT_TRUE(memory.allocate(4096, stream, &t2));
    ASSERT_TRUE(memory.release(t1, stream));
    ASSERT_TRUE(memory.allocate(out.size() * 4, stream, &y));
    std::memcpy(y, x, out.size() * 4); // the "kernel"
    ASSERT_TRUE(memory.release(t2, stream));
    ASSERT_TRUE(memory.copy(out.data(), y, out.size() * 4, stream));
    ASSERT_TRUE(memory.release(x, stream));
    ASSERT_TRUE(memory.release(y, stream));
    memory.settle(stream);
  };
  run(streamA);
  size_t driverAllocs = memory.stats().pool.misses;
  EXPECT_EQ(out, in);
  run(streamB); // the next call gets a fresh stream
  EXPECT_EQ(memory.stats().pool.misses, driverAllocs);
  EXPECT_EQ(memory.stats().pool.liveBlocks, 0u);
  EXPECT_EQ(memory.stats().copies, 4u);
  EXPECT_EQ(memory.stats().copiedBytes, 4u * 256u);
}

TEST(GPUDeviceMemory, EmptyCopiesAreSkipped) {
  FakeBackend backend;
  DeviceMemory memory(backend);
  ASSERT_TRUE(memory.copy(nullptr, nullptr, 0, streamA));
  EXPECT_TRUE(backend.calls.empty());
  EXPECT_EQ(memory.stats().copies, 0u);
}

TEST(GPUDeviceMemory, OutOfMemoryCountsTheConstants) {
  FakeBackend backend;
  backend.capacity = 4096;
  DeviceMemory memory(backend);
  std::vector<char> w(2048);
  void *slot = nullptr, *ptr, *x;
  ASSERT_TRUE(memory.resident(&slot, w.data(), w.size(), &ptr));
  Status st = memory.allocate(4096, streamA, &x);
  ASSERT_FALSE(st);
  EXPECT_NE(st.message.find("requested 4096 bytes"), std::string::npos);
  EXPECT_NE(st.message.find("2048 more bytes hold the model's constants"),
            std::string::npos);
}

} // namespace
