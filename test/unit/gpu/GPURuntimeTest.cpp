//===- GPURuntimeTest.cpp - the GPU runtime without a GPU ----------------===//
//
// Everything here runs on machines with no GPU and no driver: the memory
// pool's bookkeeping, kernel image classification, the backends' errors
// when their library is missing, and the mgpu* entry points' error paths
// (GPUPipelineTest.cpp, through artifacts loaded by dsrt).
//
//===----------------------------------------------------------------------===//
#include "gpu/Backend.h"
#include "gpu/MemoryPool.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <vector>

using namespace dsrt::gpu;

namespace {

/// A fake device heap: hands out distinct addresses, counts calls, can be
/// told to fail (out of memory) until `failuresLeft` reaches 0.
struct FakeHeap {
  std::set<void *> live;
  std::vector<char *> blocks;
  size_t allocations = 0, frees = 0;
  size_t capacity = SIZE_MAX, used = 0;
  std::map<void *, size_t> sizes;

  MemoryPool makePool(size_t largeThreshold = size_t(1) << 30) {
    return MemoryPool(
        [this](size_t bytes, void **ptr) {
          if (used + bytes > capacity)
            return Status::error("CUDA_ERROR_OUT_OF_MEMORY: out of memory");
          blocks.push_back(new char[1]);
          *ptr = blocks.back();
          live.insert(*ptr);
          sizes[*ptr] = bytes;
          used += bytes;
          ++allocations;
          return Status::success();
        },
        [this](void *ptr) {
          if (!live.erase(ptr))
            return Status::error("double free");
          used -= sizes[ptr];
          ++frees;
          return Status::success();
        },
        largeThreshold);
  }
  ~FakeHeap() {
    for (char *b : blocks)
      delete[] b;
  }
};

TEST(GPUMemoryPool, RoundsToPowerOfTwoClasses) {
  FakeHeap heap;
  MemoryPool pool = heap.makePool(/*largeThreshold=*/1 << 20);
  EXPECT_EQ(pool.roundUp(0), 256u);
  EXPECT_EQ(pool.roundUp(1), 256u);
  EXPECT_EQ(pool.roundUp(256), 256u);
  EXPECT_EQ(pool.roundUp(257), 512u);
  EXPECT_EQ(pool.roundUp(1000), 1024u);
  // At or above the threshold sizes are exact: no 2x waste on big buffers.
  EXPECT_EQ(pool.roundUp((1 << 20) + 3), size_t((1 << 20) + 3));
}

TEST(GPUMemoryPool, ReusesReleasedBlocksOfTheSameClass) {
  FakeHeap heap;
  MemoryPool pool = heap.makePool();
  void *a = nullptr, *b = nullptr, *c = nullptr;
  ASSERT_TRUE(pool.allocate(1000, &a));
  ASSERT_TRUE(pool.release(a));
  ASSERT_TRUE(pool.allocate(700, &b)); // same 1024-byte class
  EXPECT_EQ(a, b);
  ASSERT_TRUE(pool.allocate(5000, &c)); // another class: a new block
  EXPECT_NE(c, b);
  MemoryPool::Stats s = pool.stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.liveBlocks, 2u);
  EXPECT_EQ(s.liveBytes, 1024u + 8192u);
  EXPECT_EQ(s.cachedBlocks, 0u);
  EXPECT_EQ(heap.allocations, 2u);
}

TEST(GPUMemoryPool, TrimFreesOnlyCachedBlocks) {
  FakeHeap heap;
  MemoryPool pool = heap.makePool();
  void *a, *b;
  ASSERT_TRUE(pool.allocate(100, &a));
  ASSERT_TRUE(pool.allocate(100, &b));
  ASSERT_TRUE(pool.release(a));
  EXPECT_EQ(pool.stats().cachedBytes, 256u);
  ASSERT_TRUE(pool.trim());
  EXPECT_EQ(heap.frees, 1u);
  EXPECT_EQ(heap.live.count(b), 1u);
  EXPECT_EQ(pool.stats().cachedBlocks, 0u);
  EXPECT_EQ(pool.stats().liveBlocks, 1u);
}

TEST(GPUMemoryPool, OutOfMemoryReleasesTheCacheAndRetries) {
  FakeHeap heap;
  heap.capacity = 4096;
  MemoryPool pool = heap.makePool();
  void *a, *b;
  ASSERT_TRUE(pool.allocate(4096, &a));
  ASSERT_TRUE(pool.release(a)); // cached, still held from the driver
  // A different class does not fit beside the cached block: the pool must
  // give the cache back and succeed.
  ASSERT_TRUE(pool.allocate(2048, &b));
  EXPECT_EQ(heap.frees, 1u);
  EXPECT_EQ(pool.stats().cachedBlocks, 0u);
}

TEST(GPUMemoryPool, OutOfMemoryReportsTheRequest) {
  FakeHeap heap;
  heap.capacity = 1024;
  MemoryPool pool = heap.makePool();
  void *a;
  Status st = pool.allocate(1 << 20, &a);
  ASSERT_FALSE(st);
  EXPECT_NE(st.message.find("CUDA_ERROR_OUT_OF_MEMORY"), std::string::npos);
  EXPECT_NE(st.message.find("requested 1048576 bytes"), std::string::npos);
  EXPECT_EQ(pool.stats().liveBlocks, 0u);
}

TEST(GPUMemoryPool, RejectsUnknownPointers) {
  FakeHeap heap;
  MemoryPool pool = heap.makePool();
  int x;
  Status st = pool.release(&x);
  ASSERT_FALSE(st);
  EXPECT_NE(st.message.find("not allocated by the ds pool"),
            std::string::npos);
  EXPECT_TRUE(pool.release(nullptr));
}

TEST(GPUKernelImage, ClassifiesByMagic) {
  unsigned char cubin[64] = {0x7f, 'E', 'L', 'F'};
  cubin[18] = 190;
  EXPECT_EQ(classifyImage(cubin, sizeof(cubin)), ImageKind::CudaCubin);
  unsigned char hsaco[64] = {0x7f, 'E', 'L', 'F'};
  hsaco[18] = 224;
  EXPECT_EQ(classifyImage(hsaco, sizeof(hsaco)), ImageKind::AMDGPUHSACO);
  unsigned char x86[64] = {0x7f, 'E', 'L', 'F'};
  x86[18] = 62;
  EXPECT_EQ(classifyImage(x86, sizeof(x86)), ImageKind::Unknown);
  unsigned char fatbin[16] = {0x50, 0xED, 0x55, 0xBA};
  EXPECT_EQ(classifyImage(fatbin, sizeof(fatbin)), ImageKind::CudaFatbin);
  const char ptx[] = "//\n.version 7.8\n.target sm_90\n";
  EXPECT_EQ(classifyImage(ptx, sizeof(ptx)), ImageKind::CudaPTX);
  EXPECT_EQ(classifyImage(nullptr, 0), ImageKind::Unknown);
  EXPECT_EQ(classifyImage("ab", 2), ImageKind::Unknown);
}

TEST(GPUBackend, MissingCudaDriverIsAClearError) {
  std::unique_ptr<Backend> backend;
  Status st = openCudaBackend(backend, 0, "/nonexistent/libcuda.so.1");
  ASSERT_FALSE(st);
  EXPECT_FALSE(backend);
  EXPECT_NE(st.message.find("no CUDA driver"), std::string::npos);
  EXPECT_NE(st.message.find("/nonexistent/libcuda.so.1"), std::string::npos);
}

TEST(GPUBackend, MissingHipRuntimeIsAClearError) {
  std::unique_ptr<Backend> backend;
  Status st = openHipBackend(backend, 0, "/nonexistent/libamdhip64.so");
  ASSERT_FALSE(st);
  EXPECT_NE(st.message.find("no HIP runtime"), std::string::npos);
}

TEST(GPUBackend, LibraryWithoutTheDriverAPIIsRejected) {
  // libm exists everywhere and exports none of the driver's functions.
  std::unique_ptr<Backend> backend;
  Status st = openCudaBackend(backend, 0, "libm.so.6");
  ASSERT_FALSE(st);
  EXPECT_NE(st.message.find("lacks cuInit"), std::string::npos);
}

} // namespace
