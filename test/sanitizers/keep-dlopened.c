/*===- keep-dlopened.c - dlclose that keeps libraries mapped ------------===*\
|*
|* Test support for the sanitizer build (docs/reliability.md), preloaded into
|* the MPI rank processes of the collective tests. Open MPI dlcloses its MCA
|* components in MPI_Finalize, before LeakSanitizer runs at exit; LSan then
|* cannot name the module of their frames ("<unknown module>") and the
|* suppressions in lsan.supp cannot match Open MPI's own leaks. With dlclose
|* a no-op every library stays mapped until exit and every frame keeps its
|* module name. (The alternative, full unwinding on every malloc, made the
|* rank processes slow enough to trip the tests' 2 s and 5 s deadlines.)
|*
|* Built without sanitizer instrumentation: it is also preloaded into mpirun
|* and its daemons, which do not carry the ASan runtime.
|*
\*===----------------------------------------------------------------------===*/

int dlclose(void *handle) {
  (void)handle;
  return 0;
}
