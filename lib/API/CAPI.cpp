//===- CAPI.cpp - The ds embedding API (C) -------------------------------===//
//
// include/ds-c/ds.h over ds::Compiler. Handles are heap objects owned by
// the caller; nothing here throws or aborts on bad input.
//
//===----------------------------------------------------------------------===//
#include "ds-c/ds.h"
#include "ds/ds.h"

#include <cstdio>
#include <string>
#include <vector>

struct ds_compiler {
  ds::Compiler compiler;
};

struct ds_options {
  ds::CompileOptions options;
};

struct ds_artifact {
  std::string bytes;
};

struct ds_error {
  ds_status status = DS_FAILURE;
  std::string message;
  std::vector<ds::Diagnostic> diagnostics;
};

namespace {

ds_status convertStatus(ds::Status status) {
  switch (status) {
  case ds::Status::Ok:
    return DS_OK;
  case ds::Status::Unsupported:
    return DS_UNSUPPORTED;
  case ds::Status::Invalid:
    return DS_INVALID;
  case ds::Status::Failure:
    return DS_FAILURE;
  }
  return DS_FAILURE;
}

/// Stores a new error in *out (if out is given) and returns `status`.
ds_status report(ds_error **out, ds_status status, std::string message,
                 std::vector<ds::Diagnostic> diagnostics = {}) {
  if (out) {
    auto *e = new ds_error;
    e->status = status;
    e->message = std::move(message);
    e->diagnostics = std::move(diagnostics);
    if (e->diagnostics.empty())
      e->diagnostics.push_back({ds::Severity::Error, "", e->message});
    *out = e;
  }
  return status;
}

ds_status finish(ds::CompileResult result, ds_artifact **artifact,
                 ds_error **error) {
  if (!result.ok()) {
    std::string message = result.message();
    return report(error, convertStatus(result.status), std::move(message),
                  std::move(result.diagnostics));
  }
  *artifact = new ds_artifact{std::move(result.artifact)};
  return DS_OK;
}

const ds::CompileOptions &optionsOf(const ds_options *options) {
  static const ds::CompileOptions defaults;
  return options ? options->options : defaults;
}

/// Checks the arguments every compile entry point shares.
bool checkArgs(ds_compiler *compiler, ds_artifact **artifact,
               ds_error **error, ds_status &status) {
  if (error)
    *error = nullptr;
  if (artifact)
    *artifact = nullptr;
  if (!compiler || !artifact) {
    status = report(error, DS_INVALID_ARGUMENT,
                    "null compiler or artifact out-parameter");
    return false;
  }
  return true;
}

const ds::Diagnostic *diagnosticAt(const ds_error *error, size_t index) {
  if (!error || index >= error->diagnostics.size())
    return nullptr;
  return &error->diagnostics[index];
}

} // namespace

extern "C" {

const char *ds_version(void) { return ds::version(); }

const char *ds_status_string(ds_status status) {
  switch (status) {
  case DS_OK:
    return "ok";
  case DS_UNSUPPORTED:
    return "unsupported";
  case DS_INVALID:
    return "invalid";
  case DS_FAILURE:
    return "failure";
  case DS_INVALID_ARGUMENT:
    return "invalid argument";
  }
  return "unknown status";
}

const char *ds_severity_string(ds_severity severity) {
  switch (severity) {
  case DS_SEVERITY_ERROR:
    return "error";
  case DS_SEVERITY_WARNING:
    return "warning";
  case DS_SEVERITY_NOTE:
    return "note";
  case DS_SEVERITY_REMARK:
    return "remark";
  }
  return "unknown severity";
}

ds_status ds_compiler_create(ds_compiler **out) {
  if (!out)
    return DS_INVALID_ARGUMENT;
  *out = new ds_compiler;
  return DS_OK;
}

void ds_compiler_destroy(ds_compiler *compiler) { delete compiler; }

ds_status ds_options_create(ds_options **out) {
  if (!out)
    return DS_INVALID_ARGUMENT;
  *out = new ds_options;
  return DS_OK;
}

void ds_options_destroy(ds_options *options) { delete options; }

ds_status ds_options_set_target(ds_options *options, const char *target) {
  if (!options || !target)
    return DS_INVALID_ARGUMENT;
  options->options.target = target;
  return DS_OK;
}

ds_status ds_options_set_entry(ds_options *options, const char *entry) {
  if (!options || !entry || !*entry)
    return DS_INVALID_ARGUMENT;
  options->options.entry = entry;
  return DS_OK;
}

ds_status ds_options_set_opt_level(ds_options *options, unsigned level) {
  if (!options || level > 3)
    return DS_INVALID_ARGUMENT;
  options->options.optLevel = level;
  return DS_OK;
}

ds_status ds_options_set_cpu(ds_options *options, const char *cpu,
                             const char *features) {
  if (!options)
    return DS_INVALID_ARGUMENT;
  options->options.cpu = cpu ? cpu : "";
  options->options.features = features ? features : "";
  return DS_OK;
}

ds_status ds_compile_file(ds_compiler *compiler, const char *path,
                          const ds_options *options, ds_artifact **artifact,
                          ds_error **error) {
  ds_status status;
  if (!checkArgs(compiler, artifact, error, status))
    return status;
  if (!path)
    return report(error, DS_INVALID_ARGUMENT, "null path");
  return finish(compiler->compiler.compileFile(path, optionsOf(options)),
                artifact, error);
}

ds_status ds_compile_onnx(ds_compiler *compiler, const void *data,
                          size_t size, const char *name,
                          const ds_options *options, ds_artifact **artifact,
                          ds_error **error) {
  ds_status status;
  if (!checkArgs(compiler, artifact, error, status))
    return status;
  if (!data && size)
    return report(error, DS_INVALID_ARGUMENT, "null model data");
  std::string_view bytes(static_cast<const char *>(data), size);
  return finish(compiler->compiler.compileONNX(
                    bytes, optionsOf(options), name ? name : "model.onnx"),
                artifact, error);
}

ds_status ds_compile_mlir(ds_compiler *compiler, const char *text, size_t size,
                          const char *name, const ds_options *options,
                          ds_artifact **artifact, ds_error **error) {
  ds_status status;
  if (!checkArgs(compiler, artifact, error, status))
    return status;
  if (!text && size)
    return report(error, DS_INVALID_ARGUMENT, "null MLIR text");
  std::string_view source(text ? text : "", size);
  return finish(compiler->compiler.compileMLIR(source, optionsOf(options),
                                               name ? name : "<mlir>"),
                artifact, error);
}

const void *ds_artifact_data(const ds_artifact *artifact) {
  return artifact ? artifact->bytes.data() : nullptr;
}

size_t ds_artifact_size(const ds_artifact *artifact) {
  return artifact ? artifact->bytes.size() : 0;
}

ds_status ds_artifact_write(const ds_artifact *artifact, const char *path,
                            ds_error **error) {
  if (error)
    *error = nullptr;
  if (!artifact || !path)
    return report(error, DS_INVALID_ARGUMENT, "null artifact or path");
  FILE *f = std::fopen(path, "wb");
  if (!f)
    return report(error, DS_FAILURE,
                  std::string("cannot open '") + path + "' for writing");
  size_t written = std::fwrite(artifact->bytes.data(), 1,
                               artifact->bytes.size(), f);
  bool closed = std::fclose(f) == 0;
  if (written != artifact->bytes.size() || !closed)
    return report(error, DS_FAILURE,
                  std::string("cannot write '") + path + "'");
  return DS_OK;
}

void ds_artifact_destroy(ds_artifact *artifact) { delete artifact; }

ds_status ds_error_status(const ds_error *error) {
  return error ? error->status : DS_INVALID_ARGUMENT;
}

const char *ds_error_message(const ds_error *error) {
  return error ? error->message.c_str() : "";
}

size_t ds_error_num_diagnostics(const ds_error *error) {
  return error ? error->diagnostics.size() : 0;
}

ds_severity ds_error_diagnostic_severity(const ds_error *error, size_t index) {
  const ds::Diagnostic *d = diagnosticAt(error, index);
  if (!d)
    return DS_SEVERITY_ERROR;
  switch (d->severity) {
  case ds::Severity::Error:
    return DS_SEVERITY_ERROR;
  case ds::Severity::Warning:
    return DS_SEVERITY_WARNING;
  case ds::Severity::Note:
    return DS_SEVERITY_NOTE;
  case ds::Severity::Remark:
    return DS_SEVERITY_REMARK;
  }
  return DS_SEVERITY_ERROR;
}

const char *ds_error_diagnostic_location(const ds_error *error, size_t index) {
  const ds::Diagnostic *d = diagnosticAt(error, index);
  return d ? d->location.c_str() : "";
}

const char *ds_error_diagnostic_message(const ds_error *error, size_t index) {
  const ds::Diagnostic *d = diagnosticAt(error, index);
  return d ? d->message.c_str() : "";
}

void ds_error_destroy(ds_error *error) { delete error; }

} // extern "C"
