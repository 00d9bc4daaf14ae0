/* Compiles an ONNX model from memory with the ds C API and runs it with the
 * runtime's C API on buffers this program owns. Usage: embed-c MODEL.onnx
 *
 * Every float32 input k gets the values k*10 + 0, 1, 2, ... (dimensions
 * known only at run time are taken as 1); the outputs are printed. */
#include "ds-c/ds.h"
#include "dsrt/dsrt.h"

#include <stdio.h>
#include <stdlib.h>

static void print_error(const ds_error *error) {
  for (size_t i = 0; i < ds_error_num_diagnostics(error); ++i)
    printf("  %s at '%s': %s\n",
           ds_severity_string(ds_error_diagnostic_severity(error, i)),
           ds_error_diagnostic_location(error, i),
           ds_error_diagnostic_message(error, i));
}

static char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = malloc(n > 0 ? (size_t)n : 1);
  *size = fread(data, 1, (size_t)n, f);
  fclose(f);
  return data;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: embed-c MODEL.onnx\n");
    return 2;
  }
  size_t size = 0;
  char *model = read_file(argv[1], &size);
  if (!model) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }

  ds_compiler *compiler = NULL;
  ds_compiler_create(&compiler);
  ds_artifact *artifact = NULL;
  ds_error *error = NULL;

  /* A malformed model is an error object, not a crash. */
  const char junk[] = "not an ONNX model";
  ds_status status = ds_compile_onnx(compiler, junk, sizeof junk - 1,
                                     "malformed.onnx", NULL, &artifact, &error);
  printf("malformed model: %s\n", ds_status_string(status));
  print_error(error);
  ds_error_destroy(error);
  printf("continued after the malformed model\n");

  status = ds_compile_onnx(compiler, model, size, argv[1], NULL, &artifact,
                           &error);
  free(model);
  if (status != DS_OK) {
    printf("compile failed: %s\n", ds_error_message(error));
    print_error(error);
    ds_error_destroy(error);
    ds_compiler_destroy(compiler);
    return 1;
  }
  printf("compiled %zu bytes\n", ds_artifact_size(artifact));

  dsrt_module *module = NULL;
  dsrt_status rs = dsrt_module_load_memory(ds_artifact_data(artifact),
                                           ds_artifact_size(artifact), &module);
  ds_artifact_destroy(artifact); /* the runtime keeps its own copy */
  ds_compiler_destroy(compiler);
  if (rs != DSRT_OK) {
    printf("load failed: %s\n", dsrt_last_error());
    return 1;
  }

  int32_t num_in = dsrt_module_num_inputs(module);
  int32_t num_out = dsrt_module_num_outputs(module);
  int32_t total = num_in + num_out;
  dsrt_tensor *tensors = calloc((size_t)total, sizeof(dsrt_tensor));
  int64_t **shapes = calloc((size_t)total, sizeof(int64_t *));
  size_t *counts = calloc((size_t)total, sizeof(size_t));
  int rc = 0;
  for (int32_t t = 0; t < total && rc == 0; ++t) {
    dsrt_tensor_info info;
    if (t < num_in)
      dsrt_module_input_info(module, t, &info);
    else
      dsrt_module_output_info(module, t - num_in, &info);
    if (info.dtype != DSRT_F32) {
      printf("'%s' is not float32\n", info.name);
      rc = 1;
      break;
    }
    shapes[t] = calloc(info.rank > 0 ? (size_t)info.rank : 1, sizeof(int64_t));
    counts[t] = 1;
    for (int32_t d = 0; d < info.rank; ++d) {
      shapes[t][d] = info.shape[d] < 0 ? 1 : info.shape[d];
      counts[t] *= (size_t)shapes[t][d];
    }
    float *data = malloc(counts[t] * sizeof(float));
    for (size_t j = 0; j < counts[t] && t < num_in; ++j)
      data[j] = (float)(t * 10 + (int32_t)j);
    tensors[t].data = data;
    tensors[t].dtype = DSRT_F32;
    tensors[t].rank = info.rank;
    tensors[t].shape = shapes[t];
  }
  if (rc == 0 &&
      dsrt_module_run(module, tensors, num_in, tensors + num_in, num_out) !=
          DSRT_OK) {
    printf("run failed: %s\n", dsrt_last_error());
    rc = 1;
  }
  for (int32_t o = 0; o < num_out && rc == 0; ++o) {
    dsrt_tensor_info info;
    dsrt_module_output_info(module, o, &info);
    printf("%s =", info.name);
    const float *data = tensors[num_in + o].data;
    for (size_t j = 0; j < counts[num_in + o]; ++j)
      printf(" %g", data[j]);
    printf("\n");
  }
  for (int32_t t = 0; t < total; ++t) {
    free(tensors[t].data);
    free(shapes[t]);
  }
  free(tensors);
  free(shapes);
  free(counts);
  dsrt_module_free(module);
  return rc;
}
