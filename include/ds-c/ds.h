/*===- ds-c/ds.h - The ds embedding API (C) ------------------------*- C -*-===*
 *
 * A stable C ABI over the compile API (include/ds/ds.h), for C programs and
 * FFI. Implemented in libdscompiler (CMake target `ds::compiler`, pkg-config
 * `ds`). Running a compiled artifact uses the runtime's C API, dsrt.h
 * (`ds::runtime`, pkg-config `ds-runtime`): pass the bytes of a ds_artifact
 * to dsrt_module_load_memory, or write them with ds_artifact_write and use
 * dsrt_module_load.
 *
 *   ds_compiler *c = NULL;
 *   ds_compiler_create(&c);
 *   ds_artifact *a = NULL;
 *   ds_error *err = NULL;
 *   if (ds_compile_onnx(c, bytes, size, "model.onnx", NULL, &a, &err) != DS_OK) {
 *     for (size_t i = 0; i < ds_error_num_diagnostics(err); ++i)
 *       fprintf(stderr, "%s: %s\n", ds_error_diagnostic_location(err, i),
 *               ds_error_diagnostic_message(err, i));
 *     ds_error_destroy(err);
 *   }
 *
 * Ownership: every handle returned through an out-parameter (ds_compiler,
 * ds_options, ds_artifact, ds_error) belongs to the caller, who releases it
 * with the matching *_destroy function (NULL is accepted there). Strings and
 * data returned by accessors stay valid until their handle is destroyed.
 *
 * Thread safety: a ds_compiler owns its own MLIR context; use one per thread.
 * Distinct compilers may compile concurrently. Artifacts, errors and options
 * are immutable after creation (options: after the last setter call) and
 * may be read from any thread.
 *
 * No function aborts the process on bad input: malformed models, bad options
 * and NULL arguments return a status (and, where an error out-parameter is
 * given, a ds_error describing it).
 *
 *===----------------------------------------------------------------------===*/
#ifndef DS_C_DS_H
#define DS_C_DS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DS_C_EXPORT __attribute__((visibility("default")))
#else
#define DS_C_EXPORT
#endif

/** Status codes; zero is success. */
typedef enum ds_status {
  DS_OK = 0,
  /** Valid input that ds does not handle yet (op, dtype, target, ...). */
  DS_UNSUPPORTED = 1,
  /** Malformed model or options. */
  DS_INVALID = 2,
  /** Code generation, linking or I/O failed. */
  DS_FAILURE = 3,
  /** A NULL handle or another misuse of this API. */
  DS_INVALID_ARGUMENT = 4,
} ds_status;

typedef enum ds_severity {
  DS_SEVERITY_ERROR = 0,
  DS_SEVERITY_WARNING = 1,
  DS_SEVERITY_NOTE = 2,
  DS_SEVERITY_REMARK = 3,
} ds_severity;

typedef struct ds_compiler ds_compiler;
typedef struct ds_options ds_options;
typedef struct ds_artifact ds_artifact;
typedef struct ds_error ds_error;

/** The library version, "MAJOR.MINOR.PATCH". */
DS_C_EXPORT const char *ds_version(void);
/** "ok", "unsupported", "invalid", "failure", "invalid argument". */
DS_C_EXPORT const char *ds_status_string(ds_status status);
/** "error", "warning", "note", "remark". */
DS_C_EXPORT const char *ds_severity_string(ds_severity severity);

/* --- Compiler ------------------------------------------------------------ */

DS_C_EXPORT ds_status ds_compiler_create(ds_compiler **out);
DS_C_EXPORT void ds_compiler_destroy(ds_compiler *compiler);

/* --- Options (NULL everywhere means the defaults) ------------------------ */

DS_C_EXPORT ds_status ds_options_create(ds_options **out);
DS_C_EXPORT void ds_options_destroy(ds_options *options);
/** The back end; only "cpu" (the default) is implemented. Any other name is
 *  accepted here and reported as DS_UNSUPPORTED by the compile call. */
DS_C_EXPORT ds_status ds_options_set_target(ds_options *options,
                                            const char *target);
/** The function to compile in MLIR input; default "main". */
DS_C_EXPORT ds_status ds_options_set_entry(ds_options *options,
                                           const char *entry);
/** LLVM optimization level 0-3; default 3. */
DS_C_EXPORT ds_status ds_options_set_opt_level(ds_options *options,
                                               unsigned level);
/** LLVM CPU name and features ("" = the host's, the default). */
DS_C_EXPORT ds_status ds_options_set_cpu(ds_options *options, const char *cpu,
                                         const char *features);

/* --- Compiling ----------------------------------------------------------- */
/* On success *artifact receives a new artifact. On failure, if `error` is not
 * NULL, *error receives a new ds_error (on success it is set to NULL). */

/** A model file: ".onnx" through the ONNX importer, anything else as MLIR. */
DS_C_EXPORT ds_status ds_compile_file(ds_compiler *compiler, const char *path,
                                      const ds_options *options,
                                      ds_artifact **artifact,
                                      ds_error **error);
/** A serialized ONNX ModelProto; `name` (may be NULL) names it in
 *  diagnostics. */
DS_C_EXPORT ds_status ds_compile_onnx(ds_compiler *compiler, const void *data,
                                      size_t size, const char *name,
                                      const ds_options *options,
                                      ds_artifact **artifact,
                                      ds_error **error);
/** MLIR text of `size` bytes (need not be NUL-terminated); `name` (may be
 *  NULL) names it in diagnostic locations. */
DS_C_EXPORT ds_status ds_compile_mlir(ds_compiler *compiler, const char *text,
                                      size_t size, const char *name,
                                      const ds_options *options,
                                      ds_artifact **artifact,
                                      ds_error **error);

/* --- Artifacts ----------------------------------------------------------- */

/** The artifact's bytes (an ELF shared library, docs/artifact-abi.md). */
DS_C_EXPORT const void *ds_artifact_data(const ds_artifact *artifact);
DS_C_EXPORT size_t ds_artifact_size(const ds_artifact *artifact);
/** Writes the artifact to `path`; on failure *error (if given) says why. */
DS_C_EXPORT ds_status ds_artifact_write(const ds_artifact *artifact,
                                        const char *path, ds_error **error);
DS_C_EXPORT void ds_artifact_destroy(ds_artifact *artifact);

/* --- Errors -------------------------------------------------------------- */

DS_C_EXPORT ds_status ds_error_status(const ds_error *error);
/** One line: "<location>: <message>" of the first error. */
DS_C_EXPORT const char *ds_error_message(const ds_error *error);
/** All diagnostics of the failed call, in order (notes follow their error). */
DS_C_EXPORT size_t ds_error_num_diagnostics(const ds_error *error);
DS_C_EXPORT ds_severity ds_error_diagnostic_severity(const ds_error *error,
                                                     size_t index);
/** "" when the diagnostic has no location or `index` is out of range. */
DS_C_EXPORT const char *ds_error_diagnostic_location(const ds_error *error,
                                                     size_t index);
DS_C_EXPORT const char *ds_error_diagnostic_message(const ds_error *error,
                                                    size_t index);
DS_C_EXPORT void ds_error_destroy(ds_error *error);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DS_C_DS_H */
