//===- KernelImage.cpp - recognizing kernel images by their bytes --------===//
#include "Backend.h"

#include <cstdint>
#include <cstring>

using namespace dsrt::gpu;

ImageKind dsrt::gpu::classifyImage(const void *data, size_t size) {
  const auto *b = static_cast<const unsigned char *>(data);
  if (!b || size < 4)
    return ImageKind::Unknown;
  if (b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F') {
    if (size < 20)
      return ImageKind::Unknown;
    unsigned machine = b[18] | (b[19] << 8);
    if (machine == 190) // EM_CUDA
      return ImageKind::CudaCubin;
    if (machine == 224) // EM_AMDGPU
      return ImageKind::AMDGPUHSACO;
    return ImageKind::Unknown;
  }
  uint32_t magic;
  std::memcpy(&magic, b, 4);
  if (magic == 0xBA55ED50u) // fatbinary container
    return ImageKind::CudaFatbin;
  // PTX text: a comment or a directive first.
  if (b[0] == '/' || b[0] == '.' || b[0] == '\n')
    return ImageKind::CudaPTX;
  return ImageKind::Unknown;
}

const char *dsrt::gpu::describeImage(ImageKind kind) {
  switch (kind) {
  case ImageKind::CudaCubin:
    return "CUDA cubin";
  case ImageKind::CudaFatbin:
    return "CUDA fatbin";
  case ImageKind::CudaPTX:
    return "PTX module";
  case ImageKind::AMDGPUHSACO:
    return "AMDGPU HSACO";
  case ImageKind::Unknown:
    break;
  }
  return "unrecognized kernel image";
}

