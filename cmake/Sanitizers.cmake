# Sanitizer and fuzzing instrumentation for ds's own code (docs/reliability.md).
#
#   DS_SANITIZE=ON        ASan + UBSan on every ds target (clang only).
#   DS_ENABLE_FUZZERS=ON  also adds libFuzzer's coverage instrumentation
#                         (-fsanitize=fuzzer-no-link) and builds fuzz/.
#
# libMLIR.so and libLLVM.so come from the LLVM install and stay
# uninstrumented: ASan still catches ds's bad accesses to memory those
# libraries own (it intercepts malloc), it only misses their internal bugs.
#
# Executables link the sanitizer runtime statically (clang's default) and
# export its symbols; the instrumented shared libraries (libdscompiler,
# libdsrt, the Python extension) leave them undefined and take them from the
# executable. So libdscompiler links without --no-undefined here, and an
# uninstrumented host (python3, the embedding examples) loads them only with
# the shared runtime preloaded: LD_PRELOAD=${DS_ASAN_RUNTIME}, which the lit
# configuration does. (-shared-libsan everywhere was tried: libFuzzer pulls
# libstdc++ ahead of the runtime, which ASan refuses at startup.)
option(DS_SANITIZE "Build ds with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(DS_ENABLE_FUZZERS "Build the libFuzzer targets in fuzz/ (implies DS_SANITIZE)" OFF)

if(DS_ENABLE_FUZZERS)
  set(DS_SANITIZE ON CACHE BOOL "" FORCE)
endif()
if(NOT DS_SANITIZE)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang" OR NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "DS_SANITIZE/DS_ENABLE_FUZZERS need clang "
    "(-DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22, or the "
    "`asan` preset)")
endif()

# vptr: its checks look up type_info across libMLIR.so and ds's libraries,
# whose visibility differs (hidden in libdscompiler); it reports false
# positives there, so it stays off. Every other UBSan check is fatal.
set(DS_SANITIZE_FLAGS
  -fsanitize=address,undefined
  -fno-sanitize=vptr
  -fno-sanitize-recover=all
  -fno-omit-frame-pointer)
if(DS_ENABLE_FUZZERS)
  list(APPEND DS_SANITIZE_FLAGS -fsanitize=fuzzer-no-link)
endif()
add_compile_options(${DS_SANITIZE_FLAGS})
add_link_options(-fsanitize=address,undefined)
# HandleLLVMOptions links shared objects with -z defs; see above for why the
# runtime's symbols are undefined in them.
foreach(v CMAKE_SHARED_LINKER_FLAGS CMAKE_MODULE_LINKER_FLAGS)
  string(REPLACE "-Wl,-z,defs" "" ${v} "${${v}}")
endforeach()

execute_process(
  COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libclang_rt.asan-x86_64.so
  OUTPUT_VARIABLE DS_ASAN_RUNTIME OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT EXISTS "${DS_ASAN_RUNTIME}")
  message(FATAL_ERROR "DS_SANITIZE: no shared ASan runtime (${DS_ASAN_RUNTIME})")
endif()
message(STATUS "ds: sanitizers on (${DS_SANITIZE_FLAGS}); runtime ${DS_ASAN_RUNTIME}")
