//===- Error.cpp - Thread-local error reporting --------------------------===//
//
// Every failing entry point records a message here. The message is
// per-thread so that concurrent callers never see each other's errors, and it
// survives successful calls so a caller can fetch it after unrelated work.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

namespace {
thread_local std::string lastError;
} // namespace

dsrt_status dsrt::setError(dsrt_status status, std::string message) {
  lastError = std::move(message);
  return status;
}

DSRT_EXPORT const char *dsrt_last_error(void) { return lastError.c_str(); }
