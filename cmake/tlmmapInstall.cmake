include(CMakePackageConfigHelpers)

set(tlmmap_installed_targets tlmmap tlmmap_core tlmmap_tlm)
if(TLMMAP_BUILD_MEMMAP)
  list(APPEND tlmmap_installed_targets tlmmap_memmap)
endif()
if(TLMMAP_BUILD_ADAPTERS)
  list(APPEND tlmmap_installed_targets tlmmap_adapters)
  install(FILES ${PROJECT_SOURCE_DIR}/cmake/tlmmapRtl.cmake DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tlmmap)
endif()
install(TARGETS ${tlmmap_installed_targets} EXPORT tlmmapTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/tlmmap DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT tlmmapTargets NAMESPACE tlmmap:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tlmmap)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tlmmapConfig.cmake.in
  ${PROJECT_BINARY_DIR}/tlmmapConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tlmmap)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tlmmapConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tlmmapConfig.cmake ${PROJECT_BINARY_DIR}/tlmmapConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tlmmap)
if(TLMMAP_BUILD_TOOLS)
  install(TARGETS tlmmap-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
