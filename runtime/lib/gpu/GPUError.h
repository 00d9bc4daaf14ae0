//===- GPUError.h - Device errors raised inside compiled code ---*- C++ -*-===//
//
// The mgpu* entry points return nothing (their signatures are MLIR's), so a
// failure inside ds_entry or inside an artifact's load-time constructor is
// recorded here, per thread; dsrt_module_load and dsrt_module_run turn it
// into DSRT_DEVICE_ERROR with the message. Once an error is pending, further
// launches on that thread are skipped, so one failure does not cascade into
// a stream of follow-up errors or a hang on a broken context.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_GPU_GPUERROR_H
#define DSRT_LIB_GPU_GPUERROR_H

#include <string>

namespace dsrt::gpu {
void clearPendingError();
/// Moves the pending error into `message`; false if there is none.
bool takePendingError(std::string &message);
/// Records `message` unless an earlier error is pending.
void raise(std::string message);
bool hasPendingError();
} // namespace dsrt::gpu

#endif // DSRT_LIB_GPU_GPUERROR_H
