//===- dsrt.h - ds runtime C API --------------------------------*- C -*-===//
//
// The ds runtime loads a compiled artifact (a shared library produced by the
// ds CPU back end) and runs it on caller-owned buffers. The API is plain C
// with opaque handles so that frameworks and FFI callers can use it.
//
// Ownership: every buffer passed in `dsrt_tensor` is owned by the caller and
// must stay valid for the duration of the call; outputs returned by
// `dsrt_module_run_alloc` are owned by the caller too and released with
// `dsrt_tensor_free`. Handles returned by
// `dsrt_module_load` are owned by the caller and released with
// `dsrt_module_free`. Strings returned by the runtime stay valid until the
// module is freed (info strings) or until the next failing call on the same
// thread (`dsrt_last_error`).
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_DSRT_H
#define DSRT_DSRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Status codes. Zero is success; every failure also records a message
/// retrievable with dsrt_last_error().
typedef enum dsrt_status {
  DSRT_OK = 0,
  DSRT_INVALID_ARGUMENT = 1, ///< Bad handle, index, dtype, rank or shape.
  DSRT_IO_ERROR = 2,         ///< The artifact could not be opened/loaded.
  DSRT_BAD_ARTIFACT = 3,     ///< The artifact lacks symbols or its metadata is malformed.
  DSRT_INTERNAL = 4,
  DSRT_DEVICE_ERROR = 5,     ///< GPU driver/device failure: no device, wrong chip, out of memory, a kernel fault.
} dsrt_status;

/// Element types. The numbering is ONNX's TensorProto.DataType so that
/// readers of ONNX tensors can pass the field through.
typedef enum dsrt_dtype {
  DSRT_DTYPE_INVALID = 0,
  DSRT_F32 = 1,
  DSRT_U8 = 2,
  DSRT_I8 = 3,
  DSRT_U16 = 4,
  DSRT_I16 = 5,
  DSRT_I32 = 6,
  DSRT_I64 = 7,
  DSRT_BOOL = 9, ///< One byte per element, 0 or 1.
  DSRT_F16 = 10,
  DSRT_F64 = 11,
  DSRT_U32 = 12,
  DSRT_U64 = 13,
  DSRT_BF16 = 16,
  /// Not dtypes. They make every 32-bit value a valid dsrt_dtype, so that a
  /// caller passing an unknown value (from FFI, a file, a newer ds) gets an
  /// "invalid dtype" answer rather than undefined behavior in the C++
  /// implementation (UBSan's enum check caught dsrt_dtype_size(42)); they
  /// also pin the enum's size to 32 bits.
  DSRT_DTYPE_RANGE_MIN_ = -2147483647 - 1,
  DSRT_DTYPE_RANGE_MAX_ = 2147483647,
} dsrt_dtype;

/// A dense, row-major tensor in caller-owned memory.
typedef struct dsrt_tensor {
  void *data;
  dsrt_dtype dtype;
  int32_t rank;
  const int64_t *shape; ///< `rank` sizes, all >= 0.
} dsrt_tensor;

/// Static description of one input or output of a module. In `shape`, -1
/// marks a dimension whose size is only known at run time.
typedef struct dsrt_tensor_info {
  const char *name;
  dsrt_dtype dtype;
  int32_t rank;
  const int64_t *shape;
} dsrt_tensor_info;

typedef struct dsrt_module dsrt_module;

/// Loads the artifact at `path`. On success `*out` receives a new handle.
dsrt_status dsrt_module_load(const char *path, dsrt_module **out);
/// Loads an artifact held in memory (`size` bytes at `data`, e.g. from the
/// compile API). The bytes are copied; the caller may free them afterwards.
/// Uses memfd_create, or an unlinked temporary file in $TMPDIR where that is
/// unavailable.
dsrt_status dsrt_module_load_memory(const void *data, size_t size,
                                    dsrt_module **out);
void dsrt_module_free(dsrt_module *module);

int32_t dsrt_module_num_inputs(const dsrt_module *module);
int32_t dsrt_module_num_outputs(const dsrt_module *module);
dsrt_status dsrt_module_input_info(const dsrt_module *module, int32_t index,
                                   dsrt_tensor_info *info);
dsrt_status dsrt_module_output_info(const dsrt_module *module, int32_t index,
                                    dsrt_tensor_info *info);

/// Runs the module. `inputs` and `outputs` are in declaration order; output
/// buffers are allocated by the caller with the shapes reported by
/// dsrt_module_output_info. Dtypes, ranks and static sizes are checked.
/// For an output whose info shape has -1 sizes the caller must pass the
/// shape the run will produce (e.g. the batch of the inputs); a run that
/// produces another shape fails with DSRT_INVALID_ARGUMENT and leaves that
/// buffer unwritten. Use dsrt_module_run_alloc when the shape is not known
/// in advance (data-dependent outputs such as NonZero's).
dsrt_status dsrt_module_run(dsrt_module *module, const dsrt_tensor *inputs,
                            int32_t num_inputs, dsrt_tensor *outputs,
                            int32_t num_outputs);

/// Runs the module with outputs the runtime allocates: works for every
/// module, including those whose output shapes are known only at run time.
/// On DSRT_OK, `outputs[i]` holds the dtype, rank, shape and data of output
/// i (dense row-major); the caller owns them and releases each with
/// dsrt_tensor_free, which may be called after the module is freed. On
/// failure no output is allocated (every `data` and `shape` is NULL).
dsrt_status dsrt_module_run_alloc(dsrt_module *module,
                                  const dsrt_tensor *inputs,
                                  int32_t num_inputs, dsrt_tensor *outputs,
                                  int32_t num_outputs);

/// Releases the data and shape of a tensor filled by dsrt_module_run_alloc
/// and sets both to NULL. NULL pointers are ignored; passing any other
/// tensor is undefined behavior.
void dsrt_tensor_free(dsrt_tensor *tensor);

/// The message of the last failure on this thread ("" if none).
const char *dsrt_last_error(void);

/// Bytes per element of `dtype` (0 for an invalid dtype).
size_t dsrt_dtype_size(dsrt_dtype dtype);
/// ONNX-style name of `dtype` ("float32", "uint8", "bool", ...).
const char *dsrt_dtype_name(dsrt_dtype dtype);

/// Threads the compute kernels of every loaded module use, the caller's
/// included. The default is the environment variable DS_NUM_THREADS when it
/// holds a positive integer, else the number of CPUs this process may run
/// on. `n` < 1 restores that default. Takes effect on the next kernel call;
/// calls from several caller threads at once never add threads (a call that
/// finds the pool busy runs on its own thread).
void dsrt_set_num_threads(int32_t n);
/// The thread count kernels use now (at least 1).
int32_t dsrt_get_num_threads(void);

/// What the compiled CPU models' own buffers (their intermediate tensors or
/// the arena that holds them; not the caller's inputs and outputs, nor the
/// runtime's packed weights) take on the heap, counted by the runtime's
/// allocator across every loaded module and caller thread.
typedef struct dsrt_memory_stats {
  uint64_t live_bytes;      ///< Held now.
  uint64_t peak_bytes;      ///< Most held at once since the last reset.
  uint64_t allocations;     ///< Allocations since the last reset.
  uint64_t allocated_bytes; ///< Their total size.
} dsrt_memory_stats;
void dsrt_memory_stats_get(dsrt_memory_stats *stats);
/// Sets the peak to what is held now and the totals to zero.
void dsrt_memory_stats_reset(void);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // DSRT_DSRT_H
