# `cmake --install`: headers, libraries, tools, the CMake package `ds`
# (targets ds::compiler and ds::runtime) and pkg-config files ds.pc and
# ds-runtime.pc. Everything is relative to the prefix, so an installed tree
# can be moved.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(DS_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ds)

# Headers of the embedding APIs (the internal C++ API in include/ds needs
# MLIR headers; ds/ds.h does not).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ds ${PROJECT_SOURCE_DIR}/include/ds-c
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT ds)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/dsrt
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT ds)

install(TARGETS dscompiler dsrt EXPORT dsTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT ds)
install(EXPORT dsTargets NAMESPACE ds:: FILE dsTargets.cmake
        DESTINATION ${DS_INSTALL_CMAKEDIR} COMPONENT ds)

# Tools: found next to libdsrt, and MLIR/LLVM in the LLVM install.
set(DS_TOOLS)
foreach(tool ds-opt ds-translate ds-run ds-onnx-test)
  if(TARGET ${tool})
    list(APPEND DS_TOOLS ${tool})
    set_target_properties(${tool} PROPERTIES
      INSTALL_RPATH "\$ORIGIN/../${CMAKE_INSTALL_LIBDIR};${LLVM_LIBRARY_DIR}")
  endif()
endforeach()
install(TARGETS ${DS_TOOLS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        COMPONENT ds)

configure_file(${CMAKE_CURRENT_LIST_DIR}/dsConfig.cmake.in
               ${PROJECT_BINARY_DIR}/cmake/dsConfig.cmake @ONLY)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/dsConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/dsConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/dsConfigVersion.cmake
        DESTINATION ${DS_INSTALL_CMAKEDIR} COMPONENT ds)

foreach(pc ds ds-runtime)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/${pc}.pc.in
                 ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT ds)
endforeach()
